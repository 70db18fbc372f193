"""Celery entry points of the registry."""

from celery import shared_task

from governance import reviews


@shared_task
def send_review_digest() -> int:
    """Daily: email staff one digest of the reviews overdue and falling due."""
    return reviews.send_review_digest()
