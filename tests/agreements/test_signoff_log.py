"""The sign-off log: publishing, superseding, signing and reminding each append an entry
chained by hash to the one before, so any later change to an entry is detected."""

import hashlib
import itertools
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from agreements.ledger import GENESIS, verify_chain
from agreements.models import SignOffEvent
from agreements.services import send_reminders
from tests.agreements.conftest import ARDEN, AVON, KINETON, STOUR

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def entries() -> list[SignOffEvent]:
    return list(SignOffEvent.objects.order_by("sequence"))


def tamper_as_the_database_owner() -> None:
    """Let this test alter the log as someone with the database owner's rights could.

    On PostgreSQL the trigger refuses it (test_immutability); its owner can disable it, so
    the hash chain must still tell. ALTER TABLE is transactional: it rolls back with the test.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE agreements_signoffevent "
                "DISABLE TRIGGER agreements_signoffevent_permanent"
            )


def test_publishing_superseding_and_signing_are_logged_in_order(world) -> None:
    log = entries()

    assert [(e.sequence, e.kind) for e in log] == [
        (1, "published"), (2, "signed"), (3, "superseded"), (4, "published"), (5, "signed"),
    ]  # fmt: skip
    assert set(log[0].payload["schools"]) == {AVON, ARDEN, KINETON, STOUR}
    assert log[2].payload["by_version"] == 2
    signed = log[4].payload
    signature = world.signature(world.arden_v2_signature)
    assert (signed["school"], signed["version"], signed["full_name"]) == (ARDEN, 2, "Lee Grant")
    assert signed["signed_pdf_sha256"] == signature.signed_pdf_sha256
    assert signed["pdf_sha256"] == world.version(2).pdf_sha256


def test_each_entry_holds_the_hash_of_the_one_before(world) -> None:
    log = entries()

    assert log[0].previous_hash == GENESIS
    for before, entry in itertools.pairwise(log):
        assert entry.previous_hash == before.entry_hash
    for entry in log:
        body = json.dumps(
            {
                "sequence": entry.sequence,
                "recorded_at": entry.recorded_at.isoformat(),
                "kind": entry.kind,
                "payload": entry.payload,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        expected = hashlib.sha256(f"{entry.previous_hash}\n{body}".encode()).hexdigest()
        assert entry.entry_hash == expected
    assert verify_chain().ok


def test_reminders_are_logged_on_the_chain(world) -> None:
    send_reminders(version=world.version(2))

    reminded = [e for e in entries() if e.kind == SignOffEvent.Kind.REMINDED]
    assert sorted(e.payload["school"] for e in reminded) == sorted([AVON, KINETON])
    check = verify_chain()
    assert (check.ok, check.entries) == (True, 7)


def test_verify_command_reports_an_intact_log(world) -> None:
    out = StringIO()

    call_command("verify_signoff_log", stdout=out)

    assert "Sign-off log intact: 5 entries." in out.getvalue()


def test_an_altered_entry_is_reported_by_the_check_and_the_command(world) -> None:
    tamper_as_the_database_owner()
    entry = SignOffEvent.objects.get(sequence=2)
    SignOffEvent.objects.filter(pk=entry.pk).update(
        payload={**entry.payload, "full_name": "Someone Else"}
    )

    check = verify_chain()

    assert (check.ok, check.entries, check.problem) == (False, 1, "entry #2 was altered")
    with pytest.raises(CommandError, match="entry #2 was altered"):
        call_command("verify_signoff_log", stdout=StringIO())


def test_a_removed_entry_is_reported(world) -> None:
    tamper_as_the_database_owner()
    SignOffEvent.objects.filter(sequence=3).delete()

    check = verify_chain()

    assert not check.ok
    assert check.problem == "entry #3 is missing"


def test_a_rewritten_chain_link_is_reported(world) -> None:
    tamper_as_the_database_owner()
    SignOffEvent.objects.filter(sequence=4).update(previous_hash="f" * 64)

    assert verify_chain().problem == "entry #4 does not follow the entry before it"


def test_staff_log_page_says_whether_the_chain_is_intact(world, staff_client) -> None:
    page = staff_client.get(reverse("admin:agreements_signoffevent_changelist"), follow=True)

    assert page.status_code == 200
    assert "Chain intact: 5 entries verified." in page.content.decode()
