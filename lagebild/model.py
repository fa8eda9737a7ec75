"""The canonical records every module exchanges, and their Arrow (Parquet) schemas.

A :class:`Post` is one piece of content on one platform, whatever the export it came from; an
:class:`Account` is one snapshot of a profile; a :class:`Finding` is the single envelope every
detector writes. Records are immutable named tuples: typed, cheap to build by the million, and
turned into Arrow columns without per-field attribute lookups.

Conventions shared by all readers:

* ``created_at`` / ``collected_at`` are timezone-aware UTC datetimes.
* ``urls`` are normalised (see :mod:`lagebild.ingest.urls`); ``domains`` are the distinct
  registered domains (public-suffix aware) of the post's links, first seen first. Share
  tables with anonymised ids (CooRTweet) carry opaque ids such as ``url_17`` instead.
* ``hashtags`` and ``mentions`` are lower-case, without ``#`` / ``@``.
* ``reply_to``, ``repost_of`` and ``quote_of`` are post ids on the same platform.
* ``media`` entries are typed strings: ``phash:<hex>`` for a perceptual hash, ``phashid:<id>``
  for an anonymised hash id, ``blurhash:<hash>`` (Mastodon; coarse), ``key:<id>`` for a
  platform media key, ``url:<url>`` when only the media URL is known.
* Engagement counts are ``None`` when the export does not carry them: missing is not zero.
* ``source`` names the file (or stream) and ``source_line`` the line or record in it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyarrow as pa

__all__ = [
    "ACCOUNT_SCHEMA",
    "FINDING_SCHEMA",
    "NARRATIVE_POST_SCHEMA",
    "PLATFORMS",
    "POST_SCHEMA",
    "QUARANTINE_SCHEMA",
    "Account",
    "AccountRef",
    "Finding",
    "Post",
    "PostRef",
    "Reject",
    "accounts_to_table",
    "findings_to_table",
    "posts_to_table",
    "rejects_to_table",
    "table_to_findings",
    "table_to_posts",
]

#: Platform names used in the ``platform`` field. Readers may add others (lower-case).
PLATFORMS = ("twitter", "facebook", "instagram", "telegram", "bluesky", "mastodon", "youtube")

UTC = dt.UTC
_TS = pa.timestamp("us", tz="UTC")
_STRINGS = pa.list_(pa.string())


class Post(NamedTuple):
    """One post, in the same shape whatever platform or export it came from."""

    platform: str
    post_id: str
    account_id: str
    account_handle: str | None
    created_at: dt.datetime
    text: str | None
    lang: str | None
    urls: tuple[str, ...]
    domains: tuple[str, ...]
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]
    reply_to: str | None
    repost_of: str | None
    quote_of: str | None
    media: tuple[str, ...]
    views: int | None
    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    collected_at: dt.datetime | None
    source: str
    source_line: int | None


POST_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("account_handle", pa.string()),
        pa.field("created_at", _TS, nullable=False),
        pa.field("text", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("urls", _STRINGS),
        pa.field("domains", _STRINGS),
        pa.field("hashtags", _STRINGS),
        pa.field("mentions", _STRINGS),
        pa.field("reply_to", pa.string()),
        pa.field("repost_of", pa.string()),
        pa.field("quote_of", pa.string()),
        pa.field("media", _STRINGS),
        pa.field("views", pa.int64()),
        pa.field("likes", pa.int64()),
        pa.field("reposts", pa.int64()),
        pa.field("replies", pa.int64()),
        pa.field("quotes", pa.int64()),
        pa.field("collected_at", _TS),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_line", pa.int64()),
    ]
)


class Account(NamedTuple):
    """One snapshot of an account's profile, as an export saw it at ``observed_at``."""

    platform: str
    account_id: str
    handle: str | None
    name: str | None
    created_at: dt.datetime | None
    followers: int | None
    following: int | None
    posts_count: int | None
    verified: bool | None
    description: str | None
    labels: tuple[str, ...]
    observed_at: dt.datetime | None
    source: str


ACCOUNT_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("handle", pa.string()),
        pa.field("name", pa.string()),
        pa.field("created_at", _TS),
        pa.field("followers", pa.int64()),
        pa.field("following", pa.int64()),
        pa.field("posts_count", pa.int64()),
        pa.field("verified", pa.bool_()),
        pa.field("description", pa.string()),
        pa.field("labels", _STRINGS),
        pa.field("observed_at", _TS),
        pa.field("source", pa.string(), nullable=False),
    ]
)


class Reject(NamedTuple):
    """A malformed input record, kept in quarantine with the reason it was rejected."""

    source: str
    line: int | None
    offset: int | None
    pointer: str
    format: str
    reason: str
    raw: str


QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("line", pa.int64()),
        pa.field("offset", pa.int64()),
        pa.field("pointer", pa.string(), nullable=False),
        pa.field("format", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw", pa.string(), nullable=False),
    ]
)


class PostRef(NamedTuple):
    """The key of a post: ``(platform, post_id)``."""

    platform: str
    post_id: str


class AccountRef(NamedTuple):
    """The key of an account: ``(platform, account_id)``."""

    platform: str
    account_id: str


@dataclass(frozen=True, slots=True)
class Finding:
    """The one envelope every detector writes; alerts, cases and the web rely only on it.

    ``params`` records what produced the finding (the detector's parameters), ``posts`` and
    ``accounts`` are the evidence, ``details`` holds detector-specific JSON-able data.
    """

    kind: str
    id: str
    created_at: dt.datetime
    score: float
    params: Mapping[str, Any]
    posts: tuple[PostRef, ...]
    accounts: tuple[AccountRef, ...]
    summary: str
    details: Mapping[str, Any] = field(default_factory=dict)


#: One post's place in a narrative: which narrative of which model, how close, and how it got
#: there (``cluster``: clustered with the narrative's sample; ``assign``: assigned afterwards).
NARRATIVE_POST_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("narrative_id", pa.string(), nullable=False),
        pa.field("model_id", pa.string(), nullable=False),
        pa.field("similarity", pa.float32()),
        pa.field("method", pa.string(), nullable=False),
        pa.field("assigned_at", _TS, nullable=False),
    ]
)

_REF_POST = pa.struct([("platform", pa.string()), ("post_id", pa.string())])
_REF_ACCOUNT = pa.struct([("platform", pa.string()), ("account_id", pa.string())])

FINDING_SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("created_at", _TS, nullable=False),
        pa.field("score", pa.float64()),
        pa.field("params", pa.string(), nullable=False),
        pa.field("posts", pa.list_(_REF_POST)),
        pa.field("accounts", pa.list_(_REF_ACCOUNT)),
        pa.field("summary", pa.string(), nullable=False),
        pa.field("details", pa.string(), nullable=False),
    ]
)


def _columns(rows: Sequence[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    """Transpose named tuples into an Arrow table of ``schema`` (fields in tuple order)."""
    if not rows:
        return schema.empty_table()
    cols = list(zip(*rows, strict=True))
    arrays = [pa.array(col, type=f.type) for col, f in zip(cols, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def posts_to_table(posts: Sequence[Post]) -> pa.Table:
    """Turn posts into an Arrow table with :data:`POST_SCHEMA`."""
    return _columns(posts, POST_SCHEMA)


def accounts_to_table(accounts: Sequence[Account]) -> pa.Table:
    """Turn account snapshots into an Arrow table with :data:`ACCOUNT_SCHEMA`."""
    return _columns(accounts, ACCOUNT_SCHEMA)


def rejects_to_table(rejects: Sequence[Reject]) -> pa.Table:
    """Turn quarantined records into an Arrow table with :data:`QUARANTINE_SCHEMA`."""
    return _columns(rejects, QUARANTINE_SCHEMA)


def table_to_posts(table: pa.Table) -> list[Post]:
    """Read posts back from an Arrow table (any column order; extra columns ignored)."""
    names = Post._fields
    cols = [table.column(n).to_pylist() for n in names]
    out: list[Post] = []
    for values in zip(*cols, strict=True):
        row = dict(zip(names, values, strict=True))
        for name in ("urls", "domains", "hashtags", "mentions", "media"):
            row[name] = tuple(row[name] or ())
        out.append(Post(**row))
    return out


def findings_to_table(findings: Iterable[Finding]) -> pa.Table:
    """Turn findings into an Arrow table with :data:`FINDING_SCHEMA` (JSON for free-form parts)."""
    rows = [
        {
            "kind": f.kind,
            "id": f.id,
            "created_at": f.created_at,
            "score": f.score,
            "params": json.dumps(f.params, sort_keys=True, default=str),
            "posts": [r._asdict() for r in f.posts],
            "accounts": [r._asdict() for r in f.accounts],
            "summary": f.summary,
            "details": json.dumps(f.details, sort_keys=True, default=str),
        }
        for f in findings
    ]
    return pa.Table.from_pylist(rows, schema=FINDING_SCHEMA)


def table_to_findings(table: pa.Table) -> list[Finding]:
    """Read findings back from an Arrow table with :data:`FINDING_SCHEMA`."""
    return [
        Finding(
            kind=r["kind"],
            id=r["id"],
            created_at=r["created_at"],
            score=r["score"],
            params=json.loads(r["params"]),
            posts=tuple(PostRef(**p) for p in r["posts"] or ()),
            accounts=tuple(AccountRef(**a) for a in r["accounts"] or ()),
            summary=r["summary"],
            details=json.loads(r["details"]),
        )
        for r in table.to_pylist()
    ]
