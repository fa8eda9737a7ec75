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

import mmap
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from lagebild.ingest.base import Batch, Item, ReadOptions, Span, Where
from lagebild.ingest.sql_rules import ident, quote, uniq
from lagebild.ingest.tabular import csv_header, iter_csv_rows
from lagebild.ingest.urls import normalize_url, registered_domain
from lagebild.model import (
    ACCOUNT_SCHEMA,
    POST_SCHEMA,
    QUARANTINE_SCHEMA,
    Account,
    Post,
    Reject,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
)
from lagebild.store.arrow import take
from lagebild.store.sql import duckdb_connection

__all__ = [
    "ColumnarInput",
    "Fallback",
    "input_kind",
    "load_input",
    "posts_from_sql",
    "record_lines_csv",
    "record_lines_jsonl",
    "register_url_functions",
    "run_columnar",
    "scan_csv",
    "to_batches",
]

_BLOCK = 64 << 20
#: The longest first line taken for a CSV header (a longer one is not read as CSV here).
_HEADER_MAX = 1 << 20
_COLUMNAR_BATCH = 2_000_000


@dataclass(frozen=True)
class ColumnarInput:
    """A file loaded into the DuckDB table ``src`` (``rowid`` = record order) with its lines.

    A CSV's ``columns`` are its header; ``src`` may hold only some of them (see
    :func:`load_input`). JSON Lines are loaded one of two ways: ``fields`` is empty when
    ``src`` holds each line as one ``json`` column; otherwise ``src`` has one ``JSON`` column
    per requested top-level field (``columns``: those some line has, not as null), and
    ``spans`` holds each record's byte range, to give the raw line of a row that goes to
    Python.
    """

    kind: str  # "csv", "jsonl" or "parquet"
    columns: tuple[str, ...]
    lines: np.ndarray  # the line each record starts on, by rowid
    fields: tuple[str, ...] = ()
    spans: np.ndarray | None = None  # (start, end) byte offsets of each record, by rowid


def load_input(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    fields: tuple[str, ...] = (),
    keep: Callable[[tuple[str, ...]], Sequence[str]] | None = None,
) -> ColumnarInput | None:
    """Load ``path`` into table ``src``; ``None`` when the columnar path cannot read it exactly.

    ``keep`` picks, from a CSV's header, the columns ``src`` gets (all by default); the
    input's ``columns`` are still the whole header.

    CSV cells are loaded as text (empty cells as NULL), Parquet with its own types. JSON Lines
    with ``fields`` (top-level keys) are loaded as one ``JSON`` column per field, which parses
    each line once, in the reader; without, as one ``json`` column per line. A CSV with
    structural errors (wrong column counts, bad encoding), loose quoting or a NUL byte (see
    :func:`scan_csv`), or a JSON Lines file with a broken line, a line that is not an object
    or a repeated key (Python keeps the last, DuckDB the first) returns ``None``: the
    per-record path then reads it and quarantines exactly the bad records.
    """
    p = quote(str(path))
    if kind == "jsonl" and fields:
        return _load_jsonl_fields(con, path, fields)
    # the record scan (NumPy, without the GIL) runs while DuckDB loads the file
    with ThreadPoolExecutor(max_workers=1) as pool:
        csv_scan = pool.submit(_scan_csv, path) if kind == "csv" else None
        jsonl_scan = pool.submit(record_lines_jsonl, path) if kind == "jsonl" else None
        try:
            if kind == "csv":
                first = _first_line(path)
                try:
                    header = csv_header(first.decode("utf-8")) or ()
                except UnicodeDecodeError:
                    return None
                if not header or len(set(header)) < len(header):
                    return None  # a repeated column: Python keeps the last, DuckDB renames it
                # the columns are named as the Python reader names them (no sniffing: the
                # dialect is known, and every cell is text)
                spec = ", ".join(f"{quote(h)}: 'VARCHAR'" for h in header)
                kept = [ident(h) for h in (keep(header) if keep else header)] or ["*"]
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE src AS SELECT {', '.join(kept)} "
                    f"FROM read_csv({p}, "
                    f"columns = {{{spec}}}, header = true, auto_detect = false, "
                    f"delim = {quote(_delimiter(first))}, quote = '\"', escape = '\"', "
                    "store_rejects = true, rejects_table = 'csv_rejects', "
                    "rejects_scan = 'csv_scans', max_line_size = 33554432)"
                )
                row = con.execute("SELECT count(*) FROM csv_rejects").fetchone()
                if row and row[0]:
                    return None
            elif kind == "jsonl":
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE src AS SELECT json FROM read_json({p}, "
                    "format = 'newline_delimited', records = false, columns = {json: 'JSON'}, "
                    "maximum_object_size = 134217728)"
                )
            else:
                con.execute(f"CREATE OR REPLACE TEMP TABLE src AS SELECT * FROM read_parquet({p})")
        except duckdb.Error:
            return None
        ((count,),) = con.execute("SELECT count(*) FROM src").fetchall()
        if csv_scan is not None:
            scan = csv_scan.result()
            if not scan.strict:
                return None  # loose quoting, which DuckDB and Python's csv read differently
            # each record one line (the common case; DuckDB skips blank lines): record i
            # starts on line i + 2, no need to find each record's line by quote parity
            if scan.one_line_records(count):
                lines = np.arange(2, count + 2, dtype=np.int64)
            else:
                lines = scan.record_lines(path)
        elif jsonl_scan is not None:
            lines = jsonl_scan.result()
        else:
            lines = np.arange(1, count + 1, dtype=np.int64)
    if count != len(lines):
        return None  # the two views of the file disagree: let the exact path read it
    if kind == "csv":
        return ColumnarInput(kind, tuple(header), lines)
    columns = tuple(r[0] for r in con.execute("DESCRIBE src").fetchall())
    return ColumnarInput(kind, columns, lines)


