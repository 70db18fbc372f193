"""Offerings and subscriptions, and the data flows: who receives which data, why and how."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Prefetch, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join

from governance.admin.catalogue import BY_ORGANISATION
from governance.admin_base import ModelAdmin, OneOrganisationAdmin, StackedInline, warnings_html
from governance.forms import DataFlowForm
from governance.models import DataFlow, Offering, Subscription
from governance.services import condition_misfits, save_data_flow, set_flows_active

RECIPIENT_HELP = (
    "Exactly one of three kinds: an <strong>authority service</strong> (a service of the "
    "organisation, e.g. Children Missing Education), a <strong>supplier</strong> (a company "
    "that runs a service, e.g. Redstor), or a <strong>public body or other recipient</strong> "
    "(the DfE, other schools, an examination board)."
)


class RecipientKindFilter(admin.SimpleListFilter):
    title = "recipient kind"
    parameter_name = "recipient"
    KINDS = {
        "service": ("Authority services", "partner_service"),
        "supplier": ("Suppliers", "processor"),
        "body": ("Public bodies and other recipients", "body"),
    }

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(key, label) for key, (label, _) in self.KINDS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        kind = self.KINDS.get(self.value() or "")
        return queryset.filter(**{f"{kind[1]}__isnull": False}) if kind else queryset


def recipient_kind(flow: DataFlow) -> str:
    """Name the kind of recipient ``flow`` goes to, as staff read it."""
    if flow.partner_service_id:
        return "Authority service"
    if flow.processor_id:
        return "Supplier"
    return flow.body.get_kind_display() if flow.body else "—"


def save_flow_form(form: DataFlowForm, request: HttpRequest | None = None) -> DataFlow:
    """Save a validated flow form through the service, with its categories and bases, and
    warn when a special category condition does not fit whose data it is."""
    flow = save_data_flow(
        flow=form.instance,
        data_objects=form.cleaned_data["data_objects"],
        lawful_bases=form.cleaned_data["lawful_bases"],
    )
    if request is not None:
        for warning in condition_misfits(
            data_objects=form.cleaned_data["data_objects"],
            lawful_bases=form.cleaned_data["lawful_bases"],
        ):
            messages.warning(request, f"{flow.purpose}: {warning}")
    return flow


class OfferingFlowFormSet(BaseInlineFormSet):
    """An offering's flows are the offering's organisation's: offer only its records."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "organisation": self.instance.authority_id}


class FlowInline(StackedInline):
    model = DataFlow
    form = DataFlowForm
    formset = OfferingFlowFormSet
    extra = 0
    fields = [
        ("partner_service", "processor", "body"), "purpose", "data_objects", "lawful_bases",
        ("frequency", "transport"), ("retention_rule", "is_active"),
    ]  # fmt: skip
    filter_horizontal = ["data_objects", "lawful_bases"]
    autocomplete_fields = ["body"]
    show_change_link = True


