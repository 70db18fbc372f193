"""Every recipient a notice names, grouped and headed by kind, each described once with the
exchanges that reach it."""

from collections import defaultdict
from typing import Any

from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    PartnerService,
)
from governance.wording import join_words, mentions, qualified, same_meaning, without_repeat
from notices.register import RegisterRows, bases_of, memo, objects_of
from processors.models import Processor

Entry = dict[str, Any]
SPECIAL_KINDS = {LawfulBasis.Kind.ART9, LawfulBasis.Kind.DPA_SCH1}


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


def special_conditions(flow: DataFlow, carried: list[DataObject]) -> list[LawfulBasis]:
    # A flow carries one list of a notice's data (``RegisterRows.flows``): key on that list.
    return memo(flow, ("special", id(carried)), lambda: _special_conditions(flow, carried))


def _special_conditions(flow: DataFlow, carried: list[DataObject]) -> list[LawfulBasis]:
    """Return the Art 9 and DPA 2018 conditions ``flow`` relies on for the special category
    data it carries here: each carried object's own conditions, and any further condition the
    flow cites (one no object of the flow names as its own, e.g. safeguarding) that fits whose
    data it is. None when it carries no special category data here."""

    def own(objects: list[DataObject]) -> set[int]:
        return {
            c.pk
            for o in objects
            if o.is_special_category
            for c in (o.art9_condition, o.dpa_condition)
            if c is not None
        }

    special = [o for o in carried if o.is_special_category]
    here, anywhere = own(special), own(objects_of(flow))
    found = [
        b
        for b in bases_of(flow)
        if b.kind in SPECIAL_KINDS
        and (
            b.pk in here or (b.pk not in anywhere and any(b.fits(o.data_subject) for o in special))
        )
    ]
    return sorted(found, key=lambda b: (b.kind, b.code))


def _exchange(flow: DataFlow, carried: list[DataObject]) -> Entry:
    """What ``flow`` sends, said once per batch (a copy: callers mark it per school)."""
    return dict(memo(flow, ("exchange", id(carried)), lambda: _exchange_entry(flow, carried)))


def _exchange_entry(flow: DataFlow, carried: list[DataObject]) -> Entry:
    bases = sorted(
        (b for b in bases_of(flow) if b.kind == LawfulBasis.Kind.ART6),
        key=lambda b: b.code,
    )
    frequency = flow.get_frequency_display()
    offering = flow.offering.name if flow.offering else ""
    return {
        "purpose": flow.purpose,
        "data": data_names(carried),
        "frequency": frequency,
        "transport": without_repeat(flow.transport, frequency),
        "retention": flow.retention_rule.name if flow.retention_rule else "",
        "via": "" if not offering or mentions(flow.purpose, offering) else offering,
        "bases": [{"code": b.code, "title": b.title} for b in bases],
        "conditions": condition_words(special_conditions(flow, carried)),
    }


def condition_words(conditions: list[LawfulBasis]) -> str:
    """Say special category conditions in words: the Art 9 conditions, then the DPA 2018
    Schedule 1 conditions that go with them ("substantial public interest, with statutory and
    government purposes"), never in brackets (they are often printed inside some). The codes
    are in the notice's glossary."""
    art9 = [c.title.lower() for c in conditions if c.kind == LawfulBasis.Kind.ART9]
    dpa = [
        title
        for c in conditions
        if c.kind == LawfulBasis.Kind.DPA_SCH1 and (title := c.title.lower()) not in art9
    ]
    if art9 and dpa:
        return f"{join_words(art9)}, with {join_words(dpa)}"
    return join_words(art9) or join_words(dpa)


def _service(partner: PartnerService) -> Entry:
    return {
        "name": partner.name,
        "title": partner.name,
        "why": partner.purpose,
        "gateway": partner.statutory_gateway,
        "role": partner.get_relationship_display(),
    }


def _supplier(processor: Processor) -> Entry:
    rule = processor.retention_rule
    return {
        "name": processor.name,
        "title": qualified(processor.name, processor.products),
        "products": processor.products,
        "why": processor.service_description,
        "role": processor.get_role_display(),
        "location": processor.data_location,
        "outside_uk": processor.data_leaves_uk == "yes",
        "safeguards": processor.transfer_safeguards,
        "certifications": sorted(c.name for c in processor.certifications.all()),
        "own_retention": rule.description if rule else processor.retention_notes,
        "own_rule": rule.name if rule else "",
        "links": [{"label": ln.label, "url": ln.url} for ln in processor.links.all()],
        "website": processor.website,
    }


def _body(body: ExternalRecipient) -> Entry:
    return {
        "name": body.name,
        "title": body.name,
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
    """Who ``flow`` goes to, described once per batch (a copy: callers change it)."""
    return dict(memo(flow, "recipient", lambda: _recipient_entry(flow)))


def _recipient_entry(flow: DataFlow) -> Entry:
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
        entry = memo(body, "entry", lambda body=body: _body(body))  # type: ignore[misc]
        grouped[key[0]][("body", body.pk)] = {**entry, "kind": body.kind, "exchanges": []}
    for flow, carried in rows.flows:
        group, pk = _group_key(flow)
        source = "body" if flow.body_id else group
        entry = grouped[group].setdefault((source, pk), {**_describe(flow), "exchanges": []})
        entry["exchanges"].append(_exchange(flow, carried))
    for entries in grouped.values():
        for entry in entries.values():
            _say_once(entry)
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


def _say_once(entry: Entry) -> None:
    """Mark what an entry would say twice: an exchange's purpose that only rewords why the
    recipient receives data (a council service's purpose and its one flow's purpose are often
    the same sentence), and a supplier's own retention when every exchange names that rule."""
    rules = {e["retention"] for e in entry["exchanges"]}
    if entry.get("own_rule") and rules == {entry["own_rule"]}:
        entry["own_retention"] = ""
    if entry["exchanges"] and "data_sent" in entry:
        # A body's own "what is sent" and "how often" describe statutory sharing in general;
        # where the school's flows to it are recorded, they say both, item by item.
        entry["data_sent"] = entry["frequency"] = ""
    for exchange in entry["exchanges"]:
        exchange["purpose_said"] = len(entry["exchanges"]) == 1 and same_meaning(
            exchange["purpose"], entry.get("why") or ""
        )


# Words a retention rule's description uses when it already says what happens at the end.
END_WORDS = {
    "delete": ("delet", "destroy", "erase"),
    "anonymise": ("anonymis", "anonymiz"),
    "return": ("return",),
    "review": ("review",),
}


def end_not_said(description: str, end_action: str) -> bool:
    """Return whether ``description`` leaves unsaid what happens when the period ends."""
    text = description.lower()
    return not any(word in text for word in END_WORDS.get(end_action, ()))


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
            "end": rule.get_end_action_display()
            if end_not_said(rule.description, rule.end_action)
            else "",
        }
        holders[rule.name].add(str(flow.recipient))
    return [{**entry, "held_by": sorted(holders[name])} for name, entry in sorted(by_rule.items())]
