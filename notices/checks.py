"""Start-up checks for document rendering."""

from typing import Any

from django.core import checks


def harfbuzz_subset_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when WeasyPrint lacks HarfBuzz's subsetter: PDFs then take ~1.8x longer."""
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset:
        return []
    return [
        checks.Warning(
            "WeasyPrint cannot load libharfbuzz-subset; it falls back to a slow pure-Python "
            "font subsetter (PDF rendering about 1.8x slower).",
            hint="Install the system package libharfbuzz-subset0 (Debian/Ubuntu).",
            id="notices.W001",
        )
    ]


def register() -> None:
    checks.register(harfbuzz_subset_check)
