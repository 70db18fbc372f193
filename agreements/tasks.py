"""Celery entry points for agreements: ids in, re-fetch, call the service."""

from celery import shared_task

from agreements import services


@shared_task
def send_due_reminders() -> dict[str, int]:
    """Daily: ask new party schools, remind pending ones, and warn of reviews falling due."""
    return services.send_due_reminders()
