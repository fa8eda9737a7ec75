"""SQL text built from values: string literals and lists of Parquet files for ``read_parquet``.

Every module that writes a value into DuckDB SQL uses these two, so quoting is done one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["parquet_files", "quote"]


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def parquet_files(paths: Iterable[Path | str]) -> str:
    """A SQL list literal of file paths, e.g. for ``read_parquet([...])``."""
    return "[" + ", ".join(quote(str(p)) for p in paths) + "]"
