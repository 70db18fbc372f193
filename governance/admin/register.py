"""The rest of each school's picture: public bodies and other recipients, purposes, systems."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from governance.admin.catalogue import BY_ORGANISATION, BY_SCHOOL
from governance.admin_base import (
    HTTPS_URLS,
    ModelAdmin,
    OneOrganisationAdmin,
    OwnerFilter,
    TabularInline,
    flow_count_link,
    owner_display,
)
from governance.forms import ExternalRecipientForm, PurposeForm, StorageSystemForm
from governance.models import ExternalRecipient, Purpose, RecipientLink, StorageSystem

OWNER_HELP = (
    "Choose a school for a record only that school has (its organisation follows); leave the "
    "school empty for the organisation's default, which every one of its schools shares."
)


class RecipientLinkInline(TabularInline):
    model = RecipientLink
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["label", "url", "position"]


@admin.register(ExternalRecipient)
class ExternalRecipientAdmin(ModelAdmin):
    """Public bodies (the DfE, the Welsh Government, the NHS...), other schools and other
    independent controllers: national, an organisation's, or one school's own."""

    form = ExternalRecipientForm
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "kind", "role", "owner", "reach", "audience", "scope", "law_codes",
                    "flow_count", "is_active"]  # fmt: skip
    list_filter = ["kind", OwnerFilter, "reach", "audience", "scope", "role", "is_active",
                   BY_ORGANISATION, BY_SCHOOL]  # fmt: skip
    search_fields = ["name", "why", "data_sent", "laws__code", "laws__title", "school__name"]
    list_select_related = ["authority", "school"]
    autocomplete_fields = ["school"]
    filter_horizontal = ["laws", "lawful_bases"]
    inlines = [RecipientLinkInline]
    fieldsets = [
        (None, {"fields": ["kind", "name", "role", "website", "is_active"]}),
        ("Belongs to", {
            "fields": ["authority", "school"],
            "description": "Leave both empty for a national body every organisation shares "
                           "(the DfE, the Welsh Government). " + OWNER_HELP,
        }),
        ("What it receives", {"fields": ["reach", "audience", "scope", "why", "data_sent",
                                         "frequency", "details"]}),
        ("Law", {"fields": ["laws", "lawful_bases"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExternalRecipient]:
        qs = super().get_queryset(request).prefetch_related("laws")
        return qs.annotate(n_flows=Count("flows", distinct=True)).order_by(
            *self.model._meta.ordering
        )

    @admin.display(description="Belongs to", ordering="authority__name")
    def owner(self, obj: ExternalRecipient) -> str:
        return owner_display(obj)

    @admin.display(description="Laws")
    def law_codes(self, obj: ExternalRecipient) -> str:
        return "; ".join(law.code for law in obj.laws.all()) or "—"

    @admin.display(description="Flows", ordering="n_flows")
    def flow_count(self, obj: ExternalRecipient) -> str:
        return flow_count_link(obj, "body__id__exact")


@admin.register(Purpose)
class PurposeAdmin(OneOrganisationAdmin):
    """What schools do with information, and the lawful basis each purpose relies on."""

    form = PurposeForm
    list_display = ["description", "audience", "owner", "basis_codes", "category_count",
                    "position"]  # fmt: skip
    list_filter = ["audience", OwnerFilter, BY_ORGANISATION, BY_SCHOOL,
                   ("lawful_bases", admin.RelatedOnlyFieldListFilter)]  # fmt: skip
    search_fields = ["description", "legitimate_interest", "school__name", "lawful_bases__code",
                     "categories__title"]  # fmt: skip
    list_select_related = ["authority", "school"]
    autocomplete_fields = ["school"]
    filter_horizontal = ["lawful_bases", "laws", "categories"]
    fieldsets = [
        ("Belongs to", {"fields": ["authority", "school"], "description": OWNER_HELP}),
        (None, {"fields": ["audience", "description", "position"]}),
        ("Lawful basis", {"fields": ["lawful_bases", "laws", "legitimate_interest"]}),
        ("Data", {"fields": ["categories"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Purpose]:
        qs = super().get_queryset(request).prefetch_related("lawful_bases")
        return qs.annotate(n_categories=Count("categories", distinct=True)).order_by(
            *self.model._meta.ordering
        )

    @admin.display(description="Belongs to", ordering="school__name")
    def owner(self, obj: Purpose) -> str:
        return owner_display(obj)

    @admin.display(description="Lawful bases")
    def basis_codes(self, obj: Purpose) -> str:
        return "; ".join(basis.code for basis in obj.lawful_bases.all()) or "—"

    @admin.display(description="Data categories", ordering="n_categories")
    def category_count(self, obj: Purpose) -> int:
        return obj.n_categories  # type: ignore[attr-defined]


class RunByFilter(admin.SimpleListFilter):
    title = "run by"
    parameter_name = "run_by"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("supplier", "A supplier"), ("in_house", "The school itself (in-house)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("supplier", "in_house"):
            return queryset.filter(in_house=self.value() == "in_house")
        return queryset


def run_by_display(system: StorageSystem) -> str:
    """Say who runs ``system``: “In-house”, or its supplier (linked)."""
    if system.supplier is None:
        return "In-house"
    url = reverse("admin:processors_processor_change", args=[system.supplier_id])
    return format_html('<a href="{}">{}</a>', url, system.supplier.name)


@admin.register(StorageSystem)
class StorageSystemAdmin(OneOrganisationAdmin):
    """Where schools keep information (MIS, safeguarding, CCTV...), run by whom."""

    form = StorageSystemForm
    list_display = ["name", "kind", "owner", "run_by", "audience", "category_count"]
    list_filter = ["kind", RunByFilter, OwnerFilter, "audience", BY_ORGANISATION, BY_SCHOOL]
    search_fields = ["name", "description", "supplier__name", "school__name", "categories__title"]
    list_select_related = ["authority", "school", "supplier"]
    autocomplete_fields = ["school", "supplier"]
    filter_horizontal = ["categories"]
    fieldsets = [
        ("Belongs to", {"fields": ["authority", "school"], "description": OWNER_HELP}),
        (None, {"fields": ["name", "kind", "description", "audience"]}),
        ("Run by", {"fields": ["supplier", "in_house"],
                    "description": "Either the supplier that runs it, or tick “run by the "
                                   "school itself”."}),
        ("Data", {"fields": ["categories"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[StorageSystem]:
        qs = super().get_queryset(request)
        return qs.annotate(n_categories=Count("categories", distinct=True)).order_by(
            *self.model._meta.ordering
        )

    @admin.display(description="Belongs to", ordering="school__name")
    def owner(self, obj: StorageSystem) -> str:
        return owner_display(obj)

    @admin.display(description="Run by", ordering="supplier__name")
    def run_by(self, obj: StorageSystem) -> str:
        return run_by_display(obj)

    @admin.display(description="Data categories", ordering="n_categories")
    def category_count(self, obj: StorageSystem) -> int:
        return obj.n_categories  # type: ignore[attr-defined]
