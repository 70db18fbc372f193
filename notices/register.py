"""Read one school's register for one audience, in a fixed number of queries.

The content builder and the staff's gap list both start here, so what a notice says and what
staff are told is missing come from the same rows.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    School,
    StorageSystem,
    Subscription,
)
from governance.models.organisations import Reach
from processors.models import Processor

T = TypeVar("T")

SUBJECTS = {
    "pupils": {DataObject.Subject.PUPIL, DataObject.Subject.CONTACT},
    "workforce": {DataObject.Subject.WORKFORCE},
}


def memo(instance: Any, key: Any, build: Callable[[], T]) -> T:
    """Return ``build()``, computed once per loaded ``instance``: a batch's flows, purposes and
    bodies are shared by all its schools, so what a notice says of each is worked out once.
    Callers copy what they will change."""
    cache = instance.__dict__.setdefault("_notice_memo", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def bases_of(holder: Any) -> list[LawfulBasis]:
    """The (prefetched) lawful bases of a flow, purpose or body, as a list kept with it."""
    return memo(holder, "bases", lambda: list(holder.lawful_bases.all()))


def laws_of(holder: Any) -> list[LawfulBasis]:
    """The (prefetched) laws a purpose or body cites, as a list kept with it."""
    return memo(holder, "laws", lambda: list(holder.laws.all()))


def category_ids(holder: Purpose | StorageSystem) -> set[int]:
    """The ids of the categories a purpose or system names, kept with it."""
    return memo(holder, "categories", lambda: {c.pk for c in holder.categories.all()})


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


def _owned(school: School, record: Purpose | StorageSystem) -> bool:
    """Whether an organisation's or a school's own record applies to ``school``."""
    if record.school_id is not None:
        return record.school_id == school.pk
    return record.authority_id == school.authority_id


def _flows(
    schools: list[School], audience: str, day: datetime.date
) -> dict[int, list[tuple[DataFlow, list[DataObject]]]]:
    """Each school's active flows (organisation-wide, its offerings' in force, its own), with
    the data of ``audience`` they carry; three queries however many schools."""
    subjects = SUBJECTS[audience]
    offerings: dict[int, set[int]] = defaultdict(set)
    for school_id, offering_id in (
        Subscription.objects.current(day)
        .filter(school__in=[s.pk for s in schools])
        .values_list("school_id", "offering_id")
    ):
        offerings[school_id].add(offering_id)
    query = (
        DataFlow.objects.filter(
            Q(school__isnull=True) | Q(school__in=[s.pk for s in schools]),
            authority__in={s.authority_id for s in schools},
            is_active=True,
        )
        .select_related(
            "partner_service", "processor", "processor__retention_rule", "body", "offering",
            "retention_rule",
        )
        .prefetch_related(
            "processor__certifications",
            "processor__links",
            "body__links",
            "body__laws",
            "body__lawful_bases",
        )
        .order_by("pk")
    )  # fmt: skip
    flows = list(query)
    _attach_links(flows)
    carrying = []
    for flow in flows:
        carried = [o for o in objects_of(flow) if o.data_subject in subjects]
        if carried:
            carrying.append((flow, sorted(carried, key=lambda o: (o.data_subject, o.title))))
    return {
        school.pk: [
            (flow, carried)
            for flow, carried in carrying
            if flow.authority_id == school.authority_id
            and (
                flow.school_id == school.pk
                if flow.school_id is not None
                else flow.offering_id is None
                or (
                    flow.offering is not None
                    and flow.offering.is_active
                    and flow.offering_id in offerings[school.pk]
                )
            )
        ]
        for school in schools
    }


def _attach_links(flows: list[DataFlow]) -> None:
    """Give each flow its data objects and lawful bases (``objects_of``, ``bases_of``) from
    four queries, one model instance per object and per basis however many flows share it:
    Django's prefetch would build one per link (hundreds for an organisation's flows)."""
    ids = [flow.pk for flow in flows]
    object_links = list(
        DataFlow.data_objects.through.objects.filter(dataflow_id__in=ids).values_list(
            "dataflow_id", "dataobject_id"
        )
    )
    basis_links = list(
        DataFlow.lawful_bases.through.objects.filter(dataflow_id__in=ids).values_list(
            "dataflow_id", "lawfulbasis_id"
        )
    )
    objects = DataObject.objects.select_related("art9_condition", "dpa_condition").in_bulk(
        {pk for _, pk in object_links}
    )
    bases = LawfulBasis.objects.in_bulk({pk for _, pk in basis_links})
    by_flow: dict[int, tuple[list[DataObject], list[LawfulBasis]]] = {pk: ([], []) for pk in ids}
    for flow_id, object_id in object_links:
        by_flow[flow_id][0].append(objects[object_id])
    for flow_id, basis_id in basis_links:
        by_flow[flow_id][1].append(bases[basis_id])
    for flow in flows:
        carried, cited = by_flow[flow.pk]
        carried.sort(key=lambda o: (o.data_subject, o.title))  # DataObject's own ordering
        cited.sort(key=lambda b: (b.kind, b.code))  # LawfulBasis's own ordering
        memo(flow, "objects", lambda carried=carried: carried)  # type: ignore[misc]
        memo(flow, "bases", lambda cited=cited: cited)  # type: ignore[misc]


def objects_of(flow: DataFlow) -> list[DataObject]:
    """The data objects a flow carries (attached by the loader, else fetched and kept)."""
    return memo(flow, "objects", lambda: list(flow.data_objects.all()))


def _statutory_bodies(schools: list[School], audience: str) -> list[ExternalRecipient]:
    """The national and organisation-wide bodies any of ``schools`` might share with."""
    return list(
        ExternalRecipient.objects.filter(
            Q(authority__isnull=True)
            | Q(authority__in={s.authority_id for s in schools}, school__isnull=True),
            scope__in=[ExternalRecipient.Scope.EVERY_SCHOOL, ExternalRecipient.Scope.YOUTH_SUPPORT],
            is_active=True,
            audience__in=_audiences(audience),
            reach__in=[Reach.BOTH, *{s.nation for s in schools}],
        )
        .prefetch_related("links", "laws", "lawful_bases")
        .order_by("name")
    )


def _bodies(
    school: School,
    audience: str,
    statutory: list[ExternalRecipient],
    flow_bodies: list[ExternalRecipient],
) -> list[ExternalRecipient]:
    """The public bodies every school of the nation shares with, and those flows name."""
    scopes = {ExternalRecipient.Scope.EVERY_SCHOOL}
    if audience == "pupils" and school.shares_with_youth_support:
        scopes.add(ExternalRecipient.Scope.YOUTH_SUPPORT)
    found = {
        b.pk: b
        for b in statutory
        if b.scope in scopes
        and b.reach in (Reach.BOTH, school.nation)
        and b.authority_id in (None, school.authority_id)
    }
    found.update({b.pk: b for b in flow_bodies})
    return sorted(found.values(), key=lambda b: b.name)


def _categories(
    schools: list[School], audience: str, named: dict[int, set[int]]
) -> dict[int, list[DataObject]]:
    held = Q(
        authority__in={s.authority_id for s in schools}, school__isnull=True,
        held_by_every_school=True,
    )  # fmt: skip
    extra = set().union(*named.values()) if named else set()
    rows: QuerySet[DataObject] = (
        DataObject.objects.filter(held | Q(school__in=[s.pk for s in schools]) | Q(pk__in=extra))
        .filter(data_subject__in=SUBJECTS[audience])
        .select_related("art9_condition", "dpa_condition")
    )
    found = list(rows)
    return {
        school.pk: sorted(
            (
                o
                for o in found
                if o.pk in named[school.pk]
                or o.school_id == school.pk
                or (
                    o.school_id is None
                    and o.held_by_every_school
                    and o.authority_id == school.authority_id
                )
            ),
            key=lambda o: (o.data_subject != "pupil", o.data_subject, o.title),
        )
        for school in schools
    }


def load_registers(
    schools: Iterable[School], audience: str, day: datetime.date
) -> dict[int, RegisterRows]:
    """Return, by school id, the rows of each school's register that its ``audience`` notice
    describes: a fixed number of queries for the whole batch, whatever its size."""
    batch = list(schools)
    if not batch:
        return {}
    ids = [s.pk for s in batch]
    authorities = {s.authority_id for s in batch}
    flows = _flows(batch, audience, day)
    owned = Q(authority__in=authorities, school__isnull=True) | Q(school__in=ids)
    purposes = list(
        Purpose.objects.filter(owned, audience__in=_audiences(audience))
        .prefetch_related("lawful_bases", "laws", "categories")
        .order_by("position", "pk")
    )
    systems = list(
        StorageSystem.objects.filter(owned, audience__in=_audiences(audience))
        .select_related("supplier")
        .prefetch_related("categories")
        .order_by("name", "pk")
    )
    statutory = _statutory_bodies(batch, audience)
    result: dict[int, RegisterRows] = {}
    named: dict[int, set[int]] = {}
    picked: dict[int, tuple[list[Purpose], list[StorageSystem]]] = {}
    for school in batch:
        # The organisation's purposes first, then the school's own, each in its order.
        own_purposes = sorted(
            (p for p in purposes if _owned(school, p)), key=lambda p: p.school_id is not None
        )
        own_systems = [s for s in systems if _owned(school, s)]
        picked[school.pk] = (own_purposes, own_systems)
        carried = {o.pk for _, objs in flows[school.pk] for o in objs}
        names = set(carried)
        for holder in [*own_purposes, *own_systems]:
            names |= category_ids(holder)
        named[school.pk] = names
    categories = _categories(batch, audience, named)
    for school in batch:
        school_flows = flows[school.pk]
        own_purposes, own_systems = picked[school.pk]
        result[school.pk] = RegisterRows(
            flows=school_flows,
            categories=categories[school.pk],
            purposes=own_purposes,
            systems=own_systems,
            bodies=_bodies(
                school, audience, statutory, [f.body for f, _ in school_flows if f.body]
            ),
            _carried={o.pk for _, objs in school_flows for o in objs},
        )
    return result


def load_register(school: School, audience: str, day: datetime.date) -> RegisterRows:
    """Return the rows of ``school``'s register that its ``audience`` notice describes."""
    return load_registers([school], audience, day)[school.pk]
