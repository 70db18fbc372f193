"""Writes and business rules for the registry. Entry points call these; they never save models."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import DataFlow, DataObject, LawfulBasis, School
from governance.models.organisations import Reach


def check_flow_bases(
    *, data_objects: Iterable[DataObject], lawful_bases: Iterable[LawfulBasis]
) -> None:
    """Refuse a flow whose lawful bases do not cover the data it carries.

    A flow needs at least one data object and one Art 6 basis, and must cite the Art 9
    condition (and any DPA 2018 Schedule 1 condition) of every special category object in it.
    """
    objects = list(data_objects)
    bases = list(lawful_bases)
    errors: dict[str, list[str]] = {}
    if not objects:
        errors["data_objects"] = ["Choose the data objects this flow carries."]
    if not any(basis.kind == LawfulBasis.Kind.ART6 for basis in bases):
        errors.setdefault("lawful_bases", []).append(
            "Every flow needs at least one UK GDPR Article 6 lawful basis."
        )
    cited = {basis.pk for basis in bases}
    for obj in objects:
        if not obj.is_special_category:
            continue
        for condition in (obj.art9_condition, obj.dpa_condition):
            if condition is not None and condition.pk not in cited:
                errors.setdefault("lawful_bases", []).append(
                    f"{obj.title} is special category data "
                    f"({obj.special_category_note or 'Art 9'}): add {condition} to this flow's "
                    "lawful bases."
                )
    if errors:
        raise ValidationError(errors)


SUBJECT_WORDS = {
    DataObject.Subject.PUPIL: "pupils",
    DataObject.Subject.CONTACT: "parents and carers",
    DataObject.Subject.WORKFORCE: "the school workforce",
}
SPECIAL_KINDS = {LawfulBasis.Kind.ART9: "Art 9 condition", LawfulBasis.Kind.DPA_SCH1: "DPA 2018 "
                 "Schedule 1 condition"}  # fmt: skip


def condition_misfits(
    *, data_objects: Iterable[DataObject], lawful_bases: Iterable[LawfulBasis]
) -> list[str]:
    """Return a warning for each special category object whose cited conditions do not fit
    whose data it is (e.g. pupils' health data resting only on Art 9(2)(b), an employment
    condition). Not an error: staff may know better; the admin and the notice gaps say it."""
    bases = list(lawful_bases)
    warnings = []
    for obj in data_objects:
        if not obj.is_special_category:
            continue
        for kind, label in SPECIAL_KINDS.items():
            cited = [b for b in bases if b.kind == kind]
            if cited and not any(b.fits(obj.data_subject) for b in cited):
                names = ", ".join(f"{b.code} ({b.title.lower()})" for b in cited)
                warnings.append(
                    f"“{obj.title}” is special category data about "
                    f"{SUBJECT_WORDS[DataObject.Subject(obj.data_subject)]}, but its {label} "
                    f"{names} fits only data about "
                    f"{SUBJECT_WORDS[DataObject.Subject(cited[0].only_for)]}. For pupils and "
                    "parents the ICO's guidance points to Art 9(2)(g) with a DPA 2018 Schedule 1 "
                    "Part 2 condition (statutory purposes, safeguarding)."
                )
    return warnings


def object_condition_misfits(obj: DataObject) -> list[str]:
    """Return the warnings for a data category's own special category conditions."""
    own = [c for c in (obj.art9_condition, obj.dpa_condition) if c is not None]
    return condition_misfits(data_objects=[obj], lawful_bases=own)


def flow_nations(flow: DataFlow) -> set[str]:
    """Return the nations of the schools ``flow`` can take data from."""
    if flow.school is not None:
        return {flow.school.nation}
    schools = School.objects.filter(authority=flow.authority_id)
    if flow.offering_id:
        schools = schools.filter(subscriptions__offering=flow.offering_id)
    return set(schools.values_list("nation", flat=True).distinct())


def _wrong_nation(reach: str, nations: set[str]) -> str:
    """Return the nation ``reach`` does not cover among ``nations``, or an empty string."""
    outside = sorted(n for n in nations if reach not in (Reach.BOTH, n))
    return outside[0].title() if outside else ""


def check_flow(
    *, flow: DataFlow, data_objects: Iterable[DataObject], lawful_bases: Iterable[LawfulBasis]
) -> None:
    """Refuse a flow the register cannot stand behind, with a message on the field.

    On top of ``check_flow_bases``: its categories belong to its organisation (and a school's
    own categories to that school), and no law or body of one nation is cited on a flow from
    a school of the other.
    """
    objects, bases = list(data_objects), list(lawful_bases)
    check_flow_bases(data_objects=objects, lawful_bases=bases)
    errors: dict[str, list[str]] = {}
    for obj in objects:
        if obj.authority_id != flow.authority_id or obj.school_id not in (None, flow.school_id):
            errors.setdefault("data_objects", []).append(
                f"“{obj.title}” belongs to another organisation or school."
            )
    nations = flow_nations(flow) if flow.authority_id else set()
    for basis in bases:
        wrong = _wrong_nation(basis.reach, nations)
        if wrong:
            errors.setdefault("lawful_bases", []).append(
                f"{basis.code} does not apply in {wrong}, where this flow's schools are."
            )
    body = flow.body if flow.body_id else None
    if body is not None and _wrong_nation(body.reach, nations):
        errors["body"] = [
            f"{body.name} is for schools in {body.reach.title()} only: it cannot receive data "
            f"from a school in {_wrong_nation(body.reach, nations)}."
        ]
    if errors:
        raise ValidationError(errors)


def flows_missing_conditions_for(data_object: DataObject) -> list[DataFlow]:
    """Return the flows carrying ``data_object`` that lack its special category conditions."""
    if not data_object.is_special_category:
        return []
    needed = {
        c.pk for c in (data_object.art9_condition, data_object.dpa_condition) if c is not None
    }
    flows = DataFlow.objects.filter(data_objects=data_object).prefetch_related("lawful_bases")
    return [flow for flow in flows if not needed <= {b.pk for b in flow.lawful_bases.all()}]


@transaction.atomic
def save_data_flow(
    *,
    flow: DataFlow,
    data_objects: Iterable[DataObject],
    lawful_bases: Iterable[LawfulBasis],
) -> DataFlow:
    """Validate and save ``flow`` with the data it carries and the bases it relies on."""
    objects = list(data_objects)
    bases = list(lawful_bases)
    flow.full_clean()
    check_flow(flow=flow, data_objects=objects, lawful_bases=bases)
    flow.save()
    flow.data_objects.set(objects)
    flow.lawful_bases.set(bases)
    return flow


@transaction.atomic
def set_flows_active(*, flows: Iterable[DataFlow], active: bool) -> int:
    """Mark ``flows`` active or inactive one by one; return how many changed."""
    changed = 0
    for flow in flows:
        if flow.is_active != active:
            flow.is_active = active
            flow.save(update_fields=["is_active"])
            changed += 1
    return changed
