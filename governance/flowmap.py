"""Pictures of what leaves a school: data-flow maps, as SVG, laid out by Graphviz's dot.

The school on the left; on the right its recipients, grouped by kind; one arrow per
recipient, labelled with the categories it receives and how often. Left to right, a map stays
readable with 30 or more recipients: they stack in their groups.

Two maps are drawn the same way. ``svg(school)`` is the school's whole picture today, from the
same flows as its "what leaves this school" table (``DataFlow.objects.for_school``): the
portal and the admin show it. ``notice_figures(content)`` draws one notice's recipients from
the notice's own content (its "Who we share it with" section), so the appendix of a notice's
PDF says exactly what the notice says, and an issued version's picture never changes.

The only program run is dot, and the only XML read is dot's own output.
"""

import atexit
import base64
import os
import re
import select
import shutil
import subprocess  # nosec B404
import textwrap
import threading
import time
import xml.etree.ElementTree as ET  # nosec B405
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from governance.models import DataFlow, School

GROUPS = [
    ("authority_service", "Authority services", "#e3eef7"),
    ("supplier", "Suppliers", "#eef6e8"),
    ("public_body", "Public bodies", "#fbf1e1"),
    ("other_school", "Other schools", "#f3e9f7"),
    ("other", "Other recipients", "#eeeeee"),
]
# A notice's recipient groups (``notices.recipients.ORDER``) -> their colour on the map.
NOTICE_COLOURS = {"public_bodies": "#fbf1e1", "authority_services": "#e3eef7",
                  "schools": "#f3e9f7", "controllers": "#eeeeee",
                  "processors": "#eef6e8"}  # fmt: skip


@dataclass(frozen=True)
class Style:
    """How a map is drawn: on a screen, wide; on a notice's page, narrow enough that its text
    keeps close to the notice's own size (long names wrap instead)."""

    ranksep: str
    nodesep: str
    school_size: str
    node_size: str
    group_size: str
    label_width: int  # characters a line on an arrow
    name_width: int  # characters a line in a box or a group's title (0: no wrapping)


SCREEN = Style("1.6", "0.25", "13", "11", "14", 44, 0)
PAGE = Style("0.3", "0.1", "10", "9.5", "10", 30, 26)
# How tall dot draws a figure of a notice's appendix (PAGE style), in pt, measured on its
# output: an arrow takes its label's lines or its box, whichever is taller, and the gap to the
# next; a group its title's lines and its padding; the picture a margin.
LABEL_LINE, BOX_LINE, BOX_PADDING, BOX_LEAST, ARROW_GAP = 10.8, 11.4, 17.0, 36.0, 7.0
GROUP_LINE, GROUP_PADDING, MARGIN = 12.0, 16.0, 16.0


class MapUnavailable(Exception):
    """dot could not draw the map (it died, or did not answer in time)."""


class GraphvizMissing(MapUnavailable):
    """Graphviz's dot is not installed here."""


@dataclass
class Arrow:
    recipient: str
    group: str
    categories: set[str] = field(default_factory=set)
    frequencies: set[str] = field(default_factory=set)

    def label(self, width: int) -> str:
        lines = [", ".join(sorted(self.categories))]
        if self.frequencies:
            lines.append(", ".join(sorted(self.frequencies)))
        return "\n".join(_wrapped(line, width) for line in lines if line)

    def height(self) -> float:
        """About how tall (pt) the arrow's label or box makes a figure of a notice's appendix."""
        label = (self.label(PAGE.label_width).count("\n") + 1) * LABEL_LINE
        box = max(BOX_LEAST, len(_wrapped(self.recipient, PAGE.name_width).split("\n"))
                  * BOX_LINE + BOX_PADDING)  # fmt: skip
        return max(label, box) + ARROW_GAP


@dataclass
class Cluster:
    key: str
    title: str
    colour: str
    arrows: list[Arrow]


SVG_NS = "http://www.w3.org/2000/svg"
# The room a figure has on an A4 page of the notice (the page less the notice's 18 mm side
# margins; the appendix's heading and introduction above the first figure).
FIGURE_WIDTH, FIGURE_HEIGHT = 493.0, 600.0  # pt


@dataclass(frozen=True)
class Label:
    """The text of one element of a figure (a group's title, a box, an arrow), where dot put
    it: ``x`` and ``y`` (pt from the figure's top left) are the point its first line is
    anchored at on its baseline; its lines are ``gap`` pt apart."""

    x: float
    y: float
    size: float
    gap: float
    anchor: str
    lines: list[str]
    light: bool  # white, on the school's dark box

    @property
    def style(self) -> str:
        """Its place as CSS: a box 400 pt wide, aligned on the anchor, the first baseline on
        ``y`` (DejaVu Sans rises 0.928 of its size above the baseline and falls 0.236 below,
        centred in its line)."""
        left = {"start": self.x, "end": self.x - 400}.get(self.anchor, self.x - 200)
        baseline = (self.gap - 1.164 * self.size) / 2 + 0.928 * self.size
        return (
            f"left: {left:.2f}pt; top: {self.y - baseline:.2f}pt; "
            f"font-size: {self.size:.2f}pt; line-height: {self.gap:.2f}pt"
        )


