"""What the benchmarks share: a world of their own, a warm bare WeasyPrint, timers, the table.

A ``World`` is a throwaway database (a database of its own on the PostgreSQL server that
BENCH_DATABASE_URL or DATABASE_URL names, else on 127.0.0.1:5432 if one answers there, else
SQLite in the work folder), a media folder, a ``redis-server`` of its own on a free port
(``bench_verifier.start_redis``) and, on demand, a real Celery worker (``-c 2``) on them. Every
process it starts is stopped by its PID; the database is dropped at the end.

"The limit" is always a *warm* bare WeasyPrint: one FontConfiguration, the stylesheets parsed
once and one URL fetcher per process (WeasyPrint builds a fetcher, and so an SSL context, per
``HTML()`` when none is given), then ``HTML(string=...).write_pdf(stylesheets=...,
font_config=...)`` with the product's own PDF options, in as many processes as the product uses.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
for _path in (str(ROOT), str(SCRIPTS)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench_verifier import start_redis  # noqa: E402

from tests.faults.harness import (  # noqa: E402
    BIN,
    FAST_OUTBOX,
    Postgres,
    Process,
    children_of,
    django_env,
    kill_pids,
    wait_for,
)

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- processes: CPU and memory, read from /proc --------------------------------------------------


def proc_cpu(pid: int) -> tuple[float, float]:
    """Return (own CPU seconds, CPU seconds of its reaped children) of ``pid``, or zeros."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0, 0.0
    own = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    reaped = (int(fields[13]) + int(fields[14])) / CLOCK_TICKS
    return own, reaped


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


class _RunQueue(threading.Thread):
    """Samples /proc/stat's procs_running (processes on a CPU or waiting for one, this one's
    sampling thread included) every 0.2 s for as long as the benchmark runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while True:
            for line in Path("/proc/stat").read_text().splitlines():
                if line.startswith("procs_running"):
                    self.samples.append((time.monotonic(), int(line.split()[1])))
            time.sleep(0.2)


_RUN_QUEUE: list[_RunQueue] = []


class Load:
    """How busy the machine was while a row ran: CPU cores busy (all processes), and the mean
    number of runnable processes; a row's own are ``own`` (e.g. 2 pool processes and the
    sampler): more than that, and something else on the machine competed with it."""

    def __init__(self, own: float) -> None:
        if not _RUN_QUEUE:
            _RUN_QUEUE.append(_RunQueue())
            _RUN_QUEUE[0].start()
        self.own = own
        self.start = machine_busy()
        self.wall = time.monotonic()

    def cores(self) -> float:
        busy, _ = machine_busy()
        return (busy - self.start[0]) / max(time.monotonic() - self.wall, 1e-9)

    def runnable(self) -> float:
        window = [n for t, n in _RUN_QUEUE[0].samples if t >= self.wall]
        return statistics.fmean(window) if window else 0.0

    def others(self) -> float:
        """Runnable processes beyond the row's own, on average (0: it had the machine)."""
        return max(self.runnable() - self.own, 0.0)


