"""Agreement versions: drafts, publishing (freeze, render, open the sign-off round), status.

Signing lives in ``agreements.signing``; emails in ``agreements.notifications``.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from agreements import ledger
from agreements.content import (
    HEADINGS,
    build_agreement_content,
    content_hash,
    party_schools,
    running_title,
)
from agreements.models import (
    Agreement,
    AgreementVersion,
    Signature,
    SignOffEvent,
    SignOffRequest,
)
from governance.models import School
from governance.outbox.services import agreement_email_job, enqueue
from governance.pdf import html_to_pdf

STYLESHEETS = ["notices/notice-print.css", "agreements/agreement-print.css"]
SIGNOFF_STYLESHEETS = [*STYLESHEETS, "agreements/signoff-print.css"]

CLAUSE_FIELDS = [
    "purpose", "benefits", "use_of_information", "security", "data_quality", "retention",
    "rights_and_complaints", "breaches", "changes", "termination",
]  # fmt: skip
# Clauses the ICO's code expects in every agreement: publishing refuses a version without them.
REQUIRED_CLAUSES = [
    "purpose", "use_of_information", "security", "data_quality", "retention",
    "rights_and_complaints", "breaches", "changes",
]  # fmt: skip


class AgreementError(Exception):
    """A request that the agreement's rules refuse; the message says why, plainly."""


def render_body(*, content: dict[str, Any], version: AgreementVersion) -> str:
    """Return the agreement's body as HTML: the same words in the portal and the PDF."""
    return render_to_string(
        "agreements/_agreement_body.html",
        {"agreement": content, "version": version, "headings": HEADINGS},
    )


def render_pdf(*, content: dict[str, Any], version: AgreementVersion, body: str) -> bytes:
    """Lay out the agreement as tagged PDF: its cover, contents and body."""
    html = render_to_string(
        "agreements/agreement_pdf.html",
        {
            "agreement": content,
            "version": version,
            "body": body,
            "headings": list(HEADINGS.items()),
            "running_title": running_title(version.number),
        },
    )
    return html_to_pdf(html, stylesheets=STYLESHEETS)


def render_signoff_pdf(
    *, version: AgreementVersion, signoff: dict[str, Any], shown_pages: int
) -> bytes:
    """Lay out a signed copy's sign-off page(s) on their own, numbered on from the
    ``shown_pages`` pages of the agreement they will follow (``signed_copy.append_signoff``).

    The page count goes in the footer ("Page 10 of 10"), so the sign-off is laid out once
    for one page and, only if it ran longer (a very long browser name), again with its count.
    """
    from agreements.signed_copy import page_count

    def render(total_pages: int) -> bytes:
        html = render_to_string(
            "agreements/signoff_pdf.html",
            {
                "version": version,
                "signoff": signoff,
                "agreement_title": version.agreement.title,
                "authority_name": version.agreement.authority.name,
                "running_title": running_title(version.number),
                "shown_pages": shown_pages,
                "first_page": shown_pages + 1,
                "total_pages": total_pages,
                "site_url": settings.SITE_URL.rstrip("/"),
            },
        )
        return html_to_pdf(html, stylesheets=SIGNOFF_STYLESHEETS)

    pdf = render(shown_pages + 1)
    pages = page_count(pdf)
    return pdf if pages == 1 else render(shown_pages + pages)


# -- drafts ------------------------------------------------------------------------------------


