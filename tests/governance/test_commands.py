"""ensure_staff_user: `make run` always ends with a staff login someone can use."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from governance.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_login_in_env(monkeypatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)


def run() -> str:
    out = StringIO()
    call_command("ensure_staff_user", stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("no_login_in_env")
def test_creates_admin_with_a_printed_password_that_works() -> None:
    output = run()

    password = re.search(r"admin / (\S+)", output).group(1)
    user = authenticate(RequestFactory().post("/admin/login/"), username="admin", password=password)
    assert user is not None
    assert (user.is_staff, user.is_superuser) == (True, True)


@pytest.mark.usefixtures("no_login_in_env")
def test_each_new_admin_gets_a_different_password() -> None:
    first = re.search(r"admin / (\S+)", run()).group(1)
    User.objects.all().delete()

    second = re.search(r"admin / (\S+)", run()).group(1)

    assert first != second


def test_takes_the_login_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "dataofficer")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase-2026")

    output = run()

    assert "a-long-pass-phrase-2026" not in output
    user = authenticate(
        RequestFactory().post("/admin/login/"),
        username="dataofficer",
        password="a-long-pass-phrase-2026",
    )
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.usefixtures("no_login_in_env")
def test_second_run_without_password_leaves_it_alone_and_says_so() -> None:
    run()
    before = User.objects.get(username="admin").password

    output = run()

    assert "already exists; its password is unchanged" in output
    assert User.objects.get(username="admin").password == before
    assert User.objects.count() == 1


def test_second_run_with_a_password_resets_it_and_restores_staff_rights(monkeypatch) -> None:
    User.objects.create_user(username="dataofficer", password="old-pass-phrase", is_active=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "dataofficer")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-new-pass-phrase-2026")

    run()

    assert (
        authenticate(
            RequestFactory().post("/admin/login/"),
            username="dataofficer",
            password="old-pass-phrase",
        )
        is None
    )
    user = authenticate(
        RequestFactory().post("/admin/login/"),
        username="dataofficer",
        password="a-new-pass-phrase-2026",
    )
    assert (user.is_staff, user.is_superuser, user.is_active) == (True, True, True)


def test_blank_username_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "  ")
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_USERNAME"):
        run()

    assert not User.objects.exists()
