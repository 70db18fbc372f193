"""The data-flow map: an SVG laid out by Graphviz that names every recipient of the school,
grouped by kind, with the categories on each arrow; the school's DPO and staff only."""

import shutil
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from governance import flowmap
from governance.models import DataFlow, School
from notices.content import build_notice_content
from tests.factories import DataFlowFactory, ProcessorFactory, UserFactory, dpo_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo_for_module"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed"),
]
SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_map_names_every_recipient_of_the_school_in_its_group() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    recipients = set()
    for flow in DataFlow.objects.for_school(avon).with_details():
        recipients.add(str(flow.partner_service or flow.processor or flow.body))

    words = texts(flowmap.svg(avon))

    assert recipients
    assert recipients <= set(words)
    assert {"Authority services", "Suppliers"} <= set(words)
    assert "What leaves Avon Meadow Primary School" in words
    assert "weekly" in " ".join(words) or "daily" in " ".join(words)


def test_a_map_with_thirty_recipients_stays_one_picture() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    for n in range(30):
        DataFlowFactory(authority=avon.authority, school=avon,
                        processor=ProcessorFactory(name=f"App {n:02d} Ltd"))  # fmt: skip

    svg = flowmap.svg(avon)

    words = set(texts(svg))
    assert {f"App {n:02d} Ltd" for n in range(30)} <= words
    # Left to right, the recipients stack: the picture grows down, not sideways, and its
    # text keeps its size (a phone scrolls down a tall map; nothing shrinks to fit a width).
    width = float(ET.fromstring(svg).get("width", "0pt").removesuffix("pt"))
    assert width < 1000
    assert 'font-size="11.00"' in svg


def test_the_map_is_the_schools_dpo_and_staffs() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    victoria = School.objects.get(name="Victoria CP School")
    dpo, staff = Client(), Client()
    dpo.force_login(dpo_of(avon, username="map-dpo"))
    staff.force_login(UserFactory(username="map-staff", is_staff=True, is_superuser=True))

    mine = dpo.get(reverse("portal:flow_map", args=[avon.urn]))

    assert mine.status_code == 200
    assert mine["Content-Type"].startswith("image/svg+xml")
    assert b"<script" not in mine.content
    assert dpo.get(reverse("portal:flow_map", args=[victoria.urn])).status_code == 404
    assert staff.get(reverse("portal:flow_map", args=[victoria.urn])).status_code == 200
    assert (
        reverse("portal:flow_map", args=[avon.urn])
        in dpo.get(reverse("portal:school", args=[avon.urn])).content.decode()
    )


# -- the notice's appendix: the map drawn from the notice's own content ----------------------


def words_of(figures: list[flowmap.Figure]) -> list[str]:
    """Each element's text as one string (a wrapped name is its lines joined by spaces)."""
    return [" ".join(label.lines) for figure in figures for label in figure.labels]


def recipient_names(content: dict) -> list[str]:
    groups = content["recipient_groups"]
    return [r.get("title") or r["name"] for g in groups for r in g["recipients"]]


def test_a_notices_figures_say_what_its_sharing_section_says_in_reading_order() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    content = build_notice_content(avon, "pupils")

    figures = flowmap.notice_figures(content)

    words = words_of(figures)
    names = recipient_names(content)
    assert names
    assert set(names) <= set(words)
    for group in content["recipient_groups"]:
        assert group["heading"] in words
        for entry in group["recipients"]:
            name = entry.get("title") or entry["name"]
            # Read out as the group's title, then each recipient and what its arrow says.
            assert words.index(group["heading"]) < words.index(name)
            arrow = words[words.index(name) + 1]
            for exchange in entry["exchanges"]:
                for title in exchange["data"]:
                    assert title in arrow, (name, title)
                assert exchange["frequency"].lower() in arrow
    assert all(w.count("Avon Meadow Primary School") <= 1 for w in words)
    for figure in figures:
        assert figure.labels[0].lines == ["Avon Meadow Primary School"]
        assert "<text" not in figure.svg  # the words are the document's own lines, not the SVG's
        ET.fromstring(figure.svg)  # a whole SVG document
        assert figure.width <= flowmap.FIGURE_WIDTH
        assert figure.height <= flowmap.FIGURE_HEIGHT


