"""Public notices are served like static files: an ETag and Last-Modified decided by the issued
versions, 304 to a matching conditional request before any other work, the rendered page kept
in the cache under its ETag, and public caching headers. Private downloads never are."""

import datetime
from unittest import mock

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.http import http_date

from governance.models import School
from governance.pdf import FittedPDF
from notices import views
from notices.models import NoticeVersion
from notices.services import refresh_school_notices
from processors.models import Processor
from tests.factories import dpo_of, publish_demo_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

CURRENT = "/schools/999101/privacy/pupils/"
FIRST = "/schools/999101/privacy/pupils/v1/"
PDF = "/schools/999101/privacy/pupils.pdf"
FIRST_PDF = "/schools/999101/privacy/pupils/v1.pdf"


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch, settings, tmp_path) -> None:
    """These tests are about HTTP, not layout: skip WeasyPrint."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(
        "notices.services.fitted_pdf", lambda html, **kw: FittedPDF(b"%PDF-1.7 test", 0, 1)
    )
    monkeypatch.setattr("agreements.services.html_to_pdf", lambda html, **kw: b"%PDF-1.7 agr")


@pytest.fixture(autouse=True)
def _no_pages_kept() -> None:
    """Each test starts with no rendered page in this process's memory."""
    views.pages.clear()


@pytest.fixture
def avon() -> School:
    """Avon Meadow with version 1 of both notices issued."""
    school = School.objects.get(urn="999101")
    refresh_school_notices(school=school)
    return school


def issue_second_version(school: School) -> None:
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")
    refresh_school_notices(school=school)