def _load_jsonl_fields(
    con: duckdb.DuckDBPyConnection, path: Path, fields: tuple[str, ...]
) -> ColumnarInput | None:
    """JSON Lines as one ``JSON`` column per field, or ``None`` when that is not exact."""
    if len({f.lower() for f in fields}) < len(fields):
        return None  # DuckDB's column names ignore case; these keys would collide
    spec = ", ".join(f"{quote(f)}: 'JSON'" for f in fields)
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(record_spans_jsonl, path)  # runs while DuckDB loads the file
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE src AS SELECT * FROM read_json({quote(str(path))}, "
                f"format = 'newline_delimited', records = true, columns = {{{spec}}}, "
                "maximum_object_size = 134217728)"
            )
        except duckdb.Error:
            return None
        lines, spans = scan.result()
    counts = ", ".join(f"count({ident(f)})" for f in fields)
    ((count, *present),) = con.execute(f"SELECT count(*), {counts} FROM src").fetchall()
    if count != len(lines):
        return None
    # a field that no line has (or only as null) is left out of ``columns``
    columns = tuple(f for f, n in zip(fields, present, strict=True) if n)
    return ColumnarInput("jsonl", columns, lines, fields, spans)


def _first_line(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.readline()


def _hits(data: np.ndarray, value: int) -> Iterator[tuple[int, np.ndarray]]:
    """``(offset, mask)`` per block of ``data``: where the block holds the byte ``value``
    (one mask, reused: use it before taking the next)."""
    mask = np.empty(min(len(data), _BLOCK), np.bool_)
    for i in range(0, len(data), _BLOCK):
        block = data[i : i + _BLOCK]
        yield i, np.equal(block, value, out=mask[: len(block)])


def _positions(data: np.ndarray, value: int) -> np.ndarray:
    """Positions of every byte ``value`` in ``data``."""
    parts = [np.flatnonzero(hits).astype(np.int64) + i for i, hits in _hits(data, value)]
    return np.concatenate([np.empty(0, np.int64), *parts])


def _newlines(path: Path) -> tuple[np.ndarray, int]:
    """Positions of every newline, and the file size."""
    size = path.stat().st_size
    if size == 0:
        return np.empty(0, np.int64), 0
    return _positions(np.memmap(path, dtype=np.uint8, mode="r"), 10), size


def record_lines_jsonl(path: Path) -> np.ndarray:
    """The line number of every non-blank line (a JSON Lines record), in order."""
    return record_spans_jsonl(path)[0]


def record_spans_jsonl(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Line number and ``(start, end)`` byte range of every non-blank line, in order."""
    nl, size = _newlines(path)
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
    idx = np.flatnonzero(keep)
    return (idx + 1).astype(np.int64), np.stack((starts[idx], ends[idx]), axis=1)


def record_lines_csv(path: Path) -> np.ndarray:
    """The line each CSV data record starts on (header excluded, blank lines skipped).

    A newline ends a record when the count of ``"`` before it is even (RFC 4180 quoting).
    """
    return scan_csv(path)[0]


def scan_csv(path: Path) -> tuple[np.ndarray, bool]:
    """:func:`record_lines_csv`, and whether the file's quoting is strict (see
    :class:`_CsvScan`)."""
    scan = _scan_csv(path)
    return scan.record_lines(path), scan.strict


@dataclass(frozen=True)
class _CsvScan:
    """Where a CSV file's newlines and quotes are, and whether its quoting is strict.

    Strict means every ``"`` is RFC 4180 quoting and the file has no NUL byte. DuckDB's reader
    and Python's ``csv`` module disagree on loose quoting (``a, "b" ,c``: DuckDB drops the
    spaces and quotes, Python keeps them), so a file with such a quote must go the exact way;
    so must one with a NUL byte (rare; not worth trusting both readers on).
    """

    size: int
    newlines: int  # how many
    ends_with_newline: bool
    quotes: np.ndarray  # byte positions
    strict: bool

    def one_line_records(self, records: int) -> bool:
        """Whether each of ``records`` records (and the header) is one line: the newlines
        then number them exactly (a blank line, or a newline inside a quoted field, is one
        more)."""
        return self.newlines == records + self.ends_with_newline

    def record_lines(self, path: Path) -> np.ndarray:
        """The line each data record starts on (header excluded, blank lines skipped): a
        newline ends a record when the count of ``"`` before it is even."""
        if self.size == 0:
            return np.empty(0, np.int64)
        data = np.memmap(path, dtype=np.uint8, mode="r")
        nl = _positions(data, 10)
        even = (np.searchsorted(self.quotes, nl) % 2) == 0
        ends = nl[even]  # byte position of each record-ending newline
        nl_index = np.flatnonzero(even)  # which newline of the file it is (0-based)
        starts = np.concatenate(([0], ends + 1))
        stops = np.concatenate((ends, [self.size]))
        start_lines = np.concatenate(([1], nl_index + 2))
        length = stops - starts
        keep = length > 0
        one = np.flatnonzero(length == 1)
        if len(one):
            keep[one] = data[starts[one]] != 13  # a lone "\r" is a blank CRLF line
        keep[0] = False  # the header
        return start_lines[keep].astype(np.int64)


