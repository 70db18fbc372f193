"""Each registry rule refuses bad data: in the database, and with a message on the field."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import DataFlow, DataObject, RetentionRule, School
from governance.services import (
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
    LawfulBasisFactory,
    OfferingFactory,
    PartnerServiceFactory,
    ProcessorFactory,
    RetentionRuleFactory,
    SchoolFactory,
    SpecialDataObjectFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(save) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


def field_errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_school_urn_is_unique() -> None:
    school = SchoolFactory()
    twin = SchoolFactory.build(urn=school.urn, authority=school.authority)

    assert "urn" in field_errors(twin)
    refused_by_database(twin.save)


def test_school_urn_and_dfe_number_must_be_well_formed() -> None:
    errors = field_errors(SchoolFactory.build(urn="12AB56", dfe_number="9372001"))

    assert set(errors) >= {"urn", "dfe_number"}


def test_academy_must_name_its_trust() -> None:
    academy = SchoolFactory.build(school_type=School.Type.TRUST_MEMBER, trust_name="")
    academy.authority.save()

    assert "trust_name" in field_errors(academy)
    refused_by_database(academy.save)


def test_sif_name_is_unique() -> None:
    DataObjectFactory(sif_name="LearnerPersonal")

    refused_by_database(lambda: DataObject.objects.create(
        sif_name="LearnerPersonal", title="t", data_subject="pupil", fields_description="f"
    ))  # fmt: skip


def test_special_category_object_needs_an_art9_condition() -> None:
    obj = DataObject(
        sif_name="LearnerMedical", title="Medical", data_subject="pupil",
        fields_description="Conditions", is_special_category=True,
    )  # fmt: skip

    assert "art9_condition" in field_errors(obj)
    refused_by_database(obj.save)


def test_retention_rule_needs_a_period_or_an_event() -> None:
    rule = RetentionRule(name="Forever?", description="d")

    assert "event" in field_errors(rule)
    refused_by_database(rule.save)


def test_retention_period_needs_a_unit() -> None:
    rule = RetentionRule(name="Sixty", period_value=60, description="d")

    assert "period_unit" in field_errors(rule)
    refused_by_database(rule.save)


def test_flow_has_exactly_one_recipient() -> None:
    both = DataFlowFactory.build(
        partner_service=PartnerServiceFactory(), processor=ProcessorFactory()
    )
    both.authority = both.partner_service.authority
    both.retention_rule = RetentionRuleFactory()
    neither = DataFlowFactory.build(processor=None, authority=both.authority,
                                    retention_rule=both.retention_rule)  # fmt: skip

    assert "partner_service" in field_errors(both)
    assert "partner_service" in field_errors(neither)
    refused_by_database(both.save)
    refused_by_database(neither.save)


def test_flow_leaves_an_offering_or_one_school_not_both() -> None:
    school = SchoolFactory()
    flow = DataFlowFactory.build(
        authority=school.authority, school=school, processor=ProcessorFactory(),
        offering=OfferingFactory(authority=school.authority), retention_rule=RetentionRuleFactory(),
    )  # fmt: skip

    assert "school" in field_errors(flow)
    refused_by_database(flow.save)


def test_subscription_cannot_end_before_it_starts() -> None:
    sub = SubscriptionFactory.build(
        school=SchoolFactory(), start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2025, 8, 1),
    )  # fmt: skip
    sub.offering = OfferingFactory(authority=sub.school.authority)

    assert "end_date" in field_errors(sub)
    refused_by_database(sub.save)


def test_data_leaving_the_uk_needs_safeguards() -> None:
    processor = ProcessorFactory.build(transfers_outside_uk=True, transfer_safeguards="")

    assert "transfer_safeguards" in field_errors(processor)
    refused_by_database(processor.save)


def test_flow_without_an_art6_basis_is_refused() -> None:
    condition = Art9ConditionFactory()

    with pytest.raises(ValidationError) as caught:
        check_flow_bases(data_objects=[DataObjectFactory()], lawful_bases=[condition])

    assert "Article 6" in caught.value.message_dict["lawful_bases"][0]


def test_flow_without_any_data_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        check_flow_bases(data_objects=[], lawful_bases=[LawfulBasisFactory()])

    assert "data_objects" in caught.value.message_dict


def test_special_data_must_cite_its_art9_condition() -> None:
    special = SpecialDataObjectFactory(sif_name="LearnerSpecialNeeds")

    with pytest.raises(ValidationError) as caught:
        check_flow_bases(data_objects=[special], lawful_bases=[LawfulBasisFactory()])
    check_flow_bases(
        data_objects=[special], lawful_bases=[LawfulBasisFactory(), special.art9_condition]
    )

    assert "LearnerSpecialNeeds" in caught.value.message_dict["lawful_bases"][0]


def test_save_data_flow_saves_links_or_nothing() -> None:
    flow = DataFlowFactory.build(
        authority=AuthorityFactory(), processor=ProcessorFactory(),
        retention_rule=RetentionRuleFactory(),
    )  # fmt: skip
    obj = DataObjectFactory()

    with pytest.raises(ValidationError):
        save_data_flow(flow=flow, data_objects=[obj], lawful_bases=[])
    assert DataFlow.objects.count() == 0

    saved = save_data_flow(flow=flow, data_objects=[obj], lawful_bases=[LawfulBasisFactory()])
    assert list(saved.data_objects.all()) == [obj]
    assert saved.lawful_bases.count() == 1


def test_flows_missing_conditions_names_the_flows_to_fix() -> None:
    obj = DataObjectFactory()
    flow = DataFlowFactory(data_objects=[obj])
    obj.is_special_category = True
    obj.art9_condition = Art9ConditionFactory()

    assert flows_missing_conditions_for(obj) == [flow]
    flow.lawful_bases.add(obj.art9_condition)
    assert flows_missing_conditions_for(obj) == []


def test_set_flows_active_counts_only_changes() -> None:
    DataFlowFactory()
    DataFlowFactory(is_active=False)

    assert set_flows_active(flows=DataFlow.objects.all(), active=False) == 1
    assert not DataFlow.objects.filter(is_active=True).exists()
    assert set_flows_active(flows=DataFlow.objects.all(), active=True) == 2
