"""National records: the laws and government bodies every school of a nation describes.

They are registry records like any other (staff edit their wording, links, what is sent and how
often), seeded here once per database: ``ensure_national_records`` creates the missing ones
after every ``migrate`` and never overwrites what staff changed. A record staff no longer want
is made inactive rather than deleted, so it is not created again.
"""

from typing import Any

from django.db import DatabaseError, transaction

from governance.models import ExternalRecipient, LawfulBasis, RecipientLink
from governance.models.organisations import Reach

BOTH, ENGLAND, WALES = Reach.BOTH, Reach.ENGLAND, Reach.WALES
ART6, ART9, SCH1 = LawfulBasis.Kind.ART6, LawfulBasis.Kind.ART9, LawfulBasis.Kind.DPA_SCH1

# (kind, code, title, plain text): the UK GDPR and DPA 2018 catalogue, the same everywhere.
# The employment conditions fit only data about the workforce (``LawfulBasis.only_for``).
LAWFUL_BASES = [
    (ART6, "Art 6(1)(a)", "Consent",
     "You have given clear consent for us to use the information for a specific purpose. "
     "You can withdraw consent at any time."),
    (ART6, "Art 6(1)(b)", "Contract",
     "We need the information to carry out a contract, such as the school's subscription to a "
     "service or a member of staff's employment contract."),
    (ART6, "Art 6(1)(c)", "Legal obligation",
     "The law requires us to collect or share the information, for example for the school census."),
    (ART6, "Art 6(1)(d)", "Vital interests",
     "We need the information to protect someone's life, for example in a medical emergency."),
    (ART6, "Art 6(1)(e)", "Public task",
     "We need the information to carry out a task in the public interest or an official "
     "function that has a clear basis in law, such as educating and safeguarding children."),
    (ART6, "Art 6(1)(f)", "Legitimate interests",
     "We use the information in ways people would reasonably expect, where our interest does "
     "not override their rights. Public authorities cannot rely on this for their public tasks."),
    (ART9, "Art 9(2)(a)", "Explicit consent",
     "You have given explicit consent for us to use this sensitive information."),
    (ART9, "Art 9(2)(b)", "Employment, social security and social protection",
     "We need this sensitive information to meet our obligations and exercise our rights as an "
     "employer, or under social security or social protection law."),
    (ART9, "Art 9(2)(c)", "Vital interests",
     "We need this sensitive information to protect someone's life when they cannot consent."),
    (ART9, "Art 9(2)(d)", "Not-for-profit bodies",
     "Used by a not-for-profit body with a political, philosophical, religious or trade "
     "union aim."),
    (ART9, "Art 9(2)(e)", "Made public by the data subject",
     "The person has deliberately made this sensitive information public."),
    (ART9, "Art 9(2)(f)", "Legal claims",
     "We need this sensitive information to make or defend legal claims."),
    (ART9, "Art 9(2)(g)", "Substantial public interest",
     "We need this sensitive information for reasons of substantial public interest set out in "
     "law, such as safeguarding children or meeting statutory duties."),
    (ART9, "Art 9(2)(h)", "Health or social care",
     "We need this sensitive information to provide health or social care."),
    (ART9, "Art 9(2)(i)", "Public health",
     "We need this sensitive information for public health reasons, such as immunisation."),
    (ART9, "Art 9(2)(j)", "Archiving, research and statistics",
     "We use this sensitive information for archiving, research or statistics, with safeguards."),
    (SCH1, "DPA 2018 Sch 1 Pt 1 para 1", "Employment, social security and social protection",
     "Needed for our obligations and rights as an employer, with a policy document in place "
     "that says how we protect the information."),
    (SCH1, "DPA 2018 Sch 1 Pt 1 para 2", "Health or social care purposes",
     "Needed to provide health or social care, by or under the responsibility of a health or "
     "social work professional."),
    (SCH1, "DPA 2018 Sch 1 Pt 2 para 6", "Statutory and government purposes",
     "Needed to carry out a function given by law, such as the local authority's "
     "education duties."),
    (SCH1, "DPA 2018 Sch 1 Pt 2 para 8", "Equality of opportunity or treatment",
     "Used to check and promote equality of opportunity, for example ethnicity monitoring."),
    (SCH1, "DPA 2018 Sch 1 Pt 2 para 18", "Safeguarding of children and individuals at risk",
     "Needed to protect a child or an adult at risk from neglect or harm."),
]  # fmt: skip


EMPLOYMENT_CONDITIONS = {"Art 9(2)(b)", "DPA 2018 Sch 1 Pt 1 para 1"}

