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


def graphviz_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when Graphviz's dot is missing: notices then go out without their data-flow map,
    and the portal and the admin cannot draw one."""
    import shutil

    if shutil.which("dot"):
        return []
    return [
        checks.Warning(
            "Graphviz (dot) is not installed: notice PDFs are rendered without their "
            "data-flow map appendix, and the portal and the admin cannot show the map.",
            hint="Install the system package graphviz (scripts/system-deps does).",
            id="notices.W002",
        )
    ]


def register() -> None:
    checks.register(harfbuzz_subset_check)
    checks.register(graphviz_check)
