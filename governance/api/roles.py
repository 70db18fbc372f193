"""Who is calling the API, and what they may see.

Every request resolves to one role: staff (read and write everything), auditor (read
everything, write nothing) or DPO (read what applies to their schools, write only their
schools' own part of the register). A token can narrow its owner's role, never widen it:
a staff member may issue an auditor's token to a reporting system.

What a DPO may see is decided here once for every resource (``visible``): another school's
record is simply not in the queryset, so its URL answers 404.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from governance.models import School, User

STAFF, AUDITOR, DPO = User.Role.STAFF, User.Role.AUDITOR, User.Role.DPO


def api_role(request: Any) -> str | None:
    """Return the caller's role (None for an anonymous or inactive caller). A token's own
    role narrows its owner's (``ApiToken.role``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    role = user.role
    scoped = getattr(getattr(request, "auth", None), "role", None)
    if scoped is None:
        return role
    if role == STAFF and scoped in (STAFF, AUDITOR):
        return scoped
    return scoped if scoped == role else None


def dpo_schools(request: Any) -> QuerySet[School]:
    """The schools the calling DPO acts for (memoised on the request)."""
    cached = getattr(request, "_api_dpo_schools", None)
    if cached is None:
        cached = list(School.objects.filter(dpo_users=request.user).values_list("pk", "authority"))
        request._api_dpo_schools = cached
    return School.objects.filter(pk__in=[pk for pk, _ in cached])


def dpo_ids(request: Any) -> tuple[list[int], list[int]]:
    """The ids of the calling DPO's schools and of their organisations."""
    dpo_schools(request)
    rows = request._api_dpo_schools
    return [pk for pk, _ in rows], sorted({authority for _, authority in rows})


# What a DPO sees of each model: a function of (their school ids, their organisation ids).
Visibility = Callable[[list[int], list[int]], Q]


def owned(schools: list[int], organisations: list[int]) -> Q:
    """An organisation's records (no school) and the DPO's schools' own."""
    return Q(authority__in=organisations, school__isnull=True) | Q(school__in=schools)


def owned_or_national(schools: list[int], organisations: list[int]) -> Q:
    """As ``owned``, and national records (no organisation)."""
    return owned(schools, organisations) | Q(authority__isnull=True)


def suppliers(schools: list[int], organisations: list[int]) -> Q:
    """Shared suppliers, and the DPO's schools' own."""
    return Q(school__isnull=True) | Q(school__in=schools)


def of_organisation(schools: list[int], organisations: list[int]) -> Q:
    return Q(authority__in=organisations)


def of_school(schools: list[int], organisations: list[int]) -> Q:
    return Q(school__in=schools)


def everyone(schools: list[int], organisations: list[int]) -> Q:
    return Q()


def visible(request: Any, queryset: QuerySet[Any], rule: Visibility) -> QuerySet[Any]:
    """Narrow ``queryset`` to what the caller may read."""
    role = api_role(request)
    if role in (STAFF, AUDITOR):
        return queryset
    if role != DPO:
        return queryset.none()
    schools, organisations = dpo_ids(request)
    return queryset.filter(rule(schools, organisations))
