"""Template helpers for the agreement's words."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def party_groups(services: list[dict[str, Any]], exchange_service: str) -> list[dict[str, Any]]:
    """Group the party services other than the one running the exchange by how they stand to
    the schools, so each standing is said once: [{"relationship": ..., "services": [...]}]."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for service in services:
        if service.get("name") != exchange_service:
            groups.setdefault(service.get("relationship", ""), []).append(service)
    return [{"relationship": r, "services": s} for r, s in groups.items()]
