"""Communities of the coordinated-account network: Leiden (seeded) and connected components.

Traag, Waltman & van Eck (2019), *From Louvain to Leiden: guaranteeing well-connected
communities*: modularity-optimising partitions of the weighted network, via ``leidenalg`` on
``igraph``. The seed makes the result repeatable. Each community also records the connected
component it lies in (a community never spans two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from lagebild.graphs import igraph

__all__ = ["Community", "find_communities"]


@dataclass(frozen=True)
class Community:
    """A group of accounts more tightly coordinated with each other than with the rest.

    ``score`` is the summed weight of the coordination edges inside the community (the number
    of coordinated share pairs among its accounts); ``p_value``, ``z_score`` and ``q_value``
    stay ``None`` until a null model has been run against it.
    """

    id: int
    accounts: tuple[str, ...]
    component: int
    internal_edges: int
    score: float
    p_value: float | None = None
    z_score: float | None = None
    q_value: float | None = None

    @property
    def size(self) -> int:
        """Number of accounts."""
        return len(self.accounts)

    def as_dict(self) -> dict[str, Any]:
        """The community as plain JSON-able data."""
        return {
            "id": self.id,
            "accounts": list(self.accounts),
            "size": self.size,
            "component": self.component,
            "internal_edges": self.internal_edges,
            "score": self.score,
            "p_value": self.p_value,
            "z_score": self.z_score,
            "q_value": self.q_value,
        }


def find_communities(edges: pa.Table, *, seed: int = 42) -> list[Community]:
    """Leiden communities of an edge table (``account_id_x``, ``account_id_y``, ``weight``).

    Communities are numbered by size (largest first), ties by their first account, so the
    numbering is stable for the same input.
    """
    if edges.num_rows == 0:
        return []
    xs = edges.column("account_id_x").to_pylist()
    ys = edges.column("account_id_y").to_pylist()
    weights = [float(w) for w in edges.column("weight").to_pylist()]
    names = sorted(set(xs) | set(ys))
    index = {name: i for i, name in enumerate(names)}
    ig = igraph()  # imported here (and without matplotlib): too slow for every CLI start
    import leidenalg

    graph = ig.Graph(
        n=len(names), edges=[(index[x], index[y]) for x, y in zip(xs, ys, strict=True)]
    )
    graph.es["weight"] = weights
    partition = leidenalg.find_partition(
        graph, leidenalg.ModularityVertexPartition, weights="weight", seed=seed
    )
    component_of = {v: c for c, members in enumerate(graph.connected_components()) for v in members}
    groups = []
    for members in partition:
        accounts = tuple(sorted(names[v] for v in members))
        inside = graph.subgraph(members)
        groups.append(
            (accounts, component_of[members[0]], inside.ecount(), float(sum(inside.es["weight"])))
        )
    groups.sort(key=lambda g: (-len(g[0]), g[0][0]))
    return [
        Community(id=i + 1, accounts=a, component=c, internal_edges=e, score=s)
        for i, (a, c, e, s) in enumerate(groups)
    ]
