"""The document checks are not vacuous: each reports a small document with its fault, and
passes the same document without it (and the near misses a careful reader accepts)."""

import functools

import pytest
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from governance.pdf import PDF_OPTIONS
from tests.documents.checks import (
    MM,
    Block,
    Margins,
    broken_emails,
    contents_match_headings,
    document_problems,
    hard_breaks,
    heading_at_page_foot,
    html_blocks,
    last_page_fill,
    margins_from_css,
    nested_parentheses,
    parse_html,
    pdf_blocks,
    read_pdf,
    repeated_list_items,
    repeated_phrases,
    repeated_then,
    running_header,
    signed_copy_pages,
    text_problems,
    then_column_repeats,
    web_page_problems,
)

# A small page: A6 with 15 mm margins, a running header from page 2 and a page footer, like
# the service's documents.
PAGE_CSS = """
@page {
  size: A6; margin: 15mm 10mm 15mm 10mm;
  @top-left { content: string(school); font: 7pt "DejaVu Sans"; }
  @top-right { content: string(title); font: 7pt "DejaVu Sans"; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 7pt "DejaVu Sans"; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
html { font: 9pt/1.4 "DejaVu Sans", sans-serif; }
body { margin: 0; }
.school-name { string-set: school content(); }
h1 { string-set: title content(); font-size: 12pt; }
h2 { font-size: 11pt; }
p { margin: 0 0 2mm; }
dt { font-weight: bold; }
"""
MARGINS = Margins(top=15 * MM, bottom=15 * MM)
COVER = '<p class="school-name">Avon Meadow</p><h1>Privacy notice</h1>'


@functools.cache
def fonts() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def render(body: str, css: str = "") -> bytes:
    """A PDF of ``body`` laid out as the service lays out its documents (tagged PDF/UA)."""
    html = (
        f'<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head><body>{body}</body></html>'
    )
    pdf = HTML(string=html).write_pdf(
        stylesheets=[CSS(string=PAGE_CSS + css, font_config=fonts())],
        font_config=fonts(),
        **PDF_OPTIONS,
    )
    assert pdf is not None
    return pdf


def page_html(body: str) -> str:
    return f"<!DOCTYPE html><html><body>{body}</body></html>"


def pdf_text_problems(body: str, css: str = "") -> list[str]:
    return text_problems(
        pdf_blocks(read_pdf(render(body, css), MARGINS), hard_breaks(parse_html(body)))
    )


def blocks(*texts: str) -> list[Block]:
    return [Block(text=t, where="here") for t in texts]


