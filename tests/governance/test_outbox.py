"""The outbox: jobs written with the change, sent after it, run once, retried, swept, shown.

These run the jobs in process. The fault tests (tests/faults/) run them in real workers
against a Redis of their own, and kill things.
"""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.celery import app
from governance.models import School
from governance.outbox import services
from governance.outbox.models import Job, JobBatch
from governance.outbox.services import enqueue, notice_job, run, sweep
from notices.dependencies import holding_refresh, queue_notice_batch, queue_notice_refresh
from notices.models import NoticeVersion
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_school(**fields) -> School:
    """A published school whose creation queued nothing (the tests queue what they test)."""
    with holding_refresh():
        return SchoolFactory(published=True, **fields)


def jobs_of(school) -> list[tuple[str, str]]:
    return sorted(Job.objects.filter(school=school).values_list("audience", "status"))


_raised: list[Exception] = []


def raise_it(job: Job) -> str:
    raise _raised[0]


@pytest.fixture
def handler_raises():
    def set_error(error: Exception):
        _raised[:] = [error]
        return mock.patch.dict(
            services.HANDLERS, {Job.Kind.NOTICE: "tests.governance.test_outbox.raise_it"}
        )

    return set_error


# Writing and sending


def test_jobs_are_written_at_once_and_sent_only_after_commit(
    django_capture_on_commit_callbacks,
) -> None:
    school = new_school()

    with (
        mock.patch("governance.outbox.services.send_jobs") as send,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        ids = queue_notice_refresh([school.pk])

    assert jobs_of(school) == [("pupils", "pending"), ("workforce", "pending")]
    send.assert_not_called()
    with mock.patch("governance.outbox.services.send_jobs") as send:
        for callback in callbacks:  # the transaction commits
            callback()
    send.assert_called_once_with(ids)


def test_one_job_waits_per_document_however_often_it_is_asked_for() -> None:
    school = new_school()

    with mock.patch("governance.outbox.services.send_jobs"):
        first = enqueue([notice_job(school.pk, "pupils")])
        again = enqueue([notice_job(school.pk, "pupils"), notice_job(school.pk, "pupils")])

    assert first == again
    assert Job.objects.count() == 1


def test_a_batch_takes_over_the_documents_already_waiting() -> None:
    school, other = new_school(), new_school()
    SchoolFactory()  # a draft: nothing is rendered for it

    with mock.patch("governance.outbox.services.send_jobs"):
        enqueue([notice_job(school.pk, "pupils")])
        batch = queue_notice_batch(label="Everything")

    assert batch.progress() == {"done": 0, "pending": 4, "failed": 0, "total": 4}
    assert set(batch.jobs.values_list("school_id", flat=True)) == {school.pk, other.pk}
    assert Job.objects.count() == 4


def test_a_quiet_request_makes_the_waiting_job_quiet() -> None:
    school = new_school()

    with mock.patch("governance.outbox.services.send_jobs"):
        enqueue([notice_job(school.pk, "pupils")])
        enqueue([notice_job(school.pk, "pupils", tell_dpo=False)])

    assert not Job.objects.get().tell_dpo


def test_a_broker_that_is_down_fails_nothing_and_the_sweeper_sends_later(
    monkeypatch, jobs_run_at_once
) -> None:
    school = new_school()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")

    ids = queue_notice_refresh([school.pk])  # sends at once: the broker refuses

    assert len(ids) == 2
    assert set(Job.objects.values_list("sent_at", flat=True)) == {None}
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the broker is back

    report = sweep()

    assert report.sent == 2
    assert jobs_of(school) == [("pupils", "done"), ("workforce", "done")]
    assert NoticeVersion.objects.filter(school=school, status="rendered").count() == 2


def test_after_one_failed_send_the_broker_is_left_alone_for_a_while(monkeypatch) -> None:
    school = new_school()
    ids = enqueue([notice_job(school.pk, "pupils"), notice_job(school.pk, "workforce")], send=False)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    from governance.outbox.tasks import run_job

    tries = []
    real = run_job.apply_async
    monkeypatch.setattr(run_job, "apply_async", lambda *a, **k: tries.append(1) or real(*a, **k))

    assert services.send_jobs(ids[:1]) == 0
    assert services.send_jobs(ids[1:]) == 0

    assert len(tries) == 1, "the second request did not wait on the dead broker"


# Running


def test_a_job_runs_once_and_a_repeated_message_does_nothing() -> None:
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "workforce")], send=False)

    assert run(job_id) == "done"
    assert run(job_id) == "skipped"

    job = Job.objects.get(pk=job_id)
    assert (job.attempts, job.claimed_by != "", job.finished_at is not None) == (1, True, True)
    assert job.result.startswith("School workforce: version 1 issued")
    assert NoticeVersion.objects.filter(school=school).count() == 1


