"""The organisations data moves between: the organisation running the schools' data (a local
authority's service or a multi-academy trust's central team), its schools and its services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from governance.audit import audited


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"


class Reach(models.TextChoices):
    """Where a law or a national body applies."""

    BOTH = "both", "England and Wales"
    ENGLAND = "england", "England only"
    WALES = "wales", "Wales only"


def reach_covers(reach: str, nation: str) -> bool:
    """Return whether something of ``reach`` applies to a school in ``nation``."""
    return reach in (Reach.BOTH, nation)


@audited()
class Authority(models.Model):
    """The organisation running a group of schools' data: a local authority's service (e.g.
    Warwickshire's ICTDS) or a multi-academy trust's central team."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority service"
        TRUST = "trust", "Multi-academy trust (central team)"

    name = models.CharField(max_length=200, unique=True, help_text="The legal organisation.")
    kind = models.CharField(
        max_length=16,
        choices=Kind.choices,
        default=Kind.LOCAL_AUTHORITY,
        help_text="For a trust, the trust is the controller for its academies.",
    )
    service_name = models.CharField(
        max_length=200,
        help_text="The service that runs the exchange, e.g. ICT Development Service.",
    )
    address = models.TextField()
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    privacy_notice_url = models.URLField(
        "authority privacy notice", blank=True, help_text="The authority's own overall notice."
    )
    ico_registration = models.CharField("ICO registration number", max_length=20, blank=True)
    dpo_name = models.CharField("DPO name", max_length=200, blank=True)
    dpo_email = models.EmailField("DPO email", blank=True)
    dpo_phone = models.CharField("DPO phone", max_length=40, blank=True)
    security_measures = models.TextField(
        blank=True,
        help_text="How every school's data is protected, one measure per line (encryption, "
        "access control, training...). Printed in every school's notice; schools add their own.",
    )
    retention_schedule_summary = models.TextField(
        blank=True, help_text="The records retention schedule schools follow, in plain words."
    )
    retention_schedule_url = models.URLField(
        "retention schedule link", blank=True, help_text="Where the full schedule is published."
    )
    la_codes = models.CharField(
        "LA codes served",
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^\s*\d{3}(\s*,\s*\d{3})*\s*$",
                "Three-digit LA codes separated by commas, e.g. 937 or 937, 938.",
            )
        ],
        help_text="The local authority codes whose schools this organisation serves, e.g. 937 "
        "(Warwickshire): a GIAS import adds those rows' new schools here.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"

    def __str__(self) -> str:
        return f"{self.name} ({self.service_name})"

    @property
    def la_code_list(self) -> list[str]:
        """The LA codes served, in order."""
        return [code.strip() for code in self.la_codes.split(",") if code.strip()]

    @property
    def missing_contacts(self) -> list[str]:
        """Return the contact details a document would need but the registry lacks."""
        wanted = {
            "ICO registration number": self.ico_registration,
            "DPO name": self.dpo_name,
            "DPO email": self.dpo_email,
        }
        return [label for label, value in wanted.items() if not value]


YOUTH_SUPPORT_PHASES = {"secondary", "all_through", "middle", "special", "alternative"}


