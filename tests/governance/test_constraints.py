"""Each registry rule refuses bad data twice: in the database, whatever path writes the row, and
in model validation, with the message on the field a form would show it on."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from governance.models import DataFlow, DataObject, RetentionRule, School, Subscription
from governance.services import (
    check_flow_bases,
    flows_missing_conditions_for,
    save_data_flow,
    set_flows_active,
)
from processors.models import Processor
from tests.factories import (
    Art9ConditionFactory,
    AuthorityFactory,
    DataFlowFactory,
    DataObjectFactory,
    LawfulBasisFactory,
    OfferingFactory,
    PartnerServiceFactory,
    ProcessorFactory,
    RetentionRuleFactory,
    SchoolFactory,
    SpecialDataObjectFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(write: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def field_errors(obj: models.Model) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def unsaved_flow(**fields: object) -> DataFlow:
    """A flow ready to save but for the fields under test: saved authority and retention."""
    if "authority" not in fields:
        fields["authority"] = AuthorityFactory()
    return DataFlowFactory.build(retention_rule=RetentionRuleFactory(), **fields)


def unsaved_flow_to_a_partner() -> DataFlow:
    partner = PartnerServiceFactory()
    return unsaved_flow(authority=partner.authority, processor=None, partner_service=partner)


# The rules are only worth testing against rows that are otherwise valid.


@pytest.mark.parametrize(
    "build",
    [
        lambda: SchoolFactory.build(authority=AuthorityFactory()),
        lambda: SchoolFactory.build(
            authority=AuthorityFactory(), school_type=School.Type.ACADEMY, trust_name="A Trust"
        ),
        lambda: DataObjectFactory.build(sif_name="LearnerMedical"),
        lambda: SpecialDataObjectFactory.build(art9_condition=Art9ConditionFactory()),
        lambda: RetentionRuleFactory.build(),
        lambda: RetentionRuleFactory.build(period_value=None, period_unit="", event="leaves"),
        lambda: unsaved_flow(processor=ProcessorFactory()),
        unsaved_flow_to_a_partner,
        lambda: ProcessorFactory.build(data_leaves_uk="yes", transfer_safeguards="IDTA"),
    ],
    ids=[
        "school",
        "academy",
        "object",
        "special",
        "period",
        "event",
        "to-processor",
        "to-partner",
        "abroad",
    ],
)
def test_factories_build_rows_that_pass_every_rule(build) -> None:
    build().full_clean()


def test_subscription_may_end_on_the_day_it_starts() -> None:
    school = SchoolFactory()
    day = datetime.date(2025, 9, 1)
    sub = Subscription(
        school=school, offering=OfferingFactory(authority=school.authority),
        start_date=day, end_date=day,
    )  # fmt: skip

    sub.full_clean()
    sub.save()


# Schools


def test_school_urn_is_unique() -> None:
    school = SchoolFactory()
    twin = SchoolFactory.build(urn=school.urn, authority=school.authority)

    assert "urn" in field_errors(twin)
    refused_by_database(twin.save)


def test_school_dfe_number_is_unique() -> None:
    school = SchoolFactory()
    twin = SchoolFactory.build(dfe_number=school.dfe_number, authority=school.authority)

    assert "dfe_number" in field_errors(twin)
    refused_by_database(twin.save)


def test_malformed_urn_and_dfe_number_are_refused_by_validation() -> None:
    errors = field_errors(
        SchoolFactory.build(authority=AuthorityFactory(), urn="12AB56", dfe_number="9372001")
    )

    assert set(errors) >= {"urn", "dfe_number"}


def test_malformed_urn_is_refused_by_the_database() -> None:
    school = SchoolFactory.build(authority=AuthorityFactory(), urn="12AB56")

    refused_by_database(school.save)


@pytest.mark.parametrize("school_type", [School.Type.ACADEMY, School.Type.TRUST_MEMBER])
def test_academy_must_name_its_trust(school_type: str) -> None:
    academy = SchoolFactory.build(
        authority=AuthorityFactory(), school_type=school_type, trust_name=""
    )

    assert "trust_name" in field_errors(academy)
    refused_by_database(academy.save)


def test_academy_losing_its_trust_in_a_bulk_update_is_refused() -> None:
    academy = SchoolFactory(school_type=School.Type.ACADEMY, trust_name="A Trust")

    refused_by_database(lambda: School.objects.filter(pk=academy.pk).update(trust_name=""))


# Data objects


def test_sif_name_is_unique() -> None:
    DataObjectFactory(sif_name="LearnerPersonal")
    twin = DataObject(
        sif_name="LearnerPersonal", title="t", data_subject="pupil", fields_description="f"
    )

    assert "sif_name" in field_errors(twin)
    refused_by_database(twin.save)


def test_special_category_object_needs_an_art9_condition() -> None:
    obj = DataObject(
        sif_name="LearnerMedical", title="Medical", data_subject="pupil",
        fields_description="Conditions", is_special_category=True,
    )  # fmt: skip

    assert "art9_condition" in field_errors(obj)
    refused_by_database(obj.save)


def test_bulk_created_special_object_without_condition_is_refused() -> None:
    obj = DataObject(
        sif_name="LearnerMedical", title="Medical", data_subject="pupil",
        fields_description="Conditions", is_special_category=True,
    )  # fmt: skip

    refused_by_database(lambda: DataObject.objects.bulk_create([obj]))


def test_art9_condition_must_be_an_art9_condition() -> None:
    obj = SpecialDataObjectFactory.build(art9_condition=LawfulBasisFactory())

    assert "art9_condition" in field_errors(obj)


# Retention rules


def test_retention_rule_needs_a_period_or_an_event() -> None:
    rule = RetentionRule(name="Forever?", description="d")

    assert "event" in field_errors(rule)
    refused_by_database(rule.save)


def test_retention_period_needs_a_unit() -> None:
    rule = RetentionRule(name="Sixty", period_value=60, description="d")

    assert "period_unit" in field_errors(rule)
    refused_by_database(rule.save)


def test_retention_unit_without_a_period_is_refused() -> None:
    rule = RetentionRule(name="Days of what?", period_unit="days", event="leaves", description="d")

    assert "period_value" in field_errors(rule)
    refused_by_database(rule.save)


# Data flows


def test_flow_to_both_a_partner_and_a_processor_is_refused() -> None:
    flow = unsaved_flow_to_a_partner()
    flow.processor = ProcessorFactory()

    assert "partner_service" in field_errors(flow)
    refused_by_database(flow.save)


def test_flow_to_nobody_is_refused() -> None:
    flow = unsaved_flow(processor=None)

    assert "partner_service" in field_errors(flow)
    refused_by_database(flow.save)


def test_flow_losing_its_recipient_in_a_bulk_update_is_refused() -> None:
    flow = DataFlowFactory()

    refused_by_database(lambda: DataFlow.objects.filter(pk=flow.pk).update(processor=None))


def test_flow_leaves_an_offering_or_one_school_not_both() -> None:
    school = SchoolFactory()
    flow = unsaved_flow(
        authority=school.authority, processor=ProcessorFactory(), school=school,
        offering=OfferingFactory(authority=school.authority),
    )  # fmt: skip

    assert "school" in field_errors(flow)
    refused_by_database(flow.save)


def test_flow_to_another_authoritys_service_is_refused_by_validation() -> None:
    flow = unsaved_flow(processor=None, partner_service=PartnerServiceFactory())

    assert "partner_service" in field_errors(flow)


def test_flow_from_another_authoritys_offering_is_refused_by_validation() -> None:
    flow = unsaved_flow(processor=ProcessorFactory(), offering=OfferingFactory())

    assert "belongs to another authority" in field_errors(flow)["offering"][0]


def test_flow_from_another_authoritys_school_is_refused_by_validation() -> None:
    flow = unsaved_flow(processor=ProcessorFactory(), school=SchoolFactory())

    assert "belongs to another authority" in field_errors(flow)["school"][0]


def test_flow_from_its_own_authoritys_school_passes() -> None:
    school = SchoolFactory()
    flow = unsaved_flow(authority=school.authority, processor=ProcessorFactory(), school=school)

    flow.full_clean()


# Subscriptions and processors


def test_subscription_cannot_end_before_it_starts() -> None:
    school = SchoolFactory()
    sub = Subscription(
        school=school, offering=OfferingFactory(authority=school.authority),
        start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2025, 8, 31),
    )  # fmt: skip

    assert "end_date" in field_errors(sub)
    refused_by_database(sub.save)


def test_data_leaving_the_uk_needs_safeguards() -> None:
    processor = ProcessorFactory.build(data_leaves_uk="yes", transfer_safeguards="")

    assert "transfer_safeguards" in field_errors(processor)
    refused_by_database(processor.save)


def test_blank_safeguards_are_refused_by_validation() -> None:
    processor = ProcessorFactory.build(data_leaves_uk="yes", transfer_safeguards="   ")

    assert "transfer_safeguards" in field_errors(processor)


def test_processor_moved_abroad_in_a_bulk_update_is_refused() -> None:
    processor = ProcessorFactory()

    refused_by_database(
        lambda: Processor.objects.filter(pk=processor.pk).update(data_leaves_uk="yes")
    )


# The rules that span many-to-many links: services.check_flow_bases and friends


def bases_errors(**kwargs: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        check_flow_bases(**kwargs)
    return caught.value.message_dict


def test_flow_without_an_art6_basis_is_refused() -> None:
    errors = bases_errors(data_objects=[DataObjectFactory()], lawful_bases=[Art9ConditionFactory()])

    assert list(errors) == ["lawful_bases"]
    assert "Article 6" in errors["lawful_bases"][0]


def test_flow_without_any_data_is_refused() -> None:
    errors = bases_errors(data_objects=[], lawful_bases=[LawfulBasisFactory()])

    assert list(errors) == ["data_objects"]


def test_special_data_must_cite_its_art9_condition() -> None:
    special = SpecialDataObjectFactory(sif_name="LearnerSpecialNeeds")

    errors = bases_errors(data_objects=[special], lawful_bases=[LawfulBasisFactory()])

    assert list(errors) == ["lawful_bases"]
    assert "LearnerSpecialNeeds" in errors["lawful_bases"][0]
    assert special.art9_condition.code in errors["lawful_bases"][0]


def test_special_data_must_cite_its_dpa_condition_too() -> None:
    dpa = LawfulBasisFactory(code="DPA 2018 Sch 1 Pt 1 para 1", kind="dpa_sch1", title="Employment")
    special = SpecialDataObjectFactory(sif_name="LearnerSpecialNeeds", dpa_condition=dpa)

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


def test_save_data_flow_saves_the_flow_with_its_links() -> None:
    flow = unsaved_flow(processor=ProcessorFactory())
    obj, basis = DataObjectFactory(), LawfulBasisFactory()

    saved = save_data_flow(flow=flow, data_objects=[obj], lawful_bases=[basis])

    saved = DataFlow.objects.get(pk=saved.pk)
    assert list(saved.data_objects.all()) == [obj]
    assert list(saved.lawful_bases.all()) == [basis]


def test_save_data_flow_with_bad_bases_saves_nothing() -> None:
    flow = unsaved_flow(processor=ProcessorFactory())
    before = DataFlow.objects.count()

    with pytest.raises(ValidationError):
        save_data_flow(flow=flow, data_objects=[DataObjectFactory()], lawful_bases=[])

    assert DataFlow.objects.count() == before
    assert flow.pk is None


def test_save_data_flow_with_a_bad_row_saves_nothing() -> None:
    flow = unsaved_flow(processor=None)
    before = DataFlow.objects.count()

    with pytest.raises(ValidationError) as caught:
        save_data_flow(
            flow=flow, data_objects=[DataObjectFactory()], lawful_bases=[LawfulBasisFactory()]
        )

    assert "partner_service" in caught.value.message_dict
    assert DataFlow.objects.count() == before


def test_flows_missing_conditions_names_the_flows_to_fix() -> None:
    obj = DataObjectFactory()
    flow = DataFlowFactory(data_objects=[obj])
    DataFlowFactory(data_objects=[DataObjectFactory()])  # does not carry it
    obj.is_special_category = True
    obj.art9_condition = Art9ConditionFactory()

    assert flows_missing_conditions_for(obj) == [flow]
    flow.lawful_bases.add(obj.art9_condition)
    assert flows_missing_conditions_for(obj) == []


def test_flows_missing_conditions_of_ordinary_data_is_empty() -> None:
    obj = DataObjectFactory()
    DataFlowFactory(data_objects=[obj])

    assert flows_missing_conditions_for(obj) == []


def test_set_flows_active_counts_only_changes() -> None:
    DataFlowFactory()
    DataFlowFactory(is_active=False)

    assert set_flows_active(flows=DataFlow.objects.all(), active=False) == 1
    assert not DataFlow.objects.filter(is_active=True).exists()
    assert set_flows_active(flows=DataFlow.objects.all(), active=True) == 2
    assert not DataFlow.objects.filter(is_active=False).exists()
    assert set_flows_active(flows=DataFlow.objects.all(), active=True) == 0