NOISY = 0.5  # on average half a process more than the row's own wanted a CPU


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of ``pid`` (default: this process) in MB, or 0 if it has gone."""
    try:
        statm = Path(f"/proc/{pid or 'self'}/statm").read_text().split()
    except OSError:
        return 0.0
    return int(statm[1]) * PAGE_SIZE / 2**20


def slope_per_1000(samples: Iterable[tuple[float, float]], warmup: float) -> float | None:
    """Least-squares slope of (documents done, MB) after ``warmup`` documents, per 1,000."""
    points = [(x, y) for x, y in samples if x >= warmup]
    if len({x for x, _ in points}) < 3:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return num / den * 1000 if den else None


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(share * 100) - 1]


# -- the world -----------------------------------------------------------------------------------


def _postgres_server() -> Postgres | None:
    """The PostgreSQL server to make a throwaway database on, or None to use SQLite."""
    candidates = [os.environ.get("BENCH_DATABASE_URL", ""), os.environ.get("DATABASE_URL", "")]
    candidates.append(DEFAULT_POSTGRES)
    for url in candidates:
        if urlparse(url).scheme not in POSTGRES_SCHEMES:
            continue
        server = Postgres(url)
        try:
            with server.connect("postgres"):
                return server
        except Exception:  # not reachable: try the next, then SQLite
            continue
    return None


class World:
    """A database, a media folder and a Redis of the benchmark's own; a worker on demand."""

    def __init__(self, *, postgres: bool = True, redis: bool = True) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-"))
        self.postgres = _postgres_server() if postgres else None
        self.database = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.redis_process: Any = None
        self.redis_url = ""
        self.worker: Process | None = None
        self.worker_children: set[int] = set()
        self._want_redis = redis and shutil.which("redis-server") is not None
        self._created = False

    @property
    def database_url(self) -> str:
        if self.postgres is not None:
            return self.postgres.url_for(self.database)
        return f"sqlite:///{self.folder}/bench.sqlite3"

    @property
    def vendor(self) -> str:
        return "PostgreSQL" if self.postgres is not None else "SQLite"

    def env(self) -> dict[str, str]:
        """The environment of every Django process of this world (this one and the worker):
        inherited CELERY_*, OUTBOX_*, REDIS_*, DATABASE_* and friends dropped first."""
        env = django_env(
            database_url=self.database_url,
            redis_url=self.redis_url or None,
            media=self.folder / "media",
            seal=self.folder / "seal",
        )
        env.update(
            # Publishing and new versions email the DPOs: each is built, then dropped (a test
            # outbox kept in memory would grow the pool processes the memory row measures).
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "INFO"),
            SITE_URL="http://127.0.0.1:8000",
        )
        for key in FAST_OUTBOX:
            env.pop(key, None)  # the product's own outbox timings
        return env

    def open(self) -> None:
        """Create the database and start Redis; set this process up on them and migrate."""
        if self.postgres is not None:
            self.postgres.create(self.database)
            self._created = True
        if self._want_redis:
            self.redis_process, self.redis_url = start_redis(str(self.folder))
        env = self.env()
        env["LOG_LEVEL"] = "WARNING"  # this process: the figures, not every job's log line
        for key in [k for k in os.environ if k not in env]:
            del os.environ[key]
        os.environ.update(env)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)

    def close(self) -> None:
        """Stop what was started here, by PID; drop the database; remove the folder."""
        problems = []
        with contextlib.suppress(Exception):
            self.stop_worker()
        try:
            from django.db import connections

            connections.close_all()
        except Exception as error:
            problems.append(repr(error))
        if self.redis_process is not None:
            self.redis_process.terminate()
            try:
                self.redis_process.wait(timeout=30)
            except Exception:
                self.redis_process.kill()
        if self._created and self.postgres is not None:
            try:
                self.postgres.drop(self.database)
            except Exception as error:
                problems.append(repr(error))
        shutil.rmtree(self.folder, ignore_errors=True)
        if problems:
            print(f"cleaning up: {problems}", file=sys.stderr)

    # the worker

    def start_worker(self, concurrency: int = 2) -> Process:
        """Start ``celery worker -c N`` as production runs it (docker-compose.yml), wait until
        it is ready and its pool processes have warmed up (``outbox.worker.warm_up``)."""
        assert self.redis_url, "a worker needs the benchmark's own Redis"
        name = f"bench{os.getpid()}@{socket.gethostname()}"
        argv = [str(BIN / "celery"), "-A", "governance", "worker", "--loglevel=info",
                f"--concurrency={concurrency}", "-n", name]  # fmt: skip
        self.worker = Process("worker", argv, env=self.env(), log=self.folder / "worker.log")
        self.worker.start()
        worker = self.worker

        def ready() -> bool:
            if not worker.alive():
                raise SystemExit(f"the Celery worker exited: see {worker.log}")
            return worker.log_mentions(" ready.") and len(self.children()) >= concurrency

        wait_for(ready, timeout=120, what="the Celery worker to be ready", interval=0.25)
        # Each pool process renders a warm-up document when it starts: wait until they idle.
        wait_for(self._children_idle, timeout=60, what="the pool processes to warm up")
        return worker

    def children(self) -> list[int]:
        if self.worker is None or not self.worker.alive():
            return []
        found = children_of(self.worker.pid)
        self.worker_children.update(found)
        return found

    def _children_idle(self) -> bool:
        before = sum(proc_cpu(pid)[0] for pid in self.children())
        time.sleep(0.5)
        return sum(proc_cpu(pid)[0] for pid in self.children()) - before < 0.02

    def worker_cpu(self) -> dict[str, float]:
        """CPU seconds so far: the pool processes alive now plus those the worker reaped
        (recycled children), and the worker's main process."""
        assert self.worker is not None
        own, reaped = proc_cpu(self.worker.pid)
        live = sum(proc_cpu(pid)[0] for pid in self.children())
        return {"children": live + reaped, "main": own}

    def stop_worker(self) -> None:
        if self.worker is None:
            return
        self.children()
        pid = self.worker.pid
        self.worker.kill(signal.SIGTERM, timeout=20)
        kill_pids(self.worker_children, session=pid)
        self.worker = None


