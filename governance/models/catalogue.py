"""The vocabularies the register is described in: data categories, lawful bases and laws,
retention rules. Categories and retention rules belong to one organisation (a school may add
its own categories); lawful bases and laws are national records that carry where they apply."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from governance.audit import audited
from governance.models.organisations import Reach


@audited()
class LawfulBasis(models.Model):
    """A lawful basis or condition (UK GDPR Art 6(1), Art 9(2), DPA 2018 Schedule 1), or a law
    that gives a statutory power or duty (e.g. Education Act 1996 s.537A), with where it applies.
    """

    class Kind(models.TextChoices):
        ART6 = "art6", "UK GDPR Article 6 lawful basis"
        ART9 = "art9", "UK GDPR Article 9 condition (special category)"
        DPA_SCH1 = "dpa_sch1", "DPA 2018 Schedule 1 condition"
        STATUTE = "statute", "Law: a statutory power or duty"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(
        max_length=200,
        unique=True,
        help_text="How the law cites it, e.g. “Art 6(1)(e)” or “Education Act 1996 s.537A”.",
    )
    title = models.CharField(max_length=200, help_text="Its short name, e.g. “Public task”.")
    plain_text = models.TextField(
        help_text="What it means, in words a parent understands. Printed in notices."
    )
    reach = models.CharField(
        "applies in",
        max_length=8,
        choices=Reach.choices,
        default=Reach.BOTH,
        help_text="A law for one nation is refused on a flow from a school of the other.",
    )
    url = models.URLField("link", max_length=500, blank=True)
    only_for = models.CharField(
        "fits only data about",
        max_length=12,
        blank=True,
        choices=[("workforce", "The school workforce (employment)")],
        help_text="Set for a condition that fits only some people's data, e.g. Art 9(2)(b) "
        "(employment): staff are warned when special category data about anyone else "
        "relies on it.",
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = "lawful bases"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def fits(self, data_subject: str) -> bool:
        """Return whether this condition can cover special category data about
        ``data_subject`` (a ``DataObject.Subject`` value)."""
        return not self.only_for or self.only_for == data_subject


@audited()
class DataObject(models.Model):
    """A category of personal data in plain words (e.g. “Medical information”), owned by an
    organisation or added by one school, optionally mapped to a SIF object such as
    ``LearnerPersonal``."""

    class Subject(models.TextChoices):
        PUPIL = "pupil", "Pupils"
        CONTACT = "contact", "Parents and carers"
        WORKFORCE = "workforce", "School workforce"

    class Obligation(models.TextChoices):
        STATUTORY = "statutory", "Required by law"
        REQUIRED = "required", "Required by the school or a contract (not by law)"
        MIXED = "mixed", "Partly required by law, partly voluntary"
        VOLUNTARY = "voluntary", "Voluntary"

    authority = models.ForeignKey(
        "governance.Authority",
        on_delete=models.PROTECT,
        related_name="data_categories",
        verbose_name="organisation",
    )
    school = models.ForeignKey(
        "governance.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_categories",
        help_text="Set for a category only this school holds; empty for the organisation's.",
    )
    sif_name = models.CharField(
        "SIF object",
        max_length=80,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Za-z0-9]+$",
                "A SIF object name is one word in UpperCamelCase, e.g. LearnerPersonal.",
            )
        ],
        help_text="The SIF object the exchange carries it as, if any.",
    )
    title = models.CharField(max_length=120, help_text="Plain name, e.g. “Medical information”.")
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
    obligation = models.CharField(
        "must people provide it?",
        max_length=10,
        choices=Obligation.choices,
        blank=True,
        help_text="Notices tell people whether providing it is statutory, contractual or "
        "voluntary. Empty: not recorded (the notice says nothing; staff see the gap).",
    )
    source = models.CharField(
        "where it comes from",
        max_length=255,
        blank=True,
        help_text="When it does not come only from the person (for pupils: or their "
        "parents), every source, e.g. “parents and carers, and the pupil's previous school” "
        "or “recorded by the school”. Empty: it comes from the person.",
    )
    held_by_every_school = models.BooleanField(
        "every school holds it",
        default=True,
        help_text="Listed in every school's notice (the organisation's default register). "
        "Untick for data only some schools send or hold: it then appears where a flow, a "
        "system or a purpose of the school names it.",
    )

    class Meta:
        ordering = ["data_subject", "title"]
        verbose_name = "data category"
        verbose_name_plural = "data categories"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_special_category=False) | Q(art9_condition__isnull=False),
                name="special_category_object_needs_art9_condition",
                violation_error_message="Special category data needs an Art 9 condition.",
            ),
            models.UniqueConstraint(
                fields=["authority", "sif_name"],
                condition=~Q(sif_name=""),
                name="sif_name_unique_per_organisation",
                violation_error_message="This organisation already has a category for that "
                "SIF object.",
            ),
            models.UniqueConstraint(
                fields=["authority", "data_subject", "title"],
                condition=Q(school__isnull=True),
                name="category_title_unique_per_organisation",
                violation_error_message="The organisation has a category of this name already.",
            ),
            models.UniqueConstraint(
                fields=["school", "data_subject", "title"],
                condition=Q(school__isnull=False),
                name="category_title_unique_per_school",
                violation_error_message="The school has a category of this name already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.sif_name})" if self.sif_name else self.title

    @property
    def label(self) -> str:
        """Return the name the agreement's data tables use: the SIF object, else the title."""
        return self.sif_name or self.title

    def clean(self) -> None:
        school = self.school if self.school_id else None
        if school is not None and self.authority_id and school.authority_id != self.authority_id:
            raise ValidationError({"school": "That school belongs to another organisation."})
        if self.is_special_category and self.art9_condition_id is None:
            raise ValidationError(
                {
                    "art9_condition": "Special category data needs the Art 9 condition it is "
                    "processed under (e.g. Art 9(2)(g) substantial public interest for pupils' "
                    "data, Art 9(2)(b) employment for staff data)."
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

    authority = models.ForeignKey(
        "governance.Authority",
        on_delete=models.PROTECT,
        related_name="retention_rules",
        verbose_name="organisation",
    )
    name = models.CharField(max_length=120)
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
            models.UniqueConstraint(
                fields=["authority", "name"], name="retention_rule_name_unique_per_organisation"
            ),
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
