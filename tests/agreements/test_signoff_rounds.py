"""Each published version opens a round: every party school is asked to sign it, staff see who
has, the pending are reminded, reviews falling due are flagged, and new parties are asked."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import notifications, tasks
from agreements.models import Agreement, AgreementVersion, SignOffRequest
from agreements.notifications import dpo_addresses
from agreements.services import (
    AgreementError,
    publish_version,
    send_due_reminders,
    send_reminders,
    signoff_status,
)
from governance.celery import app as celery_app
from governance.outbox.models import Job
from governance.outbox.services import agreement_email_job, enqueue, run, sweep
from tests.agreements.conftest import (
    ARDEN,
    AVON,
    KINETON,
    KINETON_DPO,
    KINETON_NAME,
    STOUR,
    next_draft,
    school,
)
from tests.factories import SchoolFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

AVON_TO = ["avon-dpo@example.org", "dpo@schools-dpo.example.org"]
ARDEN_TO = ["arden-dpo@example.org", "dpo@ardentrust.example.org"]
KINETON_TO = [KINETON_DPO]


def recipients() -> list[list[str]]:
    return sorted(sorted(message.to) for message in mail.outbox)


def request_of(version: AgreementVersion, urn: str) -> SignOffRequest:
    return SignOffRequest.objects.get(version=version, school__urn=urn)


# Rounds


def test_publishing_asks_every_party_school_to_sign(world) -> None:
    for number in (1, 2):
        version = world.version(number)
        asked = sorted(version.requests.values_list("school__urn", flat=True))
        assert asked == sorted([AVON, ARDEN, STOUR, KINETON])


def test_publishing_a_new_version_supersedes_the_one_in_force(world) -> None:
    v1, v2 = world.version(1), world.version(2)

    assert v1.status == AgreementVersion.Status.SUPERSEDED
    assert v1.superseded_at == v2.published_at
    assert v2.status == AgreementVersion.Status.PUBLISHED
    assert v2.superseded_at is None
    assert list(v2.agreement.versions.published()) == [v2]


def test_status_tells_signed_from_signed_an_earlier_version_from_pending(world) -> None:
    states = {row.request.school.urn: row.state for row in signoff_status(world.version(2))}

    assert states == {ARDEN: "signed", AVON: "earlier", KINETON: "pending", STOUR: "pending"}


def test_a_later_signature_does_not_count_as_signing_an_earlier_version(world) -> None:
    states = {row.request.school.urn: row.state for row in signoff_status(world.version(1))}

    assert states == {AVON: "signed", ARDEN: "pending", KINETON: "pending", STOUR: "pending"}


def test_staff_sign_off_page_lists_each_schools_standing(world, staff_client: Client) -> None:
    url = reverse("admin:agreements_agreementversion_signoff", args=[world.v2])

    page = staff_client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    for label in ("All (4)", "Signed (1)", "Signed an earlier version (1)", "Pending (2)"):
        assert label in html
    assert "Lee Grant, Data Protection Officer" in html
    rows = {row.request.school.urn: row.state for row in page.context["rows"]}
    assert rows == {ARDEN: "signed", AVON: "earlier", KINETON: "pending", STOUR: "pending"}


def test_staff_sign_off_page_lists_the_schools_that_could_not_be_contacted(
    world, staff_client: Client
) -> None:
    url = reverse("admin:agreements_agreementversion_signoff", args=[world.v2])

    html = unescape(staff_client.get(url).content.decode())

    assert "1 school yet to sign could not be contacted by email:" in html
    assert (
        "Stour Valley CofE Primary School</a>: no DPO email address is recorded, on the "
        "school's record or a portal account."
    ) in html
    assert html.count("not contacted: no DPO email address") == 1


def test_schools_no_email_can_reach_are_those_without_a_dpo_address(world) -> None:
    schools = [school(urn) for urn in (ARDEN, AVON, KINETON, STOUR)]

    assert notifications.unreachable(schools) == {school(STOUR).pk: notifications.NO_ADDRESS}
    for each in schools:  # the same addresses as the emails go to
        assert (each.pk in notifications.unreachable(schools)) == (not dpo_addresses(each))


def test_an_inactive_account_does_not_make_a_school_reachable_an_active_one_does(world) -> None:
    stour = school(STOUR)
    former = UserFactory(username="former", email="former@example.org", is_active=False)
    former.schools.add(stour)
    assert stour.pk in notifications.unreachable([stour])

    current = UserFactory(username="current", email="current@example.org")
    current.schools.add(stour)
    assert notifications.unreachable([stour]) == {}
    assert dpo_addresses(stour) == ["current@example.org"]


def test_staff_sign_off_page_filters_by_standing(world, staff_client: Client) -> None:
    url = reverse("admin:agreements_agreementversion_signoff", args=[world.v2])

    page = staff_client.get(url, {"state": "pending"})

    html = page.content.decode()
    assert KINETON_NAME in html
    assert "Stour Valley CofE Primary School" in html
    assert "Arden Heath Academy" not in html
    assert "Avon Meadow Primary School" not in html


# Reminders


def test_reminders_email_only_schools_yet_to_sign(world) -> None:
    version = world.version(2)
    now = timezone.now()

    reminded = send_reminders(version=version, now=now)

    # Avon signed only version 1, so is asked again; Stour has no DPO address at all.
    assert reminded == 2
    assert recipients() == [AVON_TO, KINETON_TO]
    assert all(m.subject.startswith("Reminder: ") for m in mail.outbox)
    assert all("(version 2) awaits your signature" in m.subject for m in mail.outbox)
    for urn in (AVON, KINETON):
        request = request_of(version, urn)
        assert (request.last_reminded_at, request.reminders_sent) == (now, 1)
    for urn in (ARDEN, STOUR):
        request = request_of(version, urn)
        assert (request.last_reminded_at, request.reminders_sent) == (None, 0)


def test_reminder_links_to_the_schools_signing_page(world) -> None:
    send_reminders(version=world.version(2))

    bodies = {tuple(sorted(m.to)): m.body for m in mail.outbox}
    assert (
        f"/portal/schools/{KINETON}/agreements/{world.agreement_id}/v2/"
        in bodies[tuple(KINETON_TO)]
    )


def test_only_due_reminders_skip_schools_asked_or_reminded_recently(world, settings) -> None:
    settings.AGREEMENT_REMINDER_DAYS = 7
    version = world.version(2)
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    SignOffRequest.objects.filter(version=version, school__urn=KINETON).update(
        created_at=eight_days_ago
    )

    assert send_reminders(version=version, only_due=True) == 1
    assert recipients() == [KINETON_TO]
    assert send_reminders(version=version, only_due=True) == 0
    assert len(mail.outbox) == 1

    later = timezone.now() + datetime.timedelta(days=8)
    assert send_reminders(version=version, only_due=True, now=later) == 2
    assert request_of(version, KINETON).reminders_sent == 2


def test_a_superseded_version_collects_no_reminders(world) -> None:
    with pytest.raises(AgreementError, match="Only the version in force"):
        send_reminders(version=world.version(1))

    assert mail.outbox == []


def test_staff_send_reminders_from_the_sign_off_page(world, staff_client: Client) -> None:
    url = reverse("admin:agreements_agreementversion_signoff", args=[world.v2])

    page = staff_client.post(url, follow=True)

    html = unescape(page.content.decode())
    assert "Reminded 2 school(s)." in html
    assert "1 school could not be emailed (Stour Valley CofE Primary School: no DPO email" in html
    assert recipients() == [AVON_TO, KINETON_TO]


def test_staff_reminder_action_skips_versions_not_in_force(world, staff_client: Client) -> None:
    url = reverse("admin:agreements_agreementversion_changelist")
    form = {"action": "send_reminders", "_selected_action": [str(world.v1), str(world.v2)]}

    page = staff_client.post(url, form, follow=True)

    assert "Reminded 2 school(s) (1 not in force skipped)." in page.content.decode()
    assert len(mail.outbox) == 2


# The daily round


def test_review_reminder_is_sent_once_when_the_review_date_comes_near(world, settings) -> None:
    settings.AGREEMENT_REVIEW_WARNING_DAYS = 30
    version = world.version(2)
    UserFactory(
        username="data-team", is_staff=True, is_superuser=True, email="data-team@example.org"
    )
    UserFactory(username="auditor", is_staff=True, email="auditor@example.org")

    early = send_due_reminders(today=version.review_date - datetime.timedelta(days=31))
    due = send_due_reminders(today=version.review_date - datetime.timedelta(days=10))
    again = send_due_reminders(today=version.review_date - datetime.timedelta(days=9))

    assert (early["reviews"], due["reviews"], again["reviews"]) == (0, 1, 0)
    reviews = [m for m in mail.outbox if m.subject.startswith("Review due")]
    assert len(reviews) == 1
    assert {"data-team@example.org", "publisher@example.org"} <= set(reviews[0].to)
    assert "auditor@example.org" not in reviews[0].to  # auditors change nothing
    assert Agreement.objects.get(pk=world.agreement_id).review_reminded_version == 2


def test_a_school_that_becomes_a_party_is_asked_to_sign_the_version_in_force(
    world, django_capture_on_commit_callbacks
) -> None:
    authority = world.version(2).agreement.authority
    newcomer = SchoolFactory(authority=authority, dpo_email="dpo@newcomer.example.org")

    with django_capture_on_commit_callbacks(execute=True):
        first = send_due_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_due_reminders()

    assert (first["new_parties"], second["new_parties"]) == (1, 0)
    assert SignOffRequest.objects.filter(version_id=world.v2, school=newcomer).exists()
    assert not SignOffRequest.objects.filter(version_id=world.v1, school=newcomer).exists()
    asked = [m for m in mail.outbox if m.to == ["dpo@newcomer.example.org"]]
    assert len(asked) == 1
    assert asked[0].subject.startswith("Please sign: ")


def test_daily_task_runs_the_round(world) -> None:
    result = tasks.send_due_reminders.apply().get()

    assert result == {"new_parties": 0, "reminded": 0, "reviews": 0}


# Publishing emails


@pytest.fixture
def eager_celery(monkeypatch) -> None:
    """Run tasks in process even when REDIS_URL points the suite at a real broker."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_publishing_emails_each_party_schools_dpo_after_commit(
    world, staff, eager_celery, django_capture_on_commit_callbacks
) -> None:
    draft = next_draft(world.version(2).agreement)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish_version(version=draft, user=staff)
        assert mail.outbox == [], "nobody is emailed before the version is committed"

    assert len(callbacks) == 1
    # Stour Valley has no DPO address and no portal account: it gets nothing.
    assert recipients() == [ARDEN_TO, AVON_TO, KINETON_TO]
    for message in mail.outbox:
        assert message.subject == f"Please sign: {draft.agreement.title} (version 3)"
        assert re.search(rf"/portal/schools/\d+/agreements/{world.agreement_id}/v3/", message.body)