@contextlib.contextmanager
def world(**options: Any) -> Iterator[World]:
    bench = World(**options)
    try:
        bench.open()
        yield bench
    finally:
        bench.close()


def service_pids() -> dict[str, list[int]]:
    """The PostgreSQL backends serving this world's database (CPU spent for the documents
    outside the worker), when it is on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return {"postgres": [row[0] for row in cursor.fetchall()]}


# -- the demo-like schools -------------------------------------------------------------------


CLONE_URN = 800000  # clones are numbered from here (the demo's schools are 999xxx)
CLONES = {"urn__gte": f"{CLONE_URN}", "urn__lt": f"{CLONE_URN + 100000}"}  # a filter


def load_demo_world() -> None:
    from unittest import mock

    from governance.demo import load_demo

    with mock.patch("notices.dependencies._enqueue"):
        load_demo()


def clone_schools(count: int, *, authority: str = "", start: int = 0) -> list:
    """Create ``count`` published schools like the demo ones (of ``authority`` only, if
    named), numbered from ``start``, without rendering or queueing anything."""
    from unittest import mock

    from django.utils import timezone

    from governance.models import School, Subscription

    demo = School.objects.exclude(**CLONES).prefetch_related("subscriptions").order_by("urn")
    templates = list(demo.filter(authority__name=authority) if authority else demo)
    schools = []
    with mock.patch("notices.dependencies._enqueue"):
        for i in range(start, start + count):
            source = templates[i % len(templates)]
            subs = list(source.subscriptions.all())
            school = School.objects.get(pk=source.pk)
            school.pk = None
            school.urn = f"{CLONE_URN + i}"
            school.dfe_number = f"{source.dfe_number[:3]}/{5000 + i}"
            school.name = f"{source.name} {i}"
            school.notices_published_at = timezone.now()  # a bench school is live, not a draft
            school.save()
            Subscription.objects.bulk_create(
                Subscription(school=school, offering_id=s.offering_id, start_date=s.start_date,
                             end_date=s.end_date) for s in subs
            )  # fmt: skip
            schools.append(school)
    return schools


# -- stage timers ------------------------------------------------------------------------------


class Stages:
    """Time named stages of the code under test by wrapping functions in place.

    Each stage's *exclusive* time (less the stages it calls) and *inclusive* time are kept
    per bucket ("pipeline", "bare", "sign"...), and only while a bucket is active, so the
    same WeasyPrint calls can be timed for the pipeline and not for the bare renders.
    """

    def __init__(self) -> None:
        self.bucket = ""
        self.exclusive: dict[tuple[str, str], float] = defaultdict(float)
        self.inclusive: dict[tuple[str, str], float] = defaultdict(float)
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self._stack: list[float] = []
        self._undo: list[tuple[Any, str, Any]] = []
        self._cleanups: list[Callable[[], None]] = []
        self.captured: dict[str, Any] = {}

    def call(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.bucket:
            return func(*args, **kwargs)
        bucket = self.bucket
        start = time.perf_counter()
        self._stack.append(0.0)
        try:
            return func(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            children = self._stack.pop()
            self.exclusive[bucket, name] += elapsed - children
            self.inclusive[bucket, name] += elapsed
            self.counts[bucket, name] += 1
            if self._stack:
                self._stack[-1] += elapsed

    def wrap(self, owner: Any, attribute: str, name: str) -> bool:
        """Time ``owner.attribute`` as stage ``name``; False if it does not exist."""
        original = getattr(owner, attribute, None)
        if original is None:
            return False

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, original, *args, **kwargs)

        setattr(owner, attribute, timed)
        self._undo.append((owner, attribute, original))
        return True

    def wrap_module(self, module: str, attribute: str, name: str) -> bool:
        import importlib

        try:
            owner = importlib.import_module(module)
        except ImportError:
            return False
        return self.wrap(owner, attribute, name)

    def capture_html(self) -> None:
        """Keep the last HTML string WeasyPrint was given while a bucket is active."""
        import weasyprint

        original = weasyprint.HTML.__init__

        def init(html: Any, *args: Any, **kwargs: Any) -> None:
            if self.bucket and isinstance(kwargs.get("string"), str):
                self.captured["html"] = kwargs["string"]
            original(html, *args, **kwargs)

        setattr(weasyprint.HTML, "__init__", init)  # noqa: B010 (mypy: no method-assign)
        self._undo.append((weasyprint.HTML, "__init__", original))

    def time_gc(self) -> None:
        """Time the garbage collector's runs as stage "garbage collection" (taken out of the
        stage it interrupted)."""
        started: list[float] = []

        def callback(phase: str, info: dict[str, Any]) -> None:
            if phase == "start":
                started[:] = [time.perf_counter()]
            elif started and self.bucket:
                elapsed = time.perf_counter() - started.pop()
                self.exclusive[self.bucket, "garbage collection"] += elapsed
                self.inclusive[self.bucket, "garbage collection"] += elapsed
                self.counts[self.bucket, "garbage collection"] += 1
                if self._stack:
                    self._stack[-1] += elapsed

        gc.callbacks.append(callback)
        self._cleanups.append(lambda: gc.callbacks.remove(callback))

    def time_queries(self) -> contextlib.AbstractContextManager[None]:
        """Time every SQL statement as stage "db" (Django's execute_wrapper)."""
        from django.db import connection

        def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                    context: Any) -> Any:  # fmt: skip
            return self.call("db", execute, sql, params, many, context)

        return connection.execute_wrapper(wrapper)

    @contextlib.contextmanager
    def active(self, bucket: str) -> Iterator[None]:
        previous, self.bucket = self.bucket, bucket
        try:
            yield
        finally:
            self.bucket = previous

    def undo(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)
        self._undo.clear()
        while self._cleanups:
            self._cleanups.pop()()

    def per_call(self, bucket: str, calls: int, *, inclusive: bool = False) -> dict[str, float]:
        """Milliseconds per ``calls`` (documents) of each stage in ``bucket``."""
        times = self.inclusive if inclusive else self.exclusive
        return {
            name: seconds * 1000 / max(calls, 1)
            for (b, name), seconds in sorted(times.items(), key=lambda kv: -kv[1])
            if b == bucket
        }


