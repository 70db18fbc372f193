"""Issue privacy notices: decide whether a new version is needed, render it, record failures."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Abs
from django.template.loader import render_to_string
from django.utils import timezone

from governance import flowmap
from governance.models import School
from governance.pdf import fitted_pdf
from notices.changes import describe_changes
from notices.content import (
    Audience,
    build_notice_content,
    build_notice_hashes,
    content_hash,
)
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

    Content equal to the newest version's creates nothing, so running this twice (a job
    delivered twice) issues one version. A version whose rendering failed is rendered again
    rather than replaced. Raises the rendering error after recording it on the version.

    The document is locked while its content is built and rendered: two workers refreshing
    the same notice take turns, and the later one builds from the later registry.
    """
    failure: Exception | None = None
    with transaction.atomic():
        lock_document(school=school, audience=audience)
        content = build_notice_content(school, audience, on=on)
        version, created = _claim_version(
            school=school, audience=audience, content=content, digest=content_hash(content)
        )
        if version.status != NoticeVersion.Status.RENDERED:
            try:
                _render(version)
            except Exception as error:  # recorded on the version: keep that, then raise
                failure = error
    if failure is not None:
        raise failure
    return RefreshResult(audience=audience, version=version, created=created)


STALE_BATCH = 200


def stale_notices(
    schools: Iterable[School], *, on: datetime.date | None = None, batch_size: int = STALE_BATCH
) -> list[tuple[School, str]]:
    """Return each (school, audience) whose notice does not match the registry: no version
    yet, content whose hash differs from the newest version's, or a newest version not yet
    issued. Builds content without rendering, ``batch_size`` schools at a time in a fixed
    number of queries per batch, so a nation's notices are decided in about a minute on one
    core. The render job still decides again, under the document's lock, before it issues.
    """
    day = on or timezone.localdate()
    stale: list[tuple[School, str]] = []
    ordered = list(schools)
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start : start + batch_size]
        newest = _newest_versions([s.pk for s in batch])
        for audience in Audience.values:
            hashes = build_notice_hashes(batch, audience, on=day)
            for school in batch:
                latest = newest.get((school.pk, audience))
                if (
                    latest is None
                    or latest[1] != NoticeVersion.Status.RENDERED
                    or latest[0] != hashes[school.pk]
                ):
                    stale.append((school, audience))
    return stale


def _newest_versions(school_ids: list[int]) -> dict[tuple[int, str], tuple[str, str]]:
    """(content hash, status) of the newest version of each of the schools' notices, in one
    query of a few short columns (a notice has a handful of versions a year)."""
    newest: dict[tuple[int, str], tuple[int, str, str]] = {}
    rows = NoticeVersion.objects.filter(school__in=school_ids).values_list(
        "school_id", "audience", "number", "content_hash", "status"
    )
    for school_id, audience, number, digest, status in rows:
        key = (school_id, audience)
        if key not in newest or number > newest[key][0]:
            newest[key] = (number, digest, status)
    return {key: (digest, status) for key, (_, digest, status) in newest.items()}


