"""igraph comes without matplotlib, and matplotlib still imports afterwards."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
from lagebild.graphs import igraph
ig = igraph()
import leidenalg
graph = ig.Graph(n=4, edges=[(0, 1), (2, 3)])
part = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition, seed=1)
assert sorted(map(sorted, part)) == [[0, 1], [2, 3]]
assert "matplotlib" not in sys.modules
import matplotlib.pyplot
print("ok")
"""


def test_igraph_without_matplotlib_in_a_fresh_interpreter() -> None:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_igraph_when_matplotlib_is_loaded_already() -> None:
    import matplotlib

    from lagebild.graphs import igraph

    assert igraph().Graph(n=2, edges=[(0, 1)]).ecount() == 1
    assert sys.modules["matplotlib"] is matplotlib
