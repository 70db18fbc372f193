"""Issue privacy notices: decide whether a new version is needed, render it, record failures."""

import datetime
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from governance.models import School
from governance.pdf import html_to_pdf
from notices.content import Audience, build_notice_content, content_hash
from notices.models import NoticeVersion

logger = logging.getLogger(__name__)

STYLESHEETS = ["notices/notice-print.css"]


@dataclass(frozen=True)
class RefreshResult:
    audience: str
    version: NoticeVersion
    created: bool

    def __str__(self) -> str:
        v = self.version
        if not self.created:
            return f"{v.get_audience_display()}: unchanged (version {v.number})"
        size = f", {v.pdf_size // 1024} KB" if v.pdf_size else ""
        return f"{v.get_audience_display()}: version {v.number} issued{size}"


def refresh_notice(
    *, school: School, audience: str, on: datetime.date | None = None
) -> RefreshResult:
    """Make the school's current notice match the registry; render only when content changed.

    Content equal to the newest version's creates nothing. A version whose rendering failed
    is rendered again rather than replaced. Raises the rendering error after recording it.
    """
    content = build_notice_content(school, audience, on=on)
    digest = content_hash(content)
    version, created = _claim_version(
        school=school, audience=audience, content=content, digest=digest
    )
    if version.status != NoticeVersion.Status.RENDERED:
        _render(version)
    return RefreshResult(audience=audience, version=version, created=created)


def refresh_school_notices(
    *, school: School, on: datetime.date | None = None
) -> list[RefreshResult]:
    """Refresh both of the school's notices (pupils and parents; workforce)."""
    return [refresh_notice(school=school, audience=a, on=on) for a in Audience.values]


@transaction.atomic
def _claim_version(
    *, school: School, audience: str, content: dict, digest: str
) -> tuple[NoticeVersion, bool]:
    # Lock the school row so two workers cannot number two versions alike.
    School.objects.select_for_update().filter(pk=school.pk).first()
    latest = (
        NoticeVersion.objects.filter(school=school, audience=audience).order_by("-number").first()
    )
    if latest is not None and latest.content_hash == digest:
        return latest, False
    if latest is not None and latest.status != NoticeVersion.Status.RENDERED:
        # An unissued version is superseded by newer content before anyone could read it.
        latest.content, latest.content_hash, latest.error = content, digest, ""
        latest.save(update_fields=["content", "content_hash", "error"])
        return latest, True
    version = NoticeVersion.objects.create(
        school=school,
        audience=audience,
        number=(latest.number + 1) if latest else 1,
        content=content,
        content_hash=digest,
    )
    return version, True


def notice_context(version: NoticeVersion) -> dict:
    """Return what the notice templates need to lay out ``version``."""
    return {
        "notice": version.content,
        "version": version,
        "issued_on": (version.rendered_at or version.created_at or timezone.now()).date(),
    }


def _render(version: NoticeVersion) -> None:
    """Render HTML and PDF for ``version`` and mark it issued; record any failure on it."""
    version.attempts += 1
    try:
        context = notice_context(version)
        body = render_to_string("notices/_notice_body.html", context)
        document = render_to_string("notices/notice_pdf.html", {**context, "body": body})
        pdf = html_to_pdf(document, stylesheets=STYLESHEETS)
    except Exception as error:
        logger.exception("Rendering %s failed", version)
        version.status = NoticeVersion.Status.FAILED
        version.error = f"{type(error).__name__}: {error}"
        version.save(update_fields=["status", "error", "attempts"])
        raise
    # The file is written completely before the version is marked issued; until then the
    # version is not served, so a half-written PDF is never read.
    version.pdf.save(version.download_name, ContentFile(pdf), save=False)
    version.html = body
    version.pdf_size = len(pdf)
    version.status = NoticeVersion.Status.RENDERED
    version.error = ""
    version.rendered_at = timezone.now()
    version.save(
        update_fields=["pdf", "html", "pdf_size", "status", "error", "attempts", "rendered_at"]
    )
