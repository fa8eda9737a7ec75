"""DuckDB connections, and SQL text built from values (string literals, lists of Parquet files).

Every module that opens a DuckDB connection uses :func:`duckdb_connection`, so each has the
same time zone and memory limit; every module that writes a value into DuckDB SQL uses
:func:`quote` and :func:`parquet_files`, so quoting is done one way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

from lagebild.errors import ConfigError

__all__ = ["MEMORY_LIMIT_ENV", "duckdb_connection", "parquet_files", "quote"]

#: The environment variable that sets DuckDB's memory limit for every connection ("8GB").
MEMORY_LIMIT_ENV = "LAGEBILD_MEMORY_LIMIT"


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection in UTC.

    Its memory limit is ``LAGEBILD_MEMORY_LIMIT`` when set (DuckDB's own default otherwise:
    80 % of the machine's memory); beyond it DuckDB writes what it can to temporary files
    instead of failing, so a smaller machine can run a large detection more slowly.
    """
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    try:
        con = duckdb.connect(config={"memory_limit": limit} if limit else {})
    except duckdb.Error as exc:
        raise ConfigError(
            f"{MEMORY_LIMIT_ENV}={limit!r} is not a memory size: {exc}",
            hint="a size such as 8GB or 512MB, or unset it for DuckDB's default",
        ) from None
    con.execute("SET TimeZone = 'UTC'")
    return con


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def parquet_files(paths: Iterable[Path | str]) -> str:
    """A SQL list literal of file paths, e.g. for ``read_parquet([...])``."""
    return "[" + ", ".join(quote(str(p)) for p in paths) + "]"
