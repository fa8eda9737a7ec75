"""The X/Twitter information-operations archive CSV reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lagebild.ingest import twitter_io
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.sniff import read_head
from lagebild.model import Account, Post, Reject

UTC = dt.UTC


def _read(path: Path) -> tuple[list[Post], list[Account], list[Reject]]:
    items = list(twitter_io.read(path, ReadOptions()))
    return (
        [i for i in items if isinstance(i, Post)],
        [i for i in items if isinstance(i, Account)],
        [i for i in items if isinstance(i, Reject)],
    )


def test_fields(fixtures: Path) -> None:
    path = fixtures / "twitter_io" / "io_archive.csv"
    posts, accounts, _ = _read(path)
    assert len(posts) == 4
    first, retweet, reply, quote = posts
    assert first == Post(
        platform="twitter",
        post_id="1180099462563319808",
        account_id="2788496406",
        account_handle="nachrichten_akt",
        created_at=dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC),
        text="Die Wahl ist manipuliert! Briefwahlstimmen werden vernichtet #btw21 #Wahlbetrug "
        "https://t.co/AbCdEf1234",
        lang="de",
        urls=("https://example-news.de/artikel/briefwahl",),
        domains=("example-news.de",),
        hashtags=("btw21", "wahlbetrug"),
        mentions=(),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=None,
        likes=40,
        reposts=55,
        replies=12,
        quotes=3,
        collected_at=None,
        source=str(path),
        source_line=2,
    )
    assert retweet.repost_of == "1180099462563319808"
    assert retweet.account_handle and len(retweet.account_handle) == 64
    assert retweet.mentions == ("2788496406",)
    assert reply.reply_to == "1180100000000000000"
    assert reply.source_line == 4
    assert reply.text and "\n" in reply.text
    assert reply.urls == ()
    assert quote.quote_of == "1180100000000000001"
    assert quote.urls == ("https://bit.ly/3xYz",)
    assert (quote.likes, quote.views) == (None, None)
    assert quote.source_line == 6
    acc = accounts[0]
    assert acc.account_id == "2788496406"
    assert acc.name == "Nachrichten Aktuell"
    assert (acc.followers, acc.following) == (5412, 301)
    assert acc.created_at == dt.datetime(2014, 9, 3, tzinfo=UTC)
    assert acc.labels == ("state-backed-io",)


def test_rejects(fixtures: Path) -> None:
    _, _, rejects = _read(fixtures / "twitter_io" / "io_archive.csv")
    reasons = {r.line: r.reason for r in rejects}
    assert reasons[7] == "missing or invalid tweetid: None"
    assert reasons[8].startswith("unparsable tweet_time")
    assert reasons[9] == "expected 31 columns, found 5"
    assert reasons[10] == "not valid UTF-8 (wrong encoding?)"
    assert all(r.format == "twitter-io" for r in rejects)


def test_sniff(fixtures: Path) -> None:
    assert twitter_io.sniff(read_head(fixtures / "twitter_io" / "io_archive.csv"))
    assert not twitter_io.sniff(read_head(fixtures / "coortweet" / "shares.csv"))
