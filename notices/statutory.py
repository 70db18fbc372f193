"""What the law makes every school in a nation say, whatever its subscriptions.

Government bodies, statutory collections and the rights text are the same for every school of
a nation and audience, so they live here as data; the registry adds everything else.
"""

from typing import Any

Recipient = dict[str, Any]

ICO = {
    "name": "Information Commissioner's Office",
    "address": ["Wycliffe House", "Water Lane", "Wilmslow", "Cheshire", "SK9 5AF"],
    "phone": "0303 123 1113",
    "website": "https://ico.org.uk",
    "concerns_url": "https://ico.org.uk/concerns/",
}

_DFE_PUPILS: Recipient = {
    "name": "Department for Education (DfE)",
    "why": "The law requires schools to share pupil data with the DfE through statutory data "
    "collections such as the school census and early years census. This underpins school "
    "funding and educational attainment policy and monitoring.",
    "law": "Regulation 5 of the Education (Information About Individual Pupils) (England) "
    "Regulations 2013; Education Act 1996 s.537A.",
    "links": [
        ("Data collection and censuses for schools",
         "https://www.gov.uk/education/data-collection-and-censuses-for-schools"),
    ],
}  # fmt: skip

_NPD_ENGLAND: Recipient = {
    "name": "The National Pupil Database (NPD)",
    "paragraphs": [
        "The NPD is owned and managed by the Department for Education and holds information "
        "about pupils in schools in England. It provides evidence on educational performance "
        "for independent research and for studies commissioned by the DfE. Some of the "
        "information we give the DfE in statutory collections is stored in the NPD.",
        "The DfE may share information from the NPD with third parties who promote the "
        "education or well-being of children in England by conducting research or analysis, "
        "producing statistics, or providing information, advice or guidance. Every request is "
        "assessed: who is asking, why, how sensitive the data is and how it will be stored and "
        "handled. Organisations given access must meet strict terms on confidentiality, "
        "security, retention and use.",
        "You can ask the DfE what data it holds about you or your child by making a subject "
        "access request to the DfE.",
    ],
    "links": [
        ("How the DfE collects and shares research data",
         "https://www.gov.uk/data-protection-how-we-collect-and-share-research-data"),
        ("Who the DfE has provided pupil information to",
         "https://www.gov.uk/government/publications/national-pupil-database-requests-received"),
        ("Contact the DfE", "https://www.gov.uk/contact-dfe"),
    ],
}  # fmt: skip

_YOUTH_SUPPORT: Recipient = {
    "name": "Youth support services (pupils aged 13 and over)",
    "paragraphs": [
        "Once a pupil reaches 13 we also pass their information to the local authority and/or "
        "the provider of youth support services, because they have responsibilities for the "
        "education and training of 13 to 19 year olds under section 507B of the Education Act "
        "1996. This lets them provide youth support services and careers advice.",
        "A parent or carer can ask that only the pupil's name, address and date of birth is "
        "passed on, by telling the school. This right passes to the pupil at 16.",
    ],
}

_WG_PUPILS: Recipient = {
    "name": "Welsh Government",
    "why": "The law requires schools to share pupil data with the Welsh Government through "
    "statutory data collections such as the Pupil Level Annual School Census (PLASC) and the "
    "early years census. This underpins school funding and educational attainment policy and "
    "monitoring. We also share pupil data with our local authority and the regional education "
    "consortium.",
    "law": "Education Act 1996 s.537A; the Education (Information About Individual Pupils) "
    "(Wales) Regulations.",
    "links": [
        ("How the Welsh Government uses pupil data",
         "https://gov.wales/data-management-information-privacy-notice"),
        ("Data collection requirements for schools",
         "https://gov.wales/data-collection-and-information-management-for-schools"),
    ],
}  # fmt: skip

_NPD_WALES: Recipient = {
    "name": "The National Pupil Database for Wales",
    "paragraphs": [
        "The NPD for Wales is owned and managed by the Welsh Government and holds information "
        "about pupils in schools in Wales. It is held electronically for statistical purposes "
        "and provides evidence on educational performance for independent research and for "
        "studies commissioned by the Welsh Government. Some of the information we give in "
        "statutory collections is stored in it.",
    ],
    "links": [("Education statistics for Wales", "https://gov.wales/statistics-and-research")],
}

_DFE_WORKFORCE: Recipient = {
    "name": "Department for Education (DfE)",
    "why": "The law requires schools to share information about their workforce with the DfE "
    "through the school workforce census. It informs policy on pay, teacher supply and the "
    "monitoring of the workforce.",
    "law": "The Education (Supply of Information about the School Workforce) (England) "
    "Regulations 2007.",
    "links": [],
}

_WG_WORKFORCE: Recipient = {
    "name": "Welsh Government",
    "why": "The law requires schools in Wales to share information about their workforce with "
    "the Welsh Government through the School Workforce Annual Census (SWAC).",
    "law": "",
    "links": [],
}

RIGHTS: list[dict[str, str]] = [
    {"name": "Access", "text": "You can ask for a copy of the information we hold about you "
     "(a subject access request). We must normally reply within one month. We cannot show "
     "parts that contain confidential information about other people, or that a professional "
     "thinks would cause serious harm, or that would stop us preventing or detecting a crime."},
    {"name": "Rectification", "text": "You can ask us to correct information you think is "
     "wrong. We will correct factual mistakes and may note your comments if we disagree."},
    {"name": "Erasure", "text": "In some circumstances you can ask us to delete information, "
     "for example when it is no longer needed or you withdraw consent. We cannot delete what "
     "the law requires us to keep."},
    {"name": "Restriction", "text": "You can ask us to limit how we use information while an "
     "inaccuracy or objection is looked into."},
    {"name": "Objection", "text": "You can object to our use of information based on our "
     "public task or legitimate interests, and to direct marketing at any time."},
    {"name": "Data portability", "text": "Where we use information with your consent or under "
     "a contract, by automated means, you can ask for it in a commonly used format. This rarely "
     "applies to schools."},
    {"name": "Automated decisions and profiling", "text": "You can ask for any decision made "
     "about you by a computer alone to be explained and reviewed by a person. We do not make "
     "such decisions without telling you."},
]  # fmt: skip

CONSENT_RIGHT = {
    "name": "Withdrawing consent",
    "text": "Where we rely on your consent you can withdraw it at any time by contacting the "
    "school. This does not affect what we did before you withdrew it.",
}

PARENT_RECORD_RIGHT = {
    "name": "Your child's educational record",
    "text": "Parents also have a separate right to see their child's educational record, "
    "including any special educational needs information.",
}


def statutory_recipients(*, nation: str, audience: str, phase: str) -> list[dict[str, Any]]:
    """Return the government bodies and statutory sharing this school must describe."""
    if audience == "workforce":
        return [_DFE_WORKFORCE if nation == "england" else _WG_WORKFORCE]
    if nation == "wales":
        return [_WG_PUPILS, _NPD_WALES]
    recipients = [_DFE_PUPILS, _NPD_ENGLAND]
    if phase in {"secondary", "all_through", "middle", "special", "alternative"}:
        recipients.append(_YOUTH_SUPPORT)
    return recipients
