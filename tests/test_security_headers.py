"""Security headers and cookie flags, as production sends them over HTTPS.

Every page and download some persona may open (each URL the authorization matrix expects a
200 for, walked from the URLconf) is fetched over HTTPS with production's security settings
(``governance/settings.py`` evaluated as in production: DJANGO_DEBUG false, HTTPS_ONLY at its
default), once as the first persona who may open it and once anonymously. Then:

- every response: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and HSTS of
  at least a year;
- every HTML page: a Content-Security-Policy without 'unsafe-inline' scripts and with
  ``frame-ancestors 'none'``;
- every private PDF (one anonymous visitors may not open): ``Cache-Control: private,
  no-store``;
- plain HTTP is sent to HTTPS (but the health check, which the container probes in HTTP);
- the session cookie after signing in is HttpOnly, Secure and SameSite=Lax; the CSRF cookie
  is Secure.
"""

import importlib.util
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import global_settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import held_settings
from tests.test_authorization_matrix import (
    OK,
    PASSWORD,
    PERSONAS,
    Unfillable,
    World,
    body,
    build_world,
    expectation,
    persona_clients,
    quiet_axes,
    table,
    targets,
    walk,
)

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 3600
# The security settings production derives from its environment.
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "CONTENT_SECURITY_POLICY",
]  # fmt: skip
# The private downloads: each must be among the PDFs the sweep finds private.
PRIVATE_PDFS = {
    "portal:agreement_pdf", "portal:signed_pdf", "admin:agreements_agreementversion_pdf",
    "admin:agreements_agreementversion_preview_pdf", "admin:agreements_signature_pdf",
}  # fmt: skip


def production_security_settings() -> dict[str, Any]:
    """Evaluate governance/settings.py afresh as production does (DJANGO_DEBUG false, HTTPS_ONLY
    unset: its default) and return its security settings (Django's default where unset)."""
    spec = importlib.util.find_spec("governance.settings")
    assert spec is not None
    assert spec.origin is not None
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_DEBUG", "false")
        env.delenv("HTTPS_ONLY", raising=False)
        for name in ("SECURE_HSTS_SECONDS", "TRUST_X_FORWARDED_PROTO"):
            env.delenv(name, raising=False)
        fresh = importlib.util.spec_from_file_location("production_settings", spec.origin)
        assert fresh is not None
        assert fresh.loader is not None
        module = importlib.util.module_from_spec(fresh)
        fresh.loader.exec_module(module)
    return {
        name: getattr(module, name, getattr(global_settings, name, None))
        for name in SECURITY_SETTINGS
    }


@pytest.fixture(scope="module")
def https_settings() -> dict[str, Any]:
    return production_security_settings()


@pytest.fixture(scope="module")
def _module_settings(tmp_path_factory, _dev_seal_dir) -> Iterator[None]:
    """What the per-test autouse fixtures set, held for the module so the world's files stay
    where every test's storage looks for them."""
    with held_settings(tmp_path_factory.mktemp("headers-media"), _dev_seal_dir):
        yield


@pytest.fixture(autouse=True)
def _private_files(_module_settings) -> None:
    """Override the per-test media folder: keep the module's, which holds the world's PDFs."""


@pytest.fixture(autouse=True)
def _quiet_refusals(caplog) -> None:
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.ERROR, logger="axes")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _module_settings) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic(), quiet_axes():
        built = build_world(lean=True)  # one object of each kind is enough
        with django_db_blocker.block():
            yield built
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Seen:
    """One response of the sweep."""

    key: str
    url: str
    persona: str
    status: int
    headers: dict[str, str]  # lower-case names
    private: bool  # anonymous visitors may not open it

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    def row(self, problem: str) -> tuple[str, str, str, str]:
        return (self.persona, f"{self.key} {self.url}", str(self.status), problem)


def sweep_world(world: World) -> list[Seen]:
    """GET, over HTTPS, every URL some persona may open: as the first who may, and anonymously."""
    clients = persona_clients(world)
    seen = []
    for route in walk():
        expect = expectation(route)
        if expect is None:
            continue  # test_authorization_matrix names it
        try:
            found = targets(route, world)
        except Unfillable:
            continue
        for target in found:
            allowed = [p for p in PERSONAS if expect(p, target) == OK]
            if not allowed:
                continue
            for persona in dict.fromkeys([allowed[0], "anonymous"]):
                response = clients[persona].get(target.url, secure=True)
                body(response)
                headers = {name.lower(): value for name, value in response.headers.items()}
                private = "anonymous" not in allowed
                seen.append(Seen(route.key, target.url, persona, response.status_code, headers,
                                 private))  # fmt: skip
    return seen


