"""Template tags of the portal's register pages."""

from django import template

from governance.models import School
from governance.register import notice_previews

register = template.Library()


@register.simple_tag
def notices_pending(school: School) -> bool:
    """Return whether the school's register would change a public notice if published now."""
    return not all(preview.is_unchanged for _, preview in notice_previews(school=school))
