"""`make bench`: every row of the performance issue against its limit, in one run, as ratios.

One world (``bench_common.World``: throwaway database, own Redis, own Celery worker), the
notice rows (``bench_notices``: rows 1-6, scaled by --schools) then the signing row
(``bench_agreements``: about --parties party schools), and one table: row, figure, limit,
ratio, goal, met?. With --json the rows are written there instead of printed, for
``--table`` to print after the rest of `make bench` (the verifier bench) has run.

    python scripts/bench_pipeline.py --schools 40
    python scripts/bench_pipeline.py --schools 40 --json rows.json && ... && \
        python scripts/bench_pipeline.py --table rows.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_agreements
import bench_notices
from bench_common import Row, load_rows, log, print_table, save_rows, world


def header(meta: dict) -> str:
    elapsed = time.time() - meta["started"]
    return (
        f"make bench, {meta['schools']} schools, measured {meta['when']} on {meta['cores']} cores "
        f"(load average at start {meta['load']}); rows 1-7 took {meta['seconds']:.0f} s, "
        f"{elapsed / 60:.1f} min so far"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=40, help="scales rows 1-4")
    parser.add_argument("--soak", type=int, default=0, help="more PDFs for row 5 (memory)")
    parser.add_argument("--parties", type=int, default=254, help="row 7's party schools")
    parser.add_argument("--signatures", type=int, default=10)
    parser.add_argument("--json", help="write the rows here instead of printing the table")
    parser.add_argument("--table", help="print the table of rows written by --json")
    args = parser.parse_args()
    if args.table:
        saved, meta = load_rows(args.table)
        print_table(saved, header=header(meta))
        return
    started = time.time()
    meta = {
        "started": started,
        "schools": args.schools,
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    rows: list[Row] = []
    with world() as bench:
        rows += bench_notices.run(bench, max(args.schools, 6), soak_pdfs=args.soak)
        log(f"row 7: signing with about {args.parties} party schools")
        rows += bench_agreements.run(args.parties, args.signatures)
    meta["seconds"] = time.time() - started
    if args.json:
        save_rows(args.json, rows, meta)
        log(f"rows written to {args.json}")
    else:
        print_table(rows, header=header(meta))


if __name__ == "__main__":
    main()
