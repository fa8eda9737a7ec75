"""The generic mapped-table reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lagebild.errors import ConfigError
from lagebild.ingest import generic
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.sniff import read_head
from lagebild.model import Post, Reject


def test_mapped_csv(fixtures: Path) -> None:
    columns, platform, time_format = generic.load_mapping(fixtures / "generic" / "mapping.toml")
    opts = ReadOptions(mapping=columns, platform=platform, time_format=time_format)
    items = list(generic.read(fixtures / "generic" / "posts.csv", opts))
    posts = [i for i in items if isinstance(i, Post)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [p.post_id for p in posts] == ["g1", "g2"]
    g1, g2 = posts
    assert g1.platform == "telegram"
    assert g1.account_id == g1.account_handle == "kanal_a"
    assert g1.created_at == dt.datetime(2021, 9, 1, 12, 0, tzinfo=dt.UTC)
    assert g1.urls == g2.urls == ("https://example.org/a",)
    assert g1.hashtags == ("btw21",)
    assert (g1.likes, g2.likes) == (10, None)
    assert [(r.line, r.reason) for r in rejects] == [
        (4, "empty account_id"),
        (5, "created_at 'gestern' does not match '%d.%m.%Y %H:%M'"),
    ]


def test_canonical_jsonl_needs_no_mapping(fixtures: Path) -> None:
    path = fixtures / "generic" / "canonical.jsonl"
    assert generic.sniff(read_head(path))
    items = list(generic.read(path, ReadOptions()))
    posts = [i for i in items if isinstance(i, Post)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [p.post_id for p in posts] == ["vid1", "vid2"]
    assert posts[0].views == 1200
    assert posts[0].hashtags == ("btw21",)
    assert posts[1].urls == ("https://youtube.com/watch?v=abc",)
    assert posts[1].created_at == dt.datetime(2021, 9, 2, 8, 0, tzinfo=dt.UTC)
    assert [r.line for r in rejects] == [3, 4]
    assert rejects[0].reason == "missing or invalid account_id: None"


def test_mapping_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown field"):
        generic.parse_mapping(["postid=id"])
    with pytest.raises(ConfigError, match="FIELD=COLUMN"):
        generic.parse_mapping(["post_id"])
    bad = tmp_path / "m.toml"
    bad.write_text("[columns\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        generic.load_mapping(bad)


def test_nested_json_columns(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text('{"id": 5, "user": {"id": "u1"}, "ts": 1600000000, "body": "hi @Bob"}\n')
    opts = ReadOptions(
        mapping={"post_id": "id", "account_id": "user.id", "created_at": "ts", "text": "body"},
        platform="vk",
    )
    (post,) = generic.read(path, opts)
    assert isinstance(post, Post)
    assert (post.post_id, post.account_id, post.platform, post.mentions) == (
        "5",
        "u1",
        "vk",
        ("bob",),
    )
