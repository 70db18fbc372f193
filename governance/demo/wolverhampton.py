"""The University of Wolverhampton Multi Academy Trust and one of its academies: an English
academy's student privacy notice (seed 003) as registry records.

The trust is the controller for its academies and the notice is its template (“contact the
Headteacher at your school”), so its categories, purposes, systems and recipients are the
trust's defaults; the Reception Baseline (a primary school's) and the suppliers the notice
does not name are the academy's own. Nothing Welsh; no youth support services (a primary
school: the default by phase leaves them out).

Invented (the seed does not give them): the academy's name, URN, DfE number, address,
headteacher and the example.org contact details.
"""

from governance.demo.specs import (
    BODY,
    NATIONAL,
    SUPPLIER,
    Body,
    Category,
    Flow,
    Organisation,
    Purpose,
    Supplier,
    System,
)

LEGAL, VITAL, PUBLIC = "Art 6(1)(c)", "Art 6(1)(d)", "Art 6(1)(e)"
SUBSTANTIAL = "Art 9(2)(g)"
STATUTORY = "DPA 2018 Sch 1 Pt 2 para 6"
SAFEGUARDING = "DPA 2018 Sch 1 Pt 2 para 18"
EDUCATION_ACT = "Education Act 1996"
CENSUS_REGULATIONS = "Education (Information About Individual Pupils) (England) Regulations 2013"

TRUST = "University of Wolverhampton Multi Academy Trust"
OAKFIELD = "999201"
EDUCATIONAL_SOFTWARE = "Educational software providers"
LIBRARY_SOFTWARE = "Library software provider"

ORGANISATION = {
    "name": TRUST,
    "kind": "trust",
    "service_name": "Trust central team",
    "address": "Trust central office\nWolverhampton",
    "email": "info@uowmat.example.org",
    "website": "https://uowmat.example.org",
    "retention_schedule_summary": "We hold students' and staff's information in accordance with "
    "the Information Commissioner's guidance on data retention.",
}

SCHOOLS = [
    {
        "urn": OAKFIELD, "dfe_number": "336/2201", "name": "Oakfield Vale Primary Academy",
        "phase": "primary", "school_type": "trust_member", "trust_name": TRUST,
        "nation": "england", "mis": "bromcom", "learner_term": "students",
        "address": "Oakfield Lane\nWolverhampton", "postcode": "WV10 9ZZ",
        "phone": "01902 000201", "email": "office@oakfieldvale.example.org",
        "website": "https://oakfieldvale.example.org", "headteacher": "Mrs K. Bains",
        "dp_lead_name": "Mrs K. Bains, Headteacher",
        "dp_lead_email": "head@oakfieldvale.example.org",
    },
]  # fmt: skip

CATEGORIES = [
    Category("personal", "pupil", "Personal information",
             "Such as name, unique student number, address and photograph."),
    Category("characteristics", "pupil", "Characteristics",
             "Such as ethnicity, language, nationality, country of birth and free school meal "
             "eligibility.", special="ethnicity (racial or ethnic origin)", art9=SUBSTANTIAL,
             dpa=STATUTORY),
    Category("attendance", "pupil", "Attendance information",
             "Such as sessions attended, number of absences and absence reasons."),
    Category("medical", "pupil", "Medical information",
             "Through an Individual Healthcare Plan: such as name, address, medical "
             "diagnosis or condition, family contact information, doctor, hospital contact "
             "information, a description of medication and the support needed.",
             special="health", art9=SUBSTANTIAL, dpa=SAFEGUARDING),
    Category("sen", "pupil", "Special Educational Needs information",
             "Through an EHCP (Education, Health and Care Plan), a legal document that "
             "describes a child or young person's special educational, health and social care "
             "needs.", special="health and special educational needs", art9=SUBSTANTIAL,
             dpa=STATUTORY),
    Category("safeguarding", "pupil", "Safeguarding and behaviour information",
             "Safeguarding concerns and records, and behaviour."),
    Category("trips", "pupil", "School trip information", "What is needed for school trips."),
    Category("accidents", "pupil", "Accidents and health and safety",
             "Records of accidents, for managing health and safety."),
    Category("assessment", "pupil", "Exam and progress assessment information",
             "Exam results and progress assessments."),
    Category("software", "pupil", "Educational software accounts",
             "What is needed to provide educational software in support of teaching and "
             "learning."),
    Category("meals", "pupil", "School meals",
             "What is needed to provide the student with a school meal."),
    Category("library", "pupil", "Library", "Library software records, so we can share "
             "resources with the students."),
]  # fmt: skip

# Whether providing each is statutory, required by the school or voluntary (seed 003: census
# items are statutory), and where it comes from when not from the family.
_PROVENANCE = {
    "personal": ("statutory", "parents and carers, and the student's previous school"),
    "characteristics": ("mixed", ""),
    "attendance": ("statutory", "recorded by the school"),
    "medical": ("required", "parents and carers, and health professionals"),
    "sen": (
        "statutory",
        "parents and carers, the local authority, and health and education professionals",
    ),
    "safeguarding": ("required", "recorded by the school; other agencies"),
    "trips": ("required", ""),
    "accidents": ("required", "recorded by the school"),
    "assessment": ("statutory", "recorded by the school"),
    "software": ("required", "created by the school"),
    "meals": ("required", ""),
    "library": ("required", "recorded by the school"),
}
CATEGORIES = [
    c._replace(obligation=_PROVENANCE[c.key][0], source=_PROVENANCE[c.key][1]) for c in CATEGORIES
]

_CENSUS = ("personal", "characteristics", "attendance", "sen")

