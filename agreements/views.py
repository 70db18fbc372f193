"""Public pages for agreements: anyone can check whether a PDF is an authentic signed copy."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from agreements.forms import VerifyForm
from agreements.signing import verify_signed_copy


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Upload a PDF; learn whether it is an authentic, unaltered signed copy, and of what.

    Nothing is stored. A file that is not a PDF, is empty or too large gets 400.
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
    result = verify_signed_copy(upload.read())
    context = {"form": VerifyForm(max_bytes=max_bytes), "result": result, "filename": upload.name}
    return render(request, "agreements/verify.html", context)
