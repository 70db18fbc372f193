"""Third parties that receive school data, and the due diligence the service holds on them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from governance.audit import audit_links, audited


@audited()
class Certification(models.Model):
    """A security or quality certification a supplier can hold (e.g. ISO/IEC 27001)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited()
class Processor(models.Model):
    """A third party that receives school data (e.g. Redstor), and on what footing."""

    class Role(models.TextChoices):
        PROCESSOR = "processor", "Processor (acts on instructions, Art 28 contract)"
        INDEPENDENT_CONTROLLER = "controller", "Independent controller"
        JOINT_CONTROLLER = "joint", "Joint controller"
        NO_ACCESS = "no_access", "Supplier with no access to personal data"

    name = models.CharField(max_length=200, unique=True)
    products = models.CharField(
        max_length=255, blank=True, help_text="Products used, e.g. “Xporter, IDaaS, XVault”."
    )
    service_description = models.TextField(help_text="What it does for schools, in plain words.")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.PROCESSOR)
    compliance_statement = models.TextField(
        "GDPR compliance statement", blank=True, help_text="Its security and GDPR assurances."
    )
    certifications = models.ManyToManyField(Certification, blank=True, related_name="processors")
    data_location = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the data is stored, e.g. “UK”, “EU (OneDrive)”. Notices need it.",
    )
    transfers_outside_uk = models.BooleanField(
        "data leaves the UK", default=False, help_text="Stored or accessed outside the UK."
    )
    transfer_safeguards = models.TextField(
        blank=True, help_text="Required when data leaves the UK: adequacy, IDTA, addendum..."
    )
    retention_rule = models.ForeignKey(
        "governance.RetentionRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="processors",
        help_text="How long the supplier itself keeps data.",
    )
    retention_notes = models.CharField(max_length=255, blank=True)
    ico_registration = models.CharField("ICO registration number", max_length=20, blank=True)
    contract_reference = models.CharField(
        "contract reference", max_length=200, blank=True, help_text="The Art 28 contract or terms."
    )
    website = models.URLField(blank=True)
    sub_processors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="processor_for"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(transfers_outside_uk=False) | ~Q(transfer_safeguards=""),
                name="transfer_outside_uk_needs_safeguards",
                violation_error_message="Data leaving the UK needs its transfer safeguards.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def missing_details(self) -> list[str]:
        """Return what a privacy notice or agreement needs that the registry lacks."""
        wanted = {
            "where data is stored": self.data_location,
            "GDPR compliance statement": self.compliance_statement,
        }
        return [label for label, value in wanted.items() if not value.strip()]

    def clean(self) -> None:
        if self.transfers_outside_uk and not self.transfer_safeguards.strip():
            raise ValidationError(
                {"transfer_safeguards": "Data leaves the UK: say which safeguards cover it."}
            )


@audited()
class ProcessorLink(models.Model):
    """A published document about a processor: privacy policy, GDPR statement, terms."""

    processor = models.ForeignKey(Processor, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=120)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["processor__name", "label"]
        constraints = [
            models.UniqueConstraint(fields=["processor", "url"], name="processor_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.processor}: {self.label}"


audit_links(
    Processor.certifications.through,
    app_label="processors",
    model_name="ProcessorCertificationEvent",
)
audit_links(
    Processor.sub_processors.through,
    app_label="processors",
    model_name="ProcessorSubProcessorEvent",
)
