"""Background jobs for staff: what waits, what failed and why, retry; batches' progress."""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from governance.admin_base import LinkedRowsInline, ReadOnlyAdmin
from governance.outbox import services
from governance.outbox.models import Job, JobBatch


class AttentionFilter(admin.SimpleListFilter):
    """Jobs staff should look at: failed, or waiting longer than a batch should take."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        minutes = settings.OUTBOX_OVERDUE_SECONDS // 60
        return [
            ("overdue", f"Waiting more than {minutes} minutes"),
            ("failed", "Failed"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Job]) -> QuerySet[Job]:
        if self.value() == "overdue":
            return queryset.overdue()  # type: ignore[attr-defined]
        if self.value() == "failed":
            return queryset.filter(status=Job.Status.FAILED)
        return queryset


def _may_retry(request: HttpRequest) -> bool:
    """Staff may retry jobs (jobs themselves are never edited); auditors may not."""
    return request.user.is_superuser


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["what", "status", "attempts", "waiting", "result", "error_summary", "batch"]
    list_filter = [AttentionFilter, "status", "kind", "batch"]
    search_fields = ["school__name", "school__urn", "key", "error", "result"]
    list_select_related = ["school", "batch", "agreement_version__agreement"]
    date_hierarchy = "created_at"
    actions = ["retry_jobs", "send_again"]
    fields = ("what", "kind", "school", "audience", "agreement_version", "tell_dpo", "batch",
              "status", "attempts", "result", "error", "created_at", "available_at", "sent_at",
              "claimed_at", "claimed_by", "finished_at")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="Job")
    def what(self, obj: Job) -> str:
        return obj.describe()

    @admin.display(description="Waiting for")
    def waiting(self, obj: Job) -> str:
        if obj.status not in (Job.Status.PENDING, Job.Status.RUNNING):
            return "—"
        if obj.available_at > timezone.now():
            return f"due in {timesince(timezone.now(), obj.available_at)}"
        return timesince(obj.available_at)

    @admin.display(description="Error")
    def error_summary(self, obj: Job) -> str:
        first = obj.error.splitlines()[0] if obj.error else ""
        return first[:120] + ("…" if len(first) > 120 else "")

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return _may_retry(request)

    @admin.action(description="Retry these failed jobs", permissions=["retry"])
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retried = services.retry(queryset.filter(status=Job.Status.FAILED))
        skipped = queryset.count() - retried
        note = f" ({skipped} not failed, or already waiting again, left alone)" if skipped else ""
        self.message_user(request, f"{retried} job(s) sent again{note}.", messages.SUCCESS)

    @admin.action(description="Send these waiting jobs to the workers again", permissions=["retry"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        ids = list(queryset.filter(status=Job.Status.PENDING).values_list("pk", flat=True))
        sent = services.send_jobs(ids)
        if sent < len(ids):
            self.message_user(
                request,
                f"The task broker cannot be reached: {len(ids) - sent} job(s) still wait. "
                "They are sent as soon as it is back.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"{sent} job(s) sent.", messages.SUCCESS)


class UnfinishedJobsInline(LinkedRowsInline):
    """Jobs that need a look (failed, or still to do); the done ones are in the job list."""

    model = Job
    fields = ("what", "status", "attempts", "created_at", "error")
    readonly_fields = fields
    max_num = 0
    ordering = ["-status", "pk"]  # waiting and running, then failed

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        queryset = super().get_queryset(request).exclude(status=Job.Status.DONE)
        return queryset.select_related("school", "agreement_version").order_by(*self.ordering)

    @admin.display(description="Job")
    def what(self, obj: Job) -> str:
        return obj.describe()


class BatchJobsInline(UnfinishedJobsInline):
    verbose_name_plural = "jobs not done"


class SchoolJobsInline(UnfinishedJobsInline):
    """On a school's page: its documents still being issued, and those that failed."""

    verbose_name_plural = "documents being issued or failed"
    ordering = ["-created_at"]


