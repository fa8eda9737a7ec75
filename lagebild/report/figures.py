"""The report's figures: matplotlib drawings returned as inline SVG, readable on screen and paper.

Every figure is drawn on its own :class:`~matplotlib.figure.Figure` (no pyplot state, safe in
threads), with a white background, labelled axes and colours that survive grey-scale print
(distinct line styles as well as hues). Text stays text in the SVG, so it prints sharply.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import matplotlib
import matplotlib.dates as mdates
import networkx as nx
from matplotlib.figure import Figure

__all__ = [
    "bar_figure",
    "network_figure",
    "series_figure",
    "svg",
]

matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "lagebild"

_STYLES = ("-", "--", "-.", ":")
_COLOURS = ("#1f4e79", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#2c3e50", "#7f8c8d")


_date2num = cast(Callable[[Sequence[dt.datetime]], Any], mdates.date2num)


def svg(fig: Figure) -> str:
    """The figure as an SVG document (without the XML prolog, for inlining in HTML)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def series_figure(
    series: Mapping[str, Sequence[tuple[dt.datetime, float]]],
    *,
    title: str,
    ylabel: str,
    stacked: bool = False,
    width: float = 8.0,
    height: float = 3.0,
) -> Figure:
    """Lines (or stacked areas) of values over time, one per named series."""
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    names = list(series)
    if stacked and names:
        times = sorted({t for s in series.values() for t, _ in s})
        values = [[dict(series[n]).get(t, 0.0) for t in times] for n in names]
        ax.stackplot(
            _date2num(times), values, labels=names, colors=_COLOURS[: len(names)], alpha=0.85
        )
    else:
        for i, name in enumerate(names):
            points = series[name]
            ax.plot(
                _date2num([t for t, _ in points]),
                [v for _, v in points],
                label=name,
                color=_COLOURS[i % len(_COLOURS)],
                linestyle=_STYLES[i % len(_STYLES)],
                linewidth=1.6,
                marker="o" if len(points) < 3 else None,
            )
    ax.xaxis_date()
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if names:
        ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=min(3, len(names)))
    fig.autofmt_xdate()
    return fig


def bar_figure(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    notes: Sequence[str] | None = None,
) -> Figure:
    """Horizontal bars, largest on top; ``notes`` are printed at the bars' ends."""
    fig = Figure(figsize=(8.0, 0.45 * max(len(labels), 2) + 0.9))
    ax = fig.add_subplot()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=_COLOURS[0])
    ax.set_yticks(positions, [_short(label, 60) for label in labels], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    for pos, value, note in zip(positions, values, notes or [""] * len(values), strict=True):
        ax.text(value, pos, f" {note}", va="center", fontsize=7)
    return fig


def network_figure(
    communities: Sequence[Mapping[str, Any]], *, title: str, seed: int = 0
) -> Figure:
    """Accounts (nodes) tied by coordinated shares (edges), one colour per community."""
    graph = nx.Graph()
    for i, c in enumerate(communities):
        for e in c.get("edges", []):
            x, y = str(e["account_id_x"]), str(e["account_id_y"])
            graph.add_node(x, community=i)
            graph.add_node(y, community=i)
            graph.add_edge(x, y, weight=float(e.get("weight", 1)))
    fig = Figure(figsize=(8.0, 5.0))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    if graph.number_of_nodes() == 0:
        return fig
    pos = nx.spring_layout(graph, seed=seed, k=1.2 / math.sqrt(graph.number_of_nodes()))
    weights = [graph.edges[e]["weight"] for e in graph.edges]
    top = max(weights) if weights else 1.0
    nx.draw_networkx_edges(
        graph, pos, ax=ax, width=[0.4 + 2.5 * w / top for w in weights], alpha=0.35
    )
    colours = [_COLOURS[graph.nodes[n]["community"] % len(_COLOURS)] for n in graph.nodes]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=28, node_color=colours)
    for i, c in enumerate(communities[: len(_COLOURS)]):
        ax.scatter([], [], color=_COLOURS[i], label=f"{c.get('label', i + 1)} ({c['size']})")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
