"""What a data sharing agreement says: a pure function of the registry and the staff's clauses.

``build_agreement_content`` returns plain, JSON-serialisable data; templates only lay it out.
Publishing freezes it (with its hash); two contents can be compared section by section.
"""

import datetime
import json
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date

from agreements.models import AgreementVersion
from governance.models import Authority, DataFlow, DataObject, LawfulBasis, School, Subscription
from notices.content import content_hash

__all__ = ["build_agreement_content", "content_hash", "party_flows", "party_schools"]

# (key, heading): the agreement's sections in order, shared by the templates and the diff.
SECTIONS = [
    ("parties", "Parties to this agreement"),
    ("purpose", "Purpose of this agreement"),
    ("legal", "Legal framework"),
    ("exchange", "How the data is exchanged, and how often"),
    ("data", "The data shared"),
    ("use", "How the information will be used"),
    ("security", "Security and data management"),
    ("quality", "Data quality and correction"),
    ("retention", "Retention and secure deletion"),
    ("rights", "Individuals' rights and complaints"),
    ("breaches", "Personal data breaches"),
    ("processors", "Processors acting for the schools"),
    ("changes", "Changes to this agreement"),
    ("review", "Review and termination"),
    ("officers", "Designated officers for data exchange"),
    ("schedule", "Schedule: the schools party to this agreement"),
]


def _paragraphs(text: str) -> list[str]:
    """Split staff-written text into paragraphs at blank lines, folding single line breaks."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block]


def party_flows(authority: Authority) -> QuerySet[DataFlow]:
    """Return the authority's active flows to partner services that are parties."""
    return DataFlow.objects.filter(
        authority=authority, is_active=True, partner_service__is_agreement_party=True
    )


def party_schools(authority: Authority, *, on: datetime.date | None = None) -> QuerySet[School]:
    """Return the schools that share data with a party service on ``on``: they must sign.

    Every school when an authority-wide flow goes to a party service; otherwise the schools
    named by a party flow and those subscribing to an offering that has one.
    """
    day = on or timezone.localdate()
    flows = party_flows(authority)
    schools = School.objects.filter(authority=authority)
    if flows.filter(offering__isnull=True, school__isnull=True).exists():
        return schools
    offerings = flows.filter(offering__is_active=True).values("offering_id")
    subscribers = Subscription.objects.current(day).filter(offering__in=offerings)
    return schools.filter(
        Q(pk__in=flows.values("school_id")) | Q(pk__in=subscribers.values("school_id"))
    )


def _basis(basis: LawfulBasis) -> dict[str, str]:
    return {"code": basis.code, "title": basis.title, "plain": basis.plain_text}


def _authority(authority: Authority) -> dict[str, Any]:
    return {
        "name": authority.name,
        "service_name": authority.service_name,
        "address": [line for line in authority.address.splitlines() if line.strip()],
        "email": authority.email,
        "phone": authority.phone,
        "website": authority.website,
        "ico_registration": authority.ico_registration,
        "dpo": {"name": authority.dpo_name, "email": authority.dpo_email},
    }


def _flows(authority: Authority) -> list[DataFlow]:
    objects = DataObject.objects.select_related("art9_condition", "dpa_condition")
    return list(
        party_flows(authority)
        .select_related("partner_service", "retention_rule", "offering")
        .prefetch_related(
            Prefetch("data_objects", queryset=objects),
            "lawful_bases",
            "partner_service__officers",
        )
        .order_by("partner_service__name", "purpose", "pk")
    )


def _services(flows: list[DataFlow]) -> list[dict[str, Any]]:
    """Describe each party service once, with what it receives, why and how often."""
    grouped: dict[int, dict[str, Any]] = {}
    for flow in flows:
        service = flow.partner_service
        assert service is not None
        entry = grouped.setdefault(
            service.pk,
            {
                "name": service.name,
                "short_name": service.short_name,
                "purpose": service.purpose,
                "benefits": service.benefits,
                "gateway": service.statutory_gateway,
                "relationship": service.get_relationship_display(),
                "uses": [],
            },
        )
        entry["uses"].append(
            {
                "purpose": flow.purpose,
                "data": sorted(o.label for o in flow.data_objects.all()),
                "frequency": flow.get_frequency_display(),
                "source": flow.source_display,
            }
        )
    return sorted(grouped.values(), key=lambda s: s["name"])


def _legal(flows: list[DataFlow]) -> dict[str, Any]:
    bases = {b.code: b for flow in flows for b in flow.lawful_bases.all()}
    by_kind: dict[str, list[dict[str, str]]] = defaultdict(list)
    for basis in sorted(bases.values(), key=lambda b: b.code):
        by_kind[basis.kind].append(_basis(basis))
    special = {o.label: o for f in flows for o in f.data_objects.all() if o.is_special_category}
    return {
        "art6": by_kind[LawfulBasis.Kind.ART6],
        "art9": by_kind[LawfulBasis.Kind.ART9],
        "dpa": by_kind[LawfulBasis.Kind.DPA_SCH1],
        "special": [
            {
                "sif_name": o.label,
                "note": o.special_category_note,
                "art9": o.art9_condition.code if o.art9_condition else "",
                "dpa": o.dpa_condition.code if o.dpa_condition else "",
            }
            for o in sorted(special.values(), key=lambda o: o.label)
        ],
    }


