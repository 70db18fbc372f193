import pytest
from django.db import DatabaseError
from django.test import Client, override_settings


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client: Client, settings) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    expected_broker = "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert response.json() == {
        "database": "ok",
        "broker": expected_broker,
        "outbox": {"oldest_pending_seconds": None, "overdue": 0, "failed": 0},
    }


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_names_a_dead_broker_with_503(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


@pytest.mark.django_db
def test_healthz_names_a_dead_database_with_503(client: Client, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
