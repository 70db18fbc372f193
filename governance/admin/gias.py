"""The schools list's "Import from GIAS": upload the CSV, see what would change, apply.

The upload is kept (in the private file storage, under a random name) between the preview
and the apply, and read again then: the plan applied must be the plan previewed (its digest),
or the new preview is shown instead. Nothing is applied while any row has an error.
"""

import datetime
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from governance import gias

UPLOADS = "imports/gias"
TOKEN_BYTES = 18


class GiasUploadForm(forms.Form):
    file = forms.FileField(
        label="GIAS establishment data (CSV)",
        help_text="From get-information-schools.service.gov.uk: Download → Establishment "
        "data → “All establishment data” (or your authority's), as CSV.",
        error_messages={
            "required": "Choose the CSV file to import.",
            "empty": "That file is empty.",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > gias.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.0f} MB: the largest accepted is "
                f"{gias.MAX_BYTES / 1e6:.0f} MB."
            )
        return upload


def _forget_old(older_than: datetime.timedelta = datetime.timedelta(days=1)) -> None:
    """Delete uploads previewed and never applied (kept a day)."""
    try:
        _, names = default_storage.listdir(UPLOADS)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - older_than
    for name in names:
        path = f"{UPLOADS}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _kept(token: str) -> str:
    if not (token.isascii() and token.replace("-", "").replace("_", "").isalnum()):
        raise PermissionDenied
    return f"{UPLOADS}/{token}.csv"


class GiasImportMixin:
    """``import_gias_view`` for the school admin (staff who may add and change schools)."""

    def import_gias_view(self, request: HttpRequest) -> HttpResponse:
        admin: Any = self
        if not (admin.has_add_permission(request) and admin.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **admin.admin_site.each_context(request),
            "opts": admin.opts,
            "title": "Import schools from GIAS",
            "max_mb": gias.MAX_BYTES // 1_000_000,
        }
        if request.method == "POST" and "token" in request.POST:
            return self._apply(request, context)
        form = GiasUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                plan = gias.read_plan(data)
            except gias.GiasFileError as error:
                form.add_error("file", str(error))
            else:
                _forget_old()
                token = secrets.token_urlsafe(TOKEN_BYTES)
                default_storage.save(_kept(token), ContentFile(data))
                context.update(plan=plan, token=token, name=form.cleaned_data["file"].name)
        context["form"] = form
        return TemplateResponse(request, "admin/governance/school/import_gias.html", context)

    def _apply(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        token = request.POST.get("token", "")
        path = _kept(token)
        if not default_storage.exists(path):
            messages.error(request, "That upload is no longer here: upload the file again.")
            return redirect("admin:governance_school_import_gias")
        with default_storage.open(path, "rb") as kept:
            data = kept.read()
        try:
            plan = gias.apply_plan(
                data, user=request.user, expected_digest=request.POST.get("digest", "")
            )
        except gias.ImportRefused as refused:
            messages.error(request, str(refused))
            context.update(plan=refused.plan, token=token, name=request.POST.get("name", ""),
                           form=GiasUploadForm())  # fmt: skip
            return TemplateResponse(request, "admin/governance/school/import_gias.html", context)
        except gias.GiasFileError as error:  # the kept file is the one previewed: never here
            messages.error(request, str(error))
            return redirect("admin:governance_school_import_gias")
        default_storage.delete(path)
        messages.success(request, f"Imported from GIAS: {plan.summary(applied=True)}.")
        return redirect("admin:governance_school_changelist")
