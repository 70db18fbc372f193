"""The register's vocabularies in the admin: data categories, lawful bases and laws, retention
rules. Each form refuses bad input on the field, naming what is wrong; a record the register
relies on cannot be deleted.

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

import pytest
from django.test import Client

from governance.models import DataObject, LawfulBasis, RetentionRule, School
from tests.admin_pages import (
    WREXHAM,
    admin_url,
    field_errors,
    form_errors,
    organisation,
    page_data,
    post_form,
)
from tests.factories import DataObjectFactory, ExternalRecipientFactory, StatuteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


def shown(client: Client, model, **params: object) -> list:
    return list(client.get(admin_url(model, "changelist"), params).context["cl"].result_list)


def oakfield() -> School:
    return School.objects.get(name="Oakfield Vale Primary Academy")


# Data categories


def category_data(client: Client, **fields: object) -> dict:
    data = page_data(client.get(admin_url(DataObject, "add")))
    data.update({
        "authority": str(organisation().pk), "title": "Medical", "sif_name": "",
        "data_subject": "pupil", "fields_description": "Conditions", **fields,
    })  # fmt: skip
    return data


def test_special_category_without_art9_condition_is_refused(staff_client: Client) -> None:
    data = category_data(staff_client, is_special_category="on")

    response = staff_client.post(admin_url(DataObject, "add"), data)

    assert "Art 9 condition" in field_errors(response, "art9_condition")
    assert not DataObject.objects.filter(title="Medical").exists()


def test_category_form_offers_only_conditions_of_the_right_kind(staff_client) -> None:
    form = staff_client.get(admin_url(DataObject, "add")).context["adminform"].form

    assert {b.kind for b in form.fields["art9_condition"].queryset} == {"art9"}
    assert {b.kind for b in form.fields["dpa_condition"].queryset} == {"dpa_sch1"}


def test_a_schools_own_category_takes_the_schools_organisation(staff_client) -> None:
    school = oakfield()
    data = category_data(staff_client, authority="", school=str(school.pk), title="CCTV images")

    response = staff_client.post(admin_url(DataObject, "add"), data)

    assert response.status_code == 302, form_errors(response)
    added = DataObject.objects.get(title="CCTV images", school=school)
    assert added.authority_id == school.authority_id


def test_a_category_without_organisation_or_school_is_refused(staff_client) -> None:
    response = staff_client.post(admin_url(DataObject, "add"), category_data(
        staff_client, authority=""
    ))  # fmt: skip

    assert "Choose the organisation" in field_errors(response, "authority")


def test_category_named_like_another_of_its_organisation_is_refused(staff_client) -> None:
    data = category_data(staff_client, title="Pupil email and sign-in")

    response = staff_client.post(admin_url(DataObject, "add"), data)

    assert response.status_code == 200
    assert b"The organisation has a category of this name already." in response.content


def test_another_organisation_may_name_a_category_alike(staff_client: Client) -> None:
    data = category_data(
        staff_client, authority=str(organisation(WREXHAM).pk), title="Pupil email and sign-in",
        sif_name="LearnerEmail",
    )  # fmt: skip

    response = staff_client.post(admin_url(DataObject, "add"), data)

    assert response.status_code == 302, form_errors(response)
    assert DataObject.objects.filter(sif_name="LearnerEmail").count() == 2


def test_making_carried_data_special_names_the_flows_that_must_cite_it(staff_client) -> None:
    email = DataObject.objects.get(sif_name="LearnerEmail")
    condition = LawfulBasis.objects.get(code="Art 9(2)(g)")

    response = post_form(
        staff_client, admin_url(DataObject, "change", email.pk),
        is_special_category="on", art9_condition=str(condition.pk),
    )  # fmt: skip

    carrying = email.flows.exclude(lawful_bases=condition).count()
    assert f"{carrying} flow(s) carrying “Pupil email and sign-in” do not cite" in field_errors(
        response, "art9_condition"
    )
    assert not DataObject.objects.get(pk=email.pk).is_special_category


def test_a_category_flows_carry_cannot_move_to_another_organisation(staff_client) -> None:
    email = DataObject.objects.get(sif_name="LearnerEmail")

    response = post_form(
        staff_client, admin_url(DataObject, "change", email.pk),
        authority=str(organisation(WREXHAM).pk),
    )  # fmt: skip

    assert "Flows of other schools or organisations carry “Pupil email and sign-in”" in (
        field_errors(response, "authority")
    )
    assert DataObject.objects.get(pk=email.pk).authority == organisation()


def test_categories_are_filtered_by_owner(staff_client: Client) -> None:
    own = shown(staff_client, DataObject, owner="school")
    shared = shown(staff_client, DataObject, owner="organisation")

    assert own
    assert all(c.school_id for c in own)
    assert shared
    assert not any(c.school_id for c in shared)
    assert len(own) + len(shared) == DataObject.objects.count()


def test_category_in_use_cannot_be_deleted(staff_client: Client) -> None:
    used = DataObject.objects.get(sif_name="LearnerEmail")
    unused = DataObjectFactory(authority=organisation(), sif_name="LearnerHomework")

    assert staff_client.get(admin_url(DataObject, "delete", used.pk)).status_code == 403
    assert staff_client.get(admin_url(DataObject, "delete", unused.pk)).status_code == 200


# Lawful bases and laws


def test_a_law_is_added_with_its_reach_and_link(staff_client: Client) -> None:
    response = post_form(
        staff_client, admin_url(LawfulBasis, "add"), kind="statute",
        code="Education and Skills Act 2008", title="Participation", reach="england",
        plain_text="Young people stay in education or training until 18.",
        url="legislation.gov.uk/ukpga/2008/25",
    )  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    law = LawfulBasis.objects.get(code="Education and Skills Act 2008")
    assert (law.kind, law.reach, law.url) == (
        "statute", "england", "https://legislation.gov.uk/ukpga/2008/25",
    )  # fmt: skip


def test_bases_are_filtered_by_kind_and_reach(staff_client: Client) -> None:
    welsh_laws = shown(staff_client, LawfulBasis, kind="statute", reach="wales")

    assert welsh_laws
    assert {(b.kind, b.reach) for b in welsh_laws} == {("statute", "wales")}


def test_lawful_basis_in_use_cannot_be_deleted(staff_client: Client) -> None:
    used = LawfulBasis.objects.get(code="Art 6(1)(e)")
    url = admin_url(LawfulBasis, "delete", used.pk)

    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert LawfulBasis.objects.filter(pk=used.pk).exists()


def test_lawful_basis_in_use_cannot_be_deleted_from_the_list(staff_client: Client) -> None:
    used = LawfulBasis.objects.get(code="Art 6(1)(e)")
    action = {"action": "delete_selected", "_selected_action": [str(used.pk)], "post": "yes"}

    response = staff_client.post(admin_url(LawfulBasis, "changelist"), action)

    assert response.status_code == 403
    assert LawfulBasis.objects.filter(pk=used.pk).exists()


def test_a_law_only_a_recipient_cites_cannot_be_deleted(staff_client: Client) -> None:
    law = StatuteFactory(code="Education Act 2002 s.175")
    ExternalRecipientFactory(laws=[law])

    assert staff_client.get(admin_url(LawfulBasis, "delete", law.pk)).status_code == 403


def test_unused_lawful_basis_can_be_deleted(staff_client: Client) -> None:
    unused = LawfulBasis.objects.get(code="Art 9(2)(j)")
    url = admin_url(LawfulBasis, "delete", unused.pk)

    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not LawfulBasis.objects.filter(pk=unused.pk).exists()


# Retention rules


def test_retention_rule_without_period_or_event_is_refused(staff_client: Client) -> None:
    response = post_form(
        staff_client, admin_url(RetentionRule, "add"), authority=str(organisation().pk),
        name="Vague", description="Kept for a while.",
    )  # fmt: skip

    assert "retention period" in field_errors(response, "event")
    assert not RetentionRule.objects.filter(name="Vague").exists()


def test_two_organisations_may_name_a_rule_alike(staff_client: Client) -> None:
    response = post_form(
        staff_client, admin_url(RetentionRule, "add"), authority=str(organisation(WREXHAM).pk),
        name="Rolling backup, 60 days", period_value="60", period_unit="days",
        description="Backups are overwritten after 60 days.",
    )  # fmt: skip

    assert response.status_code == 302, form_errors(response)
    assert RetentionRule.objects.filter(name="Rolling backup, 60 days").count() == 2
