"""Every demo document passes every quality check (issue 11, "How to keep it fixed").

Each published school's notices for pupils and for the workforce (the PDF with the HTML it was
laid out from, and the public web page), the demo agreement as published, and a copy signed
for Avon Meadow Primary School. A test per document reports all of its problems at once, each
naming the page and quoting the text; ``tests/documents/checks.py`` says how each is measured.
"""

import pytest

from tests.documents.checks import (
    Problems,
    document_problems,
    read_pdf,
    signed_copy_pages,
    web_page_problems,
)
from tests.documents.conftest import AUDIENCES, PUBLISHED_URNS, DemoDocuments

# The documents are built by the package's fixture; marking the tests makes pytest-django set up
# the test database it needs (the tests themselves read only bytes and strings).
pytestmark = pytest.mark.django_db

NOTICES = [(urn, audience) for urn in PUBLISHED_URNS for audience in AUDIENCES]
NOTICE_IDS = [f"{urn}-{audience}" for urn, audience in NOTICES]


def assert_none(problems: Problems, title: str) -> None:
    assert not problems, problems.report(title)


def test_every_published_school_has_both_notices(demo_documents: DemoDocuments) -> None:
    """The documents checked below are the ones the demo issues: none missing, none extra."""
    assert set(demo_documents.notices) == set(NOTICES)
    assert demo_documents.agreement is not None
    assert demo_documents.signed_copy is not None


@pytest.mark.parametrize(("urn", "audience"), NOTICES, ids=NOTICE_IDS)
def test_notice_pdf(demo_documents: DemoDocuments, urn: str, audience: str) -> None:
    notice = demo_documents.notices.get((urn, audience))
    assert notice is not None, f"{urn} has no {audience} notice"
    school = demo_documents.schools[urn]
    assert_none(
        document_problems(notice.pdf, notice.html, notice.margins),
        f"{school}, {audience} notice PDF ({notice.title})",
    )


@pytest.mark.parametrize(("urn", "audience"), NOTICES, ids=NOTICE_IDS)
def test_notice_web_page(demo_documents: DemoDocuments, urn: str, audience: str) -> None:
    page = demo_documents.web_pages.get((urn, audience))
    assert page is not None, f"{urn} has no public {audience} notice page"
    school = demo_documents.schools[urn]
    assert_none(web_page_problems(page), f"{school}, {audience} notice web page")


def test_agreement_pdf(demo_documents: DemoDocuments) -> None:
    agreement = demo_documents.agreement
    assert agreement is not None
    assert_none(
        document_problems(agreement.pdf, agreement.html, agreement.margins),
        "Demo agreement PDF, as published",
    )


def test_signed_copy_pdf(demo_documents: DemoDocuments) -> None:
    copy = demo_documents.signed_copy
    assert copy is not None
    assert_none(document_problems(copy.pdf, copy.html, copy.margins), f"Agreement PDF {copy.title}")


def test_signed_copy_keeps_the_signed_pages(demo_documents: DemoDocuments) -> None:
    """The signed copy is the PDF that was signed, page for page, with the sign-off after."""
    agreement, copy = demo_documents.agreement, demo_documents.signed_copy
    assert agreement is not None
    assert copy is not None
    problems = Problems()
    problems.add(
        "signed copy pages",
        signed_copy_pages(
            read_pdf(agreement.pdf, agreement.margins), read_pdf(copy.pdf, copy.margins)
        ),
    )
    assert_none(problems, f"Agreement PDF {copy.title}, against the PDF signed")
