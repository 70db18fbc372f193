"""Suppliers' rules (``processors.models``): data leaving the UK needs its safeguards, not
knowing is a gap staff see, and names are unique among shared suppliers and within a school."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from processors.models import Processor
from tests.factories import ProcessorFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def refused_by_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def field_errors(obj: models.Model) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_data_leaving_the_uk_needs_safeguards() -> None:
    processor = ProcessorFactory.build(data_leaves_uk="yes", transfer_safeguards="")

    assert "transfer_safeguards" in field_errors(processor)
    refused_by_database(processor.save)


def test_blank_safeguards_are_refused_by_validation() -> None:
    processor = ProcessorFactory.build(data_leaves_uk="yes", transfer_safeguards="   ")

    assert "transfer_safeguards" in field_errors(processor)


@pytest.mark.parametrize("leaves", ["no", "unknown"])
def test_data_kept_in_the_uk_or_not_known_needs_no_safeguards(leaves: str) -> None:
    ProcessorFactory.build(data_leaves_uk=leaves, transfer_safeguards="").full_clean()


def test_processor_moved_abroad_in_a_bulk_update_is_refused() -> None:
    processor = ProcessorFactory()

    refused_by_database(
        lambda: Processor.objects.filter(pk=processor.pk).update(data_leaves_uk="yes")
    )


def test_not_knowing_whether_data_leaves_the_uk_is_a_gap() -> None:
    assert (
        "whether data leaves the UK"
        in ProcessorFactory.build(data_leaves_uk="unknown").missing_details
    )
    assert ProcessorFactory.build(data_leaves_uk="no").missing_details == []


def test_shared_supplier_names_are_unique_but_a_school_may_reuse_one() -> None:
    ProcessorFactory(name="Seesaw")
    twin = ProcessorFactory.build(name="Seesaw")
    schools_own = ProcessorFactory.build(name="Seesaw", school=SchoolFactory())

    assert "A supplier of this name exists." in str(field_errors(twin))
    refused_by_database(twin.save)
    schools_own.full_clean()
