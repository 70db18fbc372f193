"""Data flows: the heart of the registry. Who receives which data from which schools, and why."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.audit import audited
from governance.models.catalogue import DataObject, LawfulBasis, RetentionRule
from governance.models.offerings import Offering, Subscription
from governance.models.organisations import PartnerService, School


class DataFlowQuerySet(models.QuerySet["DataFlow"]):
    def for_school(self, school: School, on: datetime.date | None = None) -> "DataFlowQuerySet":
        """Return the active flows that take data out of ``school`` on ``on`` (today).

        A school's flows are the authority-wide flows, the flows of the offerings it has a
        subscription in force to, and any flow that names the school itself.
        """
        day = on or timezone.localdate()
        offerings = Subscription.objects.current(day).filter(school=school).values("offering_id")
        return self.filter(
            Q(offering__isnull=True, school__isnull=True)
            | Q(school=school)
            | Q(offering__in=offerings, offering__is_active=True),
            authority=school.authority_id,
            is_active=True,
        )

    def with_details(self) -> "DataFlowQuerySet":
        """Fetch everything a flow table shows in a fixed number of queries."""
        return self.select_related(
            "partner_service", "processor", "body", "offering", "school", "retention_rule"
        ).prefetch_related("data_objects", "lawful_bases")


RECIPIENT_MESSAGE = (
    "Choose exactly one recipient: an authority service, a supplier, or a public body or "
    "other recipient."
)
RECIPIENT_FIELDS = ("partner_service", "processor", "body")


@audited()
class DataFlow(models.Model):
    """Data that leaves schools for one recipient, for one purpose, on stated terms."""

    class Frequency(models.TextChoices):
        CONTINUOUS = "continuous", "Continuously (as it changes)"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        TERMLY = "termly", "Termly"
        ANNUALLY = "annually", "Annually"
        ON_REQUEST = "on_request", "When needed"

    authority = models.ForeignKey(
        "governance.Authority", on_delete=models.PROTECT, related_name="flows"
    )
    offering = models.ForeignKey(
        Offering,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows",
        help_text="Set when only schools subscribing to this offering send the data.",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_flows",
        help_text="Set when the flow leaves one school only. Leave both empty for every school.",
    )
    partner_service = models.ForeignKey(
        PartnerService, on_delete=models.PROTECT, null=True, blank=True, related_name="flows"
    )
    processor = models.ForeignKey(
        "processors.Processor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows",
        verbose_name="supplier",
    )
    body = models.ForeignKey(
        "governance.ExternalRecipient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows",
        verbose_name="public body or other recipient",
    )
    purpose = models.CharField(max_length=255, help_text="Why the recipient needs it, plainly.")
    description = models.TextField(blank=True, help_text="Detail for staff and the agreement.")
    data_objects = models.ManyToManyField(
        DataObject, related_name="flows", verbose_name="data categories"
    )
    lawful_bases = models.ManyToManyField(LawfulBasis, related_name="flows")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    transport = models.CharField(
        max_length=200,
        blank=True,
        help_text="How the data travels, e.g. “SIF via Groupcall Xporter, overnight”.",
    )
    retention_rule = models.ForeignKey(
        RetentionRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows",
        help_text="How long the recipient keeps it. Leave empty when it is the recipient's "
        "own rule and not known: the notice then says nothing about it.",
    )
    is_active = models.BooleanField("active", default=True)

    objects = DataFlowQuerySet.as_manager()

    class Meta:
        ordering = ["authority", "purpose", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    partner_service__isnull=False, processor__isnull=True, body__isnull=True
                )
                | Q(partner_service__isnull=True, processor__isnull=False, body__isnull=True)
                | Q(partner_service__isnull=True, processor__isnull=True, body__isnull=False),
                name="flow_has_exactly_one_recipient",
                violation_error_message=RECIPIENT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(offering__isnull=True) | Q(school__isnull=True),
                name="flow_source_is_offering_or_school",
                violation_error_message="A flow leaves either an offering's subscribers or one "
                "school, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_display} → {self.recipient}: {self.purpose}"

    def clean(self) -> None:
        named = [f for f in RECIPIENT_FIELDS if getattr(self, f"{f}_id")]
        if len(named) != 1:
            raise ValidationError({(named[1] if named else "partner_service"): RECIPIENT_MESSAGE})
        if self.offering_id and self.school_id:
            raise ValidationError(
                {"school": "A flow leaves an offering's subscribers or one school, not both."}
            )
        if not self.authority_id:
            return
        related_fields = (("partner_service", "service"), ("offering", "offering"),
                          ("school", "school"), ("retention_rule", "rule"))  # fmt: skip
        for field, label in related_fields:
            related = getattr(self, field)
            if related is not None and related.authority_id != self.authority_id:
                raise ValidationError({field: f"That {label} belongs to another organisation."})
        self._clean_owned_recipient()

    def _clean_owned_recipient(self) -> None:
        """A recipient one school added may only receive that school's data."""
        body, supplier = self.body, self.processor
        if body is not None and body.authority_id not in (None, self.authority_id):
            raise ValidationError({"body": "That recipient belongs to another organisation."})
        for field, owner in (("body", body), ("processor", supplier)):
            school_id = getattr(owner, "school_id", None)
            if school_id is not None and school_id != self.school_id:
                raise ValidationError(
                    {
                        field: "That recipient belongs to one school: only that school's own "
                        "flows can send it data."
                    }
                )
        if supplier is not None and not supplier.has_access:
            raise ValidationError(
                {
                    "processor": f"{supplier.name} is marked “no access to personal data”, so "
                    "it cannot receive data. Change its role, or send the data to whoever runs "
                    "the service for the school."
                }
            )

    @property
    def recipient(self) -> models.Model:
        """Return the authority service, supplier or other recipient that receives the data."""
        return self.partner_service or self.processor or self.body  # type: ignore[return-value]

    @property
    def recipient_kind(self) -> str:
        """``authority_service``, ``supplier``, or the kind of public body or other recipient
        (``ExternalRecipient.Kind``)."""
        if self.partner_service_id:
            return "authority_service"
        if self.processor_id:
            return "supplier"
        return self.body.kind if self.body is not None else ""

    @property
    def source_display(self) -> str:
        if self.school is not None:
            return self.school.name
        if self.offering is not None:
            return f"{self.offering.name} subscribers"
        return "All schools"
