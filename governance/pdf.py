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
from weasyprint import CSS, HTML, Attachment
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


def html_to_pdf(
    html: str, *, stylesheets: list[str], attachments: list[Attachment] | None = None
) -> bytes:
    """Lay out ``html`` with the named static stylesheets and return tagged PDF bytes.

    ``attachments`` are embedded as files (e.g. the exact PDF a signer was shown).
    """
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_fetcher())
    pdf = document.write_pdf(
        stylesheets=[stylesheet(name) for name in stylesheets],
        font_config=font_config(),
        attachments=attachments,
        **PDF_OPTIONS,
    )
    assert pdf is not None
    return pdf
