"""Benchmark the public verifier under abuse: do other pages stay fast while it is flooded?

Starts its own gunicorn (production settings, on a free port, with a throwaway SQLite
database and media folder, or DATABASE_URL if set) and, when redis-server is on PATH, a Redis
of its own for the upload counts (as production keeps them; never the machine's Redis), seals
a PDF with a throwaway development PKI, then times public pages (p50/p95) with nothing else
running, and while 12 clients upload the sealed PDF to /agreements/verify/ in a loop, ignoring
Retry-After:
first each from its own address (X-Forwarded-For behind TRUSTED_PROXY_COUNT=1: the worst case
for a per-address throttle), then all from one. Stops the server by its PID at the end.

    python scripts/bench_verifier.py --workers 2 --uploaders 12 --seconds 30
"""

import argparse
import http.client
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VERIFY = "/agreements/verify/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(workdir: str) -> tuple[subprocess.Popen | None, str]:
    """A redis-server of our own (free port, own folder, no persistence), or None."""
    if shutil.which("redis-server") is None:
        return None, ""
    port = free_port()
    folder = Path(workdir, "redis")
    folder.mkdir()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    process.kill()
    raise SystemExit("redis-server did not start within 10 s")


def server_environment(workdir: str, redis_url: str) -> dict[str, str]:
    """Production's settings, but static files collected into ``workdir``, not the project."""
    Path(workdir, "bench_settings.py").write_text(
        f"from governance.settings import *  # noqa: F403\nSTATIC_ROOT = {workdir + '/static'!r}\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    env.update(
        PYTHONPATH=os.pathsep.join([workdir, str(ROOT)]),
        DJANGO_SETTINGS_MODULE="bench_settings",
        DJANGO_DEBUG="false",
        HTTPS_ONLY="false",
        SECRET_KEY="bench-only-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
        TRUSTED_PROXY_COUNT="1",
        MEDIA_ROOT=f"{workdir}/media",
        SEAL_DEV_DIR=f"{workdir}/seal",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="ERROR",
    )
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate, load the demo registry and render its notices, as `make run` does, and
    collect the static files, as the production image does."""
    commands = (
        ["migrate", "--no-input"], ["load_demo"], ["render_documents", "--sync"],
        ["collectstatic", "--no-input"],
    )  # fmt: skip
    for command in commands:
        subprocess.run(
            [str(BIN / "python"), "manage.py", *command, "-v", "0"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip


def sealed_pdf(env: dict[str, str]) -> bytes:
    """A ten-page PDF sealed as a signed copy is, by the same development PKI as the server."""
    code = (
        "import sys, django; django.setup()\n"
        "from weasyprint import HTML\n"
        "from agreements.seal import seal_pdf\n"
        "html = '<h1>Bench agreement</h1>' + '<p>' + 'Clause text. ' * 400 + '</p>'\n"
        "pdf = HTML(string=html * 10).write_pdf()\n"
        "sys.stdout.buffer.write(seal_pdf(pdf, reason='Benchmark'))\n"
    )
    done = subprocess.run(
        [str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return done.stdout


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None
) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within a minute")


def multipart(pdf: bytes) -> tuple[bytes, str]:
    """Return the body and content type of the verify form with ``pdf`` chosen."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
            'filename="signed.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def crowd(port: int, requests: list[tuple], stop: Any, results: Any) -> None:
    """Send each request again and again, one thread each, until ``stop``; put the count of
    each status in ``results``. Runs in a process of its own at low priority: the crowd's
    own work would be on its machines, not the server's, and its threads must not hold up
    the timing thread's (the GIL)."""
    os.nice(10)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def loop(method: str, path: str, body: bytes, headers: dict) -> None:
        while not stop.is_set():
            try:
                status = request(port, method, path, body, headers)[0]
            except OSError:  # the server closed the connection before reading the body
                status = 0
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=loop, args=spec) for spec in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(statuses))


