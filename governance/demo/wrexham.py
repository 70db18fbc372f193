"""Wrexham County Borough Council and its schools: Victoria CP School's pupil privacy notice
(seed 002) as registry records, and the demo's invented Welsh school, Ysgol Bryn Derw.

The notice is the council's template for its schools (it speaks of “the Council” and WCBC),
so its categories, purposes, lawful bases, security measures, retention schedule and the
public bodies it names are the council's defaults, which every Wrexham school gets; the apps
Victoria names (and its CCTV) are Victoria's own. A Welsh school cites no England-only body or
law. The seed lists its lawful bases without saying which purpose each serves: the mapping
below is our reading, kept to what the words support.

Invented (the seed does not give them): the school numbers, addresses and the example.org
contact details.
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
)

CONSENT, CONTRACT, LEGAL, VITAL, PUBLIC, INTEREST = (f"Art 6(1)({letter})" for letter in "abcdef")
SUBSTANTIAL = "Art 9(2)(g)"
STATUTORY = "DPA 2018 Sch 1 Pt 2 para 6"
SAFEGUARDING = "DPA 2018 Sch 1 Pt 2 para 18"
EDUCATION_ACT = "Education Act 1996"
ALN_ACT = "Additional Learning Needs and Education Tribunal (Wales) Act 2018"

VICTORIA = "6662034"
BRYN_DERW = "6669901"
LOCAL_AUTHORITY = "Wrexham County Borough Council"
_DPO = {"dpo_name": "Schools Data Protection Officer", "dpo_email": "SchoolsDPO@Wrexham.gov.uk"}

ORGANISATION = {
    "name": LOCAL_AUTHORITY,
    "kind": "local_authority",
    "service_name": "Schools Data Protection Officer service",
    "address": "The Guildhall\nWrexham\nLL11 1AY",
    "website": "https://www.wrexham.gov.uk",
    **_DPO,
    "security_measures": "\n".join([
        "Encryption: information is hidden so that it cannot be read without special knowledge "
        "(such as a password), using a secret code called a cypher.",
        "Pseudonymisation: we use a different name so we can hide parts of your personal "
        "information from view, so someone outside the council could work on it without ever "
        "knowing it was yours.",
        "Controlling access to systems and networks, to stop people who are not allowed to "
        "view your personal information from getting access to it.",
        "Training for our staff, so they know how to handle information and how and when to "
        "report when something goes wrong.",
        "Regular testing of our technology and ways of working, including keeping up to date "
        "with the latest security updates (patches).",
    ]),
    "retention_schedule_summary": "There is often a legal reason for keeping your personal "
    "information for a set period of time. For each service, the School Records Retention "
    "Scheme lists how long your information may be kept: from months for some records to "
    "decades for more sensitive records.",
    "retention_schedule_url": "http://www.internal.wrexham.gov.uk/wordpress/sam/"
    "test-schools-intranet/leadership-management/schools-intranet-policies-key-documents/"
    "schools-intranet-guidance-material",
}  # fmt: skip

_WELSH_PRIMARY = {"phase": "primary", "school_type": "maintained", "nation": "wales"}

SCHOOLS = [
    {
        "urn": VICTORIA, "dfe_number": "666/2034", "name": "Victoria CP School",
        **_WELSH_PRIMARY, "address": "School Road\nWrexham", "postcode": "LL13 9ZZ",
        "phone": "01978 000201", "email": "mailbox@victoriacp.example.org",
        **_DPO, "dp_lead_name": "Mrs D Eccles",
    },
    {
        "urn": BRYN_DERW, "dfe_number": "666/9901", "name": "Ysgol Bryn Derw",
        **_WELSH_PRIMARY, "mis": "sims",
        "address": "Ffordd y Bryn\nWrecsam", "postcode": "LL11 9ZZ",
        "phone": "01978 000103", "email": "admin@brynderw.example.org",
        "headteacher": "Mrs C. Jones",
        "dpo_name": "Schools DPO", "dpo_email": "schoolsdpo@wrexham.example.org",
        "dp_lead_name": "Mr G. Roberts", "dp_lead_email": "groberts@brynderw.example.org",
    },
]  # fmt: skip

CATEGORIES = [
    Category("personal", "pupil", "Personal information",
             "Such as name, unique pupil number and address."),
    Category("characteristics", "pupil", "Characteristics",
             "Such as ethnicity, language, nationality, country of birth and free school meal "
             "eligibility.", special="ethnicity (racial or ethnic origin)", art9=SUBSTANTIAL,
             dpa=STATUTORY),
    Category("attendance", "pupil", "Attendance information",
             "Such as sessions attended, number of absences and absence reasons."),
    Category("assessment", "pupil", "Assessment information",
             "Such as grades, forecasts and test results."),
    Category("medical", "pupil", "Medical information", "Such as allergies and medication.",
             special="health", art9=SUBSTANTIAL, dpa=SAFEGUARDING),
    Category("aln", "pupil", "Additional Learning Needs",
             "The pupil's additional learning needs and the support in place for them.",
             special="health and additional learning needs", art9=SUBSTANTIAL, dpa=STATUTORY),
    Category("behaviour", "pupil", "Behaviour information",
             "Positive and negative behaviour, and exclusion information."),
    Category("cctv", "pupil", "CCTV", "Images recorded by the school's CCTV cameras.",
             school=VICTORIA),
    Category("parent", "contact", "Personal information",
             "Parents' and guardians' personal information, such as name and address."),
    Category("relationship", "contact", "Relationship to pupil",
             "How each parent or guardian is related to the pupil."),
]  # fmt: skip

# Whether providing each is statutory, required by the school or voluntary (seed 002: most is
# needed for PLASC; some is voluntary), and where it comes from when not from the family.
_PROVENANCE = {
    "personal": ("statutory", "parents and carers, and the pupil's previous school"),
    "characteristics": ("mixed", ""),
    "attendance": ("statutory", "recorded by the school"),
    "assessment": ("statutory", "recorded by the school"),
    "medical": ("required", "parents and carers, and health professionals"),
    "aln": (
        "statutory",
        "parents and carers, the local authority, and health and education professionals",
    ),
    "behaviour": ("required", "recorded by the school"),
    "cctv": ("required", "recorded by the school's cameras"),
    "parent": ("required", ""),
    "relationship": ("required", ""),
}
CATEGORIES = [
    c._replace(obligation=_PROVENANCE[c.key][0], source=_PROVENANCE[c.key][1]) for c in CATEGORIES
]

_PUPIL_RECORD = ("personal", "characteristics", "attendance", "assessment", "aln", "behaviour")
_PARENTS = ("parent", "relationship")

PURPOSES = [
    Purpose("to support pupil learning", (PUBLIC,),
            ("personal", "characteristics", "assessment", "aln"), laws=(EDUCATION_ACT,)),
    Purpose("to monitor and report on pupil progress", (PUBLIC,), ("assessment", "attendance")),
    Purpose("to provide appropriate pastoral care", (PUBLIC, VITAL),
            ("personal", "medical", "aln", "behaviour", "attendance")),
    Purpose("to assess the quality of our services", (PUBLIC, INTEREST),
            ("assessment", "attendance", "behaviour"),
            interest="Understanding how well our teaching and care work for pupils, so that "
            "we can improve them, in ways pupils and parents would reasonably expect."),
    Purpose("to comply with the law regarding data sharing", (LEGAL,), _PUPIL_RECORD),
    Purpose("to fulfil a contractual obligation", (CONTRACT,)),
    Purpose("to contact you", (PUBLIC,), _PARENTS),
    Purpose("to share information with you", (PUBLIC,), _PARENTS),
    Purpose("for further activities such as fundraising, with your consent, which you can "
            "remove at any time", (CONSENT,), ("parent",)),
]  # fmt: skip

_WALES = "wales"

BODIES = [
    Body("Schools that pupils attend after leaving us", "schools",
         "A pupil's next school needs their records to continue their education."),
    Body(LOCAL_AUTHORITY, "public_body",
         "We are required to share information about our pupils with our local authority.",
         reach=_WALES, website="https://www.wrexham.gov.uk",
         details="For more information about services for young people, please visit our "
         "local authority's website, www.wrexham.gov.uk."),
    Body("School Effectiveness and Improvement Service for North Wales (GwE)", "public_body",
         "The regional education consortium that works with schools in North Wales on school "
         "effectiveness and improvement.", reach=_WALES),
    Body("Social services", "public_body",
         "The local authority's social services, who work with schools to keep children safe "
         "and support families.", reach=_WALES),
]  # fmt: skip

_APPS = [
    ("INCERTS", "Record and track pupils' assessments (INCERTS assessment)",
     ("personal", "assessment")),
    ("Class Dojo", "Share pupils' learning and behaviour with parents (Class Dojo)",
     ("personal", "behaviour", "parent")),
    ("Hwb", "Give pupils accounts on Hwb, the Welsh Government's learning platform",
     ("personal",)),
    ("Seesaw", "Keep pupils' digital learning journals, shared with parents (Seesaw)",
     ("personal", "assessment", "parent")),
    ("Times Tables Rock Stars", "Practise times tables online (TT Rockstars)",
     ("personal", "assessment")),
    ("Cornerstones", "Plan the curriculum with the Cornerstones Maestro curriculum planning tool",
     ("personal", "assessment")),
    ("MyConcern", "Record and manage safeguarding concerns (MyConcern safeguarding tool)",
     ("personal", "medical", "aln", "behaviour", *_PARENTS)),
]  # fmt: skip

FLOWS = [
    Flow(BODY, "Schools that pupils attend after leaving us",
         "Pass the pupil's records to the school they move to",
         (*_PUPIL_RECORD, "medical", *_PARENTS), (PUBLIC,)),
    Flow(BODY, LOCAL_AUTHORITY, "Share the information the law requires with our local authority",
         _PUPIL_RECORD, (LEGAL, EDUCATION_ACT, ALN_ACT)),
    Flow(BODY, "School Effectiveness and Improvement Service for North Wales (GwE)",
         "Support school effectiveness and improvement", ("personal", "attendance", "assessment"),
         (PUBLIC,)),
    Flow(NATIONAL, "Welsh Government",
         "Statutory data collections such as the school census, which underpin school funding "
         "and educational attainment policy and monitoring", _PUPIL_RECORD,
         (LEGAL, "Education Act 1996 s.537A",
          "Education (Information About Individual Pupils) (Wales) Regulations 2007"),
         frequency="annually"),
    Flow(NATIONAL, "NHS school health services", "Organise immunisation programmes",
         ("personal", "parent"), (PUBLIC,),
         description="Only the data the NHS needs to organise immunisation programmes: the "
         "pupil's name, address and date of birth, and details about their parents."),
    Flow(BODY, "Social services", "Keep pupils safe and support their families",
         ("personal", "attendance", "medical", "aln", "behaviour", *_PARENTS),
         (PUBLIC, "Children Act 1989")),
    *[Flow(SUPPLIER, app, purpose, carried, (PUBLIC,), school=VICTORIA)
      for app, purpose, carried in _APPS],
]  # fmt: skip

WREXHAM = Organisation(
    fields=ORGANISATION,
    schools=SCHOOLS,
    categories=CATEGORIES,
    purposes=PURPOSES,
    bodies=BODIES,
    suppliers=[],
    systems=[],
    flows=FLOWS,
)
