"""Emails about agreements: a version to sign, reminders, a review falling due."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from agreements.models import AgreementVersion, SignOffRequest
from governance.models import School, User

NO_ADDRESS = "no DPO email address is recorded, on the school's record or a portal account"


def dpo_addresses(school: School) -> list[str]:
    """Return every address of the school's DPO: the registry's and the portal accounts'."""
    users = school.dpo_users.filter(is_active=True).exclude(email="")
    addresses = [school.dpo_email, *users.values_list("email", flat=True)]
    return sorted({a.strip().lower() for a in addresses if a and a.strip()})


def unreachable(schools: Iterable[School]) -> dict[int, str]:
    """Return, for each of ``schools`` that no email can reach, why (by school id).

    The same addresses as ``dpo_addresses`` (the school's DPO email, its active DPO portal
    accounts with an email), for any number of schools in one query.
    """
    schools = list(schools)
    through = School.dpo_users.through
    reachable = set(
        through.objects.filter(
            school_id__in=[s.pk for s in schools if not (s.dpo_email or "").strip()],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("school_id", flat=True)
    )
    return {
        s.pk: NO_ADDRESS
        for s in schools
        if not (s.dpo_email or "").strip() and s.pk not in reachable
    }


def signing_url(version: AgreementVersion, school: School) -> str:
    path = reverse(
        "portal:agreement",
        kwargs={"urn": school.urn, "agreement_id": version.agreement_id, "number": version.number},
    )
    return settings.SITE_URL.rstrip("/") + path


def _message(template: str, context: dict, to: list[str]) -> EmailMessage:
    text = render_to_string(f"agreements/email/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return EmailMessage(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, to)


def send_version_published(
    version: AgreementVersion, *, schools: Iterable[School] | None = None
) -> int:
    """Ask each party school's DPO to sign ``version``; return how many schools were emailed."""
    if schools is None:
        schools = [r.school for r in version.requests.select_related("school")]
    messages = []
    for school in schools:
        to = dpo_addresses(school)
        if to:
            context = {"version": version, "school": school, "url": signing_url(version, school)}
            messages.append(_message("published", context, to))
    return get_connection().send_messages(messages) or 0


def send_signature_reminder(request: SignOffRequest) -> bool:
    """Remind the school's DPO that ``request`` awaits their signature; False: no address."""
    to = dpo_addresses(request.school)
    if not to:
        return False
    version = request.version
    context = {
        "version": version,
        "school": request.school,
        "url": signing_url(version, request.school),
        "asked_on": request.created_at,
    }
    _message("reminder", context, to).send()
    return True


def send_review_due(version: AgreementVersion) -> int:
    """Tell the authority's service and staff that ``version`` is due for review."""
    authority = version.agreement.authority
    to = sorted({authority.email, *User.staff_addresses()} - {""})
    if not to:
        return 0
    admin_url = settings.SITE_URL.rstrip("/") + reverse(
        "admin:agreements_agreementversion_change", args=[version.pk]
    )
    context = {"version": version, "url": admin_url}
    return _message("review_due", context, to).send()
