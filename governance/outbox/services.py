"""Write jobs with the change, send their ids after commit, run them once, sweep up the rest.

The guarantees, and what each rests on:

- *Nothing lost*: a job is a row written in the transaction of the change that needs it, so it
  exists exactly when the change does. Messages are only a prompt: one that never reached the
  broker (it was down) or vanished with it is sent again by ``sweep``.
- *One worker at a time*: a worker claims a job with ``SELECT … FOR UPDATE SKIP LOCKED`` and
  keeps the row locked while it works. If the worker dies its connection closes, PostgreSQL
  drops the lock, and the next delivery or sweep finds the job unlocked: it is taken over.
- *Done once*: the work itself is idempotent (a notice with the content of its newest version
  issues nothing), so a job run twice makes no second version.
- *Bounded*: a job that keeps failing, or keeps killing its worker, stops after
  ``OUTBOX_MAX_ATTEMPTS`` and is shown to staff as failed, with its error, to retry.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from amqp.exceptions import ChannelError
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from governance.outbox.models import Job, JobBatch

logger = logging.getLogger(__name__)

# What each kind of job runs: a function taking the (locked) job and returning a short result.
HANDLERS: dict[str, str] = {
    Job.Kind.NOTICE: "notices.jobs.render_notice",
    Job.Kind.NOTICE_EMAIL: "notices.jobs.email_notice_changes",
    Job.Kind.AGREEMENT_EMAIL: "agreements.jobs.email_signature_request",
}

# Errors worth another attempt later: the database, the mail server or a file store was
# unreachable, or a render ran out of time. Anything else (a template error, bad data) fails
# at once: trying again would fail the same way.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, OSError)


class Defer(Exception):  # control flow, not an error
    """Raised by a handler that cannot run yet: the job waits ``seconds`` without an attempt."""

    def __init__(self, reason: str, seconds: int = 30) -> None:
        super().__init__(reason)
        self.seconds = seconds


@dataclass(frozen=True)
class JobSpec:
    """A job to write: its kind and key, and the fields that say what it is about."""

    kind: str
    key: str
    fields: dict[str, Any] = field(default_factory=dict)


def notice_job(school_id: int, audience: str, *, tell_dpo: bool = True) -> JobSpec:
    return JobSpec(
        Job.Kind.NOTICE,
        f"notice:{school_id}:{audience}",
        {"school_id": school_id, "audience": audience, "tell_dpo": tell_dpo},
    )


def notice_email_job(school_id: int) -> JobSpec:
    return JobSpec(Job.Kind.NOTICE_EMAIL, f"notice_email:{school_id}", {"school_id": school_id})


def agreement_email_job(version_id: int, school_id: int) -> JobSpec:
    return JobSpec(
        Job.Kind.AGREEMENT_EMAIL,
        f"agreement_email:{version_id}:{school_id}",
        {"school_id": school_id, "agreement_version_id": version_id},
    )


def enqueue(
    specs: Iterable[JobSpec], *, batch: JobBatch | None = None, send: bool = True
) -> list[int]:
    """Write ``specs`` as waiting jobs in one statement; send their ids once this commits.

    A key that already has a waiting job gets no second one (that job will do), but it joins
    ``batch`` and is sent again. Returns the ids of the waiting jobs for ``specs``.
    """
    specs = list({spec.key: spec for spec in specs}.values())
    if not specs:
        return []
    now = timezone.now()
    Job.objects.bulk_create(
        [Job(kind=s.kind, key=s.key, batch=batch, available_at=now, **s.fields) for s in specs],
        ignore_conflicts=True,
        batch_size=1000,
    )
    keys = [s.key for s in specs]
    waiting = Job.objects.filter(status=Job.Status.PENDING, key__in=keys)
    if batch is not None:
        waiting.exclude(batch=batch).update(batch=batch)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    # Whoever asks for a quiet job (a DPO publishing) makes a waiting one quiet too.
    quiet = [s.key for s in specs if s.fields.get("tell_dpo") is False]
    if quiet:
        waiting.filter(key__in=quiet, tell_dpo=True).update(tell_dpo=False)
    if send:
        after_commit(lambda: send_jobs(ids))
    return ids


def after_commit(func: Callable[[], Any]) -> None:
    """Run ``func`` once the current transaction commits (at once outside one); an error in
    it is logged, never raised into the request that committed."""
    transaction.on_commit(func, robust=True)


# After a failed send, this process does not try the broker again for this many seconds: one
# request with several transactions waits on a dead broker once (about 2 s), not once each.
BROKER_DOWN_PAUSE = 10.0


class _BrokerState:
    down_until = 0.0


_broker = _BrokerState()


def send_jobs(ids: Sequence[int]) -> int:
    """Send a message for each job in ``ids``, in chunks over one connection; return how many.

    Never raises: a broker that cannot be reached leaves the rest unsent (``sent_at`` empty)
    for the sweeper, and the request or task that asked carries on.
    """
    from governance.outbox.tasks import run_job

    eager = run_job.app.conf.task_always_eager
    if not eager and time.monotonic() < _broker.down_until:
        return 0  # it failed a moment ago: do not make this request wait on it again
    chunk_size = settings.OUTBOX_SEND_CHUNK
    sent = 0
    for start in range(0, len(ids), chunk_size):
        chunk = list(ids[start : start + chunk_size])
        if eager:
            _run_in_process(chunk)
            sent += len(chunk)
            continue
        # Stamped before the first message exists: stamped after, the UPDATE would hold the
        # rows' locks while workers claim them, and a claim (SKIP LOCKED) would skip its job.
        stamp = timezone.now()
        Job.objects.filter(pk__in=chunk, status=Job.Status.PENDING).update(sent_at=stamp)
        try:
            with run_job.app.producer_or_acquire() as producer:
                for job_id in chunk:
                    run_job.apply_async((job_id,), producer=producer, retry=False)
        except Exception:
            _broker.down_until = time.monotonic() + BROKER_DOWN_PAUSE
            Job.objects.filter(pk__in=chunk, status=Job.Status.PENDING, sent_at=stamp).update(
                sent_at=None
            )
            logger.warning(
                "The task broker is unreachable: %s job(s) wait for the outbox sweeper",
                len(ids) - sent,
                exc_info=True,
            )
            return sent
        sent += len(chunk)
    return sent


_in_process = threading.local()


def _run_in_process(ids: list[int]) -> None:
    """Run jobs here and now (no broker configured), one after another.

    A job that asks for another (a notice's email to the DPO) does not run it inside itself:
    the new one waits its turn, as it would behind a broker, until the current job is done.
    """
    if getattr(_in_process, "queue", None) is not None:
        _in_process.queue.extend(ids)
        return
    _in_process.queue = list(ids)
    try:
        while _in_process.queue:
            run(_in_process.queue.pop(0))
    finally:
        _in_process.queue = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run(job_id: int) -> str:
    """Claim job ``job_id`` and do it, unless it is done, failed or held by a live worker."""
    attempt = _claim(job_id)
    if attempt is None:
        return "skipped"
    with transaction.atomic():
        # Lock the row for as long as the work takes: the lock is how others know we live.
        job = (
            # Only the job's row: locking its school too would make the school's other jobs
            # skip (SKIP LOCKED) and drop their messages.
            Job.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("school")
            .filter(pk=job_id, status=Job.Status.RUNNING, attempts=attempt)
            .first()
        )
        if job is None:  # another worker took it over in between
            return "skipped"
        handler: Callable[[Job], str] = import_string(HANDLERS[job.kind])
        try:
            with transaction.atomic():
                result = handler(job)
        except Defer as deferral:
            _wait(job, seconds=deferral.seconds, counted=False)
            job.result = str(deferral)[:200]
            job.save()
            return "deferred"
        except Exception as error:
            _record_failure(job, error)
            return job.status
        job.status, job.result, job.error = Job.Status.DONE, (result or "")[:200], ""
        job.finished_at = timezone.now()
        job.save()
        return job.status


def _claim(job_id: int) -> int | None:
    """Mark the job running and count the attempt (committed); return the attempt number."""
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING])
            .first()
        )
        if job is None:
            return None
        if job.status == Job.Status.RUNNING:
            if job.claimed_at and job.claimed_at > timezone.now() - claim_grace():
                # Claimed a moment ago and not locked yet: its worker is between the claim and
                # the work (a second message for the same job, sent again by the sweeper). If
                # that worker died in between, the sweeper releases the job after the grace.
                return None
            # Running, yet nobody holds its lock: the worker that claimed it is gone.
            logger.warning("Job %s: its worker %s stopped; taking it over", job.pk, job.claimed_by)
        if job.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            job.status, job.finished_at = Job.Status.FAILED, timezone.now()
            job.error = (
                f"Stopped after {job.attempts} attempts without finishing "
                f"(its worker was stopped or timed out each time).\n{job.error}"
            ).strip()
            job.save()
            return None
        job.status, job.attempts = Job.Status.RUNNING, job.attempts + 1
        job.claimed_at, job.claimed_by = timezone.now(), worker_name()
        job.save()
        return job.attempts


def _wait(job: Job, *, seconds: float, counted: bool = True) -> None:
    """Put ``job`` back to wait ``seconds``; the sweeper sends it when it is due."""
    job.status = Job.Status.PENDING
    job.available_at = timezone.now() + timedelta(seconds=seconds)
    job.sent_at = None
    if not counted:
        job.attempts -= 1
    # Another change may have queued a fresh job for the same key meanwhile: that one will do.
    if Job.objects.filter(key=job.key, status=Job.Status.PENDING).exclude(pk=job.pk).exists():
        job.status, job.result = Job.Status.DONE, "superseded by a newer job"
        job.finished_at = timezone.now()


def _record_failure(job: Job, error: Exception) -> None:
    detail = f"{type(error).__name__}: {error}"[:2000]
    transient = isinstance(error, TRANSIENT_ERRORS) or _is_time_limit(error)
    if transient and job.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        logger.warning("Job %s failed (attempt %s), will retry: %s", job.pk, job.attempts, detail)
        _wait(job, seconds=backoff(job.attempts))
        job.error = detail
    else:
        logger.error("Job %s failed for good: %s", job.pk, detail, exc_info=error)
        job.status, job.error, job.finished_at = Job.Status.FAILED, detail, timezone.now()
    job.save()


def _is_time_limit(error: BaseException) -> bool:
    from celery.exceptions import SoftTimeLimitExceeded

    return isinstance(error, SoftTimeLimitExceeded)


def backoff(attempts: int) -> float:
    """Seconds to wait before attempt ``attempts + 1``: doubling, capped."""
    base = settings.OUTBOX_RETRY_BACKOFF_SECONDS
    return float(min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_BACKOFF_MAX_SECONDS))


def retry(jobs: Iterable[Job]) -> int:
    """Give failed jobs a fresh set of attempts and send them; return how many."""
    ids = [job.pk for job in jobs if job.status == Job.Status.FAILED]
    if not ids:
        return 0
    with transaction.atomic():
        retried = 0
        for job in Job.objects.select_for_update().filter(pk__in=ids, status=Job.Status.FAILED):
            if Job.objects.filter(key=job.key, status=Job.Status.PENDING).exists():
                continue  # a newer job for the same document is already waiting
            job.status, job.attempts, job.sent_at = Job.Status.PENDING, 0, None
            job.available_at, job.finished_at = timezone.now(), None
            job.save()
            retried += 1
        waiting = list(
            Job.objects.filter(pk__in=ids, status=Job.Status.PENDING).values_list("pk", flat=True)
        )
        after_commit(lambda: send_jobs(waiting))
    return retried


@dataclass
class SweepReport:
    released: int = 0
    sent: int = 0
    resent: int = 0

    def __str__(self) -> str:
        return (
            f"{self.released} job(s) of stopped workers released, {self.sent} sent, "
            f"{self.resent} sent again"
        )


def sweep(*, now: Any = None) -> SweepReport:
    """Release jobs whose worker vanished, and send jobs whose message never got through.

    Run every minute by beat. A waiting job is sent again only when it has waited longer than
    ``OUTBOX_RESEND_SECONDS`` since its last message and the broker's queue is empty, so a
    long batch still being worked through is not sent twice over.
    """
    now = now or timezone.now()
    report = SweepReport(released=_release_orphans(now))
    due = Job.objects.filter(status=Job.Status.PENDING, available_at__lte=now)
    unsent = list(due.filter(sent_at=None).order_by("pk").values_list("pk", flat=True))
    report.sent = send_jobs(unsent)
    stale = due.filter(sent_at__lt=now - timedelta(seconds=settings.OUTBOX_RESEND_SECONDS))
    if stale.exists() and queue_depth() == 0:
        ids = list(stale.order_by("pk").values_list("pk", flat=True))
        logger.warning("%s job(s) were sent but never started: sending them again", len(ids))
        report.resent = send_jobs(ids)
    return report


def claim_grace() -> timedelta:
    """How long a running job is its claimer's even though nobody holds its row lock."""
    if connection.vendor == "postgresql":
        return timedelta(seconds=10)  # a job just claimed is locked a moment later
    # No row locks to tell a live worker from a dead one: wait out the time limit.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _release_orphans(now: Any) -> int:
    """Put back to wait the running jobs nobody holds (their worker died mid-job)."""
    grace = claim_grace()
    released = 0
    with transaction.atomic():
        orphans = Job.objects.select_for_update(skip_locked=True).filter(
            status=Job.Status.RUNNING, claimed_at__lt=now - grace
        )
        for job in orphans:
            logger.warning("Job %s: its worker %s stopped mid-job", job.pk, job.claimed_by)
            job.status, job.sent_at = Job.Status.PENDING, None
            if Job.objects.filter(key=job.key, status=Job.Status.PENDING).exists():
                job.status, job.result = Job.Status.DONE, "superseded by a newer job"
                job.finished_at = now
            job.save()
            released += 1
    return released


def queue_depth() -> int | None:
    """Return how many messages wait in the broker's default queue, or None if unknown."""
    from governance.outbox.tasks import run_job

    app = run_job.app
    if app.conf.task_always_eager:
        return 0
    try:
        with app.connection_for_write() as conn, conn.channel() as channel:
            try:
                ok = channel.queue_declare(  # type: ignore[attr-defined]
                    queue=app.conf.task_default_queue, passive=True
                )
            except ChannelError as error:
                # kombu's Redis transport keeps a queue as a list, which Redis deletes when
                # it empties: a passive declare of an empty queue answers NOT_FOUND (404).
                if str(getattr(error, "reply_code", "")) == "404":
                    return 0
                raise
            return int(ok.message_count)
    except Exception:
        logger.warning("Could not read the broker's queue length", exc_info=True)
        return None


def oldest_waiting_seconds() -> int | None:
    """Seconds the longest-waiting due job has waited, or None when nothing waits."""
    now = timezone.now()
    oldest = (
        Job.objects.open()
        .filter(available_at__lte=now)
        .order_by("available_at")
        .values_list("available_at", flat=True)
        .first()
    )
    return None if oldest is None else int((now - oldest).total_seconds())
