"""Celery entry points for notices: ids in, re-fetch, call the service."""

from celery import shared_task

from governance.models import School
from notices import services


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=3,
)
def render_school_notices(self, school_id: int) -> list[str]:
    """Bring both of a school's notices up to date with the registry (idempotent).

    A failure has already been recorded on the version by the service; it is retried with
    backoff in case it was transient.
    """
    school = School.objects.select_related("authority").filter(pk=school_id).first()
    if school is None:
        return []
    return [str(result) for result in services.refresh_school_notices(school=school)]


@shared_task
def render_all_notices() -> int:
    """Queue a refresh for every school: catches changes that come with the date alone
    (a subscription starting or ending). Each refresh is a no-op when nothing changed."""
    ids = list(School.objects.values_list("pk", flat=True))
    for school_id in ids:
        render_school_notices.delay(school_id)
    return len(ids)
