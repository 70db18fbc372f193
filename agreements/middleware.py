"""The verifier's throttle, answered before the rest of the middleware stack runs.

A client over its allowance of uploads gets its 429 for the price of a cache increment: no
session, no CSRF check, no body read, no template rendered. Under a flood of uploads that is
what keeps other visitors' pages fast, since every refused upload still takes a turn of a
worker ahead of them.
"""

import ipaddress
import logging
import time
from collections.abc import Callable
from functools import cache as once

from axes.helpers import get_client_ip_address
from csp.utils import build_policy
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from agreements.forms import VerifyForm

logger = logging.getLogger(__name__)

# VERIFY_RATE_LIMIT uploads per address in this many seconds.
RATE_PERIOD = 60
# A client found over its allowance is refused from this process's memory for this long before
# the shared count is asked again: a flood then costs no round trip to the cache per upload.
LOCAL_REFUSAL_SECONDS = 10
MAX_REMEMBERED = 10_000
# Client key -> time.monotonic() until which this process refuses it without asking the cache.
_refused_until: dict[str, float] = {}
REFUSAL = "Too many files checked from your address: wait a minute, then try again."


def client_key(request: HttpRequest) -> str:
    """Name the client as sign-in throttling does (X-Forwarded-For behind TRUSTED_PROXY_COUNT
    proxies), an IPv6 client by its /64: one host is routinely given a whole /64."""
    address = get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def over_rate_limit(request: HttpRequest) -> bool:
    """Count this upload against its client's allowance; say whether it is over.

    The count lives in Django's cache (Redis with REDIS_URL, so every gunicorn worker sees the
    same count) for RATE_PERIOD seconds from the client's first upload. A refused client is
    then refused from memory for LOCAL_REFUSAL_SECONDS before the count is asked again. If the
    cache cannot be reached the upload is let through: each process still bounds its
    validations.
    """
    client = client_key(request)
    now = time.monotonic()
    if _refused_until.get(client, 0.0) > now:
        return True
    key = f"agreements:verify:{client}"
    try:
        cache.add(key, 0, timeout=RATE_PERIOD)
        count = cache.incr(key)
    except ValueError:  # the count expired between the two calls: a new period
        return False
    except Exception:
        logger.warning("Verifier: the upload count is unavailable", exc_info=True)
        return False
    if count <= settings.VERIFY_RATE_LIMIT:
        return False
    remember_refusal(client, now)
    return True


def remember_refusal(client: str, now: float) -> None:
    if len(_refused_until) >= MAX_REMEMBERED:  # a crowd of addresses: drop the lapsed ones
        for lapsed in [key for key, until in _refused_until.items() if until <= now]:
            _refused_until.pop(lapsed, None)
        if len(_refused_until) >= MAX_REMEMBERED:
            _refused_until.clear()
    _refused_until[client] = now + LOCAL_REFUSAL_SECONDS


@once
def refusal_page(max_bytes: int) -> bytes:
    """The verifier's page with the refusal, rendered once per process (it names no one)."""
    context = {"form": VerifyForm(max_bytes=max_bytes), "refusal": REFUSAL}
    return render_to_string("agreements/verify.html", context).encode()


@once
def site_policy() -> str:
    return build_policy()  # the site's CONTENT_SECURITY_POLICY, as the CSP middleware sends it


def too_many_uploads() -> HttpResponse:
    response = HttpResponse(refusal_page(settings.VERIFY_UPLOAD_MAX_BYTES), status=429)
    response["Retry-After"] = str(RATE_PERIOD)
    # This answer never reaches the CSP and clickjacking middleware: it carries their headers.
    response["Content-Security-Policy"] = site_policy()
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response["Cache-Control"] = "no-store"
    return response


class VerifierThrottleMiddleware:
    """Refuse an upload to the verifier over its client's allowance, first thing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.path = reverse("agreements:verify")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_upload = request.method == "POST" and request.path_info == self.path
        if is_upload and over_rate_limit(request):
            return too_many_uploads()
        return self.get_response(request)
