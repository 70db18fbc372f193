"""Is the site able to work: can it reach its database and its task broker?"""

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
