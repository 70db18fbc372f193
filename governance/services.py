"""Writes and business rules for the registry. Entry points call these; they never save models."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import DataFlow, DataObject, LawfulBasis


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
                    f"{obj.sif_name} is special category data "
                    f"({obj.special_category_note or 'Art 9'}): add {condition} to this flow's "
                    "lawful bases."
                )
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
    check_flow_bases(data_objects=objects, lawful_bases=bases)
    flow.full_clean()
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
