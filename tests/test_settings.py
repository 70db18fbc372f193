"""Settings come from the environment and refuse malformed values, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance.env import env_bool, env_int, env_url

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_refuses_other_words(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", False)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_env_bool_reads_true_and_false_words(monkeypatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG", not expected) is expected


def test_env_int_refuses_words_and_small_values(monkeypatch) -> None:
    monkeypatch.setenv("TIMEOUT", "abc")
    with pytest.raises(ImproperlyConfigured, match="TIMEOUT"):
        env_int("TIMEOUT", 2, minimum=1)

    monkeypatch.setenv("TIMEOUT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("TIMEOUT", 2, minimum=1)


def test_env_url_refuses_an_unsupported_scheme(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://x")

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", schemes=("sqlite", "postgres"))


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="governance.settings")
    code = "import django; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip


def test_production_start_without_secret_key_fails_naming_it() -> None:
    result = start_django(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_database_url_fails_naming_it() -> None:
    result = start_django(SECRET_KEY="x", DATABASE_URL="mysql://nope")

    assert result.returncode != 0
    assert "DATABASE_URL must start with" in result.stderr


def test_good_environment_starts() -> None:
    assert start_django(SECRET_KEY="x").returncode == 0
