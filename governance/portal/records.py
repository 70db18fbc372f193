"""The school's records for staff and its DPO: the subject access page (who has a category of
its data, and since when; printable), the record of processing (Article 30) and the data-flow
map."""

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from governance import article30, flowmap, subject_access
from governance.models import DataObject, School
from governance.portal.views import _school

# A browser's date picker sends ISO dates; typed by hand in the UK, day first (never 6 January
# for "1/6/2025", as Django's default US formats would read it).
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_data_subject_display()})"


class SubjectAccessForm(forms.Form):
    category = CategoryField(
        queryset=DataObject.objects.none(),
        label="Data category",
        empty_label="Choose a category",
        error_messages={
            "required": "Choose the category of data asked about.",
            "invalid_choice": "Choose one of the school's categories.",
        },
    )
    start = forms.DateField(
        label="From",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the date as YYYY-MM-DD, e.g. 2025-09-01."},
    )
    end = forms.DateField(
        label="To",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the date as YYYY-MM-DD, e.g. 2026-07-31."},
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = subject_access.categories(school)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The period ends before it starts.")
        return data


@require_GET
@login_required
def subject_access_page(request: HttpRequest, urn: str) -> HttpResponse:
    """Choose a category and a period; see every recipient of it over that period."""
    school = _school(request, urn)
    today = timezone.localdate()
    initial = {"start": datetime.date(today.year - 1, 1, 1), "end": today}
    form = SubjectAccessForm(request.GET or None, school=school, initial=initial)
    answer = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            answer = subject_access.answer(school, data["category"], data["start"], data["end"])
        else:
            status = 400
    context = {"school": school, "form": form, "answer": answer, "today": today}
    return render(request, "portal/subject_access.html", context, status=status)


@require_GET
@login_required
def article30_download(request: HttpRequest, urn: str, fmt: str) -> HttpResponse:
    """The school's record of processing (Article 30(1)) as CSV, XLSX or PDF."""
    school = _school(request, urn)
    return article30.download(
        [article30.record(school)], name=school.name, fmt=fmt,
        title=f"Record of processing activities: {school.name}",
    )  # fmt: skip


@require_GET
@login_required
def flow_map(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's data-flow map (SVG), for the portal and the admin to show."""
    school = _school(request, urn)
    try:
        picture = flowmap.svg(school)
    except flowmap.MapUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(picture, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response
