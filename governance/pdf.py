"""Render HTML to tagged, accessible PDF with WeasyPrint.

One function, the same in a view and in a worker. Per process it keeps one FontConfiguration
and each stylesheet parsed once (re-creating them leaks memory and costs layout time); static
files are read from disk, and nothing is ever fetched over the network.
"""

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML, Attachment, Document
from weasyprint.formatting_structure import boxes
from weasyprint.text.ffi import harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)
if not harfbuzz_subset:
    logger.warning(
        "WeasyPrint cannot load libharfbuzz-subset: PDFs render about 1.8x slower. "
        "Install libharfbuzz-subset0."
    )

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "full_fonts": False}


# WeasyPrint tags each run of text (each line of each inline box) as a /Span structure element
# of its own, holding one marked-content id: 544 of them in the longest notice, about 7 KB of
# its 62. PDF/UA asks for no such element: a run's marked content may belong to its paragraph,
# heading or list item directly, as WeasyPrint already does for a link's text. So its
# ``_build_box_tree`` is recompiled with that one branch taken for every element. The text,
# its reading order and every element that means something (P, H1-H4, L, LI, Lbl, LBody,
# Table, TH, TD, Link...) are as before; ``tests/governance/test_pdf_tags.py`` checks it. If
# WeasyPrint's code is not the code this was written against, it is left alone (the PDFs are
# then a little larger, no less correct) and the log says so.
_TEXT_RUN_BRANCH = "                if tag == 'Link':\n"


def _attach_text_runs_to_their_elements() -> bool:
    import inspect

    from weasyprint.pdf import tags

    original = tags._build_box_tree
    if getattr(original, "attaches_text_runs", False):
        return True
    source = inspect.getsource(original)
    if source.count(_TEXT_RUN_BRANCH) != 1:
        logger.warning(
            "WeasyPrint's tagging is not the code governance.pdf adapts: each line of text "
            "keeps a /Span element of its own (PDFs about 10%% larger)."
        )
        return False
    code = compile(
        source.replace(_TEXT_RUN_BRANCH, "                if True:\n"), tags.__file__, "exec"
    )
    namespace = dict(vars(tags))  # so that its recursion calls the recompiled function
    exec(code, namespace)  # nosec B102
    adapted = namespace["_build_box_tree"]
    adapted.attaches_text_runs = True
    tags._build_box_tree = adapted
    return True


TEXT_RUNS_ATTACHED = _attach_text_runs_to_their_elements()


class LocalFilesOnly(URLFetcher):
    """Fetch only files inside the project (static files); refuse every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self._root = Path(settings.BASE_DIR).resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(self._root):
                raise ValueError(f"Refusing to read a file outside the project: {url}")
        return super().fetch(url, headers)


@functools.cache
def local_fetcher() -> LocalFilesOnly:
    """Return this process's fetcher (building one sets up SSL contexts: tens of ms)."""
    return LocalFilesOnly()


@functools.cache
def font_config() -> FontConfiguration:
    """Return this process's shared font configuration."""
    return FontConfiguration()


@functools.cache
def stylesheet(static_path: str) -> CSS:
    """Return the parsed stylesheet at ``static_path`` (a static file name), parsed once."""
    found = finders.find(static_path)
    if not found:
        raise FileNotFoundError(f"No static file {static_path!r} for the PDF stylesheet")
    return CSS(filename=str(found), font_config=font_config(), url_fetcher=local_fetcher())


# The layouts a document may take: the plain one, a little tighter (stray lines move back),
# a little looser (more lines move over). With each, roughly how much taller than the plain
# layout the same text runs (measured on the demo notices: fixed-size headings, tables and
# break rules make the real figure vary by a few per cent, so it only orders the tries).
FIT_STEPS = [
    "",
    "html { font-size: 9.2pt; line-height: 1.36; }",
    "html { font-size: 8.9pt; line-height: 1.33; } p { margin-bottom: 2mm; }",
    "html { font-size: 9.8pt; line-height: 1.45; }",
    "html { font-size: 10.1pt; line-height: 1.5; }",
]
FIT_SCALES = [1.0, 0.94, 0.9, 1.065, 1.12]
# A quarter of a page, with a margin: the boxes' bottom and the last baseline differ a little.
MIN_LAST_PAGE_FILL = 0.3


@functools.cache
def _fit_stylesheet(css: str) -> CSS:
    return CSS(string=css, font_config=font_config(), url_fetcher=local_fetcher())


