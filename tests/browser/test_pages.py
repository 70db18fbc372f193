"""Real-browser stories: a parent on a phone reads a notice; staff check what leaves a school."""

import pytest
from playwright.sync_api import expect

from governance.demo import load_demo
from governance.models import School
from notices.services import refresh_school_notices
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    school = School.objects.get(name="Ysgol Bryn Derw")
    refresh_school_notices(school=school)
    return school


def test_parent_finds_reads_and_downloads_a_notice_on_a_phone(world, page, live_server) -> None:
    page.goto(f"{live_server.url}/schools/")
    page.get_by_label("School name, URN or postcode").fill("bryn")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ysgol Bryn Derw").click()
    page.get_by_role("link", name="Read the notice").first.click()

    heading = page.get_by_role("heading", name="Privacy notice for pupils and parents")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Welsh Government", exact=True).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this version as PDF").evaluate(
            "a => { a.setAttribute('download', ''); a.click(); }"
        )
    path = download_info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_staff_sees_what_leaves_a_school(world, page, live_server) -> None:
    # Arden Heath subscribes to WeLearn365 (Microsoft) but not to Full Server Support (Redstor).
    arden = School.objects.get(name="Arden Heath Academy")
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/governance/school/{arden.pk}/change/")
    page.get_by_role("link", name="What leaves this school").first.click()

    expect(page.get_by_role("heading", name="What leaves Arden Heath Academy")).to_be_visible()
    expect(page.get_by_role("link", name="Microsoft", exact=True)).to_be_visible()
    assert page.get_by_role("link", name="Redstor").count() == 0


NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_no_public_page_scrolls_sideways_on_a_phone(world, page, live_server) -> None:
    urls = [
        "/schools/",
        f"/schools/{world.urn}/privacy/",  # the permanent PDF links are long words
        f"/schools/{world.urn}/privacy/pupils/",
        f"/schools/{world.urn}/privacy/workforce/",
        "/schools/999104/privacy/",  # the demo's school not yet published
        "/schools/999104/privacy/pupils/",
    ]
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.clientWidth") == 390
        assert page.evaluate(NO_SIDEWAYS_SCROLL), url


def _top(page, selector: str) -> float:
    return page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().top")


def test_contents_jumps_to_a_section_and_back_on_a_phone(world, page, live_server) -> None:
    page.goto(f"{live_server.url}/schools/{world.urn}/privacy/pupils/")
    contents = page.get_by_role("navigation", name="Contents")

    contents.get_by_role("link", name="Your rights").click()

    assert page.url.endswith("#rights")
    assert page.evaluate("window.scrollY") > 2000  # far down the page
    assert 0 <= _top(page, "#rights") < 50  # the section's heading is at the top
    back = page.locator("#rights").get_by_role("link", name="Back to contents")
    expect(back).to_be_visible()
    back.click()
    assert page.url.endswith("#contents")
    assert 0 <= _top(page, "#contents") < 50
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_contents_stays_in_view_beside_the_notice_on_a_laptop(world, page, live_server) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/schools/{world.urn}/privacy/pupils/")

    nav = page.get_by_role("navigation", name="Contents")

    nav.get_by_role("link", name="Who we share it with").click()

    assert 0 <= _top(page, "#sharing") < 50
    expect(nav).to_be_visible()
    assert 0 <= _top(page, "#contents") < 50  # sticky: still on screen, no need to go back
    expect(page.locator("#sharing .to-contents a")).to_be_hidden()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