def wrap_weasyprint(stages: Stages) -> None:
    """The WeasyPrint stages every benchmark times: layout (``HTML.render``, counted: a
    pipeline that lays a document out twice shows 2) and PDF writing."""
    from weasyprint import HTML
    from weasyprint.document import Document

    stages.wrap(HTML, "render", "layout")
    stages.wrap(Document, "write_pdf", "write_pdf")
    with contextlib.suppress(ImportError):
        import pikepdf

        stages.wrap(pikepdf.Pdf, "save", "pikepdf save")
        stages.wrap(pikepdf, "open", "pikepdf open")
    from django.core.files.storage import Storage

    stages.wrap(Storage, "save", "storage save")


# -- the warm bare WeasyPrint --------------------------------------------------------------------


@functools.cache
def _fetcher() -> Any:
    from weasyprint import URLFetcher

    return URLFetcher()


def bare_pdf(html: str, stylesheets: list[str]) -> bytes:
    """Bare WeasyPrint in this process, warm: the product's own FontConfiguration and parsed
    stylesheets (``governance.pdf.font_config``/``stylesheet``), one fetcher, the product's
    PDF options; no fitting, no post-processing, no database, no storage."""
    from django.conf import settings
    from weasyprint import HTML

    from governance import pdf

    sheets = [pdf.stylesheet(name) for name in stylesheets]
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_fetcher())
    out = document.write_pdf(stylesheets=sheets, font_config=pdf.font_config(), **pdf.PDF_OPTIONS)
    assert out is not None
    return out


def bare_options() -> dict[str, Any]:
    """What a bare process needs: the stylesheets' files, the base URL, the PDF options."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    from governance import pdf
    from notices.services import STYLESHEETS

    paths = [str(finders.find(name)) for name in STYLESHEETS]
    return {"css": paths, "base_url": str(settings.BASE_DIR), "options": dict(pdf.PDF_OPTIONS)}


_BARE: dict[str, Any] = {}


def _bare_init(setup: dict[str, Any], warm_html: str) -> None:
    from weasyprint import CSS, URLFetcher
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    fetcher = URLFetcher()
    sheets = [CSS(filename=p, font_config=fonts, url_fetcher=fetcher) for p in setup["css"]]
    _BARE.update(setup, fonts=fonts, fetcher=fetcher, sheets=sheets, done=0)
    _needs_fitting(_bare_render(warm_html)[1])  # warm: a real notice, not timed
    _BARE["done"] = 0
    # As a worker process does once it is warm (``outbox.worker.warm_up``): what is loaded
    # now is set aside from the garbage collector, so the limit is WeasyPrint at its best.
    gc.collect()
    gc.freeze()


def _bare_render(html: str) -> tuple[int, Any]:
    """``HTML(string).write_pdf(...)`` as two calls (what ``HTML.write_pdf`` itself does), so
    that the laid-out document can be looked at afterwards."""
    from weasyprint import HTML

    source = HTML(string=html, base_url=_BARE["base_url"], url_fetcher=_BARE["fetcher"])
    document = source.render(
        stylesheets=_BARE["sheets"], font_config=_BARE["fonts"], **_BARE["options"]
    )
    out = document.write_pdf(**_BARE["options"])
    return len(out or b""), document


def _needs_fitting(document: Any) -> bool | None:
    """Whether ``governance.pdf.render_fitted`` lays this document out again (its last page
    nearly empty), by the product's own test; None if the product has no such test."""
    try:
        from governance.pdf import MIN_LAST_PAGE_FILL, last_page_fill
    except Exception:
        return None
    return len(document.pages) > 1 and last_page_fill(document) < MIN_LAST_PAGE_FILL


