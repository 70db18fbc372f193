"""Staff's due-diligence records on third-party processors."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from governance.admin import HTTPS_URLS, missing_details_html
from processors.models import Certification, Processor, ProcessorLink


class ProcessorLinkInline(admin.TabularInline):
    model = ProcessorLink
    formfield_overrides = HTTPS_URLS
    extra = 0


@admin.register(Processor)
class ProcessorAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "products", "role", "data_location", "data_leaves_uk",
                    "certification_names", "flow_count", "gaps"]  # fmt: skip
    list_filter = ["role", "data_leaves_uk", "certifications"]
    search_fields = ["name", "products", "service_description", "data_location"]
    filter_horizontal = ["certifications", "sub_processors"]
    autocomplete_fields = ["retention_rule"]
    inlines = [ProcessorLinkInline]
    fieldsets = [
        (None, {"fields": ["name", "products", "service_description", "role"]}),
        ("Due diligence", {"fields": ["compliance_statement", "certifications", "ico_registration",
                                      "contract_reference", "website"]}),
        ("Where and how long", {"fields": ["data_location", "data_leaves_uk",
                                           "transfer_safeguards", "retention_rule",
                                           "retention_notes", "sub_processors"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Processor]:
        qs = super().get_queryset(request).prefetch_related("certifications")
        return qs.annotate(n_flows=Count("flows", distinct=True)).order_by("name")

    @admin.display(description="Certifications")
    def certification_names(self, obj: Processor) -> str:
        return ", ".join(c.name for c in obj.certifications.all()) or "—"

    @admin.display(description="Missing details")
    def gaps(self, obj: Processor) -> str:
        return missing_details_html(obj.missing_details)

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: Processor) -> int:
        return obj.n_flows  # type: ignore[attr-defined]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
