"""Staff's due-diligence records on suppliers: shared ones and those a school added itself."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from governance.admin_base import (
    HTTPS_URLS,
    ModelAdmin,
    TabularInline,
    flow_count_link,
    missing_details_html,
)
from processors.models import Certification, Processor, ProcessorLink


class ProcessorLinkInline(TabularInline):
    model = ProcessorLink
    formfield_overrides = HTTPS_URLS
    extra = 0


class SupplierOwnerFilter(admin.SimpleListFilter):
    title = "used by"
    parameter_name = "owner"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("shared", "Shared (every organisation)"), ("school", "A school's own")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("shared", "school"):
            return queryset.filter(school__isnull=self.value() == "shared")
        return queryset


def supplier_gaps(processor: Processor) -> list[str]:
    """What a document needs that the registry lacks, and a no-access supplier given data."""
    gaps = list(processor.missing_details)
    flows = getattr(processor, "n_flows", 0)
    if not processor.has_access and flows:
        gaps.append(f"marked “no access to personal data” yet receives {flows} flow(s)")
    return gaps


@admin.register(Processor)
class ProcessorAdmin(ModelAdmin):
    """Suppliers: what each does, on what footing, where the data goes, and for how long."""

    formfield_overrides = HTTPS_URLS
    list_display = ["name", "products", "role", "owner", "data_location", "data_leaves_uk",
                    "certification_names", "review_date", "flow_count", "gaps"]  # fmt: skip
    list_filter = ["role", "data_leaves_uk", SupplierOwnerFilter, "certifications",
                   ("review_date", admin.EmptyFieldListFilter),
                   ("school", admin.RelatedOnlyFieldListFilter)]  # fmt: skip
    search_fields = ["name", "products", "service_description", "data_location", "school__name"]
    list_select_related = ["school"]
    filter_horizontal = ["certifications", "sub_processors"]
    autocomplete_fields = ["school", "retention_rule"]
    readonly_fields = ["gaps"]
    inlines = [ProcessorLinkInline]
    fieldsets = [
        (None, {"fields": ["name", "products", "service_description", "role", "school"]}),
        ("Due diligence", {"fields": ["compliance_statement", "certifications", "ico_registration",
                                      "contract_reference", "website", "review_date",
                                      "reviewed_on", "review_evidence"]}),
        ("Where and how long", {"fields": ["data_location", "data_leaves_uk",
                                           "transfer_safeguards", "retention_rule",
                                           "retention_notes", "sub_processors", "gaps"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Processor]:
        qs = super().get_queryset(request).prefetch_related("certifications")
        return qs.annotate(n_flows=Count("flows", distinct=True)).order_by("name")

    @admin.display(description="Used by", ordering="school__name")
    def owner(self, obj: Processor) -> str:
        return format_html("{} (its own)", obj.school.name) if obj.school else "Shared"

    @admin.display(description="Certifications")
    def certification_names(self, obj: Processor) -> str:
        return ", ".join(c.name for c in obj.certifications.all()) or "—"

    @admin.display(description="Missing details")
    def gaps(self, obj: Processor) -> str:
        return missing_details_html(supplier_gaps(obj))

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: Processor) -> str:
        return flow_count_link(obj, "processor__id__exact")


@admin.register(Certification)
class CertificationAdmin(ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
