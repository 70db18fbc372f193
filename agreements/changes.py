"""Say what changed between two versions of an agreement, in sentences a school's DPO reads
before signing again: "Where Groupcall stores information changed from “not stated” to “UK”",
"Added the Priority Families service as a party", "The purpose clause was reworded" (with the
words that changed, shown compactly).

Used by the admin's preview before publishing, by the portal ("what changed since the version
you signed") and by the stale-agreement check (``agreements.staleness``), so all three say the
same thing. Contents frozen by older code are read through the same lens: the labels staff
once saw for a role or a relationship, and legal shorthand, are normalised first, so a change
of wording in the code is not reported as a change in the registry.
"""

import copy
import json
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from agreements.content import PROCESSOR_ROLES, RELATIONSHIPS, SECTIONS, spell_out

Content = dict[str, Any]

# Clauses staff write, by content key: how a sentence names each.
_CLAUSES = {
    "use": "The clause on how the information will be used",
    "security": "The security clause",
    "quality": "The clause on data quality and correction",
    "rights": "The clause on individuals' rights and complaints",
    "breaches": "The clause on personal data breaches",
    "changes": "The clause on changes to this agreement",
}

# An unchanged run longer than this many words is shortened in a wording's difference.
_CONTEXT = 6


@dataclass(frozen=True)
class Wording:
    """A clause's words before and after. ``diff`` shows them inline as ("same" | "removed" |
    "added", words) runs, with long unchanged runs shortened; it is empty when the two share
    too little for an inline difference to read, and the template shows both in full."""

    before: str
    after: str
    diff: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Change:
    """One sentence saying what changed, with the wording where a clause was reworded."""

    text: str
    wording: Wording | None = None


@dataclass
class SectionChange:
    key: str
    heading: str
    changes: list[Change] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [change.text for change in self.changes]


# -- small phrases -----------------------------------------------------------------------------


def _quoted(text: Any) -> str:
    text = str(text or "").strip()
    return f"“{text}”" if text else "“not stated”"


def _changed(label: str, old: Any, new: Any) -> list[Change]:
    if (old or "") == (new or ""):
        return []
    return [Change(f"{label} changed from {_quoted(old)} to {_quoted(new)}.")]


