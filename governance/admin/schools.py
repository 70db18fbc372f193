"""Schools: their details, their subscriptions and own register, what leaves each one, and
publishing their notices."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from agreements.admin import SignatureInline
from governance import article30
from governance.admin.gias import GiasImportMixin
from governance.admin.register import run_by_display
from governance.admin_base import (
    HTTPS_URLS,
    LinkedRowsInline,
    ModelAdmin,
    TabularInline,
    missing_details_html,
)
from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    Offering,
    Purpose,
    School,
    StorageSystem,
    Subscription,
)
from governance.outbox.admin import SchoolJobsInline, report_jobs
from governance.outbox.models import JobBatch
from notices.admin import NoticeVersionInline, rerender_school_notices
from notices.content import Audience
from notices.gaps import notice_gaps
from notices.services import preview_notice, queue_publication
from processors.models import Processor


class SubscriptionInline(TabularInline):
    model = Subscription
    extra = 0
    autocomplete_fields = ["offering"]
    fields = ["offering", "start_date", "end_date"]


class OwnSystemsInline(LinkedRowsInline):
    model = StorageSystem
    fields = ["name", "kind", "run_by", "audience"]
    readonly_fields = ["run_by"]
    verbose_name_plural = "the school's own systems"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StorageSystem]:
        return super().get_queryset(request).select_related("supplier")

    @admin.display(description="Run by")
    def run_by(self, obj: StorageSystem) -> str:
        return run_by_display(obj)


class OwnPurposesInline(LinkedRowsInline):
    model = Purpose
    fields = ["description", "audience", "bases"]
    readonly_fields = ["bases"]
    verbose_name_plural = "the school's own purposes"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Purpose]:
        return super().get_queryset(request).prefetch_related("lawful_bases")

    @admin.display(description="Lawful bases")
    def bases(self, obj: Purpose) -> str:
        return "; ".join(b.code for b in obj.lawful_bases.all()) or "—"


class OwnCategoriesInline(LinkedRowsInline):
    model = DataObject
    fields = ["title", "data_subject", "is_special_category", "held_by_every_school"]
    verbose_name_plural = "the school's own data categories"


class OwnRecipientsInline(LinkedRowsInline):
    model = ExternalRecipient
    fields = ["name", "kind", "role", "is_active"]
    verbose_name_plural = "the school's own recipients"


class OwnSuppliersInline(LinkedRowsInline):
    model = Processor
    fields = ["name", "role", "data_location", "data_leaves_uk"]
    verbose_name_plural = "the school's own suppliers"


class CurrentSubscriptionFilter(admin.SimpleListFilter):
    title = "subscribes to"
    parameter_name = "offering"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        choices = [(str(o.pk), o.name) for o in Offering.objects.all()]
        return [("none", "No current subscription"), *choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        current = Subscription.objects.current()
        value = self.value()
        if value == "none":
            return queryset.exclude(pk__in=current.values("school_id"))
        if value and not value.isdigit():
            raise IncorrectLookupParameters(f"Unknown offering {value!r}")
        if value:
            return queryset.filter(pk__in=current.filter(offering_id=value).values("school_id"))
        return queryset


class NoticesFilter(admin.SimpleListFilter):
    title = "notices"
    parameter_name = "notices"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("published", "Published"), ("draft", "Draft (not public yet)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("published", "draft"):
            return queryset.filter(notices_published_at__isnull=self.value() == "draft")
        return queryset


def notices_status(school: School) -> str:
    """Say whether the school's notices are public: “Published on 1 Sep 2025” or “Draft”."""
    if school.notices_published_at is None:
        return "Draft (not public yet)"
    return f"Published on {date_format(timezone.localtime(school.notices_published_at))}"


# A school's own register: (admin URL name, what to add, whether the record names an
# organisation too).
OWN_REGISTER = [
    ("governance_storagesystem", "a system", True),
    ("governance_purpose", "a purpose", True),
    ("governance_dataobject", "a data category", True),
    ("governance_externalrecipient", "a recipient", True),
    ("processors_processor", "a supplier", False),
]