def _scan_csv(path: Path) -> _CsvScan:
    """Count a CSV file's newlines, find its quotes and judge its quoting (see
    :class:`_CsvScan`)."""
    size = path.stat().st_size
    if size == 0:
        return _CsvScan(0, 0, False, np.empty(0, np.int64), True)
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        nul = mm.find(b"\0") >= 0  # memchr: faster than a NumPy pass
    data = np.memmap(path, dtype=np.uint8, mode="r")
    quotes = _positions(data, 34)
    strict = not nul and _quotes_strict(data, quotes, _first_line(path))
    # the newlines are only counted here (their positions are needed only when a record
    # spans lines, see record_lines)
    newlines = sum(int(np.count_nonzero(hits)) for _, hits in _hits(data, 10))
    return _CsvScan(size, newlines, bool(data[-1] == 10), quotes, strict)


def _quotes_strict(data: np.ndarray, quotes: np.ndarray, first: bytes) -> bool:
    """Whether the quotes at these positions of a CSV file are all RFC 4180 quoting.

    With strict quoting, the odd quotes of the file open fields and the even ones close them:
    an opening quote follows the delimiter, a newline or the start of the file, a closing one
    is followed by the delimiter, a line end or the end of the file, and ``""`` inside a
    quoted field is a closing quote directly followed by an opening one.
    """
    if len(quotes) % 2:
        return False  # a quote left open: a structural error the exact path reports
    size = len(data)
    delim = ord(_delimiter(first))
    start = 3 if first.startswith(b"\xef\xbb\xbf") else 0
    opening, closing = quotes[0::2], quotes[1::2]
    # a closing quote directly followed by the next opening one is an escaped quote
    escaped = closing[:-1] + 1 == opening[1:]
    before = data[np.maximum(opening - 1, 0)]
    ok_open = (opening == start) | (before == delim) | (before == 10)
    ok_open[1:] |= escaped
    after = data[np.minimum(closing + 1, size - 1)]
    after2 = data[np.minimum(closing + 2, size - 1)]
    ok_close = (
        (closing == size - 1)
        | (after == delim)
        | (after == 10)
        | ((after == 13) & (closing + 2 < size) & (after2 == 10))
    )
    ok_close[:-1] |= escaped
    return bool(ok_open.all() and ok_close.all())


