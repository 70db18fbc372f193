"""Notice and agreement versions through the API: each role sees its own, PDFs by token."""

import pytest

from agreements.models import AgreementVersion
from governance.models import AccessEvent, School
from notices.models import NoticeVersion
from notices.services import refresh_school_notices
from tests.api.helpers import API, client_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def avon() -> School:
    """Avon's notices issued, and Victoria's (another school's)."""
    school = School.objects.get(name="Avon Meadow Primary School")
    refresh_school_notices(school=school)
    refresh_school_notices(school=School.objects.get(name="Victoria CP School"))
    return school


@pytest.fixture
def dpo(avon):
    user = UserFactory(username="docs-dpo")
    user.schools.add(avon)
    return client_for(user)


@pytest.fixture
def staff():
    return client_for(UserFactory(username="docs-staff", is_staff=True, is_superuser=True))


def test_a_dpo_lists_their_schools_notice_versions_only(dpo, avon) -> None:
    response = dpo.get(f"{API}/notice-versions/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    assert {row["school"] for row in rows} == {avon.urn}
    other = NoticeVersion.objects.exclude(school=avon).first()
    assert dpo.get(f"{API}/notice-versions/{other.pk}/").status_code == 404
    assert dpo.get(f"{API}/notice-versions/{other.pk}/pdf/").status_code == 404


def test_a_notice_pdf_downloads_with_the_token_and_is_recorded(dpo, avon) -> None:
    version = NoticeVersion.objects.rendered().filter(school=avon).first()
    row = dpo.get(f"{API}/notice-versions/{version.pk}/").json()

    response = dpo.get(row["pdf"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert response["Cache-Control"] == "private, no-store"
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.DOWNLOAD).exists()
    assert row["public_url"].endswith(
        f"/schools/{avon.urn}/privacy/{version.audience}/v{version.number}/"
    )


def test_a_dpo_never_sees_a_draft_agreement_version(dpo, staff) -> None:
    drafts = AgreementVersion.objects.filter(status=AgreementVersion.Status.DRAFT)
    listed = {row["id"] for row in dpo.get(f"{API}/agreement-versions/").json()["results"]}
    every = {row["id"] for row in staff.get(f"{API}/agreement-versions/").json()["results"]}

    assert not listed & set(drafts.values_list("pk", flat=True))
    assert set(drafts.values_list("pk", flat=True)) <= every


def test_documents_are_read_only(staff, avon) -> None:
    version = NoticeVersion.objects.first()

    assert staff.delete(f"{API}/notice-versions/{version.pk}/").status_code == 405
    assert staff.post(f"{API}/sign-off-log/", {}, format="json").status_code == 405
