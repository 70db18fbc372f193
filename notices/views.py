"""Public pages: anyone can read a school's current privacy notices and their history."""

import datetime
import functools
import hashlib
import html
import logging
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template import Engine
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.views.decorators.http import condition, require_GET

from governance.models import School
from governance.search import clean_search_term
from notices import changes, services
from notices.changes import describe_changes
from notices.content import Audience
from notices.models import NoticeVersion, download_name
from notices.services import notice_sections

logger = logging.getLogger(__name__)

_SECTION_TAG = re.compile(r"<(/?)section\b[^>]*>", re.IGNORECASE)
_SECTION_HEADING = re.compile(
    r"<section\b[^>]*\bid=\"([^\"]+)\"[^>]*>\s*<h2\b[^>]*>(.*?)</h2>", re.IGNORECASE | re.DOTALL
)
BACK_TO_CONTENTS = '<p class="to-contents"><a href="#contents">Back to contents</a></p>'


def _school(urn: str) -> School:
    return get_object_or_404(School.objects.select_related("authority"), urn=urn)


def _audience(audience: str) -> Audience:
    if audience not in Audience.values:
        raise Http404("No such notice")
    return Audience(audience)


def _pdf_response(path: str, name: str) -> FileResponse:
    """The stored PDF at ``path``, shown in the browser (``inline``) and saved as ``name``."""
    if not path:
        raise Http404("This version has no PDF")
    storage = NoticeVersion._meta.get_field("pdf").storage
    response = FileResponse(storage.open(path, "rb"), content_type="application/pdf",
                            filename=name)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- HTTP caching of the public notice pages and PDFs -----------------------------------------
#
# An issued version never changes, so what a page shows is decided by a few small facts: the
# school's name, the issued versions of the notice (ids, numbers, content hashes, PDF sizes,
# issue times: its list of versions), and the code and templates that lay the page out. Each
# request reads those facts in one query, answers a matching If-None-Match (or
# If-Modified-Since) with 304 before any other work, and otherwise serves the page rendered
# before under the same ETag from Django's cache: one cache get.

# Bump to change every ETag (and so drop every cached page) by hand; a deploy that changes the
# files ``page_revision`` reads does it anyway.
PAGE_REVISION = "1"
# How long browsers and proxies may reuse an answer without asking again: the current notice's
# URL changes when a new version is issued; a numbered version's notice never changes, but its
# page lists the versions and says when it is an earlier one, which a new version changes; a
# numbered version's PDF never changes at all.
CURRENT_CACHE_CONTROL = "public, max-age=60"
VERSION_CACHE_CONTROL = "public, max-age=86400"
PDF_VERSION_CACHE_CONTROL = "public, max-age=31536000, immutable"
# A rendered page is kept under its ETag, which no later change can make wrong: the timeout
# only bounds the memory the pages take. Each process also keeps the pages it served last.
PAGE_CACHE_SECONDS = 7 * 24 * 3600
LOCAL_PAGES = 128


class Issued(NamedTuple):
    """What decides the pages of one issued version: a row of the facts query."""

    pk: int
    number: int
    content_hash: str
    rendered_at: datetime.datetime
    pdf_size: int | None
    pdf: str
    school_name: str


_URN, _AUDIENCE = "\x00urn", "\x00audience"  # placeholders, never a real value