@transaction.atomic
def start_draft(
    *, agreement: Agreement, defaults: dict[str, Any] | None = None
) -> AgreementVersion:
    """Return the agreement's draft, creating one from the newest version's clauses if none.

    Calling it again while a draft exists returns that draft: there is never a second one.
    """
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    existing = agreement.versions.filter(status=AgreementVersion.Status.DRAFT).first()
    if existing is not None:
        return existing
    latest = agreement.versions.order_by("-number").first()
    number = (agreement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    values: dict[str, Any] = dict(defaults or {})
    if latest is not None:
        values = {name: getattr(latest, name) for name in CLAUSE_FIELDS}
        values["review_date"] = _next_review(latest.review_date)
    values.setdefault("review_date", _next_review(timezone.localdate()))
    return AgreementVersion.objects.create(agreement=agreement, number=number, **values)


def _next_review(after: datetime.date) -> datetime.date:
    start = max(after, timezone.localdate())
    return (
        start.replace(year=start.year + 1)
        if not (start.month == 2 and start.day == 29)
        else (start + datetime.timedelta(days=365))
    )


def save_draft(*, version: AgreementVersion) -> AgreementVersion:
    """Save staff edits to a draft; refuse any change to an issued version."""
    if version.pk is not None:
        stored = AgreementVersion.objects.filter(pk=version.pk).values_list("status", flat=True)
        if stored.first() not in (None, AgreementVersion.Status.DRAFT):
            raise AgreementError(
                f"Version {version.number} is published and cannot be changed: start a new draft."
            )
    version.status = AgreementVersion.Status.DRAFT
    version.full_clean()
    version.save()
    return version


def delete_draft(*, version: AgreementVersion) -> None:
    """Delete a draft; an issued version is kept for ever."""
    if not version.is_draft:
        raise AgreementError(f"Version {version.number} was published and is kept for ever.")
    version.delete()


def publish_problems(version: AgreementVersion) -> list[str]:
    """Return what stops ``version`` from being published, in plain words (empty: ready)."""
    problems = []
    if not version.is_draft:
        problems.append(f"Version {version.number} is already {version.get_status_display()}.")
    for name in REQUIRED_CLAUSES:
        if not getattr(version, name).strip():
            label = getattr(AgreementVersion._meta.get_field(name), "verbose_name", name)
            problems.append(f"Write the clause “{label}”.")
    if version.review_date <= timezone.localdate():
        problems.append("Set a review date in the future.")
    previous = version.agreement.versions.issued().filter(number__lt=version.number).first()
    if previous is not None and not version.change_summary.strip():
        problems.append(
            f"Write the summary of changes: say what changed since version {previous.number} "
            "and why. Every school reads it before it is asked to sign again."
        )
    authority = version.agreement.authority
    parties = authority.partners.filter(is_agreement_party=True)
    for service in parties.filter(officers__isnull=True):
        problems.append(f"{service.name} has no designated officer.")
    if not parties.exists():
        problems.append("No partner service is a party to the agreement.")
    if not party_schools(authority).exists():
        problems.append("No school shares data with a party service, so no school would sign.")
    return problems


# -- publishing --------------------------------------------------------------------------------


@transaction.atomic
def publish_version(*, version: AgreementVersion, user: Any) -> AgreementVersion:
    """Freeze the draft's content, render its PDF, supersede the version in force and open
    the sign-off round: every party school is asked to counter-sign. Emails go after commit."""
    Agreement.objects.select_for_update().filter(pk=version.agreement_id).first()
    version = AgreementVersion.objects.select_related("agreement__authority").get(pk=version.pk)
    problems = publish_problems(version)
    if problems:
        raise AgreementError(" ".join(problems))
    content = build_agreement_content(version)
    version.content_hash = content_hash(content)
    version.published_at = now = timezone.now()
    body = render_body(content=content, version=version)
    pdf = render_pdf(content=content, version=version, body=body)
    previous = version.agreement.versions.published().first()
    if previous is not None:
        previous.status = AgreementVersion.Status.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at", "updated_at"])
        ledger.append_event(
            kind=SignOffEvent.Kind.SUPERSEDED,
            payload={**_version_facts(previous), "by_version": version.number},
        )
    version.content = content
    version.html = body
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    version.pdf.save(version.download_name, ContentFile(pdf), save=False)
    version.status = AgreementVersion.Status.PUBLISHED
    version.published_by = user
    version.save()
    schools = list(party_schools(version.agreement.authority))
    SignOffRequest.objects.bulk_create(SignOffRequest(version=version, school=s) for s in schools)
    ledger.append_event(
        kind=SignOffEvent.Kind.PUBLISHED,
        payload={
            **_version_facts(version),
            "published_by": getattr(user, "username", ""),
            "schools": [s.urn for s in schools],
        },
    )
    # One job per school, written with the publication: the emails go out once it commits,
    # or, if the task broker is down, as soon as it is back.
    enqueue(agreement_email_job(version.pk, s.pk) for s in schools)
    return version


def _version_facts(version: AgreementVersion) -> dict[str, Any]:
    return {
        "agreement_id": version.agreement_id,
        "agreement": version.agreement.title,
        "version": version.number,
        "content_sha256": version.content_hash,
        "pdf_sha256": version.pdf_sha256,
    }


@transaction.atomic
def add_new_party_schools(*, version: AgreementVersion) -> list[School]:
    """Ask schools that have become parties since publication to sign the version in force."""
    if version.status != AgreementVersion.Status.PUBLISHED:
        return []
    asked = version.requests.values("school_id")
    schools = list(party_schools(version.agreement.authority).exclude(pk__in=asked))
    SignOffRequest.objects.bulk_create(SignOffRequest(version=version, school=s) for s in schools)
    return schools


# -- sign-off status ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSignOff:
    """Where one party school stands on one version."""

    request: SignOffRequest
    signature: Signature | None
    earlier: Signature | None

    @property
    def state(self) -> str:
        """``signed``, ``earlier`` (signed an earlier version only) or ``pending``."""
        if self.signature is not None:
            return "signed"
        return "earlier" if self.earlier is not None else "pending"


def signoff_status(version: AgreementVersion) -> list[SchoolSignOff]:
    """Return every party school's standing on ``version`` in a fixed number of queries."""
    requests = list(version.requests.select_related("school").order_by("school__name"))
    school_ids = [r.school_id for r in requests]
    signatures = Signature.objects.filter(
        version__agreement_id=version.agreement_id, school_id__in=school_ids
    ).select_related("version")
    this: dict[int, Signature] = {}
    earlier: dict[int, Signature] = {}
    for sig in signatures.order_by("version__number"):
        if sig.version_id == version.pk:
            this[sig.school_id] = sig
        elif sig.version.number < version.number:
            earlier[sig.school_id] = sig  # the newest earlier one wins
    return [SchoolSignOff(r, this.get(r.school_id), earlier.get(r.school_id)) for r in requests]


def pending_requests(version: AgreementVersion) -> list[SignOffRequest]:
    """Return the requests of ``version`` that no signature answers yet."""
    return [s.request for s in signoff_status(version) if s.signature is None]


def last_signed(*, school: School, agreement_id: int) -> Signature | None:
    """Return the school's signature of the newest version it signed of the agreement."""
    return (
        Signature.objects.filter(school=school, version__agreement_id=agreement_id)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


# -- reminders ---------------------------------------------------------------------------------


def send_reminders(
    *, version: AgreementVersion, only_due: bool = False, now: datetime.datetime | None = None
) -> int:
    """Email the DPOs of every school yet to sign ``version``; return how many were reminded.

    With ``only_due``, skip schools asked or reminded within ``AGREEMENT_REMINDER_DAYS``.
    """
    from agreements import notifications

    if version.status != AgreementVersion.Status.PUBLISHED:
        raise AgreementError("Only the version in force collects signatures.")
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.AGREEMENT_REMINDER_DAYS)
    reminded = 0
    for request in pending_requests(version):
        last = request.last_reminded_at or request.created_at
        if only_due and last > cutoff:
            continue
        if not notifications.send_signature_reminder(request):
            continue
        SignOffRequest.objects.filter(pk=request.pk).update(
            last_reminded_at=now, reminders_sent=request.reminders_sent + 1
        )
        ledger.append_event(
            kind=SignOffEvent.Kind.REMINDED,
            payload={**_version_facts(version), "school": request.school.urn},
        )
        reminded += 1
    return reminded


def send_due_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily round: new party schools, pending signatures and reviews falling due."""
    from agreements import notifications

    today = today or timezone.localdate()
    counts = {"new_parties": 0, "reminded": 0, "reviews": 0}
    warning = today + datetime.timedelta(days=settings.AGREEMENT_REVIEW_WARNING_DAYS)
    for version in AgreementVersion.objects.published().select_related("agreement__authority"):
        with transaction.atomic():
            schools = add_new_party_schools(version=version)
            enqueue(agreement_email_job(version.pk, s.pk) for s in schools)
        counts["new_parties"] += len(schools)
        counts["reminded"] += send_reminders(version=version, only_due=True)
        agreement = version.agreement
        if version.review_date <= warning and agreement.review_reminded_version != version.number:
            notifications.send_review_due(version)
            Agreement.objects.filter(pk=agreement.pk).update(review_reminded_version=version.number)
            counts["reviews"] += 1
    return counts
