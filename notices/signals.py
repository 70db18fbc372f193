"""Invalidation, not domain logic: when a registry record changes, queue a notice refresh for
the schools that depend on it. Signals are used so that every write path (admin, API, shell,
commands) is covered; the refresh itself is idempotent and decides whether anything changed.
"""

from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

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
from notices.dependencies import (
    queue_notice_refresh,
    refresh_held,
    schools_affected_by,
    schools_reached_by,
)
from processors.models import Certification, Processor, ProcessorLink

WATCHED: tuple[type[models.Model], ...] = (
    Authority, School, Subscription, Offering, PartnerService, DataFlow, DataObject,
    LawfulBasis, RetentionRule, Processor, ProcessorLink, Certification, ExternalRecipient,
    RecipientLink, Purpose, StorageSystem,
)  # fmt: skip


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or refresh_held():
        return  # fixtures being loaded, or edits held for publishing
    queue_notice_refresh(schools_affected_by(instance))


def _before_change(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Catch the schools that depended on the old state (a flow moved to another offering,
    a subscription moved to another school, a row about to be deleted)."""
    if kwargs.get("raw") or instance.pk is None or refresh_held():
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is not None:
        queue_notice_refresh(schools_affected_by(old))


def _m2m_changed(sender: Any, instance: models.Model, action: str, **kwargs: Any) -> None:
    """Refresh for the instance's schools; when edited from the other side (an object
    added to or removed from flows), also for the flows named in ``pk_set``."""
    if refresh_held() or action not in {
        "post_add",
        "pre_remove",
        "post_remove",
        "pre_clear",
        "post_clear",
    }:
        return
    queue_notice_refresh(schools_affected_by(instance))
    model, pk_set = kwargs.get("model"), kwargs.get("pk_set")
    if model is DataFlow and pk_set:
        queue_notice_refresh(schools_reached_by(DataFlow.objects.filter(pk__in=pk_set)))
    elif model in (Purpose, StorageSystem, ExternalRecipient) and pk_set:
        for other in model._default_manager.filter(pk__in=pk_set):
            queue_notice_refresh(schools_affected_by(other))


def connect() -> None:
    """Wire the handlers; called once from NoticesConfig.ready()."""
    for model in WATCHED:
        uid = f"notices-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-saved")
        pre_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-deleting")
    for model in (DataFlow, Subscription, Purpose, StorageSystem, DataObject, ExternalRecipient):
        pre_save.connect(_before_change, sender=model, dispatch_uid=f"notices-{model}-before")
    for through in (
        DataFlow.data_objects.through,
        DataFlow.lawful_bases.through,
        Processor.certifications.through,
        ExternalRecipient.laws.through,
        ExternalRecipient.lawful_bases.through,
        Purpose.lawful_bases.through,
        Purpose.laws.through,
        Purpose.categories.through,
        StorageSystem.categories.through,
    ):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"notices-{through}")