@admin.register(School)
class SchoolAdmin(GiasImportMixin, ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "name", "urn", "dfe_number", "authority", "phase", "school_type", "nation",
        "current_offerings", "notices", "gaps", "outflows_link",
    ]  # fmt: skip
    list_filter = ["status", "nation", "phase", "school_type", "mis", NoticesFilter,
                   CurrentSubscriptionFilter, "authority"]  # fmt: skip
    search_fields = ["name", "urn", "dfe_number", "postcode", "trust_name", "dpo_name", "dpo_email"]
    list_select_related = ["authority"]
    inlines = [
        SubscriptionInline, OwnSystemsInline, OwnPurposesInline, OwnCategoriesInline,
        OwnRecipientsInline, OwnSuppliersInline, NoticeVersionInline, SchoolJobsInline,
        SignatureInline,
    ]  # fmt: skip
    readonly_fields = ["gaps", "notices", "notice_gaps", "add_own", "flow_map"]
    actions = [rerender_school_notices, "publish_notices"]
    change_form_template = "admin/governance/school/change_form.html"
    fieldsets = [
        (None, {"fields": ["authority", "name", "urn", "dfe_number", "phase", "school_type",
                           "trust_name", "nation", "mis", "status", "open_date", "close_date"]}),
        ("The trust's contact details", {
            "fields": ["trust_address", "trust_phone", "trust_email"],
            "classes": ["collapse"],
            "description": "For an academy whose trust is not an organisation in this "
                           "registry: how to reach the trust, the data controller.",
        }),
        ("Contact", {"fields": ["address", "postcode", "phone", "email", "website",
                                "headteacher", "ico_registration"]}),
        ("Data protection", {"fields": ["dpo_name", "dpo_email", "dpo_phone",
                                        "dp_lead_name", "dp_lead_email", "gaps"]}),
        ("Privacy notices", {"fields": ["notices", "notice_gaps", "learner_term", "youth_support",
                                        "security_measures", "retention_schedule_summary",
                                        "retention_schedule_url"]}),
        ("What leaves the school", {"fields": ["flow_map"]}),
        ("The school's own register", {
            "fields": ["add_own"],
            "description": "What this school holds or shares beyond its organisation's "
                           "register (listed below). Its DPO can keep it in the portal.",
        }),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[School]:
        current = Subscription.objects.current().select_related("offering")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("subscriptions", queryset=current, to_attr="current_subs"))
        )

    @admin.display(description="Subscribes to")
    def current_offerings(self, obj: School) -> str:
        names = [s.offering.name for s in getattr(obj, "current_subs", [])]
        return ", ".join(names) or "— (organisation-wide flows only)"

    @admin.display(description="Notices", ordering="notices_published_at")
    def notices(self, obj: School) -> str:
        return notices_status(obj)

    @admin.display(description="Missing details")
    def gaps(self, obj: School) -> str:
        return missing_details_html(obj.missing_contacts)

    @admin.display(description="What the notices cannot say")
    def notice_gaps(self, obj: School) -> str:
        """The facts the registry lacks, so the notices leave them out (never printed)."""
        if obj.pk is None:
            return "—"
        return missing_details_html(notice_gaps(obj))

    @admin.display(description="Data-flow map")
    def flow_map(self, obj: School) -> str:
        if obj.pk is None:
            return "— (save the school first)"
        urn = School.objects.filter(pk=obj.pk).values_list("urn", flat=True).first()
        url = reverse("portal:flow_map", args=[urn])
        return format_html(
            '<a href="{}"><img src="{}" class="flow-map" alt="Map of the data that leaves {}, '
            'grouped by kind of recipient" loading="lazy"></a>',
            url, url, obj.name,
        )  # fmt: skip

    @admin.display(description="Add to it")
    def add_own(self, obj: School) -> str:
        if obj.pk is None:
            return "— (save the school first)"
        links = (
            (reverse(f"admin:{name}_add"), obj.pk,
             f"&authority={obj.authority_id}" if with_organisation else "", label)
            for name, label, with_organisation in OWN_REGISTER
        )  # fmt: skip
        return format_html_join(" · ", '<a href="{}?school={}{}">{}</a>', links)

    @admin.display(description="Data leaving")
    def outflows_link(self, obj: School) -> str:
        url = reverse("admin:governance_school_outflows", args=[obj.pk])
        return format_html('<a href="{}">What leaves this school</a>', url)

    def get_urls(self) -> list[URLPattern]:
        def view(route: str, func: Any, name: str) -> URLPattern:
            return path(route, self.admin_site.admin_view(func), name=f"governance_school_{name}")

        return [
            view("<int:object_id>/outflows/", self.outflows_view, "outflows"),
            view("<int:object_id>/publish-notices/", self.publish_view, "publish_notices"),
            view("import-gias/", self.import_gias_view, "import_gias"),
            view("<int:object_id>/article-30.<str:fmt>", self.article30_view, "article30"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
        """Link the school's portal pages by its saved URN (the form may hold a bad one)."""
        urn = None
        if str(object_id).isdigit():  # else the admin's own "no such school" answers
            urn = School.objects.filter(pk=object_id).values_list("urn", flat=True).first()
        if urn:
            url = reverse("portal:subject_access", args=[urn])
            extra_context = {**(extra_context or {}), "subject_access_url": url}
        return super().change_view(request, object_id, form_url, extra_context)

    def article30_view(self, request: HttpRequest, object_id: int, fmt: str) -> HttpResponse:
        """The school's record of processing (Article 30(1)) as CSV, XLSX or PDF."""
        school = self._school(request, object_id)
        return article30.download(
            [article30.record(school)], name=school.name, fmt=fmt,
            title=f"Record of processing activities: {school.name}",
        )  # fmt: skip

    def _school(self, request: HttpRequest, object_id: int, *, perm: str = "view") -> School:
        school = get_object_or_404(School.objects.select_related("authority"), pk=object_id)
        if not getattr(self, f"has_{perm}_permission")(request, school):
            raise PermissionDenied
        return school

    def _context(self, request: HttpRequest, school: School, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": school,
            "school": school,
        }

    def outflows_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Show every flow that takes data out of the school: recipient, data, frequency, basis."""
        school = self._school(request, object_id)
        today = timezone.localdate()
        flows = list(
            DataFlow.objects.for_school(school, today)
            .with_details()
            .order_by("partner_service__name", "processor__name", "body__name", "purpose")
        )
        context = {
            **self._context(request, school, f"What leaves {school.name}"),
            "today": today,
            "flow_count": len(flows),
            "sections": [
                ("Authority services", [f for f in flows if f.partner_service_id]),
                ("Suppliers", [f for f in flows if f.processor_id]),
                ("Public bodies and other recipients", [f for f in flows if f.body_id]),
            ],
            "subscriptions": school.subscriptions.current(today).select_related("offering"),
        }
        return TemplateResponse(request, "admin/governance/school/outflows.html", context)

    def publish_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Show what publishing would change in each notice; on confirmation, publish."""
        school = self._school(request, object_id, perm="change")
        if request.method == "POST":
            self._publish(request, [school])
            return redirect("admin:governance_school_change", school.pk)
        context = {
            **self._context(request, school, f"Publish the notices of {school.name}"),
            "status": notices_status(school),
            "previews": [
                (label, preview_notice(school=school, audience=audience))
                for audience, label in Audience.choices
            ],
        }
        return TemplateResponse(request, "admin/governance/school/publish.html", context)

    @admin.action(description="Publish notices (make them public, as they stand now)",
                  permissions=["change"])  # fmt: skip
    def publish_notices(self, request: HttpRequest, queryset: QuerySet[School]) -> None:
        self._publish(request, list(queryset))

    def _publish(self, request: HttpRequest, schools: list[School]) -> None:
        batch = None
        if len(schools) > 1:
            batch = JobBatch.objects.create(
                label=f"Publish the notices of {len(schools)} schools",
                created_by=request.user if request.user.is_authenticated else None,
            )
        verbs = {s.pk: "brought up to date" if s.is_published else "published" for s in schools}
        ids = queue_publication(schools=schools, user=request.user, batch=batch)
        report_jobs(self, request, ids, batch=batch, verbs=verbs)
