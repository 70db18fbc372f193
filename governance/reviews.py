"""Reviews falling due: suppliers' due-diligence reviews and data sharing agreements.

One list, the same in the staff's daily email and on the admin's home page: what is overdue
and what falls due within ``REVIEW_WARNING_DAYS`` (30), soonest first.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from agreements.models import AgreementVersion
from governance.models import User
from processors.models import Processor

REVIEW_WARNING_DAYS = 30


@dataclass(frozen=True)
class Review:
    kind: str  # "supplier" or "agreement"
    name: str
    due: datetime.date
    url: str  # the admin page where it is reviewed
    detail: str  # when it was last reviewed, or the version in force


@dataclass(frozen=True)
class Reviews:
    overdue: list[Review]
    due_soon: list[Review]
    today: datetime.date

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon)


def due_reviews(today: datetime.date | None = None, days: int = REVIEW_WARNING_DAYS) -> Reviews:
    """The reviews overdue on ``today`` and those due within ``days`` of it (two queries)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    found = []
    suppliers = (
        Processor.objects.filter(review_date__lte=horizon)
        .select_related("school")
        .only("name", "review_date", "reviewed_on", "review_evidence", "school__name")
    )
    for supplier in suppliers:
        assert supplier.review_date is not None
        last = "never reviewed"
        if supplier.reviewed_on:
            last = f"last reviewed {date_format(supplier.reviewed_on, 'j F Y')}"
        owner = f" ({supplier.school.name}'s own)" if supplier.school is not None else ""
        found.append(Review(
            "supplier", f"{supplier.name}{owner}", supplier.review_date,
            reverse("admin:processors_processor_change", args=[supplier.pk]), last,
        ))  # fmt: skip
    versions = (
        AgreementVersion.objects.published()
        .filter(review_date__lte=horizon)
        .select_related("agreement")
        .only("number", "review_date", "agreement__title")
    )
    for version in versions:
        found.append(Review(
            "agreement", version.agreement.title, version.review_date,
            reverse("admin:agreements_agreementversion_change", args=[version.pk]),
            f"version {version.number}, in force",
        ))  # fmt: skip
    found.sort(key=lambda review: (review.due, review.kind, review.name))
    return Reviews(
        overdue=[r for r in found if r.due < today],
        due_soon=[r for r in found if r.due >= today],
        today=today,
    )


def send_review_digest(today: datetime.date | None = None) -> int:
    """Email staff (active superusers with an address) one digest of the reviews overdue and
    due within 30 days; nothing when there are none. Returns how many were emailed."""
    reviews = due_reviews(today)
    if not reviews:
        return 0
    to = User.staff_addresses()
    if not to:
        return 0
    context = {
        "reviews": reviews,
        "site": settings.SITE_URL.rstrip("/"),
        "days": REVIEW_WARNING_DAYS,
    }
    text = render_to_string("governance/email/review_digest.txt", context).strip()
    subject, _, body = text.partition("\n")
    EmailMessage(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, to).send()
    return len(to)
