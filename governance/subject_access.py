"""Who has this category of a school's data, and since when: the answer to a subject access
request ("who has my child's data?"), from the register.

For one category at one school over a period: every flow that sends it (the organisation's,
those of offerings the school subscribed to during the period, the school's own), with its
recipient, why, how often, on which basis and how long it is kept; for an offering's flows,
the subscriptions in force during the period (the register's dates); and the school's own
systems that hold the category, with their suppliers. The register records no dates for the
organisation's and the school's own flows: the page says so rather than guess.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from governance.models import DataFlow, DataObject, School, StorageSystem, Subscription


@dataclass
class Receipt:
    """One flow of the category to one recipient."""

    flow: DataFlow
    recipient: Any
    kind: str  # the heading it goes under
    source: str  # why this school sends it
    subscriptions: list[Subscription] = field(default_factory=list)  # an offering's, in force

    @property
    def dated(self) -> bool:
        return bool(self.subscriptions)


@dataclass
class Answer:
    school: School
    category: DataObject
    start: datetime.date
    end: datetime.date
    receipts: list[Receipt]
    systems: list[StorageSystem]

    @property
    def by_kind(self) -> list[tuple[str, list[Receipt]]]:
        order = ["Authority services", "Suppliers", "Public bodies and other recipients"]
        return [(k, [r for r in self.receipts if r.kind == k]) for k in order
                if any(r.kind == k for r in self.receipts)]  # fmt: skip


def categories(school: School) -> QuerySet[DataObject]:
    """The categories the school's register knows (its organisation's and its own)."""
    return DataObject.objects.filter(
        Q(authority=school.authority_id, school__isnull=True) | Q(school=school)
    ).order_by("data_subject", "title")


HEADINGS = {"authority_service": "Authority services", "supplier": "Suppliers"}


def _kind(flow: DataFlow) -> str:
    return HEADINGS.get(flow.recipient_kind, "Public bodies and other recipients")


def answer(
    school: School, category: DataObject, start: datetime.date, end: datetime.date
) -> Answer:
    """Who received ``category`` of ``school``'s data at some time from ``start`` to ``end``."""
    overlapping = (
        Subscription.objects.filter(school=school, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("offering")
        .order_by("start_date")
    )
    by_offering: dict[int, list[Subscription]] = {}
    for subscription in overlapping:
        by_offering.setdefault(subscription.offering_id, []).append(subscription)
    flows = (
        DataFlow.objects.filter(
            authority=school.authority_id, is_active=True, data_objects=category
        )
        .filter(
            Q(offering__isnull=True, school__isnull=True)
            | Q(school=school)
            | Q(offering__in=list(by_offering), offering__is_active=True)
        )
        .with_details()
        .distinct()
        .order_by("purpose", "pk")
    )
    receipts = []
    for flow in flows:
        receipts.append(Receipt(flow, flow.recipient, _kind(flow), flow.source_display,
                                by_offering.get(flow.offering_id or 0, [])))  # fmt: skip
    receipts.sort(key=lambda r: (str(r.recipient), r.flow.purpose))
    systems = list(
        StorageSystem.objects.for_school(school)
        .filter(categories=category)
        .select_related("supplier")
        .order_by("name")
    )
    return Answer(school, category, start, end, receipts, systems)
