"""Jobs: one row per document to render or email to send, written with the change itself."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone


class JobBatch(models.Model):
    """A group of jobs asked for together (a re-render of every school): its progress."""

    label = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "batch of jobs"
        verbose_name_plural = "batches of jobs"

    def __str__(self) -> str:
        return f"{self.label} ({timezone.localtime(self.created_at):%d %b %Y %H:%M})"

    def progress(self) -> dict[str, int]:
        """Return how many of the batch's jobs are done, pending (or running) and failed."""
        counts = self.jobs.aggregate(
            done=Count("pk", filter=Q(status=Job.Status.DONE)),
            pending=Count("pk", filter=Q(status__in=[Job.Status.PENDING, Job.Status.RUNNING])),
            failed=Count("pk", filter=Q(status=Job.Status.FAILED)),
        )
        counts["total"] = sum(counts.values())
        return counts


class JobQuerySet(models.QuerySet["Job"]):
    def open(self) -> "JobQuerySet":
        """Jobs not finished: waiting, or being worked on."""
        return self.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING])

    def overdue(self, seconds: int | None = None) -> "JobQuerySet":
        """Open jobs that became due longer ago than a batch should take to reach them."""
        limit = seconds if seconds is not None else settings.OUTBOX_OVERDUE_SECONDS
        since = timezone.now() - datetime.timedelta(seconds=limit)
        return self.open().filter(available_at__lt=since)


class Job(models.Model):
    """One piece of background work: render one school's notice, or send one school an email.

    The row is written in the same transaction as the change that needs it, so it cannot be
    lost with a message; a message naming its id is sent after commit, and the sweeper sends
    it again if the message went missing. At most one job per ``key`` waits at a time.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", "Render a privacy notice"
        NOTICE_EMAIL = "notice_email", "Email the DPO: notices changed"
        AGREEMENT_EMAIL = "agreement_email", "Email the DPO: agreement to sign"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(
        max_length=100, help_text="What the job is about: one waiting job per key."
    )
    school = models.ForeignKey("governance.School", on_delete=models.CASCADE, related_name="jobs")
    audience = models.CharField(max_length=12, blank=True)
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    tell_dpo = models.BooleanField(
        default=True,
        help_text="Email the DPO about a new notice version (not when they published it).",
    )
    batch = models.ForeignKey(
        JobBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(
        default=timezone.now, help_text="Not to be run before (retries wait)."
    )
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When a message for it last reached the broker."
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(status="pending"), name="one_waiting_job_per_key"
            ),
            models.CheckConstraint(
                condition=~Q(kind="notice") | ~Q(audience=""), name="notice_job_has_audience"
            ),
            models.CheckConstraint(
                condition=~Q(kind="agreement_email") | Q(agreement_version__isnull=False),
                name="agreement_job_has_version",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "available_at"]),
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["school", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.describe()} ({self.get_status_display().lower()})"

    def describe(self) -> str:
        """Say what the job does, for staff."""
        school = self.school.name
        if self.kind == self.Kind.NOTICE:
            from notices.content import Audience

            audience = dict(Audience.choices).get(self.audience, self.audience)
            return f"{school}: render the {audience.lower()} notice"
        if self.kind == self.Kind.AGREEMENT_EMAIL:
            return f"{school}: ask the DPO to sign {self.agreement_version}"
        return f"{school}: tell the DPO the notices changed"
