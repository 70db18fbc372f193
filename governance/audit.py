"""The audit trail: every change to registry records, agreement versions and accounts.

Recorded by PostgreSQL triggers (django-pghistory), so bulk ``update()``, raw SQL and the
shell are caught as well as the admin; each event keeps the row as it was after the change,
and the admin shows the difference from the one before, who made it (the signed-in user) and
through which URL. SQLite has no triggers: a first run on a laptop records no trail.
"""

from typing import Any

import pghistory


def audited(**options: Any) -> Any:
    """Track inserts, updates and deletes of the decorated model."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **options
    )


def audit_links(through: Any, *, app_label: str, model_name: str) -> None:
    """Track links added to and removed from a many-to-many field (its ``through`` model)."""
    pghistory.track(
        pghistory.InsertEvent("add"),
        pghistory.DeleteEvent("remove"),
        app_label=app_label,
        model_name=model_name,
    )(through)
