"""Issuing notices: a version only when content changes; failures recorded, never served."""

import io

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from governance.models import School
from governance.pdf import FittedPDF
from notices import services
from notices.content import build_notice_content
from notices.models import NoticeVersion
from notices.services import publish_school_notices, refresh_notice, refresh_school_notices
from processors.models import Processor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def demo() -> None:
    """The demo world is loaded once for the module (``demo_for_module``)."""


def pdf_bytes(version: NoticeVersion) -> bytes:
    with version.pdf.open("rb") as pdf:
        return pdf.read()


@pytest.fixture
def avon(demo, settings, tmp_path) -> School:
    settings.MEDIA_ROOT = tmp_path
    return School.objects.get(name="Avon Meadow Primary School")


def test_first_refresh_issues_version_one_with_pdf_and_html(avon) -> None:
    result = refresh_notice(school=avon, audience="pupils")

    version = result.version
    assert result.created
    assert (version.number, version.status) == (1, NoticeVersion.Status.RENDERED)
    assert pdf_bytes(version)[:5] == b"%PDF-"
    assert version.pdf_size == version.pdf.size
    assert 'id="sharing"' in version.html
    assert version.rendered_at is not None


def test_unchanged_content_creates_nothing(avon) -> None:
    first = refresh_notice(school=avon, audience="pupils").version

    again = refresh_notice(school=avon, audience="pupils")

    assert not again.created
    assert again.version.pk == first.pk
    assert NoticeVersion.objects.filter(school=avon).count() == 1


def test_registry_change_issues_the_next_version_and_keeps_the_old(avon) -> None:
    first = refresh_notice(school=avon, audience="pupils").version
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")

    second = refresh_notice(school=avon, audience="pupils").version

    assert second.number == 2
    assert second.content_hash != first.content_hash
    first.refresh_from_db()
    assert first.status == NoticeVersion.Status.RENDERED
    assert pdf_bytes(first)[:5] == b"%PDF-"
    assert NoticeVersion.objects.current_for(avon, "pupils") == second


@pytest.fixture
def starts(monkeypatch) -> list[int | None]:
    """The layout step each render tries first (``fitted_pdf``'s ``start``), in order."""
    tried: list[int | None] = []
    real = services.fitted_pdf

    def spy(html, **kwargs):
        tried.append(kwargs.get("start"))
        return real(html, **kwargs)

    monkeypatch.setattr(services, "fitted_pdf", spy)
    return tried


def test_a_version_records_how_many_layouts_its_render_took(avon, monkeypatch) -> None:
    """One when the first layout fits; two when its text's last page was nearly empty."""
    from governance import pdf

    first = refresh_notice(school=avon, audience="pupils").version
    assert first.layouts in (1, 2)
    assert first.layouts == 1 or first.layout != 0  # a second layout is another step

    answers = iter([False])  # the first layout leaves the last page nearly empty; then fits
    monkeypatch.setattr(pdf, "_fits", lambda document, appendix="": next(answers, True))
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")

    second = refresh_notice(school=avon, audience="pupils").version

    assert second.number == 2
    assert second.layouts == 2
    assert second.layout != first.layout


def test_the_next_version_is_laid_out_first_as_the_last_one_was(avon, starts) -> None:
    first = refresh_notice(school=avon, audience="pupils").version
    assert first.layout is not None
    NoticeVersion.objects.filter(pk=first.pk).update(layout=3)  # as if it had needed step 3
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")
    starts.clear()

    second = refresh_notice(school=avon, audience="pupils").version

    assert starts == [3]
    assert second.layout is not None


def test_a_schools_first_notice_is_laid_out_first_as_the_nearest_in_length_was(
    avon, starts
) -> None:
    """Forty schools onboarded from one registry issue notices alike: the first version of
    each is laid out first as an issued notice within 0.2 % of its length was."""
    ours = refresh_notice(school=avon, audience="pupils").version
    assert ours.body_length == len(ours.html)
    victoria = School.objects.get(name="Victoria CP School")
    unsaved = NoticeVersion(school=victoria, audience="pupils", number=1,
                            content=build_notice_content(victoria, "pupils"))  # fmt: skip
    body = len(render_to_string("notices/_notice_body.html", services.notice_context(unsaved)))
    # An issued pupils notice a few characters longer kept step 3; a workforce notice of the
    # very same length kept step 1 (another audience: not alike).
    NoticeVersion.objects.filter(pk=ours.pk).update(layout=3, body_length=body + 5)
    workforce = refresh_notice(school=avon, audience="workforce").version
    NoticeVersion.objects.filter(pk=workforce.pk).update(layout=1, body_length=body)
    starts.clear()

    first = refresh_notice(school=victoria, audience="pupils").version

    assert first.number == 1
    assert starts == [3]  # the nearest of the same audience
    assert first.body_length == body


