"""The portal pages where a DPO keeps their school's own part of the register, previews the
notices it makes and publishes them.

Every page starts from ``School.objects.visible_to(request.user)`` and every record from the
school (``school.own_systems`` and the like), so another school's record, or one of the
organisation's, is a 404. Staff and auditors read every school's pages; only the school's
DPOs and staff may write (``governance.register.may_edit_register``): an auditor sees the
values but no form to send, and a POST is refused with 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from governance import register as services
from governance.models import DataFlow, DataObject, Purpose, School, StorageSystem
from governance.outbox.models import Job
from governance.portal import forms

NOT_PUBLIC = "Saved. Your changes are not public yet: preview and publish your notices when ready."


@dataclass(frozen=True)
class Kind:
    """One part of a school's register: its own records, their form and their services."""

    slug: str  # in the URL and the register page's anchors
    noun: str
    form: type[forms.RegisterForm]
    own: Callable[[School], models.QuerySet]
    record: str  # the keyword the services take the record by
    save: Callable[..., Any]  # save(school=, user=, <record>=, **form.service_arguments())
    delete: Callable[..., None]  # delete(school=, user=, <record>=)

    def blank(self, school: School) -> models.Model:
        """Return a new record, already the school's (the service sets the owner again)."""
        model = self.form._meta.model
        record = model(school=school)
        if any(f.name == "authority" for f in model._meta.fields):
            record.authority_id = school.authority_id
        return record


KINDS = {
    kind.slug: kind
    for kind in [
        Kind("systems", "storage system", forms.StorageSystemForm,
             lambda school: school.own_systems.all(), "system",
             services.save_storage_system, services.delete_storage_system),
        Kind("suppliers", "supplier", forms.SupplierForm,
             lambda school: school.own_suppliers.all(), "supplier",
             services.save_supplier, services.delete_supplier),
        Kind("recipients", "recipient", forms.RecipientForm,
             lambda school: school.own_recipients.all(), "recipient",
             services.save_recipient, services.delete_recipient),
        Kind("flows", "data flow", forms.FlowForm, services.school_flows, "flow",
             services.save_school_flow, services.delete_school_flow),
        Kind("categories", "data category", forms.CategoryForm,
             lambda school: school.own_categories.all(), "category",
             services.save_category, services.delete_category),
        Kind("purposes", "purpose", forms.PurposeForm,
             lambda school: school.own_purposes.all(), "purpose",
             services.save_purpose, services.delete_purpose),
    ]
}  # fmt: skip