def test_inactive_portal_accounts_are_not_emailed(
    world, staff, eager_celery, django_capture_on_commit_callbacks
) -> None:
    user = UserFactory(username="former-dpo", email="former@example.org", is_active=False)
    user.schools.add(school(STOUR))
    draft = next_draft(world.version(2).agreement)

    with django_capture_on_commit_callbacks(execute=True):
        publish_version(version=draft, user=staff)

    assert "former@example.org" not in {to for m in mail.outbox for to in m.to}


def test_a_signature_request_job_for_a_superseded_version_sends_nothing(world) -> None:
    [job_id] = enqueue([agreement_email_job(world.v1, school(AVON).pk)], send=False)

    assert run(job_id) == "done"
    assert Job.objects.get(pk=job_id).result == "version 1 is no longer in force: nothing sent"
    assert mail.outbox == []


def test_publishing_while_the_broker_is_down_answers_and_emails_once_it_is_back(
    world, staff, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from governance.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    draft = next_draft(world.version(2).agreement)

    with django_capture_on_commit_callbacks(execute=True):
        publish_version(version=draft, user=staff)  # the broker refuses: no error here

    draft.refresh_from_db()
    assert draft.status == "published"
    jobs = Job.objects.filter(agreement_version=draft)
    assert jobs.count() == 4
    assert not jobs.exclude(sent_at=None).exists()
    assert mail.outbox == []

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the broker is back
    sweep()

    assert recipients() == [ARDEN_TO, AVON_TO, KINETON_TO]
    assert set(jobs.values_list("status", flat=True)) == {"done"}