def test_a_notice_with_forty_recipients_continues_over_several_readable_figures() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    for n in range(40):
        supplier = ProcessorFactory(name=f"App {n:02d} Learning Platform Ltd")
        DataFlowFactory(authority=avon.authority, school=avon, processor=supplier)
    content = build_notice_content(avon, "pupils")
    names = recipient_names(content)
    assert len(names) > 40

    figures = flowmap.notice_figures(content)

    assert len(figures) > 1
    words = words_of(figures)
    assert sorted(w for w in words if w in names) == sorted(names)  # each once, none lost
    assert any(w.endswith("(continued)") for w in words)
    sizes = [label.size for figure in figures for label in figure.labels]
    assert min(sizes) >= 8  # a group's many recipients continue; the type does not shrink
    for figure in figures:
        assert figure.width <= flowmap.FIGURE_WIDTH
        assert figure.height <= flowmap.FIGURE_HEIGHT


def test_a_notice_that_names_no_recipient_has_no_figure() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    content = {**build_notice_content(avon, "pupils"), "recipient_groups": []}

    assert flowmap.notice_figures(content) == []


# -- the long-lived dot process ----------------------------------------------------------------


def test_a_kept_dot_draws_what_a_fresh_one_draws_again_and_again() -> None:
    import graphviz

    avon = School.objects.get(name="Avon Meadow Primary School")
    clusters = flowmap._notice_clusters(build_notice_content(avon, "pupils"))
    graph = flowmap._graph(avon.name, clusters)
    order = flowmap._reading_order(clusters)
    fresh = graphviz.pipe("dot", "svg", graph.source.encode()).decode()
    dot = flowmap._Dot()

    drawn = [dot.lay_out(graph.source) for _ in range(3)]
    dot.close()

    # The same picture each time (a kept dot writes the clusters in an order of its own;
    # the appendix puts them back in order) and no trace of the graphs drawn before.
    assert all(sorted(svg.splitlines()) == sorted(fresh.splitlines()) for svg in drawn)
    figures = [flowmap._figure(svg, order) for svg in drawn]
    assert figures == [flowmap._figure(fresh, order)] * 3


def test_a_dot_that_died_is_started_again() -> None:
    dot = flowmap._Dot()
    first = dot.lay_out("digraph x { a -> b }")
    assert dot._process is not None
    dot._process.kill()
    dot._process.wait()

    assert dot.lay_out("digraph x { a -> b }") == first
    dot.close()


def test_a_dot_that_never_answers_is_stopped_and_the_map_is_unavailable(
    tmp_path, monkeypatch
) -> None:
    silent = tmp_path / "silent-dot"
    silent.write_text("#!/bin/sh\nexec sleep 30\n")
    silent.chmod(0o755)
    monkeypatch.setattr(flowmap, "_dot", lambda: str(silent))
    dot = flowmap._Dot()
    dot.TIMEOUT = 0.2

    with pytest.raises(flowmap.MapUnavailable, match="no picture from dot"):
        dot.lay_out("digraph x { a -> b }")
    assert dot._process is None  # the silent one was killed, twice


def test_a_process_forked_after_dot_started_starts_its_own(monkeypatch) -> None:
    dot = flowmap._Dot()
    dot.lay_out("digraph x { a }")
    parents = dot._process
    monkeypatch.setattr(flowmap.os, "getpid", lambda: -1)  # as if in a forked child

    dot.lay_out("digraph x { a }")

    assert dot._process is not parents
    assert parents is not None
    # The parent's dot is the parent's to stop: left to end with its input, never killed (in
    # a real child, closing the child's copy of its pipes leaves the parent's open).
    assert parents in flowmap._INHERITED
    assert parents.wait() == 0
    dot.close()  # still "in the child": the child's own dot is stopped


def test_a_newline_dot_writes_after_a_picture_is_not_taken_for_the_next(
    tmp_path, monkeypatch
) -> None:
    """dot's newline after "</svg>" can arrive after the picture has been read: the next
    picture's output must still start with its XML declaration."""
    slow = tmp_path / "slow-dot"
    slow.write_text(
        "#!/bin/sh\nwhile read line; do\n"
        '  printf \'<?xml version="1.0"?>\\n<svg xmlns="http://www.w3.org/2000/svg"></svg>\'\n'
        "  sleep 0.2; printf '\\n'\ndone\n"
    )
    slow.chmod(0o755)
    monkeypatch.setattr(flowmap, "_dot", lambda: str(slow))
    dot = flowmap._Dot()

    pictures = [dot.lay_out("digraph x { a }\n") for _ in range(3)]
    dot.close()

    assert all(p.startswith("<?xml") for p in pictures)
    for picture in pictures:
        ET.fromstring(picture)
