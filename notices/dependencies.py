"""Which schools' notices depend on a registry record, and queueing their re-render.

A registry edit re-renders exactly the schools whose notice content can change. The content
builder decides whether anything actually changed; these functions only decide who to ask.
"""

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import models, transaction
from django.db.models import Q

from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Offering,
    PartnerService,
    Purpose,
    RecipientLink,
    RetentionRule,
    School,
    StorageSystem,
    Subscription,
)
from governance.models.organisations import Reach
from processors.models import Certification, Processor, ProcessorLink


def schools_reached_by(flows: "models.QuerySet[DataFlow]") -> set[int]:
    """Return the ids of schools whose data leaves through any of ``flows`` today."""
    rows = list(flows.values("authority_id", "school_id", "offering_id"))
    authority_wide = {
        r["authority_id"] for r in rows if not r["school_id"] and not r["offering_id"]
    }
    ids = {r["school_id"] for r in rows if r["school_id"]}
    offerings = {r["offering_id"] for r in rows if r["offering_id"]}
    if offerings:
        current = Subscription.objects.current().filter(offering_id__in=offerings)
        ids |= set(current.values_list("school_id", flat=True))
    if authority_wide:
        ids |= set(
            School.objects.filter(authority_id__in=authority_wide).values_list("pk", flat=True)
        )
    return ids


def _flows_for(instance: models.Model) -> "models.QuerySet[DataFlow] | None":
    """Return the flows whose notice content shows something of ``instance``."""
    if isinstance(instance, DataFlow):
        return DataFlow.objects.filter(pk=instance.pk)
    if isinstance(instance, Processor):
        return DataFlow.objects.filter(processor=instance)
    if isinstance(instance, ProcessorLink):
        return DataFlow.objects.filter(processor_id=instance.processor_id)
    if isinstance(instance, Certification):
        return DataFlow.objects.filter(processor__certifications=instance)
    if isinstance(instance, PartnerService):
        return DataFlow.objects.filter(partner_service=instance)
    if isinstance(instance, Offering):
        return DataFlow.objects.filter(offering=instance)
    if isinstance(instance, DataObject):
        return DataFlow.objects.filter(data_objects=instance)
    if isinstance(instance, LawfulBasis):
        return DataFlow.objects.filter(
            Q(lawful_bases=instance)
            | Q(data_objects__art9_condition=instance)
            | Q(data_objects__dpa_condition=instance)
        )
    if isinstance(instance, RetentionRule):
        return DataFlow.objects.filter(
            Q(retention_rule=instance) | Q(processor__retention_rule=instance)
        )
    return None


def _schools_of(authority_id: int) -> set[int]:
    return set(School.objects.filter(authority_id=authority_id).values_list("pk", flat=True))


def _owner_schools(record: models.Model) -> set[int]:
    """The schools a register record applies to: its school, else its organisation's."""
    school_id = getattr(record, "school_id", None)
    return {school_id} if school_id else _schools_of(record.authority_id)  # type: ignore[attr-defined]


def _recipient_schools(body: ExternalRecipient) -> set[int]:
    if body.school_id:
        ids = {body.school_id}
    elif body.scope and body.authority_id:
        ids = _schools_of(body.authority_id)
    elif body.scope:
        nations = (
            [str(Reach.ENGLAND), str(Reach.WALES)] if body.reach == Reach.BOTH else [body.reach]
        )
        ids = set(School.objects.filter(nation__in=nations).values_list("pk", flat=True))
    else:
        ids = set()
    return ids | schools_reached_by(DataFlow.objects.filter(body=body))


def _register_schools(instance: models.Model) -> set[int] | None:
    """Schools affected by the school's own register and the national records, or None."""
    if isinstance(instance, Purpose | StorageSystem):
        return _owner_schools(instance)
    if isinstance(instance, ExternalRecipient):
        return _recipient_schools(instance)
    if isinstance(instance, RecipientLink):
        return _recipient_schools(instance.recipient)
    if isinstance(instance, DataObject):
        return _owner_schools(instance) | schools_reached_by(
            DataFlow.objects.filter(data_objects=instance)
        )
    if isinstance(instance, LawfulBasis):
        purposes = Purpose.objects.filter(Q(lawful_bases=instance) | Q(laws=instance)).distinct()
        bodies = ExternalRecipient.objects.filter(
            Q(lawful_bases=instance) | Q(laws=instance)
        ).distinct()
        return set().union(
            *(_owner_schools(p) for p in purposes), *(_recipient_schools(b) for b in bodies)
        )
    if isinstance(instance, Processor):
        systems = StorageSystem.objects.filter(supplier=instance)
        ids = set().union(*(_owner_schools(s) for s in systems))
        return ids | ({instance.school_id} if instance.school_id else set())
    return None


def schools_affected_by(instance: models.Model) -> set[int]:
    """Return the ids of schools whose notices may say something different after ``instance``
    changes."""
    if isinstance(instance, School):
        return {instance.pk}
    if isinstance(instance, Subscription):
        return {instance.school_id}
    if isinstance(instance, Authority):
        return set(instance.schools.values_list("pk", flat=True))
    if instance.pk is None:
        return set()
    register = _register_schools(instance) or set()
    flows = _flows_for(instance)
    if flows is None:
        return register
    return register | schools_reached_by(flows.distinct())


logger = logging.getLogger(__name__)
_pending = threading.local()


def refresh_held() -> bool:
    """Return whether edits are being held (inside ``holding_refresh``)."""
    return getattr(_pending, "held", False)


@contextmanager
def holding_refresh() -> Iterator[None]:
    """Queue no notice refresh for the edits made inside: they are published explicitly.

    A DPO's edits in the portal go public when the DPO publishes them (or with the next
    registry change or nightly refresh that touches the school), not the moment they save.
    """
    previous = getattr(_pending, "held", False)
    _pending.held = True
    try:
        yield
    finally:
        _pending.held = previous


def queue_notice_refresh(school_ids: Iterable[int]) -> None:
    """Queue a notice refresh for ``school_ids`` once the current transaction commits.

    All the edits of one transaction share one batch, so each school is queued once. The
    batch belongs to the connection's current list of commit callbacks, which Django replaces
    on commit and on rollback: edits that are rolled back queue nothing.
    """
    ids = set(school_ids)
    if not ids or refresh_held():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _enqueue(ids)
        return
    state = getattr(_pending, "state", None)
    if state is not None and state[0] is connection.run_on_commit:
        state[1].update(ids)
        return
    batch = set(ids)
    _pending.state = (connection.run_on_commit, batch)
    transaction.on_commit(lambda: _flush(batch), robust=True)


def _flush(batch: set[int]) -> None:
    state = getattr(_pending, "state", None)
    if state is not None and state[1] is batch:
        _pending.state = None
    ids = set(batch)
    batch.clear()
    _enqueue(ids)


def _enqueue(ids: set[int]) -> None:
    from notices.tasks import render_school_notices

    for school_id in sorted(ids):
        try:
            render_school_notices.delay(school_id)
        except Exception:
            # With tasks in process a rendering error surfaces here; it is already recorded
            # on the version, and the other schools must still be refreshed.
            logger.exception("Refreshing the notices of school %s failed", school_id)