class KindConverter:
    """The part of the register in a URL: ``systems``, ``suppliers``... (others are a 404)."""

    regex = "|".join(KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


def _school(request: HttpRequest, urn: str) -> School:
    schools = School.objects.visible_to(request.user).select_related("authority")
    return get_object_or_404(schools, urn=urn)


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404("No such part of the register")
    return KINDS[slug]


def _refuse_readers(request: HttpRequest, school: School) -> bool:
    """Return whether the person may edit; raise 403 for a POST by someone who may not."""
    may_edit = services.may_edit_register(request.user, school)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("You can read this register but not change it.")
    return may_edit


def _register_url(school: School, kind: str = "") -> str:
    url = reverse("portal:register", kwargs={"urn": school.urn})
    return f"{url}#{kind}" if kind else url


# -- the register page ---------------------------------------------------------------------


def _register_rows(school: School) -> dict[str, Any]:
    """Return the school's own records and the organisation's that apply, each kind in a
    fixed number of queries."""
    organisation = Q(authority=school.authority_id, school__isnull=True)
    categories = DataObject.objects.order_by("data_subject", "title")
    systems = StorageSystem.objects.select_related("supplier").prefetch_related(
        Prefetch("categories", queryset=categories)
    )
    purposes = Purpose.objects.prefetch_related("lawful_bases", "laws", "categories")
    flows = DataFlow.objects.filter(school=school).with_details()
    return {
        "own_systems": systems.filter(school=school),
        "org_systems": systems.filter(organisation),
        "own_flows": [f for f in flows if not f.partner_service_id],
        "org_flows": [f for f in flows if f.partner_service_id],
        "own_suppliers": school.own_suppliers.order_by("name"),
        "own_recipients": school.own_recipients.order_by("kind", "name"),
        "own_categories": categories.filter(school=school).select_related(
            "art9_condition", "dpa_condition"
        ),
        "org_categories": categories.filter(organisation),
        "own_purposes": purposes.filter(school=school),
        "org_purposes": purposes.filter(organisation),
    }


@require_GET
@login_required
def register_page(request: HttpRequest, urn: str) -> HttpResponse:
    """Show the school's own register, and the organisation's defaults read-only."""
    school = _school(request, urn)
    context = {
        "school": school,
        "may_edit": services.may_edit_register(request.user, school),
        **_register_rows(school),
    }
    return render(request, "portal/register/register.html", context)


# -- adding, editing and deleting the school's records ------------------------------------


def _record(school: School, kind: Kind, pk: int | None) -> models.Model:
    if pk is None:
        return kind.blank(school)
    return get_object_or_404(kind.own(school), pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def record_form(request: HttpRequest, urn: str, kind: str, pk: int | None = None) -> HttpResponse:
    """Add or change one of the school's own records."""
    school, spec = _school(request, urn), _kind(kind)
    record = _record(school, spec, pk)
    may_edit = _refuse_readers(request, school)
    data = request.POST if request.method == "POST" else None
    form = spec.form(data, instance=record, school=school)
    if request.method == "POST" and form.is_valid():
        arguments = {spec.record: form.instance, **form.service_arguments()}
        try:
            spec.save(school=school, user=request.user, **arguments)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, NOT_PUBLIC)
            return redirect(_register_url(school, spec.slug))
    if not may_edit:
        form.make_read_only()
    context = {"school": school, "kind": spec, "form": form, "record": record,
               "may_edit": may_edit}  # fmt: skip
    return render(request, "portal/register/record_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def record_delete(request: HttpRequest, urn: str, kind: str, pk: int) -> HttpResponse:
    """Confirm, then delete, one of the school's own records."""
    school, spec = _school(request, urn), _kind(kind)
    record = _record(school, spec, pk)
    may_edit = _refuse_readers(request, school)
    refusal = ""
    if request.method == "POST":
        try:
            spec.delete(school=school, user=request.user, **{spec.record: record})
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"Deleted “{record}”. {NOT_PUBLIC.removeprefix('Saved. ')}")
            return redirect(_register_url(school, spec.slug))
    context = {"school": school, "kind": spec, "record": record, "may_edit": may_edit,
               "refusal": refusal}  # fmt: skip
    return render(request, "portal/register/record_delete.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def contacts(request: HttpRequest, urn: str) -> HttpResponse:
    """Change the school's contact details, security measures and retention schedule."""
    school = _school(request, urn)
    may_edit = _refuse_readers(request, school)
    data = request.POST if request.method == "POST" else None
    editing = School.objects.get(pk=school.pk)  # the form changes its instance as it validates
    form = forms.ContactsForm(data, instance=editing, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_school_contacts(school=editing, contacts=form.cleaned_data,
                                          user=request.user)  # fmt: skip
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, NOT_PUBLIC)
            return redirect(_register_url(school, "contacts"))
    if not may_edit:
        form.make_read_only()
    context = {"school": school, "form": form, "may_edit": may_edit}
    return render(request, "portal/register/contacts.html", context)


# -- preview and publish -------------------------------------------------------------------


def _publish(request: HttpRequest, school: School) -> None:
    ids = services.publish_register(school=school, user=request.user)
    jobs = list(Job.objects.filter(pk__in=ids).order_by("audience"))
    if any(job.status == Job.Status.FAILED for job in jobs):
        messages.error(
            request,
            "A notice failed to render, so it was not issued: any earlier version stays "
            "public. The service's staff can see why under Background jobs.",
        )
    elif all(job.status == Job.Status.DONE for job in jobs):
        for job in jobs:
            messages.success(request, f"Published. {job.result}.")
    else:
        messages.success(
            request,
            "Publishing: your notices are being issued and will be public in a minute or "
            "two. This page shows them as published once they are.",
        )


@require_http_methods(["GET", "POST"])
@login_required
def publish(request: HttpRequest, urn: str) -> HttpResponse:
    """Show what each notice would say now and what would change; publish on POST."""
    school = _school(request, urn)
    may_publish = _refuse_readers(request, school)
    if request.method == "POST":
        _publish(request, school)
        return redirect("portal:publish", urn=school.urn)
    previews = services.notice_previews(school=school)
    context = {
        "school": school,
        "previews": previews,
        "pending": not all(preview.is_unchanged for _, preview in previews),
        "may_publish": may_publish,
    }
    return render(request, "portal/register/publish.html", context)
