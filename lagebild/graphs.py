"""igraph, imported without its plotting stack."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["igraph"]


def igraph() -> ModuleType:
    """The ``igraph`` module, imported without loading matplotlib.

    When matplotlib is installed, igraph's drawing code imports ``matplotlib.pyplot`` at
    import time: about a second on a small machine, paid by every command that finds
    communities, while Lagebild never draws with igraph. So while igraph is imported,
    matplotlib is hidden (igraph then keeps its "install matplotlib" placeholder for
    drawing); afterwards matplotlib imports as usual. If matplotlib is loaded already,
    igraph is imported plainly: there is nothing to save.
    """
    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        return importlib.import_module("igraph")
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # "import matplotlib" fails
    try:
        return importlib.import_module("igraph")
    finally:
        if "matplotlib" in sys.modules and sys.modules["matplotlib"] is None:
            del sys.modules["matplotlib"]