@dataclass(frozen=True)
class Figure:
    """One picture of a notice's appendix: dot's drawing without its text (``svg``), at
    ``width`` by ``height`` pt, and its text, which the PDF lays out itself (``labels``, in
    reading order). Text in an SVG picture would be drawn letter by letter, each a text object
    of its own (about 12 KB a picture) and hidden from a screen reader; as lines of the
    document it costs a few hundred bytes and is read out."""

    svg: str
    width: float
    height: float
    labels: list[Label]

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _number(text: str | None) -> float:
    return float((text or "0").removesuffix("pt"))


def _figure(document: str, order: list[str]) -> Figure:
    """Split dot's SVG ``document`` into its drawing and its lines of text, scaled to fit the
    page; the lines in the order of the elements ``order`` names (dot's titles: a cluster's
    name, a node's id, an edge's ``tail->head``)."""
    root = ET.fromstring(document)  # nosec B314
    width, height = _number(root.get("width")), _number(root.get("height"))
    scale = min(1.0, FIGURE_WIDTH / width, FIGURE_HEIGHT / height) if width and height else 1.0
    graph = root.find(f"{{{SVG_NS}}}g")
    assert graph is not None
    moved = re.search(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", graph.get("transform", ""))
    dx, dy = (float(moved[1]), float(moved[2])) if moved else (0.0, 0.0)
    found: dict[str, Label] = {}
    for element in graph.iter(f"{{{SVG_NS}}}g"):
        texts = element.findall(f"{{{SVG_NS}}}text")
        if not texts:
            continue
        first, size = texts[0], _number(texts[0].get("font-size"))
        ys = [_number(text.get("y")) for text in texts]
        found[element.findtext(f"{{{SVG_NS}}}title") or ""] = Label(
            x=(_number(first.get("x")) + dx) * scale,
            y=(ys[0] + dy) * scale,
            size=size * scale,
            gap=((ys[1] - ys[0]) if len(ys) > 1 else 1.2 * size) * scale,
            anchor=first.get("text-anchor", "start"),
            lines=[text.text or "" for text in texts],
            light=first.get("fill") == "white",
        )
        for text in texts:
            element.remove(text)
    # A kept dot writes a graph's clusters in an order of its own (the same boxes in the same
    # places): in their names' order, a version's PDF is the same whichever process drew it.
    clusters = [g for g in graph if g.get("class") == "cluster"]
    if clusters:
        at = list(graph).index(clusters[0])
        for cluster in clusters:
            graph.remove(cluster)
        ordered = sorted(clusters, key=lambda g: g.findtext(f"{{{SVG_NS}}}title") or "")
        graph[at:at] = ordered
    for element in root.iter():
        # Written back in SVG's namespace as the default one, without what only dot's own
        # bookkeeping needs (titles, ids and classes: numbered in the order dot wrote them).
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
        element.tail = "\n"
        for name in ("id", "class"):
            element.attrib.pop(name, None)
        for title in element.findall(f"{{{SVG_NS}}}title"):
            element.remove(title)
    root.set("xmlns", SVG_NS)
    root.set("width", f"{width * scale:.2f}pt")
    root.set("height", f"{height * scale:.2f}pt")
    labels = [found.pop(title) for title in order if title in found]
    labels += [found[title] for title in sorted(found)]
    drawing = ET.tostring(root, encoding="unicode")
    return Figure(drawing, width * scale, height * scale, labels)


# A flow's recipient kind (DataFlow.recipient_kind) -> its group on the map.
GROUP_OF = {"authority_service": "authority_service", "supplier": "supplier",
            "public_body": "public_body", "schools": "other_school"}  # fmt: skip


def _group(flow: DataFlow) -> tuple[str, str]:
    return GROUP_OF.get(flow.recipient_kind, "other"), str(flow.recipient)


def arrows(school: School) -> list[Arrow]:
    """One arrow per recipient of the school's flows today."""
    found: dict[tuple[str, str], Arrow] = {}
    flows = DataFlow.objects.for_school(school).with_details()
    for flow in flows:
        group, name = _group(flow)
        arrow = found.setdefault((group, name), Arrow(name, group))
        arrow.categories.update(c.title for c in flow.data_objects.all())
        arrow.frequencies.add(flow.get_frequency_display().lower())
    return sorted(found.values(), key=lambda a: (a.group, a.recipient))


def _wrapped(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters (never broken at a hyphen)."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) if width else text


def _graph(
    school_name: str, clusters: list[Cluster], *, style: Style = SCREEN, title: str = ""
) -> Any:
    import graphviz

    graph_attr = {"rankdir": "LR", "ranksep": style.ranksep, "nodesep": style.nodesep,
                  "fontname": "DejaVu Sans", "fontsize": style.group_size}  # fmt: skip
    if title:
        graph_attr.update(label=title, labelloc="t", fontsize="16")
    graph = graphviz.Digraph(
        "flows",
        graph_attr=graph_attr,
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "DejaVu Sans",
                   "fontsize": style.node_size, "fillcolor": "white"},
        edge_attr={"fontname": "DejaVu Sans", "fontsize": "9", "color": "#4a6a80"},
    )  # fmt: skip
    graph.node("school", _wrapped(school_name, style.name_width), fillcolor="#1d4f73",
               fontcolor="white", fontsize=style.school_size)  # fmt: skip
    number = 0
    for cluster in clusters:
        with graph.subgraph(name=f"cluster_{cluster.key}") as box:
            box.attr(label=_wrapped(cluster.title, style.name_width), style="rounded,filled",
                     fillcolor=cluster.colour, color="#9aa8b3")  # fmt: skip
            for arrow in cluster.arrows:
                number += 1
                box.node(f"r{number}", _wrapped(arrow.recipient, style.name_width))
                graph.edge("school", f"r{number}", label=arrow.label(style.label_width))
    if number == 0:
        graph.node("none", "No data leaves the school through the register's flows")
    return graph


class _Dot:
    """One dot process kept for the life of this process: dot reads one graph after another
    from its input and writes each one's SVG as soon as it has read it, so a map costs dot's
    layout (about 1 ms) rather than its start-up (about 12 ms: a process and its fonts).
    A process forked from this one (a Celery worker's child) starts its own; a dot that
    dies, or takes longer than ``TIMEOUT``, is stopped and started again once."""

    TIMEOUT = 30.0  # seconds for one graph
    GRAPH_ID = re.compile(rb'<g id="[^"]*graph0" class="graph"')  # "page0,1_graph0" after the first

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def lay_out(self, source: str) -> str:
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._exchange(source)
                except (OSError, TimeoutError) as error:
                    self._stop()
                    if attempt == 2:
                        raise MapUnavailable(f"dot did not draw the map: {error}") from error
        raise AssertionError("unreachable")

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._pid != os.getpid() or self._process.poll() is not None:
            self._stop()
            # dot itself (found on PATH), with no shell.
            self._process = subprocess.Popen(  # nosec B603
                [_dot(), "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, close_fds=True,
            )  # fmt: skip
            self._pid = os.getpid()
        return self._process

    def _exchange(self, source: str) -> str:
        process = self._running()
        assert process.stdin is not None
        assert process.stdout is not None
        # dot reads its input a line at a time: a graph is read once its last line ends.
        process.stdin.write(source.encode() + (b"" if source.endswith("\n") else b"\n"))
        process.stdin.flush()
        out, deadline = b"", time.monotonic() + self.TIMEOUT
        while not out.rstrip().endswith(b"</svg>"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
                raise TimeoutError(f"no picture from dot in {self.TIMEOUT:.0f} s")
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                raise OSError("dot stopped")
            out += chunk
        # The newline after a picture's "</svg>" may come in the next read: it is left over
        # at the head of the next picture's output, and dropped there.
        return self.GRAPH_ID.sub(b'<g id="graph0" class="graph"', out.lstrip()).decode()

    def close(self) -> None:
        """End this process's dot (at exit: it ends when its input does)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if self._pid == os.getpid():
            process.kill()
            process.wait()
        else:
            # Inherited through a fork: the parent's to stop. Only this copy of its pipes is
            # closed, and the object kept, so that it is never reported as left running.
            _INHERITED.append(process)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


_INHERITED: list[subprocess.Popen[bytes]] = []
_DOT = _Dot()
atexit.register(_DOT.close)


def _dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing("Graphviz (dot) is not installed: scripts/system-deps installs it.")
    return dot


def _lay_out(graphs: Iterable[Any]) -> list[str]:
    """Lay out each graph with this process's dot; raise GraphvizMissing without Graphviz and
    MapUnavailable when dot fails."""
    sources = [graph.source for graph in graphs]
    if sources:
        _dot()  # (checked each time: Graphviz may be uninstalled under a running process)
    return [_DOT.lay_out(source) for source in sources]


def svg(school: School) -> str:
    """The school's data-flow map as SVG text; raise MapUnavailable (GraphvizMissing without
    Graphviz) when it cannot be drawn."""
    by_group: dict[str, list[Arrow]] = defaultdict(list)
    for arrow in arrows(school):
        by_group[arrow.group].append(arrow)
    clusters = [Cluster(key, title, colour, by_group[key])
                for key, title, colour in GROUPS if by_group.get(key)]  # fmt: skip
    graph = _graph(school.name, clusters, title=f"What leaves {school.name}")
    return _lay_out([graph])[0]


def _notice_clusters(content: dict[str, Any]) -> list[Cluster]:
    """The notice's recipient groups as clusters of arrows: each recipient with the data its
    exchanges carry and how often, or, for a body the notice describes in its own words, how
    often only (what it receives is said in the notice, in full)."""
    clusters = []
    for group in content.get("recipient_groups") or []:
        found = []
        for entry in group["recipients"]:
            arrow = Arrow(entry.get("title") or entry["name"], group["key"])
            for exchange in entry.get("exchanges") or []:
                arrow.categories.update(exchange["data"])
                if exchange.get("frequency"):
                    arrow.frequencies.add(exchange["frequency"].lower())
            if not entry.get("exchanges") and entry.get("frequency"):
                arrow.frequencies.add(entry["frequency"])
            found.append(arrow)
        colour = NOTICE_COLOURS.get(group["key"], "#eeeeee")
        clusters.append(Cluster(group["key"], group["heading"], colour, found))
    return clusters


def _pages(clusters: list[Cluster]) -> list[list[Cluster]]:
    """Share the clusters among as few figures as fit a page at full size, as evenly as the
    arrows allow, in reading order; a group split between two figures is headed
    "(continued)" in the second."""
    items = [(number, arrow) for number, c in enumerate(clusters) for arrow in c.arrows]
    if not items:
        return []
    heights = [arrow.height() for _, arrow in items]
    titles = [
        len(_wrapped(c.title + " (continued)", PAGE.name_width).split("\n")) * GROUP_LINE
        + GROUP_PADDING
        for c in clusters
    ]
    groups = [number for number, _ in items]

    def split(room: float) -> list[list[int]]:
        """The items, in order, in figures of at most ``room`` pt (one item at least)."""
        figures: list[list[int]] = [[]]
        used = 0.0
        for index, height in enumerate(heights):
            group = groups[index]
            starts = not figures[-1] or groups[index - 1] != group
            extra = height + (titles[group] if starts else 0.0)
            if figures[-1] and used + extra > room:
                figures.append([])
                used, extra = 0.0, height + titles[group]
            figures[-1].append(index)
            used += extra
        return figures

    page = FIGURE_HEIGHT - MARGIN
    fewest = len(split(page))
    # The least room that still takes no more figures than a full page would: even figures.
    low, high = 0.0, page
    for _ in range(20):
        middle = (low + high) / 2
        low, high = (low, middle) if len(split(middle)) <= fewest else (middle, high)
    figures = []
    for indexes in split(high):
        parts: dict[int, list[Arrow]] = {}
        for index in indexes:
            parts.setdefault(groups[index], []).append(items[index][1])
        figures.append([_part(clusters[group], arrows) for group, arrows in parts.items()])
    return figures


def _part(cluster: Cluster, arrows: list[Arrow]) -> Cluster:
    continued = arrows[0] is not cluster.arrows[0]
    title = f"{cluster.title} (continued)" if continued else cluster.title
    return Cluster(cluster.key, title, cluster.colour, arrows)


def _reading_order(clusters: list[Cluster]) -> list[str]:
    """dot's titles of a figure's elements as a reader takes them: the school, then each
    group's title, each recipient and what its arrow says (as ``_graph`` numbers them)."""
    order, number = ["school"], 0
    for cluster in clusters:
        order.append(f"cluster_{cluster.key}")
        for _ in cluster.arrows:
            number += 1
            order += [f"r{number}", f"school->r{number}"]
    return order


def figure_count(content: dict[str, Any]) -> int:
    """How many figures ``notice_figures`` draws for ``content`` (without running dot)."""
    return len(_pages(_notice_clusters(content)))


def notice_figures(content: dict[str, Any]) -> list[Figure]:
    """The pictures of a notice's appendix, drawn from its content: none when the notice
    names no recipient. Raise MapUnavailable (GraphvizMissing without Graphviz) when they
    cannot be drawn."""
    pages = _pages(_notice_clusters(content))
    name = content["school"]["name"]
    drawn = _lay_out(_graph(name, clusters, style=PAGE) for clusters in pages)
    return [
        _figure(document, _reading_order(clusters))
        for document, clusters in zip(drawn, pages, strict=True)
    ]
