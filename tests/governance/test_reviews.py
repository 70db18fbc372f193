"""Reviews falling due: suppliers' due-diligence reviews and agreements in force, overdue or
due within 30 days; one daily digest to staff, and the same list on the admin's home page."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from agreements.models import AgreementVersion
from governance.demo import load_demo
from governance.reviews import due_reviews, send_review_digest
from tests.factories import ProcessorFactory, SchoolFactory, UserFactory, publish_demo_agreement

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def world(settings, tmp_path):
    """The demo (its agreement published, review date moved), and suppliers with reviews
    overdue, due soon, due later and never set."""
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    # A published version never changes (on PostgreSQL a trigger refuses it): date the draft.
    AgreementVersion.objects.filter(status=AgreementVersion.Status.DRAFT).update(
        review_date=days(12)
    )
    version = publish_demo_agreement()
    school = SchoolFactory(name="Hillside Primary")
    ProcessorFactory(name="Overdue Ltd", review_date=days(-3), reviewed_on=days(-368))
    ProcessorFactory(name="Soon Ltd", review_date=days(30))
    ProcessorFactory(name="Own App Ltd", review_date=days(0), school=school)
    ProcessorFactory(name="Later Ltd", review_date=days(31))
    ProcessorFactory(name="Undated Ltd", review_date=None)
    return version


def test_the_list_is_exactly_what_is_overdue_or_due_within_30_days(world) -> None:
    reviews = due_reviews(TODAY)

    assert [(r.kind, r.name, r.due) for r in reviews.overdue] == [
        ("supplier", "Overdue Ltd", days(-3)),
    ]
    assert [(r.kind, r.name, r.due) for r in reviews.due_soon] == [
        ("supplier", "Own App Ltd (Hillside Primary's own)", days(0)),
        ("agreement", world.agreement.title, days(12)),
        ("supplier", "Soon Ltd", days(30)),
    ]
    assert reviews.overdue[0].detail == "last reviewed 1 December 2025"
    assert reviews.due_soon[-1].detail == "never reviewed"


def test_a_draft_agreement_is_not_listed(world) -> None:
    from agreements.services import start_draft

    draft = start_draft(agreement=world.agreement)
    AgreementVersion.objects.filter(pk=draft.pk).update(review_date=days(-100))

    reviews = due_reviews(TODAY)

    listed = [r for r in [*reviews.overdue, *reviews.due_soon] if r.kind == "agreement"]
    assert [(r.name, r.due, r.detail) for r in listed] == [
        (world.agreement.title, days(12), f"version {world.number}, in force"),
    ]


def test_staff_get_one_digest_and_nobody_else(world, mailoutbox, monkeypatch) -> None:
    UserFactory(username="boss", email="boss@example.org", is_staff=True, is_superuser=True)
    UserFactory(username="reader", email="reader@example.org", is_staff=True)  # an auditor
    UserFactory(username="dpo", email="dpo@example.org")
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)

    sent = send_review_digest(TODAY)

    assert sent == len(mailoutbox[0].to)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "boss@example.org" in message.to
    assert not {"reader@example.org", "dpo@example.org"} & set(message.to)
    assert message.subject == "Reviews due: 1 overdue, 3 in the next 30 days"
    overdue, _, soon = message.body.partition("Due in the next 30 days")
    assert "Overdue Ltd, due 1 December 2026" in overdue
    assert "Soon Ltd, due 3 January 2027" in soon
    assert "Later Ltd" not in message.body
    assert "Undated Ltd" not in message.body
    assert f"{settings.SITE_URL.rstrip('/')}/admin/processors/processor/" in message.body


def test_nothing_due_sends_nothing(mailoutbox) -> None:
    UserFactory(username="boss", email="boss@example.org", is_staff=True, is_superuser=True)
    ProcessorFactory(name="Later Ltd", review_date=days(90))

    assert send_review_digest(TODAY) == 0
    assert mail.outbox == []


def test_the_admin_home_shows_the_same_list(world, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))

    page = client.get("/admin/").content.decode()

    start = page.index('id="reviews-due"')
    section = page[start : page.index("</table>", start)]
    for name in ("Overdue Ltd", "Soon Ltd", "Hillside Primary&#x27;s own", world.agreement.title):
        assert name in section
    assert "Later Ltd" not in section
    assert section.index("Overdue Ltd") < section.index("In the next 30 days")


def test_the_digest_runs_daily() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["review-digest-daily"]
    assert entry["task"] == "governance.tasks.send_review_digest"
