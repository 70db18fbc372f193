"""Say what changed between two versions of a notice, in words a parent understands.

Contents issued before the whole-register notices (recipients under ``authority_services``
and ``processors``) are read through the same lens, so their history still reads.
"""

from typing import Any

Entry = dict[str, Any]

_OLD_SECTIONS = (("authority_services", "council service"), ("processors", "company"))


def _names(items: list[Entry], key: str = "name") -> dict[str, Entry]:
    return {item[key]: item for item in items}


def _added_removed(old: dict, new: dict) -> tuple[list[str], list[str]]:
    return sorted(set(new) - set(old)), sorted(set(old) - set(new))


def _recipients(content: dict[str, Any]) -> dict[str, tuple[str, Entry]]:
    """Return every recipient by name with the label of its kind, old layout or new."""
    found: dict[str, tuple[str, Entry]] = {}
    for section, label in _OLD_SECTIONS:
        for entry in content.get(section, []):
            found[entry["name"]] = (label, entry)
    for group in content.get("recipient_groups", []):
        for entry in group["recipients"]:
            found[entry["name"]] = (group["heading"].lower(), entry)
    return found


def _recipient_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = _recipients(old), _recipients(new)
    added, removed = _added_removed(before, after)
    lines = [f"Information is now shared with {name} ({after[name][0]})." for name in added]
    lines += [f"Information is no longer shared with {name}." for name in removed]
    for name in sorted(set(before) & set(after)):
        lines += _exchange_changes(name, before[name][1], after[name][1])
    return lines


def _exchange_changes(name: str, old: Entry, new: Entry) -> list[str]:
    lines = []
    old_data = {d for e in old.get("exchanges", []) for d in e["data"]}
    new_data = {d for e in new.get("exchanges", []) for d in e["data"]}
    lines += [f"{name} now receives: {item}." for item in sorted(new_data - old_data)]
    lines += [f"{name} no longer receives: {item}." for item in sorted(old_data - new_data)]
    if old.get("location") != new.get("location"):
        lines.append(
            f"Where {name} stores information changed from “{old.get('location') or 'not stated'}” "
            f"to “{new.get('location') or 'not stated'}”."
        )
    old_terms = {(e["purpose"], e["frequency"], e["retention"]) for e in old.get("exchanges", [])}
    new_terms = {(e["purpose"], e["frequency"], e["retention"]) for e in new.get("exchanges", [])}
    if old_terms != new_terms and old_data == new_data:
        lines.append(f"Why, how often or how long {name} keeps information changed.")
    return lines


def _listed(old: dict, new: dict, key: str, field: str, added: str, removed: str) -> list[str]:
    before, after = _names(old.get(key, []), field), _names(new.get(key, []), field)
    plus, minus = _added_removed(before, after)
    return [added.format(name) for name in plus] + [removed.format(name) for name in minus]


def _register_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = _listed(old, new, "categories", "title", "A new kind of information is held: {}.",
                    "This kind of information is no longer held: {}.")  # fmt: skip
    lines += _listed(old, new, "purposes", "description", "A new purpose: {}.",
                     "This purpose no longer applies: {}.")  # fmt: skip
    lines += _listed(old, new, "systems", "name", "Information is now kept in {}.",
                     "Information is no longer kept in {}.")  # fmt: skip
    bases_before, bases_after = _names(old["bases"], "code"), _names(new["bases"], "code")
    plus, minus = _added_removed(bases_before, bases_after)
    lines += [f"A new lawful basis is relied on: {bases_after[c]['title']} ({c})." for c in plus]
    lines += [f"This lawful basis is no longer relied on: {code}." for code in minus]
    return lines


_CHANGED_LABELS = [
    ("controller", "The data controller's details"),
    ("dpo", "The Data Protection Officer's contact details"),
    ("dp_lead", "The school's data protection lead"),
    ("school", "The school's contact details"),
    ("security", "How we protect information"),
    ("transfers", "What we say about information stored outside the UK"),
]


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Return plain sentences describing how ``new`` differs from ``old``."""
    if old is None:
        return ["This is the first version of this notice."]
    lines = _recipient_changes(old, new) + _register_changes(old, new)
    for key, label in _CHANGED_LABELS:
        if old.get(key) != new.get(key):
            lines.append(f"{label} changed.")
    if old.get("retention") != new.get("retention") or old.get("retention_schedule") != new.get(
        "retention_schedule"
    ):
        lines.append("How long information is kept changed.")
    if old.get("laws") != new.get("laws") or old.get("rights") != new.get("rights"):
        lines.append("The wording about the law or your rights was updated.")
    return lines or ["The wording of the notice was updated; what is shared did not change."]
