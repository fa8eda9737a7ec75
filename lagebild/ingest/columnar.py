"""The columnar path: flat CSV / JSON Lines / Parquet read and mapped inside DuckDB.

Per-record Python costs tens of microseconds a post; a bulk export of millions of flat rows
should cost a few. A format with a flat layout can therefore offer, next to its per-record
``read``, a ``read_tables`` that loads the file into DuckDB and maps it with SQL. The SQL only
takes the *common* case: every row it is not sure about (an unusual time format, a count that
is not plain digits, a missing key) is handed to the format's Python ``normalize``, which stays
the single authority on what a post is and why a record is rejected. A contract test checks
that both paths give the same posts and rejects on every fixture and example.

This module holds what such readers share: loading a file with a stable record order, the
physical line each record starts on, and URL normalisation applied once per distinct URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from lagebild.ingest.urls import normalize_url, registered_domain

__all__ = [
    "ColumnarInput",
    "load_input",
    "record_lines_csv",
    "record_lines_jsonl",
    "register_url_functions",
]

_BLOCK = 64 << 20


@dataclass(frozen=True)
class ColumnarInput:
    """A file loaded into the DuckDB table ``src`` (``rowid`` = record order) with its lines."""

    kind: str  # "csv", "jsonl" or "parquet"
    columns: tuple[str, ...]
    lines: np.ndarray  # the line each record starts on, by rowid


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def load_input(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> ColumnarInput | None:
    """Load ``path`` into table ``src``; ``None`` when the columnar path cannot read it exactly.

    CSV cells are loaded as text (empty cells as NULL), JSON Lines as one ``json`` column per
    line, Parquet with its own types. A CSV with structural errors (wrong column counts, bad
    encoding) or a JSON Lines file with a broken line returns ``None``: the per-record path
    then reads it and quarantines exactly the bad records.
    """
    p = _sql_str(str(path))
    try:
        if kind == "csv":
            first = _first_line(path)
            delim = "\t" if first.count(b"\t") > first.count(b",") else ","
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE src AS SELECT * FROM read_csv({p}, "
                f"all_varchar = true, header = true, delim = {_sql_str(delim)}, quote = '\"', "
                "escape = '\"', store_rejects = true, rejects_table = 'csv_rejects', "
                "rejects_scan = 'csv_scans', max_line_size = 33554432, auto_detect = true)"
            )
            row = con.execute("SELECT count(*) FROM csv_rejects").fetchone()
            if row and row[0]:
                return None
            lines = record_lines_csv(path)
        elif kind == "jsonl":
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE src AS SELECT json FROM read_json({p}, "
                "format = 'newline_delimited', records = false, columns = {json: 'JSON'}, "
                "maximum_object_size = 134217728)"
            )
            lines = record_lines_jsonl(path)
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE src AS SELECT * FROM read_parquet({p})")
            n = con.execute("SELECT count(*) FROM src").fetchone()
            lines = np.arange(1, (n[0] if n else 0) + 1, dtype=np.int64)
    except duckdb.Error:
        return None
    count = con.execute("SELECT count(*) FROM src").fetchone()
    if count is None or count[0] != len(lines):
        return None  # the two views of the file disagree: let the exact path read it
    columns = tuple(r[0] for r in con.execute("DESCRIBE src").fetchall())
    return ColumnarInput(kind, columns, lines)


def _first_line(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.readline()


def _newlines(path: Path) -> tuple[np.ndarray, int, bytes]:
    """Positions of every newline, the file size, and its last byte."""
    size = path.stat().st_size
    if size == 0:
        return np.empty(0, np.int64), 0, b""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    parts = [
        np.flatnonzero(data[i : i + _BLOCK] == 10).astype(np.int64) + i
        for i in range(0, size, _BLOCK)
    ]
    last = bytes(data[-1:])
    del data
    return np.concatenate(parts) if parts else np.empty(0, np.int64), size, last


def record_lines_jsonl(path: Path) -> np.ndarray:
    """The line number of every non-blank line (a JSON Lines record), in order."""
    nl, size, _ = _newlines(path)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [size]))
    keep = ends > starts
    if keep.any():
        data = np.memmap(path, dtype=np.uint8, mode="r")
        blank = np.zeros(len(starts), dtype=bool)
        idx = np.flatnonzero(keep)
        # a line is blank when it holds only whitespace (rare: check those few exactly)
        short = idx[(ends[idx] - starts[idx]) <= 2]
        for i in short:
            blank[i] = not bytes(data[starts[i] : ends[i]]).strip()
        del data
        keep &= ~blank
    return (np.flatnonzero(keep) + 1).astype(np.int64)


def record_lines_csv(path: Path) -> np.ndarray:
    """The line each CSV data record starts on (header excluded, blank lines skipped).

    A newline ends a record when the count of ``"`` before it is even (RFC 4180 quoting).
    """
    size = path.stat().st_size
    if size == 0:
        return np.empty(0, np.int64)
    data = np.memmap(path, dtype=np.uint8, mode="r")
    ends_list = []
    nl_index_list = []
    carry_quotes = 0
    carry_newlines = 0
    for i in range(0, size, _BLOCK):
        block = data[i : i + _BLOCK]
        nl = np.flatnonzero(block == 10)
        quotes = np.flatnonzero(block == 34)
        before = np.searchsorted(quotes, nl) + carry_quotes
        even = (before % 2) == 0
        ends_list.append(nl[even].astype(np.int64) + i)
        nl_index_list.append(np.flatnonzero(even) + carry_newlines)
        carry_quotes += len(quotes)
        carry_newlines += len(nl)
    ends = np.concatenate(ends_list)  # byte position of each record-ending newline
    nl_index = np.concatenate(nl_index_list)  # which newline of the file it is (0-based)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [size]))
    start_lines = np.concatenate(([1], nl_index + 2))
    length = stops - starts
    keep = length > 0
    one = np.flatnonzero(length == 1)
    if len(one):
        keep[one] = data[starts[one]] != 13  # a lone "\r" is a blank CRLF line
    del data
    keep[0] = False  # the header
    return start_lines[keep].astype(np.int64)


def register_url_functions(con: duckdb.DuckDBPyConnection) -> None:
    """SQL functions ``lb_norm_url`` and ``lb_domain`` backed by the Python URL rules.

    Apply them to distinct values only: they run Python once per value.
    """

    def norm(arr: pa.Array) -> pa.Array:
        return pa.array([normalize_url(u) if u else None for u in arr.to_pylist()], pa.string())

    def domain(arr: pa.Array) -> pa.Array:
        return pa.array([registered_domain(u) if u else None for u in arr.to_pylist()], pa.string())

    arrow: Any = "arrow"
    con.create_function("lb_norm_url", norm, ["VARCHAR"], "VARCHAR", type=arrow)
    con.create_function("lb_domain", domain, ["VARCHAR"], "VARCHAR", type=arrow)
