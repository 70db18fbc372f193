"""A registry edit queues a notice refresh, after commit, for exactly the dependent schools."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Offering,
    School,
    StorageSystem,
    Subscription,
)
from governance.outbox.models import Job, JobBatch
from governance.outbox.services import enqueue, notice_job, run
from notices.dependencies import holding_refresh
from notices.tasks import render_all_notices
from processors.models import Certification, Processor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

STOUR = "Stour Valley CofE Primary School"


@pytest.fixture
def demo() -> None:
    """The demo world is loaded once for the module (``demo_for_module``)."""


def school_ids(*names: str) -> set[int]:
    return set(School.objects.filter(name__in=names).values_list("pk", flat=True))


def warwickshire() -> set[int]:
    """Warwickshire's published schools (a draft school's notices are not rendered)."""
    schools = School.objects.filter(authority__name="Warwickshire County Council")
    return set(schools.exclude(name=STOUR).values_list("pk", flat=True))


@pytest.fixture
def queued(committed_demo, django_capture_on_commit_callbacks):
    """Run an edit, commit it, and return the school ids whose notices were sent to render
    (as a set, and one entry per school and notice sent)."""

    def run(edit) -> tuple[set[int], list[int]]:
        with (
            mock.patch("governance.outbox.services.send_jobs") as send,
            django_capture_on_commit_callbacks(execute=True),
        ):
            edit()
        sent = [job_id for call in send.call_args_list for job_id in call.args[0]]
        jobs = dict(Job.objects.filter(pk__in=sent).values_list("pk", "school_id"))
        calls = [jobs[job_id] for job_id in sent]
        return set(calls), calls

    return run


def test_processor_edit_refreshes_exactly_its_subscribers(queued) -> None:
    def edit() -> None:
        redstor = Processor.objects.get(name="Redstor")
        redstor.data_location = "UK"
        redstor.save()

    assert queued(edit)[0] == school_ids("Avon Meadow Primary School")


def test_jobs_are_written_in_the_transaction_and_sent_only_after_commit(demo) -> None:
    Job.objects.update(status=Job.Status.DONE)  # the demo's own jobs, done with
    with mock.patch("governance.outbox.services.send_jobs") as send:
        Processor.objects.get(name="Redstor").save()  # inside the test's transaction

    send.assert_not_called()
    written = Job.objects.filter(status=Job.Status.PENDING)
    assert {(j.school.name, j.audience) for j in written} == {
        ("Avon Meadow Primary School", "pupils"),
        ("Avon Meadow Primary School", "workforce"),
    }


def test_edits_rolled_back_queue_nothing(queued) -> None:
    def save_then_fail() -> None:
        with transaction.atomic():
            Processor.objects.get(name="Redstor").save()
            raise RuntimeError

    def edit() -> None:
        with pytest.raises(RuntimeError):
            save_then_fail()

    assert queued(edit)[0] == set()


def test_many_edits_in_one_transaction_queue_each_school_once(queued) -> None:
    def edit() -> None:
        for processor in Processor.objects.all():
            processor.save()

    ids, calls = queued(edit)
    # Every published school that sends data to a supplier or keeps it in a supplier's system
    # is queued once per notice; Ysgol Bryn Derw uses no supplier, Stour Valley is a draft.
    expected = School.objects.exclude(name__in=["Ysgol Bryn Derw", STOUR])
    assert ids == set(expected.values_list("pk", flat=True))
    assert len(calls) == 2 * len(ids)


def test_authority_wide_partner_edit_refreshes_every_school(queued) -> None:
    def edit() -> None:
        Offering.objects.get(name="Broadband")  # unrelated read
        cme = DataFlow.objects.get(partner_service__name="Children Missing Education")
        cme.frequency = DataFlow.Frequency.DAILY
        cme.save()

    assert queued(edit)[0] == warwickshire()


def test_subscription_refreshes_only_its_school(queued) -> None:
    School.objects.filter(name=STOUR).update(notices_published_at=timezone.now())
    stour = School.objects.get(name=STOUR)

    def edit() -> None:
        Subscription.objects.create(
            school=stour, offering=Offering.objects.get(name="Broadband"),
            start_date=datetime.date(2025, 1, 1),
        )  # fmt: skip

    assert queued(edit)[0] == {stour.pk}


def test_moving_a_flow_refreshes_old_and_new_subscribers(queued) -> None:
    def edit() -> None:
        flow = DataFlow.objects.get(processor__name="Future Digital")
        flow.offering = Offering.objects.get(name="SIMS Support")
        flow.save()

    # Digital Safeguarding: Avon Meadow; SIMS Support now: Arden Heath.
    assert queued(edit)[0] == school_ids("Avon Meadow Primary School", "Arden Heath Academy")


def test_data_object_edit_refreshes_schools_whose_flows_carry_it(queued) -> None:
    def edit() -> None:
        obj = DataObject.objects.get(sif_name="ComputerIPAddress")
        obj.fields_description = "IP addresses of school computers."
        obj.save()

    # Warwickshire's category: every Warwickshire school holds it; no other organisation's.
    assert queued(edit)[0] == warwickshire()


def test_unused_lawful_basis_refreshes_nobody(queued) -> None:
    def edit() -> None:
        basis = LawfulBasis.objects.get(code="Art 9(2)(j)")
        basis.plain_text = "Changed."
        basis.save()

    assert queued(edit)[0] == set()


def test_certification_added_from_either_side_refreshes_subscribers(queued) -> None:
    cert = Certification.objects.create(name="Cyber Essentials Plus")

    def edit() -> None:
        cert.processors.add(Processor.objects.get(name="Future Digital"))

    assert queued(edit)[0] == school_ids("Avon Meadow Primary School")


def test_used_lawful_basis_refreshes_the_schools_citing_it(queued) -> None:
    def edit() -> None:
        law = LawfulBasis.objects.get(code="Additional Learning Needs and Education Tribunal "
                                      "(Wales) Act 2018")  # fmt: skip
        law.plain_text = "Changed."
        law.save()

    assert queued(edit)[0] == school_ids("Ysgol Bryn Derw", "Victoria CP School")


def test_a_national_body_refreshes_the_schools_of_its_nation(queued) -> None:
    def edit() -> None:
        body = ExternalRecipient.objects.get(authority=None, name="Welsh Government")
        body.frequency = "Each term"
        body.save()

    assert queued(edit)[0] == set(
        School.objects.filter(nation="wales").values_list("pk", flat=True)
    )


def test_a_schools_own_system_refreshes_only_that_school(queued) -> None:
    oakfield = School.objects.get(name="Oakfield Vale Primary Academy")

    def edit() -> None:
        StorageSystem.objects.create(
            authority=oakfield.authority, school=oakfield, name="Tapestry",
            kind=StorageSystem.Kind.LEARNING, description="Learning journal", in_house=True,
        )  # fmt: skip

    assert queued(edit)[0] == {oakfield.pk}


def test_edits_held_for_publishing_queue_nothing(queued) -> None:
    oakfield = School.objects.get(name="Oakfield Vale Primary Academy")

    def edit() -> None:
        with holding_refresh():
            oakfield.security_measures = "Locked filing cabinets"
            oakfield.save()

    assert queued(edit)[0] == set()


def test_removing_an_object_from_flows_refreshes_their_schools(queued) -> None:
    obj = DataObject.objects.get(sif_name="LearnerEntitlement")

    def edit() -> None:
        obj.flows.remove(*DataFlow.objects.filter(processor__name="Redstor"))

    assert school_ids("Avon Meadow Primary School") <= queued(edit)[0]


def test_a_job_refreshes_one_notice_and_a_second_run_issues_nothing(
    demo, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    school = School.objects.get(name="Ysgol Bryn Derw")
    [job_id] = enqueue([notice_job(school.pk, "pupils")], send=False)

    assert run(job_id) == Job.Status.DONE
    job = Job.objects.get(pk=job_id)
    assert job.result.startswith("Pupils and parents: version 1 issued, ")
    assert job.attempts == 1
    assert run(job_id) == "skipped", "a repeated message does nothing"
    [again] = enqueue([notice_job(school.pk, "pupils")], send=False)
    assert run(again) == Job.Status.DONE
    assert Job.objects.get(pk=again).result == "Pupils and parents: unchanged (version 1)"
    assert school.notice_versions.filter(audience="pupils").count() == 1


def test_a_draft_schools_job_issues_nothing(demo) -> None:
    stour = School.objects.get(name=STOUR)
    [job_id] = enqueue([notice_job(stour.pk, "pupils")], send=False)

    assert run(job_id) == Job.Status.DONE
    assert "draft" in Job.objects.get(pk=job_id).result
    assert not stour.notice_versions.exists()


def test_a_closed_school_keeps_its_notices_and_gets_no_new_version(demo, client) -> None:
    from notices.services import publish_school_notices, refresh_school_notices

    avon = School.objects.get(name="Avon Meadow Primary School")
    refresh_school_notices(school=avon)
    before = list(avon.notice_versions.values_list("pk", flat=True))
    School.objects.filter(pk=avon.pk).update(
        status=School.Status.CLOSED, close_date=datetime.date(2026, 8, 31), dpo_name="Changed"
    )
    avon.refresh_from_db()
    [job_id] = enqueue([notice_job(avon.pk, "pupils")], send=False)

    assert run(job_id) == Job.Status.DONE
    assert "closed" in Job.objects.get(pk=job_id).result
    assert refresh_school_notices(school=avon) == []
    assert publish_school_notices(school=avon) == []
    jobs = set(Job.objects.filter(school=avon).values_list("pk", flat=True))
    with mock.patch("governance.outbox.services.send_jobs"):
        assert render_all_notices() > 0  # the other schools' notices
    assert set(Job.objects.filter(school=avon).values_list("pk", flat=True)) == jobs
    assert list(avon.notice_versions.values_list("pk", flat=True)) == before
    page = client.get(f"/schools/{avon.urn}/privacy/").content.decode()
    assert "closed on 31 August 2026" in page
    assert client.get(f"/schools/{avon.urn}/privacy/pupils/").status_code == 200


def test_nightly_task_queues_every_published_school_as_one_batch(demo) -> None:
    published = School.objects.exclude(name=STOUR).count()
    with mock.patch("governance.outbox.services.send_jobs"):
        assert render_all_notices() == 2 * published == 10
    batch = JobBatch.objects.get()
    assert batch.label == "Nightly refresh"
    assert batch.progress() == {"done": 0, "pending": 10, "failed": 0, "total": 10}
