"""The public verifier under abuse: damaged uploads get a plain verdict (never a server error,
never a library's message), and one address cannot keep the server busy with validations."""

import logging
import re
import uuid
from html import unescape
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from agreements import views
from agreements.seal import check_seal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

VERIFY_URL = "/agreements/verify/"
# Every verdict a file that is not an authentic signed copy may get: fixed words, nothing a
# library said.
PLAIN_VERDICTS = {
    "This file is not a PDF.",
    "This file is damaged or not a sealed PDF.",
    "This PDF carries no seal of this service.",
    "The seal is damaged and cannot be checked.",
    "The document was altered after it was sealed.",
    "Something was added to the document after it was sealed.",
    "The seal was not made with this service's certificate.",
    "The seal has no valid trusted timestamp.",
    "The seal is valid, but this file is not a signed copy on record here.",
}
# Neither a PDF nor sealed: the verifier answers it at once.
JUNK_PDF = b"%PDF-1.7\n% nothing else\n"


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """Count uploads in a cache of this test's own: never another test's, never shared Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"verifier-{uuid.uuid4()}",
        }
    }


def arden_copy(world) -> bytes:
    with world.signature(world.arden_v2_signature).signed_pdf.open("rb") as handle:
        return handle.read()


def upload(data: bytes, **client_kwargs):
    client = Client(raise_request_exception=False, **client_kwargs)
    return client.post(VERIFY_URL, {"document": SimpleUploadedFile("signed.pdf", data)})


def verdict(page) -> str:
    found = re.search(r"<p><strong>(.*?)</strong></p>", page.content.decode(), re.S)
    return unescape(found.group(1)) if found else ""


def flate_stream(data: bytes) -> tuple[int, int]:
    """Return where the longest Flate-compressed stream's bytes start and end."""
    streams = [
        (match.end(), data.index(b"endstream", match.end()))
        for match in re.finditer(rb"<<(?:[^<>]|<<[^<>]*>>)*/FlateDecode[^>]*>>\s*stream\r?\n", data)
    ]
    assert streams, "the signed copy has no compressed stream"
    return max(streams, key=lambda span: span[1] - span[0])


