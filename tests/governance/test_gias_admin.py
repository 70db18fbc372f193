"""Staff import schools from GIAS in the admin: upload, preview, apply; nothing is written
before the apply, nor when the register changed since the preview; auditors cannot import."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from governance.demo import load_demo
from governance.models import School
from tests.factories import UserFactory
from tests.governance.gias_files import gias_csv

pytestmark = pytest.mark.django_db

URL = reverse("admin:governance_school_import_gias")
ST_MARYS = {
    "URN": 149901, "LA (code)": "937", "LA (name)": "Warwickshire", "EstablishmentNumber": "2901",
    "EstablishmentName": "St Mary’s CofE Primary School",
    "TypeOfEstablishment (name)": "Voluntary aided school",
    "EstablishmentStatus (name)": "Open", "PhaseOfEducation (name)": "Primary",
    "OpenDate": "01-09-1975", "Street": "Church Lane", "Town": "Kenilworth",
    "Postcode": "CV8 1AA", "HeadTitle (name)": "Mrs", "HeadFirstName": "Ann",
    "HeadLastName": "Lee", "SchoolWebsite": "www.stmarys.example.sch.uk",
}  # fmt: skip


@pytest.fixture
def staff() -> Client:
    load_demo()
    client = Client()
    client.force_login(UserFactory(username="gias-staff", is_staff=True, is_superuser=True))
    return client


def upload(client: Client, data: bytes, name: str = "edubasealldata20261201.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "text/csv")})


def form_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(token|digest|name)" value="([^"]*)"', html))


def test_staff_preview_then_apply_an_import(staff) -> None:
    assert "Import from GIAS" in staff.get(reverse("admin:governance_school_changelist")).text

    preview = upload(staff, gias_csv([ST_MARYS]))

    assert preview.status_code == 200
    page = preview.text
    assert "1 to create" in page
    assert "St Mary’s CofE Primary School" in page
    assert not School.objects.filter(urn="149901").exists()  # a preview writes nothing

    applied = staff.post(URL, form_values(page), follow=True)

    school = School.objects.get(urn="149901")
    assert (school.name, school.dfe_number, school.authority.name) == (
        "St Mary’s CofE Primary School", "937/2901", "Warwickshire County Council",
    )  # fmt: skip
    assert (school.headteacher, school.website) == (
        "Mrs Ann Lee",
        "http://www.stmarys.example.sch.uk",
    )
    assert "Imported from GIAS: 1 created, 0 updated, 0 closed" in applied.text


def test_a_file_that_is_not_gias_is_refused_with_the_reason(staff) -> None:
    response = upload(staff, b"PK\x03\x04 a spreadsheet", "schools.xlsx")
    assert response.status_code == 200
    assert "not a CSV file" in response.text
    missing = upload(staff, gias_csv([ST_MARYS], without=["URN"]))
    assert "Line 1" in missing.text
    assert "URN" in missing.text
    assert not School.objects.filter(urn="149901").exists()


def test_a_bad_row_is_listed_and_nothing_can_be_applied(staff) -> None:
    bad = {**ST_MARYS, "URN": 149902, "OpenDate": "1975-09-01", "EstablishmentNumber": "2902"}

    page = upload(staff, gias_csv([ST_MARYS, bad])).text

    assert "Nothing can be imported" in page
    assert "OpenDate" in page
    assert "1975-09-01" in page
    assert 'name="token"' not in page
    assert not School.objects.filter(urn__in=["149901", "149902"]).exists()


def test_the_register_changing_after_the_preview_shows_the_new_preview(staff) -> None:
    page = upload(staff, gias_csv([ST_MARYS])).text
    School.objects.create(**{
        "authority": School.objects.first().authority, "urn": "149901",
        "dfe_number": "937/2901", "name": "St Mary's (added meanwhile)", "phase": "primary",
        "school_type": "maintained", "address": "Church Lane", "postcode": "CV8 1AA",
    })  # fmt: skip

    response = staff.post(URL, form_values(page))

    assert response.status_code == 200
    assert "the register changed since the preview" in response.text
    assert School.objects.get(urn="149901").name == "St Mary's (added meanwhile)"


def test_auditors_cannot_import(staff) -> None:
    auditor = Client()
    auditor.force_login(UserFactory(username="gias-auditor", is_staff=True))

    assert auditor.get(URL).status_code == 403
    assert upload(auditor, gias_csv([ST_MARYS])).status_code == 403
    assert not School.objects.filter(urn="149901").exists()
