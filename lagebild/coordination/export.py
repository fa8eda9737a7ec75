"""Writing a coordination result for people and for Gephi: CSV tables, GEXF, GraphML, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.csv as pacsv

from lagebild.coordination.detect import CoordinationResult
from lagebild.coordination.picture import draw_network

__all__ = ["write_network"]


def write_network(result: CoordinationResult, out: Path) -> list[Path]:
    """Write the filtered network and its evidence into ``out``; return the files written.

    ``pairs.csv`` is the evidence (every coordinated share pair: object, posts, accounts,
    seconds apart), ``edges.csv`` the full network, ``filtered_edges.csv`` and ``nodes.csv``
    the filtered one (with each account's community), ``network.gexf`` and
    ``network.graphml`` the filtered network for Gephi, ``communities.json`` the communities,
    ``network.png`` a picture of it.
    """
    out.mkdir(parents=True, exist_ok=True)
    community_of = {a: c.id for c in result.communities for a in c.accounts}
    component_of = {a: c.component for c in result.communities for a in c.accounts}
    graph = nx.Graph()
    for row in result.filtered_edges.to_pylist():
        x, y = row.pop("account_id_x"), row.pop("account_id_y")
        # GEXF and GraphML have no null: an untested edge has no p-, q- or z-value attribute
        graph.add_edge(x, y, **{k: v for k, v in row.items() if v is not None})
    for node in graph.nodes:
        graph.nodes[node]["community"] = community_of.get(node, 0)
        graph.nodes[node]["component"] = component_of.get(node, -1)
        graph.nodes[node]["strength"] = int(graph.degree(node, weight="weight"))
    nodes = pa.table(
        {
            "account_id": list(graph.nodes),
            "community": [graph.nodes[n]["community"] for n in graph.nodes],
            "component": [graph.nodes[n]["component"] for n in graph.nodes],
            "degree": [int(graph.degree(n)) for n in graph.nodes],
            "strength": [graph.nodes[n]["strength"] for n in graph.nodes],
        }
    )
    files = {
        "pairs.csv": result.pairs,
        "edges.csv": result.edges,
        "filtered_edges.csv": result.filtered_edges,
        "nodes.csv": nodes,
    }
    written = []
    for name, table in files.items():
        pacsv.write_csv(table, out / name)
        written.append(out / name)
    nx.write_gexf(graph, out / "network.gexf")
    nx.write_graphml(graph, out / "network.graphml")
    (out / "communities.json").write_text(
        json.dumps(result.summary()["communities"], ensure_ascii=False, indent=2)
    )
    written += [out / "network.gexf", out / "network.graphml", out / "communities.json"]
    written.append(draw_network(result, out / "network.png"))
    return written