def _exchange(flows: list[DataFlow]) -> dict[str, Any]:
    transports = sorted({f.transport for f in flows})
    order = {value: i for i, value in enumerate(DataFlow.Frequency.values)}
    by_frequency: dict[str, set[str]] = defaultdict(set)
    for flow in flows:
        by_frequency[flow.frequency].add(flow.purpose)
    return {
        "transports": transports,
        "frequencies": [
            {"label": DataFlow.Frequency(f).label, "purposes": sorted(purposes)}
            for f, purposes in sorted(by_frequency.items(), key=lambda item: order[item[0]])
        ],
    }


def _data(flows: list[DataFlow]) -> list[dict[str, Any]]:
    objects = {o.label: o for f in flows for o in f.data_objects.all()}
    groups = []
    for subject, label in DataObject.Subject.choices:
        members = sorted(
            (o for o in objects.values() if o.data_subject == subject), key=lambda o: o.label
        )
        if members:
            groups.append(
                {
                    "subject": label,
                    "objects": [
                        {
                            "sif_name": o.label,
                            "title": o.title,
                            "fields": o.fields_description,
                            "special": o.special_category_note if o.is_special_category else "",
                        }
                        for o in members
                    ],
                }
            )
    return groups


def _retention(flows: list[DataFlow]) -> list[dict[str, Any]]:
    holders: dict[str, set[str]] = defaultdict(set)
    rules = {}
    for flow in flows:
        if flow.retention_rule is None:
            continue
        rules[flow.retention_rule.name] = flow.retention_rule
        holders[flow.retention_rule.name].add(str(flow.partner_service))
    return [
        {
            "name": name,
            "description": rule.description,
            "end": rule.get_end_action_display(),
            "held_by": sorted(holders[name]),
        }
        for name, rule in sorted(rules.items())
    ]


def _processors(authority: Authority) -> list[dict[str, Any]]:
    flows = (
        DataFlow.objects.filter(
            authority=authority,
            is_active=True,
            processor__isnull=False,
            processor__school__isnull=True,  # a school's own apps are its business, not ours
        )
        .select_related("processor")
        .order_by("processor__name")
    )
    seen: dict[int, dict[str, Any]] = {}
    for flow in flows:
        p = flow.processor
        assert p is not None
        seen.setdefault(
            p.pk,
            {
                "name": p.name,
                "what": p.service_description,
                "role": p.get_role_display(),
                "location": p.data_location,
            },
        )
    return list(seen.values())


def _officers(flows: list[DataFlow], authority: Authority) -> list[dict[str, str]]:
    services = {f.partner_service.pk: f.partner_service for f in flows if f.partner_service}
    # The service running the exchange signs too, even where it receives no flow itself.
    services.update(
        {s.pk: s for s in authority.partners.filter(is_agreement_party=True, flows__isnull=True)}
    )
    rows = [
        {"partner": s.name, "name": o.name, "position": o.position, "email": o.email}
        for s in sorted(services.values(), key=lambda s: s.name)
        for o in s.officers.all()
    ]
    return rows


def build_agreement_content(
    version: AgreementVersion, *, on: datetime.date | None = None
) -> dict[str, Any]:
    """Return everything ``version`` of the agreement says, as plain data.

    Built from the registry (parties, bases, exchanges, data objects, retention, officers,
    processors, schools) and the version's clauses.
    """
    agreement = version.agreement
    authority = agreement.authority
    flows = _flows(authority)
    schools = party_schools(authority, on=on).order_by("name")
    content = {
        "title": agreement.title,
        "number": version.number,
        "authority": _authority(authority),
        "schools_description": agreement.schools_description,
        "services": _services(flows),
        "purpose": _paragraphs(version.purpose),
        "benefits": _paragraphs(version.benefits),
        "legal": _legal(flows),
        "exchange": _exchange(flows),
        "data": _data(flows),
        "use": _paragraphs(version.use_of_information),
        "security": _paragraphs(version.security),
        "quality": _paragraphs(version.data_quality),
        "retention": {"text": _paragraphs(version.retention), "rules": _retention(flows)},
        "rights": _paragraphs(version.rights_and_complaints),
        "breaches": _paragraphs(version.breaches),
        "processors": _processors(authority),
        "changes": _paragraphs(version.changes),
        "review": {
            "display": format_date(version.review_date, "j F Y"),
            "termination": _paragraphs(version.termination),
        },
        "change_summary": _paragraphs(version.change_summary),
        "officers": _officers(flows, authority),
        "schedule": [
            {"name": s.name, "urn": s.urn, "dfe_number": s.dfe_number}
            for s in schools.only("name", "urn", "dfe_number")
        ],
    }
    # Round-trip through JSON so fresh content equals content read back from the database.
    return json.loads(json.dumps(content))
