"""CSV input shared by the tabular readers: rows with exact line numbers, bad rows rejected.

Each row comes with the physical line it starts on (quoted fields may span lines), so that a
quarantined row can be found in the file. A row with the wrong number of columns, a NUL byte or
bytes that are not UTF-8 becomes a :class:`~lagebild.model.Reject`; the rest of the file is read.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from lagebild.errors import FormatError
from lagebild.ingest.base import Span, Where, make_reject
from lagebild.model import Reject

__all__ = [
    "csv_header",
    "csv_line",
    "iter_csv_rows",
    "iter_parquet_rows",
    "iter_rows",
    "list_field",
]

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def _dialect(first_line: str) -> str:
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def csv_header(text: str) -> tuple[str, ...] | None:
    """The header of CSV/TSV text (its first record), or ``None`` if there is none."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not first:
        return None
    try:
        row = next(csv.reader([first], delimiter=_dialect(first)))
    except (csv.Error, StopIteration):
        return None
    return tuple(c.strip() for c in row)


def _decoded(fh: IO[bytes], bad: set[int], first_line: int, end: int | None) -> Iterator[str]:
    offset = fh.tell()
    for lineno, raw in enumerate(fh, start=first_line):
        if end is not None and offset >= end:
            return
        offset += len(raw)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(lineno)
            yield raw.decode("utf-8", errors="replace")


def iter_csv_rows(
    path: Path, fmt: str, span: Span | None = None
) -> Iterator[tuple[Where, dict[str, str]] | Reject]:
    """The data rows of a CSV or TSV file as ``{column: value}``, with where each starts.

    The delimiter (comma or tab) is taken from the header line. With a ``span``, only the
    records in that byte range are read (the header still comes from the top of the file).
    Raises :class:`FormatError` only when the file has no header at all.
    """
    csv.field_size_limit(_FIELD_LIMIT)
    source = str(path)
    bad: set[int] = set()
    with path.open("rb") as fh:
        raw_first = fh.readline()
        try:
            first = raw_first.decode("utf-8")
        except UnicodeDecodeError:
            first = raw_first.decode("utf-8", errors="replace")
        if first.startswith("\ufeff"):
            first = first[1:]
        header = csv_header(first)
        if not header:
            raise FormatError(f"{path}: empty file or no CSV header line")
        if span is not None:
            fh.seek(span.start)
            last_line = span.first_line - 1
        else:
            last_line = 1
        lines = _decoded(fh, bad, last_line + 1, span.end if span else None)
        reader = csv.reader(lines, delimiter=_dialect(first))
        width = len(header)
        base = last_line
        while True:
            start = last_line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                last_line = base + reader.line_num
                yield make_reject(Where(source, start, None), fmt, f"CSV error: {exc}", "")
                continue
            last_line = base + reader.line_num
            where = Where(source, start, None)
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if bad and any(n in bad for n in range(start, last_line + 1)):
                yield make_reject(where, fmt, "not valid UTF-8 (wrong encoding?)", csv_line(row))
                continue
            if len(row) != width:
                yield make_reject(
                    where, fmt, f"expected {width} columns, found {len(row)}", csv_line(row)
                )
                continue
            yield where, dict(zip(header, row, strict=True))


def csv_line(values: Iterable[str]) -> str:
    """One CSV record as text, quoted so that it parses back (for quarantined rows)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(list(values))
    return out.getvalue()


def list_field(value: str | None) -> list[str]:
    """Items of a list written into one CSV cell: ``[a, b]``, ``['a', 'b']`` or ``a,b``."""
    if not value:
        return []
    s = value.strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    out = []
    for part in s.split(","):
        item = part.strip().strip("'\"").strip()
        if item:
            out.append(item)
    return out


def iter_parquet_rows(path: Path, fmt: str) -> Iterator[tuple[Where, dict[str, Any]] | Reject]:
    """The rows of a Parquet file as ``{column: value}``; ``line`` is the 1-based row number.

    A file that turns out to be unreadable part-way yields one :class:`Reject` for the rest.
    """
    source = str(path)
    n = 0
    try:
        pf = pq.ParquetFile(path)
        for batch in pf.iter_batches(batch_size=65_536):
            for row in batch.to_pylist():
                n += 1
                yield Where(source, n, None), row
    except (pa.ArrowException, OSError) as exc:
        yield make_reject(Where(source, n + 1, None), fmt, f"cannot read Parquet: {exc}", "")


def iter_rows(
    path: Path, fmt: str, span: Span | None = None
) -> Iterator[tuple[Where, dict[str, Any]] | Reject]:
    """Rows of a CSV/TSV or Parquet file, whichever it is (spans apply to CSV only)."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return iter_parquet_rows(path, fmt)
    return iter_csv_rows(path, fmt, span)
