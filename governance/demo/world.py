"""Warwickshire County Council's ICT Development Service (seeds 000, 001, 004): its partner
services and their officers, the offerings schools buy, its demo schools and its flows. Its
suppliers are in ``suppliers``."""

import datetime
from typing import Any

from governance.demo.catalogue import (
    BACKUP,
    COUNCIL_SCHEDULE,
    SAFEGUARDING,
    SUBSCRIPTION,
    UNTIL_LEAVES,
    WORK_COMPLETE,
)

AUTHORITY = {
    "name": "Warwickshire County Council",
    "service_name": "ICT Development Service",
    "address": "Shire Hall\nMarket Place\nWarwick",
    "phone": "01926 414100",
    "email": "ictdsservicedesk@warwickshire.gov.uk",
    "website": "https://www.warwickshire.gov.uk",
    "privacy_notice_url": "https://www-int.warwickshire.gov.uk/customer-privacy-notice",
    "kind": "local_authority",
    "la_codes": "937",  # GIAS rows of LA 937 (Warwickshire) come here
    # Seed 001, "Security and Data Management"; seed 000, "How long do we hold the data?".
    "security_measures": "\n".join([
        "Access to personal data is controlled through formal protocols and agreements, and "
        "only the minimum necessary for the purpose is shared.",
        "All data is held on secure servers, with access restricted to internal use by "
        "appropriate members of staff.",
        "Premises are protected when unattended, and systems by IT security such as passwords "
        "and secure IDs.",
        "All data exchange and storage adheres to the data security standard ISO 17799.",
    ]),
    "retention_schedule_summary": "Retention periods vary depending on the service and the "
    "contract. Most pupil and staff data is held in our secure SQL database for the duration "
    "of the school's subscription contract, usually 12 months. Accounts in our Enterprise "
    "directory (AD) are kept until the pupil or member of staff leaves the school.",
}  # fmt: skip


# name: (short name, purpose, statutory gateway, agreement party, [(officer, position, email)])
PARTNERS = {
    "ICT Development Service": (
        "ICTDS",
        "Runs the nightly exchange of school data and provides the schools' contracted ICT "
        "services: email and sign-in accounts, learning platforms, backup and support.",
        "Contracts with each school; Local Government Act 1972 s.111.",
        True,
        [("Simon Edwards", "ICT Service Manager", "simonedwards@warwickshire.gov.uk")],
    ),
    "Specialist Teaching Service": (
        "STS",
        "Supports the learning and welfare of pupils with special educational needs and "
        "disabilities.",
        "Children and Families Act 2014, Part 3.",
        True,
        [("Pat Tate", "Service Manager – Vulnerable Learners", "pattate@warwickshire.gov.uk")],
    ),
    "Attendance, Compliance and Enforcement": (
        "ACE",
        "Monitors school attendance and exclusions and acts when a child is not attending.",
        "Education Act 1996 ss.437–447 (school attendance).",
        True,
        [("Pat Tate", "Service Manager – Vulnerable Learners", "pattate@warwickshire.gov.uk")],
    ),
    "Children Missing Education": (
        "CME",
        "Identifies children missing education from schools' new starters and leavers.",
        "Education Act 1996 s.436A; Education (Pupil Registration) (England) Regulations 2006.",
        True,
        [("Annette Firman", "Lead Professional – Vulnerable Groups",
          "annettefirman@warwickshire.gov.uk")],
    ),
    "Priority Families": (
        "",
        "Identifies families who need early help and coordinates support for them.",
        "Children Act 2004 s.10 (co-operation to improve well-being).",
        True,
        [("Nick Gower-Johnson", "Service Manager", "nickgower-johnson@warwickshire.gov.uk")],
    ),
    "Admissions Service": (
        "",
        "Plans school places and manages admissions and in-year transfers.",
        "School Standards and Framework Act 1998, Part 3; School Admissions Code.",
        True,
        [("John Edwards", "Service Manager - School Organisation & Planning",
          "johnedwards@warwickshire.gov.uk")],
    ),
    "HR & Payroll": (
        "",
        "Provides HR and payroll services to schools, using staff absence data.",
        "Employment contracts; Education Act 2002 (school staffing).",
        True,
        [("Felicity Davies", "Service Manager", "felicitydavies@warwickshire.gov.uk")],
    ),
    "Warwickshire Youth Justice Service": (
        "WYJS",
        "Works with young people in, or at risk of entering, the youth justice system, to keep "
        "them in education and away from offending.",
        "Crime and Disorder Act 1998 ss.39 and 115.",
        True,
        [("Lesley Tregear", "Service Manager", "lesleytregear@warwickshire.gov.uk")],
    ),
    "Corporate ICT": (
        "",
        "Runs the council's Supportworks service desk, which holds staff contact details to "
        "log and answer schools' support calls.",
        "",
        False,
        [],
    ),
}  # fmt: skip

