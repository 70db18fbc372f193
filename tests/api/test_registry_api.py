"""The registry API: each role sees and changes what it may, through the admin's and the
portal's own rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from governance.api.urls import RESOURCES
from governance.models import (
    DataFlow,
    DataObject,
    LawfulBasis,
    PartnerService,
    School,
    StorageSystem,
)
from governance.outbox.models import Job
from tests.api.helpers import API, client_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def staff():
    return client_for(UserFactory(username="api-staff", is_staff=True, is_superuser=True))


@pytest.fixture
def auditor():
    return client_for(UserFactory(username="api-auditor", is_staff=True))


@pytest.fixture
def avon() -> School:
    return School.objects.get(name="Avon Meadow Primary School")


@pytest.fixture
def victoria() -> School:
    return School.objects.get(name="Victoria CP School")


@pytest.fixture
def dpo(avon):
    user = UserFactory(username="api-dpo")
    user.schools.add(avon)
    return client_for(user)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def flow_payload(**changes) -> dict:
    """A valid organisation-wide flow to the demo's admissions service."""
    service = PartnerService.objects.filter(name__icontains="Admissions").first()
    category = DataObject.objects.filter(
        authority=service.authority_id, school__isnull=True, is_special_category=False
    ).first()
    basis = LawfulBasis.objects.get(code="Art 6(1)(e)")
    payload = {
        "authority": service.authority_id, "partner_service": service.pk,
        "purpose": "API test: admissions", "data_objects": [category.pk],
        "lawful_bases": [basis.pk], "frequency": "daily",
    }  # fmt: skip
    return {**payload, **changes}


def test_anonymous_callers_get_401() -> None:
    response = APIClient().get(f"{API}/flows/")

    assert response.status_code == 401


@pytest.mark.parametrize("prefix", list(RESOURCES))
def test_staff_and_auditors_list_every_resource(staff, auditor, prefix) -> None:
    for client in (staff, auditor):
        assert results(client.get(f"{API}/{prefix}/")) is not None


def test_a_dpo_sees_their_school_only(dpo, avon, victoria) -> None:
    schools = results(dpo.get(f"{API}/schools/"))

    assert [s["urn"] for s in schools] == [avon.urn]
    assert dpo.get(f"{API}/schools/{victoria.urn}/").status_code == 404
    own_flows = DataFlow.objects.filter(school=victoria)
    listed = {f["id"] for f in results(dpo.get(f"{API}/flows/?page_size=500"))}
    assert own_flows.exists()
    assert not listed & set(own_flows.values_list("pk", flat=True))
    other = own_flows.first()
    assert dpo.get(f"{API}/flows/{other.pk}/").status_code == 404


def test_staff_create_a_flow_and_its_schools_notices_are_queued(staff) -> None:
    Job.objects.update(status=Job.Status.DONE)  # the demo's own jobs, done with
    payload = flow_payload()

    response = staff.post(f"{API}/flows/", payload, format="json")

    assert response.status_code == 201, response.content
    flow = DataFlow.objects.get(pk=response.json()["id"])
    assert flow.purpose == "API test: admissions"
    assert response.json()["lawful_bases"] == payload["lawful_bases"]
    published = School.objects.filter(
        authority=payload["authority"], notices_published_at__isnull=False
    )
    queued = Job.objects.filter(status=Job.Status.PENDING, kind=Job.Kind.NOTICE)
    assert set(queued.values_list("school", flat=True)) == set(
        published.values_list("pk", flat=True)
    )


def test_a_flow_with_two_recipients_is_refused_on_the_field(staff) -> None:
    from processors.models import Processor

    before = DataFlow.objects.count()
    response = staff.post(
        f"{API}/flows/", flow_payload(processor=Processor.objects.first().pk), format="json"
    )

    assert response.status_code == 400
    assert "exactly one recipient" in str(response.json()).lower()
    assert DataFlow.objects.count() == before


def test_special_category_data_needs_its_condition(staff) -> None:
    special = DataObject.objects.filter(is_special_category=True, school__isnull=True).first()
    response = staff.post(
        f"{API}/flows/",
        flow_payload(authority=special.authority_id, data_objects=[special.pk]),
        format="json",
    )

    assert response.status_code == 400
    assert "special category" in " ".join(response.json()["lawful_bases"])


def test_unknown_and_read_only_fields_are_refused(staff) -> None:
    response = staff.post(f"{API}/flows/", flow_payload(colour="blue"), format="json")

    assert response.status_code == 400
    assert response.json() == {"colour": ["Unknown field."]}
    school = School.objects.first()
    response = staff.patch(
        f"{API}/schools/{school.urn}/", {"notices_published_at": None}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"notices_published_at": ["This field is read-only here."]}


def test_bad_types_are_400s_not_500s(staff) -> None:
    for payload in ([1, 2], "flow", {"data_objects": "x"}, {"purpose": {"a": 1}}):
        response = staff.post(f"{API}/flows/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)


def test_a_bad_urn_is_refused_with_the_models_message(staff) -> None:
    school = School.objects.first()

    response = staff.patch(f"{API}/schools/{school.urn}/", {"urn": "12AB"}, format="json")

    assert response.status_code == 400
    assert "URN" in " ".join(response.json()["urn"])


def test_auditors_read_but_never_write(auditor) -> None:
    response = auditor.post(f"{API}/flows/", flow_payload(), format="json")

    assert response.status_code == 403


def test_a_dpo_adds_a_system_to_their_school_through_the_portals_service(dpo, avon) -> None:
    payload = {"school": avon.urn, "name": "Tapestry", "kind": "learning",
               "description": "our learning journals", "audience": "pupils"}  # fmt: skip

    response = dpo.post(f"{API}/systems/", payload, format="json")

    assert response.status_code == 201, response.content
    system = StorageSystem.objects.get(pk=response.json()["id"])
    assert (system.school, system.authority_id, system.in_house) == (avon, avon.authority_id, True)


def test_a_dpo_cannot_write_for_another_school_or_the_organisation(dpo, avon, victoria) -> None:
    payload = {"school": victoria.urn, "name": "Tapestry", "kind": "learning",
               "description": "journals", "audience": "pupils"}  # fmt: skip
    response = dpo.post(f"{API}/systems/", payload, format="json")
    assert response.status_code == 400
    assert "school" in response.json()

    shared = DataObject.objects.filter(authority=avon.authority_id, school__isnull=True).first()
    response = dpo.patch(f"{API}/data-categories/{shared.pk}/", {"title": "Renamed"}, format="json")
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.title != "Renamed"
    assert dpo.post(f"{API}/services/", {"name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("prefix", sorted(RESOURCES))
def test_a_list_costs_the_same_queries_for_a_page_of_rows_as_for_one(
    staff, prefix, django_assert_max_num_queries
) -> None:
    with CaptureQueriesContext(connection) as one:
        assert len(results(staff.get(f"{API}/{prefix}/?page_size=1"))) == 1
    with django_assert_max_num_queries(len(one)):
        assert len(results(staff.get(f"{API}/{prefix}/?page_size=100"))) > 1


def test_what_leaves_a_school_in_words(dpo, avon, victoria) -> None:
    response = dpo.get(f"{API}/schools/{avon.urn}/outflows/")

    assert response.status_code == 200
    rows = response.json()
    expected = DataFlow.objects.for_school(avon)
    assert {r["id"] for r in rows} == set(expected.values_list("pk", flat=True))
    assert all(r["recipient"] and r["data_categories"] and r["lawful_bases"] for r in rows)
    assert dpo.get(f"{API}/schools/{victoria.urn}/outflows/").status_code == 404