def filler(lines: int) -> str:
    """Paragraphs of distinct words, about ``lines`` lines of an A6 page."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    return "".join(
        f"<p>Line {n} says {words[n % 8]} and {words[(n + 3) % 8]} for the record.</p>"
        for n in range(lines)
    )


# -- repeated phrases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft apps (WeLearn365) (WeLearn365). Information: classes.",
        "usually 12 months, then securely deleted. Then: securely deleted.",
        "The school the school holds it.",
        "Information is sent daily, daily, to the council.",
        "employment, social security and social protection (employment, social security and "
        "social protection).",
    ],
)
def test_a_phrase_said_twice_in_a_row_is_reported(text) -> None:
    (problem,) = repeated_phrases(blocks(text))
    assert problem.startswith("here: ")
    assert "said twice in a row" in problem


@pytest.mark.parametrize(
    "text",
    [
        "By the time she left, she had had three jobs.",  # grammatical doubling
        "Sessions attended 12 12 14 and missed 2 2.",  # figures in a table
        "We tell parents. Parents can ask for a copy.",  # one word across a full stop
        "Redstor (Redstor Backup Plus) keeps a copy.",  # a supplier and its product's name
        "track pupils' assessments (INCERTS assessment). Information: Assessment information.",
        "About this notice ........ 1 Who we are ........ 1",  # a contents page's leaders
    ],
)
def test_near_repetitions_a_reader_accepts_pass(text) -> None:
    assert repeated_phrases(blocks(text)) == []


def test_phrases_are_never_compared_across_blocks() -> None:
    """A heading and the paragraph under it, two table cells alike: not a fault."""
    assert repeated_phrases(blocks("Microsoft", "Microsoft provides email.")) == []


def test_a_repetition_wrapped_onto_the_next_pdf_line_is_found() -> None:
    body = (
        "<p>Provide Office 365 email, a SharePoint school site and Microsoft apps "
        "<strong>(WeLearn365)</strong> (WeLearn365). Information: classes and groups.</p>"
    )
    problems = pdf_text_problems(body, "body { width: 60mm; }")
    assert any("(WeLearn365)” said twice" in p and p.startswith("page 1") for p in problems)


def test_a_line_break_in_the_html_ends_a_pdf_block() -> None:
    """An address (name, then street on the next line) is two lines, not a stutter."""
    bad = "<p>Victoria CP School School Road, Wrexham</p>"
    good = "<p>Victoria CP School<br>School Road, Wrexham</p>"
    assert pdf_text_problems(bad)
    assert pdf_text_problems(good) == []
    assert web_page_problems(page_html(bad))
    assert not web_page_problems(page_html(good))


# -- nested brackets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft (Office 365 (WeLearn365)) provides email.",
        "2Simple (processor (acts on instructions, art 28 contract)): resources.",
        "Smoothwall (Smoothwall web filter (UTM/SWG))",
        "A list ((of things)).",
    ],
)
def test_brackets_inside_brackets_are_reported(text) -> None:
    (problem,) = nested_parentheses(blocks(text))
    assert "brackets inside brackets" in problem


@pytest.mark.parametrize(
    "text",
    [
        "Contract (Art 6(1)(b))",  # a citation's brackets belong to it
        "Public task (Art 6(1)(e); Art 9(2)(g))",
        "Ethnicity (racial or ethnic origin) and health (medical conditions).",
        "A smile :) then (a group).",
    ],
)
def test_citations_and_side_by_side_brackets_pass(text) -> None:
    assert nested_parentheses(blocks(text)) == []


def test_nested_brackets_are_found_in_the_pdf() -> None:
    problems = pdf_text_problems("<p>Microsoft (Office 365 (WeLearn365)) provides email.</p>")
    assert any("brackets inside brackets" in p and p.startswith("page 1") for p in problems)
    assert pdf_text_problems("<p>Contract (Art 6(1)(b)) allows it.</p>") == []


# -- Then: ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kept for the subscription, usually 12 months, then securely deleted. Then: securely "
        "deleted. Applies to: Groupcall.",
        "Kept as its schedule requires, then reviewed and securely destroyed. Then: reviewed, "
        "then deleted or kept under the retention schedule.",
        "Kept for 60 days and securely deleted. Then: securely deleted.",
    ],
)
def test_then_saying_again_what_happens_at_the_end_is_reported(text) -> None:
    (problem,) = repeated_then(blocks(text))
    assert "“Then:” repeats" in problem


def test_then_after_a_description_of_how_long_alone_passes() -> None:
    text = "Backed up every day; each backup is kept for 60 days. Then: securely deleted."
    assert repeated_then(blocks(text)) == []


def test_a_then_column_repeating_its_row_is_reported() -> None:
    table = (
        "<table><thead><tr><th>Rule</th><th>How long</th><th>Then</th></tr></thead><tbody>"
        "<tr><th>Subscription</th><td>Kept for 12 months, then securely deleted.</td>"
        "<td>Securely deleted</td></tr>"
        "<tr><th>Backups</th><td>Kept for 60 days.</td><td>Securely deleted</td></tr>"
        "</tbody></table>"
    )
    (row,) = then_column_repeats(parse_html(table))
    assert row.text.startswith("Subscription Kept for 12 months, then securely deleted.")
    (problem,) = web_page_problems(page_html(table)).by_check["repeated Then"]
    assert "Then” column repeats" in problem


# -- list items ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "How often: daily, Groupcall IDaaS account provisioning, daily.",
        "Shared with: the council; the DfE; the council.",
    ],
)
def test_an_item_listed_twice_in_one_sentence_is_reported(text) -> None:
    (problem,) = repeated_list_items(blocks(text))
    assert "listed twice in one sentence" in problem


def test_a_repeated_item_is_quoted_without_the_lists_brackets() -> None:
    text = "to pay staff (contract; for health, social protection, with health, social protection)"
    (problem,) = repeated_list_items(blocks(text))
    assert problem.startswith("here: “social protection” listed twice in one sentence: “to pay")


@pytest.mark.parametrize(
    "text",
    [
        "How often: daily. Kept: daily backups, weekly reports. Daily checks.",  # two sentences
        "What is sent: the pupil's name, address and date of birth, and other information the "
        "service needs, unless a parent asks us to send only the name, address and date of "
        "birth.",  # a clause, not a list, between the two
        "Links: https://a.example/one, https://b.example/two.",
    ],
)
def test_lists_without_a_repeated_item_pass(text) -> None:
    assert repeated_list_items(blocks(text)) == []


def test_pdf_list_items_are_read_apart() -> None:
    """Two list items laid out with no gap between them are two blocks, not one sentence."""
    first = "to support learning (public task; substantial public interest)"
    second = "to give pastoral care (vital interests; substantial public interest)"
    listed = f"<ul><li>{first}</li><li>{second}</li></ul>"
    read = pdf_blocks(read_pdf(render(listed), MARGINS))
    assert [b.text for b in read] == [first, second]
    assert [b.where for b in read] == ["page 1", "page 1"]
    assert pdf_text_problems(listed) == []


# -- headings at the foot of a page ----------------------------------------------------------

# A6 with 15 mm margins leaves about 118 mm: a spacer, then a term whose description (kept in
# one piece) cannot follow it on the page.
FOOT = (
    COVER + '<p>Introduction.</p><div style="height: 78mm"></div>'
    "<dl><dt>{term}</dt>"
    '<dd style="break-inside: avoid">' + "A description that is long enough. " * 12 + "</dd></dl>"
)


def test_a_term_alone_at_the_foot_of_a_page_is_reported() -> None:
    body = FOOT.format(term="Data protection lead in school")
    (problem,) = heading_at_page_foot(read_pdf(render(body), MARGINS), parse_html(body))
    assert problem == "page 1: ends with a heading: “Data protection lead in school”"


def test_a_heading_wrapped_over_two_lines_at_the_foot_is_reported() -> None:
    term = "A rather long term for the data protection lead in the school office"
    body = FOOT.format(term=term)
    (problem,) = heading_at_page_foot(read_pdf(render(body), MARGINS), parse_html(body))
    assert problem.startswith("page 1: ends with a heading: “A rather long term")


def test_a_term_kept_with_its_description_passes() -> None:
    body = FOOT.format(term="Data protection lead in school")
    pdf = render(body, "dt { break-after: avoid; }")
    assert heading_at_page_foot(read_pdf(pdf, MARGINS), parse_html(body)) == []


def test_a_paragraph_ending_in_a_headings_words_passes() -> None:
    """Only bold lines are headings: a page ending "(consent)" is not the heading "Consent"."""
    body = (
        COVER + "<h2>Consent (Art 6(1)(a))</h2><p>We ask first.</p>"
        "<p>You can remove it at any time<br>(consent)</p>"
    )
    document = read_pdf(render(body), MARGINS)
    assert document.pages[-1].body[-1].text == "(consent)"
    assert heading_at_page_foot(document, parse_html(body)) == []


# -- the last page ---------------------------------------------------------------------------


def test_a_nearly_empty_last_page_is_reported() -> None:
    body = COVER + filler(17) + "<p>Version 1, issued today.</p>"
    document = read_pdf(render(body), MARGINS)
    assert len(document.pages) == 2
    (problem,) = last_page_fill(document)
    assert problem.startswith("page 2: the last page is ")
    assert "Version 1, issued today." in problem


def test_a_last_page_a_third_full_passes() -> None:
    document = read_pdf(render(COVER + filler(30)), MARGINS)
    assert len(document.pages) == 2
    assert last_page_fill(document) == []


def test_a_one_page_document_may_be_short() -> None:
    assert last_page_fill(read_pdf(render(COVER + "<p>Short.</p>"), MARGINS)) == []


# -- email addresses -------------------------------------------------------------------------

OFFICERS = (
    '<table style="width: 100%; table-layout: fixed"><tr><td style="width: 70%">Admissions</td>'
    '<td style="overflow-wrap: anywhere">johnedwards@warwickshire.gov.uk</td></tr></table>'
)


def test_an_email_address_broken_across_lines_is_reported() -> None:
    (problem,) = broken_emails(read_pdf(render(OFFICERS), MARGINS), parse_html(OFFICERS))
    assert problem.startswith("page 1: johnedwards@warwickshire.gov.uk is broken across lines: “")


def test_an_email_address_on_one_line_passes() -> None:
    body = OFFICERS.replace("width: 70%", "width: 20%")
    assert broken_emails(read_pdf(render(body), MARGINS), parse_html(body)) == []


# -- the running header ----------------------------------------------------------------------


def test_a_running_header_on_two_lines_is_reported() -> None:
    long_title = "Data Sharing Agreement between Warwickshire Schools and the ICT Service"
    body = COVER.replace("Privacy notice", long_title) + filler(40)
    (problem,) = running_header(read_pdf(render(body), MARGINS))
    assert problem.startswith("pages 2–3: the running header takes 2 lines: “Avon")
    assert problem.endswith("Meadow and the ICT Service”")


def test_a_running_header_on_one_line_passes() -> None:
    document = read_pdf(render(COVER + filler(40)), MARGINS)
    assert len(document.pages) == 3
    assert [line.text for line in document.pages[1].header] == ["Avon Meadow Privacy notice"]
    assert running_header(document) == []


def test_a_page_without_a_running_header_is_reported() -> None:
    no_header = "@page { @top-left { content: none; } @top-right { content: none; } }"
    (problem,) = running_header(read_pdf(render(COVER + filler(25), no_header), MARGINS))
    assert problem == "page 2: no running header"


# -- contents --------------------------------------------------------------------------------

CONTENTS = (
    '<nav class="toc"><h2>Contents</h2><ol>'
    '<li><a href="#parties">1. Parties to this agreement</a></li>'
    '<li><a href="#schedule">{entry}</a></li></ol></nav>'
    '<section id="parties"><h2>1. Parties to this agreement</h2></section>'
    '<section id="schedule"><h2>Schedule: the schools party to this agreement</h2></section>'
)


def test_a_contents_entry_unlike_its_heading_is_reported() -> None:
    html = CONTENTS.format(entry="Schedule: Warwickshire schools (3)")
    (problem,) = contents_match_headings(parse_html(html))
    assert "the contents says “Schedule: Warwickshire schools (3)”" in problem
    assert "“Schedule: the schools party to this agreement”" in problem


def test_contents_entries_equal_to_their_headings_pass() -> None:
    """Case, punctuation and a section number on one side only do not count."""
    html = CONTENTS.format(entry="Schedule - the schools party to this agreement")
    assert contents_match_headings(parse_html(html.replace("1. Parties", "Parties", 1))) == []


def test_a_contents_entry_linking_nowhere_is_reported() -> None:
    html = CONTENTS.format(entry="Schedule").replace('id="schedule"', 'id="elsewhere"')
    (problem,) = contents_match_headings(parse_html(html))
    assert "links to '#schedule', which is not in the document" in problem


def test_a_web_pages_contents_are_checked_too() -> None:
    html = page_html("<main>" + CONTENTS.format(entry="Schedule of schools") + "</main>")
    (problem,) = web_page_problems(html).by_check["contents"]
    assert "the contents says “Schedule of schools”" in problem


# -- the signed copy -------------------------------------------------------------------------

AGREEMENT = COVER + filler(30)
SIGN_OFF = '<section style="break-before: page"><h2>Sign-off</h2><p>Signed.</p></section>'


def test_a_signed_copy_paged_like_the_signed_pdf_passes() -> None:
    signed = read_pdf(render(AGREEMENT), MARGINS)
    copy = read_pdf(render(AGREEMENT + SIGN_OFF), MARGINS)
    assert [len(signed.pages), len(copy.pages)] == [2, 3]  # "Page 1 of 2" / "Page 1 of 3"
    assert signed_copy_pages(signed, copy) == []


def test_a_signed_copy_with_pages_moved_is_reported() -> None:
    signed = read_pdf(render(AGREEMENT), MARGINS)
    moved = AGREEMENT.replace("</h1>", "</h1><p>Counter-signed for Avon Meadow.</p>", 1)
    problems = signed_copy_pages(signed, read_pdf(render(moved + SIGN_OFF), MARGINS))
    assert problems[0].startswith("page 1 differs from the page signed: ")
    assert "signed copy has “Counter-signed for Avon Meadow.”" in problems[0]
    assert problems[1].startswith("page 2 differs")


def test_a_signed_copy_without_a_sign_off_page_is_reported() -> None:
    signed = read_pdf(render(AGREEMENT), MARGINS)
    (problem,) = signed_copy_pages(signed, signed)
    assert "no sign-off page after them" in problem


# -- reading ---------------------------------------------------------------------------------


def test_margins_come_from_the_plain_page_rule() -> None:
    css = (
        "@page { size: A4; margin: 22mm 18mm 20mm 18mm; @top-left { content: 'x'; } }"
        "@page :first { margin: 5mm; }"
    )
    assert margins_from_css(css) == Margins(top=22 * MM, bottom=20 * MM)
    assert margins_from_css(css, "@page { margin-bottom: 1in }") == Margins(22 * MM, 72.0)


def test_header_body_and_footer_are_read_apart() -> None:
    document = read_pdf(render(COVER + filler(25)), MARGINS)
    first, second = document.pages
    assert first.header == ()
    assert [line.text for line in first.footer] == ["Page 1 of 2"]
    assert [line.text for line in second.footer] == ["Page 2 of 2"]
    assert first.body[0].text == "Avon Meadow"
    assert all("Page" not in line.text for line in first.body)


def test_html_blocks_follow_the_block_elements() -> None:
    html = page_html(
        "<main><h2>Who we are</h2><p>Avon <strong>Meadow</strong><br>Meadow Lane</p>"
        "<ul><li>One</li><li>Two <em>more</em></li></ul></main>"
    )
    found = [(b.text, b.where) for b in html_blocks(parse_html(html))]
    assert found == [
        ("Who we are", "section “Who we are”"),
        ("Avon Meadow", "section “Who we are”"),
        ("Meadow Lane", "section “Who we are”"),
        ("One", "section “Who we are”"),
        ("Two more", "section “Who we are”"),
    ]


def test_every_problem_of_a_document_is_reported_at_once() -> None:
    body = (
        COVER + "<p>Microsoft (Office 365 (WeLearn365)) (WeLearn365).</p>"
        "<p>How often: daily, backup, daily.</p>" + OFFICERS
    )
    problems = document_problems(render(body), page_html(body), MARGINS)
    assert sorted(problems.by_check) == [
        "broken email",
        "nested brackets",
        "repeated list item",
        "repeated phrase",
    ]
    report = problems.report("Example")
    assert report.startswith("Example: 4 problem(s)\n  - [repeated phrase] page 1: ")


def test_a_clean_document_has_no_problems() -> None:
    """Every check at once, on a document that has none of the faults."""
    body = (
        COVER + '<nav class="toc"><h2>Contents</h2><ol><li><a href="#about">About this notice'
        '</a></li></ol></nav><section id="about"><h2>About this notice</h2>'
        "<p>Write to dpo@example.org. Contract (Art 6(1)(b)) allows it.</p></section>" + filler(4)
    )
    html = page_html(body)
    problems = document_problems(render(body), html, MARGINS)
    assert not problems, problems.report("clean document")
