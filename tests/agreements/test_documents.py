"""The agreement as a document a DPO reads: the signed copy paged exactly like the PDF that was
signed, words without staff labels, nested brackets or legal shorthand, and a layout whose
header fits one line, whose contents match its headings and whose headings never end a page.

Read from the shared world's version 2 (published with today's code) and its signed copy for
Arden Heath; each check would fail on the faults the documents once had.
"""

import io
import re
from html import unescape
from typing import Any

import pytest
from pypdf import PdfReader

from agreements.content import (
    HEADINGS,
    PROCESSOR_ROLES,
    build_agreement_content,
    spell_out,
    with_aside,
)
from agreements.models import AgreementVersion
from agreements.services import render_body
from governance.demo.agreement import CLAUSES
from governance.models import PartnerService
from processors.models import Processor
from tests.agreements.conftest import STOUR, school
from tests.factories import sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

TOP_MARGIN_PT = 22 / 25.4 * 72  # notice-print.css: @page margin-top 22mm
BOTTOM_MARGIN_PT = 20 / 25.4 * 72


def read(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


def pages_of(data: bytes) -> list[Any]:
    return list(PdfReader(io.BytesIO(data)).pages)


def shown_and_signed(world) -> tuple[bytes, bytes]:
    signature = world.signature(world.arden_v2_signature)
    return read(signature.version.pdf), read(signature.signed_pdf)


def placed_text(page: Any) -> list[tuple[float, float, str]]:
    """Return the page's text runs as (y, x, text), in PDF points from the bottom left."""
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((round(y, 1), round(x, 1), text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def body_lines(page: Any) -> list[str]:
    """Return the page's lines between its header and footer, top to bottom."""
    height = float(page.mediabox.height)
    rows: dict[float, list[tuple[float, str]]] = {}
    for y, x, text in placed_text(page):
        if BOTTOM_MARGIN_PT < y < height - TOP_MARGIN_PT:
            rows.setdefault(y, []).append((x, text))
    return [" ".join(t for _, t in sorted(rows[y])) for y in sorted(rows, reverse=True)]


def words(text: str) -> str:
    return " ".join(text.split())


def nesting(text: str) -> int:
    """Return how deep brackets go in ``text`` (1: brackets, never one inside another)."""
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    return deepest


def html_text(html: str) -> str:
    return words(unescape(re.sub(r"<[^>]+>", " ", html)))


# The signed copy keeps the signed PDF's pages


def test_a_signed_copy_begins_with_the_signed_pdfs_pages_exactly(world) -> None:
    shown, signed = shown_and_signed(world)
    shown_pages, signed_pages = pages_of(shown), pages_of(signed)
    count = len(shown_pages)

    assert len(signed_pages) > count
    assert [p.extract_text() for p in signed_pages[:count]] == [
        p.extract_text() for p in shown_pages
    ]
    # Not only the words: each page draws exactly what the signed page draws.
    assert [p.get_contents().get_data() for p in signed_pages[:count]] == [
        p.get_contents().get_data() for p in shown_pages
    ]
    # The file is built on the stored PDF's bytes, which come first, unchanged.
    assert signed.startswith(shown)


def test_the_sign_off_page_comes_after_them_numbered_on(world) -> None:
    shown, signed = shown_and_signed(world)
    count = len(pages_of(shown))
    signoff = [words(p.extract_text()) for p in pages_of(signed)[count:]]
    total = count + len(signoff)

    assert signoff[0].startswith("Sign-off Arden Heath Academy counter-signed version 2")
    assert f"Pages 1 to {count} of this file are the agreement exactly as published" in signoff[0]
    assert signoff[-1].endswith(f"Page {total} of {total}")
    assert words(pages_of(signed)[count - 1].extract_text()).endswith(f"Page {count} of {count}")


def test_the_sign_off_page_says_everything_about_the_signature(world) -> None:
    signature = world.signature(world.arden_v2_signature)
    version = signature.version
    shown, signed = shown_and_signed(world)
    text = " ".join(words(p.extract_text()) for p in pages_of(signed)[len(pages_of(shown)) :])
    squeezed = text.replace(" ", "")

    for fact in (
        "Arden Heath Academy (URN 999102)",
        signature.school.controller_name,
        "Signed by Lee Grant",
        "Position Data Protection Officer",
        "Portal account arden-dpo",
        "IP address 192.0.2.10",
        "Browser pytest",
        f"Reference {version.agreement_id}-v2-999102",
        "Sealed by Document seal (development, not for production)",
        "/agreements/verify/",
    ):
        assert fact in text
    assert words(signature.declaration).replace(" ", "") in squeezed
    assert f"SHA-256ofthePDFshown{version.pdf_sha256}" in squeezed
    assert f"SHA-256ofthecontent{version.content_hash}" in squeezed
    assert signature.signed_at.strftime("%Y-%m-%dT%H:%M:%S") in text


def test_a_signed_copy_stays_tagged_with_its_sign_off_in_the_outline(world) -> None:
    shown, signed = shown_and_signed(world)
    reader = PdfReader(io.BytesIO(signed))
    last = reader.pages[-1]
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    parents = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}

    # The sign-off page's marked content has its structure elements, under the document.
    elements = [e.get_object() for e in parents[int(last["/StructParents"])]]
    assert elements
    for element in elements:
        assert element.raw_get("/Pg").idnum == last.indirect_reference.idnum
        top = element
        while top.get("/S") != "/Document":
            top = top["/P"].get_object()
        assert top["/P"].get_object() == tree
    assert int(tree["/ParentTreeNextKey"]) > int(last["/StructParents"])
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    # The outline ends with the sign-off, under the agreement's title, pointing at its page.
    [_, sections] = reader.outline
    assert sections[-1].title == "Sign-off"
    assert reader.get_destination_page_number(sections[-1]) == len(pages_of(shown))
    assert reader.metadata.title.endswith("(version 2): signed for Arden Heath Academy")
    assert reader.xmp_metadata.dc_title["x-default"] == reader.metadata.title


def test_signing_lays_out_only_the_sign_off_page(world, monkeypatch) -> None:
    """Whatever changed in the layout code since publication, the signed copy cannot drift:
    the agreement is never laid out again when a school signs."""

    def laid_out_again(**kwargs: Any) -> bytes:
        raise AssertionError("the agreement was laid out again to sign it")

    monkeypatch.setattr("agreements.services.render_pdf", laid_out_again)
    version = world.version(2)

    result = sign(version, school(STOUR))

    signed = read(result.signature.signed_pdf)
    result.signature.signed_pdf.delete(save=False)  # the package's media outlive this test
    assert signed.startswith(read(version.pdf))
    assert len(pages_of(signed)) == len(pages_of(read(version.pdf))) + 1


# Words


@pytest.fixture
def v2_text(world) -> str:
    return words(" ".join(p.extract_text() for p in pages_of(read(world.version(2).pdf))))


def test_no_brackets_inside_brackets(world, v2_text) -> None:
    assert nesting(v2_text) == 1
    assert nesting(html_text(world.version(2).html)) == 1


def test_registry_text_with_brackets_is_never_put_inside_more_brackets(world) -> None:
    """The class of fault behind "2Simple (processor (acts on instructions, art 28 contract))":
    whatever brackets staff type, the agreement adds none around them."""
    version = world.version(2)
    Processor.objects.filter(name="Microsoft").update(
        data_location="EU (OneDrive and Office 365 data centres)"
    )
    PartnerService.objects.filter(short_name="ACE").update(short_name="ACE (the EWS)")

    html = render_body(content=build_agreement_content(version), version=version)

    assert nesting(html_text(html)) == 1
    assert "Attendance, Compliance and Enforcement, ACE (the EWS)" in html_text(html)


def test_roles_and_relationships_are_said_in_plain_words_once(world, v2_text) -> None:
    for label in ("acts on instructions", "Art 28 contract", "(shares under the agreement)"):
        assert label not in v2_text
    assert v2_text.count(words(PROCESSOR_ROLES["processor"])) == 1
    assert v2_text.count("a separate data controller, sharing data under this agreement") == 1


def test_legal_shorthand_is_spelt_out(v2_text) -> None:
    shorthand = re.compile(r"\b(?:Art|Sch|Pt|paras?|ss?|DPA)\.?\s?\d")
    assert shorthand.findall(v2_text) == []
    assert "Data Protection Act 2018, Schedule 1, Part 2, paragraph 18" in v2_text
    assert "Education Act 1996 sections 437" in v2_text


def test_a_conditions_plain_name_comes_before_its_reference(v2_text) -> None:
    assert "Public task: We need the information" in v2_text
    assert "UK GDPR Article 6(1)(e)" in v2_text
    assert v2_text.index("Public task") < v2_text.index("Article 6(1)(e)")


@pytest.mark.parametrize(
    ("shorthand", "words_"),
    [
        ("DPA 2018 Sch 1 Pt 2 para 6", "Data Protection Act 2018, Schedule 1, Part 2, paragraph 6"),
        ("Art 9(2)(g)", "Article 9(2)(g)"),
        ("Education Act 1996 ss.437-447.", "Education Act 1996 sections 437-447."),
        ("Local Government Act 1972 s.111.", "Local Government Act 1972 section 111."),
        ("Part of the plan; Articles 6 and 9", "Part of the plan; Articles 6 and 9"),
    ],
)
def test_spell_out(shorthand, words_) -> None:
    assert spell_out(shorthand) == words_


@pytest.mark.parametrize(
    ("text", "aside", "result"),
    [
        ("Children Missing Education", "CME", "Children Missing Education (CME)"),
        ("Microsoft", "Office 365 (WeLearn365)", "Microsoft, Office 365 (WeLearn365)"),
        ("Office 365 (WeLearn365)", "WeLearn365", "Office 365 (WeLearn365)"),
        ("HR & Payroll", "", "HR & Payroll"),
    ],
)
def test_with_aside(text, aside, result) -> None:
    assert with_aside(text, aside) == result


def test_a_retention_end_already_said_is_not_said_again(v2_text) -> None:
    assert "then securely deleted. Securely deleted" not in v2_text
    assert "Then: securely deleted" not in v2_text
    assert "How long, and what then" in v2_text


def test_names_that_hold_commas_are_not_listed_with_commas(v2_text) -> None:
    assert "Admissions Service; Attendance, Compliance and Enforcement; Children" in v2_text


def test_the_demo_clauses_read_plainly(world, v2_text) -> None:
    """No chain of "and the … and the …", no modifier that attaches to the wrong noun."""
    clauses = " ".join(CLAUSES.values())
    chained = re.compile(r"\band the [^,;.:()]+ and the\b")
    assert chained.findall(clauses) == []
    assert chained.findall(v2_text) == []
    for phrase in (
        "welfare of children between the partner organisations",
        "the exchanges their own processes and the authority's need",
        "comply with the lawful processing",
    ):
        assert phrase not in v2_text


# Layout


def test_the_running_header_is_one_line_on_both_sides(world) -> None:
    _, signed = shown_and_signed(world)
    for page in pages_of(signed)[1:]:
        height = float(page.mediabox.height)
        header = [(y, x, t) for y, x, t in placed_text(page) if y > height - TOP_MARGIN_PT]
        assert [t for _, _, t in sorted(header, key=lambda r: r[1])] == [
            "Warwickshire County Council",
            "Data sharing agreement, version 2",
        ]
        assert len({y for y, _, _ in header}) == 1


def test_email_addresses_are_never_broken(world) -> None:
    version = world.version(2)
    lines = [line for page in pages_of(read(version.pdf)) for line in body_lines(page)]
    emails = {o["email"] for o in version.content["officers"]}

    assert emails
    for email in emails:
        assert any(email in line.split() for line in lines), email


def test_the_contents_repeat_the_headings_word_for_word(world) -> None:
    version = world.version(2)
    reader = PdfReader(io.BytesIO(read(version.pdf)))
    lines = body_lines(reader.pages[0])
    page_number = re.compile(r"\s+\d+$")  # the leader is drawn, not typed: spaces, the number
    contents = []
    for line in lines[lines.index("Contents") + 1 :]:
        if not page_number.search(line):
            break  # the first heading of the body: no page number after it
        contents.append(page_number.sub("", line))
    [_, sections] = reader.outline
    headings = [i.title for i in sections if not isinstance(i, list) and i.title != "Contents"]

    assert contents == list(HEADINGS.values())
    assert headings == list(HEADINGS.values())
    assert re.findall(r"<h2>([^<]+)</h2>", unescape(version.html)) == list(HEADINGS.values())


def test_no_heading_is_the_last_line_of_a_page(world) -> None:
    version = world.version(2)
    _, signed = shown_and_signed(world)
    heads = {
        words(unescape(h))
        for h in re.findall(r"<(?:h2|h3|dt|caption)[^>]*>(.*?)</", version.html, re.S)
    }
    heads |= {"Contents", "Sign-off"}
    for number, page in enumerate(pages_of(signed), start=1):
        text = words(" ".join(body_lines(page)))
        for head in heads:
            assert not text.endswith(head), f"page {number} ends with the heading {head!r}"


def test_issued_versions_render_as_they_were_frozen(world) -> None:
    """The words laid out are the frozen content's: the body stored is the body rendered."""
    version = AgreementVersion.objects.get(pk=world.v2)
    assert render_body(content=version.content, version=version) == version.html
