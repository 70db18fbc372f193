"""The flows' pages: a flow goes to exactly one recipient of three kinds, carries its
organisation's categories on bases that cover them and on laws of its schools' nation, and every
refusal shows on the field it concerns. Flows added on an offering take its organisation.

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

import pytest
from django.test import Client

from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Offering,
    PartnerService,
    RetentionRule,
    School,
)
from processors.models import Processor
from tests.admin_pages import (
    WARWICKSHIRE,
    WREXHAM,
    add_inline_row,
    admin_url,
    field_errors,
    organisation,
    page_data,
    pks,
)
from tests.factories import (
    AuthorityFactory,
    DataObjectFactory,
    OfferingFactory,
    ProcessorFactory,
    RetentionRuleFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

PURPOSE = "Back up the school's archive"


def flow_data(staff_client: Client, objects: list[str], bases: list[str], **fields) -> dict:
    """The DataFlow add form filled in for a new Warwickshire backup flow to Redstor."""
    data = page_data(staff_client.get(admin_url(DataFlow, "add")))
    data.update({
        "authority": str(organisation(WARWICKSHIRE).pk),
        "processor": str(Processor.objects.get(name="Redstor").pk),
        "purpose": PURPOSE, "frequency": "weekly",
        "retention_rule": str(RetentionRule.objects.get(name="Rolling backup, 60 days").pk),
        "data_objects": pks(DataObject, sif_name__in=objects),
        "lawful_bases": pks(LawfulBasis, code__in=bases), **fields,
    })  # fmt: skip
    return data


def post_flow(staff_client: Client, data: dict):
    return staff_client.post(admin_url(DataFlow, "add"), data)


def welsh_flow_data(staff_client: Client, **fields) -> dict:
    """A new flow from one Welsh school (Victoria CP, Wrexham) to a national body."""
    wrexham = organisation(WREXHAM)
    school = School.objects.get(name="Victoria CP School")
    category = DataObject.objects.filter(authority=wrexham, school=None).first()
    return flow_data(staff_client, [], ["Art 6(1)(e)"], **{
        "authority": str(wrexham.pk), "school": str(school.pk), "processor": "",
        "body": str(ExternalRecipient.objects.get(name="NHS school health services").pk),
        "retention_rule": "", "data_objects": [str(category.pk)], **fields,
    })  # fmt: skip


def saved() -> bool:
    return DataFlow.objects.filter(purpose=PURPOSE).exists()


# Bases that cover the data


def test_flow_without_art6_basis_is_refused(staff_client: Client) -> None:
    response = post_flow(staff_client, flow_data(staff_client, ["LearnerEmail"], ["Art 9(2)(b)"]))

    assert "Article 6" in field_errors(response, "lawful_bases")
    assert b"Every flow needs at least one UK GDPR Article 6 lawful basis." in response.content
    assert not saved()


def test_flow_with_special_data_must_cite_its_condition(staff_client: Client) -> None:
    data = flow_data(staff_client, ["LearnerSpecialNeeds"], ["Art 6(1)(e)"])

    errors = field_errors(post_flow(staff_client, data), "lawful_bases")

    assert "Special educational needs is special category data" in errors
    assert "Art 9(2)(g)" in errors
    assert not saved()


def test_a_condition_that_does_not_fit_the_data_is_saved_with_a_warning(staff_client) -> None:
    """Pupils' health data under Art 9(2)(b) alone (an employment condition, as seeds 000
    and 001 have it): staff may know better, so it saves, but the admin says why it is odd,
    on saving and on the flow's page."""
    sen = DataObject.objects.get(sif_name="LearnerSpecialNeeds")
    employment = LawfulBasis.objects.get(code="Art 9(2)(b)")
    employment_dpa = LawfulBasis.objects.get(code="DPA 2018 Sch 1 Pt 1 para 1")
    DataObject.objects.filter(pk=sen.pk).update(
        art9_condition=employment, dpa_condition=employment_dpa
    )
    bases = ["Art 6(1)(e)", "Art 9(2)(b)", "DPA 2018 Sch 1 Pt 1 para 1"]

    response = staff_client.post(
        admin_url(DataFlow, "add"), flow_data(staff_client, ["LearnerSpecialNeeds"], bases),
        follow=True,
    )  # fmt: skip

    shown = [str(m) for m in response.context["messages"]]
    warning = next(m for m in shown if "fits only data about the school workforce" in m)
    assert "“Special educational needs” is special category data about pupils" in warning
    assert "Art 9(2)(b) (employment, social security and social protection)" in warning
    flow = DataFlow.objects.get(purpose=PURPOSE)
    page = staff_client.get(admin_url(DataFlow, "change", flow.pk)).content.decode()
    assert "fits only data about the school workforce" in page


