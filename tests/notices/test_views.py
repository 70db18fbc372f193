"""Anyone can read a school's current notices, their history and what changed, and the PDFs."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from governance.models import School
from notices.models import NoticeVersion
from notices.services import publish_school_notices, refresh_school_notices
from processors.models import Processor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def demo() -> None:
    """The demo world is loaded once for the module (``demo_for_module``)."""


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch, settings, tmp_path) -> None:
    """These tests are about pages, not layout: skip WeasyPrint (tested in test_services)."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("notices.services.html_to_pdf", lambda html, **kw: b"%PDF-1.7 test")


@pytest.fixture
def issued(demo) -> School:
    """Avon Meadow with both notices issued, then second versions after an edit."""
    avon = School.objects.get(name="Avon Meadow Primary School")
    refresh_school_notices(school=avon)
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")
    refresh_school_notices(school=avon)
    return avon


def test_school_page_links_both_current_notices(issued, client: Client) -> None:
    page = client.get(f"/schools/{issued.urn}/privacy/")

    assert page.status_code == 200
    text = page.content.decode()
    assert f"/schools/{issued.urn}/privacy/pupils.pdf" in text
    assert f"/schools/{issued.urn}/privacy/workforce.pdf" in text
    assert "Version 2" in text


def test_stable_pdf_link_serves_the_latest_version(issued, client: Client) -> None:
    response = client.get(f"/schools/{issued.urn}/privacy/pupils.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "avon-meadow-primary-school-privacy-notice-pupils-v2.pdf" in response["Content-Disposition"]
    )
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"  # consumed, so closed


def test_old_versions_stay_readable_with_what_changed(issued, client: Client) -> None:
    current = client.get(f"/schools/{issued.urn}/privacy/pupils/").content.decode()
    old = client.get(f"/schools/{issued.urn}/privacy/pupils/v1/").content.decode()
    old_pdf = client.get(f"/schools/{issued.urn}/privacy/pupils/v1.pdf")

    assert "Where Redstor stores information changed" in current
    assert "UK (London)" in current
    assert "this is an earlier version" in old
    assert "This is the first version of this notice." in old
    assert old_pdf.status_code == 200
    b"".join(old_pdf.streaming_content)  # read to the end, which closes it


def test_notice_page_shows_the_recipients(issued, client: Client) -> None:
    text = client.get(f"/schools/{issued.urn}/privacy/workforce/").content.decode()

    for name in ["HR &amp; Payroll", "Microsoft", "Redstor", "Information Commissioner"]:
        assert name in text


@pytest.mark.parametrize(
    "url",
    [
        "/schools/000000/privacy/",
        "/schools/999101/privacy/parents/",
        "/schools/999101/privacy/pupils/v9/",
        "/schools/999101/privacy/pupils/v9.pdf",
        "/schools/999101/privacy/governors.pdf",
    ],
)
def test_unknown_things_are_404(issued, client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_new_school_has_no_public_notice_until_published(demo, client: Client) -> None:
    stour = School.objects.get(urn="999104")  # the demo's school being onboarded
    refresh_school_notices(school=stour)  # a registry change does not issue a draft

    response = client.get("/schools/999104/privacy/pupils/")
    assert response.status_code == 404
    assert b"has not published its privacy notices here yet" in response.content
    assert client.get("/schools/999104/privacy/pupils.pdf").status_code == 404
    assert b"has not published" in client.get("/schools/999104/privacy/").content
    assert not NoticeVersion.objects.filter(school=stour).exists()

    publish_school_notices(school=stour)
    assert client.get("/schools/999104/privacy/pupils/").status_code == 200
    pdf = client.get("/schools/999104/privacy/pupils.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_notice_not_yet_issued_says_so(demo, client: Client) -> None:
    School.objects.filter(urn="999104").update(notices_published_at=timezone.now())

    response = client.get("/schools/999104/privacy/pupils/")

    assert response.status_code == 404
    assert b"has not been issued yet" in response.content
    assert b"being prepared" in client.get("/schools/999104/privacy/").content


def test_failed_version_is_never_served(issued, client: Client) -> None:
    NoticeVersion.objects.filter(school=issued, audience="pupils", number=2).update(
        status=NoticeVersion.Status.FAILED
    )

    response = client.get(f"/schools/{issued.urn}/privacy/pupils.pdf")

    assert "pupils-v1.pdf" in response["Content-Disposition"]
    assert client.get(f"/schools/{issued.urn}/privacy/pupils/v2/").status_code == 404
    b"".join(response.streaming_content)  # read to the end, which closes it


def test_school_list_searches_by_name_urn_and_postcode(demo, client: Client) -> None:
    assert b"Ysgol Bryn Derw" in client.get("/schools/?q=bryn").content
    assert b"Arden Heath" in client.get("/schools/?q=999102").content
    found = client.get("/schools/?q=CV37").content
    assert b"Avon Meadow" in found
    assert b"Arden Heath" not in found
    assert client.get("/").status_code == 302


def test_render_documents_command(demo) -> None:
    out = StringIO()

    call_command("render_documents", "--sync", "--school", "6669901", stdout=out)
    call_command("render_documents", "--sync", "--school", "6669901", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Ysgol Bryn Derw: Pupils and parents: version 1 issued")
    assert lines[1] == (
        "Ysgol Bryn Derw: Pupils and parents: unchanged (version 1); "
        "School workforce: unchanged (version 1)"
    )
    with pytest.raises(CommandError, match="No school with URN 123456"):
        call_command("render_documents", "--school", "123456")
