"""Sign-in throttling: an account is locked at the address its failures came from, an address
only after far more failures across accounts, and whatever is typed gets a sign-in page.

A school's staff share one address (its NAT): one DPO's typos must not lock the others out.
"""

import importlib.util
import re
from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SCHOOL_NAT, ELSEWHERE = "192.0.2.10", "198.51.100.20"
# The portal's words, then the admin's.
WRONG_CREDENTIALS = re.compile(r"Please enter (a|the) correct username and password")


@pytest.fixture(autouse=True)
def _quiet_axes(caplog) -> None:
    caplog.set_level("ERROR", logger="axes")


def sign_in(username: str, password: str, *, address: str, login: str = "portal:login"):
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse(login), {"username": username, "password": password})


def fail(username: str, times: int, *, address: str = SCHOOL_NAT) -> list[int]:
    return [sign_in(username, "wrong guess", address=address).status_code for _ in range(times)]


# The account, at one address


def test_repeated_failures_lock_the_account_at_that_address_only(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="dpo-a")
    UserFactory(username="dpo-b")
    UserFactory(username="staff-c", is_staff=True, is_superuser=True)

    assert fail("dpo-a", 5) == [200, 200, 200, 200, 429]

    assert sign_in("dpo-a", PASSWORD, address=SCHOOL_NAT).status_code == 429
    # Colleagues behind the same address still sign in, staff to the admin too...
    assert sign_in("dpo-b", PASSWORD, address=SCHOOL_NAT).status_code == 302
    assert sign_in("staff-c", PASSWORD, address=SCHOOL_NAT, login="admin:login").status_code == 302
    # ...and so does the DPO from anywhere else.
    assert sign_in("dpo-a", PASSWORD, address=ELSEWHERE).status_code == 302


def test_failures_across_many_accounts_lock_the_address(settings) -> None:
    """Guessing one password for many accounts (spraying) locks the address itself."""
    settings.AXES_FAILURE_LIMIT = 5
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 50
    UserFactory(username="dpo-d")

    answers = [
        sign_in(f"someone-{n % 25}", "Summer2025!", address=SCHOOL_NAT).status_code
        for n in range(limit)
    ]

    assert answers[:-1] == [200] * (limit - 1)
    assert answers[-1] == 429
    assert sign_in("dpo-d", PASSWORD, address=SCHOOL_NAT).status_code == 429
    assert sign_in("dpo-d", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_address_ceiling_is_a_setting(settings) -> None:
    settings.AXES_ADDRESS_FAILURE_LIMIT = 3
    UserFactory(username="dpo-e")

    for name in ("x", "y", "z"):
        sign_in(name, "wrong guess", address=SCHOOL_NAT)

    assert sign_in("dpo-e", PASSWORD, address=SCHOOL_NAT).status_code == 429


# Whatever is typed as a username


@pytest.mark.parametrize("login", ["portal:login", "admin:login"])
def test_an_overlong_username_gets_the_wrong_credentials_page(login: str) -> None:
    """AccessAttempt.username holds 255 characters: PostgreSQL refused a longer one."""
    page = sign_in("u" * 300, "wrong guess", address=SCHOOL_NAT, login=login)

    assert page.status_code == 200
    assert WRONG_CREDENTIALS.search(page.content.decode())
    [attempt] = AccessAttempt.objects.filter(ip_address=SCHOOL_NAT)
    assert attempt.username == "u" * 255


def test_overlong_usernames_are_still_throttled(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3

    answers = [sign_in("u" * 300, "guess", address=SCHOOL_NAT).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


# The address, behind reverse proxies


def settings_with(**environ: str) -> Any:
    """Evaluate governance/settings.py afresh with these environment variables."""
    spec = importlib.util.find_spec("governance.settings")
    assert spec is not None
    assert spec.origin is not None
    with pytest.MonkeyPatch.context() as env:
        for name, value in environ.items():
            env.setenv(name, value)
        fresh = importlib.util.spec_from_file_location("proxy_settings", spec.origin)
        assert fresh is not None
        assert fresh.loader is not None
        module = importlib.util.module_from_spec(fresh)
        fresh.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        # The proxy appends the address it saw; the client sent no header.
        ("1", "203.0.113.7", "203.0.113.7"),
        # Whatever the client sent itself comes first and is ignored.
        ("1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        # Two proxies: the outer one appended the client, the inner one the outer one.
        ("2", "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
    ],
    ids=["one-proxy", "one-proxy-spoofed", "two-proxies"],
)
def test_the_client_address_is_the_one_the_trusted_proxies_saw(
    proxies: str, forwarded_for: str, client: str
) -> None:
    module = settings_with(TRUSTED_PROXY_COUNT=proxies)
    names = ("AXES_IPWARE_PROXY_COUNT", "AXES_IPWARE_META_PRECEDENCE_ORDER", "IPWARE_STRICT")
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)

    with override_settings(**{name: getattr(module, name) for name in names}):
        assert get_client_ip_address(request) == client
