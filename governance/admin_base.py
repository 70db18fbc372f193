"""Shared pieces of the staff admin."""

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

# A web address typed without a scheme is taken as https (Django 6's default, chosen now).
HTTPS_URLS: Mapping[Any, Mapping[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


def missing_details_html(missing: list[str]) -> str:
    """Show staff, in red, what a document would need that the registry lacks."""
    if not missing:
        return "—"
    return format_html('<strong class="missing-details">Missing: {}</strong>', ", ".join(missing))


def owner_display(obj: Any) -> str:
    """Say whose record ``obj`` is: one school's, an organisation's, or national."""
    if obj.school_id:
        return f"{obj.school.name} (its own)"
    if getattr(obj, "authority_id", None):
        return str(obj.authority.name)
    return "National"


def flow_count_link(obj: Any, lookup: str) -> str:
    """Link a record's flow count (annotated as ``n_flows``) to the list of those flows."""
    if not obj.n_flows:
        return "0"
    url = reverse("admin:governance_dataflow_changelist")
    return format_html('<a href="{}?{}={}">{}</a>', url, lookup, obj.pk, obj.n_flows)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the system (versions, signatures, logs): shown, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LinkedRowsInline(admin.TabularInline):
    """Rows shown read-only with a link to each: they are edited on their own pages."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OneOrganisationAdmin(admin.ModelAdmin):
    """A new record belongs to the organisation by default when there is only one."""

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        from governance.models import Authority

        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        if "authority" not in initial and "school" not in initial:
            only = list(Authority.objects.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                initial["authority"] = only[0]
        return initial


class OwnerFilter(admin.SimpleListFilter):
    """Whose record it is: national (every organisation), an organisation's (all its schools),
    or one school's own."""

    title = "belongs to"
    parameter_name = "owner"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = [
            ("organisation", "An organisation (all its schools)"),
            ("school", "One school (its own)"),
        ]
        if model_admin.model._meta.get_field("authority").null:
            choices.insert(0, ("national", "National (every organisation)"))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        lookups = {
            "national": {"authority__isnull": True},
            "organisation": {"authority__isnull": False, "school__isnull": True},
            "school": {"school__isnull": False},
        }
        value = self.value()
        return queryset.filter(**lookups[value]) if value in lookups else queryset