def _delimiter(first: bytes) -> str:
    """The delimiter of a CSV file with this first line: a tab or a comma."""
    return "\t" if first.count(b"\t") > first.count(b",") else ","


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


#: Reads one row the exact (Python) way: a dict of cells (CSV) or the parsed JSON line.
Fallback = Callable[[Any, Where], list[Item]]


def input_kind(path: Path) -> str | None:
    """``"csv"``, ``"jsonl"`` or ``"parquet"`` when :func:`load_input` can load the file."""
    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        first = fh.readline().lstrip(b"\xef\xbb\xbf \t\r")
    if head == b"PAR1":
        return "parquet"
    if len(first) > _HEADER_MAX and not first.startswith(b"{"):
        return None  # no CSV header is that long: a one-line JSON document, say
    if first.startswith(b"{"):
        try:
            return "jsonl" if isinstance(orjson.loads(first), dict) else None
        except orjson.JSONDecodeError:
            return None
    return "csv" if csv_header(first.decode("utf-8", errors="replace")) else None


def run_columnar(
    path: Path,
    options: ReadOptions,
    batch_size: int,
    *,
    kinds: tuple[str, ...],
    mapped_sql: Callable[[ColumnarInput], str | None],
    fallback: Fallback,
    accounts_sql: str | None = None,
    fields: tuple[str, ...] = (),
    name: str = "",
) -> list[Batch] | None:
    """Read a whole flat file the columnar way, or return ``None`` to use the exact path.

    ``mapped_sql`` builds a query over ``src`` with ``_r`` (record number), ``_py`` (hand this
    row to Python), the post columns and ``raw_urls``, or gives ``None`` (use the exact
    path). ``fallback`` turns one ``_py`` row into items. ``accounts_sql`` (over ``m`` and
    ``src``) gives account snapshots of the other rows. ``fields``: the top-level keys a JSON
    Lines ``mapped_sql`` may read by name (see :func:`load_input`). ``name``: the format's,
    for rejects.

    A CSV's ``src`` holds only the columns the mapping names; a row for Python is read again
    from the file's bytes by the format's own CSV reader, so it gets every cell.
    """
    if options.span is not None:
        return None
    kind = input_kind(path)
    if kind not in kinds:
        return None

    def keep(header: tuple[str, ...]) -> list[str]:
        sql = mapped_sql(ColumnarInput(kind, header, np.empty(0, np.int64)))
        if sql is None:
            return list(header)
        # a column's quoted name in the queries over src (a false hit only loads one column
        # too many)
        queries = sql + (accounts_sql or "")
        return [h for h in header if ident(h) in queries]

    con = duckdb_connection()
    try:
        inp = load_input(con, path, kind, fields, keep if kind == "csv" else None)
        if inp is None:
            return None
        register_url_functions(con)
        # the mapped rows stay in Arrow (DuckDB scans them where SQL needs them): the posts'
        # own columns are then taken from it, not materialised twice
        sql = mapped_sql(inp)
        if sql is None:
            return None
        mapped = con.sql(sql).to_arrow_table()
        con.register("m", mapped)
        con.execute(_LINKS_SQL)
        fast = _fast_rows(con, mapped, options)
        slow_rows = con.sql(
            "SELECT m._r FROM m WHERE _py ORDER BY m._r"
            if inp.fields or inp.kind == "csv"
            else "SELECT m._r, src.* FROM m JOIN src ON m._r = src.rowid WHERE _py ORDER BY m._r"
        ).to_arrow_table()
        accounts = con.sql(accounts_sql).to_arrow_table() if accounts_sql else None
    except duckdb.Error:
        return None
    finally:
        con.close()
    assert fast is not None and slow_rows is not None
    try:
        return _assemble(path, inp, fast, slow_rows, accounts, fallback, batch_size, name)
    except _Decline:
        return None


class _Decline(Exception):
    """The columnar path cannot read this file exactly after all: the exact path reads it."""


