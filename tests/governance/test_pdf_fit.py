"""A document never ends on a page holding a line or two: ``governance.pdf`` lays it out
again a little tighter or looser until the last page is at least a quarter full."""

import io

from pypdf import PdfReader

from governance.pdf import (
    FIT_SCALES,
    FIT_STEPS,
    MIN_LAST_PAGE_FILL,
    _render,
    html_to_pdf,
    last_page_fill,
    render_fitted,
)
from notices.services import STYLESHEETS

PARAGRAPH = (
    "<p>The school shares pupils' information with the council's services so that they can "
    "carry out their duties for children and families, and with the companies that provide "
    "the school's systems, under contracts that require them to keep it secure.</p>"
)


def page(paragraphs: int) -> str:
    return f'<html lang="en-GB"><body><h1>Notice</h1>{PARAGRAPH * paragraphs}</body></html>'


def nearly_empty_last_page() -> str:
    """Return a document whose plain layout leaves its last page under a tenth full."""
    for paragraphs in range(20, 80):
        document = _render(page(paragraphs), STYLESHEETS, FIT_STEPS[0])
        if len(document.pages) > 1 and last_page_fill(document) < 0.1:
            return page(paragraphs)
    raise AssertionError("no paragraph count leaves a nearly empty last page")


def test_a_nearly_empty_last_page_is_laid_out_again() -> None:
    html = nearly_empty_last_page()

    fitted = render_fitted(html, stylesheets=STYLESHEETS)

    assert fitted.step != 0
    assert fitted.layouts == 2  # the likeliest other layout first: one more, not four
    assert len(fitted.document.pages) == 1 or last_page_fill(fitted.document) >= MIN_LAST_PAGE_FILL
    pdf = PdfReader(io.BytesIO(html_to_pdf(html, stylesheets=STYLESHEETS)))
    assert len(pdf.pages) == len(fitted.document.pages)
    words = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert words.count("contracts that require") == html.count("contracts that require")


def test_a_full_enough_last_page_keeps_the_plain_layout() -> None:
    html = page(3)
    document = _render(html, STYLESHEETS, FIT_STEPS[0])

    assert len(document.pages) == 1
    assert last_page_fill(document) > 0.1


def test_the_previous_versions_layout_is_tried_first_and_kept_when_it_fits() -> None:
    html = nearly_empty_last_page()
    step = render_fitted(html, stylesheets=STYLESHEETS).step

    again = render_fitted(html, stylesheets=STYLESHEETS, start=step)

    assert (again.step, again.layouts) == (step, 1)
    # A hint is only where to start: one that leaves the last page nearly empty is not kept.
    plain = render_fitted(html, stylesheets=STYLESHEETS, start=0)
    assert plain.step != 0
    assert plain.layouts == 2
    assert render_fitted(html, stylesheets=STYLESHEETS, start=99).step == plain.step


def test_each_step_has_its_scale() -> None:
    assert len(FIT_SCALES) == len(FIT_STEPS)
    assert FIT_SCALES[0] == 1.0


def test_an_appendix_on_pages_of_its_own_is_not_what_is_fitted() -> None:
    """The text's last page is the one before the appendix: a nearly empty one is laid out
    again even though the appendix's page after it is full."""
    html = nearly_empty_last_page()
    appendix = (
        '<section id="appendix" class="appendix"><h2>Appendix</h2>'
        f"{PARAGRAPH * 12}</section></body>"
    )
    with_appendix = html.replace("</body>", appendix)
    plain = _render(with_appendix, STYLESHEETS, FIT_STEPS[0])
    assert last_page_fill(plain) > MIN_LAST_PAGE_FILL  # the appendix's page is full enough

    fitted = render_fitted(with_appendix, stylesheets=STYLESHEETS, appendix="appendix")

    assert fitted.step != 0
    starts = next(n for n, p in enumerate(fitted.document.pages) if "appendix" in p.anchors)
    assert starts == 1 or last_page_fill(fitted.document, starts - 1) >= MIN_LAST_PAGE_FILL
    # Without naming the appendix, its full page would have been measured instead.
    assert render_fitted(with_appendix, stylesheets=STYLESHEETS).step == 0