def test_a_first_notice_with_none_of_like_length_is_laid_out_plainly_first(avon, starts) -> None:
    ours = refresh_notice(school=avon, audience="pupils").version
    NoticeVersion.objects.filter(pk=ours.pk).update(layout=3, body_length=10)
    starts.clear()

    refresh_notice(school=School.objects.get(name="Victoria CP School"), audience="pupils")

    assert starts == [None]


def test_rendering_failure_is_recorded_and_not_served_then_retried(avon, monkeypatch) -> None:
    issued = refresh_notice(school=avon, audience="pupils").version
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")

    def broken(*args: object, **kwargs: object) -> tuple[bytes, int]:
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr("notices.services.fitted_pdf", broken)
    with pytest.raises(RuntimeError):
        refresh_notice(school=avon, audience="pupils")

    failed = NoticeVersion.objects.get(school=avon, audience="pupils", number=2)
    assert failed.status == NoticeVersion.Status.FAILED
    assert failed.error == "RuntimeError: font cache unavailable"
    assert not failed.pdf
    assert NoticeVersion.objects.current_for(avon, "pupils") == issued

    monkeypatch.undo()
    retried = refresh_notice(school=avon, audience="pupils").version

    assert retried.pk == failed.pk
    assert (retried.status, retried.attempts, retried.error) == ("rendered", 2, "")
    assert NoticeVersion.objects.current_for(avon, "pupils") == retried


def test_pdf_is_tagged_accessible_and_names_every_recipient(avon) -> None:
    version = refresh_notice(school=avon, audience="pupils").version
    reader = PdfReader(io.BytesIO(pdf_bytes(version)))
    catalog = reader.trailer["/Root"]
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())

    assert bool(catalog["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Privacy notice for pupils and parents: Avon Meadow")
    assert reader.metadata.author == "Avon Meadow Primary School"
    assert "Avon Meadow Primary School" in flat
    recipients = [r for g in version.content["recipient_groups"] for r in g["recipients"]]
    assert len(recipients) > 10
    for recipient in recipients:
        assert recipient["name"] in flat, recipient["name"]
    assert "Department for Education" in flat
    assert f"Page 1 of {len(reader.pages)}" in flat
    fonts = {
        font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert all("+" in name for name in fonts)  # embedded subsets


def test_pdf_never_fetches_remote_urls() -> None:
    from governance.pdf import local_fetcher

    with pytest.raises(ValueError, match="disallowed protocol"):
        local_fetcher().fetch("http://example.org/logo.png")
    with pytest.raises(ValueError, match="outside the project"):
        local_fetcher().fetch("file:///etc/passwd")


def test_a_registry_change_after_publication_emails_the_dpo_once_with_what_changed(
    avon, mailoutbox, monkeypatch
) -> None:
    monkeypatch.setattr(
        "notices.services.fitted_pdf", lambda html, **kw: FittedPDF(b"%PDF-1.7 test", 0, 1)
    )
    refresh_school_notices(school=avon)  # versions 1: news to no one
    assert mailoutbox == []
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")
    Processor.objects.filter(name="Groupcall").update(data_location="UK (Manchester)")

    refresh_school_notices(school=avon)

    assert len(mailoutbox) == 1  # one email for the batch, however many changes
    message = mailoutbox[0]
    assert message.to == ["dpo@schools-dpo.example.org"]
    assert "Avon Meadow Primary School" in message.subject
    assert "Where Redstor stores information changed" in message.body
    assert "Where Groupcall stores information changed" in message.body
    assert "/schools/999101/privacy/pupils/v2/" in message.body


def test_publishing_ends_the_draft_and_sends_no_email(mailoutbox, monkeypatch) -> None:
    monkeypatch.setattr(
        "notices.services.fitted_pdf", lambda html, **kw: FittedPDF(b"%PDF-1.7 test", 0, 1)
    )
    stour = School.objects.get(name="Stour Valley CofE Primary School")
    assert refresh_school_notices(school=stour) == []  # a draft issues nothing

    results = publish_school_notices(school=stour)

    stour.refresh_from_db()
    assert stour.is_published
    assert [r.version.number for r in results] == [1, 1]
    assert mailoutbox == []
