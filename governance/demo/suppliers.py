"""The suppliers of the demo world, shared by every organisation: Warwickshire's third parties
with their compliance details (seeds 000 and 004), then those the Wrexham and Wolverhampton
schools name (seeds 002 and 003). Where data is stored is stated only where a seed says it."""

from typing import Any

from governance.demo.catalogue import BACKUP, SUBSCRIPTION, WORK_COMPLETE
from governance.demo.specs import Supplier

CERTIFICATIONS = [
    ("ISO/IEC 27001", "Information security management"),
    ("ISO 9001", "Quality management"),
]

_MS_STATEMENT = (
    "Microsoft Office 365 encrypts all customer content at rest and in motion. For data at rest "
    "Office 365 uses BitLocker, Azure Storage Service Encryption and Office 365 Service "
    "Encryption; in transit it uses Transport Layer Security (TLS) and Internet Protocol "
    "Security (IPsec). OneDrive for Business and SharePoint Online encrypt all personal data in "
    "transit; Exchange Online encrypts communications between Office 365 and Exchange Online "
    "servers. Data within OneDrive is stored within the EU and is encrypted."
)
_SMOOTHWALL_STATEMENT = (
    "Smoothwall does not collect, store, use or process any of the personal data collected by "
    "the web filter, and is neither a data controller nor a data processor for it. The filter "
    "logs the address of each web page a user tries to reach, words entered into search engines "
    "and attempts to reach restricted sites, against the user name. The ICT Development Service "
    "configures the filter, allocates users to groups (such as a year group) so only necessary "
    "data is collected, and restricts access to the user portal."
)

# Warwickshire's suppliers (seed 004). name: dict of supplier fields; "certs", "links" and
# "retention" (one of Warwickshire's rules) are resolved by the loader. Where a seed does not
# say where data is stored, ``data_leaves_uk`` is left to staff (not known).
PROCESSORS: dict[str, dict[str, Any]] = {
    "Microsoft": {
        "products": "Office 365 (WeLearn365)",
        "service_description": "A customised Office 365 for each subscribing school: email "
        "accounts for pupils, staff and governors, a SharePoint school site and Microsoft apps.",
        "compliance_statement": _MS_STATEMENT,
        "data_location": "EU (OneDrive and Office 365 data centres)",
        "data_leaves_uk": "yes",
        "transfer_safeguards": "Stored in the EU, covered by the UK's adequacy regulations for "
        "the EEA; encrypted at rest and in transit.",
        "retention": SUBSCRIPTION,
        "links": [
            ("Microsoft privacy statement", "https://privacy.microsoft.com/en-GB/privacystatement"),
            ("Microsoft GDPR solutions",
             "https://www.microsoft.com/en-us/trustcenter/privacy/gdpr/solutions"),
        ],
    },
    "Groupcall": {
        "products": "Xporter, IDaaS, XVault",
        "service_description": "Xporter moves data from the school MIS (typically SIMS) to the "
        "service's central systems; IDaaS creates secure single sign-on WeLearn accounts; XVault "
        "stores the MIS data received from schools in a secure SQL database.",
        "compliance_statement": "Standardised policies to manage and protect the data processed "
        "for customers, processing data for around 7.5 million students every day; ISO 27001 and "
        "ISO 9001 accredited and registered with the ICO.",
        "retention": SUBSCRIPTION,
        "certs": ["ISO/IEC 27001", "ISO 9001"],
        "links": [("Groupcall GDPR compliance", "https://www.groupcall.com/our-gdpr-compliance")],
    },
    "Redstor": {
        "products": "Redstor Backup Plus",
        "service_description": "Remote daily backup of the school's file server, all documents "
        "and SIMS data; included in Full Server Support Cover and approved by Capita for SIMS.",
        "compliance_statement": "ISO 27001 and 9001 certified, with 20 years' experience of "
        "managing and protecting data; documented data protection policies that uphold the GDPR "
        "for backup data and for working with data processors (ICTDS Appendix 1).",
        "retention": BACKUP,
        "retention_notes": "Backed up daily and kept for a maximum of 60 days.",
        "certs": ["ISO/IEC 27001", "ISO 9001"],
    },
    "Future Digital": {
        "products": "Digital Safeguarding monitoring",
        "service_description": "The centrally managed Digital Safeguarding service: monitors "
        "desktop activity on all Windows PCs in the school.",
        "compliance_statement": "Statement held by the ICT Development Service (Appendix 2 of "
        "its processor descriptions).",
        "retention": SUBSCRIPTION,
    },
    "Smoothwall": {
        "products": "Smoothwall web filter (UTM/SWG)",
        "service_description": "Web filtering included in the school's broadband contract.",
        "role": "no_access",
        "compliance_statement": _SMOOTHWALL_STATEMENT,
        "retention": SUBSCRIPTION,
    },
    "Just2Easy": {
        "products": "J2E",
        "service_description": "J2E online tools to support learning in the classroom.",
        "retention": SUBSCRIPTION,
        "links": [("J2E privacy", "https://www.just2easy.com/privacy/index.html")],
    },
    "2Simple": {
        "products": "Purple Mash, Serial Mash, 2Simple French",
        "service_description": "Educational resources from early years to the end of key stage "
        "2, reached through the WeLearn portal.",
        "retention": SUBSCRIPTION,
        "links": [
            ("Purple Mash terms and conditions", "https://static.purplemash.com/mashcontent/"
             "applications/documents/terms_and_conditions//Purple%20Mash%20terms%20and%20"
             "conditions.pdf"),
            ("Purple Mash privacy policy", "https://www.purplemash.com/mashcontent/applications/"
             "documents/privacypolicy/Purple_Mash_Privacy_Policy.pdf"),
        ],
    },
    "Capita SIMS": {
        "products": "SIMS support",
        "service_description": "Receives service desk calls about SIMS escalated by the ICT "
        "Development Service.",
        "retention": SUBSCRIPTION,
    },
    "CDEC": {
        "products": "Audio-visual equipment",
        "service_description": "Supplies and installs audio-visual equipment in schools.",
        "retention": WORK_COMPLETE,
    },
    "Stone": {
        "products": "Laptops and PCs",
        "service_description": "Supplies laptops and PCs to schools.",
        "retention": WORK_COMPLETE,
    },
    "J&B Electrical": {
        "products": "Electrical installation",
        "service_description": "Carries out electrical installation work for ICT projects.",
        "retention": WORK_COMPLETE,
    },
    "Khipu Wireless": {
        "products": "Wireless networks",
        "service_description": "Designs and installs wireless networks in schools.",
        "retention": WORK_COMPLETE,
    },
}  # fmt: skip


