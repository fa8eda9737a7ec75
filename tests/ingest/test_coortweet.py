"""The CooRTweet-style share-table reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lagebild.errors import ConfigError
from lagebild.ingest import coortweet
from lagebild.ingest.base import ReadOptions, Skipped
from lagebild.ingest.sniff import read_head
from lagebild.model import Post, Reject


def test_merges_rows_of_one_post(fixtures: Path) -> None:
    path = fixtures / "coortweet" / "shares.csv"
    items = list(coortweet.read(path, ReadOptions()))
    posts = {p.post_id: p for p in items if isinstance(p, Post)}
    skipped = [i for i in items if isinstance(i, Skipped)]
    rows = len(path.read_text().splitlines()) - 1
    assert len(posts) + len(skipped) == rows
    merged = posts["37775"]
    assert merged.platform == "twitter"
    assert merged.account_id == "tw_29114"
    assert merged.hashtags == ("hashtag_7465",)
    assert merged.media == ("phashid:26215",)
    assert merged.created_at == dt.datetime.fromtimestamp(1632368806, dt.UTC)
    assert merged.source_line == 2
    fb = [p for p in posts.values() if p.platform == "facebook"]
    assert fb
    assert any(p.urls and p.urls[0].startswith("url_") for p in fb)
    assert any(p.domains and p.domains[0].startswith("domain_") for p in fb)
    assert any(not (p.urls or p.domains or p.hashtags or p.media) for p in posts.values())


def test_object_kinds(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "account_id,content_id,object_id,timestamp_share\n"
        "a,1,https://www.Example.com/x/?utm_source=y,1600000000\n"
        "b,2,https://example.com/x,1600000010\n"
        "c,3,,1600000020\n"
        ",4,https://x.de,1600000030\n"
        "a,1,https://other.org/y,1600000000\n"
        "d,1,https://other.org/y,1600000000\n"
    )
    items = list(coortweet.read(path, ReadOptions(object_kind="url", platform="telegram")))
    posts = [i for i in items if isinstance(i, Post)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [p.urls for p in posts] == [
        ("https://example.com/x", "https://other.org/y"),
        ("https://example.com/x",),
        (),
    ]
    assert posts[0].domains == ("example.com", "other.org")
    assert {p.platform for p in posts} == {"telegram"}
    assert [(r.line, r.reason) for r in rejects] == [
        (5, "missing or invalid account_id: None"),
        (7, "post 1 is already attributed to a, not d"),
    ]
    reposts = list(coortweet.read(path, ReadOptions()))
    assert [p.repost_of for p in reposts if isinstance(p, Post)][:2] == [
        "https://www.Example.com/x/?utm_source=y",
        "https://example.com/x",
    ]


def test_unknown_object_kind(fixtures: Path) -> None:
    with pytest.raises(ConfigError, match="object kind"):
        list(coortweet.read(fixtures / "coortweet" / "shares.csv", ReadOptions(object_kind="x")))


def test_sniff(fixtures: Path, shared_data: Path) -> None:
    assert coortweet.sniff(read_head(fixtures / "coortweet" / "shares.csv"))
    assert coortweet.sniff(read_head(shared_data / "coortweet" / "german_elections.parquet"))
    assert not coortweet.sniff(read_head(fixtures / "twitter_io" / "io_archive.csv"))
