"""On PostgreSQL the database itself refuses to change what was issued, whatever issues the
SQL (the ORM, a queryset update, raw SQL): issued versions, signatures and the sign-off log.
The one change allowed is an issued version going from published to superseded."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agreements.models import AgreementVersion, Signature, SignOffEvent
from agreements.services import start_draft
from tests.agreements.conftest import on_postgresql

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    on_postgresql()


def refused(match: str = "cannot be changed"):
    """Expect the trigger's refusal (SQLSTATE 23001, an IntegrityError), in a savepoint so the
    test's transaction survives it."""
    return pytest.raises(IntegrityError, match=match)


def test_the_triggers_are_installed() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'agreements_%%' AND NOT tgisinternal"
        )
        names = {row[0] for row in cursor.fetchall()}

    assert names == {
        "agreements_version_immutable",
        "agreements_signature_permanent",
        "agreements_signoffevent_permanent",
    }


@pytest.mark.parametrize("number", [1, 2], ids=["superseded", "published"])
def test_updating_an_issued_versions_clause_is_refused(world, number) -> None:
    pk = world.version(number).pk

    with refused(), transaction.atomic():
        AgreementVersion.objects.filter(pk=pk).update(purpose="Rewritten in SQL.")

    assert AgreementVersion.objects.get(pk=pk).purpose != "Rewritten in SQL."


def test_updating_a_published_versions_fingerprint_with_raw_sql_is_refused(world) -> None:
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_agreementversion SET pdf_sha256 = %s WHERE id = %s",
            ["0" * 64, world.v2],
        )

    assert world.version(2).pdf_sha256 != "0" * 64


def test_saving_a_published_version_through_the_orm_is_refused(world) -> None:
    version = world.version(2)
    version.change_summary = "Edited after publication."

    with refused(), transaction.atomic():
        version.save()


def test_turning_an_issued_version_back_into_a_draft_is_refused(world) -> None:
    with refused(), transaction.atomic():
        AgreementVersion.objects.filter(pk=world.v1).update(status="draft")

    assert world.version(1).status == AgreementVersion.Status.SUPERSEDED


def test_superseding_while_changing_anything_else_is_refused(world) -> None:
    with refused(), transaction.atomic():
        AgreementVersion.objects.filter(pk=world.v2).update(
            status="superseded", superseded_at=timezone.now(), purpose="Sneaked in."
        )

    assert world.version(2).status == AgreementVersion.Status.PUBLISHED


def test_a_published_version_can_be_superseded(world) -> None:
    now = timezone.now()

    AgreementVersion.objects.filter(pk=world.v2).update(status="superseded", superseded_at=now)

    version = world.version(2)
    assert (version.status, version.superseded_at) == ("superseded", now)


def test_publishing_the_next_version_superseded_the_previous_under_the_trigger(world) -> None:
    assert world.version(1).status == AgreementVersion.Status.SUPERSEDED
    assert world.version(1).superseded_at is not None


@pytest.mark.parametrize("number", [1, 2], ids=["superseded", "published"])
def test_deleting_an_issued_version_with_raw_sql_is_refused(world, number) -> None:
    pk = world.version(number).pk

    with refused("cannot be deleted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM agreements_agreementversion WHERE id = %s", [pk])

    assert AgreementVersion.objects.filter(pk=pk).exists()


def test_deleting_an_issued_version_through_the_orm_is_refused(world) -> None:
    """A version nothing refers to, so only the trigger stands in the way of the delete."""
    v2 = world.version(2)
    lone = AgreementVersion.objects.create(
        agreement=v2.agreement, number=7, status=AgreementVersion.Status.SUPERSEDED,
        purpose="p", use_of_information="u", security="s", changes="c",
        review_date=v2.review_date, content={}, content_hash="c" * 64, pdf="lone.pdf",
        pdf_sha256="d" * 64, published_at=timezone.now(),
    )  # fmt: skip

    with refused("cannot be deleted"), transaction.atomic():
        AgreementVersion.objects.filter(pk=lone.pk).delete()

    assert AgreementVersion.objects.filter(pk=lone.pk).exists()


def test_a_draft_can_still_be_edited_and_deleted(world) -> None:
    draft = start_draft(agreement=world.version(2).agreement)

    AgreementVersion.objects.filter(pk=draft.pk).update(purpose="Still a draft.")
    AgreementVersion.objects.filter(pk=draft.pk).delete()

    assert not AgreementVersion.objects.filter(pk=draft.pk).exists()


def test_updating_a_signature_is_refused(world) -> None:
    pk = world.arden_v2_signature

    with refused("permanent"), transaction.atomic():
        Signature.objects.filter(pk=pk).update(full_name="Someone Else")
    with refused("permanent"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_signature SET ip_address = '198.51.100.1' WHERE id = %s", [pk]
        )

    signature = world.signature(pk)
    assert (signature.full_name, signature.ip_address) == ("Lee Grant", "192.0.2.10")


def test_deleting_a_signature_is_refused(world) -> None:
    pk = world.arden_v2_signature

    with refused("permanent"), transaction.atomic():
        Signature.objects.filter(pk=pk).delete()

    assert Signature.objects.filter(pk=pk).exists()


def test_updating_a_log_entry_is_refused(world) -> None:
    entry = SignOffEvent.objects.get(sequence=2)

    with refused("permanent"), transaction.atomic():
        SignOffEvent.objects.filter(pk=entry.pk).update(payload={"forged": True})
    with refused("permanent"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_signoffevent SET kind = 'reminded' WHERE id = %s", [entry.pk]
        )

    assert SignOffEvent.objects.get(pk=entry.pk).payload == entry.payload


def test_deleting_a_log_entry_is_refused(world) -> None:
    with refused("permanent"), transaction.atomic():
        SignOffEvent.objects.filter(sequence=5).delete()

    assert SignOffEvent.objects.filter(sequence=5).exists()
