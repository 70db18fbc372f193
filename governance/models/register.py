"""The rest of a school's picture: public bodies and other recipients, what the school does with
information (its purposes) and where it keeps it (its systems).

Each record belongs to the whole country (``authority`` empty: national bodies such as the
Department for Education), to an organisation (its defaults, shared by all its schools), or to
one school (added by its DPO in the portal).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from governance.audit import audited
from governance.models.catalogue import DataObject, LawfulBasis
from governance.models.organisations import Authority, Reach, School


class Audience(models.TextChoices):
    """Whose notice a record belongs in."""

    PUPILS = "pupils", "Pupils and parents"
    WORKFORCE = "workforce", "School workforce"
    BOTH = "both", "Both notices"


class Leaves(models.TextChoices):
    """Whether data is stored or accessed outside the UK. Only yes and no are printed."""

    UNKNOWN = "unknown", "Not known"
    NO = "no", "No: kept in the UK"
    YES = "yes", "Yes: stored or accessed outside the UK"


class OwnedQuerySet(models.QuerySet):
    def for_school(self, school: School) -> "OwnedQuerySet":
        """Return the records that apply to ``school``: its organisation's and its own."""
        return self.filter(Q(authority=school.authority_id, school__isnull=True) | Q(school=school))


def check_owner(record: models.Model) -> None:
    """Refuse a school-level record whose school belongs to another organisation."""
    school = getattr(record, "school", None)
    authority_id = getattr(record, "authority_id", None)
    if school is not None and authority_id and school.authority_id != authority_id:
        raise ValidationError({"school": "That school belongs to another organisation."})


