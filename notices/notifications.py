"""Tell a school's DPO when its public notices changed without them publishing."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from governance.models import School
from notices.changes import describe_changes
from notices.models import NoticeVersion


def _url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _changed(versions: Iterable[NoticeVersion]) -> list[dict[str, Any]]:
    items = []
    for version in versions:
        previous = (
            NoticeVersion.objects.rendered()
            .filter(school=version.school_id, audience=version.audience, number__lt=version.number)
            .order_by("-number")
            .first()
        )
        if previous is None:
            continue
        items.append(
            {
                "title": version.content.get("title", version.get_audience_display()),
                "number": version.number,
                "changes": describe_changes(previous.content, version.content),
                "url": _url(
                    "notices:version",
                    urn=version.school.urn,
                    audience=version.audience,
                    number=version.number,
                ),
            }
        )
    return items


def send_notices_changed(*, school: School, versions: list[NoticeVersion]) -> bool:
    """Email the school's DPO one message about ``versions`` (one batch); return whether sent.

    A mail server that cannot be reached raises: the outbox job retries it later.

    A first version (just published by staff or the DPO) is news to no one and sends nothing.
    """
    from agreements.notifications import dpo_addresses

    items = _changed(versions)
    to = dpo_addresses(school)
    if not items or not to:
        return False
    context = {"school": school, "changed": items, "portal_url": _url("portal:home")}
    text = render_to_string("notices/email/changed.txt", context).strip()
    subject, _, body = text.partition("\n")
    message = EmailMessage(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, to)
    return bool(message.send())