@admin.register(JobBatch)
class JobBatchAdmin(ReadOnlyAdmin):
    list_display = ["label", "created_at", "created_by", "done", "pending", "failed"]
    search_fields = ["label", "created_by__username"]
    date_hierarchy = "created_at"
    fields = ("label", "created_at", "created_by", "progress_report")
    readonly_fields = fields
    inlines = [BatchJobsInline]
    change_list_template = "admin/outbox/jobbatch/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[JobBatch]:
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(
                n_done=Count("jobs", filter=Q(jobs__status=Job.Status.DONE)),
                n_pending=Count(
                    "jobs", filter=Q(jobs__status__in=[Job.Status.PENDING, Job.Status.RUNNING])
                ),
                n_failed=Count("jobs", filter=Q(jobs__status=Job.Status.FAILED)),
            )
        )

    @admin.display(description="Done", ordering="n_done")
    def done(self, obj: JobBatch) -> int:
        return obj.n_done  # type: ignore[attr-defined]

    @admin.display(description="Pending", ordering="n_pending")
    def pending(self, obj: JobBatch) -> int:
        return obj.n_pending  # type: ignore[attr-defined]

    @admin.display(description="Failed", ordering="n_failed")
    def failed(self, obj: JobBatch) -> str:
        if not obj.n_failed:  # type: ignore[attr-defined]
            return "0"
        url = reverse("admin:outbox_job_changelist")
        return format_html(
            '<a href="{}?batch__id__exact={}&status__exact=failed">{}</a>',
            url,
            obj.pk,
            obj.n_failed,  # type: ignore[attr-defined]
        )

    @admin.display(description="Progress")
    def progress_report(self, obj: JobBatch) -> str:
        p = obj.progress()
        url = reverse("admin:outbox_job_changelist") + f"?batch__id__exact={obj.pk}"
        return format_html(
            '{} done, {} pending, {} failed of {} · <a href="{}">see the jobs</a>',
            p["done"],
            p["pending"],
            p["failed"],
            p["total"],
            url,
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.rerender_all_view)
        return [
            path("rerender-all/", view, name="outbox_jobbatch_rerender_all"),
            *super().get_urls(),
        ]

    def rerender_all_view(self, request: HttpRequest) -> HttpResponse:
        """Confirm, then write one batch of render jobs for every published school."""
        if not _may_retry(request):
            raise PermissionDenied
        from governance.models import School
        from notices.dependencies import queue_notice_batch

        published = School.objects.issuing()
        if request.method == "POST":
            batch = queue_notice_batch(label="Re-render every school's notices", user=request.user)
            self.message_user(
                request,
                "Every published school's notices are being brought up to date; a notice whose "
                "content has not changed keeps its version.",
                messages.SUCCESS,
            )
            return redirect("admin:outbox_jobbatch_change", batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Re-render every school's notices",
            "schools": published.count(),
            "drafts": School.objects.filter(notices_published_at__isnull=True).count(),
        }
        return TemplateResponse(request, "admin/outbox/jobbatch/rerender_all.html", context)


def report_jobs(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    ids: list[int],
    *,
    batch: JobBatch | None = None,
    verbs: dict[int, str] | None = None,
) -> None:
    """Tell staff how the jobs they just asked for stand: done (with what each did), failed
    (with why), or waiting for the workers (with where to follow them)."""
    jobs = list(
        Job.objects.filter(pk__in=ids).select_related("school").order_by("school__name", "pk")
    )
    for job in jobs:
        if job.status == Job.Status.FAILED:
            reason = job.error.splitlines()[0] if job.error else "no reason recorded"
            modeladmin.message_user(
                request,
                f"{job.describe()} failed ({reason}). Any earlier version stays public; "
                "retry it under Background jobs once the cause is mended.",
                messages.ERROR,
            )
    done: dict[Any, list[str]] = {}
    for job in jobs:
        if job.status == Job.Status.DONE:
            done.setdefault(job.school, []).append(job.result)
    for school, results in done.items():
        verb = (verbs or {}).get(school.pk, "brought up to date")
        modeladmin.message_user(
            request, f"{school.name}: notices {verb}. {'; '.join(results)}.", messages.SUCCESS
        )
    waiting = [job for job in jobs if job.status in (Job.Status.PENDING, Job.Status.RUNNING)]
    if waiting:
        url = reverse("admin:outbox_job_changelist") + "?status__exact=pending"
        if batch is not None:
            url = reverse("admin:outbox_jobbatch_change", args=[batch.pk])
        modeladmin.message_user(
            request,
            format_html(
                '{} of {} document(s) are being issued by the workers: <a href="{}">follow '
                "them</a>.",
                len(waiting),
                len(jobs),
                url,
            ),
            messages.SUCCESS,
        )
