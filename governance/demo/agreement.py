"""The data sharing agreement of seed 001, as the clauses staff keep; the rest of the
agreement (parties, bases, exchanges, data objects, officers) comes from the registry."""

TITLE = (
    "Data Sharing Agreement between Warwickshire Maintained and Academy Schools "
    "and the ICT Development Service"
)
SCHOOLS = "Warwickshire maintained and academy schools"

CLAUSES = {
    "purpose": (
        "The purpose of this Data Sharing Agreement is to minimise the burden of data "
        "collection on schools and the local authority and to ensure that data collected is "
        "used effectively to support the learning and welfare of children between the partner "
        "organisations.\n\n"
        "The agreement provides a framework for the secure and confidential sharing of "
        "personal information between schools and the local authority to enable them to meet "
        "both their statutory obligations and the needs and expectations of pupils, staff and "
        "parents."
    ),
    "benefits": (
        "Schools enter data once, in their MIS; the authority's services receive what they "
        "need without asking schools for it again, and act sooner for vulnerable children."
    ),
    "use_of_information": (
        "Warwickshire County Council recognises that information is essential to its work with "
        "schools and the community, and that the efficient management of information is "
        "fundamental to the effective delivery of its services. Information exchanged between "
        "schools and the local authority will be used for a variety of functions to support "
        "the learning and welfare of children, particularly in relation to the vulnerable "
        "children's agenda, and only for the purposes stated in this agreement."
    ),
    "security": (
        "Access to personal data will be controlled through formal protocols and agreements, "
        "and will be based on the principle of sharing only the minimum necessary for the "
        "purpose. The confidentiality of the data is safeguarded; the information is used only "
        "for the stated purpose and is retained only for an agreed period.\n\n"
        "All data will be held on secure servers, with access restricted to internal use by "
        "appropriate members of staff. All data exchange and storage adheres to ISO/IEC 27001 "
        "information security standards.\n\n"
        "As data controllers for the data collected, all partners treat personal data in "
        "accordance with the UK GDPR and ensure that security is in place, sufficient to "
        "protect the data from unauthorised access. This includes both physical security, such "
        "as adequate protection for premises when unattended, and IT security such as "
        "passwords and secure IDs."
    ),
    "data_quality": (
        "Schools are responsible for the accuracy of the data in their MIS; corrections made "
        "there reach the partners at the next exchange. A partner that finds data inaccurate "
        "tells the school, which corrects it at source."
    ),
    "retention": (
        "Each partner keeps shared data only as long as its purpose needs, which in most cases "
        "is the duration of the school's subscription, and then securely deletes it. The rules "
        "below apply."
    ),
    "rights_and_complaints": (
        "A request from an individual to exercise their rights (access, rectification, "
        "erasure, restriction, objection) is answered by the party that receives it, which "
        "tells the other parties holding the data within five working days so the request is "
        "answered within one month. Complaints go first to the school's Data Protection "
        "Officer."
    ),
    "breaches": (
        "A party that discovers a personal data breach involving shared data tells the "
        "school's Data Protection Officer and the ICT Development Service within 24 hours. The "
        "controller decides, within 72 hours of becoming aware, whether to report it to the "
        "Information Commissioner's Office and to tell the people affected."
    ),
    "changes": (
        "This agreement will be reviewed periodically and consequently may be subject to "
        "change. The agreement is available online in the data protection portal, with a "
        "notice of what changed; every school is asked to sign each new version."
    ),
    "termination": (
        "A school may leave this agreement by ending its subscriptions with three months' "
        "notice; data already shared is then kept and deleted under the rules above."
    ),
}