# (code, plain words, reach, link)
LAWS = [
    ("Education Act 1996", "The main law on schools' duties to educate pupils.", BOTH,
     "https://www.legislation.gov.uk/ukpga/1996/56"),
    ("Education Act 1996 s.537A", "Requires schools to give the government information about "
     "individual pupils.", BOTH, "https://www.legislation.gov.uk/ukpga/1996/56/section/537A"),
    ("Education (Information About Individual Pupils) (England) Regulations 2013",
     "Set out what pupil information schools in England send the Department for Education.",
     ENGLAND, "https://www.legislation.gov.uk/uksi/2013/2094"),
    ("Education Act 1996 s.507B", "Gives local authorities in England responsibilities for "
     "youth support services for 13 to 19 year olds.", ENGLAND,
     "https://www.legislation.gov.uk/ukpga/1996/56/section/507B"),
    ("Education (Pupil Registration) (England) Regulations 2006", "Require schools in "
     "England to keep attendance and admission registers and tell the local authority when a "
     "pupil leaves.", ENGLAND, "https://www.legislation.gov.uk/uksi/2006/1751"),
    ("Children and Families Act 2014", "The law on special educational needs and disability "
     "(SEND) and education, health and care plans in England.", ENGLAND,
     "https://www.legislation.gov.uk/ukpga/2014/6"),
    ("Education (Supply of Information about the School Workforce) (England) Regulations 2007",
     "Require schools in England to send the Department for Education information about their "
     "workforce.", ENGLAND, "https://www.legislation.gov.uk/uksi/2007/2260"),
    ("Additional Learning Needs and Education Tribunal (Wales) Act 2018", "The law on "
     "additional learning needs (ALN) and individual development plans (IDPs) in Wales.", WALES,
     "https://www.legislation.gov.uk/anaw/2018/2"),
    ("Education (Pupil Information) (Wales) Regulations 2011", "Give parents in Wales the "
     "right to see their child's educational record.", WALES,
     "https://www.legislation.gov.uk/wsi/2011/1942"),
    ("Education (Information About Individual Pupils) (Wales) Regulations 2007", "Set out "
     "what pupil information schools in Wales send the Welsh Government.", WALES,
     "https://www.legislation.gov.uk/wsi/2007/3562"),
    ("Children Act 1989", "The law on protecting children and supporting children in need.",
     BOTH, "https://www.legislation.gov.uk/ukpga/1989/41"),
    ("Children Act 2004 s.10", "Requires local services in England to co-operate to improve "
     "children's well-being.", ENGLAND, "https://www.legislation.gov.uk/ukpga/2004/31/section/10"),
]  # fmt: skip

_PUPILS, _WORKFORCE = "pupils", "workforce"
_EVERY, _YOUTH = ExternalRecipient.Scope.EVERY_SCHOOL, ExternalRecipient.Scope.YOUTH_SUPPORT
_PUBLIC = ExternalRecipient.Kind.PUBLIC_BODY