@functools.cache
def _facts_sql(alias: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL of the facts query, built by the ORM once per process: compiling it is most of
    a 304's cost (0.3 ms; running it on an open connection, 0.02 ms)."""
    queryset = (
        NoticeVersion.objects.using(alias)
        .filter(status=NoticeVersion.Status.RENDERED, school__urn=_URN, audience=_AUDIENCE)
        .order_by("-number")
        .values_list(*Issued._fields[:-1], "school__name")
    )
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def issued_versions(urn: str, audience: str) -> list[Issued]:
    """The facts of the notice's issued versions, newest first, in one small query."""
    connection = connections[router.db_for_read(NoticeVersion)]
    sql, template = _facts_sql(connection.alias)
    params = [{_URN: urn, _AUDIENCE: audience}.get(p, p) for p in template]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # A cursor's datetimes are the database's: naive UTC from SQLite, aware from PostgreSQL.
    return [
        Issued._make((*row[:3], row[3] if row[3].tzinfo else row[3].replace(tzinfo=UTC), *row[4:]))
        for row in rows
    ]


@functools.cache
def page_revision() -> str:
    """Fingerprint the code and templates that lay a notice page out, once per process."""
    digest = hashlib.sha256(PAGE_REVISION.encode())
    for module in (sys.modules[__name__], changes, services):
        digest.update(Path(str(module.__file__)).read_bytes())
    for name in ("notices/notice_detail.html", "base.html"):
        digest.update(Engine.get_default().get_template(name).source.encode())
    digest.update(static("site/site.css").encode())  # its hashed name in production
    return digest.hexdigest()[:16]


def _issued(request: HttpRequest, urn: str, audience: str) -> list[Issued]:
    """``issued_versions``, once per request: the ETag and Last-Modified functions and the
    view share its one query."""
    memo = request.__dict__.setdefault("_issued_notices", {})
    if (urn, audience) not in memo:
        memo[urn, audience] = issued_versions(urn, audience)
    facts: list[Issued] = memo[urn, audience]
    return facts


def _shown(facts: list[Issued], number: int | None) -> Issued | None:
    """The version a URL shows: the newest, or version ``number``."""
    return next((row for row in facts if number is None or row.number == number), None)


def _page_etag(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> str | None:
    """The page's ETag; None (no conditional answer, nothing cached) when it shows no issued
    version, or when it carries a message for this visitor alone."""
    if len(messages.get_messages(request)):
        return None
    facts = _issued(request, urn, audience)
    shown = _shown(facts, number)
    if shown is None:
        return None
    decided_by = repr((page_revision(), urn, audience, shown.number, facts))
    return hashlib.sha256(decided_by.encode()).hexdigest()[:32]


def _page_last_modified(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> datetime.datetime | None:
    """When the newest version was issued: the page last changed then."""
    if _page_etag(request, urn, audience, number) is None:
        return None
    return max(row.rendered_at for row in _issued(request, urn, audience))


def _pdf_etag(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> str | None:
    """The PDF's ETag: an issued version's file never changes (its name carries the number)."""
    shown = _shown(_issued(request, urn, audience), number)
    if shown is None or not shown.pdf:
        return None
    return hashlib.sha256(repr((urn, audience, shown)).encode()).hexdigest()[:32]


def _pdf_last_modified(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> datetime.datetime | None:
    shown = _shown(_issued(request, urn, audience), number)
    return shown.rendered_at if shown is not None and shown.pdf else None


def public_cache_control(*, current: str, numbered: str) -> Callable:
    """Let browsers and proxies keep an answer that has an ETag (one decided by public facts
    alone), 200 and 304 alike: ``current`` for a stable URL, ``numbered`` for a version's."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if response.status_code in (200, 304) and response.has_header("ETag"):
                is_numbered = kwargs.get("number") is not None
                response["Cache-Control"] = numbered if is_numbered else current
            return response

        return wrapped

    return decorator


class _Pages:
    """Rendered pages by ETag: this process's last ``LOCAL_PAGES`` in memory, in front of
    Django's cache (shared by every process with Redis). A key names one page forever, so a
    copy is never stale. A cache that is down costs a render, never the page."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.local: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            body = self.local.get(key)
            if body is not None:
                self.local.move_to_end(key)
                return body
        try:
            body = cache.get(key)
        except Exception:
            logger.warning("Notice pages: the cache is unavailable", exc_info=True)
            return None
        if body is not None:
            self._remember(key, body)
        return body

    def put(self, key: str, body: bytes) -> None:
        self._remember(key, body)
        try:
            cache.set(key, body, PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("Notice pages: the cache is unavailable", exc_info=True)

    def _remember(self, key: str, body: bytes) -> None:
        with self.lock:
            self.local[key] = body
            self.local.move_to_end(key)
            while len(self.local) > self.size:
                self.local.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.local.clear()


pages = _Pages(LOCAL_PAGES)


def notice_contents(content: dict[str, Any], body: str) -> list[tuple[str, str]]:
    """Return the (anchor, heading) of each section of ``content`` (``notice_sections``, as the
    PDF's contents) that the issued ``body`` holds, in the words of the body's own heading."""
    headings = {
        anchor: html.unescape(strip_tags(text)).strip()
        for anchor, text in _SECTION_HEADING.findall(body)
    }
    return [
        (anchor, headings[anchor] or heading)
        for anchor, heading in notice_sections(content)
        if anchor in headings
    ]


def with_back_links(body: str) -> str:
    """Return ``body`` with a "Back to contents" link closing each top-level section."""
    parts, depth, start = [], 0, 0
    for tag in _SECTION_TAG.finditer(body):
        if not tag.group(1):
            depth += 1
            continue
        depth = max(depth - 1, 0)
        if depth == 0:
            parts += [body[start : tag.start()], BACK_TO_CONTENTS]
            start = tag.start()
    return "".join([*parts, body[start:]])


def _listed(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def notice_explains(content: dict[str, Any]) -> str:
    """Return a sentence saying what the notice explains: only what ``content`` covers."""
    shown = {anchor for anchor, _ in notice_sections(content)}
    transfers = content.get("transfers") or {}
    why = {
        (True, True): "why {it} is used and the law that allows it",
        (True, False): "why {it} is used",
        (False, True): "the law that allows {it} to be used",
    }.get((bool(content.get("purposes")), bool(content.get("bases") or content.get("laws"))))
    covers = [
        (content.get("categories"), "what information is held"),
        (why, why),
        ("systems" in shown, "where {it} is kept"),
        (content.get("recipient_groups"), "who {it} is shared with"),
        (transfers.get("outside"), "which companies store {it} outside the UK"),
        (
            not transfers.get("outside") and transfers.get("all_in_uk"),
            "that the companies named keep {it} in the UK",
        ),
        ("security" in shown, "how {it} is protected"),
        ("retention" in shown, "how long {it} is kept"),
        (content.get("rights"), "your rights"),
        ("complaints" in shown, "how to complain"),
    ]
    phrases, named = [], False  # "it" needs "information" named before it
    for covered, phrase in covers:
        if covered and phrase:
            phrases.append(phrase.format(it="it" if named else "personal information"))
            named = named or "information" in phrases[-1]
    return f"This notice explains {_listed(phrases)}." if phrases else ""


@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """List schools, searchable by name, URN or postcode, each linking to its notices."""
    query = clean_search_term(request.GET.get("q", ""))[:100].rstrip()
    schools = School.objects.order_by("name")
    if query:
        schools = schools.filter(
            Q(name__icontains=query) | Q(urn=query) | Q(postcode__icontains=query)
        )
    page = Paginator(
        schools.only("name", "urn", "postcode", "nation", "notices_published_at", "status"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "notices/school_list.html", {"page": page, "query": query})


@require_GET
def notice_index(request: HttpRequest, urn: str) -> HttpResponse:
    """Show a school's current notices, one per audience, with their PDF links."""
    school = _school(urn)
    notices = []
    for audience in Audience:
        version = NoticeVersion.objects.current_for(school, audience)
        notices.append((audience, version, notice_explains(version.content) if version else ""))
    return render(request, "notices/notice_index.html", {"school": school, "notices": notices})


@require_GET
@public_cache_control(current=CURRENT_CACHE_CONTROL, numbered=VERSION_CACHE_CONTROL)
@condition(etag_func=_page_etag, last_modified_func=_page_last_modified)
def notice_detail(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> HttpResponse:
    """Show one notice in HTML: the current version, or version ``number``, with its changes.

    A matching If-None-Match or If-Modified-Since gets 304 (``condition``); a page rendered
    before under the same ETag comes from the cache."""
    etag = _page_etag(request, urn, audience, number)
    if etag is None:
        return _notice_page(request, urn, audience, number)
    key = f"notices:page:{etag}"
    body = pages.get(key)
    if body is not None:
        return HttpResponse(body)
    response = _notice_page(request, urn, audience, number)
    if response.status_code == 200:
        pages.put(key, response.content)
    return response


def _notice_page(request: HttpRequest, urn: str, audience: str, number: int | None) -> HttpResponse:
    """Render the page from the very versions its ETag was computed from."""
    school, audience = _school(urn), _audience(audience)
    facts = _issued(request, urn, audience)
    if not facts and number is None:
        return render(
            request,
            "notices/notice_pending.html",
            {"school": school, "audience": audience},
            status=404,
        )
    shown = _shown(facts, number)
    if shown is None:
        raise Http404("No such version")
    version = NoticeVersion.objects.get(pk=shown.pk)
    earlier = next((row for row in facts if row.number < version.number), None)
    previous = NoticeVersion.objects.only("content").get(pk=earlier.pk) if earlier else None
    history = [
        NoticeVersion(pk=row.pk, number=row.number, rendered_at=row.rendered_at,
                      pdf_size=row.pdf_size)
        for row in facts
    ]  # fmt: skip
    changes = describe_changes(previous.content if previous else None, version.content)
    contents = notice_contents(version.content, version.html)
    body = with_back_links(version.html) if contents else version.html
    context = {
        "school": school,
        "audience": audience,
        "version": version,
        "is_current": history[0].number == version.number,
        "history": history,
        "previous": previous,
        "changes": changes,
        "contents": contents,
        "body": body,  # rendered from our own template when the version was issued
    }
    return render(request, "notices/notice_detail.html", context)


@require_GET
@public_cache_control(current=CURRENT_CACHE_CONTROL, numbered=PDF_VERSION_CACHE_CONTROL)
@condition(etag_func=_pdf_etag, last_modified_func=_pdf_last_modified)
def notice_pdf(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> HttpResponseBase:
    """Return the current version's PDF (a stable URL for websites) or version ``number``'s:
    one query, and 304 to a matching If-None-Match or If-Modified-Since."""
    shown = _shown(_issued(request, urn, audience), number)
    if shown is None:
        raise Http404("No issued notice")
    return _pdf_response(shown.pdf, download_name(shown.school_name, audience, shown.number))
