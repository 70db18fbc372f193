"""Load test: the public pages, a PDF, search, the portal home and the verifier under gunicorn,
each against a static file served by the same server.

Builds a throwaway world (SQLite in a temporary folder; with DATABASE_URL set to PostgreSQL, a
database of its own with a unique name, dropped at the end): migrates, loads the demo registry,
clones it to N more schools (all published), renders the notices of the demo schools and of a
sample of the clones only (rendering all 500 would take minutes: the pages read one school at a
time, so a sample is what they need), publishes the demo agreement (its party schools are asked
to sign) and signs in two DPOs, of 1 and of 20 party schools. Then starts its own gunicorn
(production settings, sync workers, on a free loopback port) and its own redis-server for the
cache when one is on PATH, as scripts/bench_verifier.py does, and for each page runs a bounded
load (wrk: --seconds, --connections; loopback only) and prints req/s, p50/p95/p99 and the ratio
to a static file (WhiteNoise, same server), loaded for half as long just before each page: on
shared cores the static rate drifts too much in minutes for one reference to serve them all.

The verifier is measured on its real path (a sealed PDF validated per request): the run raises
VERIFY_RATE_LIMIT so the per-address throttle (429) does not answer instead.

    python scripts/loadtest.py --schools 250 --seconds 10 --connections 8
"""

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_verifier import (  # noqa: E402
    BIN,
    VERIFY,
    free_port,
    multipart,
    request,
    sealed_pdf,
    server_environment,
    start_redis,
    wait_until_up,
)

LUA = ROOT / "scripts" / "loadtest" / "page.lua"
STATIC = "/static/site/site.css"
# A static file about a notice PDF's size (~60-80 KB), to tell the bytes from the view.
STATIC_PDF_SIZED = "/static/admin/js/vendor/select2/select2.full.min.js"
# One row of a plan: method, path, body file (or None) and headers.
Row = tuple[str, str, str | None, dict[str, str]]


# -- the world, built in a process with the server's own settings ------------------------------


