"""The IRA troll-tweet reader (FiveThirtyEight / Clemson data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lagebild.ingest import ira538
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.sniff import read_head
from lagebild.model import Account, Post, Reject


def test_fields(fixtures: Path) -> None:
    path = fixtures / "ira538" / "ira.csv"
    items = list(ira538.read(path, ReadOptions()))
    posts = [i for i in items if isinstance(i, Post)]
    accounts = [i for i in items if isinstance(i, Account)]
    rejects = [i for i in items if isinstance(i, Reject)]
    first = posts[0]
    assert first.account_id == first.account_handle == "1488reasons"
    assert first.lang == "ru"
    assert first.created_at == dt.datetime(2016, 8, 16, 11, 47, tzinfo=dt.UTC)
    assert first.collected_at == dt.datetime(2016, 8, 16, 11, 49, tzinfo=dt.UTC)
    assert first.urls == ("https://t.co/jkB6waj9WK",)
    assert first.post_id.startswith("ira:")
    rt = posts[-1]
    assert rt.repost_of and rt.repost_of.startswith("ira-rt:")
    assert rt.mentions == ("realdonaldtrump",)
    assert rt.hashtags == ("maga",)
    assert accounts[0].followers == 6344
    assert accounts[0].observed_at == first.created_at
    assert accounts[0].labels == ("ira",)
    assert [r.line for r in rejects] == [13]
    assert "publish_date" in rejects[0].reason
    again = [i for i in ira538.read(path, ReadOptions()) if isinstance(i, Post)]
    assert [p.post_id for p in again] == [p.post_id for p in posts]


def test_us_dates_of_the_original_csv() -> None:
    row = {"author": "X", "content": "hi", "publish_date": "10/1/2017 19:58", "tweet_id": "9"}
    post = ira538.normalize(row)
    assert post.created_at == dt.datetime(2017, 10, 1, 19, 58, tzinfo=dt.UTC)
    assert post.post_id == "9"


def test_sniff(fixtures: Path, shared_data: Path) -> None:
    assert ira538.sniff(read_head(fixtures / "ira538" / "ira.csv"))
    assert ira538.sniff(read_head(shared_data / "ira" / "ira_tweets_2016.parquet"))
    assert not ira538.sniff(read_head(fixtures / "twitter_io" / "io_archive.csv"))
