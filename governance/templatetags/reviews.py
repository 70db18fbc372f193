"""``{% due_reviews as reviews %}``: the reviews overdue and falling due (the admin's home)."""

from django import template

from governance import reviews

register = template.Library()


@register.simple_tag
def due_reviews() -> reviews.Reviews:
    return reviews.due_reviews()