def _bare_task(html: str) -> tuple[int, int, int, float, bool | None, float]:
    """Render one document; return (pid, documents done by this process, size, RSS MB,
    whether the pipeline would lay it out again, seconds spent finding that out)."""
    size, document = _bare_render(html)
    _BARE["done"] += 1
    started = time.process_time()
    refit = _needs_fitting(document)
    return os.getpid(), _BARE["done"], size, rss_mb(), refit, time.process_time() - started


def _bare_pid(delay: float) -> int:
    time.sleep(delay)
    return os.getpid()


@dataclass
class BareRun:
    seconds: float
    cpu: float
    sizes: list[int]
    refits: int | None = None
    load: float = 0.0


class BarePool:
    """Bare WeasyPrint in ``processes`` processes (spawned: no Django, no database), each
    warm, taking one document at a time as a Celery pool process with prefetch 1 does."""

    def __init__(self, processes: int, setup: dict[str, Any], warm_html: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.processes = processes
        self.pool = context.Pool(processes, initializer=_bare_init, initargs=(setup, warm_html))
        # A process answers only once its initializer (the warm-up) has run.
        pids: set[int] = set()
        deadline = time.monotonic() + 120
        while len(pids) < processes and time.monotonic() < deadline:
            pids |= set(self.pool.map(_bare_pid, [0.2] * processes * 2, chunksize=1))
        self.pids = sorted(pids)
        self.samples: dict[int, list[tuple[float, float]]] = defaultdict(list)

    def run(self, htmls: list[str]) -> BareRun:
        cpu_before = sum(proc_cpu(pid)[0] for pid in self.pids)
        started = time.perf_counter()
        sizes, refits, checks = [], [], 0.0
        for pid, done, size, rss, refit, check in self.pool.imap_unordered(
            _bare_task, htmls, chunksize=1
        ):
            sizes.append(size)
            refits.append(refit)
            checks += check
            self.samples[pid].append((done, rss))
        # The fitting test is not bare WeasyPrint's work: taken out (spread over the processes).
        seconds = time.perf_counter() - started - checks / self.processes
        cpu = sum(proc_cpu(pid)[0] for pid in self.pids) - cpu_before - checks
        counted = None if None in refits else sum(bool(r) for r in refits)
        return BareRun(seconds=seconds, cpu=cpu, sizes=sizes, refits=counted)

    def close(self) -> None:
        self.pool.close()
        self.pool.join()


# -- results and the table ---------------------------------------------------------------------


@dataclass
class Row:
    """One line of the final table."""

    row: str
    figure: str
    limit: str
    ratio: float | None
    goal: str
    met: bool | None
    notes: list[str] = field(default_factory=list)
    noisy: bool = False


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def fmt_met(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "NO")


def print_table(rows: list[Row], *, header: str = "") -> None:
    columns = ["row", "figure", "limit", "ratio", "goal", "met?"]
    cells = [
        [r.row, r.figure, r.limit, fmt_ratio(r.ratio), r.goal, fmt_met(r.met) + "*" * r.noisy]
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [columns, *cells]) for i in range(len(columns))]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    print()
    if header:
        print(header)
    print(line)
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")
    print(line)
    for c in cells:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")
    print(line)
    if any(r.noisy for r in rows):
        print("  * measured while other processes competed for the CPUs (see the row's notes):")
        print("    the ratio is noisy, and multi-process rows tend to gain from it")
    for r in rows:
        for note in r.notes:
            print(f"  {r.row}: {note}")


def save_rows(path: str, rows: list[Row], meta: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=1))


def load_rows(path: str) -> tuple[list[Row], dict[str, Any]]:
    data = json.loads(Path(path).read_text())
    return [Row(**r) for r in data["rows"]], data["meta"]
