"""Public pages: anyone can read a school's current privacy notices and their history."""

import html
import re
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import strip_tags
from django.views.decorators.http import require_GET

from governance.models import School
from governance.search import clean_search_term
from notices.changes import describe_changes
from notices.content import Audience
from notices.models import NoticeVersion
from notices.services import notice_sections

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


def _pdf_response(version: NoticeVersion) -> FileResponse:
    if not version.pdf:
        raise Http404("This version has no PDF")
    response = FileResponse(
        version.pdf.open("rb"), content_type="application/pdf", filename=version.download_name
    )
    response["Content-Disposition"] = f'inline; filename="{version.download_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
        schools.only("name", "urn", "postcode", "nation", "notices_published_at"), 50
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
def notice_detail(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> HttpResponse:
    """Show one notice in HTML: the current version, or version ``number``, with its changes."""
    school, audience = _school(urn), _audience(audience)
    versions = NoticeVersion.objects.rendered().filter(school=school, audience=audience)
    history = list(versions.order_by("-number").only("number", "rendered_at", "pdf_size"))
    if number is None:
        version = versions.order_by("-number").first()
        if version is None:
            return render(
                request,
                "notices/notice_pending.html",
                {"school": school, "audience": audience},
                status=404,
            )
    else:
        version = get_object_or_404(versions, number=number)
    previous = versions.filter(number__lt=version.number).order_by("-number").first()
    changes = describe_changes(previous.content if previous else None, version.content)
    contents = notice_contents(version.content, version.html)
    body = with_back_links(version.html) if contents else version.html
    context = {
        "school": school,
        "audience": audience,
        "version": version,
        "is_current": bool(history) and history[0].number == version.number,
        "history": history,
        "previous": previous,
        "changes": changes,
        "contents": contents,
        "body": body,  # rendered from our own template when the version was issued
    }
    return render(request, "notices/notice_detail.html", context)


@require_GET
def notice_pdf(
    request: HttpRequest, urn: str, audience: str, number: int | None = None
) -> FileResponse:
    """Return the current version's PDF (a stable URL for websites) or version ``number``'s."""
    school, audience = _school(urn), _audience(audience)
    versions = NoticeVersion.objects.rendered().filter(school=school, audience=audience)
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise Http404("No issued notice")
    return _pdf_response(version)
