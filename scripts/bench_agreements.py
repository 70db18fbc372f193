"""Benchmark agreements: publish, sign and seal (split by stage), verify, sign-off status, log.

Runs in a world of its own (``bench_common.World``), with the demo's Warwickshire agreement
and enough schools like its Warwickshire ones to make about ``--parties`` party schools:
publishes version 1, signs it for K schools as their DPOs (``agreements.signing
.sign_agreement``: the sign-off page laid out on its own, appended to the stored PDF, sealed),
verifies each signed copy, and times the staff sign-off status and the log check.

    python scripts/bench_agreements.py --parties 254 --signatures 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (
    CLONES,
    NOISY,
    Load,
    Row,
    Stages,
    clone_schools,
    load_demo_world,
    log,
    print_table,
    world,
    wrap_weasyprint,
)

AUTHORITY = "Warwickshire County Council"
GOAL_MS = 300.0


def timed(func: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = func(*args, **kwargs)
    return result, (time.perf_counter() - t0) * 1000


def instrument() -> Stages:
    """The signing stages, by the names ``agreements.signing`` and its ``SignedCopy`` use (a
    stage they no longer have is left out), and WeasyPrint's layout and write inside the
    sign-off page render."""
    from agreements.signed_copy import SignedCopy

    stages = Stages()
    wrap_weasyprint(stages)
    for attribute, name in [
        ("render_signoff_pdf", "sign-off page render"),
        ("seal_writer", "seal"),
        ("seal_identity", "seal identity"),
    ]:
        stages.wrap_module("agreements.signing", attribute, name)
    for attribute, name in [
        ("__init__", "open"),  # the stored PDF opened for the update: its cross-references
        ("page_count", "page count"),
        ("append_signoff", "append"),
    ]:
        stages.wrap(SignedCopy, attribute, name)
    return stages


def run(parties: int, signature_count: int) -> list[Row]:
    """Clone schools up to ``parties`` party schools, publish, sign; return row 7."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements.ledger import verify_chain
    from agreements.models import AgreementVersion
    from agreements.seal import seal_identity
    from agreements.services import publish_version, signoff_status
    from agreements.signing import sign_agreement, verify_signed_copy
    from governance.models import School, User

    present = School.objects.filter(authority__name=AUTHORITY).count()
    if present < parties:
        start = School.objects.filter(**CLONES).count()
        clone_schools(parties - present, authority=AUTHORITY, start=start)
    staff = User.objects.create_user("bench-staff", is_staff=True)
    draft = AgreementVersion.objects.get(status=AgreementVersion.Status.DRAFT)
    _, pki_ms = timed(seal_identity)
    version, publish_ms = timed(publish_version, version=draft, user=staff)
    requests = list(version.requests.select_related("school")[: signature_count + 1])
    stages = instrument()
    sign_ms, verify_ms, sizes = [], [], []
    load = Load(own=1.1)
    for index, request in enumerate(requests):
        dpo = User.objects.create_user(f"dpo-{request.school.urn}")
        dpo.schools.add(request.school)
        bucket = "warm-up" if index == 0 else "sign"  # the first also loads the sign-off CSS
        with stages.active(bucket), stages.time_queries():
            result, ms = timed(
                sign_agreement, version=version, school=request.school, user=dpo,
                full_name="Bench Signer", position="DPO", declaration_ticked=True,
                shown_sha256=version.pdf_sha256, ip_address="127.0.0.1", user_agent="bench",
            )  # fmt: skip
        data = result.signature.signed_pdf.read()
        if index:
            sign_ms.append(ms)
            sizes.append(len(data))
        if index <= 3:
            verdict, ms = timed(verify_signed_copy, data)
            assert verdict.authentic, verdict.reason
            verify_ms.append(ms)
    stages.undo()
    others = load.others()
    with CaptureQueriesContext(connection) as queries:
        rows, status_ms = timed(signoff_status, version)
    chain, chain_ms = timed(verify_chain)
    n = len(sign_ms)
    median = statistics.median(sign_ms)
    inclusive = stages.per_call("sign", n, inclusive=True)
    exclusive = stages.per_call("sign", n)
    top = ["open", "page count", "sign-off page render", "append", "seal", "storage save", "db"]
    split = {name: inclusive[name] for name in top if name in inclusive}
    split["other"] = statistics.fmean(sign_ms) - sum(split.values())
    inside = {k: exclusive[k] for k in ("layout", "write_pdf") if k in exclusive}
    notes = [
        f"{version.requests.count()} party schools; {n} signatures after one warm-up; "
        f"median {median:.0f} ms, max {max(sign_ms):.0f} ms; mean by stage: "
        + ", ".join(f"{k} {v:.0f}" for k, v in split.items())
        + " ms (of the render: "
        + ", ".join(f"{k} {v:.0f}" for k, v in inside.items())
        + " ms)",
        f"publish (content, whole agreement PDF, round) {publish_ms:.0f} ms, PDF "
        f"{version.pdf.size / 1024:.0f} KB; development PKI (first use) {pki_ms:.0f} ms",
        f"signed copy median {statistics.median(sizes) / 1024:.0f} KB; verify median "
        f"{statistics.median(verify_ms):.0f} ms; sign-off status for {len(rows)} schools "
        f"{status_ms:.0f} ms, {len(queries)} queries; log chain ({chain.entries} entries) "
        f"{chain_ms:.0f} ms, intact={chain.ok}",
        f"machine: {load.runnable():.1f} runnable processes on average while signing (its own: "
        f"~1; others: {others:.1f})",
    ]
    return [
        Row(f"7 sign + seal, {version.requests.count()} parties", f"{median:.0f} ms median",
            f"{GOAL_MS:.0f} ms", median / GOAL_MS, "< 300 ms", median < GOAL_MS, notes,
            noisy=others > NOISY),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=254)
    parser.add_argument("--signatures", type=int, default=10)
    args = parser.parse_args()
    with world(redis=False) as bench:
        log(f"database: {bench.vendor}")
        load_demo_world()
        rows = run(args.parties, args.signatures)
    print_table(rows)


if __name__ == "__main__":
    main()