# The apps and systems seeds 002 and 003 name, shared by every organisation. The seeds say
# nothing of where each stores data, so that is left to staff (not known).
SHARED_SUPPLIERS = [
    # Victoria CP School, Wrexham (seed 002)
    Supplier("INCERTS", "Online assessment: teachers record and track pupils' assessments.",
             products="INCERTS assessment"),
    Supplier("Class Dojo", "A classroom app teachers use to share pupils' learning and "
             "behaviour with parents.", products="Class Dojo"),
    Supplier("Hwb", "The Welsh Government's digital learning platform for schools in Wales: "
             "pupils' accounts and online learning tools.", products="Hwb"),
    Supplier("Seesaw", "A digital learning journal pupils, teachers and parents share.",
             products="Seesaw"),
    Supplier("Times Tables Rock Stars", "Online times tables practice for pupils.",
             products="TT Rockstars"),
    Supplier("Cornerstones", "The Maestro curriculum planning tool.",
             products="Cornerstones Maestro"),
    Supplier("MyConcern", "A safeguarding tool: staff record and manage safeguarding and "
             "behaviour concerns.", products="MyConcern"),
    # Oakfield Vale Primary Academy, University of Wolverhampton MAT (seed 003)
    Supplier("Bromcom", "The school information management system (MIS).", products="Bromcom"),
    Supplier("Crest Education Safety Services", "Education safety services."),
    Supplier("HCSS", "The trust's finance and budgeting system.", products="HCSS"),
    Supplier("ParentPay", "Parent communication and payment systems.", products="ParentPay"),
    Supplier("Egress", "Encrypted secure file transfer within Microsoft Outlook.",
             products="Egress Switch"),
    Supplier("Google", "Online documents and file storage.", products="Google Docs"),
    Supplier("STAT Online", "An assessment data management and tracking system.",
             products="STAT online"),
    Supplier("SISRA", "An assessment data management and tracking system.", products="SISRA"),
    Supplier("Evolve", "The school visit management system.", products="Evolve"),
    Supplier("NFER", "The National Foundation for Educational Research, which runs the "
             "Reception Baseline assessment.", products="Reception Baseline",
             role="controller"),
    Supplier("S4S", "Supports schools with their SIMS MIS.", products="SIMS support"),
]  # fmt: skip
