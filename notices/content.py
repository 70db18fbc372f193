"""What goes into a school's privacy notice: a pure function of the registry.

``build_notice_content`` returns plain, JSON-serialisable data; templates only lay it out.
The hash of that data decides whether a new version is needed, and two contents can be
compared to tell a parent what changed.
"""

import datetime
import hashlib
import json
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Prefetch, TextChoices
from django.utils import timezone

from governance.models import DataFlow, DataObject, LawfulBasis, PartnerService, School
from notices import statutory
from processors.models import Processor


class Audience(TextChoices):
    PUPILS = "pupils", "Pupils and parents"
    WORKFORCE = "workforce", "School workforce"


SUBJECTS = {
    Audience.PUPILS: {DataObject.Subject.PUPIL, DataObject.Subject.CONTACT},
    Audience.WORKFORCE: {DataObject.Subject.WORKFORCE},
}

TITLES = {
    Audience.PUPILS: "Privacy notice for pupils and parents",
    Audience.WORKFORCE: "Privacy notice for the school workforce",
}

WHO_IT_COVERS = {
    Audience.PUPILS: "pupils at the school and their parents and carers",
    Audience.WORKFORCE: "everyone who works at the school: employees, supply and agency "
    "staff, contractors, volunteers and governors",
}


def content_hash(content: dict[str, Any]) -> str:
    """Return the SHA-256 of the content's canonical JSON: equal content, equal hash."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _basis(basis: LawfulBasis | None) -> dict[str, str] | None:
    if basis is None:
        return None
    return {"code": basis.code, "title": basis.title, "plain": basis.plain_text}


def _flows(school: School, audience: str, on: datetime.date) -> list[tuple[DataFlow, list]]:
    """Return the school's flows that carry this audience's data, each with those objects."""
    subjects = SUBJECTS[Audience(audience)]
    objects = DataObject.objects.select_related("art9_condition", "dpa_condition")
    flows = (
        DataFlow.objects.for_school(school, on)
        .select_related(
            "partner_service", "processor", "processor__retention_rule", "offering",
            "retention_rule",
        )
        .prefetch_related(
            Prefetch("data_objects", queryset=objects),
            "lawful_bases",
            "processor__certifications",
            "processor__links",
        )
        .order_by("pk")
    )  # fmt: skip
    result = []
    for flow in flows:
        carried = [o for o in flow.data_objects.all() if o.data_subject in subjects]
        if carried:
            result.append((flow, sorted(carried, key=lambda o: o.sif_name)))
    return result


def _school(school: School) -> dict[str, Any]:
    return {
        "name": school.name,
        "urn": school.urn,
        "dfe_number": school.dfe_number,
        "address": [line for line in school.address.splitlines() if line.strip()],
        "postcode": school.postcode,
        "phone": school.phone,
        "email": school.email,
        "website": school.website,
        "nation": school.nation,
        "nation_label": school.get_nation_display(),
        "phase": school.phase,
        "type_label": school.get_school_type_display(),
        "headteacher": school.headteacher,
    }


def _contacts(school: School) -> dict[str, Any]:
    is_trust = school.school_type != School.Type.MAINTAINED
    return {
        "controller": {
            "name": school.controller_name,
            "is_trust": is_trust,
            "ico_registration": school.ico_registration,
        },
        "dpo": {"name": school.dpo_name, "email": school.dpo_email, "phone": school.dpo_phone},
        "dp_lead": {"name": school.dp_lead_name, "email": school.dp_lead_email},
    }


def _categories(flows: list[tuple[DataFlow, list]]) -> list[dict[str, Any]]:
    seen: dict[str, DataObject] = {}
    for _, carried in flows:
        for obj in carried:
            seen[obj.sif_name] = obj
    ordered = sorted(seen.values(), key=lambda o: (o.data_subject, o.title))
    return [
        {
            "sif_name": o.sif_name,
            "title": o.title,
            "subject": o.get_data_subject_display(),
            "fields": o.fields_description,
            "special": o.is_special_category,
            "special_note": o.special_category_note,
            "art9": _basis(o.art9_condition),
            "dpa": _basis(o.dpa_condition),
        }
        for o in ordered
    ]


def _bases_used(flows: list[tuple[DataFlow, list]]) -> list[dict[str, Any]]:
    bases = {b.code: b for flow, _ in flows for b in flow.lawful_bases.all()}
    kinds = dict(LawfulBasis.Kind.choices)
    return [
        {**(_basis(b) or {}), "kind": b.kind, "kind_label": kinds[b.kind]}
        for b in sorted(bases.values(), key=lambda b: (b.kind, b.code))
    ]


ALL_DATA = "All the information listed in this notice"


def _exchange(flow: DataFlow, carried: list, everything: set[str]) -> dict[str, Any]:
    names = {o.sif_name for o in carried}
    return {
        "purpose": flow.purpose,
        "data": [ALL_DATA] if names == everything else [o.title for o in carried],
        "frequency": flow.get_frequency_display(),
        "transport": flow.transport,
        "retention": flow.retention_rule.name,
        "via": flow.offering.name if flow.offering else "",
        "bases": [b.code for b in sorted(flow.lawful_bases.all(), key=lambda b: (b.kind, b.code))],
    }


def _usual_transport(flows: list[tuple[DataFlow, list]]) -> str:
    """Return the way most exchanges travel, said once instead of on every exchange."""
    counts = Counter(flow.transport for flow, _ in flows)
    return counts.most_common(1)[0][0] if counts else ""


def _everything(flows: list[tuple[DataFlow, list]]) -> set[str]:
    return {o.sif_name for _, carried in flows for o in carried}


def _by_recipient(
    flows: list[tuple[DataFlow, list]], attr: str, describe: Any
) -> list[dict[str, Any]]:
    """Group the flows to recipients of one kind (``attr``), each described once."""
    everything = _everything(flows)
    grouped: dict[int, dict[str, Any]] = {}
    for flow, carried in flows:
        recipient = getattr(flow, attr)
        if recipient is None:
            continue
        if recipient.pk not in grouped:
            grouped[recipient.pk] = {**describe(recipient), "exchanges": []}
        grouped[recipient.pk]["exchanges"].append(_exchange(flow, carried, everything))
    return sorted(grouped.values(), key=lambda e: e["name"])


def _partner(partner: PartnerService) -> dict[str, Any]:
    return {
        "name": partner.name,
        "purpose": partner.purpose,
        "gateway": partner.statutory_gateway,
        "relationship": partner.get_relationship_display(),
    }


def _processor(processor: Processor) -> dict[str, Any]:
    rule = processor.retention_rule
    return {
        "name": processor.name,
        "products": processor.products,
        "what": processor.service_description,
        "role": processor.get_role_display(),
        "location": processor.data_location,
        "outside_uk": processor.transfers_outside_uk,
        "safeguards": processor.transfer_safeguards,
        "certifications": sorted(c.name for c in processor.certifications.all()),
        "own_retention": rule.description if rule else processor.retention_notes,
        "links": [{"label": ln.label, "url": ln.url} for ln in processor.links.all()],
    }


def _retention(flows: list[tuple[DataFlow, list]]) -> list[dict[str, Any]]:
    by_rule: dict[str, dict[str, Any]] = {}
    holders: dict[str, set[str]] = defaultdict(set)
    for flow, _ in flows:
        rule = flow.retention_rule
        by_rule[rule.name] = {
            "name": rule.name,
            "description": rule.description,
            "end": rule.get_end_action_display(),
        }
        holders[rule.name].add(str(flow.recipient))
    return [{**entry, "held_by": sorted(holders[name])} for name, entry in sorted(by_rule.items())]


def build_notice_content(
    school: School, audience: str, *, on: datetime.date | None = None
) -> dict[str, Any]:
    """Return everything school's notice for ``audience`` must say, as plain data.

    The date and version number are not content: they belong to the version that issues it.
    """
    day = on or timezone.localdate()
    audience = Audience(audience)
    flows = _flows(school, audience, day)
    authority = school.authority
    uses_consent = any(
        b.code in {"Art 6(1)(a)", "Art 9(2)(a)"} for f, _ in flows for b in f.lawful_bases.all()
    )
    processors = _by_recipient(flows, "processor", _processor)
    rights = list(statutory.RIGHTS)
    if audience == Audience.PUPILS:
        rights.append(statutory.PARENT_RECORD_RIGHT)
    if uses_consent:
        rights.append(statutory.CONSENT_RIGHT)
    content = {
        "audience": str(audience),
        "audience_label": audience.label,
        "title": TITLES[audience],
        "who_it_covers": WHO_IT_COVERS[audience],
        "school": _school(school),
        **_contacts(school),
        "service": {
            "authority": authority.name,
            "name": authority.service_name,
            "phone": authority.phone,
            "email": authority.email,
            "privacy_notice_url": authority.privacy_notice_url,
        },
        "has_subscriptions": school.subscriptions.current(day).exists(),
        "usual_transport": _usual_transport(flows),
        "categories": _categories(flows),
        "bases": _bases_used(flows),
        "authority_services": _by_recipient(flows, "partner_service", _partner),
        "processors": processors,
        "statutory": statutory.statutory_recipients(
            nation=school.nation, audience=audience, phase=school.phase
        ),
        "transfers": [
            {"name": p["name"], "location": p["location"], "safeguards": p["safeguards"]}
            for p in processors
            if p["outside_uk"]
        ],
        "retention": _retention(flows),
        "rights": rights,
        "ico": statutory.ICO,
    }
    # Round-trip through JSON so fresh content equals content read back from the database.
    return json.loads(json.dumps(content))
