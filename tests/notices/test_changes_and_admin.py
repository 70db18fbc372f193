"""What changed between versions, in plain words; staff's read-only view and re-render action."""

import copy
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from governance.models import School
from governance.outbox.models import Job, JobBatch
from notices.changes import describe_changes
from notices.content import build_notice_content
from notices.models import NoticeVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def demo() -> None:
    """The demo world is loaded once for the module (``demo_for_module``)."""


@pytest.fixture
def avon_content(demo) -> dict:
    return build_notice_content(School.objects.get(name="Avon Meadow Primary School"), "pupils")


def test_first_version_says_so(avon_content) -> None:
    assert describe_changes(None, avon_content) == ["This is the first version of this notice."]


def _without(content: dict, key: str, name: str) -> dict:
    changed = copy.deepcopy(content)
    for group in changed["recipient_groups"]:
        if group["key"] == key:
            group["recipients"] = [r for r in group["recipients"] if r["name"] != name]
    return changed


def test_new_and_removed_recipients_are_named(avon_content) -> None:
    old = _without(avon_content, "processors", "Redstor")
    new = _without(avon_content, "authority_services", "Priority Families")

    lines = describe_changes(old, new)

    assert (
        "Information is now shared with Redstor (companies that provide services to the school)."
        in lines
    )
    assert "Information is no longer shared with Priority Families." in lines


def test_changes_from_a_notice_issued_before_the_whole_register_still_read(avon_content) -> None:
    """Versions issued before recipient groups listed recipients by section: still compared."""
    old = copy.deepcopy(avon_content)
    groups = {g["key"]: g["recipients"] for g in old.pop("recipient_groups")}
    old["authority_services"] = groups["authority_services"]
    old["processors"] = [p for p in groups["processors"] if p["name"] != "Redstor"]
    for key in ("purposes", "systems", "laws", "retention_schedule", "security"):
        old.pop(key)

    lines = describe_changes(old, avon_content)

    assert any(line.startswith("Information is now shared with Redstor") for line in lines)
    assert not any("Priority Families" in line for line in lines)


def test_data_and_bases_changes_are_named(avon_content) -> None:
    title = avon_content["categories"][0]["title"]
    old = copy.deepcopy(avon_content)
    old["categories"] = [c for c in old["categories"] if c["title"] != title]
    old["bases"] = [b for b in old["bases"] if b["code"] != "Art 6(1)(b)"]

    lines = describe_changes(old, avon_content)

    assert f"A new kind of information is held: {title}." in lines
    assert "A new lawful basis is relied on: Contract (Art 6(1)(b))." in lines


def test_identical_content_reports_wording_only(avon_content) -> None:
    assert describe_changes(avon_content, copy.deepcopy(avon_content)) == [
        "The wording of the notice was updated; what is shared did not change."
    ]


def test_staff_rerender_action_queues_selected_schools(
    committed_demo,
    staff_client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    ids = list(School.objects.filter(nation="wales").values_list("pk", flat=True))
    url = reverse("admin:governance_school_changelist")

    with (
        mock.patch("governance.outbox.services.send_jobs") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = staff_client.post(
            url, {"action": "rerender_school_notices", "_selected_action": ids}, follow=True
        )

    assert len(ids) == 2
    batch = JobBatch.objects.get()
    assert "Re-render queued: 4 notice(s)." in response.content.decode()
    assert reverse("admin:outbox_jobbatch_change", args=[batch.pk]) in response.content.decode()
    [sent] = [call.args[0] for call in send.call_args_list]
    jobs = Job.objects.filter(pk__in=sent, batch=batch)
    assert sorted(jobs.values_list("school_id", "audience")) == sorted(
        (pk, audience) for pk in ids for audience in ("pupils", "workforce")
    )


def test_issued_versions_are_read_only_for_staff(demo, staff_client: Client) -> None:
    school = School.objects.first()
    version = NoticeVersion.objects.create(
        school=school, audience="pupils", number=1, content={}, content_hash="0" * 64
    )
    url = reverse("admin:notices_noticeversion_change", args=[version.pk])

    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"number": "7"}).status_code == 403
    delete = reverse("admin:notices_noticeversion_delete", args=[version.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.number == 1
