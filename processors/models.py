"""Third parties that receive school data, and the due diligence the service holds on them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from governance.audit import audit_links, audited
from governance.models.register import Leaves


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
    """A supplier that receives or holds school data (e.g. Redstor), and on what footing.

    Suppliers are shared by every organisation, except those one school added for itself (an
    app its DPO chose), which only that school sees.
    """

    class Role(models.TextChoices):
        PROCESSOR = "processor", "Processor (acts on instructions, Art 28 contract)"
        INDEPENDENT_CONTROLLER = "controller", "Independent controller"
        JOINT_CONTROLLER = "joint", "Joint controller"
        NO_ACCESS = "no_access", "Supplier with no access to personal data"

    school = models.ForeignKey(
        "governance.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_suppliers",
        help_text="Set for a supplier only this school uses (added by its DPO).",
    )
    name = models.CharField(max_length=200)
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
    data_leaves_uk = models.CharField(
        "data leaves the UK",
        max_length=8,
        choices=Leaves.choices,
        default=Leaves.UNKNOWN,
        help_text="Stored or accessed outside the UK. “Not known” is never printed as "
        "“kept in the UK”: it shows staff a gap.",
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
    review_date = models.DateField(
        "next due-diligence review",
        null=True,
        blank=True,
        help_text="When the supplier's terms, security and certifications are next checked. "
        "Staff are reminded 30 days before, and while it is overdue.",
    )
    reviewed_on = models.DateField("last reviewed", null=True, blank=True)
    review_evidence = models.TextField(
        "evidence reviewed",
        blank=True,
        help_text="What the last review looked at, e.g. “DPA v3 (2025), ISO 27001 certificate "
        "to 2027, penetration test summary”.",
    )
    sub_processors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="processor_for"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "supplier"
        constraints = [
            models.CheckConstraint(
                condition=~Q(data_leaves_uk="yes") | ~Q(transfer_safeguards=""),
                name="transfer_outside_uk_needs_safeguards",
                violation_error_message="Data leaving the UK needs its transfer safeguards.",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(school__isnull=True),
                name="shared_supplier_name_unique",
                violation_error_message="A supplier of this name exists.",
            ),
            models.UniqueConstraint(
                fields=["school", "name"],
                condition=Q(school__isnull=False),
                name="school_supplier_name_unique",
                violation_error_message="The school has a supplier of this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_access(self) -> bool:
        """Return whether the supplier can receive personal data at all."""
        return self.role != self.Role.NO_ACCESS

    @property
    def missing_details(self) -> list[str]:
        """Return what a privacy notice or agreement needs that the registry lacks."""
        if not self.has_access:
            # It holds no personal data: where it would store it is not a question.
            return [] if self.compliance_statement.strip() else ["GDPR compliance statement"]
        wanted = {
            "where data is stored": self.data_location,
            "GDPR compliance statement": self.compliance_statement,
            "whether data leaves the UK": "" if self.data_leaves_uk == Leaves.UNKNOWN else "x",
        }
        return [label for label, value in wanted.items() if not value.strip()]

    def clean(self) -> None:
        if self.data_leaves_uk == Leaves.YES and not self.transfer_safeguards.strip():
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
