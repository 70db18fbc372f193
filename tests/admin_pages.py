"""Driving the staff admin as a browser does: URLs, the data a page sends back, errors."""

import re

from django import forms
from django.db import models
from django.test import Client
from django.urls import reverse

from governance.models import Authority, School
from tests.factories import UserFactory

WARWICKSHIRE = "Warwickshire County Council"
WREXHAM = "Wrexham County Borough Council"
WOLVERHAMPTON = "University of Wolverhampton Multi Academy Trust"


def organisation(name: str = WARWICKSHIRE) -> Authority:
    """One of the demo's three organisations."""
    return Authority.objects.get(name=name)


def admin_url(model: type[models.Model], action: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def outflows_url(school: School) -> str:
    return reverse("admin:governance_school_outflows", args=[school.pk])


def auditor_client(username: str = "auditor") -> Client:
    """Staff without superuser: an auditor, who sees every page read-only."""
    client = Client()
    client.force_login(UserFactory(username=username, is_staff=True))
    return client


def browser_values(form: forms.BaseForm) -> dict[str, str | list[str]]:
    """What a browser sends for ``form`` as rendered: unticked boxes are left out."""
    data: dict[str, str | list[str]] = {}
    for name, field in form.fields.items():
        value, key = form[name].value(), form[name].html_name
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[key] = [str(getattr(item, "pk", item)) for item in value or []]
        elif isinstance(value, list | tuple):
            data[key] = [str(getattr(item, "pk", item)) for item in value]
        else:
            data[key] = "" if value is None else str(value)
    return data


def page_data(response) -> dict[str, str | list[str]]:
    """What a browser sends back from an admin add or change page left as it is."""
    data = browser_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(browser_values(formset.management_form))
        for form in formset.forms:
            data.update(browser_values(form))
    return data


def add_inline_row(response, data: dict, prefix: str, **values: object) -> None:
    """Fill in one more row of the inline ``prefix``, as "Add another" does."""
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == prefix
    )
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    blank = browser_values(formset.empty_form)
    data.update({key.replace("__prefix__", str(row)): value for key, value in blank.items()})
    data.update({f"{prefix}-{row}-{name}": value for name, value in values.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)


def post_form(client: Client, url: str, /, **changes: object):
    """Open the add or change page at ``url``, change some fields, and send it."""
    data = page_data(client.get(url))
    data.update({name: value for name, value in changes.items()})  # type: ignore[misc]
    return client.post(url, data)


def form_errors(response) -> dict:
    """Every error the page shows: the form's and its inlines', by field."""
    errors = dict(response.context["adminform"].form.errors)
    for inline in response.context["inline_admin_formsets"]:
        for number, form_errors_ in enumerate(inline.formset.errors):
            errors.update(
                {f"{inline.formset.prefix}-{number}-{k}": v for k, v in form_errors_.items()}
            )
        if inline.formset.non_form_errors():
            errors[inline.formset.prefix] = inline.formset.non_form_errors()
    return errors


def field_errors(response, field: str) -> str:
    assert response.status_code == 200, "the form was accepted"
    return " ".join(response.context["adminform"].form.errors.get(field, []))


def pks(model: type[models.Model], **lookup: object) -> list[str]:
    return [str(pk) for pk in model.objects.filter(**lookup).values_list("pk", flat=True)]


def table_row(html: str, text: str) -> str:
    """Return the one table row of ``html`` that contains ``text``."""
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if text in row]
    assert len(rows) == 1, f"{len(rows)} rows contain {text!r}"
    return rows[0]


def listed(response) -> list[str]:
    """The rows a changelist shows, by name."""
    return sorted(str(row) for row in response.context["cl"].result_list)