def test_a_fitting_condition_gives_no_warning(staff_client: Client) -> None:
    bases = ["Art 6(1)(e)", "Art 9(2)(g)", "DPA 2018 Sch 1 Pt 2 para 6"]

    response = staff_client.post(
        admin_url(DataFlow, "add"), flow_data(staff_client, ["LearnerSpecialNeeds"], bases),
        follow=True,
    )  # fmt: skip

    assert not [m for m in response.context["messages"] if "fits only" in str(m)]
    flow = DataFlow.objects.get(purpose=PURPOSE)
    page = staff_client.get(admin_url(DataFlow, "change", flow.pk)).content.decode()
    assert "They fit whose data it is." in page


def test_valid_flow_is_saved_with_its_links(staff_client: Client) -> None:
    bases = ["Art 6(1)(e)", "Art 9(2)(g)", "DPA 2018 Sch 1 Pt 2 para 6"]
    data = flow_data(staff_client, ["LearnerSpecialNeeds", "LearnerEmail"], bases)

    response = post_flow(staff_client, data)

    assert response.status_code == 302
    flow = DataFlow.objects.get(purpose=PURPOSE)
    assert {o.sif_name for o in flow.data_objects.all()} == {"LearnerSpecialNeeds", "LearnerEmail"}
    assert {b.code for b in flow.lawful_bases.all()} == set(bases)
    assert (flow.processor.name, flow.authority.name, flow.offering) == (
        "Redstor", WARWICKSHIRE, None,
    )  # fmt: skip


# Exactly one recipient, of three kinds


def test_the_recipient_fieldset_explains_the_three_kinds(staff_client: Client) -> None:
    html = staff_client.get(admin_url(DataFlow, "add")).content.decode()

    for kind in ("authority service", "supplier", "public body or other recipient"):
        assert f"<strong>{kind}</strong>" in html


def test_flow_to_a_public_body_is_saved(staff_client: Client) -> None:
    response = post_flow(staff_client, welsh_flow_data(staff_client))

    assert response.status_code == 302
    flow = DataFlow.objects.get(purpose=PURPOSE)
    assert (str(flow.recipient), flow.school.name, flow.retention_rule) == (
        "NHS school health services", "Victoria CP School", None,
    )  # fmt: skip


def test_flow_to_two_recipients_is_refused(staff_client: Client) -> None:
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 6(1)(e)"])
    data["body"] = str(ExternalRecipient.objects.get(name="NHS school health services").pk)

    response = post_flow(staff_client, data)

    assert "Choose exactly one recipient" in field_errors(response, "body")
    assert not saved()


def test_flow_to_nobody_is_refused(staff_client: Client) -> None:
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 6(1)(e)"], processor="")

    response = post_flow(staff_client, data)

    assert "Choose exactly one recipient" in field_errors(response, "partner_service")
    assert not saved()


def test_flow_to_a_supplier_with_no_access_is_refused(staff_client: Client) -> None:
    smoothwall = Processor.objects.get(name="Smoothwall")
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 6(1)(e)"], processor=smoothwall.pk)

    response = post_flow(staff_client, data)

    assert "Smoothwall is marked “no access to personal data”" in field_errors(
        response, "processor"
    )
    assert not saved()


def test_flow_to_a_schools_own_supplier_from_every_school_is_refused(staff_client) -> None:
    own = ProcessorFactory(school=School.objects.get(name="Avon Meadow Primary School"))
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 6(1)(e)"], processor=own.pk)

    response = post_flow(staff_client, data)

    assert "only that school's own flows" in field_errors(response, "processor")


def test_flow_to_another_organisations_service_is_refused(staff_client: Client) -> None:
    theirs = PartnerService.objects.exclude(authority=organisation(WARWICKSHIRE)).first()
    theirs = theirs or PartnerService.objects.create(
        authority=organisation(WREXHAM), name="Education Welfare", purpose="Attendance."
    )
    data = flow_data(
        staff_client, ["LearnerEmail"], ["Art 6(1)(e)"], processor="", partner_service=theirs.pk
    )

    response = post_flow(staff_client, data)

    assert "belongs to another organisation" in field_errors(response, "partner_service")