PURPOSES = [
    Purpose("to support student learning", (PUBLIC,),
            ("personal", "characteristics", "sen", "assessment", "software", "library")),
    Purpose("to monitor and report on student progress", (PUBLIC,), ("assessment", "attendance")),
    Purpose("to provide appropriate pastoral care", (PUBLIC, VITAL),
            ("personal", "medical", "sen", "safeguarding", "trips", "accidents", "meals")),
    Purpose("to assess the quality of our services", (PUBLIC,), ("assessment", "attendance")),
    Purpose("to comply with the law regarding data sharing", (LEGAL,), (*_CENSUS, "assessment"),
            laws=(EDUCATION_ACT, CENSUS_REGULATIONS)),
    Purpose("to meet our statutory obligations and audit requirements", (LEGAL,),
            (*_CENSUS, "meals"), laws=(EDUCATION_ACT,)),
]  # fmt: skip

SUPPLIERS = [
    Supplier(EDUCATIONAL_SOFTWARE, "The educational software the school uses in support of "
             "teaching and learning (the notice does not name each provider).",
             school=OAKFIELD),
    Supplier(LIBRARY_SOFTWARE, "The library software the school uses to share resources "
             "with students (the notice does not name the provider).", school=OAKFIELD),
]  # fmt: skip

SYSTEMS = [
    System("Bromcom", "mis", "Our school information management system", "Bromcom",
           ("personal", "characteristics", "attendance", "medical", "sen", "assessment",
            "meals")),
    System("Crest Education Safety Services", "other", "Education safety services",
           "Crest Education Safety Services"),
    System("HCSS", "finance", "The trust's finance and budgeting system", "HCSS"),
    System("ParentPay", "payments", "Parent communication and payment systems", "ParentPay"),
    System("MyConcern", "safeguarding", "Safeguarding and behaviour management system",
           "MyConcern", ("safeguarding",)),
    System("Educational software", "learning", "In support of teaching and learning",
           EDUCATIONAL_SOFTWARE, ("software",), school=OAKFIELD),
    System("Egress Switch", "email", "Encrypted secure file transfer within Microsoft Outlook",
           "Egress"),
    System("Microsoft Outlook", "email", "Email communication system", "Microsoft"),
    System("Microsoft OneDrive", "storage", "File storage", "Microsoft"),
    System("Google Docs", "storage", "Online documents", "Google"),
    System("Library software", "learning", "To enable resources to be shared with students",
           LIBRARY_SOFTWARE, ("library",), school=OAKFIELD),
    System("STAT online", "assessment", "Assessment data management and tracking system",
           "STAT Online", ("assessment",)),
    System("SISRA", "assessment", "Assessment data management and tracking system", "SISRA",
           ("assessment",)),
    System("CCTV", "cctv", "CCTV"),
    System("Evolve", "other", "School visit management system", "Evolve", ("trips",)),
    System("Exercise books and pupil work files", "paper",
           "Exercise books and pupil work files and folders", categories=("assessment",)),
    System("Pupil photographs for display", "other", "Pupil photographs for display purposes",
           categories=("personal",)),
    System("Reception Baseline – NFER", "assessment", "The Reception Baseline assessment",
           "NFER", ("personal", "assessment"), school=OAKFIELD),
]  # fmt: skip

BODIES = [
    Body("Schools that a student attends after leaving us", "schools",
         "A student's next school needs their records to continue their education."),
    Body("City of Wolverhampton Council", "public_body",
         "Our local authority, which has duties to the children of Wolverhampton, such as for "
         "special educational needs and school attendance.", reach="england"),
    Body("NFER – Reception Baseline", "controller",
         "The National Foundation for Educational Research runs the Reception Baseline "
         "assessment.", reach="england", school=OAKFIELD),
    Body(f"The schools within the {TRUST}", "schools",
         "The other schools of our trust, with which we share student information."),
    Body("Our auditors", "controller",
         "They audit the trust, as our statutory obligations and audit requirements need."),
]  # fmt: skip

FLOWS = [
    Flow(BODY, "Schools that a student attends after leaving us",
         "Pass the student's records to the school they move to",
         (*_CENSUS, "medical", "safeguarding", "assessment"), (PUBLIC,)),
    Flow(BODY, "City of Wolverhampton Council",
         "Share what our local authority needs for its duties, such as special educational "
         "needs and children missing education", ("personal", "attendance", "sen"),
         (LEGAL, "Children and Families Act 2014",
          "Education (Pupil Registration) (England) Regulations 2006")),
    Flow(NATIONAL, "Department for Education (DfE)",
         "Statutory data collections such as the school census, which underpin school funding "
         "and educational attainment policy and monitoring", (*_CENSUS, "assessment"),
         (LEGAL, EDUCATION_ACT, CENSUS_REGULATIONS), frequency="termly"),
    Flow(BODY, "NFER – Reception Baseline", "Carry out the Reception Baseline assessment",
         ("personal", "assessment"), (PUBLIC,), school=OAKFIELD),
    Flow(BODY, f"The schools within the {TRUST}", "Share student information within the trust",
         ("personal", "attendance", "assessment"), (PUBLIC,)),
    Flow(SUPPLIER, EDUCATIONAL_SOFTWARE,
         "Provide educational software in support of teaching and learning",
         ("personal", "software"), (PUBLIC,), school=OAKFIELD),
    Flow(SUPPLIER, "S4S", "Support us with SIMS", ("personal",), (PUBLIC,)),
    Flow(BODY, "Our auditors", "Meet our statutory obligations and audit requirements",
         ("personal",), (LEGAL,)),
]  # fmt: skip

WOLVERHAMPTON = Organisation(
    fields=ORGANISATION,
    schools=SCHOOLS,
    categories=CATEGORIES,
    purposes=PURPOSES,
    bodies=BODIES,
    suppliers=SUPPLIERS,
    systems=SYSTEMS,
    flows=FLOWS,
)
