"""The fault harness: a world of its own per test module, processes killed by PID.

A session builds one template database once (``faults_<pid>_tpl`` on DATABASE_URL's server:
migrated, the demo world plus cloned schools, version 1 of every notice rendered, a superuser)
with its media folder. Each test module then gets a ``FaultWorld``: a copy of that database
(``CREATE DATABASE … TEMPLATE``, a fraction of a second against ~30 s for ``migrate``) and of
its media, a ``redis-server`` of its own on a free port with its own ``--dir``, a real Celery
worker (``-c 2``) and a real beat, all started here with ``start_new_session=True`` and
stopped by PID in a finalizer, each logging to a file in the module's tmp folder. The pytest
process never imports Django models for that database: it changes things through
``manage.py shell`` scripts (``tests/faults/inside.py``) and reads the tables with psycopg.

Every wait polls every half second and has a deadline. Nothing here touches the machine's
shared Redis or its shared databases: the only server-level statements are CREATE and DROP
of the ``faults_<pid>_*`` databases, run from a connection to the ``postgres`` database.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse, urlunparse

from tests.faults.inside import POISON_KIND, RESULT_MARKER

__all__ = ["POISON_KIND", "FaultWorld", "Figures", "Template", "unavailable", "wait_for"]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the project's .venv/bin when run as `make test` does
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
# The outbox, sped up: re-send after 5 s, sweep every 2 s, retry after 1 s.
FAST_OUTBOX = {
    "OUTBOX_RESEND_SECONDS": "5",
    "OUTBOX_SWEEP_SECONDS": "2",
    "OUTBOX_RETRY_BACKOFF_SECONDS": "1",
}
DEADLINE = 120.0  # seconds any batch gets to settle after a fault
CLONED_SCHOOLS = 4  # with the demo's 5 published schools: 9 schools, 18 documents a batch
AUDIENCES = ("pupils", "workforce")
NOTICE_LOCK_NAMESPACE = 7100  # notices.services: pg_advisory_xact_lock(7100 + audience, school)
RESULTS: list[str] = []  # every figures line of this process
RESULTS_FILE: list[str] = []  # where they are appended too
T = TypeVar("T")


def unavailable() -> str | None:
    """Why the fault tests cannot run here, or None when they can."""
    scheme = urlparse(os.environ.get("DATABASE_URL", "")).scheme
    if scheme not in POSTGRES_SCHEMES:
        return (
            "fault tests need PostgreSQL: set DATABASE_URL=postgres://… (they create and drop "
            "a database of their own on that server)"
        )
    if shutil.which("redis-server") is None:
        return "fault tests need redis-server on PATH (they start a Redis of their own)"
    if not (BIN / "celery").exists():
        return f"fault tests need Celery's command next to {sys.executable}"
    return None


class FaultTimeout(AssertionError):
    """A bounded wait ran out."""


def wait_for(check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.5) -> T:
    """Call ``check`` every ``interval`` seconds until it returns something truthy; return it.
    Fail after ``timeout`` seconds naming ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise FaultTimeout(f"waited {timeout:.0f} s for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The PIDs of ``pid``'s children (read from /proc, no other tool needed)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return sorted(set(found))


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, session, … (or [])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def in_session(pid: int, session: int) -> bool:
    """Whether ``pid`` runs in ``session`` (the session a process we started leads: its
    children stay in it); a PID since reused by another process does not."""
    stat = _stat(pid)
    return bool(stat) and stat[0] != "Z" and int(stat[3]) == session  # Z: ended, not reaped


def kill_pids(pids: Iterable[int], *, session: int, sig: int = signal.SIGKILL) -> None:
    """Signal each of ``pids`` that still runs in ``session``, and no other process."""
    for pid in pids:
        if in_session(pid, session):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path} is missing)"
    return "\n".join(text.splitlines()[-lines:])


# -- PostgreSQL --------------------------------------------------------------------------------


class Postgres:
    """The server DATABASE_URL names: create and drop the fault databases on it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def url_for(self, database: str) -> str:
        return urlunparse(urlparse(self.url)._replace(path=f"/{database}"))

    def connect(self, database: str, **options: Any) -> Any:
        import psycopg

        return psycopg.connect(self.url_for(database), connect_timeout=10, **options)

    def create(self, name: str, *, template: str | None = None) -> None:
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connect("postgres", autocommit=True) as admin:
            admin.execute(statement)

    def drop(self, name: str) -> None:
        """Drop the database, ending any session still on it first."""
        from psycopg import sql

        with self.connect("postgres", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# -- processes ---------------------------------------------------------------------------------


class Process:
    """A process started here in a session of its own, logging to a file; ended by PID."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL, *, timeout: float = 15) -> None:
        """Send ``sig`` and wait (bounded) for the process to end."""
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)

    def log_mentions(self, text: str) -> bool:
        try:
            return text in self.log.read_text(errors="replace")
        except OSError:
            return False


