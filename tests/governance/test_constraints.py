"""Each registry rule refuses bad data twice: in the database, whatever path writes the row, and
in model validation, with the message on the field a form would show it on."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from governance.models import (
    DataFlow,
    DataObject,
    RetentionRule,
    School,
    Subscription,
)
from tests.factories import (
    Art9ConditionFactory,
    AuthorityFactory,
    DataFlowFactory,
    DataObjectFactory,
    ExternalRecipientFactory,
    LawfulBasisFactory,
    OfferingFactory,
    PartnerServiceFactory,
    ProcessorFactory,
    PurposeFactory,
    RetentionRuleFactory,
    SchoolFactory,
    SpecialDataObjectFactory,
    StorageSystemFactory,
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
    """A flow ready to save but for the fields under test: a saved organisation and rule of
    that organisation (recipients are the caller's: give one, or leave none on purpose)."""
    fields.setdefault("authority", AuthorityFactory())
    fields.setdefault("processor", None)
    return DataFlowFactory.build(
        retention_rule=RetentionRuleFactory(authority=fields["authority"]), **fields
    )


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
        lambda: DataObjectFactory.build(authority=AuthorityFactory(), sif_name="LearnerMedical"),
        lambda: DataObjectFactory.build(school=SchoolFactory(), sif_name=""),
        lambda: SpecialDataObjectFactory.build(
            authority=AuthorityFactory(), art9_condition=Art9ConditionFactory()
        ),
        lambda: RetentionRuleFactory.build(authority=AuthorityFactory()),
        lambda: RetentionRuleFactory.build(
            authority=AuthorityFactory(), period_value=None, period_unit="", event="leaves"
        ),
        lambda: unsaved_flow(processor=ProcessorFactory()),
        unsaved_flow_to_a_partner,
        lambda: unsaved_flow(body=ExternalRecipientFactory()),
        lambda: ProcessorFactory.build(data_leaves_uk="yes", transfer_safeguards="IDTA"),
        lambda: ProcessorFactory.build(school=SchoolFactory()),
        lambda: ExternalRecipientFactory.build(),
        lambda: ExternalRecipientFactory.build(school=SchoolFactory()),
        lambda: PurposeFactory.build(school=SchoolFactory()),
        lambda: StorageSystemFactory.build(authority=AuthorityFactory()),
        lambda: StorageSystemFactory.build(
            authority=AuthorityFactory(), supplier=ProcessorFactory()
        ),
    ],
    ids=[
        "school",
        "academy",
        "category",
        "schools-own-category",
        "special",
        "period",
        "event",
        "to-supplier",
        "to-service",
        "to-public-body",
        "abroad",
        "schools-own-supplier",
        "national-body",
        "schools-own-recipient",
        "schools-own-purpose",
        "in-house-system",
        "supplier-system",
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


def test_school_dfe_number_is_unique_among_schools_not_closed() -> None:
    school = SchoolFactory()
    twin = SchoolFactory.build(dfe_number=school.dfe_number, authority=school.authority)

    assert "Another open school has this DfE number." in str(field_errors(twin))
    refused_by_database(twin.save)


def test_a_successor_may_keep_a_closed_schools_dfe_number() -> None:
    closed = SchoolFactory(status=School.Status.CLOSED)
    successor = SchoolFactory.build(dfe_number=closed.dfe_number, authority=closed.authority)

    successor.full_clean()
    successor.save()
    reopened = School.objects.get(pk=closed.pk)
    reopened.status = School.Status.OPEN
    assert "Another open school" in str(field_errors(reopened))


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


def category(**fields: object) -> DataObject:
    values = {"title": "t", "data_subject": "pupil", "fields_description": "f", **fields}
    return DataObject(**values)


def test_sif_name_is_unique_per_organisation() -> None:
    existing = DataObjectFactory(sif_name="LearnerPersonal")
    twin = category(authority=existing.authority, sif_name="LearnerPersonal")

    assert "This organisation already has a category for that SIF object." in str(
        field_errors(twin)
    )
    refused_by_database(twin.save)


def test_category_title_is_unique_per_organisation() -> None:
    existing = DataObjectFactory(title="Medical information", sif_name="")
    twin = category(authority=existing.authority, title="Medical information")

    assert "The organisation has a category of this name already." in str(field_errors(twin))
    refused_by_database(twin.save)


def test_category_title_is_unique_per_school() -> None:
    school = SchoolFactory()
    DataObjectFactory(school=school, title="CCTV images", sif_name="")
    twin = category(authority=school.authority, school=school, title="CCTV images")

    assert "The school has a category of this name already." in str(field_errors(twin))
    refused_by_database(twin.save)


def test_two_organisations_may_name_their_categories_alike() -> None:
    DataObjectFactory(title="Medical information", sif_name="LearnerMedical")
    other = category(
        authority=AuthorityFactory(), title="Medical information", sif_name="LearnerMedical"
    )

    other.full_clean()
    other.save()


def test_a_school_may_hold_a_category_named_like_its_organisations() -> None:
    school = SchoolFactory()
    DataObjectFactory(authority=school.authority, title="CCTV images", sif_name="")
    own = category(authority=school.authority, school=school, title="CCTV images")

    own.full_clean()
    own.save()


def test_categories_without_a_sif_name_are_not_twins() -> None:
    first = DataObjectFactory(sif_name="")
    second = category(authority=first.authority, title="Another thing", sif_name="")

    second.full_clean()
    second.save()


def test_category_of_a_school_of_another_organisation_is_refused() -> None:
    own = category(authority=AuthorityFactory(), school=SchoolFactory(), title="CCTV images")

    assert field_errors(own)["school"] == ["That school belongs to another organisation."]


def test_category_needs_an_organisation() -> None:
    orphan = category(sif_name="LearnerThing")

    assert "authority" in field_errors(orphan)
    refused_by_database(orphan.save)


def test_special_category_object_needs_an_art9_condition() -> None:
    obj = category(authority=AuthorityFactory(), title="Medical", is_special_category=True)

    assert "art9_condition" in field_errors(obj)
    refused_by_database(obj.save)


def test_bulk_created_special_object_without_condition_is_refused() -> None:
    obj = category(authority=AuthorityFactory(), title="Medical", is_special_category=True)

    refused_by_database(lambda: DataObject.objects.bulk_create([obj]))


def test_art9_condition_must_be_an_art9_condition() -> None:
    obj = SpecialDataObjectFactory.build(
        authority=AuthorityFactory(), art9_condition=LawfulBasisFactory()
    )

    assert "art9_condition" in field_errors(obj)


# Retention rules


def rule(**fields: object) -> RetentionRule:
    return RetentionRule(authority=AuthorityFactory(), description="d", **fields)


def test_retention_rule_needs_a_period_or_an_event() -> None:
    rule_ = rule(name="Forever?")

    assert "event" in field_errors(rule_)
    refused_by_database(rule_.save)


def test_retention_period_needs_a_unit() -> None:
    rule_ = rule(name="Sixty", period_value=60)

    assert "period_unit" in field_errors(rule_)
    refused_by_database(rule_.save)


def test_retention_unit_without_a_period_is_refused() -> None:
    rule_ = rule(name="Days of what?", period_unit="days", event="leaves")

    assert "period_value" in field_errors(rule_)
    refused_by_database(rule_.save)


def test_retention_rule_name_is_unique_per_organisation_only() -> None:
    existing = RetentionRuleFactory(name="Rolling backup")
    twin = RetentionRuleFactory.build(authority=existing.authority, name="Rolling backup")
    elsewhere = RetentionRuleFactory.build(authority=AuthorityFactory(), name="Rolling backup")

    assert "Organisation and Name already exists" in str(field_errors(twin))
    refused_by_database(twin.save)
    elsewhere.full_clean()


# Data flows: exactly one recipient of three kinds, all of the flow's organisation


RECIPIENTS = {
    "partner_service": lambda flow: PartnerServiceFactory(authority=flow.authority),
    "processor": lambda flow: ProcessorFactory(),
    "body": lambda flow: ExternalRecipientFactory(),
}
TWO_RECIPIENTS = [("partner_service", "processor"), ("partner_service", "body"),
                  ("processor", "body")]  # fmt: skip


@pytest.mark.parametrize("pair", TWO_RECIPIENTS, ids="+".join)
def test_flow_to_two_recipients_is_refused(pair: tuple[str, str]) -> None:
    flow = unsaved_flow()
    for field in pair:
        setattr(flow, field, RECIPIENTS[field](flow))

    assert "exactly one recipient" in str(field_errors(flow))
    refused_by_database(flow.save)


def test_flow_to_all_three_recipients_is_refused_by_the_database() -> None:
    flow = unsaved_flow()
    for field, make in RECIPIENTS.items():
        setattr(flow, field, make(flow))

    refused_by_database(flow.save)


def test_flow_to_nobody_is_refused() -> None:
    flow = unsaved_flow()

    assert "partner_service" in field_errors(flow)
    refused_by_database(flow.save)


@pytest.mark.parametrize("field", ["processor", "partner_service", "body"])
def test_flow_to_one_recipient_of_any_kind_passes(field: str) -> None:
    flow = unsaved_flow()
    setattr(flow, field, RECIPIENTS[field](flow))

    flow.full_clean()
    flow.save()


def test_flow_losing_its_recipient_in_a_bulk_update_is_refused() -> None:
    flow = DataFlowFactory()

    refused_by_database(lambda: DataFlow.objects.filter(pk=flow.pk).update(processor=None))


def test_flow_given_a_second_recipient_in_a_bulk_update_is_refused() -> None:
    flow = DataFlowFactory()
    body = ExternalRecipientFactory()

    refused_by_database(lambda: DataFlow.objects.filter(pk=flow.pk).update(body=body))


def test_flow_to_a_supplier_with_no_access_is_refused() -> None:
    flow = unsaved_flow(processor=ProcessorFactory(name="Smoothwall", role="no_access"))

    assert (
        "Smoothwall is marked “no access to personal data”" in (field_errors(flow)["processor"][0])
    )


def test_flow_leaves_an_offering_or_one_school_not_both() -> None:
    school = SchoolFactory()
    flow = unsaved_flow(
        authority=school.authority, processor=ProcessorFactory(), school=school,
        offering=OfferingFactory(authority=school.authority),
    )  # fmt: skip

    assert "school" in field_errors(flow)
    refused_by_database(flow.save)


@pytest.mark.parametrize(
    ("field", "make", "label"),
    [
        ("partner_service", PartnerServiceFactory, "service"),
        ("offering", OfferingFactory, "offering"),
        ("school", SchoolFactory, "school"),
        ("retention_rule", RetentionRuleFactory, "rule"),
    ],
)
def test_flow_with_a_record_of_another_organisation_is_refused(field, make, label) -> None:
    flow = unsaved_flow(processor=None if field == "partner_service" else ProcessorFactory())
    setattr(flow, field, make())

    assert field_errors(flow)[field] == [f"That {label} belongs to another organisation."]


def test_flow_to_another_organisations_recipient_is_refused() -> None:
    flow = unsaved_flow(body=ExternalRecipientFactory(authority=AuthorityFactory()))

    assert field_errors(flow)["body"] == ["That recipient belongs to another organisation."]


def test_flow_to_a_national_body_or_its_organisations_own_passes() -> None:
    flow = unsaved_flow(body=ExternalRecipientFactory())
    own = unsaved_flow(authority=flow.authority)
    own.body = ExternalRecipientFactory(authority=flow.authority)

    flow.full_clean()
    own.full_clean()


def test_flow_from_its_own_authoritys_school_passes() -> None:
    school = SchoolFactory()
    flow = unsaved_flow(authority=school.authority, processor=ProcessorFactory(), school=school)

    flow.full_clean()


@pytest.mark.parametrize(
    "recipient",
    [
        lambda school: {"processor": ProcessorFactory(school=school)},
        lambda school: {"body": ExternalRecipientFactory(school=school)},
    ],
    ids=["supplier", "recipient"],
)
def test_a_schools_own_recipient_receives_only_that_schools_flows(recipient) -> None:
    school = SchoolFactory()
    sibling = SchoolFactory(authority=school.authority)
    own = unsaved_flow(authority=school.authority, school=school, **recipient(school))
    from_sibling = unsaved_flow(authority=school.authority, school=sibling, **recipient(school))
    from_all = unsaved_flow(authority=school.authority, **recipient(school))

    own.full_clean()
    for flow in (from_sibling, from_all):
        errors = field_errors(flow)
        assert "only that school's own flows" in " ".join(errors.get("processor", [])
                                                           + errors.get("body", []))  # fmt: skip


# Subscriptions


def test_subscription_to_another_organisations_offering_is_refused() -> None:
    sub = Subscription(
        school=SchoolFactory(), offering=OfferingFactory(), start_date=datetime.date(2025, 9, 1)
    )

    assert field_errors(sub)["offering"] == ["That offering belongs to another organisation."]


def test_subscription_cannot_end_before_it_starts() -> None:
    school = SchoolFactory()
    sub = Subscription(
        school=school, offering=OfferingFactory(authority=school.authority),
        start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2025, 8, 31),
    )  # fmt: skip

    assert "end_date" in field_errors(sub)
    refused_by_database(sub.save)
