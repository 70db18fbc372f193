"""Celery entry points for agreements: ids in, re-fetch, call the service."""

from celery import shared_task

from agreements import notifications, services
from agreements.models import AgreementVersion


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def notify_version_published(version_id: int) -> int:
    """Email every party school's DPO that ``version_id`` awaits their signature."""
    version = (
        AgreementVersion.objects.select_related("agreement__authority")
        .filter(pk=version_id, status=AgreementVersion.Status.PUBLISHED)
        .first()
    )
    if version is None:
        return 0
    return notifications.send_version_published(version)


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Daily: ask new party schools, remind pending ones, and warn of reviews falling due."""
    return services.send_due_reminders()