def drained(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_notice_page_has_an_etag_last_modified_and_short_public_caching(avon, client) -> None:
    response = client.get(CURRENT)

    version = NoticeVersion.objects.get(school=avon, audience="pupils", number=1)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"] == http_date(version.rendered_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=60"


def test_matching_if_none_match_is_304_with_no_body_after_one_query(
    avon, client, django_assert_num_queries
) -> None:
    etag = client.get(CURRENT)["ETag"]

    with django_assert_num_queries(1):
        response = client.get(CURRENT, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=60"


def test_a_new_version_answers_the_old_etag_with_200_and_a_new_etag(avon, client) -> None:
    old = client.get(CURRENT)
    issue_second_version(avon)

    response = client.get(CURRENT, HTTP_IF_NONE_MATCH=old["ETag"])

    assert response.status_code == 200
    assert response["ETag"] != old["ETag"]
    assert b"Version 2" in response.content
    assert b"UK (London)" in response.content


def test_if_modified_since_is_answered_from_the_newest_version(avon, client) -> None:
    last_modified = client.get(CURRENT)["Last-Modified"]
    earlier = http_date(
        NoticeVersion.objects.get(school=avon, audience="pupils").rendered_at.timestamp() - 60
    )

    assert client.get(CURRENT, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(CURRENT, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_cached_page_is_the_page_rendered_and_costs_one_query_and_a_cache_get(
    avon, client, django_assert_num_queries
) -> None:
    rendered = client.get(CURRENT)
    key = f"notices:page:{rendered['ETag'].strip(chr(34))}"
    assert cache.get(key) == rendered.content

    with (
        mock.patch("notices.views._notice_page", side_effect=AssertionError("rendered again")),
        django_assert_num_queries(1),
    ):
        cached = client.get(CURRENT)

    assert cached.status_code == 200
    assert cached.content == rendered.content
    assert cached["ETag"] == rendered["ETag"]
    assert cached["Content-Type"] == rendered["Content-Type"]
    assert cached["Cache-Control"] == rendered["Cache-Control"]


def test_an_earlier_versions_page_changes_when_a_new_version_is_issued(avon, client) -> None:
    before = client.get(FIRST)
    assert before["Cache-Control"] == "public, max-age=86400"
    assert b"this is an earlier version" not in before.content

    issue_second_version(avon)
    after = client.get(FIRST, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert b"this is an earlier version" in after.content


def test_a_deploy_changes_every_etag(avon, client, monkeypatch) -> None:
    before = client.get(CURRENT)["ETag"]
    monkeypatch.setattr(views, "PAGE_REVISION", "another release")
    views.page_revision.cache_clear()
    try:
        after = client.get(CURRENT, HTTP_IF_NONE_MATCH=before)
    finally:
        monkeypatch.undo()
        views.page_revision.cache_clear()

    assert after.status_code == 200
    assert after["ETag"] != before


def test_the_etag_depends_on_the_audience_and_the_version(avon, client) -> None:
    issue_second_version(avon)
    etags = {
        client.get(url)["ETag"] for url in (CURRENT, FIRST, "/schools/999101/privacy/workforce/")
    }

    assert len(etags) == 3
    # The current URL and its own number show the same page.
    assert client.get(CURRENT)["ETag"] == client.get(f"{CURRENT}v2/")["ETag"]


def test_the_facts_query_reads_what_the_orm_reads(avon) -> None:
    issue_second_version(avon)
    rows = NoticeVersion.objects.rendered().filter(school=avon, audience="pupils")
    expected = list(
        rows.order_by("-number").values_list(
            "pk", "number", "content_hash", "rendered_at", "pdf_size", "pdf", "school__name"
        )
    )

    facts = views.issued_versions(avon.urn, "pupils")

    assert [tuple(row) for row in facts] == expected
    assert [row.number for row in facts] == [2, 1]
    assert views.issued_versions(avon.urn, "governors") == []
    assert views.issued_versions("123456", "pupils") == []


def test_a_page_kept_in_this_process_is_served_when_the_shared_cache_is_down(avon, client) -> None:
    rendered = client.get(CURRENT)
    with mock.patch.object(views.cache, "get", side_effect=ConnectionError("down")):
        assert client.get(CURRENT).content == rendered.content
        views.pages.clear()
        assert client.get(CURRENT).content == rendered.content  # rendered again


def test_a_visitor_with_a_message_gets_it_and_nothing_cached_or_public(avon, client) -> None:
    cookie = CookieStorage(RequestFactory().get("/"))._encode([Message(constants.INFO, "Saved!")])
    client.cookies["messages"] = cookie

    response = client.get(CURRENT)

    assert b"Saved!" in response.content
    assert not response.has_header("ETag")
    assert "public" not in response.get("Cache-Control", "")
    assert b"Saved!" not in client.get(CURRENT).content  # shown once, never cached


def test_unissued_and_unknown_pages_get_no_caching_headers(avon, client) -> None:
    for url in ("/schools/999104/privacy/pupils/", "/schools/999101/privacy/pupils/v9/"):
        response = client.get(url)
        assert response.status_code == 404
        assert not response.has_header("ETag")
        assert "public" not in response.get("Cache-Control", "")


def test_pdf_has_an_etag_and_a_matching_one_is_304_after_one_query(
    avon, client, django_assert_num_queries
) -> None:
    first = client.get(PDF)
    assert drained(first)[:5] == b"%PDF-"
    assert first["Cache-Control"] == "public, max-age=60"
    assert first.has_header("Last-Modified")

    with django_assert_num_queries(1):
        again = client.get(PDF, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["Cache-Control"] == "public, max-age=60"


def test_a_new_version_changes_the_stable_pdfs_etag_not_the_numbered_ones(avon, client) -> None:
    stable, numbered = client.get(PDF), client.get(FIRST_PDF)
    drained(stable), drained(numbered)
    assert numbered["Cache-Control"] == "public, max-age=31536000, immutable"

    issue_second_version(avon)
    stable_after = client.get(PDF, HTTP_IF_NONE_MATCH=stable["ETag"])
    numbered_after = client.get(FIRST_PDF, HTTP_IF_NONE_MATCH=numbered["ETag"])

    assert stable_after.status_code == 200
    assert "pupils-v2.pdf" in stable_after["Content-Disposition"]
    drained(stable_after)
    assert numbered_after.status_code == 304


def test_pdf_if_modified_since(avon, client) -> None:
    response = client.get(PDF)
    drained(response)
    tomorrow = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    later = http_date(tomorrow.timestamp())

    assert client.get(PDF, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.get(PDF, HTTP_IF_MODIFIED_SINCE=later).status_code == 304


def test_a_private_portal_download_never_gets_public_caching(avon, client: Client) -> None:
    version = publish_demo_agreement()
    client.force_login(dpo_of(avon))
    url = reverse(
        "portal:agreement_pdf",
        kwargs={"urn": avon.urn, "agreement_id": version.agreement_id, "number": version.number},
    )

    response = client.get(url)
    drained(response)
    again = client.get(url, HTTP_IF_NONE_MATCH="*", HTTP_IF_MODIFIED_SINCE=http_date())
    drained(again)

    for answer in (response, again):
        assert answer.status_code == 200
        assert answer["Cache-Control"] == "private, no-store"
        assert not answer.has_header("ETag")
        assert not answer.has_header("Last-Modified")
