"""The staff's working tool for the registry."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from agreements.admin import SignatureInline
from governance.accounts import InvitationError, invite_user
from governance.admin_base import ReadOnlyAdmin
from governance.forms import DataFlowForm, DataObjectForm
from governance.models import (
    AccessEvent,
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    LawfulBasis,
    Offering,
    PartnerService,
    RetentionRule,
    School,
    Subscription,
    User,
)
from governance.services import set_flows_active
from notices.admin import NoticeVersionInline, rerender_school_notices

# A web address typed without a scheme is taken as https (Django 6's default, chosen now).
HTTPS_URLS: Mapping[Any, Mapping[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


def missing_details_html(missing: list[str]) -> str:
    """Show staff, in red, what a document would need that the registry lacks."""
    if not missing:
        return "—"
    return format_html('<strong class="missing-details">Missing: {}</strong>', ", ".join(missing))


class RoleFormMixin(forms.ModelForm):
    """Choose a person's role; it sets Django's staff and superuser flags."""

    role = forms.ChoiceField(choices=User.Role.choices, initial=User.Role.DPO)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role

    def save(self, commit: bool = True) -> Any:
        self.instance.set_role(self.cleaned_data["role"])
        return super().save(commit=commit)


class UserChangeForm(RoleFormMixin, DjangoUserChangeForm):
    pass


class UserCreationForm(RoleFormMixin, AdminUserCreationForm):
    pass


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Any:
        return User.Role.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        flags = {
            User.Role.STAFF: Q(is_superuser=True),
            User.Role.AUDITOR: Q(is_staff=True, is_superuser=False),
            User.Role.DPO: Q(is_staff=False, is_superuser=False),
        }
        value = self.value()
        return queryset.filter(flags[User.Role(value)]) if value in flags else queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff manage people here: their role, the schools a DPO answers for, invitations."""

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "email", "first_name", "last_name", "role_display", "dpo_of",
                    "is_active", "last_login"]  # fmt: skip
    list_filter = [RoleFilter, "is_active", ("schools", admin.RelatedOnlyFieldListFilter)]
    search_fields = [*DjangoUserAdmin.search_fields, "schools__name", "schools__urn"]
    autocomplete_fields = ["schools"]
    actions = ["send_invitation"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "is_active", "schools"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "schools"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("schools")

    @admin.display(description="Role", ordering="is_superuser")
    def role_display(self, obj: User) -> str:
        return obj.role.label

    @admin.display(description="DPO of")
    def dpo_of(self, obj: User) -> str:
        return ", ".join(s.name for s in obj.schools.all()) or "—"

    @admin.action(description="Email an invitation to set a password", permissions=["change"])
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset:
            try:
                invite_user(user=user, invited_by=request.user)
            except InvitationError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(request, f"Invitation sent to {sent} person(s).", messages.SUCCESS)


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "service_name", "email", "phone", "ico_registration", "gaps"]
    search_fields = ["name", "service_name", "email"]

    @admin.display(description="Missing details")
    def gaps(self, obj: Authority) -> str:
        return missing_details_html(obj.missing_contacts)


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    autocomplete_fields = ["offering"]
    fields = ["offering", "start_date", "end_date"]


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


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "name", "urn", "dfe_number", "phase", "school_type", "nation", "mis",
        "current_offerings", "gaps", "outflows_link",
    ]  # fmt: skip
    list_filter = ["nation", "phase", "school_type", "mis", CurrentSubscriptionFilter, "authority"]
    search_fields = ["name", "urn", "dfe_number", "postcode", "trust_name", "dpo_name", "dpo_email"]
    inlines = [SubscriptionInline, NoticeVersionInline, SignatureInline]
    readonly_fields = ["gaps"]
    actions = [rerender_school_notices]
    change_form_template = "admin/governance/school/change_form.html"
    fieldsets = [
        (None, {"fields": ["authority", "name", "urn", "dfe_number", "phase", "school_type",
                           "trust_name", "nation", "mis"]}),
        ("Contact", {"fields": ["address", "postcode", "phone", "email", "website",
                                "headteacher", "ico_registration"]}),
        ("Data protection", {"fields": ["dpo_name", "dpo_email", "dpo_phone",
                                        "dp_lead_name", "dp_lead_email", "gaps"]}),
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
        return ", ".join(names) or "— (authority-wide flows only)"

    @admin.display(description="Missing details")
    def gaps(self, obj: School) -> str:
        return missing_details_html(obj.missing_contacts)

    @admin.display(description="Data leaving")
    def outflows_link(self, obj: School) -> str:
        url = reverse("admin:governance_school_outflows", args=[obj.pk])
        return format_html('<a href="{}">What leaves this school</a>', url)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.outflows_view)
        extra = [path("<int:object_id>/outflows/", view, name="governance_school_outflows")]
        return extra + super().get_urls()

    def outflows_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Show every flow that takes data out of the school: recipient, data, frequency, basis."""
        school = get_object_or_404(School.objects.select_related("authority"), pk=object_id)
        if not self.has_view_permission(request, school):
            raise PermissionDenied
        today = timezone.localdate()
        flows = list(
            DataFlow.objects.for_school(school, today)
            .with_details()
            .order_by("partner_service__name", "processor__name", "purpose")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"What leaves {school.name}",
            "opts": self.opts,
            "original": school,
            "school": school,
            "today": today,
            "flow_count": len(flows),
            "sections": [
                ("Authority services", [f for f in flows if f.partner_service_id]),
                ("Third-party suppliers", [f for f in flows if f.processor_id]),
            ],
            "subscriptions": school.subscriptions.current(today).select_related("offering"),
        }
        return TemplateResponse(request, "admin/governance/school/outflows.html", context)


class DesignatedOfficerInline(admin.TabularInline):
    model = DesignatedOfficer
    extra = 0
    fields = ["name", "position", "email", "phone"]


@admin.register(PartnerService)
class PartnerServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "relationship", "is_agreement_party", "officer_names",
                    "flow_count"]  # fmt: skip
    list_filter = ["relationship", "is_agreement_party", "authority"]
    search_fields = ["name", "short_name", "purpose", "officers__name", "officers__email"]
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
class DesignatedOfficerAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "email", "partner"]
    list_filter = ["partner"]
    search_fields = ["name", "position", "email", "partner__name"]
    list_select_related = ["partner"]


class FlowInline(admin.StackedInline):
    model = DataFlow
    form = DataFlowForm
    extra = 0
    fields = [
        ("partner_service", "processor"), "purpose", "data_objects", "lawful_bases",
        ("frequency", "transport"), ("retention_rule", "is_active"),
    ]  # fmt: skip
    filter_horizontal = ["data_objects", "lawful_bases"]
    show_change_link = True


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "subscriber_count", "recipients"]
    list_filter = ["is_active", "authority"]
    search_fields = ["name", "description"]
    inlines = [FlowInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offering]:
        current = Subscription.objects.current().values("pk")
        flows = DataFlow.objects.select_related("partner_service", "processor")
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
        """Give inline flows the offering's authority before they are saved."""
        if formset.model is not DataFlow:
            return super().save_formset(request, form, formset, change)
        for flow in formset.save(commit=False):
            flow.authority_id = form.instance.authority_id
            flow.save()
        for flow in formset.deleted_objects:
            flow.delete()
        formset.save_m2m()
        return None


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
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


