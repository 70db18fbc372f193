"""Anyone can read a school's current notices, their history and what changed, and the PDFs."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from governance.models import School
from governance.pdf import FittedPDF
from notices.models import NoticeVersion
from notices.services import notice_sections, publish_school_notices, refresh_school_notices
from notices.views import BACK_TO_CONTENTS, notice_explains, with_back_links
from processors.models import Processor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def demo() -> None:
    """The demo world is loaded once for the module (``demo_for_module``)."""


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch, settings, tmp_path) -> None:
    """These tests are about pages, not layout: skip WeasyPrint (tested in test_services)."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(
        "notices.services.fitted_pdf", lambda html, **kw: FittedPDF(b"%PDF-1.7 test", 0, 1)
    )


@pytest.fixture
def issued(demo) -> School:
    """Avon Meadow with both notices issued, then second versions after an edit."""
    avon = School.objects.get(name="Avon Meadow Primary School")
    refresh_school_notices(school=avon)
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")
    refresh_school_notices(school=avon)
    return avon


def test_school_page_links_both_current_notices(issued, client: Client) -> None:
    page = client.get(f"/schools/{issued.urn}/privacy/")

    assert page.status_code == 200
    text = page.content.decode()
    assert f"/schools/{issued.urn}/privacy/pupils.pdf" in text
    assert f"/schools/{issued.urn}/privacy/workforce.pdf" in text
    assert "Version 2" in text


def test_stable_pdf_link_serves_the_latest_version(issued, client: Client) -> None:
    response = client.get(f"/schools/{issued.urn}/privacy/pupils.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "avon-meadow-primary-school-privacy-notice-pupils-v2.pdf" in response["Content-Disposition"]
    )
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"  # consumed, so closed


def test_old_versions_stay_readable_with_what_changed(issued, client: Client) -> None:
    current = client.get(f"/schools/{issued.urn}/privacy/pupils/").content.decode()
    old = client.get(f"/schools/{issued.urn}/privacy/pupils/v1/").content.decode()
    old_pdf = client.get(f"/schools/{issued.urn}/privacy/pupils/v1.pdf")

    assert "Where Redstor stores information changed" in current
    assert "UK (London)" in current
    assert "this is an earlier version" in old
    assert "This is the first version of this notice." in old
    assert old_pdf.status_code == 200
    b"".join(old_pdf.streaming_content)  # read to the end, which closes it


def test_notice_page_shows_the_recipients(issued, client: Client) -> None:
    text = client.get(f"/schools/{issued.urn}/privacy/workforce/").content.decode()

    for name in ["HR &amp; Payroll", "Microsoft", "Redstor", "Information Commissioner"]:
        assert name in text