def lock_document(*, school: School, audience: str) -> None:
    """Hold the school's notice for ``audience`` until the transaction ends.

    On PostgreSQL an advisory lock per document, so the school's two notices render side by
    side; elsewhere the school's row (SQLite writes one at a time anyway).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [NOTICE_LOCK_NAMESPACE + Audience.values.index(audience), school.pk],
            )
    else:
        School.objects.select_for_update().filter(pk=school.pk).first()


# Advisory lock keys (class, object): one class per audience, the school's id as the object.
NOTICE_LOCK_NAMESPACE = 7100


def refresh_school_notices(
    *, school: School, on: datetime.date | None = None
) -> list[RefreshResult]:
    """Refresh both of the school's notices (pupils and parents; workforce).

    A school whose notices were never published has drafts only: nothing is issued until
    staff or its DPO publish them (``publish_school_notices``). A closed school keeps its
    notices and gets no new versions.
    """
    if school.not_issuing_because:
        return []
    results = [refresh_notice(school=school, audience=a, on=on) for a in Audience.values]
    issued = [r.version for r in results if r.created]
    if issued:
        from notices.notifications import send_notices_changed

        try:
            send_notices_changed(school=school, versions=issued)
        except Exception:  # an unreachable mail server must not undo an issued notice
            logger.exception("Telling the DPO of %s about new notices failed", school)
        mark_notified(issued)
    return results


def mark_notified(versions: list[NoticeVersion]) -> None:
    """Record that nobody needs telling about ``versions`` any more (told, or they did it)."""
    NoticeVersion.objects.filter(pk__in=[v.pk for v in versions], notified_at=None).update(
        notified_at=timezone.now()
    )


def publish_school_notices(*, school: School, user: Any = None) -> list[RefreshResult]:
    """Make the school's notices match the registry now and public.

    The first call ends the draft stage (the school's public page shows its notices from then
    on); later calls publish what the DPO changed since. Unchanged content issues nothing;
    a closed school issues nothing.
    """
    if school.is_closed:
        return []
    mark_published(school=school, user=user)
    results = [refresh_notice(school=school, audience=a) for a in Audience.values]
    mark_notified([r.version for r in results if r.created])
    return results


def mark_published(*, school: School, user: Any = None) -> None:
    """End the school's draft stage, if it has not ended yet."""
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        if locked.notices_published_at is None:
            # An update, not a save: the caller renders the notices itself, so no signal
            # should queue a second refresh.
            locked.notices_published_at = timezone.now()
            School.objects.filter(pk=school.pk).update(
                notices_published_at=locked.notices_published_at
            )
        school.notices_published_at = locked.notices_published_at
    logger.info("%s published the notices of %s", user or "the system", school)


def queue_publication(*, schools: list[School], user: Any = None, batch: Any = None) -> list[int]:
    """Publish the schools' notices in the background: end each draft stage and write a job
    per notice, in one statement (the DPO is not emailed about what they published).
    Returns the job ids."""
    from governance.outbox.services import enqueue, notice_job

    with transaction.atomic():
        for school in schools:
            mark_published(school=school, user=user)
        return enqueue(
            (notice_job(s.pk, a, tell_dpo=False) for s in schools for a in Audience.values),
            batch=batch,
        )


@dataclass(frozen=True)
class NoticePreview:
    """What a school's notice would say if published now, and how that differs."""

    audience: str
    content: dict[str, Any]
    html: str
    changes: list[str]
    is_unchanged: bool


def preview_notice(*, school: School, audience: str) -> NoticePreview:
    """Return the notice as the registry would issue it now, beside the public version."""
    content = build_notice_content(school, audience)
    current = NoticeVersion.objects.current_for(school, audience)
    body = render_to_string(
        "notices/_notice_body.html",
        {"notice": content, "version": None, "issued_on": timezone.localdate()},
    )
    unchanged = current is not None and current.content_hash == content_hash(content)
    changes = [] if unchanged else describe_changes(current.content if current else None, content)
    return NoticePreview(
        audience=audience, content=content, html=body, changes=changes, is_unchanged=unchanged
    )


def _claim_version(
    *, school: School, audience: str, content: dict, digest: str
) -> tuple[NoticeVersion, bool]:
    # The caller holds the document's lock, so two workers cannot number two versions alike.
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