def test_a_transient_error_waits_with_backoff_then_fails_at_the_cap(
    settings, handler_raises
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)

    with handler_raises(ConnectionRefusedError("mail server down")):
        assert run(job_id) == "pending"
        job = Job.objects.get(pk=job_id)
        wait = (job.available_at - timezone.now()).total_seconds()
        assert 25 < wait <= 30
        assert job.sent_at is None, "the sweeper sends it when it is due"
        assert job.error == "ConnectionRefusedError: mail server down"
        assert run(job_id) == "pending"
        assert (Job.objects.get(pk=job_id).available_at - timezone.now()).total_seconds() > 55
        assert run(job_id) == "failed"

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts) == ("failed", 3)


def test_a_permanent_error_fails_at_once_and_a_retry_gives_fresh_attempts(
    handler_raises, jobs_run_at_once
) -> None:
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)

    with handler_raises(KeyError("title")):
        assert run(job_id) == "failed"
    assert Job.objects.get(pk=job_id).error == "KeyError: 'title'"

    assert services.retry(Job.objects.filter(pk=job_id)) == 1  # runs in process

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts, job.error) == ("done", 1, "")


def test_a_job_whose_worker_died_is_taken_over() -> None:
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)
    # What a worker killed mid-job leaves: claimed and counted, its transaction rolled back.
    Job.objects.filter(pk=job_id).update(
        status="running",
        attempts=1,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
        claimed_by="gone:1",
    )

    assert run(job_id) == "done"  # a redelivered message: nobody holds the row

    job = Job.objects.get(pk=job_id)
    assert job.attempts == 2
    assert NoticeVersion.objects.filter(school=school, audience="pupils").count() == 1


def test_a_job_claimed_a_moment_ago_is_left_to_its_claimer() -> None:
    """A second message for a job whose worker has claimed it but not yet locked it (the gap
    between the two transactions) must not take it over: that would count a second attempt
    and, for an email, could send it twice."""
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)
    Job.objects.filter(pk=job_id).update(
        status="running", attempts=1, claimed_at=timezone.now(), claimed_by="busy:1"
    )

    assert run(job_id) == "skipped"

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts, job.claimed_by) == ("running", 1, "busy:1")
    assert not NoticeVersion.objects.filter(school=school).exists()


def test_a_job_that_keeps_killing_its_worker_stops_at_the_cap(settings) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)
    Job.objects.filter(pk=job_id).update(
        status="running", attempts=2, claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )

    assert run(job_id) == "skipped"

    job = Job.objects.get(pk=job_id)
    assert job.status == "failed"
    assert job.error.startswith("Stopped after 2 attempts without finishing")
    assert not NoticeVersion.objects.filter(school=school).exists()


def test_a_poison_document_fails_alone(jobs_run_at_once) -> None:
    good, poison = new_school(), new_school()
    from notices import content

    real = content.build_notice_content

    def build(school, audience, **kwargs):
        if school.pk == poison.pk:
            raise ValueError("template error for this school")
        return real(school, audience, **kwargs)

    with mock.patch("notices.services.build_notice_content", build):
        batch = queue_notice_batch(label="Everything")

    assert batch.progress() == {"done": 2, "pending": 0, "failed": 2, "total": 4}
    assert jobs_of(good) == [("pupils", "done"), ("workforce", "done")]
    assert jobs_of(poison) == [("pupils", "failed"), ("workforce", "failed")]
    assert Job.objects.filter(school=poison).first().attempts == 1, "not retried"


def test_one_email_tells_the_dpo_of_both_notices(jobs_run_at_once) -> None:
    school = new_school(dpo_email="dpo@school.example.org")
    queue_notice_refresh([school.pk])  # first versions: news to nobody
    assert mail.outbox == []

    school.name = "Renamed Primary School"
    school.save()  # both notices change

    assert NoticeVersion.objects.filter(school=school, number=2).count() == 2
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert body.count(", version 2:") == 2
    assert "/privacy/pupils/v2/" in body
    assert "/privacy/workforce/v2/" in body
    assert not NoticeVersion.objects.filter(school=school, notified_at=None).exists()
    email_job = Job.objects.get(kind="notice_email")
    assert email_job.result == "emailed the DPO about pupils v2, workforce v2"


def test_the_email_waits_while_the_other_notice_renders() -> None:
    school = new_school()
    enqueue([notice_job(school.pk, "workforce")], send=False)
    [email] = enqueue([services.notice_email_job(school.pk)], send=False)

    assert run(email) == "deferred"

    job = Job.objects.get(pk=email)
    assert (job.status, job.attempts, job.sent_at) == ("pending", 0, None)
    assert job.available_at > timezone.now()


# Sweeping


def test_the_sweeper_releases_orphans_and_sends_what_never_got_through() -> None:
    school = new_school()
    with mock.patch("governance.outbox.services.send_jobs"):
        orphan, _unsent = enqueue(
            [notice_job(school.pk, "pupils"), notice_job(school.pk, "workforce")]
        )
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=orphan).update(status="running", attempts=1, claimed_at=long_ago)

    report = sweep()

    assert (report.released, report.sent) == (1, 2)
    assert jobs_of(school) == [("pupils", "done"), ("workforce", "done")]