@audited()
class ExternalRecipient(models.Model):
    """A recipient that is neither an authority service nor a supplier: a public body (the DfE,
    the Welsh Government, the NHS, the local authority, a regional consortium, youth support
    services), other schools (those pupils move on to, the trust's other schools), or another
    independent controller (auditors, examination and assessment bodies)."""

    class Kind(models.TextChoices):
        PUBLIC_BODY = "public_body", "Public body"
        SCHOOLS = "schools", "Other schools"
        CONTROLLER = "controller", "Other independent controller"

    class Role(models.TextChoices):
        CONTROLLER = "controller", "Independent controller"
        JOINT = "joint", "Joint controller with the school"
        PROCESSOR = "processor", "Processor for the school"

    class Scope(models.TextChoices):
        FLOWS = "", "Only where a flow names it"
        EVERY_SCHOOL = "every_school", "Every school in the nation (a statutory collection)"
        YOUTH_SUPPORT = "youth_support", "Schools with pupils aged 13+ (youth support services)"

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="external_recipients",
        verbose_name="organisation",
        help_text="Empty for a national body shared by every organisation.",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_recipients",
        help_text="Set for a recipient only this school uses.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CONTROLLER)
    name = models.CharField(max_length=200)
    reach = models.CharField(
        "applies in",
        max_length=8,
        choices=Reach.choices,
        default=Reach.BOTH,
        help_text="A body of one nation never appears in a notice of the other's schools.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUPILS)
    scope = models.CharField(
        "who shares with it",
        max_length=14,
        choices=Scope.choices,
        blank=True,
        default=Scope.FLOWS,
    )
    why = models.TextField(help_text="Why it receives information, in plain words.")
    data_sent = models.TextField(
        "what is sent", blank=True, help_text="In plain words, e.g. “name, address, date of birth”."
    )
    frequency = models.CharField(
        "how often", max_length=200, blank=True, help_text="e.g. “each term (school census)”."
    )
    details = models.TextField(
        blank=True, help_text="Further paragraphs for readers, separated by a blank line."
    )
    laws = models.ManyToManyField(
        LawfulBasis,
        blank=True,
        related_name="external_recipients",
        limit_choices_to={"kind": LawfulBasis.Kind.STATUTE},
        help_text="The laws that require or allow the sharing.",
    )
    lawful_bases = models.ManyToManyField(
        LawfulBasis,
        blank=True,
        related_name="+",
        limit_choices_to=~Q(kind=LawfulBasis.Kind.STATUTE),
        help_text="For a statutory collection: the Art 6 basis (and Art 9 condition) relied on.",
    )
    website = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField("active", default=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "public body or other recipient"
        verbose_name_plural = "public bodies and other recipients"
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(authority__isnull=True),
                name="national_recipient_name_unique",
                violation_error_message="A national body of this name exists.",
            ),
            models.UniqueConstraint(
                fields=["authority", "name"],
                condition=Q(authority__isnull=False, school__isnull=True),
                name="organisation_recipient_name_unique",
                violation_error_message="The organisation has a recipient of this name.",
            ),
            models.UniqueConstraint(
                fields=["school", "name"],
                condition=Q(school__isnull=False),
                name="school_recipient_name_unique",
                violation_error_message="The school has a recipient of this name.",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=True) | Q(authority__isnull=False),
                name="school_recipient_names_its_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.school is not None and not self.authority_id:
            self.authority_id = self.school.authority_id
        check_owner(self)
        if self.scope and self.authority_id is None and self.kind != self.Kind.PUBLIC_BODY:
            raise ValidationError({"scope": "Only public bodies receive from every school."})


@audited()
class RecipientLink(models.Model):
    """A page readers can follow about a recipient (how the DfE uses pupil data...)."""

    recipient = models.ForeignKey(ExternalRecipient, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["recipient", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "url"], name="recipient_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.label}"


@audited()
class Purpose(models.Model):
    """Something a school does with information, and the lawful basis it relies on: “to
    support pupil learning” (public task), “fundraising” (consent)."""

    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="purposes", verbose_name="organisation"
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_purposes",
        help_text="Set for a purpose only this school has; empty for the organisation's default.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUPILS)
    description = models.CharField(
        max_length=255, help_text="What the school does, e.g. “to monitor and report on progress”."
    )
    lawful_bases = models.ManyToManyField(
        LawfulBasis, related_name="purposes", limit_choices_to=~Q(kind=LawfulBasis.Kind.STATUTE)
    )
    laws = models.ManyToManyField(
        LawfulBasis,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": LawfulBasis.Kind.STATUTE},
        help_text="The laws behind it, e.g. Education Act 1996.",
    )
    legitimate_interest = models.TextField(
        blank=True, help_text="Required with Art 6(1)(f): the interest the school pursues."
    )
    categories = models.ManyToManyField(
        DataObject, blank=True, related_name="purposes", verbose_name="data categories"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["audience", "position", "pk"]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        check_owner(self)


@audited()
class StorageSystem(models.Model):
    """Where a school keeps information: its MIS, safeguarding, finance and payment systems,
    CCTV, cloud storage. Each is run by a supplier or kept in-house."""

    class Kind(models.TextChoices):
        MIS = "mis", "Management information system"
        SAFEGUARDING = "safeguarding", "Safeguarding and behaviour"
        FINANCE = "finance", "Finance"
        PAYMENTS = "payments", "Payments and parent communication"
        EMAIL = "email", "Email and communication"
        STORAGE = "storage", "File and cloud storage"
        CCTV = "cctv", "CCTV"
        LEARNING = "learning", "Teaching and learning"
        ASSESSMENT = "assessment", "Assessment and tracking"
        PAPER = "paper", "Paper records"
        OTHER = "other", "Other"

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="storage_systems",
        verbose_name="organisation",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_systems",
        help_text="Set for a system only this school uses; empty for every school's.",
    )
    name = models.CharField(max_length=200, help_text="e.g. “Bromcom”, “CCTV”.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.CharField(
        max_length=255, help_text="What the school uses it for, e.g. “our MIS”."
    )
    supplier = models.ForeignKey(
        "processors.Processor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="systems",
        help_text="The company that runs it. Leave empty for a system the school runs itself.",
    )
    in_house = models.BooleanField(
        "run by the school itself",
        default=False,
        help_text="Kept on the school's own premises or servers, by its own staff.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    categories = models.ManyToManyField(
        DataObject, blank=True, related_name="systems", verbose_name="data categories"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "storage system"
        constraints = [
            models.CheckConstraint(
                condition=Q(supplier__isnull=False, in_house=False)
                | Q(supplier__isnull=True, in_house=True),
                name="system_run_by_supplier_or_in_house",
                violation_error_message="A system is run by a supplier or by the school itself.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_owner(self)
        if bool(self.supplier_id) == self.in_house:
            raise ValidationError(
                {
                    "supplier": "Choose the supplier that runs it, or tick “run by the school "
                    "itself” (not both)."
                }
            )
        owner = self.supplier.school_id if self.supplier_id else None  # type: ignore[union-attr]
        if owner is not None and owner != self.school_id:
            raise ValidationError(
                {
                    "supplier": "That supplier belongs to one school: only that school's own "
                    "systems can name it."
                }
            )
