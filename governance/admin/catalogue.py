"""The vocabularies: data categories, lawful bases and laws, retention rules."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from governance.admin_base import (
    HTTPS_URLS,
    ModelAdmin,
    OneOrganisationAdmin,
    OwnerFilter,
    flow_count_link,
    owner_display,
    warnings_html,
)
from governance.forms import DataObjectForm
from governance.models import DataObject, ExternalRecipient, LawfulBasis, Purpose, RetentionRule
from governance.services import object_condition_misfits

BY_ORGANISATION = ("authority", admin.RelatedOnlyFieldListFilter)
BY_SCHOOL = ("school", admin.RelatedOnlyFieldListFilter)


@admin.register(DataObject)
class DataObjectAdmin(OneOrganisationAdmin):
    """Data categories: what each organisation (and each school) holds, in plain words."""

    form = DataObjectForm
    list_display = ["title", "sif_name", "data_subject", "owner", "is_special_category",
                    "art9_condition", "held_by_every_school", "flow_count"]  # fmt: skip
    list_filter = ["data_subject", "obligation", "is_special_category", "held_by_every_school",
                   OwnerFilter,
                   BY_ORGANISATION, BY_SCHOOL]  # fmt: skip
    search_fields = ["title", "sif_name", "fields_description", "special_category_note",
                     "school__name"]  # fmt: skip
    list_select_related = ["art9_condition", "authority", "school"]
    autocomplete_fields = ["school"]
    fieldsets = [
        ("Belongs to", {
            "fields": ["authority", "school"],
            "description": "An organisation's category is part of every school's register; "
                           "choose a school for a category only that school holds (its "
                           "organisation follows).",
        }),
        (None, {"fields": ["title", "sif_name", "data_subject", "fields_description",
                           "held_by_every_school"]}),
        ("Where it comes from and whether it must be provided", {
            "fields": ["obligation", "source"],
            "description": "Notices tell people both (UK GDPR Articles 13 and 14).",
        }),
        ("Special category data", {"fields": ["is_special_category", "special_category_note",
                                              "art9_condition", "dpa_condition",
                                              "condition_warnings"]}),
    ]  # fmt: skip
    readonly_fields = ["condition_warnings"]

    def save_model(self, request: HttpRequest, obj: DataObject, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        for warning in object_condition_misfits(obj):
            messages.warning(request, warning)

    @admin.display(description="Do the conditions fit?")
    def condition_warnings(self, obj: DataObject) -> str:
        if not obj.is_special_category:
            return "—"
        warnings = object_condition_misfits(obj)
        return warnings_html(warnings) if warnings else "Yes: they fit whose data it is."

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataObject]:
        qs = super().get_queryset(request).annotate(n_flows=Count("flows", distinct=True))
        return qs.order_by(*self.model._meta.ordering)

    @admin.display(description="Belongs to", ordering="school__name")
    def owner(self, obj: DataObject) -> str:
        return owner_display(obj)

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: DataObject) -> str:
        return flow_count_link(obj, "data_objects__id__exact")

    def has_delete_permission(self, request: HttpRequest, obj: DataObject | None = None) -> bool:
        """Refuse deleting a category that flows, purposes or systems name."""
        in_use = obj is not None and (
            obj.flows.exists() or obj.purposes.exists() or obj.systems.exists()
        )
        return not in_use and super().has_delete_permission(request, obj)


def basis_in_use(basis: LawfulBasis) -> bool:
    """Return whether a flow, a purpose, a recipient or a category cites ``basis``."""
    return (
        basis.flows.exists()
        or Purpose.objects.filter(lawful_bases=basis).exists()
        or Purpose.objects.filter(laws=basis).exists()
        or ExternalRecipient.objects.filter(laws=basis).exists()
        or ExternalRecipient.objects.filter(lawful_bases=basis).exists()
    )


@admin.register(LawfulBasis)
class LawfulBasisAdmin(ModelAdmin):
    """Lawful bases and conditions (national), and the laws behind statutory sharing."""

    formfield_overrides = HTTPS_URLS
    list_display = ["code", "title", "kind", "reach", "only_for", "link", "flow_count",
                    "recipient_count"]  # fmt: skip
    list_filter = ["kind", "reach", "only_for"]
    search_fields = ["code", "title", "plain_text"]
    fields = ["kind", "code", "title", "plain_text", "reach", "only_for", "url"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LawfulBasis]:
        qs = (
            super()
            .get_queryset(request)
            .annotate(
                n_flows=Count("flows", distinct=True),
                n_recipients=Count("external_recipients", distinct=True),
            )
        )
        return qs.order_by(*self.model._meta.ordering)

    @admin.display(description="Link")
    def link(self, obj: LawfulBasis) -> str:
        if not obj.url:
            return "—"
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, "read it")

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: LawfulBasis) -> str:
        return flow_count_link(obj, "lawful_bases__id__exact")

    @admin.display(description="Recipients under it", ordering="n_recipients")
    def recipient_count(self, obj: LawfulBasis) -> int:
        return obj.n_recipients  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: LawfulBasis | None = None) -> bool:
        """Refuse deleting a basis the register relies on: removing it would silently weaken
        flows, purposes and recipients."""
        in_use = obj is not None and basis_in_use(obj)
        return not in_use and super().has_delete_permission(request, obj)


@admin.register(RetentionRule)
class RetentionRuleAdmin(OneOrganisationAdmin):
    list_display = ["name", "authority", "period_display", "event", "end_action", "flow_count"]
    list_filter = [BY_ORGANISATION, "end_action", "period_unit"]
    search_fields = ["name", "event", "description"]
    list_select_related = ["authority"]
    fields = ["authority", "name", "period_value", "period_unit", "event", "description",
              "end_action"]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[RetentionRule]:
        qs = super().get_queryset(request).annotate(n_flows=Count("flows", distinct=True))
        return qs.order_by(*self.model._meta.ordering)

    @admin.display(description="Period")
    def period_display(self, obj: RetentionRule) -> str:
        return obj.period_display or "—"

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: RetentionRule) -> str:
        return flow_count_link(obj, "retention_rule__id__exact")