# Categories of the organisation; laws and bodies of the schools' nation


def test_category_of_another_organisation_is_refused_by_title(staff_client: Client) -> None:
    theirs = DataObject.objects.filter(authority=organisation(WREXHAM), school=None).first()
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 6(1)(e)"])
    data["data_objects"] = [*data["data_objects"], str(theirs.pk)]

    response = post_flow(staff_client, data)

    assert f"“{theirs.title}” belongs to another organisation" in field_errors(
        response, "data_objects"
    )
    assert not saved()


def test_england_only_law_on_a_welsh_schools_flow_is_refused(staff_client: Client) -> None:
    data = welsh_flow_data(
        staff_client,
        lawful_bases=pks(LawfulBasis, code__in=["Art 6(1)(e)", "Education Act 1996 s.507B"]),
    )

    response = post_flow(staff_client, data)

    assert "Education Act 1996 s.507B does not apply in Wales" in field_errors(
        response, "lawful_bases"
    )
    assert not saved()


def test_england_only_law_on_an_organisation_wide_flow_with_a_welsh_school(staff_client) -> None:
    data = welsh_flow_data(
        staff_client, school="",
        lawful_bases=pks(LawfulBasis, code__in=["Art 6(1)(e)", "Children and Families Act 2014"]),
    )  # fmt: skip

    response = post_flow(staff_client, data)

    assert "does not apply in Wales, where this flow's schools are" in field_errors(
        response, "lawful_bases"
    )


def test_england_only_body_on_a_welsh_schools_flow_is_refused(staff_client: Client) -> None:
    youth = ExternalRecipient.objects.get(name="Youth support services")
    data = welsh_flow_data(staff_client, body=str(youth.pk))

    response = post_flow(staff_client, data)

    assert "cannot receive data from a school in Wales" in field_errors(response, "body")
    assert not saved()


# The choices offered once the flow's organisation is known


def test_editing_a_flow_offers_only_its_organisations_records(staff_client: Client) -> None:
    flow = DataFlow.objects.filter(authority=organisation(WREXHAM)).first()

    form = staff_client.get(admin_url(DataFlow, "change", flow.pk)).context["adminform"].form

    for field in ("data_objects", "retention_rule", "partner_service", "offering", "school"):
        offered = form.fields[field].queryset
        assert all(row.authority_id == flow.authority_id for row in offered), field
    assert set(form.fields["data_objects"].queryset) == set(
        DataObject.objects.filter(authority=flow.authority_id)
    )
    bodies = form.fields["body"].queryset
    assert all(b.authority_id in (None, flow.authority_id) for b in bodies)
    assert bodies.filter(authority=None).exists()


# The list of flows


def test_flows_are_found_by_a_category_title(staff_client: Client) -> None:
    response = staff_client.get(admin_url(DataFlow, "changelist"), {"q": "Pupil email"})

    found = response.context["cl"].result_list
    assert found
    assert all(f.data_objects.filter(title__icontains="Pupil email").exists() for f in found)


@pytest.mark.parametrize(
    ("kind", "field"),
    [("service", "partner_service"), ("supplier", "processor"), ("body", "body")],
)
def test_flows_are_filtered_by_the_kind_of_recipient(staff_client, kind, field) -> None:
    response = staff_client.get(admin_url(DataFlow, "changelist"), {"recipient": kind})

    found = response.context["cl"].result_list
    assert len(found) == DataFlow.objects.filter(**{f"{field}__isnull": False}).count() > 0


def test_flow_list_names_each_recipients_kind(staff_client: Client) -> None:
    response = staff_client.get(admin_url(DataFlow, "changelist"), {"recipient": "body"})

    html = response.content.decode()
    assert "Public body" in html
    assert "Other schools" in html


