"""Personas and shared fixtures. Stories are told by: staff, an auditor-to-be, anonymous."""

import pytest
from django.test import Client

from governance.demo import load_demo
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Serve static files without the production manifest, which only collectstatic builds."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
