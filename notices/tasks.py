"""Celery entry points for notices."""

from celery import shared_task

from notices.dependencies import queue_notice_batch


@shared_task
def render_all_notices() -> int:
    """Nightly: a render job for every published school's notices, as one batch. Catches
    changes that come with the date alone (a subscription starting or ending); each job is a
    no-op when nothing changed. Returns how many jobs it holds."""
    return queue_notice_batch(label="Nightly refresh").jobs.count()
