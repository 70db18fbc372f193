"""Staff see when the agreement in force no longer says what the registry says, and what
differs, on the agreement's admin pages and its versions', at a bounded cost per page."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import staleness
from agreements.staleness import registry_drift
from processors.models import Processor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

MOVED = "Where Groupcall stores information changed from “not stated” to “UK”."


@pytest.fixture
def groupcall_moved(world) -> None:
    """A processor's data location edited in the admin after version 2 was published."""
    Processor.objects.filter(name="Groupcall").update(data_location="UK")


def test_the_version_in_force_matches_an_unchanged_registry(world) -> None:
    drift = registry_drift(world.version(2))

    assert not drift.stale
    assert drift.sentences == []


def test_a_registry_edit_makes_the_version_in_force_stale_in_words(world, groupcall_moved) -> None:
    drift = registry_drift(world.version(2))

    assert drift.stale
    assert drift.sentences == [MOVED]


def test_superseded_versions_are_history_not_stale(world, groupcall_moved) -> None:
    assert not registry_drift(world.version(1)).stale


def test_the_agreements_page_says_what_differs(world, groupcall_moved, staff_client) -> None:
    url = reverse("admin:agreements_agreement_change", args=[world.agreement_id])

    html = staff_client.get(url).content.decode()

    assert "Version 2, in force, no longer matches the registry." in html
    assert MOVED in html
    assert "Start a new version" in html


def test_the_agreements_page_says_when_it_matches(world, staff_client) -> None:
    url = reverse("admin:agreements_agreement_change", args=[world.agreement_id])

    html = staff_client.get(url).content.decode()

    assert "Version 2, in force, matches the registry." in html
    assert "no longer matches" not in html


def test_the_version_in_force_page_says_what_differs(world, groupcall_moved, staff_client) -> None:
    html = staff_client.get(
        reverse("admin:agreements_agreementversion_change", args=[world.v2])
    ).content.decode()

    assert "Version 2, in force, no longer matches the registry." in html
    assert MOVED in html


def test_the_lists_flag_the_stale_version_in_force(world, groupcall_moved, staff_client) -> None:
    agreements = staff_client.get(reverse("admin:agreements_agreement_changelist"))
    versions = staff_client.get(reverse("admin:agreements_agreementversion_changelist"))

    for page in (agreements, versions):
        html = page.content.decode()
        assert '<strong class="stale">No</strong>: 1 difference' in html
        assert MOVED in html  # in the cell's title, for a glance


def test_a_list_checks_a_bounded_number_of_rows(world, staff_client, monkeypatch) -> None:
    """Each check builds the agreement's content: a long list must not build one per row."""
    monkeypatch.setattr(staleness, "CHECKS_PER_PAGE", 0)
    monkeypatch.setattr("agreements.admin.CHECKS_PER_PAGE", 0)

    with mock.patch("agreements.staleness.build_agreement_content") as build:
        page = staff_client.get(reverse("admin:agreements_agreement_changelist"))

    assert build.call_count == 0
    assert "Open to check" in page.content.decode()


def test_a_check_costs_one_content_build(world, staff_client: Client) -> None:
    url = reverse("admin:agreements_agreement_changelist")
    staff_client.get(url)  # warm caches (sessions, content types)
    with (
        mock.patch(
            "agreements.staleness.build_agreement_content",
            wraps=staleness.build_agreement_content,
        ) as build,
        CaptureQueriesContext(connection) as queries,
    ):
        staff_client.get(url)

    assert build.call_count == 1  # one agreement in force on the page
    assert len(queries) <= 25
