"""Warwickshire's data vocabulary: its data categories (SIF objects) and retention rules, from
the ICT Development Service's privacy notice and data sharing agreement (seeds 000 and 001).
The lawful bases are national records (``governance.national``).
"""

# Special category objects: the Art 9 condition and the DPA 2018 condition it requires, by
# whose data it is. The seeds cite Art 9(2)(b) (employment, social security and social
# protection) for everything; that fits staff data only. Pupils' and parents' special category
# data rests, as the ICO's guidance for schools has it, on substantial public interest with
# the statutory purposes condition (the authority's and the school's duties in law).
SPECIAL = {
    "pupil": {"art9": "Art 9(2)(g)", "dpa": "DPA 2018 Sch 1 Pt 2 para 6"},
    "contact": {"art9": "Art 9(2)(g)", "dpa": "DPA 2018 Sch 1 Pt 2 para 6"},
    "workforce": {"art9": "Art 9(2)(b)", "dpa": "DPA 2018 Sch 1 Pt 1 para 1"},
}
SAFEGUARDING = "DPA 2018 Sch 1 Pt 2 para 18"

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
     "contract, including sickness absence.", "health (sickness absence)"),
    ("ComputerIPAddress", "workforce", "Computer network addresses",
     "The network (IP) addresses of school computers, which can link activity to the person "
     "signed in.", ""),
    ("WorkforceEmail", "workforce", "Staff email and sign-in",
     "The staff member's school email address, display name and network sign-in name.", ""),
]  # fmt: skip

# Whether providing each is statutory, required by the school or voluntary, and where it comes
# from when not from the person (seed 000: the census items are statutory; ethnicity and first
# language may be declined).
_SCHOOL = "recorded by the school"
OBLIGATIONS = {
    "LearnerPersonal": ("mixed", "parents and carers, and the pupil's previous school"),
    "LearnerAttendance": ("statutory", _SCHOOL),
    "LearnerAttendanceSummary": ("statutory", "worked out by the school from its attendance "
                                 "register"),
    "LearnerContact": ("required", ""),
    "ContactPersonal": ("required", ""),
    "LearnerExclusion": ("statutory", _SCHOOL),
    "LearnerSpecialNeeds": ("statutory", "parents and carers, the local authority, and health "
                            "and education professionals"),
    "LearnerSchoolEnrolment": ("statutory", f"{_SCHOOL}; the pupil's previous school"),
    "SchoolGroup": ("required", _SCHOOL),
    "SchoolGroupType": ("required", _SCHOOL),
    "LearnerGroupEnrolment": ("required", _SCHOOL),
    "LearnerEntitlement": ("mixed", "parents and carers, and the local authority (free school "
                           "meals eligibility)"),
    "LearnerEmail": ("required", "created by the ICT Development Service"),
    "WorkforcePersonal": ("statutory", ""),
    "WorkforceAssignment": ("required", _SCHOOL),
    "WorkforceContract": ("required", _SCHOOL),
    "ComputerIPAddress": ("required", "recorded automatically by the school's network"),
    "WorkforceEmail": ("required", "created by the ICT Development Service"),
}  # fmt: skip

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
