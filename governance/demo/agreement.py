"""The data sharing agreement of seed 001, as the clauses staff keep; the rest of the
agreement (parties, bases, exchanges, data objects, officers) comes from the registry."""

TITLE = (
    "Data Sharing Agreement between Warwickshire Maintained and Academy Schools "
    "and the ICT Development Service"
)
SCHOOLS = "Warwickshire maintained and academy schools"

# Written to be read by a school's DPO: one idea a sentence, no chains of "and", no modifier
# that could attach to the wrong noun, and any shorthand (MIS, SIF) said in words first.
CLAUSES = {
    "purpose": (
        "This agreement lets schools and the local authority share personal information "
        "securely and confidentially, so that children's learning and welfare are supported "
        "by every partner organisation.\n\n"
        "It also reduces the work of collecting data: schools collect it once, and the "
        "authority's services use what is collected well. Each partner can then meet its "
        "statutory duties, as well as what pupils, staff and parents need from it."
    ),
    "benefits": (
        "Schools enter data once, in their management information system (MIS). The "
        "authority's services receive what they need without asking schools for it again, "
        "and can act sooner for vulnerable children."
    ),
    "use_of_information": (
        "Warwickshire County Council needs accurate information to work with schools and the "
        "community, and to deliver its services well. The information exchanged under this "
        "agreement is used to support children's learning and welfare, above all for "
        "vulnerable children. It is used only for the purposes this agreement states."
    ),
    "security": (
        "Access to personal data is controlled by formal procedures. Each partner shares only "
        "the minimum the purpose needs, uses it only for that purpose and keeps it only for "
        "the agreed period. The data is kept confidential.\n\n"
        "All data is held on secure servers, and only the members of staff who need it can "
        "reach it. Every exchange and store of data meets the ISO/IEC 27001 information "
        "security standard.\n\n"
        "Each partner is a data controller for the data it collects. It handles personal "
        "data as the UK GDPR requires, with security enough to protect it from unauthorised "
        "access: physical security, such as locked premises when unattended, as well as IT "
        "security, such as passwords and secure sign-in."
    ),
    "data_quality": (
        "Schools are responsible for the accuracy of the data in their MIS. A correction made "
        "there reaches the partners at the next exchange. A partner that finds data "
        "inaccurate tells the school, which corrects it at source."
    ),
    "retention": (
        "Each partner keeps shared data only as long as its purpose needs, which in most cases "
        "is the length of the school's subscription, and then securely deletes it. The rules "
        "below apply."
    ),
    "rights_and_complaints": (
        "A person may ask to see their information, or to have it corrected, erased or "
        "restricted, or may object to its use. The party that receives the request answers "
        "it. Within five working days it tells the other parties that hold the data, so that "
        "the request is answered within one month. Complaints go first to the school's Data "
        "Protection Officer."
    ),
    "breaches": (
        "A party that discovers a personal data breach involving shared data tells the "
        "school's Data Protection Officer and the ICT Development Service within 24 hours. "
        "Within 72 hours of becoming aware of it, the controller decides whether to report it "
        "to the Information Commissioner's Office and whether to tell the people affected."
    ),
    "changes": (
        "The parties review this agreement from time to time, so it may change. The agreement "
        "is published in the data protection portal with a summary of what changed, and "
        "every school is asked to sign each new version."
    ),
    "termination": (
        "A school may leave this agreement by ending its subscriptions, with three months' "
        "notice. Data already shared is then kept and deleted under the rules above."
    ),
}
