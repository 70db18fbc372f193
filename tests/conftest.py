"""Personas and shared fixtures. Stories are told by: staff, an auditor-to-be, anonymous."""

import uuid
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from governance.demo import load_demo
from notices import dependencies as notice_dependencies
from tests.factories import UserFactory
from tests.faults import results as fault_results


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Serve static files without the production manifest, which only collectstatic builds."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _jobs_in_process(monkeypatch) -> None:
    """Run background jobs in process even when REDIS_URL points the suite at a real broker,
    so no test leaves messages in the machine's shared Redis. (The fault tests start their
    own Redis and workers.)"""
    from governance.celery import app
    from governance.outbox import services

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setattr(services._broker, "down_until", 0.0)


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """Each test gets an empty cache of its own: the verifier's upload counts never carry
    over, and no test writes to the machine's shared Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    from agreements import middleware

    middleware._refused_until.clear()  # the verifier's refusals remembered in memory


@pytest.fixture
def jobs_run_at_once(monkeypatch) -> None:
    """Send background jobs the moment they are written, as if each change had committed
    (a test's own transaction never does): in process, they are done before the response."""
    monkeypatch.setattr("governance.outbox.services.after_commit", lambda func: func())


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path_factory) -> None:
    """Write generated documents to a throwaway folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def held_settings(media_root, seal_dir):
    """The settings the per-test autouse fixtures give, to hold for a whole module or package
    whose shared world wrote files (published PDFs, signed copies) every test must find."""
    return override_settings(
        MEDIA_ROOT=media_root,
        SEAL_DEV_DIR=seal_dir,
        SEAL_PKCS12_PATH="",
        SEAL_TIMESTAMP_URL="",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )


@pytest.fixture(scope="session")
def _dev_seal_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("dev-seal") / "pki"


@pytest.fixture(autouse=True)
def _development_seal(settings, _dev_seal_dir) -> None:
    """Seal with one development PKI per test session (generated on first use)."""
    settings.SEAL_DEV_DIR = _dev_seal_dir
    settings.SEAL_PKCS12_PATH = ""
    settings.SEAL_TIMESTAMP_URL = ""


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hash test passwords cheaply: production's PBKDF2 costs a quarter second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    """A member of the authority's data team: full admin."""
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def demo(db) -> dict[str, int]:
    """The seed documents' world, loaded as `make run` loads it."""
    return load_demo()


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The seed documents' world, loaded once by `manage.py load_demo` for a whole module.

    Django's setUpTestData, for pytest: the load runs in a transaction around the module's
    tests and is rolled back after the last one, while each test's own writes still roll back
    at its end. Every test that runs after the first user sees the world, so use it for the
    whole module (`pytestmark = pytest.mark.usefixtures("demo_for_module")`). Returns what the
    command printed.
    """
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=out)
        # The world stands as if committed: its refresh batch is not the tests' batch, so
        # each test's edits queue (and capture) their own.
        notice_dependencies._pending.state = None
        with django_db_blocker.block():
            yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Let the test database be dropped: on PostgreSQL, end any session still connected to it
    (a server thread's connection not yet closed), naming it so a leak stays visible."""
    yield
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, left(query, 120), pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, state, query, _ in cursor.fetchall():
            print(f"\nA session was still on the test database: {pid} {state} {query!r}")
    connections.close_all()


def pytest_terminal_summary(terminalreporter, config) -> None:
    fault_results.summary(terminalreporter, config)
