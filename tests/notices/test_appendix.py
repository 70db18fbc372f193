"""The notice PDF's appendix: the data-flow map of the notice's own recipients, drawn by
Graphviz from the version's content, on pages of its own after the text, listed in the
contents, its words real lines of the tagged PDF. Without Graphviz a notice still renders,
without the appendix, and the system check says why."""

import io
import shutil

import pytest
from django.core import checks
from pypdf import PdfReader

from governance import flowmap
from governance.models import School
from notices import services
from notices.checks import graphviz_check
from notices.content import build_notice_content
from notices.models import NoticeVersion
from notices.services import refresh_notice
from tests.factories import DataFlowFactory, ProcessorFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo_for_module"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed"),
]
HEADING = "Appendix: where the information goes"


@pytest.fixture
def avon(settings, tmp_path) -> School:
    settings.MEDIA_ROOT = tmp_path
    return School.objects.get(name="Avon Meadow Primary School")


def pages_of(version: NoticeVersion) -> list[str]:
    with version.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def structure_of(version: NoticeVersion) -> list[tuple[str, str]]:
    """Every structure element's type and alternative text, in the tree's order."""
    with version.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    found, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        element = stack.pop().get_object()
        if "/S" in element:
            found.append((str(element["/S"]), str(element.get("/Alt", ""))))
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        stack.extend(reversed([k for k in kids if hasattr(k.get_object(), "get")]))
    return found


def test_the_appendix_maps_every_recipient_of_the_notice_after_its_text(avon) -> None:
    version = refresh_notice(school=avon, audience="pupils").version
    pages = pages_of(version)

    # The contents names the appendix too; its own first page is the last to.
    starts = max(n for n, text in enumerate(pages) if HEADING in text)
    appendix = " ".join(pages[starts:])
    groups = version.content["recipient_groups"]
    recipients = [r.get("title") or r["name"] for g in groups for r in g["recipients"]]
    assert recipients
    for name in recipients:
        assert name in appendix, name
    for group in version.content["recipient_groups"]:
        assert group["heading"] in appendix
    assert "Your rights" not in appendix  # the text ends before it
    assert HEADING in pages[0] + pages[1]  # listed in the contents
    assert starts > 2


def test_the_appendix_is_tagged_a_figure_with_its_words_read_after_it(avon) -> None:
    version = refresh_notice(school=avon, audience="workforce").version

    structure = structure_of(version)

    figures = [alt for kind, alt in structure if kind == "/Figure"]
    assert figures
    assert all(alt.startswith("Diagram:") for alt in figures)


def test_an_issued_appendix_is_drawn_from_the_versions_content(avon) -> None:
    """The map is the version's, not today's registry's: a supplier added after the version
    was issued is not on it, and the figures are the ones its content draws."""
    version = refresh_notice(school=avon, audience="pupils").version
    drawn = flowmap.notice_figures(version.content)
    supplier = ProcessorFactory(name="Afterwards Analytics Ltd")
    DataFlowFactory(authority=avon.authority, school=avon, processor=supplier)

    document = services.notice_document(version, version.html)

    assert all(figure.data_uri in document for figure in drawn)
    assert "Afterwards Analytics Ltd" not in document
    newer = build_notice_content(avon, "pupils")
    assert "Afterwards Analytics Ltd" in " ".join(
        " ".join(label.lines) for f in flowmap.notice_figures(newer) for label in f.labels
    )


def test_without_graphviz_a_notice_renders_without_its_appendix_and_the_check_warns(
    avon, monkeypatch
) -> None:
    monkeypatch.setattr(flowmap.shutil, "which", lambda name: None)

    version = refresh_notice(school=avon, audience="pupils").version

    assert version.status == NoticeVersion.Status.RENDERED
    assert not any(HEADING in text for text in pages_of(version))
    (warning,) = graphviz_check()
    assert warning.id == "notices.W002"
    assert warning.level == checks.WARNING


def test_a_dot_that_fails_fails_the_render_to_be_retried_not_an_appendix_lost(
    avon, monkeypatch
) -> None:
    def failing(graphs: object) -> list[str]:
        raise flowmap.MapUnavailable("dot did not draw the map: dot stopped")

    monkeypatch.setattr(flowmap, "_lay_out", failing)

    with pytest.raises(flowmap.MapUnavailable):
        refresh_notice(school=avon, audience="pupils")

    version = NoticeVersion.objects.get(school=avon, audience="pupils")
    assert version.status == NoticeVersion.Status.FAILED
    assert "dot stopped" in version.error
    monkeypatch.undo()
    assert refresh_notice(school=avon, audience="pupils").version.status == "rendered"
