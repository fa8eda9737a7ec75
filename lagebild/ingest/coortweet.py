"""CooRTweet-style share tables: one row per object shared in a post.

The input of CooRTweet / CooRnet style analyses: ``account_id``, ``post_id`` (or
``content_id``), ``timestamp`` (or ``timestamp_share``, POSIX seconds) and what was shared:
an ``object_id`` column, whose meaning ``ReadOptions.object_kind`` gives (``repost``, the
default: the id of a reposted post; ``url``, ``domain``, ``hashtag``, ``image``), and/or the
columns ``url_id``, ``domain_id``, ``hashtag_id``, ``phash_id`` of the German-election data.

Rows with the same post id merge into one post. The platform comes from an account prefix
(``fb_`` → facebook, ``tw_`` → twitter, ``ig_`` → instagram), else ``ReadOptions.platform``,
else ``unknown``. Anonymised ids are kept as opaque objects: ``url_<id>`` in ``urls``,
``domain_<id>`` in ``domains``, ``hashtag_<id>`` in ``hashtags``, ``phashid:<id>`` in
``media``; values that are real URLs are normalised like any other link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lagebild.errors import ConfigError, RecordError
from lagebild.ingest.base import (
    MALFORMED,
    Batch,
    Head,
    Item,
    ReadOptions,
    Skipped,
    SourceFormat,
    Where,
    make_reject,
    parse_time,
    req_str,
)
from lagebild.ingest.tabular import iter_rows
from lagebild.ingest.text import clean_hashtag
from lagebild.ingest.urls import normalize_url, registered_domain
from lagebild.model import Post, Reject
from lagebild.plugins import hookimpl

__all__ = [
    "COLUMN_KINDS",
    "FORMAT",
    "MERGED",
    "OBJECT_COLUMNS",
    "OBJECT_KINDS",
    "PREFIXES",
    "Share",
    "check_object_kind",
    "merge_row_item",
    "object_value",
    "read",
    "read_tables",
    "share_post",
]

NAME = "coortweet"
#: The ``Skipped`` kind of a row that went into a post an earlier row started.
MERGED = "row merged into an earlier post"
OBJECT_KINDS = ("repost", "url", "domain", "hashtag", "image")
#: Account prefixes that name the platform, tried in this order.
PREFIXES = {"fb_": "facebook", "tw_": "twitter", "ig_": "instagram", "tg_": "telegram"}
#: The object columns, in the order a row's objects are added to its post.
OBJECT_COLUMNS = ("object_id", "url_id", "domain_id", "hashtag_id", "phash_id")


@dataclass
class Share:
    """The merged rows of one post."""

    account_id: str
    created_at: dt.datetime
    where: Where
    urls: dict[str, None] = field(default_factory=dict)
    domains: dict[str, None] = field(default_factory=dict)
    hashtags: dict[str, None] = field(default_factory=dict)
    media: dict[str, None] = field(default_factory=dict)
    repost_of: str | None = None


def platform_of(account_id: str, default: str | None) -> str:
    """The platform named by an account prefix such as ``fb_``."""
    for prefix, platform in PREFIXES.items():
        if account_id.startswith(prefix):
            return platform
    return default or "unknown"


def _value(row: Mapping[str, Any], key: str) -> str | None:
    v = row.get(key)
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s if s and s.lower() not in ("na", "nan", "null", "none") else None


def _is_url(value: str) -> bool:
    return "://" in value or ("." in value and "/" in value)


def object_value(kind: str, value: str) -> tuple[str, str]:
    """The field an object goes to and its stored form; an unusable value raises."""
    if kind == "repost":
        return "repost_of", value
    if kind == "url":
        if not _is_url(value):
            return "urls", f"url_{value}"
        url = normalize_url(value)
        if url is None:
            raise RecordError(f"unusable URL {value!r}")
        return "urls", url
    if kind == "domain":
        return "domains", value.lower() if "." in value else f"domain_{value}"
    if kind == "hashtag":
        return "hashtags", f"hashtag_{value}" if value.isdigit() else clean_hashtag(value)
    return "media", f"phashid:{value}" if value.isdigit() else f"phash:{value.lower()}"


#: The object kind of each object column (``object_id``'s is ``ReadOptions.object_kind``).
COLUMN_KINDS = {
    "url_id": "url",
    "domain_id": "domain",
    "hashtag_id": "hashtag",
    "phash_id": "image",
}


def check_object_kind(options: ReadOptions) -> None:
    """Raise :class:`ConfigError` for an ``object_kind`` this format does not know."""
    if options.object_kind not in OBJECT_KINDS:
        raise ConfigError(
            f"unknown object kind {options.object_kind!r}; use one of {', '.join(OBJECT_KINDS)}"
        )


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Merge the share rows of each post into one post; rows that conflict are rejected."""
    check_object_kind(options)
    shares: dict[str, Share] = {}
    for entry in iter_rows(path, NAME):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, row = entry
        item = merge_row_item(shares, row, where, options)
        if item is not None:
            yield item
    for post_id, share in shares.items():
        yield share_post(post_id, share, options)