OFFERINGS = {
    "WeLearn365": "A customised Office 365 with email for pupils, staff and governors, a "
    "SharePoint school site, Microsoft apps and learning resources (Purple Mash, J2E), with one "
    "sign-in shared with the Warwickshire Curriculum Network.",
    "Full Server Support Cover": "Support for the school's server, including daily remote backup "
    "of documents and SIMS data with Redstor Backup Plus.",
    "Digital Safeguarding": "Centrally managed monitoring of activity on the school's Windows PCs.",
    "Broadband": "The school's broadband connection, with Smoothwall web filtering included.",
    "SIMS Support": "Support for the school's SIMS MIS, escalating calls to the supplier.",
    "Procurement and Installation": "Buying and installing ICT and audio-visual equipment "
    "through approved suppliers.",
}

_START = datetime.date(2025, 9, 1)

SCHOOLS: list[dict[str, Any]] = [
    {
        "urn": "999101", "dfe_number": "937/9101", "name": "Avon Meadow Primary School",
        "phase": "primary", "school_type": "maintained", "nation": "england", "mis": "sims",
        "address": "Meadow Lane\nStratford-upon-Avon", "postcode": "CV37 9ZZ",
        "phone": "01789 000101", "email": "office@avonmeadow.example.org",
        "website": "https://avonmeadow.example.org", "headteacher": "Mrs R. Patel",
        "dpo_name": "Schools Data Protection Officer Service",
        "dpo_email": "dpo@schools-dpo.example.org", "dpo_phone": "01926 000900",
        "dp_lead_name": "Mr T. Hughes", "dp_lead_email": "thughes@avonmeadow.example.org",
        "subscriptions": [
            ("WeLearn365", _START, None), ("Full Server Support Cover", _START, None),
            ("Digital Safeguarding", _START, None), ("Broadband", _START, None),
            ("SIMS Support", datetime.date(2024, 9, 1), datetime.date(2025, 8, 31)),
        ],
    },
    {
        "urn": "999102", "dfe_number": "937/9102", "name": "Arden Heath Academy",
        "phase": "secondary", "school_type": "trust_member", "nation": "england", "mis": "sims",
        "trust_name": "Forest of Arden Learning Trust",
        "address": "Heath Road\nColeshill", "postcode": "B46 9ZZ",
        "phone": "01675 000102", "email": "enquiries@ardenheath.example.org",
        "website": "https://ardenheath.example.org", "headteacher": "Mr D. Okafor",
        "dpo_name": "Ms L. Grant (Trust DPO)", "dpo_email": "dpo@ardentrust.example.org",
        "dp_lead_name": "Mrs S. Moore", "dp_lead_email": "smoore@ardenheath.example.org",
        "subscriptions": [
            ("WeLearn365", _START, None), ("Broadband", _START, None),
            ("SIMS Support", _START, None), ("Procurement and Installation", _START, None),
        ],
    },
    {
        "urn": "999104", "dfe_number": "937/9104", "name": "Stour Valley CofE Primary School",
        "phase": "primary", "school_type": "maintained", "nation": "england", "mis": "arbor",
        "address": "Church Street\nShipston-on-Stour", "postcode": "CV36 9ZZ",
        "phone": "01608 000104", "headteacher": "Rev. A. Clarke",
        "subscriptions": [],
    },
]  # fmt: skip

FLOW_OBJECTS_ALL = "__all__"
_PUPIL_CORE = ["LearnerPersonal", "LearnerSchoolEnrolment"]
_CONTACTS = ["LearnerContact", "ContactPersonal"]
_XPORTER = "SIF via Groupcall Xporter, overnight"
_BC = ["Art 6(1)(b)", "Art 6(1)(e)"]

