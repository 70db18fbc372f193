"""Staff's tools for agreements: drafts, publishing, who has signed, reminders, the log."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from agreements import ledger, notifications, services
from agreements.changes import describe_changes
from agreements.content import build_agreement_content
from agreements.models import Agreement, AgreementVersion, Signature, SignOffEvent
from agreements.staleness import CHECKS_PER_PAGE, Drift, registry_drift
from governance.admin_base import ModelAdmin, ReadOnlyAdmin, TabularInline
from governance.downloads import private_pdf, private_pdf_bytes


def _check_rows(response: HttpResponse, version_of: Any) -> None:
    """Attach each listed row's registry check (``_drift``) to it before the list renders,
    for at most ``CHECKS_PER_PAGE`` rows with a version in force: one content build each."""
    context = getattr(response, "context_data", None) or {}
    cl = context.get("cl")
    if cl is None:  # a redirect, or an error page
        return
    checked = 0
    for obj in cl.result_list:  # the page's objects, as the list columns will read them
        version = version_of(obj)
        if version is None or version.status != AgreementVersion.Status.PUBLISHED:
            continue
        if checked < CHECKS_PER_PAGE:
            obj._drift = registry_drift(version)
            checked += 1


def _drift_cell(obj: Any, version: AgreementVersion | None) -> str:
    if version is None or version.status != AgreementVersion.Status.PUBLISHED:
        return "—"
    drift: Drift | None = getattr(obj, "_drift", None)
    url = reverse("admin:agreements_agreementversion_change", args=[version.pk])
    if drift is None:
        return format_html('<a href="{}">Open to check</a>', url)
    if not drift.stale:
        return "Yes"
    count = len(drift.sentences)
    return format_html(
        '<strong class="stale">No</strong>: {} — <a href="{}" title="{}">see what differs</a>',
        f"{count} difference{'s' if count != 1 else ''}",
        url,
        " ".join(drift.sentences),
    )


class VersionInline(TabularInline):
    model = AgreementVersion
    extra = 0
    fields = ["number", "status", "published_at", "review_date", "open_link"]
    readonly_fields = ["number", "status", "published_at", "review_date", "open_link"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="")
    def open_link(self, obj: AgreementVersion) -> str:
        url = reverse("admin:agreements_agreementversion_change", args=[obj.pk])
        return format_html('<a href="{}">Open</a>', url)


@admin.register(Agreement)
class AgreementAdmin(ModelAdmin):
    list_display = ["title", "authority", "in_force", "draft", "matches_registry"]
    change_form_template = "admin/agreements/agreement/change_form.html"
    list_filter = ["authority"]
    search_fields = ["title", "authority__name"]
    inlines = [VersionInline]
    actions = ["start_new_draft"]
    readonly_fields = ["review_reminded_version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agreement]:
        return (
            super().get_queryset(request).select_related("authority").prefetch_related("versions")
        )

    def _version(self, obj: Agreement, status: str) -> AgreementVersion | None:
        return next((v for v in obj.versions.all() if v.status == status), None)

    @admin.display(description="In force")
    def in_force(self, obj: Agreement) -> str:
        version = self._version(obj, AgreementVersion.Status.PUBLISHED)
        if version is None:
            return "—"
        url = reverse("admin:agreements_agreementversion_signoff", args=[version.pk])
        return format_html('Version {} · <a href="{}">sign-off</a>', version.number, url)

    @admin.display(description="In force matches the registry")
    def matches_registry(self, obj: Agreement) -> str:
        return _drift_cell(obj, self._version(obj, AgreementVersion.Status.PUBLISHED))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        _check_rows(response, lambda a: self._version(a, AgreementVersion.Status.PUBLISHED))
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """Say, above the form, whether the version in force still matches the registry."""
        version = (
            AgreementVersion.objects.published()
            .select_related("agreement__authority")
            .filter(agreement_id=object_id)
            .first()
            if str(object_id).isdigit()
            else None
        )
        context = {
            **(extra_context or {}),
            "drift": registry_drift(version) if version else None,
            "draft": AgreementVersion.objects.filter(
                agreement_id=object_id, status=AgreementVersion.Status.DRAFT
            ).first()
            if version
            else None,
        }
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="Draft")
    def draft(self, obj: Agreement) -> str:
        version = self._version(obj, AgreementVersion.Status.DRAFT)
        if version is None:
            return "—"
        url = reverse("admin:agreements_agreementversion_change", args=[version.pk])
        return format_html('<a href="{}">Version {} (draft)</a>', url, version.number)

    @admin.action(
        description="Start a new draft (copies the newest version's clauses)",
        permissions=["change"],
    )
    def start_new_draft(self, request: HttpRequest, queryset: QuerySet[Agreement]) -> Any:
        drafts = [services.start_draft(agreement=agreement) for agreement in queryset]
        if len(drafts) == 1:
            url = reverse("admin:agreements_agreementversion_change", args=[drafts[0].pk])
            return HttpResponseRedirect(url)
        self.message_user(request, f"{len(drafts)} drafts ready to edit.", messages.SUCCESS)
        return None


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ModelAdmin):
    list_display = [
        "agreement", "number", "status", "published_at", "review_date", "signed",
        "matches_registry",
    ]  # fmt: skip
    list_filter = ["status", "agreement"]
    search_fields = ["agreement__title"]
    list_select_related = ["agreement"]
    actions = ["send_reminders"]
    change_form_template = "admin/agreements/agreementversion/change_form.html"
    fieldsets = [
        (None, {"fields": ["agreement", "number", "status", "review_date", "change_summary"]}),
        ("Clauses", {"fields": list(services.CLAUSE_FIELDS)}),
        ("Publication", {"fields": ["published_at", "published_by", "superseded_at",
                                    "content_hash", "pdf_sha256"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementVersion]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                request_count=Count("requests", distinct=True),
                signature_count=Count("signatures", distinct=True),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        frozen = ["agreement", "number", "status", "published_at", "published_by",
                  "superseded_at", "content_hash", "pdf_sha256"]  # fmt: skip
        if obj is not None and not obj.is_draft:
            return [*frozen, "review_date", "change_summary", *services.CLAUSE_FIELDS]
        return frozen

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a draft is started from its agreement, numbered by the service

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """An issued version is shown read-only: its words never change."""
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only a draft can be deleted, and only by someone allowed to delete (not auditors)."""
        draft = obj is None or obj.is_draft
        return draft and super().has_delete_permission(request, obj)

    @admin.display(description="Matches the registry")
    def matches_registry(self, obj: AgreementVersion) -> str:
        return _drift_cell(obj, obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        _check_rows(response, lambda version: version)
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """Say, above the form, whether this version (if in force) still matches the registry."""
        version = (
            AgreementVersion.objects.select_related("agreement__authority")
            .filter(pk=object_id)
            .first()
            if str(object_id).isdigit()
            else None
        )
        drift = registry_drift(version) if version is not None else None
        context = {**(extra_context or {}), "drift": drift}
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="Signed")
    def signed(self, obj: AgreementVersion) -> str:
        if obj.is_draft:
            return "—"
        url = reverse("admin:agreements_agreementversion_signoff", args=[obj.pk])
        signed, asked = getattr(obj, "signature_count", 0), getattr(obj, "request_count", 0)
        return format_html('<a href="{}">{} of {}</a>', url, signed, asked)

    def save_model(
        self, request: HttpRequest, obj: AgreementVersion, form: Any, change: bool
    ) -> None:
        services.save_draft(version=obj)

    def delete_model(self, request: HttpRequest, obj: AgreementVersion) -> None:
        services.delete_draft(version=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        for version in queryset:
            services.delete_draft(version=version)

    @admin.action(description="Send reminders to schools yet to sign", permissions=["change"])
    def send_reminders(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        published = queryset.filter(status=AgreementVersion.Status.PUBLISHED)
        count = sum(services.send_reminders(version=v) for v in published)
        skipped = queryset.count() - published.count()
        note = f" ({skipped} not in force skipped)" if skipped else ""
        self.message_user(request, f"Reminded {count} school(s){note}.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        def view(name: str, func: Any, route: str) -> URLPattern:
            return path(
                route, self.admin_site.admin_view(func), name=f"agreements_agreementversion_{name}"
            )

        return [
            view("preview", self.preview_view, "<int:object_id>/preview/"),
            view("preview_pdf", self.preview_pdf_view, "<int:object_id>/preview.pdf"),
            view("publish", self.publish_view, "<int:object_id>/publish/"),
            view("signoff", self.signoff_view, "<int:object_id>/signoff/"),
            view("pdf", self.pdf_view, "<int:object_id>/pdf/"),
            *super().get_urls(),
        ]  # fmt: skip

    def _get(self, request: HttpRequest, object_id: int, *, perm: str = "view") -> AgreementVersion:
        version = get_object_or_404(
            AgreementVersion.objects.select_related("agreement__authority"), pk=object_id
        )
        allowed = getattr(self, f"has_{perm}_permission")(request, version)
        if not allowed:
            raise PermissionDenied
        return version

    def _context(self, request: HttpRequest, version: AgreementVersion, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": version,
            "version": version,
            "title": title,
        }

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Show the agreement as it would be published now, and what would change."""
        version = self._get(request, object_id)
        content = build_agreement_content(version) if version.is_draft else version.content or {}
        previous = version.agreement.versions.issued().filter(number__lt=version.number).first()
        context = {
            **self._context(request, version, f"Preview: {version}"),
            "body": services.render_body(content=content, version=version),
            "previous": previous,
            "changes": describe_changes(previous.content if previous else None, content),
            "problems": services.publish_problems(version) if version.is_draft else [],
        }
        return TemplateResponse(request, "admin/agreements/agreementversion/preview.html", context)

    def preview_pdf_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        version = self._get(request, object_id)
        if not version.is_draft:
            return redirect("admin:agreements_agreementversion_pdf", object_id)
        content = build_agreement_content(version)
        body = services.render_body(content=content, version=version)
        pdf = services.render_pdf(content=content, version=version, body=body)
        return private_pdf_bytes(request, pdf, f"draft-{version.download_name}")

    def publish_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Confirm, then publish: freeze, render, supersede, ask every party school to sign."""
        version = self._get(request, object_id, perm="change")
        if request.method == "POST":
            try:
                version = services.publish_version(version=version, user=request.user)
            except services.AgreementError as error:
                self.message_user(request, f"Not published: {error}", messages.ERROR)
                return redirect("admin:agreements_agreementversion_preview", object_id)
            schools = [r.school for r in version.requests.select_related("school")]
            unreachable = notifications.unreachable(schools)
            asked = len(schools) - len(unreachable)
            self.message_user(
                request,
                f"Version {version.number} published; {asked} school{'s' if asked != 1 else ''} "
                "asked to sign by email.",
                messages.SUCCESS,
            )
            if unreachable:
                warning = _unreachable_message(schools, unreachable)
                self.message_user(request, warning, messages.WARNING)
            return redirect("admin:agreements_agreementversion_signoff", object_id)
        return redirect("admin:agreements_agreementversion_preview", object_id)

    def signoff_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Per party school: signed, signed an earlier version, or pending; send reminders."""
        version = self._get(request, object_id)
        if request.method == "POST" and self.has_change_permission(request):
            try:
                count = services.send_reminders(version=version)
            except services.AgreementError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Reminded {count} school(s).", messages.SUCCESS)
                pending = [r.school for r in services.pending_requests(version)]
                unreachable = notifications.unreachable(pending)
                if unreachable:
                    warning = _unreachable_message(pending, unreachable)
                    self.message_user(request, warning, messages.WARNING)
            return redirect("admin:agreements_agreementversion_signoff", object_id)
        rows = services.signoff_status(version)
        unreachable = notifications.unreachable(r.request.school for r in rows)
        state = request.GET.get("state", "")
        counts = {s: sum(1 for r in rows if r.state == s) for s in ("signed", "earlier", "pending")}
        if state in counts:
            rows = [r for r in rows if r.state == state]
        context = {
            **self._context(request, version, f"Sign-off: {version}"),
            "rows": rows,
            "counts": counts,
            "state": state,
            "total": sum(counts.values()),
            "unreachable": unreachable,
            "uncontacted": [
                (r.request.school, unreachable[r.request.school_id])
                for r in rows
                if r.request.school_id in unreachable and r.signature is None
            ],
        }
        return TemplateResponse(request, "admin/agreements/agreementversion/signoff.html", context)

    def pdf_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        version = self._get(request, object_id)
        return private_pdf(request, version.pdf, version.download_name)


def _unreachable_message(schools: list, unreachable: dict[int, str]) -> str:
    """Say which schools no email could reach, and why."""
    names = "; ".join(f"{s.name}: {unreachable[s.pk]}" for s in schools if s.pk in unreachable)
    count = len(unreachable)
    return (
        f"{count} school{'s' if count != 1 else ''} could not be emailed ({names}). Record the "
        "DPO's email address on the school, then send reminders from the sign-off page."
    )


class SignatureInline(TabularInline):
    """On a school's page: the agreements it has signed."""

    model = Signature
    extra = 0
    fields = ["version", "signed_at", "full_name", "position", "download"]
    readonly_fields = ["version", "signed_at", "full_name", "position", "download"]
    can_delete = False
    verbose_name_plural = "Agreements signed"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signature]:
        return super().get_queryset(request).select_related("version__agreement")

    @admin.display(description="Signed copy")
    def download(self, obj: Signature) -> str:
        url = reverse("admin:agreements_signature_pdf", args=[obj.pk])
        return format_html('<a href="{}">PDF</a>', url)


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["school", "version", "full_name", "position", "signed_at", "download"]
    # The signed copy is downloaded through pdf_view (rights checked, download recorded),
    # never through the stored file's own URL (a dead path on disk, a bucket URL on S3).
    exclude = ["signed_pdf"]
    readonly_fields = ["download"]
    list_filter = ["version__agreement", "version__status", "signed_at"]
    search_fields = ["school__name", "school__urn", "full_name", "signer__username"]
    list_select_related = ["school", "version__agreement"]
    date_hierarchy = "signed_at"

    @admin.display(description="Signed copy")
    def download(self, obj: Signature) -> str:
        url = reverse("admin:agreements_signature_pdf", args=[obj.pk])
        return format_html('<a href="{}">PDF</a>', url)

    def get_urls(self) -> list[URLPattern]:
        pdf = path(
            "<int:object_id>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name="agreements_signature_pdf",
        )
        return [pdf, *super().get_urls()]

    def pdf_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        signature = get_object_or_404(
            Signature.objects.select_related("school", "version"), pk=object_id
        )
        if not self.has_view_permission(request, signature):
            raise PermissionDenied
        return private_pdf(request, signature.signed_pdf, signature.download_name, attachment=True)


@admin.register(SignOffEvent)
class SignOffEventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "recorded_at", "kind", "summary", "short_hash"]
    list_filter = ["kind"]
    search_fields = ["payload"]

    @admin.display(description="What")
    def summary(self, obj: SignOffEvent) -> str:
        p = obj.payload
        school = f" · school {p['school']}" if p.get("school") else ""
        title = p.get("agreement") or f"Agreement {p.get('agreement_id')}"
        return f"{title} v{p.get('version')}{school}"

    @admin.display(description="Entry hash")
    def short_hash(self, obj: SignOffEvent) -> str:
        return obj.entry_hash[:16] + "…"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        check = ledger.verify_chain()
        if check.ok:
            self.message_user(
                request, f"Chain intact: {check.entries} entries verified.", messages.SUCCESS
            )
        else:
            self.message_user(request, f"Chain broken: {check.problem}.", messages.ERROR)
        return super().changelist_view(request, extra_context)