def tamper_positions(data: bytes) -> list[int]:
    """150 positions spread over the file after its header, and 50 inside a compressed
    stream (where a changed byte makes zlib fail), in a fixed order."""
    start, end = len(b"%PDF-"), len(data)
    spread = [start + (end - start) * i // 150 for i in range(150)]
    first, last = flate_stream(data)
    inside = [first + (last - first) * i // 50 for i in range(50)]
    return sorted(set(spread + inside))


# Damaged uploads


def test_no_single_changed_byte_makes_an_error_or_shows_a_librarys_message(world, settings):
    settings.VERIFY_RATE_LIMIT = 10_000
    data = arden_copy(world)

    wrong = []
    for position in tamper_positions(data):
        altered = data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]
        page = upload(altered)
        if page.status_code != 200 or verdict(page) not in PLAIN_VERDICTS:
            wrong.append((position, page.status_code, verdict(page)[:120]))

    assert not wrong, f"{len(wrong)} changed bytes got no plain verdict: {wrong[:10]}"


def test_a_library_failure_while_validating_is_logged_not_shown(world, caplog) -> None:
    failure = ValueError("Error parsing asn1crypto.core.Any")

    with mock.patch("agreements.seal.async_validate_pdf_signature", side_effect=failure):
        check = check_seal(arden_copy(world))

    assert not check.ok
    assert check.reason == "The seal is damaged and cannot be checked."
    assert "asn1crypto" in caplog.text


def test_a_library_failure_while_reading_is_logged_not_shown(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="agreements.seal"):
        check = check_seal(b"%PDF-1.7\n1 0 obj << /Length 5 /Filter /FlateDecode >>\nstream\n")

    assert not check.ok
    assert check.reason == "This file is damaged or not a sealed PDF."
    assert caplog.records, "the reason the file could not be read is not logged"


# One address, many uploads


def test_the_eleventh_upload_in_a_minute_from_one_address_is_refused(settings) -> None:
    settings.VERIFY_RATE_LIMIT = 10

    answers = [upload(JUNK_PDF, REMOTE_ADDR="192.0.2.1").status_code for _ in range(10)]
    refused = upload(JUNK_PDF, REMOTE_ADDR="192.0.2.1")
    other = upload(JUNK_PDF, REMOTE_ADDR="192.0.2.2")

    assert answers == [200] * 10
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many files checked from your address" in refused.content.decode()
    assert other.status_code == 200


def test_a_refused_upload_is_not_read(settings) -> None:
    """Over the limit, the answer comes before the body is parsed or the file checked."""
    settings.VERIFY_RATE_LIMIT = 1
    upload(JUNK_PDF, REMOTE_ADDR="192.0.2.3")

    with mock.patch("agreements.views.verify_signed_copy") as checked:
        refused = upload(JUNK_PDF, REMOTE_ADDR="192.0.2.3")

    assert refused.status_code == 429
    checked.assert_not_called()


def test_the_verifier_asks_for_no_csrf_token() -> None:
    """Checking a file changes nothing: with no CSRF check, nothing parses an upload before
    the view can refuse it (over the allowance, or over the size limit)."""
    page = upload(JUNK_PDF, enforce_csrf_checks=True)

    assert page.status_code == 200
    assert verdict(page) == "This file is damaged or not a sealed PDF."


def test_behind_a_proxy_each_forwarded_client_has_its_own_allowance(settings) -> None:
    """With TRUSTED_PROXY_COUNT=1 every upload arrives from the proxy's address: the client is
    the one X-Forwarded-For names, as for sign-in throttling."""
    settings.VERIFY_RATE_LIMIT = 2
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.IPWARE_STRICT = False

    def via_proxy(client: str) -> int:
        return upload(JUNK_PDF, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client).status_code

    assert [via_proxy("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert via_proxy("198.51.100.2") == 200


def test_when_every_validation_slot_is_busy_the_upload_is_refused_at_once(settings) -> None:
    slots = views.VALIDATION_SLOTS
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    try:
        busy = upload(JUNK_PDF, REMOTE_ADDR="192.0.2.4")
    finally:
        for _ in range(held):
            slots.release()
    after = upload(JUNK_PDF, REMOTE_ADDR="192.0.2.4")

    assert held == settings.VERIFY_CONCURRENCY
    assert busy.status_code == 503
    assert int(busy["Retry-After"]) > 0
    assert "busy" in busy.content.decode()
    assert after.status_code == 200


def test_a_refused_upload_is_answered_before_the_rest_of_the_stack(settings) -> None:
    """Over the allowance, the answer costs a cache increment: a body that would be a 400 if it
    were parsed gets its 429, with the headers the skipped middleware would have added."""
    settings.VERIFY_RATE_LIMIT = 1
    upload(JUNK_PDF, REMOTE_ADDR="192.0.2.5")
    client = Client(REMOTE_ADDR="192.0.2.5")

    refused = client.generic(
        "POST", VERIFY_URL, b"not multipart at all", content_type="multipart/form-data; boundary=x"
    )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    page = client.get(VERIFY_URL)
    assert refused["Content-Security-Policy"] == page["Content-Security-Policy"]
    assert refused["X-Frame-Options"] == page["X-Frame-Options"] == "DENY"
    assert "Set-Cookie" not in refused
    assert "Too many files checked from your address" in refused.content.decode()
    assert settings.MIDDLEWARE.index("agreements.middleware.VerifierThrottleMiddleware") == 1


def test_a_refused_client_is_refused_from_memory_then_the_count_is_asked_again(settings) -> None:
    """Once over, a flood costs no trip to the shared count per upload; after the short
    memory lapses the shared count decides again (here: a new period, so it is let in)."""
    from django.core.cache import cache

    from agreements import middleware

    settings.VERIFY_RATE_LIMIT = 1
    upload(JUNK_PDF, REMOTE_ADDR="192.0.2.6")
    assert upload(JUNK_PDF, REMOTE_ADDR="192.0.2.6").status_code == 429

    with mock.patch.object(cache, "incr", side_effect=AssertionError("asked the cache")):
        assert upload(JUNK_PDF, REMOTE_ADDR="192.0.2.6").status_code == 429

    cache.delete("agreements:verify:192.0.2.6")  # the shared period ended
    later = middleware._refused_until["192.0.2.6"] + 1
    with mock.patch("agreements.middleware.time.monotonic", return_value=later):
        assert upload(JUNK_PDF, REMOTE_ADDR="192.0.2.6").status_code == 200
