"""Writes to a school's own part of the register, made in the portal by its DPO (or staff).

Every write here is keyword-only and:

- refuses a person who may not change the school's register (``RegisterRefused``: auditors
  read only) and a record that is not the school's own (``NotTheSchoolsRecord``; the views
  look records up from the school first, so a person only ever sees a 404);
- sets the owner itself (``school``, and ``authority`` from the school), never from input;
- validates, raising ``ValidationError`` keyed by field, and writes in one transaction;
- holds notice refreshes (``notices.dependencies.holding_refresh``): a DPO's edit is not
  public until the school publishes its notices (``publish_register``).

The audit trail (PostgreSQL triggers, with the request's user from the middleware) records
each change like any other: these functions write through the ORM only.
"""

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, Q, QuerySet

from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    Reach,
    RetentionRule,
    School,
    StorageSystem,
)
from governance.services import flows_missing_conditions_for, save_data_flow
from notices import dependencies
from notices import services as notice_services
from notices.content import Audience
from processors.models import Processor

P = ParamSpec("P")
R = TypeVar("R")

STATUTE = LawfulBasis.Kind.STATUTE
LEGITIMATE_INTERESTS = "Art 6(1)(f)"
CONTACT_FIELDS = (
    "dpo_name", "dpo_email", "dpo_phone", "dp_lead_name", "dp_lead_email", "phone", "email",
    "website", "headteacher", "security_measures", "retention_schedule_summary",
    "retention_schedule_url",
)  # fmt: skip


class RegisterRefused(PermissionDenied):
    """The person may read the school's register but not change it (HTTP 403)."""


class NotTheSchoolsRecord(RegisterRefused):
    """The record is the organisation's or another school's, not this school's own."""


def may_edit_register(user: Any, school: School) -> bool:
    """Return whether ``user`` may change ``school``'s register and publish its notices:
    staff, or a DPO of the school. Auditors (staff without superuser) read only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return not user.is_staff and user.is_dpo_of(school.pk)


# -- what a school may choose from ---------------------------------------------------------


def categories_for(school: School) -> QuerySet[DataObject]:
    """Return the data categories the school may use: its organisation's and its own."""
    return DataObject.objects.filter(
        Q(authority=school.authority_id, school__isnull=True) | Q(school=school)
    )


def suppliers_for(school: School) -> QuerySet[Processor]:
    """Return the suppliers the school may name: the shared ones and its own."""
    return Processor.objects.filter(Q(school__isnull=True) | Q(school=school))


def recipients_for(school: School) -> QuerySet[ExternalRecipient]:
    """Return the other recipients the school may send data to: national bodies and the
    organisation's (of its nation), and its own."""
    return ExternalRecipient.objects.filter(
        Q(authority__isnull=True) | Q(authority=school.authority_id, school__isnull=True)
        | Q(school=school),
        is_active=True,
        reach__in=[Reach.BOTH, school.nation],
    )  # fmt: skip


def bases_for(school: School) -> QuerySet[LawfulBasis]:
    """Return the lawful bases and conditions, and the laws that apply in the school's nation."""
    return LawfulBasis.objects.filter(~Q(kind=STATUTE) | Q(reach__in=[Reach.BOTH, school.nation]))


def retention_rules_for(school: School) -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(authority=school.authority_id)


def school_flows(school: School) -> QuerySet[DataFlow]:
    """Return the flows the school keeps itself: its own, to anyone but an authority service
    (flows to the organisation's services are the organisation's to describe)."""
    return DataFlow.objects.filter(school=school, partner_service__isnull=True)


# -- the shape of every write --------------------------------------------------------------