@admin.register(Offering)
class OfferingAdmin(OneOrganisationAdmin):
    list_display = ["name", "authority", "is_active", "subscriber_count", "recipients"]
    list_filter = ["is_active", "authority"]
    search_fields = ["name", "description"]
    list_select_related = ["authority"]
    inlines = [FlowInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offering]:
        current = Subscription.objects.current().values("pk")
        flows = DataFlow.objects.select_related("partner_service", "processor", "body")
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_subs=Count("subscriptions", filter=Q(subscriptions__in=current), distinct=True)
            )
            .prefetch_related(Prefetch("flows", queryset=flows))
            .order_by("name")
        )

    @admin.display(description="Schools subscribed now", ordering="n_subs")
    def subscriber_count(self, obj: Offering) -> int:
        return obj.n_subs  # type: ignore[attr-defined]

    @admin.display(description="Recipients")
    def recipients(self, obj: Offering) -> str:
        return ", ".join(sorted({str(flow.recipient) for flow in obj.flows.all()})) or "—"

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Save inline flows through the service (they take the offering's organisation)."""
        if formset.model is not DataFlow:
            return super().save_formset(request, form, formset, change)
        changed = {id(flow) for flow in formset.save(commit=False)}  # Django's bookkeeping
        for flow in formset.deleted_objects:
            flow.delete()
        for flow_form in formset.forms:
            if id(flow_form.instance) in changed:
                flow_form.instance.authority_id = form.instance.authority_id
                save_flow_form(flow_form, request)
        return None


@admin.register(Subscription)
class SubscriptionAdmin(ModelAdmin):
    list_display = ["school", "offering", "start_date", "end_date", "is_current"]
    list_filter = ["offering", "start_date", "end_date"]
    search_fields = ["school__name", "school__urn", "offering__name"]
    autocomplete_fields = ["school", "offering"]
    list_select_related = ["school", "offering"]
    date_hierarchy = "start_date"

    @admin.display(description="In force", boolean=True)
    def is_current(self, obj: Subscription) -> bool:
        today = timezone.localdate()
        return obj.start_date <= today and (obj.end_date is None or obj.end_date >= today)


@admin.register(DataFlow)
class DataFlowAdmin(OneOrganisationAdmin):
    form = DataFlowForm
    list_display = ["purpose", "source", "recipient_display", "kind", "objects", "frequency",
                    "retention_rule", "is_active"]  # fmt: skip
    list_filter = [
        "is_active", RecipientKindFilter, "frequency", BY_ORGANISATION, "offering",
        ("partner_service", admin.RelatedOnlyFieldListFilter),
        ("processor", admin.RelatedOnlyFieldListFilter),
        ("body", admin.RelatedOnlyFieldListFilter),
        "data_objects__data_subject", "data_objects__is_special_category",
    ]  # fmt: skip
    search_fields = ["purpose", "description", "partner_service__name", "processor__name",
                     "body__name", "data_objects__title", "data_objects__sif_name",
                     "offering__name", "school__name"]  # fmt: skip
    filter_horizontal = ["data_objects", "lawful_bases"]
    autocomplete_fields = ["school", "offering", "partner_service", "processor", "body"]
    actions = ["activate", "deactivate"]
    fieldsets = [
        ("Source", {"fields": ["authority", "offering", "school"],
                    "description": "Leave both the offering and the school empty for a flow "
                                   "from every school of the organisation."}),
        ("Recipient", {"fields": ["partner_service", "processor", "body"],
                       "description": RECIPIENT_HELP}),
        ("What and why", {"fields": ["purpose", "description", "data_objects", "lawful_bases",
                                     "condition_warnings"]}),
        ("How", {"fields": ["frequency", "transport", "retention_rule", "is_active"]}),
    ]  # fmt: skip
    readonly_fields = ["condition_warnings"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataFlow]:
        return super().get_queryset(request).with_details()  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: DataFlow, form: Any, change: bool) -> None:
        save_flow_form(form, request)

    @admin.display(description="Special category conditions")
    def condition_warnings(self, obj: DataFlow) -> str:
        if obj.pk is None:
            return "—"
        warnings = condition_misfits(
            data_objects=obj.data_objects.select_related("art9_condition", "dpa_condition"),
            lawful_bases=obj.lawful_bases.all(),
        )
        return warnings_html(warnings) if warnings else "They fit whose data it is."

    @admin.display(description="From")
    def source(self, obj: DataFlow) -> str:
        return obj.source_display

    @admin.display(description="Recipient")
    def recipient_display(self, obj: DataFlow) -> str:
        return str(obj.recipient)

    @admin.display(description="Kind of recipient")
    def kind(self, obj: DataFlow) -> str:
        return recipient_kind(obj)

    @admin.display(description="Data categories")
    def objects(self, obj: DataFlow) -> str:
        return format_html_join(", ", "{}", ((o.title,) for o in obj.data_objects.all()))

    @admin.action(description="Mark selected flows active", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[DataFlow]) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(
        description="Mark selected flows inactive (no longer happening)", permissions=["change"]
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet[DataFlow]) -> None:
        self._set_active(request, queryset, active=False)

    def _set_active(
        self, request: HttpRequest, queryset: QuerySet[DataFlow], *, active: bool
    ) -> None:
        changed = set_flows_active(flows=queryset, active=active)
        self.message_user(request, f"{changed} flow(s) updated.", messages.SUCCESS)
