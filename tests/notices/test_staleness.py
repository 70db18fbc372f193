"""Deciding which notices no longer match the registry, for many schools at once: the same
content as school by school, a fixed number of queries per batch, and only what is stale is
queued for rendering."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import School, Subscription
from governance.outbox.models import JobBatch
from notices.content import (
    build_notice_content,
    build_notice_contents,
    build_notice_hashes,
    content_hash,
)
from notices.models import NoticeVersion
from notices.services import stale_notices
from notices.tasks import render_all_notices
from processors.models import Processor

pytestmark = pytest.mark.usefixtures("demo_for_module")


def schools(**filters) -> list[School]:
    return list(School.objects.filter(**filters).select_related("authority").order_by("pk"))


def published() -> list[School]:
    return schools(notices_published_at__isnull=False)


def render_all() -> None:
    """Every published notice issued as the registry stands (the versions as a render would
    record them, without laying out PDFs: only their content hash matters here)."""
    for audience in ("pupils", "workforce"):
        for school in published():
            content = build_notice_content(school, audience)
            NoticeVersion.objects.create(
                school=school, audience=audience, number=1, content=content,
                content_hash=content_hash(content), status=NoticeVersion.Status.RENDERED,
                pdf=f"notices/{school.urn}/{audience}-v1.pdf", html="<p>issued</p>",
            )  # fmt: skip


@pytest.mark.parametrize("audience", ["pupils", "workforce"])
def test_a_batch_builds_exactly_what_each_school_builds_alone(db, audience) -> None:
    everyone = schools()
    batch = build_notice_contents(everyone, audience)

    assert set(batch) == {s.pk for s in everyone}
    for school in everyone:
        assert batch[school.pk] == build_notice_content(school, audience), school.name


@pytest.mark.parametrize("audience", ["pupils", "workforce"])
def test_the_hashes_staleness_uses_are_the_hashes_of_the_content_issued(db, audience) -> None:
    everyone = schools()

    hashes = build_notice_hashes(everyone, audience)

    contents = build_notice_contents(everyone, audience)
    assert hashes == {pk: content_hash(content) for pk, content in contents.items()}


def copies_of(name: str, count: int, first: int) -> list[School]:
    """``count`` new schools like ``name``, with its subscriptions."""
    source = School.objects.prefetch_related("subscriptions").get(name=name)
    made = []
    for i in range(count):
        school = School.objects.get(pk=source.pk)
        school.pk, school.urn = None, f"{990000 + first + i}"
        school.dfe_number, school.name = f"937/{8000 + first + i}", f"{name} {i}"
        school.save()
        Subscription.objects.bulk_create(
            Subscription(school=school, offering_id=s.offering_id, start_date=s.start_date)
            for s in source.subscriptions.all()
        )
        made.append(school)
    return made


@pytest.mark.parametrize("audience", ["pupils", "workforce"])
def test_a_batch_costs_the_same_queries_however_many_schools(db, audience) -> None:
    everyone = schools()
    with CaptureQueriesContext(connection) as demo_only:
        build_notice_contents(everyone, audience)
    copies_of("Avon Meadow Primary School", 12, first=0)
    copies_of("Victoria CP School", 12, first=100)
    more = schools()
    with CaptureQueriesContext(connection) as thirty:
        build_notice_contents(more, audience)

    assert len(more) == len(everyone) + 24
    assert len(thirty) == len(demo_only)


def test_nothing_is_stale_once_every_notice_is_issued(db) -> None:
    render_all()

    assert stale_notices(published()) == []


def test_a_supplier_edit_makes_stale_exactly_the_notices_that_name_it(db) -> None:
    render_all()
    Processor.objects.filter(name="Groupcall").update(data_location="UK (Groupcall)")

    stale = {(s.name, audience) for s, audience in stale_notices(published())}

    warwickshire = {s.name for s in published() if s.authority.name.startswith("Warwickshire")}
    assert stale == {(name, audience) for name in warwickshire
                     for audience in ("pupils", "workforce")}  # fmt: skip


def test_a_notice_whose_newest_version_failed_is_stale(db) -> None:
    render_all()
    school = published()[0]
    NoticeVersion.objects.filter(school=school, audience="workforce").update(status="failed")

    assert stale_notices(published()) == [(school, "workforce")]


def test_stale_notices_decides_in_batches(db) -> None:
    render_all()
    Processor.objects.filter(name="Groupcall").update(data_location="UK (Groupcall)")

    in_one = stale_notices(published())
    in_twos = stale_notices(published(), batch_size=2)

    assert [(s.pk, a) for s, a in in_one] == [(s.pk, a) for s, a in in_twos]


def test_the_nightly_refresh_queues_only_stale_notices(db) -> None:
    render_all()
    Processor.objects.filter(name="Groupcall").update(data_location="UK (Groupcall)")

    with mock.patch("governance.outbox.services.send_jobs"):
        queued = render_all_notices()

    batch = JobBatch.objects.get(label="Nightly refresh")
    keys = set(batch.jobs.values_list("key", flat=True))
    reached = {s for s in published() if s.authority.name.startswith("Warwickshire")}
    assert queued == len(keys) == 2 * len(reached)
    assert keys == {f"notice:{s.pk}:{a}" for s in reached for a in ("pupils", "workforce")}
