"""The school's own register (``governance.models.register``): public bodies and other
recipients, purposes and systems. Each belongs to the country, an organisation or one of its
schools; each rule refuses bad data in the database and in validation, on the field."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from governance.models import ExternalRecipient, Purpose, StorageSystem
from tests.factories import (
    AuthorityFactory,
    ExternalRecipientFactory,
    ProcessorFactory,
    PurposeFactory,
    SchoolFactory,
    StorageSystemFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def field_errors(obj: models.Model) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    "build",
    [
        lambda school: ExternalRecipientFactory.build(authority=AuthorityFactory(), school=school),
        lambda school: PurposeFactory.build(authority=AuthorityFactory(), school=school),
        lambda school: StorageSystemFactory.build(authority=AuthorityFactory(), school=school),
    ],
    ids=["recipient", "purpose", "system"],
)
def test_a_record_of_a_school_of_another_organisation_is_refused(build) -> None:
    record = build(SchoolFactory())

    assert field_errors(record)["school"] == ["That school belongs to another organisation."]


def test_a_schools_own_recipient_takes_the_schools_organisation() -> None:
    school = SchoolFactory()
    recipient = ExternalRecipient(
        kind="controller", name="Our auditors", why="Audit.", school=school
    )

    recipient.full_clean()

    assert recipient.authority_id == school.authority_id


def test_a_schools_recipient_without_an_organisation_is_refused_by_the_database() -> None:
    recipient = ExternalRecipientFactory.build(school=SchoolFactory(), authority=None)

    refused_by_database(recipient.save)


def test_only_a_national_public_body_receives_from_every_school() -> None:
    national_schools = ExternalRecipientFactory.build(kind="schools", scope="every_school")
    public_body = ExternalRecipientFactory.build(scope="every_school")

    assert "scope" in field_errors(national_schools)
    public_body.full_clean()


def test_national_recipient_names_are_unique() -> None:
    ExternalRecipientFactory(name="Department of Examples")
    twin = ExternalRecipientFactory.build(name="Department of Examples")
    organisations = ExternalRecipientFactory.build(
        name="Department of Examples", authority=AuthorityFactory()
    )

    assert "A national body of this name exists." in str(field_errors(twin))
    refused_by_database(twin.save)
    organisations.full_clean()


@pytest.mark.parametrize(
    ("supplier", "in_house"), [(True, True), (False, False)], ids=["both", "neither"]
)
def test_a_system_is_run_by_a_supplier_or_in_house(supplier: bool, in_house: bool) -> None:
    system = StorageSystemFactory.build(
        authority=AuthorityFactory(), supplier=ProcessorFactory() if supplier else None,
        in_house=in_house,
    )  # fmt: skip

    assert "supplier" in field_errors(system)
    refused_by_database(system.save)


def test_a_system_losing_its_supplier_in_a_bulk_update_is_refused() -> None:
    system = StorageSystemFactory(supplier=ProcessorFactory())

    refused_by_database(lambda: StorageSystem.objects.filter(pk=system.pk).update(supplier=None))


def test_a_purpose_needs_an_organisation() -> None:
    purpose = Purpose(description="To teach")

    assert "authority" in field_errors(purpose)


def test_a_schools_own_supplier_runs_only_that_schools_systems() -> None:
    school = SchoolFactory()
    supplier = ProcessorFactory(school=school)
    own = StorageSystemFactory.build(school=school, supplier=supplier, in_house=False)
    shared = StorageSystemFactory.build(
        authority=school.authority, supplier=supplier, in_house=False
    )

    own.full_clean()
    assert "only that school's own systems" in field_errors(shared)["supplier"][0]