class SchoolQuerySet(models.QuerySet["School"]):
    def issuing(self) -> "SchoolQuerySet":
        """The schools whose notices are issued: published, and not closed (a closed school
        keeps its versions, and gets no new ones)."""
        return self.filter(notices_published_at__isnull=False).exclude(status="closed")

    def visible_to(self, user: Any) -> "SchoolQuerySet":
        """Return the schools ``user`` may see: staff see all; a DPO, their own; others none.

        The one place that decides which schools a person sees: every portal page, download
        and API starts from it, so another school's object is a 404.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(dpo_users=user)


@audited()
class School(models.Model):
    """A school whose data leaves through the service. The school is the data controller."""

    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        ALTERNATIVE = "alternative", "Alternative provision / PRU"

    class Type(models.TextChoices):
        MAINTAINED = "maintained", "Local authority maintained"
        ACADEMY = "academy", "Academy (single academy trust)"
        TRUST_MEMBER = "trust_member", "Academy in a multi-academy trust"

    Nation = Nation

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"
        PROPOSED_TO_CLOSE = "proposed_to_close", "Open, but proposed to close"
        CLOSED = "closed", "Closed"

    class LearnerTerm(models.TextChoices):
        PUPILS = "pupils", "pupils"
        STUDENTS = "students", "students"

    class YouthSupport(models.TextChoices):
        BY_PHASE = "", "Follow the phase (secondary, middle, all-through, special, AP)"
        YES = "yes", "Yes: the school shares with youth support services at 13+"
        NO = "no", "No: the school has no pupils aged 13 or over"

    class MIS(models.TextChoices):
        SIMS = "sims", "SIMS"
        ARBOR = "arbor", "Arbor"
        BROMCOM = "bromcom", "Bromcom"
        SCHOLARPACK = "scholarpack", "ScholarPack"
        ADVANCED = "advanced", "Advanced Progresso"
        OTHER = "other", "Other"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="schools")
    urn = models.CharField(
        "URN",
        max_length=8,
        unique=True,
        validators=[
            RegexValidator(r"^\d{6,7}$", "A URN is 6 digits (Wales: the 7-digit school number).")
        ],
        help_text="Unique reference number (England) or school number (Wales).",
    )
    dfe_number = models.CharField(
        "DfE number",
        max_length=8,
        validators=[
            RegexValidator(r"^\d{3}/\d{4}$", "Write it as LA/establishment, e.g. 937/2001.")
        ],
        help_text="LA code / establishment number, e.g. 937/2001. Unique among open schools: "
        "an academy replacing a school may keep its number (proposed to open while the other "
        "is proposed to close, then open once it has closed).",
    )
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=12, choices=Phase.choices)
    school_type = models.CharField("type", max_length=14, choices=Type.choices)
    status = models.CharField(
        max_length=18,
        choices=Status.choices,
        default=Status.OPEN,
        help_text="As GIAS records it. A closed school keeps its history but gets no new notices.",
    )
    open_date = models.DateField("opened on", null=True, blank=True)
    close_date = models.DateField("closed on", null=True, blank=True)
    trust_name = models.CharField(
        max_length=200, blank=True, help_text="For an academy: the trust, which is the controller."
    )
    trust_address = models.TextField(
        blank=True,
        help_text="For an academy whose trust is not an organisation here: the trust's postal "
        "address, printed as the controller's. Empty: notices name the trust and give only "
        "the school's contact details, as the school's.",
    )
    trust_phone = models.CharField(max_length=40, blank=True)
    trust_email = models.EmailField(blank=True)
    nation = models.CharField(max_length=8, choices=Nation.choices, default=Nation.ENGLAND)
    address = models.TextField()
    postcode = models.CharField(max_length=10)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    ico_registration = models.CharField("ICO registration number", max_length=20, blank=True)
    headteacher = models.CharField(max_length=200, blank=True)
    dpo_name = models.CharField("DPO name", max_length=200, blank=True)
    dpo_email = models.EmailField("DPO email", blank=True)
    dpo_phone = models.CharField("DPO phone", max_length=40, blank=True)
    dp_lead_name = models.CharField("data protection lead", max_length=200, blank=True)
    dp_lead_email = models.EmailField("data protection lead email", blank=True)
    mis = models.CharField("MIS", max_length=12, choices=MIS.choices, default=MIS.SIMS)
    learner_term = models.CharField(
        "the school calls its learners",
        max_length=8,
        choices=LearnerTerm.choices,
        default=LearnerTerm.PUPILS,
    )
    youth_support = models.CharField(
        "youth support services (13+)",
        max_length=3,
        choices=YouthSupport.choices,
        blank=True,
        default=YouthSupport.BY_PHASE,
        help_text="England: whether the notice describes sharing with youth support services "
        "(Education Act 1996 s.507B). By default it follows the phase.",
    )
    security_measures = models.TextField(
        blank=True,
        help_text="The school's own security measures, one per line, added to the organisation's.",
    )
    retention_schedule_summary = models.TextField(
        blank=True, help_text="Leave empty to use the organisation's."
    )
    retention_schedule_url = models.URLField(
        "retention schedule link", blank=True, help_text="Leave empty to use the organisation's."
    )
    notices_published_at = models.DateTimeField(
        "notices first published",
        null=True,
        blank=True,
        editable=False,
        help_text="Until then the school's notices are drafts: nothing is public.",
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urn__regex=r"^[0-9]{6,7}$"),
                name="school_urn_well_formed",
                violation_error_message="A URN is 6 digits (Wales: the 7-digit school number).",
            ),
            models.CheckConstraint(
                condition=Q(dfe_number__regex=r"^[0-9]{3}/[0-9]{4}$"),
                name="school_dfe_number_well_formed",
                violation_error_message="Write the DfE number as LA/establishment, e.g. 937/2001.",
            ),
            models.UniqueConstraint(
                fields=["dfe_number"],
                condition=Q(status__in=["open", "proposed_to_close"]),
                name="school_dfe_number_unique_among_open",
                violation_error_message="Another open school has this DfE number.",
            ),
            models.CheckConstraint(
                condition=Q(school_type="maintained") | ~Q(trust_name=""),
                name="academy_names_its_trust",
                violation_error_message="An academy must name its trust (the data controller).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (URN {self.urn})"

    def clean(self) -> None:
        if self.school_type != self.Type.MAINTAINED and not self.trust_name.strip():
            raise ValidationError(
                {"trust_name": "An academy must name its trust: the trust is the data controller."}
            )

    @property
    def controller_name(self) -> str:
        """Return the data controller's name: the trust for an academy, else the school."""
        return self.trust_name if self.school_type != self.Type.MAINTAINED else self.name

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def not_issuing_because(self) -> str:
        """Why no notice of the school is issued now ("" when they are)."""
        if self.is_closed:
            return "closed: the school keeps its notices, and gets no new versions"
        if not self.is_published:
            return "draft: nothing issued until the notices are published"
        return ""

    @property
    def is_published(self) -> bool:
        """Return whether the school's notices have been published (they are public)."""
        return self.notices_published_at is not None

    @property
    def shares_with_youth_support(self) -> bool:
        """Return whether the school's pupils notice describes youth support services (13+)."""
        if self.nation != Nation.ENGLAND or self.youth_support == self.YouthSupport.NO:
            return False
        if self.youth_support == self.YouthSupport.YES:
            return True
        return self.phase in YOUTH_SUPPORT_PHASES

    @property
    def retention_schedule(self) -> dict[str, str]:
        """Return the school's retention schedule summary and link (the organisation's by
        default)."""
        return {
            "summary": self.retention_schedule_summary or self.authority.retention_schedule_summary,
            "url": self.retention_schedule_url or self.authority.retention_schedule_url,
        }

    @property
    def missing_contacts(self) -> list[str]:
        """Return the contacts a privacy notice needs that the registry lacks."""
        wanted = {
            "DPO name": self.dpo_name,
            "DPO email": self.dpo_email,
            "school email or phone": self.email or self.phone,
            "headteacher": self.headteacher,
        }
        return [label for label, value in wanted.items() if not value]