def _aim(purpose: str) -> str:
    """Return a flow's purpose ("Plan school places…") to follow "to": "to “plan school
    places…”" (an initial capital is kept when it starts an abbreviation: "MIS")."""
    purpose = purpose.strip()
    if len(purpose) > 1 and purpose[1].isupper():
        return f"to “{purpose}”"
    return f"to “{purpose[:1].lower()}{purpose[1:]}”"


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _wording(before: str, after: str) -> Wording:
    old, new = before.split(), after.split()
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.ratio() < 0.5:
        return Wording(before, after)
    runs: list[tuple[str, str]] = []
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            words = old[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if len(words) > 2 * _CONTEXT:
                head = [] if first else words[:_CONTEXT]
                tail = [] if last else words[-_CONTEXT:]
                words = [*head, "…", *tail]
            runs.append(("same", " ".join(words)))
            continue
        if op in ("replace", "delete"):
            runs.append(("removed", " ".join(old[i1:i2])))
        if op in ("replace", "insert"):
            runs.append(("added", " ".join(new[j1:j2])))
    return Wording(before, after, tuple(runs))


def _reworded(label: str, old: list[str] | str | None, new: list[str] | str | None) -> list[Change]:
    before = " ".join(old) if isinstance(old, list) else (old or "")
    after = " ".join(new) if isinstance(new, list) else (new or "")
    if " ".join(before.split()) == " ".join(after.split()):
        return []
    if not before:
        return [Change(f"{label} was added.", Wording("", after))]
    if not after:
        return [Change(f"{label} was removed.", Wording(before, ""))]
    return [Change(f"{label} was reworded.", _wording(before, after))]


def _by(items: list[dict[str, Any]] | None, key: str) -> dict[Any, dict[str, Any]]:
    return {item.get(key): item for item in items or []}


def _services(content: Content) -> dict[str, dict[str, Any]]:
    return _by(content.get("services"), "name")


# -- normalising older contents ----------------------------------------------------------------


def _code_of(text: str, *choices: dict[str, str]) -> str:
    """Return the code whose plain words or staff label ``text`` is (or ``text`` itself)."""
    wanted = (text or "").strip().lower().rstrip(".")
    for mapping in choices:
        for code, words in mapping.items():
            if wanted in (code, words.lower().rstrip(".")):
                return code
    return wanted


def _labels(model_path: str, enum: str) -> dict[str, str]:
    """Return a choice's codes and labels, read lazily (the registry app may be loading)."""
    from django.apps import apps

    app, model = model_path.split(".")
    choices = getattr(apps.get_model(app, model), enum)
    return {str(value): str(label) for value, label in choices.choices}


def _normalised(content: Content) -> Content:
    """Return a copy of ``content`` with roles and relationships as codes and legal shorthand
    spelt out, so contents written by older code compare on what they say."""
    content = copy.deepcopy(content)
    relationships = _labels("governance.PartnerService", "Relationship")
    roles = _labels("processors.Processor", "Role")
    for service in content.get("services", []):
        service["relationship"] = _code_of(
            service.get("relationship", ""), RELATIONSHIPS, relationships
        )
        service["gateway"] = spell_out(service.get("gateway", ""))
    for processor in content.get("processors", []):
        processor["role"] = _code_of(processor.get("role", ""), PROCESSOR_ROLES, roles)
    return content


_ROLE_NAMES = {
    "processor": "a processor",
    "controller": "an independent controller",
    "joint": "a joint controller",
    "no_access": "a supplier with no access to personal data",
}


# -- section by section ------------------------------------------------------------------------


def _parties(old: Content, new: Content) -> list[Change]:
    lines = _changed("The agreement's title", old.get("title"), new.get("title"))
    lines += _changed(
        "How the schools are named as a party",
        old.get("schools_description"),
        new.get("schools_description"),
    )
    before, after = old.get("authority") or {}, new.get("authority") or {}
    for key, label in (
        ("name", "The authority's name"),
        ("service_name", "The service that runs the exchange"),
        ("email", "The authority's email address"),
        ("phone", "The authority's telephone number"),
        ("website", "The authority's website"),
        ("ico_registration", "The authority's ICO registration number"),
    ):
        lines += _changed(label, before.get(key), after.get(key))
    lines += _changed(
        "The authority's address",
        ", ".join(before.get("address") or []),
        ", ".join(after.get("address") or []),
    )
    old_dpo, new_dpo = before.get("dpo") or {}, after.get("dpo") or {}
    lines += _changed(
        "The authority's Data Protection Officer", old_dpo.get("name"), new_dpo.get("name")
    )
    lines += _changed(
        "The email address of the authority's Data Protection Officer",
        old_dpo.get("email"),
        new_dpo.get("email"),
    )
    services_before, services_after = _services(old), _services(new)
    for name in sorted(set(services_after) - set(services_before)):
        lines.append(Change(f"Added {name} as a party."))
    for name in sorted(set(services_before) - set(services_after)):
        lines.append(Change(f"{name} is no longer a party."))
    for name in sorted(set(services_before) & set(services_after)):
        was, now = services_before[name], services_after[name]
        if was.get("relationship") != now.get("relationship"):
            lines.append(
                Change(
                    f"How {name} stands to the schools changed: it is now "
                    f"{RELATIONSHIPS.get(now.get('relationship', ''), now.get('relationship'))}."
                )
            )
        lines += _changed(f"The short name of {name}", was.get("short_name"), now.get("short_name"))
    return lines


def _purpose(old: Content, new: Content) -> list[Change]:
    lines = _reworded("The purpose clause", old.get("purpose"), new.get("purpose"))
    lines += _reworded("The benefits clause", old.get("benefits"), new.get("benefits"))
    before, after = _by(old.get("services"), "name"), _by(new.get("services"), "name")
    for name in sorted(set(before) & set(after)):
        lines += _reworded(
            f"Why {name} receives data", before[name].get("purpose"), after[name].get("purpose")
        )
        lines += _reworded(
            f"What sharing with {name} achieves",
            before[name].get("benefits"),
            after[name].get("benefits"),
        )
    return lines


_BASES = (
    ("art6", "a lawful basis"),
    ("art9", "a condition for special category data"),
    ("dpa", "a Data Protection Act 2018 condition"),
)


def _condition(item: dict[str, Any], title: str = "title", code: str = "code") -> str:
    reference = spell_out(item.get(code) or "")
    return ", ".join(part for part in (item.get(title), reference) if part)


def _legal(old: Content, new: Content) -> list[Change]:
    was, now = old.get("legal") or {}, new.get("legal") or {}
    lines = _bases(was, now) + _special(was, now)
    services_before, services_after = _services(old), _services(new)
    for name in sorted(set(services_before) & set(services_after)):
        lines += _changed(
            f"The power or duty {name} relies on",
            services_before[name].get("gateway"),
            services_after[name].get("gateway"),
        )
    return lines


def _bases(was: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    lines: list[Change] = []
    for key, kind in _BASES:
        before, after = _by(was.get(key), "code"), _by(now.get(key), "code")
        for code in sorted(set(after) - set(before)):
            lines.append(Change(f"Added {kind}: {_condition(after[code])}."))
        for code in sorted(set(before) - set(after)):
            lines.append(Change(f"No longer relies on {kind}: {_condition(before[code])}."))
        for code in sorted(set(before) & set(after)):
            if (before[code].get("title"), before[code].get("plain")) != (
                after[code].get("title"),
                after[code].get("plain"),
            ):
                lines.append(Change(f"The explanation of {_condition(after[code])} changed."))
    return lines


def _special(was: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    lines: list[Change] = []
    before, after = _by(was.get("special"), "sif_name"), _by(now.get("special"), "sif_name")
    for name in sorted(set(after) - set(before)):
        lines.append(
            Change(f"{name} is now shared as special category data: {after[name].get('note')}.")
        )
    for name in sorted(set(before) - set(after)):
        lines.append(Change(f"{name} is no longer shared as special category data."))
    for name in sorted(set(before) & set(after)):
        lines += _changed(
            f"What makes {name} special category data",
            before[name].get("note"),
            after[name].get("note"),
        )
        for code, title, label in (
            ("art9", "art9_title", "UK GDPR Article 9"),
            ("dpa", "dpa_title", "Data Protection Act 2018"),
        ):
            if before[name].get(code) != after[name].get(code):
                lines += _changed(
                    f"The {label} condition relied on for {name}",
                    _condition(before[name], title, code),
                    _condition(after[name], title, code),
                )
    return lines


def _exchange(old: Content, new: Content) -> list[Change]:
    was, now = old.get("exchange") or {}, new.get("exchange") or {}
    before, after = set(was.get("transports") or []), set(now.get("transports") or [])
    lines = [Change(f"Information now also travels by: {t}.") for t in sorted(after - before)]
    lines += [Change(f"Information no longer travels by: {t}.") for t in sorted(before - after)]

    def how_often(exchange: dict[str, Any]) -> dict[str, str]:
        return {p: f["label"] for f in exchange.get("frequencies") or [] for p in f["purposes"]}

    often_before, often_after = how_often(was), how_often(now)
    for purpose in sorted(set(often_before) & set(often_after)):
        if often_before[purpose] != often_after[purpose]:
            lines.append(
                Change(
                    f"Information {_aim(purpose)} is now exchanged "
                    f"{often_after[purpose].lower()} instead of {often_before[purpose].lower()}."
                )
            )
    return lines


def _objects(content: Content) -> dict[str, dict[str, Any]]:
    return {
        o["sif_name"]: {**o, "subject": group["subject"]}
        for group in content.get("data") or []
        for o in group["objects"]
    }


def _data(old: Content, new: Content) -> list[Change]:
    before, after = _objects(old), _objects(new)
    lines = [
        Change(f"Added {name} to the data shared about {after[name]['subject'].lower()}.")
        for name in sorted(set(after) - set(before))
    ]
    lines += [Change(f"{name} is no longer shared.") for name in sorted(set(before) - set(after))]
    for name in sorted(set(before) & set(after)):
        lines += _reworded(
            f"What {name} holds", before[name].get("fields"), after[name].get("fields")
        )
    return lines


def _use(old: Content, new: Content) -> list[Change]:
    lines = _reworded(_CLAUSES["use"], old.get("use"), new.get("use"))
    services_before, services_after = _services(old), _services(new)
    for name in sorted(set(services_after)):
        uses_before = _by(services_before.get(name, {}).get("uses"), "purpose")
        uses_after = _by(services_after[name].get("uses"), "purpose")
        for purpose in sorted(set(uses_after) - set(uses_before)):
            use = uses_after[purpose]
            lines.append(
                Change(
                    f"{name} now receives data {_aim(purpose)} "
                    f"({use['frequency'].lower()}): {', '.join(use['data'])}."
                )
            )
        for purpose in sorted(set(uses_before) - set(uses_after)):
            lines.append(Change(f"{name} no longer receives data {_aim(purpose)}."))
        for purpose in sorted(set(uses_before) & set(uses_after)):
            was, now = uses_before[purpose], uses_after[purpose]
            added = [d for d in now["data"] if d not in was["data"]]
            removed = [d for d in was["data"] if d not in now["data"]]
            if added:
                lines.append(
                    Change(f"{name} now also receives {', '.join(added)} {_aim(purpose)}.")
                )
            if removed:
                lines.append(
                    Change(f"{name} no longer receives {', '.join(removed)} {_aim(purpose)}.")
                )
            if was.get("source") != now.get("source"):
                lines.append(
                    Change(
                        f"{name} now receives data {_aim(purpose)} from "
                        f"{str(now.get('source')).lower()} instead of "
                        f"{str(was.get('source')).lower()}."
                    )
                )
    return lines


def _retention(old: Content, new: Content) -> list[Change]:
    was, now = old.get("retention") or {}, new.get("retention") or {}
    lines = _reworded("The retention clause", was.get("text"), now.get("text"))
    before, after = _by(was.get("rules"), "name"), _by(now.get("rules"), "name")
    for name in sorted(set(after) - set(before)):
        lines.append(Change(f"Added the retention rule “{name}”: {after[name].get('description')}"))
    for name in sorted(set(before) - set(after)):
        lines.append(Change(f"The retention rule “{name}” no longer applies."))
    for name in sorted(set(before) & set(after)):
        rule_before, rule_after = before[name], after[name]
        lines += _reworded(
            f"The retention rule “{name}”",
            rule_before.get("description"),
            rule_after.get("description"),
        )
        lines += _changed(
            f"What happens at the end of the retention rule “{name}”",
            rule_before.get("end"),
            rule_after.get("end"),
        )
        held_before = set(rule_before.get("held_by") or [])
        held_after = set(rule_after.get("held_by") or [])
        lines += [
            Change(f"The retention rule “{name}” now also applies to {h}.")
            for h in sorted(held_after - held_before)
        ]
        lines += [
            Change(f"The retention rule “{name}” no longer applies to {h}.")
            for h in sorted(held_before - held_after)
        ]
    return lines


def _processors(old: Content, new: Content) -> list[Change]:
    before, after = _by(old.get("processors"), "name"), _by(new.get("processors"), "name")
    lines = [
        Change(f"Added the supplier {name}: {after[name].get('what')}")
        for name in sorted(set(after) - set(before))
    ]
    lines += [
        Change(f"{name} is no longer listed as a supplier.")
        for name in sorted(set(before) - set(after))
    ]
    for name in sorted(set(before) & set(after)):
        was, now = before[name], after[name]
        lines += _changed(
            f"Where {name} stores information", was.get("location"), now.get("location")
        )
        if was.get("role") != now.get("role"):
            lines.append(
                Change(
                    f"{name} is now {_ROLE_NAMES.get(now.get('role', ''), now.get('role'))} "
                    f"instead of {_ROLE_NAMES.get(was.get('role', ''), was.get('role'))}."
                )
            )
        lines += _reworded(f"What {name} does", was.get("what"), now.get("what"))
    return lines


def _review(old: Content, new: Content) -> list[Change]:
    was, now = old.get("review") or {}, new.get("review") or {}
    lines = _changed("The review date", was.get("display"), now.get("display"))
    return lines + _reworded(
        "The termination clause", was.get("termination"), now.get("termination")
    )


def _officers(old: Content, new: Content) -> list[Change]:
    def key(o: dict[str, Any]) -> tuple[str, str]:
        return (o.get("partner", ""), o.get("name", ""))

    before = {key(o): o for o in old.get("officers") or []}
    after = {key(o): o for o in new.get("officers") or []}
    lines = [
        Change(
            f"{name}, {after[(partner, name)].get('position')}, is now the designated "
            f"officer for {partner}."
        )
        for partner, name in sorted(set(after) - set(before))
    ]
    lines += [
        Change(f"{name} is no longer the designated officer for {partner}.")
        for partner, name in sorted(set(before) - set(after))
    ]
    for partner, name in sorted(set(before) & set(after)):
        was, now = before[(partner, name)], after[(partner, name)]
        lines += _changed(
            f"The position of {name}, officer for {partner},",
            was.get("position"),
            now.get("position"),
        )
        lines += _changed(
            f"The email address of {name}, officer for {partner},",
            was.get("email"),
            now.get("email"),
        )
    return lines


def _schedule(old: Content, new: Content) -> list[Change]:
    before, after = _by(old.get("schedule"), "urn"), _by(new.get("schedule"), "urn")
    lines = [
        Change(f"Added {after[u]['name']} (URN {u}) to the schools party to it.")
        for u in sorted(set(after) - set(before), key=lambda u: after[u]["name"])
    ]
    lines += [
        Change(f"{before[u]['name']} (URN {u}) is no longer a party.")
        for u in sorted(set(before) - set(after), key=lambda u: before[u]["name"])
    ]
    for urn in sorted(set(before) & set(after)):
        lines += _changed(
            f"The name of the school with URN {urn}", before[urn]["name"], after[urn]["name"]
        )
    return lines


def _clause(key: str) -> Any:
    def describe(old: Content, new: Content) -> list[Change]:
        return _reworded(_CLAUSES[key], old.get(key), new.get(key))

    return describe


_SECTIONS = {
    "parties": _parties,
    "purpose": _purpose,
    "legal": _legal,
    "exchange": _exchange,
    "data": _data,
    "use": _use,
    "security": _clause("security"),
    "quality": _clause("quality"),
    "retention": _retention,
    "rights": _clause("rights"),
    "breaches": _clause("breaches"),
    "processors": _processors,
    "changes": _clause("changes"),
    "review": _review,
    "officers": _officers,
    "schedule": _schedule,
}

# Keys that differ between any two versions without the agreement saying anything new.
_NOT_COMPARED = {"number", "change_summary"}


def _same(old: Any, new: Any) -> bool:
    """Whether two contents agree on every key both have (keys added by newer code are not a
    change in what the agreement says)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return all(_same(old[k], new[k]) for k in old.keys() & new.keys())
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    return json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)


def first_version_summary(content: Content) -> str:
    """Return one sentence saying what a first version covers."""
    services = content.get("services") or []
    objects = _objects(content)
    special = len((content.get("legal") or {}).get("special") or [])
    schools = len(content.get("schedule") or [])
    suppliers = len(content.get("processors") or [])
    authority = (content.get("authority") or {}).get("name") or "the authority"
    shared = _plural(len(objects), "data object")
    if special:
        shared += f", {special} of them special category data"
    return (
        f"First version: {_plural(schools, 'school')} and {_plural(len(services), 'service')} "
        f"of {authority} are parties; it shares {shared}, and names "
        f"{_plural(suppliers, 'supplier')}."
    )


def describe_changes(old: Content | None, new: Content) -> list[SectionChange]:
    """Return, section by section, sentences saying how ``new`` differs from ``old``.

    ``old`` None (a first version) gives one short statement of what the version covers, not
    every field as "added". No section is listed whose words did not change.
    """
    if old is None:
        return [SectionChange("first", "First version", [Change(first_version_summary(new))])]
    old, new = _normalised(old), _normalised(new)
    changes = []
    for key, heading in SECTIONS:
        lines = _SECTIONS[key](old, new)
        if lines:
            changes.append(SectionChange(key, heading, lines))
    if not changes:
        # A safety net: a difference no rule above puts into words is still reported.
        keys = (old.keys() & new.keys()) - _NOT_COMPARED
        if not all(_same(old[k], new[k]) for k in keys):
            other = Change("Other details of the agreement changed: read it in full.")
            changes.append(SectionChange("other", "Other changes", [other]))
    return changes
