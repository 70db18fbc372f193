"""The vocabularies flows are described in: data objects, lawful bases, retention rules."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from governance.audit import audited


@audited()
class LawfulBasis(models.Model):
    """A lawful basis or condition: UK GDPR Art 6(1), Art 9(2) or DPA 2018 Schedule 1."""

    class Kind(models.TextChoices):
        ART6 = "art6", "UK GDPR Article 6 lawful basis"
        ART9 = "art9", "UK GDPR Article 9 condition (special category)"
        DPA_SCH1 = "dpa_sch1", "DPA 2018 Schedule 1 condition"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(
        max_length=40, unique=True, help_text="How the law cites it, e.g. “Art 6(1)(e)”."
    )
    title = models.CharField(max_length=120, help_text="Its short name, e.g. “Public task”.")
    plain_text = models.TextField(
        help_text="What it means, in words a parent understands. Printed in notices."
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = "lawful bases"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


@audited()
class DataObject(models.Model):
    """A SIF data object a flow can carry, e.g. ``LearnerPersonal``."""

    class Subject(models.TextChoices):
        PUPIL = "pupil", "Pupils"
        CONTACT = "contact", "Parents and carers"
        WORKFORCE = "workforce", "School workforce"

    sif_name = models.CharField(
        "SIF name",
        max_length=80,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Za-z0-9]+$",
                "A SIF object name is one word in UpperCamelCase, e.g. LearnerPersonal.",
            )
        ],
    )
    title = models.CharField(max_length=120, help_text="Plain name, e.g. “Pupil personal details”.")
    data_subject = models.CharField(max_length=12, choices=Subject.choices)
    fields_description = models.TextField(
        "fields in plain words", help_text="What the object holds, as a parent would say it."
    )
    is_special_category = models.BooleanField(
        "special category data",
        default=False,
        help_text="Health, SEN/ALN, ethnicity, religion, biometrics... (UK GDPR Art 9).",
    )
    special_category_note = models.CharField(
        max_length=200, blank=True, help_text="Which special category, e.g. “ethnicity, religion”."
    )
    art9_condition = models.ForeignKey(
        LawfulBasis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": LawfulBasis.Kind.ART9},
        verbose_name="Art 9 condition",
        help_text="Required for special category data: every flow carrying it must cite it.",
    )
    dpa_condition = models.ForeignKey(
        LawfulBasis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": LawfulBasis.Kind.DPA_SCH1},
        verbose_name="DPA 2018 Schedule 1 condition",
        help_text="Where the Art 9 condition needs one (Art 9(2)(b), (g), (h), (i), (j)).",
    )

    class Meta:
        ordering = ["data_subject", "sif_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_special_category=False) | Q(art9_condition__isnull=False),
                name="special_category_object_needs_art9_condition",
                violation_error_message="Special category data needs an Art 9 condition.",
            ),
        ]

    def __str__(self) -> str:
        return self.sif_name

    def clean(self) -> None:
        if self.is_special_category and self.art9_condition_id is None:
            raise ValidationError(
                {
                    "art9_condition": "Special category data needs the Art 9 condition it is "
                    "processed under (e.g. Art 9(2)(b) employment and social protection)."
                }
            )
        art9, dpa = self.art9_condition, self.dpa_condition
        if art9 is not None and art9.kind != LawfulBasis.Kind.ART9:
            raise ValidationError({"art9_condition": "Choose an Art 9 condition."})
        if dpa is not None and dpa.kind != LawfulBasis.Kind.DPA_SCH1:
            raise ValidationError({"dpa_condition": "Choose a DPA 2018 Schedule 1 condition."})


@audited()
class RetentionRule(models.Model):
    """How long data is kept: a period, an event, or both, and what happens at the end."""

    class Unit(models.TextChoices):
        DAYS = "days", "days"
        MONTHS = "months", "months"
        YEARS = "years", "years"

    class EndAction(models.TextChoices):
        DELETE = "delete", "Securely deleted"
        ANONYMISE = "anonymise", "Anonymised"
        RETURN = "return", "Returned to the school, then deleted"
        REVIEW = "review", "Reviewed, then deleted or kept under the retention schedule"

    name = models.CharField(max_length=120, unique=True)
    period_value = models.PositiveIntegerField("period", null=True, blank=True)
    period_unit = models.CharField(max_length=10, choices=Unit.choices, blank=True)
    event = models.CharField(
        max_length=200,
        blank=True,
        help_text="The event that ends retention, e.g. “the person leaves the school”.",
    )
    description = models.TextField(
        help_text="How a parent should read it, e.g. “For the length of the school's "
        "subscription, usually 12 months.”"
    )
    end_action = models.CharField(max_length=12, choices=EndAction.choices, default="delete")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_value__isnull=False, period_value__gt=0) | ~Q(event=""),
                name="retention_has_period_or_event",
                violation_error_message="Give a retention period, an event, or both.",
            ),
            models.CheckConstraint(
                condition=Q(period_value__isnull=True, period_unit="")
                | Q(period_value__isnull=False, period_unit__in=["days", "months", "years"]),
                name="retention_period_has_unit",
                violation_error_message="A retention period needs a unit (days, months, years).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period_display(self) -> str:
        """Return the period as words (“60 days”), or an empty string when there is none."""
        if self.period_value is None:
            return ""
        unit = self.period_unit.rstrip("s") if self.period_value == 1 else self.period_unit
        return f"{self.period_value} {unit}"

    def clean(self) -> None:
        if self.period_value is None and not self.event.strip():
            raise ValidationError(
                {"event": "Give a retention period, an event that ends retention, or both."}
            )
        if self.period_value is not None and not self.period_unit:
            raise ValidationError({"period_unit": "A retention period needs a unit."})
        if self.period_value is None and self.period_unit:
            raise ValidationError({"period_value": "Give the number of days, months or years."})