@audited()
class PartnerService(models.Model):
    """An authority service that receives school data (e.g. Children Missing Education)."""

    class Relationship(models.TextChoices):
        CONTROLLER = "controller", "Separate controller (shares under the agreement)"
        JOINT = "joint", "Joint controller with the school"
        PROCESSOR = "processor", "Processor for the school"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, blank=True, help_text="e.g. CME, ACE, WYJS.")
    purpose = models.TextField(help_text="Why it receives school data, in plain words.")
    benefits = models.TextField(blank=True, help_text="What the sharing achieves for children.")
    statutory_gateway = models.TextField(
        blank=True,
        help_text="The statutory power or duty relied on, e.g. Education Act 1996 s.436A.",
    )
    relationship = models.CharField(
        "controller relationship",
        max_length=12,
        choices=Relationship.choices,
        default=Relationship.CONTROLLER,
    )
    is_agreement_party = models.BooleanField(
        "party to the data sharing agreement",
        default=True,
        help_text="Parties sign the agreement; internal recipients under another route do not.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"], name="partner_service_name_unique_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class DesignatedOfficer(models.Model):
    """The named officer responsible for a partner service's data exchange."""

    partner = models.ForeignKey(PartnerService, on_delete=models.CASCADE, related_name="officers")
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["partner__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "email"], name="officer_email_unique_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.position} ({self.partner})"
