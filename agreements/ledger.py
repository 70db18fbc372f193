"""The sign-off log: append-only entries, each holding the hash of the one before.

Altering, removing or reordering any entry breaks every hash after it, which
``verify_chain`` (and ``manage.py verify_signoff_log``) reports with the first bad entry.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from agreements.models import SignOffEvent

GENESIS = "0" * 64
# Serialises appends on PostgreSQL for the length of the appending transaction.
_ADVISORY_LOCK_KEY = 0x5349474E  # "SIGN"


def entry_hash(
    *, previous_hash: str, sequence: int, recorded_at: str, kind: str, payload: Any
) -> str:
    """Return the SHA-256 chaining one entry to the previous one."""
    body = json.dumps(
        {"sequence": sequence, "recorded_at": recorded_at, "kind": kind, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()


def append_event(*, kind: str, payload: dict[str, Any]) -> SignOffEvent:
    """Append an event to the log, chained to the last entry (inside the caller's transaction)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        last = SignOffEvent.objects.order_by("-sequence").first()
        previous_hash = last.entry_hash if last else GENESIS
        sequence = last.sequence + 1 if last else 1
        recorded_at = timezone.now()
        payload = json.loads(json.dumps(payload, default=str))
        digest = entry_hash(
            previous_hash=previous_hash,
            sequence=sequence,
            recorded_at=recorded_at.isoformat(),
            kind=kind,
            payload=payload,
        )
        return SignOffEvent.objects.create(
            sequence=sequence,
            recorded_at=recorded_at,
            kind=kind,
            payload=payload,
            previous_hash=previous_hash,
            entry_hash=digest,
        )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    problem: str = ""


def verify_chain() -> ChainCheck:
    """Recompute every entry's hash in order; report the first entry that does not fit."""
    expected_previous = GENESIS
    count = 0
    for count, event in enumerate(SignOffEvent.objects.order_by("sequence").iterator(), start=1):
        if event.sequence != count:
            return ChainCheck(False, count - 1, f"entry #{count} is missing")
        if event.previous_hash != expected_previous:
            return ChainCheck(
                False, count - 1, f"entry #{event.sequence} does not follow the entry before it"
            )
        digest = entry_hash(
            previous_hash=event.previous_hash,
            sequence=event.sequence,
            recorded_at=event.recorded_at.isoformat(),
            kind=event.kind,
            payload=event.payload,
        )
        if digest != event.entry_hash:
            return ChainCheck(False, count - 1, f"entry #{event.sequence} was altered")
        expected_previous = event.entry_hash
    return ChainCheck(True, count)
