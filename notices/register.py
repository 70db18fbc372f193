"""Read one school's register for one audience, in a fixed number of queries.

The content builder and the staff's gap list both start here, so what a notice says and what
staff are told is missing come from the same rows.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    School,
    StorageSystem,
)
from governance.models.organisations import Reach
from processors.models import Processor

SUBJECTS = {
    "pupils": {DataObject.Subject.PUPIL, DataObject.Subject.CONTACT},
    "workforce": {DataObject.Subject.WORKFORCE},
}


def basis_entry(basis: LawfulBasis | None) -> dict[str, str] | None:
    if basis is None:
        return None
    return {"code": basis.code, "title": basis.title, "plain": basis.plain_text}


@dataclass
class RegisterRows:
    """The registry rows one notice is built from."""

    flows: list[tuple[DataFlow, list[DataObject]]]
    categories: list[DataObject]
    purposes: list[Purpose]
    systems: list[StorageSystem]
    bodies: list[ExternalRecipient]
    _carried: set[int] = field(default_factory=set)

    def carried(self, obj: DataObject) -> bool:
        """Return whether any flow of the notice carries ``obj``."""
        return obj.pk in self._carried

    def suppliers(self) -> list[Processor]:
        """Return every supplier the notice names: flow recipients and system suppliers."""
        found = {f.processor.pk: f.processor for f, _ in self.flows if f.processor}
        found.update({s.supplier.pk: s.supplier for s in self.systems if s.supplier})
        return sorted(found.values(), key=lambda p: p.name)


def _audiences(audience: str) -> list[str]:
    return [audience, "both"]


def _flows(school: School, audience: str, day: datetime.date) -> list[tuple[DataFlow, list]]:
    subjects = SUBJECTS[audience]
    objects = DataObject.objects.select_related("art9_condition", "dpa_condition")
    flows = (
        DataFlow.objects.for_school(school, day)
        .select_related(
            "partner_service", "processor", "processor__retention_rule", "body", "offering",
            "retention_rule",
        )
        .prefetch_related(
            Prefetch("data_objects", queryset=objects),
            "lawful_bases",
            "processor__certifications",
            "processor__links",
            "body__links",
            "body__laws",
            "body__lawful_bases",
        )
        .order_by("pk")
    )  # fmt: skip
    result = []
    for flow in flows:
        carried = [o for o in flow.data_objects.all() if o.data_subject in subjects]
        if carried:
            result.append((flow, sorted(carried, key=lambda o: (o.data_subject, o.title))))
    return result


def _bodies(school: School, audience: str, flow_bodies: list[ExternalRecipient]) -> list:
    """The public bodies every school of the nation shares with, and those flows name."""
    scopes = [ExternalRecipient.Scope.EVERY_SCHOOL]
    if audience == "pupils" and school.shares_with_youth_support:
        scopes.append(ExternalRecipient.Scope.YOUTH_SUPPORT)
    statutory = (
        ExternalRecipient.objects.filter(
            Q(authority__isnull=True) | Q(authority=school.authority_id, school__isnull=True),
            scope__in=scopes,
            is_active=True,
            audience__in=_audiences(audience),
            reach__in=[Reach.BOTH, school.nation],
        )
        .prefetch_related("links", "laws", "lawful_bases")
        .order_by("name")
    )
    found = {b.pk: b for b in statutory}
    found.update({b.pk: b for b in flow_bodies})
    return sorted(found.values(), key=lambda b: b.name)


def _categories(school: School, audience: str, extra: set[int]) -> list[DataObject]:
    held = Q(authority=school.authority_id, school__isnull=True, held_by_every_school=True)
    rows: QuerySet[DataObject] = (
        DataObject.objects.filter(held | Q(school=school) | Q(pk__in=extra))
        .filter(data_subject__in=SUBJECTS[audience])
        .select_related("art9_condition", "dpa_condition")
    )
    return sorted(rows, key=lambda o: (o.data_subject != "pupil", o.data_subject, o.title))


def load_register(school: School, audience: str, day: datetime.date) -> RegisterRows:
    """Return the rows of ``school``'s register that its ``audience`` notice describes."""
    flows = _flows(school, audience, day)
    purposes = list(
        Purpose.objects.for_school(school)
        .filter(audience__in=_audiences(audience))
        .prefetch_related("lawful_bases", "laws", "categories")
        .order_by("school_id", "position", "pk")
    )
    systems = list(
        StorageSystem.objects.for_school(school)
        .filter(audience__in=_audiences(audience))
        .select_related("supplier")
        .prefetch_related("categories")
        .order_by("name")
    )
    carried = {o.pk for _, objs in flows for o in objs}
    named: set[int] = set(carried)
    for holder in [*purposes, *systems]:
        named |= {c.pk for c in holder.categories.all()}
    bodies = _bodies(school, audience, [f.body for f, _ in flows if f.body is not None])
    return RegisterRows(
        flows=flows,
        categories=_categories(school, audience, named),
        purposes=purposes,
        systems=systems,
        bodies=bodies,
        _carried=carried,
    )
