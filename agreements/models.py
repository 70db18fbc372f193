"""Data sharing agreements: versions, sign-off requests, signatures and the sign-off log.

A published version and every signature never change: services refuse it, the admin shows
them read-only, and on PostgreSQL triggers (migration 0002) refuse UPDATE and DELETE of them
and of the log, whatever issues the SQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from governance.audit import audited
from governance.models import Authority, School


@audited()
class Agreement(models.Model):
    """A data sharing agreement between an authority, its partner services and its schools."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(
        max_length=255,
        help_text="e.g. “Data Sharing Agreement between Warwickshire Maintained and Academy "
        "Schools and the ICT Development Service”.",
    )
    schools_description = models.CharField(
        "schools, as a party",
        max_length=255,
        default="Maintained and academy schools subscribing to the service",
        help_text="How the schools are named among the parties; each is listed in a schedule.",
    )
    review_reminded_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False,
        help_text="The version whose review reminder has been sent.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["authority__name", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "title"], name="agreement_title_unique_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementVersionQuerySet(models.QuerySet["AgreementVersion"]):
    def published(self) -> "AgreementVersionQuerySet":
        return self.filter(status=AgreementVersion.Status.PUBLISHED)

    def issued(self) -> "AgreementVersionQuerySet":
        """Return versions that were ever published (in force or superseded)."""
        return self.exclude(status=AgreementVersion.Status.DRAFT)


def version_pdf_path(version: "AgreementVersion", filename: str) -> str:
    return f"agreements/{version.agreement_id}/v{version.number}/{filename}"


@audited()
class AgreementVersion(models.Model):
    """One version of an agreement: a draft staff edit, then frozen when published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published (in force)"
        SUPERSEDED = "superseded", "Superseded"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Clauses staff write; everything else in the agreement is built from the registry.
    purpose = models.TextField(help_text="Why the parties share data.")
    benefits = models.TextField(blank=True, help_text="What the sharing achieves.")
    use_of_information = models.TextField("how the information will be used")
    security = models.TextField("security and data management")
    data_quality = models.TextField("data quality and correction", blank=True)
    retention = models.TextField("retention and secure deletion", blank=True)
    rights_and_complaints = models.TextField(
        "individuals' rights and complaints",
        blank=True,
        help_text="How rights requests and complaints are handled between the parties.",
    )
    breaches = models.TextField("personal data breaches", blank=True)
    changes = models.TextField("changes to this agreement")
    termination = models.TextField(blank=True)
    review_date = models.DateField(help_text="When the parties will next review the agreement.")
    change_summary = models.TextField(
        "summary of changes",
        blank=True,
        help_text="In the authority's words: what changed since the previous version, and why.",
    )
    # Frozen when published.
    content = models.JSONField(null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    html = models.TextField(blank=True, editable=False)
    pdf = models.FileField(upload_to=version_pdf_path, max_length=255, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreement_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status="published"),
                name="one_published_version_per_agreement",
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status="draft"),
                name="one_draft_version_per_agreement",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(content__isnull=False, published_at__isnull=False)
                    & ~Q(content_hash="")
                    & ~Q(pdf="")
                    & ~Q(pdf_sha256="")
                ),
                name="issued_version_is_frozen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} — version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def download_name(self) -> str:
        return f"{slugify(self.agreement.title)[:60]}-v{self.number}.pdf"


@audited()
class SignOffRequest(models.Model):
    """A school asked to counter-sign a published version: the round's list of parties."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="requests")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="signoff_requests")
    created_at = models.DateTimeField(auto_now_add=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "school"], name="one_request_per_school"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name}: {self.version}"


def signed_copy_path(signature: "Signature", filename: str) -> str:
    return (
        f"agreements/{signature.version.agreement_id}/v{signature.version.number}/signed/{filename}"
    )


class Signature(models.Model):
    """A school's counter-signature of one version, with its evidence and sealed copy."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures"
    )
    full_name = models.CharField(max_length=200, help_text="As the signer typed it.")
    position = models.CharField(max_length=200, help_text="As the signer typed it.")
    declaration = models.TextField(help_text="The exact wording the signer ticked.")
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.TextField(blank=True)
    document_sha256 = models.CharField(
        "SHA-256 of the PDF shown", max_length=64, help_text="The version's PDF, as shown."
    )
    signed_pdf = models.FileField(upload_to=signed_copy_path, max_length=255)
    signed_pdf_sha256 = models.CharField("SHA-256 of the signed copy", max_length=64, unique=True)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "school"], name="one_signature_per_school"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} signed {self.version} ({self.full_name})"

    @property
    def download_name(self) -> str:
        v = self.version
        return f"{slugify(self.school.name)}-signed-agreement-v{v.number}.pdf"


class SignOffEvent(models.Model):
    """An append-only, hash-chained record of sign-off events.

    ``entry_hash`` is the SHA-256 of the previous entry's hash and this entry's canonical JSON;
    ``manage.py verify_signoff_log`` recomputes the chain.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Version published"
        SUPERSEDED = "superseded", "Version superseded"
        SIGNED = "signed", "Signed"
        REMINDED = "reminded", "Reminder sent"

    sequence = models.PositiveBigIntegerField(unique=True)
    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    payload = models.JSONField()
    previous_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = "sign-off log entry"
        verbose_name_plural = "sign-off log"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_kind_display()}"
