"""A picture of the coordinated network: who is tied to whom, and in which community."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import networkx as nx
from matplotlib.figure import Figure

from lagebild.coordination.detect import CoordinationResult

__all__ = ["draw_network"]

#: Communities drawn in colour (the largest ones); the rest are grey.
COLOURED = 10


def _packed_layout(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    """Each connected component laid out on its own, packed in a grid, largest first."""
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    columns = max(1, math.ceil(math.sqrt(len(components))))
    largest = len(components[0]) if components else 1
    layout: dict[str, tuple[float, float]] = {}
    for i, members in enumerate(components):
        sub = graph.subgraph(members)
        pos = nx.spring_layout(sub, seed=seed, k=1.5 / math.sqrt(len(members)))
        scale = 0.42 * math.sqrt(len(members) / largest) ** 0.5 if len(members) > 1 else 0
        row, column = divmod(i, columns)
        for node, (x, y) in pos.items():
            layout[node] = (column + scale * x, -row + scale * y)
    return layout


def draw_network(result: CoordinationResult, path: Path, *, title: str | None = None) -> Path:
    """Draw the filtered network as a PNG (nodes by community, edges by weight); seeded."""
    graph = nx.Graph()
    for row in result.filtered_edges.select(["account_id_x", "account_id_y", "weight"]).to_pylist():
        x, y, w = row["account_id_x"], row["account_id_y"], float(row["weight"])
        if graph.has_edge(x, y):  # directed --compat cnt edges: one line per pair
            graph[x][y]["weight"] += w
        else:
            graph.add_edge(x, y, weight=w)
    community_of = {a: c.id for c in result.communities for a in c.accounts}
    palette = matplotlib.colormaps["tab10"]
    colours = [
        palette((community_of[n] - 1) % 10) if community_of.get(n, 99) <= COLOURED else "#b0b0b0"
        for n in graph.nodes
    ]
    strength = dict(graph.degree(weight="weight"))
    top = max(strength.values(), default=1.0)
    sizes = [20 + 280 * (strength[n] / top) ** 0.5 for n in graph.nodes]
    heaviest = max((d["weight"] for _, _, d in graph.edges(data=True)), default=1.0)
    widths = [0.3 + 2.5 * d["weight"] / heaviest for _, _, d in graph.edges(data=True)]
    layout = _packed_layout(graph, result.params.seed)
    # a Figure of its own (no pyplot): no global state, no display needed
    figure = Figure(figsize=(10, 10), dpi=110)
    axes = figure.add_subplot()
    nx.draw_networkx_edges(graph, layout, ax=axes, width=widths, alpha=0.35, edge_color="#555555")
    nx.draw_networkx_nodes(
        graph,
        layout,
        ax=axes,
        node_color=colours,
        node_size=sizes,
        linewidths=0.4,
        edgecolors="#222222",
    )
    for c in result.communities[:COLOURED]:
        members = [a for a in c.accounts if a in layout]
        if not members:
            continue
        cx = sum(layout[a][0] for a in members) / len(members)
        top = max(layout[a][1] for a in members)
        label = f"#{c.id}" + ("" if c.q_value is None else f" q={c.q_value:.2g}")
        axes.annotate(label, (cx, top + 0.08), fontsize=9, weight="bold", ha="center")
    by = ", ".join(result.params.by)
    axes.set_title(
        title
        or f"Coordinated accounts ({by}; window {result.window:g} s): "
        f"{graph.number_of_nodes()} accounts, {graph.number_of_edges()} ties, "
        f"{len(result.communities)} communities",
        fontsize=11,
    )
    axes.set_axis_off()
    figure.tight_layout()
    figure.savefig(path)
    return path