def last_page_fill(document: Document, page: int = -1) -> float:
    """Return how much of the last page's text area (or ``page``'s) the content fills (0 to
    1), from the laid-out boxes (running headers and footers are margin boxes and do not
    count)."""
    page_box = document.pages[page]._page_box
    top = page_box.content_box_y()
    height = page_box.height
    bottom = top
    stack = [child for child in page_box.children if not isinstance(child, boxes.MarginBox)]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.LineBox | boxes.ReplacedBox | boxes.TableRowBox):
            bottom = max(bottom, box.position_y + box.margin_height())
        elif isinstance(box, boxes.ParentBox):
            stack.extend(box.children)
    return (bottom - top) / height if height else 1.0


def _render(html: str, stylesheets: list[str], extra_css: str) -> Document:
    sheets = [stylesheet(name) for name in stylesheets]
    if extra_css:
        sheets.append(_fit_stylesheet(extra_css))
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_fetcher())
    return document.render(font_config=font_config(), stylesheets=sheets, **PDF_OPTIONS)


def _text_pages(document: Document, appendix: str) -> int:
    """Return how many pages come before the one where the element with id ``appendix``
    starts (an appendix on pages of its own): all of them when there is none."""
    if appendix:
        for number, page in enumerate(document.pages):
            if appendix in page.anchors:
                return number
    return len(document.pages)


def _fits(document: Document, appendix: str = "") -> bool:
    """Whether the text's last page is full enough (an appendix's pages are not measured)."""
    pages = _text_pages(document, appendix)
    return pages <= 1 or last_page_fill(document, pages - 1) >= MIN_LAST_PAGE_FILL


def _likely_order(length: float, step: int) -> list[int]:
    """Return the other steps, the likeliest to leave a full enough last page first, for a
    document ``length`` pages long (whole pages plus the last page's fill) at ``step``."""

    def margin(candidate: int) -> float:
        expected = length * FIT_SCALES[candidate] / FIT_SCALES[step]
        if expected <= 1:
            return 1 - expected  # one page: no last page to fill
        fill = expected % 1
        # Clear of both edges: not too empty, and not so full that a line spills over.
        return min(fill - MIN_LAST_PAGE_FILL, 1 - fill)

    return sorted((s for s in range(len(FIT_STEPS)) if s != step), key=margin, reverse=True)


@dataclass(frozen=True)
class Fitted:
    document: Document
    step: int  # the index in FIT_STEPS of the layout kept
    layouts: int  # how many layouts it took


def render_fitted(
    html: str, *, stylesheets: list[str], start: int | None = None, appendix: str = ""
) -> Fitted:
    """Lay out ``html`` so that its last page is not nearly empty.

    It is laid out first with ``start`` (the step the document's previous version kept, so a
    small edit keeps its type size and costs one layout) or the plain layout. If the last page
    is under ``MIN_LAST_PAGE_FILL`` full, the other steps are tried, the likeliest first by
    how long the document ran (usually one more layout). If none fits, the first is kept.
    With ``appendix`` (the id of an element that starts on a page of its own), the text's
    last page is the one before the appendix.
    """
    step = start if start is not None and 0 <= start < len(FIT_STEPS) else 0
    first = _render(html, stylesheets, FIT_STEPS[step])
    if _fits(first, appendix):
        return Fitted(first, step, 1)
    pages = _text_pages(first, appendix)
    length = pages - 1 + last_page_fill(first, pages - 1)
    for layouts, candidate in enumerate(_likely_order(length, step), start=2):
        document = _render(html, stylesheets, FIT_STEPS[candidate])
        if _fits(document, appendix):
            return Fitted(document, candidate, layouts)
    return Fitted(first, step, len(FIT_STEPS))


def html_to_pdf(
    html: str, *, stylesheets: list[str], attachments: list[Attachment] | None = None
) -> bytes:
    """Lay out ``html`` with the named static stylesheets and return tagged PDF bytes.

    ``attachments`` are embedded as files (e.g. the exact PDF a signer was shown).
    """
    return fitted_pdf(html, stylesheets=stylesheets, attachments=attachments).pdf


class FittedPDF(NamedTuple):
    pdf: bytes
    step: int  # the index in FIT_STEPS of the layout kept
    layouts: int  # how many layouts it took


def fitted_pdf(
    html: str,
    *,
    stylesheets: list[str],
    attachments: list[Attachment] | None = None,
    start: int | None = None,
    appendix: str = "",
) -> FittedPDF:
    """Like ``html_to_pdf``; also return the ``FIT_STEPS`` index of the layout kept and how
    many layouts it took, and lay out first with ``start`` (see ``render_fitted``, as for
    ``appendix``)."""
    fitted = render_fitted(html, stylesheets=stylesheets, start=start, appendix=appendix)
    pdf = fitted.document.write_pdf(attachments=attachments, **PDF_OPTIONS)
    assert pdf is not None
    return FittedPDF(pdf, fitted.step, fitted.layouts)
