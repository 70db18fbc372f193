"""Suppliers in the admin: the list shows, in red, what documents would need and the registry
lacks (including whether data leaves the UK), flags a no-access supplier that is sent data, and
tells shared suppliers from a school's own.

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

import pytest
from django.test import Client

from governance.models import School
from processors.models import Processor
from tests.admin_pages import admin_url, field_errors, form_errors, post_form, table_row
from tests.factories import DataFlowFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


def supplier_list(client: Client, **params: object) -> str:
    return client.get(admin_url(Processor, "changelist"), params).content.decode()


def new_supplier(**fields: object) -> dict[str, object]:
    return {"name": "Arbor", "service_description": "Our MIS.", "role": "processor",
            "data_location": "UK", "compliance_statement": "Meets UK GDPR.", **fields}  # fmt: skip


def test_not_knowing_whether_data_leaves_the_uk_shows_as_a_gap(staff_client: Client) -> None:
    unknown = Processor.objects.filter(data_leaves_uk="unknown", school=None).first()

    html = supplier_list(staff_client)

    assert "whether data leaves the UK" in table_row(html, f">{unknown.name}</a>")
    assert "whether data leaves the UK" not in table_row(html, ">Microsoft</a>")


def test_a_supplier_with_no_access_that_is_sent_data_is_flagged(staff_client) -> None:
    smoothwall = Processor.objects.get(name="Smoothwall")
    DataFlowFactory(processor=smoothwall)  # a flow from before its role changed

    html = supplier_list(staff_client)

    row = table_row(html, ">Smoothwall</a>")
    assert "marked “no access to personal data” yet receives 1 flow(s)" in row
    assert 'class="missing-details"' in row


def test_a_supplier_with_no_access_and_no_flows_is_not_flagged(staff_client) -> None:
    html = supplier_list(staff_client)

    assert "yet receives" not in table_row(html, ">Smoothwall</a>")


@pytest.mark.parametrize(("owner", "schools"), [("shared", False), ("school", True)])
def test_suppliers_are_filtered_shared_or_a_schools_own(staff_client, owner, schools) -> None:
    response = staff_client.get(admin_url(Processor, "changelist"), {"owner": owner})

    found = list(response.context["cl"].result_list)
    assert found
    assert {p.school_id is not None for p in found} == {schools}


def test_a_schools_own_supplier_says_whose_it_is(staff_client: Client) -> None:
    own = Processor.objects.exclude(school=None).select_related("school").first()

    html = supplier_list(staff_client, owner="school")

    assert f"{own.school.name} (its own)" in table_row(html, f">{own.name}</a>")


def test_data_leaving_the_uk_without_safeguards_is_refused_on_the_field(staff_client) -> None:
    response = post_form(
        staff_client, admin_url(Processor, "add"), **new_supplier(data_leaves_uk="yes")
    )

    assert "say which safeguards cover it" in field_errors(response, "transfer_safeguards")
    assert not Processor.objects.filter(name="Arbor").exists()


def test_a_supplier_abroad_with_its_safeguards_is_added(staff_client: Client) -> None:
    response = post_form(
        staff_client, admin_url(Processor, "add"),
        **new_supplier(data_leaves_uk="yes", transfer_safeguards="UK IDTA"),
    )  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    assert Processor.objects.get(name="Arbor").missing_details == []


def test_a_school_may_add_a_supplier_named_like_a_shared_one(staff_client: Client) -> None:
    school = School.objects.get(name="Victoria CP School")

    response = post_form(
        staff_client, admin_url(Processor, "add") + f"?school={school.pk}",
        **new_supplier(name="Microsoft"),
    )  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    assert Processor.objects.filter(name="Microsoft").count() == 2
    assert Processor.objects.get(name="Microsoft", school=school)


def test_a_second_shared_supplier_of_the_same_name_is_refused(staff_client) -> None:
    response = post_form(staff_client, admin_url(Processor, "add"), **new_supplier(
        name="Microsoft"
    ))  # fmt: skip

    assert response.status_code == 200
    assert b"A supplier of this name exists." in response.content