class Redis:
    """A redis-server of our own: a free port and a folder, killed and restarted on both."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendonly = True
        self.process: Process | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, appendonly: bool = True, wipe: bool = False) -> None:
        """Start on the same port and folder (``wipe``: without what the folder held)."""
        assert self.process is None or not self.process.alive(), "Redis is running already"
        if wipe:
            for leftover in ("appendonlydir", "dump.rdb"):
                shutil.rmtree(self.folder / leftover, ignore_errors=True)
                (self.folder / leftover).unlink(missing_ok=True)
        self.appendonly = appendonly
        argv = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes" if appendonly else "no", "--save", "",
            "--daemonize", "no", "--protected-mode", "yes",
        ]  # fmt: skip
        self.process = Process("redis", argv, env=dict(os.environ), log=self.folder / "redis.log")
        self.process.start()
        wait_for(self.ping, timeout=30, what=f"redis-server on port {self.port}")

    def client(self) -> Any:
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except Exception:  # refused, or still loading its append-only file
            return False

    def queue_length(self, queue: str = "celery") -> int | None:
        try:
            with self.client() as client:
                return int(client.llen(queue))
        except Exception:
            return None

    def kill(self) -> None:
        """kill -9: whatever was not yet written to the append-only file is gone."""
        if self.process is not None:
            self.process.kill(signal.SIGKILL)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM)."""
        if self.process is not None:
            self.process.kill(signal.SIGTERM)


class Worker:
    """A real ``celery -A governance worker -c 2``: its pool's children can be killed, or the
    main process (its orphaned children are then killed by PID too)."""

    def __init__(self, world: FaultWorld, generation: int) -> None:
        self.generation = generation
        name = f"faults{os.getpid()}-{generation}@%h"
        argv = [str(BIN / "celery"), "-A", "governance", "worker", "-c", "2",
                "--loglevel=info", "-n", name]  # fmt: skip
        log = world.folder / f"worker-{generation}.log"
        self.process = Process(f"worker {generation}", argv, env=world.env(), log=log)
        self.known_children: set[int] = set()
        self.killed = False  # by a test, on purpose

    def start(self) -> None:
        self.process.start()

    def crashed(self) -> bool:
        """Whether the main process ended without a test killing it."""
        return self.process.popen is not None and not self.killed and not self.process.alive()

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if not self.process.alive():
                raise AssertionError(f"the worker exited:\n{tail(self.process.log)}")
            return self.process.log_mentions(" ready.") and len(self.children()) >= 2

        wait_for(ready, timeout=timeout, what="the Celery worker to be ready")

    def children(self) -> list[int]:
        found = children_of(self.process.pid) if self.process.alive() else []
        self.known_children.update(found)
        return found

    def kill_children(self) -> list[int]:
        """SIGKILL every pool process (the main process starts new ones); return their PIDs."""
        found = self.children()
        kill_pids(found, session=self.process.pid)
        return found

    def kill_main(self) -> list[int]:
        """SIGKILL the main process, then its orphaned pool processes; return all the PIDs."""
        found = self.children()
        pid = self.process.pid
        self.killed = True
        self.process.kill(signal.SIGKILL)
        kill_pids(found, session=pid)
        wait_for(
            lambda: not any(in_session(p, pid) for p in found),
            timeout=15,
            what="the killed worker's pool processes to end",
        )
        return [pid, *found]

    def stop(self) -> None:
        """End it for good: a warm shutdown if it answers quickly, else SIGKILL; and every
        pool process it ever had that still runs."""
        self.children()
        self.killed = True
        self.process.kill(signal.SIGTERM, timeout=10)
        kill_pids(self.known_children, session=self.process.pid)


# -- the world ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What a fault did to one batch of documents."""

    fault: str
    expected: int
    issued: int
    lost: int
    duplicated: int
    seconds: float
    problems: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        extra = "".join(f" {key}={value}" for key, value in self.extra.items())
        return (
            f"fault={self.fault} expected={self.expected} issued={self.issued} "
            f"lost={self.lost} duplicated={self.duplicated} seconds={self.seconds:.1f}{extra}"
        )


