"""Outbox handlers for agreements: ask one party school's DPO to sign."""

from agreements.models import AgreementVersion, Signature
from agreements.notifications import send_version_published
from governance.outbox.models import Job


def email_signature_request(job: Job) -> str:
    """Email the school's DPO that the job's agreement version awaits their signature.

    Nothing is sent for a version no longer in force, or one the school has signed already.
    """
    version = job.agreement_version
    assert version is not None  # a database check holds agreement jobs to a version
    if version.status != AgreementVersion.Status.PUBLISHED:
        return f"version {version.number} is no longer in force: nothing sent"
    if Signature.objects.filter(version=version, school_id=job.school_id).exists():
        return "already signed: nothing sent"
    sent = send_version_published(version, schools=[job.school])
    return "emailed the DPO" if sent else "no DPO address: nothing sent"
