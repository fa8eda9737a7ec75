"""Format sniffing: which registered source format a file is, so ``--format`` is optional."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from lagebild.errors import FormatError, UnknownFormatError
from lagebild.ingest.base import Head, SourceFormat
from lagebild.ingest.tabular import csv_header
from lagebild.plugins import Registry

__all__ = ["DATA_SUFFIXES", "detect_format", "read_head"]

#: File suffixes a directory walk considers as data (others, such as README.md, are ignored).
DATA_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".txt"})

_HEAD_BYTES = 1 << 16
_WHOLE_JSON_LIMIT = 8 << 20


def read_head(path: Path) -> Head:
    """The first bytes of ``path`` and what they reveal: JSON value, CSV header, Parquet columns."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if raw.startswith(b"PAR1"):
        try:
            names = tuple(pq.read_schema(path).names)
        except Exception as exc:  # pyarrow raises several types for broken files
            raise FormatError(f"{path} looks like Parquet but cannot be read: {exc}") from exc
        return Head(path=path, text="", parquet_columns=names)
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    first_json: Any = None
    header = None
    if stripped[:1] in ("{", "["):
        first_json = _first_json(path, raw, stripped)
    else:
        header = csv_header(text)
    return Head(path=path, text=text, first_json=first_json, csv_header=header)


def _first_json(path: Path, raw: bytes, stripped: str) -> Any:
    """The first JSON value: the first line of JSON Lines, else the whole (small) document."""
    first_line = stripped.split("\n", 1)[0]
    try:
        return orjson.loads(first_line)
    except orjson.JSONDecodeError:
        pass
    if len(raw) < _HEAD_BYTES or path.stat().st_size <= _WHOLE_JSON_LIMIT:
        try:
            return orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            return None
    return None


def detect_format(path: Path, registry: Registry) -> SourceFormat:
    """The registered format that recognises ``path`` (highest priority wins)."""
    head = read_head(path)
    matches = [f for f in registry.formats.values() if _safe_sniff(f, head)]
    if not matches:
        tried = ", ".join(sorted(registry.formats))
        raise UnknownFormatError(
            f"{path}: not a known format (tried: {tried})",
            hint="name the format with --format, or map its columns with the generic "
            "format (see `lagebild formats`)",
        )
    return max(matches, key=lambda f: f.priority)


def _safe_sniff(fmt: SourceFormat, head: Head) -> bool:
    try:
        return bool(fmt.sniff(head))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return False
