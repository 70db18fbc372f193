"""Is the site able to work: can it reach its database and its task broker, and are its
background jobs keeping up?"""

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection


def database_status() -> str:
    """Return "ok" when a trivial query answers, else "unreachable"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def broker_status() -> str:
    """Return "ok" when the broker accepts a connection, "in-process" when none is configured."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    timeout = settings.HEALTHCHECK_BROKER_TIMEOUT
    try:
        with current_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception:
        return "unreachable"
    return "ok"


def outbox_status() -> dict[str, int | None]:
    """Return the oldest due job's wait in seconds (None: nothing waits), and how many jobs
    are overdue and how many failed."""
    from governance.outbox.models import Job
    from governance.outbox.services import oldest_waiting_seconds

    try:
        return {
            "oldest_pending_seconds": oldest_waiting_seconds(),
            "overdue": Job.objects.overdue().count(),
            "failed": Job.objects.filter(status=Job.Status.FAILED).count(),
        }
    except DatabaseError:
        return {"oldest_pending_seconds": None, "overdue": None, "failed": None}
