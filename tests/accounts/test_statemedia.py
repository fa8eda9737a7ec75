"""State-media attribution: the shipped list, editing it, and flagging links and copied text."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from lagebild.accounts import account_signals, load_media_list, read_media_csv, state_media_posts
from lagebild.accounts.statemedia import ENV_VAR, KINDS, SHIPPED
from lagebild.errors import ConfigError
from lagebild.ingest.pipeline import ingest
from lagebild.model import AccountRef
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.accounts.conftest import T0, post, write, write_jsonl
from tests.conftest import EXAMPLES

HEADLINE = "Kremlin says the West is preparing a provocation in the Black Sea region"


def test_shipped_list_is_documented() -> None:
    entries = read_media_csv(SHIPPED)
    domains = [e.domain for e in entries]
    assert len(domains) == len(set(domains))
    for e in entries:
        assert e.source.startswith("https://"), e.domain
        assert e.kind in KINDS and e.country and e.owner and e.outlet
    for required in (
        "rt.com",
        "de.rt.com",
        "sputniknews.com",
        "snanews.de",
        "ruptly.tv",
        "ria.ru",
        "tass.com",
        "cgtn.com",
        "xinhuanet.com",
        "globaltimes.cn",
        "presstv.ir",
        "hispantv.com",
        "telesurtv.net",
        "rtde.*",
    ):
        assert required in domains
    assert {e.kind for e in entries} == set(KINDS)
    with SHIPPED.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == [
            "domain",
            "outlet",
            "country",
            "owner",
            "kind",
            "source",
            "note",
        ]


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "domain,outlet,country,owner,kind,source,note\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("https://rt.com/news,RT,RU,x,outlet,,", "line 2: 'https://rt.com/news' is not a domain"),
        ("rt.com,RT,RU,x,channel,,", "line 2: kind 'channel' unknown"),
        ("rt.com,,RU,x,outlet,,", "line 2: no outlet name"),
    ],
)
def test_bad_lists_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = _csv(tmp_path / "mine.csv", [row])
    with pytest.raises(ConfigError) as err:
        read_media_csv(path)
    assert str(path) in err.value.message and message in err.value.message
    (tmp_path / "nohead.csv").write_text("host,name\nrt.com,RT\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lacks the column"):
        read_media_csv(tmp_path / "nohead.csv")
    with pytest.raises(ConfigError, match="cannot read"):
        read_media_csv(tmp_path / "absent.csv")


def test_lists_replace_and_override(tmp_path: Path) -> None:
    mine = _csv(tmp_path / "mine.csv", ["www.Example.org,Example State TV,XX,Gov,outlet,,"])
    assert [e.domain for e in load_media_list(mine).entries] == ["example.org"]
    assert [e.domain for e in load_media_list(env={ENV_VAR: str(mine)}).entries] == ["example.org"]
    data = tmp_path / "data"
    data.mkdir()
    _csv(
        data / "state_media.csv",
        ["rt.com,RT (our label),RU,ANO TV-Novosti,outlet,,", "example.net,Net TV,XX,Gov,mirror,,"],
    )
    merged = load_media_list(data_dir=data, env={})
    by_domain = {e.domain: e for e in merged.entries}
    assert by_domain["rt.com"].outlet == "RT (our label)"
    assert "example.net" in by_domain and "sputniknews.com" in by_domain
    assert merged.files == (str(SHIPPED), str(data / "state_media.csv"))


def _rows() -> list[dict[str, Any]]:
    def p(
        pid: str, acc: str, minute: int, text: str, urls: list[str] | None = None
    ) -> dict[str, Any]:
        return {
            "platform": "twitter",
            "post_id": pid,
            "account_id": acc,
            "created_at": f"2024-06-01T10:{minute:02d}:00Z",
            "text": text,
            "urls": urls or [],
        }

    return [
        p(
            "1",
            "amp",
            0,
            f"{HEADLINE} https://de.rt.com/international/1234",
            ["https://de.rt.com/international/1234"],
        ),
        p("2", "amp", 1, "Neu: https://www.rtde.tech/a", ["https://www.rtde.tech/a"]),
        p("3", "amp", 2, "Exklusiv https://de.sputniknews.com/x", ["https://de.sputniknews.com/x"]),
        p("4", "copy", 3, f"  {HEADLINE.upper()}   https://t.co/abc"),
        p("5", "copy", 4, f"RT @amp: {HEADLINE}"),
        p("6", "copy", 5, "Kremlin says the West is preparing"),
        p("7", "clean", 6, "Nothing to see https://notrt.com/a", ["https://notrt.com/a"]),
        p(
            "8",
            "clean",
            7,
            "Lookalike https://rt.com.evil.example/a",
            ["https://rt.com.evil.example/a"],
        ),
        p(
            "9",
            "cn",
            8,
            "China https://www.chinadaily.com.cn/a/1",
            ["https://www.chinadaily.com.cn/a/1"],
        ),
        p("10", "clean", 9, "Plain old post without any link at all, long enough to compare"),
    ]


@pytest.fixture
def media_store(tmp_path: Path, registry: Registry) -> PostStore:
    store = PostStore(tmp_path / "data")
    ingest(store, [write_jsonl(tmp_path / "posts.jsonl", _rows())], registry=registry, workers=1)
    return store


def test_links_mirrors_and_copied_text(media_store: PostStore) -> None:
    hits = state_media_posts(media_store).to_pylist()
    by_post = {h["post_id"]: h for h in hits}
    assert len(by_post) == len(hits)
    assert by_post["1"]["outlet"] == "RT DE" and by_post["1"]["domain"] == "de.rt.com"
    assert by_post["1"]["how"] == "link" and by_post["1"]["host"] == "de.rt.com"
    assert by_post["2"]["kind"] == "mirror" and by_post["2"]["domain"] == "rtde.*"
    assert by_post["3"]["outlet"] == "Sputnik" and by_post["3"]["domain"] == "sputniknews.com"
    assert by_post["9"]["outlet"] == "China Daily"
    for copied in ("4", "5"):
        assert by_post[copied]["how"] == "copied_text"
        assert by_post[copied]["evidence_post_id"] == "1"
        assert by_post[copied]["outlet"] == "RT DE"
    for clean in ("6", "7", "8", "10"):
        assert clean not in by_post
    only_copy = state_media_posts(media_store, accounts=[AccountRef("twitter", "copy")])
    assert sorted(only_copy.column("post_id").to_pylist()) == ["4", "5"]


def test_min_chars_and_own_list(media_store: PostStore, tmp_path: Path) -> None:
    long = state_media_posts(media_store, min_chars=len(HEADLINE) + 1)
    assert "copied_text" not in long.column("how").to_pylist()
    mine = load_media_list(_csv(tmp_path / "mine.csv", ["notrt.com,Not RT,XX,Gov,outlet,,"]))
    assert state_media_posts(media_store, mine).column("post_id").to_pylist() == ["7"]


def test_share_per_account(media_store: PostStore) -> None:
    got = {r["account_id"]: r for r in account_signals(media_store).to_pylist()}
    assert got["amp"]["state_media_posts"] == 3 and got["amp"]["state_media_share"] == 1.0
    assert got["copy"]["state_media_share"] == pytest.approx(2 / 3)
    assert got["clean"]["state_media_share"] == 0.0


def test_domains_without_urls_are_matched(store: PostStore) -> None:
    write(store, [post("1", "a", T0, domains=("sputniknews.com",), platform="facebook")])
    hits = state_media_posts(store).to_pylist()
    assert [(h["post_id"], h["outlet"], h["how"]) for h in hits] == [("1", "Sputnik", "link")]


def test_io_archive_example(store: PostStore, registry: Registry) -> None:
    """The X/Twitter IO-archive sample links RT DE and SNA and repeats their retweets' texts."""
    ingest(store, [EXAMPLES / "twitter_io" / "io_archive_sample.csv"], registry=registry)
    hits = state_media_posts(store).to_pylist()
    assert {(h["how"], h["outlet"]) for h in hits} == {
        ("link", "RT DE"),
        ("link", "SNA (Sputnik Deutschland)"),
        ("copied_text", "RT DE"),
        ("copied_text", "SNA (Sputnik Deutschland)"),
    }
    linked = {h["post_id"] for h in hits if h["how"] == "link"}
    for h in hits:
        if h["how"] == "copied_text":
            assert h["evidence_post_id"] in linked and h["post_id"] not in linked
