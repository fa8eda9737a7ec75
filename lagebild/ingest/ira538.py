"""Russian IRA troll tweets as FiveThirtyEight / Clemson University released them.

Linvill & Warren's *russian-troll-tweets* (CC BY 4.0): CSV files (and the Parquet slice in
``shared/data/ira``) with ``author`` (or ``author_id``), ``content``, ``publish_date``,
``language``, ``region``, ``following``, ``followers``, ``updates``, ``post_type``,
``retweet``, and in the CSV also ``external_author_id``, ``tweet_id``, ``account_type``,
``account_category``.

The data has gaps a reader must be honest about:

* Without ``tweet_id`` a post id is derived from author, time and text
  (``ira:<sha1 prefix>``); identical tweets in the same minute collapse into one.
* Retweets carry no id of the original: ``repost_of`` is a content key ``ira-rt:<sha1>`` of
  the retweeted text, equal for every retweet of the same original, so co-retweet analysis
  works, but it never joins to a post id.
* Links are ``t.co`` short links in the text and cannot be expanded offline.
* ``followers``/``following``/``updates`` are counts at the time of the tweet, so each row
  also yields an account snapshot observed at ``publish_date``: a follower history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lagebild.errors import RecordError
from lagebild.ingest.base import (
    MALFORMED,
    Head,
    Item,
    ReadOptions,
    SourceFormat,
    Where,
    link_fields,
    make_reject,
    opt_int,
    opt_str,
    parse_time,
    req_str,
)
from lagebild.ingest.tabular import iter_rows
from lagebild.ingest.text import hashtags_from_text, mentions_from_text, urls_from_text
from lagebild.model import Account, Post, Reject
from lagebild.plugins import hookimpl

__all__ = ["FORMAT", "normalize", "normalize_account", "read"]

NAME = "ira-538"
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})$")
_RT = re.compile(r"^RT @(\w+):\s?")
_LANGS = {
    "English": "en",
    "Russian": "ru",
    "German": "de",
    "Ukrainian": "uk",
    "Italian": "it",
    "French": "fr",
    "Spanish": "es",
    "Arabic": "ar",
    "Serbian": "sr",
    "Bulgarian": "bg",
    "Dutch": "nl",
    "Polish": "pl",
    "Macedonian": "mk",
    "Romanian": "ro",
    "Farsi (Persian)": "fa",
    "Turkish": "tr",
    "Uzbek": "uz",
    "Estonian": "et",
    "Norwegian": "no",
    "Swedish": "sv",
    "Finnish": "fi",
    "Lithuanian": "lt",
    "Latvian": "lv",
    "Croatian": "hr",
    "Japanese": "ja",
    "Vietnamese": "vi",
    "Hungarian": "hu",
    "Czech": "cs",
    "Portuguese": "pt",
}


def _time(value: Any, field: str) -> dt.datetime:
    s = str(value).strip() if value is not None else ""
    m = _US_DATE.match(s)
    if m:
        month, day, year, hour, minute = (int(g) for g in m.groups())
        with contextlib.suppress(ValueError):
            value = dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
    return parse_time(value, field)


def _author(row: Mapping[str, Any]) -> str | None:
    return opt_str(row.get("author")) or opt_str(row.get("author_id"))


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def normalize(
    row: Mapping[str, Any],
    *,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One troll tweet as a post."""
    author = req_str(_author(row), "author")
    account_id = opt_str(row.get("external_author_id")) or author
    published = row.get("publish_date")
    created_at = _time(published, "publish_date")
    text = opt_str(row.get("content")) or ""
    tweet_id = opt_str(row.get("tweet_id"))
    post_id = tweet_id or "ira:" + _digest(author.lower(), created_at.isoformat(), text)[:20]
    post_type = (opt_str(row.get("post_type")) or "").upper()
    is_retweet = post_type in ("R", "RETWEET") or str(row.get("retweet", "")).strip() == "1"
    rt = _RT.match(text)
    repost_of = "ira-rt:" + _digest(text)[:20] if is_retweet else None
    mentions = mentions_from_text(text)
    if rt and rt.group(1).lower() not in mentions:
        mentions = (rt.group(1).lower(), *mentions)
    language = opt_str(row.get("language"))
    urls, domains = link_fields(urls_from_text(text))
    return Post(
        platform="twitter",
        post_id=post_id,
        account_id=account_id,
        account_handle=author,
        created_at=created_at,
        text=text,
        lang=_LANGS.get(language, language.lower()) if language else None,
        urls=urls,
        domains=domains,
        hashtags=hashtags_from_text(text),
        mentions=mentions,
        reply_to=None,
        repost_of=repost_of,
        quote_of=None,
        media=(),
        views=None,
        likes=None,
        reposts=None,
        replies=None,
        quotes=None,
        collected_at=_time(row["harvested_date"], "harvested_date")
        if opt_str(row.get("harvested_date"))
        else collected_at,
        source=source,
        source_line=line,
    )


def _count(value: Any) -> int | None:
    """A profile count; the data writes -1 (and junk) for unknown ones."""
    try:
        return opt_int(value)
    except RecordError:
        return None


def normalize_account(
    row: Mapping[str, Any], *, source: str = "", observed_at: dt.datetime | None = None
) -> Account:
    """The account counts of one row, observed when the tweet was published."""
    author = req_str(_author(row), "author")
    labels = tuple(
        f"{key}:{value}"
        for key in ("account_type", "account_category", "region")
        if (value := opt_str(row.get(key))) and value != "Unknown"
    )
    return Account(
        platform="twitter",
        account_id=opt_str(row.get("external_author_id")) or author,
        handle=author,
        name=None,
        created_at=None,
        followers=_count(row.get("followers")),
        following=_count(row.get("following")),
        posts_count=_count(row.get("updates")),
        verified=None,
        description=None,
        labels=("ira", *labels),
        observed_at=observed_at or _time(row.get("publish_date"), "publish_date"),
        source=source,
    )


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts and account snapshots of an IRA CSV or Parquet file."""
    for entry in iter_rows(path, NAME, options.span):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, row = entry
        yield from _items(row, where, options)


def _items(row: Mapping[str, Any], where: Where, options: ReadOptions) -> Iterator[Item]:
    try:
        post = normalize(
            row, source=where.source, line=where.line, collected_at=options.collected_at
        )
        account = normalize_account(row, source=where.source, observed_at=post.created_at)
    except MALFORMED as exc:
        yield make_reject(where, NAME, exc, row)
        return
    yield post
    yield account


def sniff(head: Head) -> bool:
    """The troll-tweet files have ``content``, ``publish_date`` and an author column."""
    cols = set(head.csv_header or head.parquet_columns or ())
    return {"content", "publish_date"} <= cols and bool(cols & {"author", "author_id"})


FORMAT = SourceFormat(
    name=NAME,
    title="IRA troll tweets (FiveThirtyEight / Clemson CSV, or Parquet)",
    platforms=("twitter",),
    sniff=sniff,
    read=read,
    split=("csv",),
    priority=10,
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the IRA troll-tweet format."""
    return [FORMAT]