# name: fields; "laws", "bases" and "links" are resolved by the loader.
BODIES: dict[str, dict[str, Any]] = {
    "Department for Education (DfE)": {
        "reach": ENGLAND, "audience": _PUPILS, "scope": _EVERY,
        "why": "The law requires schools to share pupil data with the DfE through statutory "
        "data collections such as the school census and the early years census. This "
        "underpins school funding and educational attainment policy and monitoring.",
        "data_sent": "The items the census guides list: pupils' identity, characteristics, "
        "attendance, exclusions, special educational needs and assessment results.",
        "frequency": "Each term (school census) and at other statutory collections",
        "laws": ["Education Act 1996 s.537A",
                 "Education (Information About Individual Pupils) (England) Regulations 2013"],
        "bases": ["Art 6(1)(c)"],
        "links": [("Data collection and censuses for schools",
                   "https://www.gov.uk/education/data-collection-and-censuses-for-schools"),
                  ("Contact the DfE", "https://www.gov.uk/contact-dfe")],
        "website": "https://www.gov.uk/government/organisations/department-for-education",
    },
    "The National Pupil Database (NPD)": {
        "reach": ENGLAND, "audience": _PUPILS, "scope": _EVERY,
        "why": "The NPD is owned and managed by the Department for Education and holds "
        "information about pupils in schools in England. Some of the information we give the "
        "DfE in statutory collections is stored in it.",
        "details": "It provides evidence on educational performance for independent research "
        "and for studies commissioned by the DfE.\n\nThe DfE may share information from the "
        "NPD with third parties who promote the education or well-being of children in England "
        "by conducting research or analysis, producing statistics, or providing information, "
        "advice or guidance. Every request is assessed: who is asking, why, how sensitive the "
        "data is and how it will be stored and handled. Organisations given access must meet "
        "strict terms on confidentiality, security, retention and use.\n\nYou can ask the DfE "
        "what data it holds about you or your child by making a subject access request to the "
        "DfE.",
        "laws": ["Education (Information About Individual Pupils) (England) Regulations 2013"],
        "links": [("How the DfE collects and shares research data",
                   "https://www.gov.uk/data-protection-how-we-collect-and-share-research-data"),
                  ("Who the DfE has provided pupil information to",
                   "https://www.gov.uk/government/publications/"
                   "national-pupil-database-requests-received")],
    },
    "Youth support services": {
        "reach": ENGLAND, "audience": _PUPILS, "scope": _YOUTH,
        "why": "Once a pupil reaches 13 we also pass their information to the local authority "
        "and/or the provider of youth support services, because they are responsible for the "
        "education and training of 13 to 19 year olds. This lets them provide youth support "
        "services and careers advice.",
        "data_sent": "The pupil's name, address and date of birth, and other information the "
        "service needs, unless a parent asks us to send only the name, address and date of "
        "birth.",
        "details": "A parent or carer can ask that only the pupil's name, address and date of "
        "birth is passed on, by telling the school. This right passes to the pupil at 16.",
        "laws": ["Education Act 1996 s.507B"],
        "bases": ["Art 6(1)(e)"],
    },
    "Department for Education (DfE): school workforce census": {
        "reach": ENGLAND, "audience": _WORKFORCE, "scope": _EVERY,
        "why": "The law requires schools to share information about their workforce with the "
        "DfE through the school workforce census. It informs policy on pay, teacher supply and "
        "the monitoring of the workforce.",
        "frequency": "Once a year (school workforce census, each November)",
        "laws": ["Education (Supply of Information about the School Workforce) (England) "
                 "Regulations 2007"],
        "bases": ["Art 6(1)(c)"],
        "links": [("School workforce census",
                   "https://www.gov.uk/guidance/school-workforce-census")],
    },
    "Welsh Government": {
        "reach": WALES, "audience": _PUPILS, "scope": _EVERY,
        "why": "The law requires schools to share pupil data with the Welsh Government through "
        "statutory data collections such as the Pupil Level Annual School Census (PLASC) and "
        "the early years census. This underpins school funding and educational attainment "
        "policy and monitoring.",
        "frequency": "Each year (PLASC) and at other statutory collections",
        "laws": ["Education Act 1996 s.537A",
                 "Education (Information About Individual Pupils) (Wales) Regulations 2007"],
        "bases": ["Art 6(1)(c)"],
        "links": [("How the Welsh Government uses pupil data",
                   "https://gov.wales/data-management-information-privacy-notice"),
                  ("Data collection requirements for schools",
                   "https://gov.wales/data-collection-and-information-management-for-schools")],
        "website": "https://gov.wales",
    },
    "The National Pupil Database for Wales": {
        "reach": WALES, "audience": _PUPILS, "scope": _EVERY,
        "why": "The NPD for Wales is owned and managed by the Welsh Government and holds "
        "information about pupils in schools in Wales. Some of the information we give in "
        "statutory collections, such as the school census and early years census, is stored "
        "in it.",
        "details": "It is held electronically for statistical purposes and provides evidence "
        "on educational performance for independent research and for studies commissioned by "
        "the Welsh Government. The information is collected securely from schools, local "
        "authorities and awarding bodies.",
        "links": [("Education statistics for Wales",
                   "https://gov.wales/statistics-and-research")],
    },
    "Welsh Government: School Workforce Annual Census": {
        "reach": WALES, "audience": _WORKFORCE, "scope": _EVERY,
        "why": "The law requires schools in Wales to share information about their workforce "
        "with the Welsh Government through the School Workforce Annual Census (SWAC).",
        "frequency": "Once a year (SWAC)",
        "bases": ["Art 6(1)(c)"],
    },
    "NHS school health services": {
        "reach": BOTH, "audience": _PUPILS,
        "why": "School nursing and immunisation teams use pupils' details to organise health "
        "checks and immunisation programmes.",
    },
}  # fmt: skip


def ensure_national_records() -> int:
    """Create the national laws and bodies that are missing; return how many were created.

    Existing records are left as staff left them.
    """
    created = 0
    with transaction.atomic():
        for kind, code, title, plain in LAWFUL_BASES:
            _, new = LawfulBasis.objects.get_or_create(
                code=code,
                defaults={
                    "kind": kind,
                    "title": title,
                    "plain_text": plain,
                    "only_for": "workforce" if code in EMPLOYMENT_CONDITIONS else "",
                },
            )
            created += new
        for code, plain, reach, url in LAWS:
            _, new = LawfulBasis.objects.get_or_create(
                code=code,
                defaults={
                    "kind": LawfulBasis.Kind.STATUTE,
                    "title": code,
                    "plain_text": plain,
                    "reach": reach,
                    "url": url,
                },
            )
            created += new
        for name, spec in BODIES.items():
            if ExternalRecipient.objects.filter(authority=None, name=name).exists():
                continue
            _create_body(name, spec)
            created += 1
    return created


def _create_body(name: str, spec: dict[str, Any]) -> ExternalRecipient:
    fields = {k: v for k, v in spec.items() if k not in {"laws", "bases", "links"}}
    body = ExternalRecipient(name=name, kind=_PUBLIC, **fields)
    body.full_clean()
    body.save()
    body.laws.set(LawfulBasis.objects.filter(code__in=spec.get("laws", [])))
    body.lawful_bases.set(LawfulBasis.objects.filter(code__in=spec.get("bases", [])))
    for position, (label, url) in enumerate(spec.get("links", [])):
        RecipientLink.objects.create(recipient=body, label=label, url=url, position=position)
    return body


def seed_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver: seed the national records once the tables exist."""
    if kwargs.get("using", "default") != "default":
        return
    try:
        ensure_national_records()
    except DatabaseError:  # a migration plan that stopped short of the register's tables
        return
