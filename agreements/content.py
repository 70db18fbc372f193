"""What a data sharing agreement says: a pure function of the registry and the staff's clauses.

``build_agreement_content`` returns plain, JSON-serialisable data; templates only lay it out.
Publishing freezes it (with its hash); two contents can be compared section by section.

Registry text goes into the agreement's sentences through a few rules kept here, so a whole
class of wording fault cannot come back one field at a time:

- choice labels written for staff ("Processor (acts on instructions, Art 28 contract)") are
  never printed: each role and relationship has its own plain words (``PROCESSOR_ROLES``,
  ``RELATIONSHIPS``);
- registry text is never wrapped in our own brackets when it holds brackets itself
  (``with_aside``), so nothing reads "X (Y (Z))";
- legal shorthand ("Art 9(2)(g)", "DPA 2018 Sch 1 Pt 2 para 6", "ss.437-447") is spelt out
  (``spell_out``), and a condition's plain name always comes before its reference;
- the contents and the section headings come from one list (``HEADINGS``), word for word.
"""

import datetime
import json
import re
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date

from agreements.models import AgreementVersion
from governance.models import Authority, DataFlow, DataObject, LawfulBasis, School, Subscription
from notices.content import content_hash

__all__ = [
    "HEADINGS",
    "SECTIONS",
    "build_agreement_content",
    "content_hash",
    "party_flows",
    "party_schools",
    "running_title",
    "spell_out",
    "with_aside",
]

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

# The headings as printed, numbered: the contents list and the section headings both read
# these, so an entry in the contents is always its section's heading word for word.
HEADINGS: dict[str, str] = {
    key: heading if key == "schedule" else f"{number}. {heading}"
    for number, (key, heading) in enumerate(SECTIONS, start=1)
}

# What each supplier role means, in plain words (processors.Processor.Role): the section on
# suppliers groups them under these, so the words are said once per role, not per supplier.
PROCESSOR_ROLES = {
    "processor": "Processors: each acts only on the schools' instructions, under a written "
    "contract as UK GDPR Article 28 requires",
    "controller": "Independent controllers: each decides for itself how it uses the data",
    "joint": "Joint controllers: each decides with the schools how the data is used",
    "no_access": "Suppliers with no access to personal data",
}

# How each party service stands to the schools (governance PartnerService.Relationship).
RELATIONSHIPS = {
    "controller": "a separate data controller, sharing data under this agreement",
    "joint": "a joint controller with the schools",
    "processor": "a processor acting for the schools",
}

# Legal shorthand and its words. Applied in order, each only before a number, so ordinary
# words ("Part of", "Articles") are left alone.
_SHORTHAND = [
    (re.compile(r"\bDPA\s+2018\b"), "Data Protection Act 2018"),
    (re.compile(r"\s*\bSch\.?\s+(?=\d)"), ", Schedule "),
    (re.compile(r"\s*\bPt\.?\s+(?=\d)"), ", Part "),
    (re.compile(r"\s*\bparas?\.?\s+(?=\d)"), ", paragraph "),
    (re.compile(r"\bArts?\.?\s+(?=\d)"), "Article "),
    (re.compile(r"\bss\.\s*(?=\d)"), "sections "),
    (re.compile(r"\bs\.\s*(?=\d)"), "section "),
    (re.compile(r"\b[Rr]egs?\.\s*(?=\d)"), "regulation "),
]


def spell_out(text: str) -> str:
    """Return ``text`` with legal shorthand written out.

    "DPA 2018 Sch 1 Pt 2 para 6" → "Data Protection Act 2018, Schedule 1, Part 2, paragraph 6";
    "Art 9(2)(g)" → "Article 9(2)(g)"; "Education Act 1996 ss.437-447" → "… sections 437-447".
    """
    for pattern, words in _SHORTHAND:
        text = pattern.sub(words, text)
    return text.lstrip(", ")


def with_aside(text: str, aside: str) -> str:
    """Return ``text`` followed by ``aside`` in brackets, unless either holds brackets already
    (then after a comma: never brackets inside brackets) or ``text`` already says it."""
    text, aside = text.strip(), aside.strip()
    if not aside or aside.lower() in text.lower():
        return text
    if "(" in text or "(" in aside:
        return f"{text}, {aside}"
    return f"{text} ({aside})"


def running_title(number: int) -> str:
    """Return the agreement's running page header: short enough for one line on every page."""
    return f"Data sharing agreement, version {number}"


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


def _reference(basis: LawfulBasis | None) -> str:
    """Return a condition's reference in words: "UK GDPR Article 6(1)(e)", "Data Protection
    Act 2018, Schedule 1, Part 2, paragraph 6"."""
    if basis is None:
        return ""
    words = spell_out(basis.code)
    return words if words.startswith("Data Protection Act") else f"UK GDPR {words}"


def _basis(basis: LawfulBasis) -> dict[str, str]:
    return {
        "code": basis.code,
        "title": basis.title,
        "plain": basis.plain_text,
        "reference": _reference(basis),
    }


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
                "label": with_aside(service.name, service.short_name),
                "purpose": service.purpose,
                "benefits": service.benefits,
                "gateway": spell_out(service.statutory_gateway),
                "relationship": RELATIONSHIPS.get(
                    service.relationship, service.get_relationship_display().lower()
                ),
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
                "art9_title": o.art9_condition.title if o.art9_condition else "",
                "art9_reference": _reference(o.art9_condition),
                "dpa": o.dpa_condition.code if o.dpa_condition else "",
                "dpa_title": o.dpa_condition.title if o.dpa_condition else "",
                "dpa_reference": _reference(o.dpa_condition),
            }
            for o in sorted(special.values(), key=lambda o: o.label)
        ],
    }


def _exchange(flows: list[DataFlow]) -> dict[str, Any]:
    transports = sorted({f.transport.strip() for f in flows} - {""})
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


_ACTIONS = re.compile(r"\b(review|delet|destr|erase|anonymi|return|archiv|kept|keep)", re.I)


def _then(description: str, end: str) -> str:
    """Return what happens at the end of a retention period, unless the description says it
    already ("…then securely deleted." needs no "Then: securely deleted.")."""
    if not end or _ACTIONS.search(description):
        return ""
    return end if end.endswith(".") else f"{end}."


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
            "then": _then(rule.description, rule.get_end_action_display()),
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
                "role": PROCESSOR_ROLES.get(p.role, ""),
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
