"""Private documents are served here only, after the calling view has checked who may see
them: never cached, never sniffed, and every download recorded."""

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from governance.access import record_access
from governance.models import AccessEvent


def _private(response: HttpResponseBase, request: HttpRequest, filename: str) -> None:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    record_access(kind=AccessEvent.Kind.DOWNLOAD, request=request, document=filename)


def private_pdf(
    request: HttpRequest, file: Any, filename: str, *, attachment: bool = False
) -> FileResponse:
    """Serve a private PDF: never cached, never sniffed, and the download recorded."""
    if not file:
        raise Http404("No such document")
    response = FileResponse(
        file.open("rb"), content_type="application/pdf", as_attachment=attachment,
        filename=filename,
    )  # fmt: skip
    _private(response, request, filename)
    return response


def private_pdf_bytes(request: HttpRequest, data: bytes, filename: str) -> HttpResponse:
    """Serve PDF bytes made on the fly (a draft's preview) as a private document."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    _private(response, request, filename)
    return response
