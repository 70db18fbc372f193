"""Staff view of issued notices: read-only history, failures, and re-render actions."""

from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from governance.admin_base import ReadOnlyAdmin, TabularInline
from governance.models import School
from notices.dependencies import queue_notice_batch
from notices.models import NoticeVersion


def _public_links(version: NoticeVersion, urn: str) -> str:
    if version.status != NoticeVersion.Status.RENDERED:
        return "—"
    args = [urn, version.audience, version.number]
    return format_html(
        '<a href="{}">page</a> · <a href="{}">PDF</a>',
        reverse("notices:version", args=args),
        reverse("notices:version_pdf", args=args),
    )


@admin.register(NoticeVersion)
class NoticeVersionAdmin(ReadOnlyAdmin):
    """Issued versions never change: nothing here can be added, edited or deleted."""

    list_display = ["school", "audience", "number", "status", "pdf_size", "created_at",
                    "rendered_at", "links"]  # fmt: skip
    list_filter = ["audience", "status", "school__nation", "school"]
    search_fields = ["school__name", "school__urn", "content_hash", "error"]
    list_select_related = ["school"]
    date_hierarchy = "created_at"
    actions = ["rerender"]
    exclude = ["content", "html", "pdf"]
    readonly_fields = ["school", "audience", "number", "status", "content_hash", "pdf_size",
                       "attempts", "error", "created_at", "rendered_at", "links"]  # fmt: skip

    @admin.display(description="Public copy")
    def links(self, obj: NoticeVersion) -> str:
        return _public_links(obj, obj.school.urn)

    def has_rerender_permission(self, request: HttpRequest) -> bool:
        """Staff may re-render (versions themselves are never edited); auditors may not."""
        return request.user.has_perm("notices.change_noticeversion")

    @admin.action(
        description="Re-render the notices of these versions' schools", permissions=["rerender"]
    )
    def rerender(self, request: HttpRequest, queryset: QuerySet[NoticeVersion]) -> None:
        ids = set(queryset.values_list("school_id", flat=True))
        _queue_batch(self, request, ids)


class NoticeVersionInline(TabularInline):
    model = NoticeVersion
    fields = ["audience", "number", "status", "pdf_size", "rendered_at", "error", "links"]
    readonly_fields = ["audience", "number", "status", "pdf_size", "rendered_at", "error", "links"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "privacy notice versions"

    def get_queryset(self, request: HttpRequest) -> QuerySet[NoticeVersion]:
        """Each version with its school's URN as saved: shown again with its errors, the
        school's form gives the versions its own school, whose URN may be the invalid one
        just typed."""
        return super().get_queryset(request).annotate(saved_urn=F("school__urn"))

    @admin.display(description="Public copy")
    def links(self, obj: NoticeVersion) -> str:
        return _public_links(obj, obj.saved_urn)  # type: ignore[attr-defined]


@admin.action(
    description="Re-render privacy notices (new version only where content changed)",
    permissions=["change"],
)
def rerender_school_notices(modeladmin: admin.ModelAdmin, request: HttpRequest,
                            queryset: QuerySet[School]) -> None:  # fmt: skip
    _queue_batch(modeladmin, request, set(queryset.values_list("pk", flat=True)))


def _queue_batch(modeladmin: admin.ModelAdmin, request: HttpRequest, ids: set[int]) -> None:
    batch = queue_notice_batch(
        label=f"Re-render the notices of {len(ids)} school(s)", school_ids=ids, user=request.user
    )
    jobs = batch.jobs.count()
    url = reverse("admin:outbox_jobbatch_change", args=[batch.pk])
    drafts = len(ids) - jobs // 2
    note = f" {drafts} draft school(s) left alone until published." if drafts else ""
    modeladmin.message_user(
        request,
        format_html(
            'Re-render queued: {} notice(s). <a href="{}">Follow the batch</a>.{}', jobs, url, note
        ),
        messages.SUCCESS,
    )