# URLs are normalised once per distinct value; the common one-link post joins directly,
# posts with several links are re-assembled in their order.
_LINKS_SQL = (
    "CREATE TEMP TABLE raw_links AS SELECT _r, unnest(raw_urls) AS raw, "
    "unnest(range(1, len(raw_urls) + 1)) AS pos FROM m WHERE NOT _py AND len(raw_urls) > 1; "
    "CREATE TEMP TABLE urlmap AS SELECT raw, lb_norm_url(raw) AS url FROM ("
    "SELECT DISTINCT raw FROM raw_links UNION SELECT DISTINCT raw_urls[1] FROM m "
    "WHERE NOT _py AND len(raw_urls) = 1); "
    "CREATE TEMP TABLE domainmap AS SELECT url, lb_domain(url) AS domain "
    "FROM (SELECT DISTINCT url FROM urlmap WHERE url IS NOT NULL); "
    "CREATE TEMP TABLE urls2 AS SELECT u.raw, u.url, d.domain FROM urlmap u "
    "LEFT JOIN domainmap d USING (url); "
    "CREATE TEMP TABLE links AS SELECT l._r, "
    "list(u.url ORDER BY l.pos) FILTER (u.url IS NOT NULL) AS urls, "
    "list(u.domain ORDER BY l.pos) FILTER (u.url IS NOT NULL) AS domains "
    "FROM raw_links l JOIN urls2 u USING (raw) GROUP BY l._r"
)

# The links of the fast rows, in a narrow query sorted by record
_FAST_LINKS_SQL = f"""
    SELECT m._r,
      CASE WHEN len(raw_urls) = 1 THEN CASE WHEN one.url IS NULL THEN [] ELSE [one.url] END
      ELSE {uniq("coalesce(links.urls, [])")} END AS urls,
      CASE WHEN len(raw_urls) = 1 THEN CASE WHEN one.url IS NULL THEN [] ELSE [one.domain] END
      ELSE {uniq("coalesce(links.domains, [])")} END AS domains
    FROM m LEFT JOIN links USING (_r)
      LEFT JOIN urls2 one ON len(m.raw_urls) = 1 AND one.raw = m.raw_urls[1]
    WHERE NOT _py ORDER BY m._r
"""
_OWN_COLUMNS = (
    "_r",
    *(
        name
        for name in POST_SCHEMA.names
        if name not in ("urls", "domains", "source", "source_line")
    ),
)


def _fast_rows(con: duckdb.DuckDBPyConnection, mapped: pa.Table, options: ReadOptions) -> pa.Table:
    """The rows the SQL is sure of, with their links, in record order.

    ``mapped`` is the mapped table (DuckDB's ``m``); its rows may come in any order.
    """
    fast = np.flatnonzero(~mapped.column("_py").to_numpy(zero_copy_only=False))
    own = take(mapped.select(list(_OWN_COLUMNS)), fast)  # slices: rows for Python are rare
    order = own.column("_r").to_numpy()
    if len(order) > 1 and not bool(np.all(order[1:] > order[:-1])):
        own = take(own, np.argsort(order, kind="stable"))  # a scan that did not keep order
    # a time from the SQL may come without zone: it is UTC (see sql_rules.time_sql)
    collected = own.column("collected_at").cast(POST_SCHEMA.field("collected_at").type)
    if options.collected_at is not None and collected.null_count:
        collected = pc.fill_null(collected, pa.scalar(options.collected_at, collected.type))
    own = own.set_column(own.schema.get_field_index("collected_at"), "collected_at", collected)
    links = con.sql(_FAST_LINKS_SQL).to_arrow_table()
    assert links is not None
    return own.append_column("urls", links.column("urls")).append_column(
        "domains", links.column("domains")
    )


def _assemble(
    path: Path,
    inp: ColumnarInput,
    fast: pa.Table,
    slow_rows: pa.Table,
    accounts: pa.Table | None,
    fallback: Fallback,
    batch_size: int,
    name: str = "",
) -> list[Batch]:
    """Fast rows and Python-read rows, merged back into record order, in batches."""
    source = str(path)
    lines = inp.lines
    n = fast.num_rows
    rows = fast.column("_r").to_numpy()
    posts = posts_from_sql(fast, source, lines)
    slow_posts: list[tuple[int, Post]] = []
    slow_accounts: list[Account] = []
    rejects: list[Reject] = []
    for r, where, row in _slow_records(path, inp, slow_rows, name):
        if isinstance(row, Reject):
            rejects.append(row)
            continue
        for item in fallback(row, where):
            if isinstance(item, Post):
                slow_posts.append((r, item))
            elif isinstance(item, Account):
                slow_accounts.append(item)
            elif isinstance(item, Reject):
                rejects.append(item)
    if slow_posts:
        merged = pa.concat_tables([posts, posts_to_table([p for _, p in slow_posts])])
        order = pa.array([*rows.tolist(), *(r for r, _ in slow_posts)], pa.int64())
        posts = take(merged, pc.sort_indices(order))
    account_table = ACCOUNT_SCHEMA.empty_table()
    if accounts is not None:
        account_table = pa.Table.from_arrays(
            [accounts.column(f.name).cast(f.type) for f in ACCOUNT_SCHEMA], schema=ACCOUNT_SCHEMA
        )
    if slow_accounts:
        account_table = pa.concat_tables([account_table, accounts_to_table(slow_accounts)])
    accounts_read = (n if accounts is not None else 0) + len(slow_accounts)
    return to_batches(posts, account_table, rejects_to_table(rejects), accounts_read, batch_size)


