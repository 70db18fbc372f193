"""Shared pieces of the staff admin."""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.fields.related import RelatedField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from governance.search import clean_search_term

# The lookups whose value the database reads as the field's own type (``?ip_address__gte=+``
# must be refused before PostgreSQL is asked to read "+" as an address); those of a list.
COMPARED = {"", "exact", "gt", "gte", "lt", "lte", "in", "range"}
LISTED = {"in", "range"}

# A web address typed without a scheme is taken as https (Django 6's default, chosen now).
HTTPS_URLS: Mapping[Any, Mapping[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


def missing_details_html(missing: list[str]) -> str:
    """Show staff, in red, what a document would need that the registry lacks."""
    if not missing:
        return "—"
    return format_html('<strong class="missing-details">Missing: {}</strong>', ", ".join(missing))


def warnings_html(warnings: list[str]) -> str:
    """Show staff, in red, each warning about a record (or a dash when there is none)."""
    if not warnings:
        return "—"
    items = format_html_join("", "<li>{}</li>", ((w,) for w in warnings))
    return format_html('<ul class="missing-details">{}</ul>', items)


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


class KeysOnlyAutocompleteMixin:
    """An autocomplete widget that looks up only the values that can be keys of its model.

    Shown again with its errors, a form whose autocomplete field was sent something else
    (``school=abc``) would fail to look the value up, a server error; the field's own
    "Select a valid choice" is what the person needs to see.
    """

    field: RelatedField

    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        keys = [v for v in value if is_key(self.field.target_field, v)]
        return super().optgroups(name, keys, attr)  # type: ignore[misc]


def is_key(field: models.Field, value: str) -> bool:
    """Whether ``value`` can be looked up as ``field`` (a text key cannot hold a NUL)."""
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return "\x00" not in value


class AutocompleteSelect(KeysOnlyAutocompleteMixin, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(KeysOnlyAutocompleteMixin, widgets.AutocompleteSelectMultiple):
    pass


# Type checkers see the admin class the mixin goes with; at run time it is a plain mixin.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class SafeInputMixin(_AdminBase):
    """Whatever a request carries, the admin answers with a page, never a server error.

    Every admin and inline of the project has it (``ModelAdmin``, ``TabularInline`` and
    ``StackedInline`` below; third-party admins are registered again with it):

    - a search term, the changelist's or the autocomplete's, loses its control characters
      (PostgreSQL refuses a NUL in any text);
    - a filter with a NUL in the query string is one the admin cannot apply, the answer Django
      gives any filter it cannot apply (the list without its filters, ``?e=1``);
    - an autocomplete field sent a value that is no key shows the field's error.
    """

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return super().get_search_results(request, queryset, clean_search_term(search_term))

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # The search box reports a NUL itself ("Null characters are not allowed.").
        for key, values in request.GET.lists():
            if key != SEARCH_VAR and any("\x00" in text for text in (key, *values)):
                raise IncorrectLookupParameters("A filter contains a NUL character.")
            self._check_filter_value(key, values)
        return super().get_changelist_instance(request)

    def _check_filter_value(self, key: str, values: list[str]) -> None:
        """A filter on a field by a value the database cannot take (``?ip_address=+`` on
        PostgreSQL) is one the admin cannot apply: Django would only find out as it counts."""
        name, _, lookup = key.partition("__")
        if lookup not in COMPARED:
            return
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return
        if not isinstance(field, models.Field) or field.is_relation:
            return
        items = [v for value in values for v in value.split(",")] if lookup in LISTED else values
        for value in items:
            try:
                field.get_db_prep_value(value, connection, prepared=False)
            except (ValueError, TypeError, ValidationError) as error:
                raise IncorrectLookupParameters(f"{key}: {error}") from error

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = AutocompleteSelectMultiple(db_field, self.admin_site, using=using)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(SafeInputMixin, admin.ModelAdmin):
    """The project's admins start here."""


class TabularInline(SafeInputMixin, admin.TabularInline):
    pass


class StackedInline(SafeInputMixin, admin.StackedInline):
    pass


class ReadOnlyAdmin(ModelAdmin):
    """Records written by the system (versions, signatures, logs): shown, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LinkedRowsInline(TabularInline):
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


class OneOrganisationAdmin(ModelAdmin):
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
