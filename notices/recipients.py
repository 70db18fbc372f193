"""Every recipient a notice names, grouped and headed by kind, each described once with the
exchanges that reach it."""

from collections import defaultdict
from typing import Any

from governance.models import Authority, DataFlow, DataObject, ExternalRecipient, PartnerService
from notices.register import RegisterRows
from processors.models import Processor

Entry = dict[str, Any]


def _paragraphs(text: str) -> list[str]:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block]


def data_names(carried: list[DataObject]) -> list[str]:
    """Name each category by its title, adding whose it is where two titles are alike
    (“Personal information (parents and carers)”)."""
    titles = [o.title for o in carried]
    return [
        f"{o.title} ({o.get_data_subject_display().lower()})"
        if titles.count(o.title) > 1
        else o.title
        for o in carried
    ]


def _exchange(flow: DataFlow, carried: list[DataObject]) -> Entry:
    bases = sorted(flow.lawful_bases.all(), key=lambda b: (b.kind, b.code))
    return {
        "purpose": flow.purpose,
        "data": data_names(carried),
        "frequency": flow.get_frequency_display(),
        "transport": flow.transport,
        "retention": flow.retention_rule.name if flow.retention_rule else "",
        "via": flow.offering.name if flow.offering else "",
        "bases": [b.code for b in bases],
    }


def _service(partner: PartnerService) -> Entry:
    return {
        "name": partner.name,
        "why": partner.purpose,
        "gateway": partner.statutory_gateway,
        "role": partner.get_relationship_display(),
    }


def _supplier(processor: Processor) -> Entry:
    rule = processor.retention_rule
    return {
        "name": processor.name,
        "products": processor.products,
        "why": processor.service_description,
        "role": processor.get_role_display(),
        "location": processor.data_location,
        "outside_uk": processor.data_leaves_uk == "yes",
        "safeguards": processor.transfer_safeguards,
        "certifications": sorted(c.name for c in processor.certifications.all()),
        "own_retention": rule.description if rule else processor.retention_notes,
        "links": [{"label": ln.label, "url": ln.url} for ln in processor.links.all()],
        "website": processor.website,
    }


def _body(body: ExternalRecipient) -> Entry:
    return {
        "name": body.name,
        "why": body.why,
        "role": body.get_role_display(),
        "data_sent": body.data_sent,
        "frequency": body.frequency,
        "details": _paragraphs(body.details),
        "laws": sorted(law.code for law in body.laws.all()),
        "bases": sorted(b.code for b in body.lawful_bases.all()),
        "links": [{"label": ln.label, "url": ln.url} for ln in body.links.all()],
        "website": body.website,
    }


def _group_key(flow: DataFlow) -> tuple[str, int]:
    if flow.partner_service is not None:
        return "authority_services", flow.partner_service.pk
    if flow.processor is not None:
        processors = flow.processor.role == Processor.Role.PROCESSOR
        return ("processors" if processors else "controllers"), flow.processor.pk
    body = flow.body
    assert body is not None  # a flow has exactly one recipient (a database constraint)
    return _BODY_GROUPS[ExternalRecipient.Kind(body.kind)], body.pk


_BODY_GROUPS = {
    ExternalRecipient.Kind.PUBLIC_BODY: "public_bodies",
    ExternalRecipient.Kind.SCHOOLS: "schools",
    ExternalRecipient.Kind.CONTROLLER: "controllers",
}


def _describe(flow: DataFlow) -> Entry:
    if flow.partner_service is not None:
        return {**_service(flow.partner_service), "kind": "authority_service"}
    if flow.processor is not None:
        return {**_supplier(flow.processor), "kind": "supplier"}
    assert flow.body is not None  # a flow has exactly one recipient (a database constraint)
    return {**_body(flow.body), "kind": flow.body.kind}


def _headings(organisation: Authority, words: dict[str, str]) -> dict[str, tuple[str, str]]:
    trust = organisation.kind == Authority.Kind.TRUST
    return {
        "public_bodies": ("Government and other public bodies",
                          "The law requires or allows us to share information with these public "
                          "bodies."),
        "authority_services": (
            f"{organisation.name}: central services" if trust else f"{organisation.name} services",
            "The trust's central team provides these services to its schools." if trust else
            "These council services receive information from the school to carry out their own "
            "duties for children and families, or to provide services the school uses."),
        "schools": ("Other schools",
                    f"Schools that need information about our {words['learners']}."),
        "controllers": ("Other organisations that decide how they use information",
                        "These organisations receive information and are responsible for how "
                        "they use it themselves (independent controllers)."),
        "processors": ("Companies that provide services to the school",
                       "These companies handle information for the school as processors: they "
                       "may only use it on the school's instructions, under a contract, and must "
                       "keep it secure."),
    }  # fmt: skip


ORDER = ["public_bodies", "authority_services", "schools", "controllers", "processors"]


def recipient_groups(
    rows: RegisterRows, *, organisation: Authority, words: dict[str, str]
) -> list[Entry]:
    """Return the non-empty recipient groups in reading order, each recipient once."""
    grouped: dict[str, dict[tuple[str, int], Entry]] = defaultdict(dict)
    for body in rows.bodies:
        key = (_BODY_GROUPS[ExternalRecipient.Kind(body.kind)], body.pk)
        grouped[key[0]][("body", body.pk)] = {**_body(body), "kind": body.kind, "exchanges": []}
    for flow, carried in rows.flows:
        group, pk = _group_key(flow)
        source = "body" if flow.body_id else group
        entry = grouped[group].setdefault((source, pk), {**_describe(flow), "exchanges": []})
        entry["exchanges"].append(_exchange(flow, carried))
    headings = _headings(organisation, words)
    return [
        {
            "key": key,
            "heading": headings[key][0],
            "intro": headings[key][1],
            "recipients": sorted(grouped[key].values(), key=lambda e: e["name"]),
        }
        for key in ORDER
        if grouped.get(key)
    ]


def retention(rows: RegisterRows) -> list[Entry]:
    """Return the retention rules of the notice's exchanges, with who keeps data by each."""
    by_rule: dict[str, Entry] = {}
    holders: dict[str, set[str]] = defaultdict(set)
    for flow, _ in rows.flows:
        rule = flow.retention_rule
        if rule is None:
            continue
        by_rule[rule.name] = {
            "name": rule.name,
            "description": rule.description,
            "end": rule.get_end_action_display(),
        }
        holders[rule.name].add(str(flow.recipient))
    return [{**entry, "held_by": sorted(holders[name])} for name, entry in sorted(by_rule.items())]
