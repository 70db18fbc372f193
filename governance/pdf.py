"""Render HTML to tagged, accessible PDF with WeasyPrint.

One function, the same in a view and in a worker. Per process it keeps one FontConfiguration
and each stylesheet parsed once (re-creating them leaks memory and costs layout time); static
files are read from disk, and nothing is ever fetched over the network.
"""

import functools
import logging
from pathlib import Path
from typing import Any
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


# Layouts tried, in order, when a document's last page would hold less than a quarter of a
# page: a little tighter first (the stray lines move back), then a little looser (more lines
# move over). The first that fills the last page enough is kept; otherwise the first layout.
FIT_STEPS = [
    "",
    "html { font-size: 9.2pt; line-height: 1.36; }",
    "html { font-size: 8.9pt; line-height: 1.33; } p { margin-bottom: 2mm; }",
    "html { font-size: 9.8pt; line-height: 1.45; }",
    "html { font-size: 10.1pt; line-height: 1.5; }",
]
# A quarter of a page, with a margin: the boxes' bottom and the last baseline differ a little.
MIN_LAST_PAGE_FILL = 0.3


@functools.cache
def _fit_stylesheet(css: str) -> CSS:
    return CSS(string=css, font_config=font_config(), url_fetcher=local_fetcher())


def last_page_fill(document: Document) -> float:
    """Return how much of the last page's text area the content fills (0 to 1), from the
    laid-out boxes (running headers and footers are margin boxes and do not count)."""
    page = document.pages[-1]._page_box
    top = page.content_box_y()
    height = page.height
    bottom = top
    stack = [child for child in page.children if not isinstance(child, boxes.MarginBox)]
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


def render_fitted(html: str, *, stylesheets: list[str]) -> Document:
    """Lay out ``html``, trying the ``FIT_STEPS`` until the last page is not nearly empty."""
    first = None
    for extra_css in FIT_STEPS:
        document = _render(html, stylesheets, extra_css)
        if len(document.pages) == 1 or last_page_fill(document) >= MIN_LAST_PAGE_FILL:
            return document
        first = first or document
    assert first is not None
    return first


def html_to_pdf(
    html: str, *, stylesheets: list[str], attachments: list[Attachment] | None = None
) -> bytes:
    """Lay out ``html`` with the named static stylesheets and return tagged PDF bytes.

    ``attachments`` are embedded as files (e.g. the exact PDF a signer was shown).
    """
    document = render_fitted(html, stylesheets=stylesheets)
    pdf = document.write_pdf(attachments=attachments, **PDF_OPTIONS)
    assert pdf is not None
    return pdf