def notice_sections(notice: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the (anchor, heading) of each section the body template shows for ``notice``:
    the contents list, in the same order and words as the headings."""
    transfers = notice.get("transfers") or {}
    schedule = notice.get("retention_schedule") or {}
    shown = {
        "systems": bool(notice.get("systems")),
        "transfers": bool(transfers.get("outside") or transfers.get("all_in_uk")),
        "security": bool(notice.get("security")),
        "retention": bool(
            notice.get("retention") or schedule.get("summary") or schedule.get("url")
        ),
    }
    return [(anchor, heading) for anchor, heading in SECTIONS if shown.get(anchor, True)]


SECTIONS = [
    ("about", "About this notice"),
    ("contact", "Who we are and how to contact us"),
    ("information", "The information we hold"),
    ("purposes", "Why we use it and the law that allows it"),
    ("systems", "Where we keep it"),
    ("sharing", "Who we share it with"),
    ("transfers", "Information stored outside the UK"),
    ("security", "How we protect it"),
    ("retention", "How long information is kept"),
    ("rights", "Your rights"),
    ("complaints", "How to complain"),
    ("version", "About this version"),
]


def notice_context(version: NoticeVersion) -> dict:
    """Return what the notice templates need to lay out ``version``."""
    return {
        "sections": notice_sections(version.content),
        "notice": version.content,
        "version": version,
        "issued_on": (version.rendered_at or version.created_at or timezone.now()).date(),
    }


APPENDIX = ("appendix", "Appendix: where the information goes")


def appendix_figures(content: dict[str, Any]) -> list[flowmap.Figure]:
    """The pictures of the notice PDF's appendix (the data-flow map of its recipients), or
    none where the notice names no recipient or Graphviz is not installed (the system check
    ``notices.W002`` says so). A dot that fails raises: the render fails and is retried, as
    an issued notice never gains its appendix later."""
    try:
        return flowmap.notice_figures(content)
    except flowmap.GraphvizMissing:
        logger.warning("A notice is rendered without its data-flow map: Graphviz is missing")
        return []


def notice_document(version: NoticeVersion, body: str) -> str:
    """Return the whole HTML of ``version``'s PDF around its ``body``: the cover, the contents,
    the body and the appendix."""
    context = notice_context(version)
    figures = appendix_figures(version.content)
    if figures:
        context["sections"] = [*context["sections"], APPENDIX]
    return render_to_string(
        "notices/notice_pdf.html", {**context, "body": body, "figures": figures}
    )


def _first_layout(version: NoticeVersion, body: str) -> int | None:
    """The layout to try first: the one kept by the issued notice for the audience nearest in
    length to ``body`` (within LIKE_LENGTH: notices of one registry paginate alike, so forty
    schools onboarded together, or a hundred touched by one supplier's edit, are each laid out
    once rather than twice when the plain layout leaves a last page nearly empty), or else
    the one the school's previous notice kept (a small edit usually keeps its type size).
    None: the plain layout."""
    rendered = NoticeVersion.objects.rendered().filter(audience=version.audience)
    length = len(body)
    margin = max(1, int(length * LIKE_LENGTH))
    alike = (
        rendered.filter(body_length__range=(length - margin, length + margin))
        .order_by(Abs(F("body_length") - length), "-rendered_at")
        .values_list("layout", flat=True)
        .first()
    )
    if alike is not None:
        return alike
    return (
        rendered.filter(school_id=version.school_id, number__lt=version.number)
        .order_by("-number")
        .values_list("layout", flat=True)
        .first()
    )


LIKE_LENGTH = 0.002  # of a body's length: a notice this close is likely paginated alike


def _render(version: NoticeVersion) -> None:
    """Render HTML and PDF for ``version`` and mark it issued; record any failure on it."""
    version.attempts += 1
    try:
        body = render_to_string("notices/_notice_body.html", notice_context(version))
        pdf, layout, layouts = fitted_pdf(
            notice_document(version, body),
            stylesheets=STYLESHEETS,
            start=_first_layout(version, body),
            appendix=APPENDIX[0],
        )
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
    version.body_length = len(body)
    version.pdf_size = len(pdf)
    version.layout = layout
    version.layouts = layouts
    version.status = NoticeVersion.Status.RENDERED
    version.error = ""
    version.rendered_at = timezone.now()
    version.save(
        update_fields=[
            "pdf",
            "html",
            "body_length",
            "pdf_size",
            "layout",
            "layouts",
            "status",
            "error",
            "attempts",
            "rendered_at",
        ]
    )
