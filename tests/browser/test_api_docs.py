"""The API's interactive docs work in a real browser under the site's CSP, from local assets."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_page_lists_the_resources_without_a_csp_violation(page, live_server):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector("text=/api/v1/flows/", timeout=15000)

    assert problems == []
    assert [url for url in external if not url.startswith("data:")] == []
    assert page.locator("text=/api/v1/schools/{urn}/").count() >= 1
