"""One signed-off world for every agreements test: publishing and sealing are slow, so they
happen once for the package and each test reads (and writes, rolled back) on top of it.

The world: the demo loaded, plus Kineton Brook, a Warwickshire school whose DPO has an
address (the demo's three Warwickshire schools are Avon Meadow, Arden Heath and Stour Valley,
which has no DPO address); version 1 published and signed for Avon Meadow; version 2 published
with a changed purpose clause (superseding version 1) and signed for Arden Heath. Kineton Brook
and Stour Valley have signed nothing.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from agreements.models import AgreementVersion, Signature
from agreements.services import save_draft, start_draft
from governance.demo import load_demo
from governance.models import Authority, School
from governance.portal.views import AUTH_AT
from tests.conftest import held_settings
from tests.factories import SchoolFactory, UserFactory, dpo_of, publish_demo_agreement, sign

AVON, ARDEN, KINETON, STOUR = "999101", "999102", "999103", "999104"
KINETON_NAME = "Kineton Brook Primary School"
KINETON_DPO = "dpo@kinetonbrook.example.org"
# The demo's Welsh school, now Wrexham's: never a party to Warwickshire's agreement.
BRYN_DERW = "6669901"
NEW_PURPOSE = (
    "The purpose of this agreement is to share pupil data securely so that the authority's "
    "services can support every child's learning and welfare."
)


@dataclass(frozen=True)
class World:
    """Primary keys of the shared world (re-read objects in each test: they are not shared)."""

    agreement_id: int
    v1: int
    v2: int
    avon_v1_signature: int
    arden_v2_signature: int

    def version(self, number: int) -> AgreementVersion:
        return AgreementVersion.objects.select_related("agreement__authority").get(
            agreement_id=self.agreement_id, number=number
        )

    def signature(self, pk: int) -> Signature:
        return Signature.objects.select_related("version__agreement", "school").get(pk=pk)


def next_draft(agreement, summary: str = "The registry changed.") -> AgreementVersion:
    """Start the agreement's next version with a summary of changes, ready to publish."""
    draft = start_draft(agreement=agreement)
    draft.change_summary = summary
    return save_draft(version=draft)


def school(urn: str) -> School:
    return School.objects.get(urn=urn)


def on_postgresql() -> None:
    """Skip unless the database is PostgreSQL, where migration 0002 installs the triggers."""
    if connection.vendor != "postgresql":
        pytest.skip("the immutability triggers exist only on PostgreSQL (migration 0002)")


def portal_client(user, *, authenticated_ago: float = 0, client_class: type = Client) -> Any:
    """A browser signed in to the portal as ``user``, who typed a password that long ago
    (``client_class``: Django's test client, or DRF's for the API)."""
    client = client_class()
    client.force_login(user)
    session = client.session
    session[AUTH_AT] = time.time() - authenticated_ago
    session.save()
    return client


@pytest.fixture(scope="package")
def _package_settings(tmp_path_factory, _dev_seal_dir) -> Iterator[None]:
    """What the per-test autouse fixtures set, held for the package so the shared world's
    files (PDFs, signed copies) stay where every test's storage looks for them."""
    with held_settings(tmp_path_factory.mktemp("agreements-media"), _dev_seal_dir):
        yield


@pytest.fixture(autouse=True)
def _private_files(_package_settings) -> None:
    """Override the per-test media folder: keep the package's, which holds the world's PDFs."""


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, _package_settings) -> Iterator[World]:
    """Build the shared world once, in a transaction rolled back after the package."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        SchoolFactory(
            authority=Authority.objects.get(name="Warwickshire County Council"),
            urn=KINETON, dfe_number="937/9103", name=KINETON_NAME, dpo_email=KINETON_DPO,
        )  # fmt: skip
        publisher = UserFactory(
            username="publisher", is_staff=True, is_superuser=True, email="publisher@example.org"
        )
        v1 = publish_demo_agreement(by=publisher)
        avon, arden = school(AVON), school(ARDEN)
        avon_sig = sign(v1, avon, dpo_of(avon, username="avon-dpo"), full_name="Ann Avon")
        draft = start_draft(agreement=v1.agreement)
        draft.purpose = NEW_PURPOSE
        draft.change_summary = "The purpose is shorter."
        save_draft(version=draft)
        v2 = publish_demo_agreement(by=publisher)
        arden_sig = sign(v2, arden, dpo_of(arden, username="arden-dpo"), full_name="Lee Grant")
        with django_db_blocker.block():
            yield World(
                agreement_id=v1.agreement_id,
                v1=v1.pk,
                v2=v2.pk,
                avon_v1_signature=avon_sig.signature.pk,
                arden_v2_signature=arden_sig.signature.pk,
            )
        transaction.set_rollback(True)