@pytest.mark.parametrize(
    "url",
    [
        "/schools/000000/privacy/",
        "/schools/999101/privacy/parents/",
        "/schools/999101/privacy/pupils/v9/",
        "/schools/999101/privacy/pupils/v9.pdf",
        "/schools/999101/privacy/governors.pdf",
    ],
)
def test_unknown_things_are_404(issued, client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_new_school_has_no_public_notice_until_published(demo, client: Client) -> None:
    stour = School.objects.get(urn="999104")  # the demo's school being onboarded
    refresh_school_notices(school=stour)  # a registry change does not issue a draft

    response = client.get("/schools/999104/privacy/pupils/")
    assert response.status_code == 404
    assert b"has not published its privacy notices here yet" in response.content
    assert client.get("/schools/999104/privacy/pupils.pdf").status_code == 404
    assert b"has not published" in client.get("/schools/999104/privacy/").content
    assert not NoticeVersion.objects.filter(school=stour).exists()

    publish_school_notices(school=stour)
    assert client.get("/schools/999104/privacy/pupils/").status_code == 200
    pdf = client.get("/schools/999104/privacy/pupils.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_notice_not_yet_issued_says_so(demo, client: Client) -> None:
    School.objects.filter(urn="999104").update(notices_published_at=timezone.now())

    response = client.get("/schools/999104/privacy/pupils/")

    assert response.status_code == 404
    assert b"has not been issued yet" in response.content
    assert b"being prepared" in client.get("/schools/999104/privacy/").content


def test_failed_version_is_never_served(issued, client: Client) -> None:
    NoticeVersion.objects.filter(school=issued, audience="pupils", number=2).update(
        status=NoticeVersion.Status.FAILED
    )

    response = client.get(f"/schools/{issued.urn}/privacy/pupils.pdf")

    assert "pupils-v1.pdf" in response["Content-Disposition"]
    assert client.get(f"/schools/{issued.urn}/privacy/pupils/v2/").status_code == 404
    b"".join(response.streaming_content)  # read to the end, which closes it


def test_school_list_searches_by_name_urn_and_postcode(demo, client: Client) -> None:
    assert b"Ysgol Bryn Derw" in client.get("/schools/?q=bryn").content
    assert b"Arden Heath" in client.get("/schools/?q=999102").content
    found = client.get("/schools/?q=CV37").content
    assert b"Avon Meadow" in found
    assert b"Arden Heath" not in found
    assert client.get("/").status_code == 302


def test_render_documents_command(demo) -> None:
    out = StringIO()

    call_command("render_documents", "--sync", "--school", "6669901", stdout=out)
    call_command("render_documents", "--sync", "--school", "6669901", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Ysgol Bryn Derw: Pupils and parents: version 1 issued")
    assert lines[1] == (
        "Ysgol Bryn Derw: Pupils and parents: unchanged (version 1); "
        "School workforce: unchanged (version 1)"
    )
    with pytest.raises(CommandError, match="No school with URN 123456"):
        call_command("render_documents", "--school", "123456")


class _Page(HTMLParser):
    """What a notice page offers a reader: its element ids, the contents list's links, each
    section's heading and the "Back to contents" links."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.contents: list[tuple[str, str]] = []
        self.headings: dict[str, str] = {}
        self.back_links = 0
        self._nav = self._in_link = self._in_h2 = False
        self._section: str | None = None
        self._href = self._text = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("id"):
            self.ids.add(attr["id"] or "")
        if tag == "nav" and attr.get("id") == "contents":
            self._nav = True
        if tag == "section" and attr.get("id"):
            self._section = attr["id"]
        if tag == "h2" and self._section and self._section not in self.headings:
            self._in_h2, self._text = True, ""
        if tag == "a":
            self._in_link, self._href, self._text = True, attr.get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._in_link or self._in_h2:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._nav = False
        if tag == "h2" and self._in_h2:
            self.headings[self._section or ""] = self._text.strip()
            self._in_h2 = False
        if tag == "a" and self._in_link:
            self._in_link = False
            if self._nav and self._text.strip():
                self.contents.append((self._href, self._text.strip()))
            if self._href == "#contents" and self._text.strip() == "Back to contents":
                self.back_links += 1


@pytest.mark.parametrize(
    ("name", "audience"),
    [
        ("Avon Meadow Primary School", "pupils"),
        ("Oakfield Vale Primary Academy", "pupils"),
        ("Oakfield Vale Primary Academy", "workforce"),
        ("Ysgol Bryn Derw", "workforce"),
    ],
)
def test_notice_page_has_contents_linking_to_each_section(demo, client, name, audience) -> None:
    school = School.objects.get(name=name)
    refresh_school_notices(school=school)
    version = NoticeVersion.objects.current_for(school, audience)
    assert version is not None

    page = _Page(client.get(f"/schools/{school.urn}/privacy/{audience}/").content.decode())

    sections = notice_sections(version.content)
    notice_entries = page.contents[: len(sections)]
    assert notice_entries == [(f"#{anchor}", heading) for anchor, heading in sections]
    for anchor, heading in sections:
        assert anchor in page.ids
        assert page.headings[anchor] == heading  # the entry's words are the heading's
    assert all(href[1:] in page.ids for href, _ in page.contents)  # no link goes nowhere
    assert page.back_links == len(sections)  # a way back to the contents from each section


def test_contents_leaves_out_the_sections_a_notice_does_not_have(demo, client) -> None:
    oakfield = School.objects.get(name="Oakfield Vale Primary Academy")
    refresh_school_notices(school=oakfield)

    pupils = _Page(client.get(f"/schools/{oakfield.urn}/privacy/pupils/").content.decode())
    staff = _Page(client.get(f"/schools/{oakfield.urn}/privacy/workforce/").content.decode())

    assert ("#systems", "Where we keep it") in pupils.contents
    assert "#systems" not in dict(staff.contents)
    assert "#transfers" not in dict(staff.contents)
    assert "#security" not in dict(staff.contents)


def test_contents_lists_all_versions_once_there_are_several(issued, client) -> None:
    page = _Page(client.get(f"/schools/{issued.urn}/privacy/pupils/").content.decode())

    assert ("#history", "All versions") in page.contents
    assert ("#changes", "What changed in this version") in page.contents
    assert {"history", "changes"} <= page.ids


def test_back_links_close_only_top_level_sections() -> None:
    body = (
        '<section id="a"><h2>A</h2><section><p>x</p></section></section><section id="b"></section>'
    )

    result = with_back_links(body)

    assert result == (
        f'<section id="a"><h2>A</h2><section><p>x</p></section>{BACK_TO_CONTENTS}</section>'
        f'<section id="b">{BACK_TO_CONTENTS}</section>'
    )


FULL_CONTENT = {
    "categories": [{"title": "Contacts"}],
    "purposes": [{"description": "To teach"}],
    "bases": [{"code": "Art 6(1)(e)"}],
    "laws": [],
    "systems": [{"name": "SIMS"}],
    "recipient_groups": [{"key": "suppliers", "recipients": [{"name": "Redstor"}]}],
    "transfers": {"outside": [{"name": "Microsoft"}], "all_in_uk": False},
    "security": ["Encrypted laptops"],
    "retention": [{"name": "Backups"}],
    "retention_schedule": {"summary": "", "url": ""},
    "rights": [{"name": "Access"}],
}

CLAIMS = {
    "categories": "what information is held",
    "purposes": "why it is used",
    "bases": "the law that allows",
    "systems": "where it is kept",
    "recipient_groups": "who it is shared with",
    "transfers": "outside the UK",
    "security": "how it is protected",
    "retention": "how long it is kept",
    "rights": "your rights",
}


def test_what_a_notice_explains_names_everything_it_covers() -> None:
    assert notice_explains(FULL_CONTENT) == (
        "This notice explains what information is held, why it is used and the law that allows "
        "it, where it is kept, who it is shared with, which companies store it outside the UK, "
        "how it is protected, how long it is kept, your rights and how to complain."
    )


@pytest.mark.parametrize("key", CLAIMS)
def test_what_a_notice_explains_claims_nothing_it_does_not_cover(key: str) -> None:
    empty = {"transfers": {"outside": [], "all_in_uk": False}}.get(key, [])
    content = {**FULL_CONTENT, key: empty}

    sentence = notice_explains(content)

    assert CLAIMS[key] not in sentence
    assert sentence.startswith("This notice explains ")
    assert sentence.endswith(".")
    if key == "categories":  # "it" still has something to stand for
        assert sentence.startswith("This notice explains why personal information is used")


def test_what_a_notice_explains_says_kept_in_the_uk_only_when_it_is() -> None:
    in_uk = {**FULL_CONTENT, "transfers": {"outside": [], "all_in_uk": True}}

    assert "that the companies named keep it in the UK" in notice_explains(in_uk)
    assert "in the UK" not in notice_explains(
        {**FULL_CONTENT, "transfers": {"outside": [], "all_in_uk": False}}
    )


def test_school_page_claims_only_what_each_notice_covers(issued, client) -> None:
    staff = NoticeVersion.objects.current_for(issued, "workforce")
    assert staff is not None
    gaps = {"categories": [], "systems": [], "recipient_groups": [], "purposes": []}
    NoticeVersion.objects.filter(pk=staff.pk).update(content={**staff.content, **gaps})

    text = client.get(f"/schools/{issued.urn}/privacy/").content.decode()

    assert "what information the school holds" not in text  # the old blanket claim
    pupils_sentence, staff_sentence = re.findall(r"This notice explains [^<]*", text)
    assert "what information is held" in pupils_sentence
    assert "who it is shared with" in pupils_sentence
    for claim in ["what information is held", "who", "why", "where it is kept"]:
        assert claim not in staff_sentence
    assert "your rights" in staff_sentence


def test_school_list_says_which_schools_have_not_published(demo, client) -> None:
    text = client.get("/schools/").content.decode()

    assert "Each school publishes" not in text
    stour = text[text.index("Stour Valley") :]
    assert "notices not yet published here" in stour[: stour.index("</li>")]
    avon = text[text.index("Avon Meadow") :]
    assert "not yet published" not in avon[: avon.index("</li>")]
    assert "No schools are listed yet" not in text
