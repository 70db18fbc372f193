"""Settings come from the environment and refuse malformed values, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance.env import env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_refuses_other_words(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_DEBUG.*'maybe'"):
        env_bool("DJANGO_DEBUG", False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("yes", True), (" TRUE ", True), ("on", True), ("off", False), ("0", False),
     ("", False)],
)  # fmt: skip
def test_env_bool_reads_true_and_false_words(monkeypatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG", not expected) is expected


def test_env_bool_defaults_when_unset(monkeypatch) -> None:
    monkeypatch.delenv("FLAG", raising=False)

    assert env_bool("FLAG", True) is True


def test_env_int_refuses_words(monkeypatch) -> None:
    monkeypatch.setenv("TIMEOUT", "abc")

    with pytest.raises(ImproperlyConfigured, match="TIMEOUT must be a whole number"):
        env_int("TIMEOUT", 2, minimum=1)


def test_env_int_refuses_values_below_the_minimum(monkeypatch) -> None:
    monkeypatch.setenv("TIMEOUT", "0")

    with pytest.raises(ImproperlyConfigured, match="TIMEOUT must be at least 1"):
        env_int("TIMEOUT", 2, minimum=1)


def test_env_int_reads_a_number_and_defaults_when_blank(monkeypatch) -> None:
    monkeypatch.setenv("TIMEOUT", "5")
    assert env_int("TIMEOUT", 2, minimum=1) == 5

    monkeypatch.setenv("TIMEOUT", " ")
    assert env_int("TIMEOUT", 2, minimum=1) == 2


def test_env_url_refuses_an_unsupported_scheme(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://x")

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with"):
        env_url("DATABASE_URL", schemes=("sqlite", "postgres"))


def test_env_url_accepts_an_allowed_scheme_and_blank(monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env_url("REDIS_URL", schemes=("redis",)) == "redis://127.0.0.1:6379/0"

    monkeypatch.setenv("REDIS_URL", "")
    assert env_url("REDIS_URL", schemes=("redis",)) == ""


def test_env_list_splits_and_trims(monkeypatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", " example.org, ,www.example.org ")

    assert env_list("ALLOWED_HOSTS") == ["example.org", "www.example.org"]


def start_django(**env: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh interpreter with the test run's environment, less its secrets."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'governance.settings'; "
        "django.setup()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip


def test_production_start_without_secret_key_fails_naming_it() -> None:
    result = start_django(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_bad_database_url_fails_naming_it() -> None:
    result = start_django(SECRET_KEY="x", DATABASE_URL="mysql://nope")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL must start with" in result.stderr


def test_bad_debug_flag_fails_naming_it() -> None:
    result = start_django(SECRET_KEY="x", DJANGO_DEBUG="maybe")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG must be true or false" in result.stderr


def test_good_environment_starts() -> None:
    result = start_django(SECRET_KEY="x")

    assert result.returncode == 0, result.stderr


def test_debug_start_needs_no_secret_key() -> None:
    result = start_django(DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr
