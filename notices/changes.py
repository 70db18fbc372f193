"""Say what changed between two versions of a notice, in words a parent understands."""

from typing import Any


def _names(items: list[dict[str, Any]], key: str = "name") -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def _added_removed(old: dict, new: dict) -> tuple[list[str], list[str]]:
    return sorted(set(new) - set(old)), sorted(set(old) - set(new))


def _recipient_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for section, label in (("authority_services", "council service"), ("processors", "company")):
        before, after = _names(old[section]), _names(new[section])
        added, removed = _added_removed(before, after)
        lines += [f"Information is now shared with {name} ({label})." for name in added]
        lines += [f"Information is no longer shared with {name}." for name in removed]
        for name in sorted(set(before) & set(after)):
            lines += _exchange_changes(name, before[name], after[name])
    return lines


def _exchange_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    old_data = {d for e in old["exchanges"] for d in e["data"]}
    new_data = {d for e in new["exchanges"] for d in e["data"]}
    for item in sorted(new_data - old_data):
        lines.append(f"{name} now receives: {item}.")
    for item in sorted(old_data - new_data):
        lines.append(f"{name} no longer receives: {item}.")
    if old.get("location") != new.get("location"):
        lines.append(
            f"Where {name} stores information changed from “{old.get('location') or 'not stated'}” "
            f"to “{new.get('location') or 'not stated'}”."
        )
    old_terms = {(e["purpose"], e["frequency"], e["retention"]) for e in old["exchanges"]}
    new_terms = {(e["purpose"], e["frequency"], e["retention"]) for e in new["exchanges"]}
    if old_terms != new_terms and old_data == new_data:
        lines.append(f"Why, how often or how long {name} keeps information changed.")
    return lines


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Return plain sentences describing how ``new`` differs from ``old``."""
    if old is None:
        return ["This is the first version of this notice."]
    lines = _recipient_changes(old, new)
    cats_before, cats_after = _names(old["categories"], "title"), _names(new["categories"], "title")
    added, removed = _added_removed(cats_before, cats_after)
    lines += [f"A new kind of information is shared: {title}." for title in added]
    lines += [f"This kind of information is no longer shared: {title}." for title in removed]
    bases_before, bases_after = _names(old["bases"], "code"), _names(new["bases"], "code")
    added, removed = _added_removed(bases_before, bases_after)
    lines += [
        f"A new lawful basis is relied on: {code} {bases_after[code]['title']}." for code in added
    ]
    lines += [f"This lawful basis is no longer relied on: {code}." for code in removed]
    for key, label in (("controller", "The data controller's details"),
                       ("dpo", "The Data Protection Officer's contact details"),
                       ("dp_lead", "The school's data protection lead"),
                       ("school", "The school's contact details")):  # fmt: skip
        if old.get(key) != new.get(key):
            lines.append(f"{label} changed.")
    if old.get("retention") != new.get("retention"):
        lines.append("How long information is kept changed.")
    if old.get("statutory") != new.get("statutory") or old.get("rights") != new.get("rights"):
        lines.append("The wording about government sharing or your rights was updated.")
    return lines or ["The wording of the notice was updated; what is shared did not change."]