# (offering or None, recipient kind, recipient, purpose, objects, bases, frequency, transport,
#  retention)
FLOWS = [
    (None, "partner", "ICT Development Service",
     "Collect school MIS data centrally to deliver the school's contracted services and support "
     "the local authority's work for children", FLOW_OBJECTS_ALL, _BC, "daily", _XPORTER,
     SUBSCRIPTION),
    (None, "partner", "ICT Development Service",
     "Create and maintain pupil and staff accounts in the Enterprise directory (AD) for "
     "sign-in and email",
     ["LearnerEmail", "LearnerSchoolEnrolment", "LearnerGroupEnrolment", "WorkforceEmail",
      "WorkforceAssignment"], _BC, "daily", _XPORTER, UNTIL_LEAVES),
    (None, "processor", "Groupcall",
     "Extract data from the school MIS (Xporter) and store it in a secure SQL database (XVault)",
     FLOW_OBJECTS_ALL, _BC, "daily", _XPORTER, SUBSCRIPTION),
    (None, "partner", "Children Missing Education",
     "Identify children missing education from new starters and leavers",
     [*_PUPIL_CORE, *_CONTACTS], ["Art 6(1)(e)"], "weekly", _XPORTER, COUNCIL_SCHEDULE),
    (None, "partner", "Specialist Teaching Service",
     "Support pupils with special educational needs and disabilities",
     [*_PUPIL_CORE, "LearnerSpecialNeeds"], ["Art 6(1)(e)"], "weekly", _XPORTER,
     COUNCIL_SCHEDULE),
    (None, "partner", "Attendance, Compliance and Enforcement",
     "Monitor attendance and exclusions and act when a child is not attending school",
     [*_PUPIL_CORE, *_CONTACTS, "LearnerAttendance", "LearnerAttendanceSummary",
      "LearnerExclusion"], ["Art 6(1)(e)"], "weekly", _XPORTER, COUNCIL_SCHEDULE),
    (None, "partner", "Priority Families",
     "Identify families who need early help and coordinate support",
     [*_PUPIL_CORE, *_CONTACTS, "LearnerAttendanceSummary", "LearnerExclusion"],
     ["Art 6(1)(e)", SAFEGUARDING], "weekly", _XPORTER, COUNCIL_SCHEDULE),
    (None, "partner", "Admissions Service",
     "Plan school places and manage admissions and in-year transfers",
     [*_PUPIL_CORE, *_CONTACTS], ["Art 6(1)(e)"], "weekly", _XPORTER, COUNCIL_SCHEDULE),
    (None, "partner", "Warwickshire Youth Justice Service",
     "Support young people in, or at risk of entering, the youth justice system",
     [*_PUPIL_CORE, "LearnerAttendanceSummary", "LearnerExclusion"],
     ["Art 6(1)(e)", SAFEGUARDING], "weekly", _XPORTER, COUNCIL_SCHEDULE),
    (None, "partner", "HR & Payroll",
     "Provide HR and payroll services using staff absence data",
     ["WorkforcePersonal", "WorkforceContract", "WorkforceAssignment"], _BC, "weekly", _XPORTER,
     COUNCIL_SCHEDULE),
    (None, "partner", "Corporate ICT",
     "Hold staff contact details in the Supportworks service desk to answer support calls",
     ["WorkforceEmail"], ["Art 6(1)(b)"], "daily", _XPORTER, SUBSCRIPTION),
    ("WeLearn365", "processor", "Microsoft",
     "Provide Office 365 email, a SharePoint school site and Microsoft apps (WeLearn365)",
     ["LearnerEmail", "LearnerGroupEnrolment", "SchoolGroup", "SchoolGroupType", "WorkforceEmail",
      "WorkforceAssignment"], _BC, "daily", "Groupcall IDaaS account provisioning",
     SUBSCRIPTION),
    ("WeLearn365", "processor", "Groupcall",
     "Create secure single sign-on WeLearn accounts (IDaaS)",
     ["LearnerEmail", "LearnerSchoolEnrolment", "WorkforceEmail", "WorkforceAssignment"], _BC,
     "daily", _XPORTER, SUBSCRIPTION),
    ("WeLearn365", "processor", "2Simple",
     "Give pupils Purple Mash learning resources through the WeLearn portal",
     ["LearnerEmail", "LearnerGroupEnrolment"], _BC, "daily", "Single sign-on from WeLearn",
     SUBSCRIPTION),
    ("WeLearn365", "processor", "Just2Easy",
     "Give pupils J2E learning tools through the WeLearn portal",
     ["LearnerEmail", "LearnerGroupEnrolment"], _BC, "daily", "Single sign-on from WeLearn",
     SUBSCRIPTION),
    ("Full Server Support Cover", "processor", "Redstor",
     "Back up the school's file server, documents and SIMS data off site",
     FLOW_OBJECTS_ALL, _BC, "daily", "Redstor Backup Plus, encrypted remote backup",
     BACKUP),
    ("Digital Safeguarding", "processor", "Future Digital",
     "Monitor activity on the school's Windows PCs to keep pupils safe online",
     ["LearnerEmail", "LearnerGroupEnrolment", "WorkforceEmail", "ComputerIPAddress"],
     ["Art 6(1)(e)"], "continuous", "Monitoring software on school PCs", SUBSCRIPTION),
    # Smoothwall has no access to personal data (seed 004): the ICT Development Service
    # configures the filter and holds what it logs.
    ("Broadband", "partner", "ICT Development Service",
     "Filter web access with the Smoothwall web filter and log the pages users visit, the words "
     "they search for and blocked attempts against the user name",
     ["LearnerEmail", "LearnerGroupEnrolment", "WorkforceEmail", "ComputerIPAddress"],
     ["Art 6(1)(e)"], "continuous", "Smoothwall filter on the school's broadband", SUBSCRIPTION),
    ("SIMS Support", "processor", "Capita SIMS",
     "Escalate the school's SIMS support calls to the supplier",
     ["WorkforceEmail"], ["Art 6(1)(b)"], "on_request", "Service desk call escalation",
     SUBSCRIPTION),
    *[
        ("Procurement and Installation", "processor", supplier,
         f"Arrange {work} with the school's named staff contact", ["WorkforceEmail"],
         ["Art 6(1)(b)"], "on_request", "Email from the ICT Development Service", WORK_COMPLETE)
        for supplier, work in [
            ("CDEC", "audio-visual installation"), ("Stone", "delivery of laptops and PCs"),
            ("J&B Electrical", "electrical installation"),
            ("Khipu Wireless", "wireless network installation"),
        ]
    ],
]  # fmt: skip