@pytest.fixture(scope="module")
def sweep(world, https_settings, django_db_blocker) -> list[Seen]:
    """The sweep's responses, made once for the module (its writes, such as sessions and
    download records, rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic(), quiet_axes():
        with override_settings(**https_settings):
            seen = sweep_world(world)
        transaction.set_rollback(True)
    return seen


def fail_with(rows: list[tuple[str, ...]], what: str) -> None:
    header = ("persona", "url", "status", "problem")
    assert not rows, f"{len(rows)} response(s) {what}:\n" + table([header, *rows])


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1:]
    return found


def test_the_sweep_is_not_vacuous(sweep: list[Seen]) -> None:
    keys = {s.key for s in sweep if s.status == 200}
    kinds = {s.content_type for s in sweep if s.status == 200}
    assert len(sweep) >= 200, f"only {len(sweep)} responses"
    assert {"text/html", "application/pdf"} <= kinds
    private = {s.key for s in sweep if s.private and s.content_type == "application/pdf"}
    assert private >= PRIVATE_PDFS, f"not fetched as private PDFs: {sorted(PRIVATE_PDFS - private)}"
    assert {"notices:version_pdf", "admin:governance_school_change", "portal:home"} <= keys


def test_every_response_forbids_sniffing_and_framing(sweep: list[Seen]) -> None:
    rows = []
    for s in sweep:
        if s.headers.get("x-content-type-options", "").lower() != "nosniff":
            rows.append(s.row(f"X-Content-Type-Options: {s.headers.get('x-content-type-options')}"))
        if s.headers.get("x-frame-options", "").upper() != "DENY":
            rows.append(s.row(f"X-Frame-Options: {s.headers.get('x-frame-options')}"))
    fail_with(rows, "may be sniffed or framed")


def test_every_html_page_has_a_strict_content_security_policy(sweep: list[Seen]) -> None:
    rows = []
    for s in sweep:
        if s.content_type != "text/html":
            continue
        policy = s.headers.get("content-security-policy")
        if policy is None:
            rows.append(s.row("no Content-Security-Policy"))
            continue
        found = directives(policy)
        scripts = found.get("script-src", found.get("default-src"))
        if scripts is None:
            rows.append(s.row("neither script-src nor default-src"))
        elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
            rows.append(s.row(f"script-src {' '.join(scripts)}"))
        if found.get("frame-ancestors") != ["'none'"]:
            rows.append(s.row(f"frame-ancestors {found.get('frame-ancestors')}"))
    fail_with(rows, "without a strict CSP")


def test_private_pdfs_are_never_cached(sweep: list[Seen]) -> None:
    rows = []
    for s in sweep:
        if s.status != 200 or s.content_type != "application/pdf" or not s.private:
            continue
        cache = {part.strip() for part in s.headers.get("cache-control", "").split(",")}
        if not {"private", "no-store"} <= cache:
            rows.append(s.row(f"Cache-Control: {s.headers.get('cache-control')}"))
    fail_with(rows, "private PDFs that may be cached")


def test_every_https_response_has_hsts_for_a_year(sweep: list[Seen]) -> None:
    rows = []
    for s in sweep:
        hsts = directives(s.headers.get("strict-transport-security", ""))
        max_age = next((k for k in hsts if k.startswith("max-age=")), "max-age=0")
        if int(max_age.partition("=")[2] or 0) < ONE_YEAR:
            rows.append(s.row(f"HSTS: {s.headers.get('strict-transport-security')}"))
    fail_with(rows, "without HSTS of at least a year")


def test_plain_http_is_sent_to_https(world: World, https_settings) -> None:
    with override_settings(**https_settings):
        page = Client().get(reverse("notices:school_list"))
        health = Client().get(reverse("healthz"))

    assert page.status_code == 301, page.status_code
    assert page["Location"] == "https://testserver/schools/"
    assert health.status_code == 200, "the container's plain-HTTP health check is redirected"


@pytest.mark.parametrize("login", ["portal:login", "admin:login"])
def test_session_cookie_after_sign_in_is_httponly_secure_and_lax(
    world: World, https_settings, settings, login: str
) -> None:
    username = "m-staff" if login == "admin:login" else "m-dpo-a"
    with override_settings(**https_settings):
        client = Client()
        page = client.get(reverse(login), secure=True)
        response = client.post(
            reverse(login), {"username": username, "password": PASSWORD}, secure=True
        )

    assert response.status_code == 302, "the sign-in failed"
    csrf = page.cookies.get(settings.CSRF_COOKIE_NAME)
    session = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert csrf is not None, "the sign-in page set no CSRF cookie"
    assert session is not None, "signing in set no session cookie"
    problems = [
        f"{name} cookie lacks {flag}"
        for name, cookie, flags in [
            ("session", session, {"httponly": True, "secure": True, "samesite": "lax"}),
            ("CSRF", csrf, {"secure": True}),
        ]
        for flag, wanted in flags.items()
        if (str(cookie[flag]).lower() if flag == "samesite" else bool(cookie[flag])) != wanted
    ]
    assert not problems, problems
