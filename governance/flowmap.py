"""A picture of what leaves a school: the data-flow map, as SVG, laid out by Graphviz's dot.

The school on the left; on the right its recipients, grouped by kind (authority services,
suppliers, public bodies, other schools, other recipients); one arrow per recipient, labelled
with the categories it receives and how often. Left to right, a map stays readable with 30 or
more recipients: they stack in their groups. Made from the same flows as the school's "what
leaves this school" table (``DataFlow.objects.for_school``).
"""

import shutil
from collections import defaultdict
from dataclasses import dataclass, field

from governance.models import DataFlow, School

GROUPS = [
    ("authority_service", "Authority services", "#e3eef7"),
    ("supplier", "Suppliers", "#eef6e8"),
    ("public_body", "Public bodies", "#fbf1e1"),
    ("other_school", "Other schools", "#f3e9f7"),
    ("other", "Other recipients", "#eeeeee"),
]
MAX_CATEGORIES = 6  # on one arrow; "and N more" after


class MapUnavailable(Exception):
    """Graphviz's dot is not installed here."""


@dataclass
class Arrow:
    recipient: str
    group: str
    categories: set[str] = field(default_factory=set)
    frequencies: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        names = sorted(self.categories)
        shown = names[:MAX_CATEGORIES]
        if len(names) > MAX_CATEGORIES:
            shown.append(f"and {len(names) - MAX_CATEGORIES} more")
        return "\n".join([*shown, ", ".join(sorted(self.frequencies))])


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


def svg(school: School) -> str:
    """The school's data-flow map as SVG text; raise MapUnavailable without Graphviz."""
    if shutil.which("dot") is None:
        raise MapUnavailable("Graphviz (dot) is not installed: scripts/system-deps installs it.")
    import graphviz

    graph = graphviz.Digraph(
        "flows",
        graph_attr={"rankdir": "LR", "ranksep": "1.6", "nodesep": "0.25", "fontname": "DejaVu Sans",
                    "label": f"What leaves {school.name}", "labelloc": "t", "fontsize": "16"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "DejaVu Sans",
                   "fontsize": "11", "fillcolor": "white"},
        edge_attr={"fontname": "DejaVu Sans", "fontsize": "9", "color": "#4a6a80"},
    )  # fmt: skip
    graph.node("school", school.name, fillcolor="#1d4f73", fontcolor="white", fontsize="13")
    by_group: dict[str, list[Arrow]] = defaultdict(list)
    for arrow in arrows(school):
        by_group[arrow.group].append(arrow)
    number = 0
    for key, title, colour in GROUPS:
        if not by_group.get(key):
            continue
        with graph.subgraph(name=f"cluster_{key}") as cluster:
            cluster.attr(label=title, style="rounded,filled", fillcolor=colour, color="#9aa8b3")
            for arrow in by_group[key]:
                number += 1
                cluster.node(f"r{number}", arrow.recipient)
                graph.edge("school", f"r{number}", label=arrow.label)
    if number == 0:
        graph.node("none", "No data leaves the school through the register's flows")
    return graph.pipe(format="svg", encoding="utf-8")
