"""Celery entry points for notices."""

from celery import shared_task

from notices.dependencies import queue_stale_notices


@shared_task
def render_all_notices() -> int:
    """Nightly: decide which published notices no longer match the registry and write a
    render job for each, as one batch. Catches changes that come with the date alone (a
    subscription starting or ending). Returns how many jobs it holds."""
    return queue_stale_notices(label="Nightly refresh").jobs.count()
