"""Which schools' notices depend on a registry record, and queueing their re-render.

A registry edit re-renders exactly the schools whose notice content can change. The content
builder decides whether anything actually changed; these functions only decide who to ask.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

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
from governance.outbox import services as outbox
from governance.outbox.models import JobBatch
from notices.content import Audience
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


def queue_notice_refresh(school_ids: Iterable[int], *, batch: JobBatch | None = None) -> list[int]:
    """Write a render job for each notice of ``school_ids``, in the current transaction.

    The jobs commit or roll back with the edit that needs them, and are sent to the workers
    once it commits. All the edits of one transaction share its jobs: a school is written
    once however many of its records change. Drafts get none (nothing is issued for them).
    Returns the ids of the jobs written now.
    """
    ids = set(school_ids)
    if not ids or refresh_held():
        return []
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Remembered per transaction and savepoint: a savepoint rolled back takes its jobs
        # with it, and later edits must write them again.
        where = (connection.run_on_commit, tuple(connection.savepoint_ids))
        state = getattr(_pending, "state", None)
        if state is None or state[0] is not where[0] or state[1] != where[1]:
            state = (where[0], where[1], set[int]())
            _pending.state = state
            outbox.after_commit(lambda: _forget(state))
        ids -= state[2]
        state[2].update(ids)
        if not ids:
            return []
    return _enqueue(ids, batch=batch)


def _forget(state: tuple) -> None:
    if getattr(_pending, "state", None) is state:
        _pending.state = None


def _enqueue(ids: set[int], *, batch: JobBatch | None = None) -> list[int]:
    if not ids:
        return []
    published = School.objects.issuing().filter(pk__in=ids)
    schools = sorted(published.values_list("pk", flat=True))
    jobs = (outbox.notice_job(pk, a) for pk in schools for a in Audience.values)
    return outbox.enqueue(jobs, batch=batch)


def queue_stale_notices(*, label: str) -> JobBatch:
    """Decide which published notices no longer match the registry (content and hash, no
    rendering: ``notices.services.stale_notices``) and write a render job for each of those
    only, as one batch. A nation's notices are decided in about a minute."""
    from notices.services import stale_notices

    batch = JobBatch.objects.create(label=label)
    schools = School.objects.issuing().select_related("authority")
    stale = stale_notices(schools.order_by("pk"))
    outbox.enqueue((outbox.notice_job(s.pk, audience) for s, audience in stale), batch=batch)
    return batch


def queue_notice_batch(
    *, label: str, school_ids: Iterable[int] | None = None, user: Any = None
) -> JobBatch:
    """Write a render job for each notice of ``school_ids`` (default: every published school)
    as one batch whose progress staff can follow. Unchanged notices issue nothing."""
    batch = JobBatch.objects.create(label=label, created_by=user)
    ids = School.objects.values_list("pk", flat=True) if school_ids is None else school_ids
    _enqueue(set(ids), batch=batch)
    return batch
