"""The register's records in the admin: organisations and all they hold, public bodies and other
recipients, purposes and systems. Each list filters by owner (national, organisation, school)
and each form refuses bad input on the field, naming what is wrong.

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

import pytest
from django.test import Client

from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    RetentionRule,
    School,
    StorageSystem,
)
from processors.models import Processor
from tests.admin_pages import (
    WOLVERHAMPTON,
    WREXHAM,
    add_inline_row,
    admin_url,
    field_errors,
    form_errors,
    organisation,
    page_data,
    pks,
    post_form,
)
from tests.factories import (
    ProcessorFactory,
    SchoolFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


def shown(client: Client, model, **params: object) -> list:
    return list(client.get(admin_url(model, "changelist"), params).context["cl"].result_list)


def oakfield() -> School:
    return School.objects.get(name="Oakfield Vale Primary Academy")


# Organisations


def test_organisation_page_links_to_all_of_its_register(staff_client: Client) -> None:
    warwickshire = organisation()

    html = staff_client.get(admin_url(Authority, "change", warwickshire.pk)).content.decode()

    for model, count in [(School, warwickshire.schools.count()),
                         (DataFlow, warwickshire.flows.count()),
                         (DataObject, warwickshire.data_categories.count()),
                         (RetentionRule, warwickshire.retention_rules.count())]:  # fmt: skip
        link = f"{admin_url(model, 'changelist')}?authority__id__exact={warwickshire.pk}"
        assert f'<a href="{link}">{count} ' in html


def test_a_link_from_an_organisation_lists_only_its_records(staff_client: Client) -> None:
    wrexham = organisation(WREXHAM)

    for model in (School, DataFlow, DataObject, Purpose, ExternalRecipient):
        rows = shown(staff_client, model, authority__id__exact=wrexham.pk)
        assert rows, model
        assert {row.authority_id for row in rows} == {wrexham.pk}, model


def test_organisations_are_filtered_by_kind(staff_client: Client) -> None:
    assert [a.name for a in shown(staff_client, Authority, kind="trust")] == [WOLVERHAMPTON]


def test_organisation_keeps_its_security_measures_and_retention_schedule(staff_client) -> None:
    trust = organisation(WOLVERHAMPTON)
    url = admin_url(Authority, "change", trust.pk)

    response = post_form(
        staff_client, url, security_measures="Encrypted laptops\nTwo-factor sign-in",
        retention_schedule_url="irms.org.uk/schedule",
    )  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    trust.refresh_from_db()
    assert trust.security_measures == "Encrypted laptops\nTwo-factor sign-in"
    assert trust.retention_schedule_url == "https://irms.org.uk/schedule"


# Public bodies and other recipients


def recipient_fields(**fields: object) -> dict[str, object]:
    return {"kind": "controller", "name": "Exam board", "role": "controller", "reach": "both",
            "audience": "pupils", "why": "It marks pupils' exams.", **fields}  # fmt: skip


def test_a_national_body_is_added_with_its_links(staff_client: Client) -> None:
    url = admin_url(ExternalRecipient, "add")
    page = staff_client.get(url)
    data = page_data(page)
    data.update(recipient_fields(kind="public_body", name="Ofqual", authority="", school=""))
    data["laws"] = pks(LawfulBasis, code="Education Act 1996")
    add_inline_row(page, data, "links", label="How Ofqual uses data", url="gov.uk/ofqual")

    response = staff_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    ofqual = ExternalRecipient.objects.get(name="Ofqual")
    assert (ofqual.authority, ofqual.school) == (None, None)
    assert [link.url for link in ofqual.links.all()] == ["https://gov.uk/ofqual"]
    assert [law.code for law in ofqual.laws.all()] == ["Education Act 1996"]


def test_a_schools_own_recipient_takes_the_schools_organisation(staff_client) -> None:
    school = oakfield()

    response = post_form(
        staff_client, admin_url(ExternalRecipient, "add"),
        **recipient_fields(school=str(school.pk)),
    )  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    assert ExternalRecipient.objects.get(name="Exam board").authority_id == school.authority_id


def test_a_recipient_of_a_school_of_another_organisation_is_refused(staff_client) -> None:
    response = post_form(
        staff_client, admin_url(ExternalRecipient, "add"),
        **recipient_fields(authority=str(organisation(WREXHAM).pk), school=str(oakfield().pk)),
    )  # fmt: skip

    assert "belongs to another organisation" in field_errors(response, "school")


def test_a_recipients_laws_are_laws(staff_client: Client) -> None:
    form = staff_client.get(admin_url(ExternalRecipient, "add")).context["adminform"].form

    assert {b.kind for b in form.fields["laws"].queryset} == {"statute"}
    assert "statute" not in {b.kind for b in form.fields["lawful_bases"].queryset}


@pytest.mark.parametrize(
    ("owner", "expected"),
    [("national", "Department for Education (DfE)"),
     ("organisation", "City of Wolverhampton Council"),
     ("school", "NFER – Reception Baseline")],
)  # fmt: skip
def test_recipients_are_filtered_by_owner(staff_client, owner: str, expected: str) -> None:
    names = {r.name for r in shown(staff_client, ExternalRecipient, owner=owner)}

    assert expected in names
    others = {"national", "organisation", "school"} - {owner}
    for other in others:
        assert not names & {r.name for r in shown(staff_client, ExternalRecipient, owner=other)}


def test_recipient_list_counts_and_links_their_flows(staff_client: Client) -> None:
    dfe = ExternalRecipient.objects.get(name="Department for Education (DfE)")

    html = staff_client.get(admin_url(ExternalRecipient, "changelist")).content.decode()

    link = f'{admin_url(DataFlow, "changelist")}?body__id__exact={dfe.pk}">{dfe.flows.count()}<'
    assert link in html


# Purposes


def purpose_fields(**fields: object) -> dict[str, object]:
    return {"authority": str(organisation(WOLVERHAMPTON).pk), "audience": "pupils",
            "description": "To run the school library", "position": "0",
            "lawful_bases": pks(LawfulBasis, code="Art 6(1)(e)"), **fields}  # fmt: skip


def test_a_purpose_is_added_with_its_bases_and_categories(staff_client: Client) -> None:
    library = DataObject.objects.get(authority=organisation(WOLVERHAMPTON), title="Library")

    response = post_form(
        staff_client, admin_url(Purpose, "add"), **purpose_fields(categories=[str(library.pk)])
    )

    assert response.status_code == 302, form_errors(response)
    purpose = Purpose.objects.get(description="To run the school library")
    assert list(purpose.categories.all()) == [library]


def test_a_purpose_with_another_organisations_category_is_refused(staff_client) -> None:
    theirs = DataObject.objects.get(sif_name="LearnerEmail")

    response = post_form(
        staff_client, admin_url(Purpose, "add"), **purpose_fields(categories=[str(theirs.pk)])
    )

    assert "Not a category of this organisation or school: Pupil email and sign-in." in (
        field_errors(response, "categories")
    )


def test_a_purpose_needs_an_art6_basis(staff_client: Client) -> None:
    response = post_form(
        staff_client, admin_url(Purpose, "add"),
        **purpose_fields(lawful_bases=pks(LawfulBasis, code="Art 9(2)(b)")),
    )  # fmt: skip

    assert "Article 6" in field_errors(response, "lawful_bases")


def test_a_purpose_on_legitimate_interests_names_the_interest(staff_client: Client) -> None:
    response = post_form(
        staff_client, admin_url(Purpose, "add"),
        **purpose_fields(lawful_bases=pks(LawfulBasis, code="Art 6(1)(f)")),
    )  # fmt: skip

    assert "say what interest" in field_errors(response, "legitimate_interest")


def test_a_purpose_of_a_school_of_another_organisation_is_refused(staff_client) -> None:
    wrexham_school = School.objects.get(name="Victoria CP School")

    response = post_form(
        staff_client, admin_url(Purpose, "add"), **purpose_fields(school=str(wrexham_school.pk))
    )

    assert "belongs to another organisation" in field_errors(response, "school")


# Storage systems


def system_fields(**fields: object) -> dict[str, object]:
    return {"authority": str(organisation(WOLVERHAMPTON).pk), "name": "Visitor book",
            "kind": "paper", "description": "Signing visitors in", "audience": "both",
            **fields}  # fmt: skip


@pytest.mark.parametrize("in_house", ["on", ""], ids=["both", "neither"])
def test_a_system_is_run_by_a_supplier_or_in_house_not_both(staff_client, in_house) -> None:
    supplier = str(Processor.objects.get(name="Bromcom").pk) if in_house else ""

    response = post_form(
        staff_client, admin_url(StorageSystem, "add"),
        **system_fields(supplier=supplier, in_house=in_house),
    )  # fmt: skip

    assert "Choose the supplier that runs it" in field_errors(response, "supplier")
    assert not StorageSystem.objects.filter(name="Visitor book").exists()


def test_an_in_house_system_is_added_and_listed_as_in_house(staff_client: Client) -> None:
    response = post_form(staff_client, admin_url(StorageSystem, "add"), **system_fields(
        in_house="on"
    ))  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    in_house = shown(staff_client, StorageSystem, run_by="in_house", q="Visitor book")
    assert [s.name for s in in_house] == ["Visitor book"]
    html = staff_client.get(admin_url(StorageSystem, "changelist"), {"q": "Visitor"})
    assert "In-house" in html.content.decode()


def test_systems_are_filtered_by_who_runs_them(staff_client: Client) -> None:
    by_supplier = shown(staff_client, StorageSystem, run_by="supplier")

    assert by_supplier
    assert all(s.supplier_id for s in by_supplier)


def test_a_schools_own_supplier_cannot_run_another_schools_system(staff_client) -> None:
    sibling = SchoolFactory(authority=organisation(WOLVERHAMPTON))
    supplier = ProcessorFactory(school=oakfield())

    response = post_form(
        staff_client, admin_url(StorageSystem, "add"),
        **system_fields(school=str(sibling.pk), supplier=str(supplier.pk)),
    )  # fmt: skip

    assert "only that school's own systems" in field_errors(response, "supplier")
