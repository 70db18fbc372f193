"""The legal and data vocabulary of the demo world: lawful bases, data objects, retention.

Data objects, their fields and the bases are those of the ICT Development Service's privacy
notice and data sharing agreement (seeds 000 and 001); the catalogue of bases is complete so
staff can describe any flow.
"""

ART6 = "art6"
ART9 = "art9"
SCH1 = "dpa_sch1"

# (kind, code, title, plain text)
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
     "We need this sensitive information to meet our obligations under employment, social "
     "security or social protection law, including the protection of children."),
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
     "The Data Protection Act 2018 condition that goes with Art 9(2)(b)."),
    (SCH1, "DPA 2018 Sch 1 Pt 1 para 2", "Health or social care purposes",
     "The Data Protection Act 2018 condition that goes with Art 9(2)(h)."),
    (SCH1, "DPA 2018 Sch 1 Pt 2 para 6", "Statutory and government purposes",
     "Needed to carry out a function given by law, such as the local authority's "
     "education duties."),
    (SCH1, "DPA 2018 Sch 1 Pt 2 para 8", "Equality of opportunity or treatment",
     "Used to check and promote equality of opportunity, for example ethnicity monitoring."),
    (SCH1, "DPA 2018 Sch 1 Pt 2 para 18", "Safeguarding of children and individuals at risk",
     "Needed to protect a child or an adult at risk from neglect or harm."),
]  # fmt: skip

# Special category objects: the seeds' Art 9 condition and the DPA condition it requires.
SPECIAL = {"art9": "Art 9(2)(b)", "dpa": "DPA 2018 Sch 1 Pt 1 para 1"}

# (SIF name, subject, title, fields in plain words, special category note or "")
DATA_OBJECTS = [
    ("LearnerPersonal", "pupil", "Pupil personal details",
     "Full name (legal and chosen), date of birth, gender, home address including postcode and "
     "telephone number, ethnicity and first language.", "ethnicity (racial or ethnic origin)"),
    ("LearnerAttendance", "pupil", "Attendance marks",
     "The attendance mark for each morning and afternoon session, and the reason for any absence.",
     ""),
    ("LearnerAttendanceSummary", "pupil", "Attendance summary",
     "Totals of sessions attended and missed over a period, by type of absence.", ""),
    ("LearnerContact", "contact", "Pupil's contacts",
     "Who each pupil's parents and carers are, their relationship to the pupil, the order to "
     "contact them in and whether they have parental responsibility.", ""),
    ("ContactPersonal", "contact", "Parent and carer details",
     "Full name, home address including postcode, and gender.", ""),
    ("LearnerExclusion", "pupil", "Suspensions and exclusions",
     "Dates, length, type and reason of any suspension or permanent exclusion.", ""),
    ("LearnerSpecialNeeds", "pupil", "Special educational needs",
     "Special educational needs status, the type of need, the support in place (SEN support "
     "or an education, health and care plan) and review dates.",
     "health and special educational needs"),
    ("LearnerSchoolEnrolment", "pupil", "School enrolment",
     "When the pupil joined and left the school, their year and registration group, and "
     "their enrolment status: this is how new starters and leavers are seen.", ""),
    ("SchoolGroup", "pupil", "Classes and groups",
     "The school's classes and groups: their names and the staff who lead them.", ""),
    ("SchoolGroupType", "pupil", "Types of group",
     "The kinds of group the school uses, such as class, year group, house or teaching set.", ""),
    ("LearnerGroupEnrolment", "pupil", "Group memberships",
     "Which classes and groups each pupil belongs to, and since when.", ""),
    ("LearnerEntitlement", "pupil", "Entitlements",
     "Entitlements the pupil has, such as free school meals and pupil premium.", ""),
    ("LearnerEmail", "pupil", "Pupil email and sign-in",
     "The pupil's school email address, display name and network sign-in name.", ""),
    ("WorkforcePersonal", "workforce", "Staff personal details",
     "Full name, date of birth, gender and National Insurance number.", ""),
    ("WorkforceAssignment", "workforce", "Staff roles",
     "The posts and roles a member of staff holds at the school and the groups they teach "
     "or lead.", ""),
    ("WorkforceContract", "workforce", "Staff contracts and absence",
     "Contract type, start and end dates, hours and post, and absence recorded against the "
     "contract.", ""),
    ("ComputerIPAddress", "workforce", "Computer network addresses",
     "The network (IP) addresses of school computers, which can link activity to the person "
     "signed in.", ""),
    ("WorkforceEmail", "workforce", "Staff email and sign-in",
     "The staff member's school email address, display name and network sign-in name.", ""),
]  # fmt: skip

SUBSCRIPTION = "Duration of the subscription contract"
UNTIL_LEAVES = "Until the person leaves the school"
BACKUP = "Rolling backup, 60 days"
COUNCIL_SCHEDULE = "Council records retention schedule"
WORK_COMPLETE = "Until the contracted work is complete"

# (name, period value, period unit, event, description, end action)
RETENTION_RULES = [
    (SUBSCRIPTION, None, "", "the school's subscription contract ends",
     "Kept for the duration of the school's subscription contract, usually 12 months, then "
     "securely deleted.", "delete"),
    (UNTIL_LEAVES, None, "", "the pupil or member of staff leaves the school",
     "Accounts in the Enterprise directory (AD) are kept until the pupil or member of staff "
     "leaves the school, then deleted.", "delete"),
    (BACKUP, 60, "days", "",
     "Backed up every day; each backup is kept for a maximum of 60 days.", "delete"),
    (COUNCIL_SCHEDULE, None, "", "the period in the council's records retention schedule ends",
     "Kept by the council service only as long as its records retention schedule requires, "
     "then reviewed and securely destroyed.", "review"),
    (WORK_COMPLETE, None, "", "the procurement or installation work is complete",
     "Kept only until the ordered work is complete, then deleted.", "delete"),
]  # fmt: skip
