"""ensure_staff_user: `make run` always ends with a staff login someone can use."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from governance.models import User

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("ensure_staff_user", stdout=out)
    return out.getvalue()


def test_creates_admin_with_a_printed_password_that_works(monkeypatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    output = run()

    password = re.search(r"admin / (\S+)", output).group(1)
    user = authenticate(username="admin", password=password)
    assert user is not None
    assert user.is_staff
    assert user.is_superuser


def test_takes_the_login_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "dataofficer")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase-2026")

    output = run()

    assert "a-long-pass-phrase-2026" not in output
    assert authenticate(username="dataofficer", password="a-long-pass-phrase-2026") is not None


def test_second_run_without_password_leaves_it_alone(monkeypatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    run()
    before = User.objects.get(username="admin").password

    output = run()

    assert "already exists" in output
    assert User.objects.get(username="admin").password == before
