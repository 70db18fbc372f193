"""Public pages for agreements: anyone can check whether a PDF is an authentic signed copy."""

import logging
import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from agreements.forms import VerifyForm
from agreements.signing import verify_signed_copy

logger = logging.getLogger(__name__)

# A validation holds a process for tens of milliseconds of CPU: this many at once in each
# process, and an upload that finds them all busy is refused at once rather than queued.
VALIDATION_SLOTS = threading.BoundedSemaphore(settings.VERIFY_CONCURRENCY)
BUSY_RETRY_SECONDS = 5


def _refusal(request: HttpRequest, message: str, *, status: int, retry_after: int) -> HttpResponse:
    context = {"form": VerifyForm(max_bytes=settings.VERIFY_UPLOAD_MAX_BYTES), "refusal": message}
    response = render(request, "agreements/verify.html", context, status=status)
    response["Retry-After"] = str(retry_after)
    return response


# No CSRF check: checking a file changes nothing and tells every visitor the same, so there is
# nothing to forge; and the check would parse (and spool to disk) the whole upload before the
# view could refuse a body over the size limit.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Upload a PDF; learn whether it is an authentic, unaltered signed copy, and of what.

    Nothing is stored. A file that is not a PDF, is empty or too large gets 400. Each address
    may upload VERIFY_RATE_LIMIT files a minute (then 429, answered by
    ``agreements.middleware.VerifierThrottleMiddleware`` before the upload is even read), and
    each process validates at most VERIFY_CONCURRENCY at once (then 503): one client, or a
    crowd, cannot keep the server from answering everyone else.
    """
    max_bytes = settings.VERIFY_UPLOAD_MAX_BYTES
    if request.method == "GET":
        return render(request, "agreements/verify.html", {"form": VerifyForm(max_bytes=max_bytes)})
    # Refuse an oversized body before Django spools it to disk.
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > max_bytes + 64 * 1024:
        context = {
            "form": VerifyForm(max_bytes=max_bytes),
            "error": f"That file is larger than {max_bytes // (1024 * 1024)} MB: "
            "a signed agreement is much smaller.",
        }
        return render(request, "agreements/verify.html", context, status=400)
    form = VerifyForm(request.POST, request.FILES, max_bytes=max_bytes)
    if not form.is_valid():
        return render(request, "agreements/verify.html", {"form": form}, status=400)
    upload = form.cleaned_data["document"]
    if not VALIDATION_SLOTS.acquire(blocking=False):
        return _refusal(
            request,
            "The checker is busy: try again in a few seconds.",
            status=503,
            retry_after=BUSY_RETRY_SECONDS,
        )
    try:
        result = verify_signed_copy(upload.read())
    finally:
        VALIDATION_SLOTS.release()
    context = {"form": VerifyForm(max_bytes=max_bytes), "result": result, "filename": upload.name}
    return render(request, "agreements/verify.html", context)
