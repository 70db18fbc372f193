"""Issued privacy notices: one row per version, immutable once rendered."""

import functools

from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from governance.models import School
from notices.content import Audience


def notice_pdf_path(version: "NoticeVersion", filename: str) -> str:
    return f"notices/{version.school.urn}/{version.audience}-v{version.number}.pdf"


class NoticeVersionQuerySet(models.QuerySet["NoticeVersion"]):
    def rendered(self) -> "NoticeVersionQuerySet":
        return self.filter(status=NoticeVersion.Status.RENDERED)

    def current_for(self, school: School, audience: str) -> "NoticeVersion | None":
        """Return the newest rendered version: the one the public reads."""
        return self.rendered().filter(school=school, audience=audience).order_by("-number").first()


class NoticeVersion(models.Model):
    """One issued version of a school's notice for one audience, with its content and PDF."""

    class Status(models.TextChoices):
        PENDING = "pending", "Rendering"
        RENDERED = "rendered", "Issued"
        FAILED = "failed", "Rendering failed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="notice_versions")
    audience = models.CharField(max_length=12, choices=Audience.choices)
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="What the notice says, as built from the registry.")
    content_hash = models.CharField(max_length=64)
    html = models.TextField(blank=True, help_text="The notice body as issued.")
    pdf = models.FileField(upload_to=notice_pdf_path, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    layout = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Which of the PDF's layouts was kept (governance.pdf.FIT_STEPS; 0 is the "
        "plain one). The next version is laid out with it first.",
    )
    layouts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many layouts its render took: more than one when the plain (or the "
        "previous version's) layout left its text's last page nearly empty.",
    )
    body_length = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The issued body's length in characters: a school's first notice is laid out "
        "first as the issued notice of nearest length was.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the DPO was told of this version, or it was theirs (they published it).",
    )

    objects = NoticeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "audience", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "audience", "number"], name="notice_version_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="rendered") | (~Q(pdf="") & ~Q(html="")),
                name="rendered_notice_has_pdf_and_html",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "audience", "-number"]),
            models.Index(fields=["audience", "body_length"], name="notice_version_length"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name}: {self.get_audience_display()} notice v{self.number}"

    @property
    def download_name(self) -> str:
        return download_name(self.school.name, self.audience, self.number)


@functools.lru_cache(maxsize=4096)
def download_name(school_name: str, audience: str, number: int) -> str:
    """The file name a notice's PDF downloads as (slugify is most of a download's own cost:
    remembered per school and version)."""
    return f"{slugify(school_name)}-privacy-notice-{audience}-v{number}.pdf"
