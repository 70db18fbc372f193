"""The audit trail's admin (django-pghistory's, on PostgreSQL only): the events of every audited
record. django-pghistory registers it itself, with this class (``PGHISTORY_ADMIN_CLASS``)."""

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from pghistory.admin import EventsAdmin
from pghistory.admin import core as pghistory_admin

from governance.admin_base import SafeInputMixin, is_key


def named_record(value: str) -> tuple[type[models.Model], str] | None:
    """Return the model and primary key that ``?obj=app_label.model_name:pk`` names, or None
    where it names no model (django-pghistory then ignores it)."""
    label, colon, pk = value.partition(":")
    if not colon:
        return None
    try:
        return apps.get_model(label), pk
    except (LookupError, ValueError):
        return None


class EventModelFilter(pghistory_admin.EventModelFilter):
    """django-pghistory's filter by kind of event, refusing a kind that does not exist."""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and self.value() not in dict(self.lookup_choices):
            raise IncorrectLookupParameters(f"No kind of event {self.value()!r}")
        return super().queryset(request, queryset)


class AuditTrailAdmin(SafeInputMixin, EventsAdmin):
    """django-pghistory's events admin, with a page for every address. Asked for the trail of
    a record that does not exist (``?obj=governance.school:abc``), where django-pghistory fails
    to look the record up, it says so and shows the whole trail, as Django's admin does for a
    record that does not exist."""

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = super().get_list_filter(request)
        return [EventModelFilter if f is pghistory_admin.EventModelFilter else f for f in filters]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        named = named_record(request.GET.get("obj", ""))
        if named is not None:
            model, pk = named
            if not (is_key(model._meta.pk, pk) and model._default_manager.filter(pk=pk).exists()):
                message = (
                    f"No {model._meta.verbose_name} has the ID “{pk}”. Perhaps it was deleted?"
                )
                self.message_user(request, message, messages.WARNING)
                return HttpResponseRedirect(request.path)
        return super().changelist_view(request, extra_context)
