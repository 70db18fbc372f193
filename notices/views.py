"""Public pages: anyone can read a school's current privacy notices and their history."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from governance.models import School
from governance.search import clean_search_term
from notices.changes import describe_changes
from notices.content import Audience
from notices.models import NoticeVersion


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


@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """List schools, searchable by name, URN or postcode, each linking to its notices."""
    query = clean_search_term(request.GET.get("q", ""))[:100].rstrip()
    schools = School.objects.order_by("name")
    if query:
        schools = schools.filter(
            Q(name__icontains=query) | Q(urn=query) | Q(postcode__icontains=query)
        )
    page = Paginator(schools.only("name", "urn", "postcode", "nation"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notices/school_list.html", {"page": page, "query": query})


@require_GET
def notice_index(request: HttpRequest, urn: str) -> HttpResponse:
    """Show a school's current notices, one per audience, with their PDF links."""
    school = _school(urn)
    current = {a: NoticeVersion.objects.current_for(school, a) for a in Audience.values}
    notices = [(Audience(a), current[a]) for a in Audience.values]
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
    context = {
        "school": school,
        "audience": audience,
        "version": version,
        "is_current": bool(history) and history[0].number == version.number,
        "history": history,
        "previous": previous,
        "changes": changes,
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
