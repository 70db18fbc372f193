"""factory_boy factories for the registry: valid, minimal rows with readable values."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    ExternalRecipient,
    LawfulBasis,
    Leaves,
    Offering,
    PartnerService,
    Purpose,
    RecipientLink,
    RetentionRule,
    School,
    StorageSystem,
    Subscription,
    User,
)
from processors.models import Certification, Processor


def owner() -> factory.Maybe:
    """A record's organisation: the school's when it has one, else a new organisation."""
    return factory.Maybe(
        "school",
        yes_declaration=factory.SelfAttribute("school.authority"),
        no_declaration=factory.SubFactory("tests.factories.AuthorityFactory"),
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority

    name = factory.Sequence(lambda n: f"Example County Council {n}")
    kind = Authority.Kind.LOCAL_AUTHORITY
    service_name = "Schools ICT Service"
    address = "County Hall\nExampletown"
    email = "ict@example.org"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    authority = factory.SubFactory(AuthorityFactory)
    urn = factory.Sequence(lambda n: f"{100000 + n}")
    dfe_number = factory.Sequence(lambda n: f"937/{1000 + n}")
    name = factory.Sequence(lambda n: f"Example Primary School {n}")
    phase = School.Phase.PRIMARY
    school_type = School.Type.MAINTAINED
    nation = School.Nation.ENGLAND
    address = "School Lane\nExampletown"
    postcode = "CV1 1AA"
    email = factory.LazyAttribute(lambda s: f"office{s.urn}@example.org")
    headteacher = "Ms Head"
    dpo_name = "Schools DPO"
    dpo_email = "dpo@example.org"

    class Params:
        # SchoolFactory(published=True): notices already public (not a draft).
        published = factory.Trait(notices_published_at=factory.LazyFunction(timezone.now))


class PartnerServiceFactory(DjangoModelFactory):
    class Meta:
        model = PartnerService

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Partner Service {n}")
    purpose = "Supports children's welfare."


class DesignatedOfficerFactory(DjangoModelFactory):
    class Meta:
        model = DesignatedOfficer

    partner = factory.SubFactory(PartnerServiceFactory)
    name = "Alex Officer"
    position = "Service Manager"
    email = factory.Sequence(lambda n: f"officer{n}@example.org")


class LawfulBasisFactory(DjangoModelFactory):
    class Meta:
        model = LawfulBasis
        django_get_or_create = ("code",)

    kind = LawfulBasis.Kind.ART6
    code = "Art 6(1)(e)"
    title = "Public task"
    plain_text = "We need it to carry out a task in the public interest."


class Art9ConditionFactory(LawfulBasisFactory):
    kind = LawfulBasis.Kind.ART9
    code = "Art 9(2)(g)"
    title = "Substantial public interest"


class StatuteFactory(LawfulBasisFactory):
    """A law giving a statutory power or duty (England and Wales unless ``reach`` says)."""

    kind = LawfulBasis.Kind.STATUTE
    code = "Education Act 1996 s.537A"
    title = "School census"
    plain_text = "Schools must send the census to the Department for Education."


class DataObjectFactory(DjangoModelFactory):
    """A data category of an organisation (a new one unless ``authority`` or ``school`` is
    given; a school's own category takes the school's organisation)."""

    class Meta:
        model = DataObject

    school = None
    authority = owner()
    sif_name = factory.Sequence(lambda n: f"LearnerThing{n}")
    title = factory.Sequence(lambda n: f"Some pupil data {n}")
    data_subject = DataObject.Subject.PUPIL
    fields_description = "Things about the pupil."


class SpecialDataObjectFactory(DataObjectFactory):
    is_special_category = True
    special_category_note = "health"
    art9_condition = factory.SubFactory(Art9ConditionFactory)


class RetentionRuleFactory(DjangoModelFactory):
    class Meta:
        model = RetentionRule

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Retention rule {n}")
    period_value = 12
    period_unit = RetentionRule.Unit.MONTHS
    description = "Kept for 12 months."


class CertificationFactory(DjangoModelFactory):
    class Meta:
        model = Certification
        django_get_or_create = ("name",)

    name = "ISO/IEC 27001"


class ProcessorFactory(DjangoModelFactory):
    class Meta:
        model = Processor

    school = None  # shared; give a school for one the school added itself
    name = factory.Sequence(lambda n: f"Supplier {n}")
    service_description = "Provides a service."
    data_location = "UK"
    data_leaves_uk = Leaves.NO
    compliance_statement = "Meets UK GDPR."


class ExternalRecipientFactory(DjangoModelFactory):
    """A public body: national unless ``authority`` or ``school`` is given (a school's own
    recipient takes the school's organisation)."""

    class Meta:
        model = ExternalRecipient
        skip_postgeneration_save = True

    school = None
    authority = factory.Maybe(
        "school", yes_declaration=factory.SelfAttribute("school.authority"), no_declaration=None
    )
    kind = ExternalRecipient.Kind.PUBLIC_BODY
    name = factory.Sequence(lambda n: f"Public body {n}")
    why = "It needs the information to carry out its duties."

    @factory.post_generation
    def laws(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.laws.set(extracted)


class RecipientLinkFactory(DjangoModelFactory):
    class Meta:
        model = RecipientLink

    recipient = factory.SubFactory(ExternalRecipientFactory)
    label = "How it uses the information"
    url = factory.Sequence(lambda n: f"https://example.org/recipient/{n}")


class PurposeFactory(DjangoModelFactory):
    """An organisation's purpose (or, given ``school``, the school's own) on Art 6(1)(e)."""

    class Meta:
        model = Purpose
        skip_postgeneration_save = True

    school = None
    authority = owner()
    description = factory.Sequence(lambda n: f"To do school thing {n}")

    @factory.post_generation
    def lawful_bases(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.lawful_bases.set(extracted if extracted is not None else [LawfulBasisFactory()])

    @factory.post_generation
    def categories(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(extracted)


class StorageSystemFactory(DjangoModelFactory):
    """An organisation's system (or, given ``school``, the school's own): in-house unless a
    ``supplier`` is given."""

    class Meta:
        model = StorageSystem
        skip_postgeneration_save = True

    school = None
    authority = owner()
    name = factory.Sequence(lambda n: f"System {n}")
    kind = StorageSystem.Kind.MIS
    description = "Where the school keeps its records."
    supplier = None
    in_house = factory.LazyAttribute(lambda system: system.supplier is None)

    @factory.post_generation
    def categories(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(extracted)


class OfferingFactory(DjangoModelFactory):
    class Meta:
        model = Offering

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Offering {n}")
    description = "Something schools buy."


class SubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = Subscription

    school = factory.SubFactory(SchoolFactory)
    offering = factory.SubFactory(
        OfferingFactory, authority=factory.SelfAttribute("..school.authority")
    )
    start_date = datetime.date(2025, 9, 1)


class DataFlowFactory(DjangoModelFactory):
    """A flow from every school of an organisation to a new supplier (unless a
    ``partner_service`` or ``body`` is given), carrying one new category of the organisation on
    Art 6(1)(e), kept under a rule of the organisation."""

    class Meta:
        model = DataFlow
        skip_postgeneration_save = True

    authority = factory.SubFactory(AuthorityFactory)
    partner_service = None
    body = None
    processor = factory.Maybe(
        factory.LazyAttribute(lambda flow: flow.partner_service is None and flow.body is None),
        yes_declaration=factory.SubFactory(ProcessorFactory),
        no_declaration=None,
    )
    purpose = factory.Sequence(lambda n: f"Purpose {n}")
    frequency = DataFlow.Frequency.DAILY
    retention_rule = factory.SubFactory(
        RetentionRuleFactory, authority=factory.SelfAttribute("..authority")
    )

    @factory.post_generation
    def data_objects(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            if extracted is None:
                extracted = [DataObjectFactory(authority=self.authority)]
            self.data_objects.set(extracted)

    @factory.post_generation
    def lawful_bases(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.lawful_bases.set(extracted if extracted is not None else [LawfulBasisFactory()])


# -- agreements --------------------------------------------------------------------------------


def publish_demo_agreement(*, by: User | None = None):
    """Publish the demo agreement's draft (the demo world must be loaded); return the version."""
    from agreements.models import AgreementVersion
    from agreements.services import publish_version

    draft = AgreementVersion.objects.get(status=AgreementVersion.Status.DRAFT)
    publisher = by or UserFactory(username="publisher", is_staff=True, is_superuser=True)
    return publish_version(version=draft, user=publisher)


def dpo_of(*schools: School, username: str | None = None) -> User:
    """Return a portal user who is the DPO of ``schools``."""
    user = UserFactory(
        username=username or f"dpo-{schools[0].urn}", first_name="Jo", last_name="Bloggs"
    )
    user.schools.add(*schools)
    return user


def sign(version, school: School, user: User | None = None, **overrides):
    """Counter-sign ``version`` for ``school`` as its DPO; return the SignResult."""
    from agreements.signing import sign_agreement

    values = {
        "full_name": "Jo Bloggs",
        "position": "Data Protection Officer",
        "declaration_ticked": True,
        "shown_sha256": version.pdf_sha256,
        "ip_address": "192.0.2.10",
        "user_agent": "pytest",
        **overrides,
    }
    return sign_agreement(version=version, school=school, user=user or dpo_of(school), **values)
