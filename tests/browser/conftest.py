"""Browser tests: Playwright driving Debian's chromium against a live server.

Skipped, with the reason, where /usr/bin/chromium is missing (scripts/system-deps installs it
on Debian when run as root). Playwright's own browser downloads are never used.
"""

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (scripts/system-deps installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's ORM calls made by the test body
    # (fixtures, assertions) are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()