@admin.register(DataObject)
class DataObjectAdmin(admin.ModelAdmin):
    form = DataObjectForm
    list_display = ["sif_name", "title", "data_subject", "is_special_category", "art9_condition",
                    "flow_count"]  # fmt: skip
    list_filter = ["data_subject", "is_special_category"]
    search_fields = ["sif_name", "title", "fields_description"]
    list_select_related = ["art9_condition"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataObject]:
        qs = super().get_queryset(request).annotate(n_flows=Count("flows", distinct=True))
        return qs.order_by(*self.model._meta.ordering)

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: DataObject) -> int:
        return obj.n_flows  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: DataObject | None = None) -> bool:
        in_use = obj is not None and obj.flows.exists()
        return not in_use and super().has_delete_permission(request, obj)


@admin.register(LawfulBasis)
class LawfulBasisAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "flow_count"]
    list_filter = ["kind"]
    search_fields = ["code", "title", "plain_text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LawfulBasis]:
        qs = super().get_queryset(request).annotate(n_flows=Count("flows", distinct=True))
        return qs.order_by(*self.model._meta.ordering)

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: LawfulBasis) -> int:
        return obj.n_flows  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: LawfulBasis | None = None) -> bool:
        """Refuse deleting a basis flows rely on: removing it would silently weaken them."""
        in_use = obj is not None and obj.flows.exists()
        return not in_use and super().has_delete_permission(request, obj)


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "period_display", "event", "end_action"]
    list_filter = ["end_action", "period_unit"]
    search_fields = ["name", "event", "description"]

    @admin.display(description="Period")
    def period_display(self, obj: RetentionRule) -> str:
        return obj.period_display or "—"


@admin.register(DataFlow)
class DataFlowAdmin(admin.ModelAdmin):
    form = DataFlowForm
    list_display = ["purpose", "source", "recipient_display", "objects", "frequency",
                    "retention_rule", "is_active"]  # fmt: skip
    list_filter = [
        "is_active", "frequency", "offering", "partner_service", "processor",
        "data_objects__data_subject", "data_objects__is_special_category",
    ]  # fmt: skip
    search_fields = ["purpose", "description", "partner_service__name", "processor__name",
                     "data_objects__sif_name", "offering__name", "school__name"]  # fmt: skip
    filter_horizontal = ["data_objects", "lawful_bases"]
    autocomplete_fields = ["school", "offering", "partner_service", "processor"]
    actions = ["activate", "deactivate"]
    fieldsets = [
        ("Source", {"fields": ["authority", "offering", "school"],
                    "description": "Leave both empty for a flow from every school."}),
        ("Recipient", {"fields": ["partner_service", "processor"],
                       "description": "Exactly one: an authority service or a third party."}),
        ("What and why", {"fields": ["purpose", "description", "data_objects", "lawful_bases"]}),
        ("How", {"fields": ["frequency", "transport", "retention_rule", "is_active"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataFlow]:
        return super().get_queryset(request).with_details()  # type: ignore[attr-defined]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        authorities = list(Authority.objects.values_list("pk", flat=True)[:2])
        if len(authorities) == 1:
            initial.setdefault("authority", authorities[0])
        return initial

    @admin.display(description="From")
    def source(self, obj: DataFlow) -> str:
        return obj.source_display

    @admin.display(description="Recipient")
    def recipient_display(self, obj: DataFlow) -> str:
        return str(obj.recipient)

    @admin.display(description="Data objects")
    def objects(self, obj: DataFlow) -> str:
        return format_html_join(", ", "{}", ((o.sif_name,) for o in obj.data_objects.all()))

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


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """Sign-ins, sign-outs, failed sign-ins and private downloads: read-only."""

    list_display = ["at", "kind", "username", "ip_address", "document", "path"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "ip_address", "document", "path"]
    date_hierarchy = "at"
