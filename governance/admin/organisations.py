"""Organisations (a local authority's service or a trust's central team) and their services."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join

from governance import article30
from governance.admin_base import HTTPS_URLS, ModelAdmin, TabularInline, missing_details_html
from governance.models import Authority, DesignatedOfficer, PartnerService, School

# What an organisation's page links to: (admin URL name, label, related name).
REGISTER = [
    ("governance_school", "schools", "schools"),
    ("governance_partnerservice", "services", "partners"),
    ("governance_offering", "offerings", "offerings"),
    ("governance_dataflow", "flows", "flows"),
    ("governance_dataobject", "data categories", "data_categories"),
    ("governance_retentionrule", "retention rules", "retention_rules"),
    ("governance_purpose", "purposes", "purposes"),
    ("governance_storagesystem", "systems", "storage_systems"),
    ("governance_externalrecipient", "recipients", "external_recipients"),
]


@admin.register(Authority)
class AuthorityAdmin(ModelAdmin):
    """An organisation: who it is, how it protects data, and links to all of its register."""

    formfield_overrides = HTTPS_URLS
    list_display = ["name", "kind", "service_name", "school_count", "email", "ico_registration",
                    "gaps"]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["name", "service_name", "email"]
    readonly_fields = ["gaps", "register", "article30_links"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "service_name", "la_codes", "register",
                           "article30_links"]}),
        ("Contact", {"fields": ["address", "phone", "email", "website", "privacy_notice_url"]}),
        ("Data protection", {"fields": ["ico_registration", "dpo_name", "dpo_email", "dpo_phone",
                                        "gaps"]}),
        ("Security and retention", {
            "fields": ["security_measures", "retention_schedule_summary",
                       "retention_schedule_url"],
            "description": "Every school's notice prints these; a school may add its own "
                           "measures and replace the retention schedule.",
        }),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authority]:
        qs = super().get_queryset(request).annotate(n_schools=Count("schools", distinct=True))
        return qs.order_by(*self.model._meta.ordering)

    @admin.display(description="Schools", ordering="n_schools")
    def school_count(self, obj: Authority) -> int:
        return obj.n_schools  # type: ignore[attr-defined]

    @admin.display(description="Missing details")
    def gaps(self, obj: Authority) -> str:
        return missing_details_html(obj.missing_contacts)

    @admin.display(description="Record of processing (Art 30)")
    def article30_links(self, obj: Authority) -> str:
        """Every open school's record: one sheet per school in the spreadsheet."""
        if obj.pk is None:
            return "—"
        links = (
            (reverse("admin:governance_authority_article30", args=[obj.pk, fmt]), fmt.upper())
            for fmt in article30.FORMATS
        )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/article-30.<str:fmt>",
                self.admin_site.admin_view(self.article30_view),
                name="governance_authority_article30",
            ),
            *super().get_urls(),
        ]

    def article30_view(self, request: HttpRequest, object_id: int, fmt: str) -> HttpResponse:
        organisation = get_object_or_404(Authority, pk=object_id)
        if not self.has_view_permission(request, organisation):
            raise PermissionDenied
        schools = list(organisation.schools.exclude(status=School.Status.CLOSED).order_by("name"))
        return article30.download(
            article30.for_schools(schools), name=organisation.name, fmt=fmt,
            title=f"Record of processing activities: the schools of {organisation.name}",
        )  # fmt: skip

    @admin.display(description="Its register")
    def register(self, obj: Authority) -> str:
        if obj.pk is None:
            return "—"
        rows = (
            (reverse(f"admin:{name}_changelist"), obj.pk, getattr(obj, related).count(), label)
            for name, label, related in REGISTER
        )
        return format_html_join(" · ", '<a href="{}?authority__id__exact={}">{} {}</a>', rows)


class OfficerFormSet(BaseInlineFormSet):
    """A service's officers, each email once. Django checks the forms against each other but
    not a new row against the service's other officers in the database (its key to the
    service is no field of the form): that would be an IntegrityError, so it is checked here."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return
        kept = [f for f in self.forms if f.has_changed() or f.instance.pk]
        others = DesignatedOfficer.objects.filter(partner=self.instance).exclude(
            pk__in=[f.instance.pk for f in kept if f.instance.pk]
        )
        taken = {email.lower() for email in others.values_list("email", flat=True)}
        for form in kept:
            email = (form.cleaned_data or {}).get("email", "")
            if email and email.lower() in taken and not form.cleaned_data.get("DELETE"):
                form.add_error("email", "This service has an officer with this email already.")


class DesignatedOfficerInline(TabularInline):
    model = DesignatedOfficer
    formset = OfficerFormSet
    extra = 0
    fields = ["name", "position", "email", "phone"]


@admin.register(PartnerService)
class PartnerServiceAdmin(ModelAdmin):
    list_display = ["name", "short_name", "authority", "relationship", "is_agreement_party",
                    "officer_names", "flow_count"]  # fmt: skip
    list_filter = ["relationship", "is_agreement_party", "authority"]
    search_fields = ["name", "short_name", "purpose", "officers__name", "officers__email"]
    list_select_related = ["authority"]
    inlines = [DesignatedOfficerInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PartnerService]:
        qs = super().get_queryset(request).prefetch_related("officers")
        return qs.annotate(n_flows=Count("flows", distinct=True)).order_by("name")

    @admin.display(description="Designated officers")
    def officer_names(self, obj: PartnerService) -> str:
        names = ", ".join(o.name for o in obj.officers.all())
        if names:
            return names
        return missing_details_html(["designated officer"]) if obj.is_agreement_party else "—"

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: PartnerService) -> int:
        return obj.n_flows  # type: ignore[attr-defined]


@admin.register(DesignatedOfficer)
class DesignatedOfficerAdmin(ModelAdmin):
    list_display = ["name", "position", "email", "partner"]
    list_filter = ["partner"]
    search_fields = ["name", "position", "email", "partner__name"]
    list_select_related = ["partner"]
