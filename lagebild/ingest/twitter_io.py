"""X/Twitter information-operations archives (the transparency-report CSV).

Twitter published the tweets of accounts it removed for state-backed information operations as
CSV files with one row per tweet: ``tweetid``, ``userid``, ``user_screen_name``,
``tweet_text``, ``tweet_time``, ``is_retweet``, ``retweet_tweetid``, ``urls``, ``hashtags``,
``follower_count``, ... Small accounts are anonymised (``userid`` and ``user_screen_name`` are
hashes); lists are written into one cell as ``[a, b]``. Each row also yields an account snapshot
(the profile as the archive saw it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

from lagebild.ingest.base import (
    MALFORMED,
    Batch,
    Head,
    Item,
    ReadOptions,
    SourceFormat,
    Where,
    link_fields,
    make_reject,
    opt_bool,
    opt_int,
    parse_time,
    req_str,
)
from lagebild.ingest.tabular import csv_line, iter_csv_rows, list_field
from lagebild.ingest.text import clean_hashtag, hashtags_from_text, unique, urls_from_text
from lagebild.model import Account, Post, Reject
from lagebild.plugins import hookimpl

__all__ = ["FORMAT", "normalize", "normalize_account", "read", "row_items"]

NAME = "twitter-io"
_REQUIRED = frozenset({"tweetid", "userid", "tweet_text", "tweet_time"})
_ABSENT = frozenset({"", "absent", "none", "null", "nan"})


def _cell(row: Mapping[str, str], key: str) -> str | None:
    value = row.get(key)
    if value is None or value.strip().lower() in _ABSENT:
        return None
    return value.strip()


def _id(row: Mapping[str, str], key: str) -> str | None:
    """A tweet or user id; float renderings such as ``1.2e+18`` are malformed."""
    value = _cell(row, key)
    if value is None or value == "0":
        return None
    return value[:-2] if value.endswith(".0") and value[:-2].isdigit() else value


def normalize(
    row: Mapping[str, str],
    *,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One archive row as a post."""
    text = row.get("tweet_text") or ""
    is_retweet = opt_bool(row.get("is_retweet")) or False
    urls, domains = link_fields(list_field(_cell(row, "urls")) or urls_from_text(text))
    tags = list_field(_cell(row, "hashtags"))
    hashtags = unique(clean_hashtag(t) for t in tags) if tags else hashtags_from_text(text)
    mentions = unique(m.lstrip("@").lower() for m in list_field(_cell(row, "user_mentions")))
    return Post(
        platform="twitter",
        post_id=req_str(_id(row, "tweetid"), "tweetid"),
        account_id=req_str(_id(row, "userid"), "userid"),
        account_handle=_cell(row, "user_screen_name"),
        created_at=parse_time(row.get("tweet_time"), "tweet_time"),
        text=text,
        lang=_cell(row, "tweet_language"),
        urls=urls,
        domains=domains,
        hashtags=hashtags,
        mentions=mentions,
        reply_to=_id(row, "in_reply_to_tweetid"),
        repost_of=_id(row, "retweet_tweetid") if is_retweet else None,
        quote_of=_id(row, "quoted_tweet_tweetid"),
        media=(),
        views=opt_int(_cell(row, "impression_count"), "impression_count"),
        likes=opt_int(_cell(row, "like_count"), "like_count"),
        reposts=opt_int(_cell(row, "retweet_count"), "retweet_count"),
        replies=opt_int(_cell(row, "reply_count"), "reply_count"),
        quotes=opt_int(_cell(row, "quote_count"), "quote_count"),
        collected_at=collected_at,
        source=source,
        source_line=line,
    )


def normalize_account(
    row: Mapping[str, str], *, source: str = "", observed_at: dt.datetime | None = None
) -> Account:
    """The profile columns of an archive row as an account snapshot."""
    created = _cell(row, "account_creation_date")
    return Account(
        platform="twitter",
        account_id=req_str(_id(row, "userid"), "userid"),
        handle=_cell(row, "user_screen_name"),
        name=_cell(row, "user_display_name"),
        created_at=parse_time(created, "account_creation_date") if created else None,
        followers=opt_int(_cell(row, "follower_count"), "follower_count"),
        following=opt_int(_cell(row, "following_count"), "following_count"),
        posts_count=None,
        verified=None,
        description=_cell(row, "user_profile_description"),
        labels=("state-backed-io",),
        observed_at=observed_at,
        source=source,
    )


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts and account snapshots of an archive CSV; bad rows are rejected."""
    profiles: dict[tuple[str | None, ...], Account] = {}
    for entry in iter_csv_rows(path, NAME, options.span):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, row = entry
        yield from row_items(row, where, options, profiles)


def row_items(
    row: Mapping[str, str],
    where: Where,
    options: ReadOptions,
    profiles: dict[tuple[str | None, ...], Account] | None = None,
) -> Iterator[Item]:
    """The post and account snapshot of one row, or its reject (``profiles`` caches snapshots
    of rows that repeat the same profile)."""
    try:
        post = normalize(
            row, source=where.source, line=where.line, collected_at=options.collected_at
        )
        key = tuple(row.get(c) for c in _PROFILE_COLUMNS)
        account = profiles.get(key) if profiles is not None else None
        if account is None:
            account = normalize_account(row, source=where.source)
            if profiles is not None:
                profiles[key] = account
    except MALFORMED as exc:
        yield make_reject(where, NAME, exc, csv_line(row.values()))
        return
    yield post
    yield account


# The columns an account snapshot is made of: rows repeating them share one snapshot.
_PROFILE_COLUMNS = (
    "userid",
    "user_screen_name",
    "user_display_name",
    "account_creation_date",
    "follower_count",
    "following_count",
    "user_profile_description",
)


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """The columnar path for whole archive files (see ``twitter_io_sql``)."""
    from lagebild.ingest import twitter_io_sql  # the SQL mirror imports this module

    return twitter_io_sql.read_tables(path, options, batch_size)


def sniff(head: Head) -> bool:
    """An archive CSV has the tweet and user id columns and ``tweet_time``."""
    return head.csv_header is not None and set(head.csv_header) >= _REQUIRED


FORMAT = SourceFormat(
    name=NAME,
    title="X/Twitter information-operations archive (CSV)",
    platforms=("twitter",),
    sniff=sniff,
    read=read,
    split=("csv",),
    read_tables=read_tables,
    priority=10,
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the archive format."""
    return [FORMAT]
