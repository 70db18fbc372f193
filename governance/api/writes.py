"""API writes through the very code the admin and the portal write through.

The API adds no rule of its own. A payload is first read by the resource's serializer (types,
choices, references by id or URN, unknown fields refused); then:

- staff write through the model's admin: its form (``ModelAdmin.get_form``: the fields, the
  choices it offers, every ``clean``), then its ``save_model`` and ``save_related`` (the
  services behind them: ``save_data_flow`` and the rest);
- a DPO writes their school's own records through the portal's form and service for that
  part of the register (``governance.portal.register.KINDS``): the owner set by the service,
  the edit held until the school publishes, exactly as in the portal.

Each refusal is a 400 with the form's or the service's messages on their fields, and nothing
is written (one transaction). Warnings the admin would show (a condition that does not fit
whose data it is) come back under ``warnings``.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import QueryDict
from rest_framework import exceptions, serializers

from governance import register
from governance.models import School
from governance.portal.forms import ContactsForm
from governance.portal.register import KINDS, Kind

NON_FIELD = "non_field_errors"


def refuse(errors: Mapping[str, Iterable[str]] | str) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        errors if isinstance(errors, Mapping) else {NON_FIELD: [errors]}
    )


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [m for e in errs for m in e.messages]
            for field, errs in error.error_dict.items()
        }
    return {NON_FIELD: list(error.messages)}


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {
        (NON_FIELD if field == "__all__" else field): [str(m) for m in errors]
        for field, errors in form.errors.items()
    }


def check_fields(payload: Any, writable: Iterable[str], readable: Iterable[str]) -> None:
    """Refuse a payload that is not an object, or names a field the caller cannot set."""
    if not isinstance(payload, Mapping):
        raise refuse("Send a JSON object.")
    allowed, known = set(writable), set(readable)
    errors = {
        name: ["This field is read-only here." if name in known else "Unknown field."]
        for name in payload
        if name not in allowed
    }
    if errors:
        raise refuse(errors)


def _form_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def form_data(
    form_class: type[Any], instance: models.Model | None, values: Mapping[str, Any], **extra: Any
) -> QueryDict:
    """The form's data: the record's current values (a PATCH changes only what it names; a
    new record's are the model's defaults, which a field left out keeps), then the
    serializer's ``values``, as a browser would post them."""
    current = form_class(instance=instance, **extra).initial if instance is not None else {}
    merged = {**current, **values}
    data = QueryDict(mutable=True)
    for name in form_class.base_fields:
        if name not in merged:
            continue
        value = merged[name]
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple | set | models.QuerySet):
            data.setlist(name, [_form_value(v) for v in value])
        elif value is not None:
            data[name] = _form_value(value)
    return data


def _drain_warnings(request: Any) -> list[str]:
    return [str(m) for m in messages.get_messages(request) if m.level >= messages.WARNING]


# -- staff: through the admin ------------------------------------------------------------------


def model_admin(model: type[models.Model]) -> Any:
    return admin.site._registry[model]


def staff_form_fields(model: type[models.Model], request: Any) -> list[str]:
    """The fields the model's admin form lets staff set."""
    return list(model_admin(model).get_form(request, None, change=False).base_fields)


def staff_save(
    request: Any, model: type[models.Model], instance: models.Model | None, values: Mapping
) -> tuple[models.Model, list[str]]:
    """Validate ``values`` with the model's admin form and save as the admin saves."""
    admin_of = model_admin(model)
    change = instance is not None
    form_class = admin_of.get_form(request, instance, change=change)
    record = instance if instance is not None else model()
    form = form_class(data=form_data(form_class, record, values), instance=record)
    if not form.is_valid():
        raise refuse(_form_errors(form))
    try:
        with transaction.atomic():
            record = form.save(commit=False)
            admin_of.save_model(request, record, form, change)
            admin_of.save_related(request, form, formsets=[], change=change)
    except ValidationError as error:
        raise refuse(_messages(error)) from error
    return record, _drain_warnings(request)


def staff_delete(request: Any, record: models.Model) -> None:
    admin_of = model_admin(type(record))
    if not admin_of.has_delete_permission(request, record):
        raise exceptions.PermissionDenied(f"“{record}” is in use and cannot be deleted.")
    try:
        with transaction.atomic():
            admin_of.delete_model(request, record)
    except ProtectedError as error:
        names = "; ".join(f"“{row}”" for row in list(error.protected_objects)[:6])
        raise refuse(
            f"“{record}” is still used by {names}. Change or delete those first."
        ) from error


# -- a DPO: through the portal ------------------------------------------------------------------


def kind(slug: str) -> Kind:
    return KINDS[slug]


def dpo_form_fields(slug: str) -> list[str]:
    return ["school", *kind(slug).form.base_fields]


def dpo_save(
    request: Any, slug: str, school: School, instance: models.Model | None, values: Mapping
) -> tuple[models.Model, list[str]]:
    """Validate ``values`` with the portal's form for ``school`` and save with its service."""
    spec = kind(slug)
    record = instance if instance is not None else spec.blank(school)
    data = form_data(spec.form, record, values, school=school)
    form = spec.form(data, instance=record, school=school)
    if not form.is_valid():
        raise refuse(_form_errors(form))
    try:
        with transaction.atomic():
            saved = spec.save(
                school=school, user=request.user,
                **{spec.record: form.instance, **form.service_arguments()},
            )  # fmt: skip
    except ValidationError as error:
        raise refuse(_messages(error)) from error
    return saved or form.instance, []


def save_contacts(request: Any, school: School, values: Mapping[str, Any]) -> School:
    """Change the school's contact details with the portal's form and service (staff or
    the school's DPO; the service refuses anyone else)."""
    editing = School.objects.get(pk=school.pk)  # the form changes its instance as it validates
    form = ContactsForm(form_data(ContactsForm, editing, values, school=school),
                        instance=editing, school=school)  # fmt: skip
    if not form.is_valid():
        raise refuse(_form_errors(form))
    changed = {name: form.cleaned_data[name] for name in values}
    try:
        return register.save_school_contacts(school=editing, contacts=changed, user=request.user)
    except ValidationError as error:
        raise refuse(_messages(error)) from error


def dpo_delete(request: Any, slug: str, school: School, record: models.Model) -> None:
    spec = kind(slug)
    try:
        spec.delete(school=school, user=request.user, **{spec.record: record})
    except ValidationError as error:
        raise refuse(_messages(error)) from error


class SchoolByURN(serializers.SlugRelatedField):
    """A school, named by its URN."""

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", School.objects.all())
        super().__init__(slug_field="urn", **kwargs)