def record(figures: Figures, results_file: Path) -> str:
    """Print the figures line, keep it for the terminal summary and append it to the file."""
    line = figures.line()
    RESULTS.append(line)
    with results_file.open("a") as out:
        out.write(line + "\n")
    print(f"\n{line}", flush=True)
    return line


class Template:
    """The world every module starts from, built once per session."""

    def __init__(self, postgres: Postgres, folder: Path) -> None:
        self.postgres = postgres
        self.folder = folder
        self.database = f"faults_{os.getpid()}_tpl"
        self.media = folder / "media"
        self.published_urns: list[str] = []

    def env(self) -> dict[str, str]:
        """Settings for the template's own commands: no broker, so jobs would run in
        process (none are queued: see inside.build_world)."""
        return django_env(
            database_url=self.postgres.url_for(self.database),
            redis_url=None,
            media=self.media,
            seal=self.folder / "seal",
        )

    def build(self) -> None:
        self.postgres.create(self.database)
        env = self.env()
        manage(["migrate", "--no-input"], env=env, timeout=300)
        built = inside_call("build_world", {"clones": CLONED_SCHOOLS}, env=env, timeout=300)
        self.published_urns = built["published_urns"]
        # Version 1 of every document, rendered in two processes side by side.
        halves = [self.published_urns[0::2], self.published_urns[1::2]]
        arguments = [[arg for urn in half for arg in ("--school", urn)] for half in halves]
        renders = [
            subprocess.Popen(
                [sys.executable, "manage.py", "render_documents", "--sync", *schools],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for schools in arguments
        ]
        try:
            for render in renders:
                out, _ = render.communicate(timeout=300)
                if render.returncode:
                    raise AssertionError(f"render_documents failed:\n{out.decode()}")
        finally:
            for render in renders:  # after a failure or a timeout: the other one too
                if render.poll() is None:
                    render.kill()
                    render.communicate()

    def drop(self) -> None:
        self.postgres.drop(self.database)
        shutil.rmtree(self.folder, ignore_errors=True)


class TemplateBuilder:
    """Builds the template in a thread, so that a run of the fault tests alone builds it
    while pytest-django sets up its own test database (both mostly wait on PostgreSQL)."""

    def __init__(self) -> None:
        self.template: Template | None = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix=f"faults-{os.getpid()}-template-"))
        self.template = Template(Postgres(os.environ["DATABASE_URL"]), folder)
        self._thread = threading.Thread(target=self._build, name="faults-template", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        assert self.template is not None
        try:
            self.template.build()
        except BaseException as error:  # handed to the fixture that waits for it
            self.error = error

    def result(self, timeout: float = 600) -> Template:
        if not self.started:
            self.start()
        assert self._thread is not None
        assert self.template is not None
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise FaultTimeout(f"waited {timeout:.0f} s for the template world to be built")
        if self.error is not None:
            raise self.error
        return self.template

    def drop(self) -> None:
        """Drop what was built (waiting, bounded, for a build still running)."""
        if self._thread is None or self.template is None:
            return
        self._thread.join(600)
        self.template.drop()
        self._thread = None


BUILDER = TemplateBuilder()


def django_env(
    *, database_url: str, redis_url: str | None, media: Path, seal: Path
) -> dict[str, str]:
    """The environment of every Django process of a fault world. Inherited CELERY_*,
    OUTBOX_*, REDIS_URL and DATABASE_URL are dropped first, so nothing reaches the machine's
    shared Redis or database."""
    dropped = ("CELERY_", "OUTBOX_", "REDIS_", "DATABASE_", "SEAL_", "EMAIL_", "MEDIA_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        SECRET_KEY="fault-tests-only-secret-key-not-for-production-0123456789",
        HTTPS_ONLY="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        MEDIA_ROOT=str(media),
        SEAL_DEV_DIR=str(seal),
        # The settings read no EMAIL_FILE_PATH, so the file backend cannot be set up from the
        # environment: emails go to the worker's log (console) and are counted by job results.
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **FAST_OUTBOX,
    )
    if redis_url:
        # Celery prefers CELERY_BROKER_URL from the environment to the settings: name ours.
        env.update(REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url)
    return env


def manage(
    args: list[str], *, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def inside_call(
    name: str, args: dict[str, Any], *, env: dict[str, str], timeout: float
) -> dict[str, Any]:
    """Run ``tests.faults.inside.<name>(**args)`` in a ``manage.py shell``; return its answer."""
    env = {**env, "FAULTS_CALL": json.dumps({"name": name, "args": args})}
    done = manage(
        ["shell", "--no-imports", "-c", "from tests.faults import inside; inside.call()"],
        env=env,
        timeout=timeout,
    )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return dict(json.loads(line[len(RESULT_MARKER) :]))
    raise AssertionError(f"{name} printed no answer:\n{done.stdout}\n{done.stderr}")


@dataclass(frozen=True)
class Document:
    school_id: int
    audience: str

    @property
    def key(self) -> str:
        return f"{self.school_id}:{self.audience}"


@dataclass(frozen=True)
class Snapshot:
    """Each document's newest version before a fault, and the newest job id."""

    newest: dict[str, tuple[int, str]]  # "school:audience" -> (number, content hash)
    last_job: int
    taken: float
    crashes: int  # how many processes had ended on their own before


class FaultWorld:
    """One module's database, Redis, worker and beat."""

    def __init__(self, template: Template, slug: str, folder: Path, results: Path) -> None:
        self.template, self.postgres = template, template.postgres
        self.folder, self.results = folder, results
        self.database = f"faults_{os.getpid()}_{slug}"[:63]
        self.media = folder / "media"
        self.redis = Redis(folder / "redis")
        self.workers: list[Worker] = []
        self.beat: Process | None = None
        self.phone_counter = 0
        self.crashes: list[str] = []  # processes that ended on their own, restarted
        self._db: Any = None

    # setting up and tearing down

    def open(self) -> None:
        self.postgres.create(self.database, template=self.template.database)
        shutil.copytree(self.template.media, self.media)
        self.redis.start(appendonly=True)
        self.start_beat()
        self.start_worker()

    def close(self) -> None:
        """Stop every process started here (by PID), then drop the database."""
        problems = []
        for stop in [*(w.stop for w in self.workers), self.stop_beat, self.redis.stop]:
            try:
                stop()
            except Exception as error:  # keep stopping the rest
                problems.append(repr(error))
        if self._db is not None:
            self._db.close()
        self.postgres.drop(self.database)
        assert not problems, problems

    def env(self) -> dict[str, str]:
        return django_env(
            database_url=self.postgres.url_for(self.database),
            redis_url=self.redis.url,
            media=self.media,
            seal=self.folder / "seal",
        )

    @property
    def worker(self) -> Worker:
        return self.workers[-1]

    def start_worker(self) -> Worker:
        worker = Worker(self, generation=len(self.workers) + 1)
        self.workers.append(worker)
        worker.start()
        worker.wait_ready()
        return worker

    def start_beat(self) -> None:
        argv = [str(BIN / "celery"), "-A", "governance", "beat", "--loglevel=info",
                "-s", str(self.folder / "beat-schedule"),
                "--pidfile", str(self.folder / "beat.pid")]  # fmt: skip
        self.beat = Process("beat", argv, env=self.env(), log=self.folder / "beat.log")
        self.beat.start()

    def stop_beat(self) -> None:
        if self.beat is not None:
            self.beat.kill(signal.SIGTERM, timeout=10)

    def supervise(self) -> None:
        """Do what the production stack's ``restart: unless-stopped`` does: start again a
        worker or beat that ended on its own (recorded, and reported with the figures)."""
        if self.workers and self.worker.crashed():
            self._crashed(f"worker {self.worker.generation}", self.worker.process.log)
            self.start_worker()
        if self.beat is not None and self.beat.popen is not None and not self.beat.alive():
            self._crashed("beat", self.beat.log)
            self.start_beat()

    def crashes_since(self, snapshot: Snapshot) -> int:
        return len(self.crashes) - snapshot.crashes

    def _crashed(self, name: str, log: Path) -> None:
        lines = log.read_text(errors="replace").splitlines()
        last = lines[-1] if lines else "(nothing in its log)"
        why = next((line for line in reversed(lines) if "CRITICAL" in line), last)
        note = f"{name} exited on its own and was started again: {why[:300]}"
        self.crashes.append(note)
        RESULTS.append(f"note: {note}")
        if RESULTS_FILE:
            with open(RESULTS_FILE[0], "a") as out:
                out.write(f"note: {note}\n")
        print(f"\n{note}", flush=True)

    def log_tails(self, lines: int = 60) -> str:
        logs = [w.process.log for w in self.workers]
        if self.beat is not None:
            logs.append(self.beat.log)
        logs.append(self.redis.folder / "redis.log")
        return "\n".join(
            f"----- {log.name} (last {lines} lines)\n{tail(log, lines)}" for log in logs
        )

    # talking to the world

    def inside(self, name: str, timeout: float = 120, **args: Any) -> dict[str, Any]:
        return inside_call(name, args, env=self.env(), timeout=timeout)

    def query(self, statement: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the fault database (autocommit: every query sees what is committed now)."""
        if self._db is None or self._db.closed:
            self._db = self.postgres.connect(self.database, autocommit=True)
        return list(self._db.execute(statement, list(params)).fetchall())

    def next_phone(self) -> str:
        self.phone_counter += 1
        return f"01632 96{self.phone_counter:04d}"

    def change_every_school(self, tag: str, **args: Any) -> dict[str, Any]:
        return self.inside("change_every_school", tag=tag, phone=self.next_phone(), **args)

    def published_schools(self) -> list[int]:
        rows = self.query(
            "SELECT id FROM governance_school WHERE notices_published_at IS NOT NULL ORDER BY id"
        )
        return [row[0] for row in rows]

    def snapshot(self) -> Snapshot:
        rows = self.query(
            "SELECT DISTINCT ON (school_id, audience) school_id, audience, number, content_hash"
            " FROM notices_noticeversion ORDER BY school_id, audience, number DESC"
        )
        last_job = self.query("SELECT coalesce(max(id), 0) FROM outbox_job")[0][0]
        newest = {f"{s}:{a}": (n, h) for s, a, n, h in rows}
        return Snapshot(
            newest=newest, last_job=last_job, taken=time.monotonic(), crashes=len(self.crashes)
        )

    def open_jobs(self, kinds: Iterable[str] = ("notice",)) -> int:
        rows = self.query(
            "SELECT count(*) FROM outbox_job"
            " WHERE kind = ANY(%s) AND status IN ('pending', 'running')",
            [list(kinds)],
        )
        return int(rows[0][0])

    def rendering_now(self) -> list[Document]:
        """The documents a worker is rendering this moment: those whose advisory lock
        (notices.services.lock_document) is held on the fault database."""
        rows = self.query(
            "SELECT l.classid, l.objid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s"
            " AND l.classid BETWEEN %s AND %s",
            [self.database, NOTICE_LOCK_NAMESPACE, NOTICE_LOCK_NAMESPACE + len(AUDIENCES) - 1],
        )
        return [
            Document(int(objid), AUDIENCES[int(classid) - NOTICE_LOCK_NAMESPACE])
            for classid, objid in rows
        ]

    def wait_rendering(self, timeout: float = 60, *, by: Iterable[int] = ()) -> list[Document]:
        """Wait until a render is in progress (by one of the PIDs ``by``, if given)."""
        pids = {str(pid) for pid in by}

        def rendering() -> list[Document]:
            self.supervise()  # a worker that ended on its own must not leave us waiting
            documents = self.rendering_now()
            if documents and pids:
                claimers = self.query(
                    "SELECT claimed_by FROM outbox_job WHERE status = 'running' AND kind = 'notice'"
                )
                if not any(c.rsplit(":", 1)[-1] in pids for (c,) in claimers):
                    return []
            return documents

        return wait_for(rendering, timeout=timeout, what="a notice being rendered", interval=0.1)

    def wait_quiet(self, kinds: Iterable[str] = ("notice",), timeout: float = DEADLINE) -> None:
        kinds = list(kinds)

        def quiet() -> bool:
            self.supervise()
            return self.open_jobs(kinds) == 0

        try:
            wait_for(quiet, timeout=timeout, what="")
        except FaultTimeout:
            raise FaultTimeout(
                f"waited {timeout:.0f} s for every {'/'.join(kinds)} job to finish; still open:\n"
                + self.job_table(open_only=True)
            ) from None

    def settle(self, timeout: float = 30) -> str:
        """Before a test: wait (bounded) for the jobs an earlier test left open. Jobs a failed
        test left stuck are marked failed, so that they cannot hold up this test's batch
        (that test has failed already); return what was done, for the output."""
        kinds = ["notice", "agreement_email"]
        self.supervise()
        with contextlib.suppress(FaultTimeout):
            wait_for(lambda: self.open_jobs(kinds) == 0, timeout=timeout, what="")
        if not self.open_jobs(kinds):
            return ""
        stuck = self.job_table(open_only=True)
        self.query(
            "UPDATE outbox_job SET status = 'failed', finished_at = now(),"
            " error = 'left open by an earlier fault test' WHERE kind = ANY(%s)"
            " AND status IN ('pending', 'running') RETURNING id",
            [kinds],
        )
        return f"an earlier test left these jobs open (now marked failed):\n{stuck}"

    def job_table(self, *, open_only: bool = False, limit: int = 60) -> str:
        """The newest jobs (or the open ones), one line each, for a failure's report."""
        where = "WHERE status IN ('pending', 'running')" if open_only else ""
        rows = self.query(
            "SELECT id, kind, school_id, audience, status, attempts, sent_at IS NOT NULL,"
            " available_at, claimed_by, left(result, 60), left(error, 80) FROM outbox_job"
            f" {where} ORDER BY id DESC LIMIT %s",
            [limit],
        )
        header = "id kind school audience status attempts sent available claimed_by result error"
        return "\n".join([header, *(" ".join(str(value) for value in row) for row in rows)])

    def jobs_since(self, snapshot: Snapshot, kind: str = "notice") -> list[dict[str, Any]]:
        columns = ["id", "school_id", "audience", "status", "attempts", "result", "error",
                   "sent_at", "agreement_version_id"]  # fmt: skip
        rows = self.query(
            f"SELECT {', '.join(columns)} FROM outbox_job WHERE id > %s AND kind = %s ORDER BY id",
            [snapshot.last_job, kind],
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def verify(
        self,
        fault: str,
        snapshot: Snapshot,
        *,
        hashes: dict[str, Any] | None = None,
        poisoned: Iterable[int] = (),
    ) -> Figures:
        """Count, for every published school's documents (but the ``poisoned`` schools'), the
        versions issued since ``snapshot``: each document whose content changed must have
        exactly one new rendered version, with the content hash its content has now
        (``hashes``, from inside.expected_hashes, built now if not given)."""
        poisoned = set(poisoned)
        if hashes is None:
            hashes = self.inside("expected_hashes")
        versions: dict[str, list[tuple[int, str, str]]] = {}
        for school, audience, number, status, digest in self.query(
            "SELECT school_id, audience, number, status, content_hash"
            " FROM notices_noticeversion ORDER BY number"
        ):
            versions.setdefault(f"{school}:{audience}", []).append((number, status, digest))
        figures = Figures(fault, 0, 0, 0, 0, time.monotonic() - snapshot.taken)
        if self.crashes_since(snapshot):
            figures.extra["crashed_and_restarted"] = self.crashes_since(snapshot)
        for key, now in sorted(hashes.items()):
            if int(key.split(":")[0]) in poisoned:
                continue
            self._count(figures, key, now, snapshot, versions.get(key, []))
        return figures

    @staticmethod
    def _count(
        figures: Figures,
        key: str,
        now: dict[str, str],
        snapshot: Snapshot,
        versions: list[tuple[int, str, str]],
    ) -> None:
        if "error" in now:
            figures.problems.append(f"{key}: its content cannot be built: {now['error']}")
            return
        before_number, before_hash = snapshot.newest.get(key, (0, ""))
        new = [v for v in versions if v[0] > before_number]
        rendered = [v for v in new if v[1] == "rendered"]
        changed = now["hash"] != before_hash
        figures.expected += changed
        figures.issued += len(rendered)
        newest_ok = (
            bool(versions) and versions[-1][1] == "rendered" and versions[-1][2] == now["hash"]
        )
        if changed and not (rendered and newest_ok):
            figures.lost += 1
            figures.problems.append(f"{key}: lost (new versions: {new})")
        extra = len(rendered) - (1 if changed else 0)
        if extra > 0:
            figures.duplicated += extra
            figures.problems.append(f"{key}: {extra} version(s) too many: {new}")
        if len(new) != len(rendered):
            figures.problems.append(f"{key}: unrendered versions: {new}")
        if not newest_ok:
            figures.problems.append(f"{key}: newest version is not the content of now")

    def assert_exactly_once(self, figures: Figures, *, documents: int | None = None) -> None:
        """Every document was changed, and each issued exactly one new version."""
        expected = documents if documents is not None else 2 * len(self.published_schools())
        assert figures.expected == expected, (
            f"the change reached {figures.expected} of {expected} documents: {figures.line()}"
        )
        assert (figures.lost, figures.duplicated, figures.problems) == (0, 0, []), (
            f"{figures.line()}\n" + "\n".join(figures.problems)
        )
        assert figures.issued == figures.expected, figures.line()
