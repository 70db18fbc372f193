"""The record of processing (UK GDPR Article 30(1)): every field for a demo school, the same
facts as its notices, CSV/XLSX/PDF that open, one sheet per school for an organisation, and
only the school's DPO and staff may download it."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from governance import article30
from governance.models import Authority, School
from notices.content import Audience, build_notice_content
from notices.models import NoticeVersion
from notices.services import refresh_school_notices
from tests.factories import UserFactory, dpo_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def avon() -> School:
    return School.objects.get(name="Avon Meadow Primary School")


def test_the_record_has_every_article_30_field_for_a_demo_school(avon) -> None:
    record = article30.record(avon)

    assert record.controller["controller"] == "Avon Meadow Primary School"
    assert record.controller["dpo"] == "Schools Data Protection Officer Service"
    assert "dpo@schools-dpo.example.org" in record.controller["dpo_contact"]
    rows = record.rows
    assert {r["activity"] for r in rows} == {"In the school", "Shared"}
    assert all(r["purpose"] and r["data_subjects"] and r["personal_data"] for r in rows)
    shared = [r for r in rows if r["activity"] == "Shared"]
    assert all(r["recipient"] and r["recipient_kind"] for r in shared)
    assert len({r["recipient_kind"] for r in shared}) >= 2  # (d): recipients by kind
    abroad = [r for r in shared if r["outside_uk"]]
    assert abroad
    assert all(r["safeguards"] for r in abroad)
    assert all(r["erasure"] for r in rows)  # (f)
    assert record.security
    assert all(r["security"] for r in rows)


@pytest.mark.parametrize("audience", Audience.values)
def test_the_record_says_what_the_notice_says(avon, audience) -> None:
    refresh_school_notices(school=avon)
    notice = NoticeVersion.objects.current_for(avon, audience)
    content = build_notice_content(avon, audience)
    mine = [
        r for r in article30.record(avon).rows if r["data_subjects"] == content["who_it_covers"]
    ]

    recipients = {r["recipient"] for r in mine if r["recipient"]}
    purposes = {r["purpose"] for r in mine if r["activity"] == "In the school"}
    assert recipients == {
        rec["name"] for group in content["recipient_groups"] for rec in group["recipients"]
        if rec.get("exchanges")
    }  # fmt: skip
    assert purposes == {p["description"] for p in content["purposes"]}
    html = notice.html.replace("&#x27;", "'").replace("&amp;", "&")
    for name in recipients:
        assert name in html, name
    for transfer in content["transfers"]["outside"]:
        assert any(r["recipient"] == transfer["name"] and r["safeguards"] for r in mine)


def test_the_organisation_spreadsheet_has_a_filterable_sheet_per_school() -> None:
    warwickshire = Authority.objects.get(name="Warwickshire County Council")
    schools = list(warwickshire.schools.order_by("name"))
    staff = Client()
    staff.force_login(UserFactory(username="a30-staff", is_staff=True, is_superuser=True))

    response = staff.get(
        reverse("admin:governance_authority_article30", args=[warwickshire.pk, "xlsx"])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="warwickshire-')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [s.name[:31] for s in schools]
    sheet = book[book.sheetnames[0]]
    first, _last = sheet.auto_filter.ref.split(":")
    header = int(first[1:])
    assert [c.value for c in sheet[header]] == [label for _, label in article30.COLUMNS]
    assert sheet.max_row > header


def test_csv_and_pdf_download_for_the_schools_dpo_only(avon) -> None:
    other = School.objects.get(name="Victoria CP School")
    dpo = Client()
    dpo.force_login(dpo_of(avon, username="a30-dpo"))

    table = dpo.get(reverse("portal:article30", args=[avon.urn, "csv"]))
    pdf = dpo.get(reverse("portal:article30", args=[avon.urn, "pdf"]))

    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows
    assert {r["URN"] for r in rows} == {avon.urn}
    assert rows[0]["Controller"] == "Avon Meadow Primary School"
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(pdf.content)).trailer["/Root"]  # tagged
    assert dpo.get(reverse("portal:article30", args=[other.urn, "csv"])).status_code == 404
    assert dpo.get(reverse("portal:article30", args=[avon.urn, "docx"])).status_code == 404
    assert Client().get(reverse("portal:article30", args=[avon.urn, "csv"])).status_code == 302
    auditor = Client()
    auditor.force_login(UserFactory(username="a30-auditor", is_staff=True))
    url = reverse("admin:governance_school_article30", args=[avon.pk, "xlsx"])
    assert auditor.get(url).status_code == 200