def test_a_sent_job_is_sent_again_only_when_the_queue_is_empty(settings) -> None:
    school = new_school()
    with mock.patch("governance.outbox.services.send_jobs"):
        [job_id] = enqueue([notice_job(school.pk, "pupils")])
    stale = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_RESEND_SECONDS + 5)
    Job.objects.filter(pk=job_id).update(sent_at=stale)

    with (
        mock.patch("governance.outbox.services.queue_depth", return_value=40),
        mock.patch("governance.outbox.services.send_jobs", return_value=0) as send,
    ):
        assert sweep().resent == 0  # still in the queue behind 40 others
    assert [c.args[0] for c in send.call_args_list] == [[]]

    with mock.patch("governance.outbox.services.queue_depth", return_value=0):
        assert sweep().resent == 1  # lost with the broker: sent again
    assert Job.objects.get(pk=job_id).status == "done"


# What staff see


def test_healthz_reports_the_oldest_waiting_job(client: Client) -> None:
    school = new_school()
    with mock.patch("governance.outbox.services.send_jobs"):
        [job_id] = enqueue([notice_job(school.pk, "pupils")])
    Job.objects.filter(pk=job_id).update(
        available_at=timezone.now() - datetime.timedelta(minutes=20)
    )

    outbox = client.get("/healthz").json()["outbox"]

    assert 1199 <= outbox["oldest_pending_seconds"] <= 1210
    assert (outbox["overdue"], outbox["failed"]) == (1, 0)


def test_staff_find_failed_and_overdue_jobs_and_retry_them(
    staff_client: Client, handler_raises, jobs_run_at_once
) -> None:
    school = new_school(name="Kineton Brook")
    [failed] = enqueue([notice_job(school.pk, "pupils")], send=False)
    with handler_raises(KeyError("title")):
        run(failed)
    [overdue] = enqueue([notice_job(school.pk, "workforce")], send=False)
    Job.objects.filter(pk=overdue).update(available_at=timezone.now() - datetime.timedelta(hours=1))
    changelist = reverse("admin:outbox_job_changelist")

    shown = staff_client.get(changelist, {"attention": "failed"}).content.decode()
    assert "Kineton Brook: render the pupils and parents notice" in shown
    assert "KeyError: &#x27;title&#x27;" in shown
    late = staff_client.get(changelist, {"attention": "overdue"}).context["cl"].result_list
    assert [job.pk for job in late] == [overdue]
    page = staff_client.get(reverse("admin:governance_school_change", args=[school.pk]))
    assert "documents being issued or failed" in page.content.decode().lower()

    response = staff_client.post(
        changelist, {"action": "retry_jobs", "_selected_action": [failed]}, follow=True
    )

    assert "1 job(s) sent again." in response.content.decode()
    assert Job.objects.get(pk=failed).status == "done"


def test_an_auditor_sees_jobs_but_cannot_retry_or_rerender(handler_raises) -> None:
    school = new_school()
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)
    with handler_raises(KeyError("title")):
        run(job_id)
    client = Client()
    client.force_login(UserFactory(username="auditor", is_staff=True))
    changelist = reverse("admin:outbox_job_changelist")

    page = client.get(changelist)
    assert page.status_code == 200
    assert "retry_jobs" not in page.content.decode()
    client.post(changelist, {"action": "retry_jobs", "_selected_action": [job_id]})
    assert Job.objects.get(pk=job_id).status == "failed"
    assert client.post(reverse("admin:outbox_jobbatch_rerender_all")).status_code == 403


def test_staff_rerender_every_school_and_follow_the_batch(
    staff_client: Client, jobs_run_at_once
) -> None:
    new_school(), SchoolFactory()
    url = reverse("admin:outbox_jobbatch_rerender_all")

    confirm = staff_client.get(url).content.decode()
    assert "each of the <strong>1</strong> published school" in confirm
    assert "1 school still in draft is left alone" in confirm

    response = staff_client.post(url, follow=True)

    batch = JobBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:outbox_jobbatch_change", args=[batch.pk]
    )
    assert "2 done, 0 pending, 0 failed of 2" in response.content.decode()
    listing = staff_client.get(reverse("admin:outbox_jobbatch_changelist")).content.decode()
    assert "Re-render every school&#x27;s notices" in listing


def test_a_worker_process_sets_what_it_loaded_aside_from_the_garbage_collector() -> None:
    """After warming up, a pool process's collections walk only what its jobs make, not the
    whole application again (``outbox.worker.warm_up``)."""
    import gc

    from governance.outbox.worker import warm_up

    gc.unfreeze()
    try:
        warm_up()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_count()[0] < 50  # nothing left for the next collection to walk first
    finally:
        gc.unfreeze()
