"""Benchmark agreements: publish, sign and seal, verify, staff's sign-off page, the log.

Runs on a throwaway SQLite database and media folder (never yours), with N schools like the
demo's Warwickshire ones (all party to its agreement, as are the three they copy): publishes
version 1, signs it for K schools as their DPOs, verifies each signed copy, and times the staff
sign-off status for all N + 3 schools and the log check.

    python scripts/bench_agreements.py --schools 120 --signatures 20
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_notices import clone_schools, setup  # noqa: E402


def timed(func, *args, **kwargs):
    t0 = time.perf_counter()
    result = func(*args, **kwargs)
    return result, (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=120)
    parser.add_argument("--signatures", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        import os

        os.environ["SEAL_DEV_DIR"] = f"{workdir}/seal"
        setup(workdir)
        run(args.schools, args.signatures)


def run(school_count: int, signature_count: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements.ledger import verify_chain
    from agreements.models import AgreementVersion
    from agreements.seal import seal_identity
    from agreements.services import publish_version, signoff_status
    from agreements.signing import sign_agreement, verify_signed_copy
    from governance.models import User

    # The demo agreement is Warwickshire's: its party schools are Warwickshire's schools.
    clone_schools(school_count, authority="Warwickshire County Council")
    staff = User.objects.create_user("bench-staff", is_staff=True)
    draft = AgreementVersion.objects.get(status=AgreementVersion.Status.DRAFT)
    _, pki_ms = timed(seal_identity)
    version, publish_ms = timed(publish_version, version=draft, user=staff)
    requests = list(version.requests.select_related("school")[:signature_count])
    sign_ms, verify_ms, sizes = [], [], []
    for request in requests:
        dpo = User.objects.create_user(f"dpo-{request.school.urn}")
        dpo.schools.add(request.school)
        result, ms = timed(
            sign_agreement, version=version, school=request.school, user=dpo,
            full_name="Bench Signer", position="DPO", declaration_ticked=True,
            shown_sha256=version.pdf_sha256, ip_address="127.0.0.1", user_agent="bench",
        )  # fmt: skip
        sign_ms.append(ms)
        data = result.signature.signed_pdf.read()
        sizes.append(len(data))
        verdict, ms = timed(verify_signed_copy, data)
        assert verdict.authentic, verdict.reason
        verify_ms.append(ms)
    with CaptureQueriesContext(connection) as queries:
        rows, status_ms = timed(signoff_status, version)
    chain, chain_ms = timed(verify_chain)
    print(f"party schools asked to sign:      {version.requests.count()}")
    print(f"development PKI (first use) ms:   {pki_ms:.0f}")
    print(
        f"publish (content, PDF, round) ms: {publish_ms:.0f}; PDF {version.pdf.size / 1024:.0f} KB"
    )
    print(f"sign + seal median / max ms:      {statistics.median(sign_ms):.0f} / {max(sign_ms):.0f}"
          f" over {len(sign_ms)} signatures")  # fmt: skip
    print(f"signed copy median KB:            {statistics.median(sizes) / 1024:.0f}")
    print(f"verify median ms:                 {statistics.median(verify_ms):.0f}")
    print(f"sign-off status for {len(rows)} schools: {status_ms:.0f} ms, "
          f"{len(queries)} queries")  # fmt: skip
    print(f"log chain check ({chain.entries} entries):   {chain_ms:.0f} ms, intact={chain.ok}")


if __name__ == "__main__":
    main()