def probe(port: int, paths: list[str], seconds: float) -> dict[str, list[float]]:
    """Fetch each public page in turn for ``seconds``; return the milliseconds of each."""
    times: dict[str, list[float]] = {path: [] for path in paths}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in paths:
            started = time.perf_counter()
            status, _, _ = request(port, "GET", path)
            times[path].append((time.perf_counter() - started) * 1000)
            assert status == 200, f"{path} answered {status}"
    return times


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def phase(
    port: int, paths: list[str], seconds: float, requests: list[tuple]
) -> tuple[dict[str, list[float]], Counter[int]]:
    """Time the public pages while ``requests`` are sent in a loop (none: idle)."""
    stop = multiprocessing.Event()
    results: multiprocessing.Queue[dict[int, int]] = multiprocessing.Queue()
    load = multiprocessing.Process(target=crowd, args=(port, requests, stop, results))
    load.start()
    time.sleep(0.5)
    times = probe(port, paths, seconds)
    stop.set()
    statuses = Counter(results.get(timeout=120))
    load.join()
    return times, statuses


def report(name: str, times: dict[str, list[float]], idle: dict[str, list[float]] | None) -> None:
    for path, values in times.items():
        p50, p95 = percentile(values, 0.50), percentile(values, 0.95)
        line = f"  {name:<28} {path:<30} n={len(values):<5} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
        if idle:
            idle_p50, idle_p95 = percentile(idle[path], 0.50), percentile(idle[path], 0.95)
            line += f"  loaded/idle p50 {p50 / idle_p50:4.1f}x  p95 {p95 / idle_p95:4.1f}x"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="over 1: gthread workers")
    parser.add_argument("--uploaders", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=30, help="per loaded run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        redis, redis_url = start_redis(workdir)
        try:
            bench(workdir, redis_url, args)
        finally:
            if redis is not None:
                redis.terminate()
                redis.wait(timeout=30)


def bench(workdir: str, redis_url: str, args: argparse.Namespace) -> None:
    env = server_environment(workdir, redis_url)
    # The jobs the demo queues run in process while preparing: no worker, no broker.
    prepare({key: value for key, value in env.items() if key != "REDIS_URL"})
    pdf = sealed_pdf(env)
    port = free_port()
    log = Path(workdir, "gunicorn.log")
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "governance.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_up(port, server)
        counts = f"a Redis of its own ({redis_url})" if redis_url else "each worker's memory"
        print(f"upload counts kept in {counts}")
        run(port, pdf, args)
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        print(f"server errors: {len(errors)} (log: one line per refused upload, not shown)")


def run(port: int, pdf: bytes, args: argparse.Namespace) -> None:
    urn = "999101"  # a demo school with published notices
    paths = ["/healthz", "/schools/", f"/schools/{urn}/privacy/"]
    for path in paths:
        request(port, "GET", path)  # warm each worker's caches
    body, content_type = multipart(pdf)

    def uploads(addresses: list[str]) -> list[tuple]:
        headers = [{"Content-Type": content_type, "X-Forwarded-For": a} for a in addresses]
        return [("POST", VERIFY, body, h) for h in headers]

    n = args.uploaders
    kind = f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
    print(f"gunicorn: {args.workers} {kind}; sealed PDF: {len(pdf) // 1024} KB")
    idle, _ = phase(port, paths, 10, [])
    print("public pages, nothing else running:")
    report("idle", idle, None)
    runs = [
        ("each from its own address", uploads([f"198.51.100.{i + 1}" for i in range(n)])),
        ("all from one address", uploads(["203.0.113.9"] * n)),
        # The floor no throttle in the application can go below: as many clients asking for
        # a static file (served by WhiteNoise, before any view).
        ("reference: a static file", [("GET", "/static/site/site.css", b"", {})] * n),
    ]
    for name, requests in runs:
        times, statuses = phase(port, paths, args.seconds, requests)
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        rate = sum(statuses.values()) / args.seconds
        print(f"while {n} clients loop, {name} ({rate:.0f} requests/s; {answers}):")
        report(name, times, idle)


if __name__ == "__main__":
    main()