def test_flow_actions_deactivate_and_activate_only_the_selected_flows(staff_client) -> None:
    selected = list(DataFlow.objects.order_by("pk").values_list("pk", flat=True)[:3])
    url = admin_url(DataFlow, "changelist")
    form = {"action": "deactivate", "_selected_action": [str(pk) for pk in selected]}

    response = staff_client.post(url, form, follow=True)

    assert "3 flow(s) updated." in response.content.decode()
    assert set(DataFlow.objects.filter(is_active=False).values_list("pk", flat=True)) == set(
        selected
    )

    response = staff_client.post(url, {**form, "action": "activate"}, follow=True)

    assert "3 flow(s) updated." in response.content.decode()
    assert not DataFlow.objects.filter(is_active=False).exists()


# Flows added on an offering's page


def inline_flow(**values: object) -> dict[str, object]:
    return {
        "processor": Processor.objects.get(name="Redstor").pk, "purpose": "Inline purpose",
        "data_objects": pks(DataObject, sif_name="LearnerEmail"),
        "lawful_bases": pks(LawfulBasis, code="Art 6(1)(e)"), "frequency": "daily",
        "retention_rule": RetentionRule.objects.get(name="Rolling backup, 60 days").pk,
        "is_active": "on", **values,
    }  # fmt: skip


def add_inline_flow(staff_client: Client, offering: Offering, **values: object):
    url = admin_url(Offering, "change", offering.pk)
    page = staff_client.get(url)
    data = page_data(page)
    add_inline_row(page, data, "flows", **inline_flow(**values))
    return staff_client.post(url, data)


def test_flow_added_inline_takes_the_offerings_organisation(staff_client: Client) -> None:
    another = AuthorityFactory(name="Another Council")
    offering = OfferingFactory(authority=another)
    category = DataObjectFactory(authority=another, title="Pupil email")

    response = add_inline_flow(
        staff_client, offering, data_objects=[category.pk],
        retention_rule=RetentionRuleFactory(authority=another).pk,
    )  # fmt: skip

    assert response.status_code == 302
    flow = DataFlow.objects.get(purpose="Inline purpose")
    assert (flow.offering, flow.authority.name) == (offering, "Another Council")
    assert list(flow.data_objects.all()) == [category]


def test_flow_added_inline_is_offered_only_the_offerings_organisations_records(
    staff_client,
) -> None:
    offering = Offering.objects.get(name="WeLearn365")

    page = staff_client.get(admin_url(Offering, "change", offering.pk))

    formset = next(i.formset for i in page.context["inline_admin_formsets"])
    for form in [*formset.forms, formset.empty_form]:
        offered = form.fields["data_objects"].queryset
        assert set(offered) == set(DataObject.objects.filter(authority=offering.authority_id))


def test_flow_added_inline_beside_existing_flows_keeps_them(staff_client: Client) -> None:
    offering = Offering.objects.get(name="WeLearn365")
    existing = set(offering.flows.values_list("pk", "purpose"))

    response = add_inline_flow(staff_client, offering)

    assert response.status_code == 302
    assert existing < set(offering.flows.values_list("pk", "purpose"))
    assert DataFlow.objects.get(purpose="Inline purpose").authority == offering.authority


def test_flow_added_inline_is_held_to_the_bases_rule(staff_client: Client) -> None:
    offering = Offering.objects.get(name="Broadband")

    response = add_inline_flow(
        staff_client, offering, data_objects=pks(DataObject, sif_name="LearnerSpecialNeeds")
    )

    assert response.status_code == 200
    assert b"Special educational needs is special category data" in response.content
    assert not DataFlow.objects.filter(purpose="Inline purpose").exists()


def test_flow_added_inline_cannot_go_to_another_organisations_service(staff_client) -> None:
    offering = OfferingFactory(authority=AuthorityFactory(name="Another Council"))
    cme = PartnerService.objects.get(name="Children Missing Education")

    response = add_inline_flow(staff_client, offering, processor="", partner_service=cme.pk)

    assert response.status_code == 200
    assert not DataFlow.objects.filter(purpose="Inline purpose").exists()


def test_flow_deleted_inline_is_deleted(staff_client: Client) -> None:
    offering = Offering.objects.get(name="Broadband")
    url = admin_url(Offering, "change", offering.pk)
    data = page_data(staff_client.get(url))
    doomed = offering.flows.order_by("pk").first()
    row = next(k for k, v in data.items() if k.endswith("-id") and v == str(doomed.pk))
    data[row.replace("-id", "-DELETE")] = "on"

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert not DataFlow.objects.filter(pk=doomed.pk).exists()
