"""Generic tables (CSV, TSV, JSON Lines, JSON arrays, Parquet) with a column mapping.

For any export Lagebild has no reader for: say which input column holds which canonical field,
on the command line (``--map post_id=id --map created_at=date``) or in a small TOML file::

    platform = "telegram"            # when no column holds it
    time_format = "%d.%m.%Y %H:%M"   # optional strptime format for created_at
    [columns]
    post_id = "id"
    account_id = "channel"
    created_at = "date"
    text = "message"
    urls = "links"                   # a list, or a string like "[a, b]" / "a,b"

Fields not mapped but present under their canonical name are used as they are, so a file that
already uses Lagebild's column names needs no mapping at all (and is recognised by sniffing).
Dotted names (``user.id``) reach into nested JSON objects. Links, hashtags and mentions that
are not mapped are taken from the text.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from lagebild.errors import ConfigError, RecordError
from lagebild.ingest.base import (
    MALFORMED,
    Batch,
    Head,
    Item,
    ReadOptions,
    SourceFormat,
    Span,
    Where,
    iter_json_values,
    link_fields,
    make_reject,
    opt_int,
    opt_str,
    parse_time,
    req_str,
)
from lagebild.ingest.tabular import iter_rows, list_field
from lagebild.ingest.text import (
    clean_handle,
    clean_hashtag,
    hashtags_from_text,
    mentions_from_text,
    unique,
    urls_from_text,
)
from lagebild.model import Post, Reject
from lagebild.plugins import hookimpl

__all__ = ["FIELDS", "FORMAT", "load_mapping", "normalize", "parse_mapping", "read"]

NAME = "generic"
#: The canonical post fields a mapping may name.
FIELDS = tuple(f for f in Post._fields if f not in ("domains", "source", "source_line"))
_REQUIRED = ("post_id", "account_id", "created_at")
_LISTS = ("urls", "hashtags", "mentions", "media")
_COUNTS = ("views", "likes", "reposts", "replies", "quotes")


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["post_id=id", ...]`` as a mapping; unknown fields are an error."""
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ConfigError(f"bad mapping {pair!r}", hint="write FIELD=COLUMN, e.g. post_id=id")
        out[field.strip()] = column.strip()
    check_mapping(out)
    return out


def check_mapping(mapping: Mapping[str, str]) -> None:
    """Fail on fields that are not canonical post fields."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"unknown field(s) in mapping: {', '.join(unknown)}",
            hint=f"map any of: {', '.join(FIELDS)}",
        )


def load_mapping(path: Path) -> tuple[dict[str, str], str | None, str | None]:
    """Read a mapping TOML file: ``(columns, platform, time_format)``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"mapping file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"mapping file {path} is not valid TOML: {exc}") from exc
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ConfigError(f"{path}: [columns] must map field names to column names")
    check_mapping(columns)
    platform = data.get("platform")
    time_format = data.get("time_format")
    return (
        dict(columns),
        (str(platform) if platform else None),
        (str(time_format) if time_format else None),
    )


def _get(row: Mapping[str, Any], column: str) -> Any:
    if column in row:
        return row[column]
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v not in (None, "")]
    return list_field(str(value))


def _time(value: Any, field: str, time_format: str | None) -> dt.datetime:
    if time_format and isinstance(value, str):
        try:
            parsed = dt.datetime.strptime(value.strip(), time_format)
        except ValueError:
            raise RecordError(f"{field} {value!r} does not match {time_format!r}") from None
        return parse_time(parsed, field)
    return parse_time(value, field)


@lru_cache(maxsize=64)
def _columns(mapping: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Input column of every canonical field (the field's own name when not mapped)."""
    cols = dict(mapping)
    return {f: cols.get(f, f) for f in FIELDS}


def normalize(
    row: Mapping[str, Any],
    mapping: Mapping[str, str],
    *,
    platform: str | None = None,
    time_format: str | None = None,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One mapped row as a post."""
    cols = _columns(tuple(sorted(mapping.items())))
    get = row.get

    def col(field: str) -> Any:
        column = cols[field]
        value = get(column)
        return value if value is not None or "." not in column else _get(row, column)

    plat = opt_str(col("platform")) or platform
    if not plat:
        raise RecordError("no platform: map a platform column or give --platform")
    text = opt_str(col("text"))
    link_cell = col("urls")
    raw_urls = _list(link_cell) if link_cell is not None else urls_from_text(text or "")
    urls, domains = link_fields(raw_urls)
    tags = col("hashtags")
    mentions = col("mentions")
    collected = col("collected_at")
    media = col("media")
    return Post(
        platform=plat.lower(),
        post_id=req_str(col("post_id"), "post_id"),
        account_id=req_str(col("account_id"), "account_id"),
        account_handle=opt_str(col("account_handle")),
        created_at=_time(col("created_at"), "created_at", time_format),
        text=text,
        lang=opt_str(col("lang")),
        urls=urls,
        domains=domains,
        hashtags=unique(clean_hashtag(t) for t in _list(tags))
        if tags is not None
        else hashtags_from_text(text or ""),
        mentions=unique(clean_handle(m) for m in _list(mentions))
        if mentions is not None
        else mentions_from_text(text or ""),
        reply_to=opt_str(col("reply_to")),
        repost_of=opt_str(col("repost_of")),
        quote_of=opt_str(col("quote_of")),
        media=unique(_list(media)) if media is not None else (),
        views=opt_int(col("views"), "views"),
        likes=opt_int(col("likes"), "likes"),
        reposts=opt_int(col("reposts"), "reposts"),
        replies=opt_int(col("replies"), "replies"),
        quotes=opt_int(col("quotes"), "quotes"),
        collected_at=parse_time(collected, "collected_at") if collected else collected_at,
        source=source,
        source_line=line,
    )


def _entries(path: Path, span: Span | None) -> Iterator[tuple[Where, Any] | Reject]:
    with path.open("rb") as fh:
        start = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        return iter_json_values(path, NAME, span)
    return iter_rows(path, NAME, span)


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts of a mapped table; rows without the required fields are rejected."""
    check_mapping(options.mapping)
    for entry in _entries(path, options.span):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, row = entry
        try:
            if not isinstance(row, Mapping):
                raise RecordError(f"expected an object, got {type(row).__name__}")
            yield normalize(
                row,
                options.mapping,
                platform=options.platform,
                time_format=options.time_format,
                source=where.source,
                line=where.line,
                collected_at=options.collected_at,
            )
        except MALFORMED as exc:
            yield make_reject(where, NAME, exc, row)


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """The columnar path for whole flat CSV / JSON Lines files (see ``generic_sql``)."""
    from lagebild.ingest import generic_sql  # the SQL mirror imports this module

    return generic_sql.read_tables(path, options, batch_size)


def sniff(head: Head) -> bool:
    """Recognise tables that already use the canonical column names."""
    if head.csv_header is not None:
        cols = set(head.csv_header)
    elif head.parquet_columns is not None:
        cols = set(head.parquet_columns)
    elif isinstance(head.first_json, dict):
        cols = set(head.first_json)
    elif isinstance(head.first_json, list) and head.first_json:
        first = head.first_json[0]
        cols = set(first) if isinstance(first, dict) else set()
    else:
        return False
    return {"platform", *_REQUIRED} <= cols


FORMAT = SourceFormat(
    name=NAME,
    title="Generic CSV / JSON Lines / Parquet with a column mapping",
    platforms=(),
    sniff=sniff,
    read=read,
    priority=-100,
    split=("csv", "lines"),
    read_tables=read_tables,
    options=("mapping", "platform", "time_format"),
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the generic format."""
    return [FORMAT]
