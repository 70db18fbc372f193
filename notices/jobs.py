"""Outbox handlers for notices: render one school's notice; tell its DPO what changed."""

from governance.outbox.models import Job
from governance.outbox.services import Defer, enqueue, notice_email_job
from notices.models import NoticeVersion
from notices.notifications import send_notices_changed
from notices.services import mark_notified, refresh_notice


def render_notice(job: Job) -> str:
    """Bring the school's notice for ``job.audience`` up to date with the registry.

    A draft school, or a closed one, issues nothing. A new version (but the first, or one the
    DPO published themselves) is followed by one email to the DPO for the school's batch of
    changes.
    """
    school = job.school
    if school.not_issuing_because:
        return school.not_issuing_because
    result = refresh_notice(school=school, audience=job.audience)
    if result.created:
        if result.version.number == 1 or not job.tell_dpo:
            mark_notified([result.version])
        else:
            enqueue([notice_email_job(school.pk)])
    return str(result)


def email_notice_changes(job: Job) -> str:
    """Email the DPO once about every new version of the school's notices not yet told.

    Waits while another of the school's notices is still being rendered, so one batch of
    changes makes one email.
    """
    others = Job.objects.open().filter(kind=Job.Kind.NOTICE, school_id=job.school_id)
    if others.exists():
        raise Defer("waiting for the school's other notices to be rendered")
    versions = list(
        NoticeVersion.objects.rendered()
        .filter(school_id=job.school_id, notified_at=None)
        .select_related("school")
        .order_by("audience", "number")
    )
    if not versions:
        return "nothing new to tell"
    sent = send_notices_changed(school=job.school, versions=versions)
    mark_notified(versions)
    numbers = ", ".join(f"{v.audience} v{v.number}" for v in versions)
    return f"emailed the DPO about {numbers}" if sent else f"no DPO address for {numbers}"