def _slow_records(
    path: Path, inp: ColumnarInput, slow_rows: pa.Table, name: str
) -> Iterator[tuple[int, Where, Any]]:
    """``(record, where, row)`` of each row for Python, in record order: a dict of cells
    (CSV), the parsed JSON line, Parquet's cells, or a :class:`Reject` of the CSV reader."""
    source = str(path)
    lines = inp.lines
    if inp.kind == "csv":
        yield from _csv_records(path, inp, slow_rows.column("_r").to_numpy(), name)
        return
    data = np.memmap(path, dtype=np.uint8, mode="r") if inp.spans is not None else None
    for rec in slow_rows.to_pylist():
        r = rec.pop("_r")
        where = Where(source, int(lines[r]), None)
        row: Any
        if data is not None and inp.spans is not None:
            start, end = inp.spans[r]
            row = orjson.loads(bytes(data[start:end]).removeprefix(b"\xef\xbb\xbf"))
        elif inp.kind == "jsonl":
            row = orjson.loads(rec["json"])
        else:
            row = {k: ("" if v is None else v) for k, v in rec.items()}
        yield r, where, row


def _csv_records(
    path: Path, inp: ColumnarInput, records: np.ndarray, name: str
) -> Iterator[tuple[int, Where, Any]]:
    """The CSV records numbered ``records`` (ascending), read by ``iter_csv_rows`` from
    their bytes: each run of consecutive records is one span of the file."""
    if len(records) == 0:
        return
    nl, size = _newlines(path)
    lines = inp.lines

    def line_start(line: int) -> int:
        return 0 if line == 1 else int(nl[line - 2]) + 1

    breaks = np.flatnonzero(np.diff(records) != 1) + 1
    for run in np.split(records, breaks):
        first, last = int(run[0]), int(run[-1])
        end = line_start(int(lines[last + 1])) if last + 1 < len(lines) else size
        span = Span(line_start(int(lines[first])), end, int(lines[first]))
        got = list(iter_csv_rows(path, name, span))
        if len(got) != len(run):
            raise _Decline  # the two readers disagree on where records are
        for r, entry in zip(run.tolist(), got, strict=True):
            if isinstance(entry, Reject):
                yield r, Where(entry.source, entry.line, entry.offset), entry
            else:
                yield r, *entry


def posts_from_sql(
    fast: pa.Table, source: str, lines: np.ndarray, created_at: str = "created_at"
) -> pa.Table:
    """Posts from SQL rows (``_r``: the record each starts on) with their file and line.

    ``created_at`` names the column holding the post time.
    """
    columns = [
        fast.column(created_at if name == "created_at" else name).cast(POST_SCHEMA.field(name).type)
        for name in POST_SCHEMA.names
        if name not in ("source", "source_line")
    ]
    starts = fast.column("_r").to_numpy()
    return pa.Table.from_arrays(
        [
            *columns,
            pa.repeat(pa.scalar(source), fast.num_rows),
            pa.array(lines[starts], pa.int64()),
        ],
        schema=POST_SCHEMA,
    )


def to_batches(
    posts: pa.Table,
    accounts: pa.Table,
    rejects: pa.Table,
    accounts_read: int,
    batch_size: int,
    skipped: Counter[str] | None = None,
) -> list[Batch]:
    """A whole file's tables as batches: posts first, then accounts, rejects and skip counts."""
    # batches of ``_COLUMNAR_BATCH`` rows: the table is in memory already, and the store
    # checks each batch against every stored key, so fewer, larger batches cost less
    size = max(batch_size, _COLUMNAR_BATCH)
    batches = [
        Batch(
            posts.slice(i, size),
            ACCOUNT_SCHEMA.empty_table(),
            QUARANTINE_SCHEMA.empty_table(),
            Counter(),
            0,
        )
        for i in range(0, posts.num_rows, size)
    ]
    batches.append(
        Batch(POST_SCHEMA.empty_table(), accounts, rejects, skipped or Counter(), accounts_read)
    )
    return batches