def portal_write(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in one transaction with notice refreshes held."""

    @functools.wraps(func)
    def write(*args: P.args, **kwargs: P.kwargs) -> R:
        with dependencies.holding_refresh(), transaction.atomic():
            return func(*args, **kwargs)

    return write


def _guard(*, school: School, user: Any, record: models.Model, own: QuerySet) -> None:
    """Refuse ``user`` unless they may edit; refuse a saved ``record`` not among ``own``."""
    if not may_edit_register(user, school):
        raise RegisterRefused(f"Only {school.name}'s DPO or staff can change its register.")
    if record.pk is not None and not own.filter(pk=record.pk).exists():
        raise NotTheSchoolsRecord(f"That record is not {school.name}'s own.")


def _check_among(field: str, chosen: Iterable[models.Model | None], allowed: QuerySet) -> None:
    """Refuse any of ``chosen`` that is not in ``allowed``, with a message on ``field``."""
    picked = [c for c in chosen if c is not None]
    found = set(allowed.filter(pk__in=[c.pk for c in picked]).values_list("pk", flat=True))
    wrong = [str(c) for c in picked if c.pk not in found]
    if wrong:
        raise ValidationError({field: f"Not available to this school: {', '.join(wrong)}."})


def _refuse_if_used(what: str, uses: Mapping[str, Iterable[str]]) -> None:
    """Refuse to delete ``what`` while records still name it."""
    found = [f"{label} “{name}”" for label, names in uses.items() for name in names]
    if found:
        listed = "; ".join(found[:6]) + (f" and {len(found) - 6} more" if len(found) > 6 else "")
        raise ValidationError(f"“{what}” is still used by {listed}. Change or delete those first.")


def _names(rows: QuerySet, field: str) -> list[str]:
    return [str(value) for value in rows.values_list(field, flat=True)]


def _delete(record: models.Model) -> None:
    """Delete ``record``; a row that still protects it is refused with a message, not a 500."""
    try:
        record.delete()
    except ProtectedError as error:
        names = "; ".join(f"“{row}”" for row in list(error.protected_objects)[:6])
        raise ValidationError(
            f"“{record}” is still used by {names}. Change or delete those first."
        ) from error


# -- storage systems -----------------------------------------------------------------------


@portal_write
def save_storage_system(
    *, school: School, system: StorageSystem, categories: Iterable[DataObject], user: Any
) -> StorageSystem:
    """Save one of the school's own storage systems with the categories kept in it."""
    _guard(school=school, user=user, record=system, own=school.own_systems.all())
    chosen = list(categories)
    system.school, system.authority_id = school, school.authority_id
    _check_among("supplier", [system.supplier], suppliers_for(school))
    _check_among("categories", chosen, categories_for(school))
    system.full_clean()
    system.save()
    system.categories.set(chosen)
    return system


@portal_write
def delete_storage_system(*, school: School, system: StorageSystem, user: Any) -> None:
    """Delete one of the school's own storage systems."""
    _guard(school=school, user=user, record=system, own=school.own_systems.all())
    _delete(system)


# -- suppliers and other recipients --------------------------------------------------------


@portal_write
def save_supplier(*, school: School, supplier: Processor, user: Any) -> Processor:
    """Save a supplier the school chose itself (an app, a service), seen by this school only."""
    _guard(school=school, user=user, record=supplier, own=school.own_suppliers.all())
    supplier.school = school
    if supplier.pk and not supplier.has_access and supplier.flows.exists():
        raise ValidationError(
            {"role": f"{school.name}'s flows send data to {supplier.name}: a supplier with no "
             "access to personal data cannot receive it. Delete or change those flows first."}
        )  # fmt: skip
    supplier.full_clean()
    supplier.save()
    return supplier


@portal_write
def delete_supplier(*, school: School, supplier: Processor, user: Any) -> None:
    """Delete one of the school's own suppliers, unless a flow or a system still names it."""
    _guard(school=school, user=user, record=supplier, own=school.own_suppliers.all())
    _refuse_if_used(
        supplier.name,
        {"the flow": _names(supplier.flows.all(), "purpose"),
         "the system": _names(supplier.systems.all(), "name")},
    )  # fmt: skip
    _delete(supplier)


@portal_write
def save_recipient(*, school: School, recipient: ExternalRecipient, user: Any) -> ExternalRecipient:
    """Save one of the school's own other recipients (another school, an exam board...)."""
    _guard(school=school, user=user, record=recipient, own=school.own_recipients.all())
    recipient.school, recipient.authority_id = school, school.authority_id
    recipient.full_clean()
    recipient.save()
    return recipient


@portal_write
def delete_recipient(*, school: School, recipient: ExternalRecipient, user: Any) -> None:
    """Delete one of the school's own recipients, unless a flow still sends it data."""
    _guard(school=school, user=user, record=recipient, own=school.own_recipients.all())
    _refuse_if_used(recipient.name, {"the flow": _names(recipient.flows.all(), "purpose")})
    _delete(recipient)


# -- flows ---------------------------------------------------------------------------------


@portal_write
def save_school_flow(
    *, school: School, flow: DataFlow, data_objects: Iterable[DataObject],
    lawful_bases: Iterable[LawfulBasis], user: Any,
) -> DataFlow:  # fmt: skip
    """Save a flow that leaves this school only, to a supplier or another recipient."""
    _guard(school=school, user=user, record=flow, own=school_flows(school))
    objects, bases = list(data_objects), list(lawful_bases)
    flow.school, flow.authority_id = school, school.authority_id
    flow.offering, flow.partner_service = None, None
    _check_among("processor", [flow.processor], suppliers_for(school))
    _check_among("body", [flow.body], recipients_for(school))
    _check_among("data_objects", objects, categories_for(school))
    _check_among("lawful_bases", bases, bases_for(school))
    _check_among("retention_rule", [flow.retention_rule], retention_rules_for(school))
    return save_data_flow(flow=flow, data_objects=objects, lawful_bases=bases)


@portal_write
def delete_school_flow(*, school: School, flow: DataFlow, user: Any) -> None:
    """Delete one of the school's own flows."""
    _guard(school=school, user=user, record=flow, own=school_flows(school))
    _delete(flow)


# -- data categories and purposes ----------------------------------------------------------


@portal_write
def save_category(*, school: School, category: DataObject, user: Any) -> DataObject:
    """Save a data category only this school holds. A special category change must be cited
    by the flows already carrying it."""
    _guard(school=school, user=user, record=category, own=school.own_categories.all())
    category.school, category.authority_id = school, school.authority_id
    category.full_clean()
    stale = flows_missing_conditions_for(category) if category.pk else []
    if stale:
        names = "; ".join(f"“{flow.purpose}”" for flow in stale[:5])
        raise ValidationError(
            {"art9_condition": f"Flows carrying {category.title} do not cite this condition "
             f"yet: {names}. Add it to their lawful bases first."}
        )  # fmt: skip
    category.save()
    return category


@portal_write
def delete_category(*, school: School, category: DataObject, user: Any) -> None:
    """Delete a category of the school's own, unless a flow, system or purpose names it."""
    _guard(school=school, user=user, record=category, own=school.own_categories.all())
    _refuse_if_used(
        category.title,
        {"the flow": _names(category.flows.all(), "purpose"),
         "the system": _names(category.systems.all(), "name"),
         "the purpose": _names(category.purposes.all(), "description")},
    )  # fmt: skip
    _delete(category)


def check_purpose_bases(*, purpose: Purpose, lawful_bases: Iterable[LawfulBasis]) -> None:
    """Refuse a purpose without an Art 6 basis, or on legitimate interests without the
    interest pursued."""
    codes = {basis.code: basis.kind for basis in lawful_bases}
    errors: dict[str, str] = {}
    if LawfulBasis.Kind.ART6 not in codes.values():
        errors["lawful_bases"] = "Choose at least one UK GDPR Article 6 lawful basis."
    if LEGITIMATE_INTERESTS in codes and not purpose.legitimate_interest.strip():
        errors["legitimate_interest"] = (
            "You chose legitimate interests (Art 6(1)(f)): say what interest the school pursues."
        )
    if errors:
        raise ValidationError(errors)


@portal_write
def save_purpose(
    *, school: School, purpose: Purpose, lawful_bases: Iterable[LawfulBasis],
    laws: Iterable[LawfulBasis], categories: Iterable[DataObject], user: Any,
) -> Purpose:  # fmt: skip
    """Save something only this school does with information, with its lawful bases."""
    _guard(school=school, user=user, record=purpose, own=school.own_purposes.all())
    bases, statutes, chosen = list(lawful_bases), list(laws), list(categories)
    purpose.school, purpose.authority_id = school, school.authority_id
    _check_among("lawful_bases", bases, LawfulBasis.objects.exclude(kind=STATUTE))
    _check_among("laws", statutes, bases_for(school).filter(kind=STATUTE))
    _check_among("categories", chosen, categories_for(school))
    purpose.full_clean()
    check_purpose_bases(purpose=purpose, lawful_bases=bases)
    purpose.save()
    purpose.lawful_bases.set(bases)
    purpose.laws.set(statutes)
    purpose.categories.set(chosen)
    return purpose


@portal_write
def delete_purpose(*, school: School, purpose: Purpose, user: Any) -> None:
    """Delete one of the school's own purposes."""
    _guard(school=school, user=user, record=purpose, own=school.own_purposes.all())
    _delete(purpose)


# -- contact details and publishing --------------------------------------------------------


@portal_write
def save_school_contacts(*, school: School, contacts: Mapping[str, Any], user: Any) -> School:
    """Change the school's contact details, security measures and retention schedule."""
    _guard(school=school, user=user, record=school, own=School.objects.filter(pk=school.pk))
    unknown = set(contacts) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Not a contact detail: {', '.join(sorted(unknown))}")
    for name, value in contacts.items():
        setattr(school, name, value)
    school.full_clean()
    school.save(update_fields=list(contacts))
    return school


def notice_previews(*, school: School) -> list[tuple[Audience, Any]]:
    """Return, per audience, what the school's notice would say now and what would change."""
    return [
        (Audience(audience), notice_services.preview_notice(school=school, audience=audience))
        for audience in Audience.values
    ]


def publish_register(*, school: School, user: Any) -> list[int]:
    """Make the school's notices public as its register stands: a render job per notice,
    run once this commits. Returns the job ids, to report on."""
    if not may_edit_register(user, school):
        raise RegisterRefused(f"Only {school.name}'s DPO or staff can publish its notices.")
    return notice_services.queue_publication(schools=[school], user=user)