def merge_row_item(
    shares: dict[str, Share], row: Mapping[str, Any], where: Where, options: ReadOptions
) -> Reject | Skipped | None:
    """Add one row to ``shares``: its reject, ``Skipped`` for a merged row, or ``None``.

    The one step of :func:`read` per row; the columnar path replays rows through it too.
    """
    try:
        merged = _merge_row(shares, row, where, options)
    except MALFORMED as exc:
        return make_reject(where, NAME, exc, _raw(row))
    return Skipped(where.source, where.line, MERGED) if merged else None


def _raw(row: Mapping[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in row.items())


def _merge_row(
    shares: dict[str, Share], row: Mapping[str, Any], where: Where, options: ReadOptions
) -> bool:
    """Add one row to its post; True when the post was already there (a merged row)."""
    post_id = req_str(_value(row, "post_id") or _value(row, "content_id"), "post_id")
    account_id = req_str(_value(row, "account_id"), "account_id")
    ts = _value(row, "timestamp") or _value(row, "timestamp_share")
    created_at = parse_time(ts, "timestamp")
    objects: list[tuple[str, str]] = []
    for column in OBJECT_COLUMNS:
        value = _value(row, column)
        if value is not None:
            kind = options.object_kind if column == "object_id" else COLUMN_KINDS[column]
            objects.append(object_value(kind, value))
    share = shares.get(post_id)
    if share is not None:
        if share.account_id != account_id:
            raise RecordError(
                f"post {post_id} is already attributed to {share.account_id}, not {account_id}"
            )
        if created_at != share.created_at:
            raise RecordError(f"post {post_id} has two timestamps ({share.created_at} and {ts})")
    reposts = {v for f, v in objects if f == "repost_of"}
    if share is not None and share.repost_of is not None:
        reposts.add(share.repost_of)
    if len(reposts) > 1:
        raise RecordError(f"post {post_id} reposts several objects: {sorted(reposts)}")
    merged = share is not None
    if share is None:
        share = shares[post_id] = Share(account_id, created_at, where)
    for target, value in objects:
        if target == "repost_of":
            share.repost_of = value
        else:
            getattr(share, target)[value] = None
            if target == "urls" and value.startswith("https://"):
                share.domains[registered_domain(value)] = None
    return merged


def share_post(post_id: str, share: Share, options: ReadOptions) -> Post:
    """The post the merged rows of ``post_id`` make."""
    return Post(
        platform=platform_of(share.account_id, options.platform),
        post_id=post_id,
        account_id=share.account_id,
        account_handle=None,
        created_at=share.created_at,
        text=None,
        lang=None,
        urls=tuple(share.urls),
        domains=tuple(share.domains),
        hashtags=tuple(share.hashtags),
        mentions=(),
        reply_to=None,
        repost_of=share.repost_of,
        quote_of=None,
        media=tuple(share.media),
        views=None,
        likes=None,
        reposts=None,
        replies=None,
        quotes=None,
        collected_at=options.collected_at,
        source=share.where.source,
        source_line=share.where.line,
    )


def sniff(head: Head) -> bool:
    """A share table has account, post and time columns and at least one object column."""
    cols = set(head.csv_header or head.parquet_columns or ())
    return (
        "account_id" in cols
        and bool(cols & {"post_id", "content_id"})
        and bool(cols & {"timestamp", "timestamp_share"})
        and bool(cols & set(OBJECT_COLUMNS))
    )


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """The columnar path for whole share tables (see ``coortweet_sql``)."""
    from lagebild.ingest import coortweet_sql  # the SQL path imports this module

    return coortweet_sql.read_tables(path, options, batch_size)


FORMAT = SourceFormat(
    name=NAME,
    title="CooRTweet-style share table (CSV or Parquet)",
    platforms=("facebook", "twitter", "instagram", "telegram"),
    sniff=sniff,
    read=read,
    priority=10,
    options=("object_kind", "platform"),
    read_tables=read_tables,
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the share-table format."""
    return [FORMAT]