def prepare_world(clones: int, sample: int, out: Path) -> None:
    """Load the demo, clone it, render a sample, publish the agreement, sign in two DPOs;
    write what the pages need to ``out`` (JSON). Runs with the server's environment."""
    import django

    django.setup()
    from bench_common import clone_schools, load_demo_world
    from django.conf import settings
    from django.test import Client

    from agreements.models import AgreementVersion
    from agreements.services import publish_version
    from governance.models import School, User
    from notices.models import NoticeVersion
    from notices.services import refresh_school_notices

    load_demo_world()
    made = clone_schools(clones)
    step = max(len(made) // max(sample, 1), 1)
    sampled = made[::step][:sample]
    demo = list(School.objects.exclude(pk__in=[s.pk for s in made]))
    for school in [*demo, *sampled]:
        refresh_school_notices(school=school)
    staff = User.objects.create_user("loadtest-staff", is_staff=True, is_superuser=True)
    draft = AgreementVersion.objects.filter(status=AgreementVersion.Status.DRAFT).first()
    party = []
    if draft is not None:
        version = publish_version(version=draft, user=staff)
        party = list(School.objects.filter(signoff_requests__version=version).order_by("urn"))
    party = party or list(School.objects.order_by("urn"))
    cookies = {}
    for count in (1, 20):
        dpo = User.objects.create_user(f"loadtest-dpo-{count}")
        dpo.schools.add(*party[:count])
        client = Client()
        client.force_login(dpo)
        cookies[str(count)] = client.cookies[settings.SESSION_COOKIE_NAME].value
    issued = NoticeVersion.objects.rendered().select_related("school").order_by("school__urn")
    notices = [(v.school.urn, v.audience, v.number) for v in issued]
    sizes = [v.pdf_size or 0 for v in issued]
    some = made[len(made) // 2] if made else demo[0]
    world = {
        "schools": School.objects.count(),
        "rendered": len(notices),
        "pdf_kb": sum(sizes) / max(len(sizes), 1) / 1024,
        "notices": [f"/schools/{urn}/privacy/{audience}/" for urn, audience, _ in notices],
        "versions": [f"/schools/{u}/privacy/{a}/v{n}/" for u, a, n in notices],
        "pdfs": [f"/schools/{urn}/privacy/{audience}.pdf" for urn, audience, _ in notices],
        "searches": [
            f"/schools/?q={urllib.parse.quote(q)}"
            for q in ("Primary", some.postcode.split()[0], some.urn, some.name[:12])
        ],
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": cookies,
        "dpo_schools": {"1": len(party[:1]), "20": len(party[:20])},
    }
    out.write_text(json.dumps(world))


# -- the throwaway database --------------------------------------------------------------------


@contextmanager
def own_database(workdir: str) -> Iterator[str]:
    """Yield the URL of an empty database of the run's own; drop it at the end."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        yield f"sqlite:///{workdir}/loadtest.sqlite3"
        return
    import psycopg

    name = f"loadtest_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *command, "-v", "0"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def build_world(env: dict[str, str], args: argparse.Namespace, workdir: str) -> dict[str, Any]:
    # The jobs the demo queues run in process while preparing: no worker, no broker.
    local = {key: value for key, value in env.items() if key != "REDIS_URL"}
    manage(local, "migrate", "--no-input")
    manage(local, "collectstatic", "--no-input")
    out = Path(workdir, "world.json")
    subprocess.run(
        [sys.executable, __file__, "--prepare", str(out), "--schools", str(args.schools),
         "--sample", str(args.sample)],
        cwd=ROOT, env=local, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    world: dict[str, Any] = json.loads(out.read_text())
    return world


# -- load --------------------------------------------------------------------------------------


def write_plan(rows: list[Row], path: Path) -> Path:
    lines = []
    for method, target, body, headers in rows:
        fields = [method, target, body or "-", *(f"{k}: {v}" for k, v in headers.items())]
        lines.append("\t".join(fields))
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk_load(port: int, plan: Path, seconds: int, connections: int, threads: int) -> dict:
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(plan)],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{"))
    result: dict = json.loads(line)
    return result


def _python_client(port: int, rows: list[Row], deadline: float, queue: Any) -> None:
    times, statuses, turn = [], 0, 0
    bodies = {body: Path(body).read_bytes() for _, _, body, _ in rows if body}
    while time.monotonic() < deadline:
        method, target, body, headers = rows[turn % len(rows)]
        turn += 1
        started = time.perf_counter()
        try:
            status = request(port, method, target, bodies.get(body or "", b""), headers)[0]
        except OSError:
            status = 0
        times.append((time.perf_counter() - started) * 1e6)
        statuses += not 200 <= status < 400
    queue.put((times, statuses))


def python_load(port: int, rows: list[Row], seconds: int, connections: int) -> dict:
    """The fallback when wrk is missing: one process per connection, a new connection per
    request (gunicorn's sync workers close each anyway). Python's own CPU on the same cores
    caps the fast pages, so their ratios are lower bounds."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    deadline = time.monotonic() + seconds
    clients = [
        multiprocessing.Process(target=_python_client, args=(port, rows, deadline, queue))
        for _ in range(connections)
    ]
    for client in clients:
        client.start()
    results = [queue.get(timeout=seconds + 120) for _ in clients]
    for client in clients:
        client.join()
    times = sorted(t for part, _ in results for t in part)
    cut = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return {
        "requests": len(times), "duration_us": seconds * 1e6,
        "status_errors": sum(s for _, s in results), "connect_errors": 0, "read_errors": 0,
        "write_errors": 0, "timeouts": 0, "p50_us": cut[49], "p95_us": cut[94],
        "p99_us": cut[98], "max_us": times[-1] if times else 0,
    }  # fmt: skip


def checked(port: int, rows: list[Row], expect: tuple[int, ...]) -> None:
    """Send each request once; stop if one does not answer as a real client would see."""
    for method, target, body, headers in rows:
        data = Path(body).read_bytes() if body else b""
        status = request(port, method, target, data, headers)[0]
        if status not in expect:
            raise SystemExit(f"{method} {target} answered {status}, not {expect}")


def etag_rows(port: int, rows: list[Row]) -> list[Row]:
    """The same requests revalidating: If-None-Match with the ETag each one answered."""
    revalidating = []
    for method, target, body, headers in rows:
        etag = request(port, method, target, b"", headers)[2].get("ETag")
        if etag:
            revalidating.append((method, target, body, {**headers, "If-None-Match": etag}))
    return revalidating


# -- the run -----------------------------------------------------------------------------------


def get(path: str, headers: dict[str, str] | None = None) -> Row:
    return ("GET", path, None, headers or {})


def pages(world: dict, port: int, workdir: str, pdf: bytes) -> list[tuple[str, list[Row]]]:
    body, content_type = multipart(pdf)
    upload = Path(workdir, "verify-body")
    upload.write_bytes(body)
    sessions = world["sessions"]
    portal = {
        count: [get("/portal/", {"Cookie": f"{world['cookie']}={sessions[count]}"})]
        for count in sessions
    }
    notice = [get(path) for path in world["notices"]]
    pdfs = [get(path) for path in world["pdfs"]]
    pdf_sized = len(request(port, "GET", STATIC_PDF_SIZED)[1])
    verify: Row = ("POST", VERIFY, str(upload), {"Content-Type": content_type})
    return [
        ("static file (WhiteNoise) itself", [get(STATIC)]),
        ("notice page, current URL", notice),
        ("notice page, numbered version", [get(path) for path in world["versions"]]),
        ("notice page, 304 (If-None-Match)", etag_rows(port, notice)),
        ("PDF download, current URL", pdfs),
        ("PDF download, 304 (If-None-Match)", etag_rows(port, pdfs)),
        (f"static file of {pdf_sized // 1024} KB (a PDF's size)", [get(STATIC_PDF_SIZED)]),
        ("/schools/?q= search", [get(path) for path in world["searches"]]),
        (f"portal home, DPO of {world['dpo_schools']['1']} school", portal["1"]),
        (f"portal home, DPO of {world['dpo_schools']['20']} schools", portal["20"]),
        ("verifier: POST a sealed PDF", [verify]),
    ]


def measure(port: int, args: argparse.Namespace, workdir: str, world: dict, pdf: bytes) -> None:
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    load: Callable[[list[Row], int], dict]
    if use_wrk:
        print(f"load: wrk, {args.threads} thread(s), {args.connections} connections")

        def load(rows: list[Row], seconds: int) -> dict:
            plan = write_plan(rows, Path(workdir, "plan.tsv"))
            return wrk_load(port, plan, seconds, args.connections, args.threads)

    else:
        print(
            f"load: Python fallback (wrk not found), {args.connections} client processes: "
            "their own CPU caps the fast pages, so ratios are lower bounds"
        )

        def load(rows: list[Row], seconds: int) -> dict:
            return python_load(port, rows, seconds, args.connections)

    # Each page is measured right after the static file, and its ratio is to that run: the
    # pair sees the same machine (on shared cores the static rate drifts by a third in minutes).
    static = [get(STATIC)]
    results: list[tuple[str, dict | None, float]] = []
    for name, rows in pages(world, port, workdir, pdf):
        if not rows:
            results.append((name, None, 0.0))
            continue
        checked(port, rows, (304,) if "304" in name else (200,))
        if args.warmup:
            load(rows, args.warmup)
        reference = rate(load(static, max(args.seconds // 2, 1)))
        results.append((name, load(rows, args.seconds), reference))
    print_table(results, args.seconds // 2)


def rate(result: dict) -> float:
    return float(result["requests"] / (result["duration_us"] / 1e6))


def print_table(results: list[tuple[str, dict | None, float]], static_seconds: int) -> None:
    print(f"\n{'page':<40} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'static/s':>8} {'vs static':>9} {'errors':>6}")  # fmt: skip
    for name, result, reference in results:
        if result is None:
            print(f"{name:<40} {'n/a: the page sent no ETag':>48}")
            continue
        errors = sum(result[k] for k in result if k.endswith("errors") or k == "timeouts")
        print(
            f"{name:<40} {rate(result):8.0f} {result['p50_us'] / 1000:7.2f} "
            f"{result['p95_us'] / 1000:7.2f} {result['p99_us'] / 1000:7.2f} "
            f"{reference:8.0f} {rate(result) / reference:9.3f} {errors:6d}"
        )
    print(f"(static/s: {STATIC} in the {static_seconds} s just before each row, the row's "
          "reference; errors: non-2xx/3xx answers, timeouts and socket errors)")  # fmt: skip


def what_if(env: dict[str, str], args: argparse.Namespace, workdir: str) -> list[str]:
    """Apply the options that try a change not (yet) in the product; return gunicorn's extra
    arguments. Each one is printed with the results."""
    extra: list[str] = []
    if args.conn_max_age is not None:
        Path(workdir, "loadtest_settings.py").write_text(
            "from bench_settings import *  # noqa: F403\n"
            f"DATABASES['default']['CONN_MAX_AGE'] = {args.conn_max_age}  # noqa: F405\n"
        )
        env["DJANGO_SETTINGS_MODULE"] = "loadtest_settings"
        print(f"what if: CONN_MAX_AGE = {args.conn_max_age} (the settings say 60)")
    return extra


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path, extra: list[str]
) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(
            [str(BIN / "gunicorn"), "governance.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(workers), *extra],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def run(args: argparse.Namespace) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir, own_database(workdir) as database:
        redis, redis_url = start_redis(workdir)
        try:
            env = server_environment(workdir, redis_url)
            # The verifier's real path, not its 429: no address reaches this many a minute.
            env.update(DATABASE_URL=database, VERIFY_RATE_LIMIT=str(10**9))
            world = build_world(env, args, workdir)
            pdf = sealed_pdf(env)
            print(
                f"world: {world['schools']} schools, {world['rendered']} notices rendered "
                f"(demo and {args.sample} sampled clones; PDFs {world['pdf_kb']:.0f} KB on "
                f"average), prepared in "
                f"{time.monotonic() - started:.0f} s; cache: "
                f"{'a Redis of its own' if redis_url else 'each worker memory'}"
            )
            port = free_port()
            log = Path(workdir, "gunicorn.log")
            server = start_server(env, port, args.workers, log, what_if(env, args, workdir))
            try:
                wait_until_up(port, server)
                print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}")
                measure(port, args, workdir, world, pdf)
            finally:
                os.kill(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
                errors = log.read_text().count("Traceback")
                print(f"server errors logged: {errors}; total {time.monotonic() - started:.0f} s")
        finally:
            if redis is not None:
                redis.terminate()
                redis.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=250, help="clones of the demo schools")
    parser.add_argument("--sample", type=int, default=8, help="clones whose notices render")
    parser.add_argument("--seconds", type=int, default=10, help="load per page")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured load first (s)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--python-client", action="store_true", help="never use wrk")
    parser.add_argument(
        "--conn-max-age", type=int, metavar="SECONDS",
        help="what if: database connections kept this long (the settings say 60)",
    )  # fmt: skip
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare_world(args.schools, args.sample, args.prepare)
    else:
        run(args)


if __name__ == "__main__":
    main()
