"""The demo's Welsh primary (seed 002) and English trust academy (seed 003) get notices that say
everything their real notices say, and nothing of the other nation.

Each list below is taken from the seed document's text; every item must appear in the issued
notice's HTML and in the text of its PDF.
"""

import io
import re

import pytest
from pypdf import PdfReader

from governance.models import School
from notices.models import NoticeVersion
from notices.services import refresh_school_notices

pytestmark = pytest.mark.usefixtures("demo_for_module")

VICTORIA = {
    "categories": [
        "personal information", "characteristics", "attendance", "assessment",
        "medical information", "additional learning needs", "behaviour", "cctv",
        "relationship to pupil",
    ],
    "recipients": [
        "schools that pupils attend after leaving us", "wrexham county borough council",
        "school effectiveness and improvement service for north wales", "welsh government",
        "nhs", "social services", "incerts", "class dojo", "hwb", "seesaw", "tt rockstars",
        "cornerstones maestro", "myconcern",
    ],
    "bases": [
        "legal obligation", "contract", "public task", "vital interests", "legitimate interests",
        "consent",
    ],
    "rights": [
        "access", "rectification", "erasure", "restriction", "data portability",
        "automated decisions and profiling", "objection", "withdrawing consent",
    ],
    "contacts": [
        "mrs d eccles", "schoolsdpo@wrexham.gov.uk", "wycliffe house", "0303 123 1113",
        "gov.wales/data-management-information-privacy-notice",
        "gov.wales/data-collection-and-information-management-for-schools",
        "gov.wales/statistics-and-research", "www.internal.wrexham.gov.uk",
    ],
    "security": ["encryption", "pseudonymisation", "training"],
    "purposes": [
        "support pupil learning", "monitor and report on pupil progress", "pastoral care",
        "assess the quality of our services", "fundraising", "to contact you",
    ],
}  # fmt: skip

OAKFIELD = {
    "categories": [
        "personal information", "characteristics", "attendance", "medical information",
        "special educational needs", "safeguarding and behaviour", "school trip",
        "accidents", "assessment", "library", "meal",
    ],
    "systems": [
        "bromcom", "crest", "hcss", "parentpay", "myconcern", "egress", "outlook", "onedrive",
        "google", "stat online", "sisra", "cctv", "evolve", "exercise books", "photographs",
        "reception baseline",
    ],
    "recipients": [
        "schools that a student attends after leaving us", "city of wolverhampton council",
        "department for education (dfe)", "nfer", "university of wolverhampton multi academy trust",
        "s4s", "auditors", "the national pupil database (npd)",
    ],
    "bases": ["public task", "legal obligation", "vital interests"],
    "rights": [
        "access", "objection", "rectification", "erasure", "your child's educational record",
    ],
    "contacts": [
        "headteacher", "wycliffe house", "ico.org.uk/concerns",
        "gov.uk/education/data-collection-and-censuses-for-schools",
        "gov.uk/contact-dfe",
        "education (information about individual pupils) (england) regulations 2013",
    ],
    "purposes": [
        "support student learning", "monitor and report on student progress", "pastoral care",
        "statutory obligations and audit",
    ],
}  # fmt: skip

WELSH_ONLY = ["welsh government", "wales", "additional learning needs", "idp", "plasc"]
ENGLISH_ONLY = [
    "department for education",
    "england",
    "special educational needs",
    "ehcp",
    "warwickshire",
    "children and families act",
    "pupil registration",
]


def _issued_text(name: str) -> tuple[str, str]:
    school = School.objects.get(name=name)
    refresh_school_notices(school=school)
    version = NoticeVersion.objects.current_for(school, "pupils")
    assert version is not None
    html = re.sub(r"<[^>]+>", " ", version.html)
    with version.pdf.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    pdf = " ".join(page.extract_text() for page in reader.pages)
    return _flat(html), _flat(pdf)


def _flat(text: str) -> str:
    text = text.replace("&#x27;", "'").replace("&amp;", "&").replace("’", "'")
    return re.sub(r"\s+", " ", text).lower()


def _missing(text: str, wanted: dict[str, list[str]]) -> list[str]:
    """Return the wanted items ``text`` lacks. A PDF wraps long addresses across lines, so an
    item with no space in it is also looked for with every space taken out."""
    solid = text.replace(" ", "")
    return [
        item
        for items in wanted.values()
        for item in items
        if item not in text and (" " in item or item not in solid)
    ]


@pytest.fixture(scope="module")
def victoria(django_db_blocker, demo_for_module) -> tuple[str, str]:
    with django_db_blocker.unblock():
        return _issued_text("Victoria CP School")


@pytest.fixture(scope="module")
def oakfield(django_db_blocker, demo_for_module) -> tuple[str, str]:
    with django_db_blocker.unblock():
        return _issued_text("Oakfield Vale Primary Academy")


@pytest.mark.parametrize("part", [0, 1], ids=["html", "pdf"])
def test_victoria_says_everything_seed_002_says(victoria, part) -> None:
    assert _missing(victoria[part], VICTORIA) == []


@pytest.mark.parametrize("part", [0, 1], ids=["html", "pdf"])
def test_oakfield_says_everything_seed_003_says(oakfield, part) -> None:
    assert _missing(oakfield[part], OAKFIELD) == []


def test_victoria_says_nothing_of_england(victoria) -> None:
    assert [word for word in ENGLISH_ONLY if re.search(rf"\b{word}\b", victoria[0])] == []


def test_oakfield_says_nothing_of_wales(oakfield) -> None:
    assert [word for word in WELSH_ONLY if re.search(rf"\b{word}\b", oakfield[0])] == []


def test_welsh_demo_school_cites_no_english_law_or_warwickshire_service(db) -> None:
    school = School.objects.get(name="Ysgol Bryn Derw")
    refresh_school_notices(school=school)
    for audience in ("pupils", "workforce"):
        text = _flat(NoticeVersion.objects.current_for(school, audience).html)
        assert [word for word in ENGLISH_ONLY if re.search(rf"\b{word}\b", text)] == []
