"""What changed between two versions of an agreement, section by section, line by line."""

from dataclasses import dataclass, field
from typing import Any

from agreements.content import SECTIONS

# Which content keys each section is read from.
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "parties": ("title", "authority", "schools_description", "services"),
    "purpose": ("purpose", "benefits"),
    "review": ("review",),
    "officers": ("officers",),
}


@dataclass
class SectionChange:
    key: str
    heading: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _lines(value: Any) -> list[str]:
    """Flatten content into readable lines: each dict in a list becomes one line."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str | int | float | bool):
        return [str(value)]
    if isinstance(value, list):
        lines: list[str] = []
        for item in value:
            if isinstance(item, dict):
                lines.append(" · ".join(line for v in item.values() for line in _lines(v)))
            else:
                lines.extend(_lines(item))
        return lines
    if isinstance(value, dict):
        return [line for v in value.values() for line in _lines(v)]
    return [str(value)]


def section_lines(content: dict[str, Any], key: str) -> list[str]:
    """Return the lines of one section of an agreement's content."""
    return [line for k in SECTION_KEYS.get(key, (key,)) for line in _lines(content.get(k))]


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[SectionChange]:
    """Return the sections whose words differ between ``old`` and ``new``, with the lines
    that were added and removed (order-preserving). ``old`` None means everything is new."""
    changes = []
    for key, heading in SECTIONS:
        before = section_lines(old, key) if old else []
        after = section_lines(new, key)
        added = [line for line in after if line not in before]
        removed = [line for line in before if line not in after]
        if added or removed:
            changes.append(SectionChange(key, heading, added, removed))
    return changes