# Flows an earlier demo loaded that the registry no longer allows; the loader deletes them.
# (offering, supplier, purpose)
RETIRED_FLOWS = [
    ("Broadband", "Smoothwall",
     "Filter web access and log blocked attempts against the user name"),
]  # fmt: skip


# What the schools themselves use information for (their own register, kept with the
# service): the Department for Education's model privacy notice wording, which seeds 002 and
# 003 follow. (description, audience, lawful bases, SIF objects used, laws)
_CENSUS_LAWS = [
    "Education Act 1996 s.537A",
    "Education (Information About Individual Pupils) (England) Regulations 2013",
]
_WORKFORCE_CENSUS = (
    "Education (Supply of Information about the School Workforce) (England) Regulations 2007"
)
PURPOSES = [
    ("to support pupils' learning", "pupils", ["Art 6(1)(e)"],
     ["LearnerPersonal", "LearnerSpecialNeeds", "LearnerGroupEnrolment", "LearnerEmail"], []),
    ("to monitor and report on pupils' attendance and progress", "pupils", ["Art 6(1)(e)"],
     ["LearnerAttendance", "LearnerAttendanceSummary", "LearnerSchoolEnrolment"], []),
    ("to provide pastoral care and keep pupils safe", "pupils", ["Art 6(1)(e)"],
     ["LearnerPersonal", "LearnerContact", "ContactPersonal", "LearnerSpecialNeeds",
      "LearnerExclusion"], []),
    ("to provide the school's services, such as email accounts and learning platforms",
     "pupils", ["Art 6(1)(b)", "Art 6(1)(e)"], ["LearnerEmail", "LearnerGroupEnrolment"], []),
    ("to meet the statutory duties placed on us for Department for Education data collections",
     "pupils", ["Art 6(1)(c)"],
     ["LearnerPersonal", "LearnerAttendanceSummary", "LearnerExclusion", "LearnerSpecialNeeds",
      "LearnerEntitlement"], _CENSUS_LAWS),
    ("to employ staff, pay them and manage their contracts", "workforce", ["Art 6(1)(b)"],
     ["WorkforcePersonal", "WorkforceContract", "WorkforceAssignment"], []),
    ("to provide staff with email, sign-in and the school's systems", "workforce",
     ["Art 6(1)(b)", "Art 6(1)(e)"], ["WorkforceEmail", "ComputerIPAddress"], []),
    ("to meet the statutory duties placed on us for the school workforce census", "workforce",
     ["Art 6(1)(c)"], ["WorkforcePersonal", "WorkforceContract", "WorkforceAssignment"],
     [_WORKFORCE_CENSUS]),
]  # fmt: skip
