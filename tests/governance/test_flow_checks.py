"""The rules that span a flow's many-to-many links (``governance.services``): its lawful bases
cover its data, its categories are its organisation's (or its school's), and no law or body of
one nation is cited on a flow from a school of the other."""

import pytest
from django.core.exceptions import ValidationError

from governance.models import DataFlow, School
from governance.services import (
    check_flow,
    check_flow_bases,
    flows_missing_conditions_for,
    save_data_flow,
    set_flows_active,
)
from tests.factories import (
    Art9ConditionFactory,
    AuthorityFactory,
    DataFlowFactory,
    DataObjectFactory,
    ExternalRecipientFactory,
    LawfulBasisFactory,
    OfferingFactory,
    ProcessorFactory,
    RetentionRuleFactory,
    SchoolFactory,
    SpecialDataObjectFactory,
    StatuteFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

WALES, ENGLAND = School.Nation.WALES, School.Nation.ENGLAND


def unsaved_flow(**fields: object) -> DataFlow:
    """A valid unsaved flow to a supplier, of a saved organisation and rule."""
    fields.setdefault("authority", AuthorityFactory())
    if not {"partner_service", "body"} & set(fields):
        fields.setdefault("processor", ProcessorFactory())
    return DataFlowFactory.build(
        retention_rule=RetentionRuleFactory(authority=fields["authority"]), **fields
    )


def errors_of(check, **kwargs: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        check(**kwargs)
    return caught.value.message_dict


def bases_errors(**kwargs: object) -> dict[str, list[str]]:
    return errors_of(check_flow_bases, **kwargs)


# Bases cover the data


def test_flow_without_an_art6_basis_is_refused() -> None:
    errors = bases_errors(data_objects=[DataObjectFactory()], lawful_bases=[Art9ConditionFactory()])

    assert list(errors) == ["lawful_bases"]
    assert "Article 6" in errors["lawful_bases"][0]


def test_flow_without_any_data_is_refused() -> None:
    errors = bases_errors(data_objects=[], lawful_bases=[LawfulBasisFactory()])

    assert list(errors) == ["data_objects"]


def test_special_data_must_cite_its_art9_condition() -> None:
    special = SpecialDataObjectFactory(title="Special educational needs")

    errors = bases_errors(data_objects=[special], lawful_bases=[LawfulBasisFactory()])

    assert list(errors) == ["lawful_bases"]
    assert "Special educational needs" in errors["lawful_bases"][0]
    assert special.art9_condition.code in errors["lawful_bases"][0]


def test_special_data_must_cite_its_dpa_condition_too() -> None:
    dpa = LawfulBasisFactory(code="DPA 2018 Sch 1 Pt 1 para 1", kind="dpa_sch1", title="Employment")
    special = SpecialDataObjectFactory(dpa_condition=dpa)

    errors = bases_errors(
        data_objects=[special], lawful_bases=[LawfulBasisFactory(), special.art9_condition]
    )

    assert "DPA 2018 Sch 1 Pt 1 para 1" in errors["lawful_bases"][0]


def test_art6_basis_and_cited_conditions_pass() -> None:
    dpa = LawfulBasisFactory(code="DPA 2018 Sch 1 Pt 1 para 1", kind="dpa_sch1", title="Employment")
    special = SpecialDataObjectFactory(dpa_condition=dpa)

    check_flow_bases(
        data_objects=[DataObjectFactory(), special],
        lawful_bases=[LawfulBasisFactory(), special.art9_condition, dpa],
    )


# Categories of the flow's organisation and school


def test_category_of_another_organisation_is_refused() -> None:
    flow = unsaved_flow()
    foreign = DataObjectFactory(title="Their pupil data")

    errors = errors_of(
        check_flow, flow=flow, data_objects=[foreign], lawful_bases=[LawfulBasisFactory()]
    )

    assert errors == {
        "data_objects": ["“Their pupil data” belongs to another organisation or school."]
    }


def test_a_schools_own_category_leaves_only_on_that_schools_flows() -> None:
    school = SchoolFactory()
    own = DataObjectFactory(school=school)
    basis = LawfulBasisFactory()
    sibling = SchoolFactory(authority=school.authority)

    check_flow(
        flow=unsaved_flow(authority=school.authority, school=school),
        data_objects=[own],
        lawful_bases=[basis],
    )
    for flow in (unsaved_flow(authority=school.authority),
                 unsaved_flow(authority=school.authority, school=sibling)):  # fmt: skip
        errors = errors_of(check_flow, flow=flow, data_objects=[own], lawful_bases=[basis])
        assert list(errors) == ["data_objects"]


# The law and the bodies of the school's nation


def welsh_school(**fields: object) -> School:
    return SchoolFactory(nation=WALES, **fields)


def england_only_law():
    return StatuteFactory(code="Education Act 1996 s.507B", reach="england")


def test_england_only_law_on_a_welsh_schools_flow_is_refused() -> None:
    school = welsh_school()
    flow = unsaved_flow(authority=school.authority, school=school)

    errors = errors_of(
        check_flow, flow=flow, data_objects=[DataObjectFactory(authority=school.authority)],
        lawful_bases=[LawfulBasisFactory(), england_only_law()],
    )  # fmt: skip

    assert errors == {
        "lawful_bases": [
            "Education Act 1996 s.507B does not apply in Wales, where this flow's schools are."
        ]
    }


def test_england_only_law_on_an_organisation_wide_flow_with_a_welsh_school_is_refused() -> None:
    school = SchoolFactory()
    welsh_school(authority=school.authority)
    flow = unsaved_flow(authority=school.authority)

    errors = errors_of(
        check_flow, flow=flow, data_objects=[DataObjectFactory(authority=school.authority)],
        lawful_bases=[LawfulBasisFactory(), england_only_law()],
    )  # fmt: skip

    assert "does not apply in Wales" in errors["lawful_bases"][0]


def test_england_only_law_on_an_offering_only_english_schools_take_passes() -> None:
    school = SchoolFactory()
    welsh_school(authority=school.authority)
    offering = OfferingFactory(authority=school.authority)
    SubscriptionFactory(school=school, offering=offering)
    flow = unsaved_flow(authority=school.authority, offering=offering)

    check_flow(
        flow=flow, data_objects=[DataObjectFactory(authority=school.authority)],
        lawful_bases=[LawfulBasisFactory(), england_only_law()],
    )  # fmt: skip


def test_england_only_law_on_an_english_schools_flow_passes() -> None:
    school = SchoolFactory()
    flow = unsaved_flow(authority=school.authority, school=school)

    check_flow(
        flow=flow, data_objects=[DataObjectFactory(authority=school.authority)],
        lawful_bases=[LawfulBasisFactory(), england_only_law()],
    )  # fmt: skip


def test_england_only_body_on_a_welsh_schools_flow_is_refused() -> None:
    school = welsh_school()
    body = ExternalRecipientFactory(name="Youth support (England)", reach="england")
    flow = unsaved_flow(authority=school.authority, school=school, body=body)

    errors = errors_of(
        check_flow, flow=flow, data_objects=[DataObjectFactory(authority=school.authority)],
        lawful_bases=[LawfulBasisFactory()],
    )  # fmt: skip

    assert list(errors) == ["body"]
    assert "Youth support (England) is for schools in England only" in errors["body"][0]
    assert "from a school in Wales" in errors["body"][0]


def test_wales_only_body_on_a_welsh_schools_flow_passes() -> None:
    school = welsh_school()
    body = ExternalRecipientFactory(reach="wales")
    flow = unsaved_flow(authority=school.authority, school=school, body=body)

    check_flow(
        flow=flow, data_objects=[DataObjectFactory(authority=school.authority)],
        lawful_bases=[LawfulBasisFactory()],
    )  # fmt: skip


# Saving a flow


def test_save_data_flow_saves_the_flow_with_its_links() -> None:
    flow = unsaved_flow()
    obj, basis = DataObjectFactory(authority=flow.authority), LawfulBasisFactory()

    saved = save_data_flow(flow=flow, data_objects=[obj], lawful_bases=[basis])

    saved = DataFlow.objects.get(pk=saved.pk)
    assert list(saved.data_objects.all()) == [obj]
    assert list(saved.lawful_bases.all()) == [basis]


def test_save_data_flow_with_bad_bases_saves_nothing() -> None:
    flow = unsaved_flow()
    before = DataFlow.objects.count()

    with pytest.raises(ValidationError):
        save_data_flow(
            flow=flow, data_objects=[DataObjectFactory(authority=flow.authority)], lawful_bases=[]
        )

    assert DataFlow.objects.count() == before
    assert flow.pk is None


def test_save_data_flow_with_another_organisations_category_saves_nothing() -> None:
    flow = unsaved_flow()

    with pytest.raises(ValidationError) as caught:
        save_data_flow(flow=flow, data_objects=[DataObjectFactory()], lawful_bases=[
            LawfulBasisFactory()
        ])  # fmt: skip

    assert "data_objects" in caught.value.message_dict
    assert flow.pk is None


def test_save_data_flow_with_a_bad_row_saves_nothing() -> None:
    flow = unsaved_flow(processor=None, partner_service=None)
    before = DataFlow.objects.count()

    with pytest.raises(ValidationError) as caught:
        save_data_flow(
            flow=flow, data_objects=[DataObjectFactory(authority=flow.authority)],
            lawful_bases=[LawfulBasisFactory()],
        )  # fmt: skip

    assert "partner_service" in caught.value.message_dict
    assert DataFlow.objects.count() == before


# Changing a category the flows carry


def test_flows_missing_conditions_names_the_flows_to_fix() -> None:
    flow = DataFlowFactory()
    obj = flow.data_objects.get()
    DataFlowFactory(authority=flow.authority)  # does not carry it
    obj.is_special_category = True
    obj.art9_condition = Art9ConditionFactory()

    assert flows_missing_conditions_for(obj) == [flow]
    flow.lawful_bases.add(obj.art9_condition)
    assert flows_missing_conditions_for(obj) == []


def test_flows_missing_conditions_of_ordinary_data_is_empty() -> None:
    flow = DataFlowFactory()

    assert flows_missing_conditions_for(flow.data_objects.get()) == []


def test_set_flows_active_counts_only_changes() -> None:
    DataFlowFactory()
    DataFlowFactory(is_active=False)

    assert set_flows_active(flows=DataFlow.objects.all(), active=False) == 1
    assert not DataFlow.objects.filter(is_active=True).exists()
    assert set_flows_active(flows=DataFlow.objects.all(), active=True) == 2
    assert not DataFlow.objects.filter(is_active=False).exists()
    assert set_flows_active(flows=DataFlow.objects.all(), active=True) == 0
