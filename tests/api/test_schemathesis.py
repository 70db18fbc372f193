"""Schemathesis against the API's own OpenAPI schema: for every operation, generated requests
(valid and invalid, as staff with a token, on the demo world) never get a server error or a
response the schema does not describe.

Bounded: ``API_FUZZ_EXAMPLES`` examples per operation and mode, valid and invalid (default 8:
about 40 s for the whole API; CI runs it on PostgreSQL with the rest of ``make test``). Set it
higher for a longer hunt: ``API_FUZZ_EXAMPLES=200 pytest tests/api/test_schemathesis.py``.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from governance.models import ApiToken
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _operations() -> list:
    """Every operation of the schema drf-spectacular serves at /api/v1/schema/."""
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = WSGIHandler()
    return [result.ok() for result in loaded.get_all_operations()]


OPERATIONS = _operations()


@pytest.fixture(autouse=True)
def _connection_kept() -> Iterator[None]:
    """As Django's test client does: a request's end must not close the connection that holds
    the test's transaction (the WSGI transport calls the real handler)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def staff_key(settings) -> str:
    settings.ALLOWED_HOSTS = ["*"]  # the WSGI transport's host
    owner = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)
    return ApiToken.issue(user=owner, name="fuzz", role="staff")[1]


def _records() -> dict[str, str]:
    """A record of each resource (its id, or URN), by the resource's path: half the
    generated requests name one, so they reach the views, not only their 404s."""
    from governance.api.urls import DOCUMENTS, RESOURCES

    found = {}
    for prefix, viewset in {**RESOURCES, **DOCUMENTS}.items():
        model = viewset.model if prefix in RESOURCES else viewset.base.model
        lookup = getattr(viewset, "lookup_field", "pk")
        value = model._default_manager.order_by("pk").values_list(lookup, flat=True).first()
        if value is not None:
            found[f"/api/v1/{prefix}/"] = str(value)
    return found


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_breaks_the_api_or_its_schema(operation, mode, staff_key) -> None:
    headers = {"Authorization": f"Bearer {staff_key}"}
    records = _records()
    record = next((v for k, v in records.items() if operation.path.startswith(k)), None)

    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same requests every run: a failure reproduces
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def requests_hold(case, real: bool) -> None:
        if real and record is not None and case.path_parameters:
            name = next(iter(case.path_parameters))
            case.path_parameters[name] = record
        case.call_and_validate(headers=headers, checks=CHECKS)

    requests_hold()
