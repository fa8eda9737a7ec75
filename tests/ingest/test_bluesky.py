"""Bluesky reader: Jetstream events, repository records, post views and API pages."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.ingest import bluesky
from lagebild.ingest.base import Head, LocalId, ReadOptions, Record, Skipped, Span
from lagebild.model import Account, Post, Reject

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bluesky"
JETSTREAM = FIXTURES / "jetstream.jsonl"
VIEWS = FIXTURES / "post_views.jsonl"
FEED = FIXTURES / "author_feed.json"
RECORDS = FIXTURES / "list_records.jsonl"
COLLECTED = dt.datetime(2025, 2, 21, tzinfo=dt.UTC)
OPTIONS = ReadOptions(collected_at=COLLECTED)

ANNA = "did:plc:5sycaeijiitqg4wfc5fbmoin"  # wahlbeobachterin.bsky.social
NEWS = "did:plc:r6flmg6ny5pcsyrfn6mserzt"  # newsdesk.wahl.example
LENA = "did:plc:dtyhcd76wno2m7rsqus5lcpx"  # lena-koeln.bsky.social
DORA = "did:plc:mw6shc3kwxxr67k7witbr6jz"  # reposter-d.bsky.social
SPAM = "did:plc:byrw4tc45zf3ee44qnoxua6k"
POST1 = f"at://{ANNA}/app.bsky.feed.post/3limumc2hnk2b"
POST2 = f"at://{NEWS}/app.bsky.feed.post/3limun6nyjk2b"
POST3 = f"at://{LENA}/app.bsky.feed.post/3limuoa247k2b"
POST4 = f"at://{NEWS}/app.bsky.feed.post/3limupuil5k2b"
POST5 = f"at://{ANNA}/app.bsky.feed.post/3limusary5k2b"
REPOST6 = f"at://{DORA}/app.bsky.feed.repost/3limutgwonk2b"
IMAGE_A = "key:bafkreig6azkgn2wjzu4wxhh2446demew3ic6oftms7tmgpzwm2w2sdtary"
IMAGE_B = "key:bafkreihwtqvlo4a322dsthydx2jcmj4ea7xqvpkyitncrvlpoy45unijpq"
VIDEO = "key:bafkreif3mx2sq45645r65cegh3qpcw5na3ltesnabbq6trguvox3deehp4"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=dt.UTC)


def read(path: Path, options: ReadOptions = OPTIONS) -> list[Record]:
    return [i for i in bluesky.read(path, options) if not isinstance(i, LocalId)]


def posts(items: list[Record]) -> list[Post]:
    return [i for i in items if isinstance(i, Post)]


def by_line(items: list[Record]) -> dict[int | None, Post]:
    return {p.source_line: p for p in posts(items)}


def post(**fields: Any) -> Post:
    """A Bluesky post with every field empty unless given."""
    base: dict[str, Any] = dict.fromkeys(Post._fields)
    base.update(
        platform="bluesky", text="", urls=(), domains=(), hashtags=(), mentions=(), media=()
    )
    base.update(fields)
    return Post(**base)


def read_data(data: bytes, suffix: str = ".jsonl") -> list[Record]:
    """Read ``data`` from a temporary file of the given suffix."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        return read(path)


# --- Jetstream --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jetstream() -> list[Record]:
    return read(JETSTREAM)


def test_jetstream_post_with_link_facet_tags_and_external_embed(jetstream: list[Record]) -> None:
    assert by_line(jetstream)[1] == post(
        post_id=POST1,
        account_id=ANNA,
        created_at=utc(2025, 2, 20, 18, 0, 0, 102000),
        text="Neue Umfrage zur Bundestagswahl 🗳️ tagesschau.de/inland/bunde... #btw25 #Umfrage",
        lang="de",
        # the facet's full URL, not the shortened display text; utm_* removed
        urls=("https://tagesschau.de/inland/bundestagswahl/umfrage-100.html",),
        domains=("tagesschau.de",),
        hashtags=("btw25", "umfrage"),
        collected_at=utc(2025, 2, 20, 18, 0, 0, 329000),
        source=str(JETSTREAM),
        source_line=1,
    )


def test_jetstream_mentions_are_lower_case_dids(jetstream: list[Record]) -> None:
    p = by_line(jetstream)[2]
    assert p.mentions == (ANNA, "did:web:wahl.example")
    assert p.hashtags == ("btw2025", "factcheck")
    assert p.lang == "en"
    assert p.urls == ()
    assert p.account_handle is None


def test_jetstream_reply_quote_and_first_language(jetstream: list[Record]) -> None:
    lines = by_line(jetstream)
    assert lines[3].reply_to == POST1
    assert (lines[3].text or "").startswith("Danke! Weiß jemand")
    assert lines[3].quote_of is None
    assert lines[3].repost_of is None
    assert lines[4].quote_of == POST3
    assert lines[4].lang == "en"  # langs ["en", "de"]: the first
    assert lines[4].reply_to is None


def test_jetstream_images_are_blob_keys(jetstream: list[Record]) -> None:
    assert by_line(jetstream)[5] == post(
        post_id=POST5,
        account_id=ANNA,
        created_at=utc(2025, 2, 20, 18, 3, 20, 102000),
        text="Probeaufbau im Wahllokal Köln-Ehrenfeld, alles bereit für Sonntag.",
        lang="de",
        media=(IMAGE_A, IMAGE_B),
        collected_at=utc(2025, 2, 20, 18, 3, 20, 329000),
        source=str(JETSTREAM),
        source_line=5,
    )


def test_jetstream_repost_is_a_post_with_empty_text(jetstream: list[Record]) -> None:
    assert by_line(jetstream)[6] == post(
        post_id=REPOST6,
        account_id=DORA,
        created_at=utc(2025, 2, 20, 18, 4, 0, 102000),
        repost_of=POST1,
        collected_at=utc(2025, 2, 20, 18, 4, 0, 329000),
        source=str(JETSTREAM),
        source_line=6,
    )


def test_jetstream_quote_with_video(jetstream: list[Record]) -> None:
    p = by_line(jetstream)[14]
    assert p.quote_of == POST2
    assert p.media == (VIDEO,)
    assert p.hashtags == ("briefwahl",)
    assert p.text == "Das hier 👇 #Briefwahl"


def test_jetstream_post_without_facets_takes_links_and_tags_from_text(
    jetstream: list[Record],
) -> None:
    p = by_line(jetstream)[15]
    url = "https://zdf.de/nachrichten/politik/deutschland/bundestagswahl-hochrechnung-100.html"
    assert p.urls == (url,)
    assert p.domains == ("zdf.de",)
    assert p.hashtags == ("btw25", "hochrechnung")
    assert p.lang is None
    assert p.created_at == utc(2025, 2, 20, 18, 8, 20)  # +01:00 converted to UTC


def test_record_tags_add_to_text_tags_and_legacy_blobs_are_read() -> None:
    record = {
        "createdAt": "2025-02-20T18:00:00Z",
        "text": "Ab ins Wahllokal #BTW25 #wählen",
        "tags": ["Demokratie", "btw25"],
        "embed": {
            "$type": "app.bsky.embed.images",
            "images": [{"image": {"cid": "bafkreilegacy", "mimeType": "image/png"}, "alt": ""}],
        },
    }
    p = bluesky.normalize_record(record, f"at://{ANNA}/app.bsky.feed.post/3abc")
    assert p.hashtags == ("btw25", "wählen", "demokratie")
    assert p.media == ("key:bafkreilegacy",)
    assert p.account_id == ANNA
    assert p.collected_at is None


def test_jetstream_non_post_events_are_skipped_by_kind(jetstream: list[Record]) -> None:
    skipped = {s.line: s.kind for s in jetstream if isinstance(s, Skipped)}
    assert skipped == {
        7: "feed.like",
        9: "delete",
        10: "identity",
        11: "account",
        16: "update",
        17: "graph.follow",
    }
    assert all(s.source == str(JETSTREAM) for s in jetstream if isinstance(s, Skipped))


def test_jetstream_rejects_name_line_and_reason(jetstream: list[Record]) -> None:
    rejects = {r.line: r for r in jetstream if isinstance(r, Reject)}
    assert list(rejects) == [12, 13, 18]
    assert rejects[12].reason == "missing createdAt"
    assert rejects[13].reason.startswith("not valid JSON")
    assert rejects[18].reason.startswith("unparsable createdAt: 'gestern abend'")
    for r in rejects.values():
        assert r.format == "bluesky"
        assert r.source == str(JETSTREAM)
        assert r.pointer == ""
        assert r.offset is not None
        assert r.offset > 0
    assert '"text":"Wählt alle! Jede Stimme zählt."' in rejects[12].raw


def test_jetstream_every_line_is_accounted_for(jetstream: list[Record]) -> None:
    lines = [i for i, raw in enumerate(JETSTREAM.read_bytes().split(b"\n"), 1) if raw.strip()]
    outcome = Counter(
        (item.source_line if isinstance(item, Post) else item.line)
        for item in jetstream
        if not isinstance(item, Account)
    )
    assert list(outcome) == lines
    assert set(outcome.values()) == {1}
    assert not any(isinstance(i, Account) for i in jetstream)  # Jetstream names no handles


def test_first_jetstream_release_is_read() -> None:
    commit: dict[str, Any] = {
        "rev": "3l3f6nzl3cv2s",
        "type": "c",
        "collection": "app.bsky.feed.post",
        "rkey": "3l3f6nzl3cv2s",
        "record": {"createdAt": "2024-09-05T06:11:04.870Z", "text": "hallo"},
    }
    event = {
        "did": ANNA,
        "time_us": 1_725_516_665_333_808,
        "type": "com",
        "commit": commit,
    }
    deleted = {k: v for k, v in commit.items() if k != "record"}
    delete = {**event, "commit": {**deleted, "type": "d"}}
    items = read_data(orjson.dumps(event) + b"\n" + orjson.dumps(delete) + b"\n")
    assert isinstance(items[0], Post)
    assert items[0].post_id == f"at://{ANNA}/app.bsky.feed.post/3l3f6nzl3cv2s"
    assert items[0].collected_at == utc(2024, 9, 5, 6, 11, 5, 333808)
    assert items[1] == Skipped(items[1].source, 2, "delete")


def test_jetstream_bad_time_us_is_rejected() -> None:
    line = orjson.loads(JETSTREAM.read_bytes().split(b"\n", 1)[0])
    line["time_us"] = "soon"
    (item,) = read_data(orjson.dumps(line) + b"\n")
    assert isinstance(item, Reject)
    assert item.reason == "invalid time_us: 'soon'"


# --- post views and pages ---------------------------------------------------------------


@pytest.fixture(scope="module")
def views() -> list[Record]:
    return read(VIEWS)


def test_post_view_has_handle_and_engagement(views: list[Record]) -> None:
    assert views[0] == post(
        post_id=POST1,
        account_id=ANNA,
        account_handle="wahlbeobachterin.bsky.social",
        created_at=utc(2025, 2, 20, 18, 0, 0, 102000),
        text="Neue Umfrage zur Bundestagswahl 🗳️ tagesschau.de/inland/bunde... #btw25 #Umfrage",
        lang="de",
        urls=("https://tagesschau.de/inland/bundestagswahl/umfrage-100.html",),
        domains=("tagesschau.de",),
        hashtags=("btw25", "umfrage"),
        likes=120,
        reposts=34,
        replies=12,
        quotes=3,
        collected_at=COLLECTED,
        source=str(VIEWS),
        source_line=1,
    )


def test_post_view_yields_author_account(views: list[Record]) -> None:
    assert views[1] == Account(
        platform="bluesky",
        account_id=ANNA,
        handle="wahlbeobachterin.bsky.social",
        name="Wahlbeobachterin 🗳️",
        created_at=utc(2023, 7, 4, 10, 12, 44, 201000),
        followers=None,
        following=None,
        posts_count=None,
        verified=None,
        description=None,
        labels=(),
        observed_at=COLLECTED,
        source=str(VIEWS),
    )


def test_verified_author_and_system_labels(views: list[Record]) -> None:
    p, account = views[2], views[3]
    assert isinstance(p, Post)
    assert isinstance(account, Account)
    assert p.quote_of == POST3
    assert (p.likes, p.reposts, p.replies, p.quotes) == (17, 2, 0, 0)
    assert account.handle == "newsdesk.wahl.example"
    assert account.verified is True
    assert account.labels == ()  # "!no-unauthenticated" is a system label


def test_invalid_handle_and_bogus_profile_date_become_none(views: list[Record]) -> None:
    p, account = views[4], views[5]
    assert isinstance(p, Post)
    assert isinstance(account, Account)
    assert p.account_id == SPAM
    assert p.account_handle is None
    assert p.urls == ("https://wahrheit-aktuell.example/briefwahl",)
    assert account == Account(
        platform="bluesky",
        account_id=SPAM,
        handle=None,
        name=None,
        created_at=None,
        followers=None,
        following=None,
        posts_count=None,
        verified=None,
        description=None,
        labels=("spam",),
        observed_at=COLLECTED,
        source=str(VIEWS),
    )


def test_post_view_with_bad_count_is_rejected(views: list[Record]) -> None:
    assert len(views) == 7
    reject = views[6]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.pointer) == (4, "")
    assert reject.reason == "likeCount is not a number: 'viele'"


def test_author_feed_page() -> None:
    items = read(FEED)
    found = [(type(i).__name__, getattr(i, "post_id", getattr(i, "account_id", ""))) for i in items]
    assert found == [
        ("Post", POST3),
        ("Account", LENA),
        ("Post", POST1),  # the reply's parent; the root is a not-found placeholder
        ("Account", ANNA),
        ("Post", POST1),
        ("Account", ANNA),
        ("Post", REPOST6),  # the repost the feed names in its reason
        ("Account", DORA),
        ("Reject", ""),
    ]
    repost = items[6]
    assert repost == post(
        post_id=REPOST6,
        account_id=DORA,
        account_handle="reposter-d.bsky.social",
        created_at=utc(2025, 2, 20, 18, 4, 0, 500000),
        repost_of=POST1,
        collected_at=COLLECTED,
        source=str(FEED),
        source_line=1,
    )
    reject = items[8]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.pointer) == (1, "/feed/2")
    assert reject.reason == "missing field 'author'"
    assert items[0].reply_to == POST1  # type: ignore[union-attr]


def test_list_records() -> None:
    items = read(RECORDS)
    assert [type(i).__name__ for i in items] == ["Post", "Post", "Skipped", "Post", "Reject"]
    p, repost, like, page_post, bad = items
    assert isinstance(p, Post)
    assert p.post_id == POST5
    assert p.media == (IMAGE_A, IMAGE_B)
    assert p.collected_at == COLLECTED
    assert p.account_id == ANNA
    assert isinstance(repost, Post)
    assert repost.repost_of == POST1
    assert repost.account_id == DORA
    assert like == Skipped(str(RECORDS), 3, "feed.like")
    assert isinstance(page_post, Post)
    assert page_post.post_id == POST2
    assert page_post.mentions == (ANNA, "did:web:wahl.example")
    assert isinstance(bad, Reject)
    assert (bad.line, bad.pointer) == (4, "/records/1")
    assert bad.reason == "not an at:// URI: 'https://bsky.app/profile/x/post/y'"


def test_post_thread_is_walked_without_placeholders() -> None:
    view = orjson.loads(VIEWS.read_bytes().split(b"\n", 1)[0])

    def at(rkey: str) -> dict[str, Any]:
        return {**view, "uri": f"at://{ANNA}/app.bsky.feed.post/{rkey}"}

    thread = {
        "thread": {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": at("main"),
            "parent": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "x", "notFound": True},
            "replies": [
                {"post": at("r1"), "replies": [{"post": at("r1a")}]},
                {"$type": "app.bsky.feed.defs#blockedPost", "uri": "y", "blocked": True},
                {"post": at("r2")},
            ],
        }
    }
    items = read_data(orjson.dumps(thread), ".json")
    assert [p.post_id.rsplit("/", 1)[1] for p in posts(items)] == ["main", "r1", "r1a", "r2"]
    assert len(items) == 8


def test_empty_page_and_unknown_values() -> None:
    data = b'{"feed": [], "cursor": "x"}\n{"hello": "world"}\n42\n'
    items = read_data(data)
    assert items[0] == Skipped(items[0].source, 1, "empty-page")
    assert [(r.line, r.reason) for r in items[1:] if isinstance(r, Reject)] == [
        (2, "not a Bluesky event, record or post view"),
        (3, "not a Bluesky event, record or post view: int"),
    ]


def test_deeply_nested_json_is_rejected_not_raised() -> None:
    deep = b"[" * 1000 + b"]" * 1000
    data = b"{}\n" + deep + b'\n{"feed": [' + deep + b']}\n{"uri": ' + deep + b', "value": 1}\n'
    items = read_data(data)
    assert [type(i) for i in items] == [Reject] * 4
    assert [r.line for r in items if isinstance(r, Reject)] == [1, 2, 3, 4]


def test_spans_of_jetstream_read_every_line_once() -> None:
    data = JETSTREAM.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    line = data[:cut].count(b"\n") + 1
    halves = [
        read(JETSTREAM, ReadOptions(collected_at=COLLECTED, span=Span(0, cut, 1))),
        read(JETSTREAM, ReadOptions(collected_at=COLLECTED, span=Span(cut, len(data), line))),
    ]
    assert halves[0]
    assert halves[1]
    assert halves[0] + halves[1] == read(JETSTREAM)


def test_spans_of_a_json_document_read_it_once() -> None:
    size = FEED.stat().st_size
    first = read(FEED, ReadOptions(collected_at=COLLECTED, span=Span(0, size // 2, 1)))
    second = read(FEED, ReadOptions(collected_at=COLLECTED, span=Span(size // 2, size, 9)))
    assert first == read(FEED)
    assert second == []


# --- sniffing ---------------------------------------------------------------------------


def head_of(path: Path) -> Head:
    text = path.read_text()
    try:
        first = orjson.loads(text.split("\n", 1)[0])
    except orjson.JSONDecodeError:
        first = orjson.loads(text)
    return Head(path=path, text=text[:65536], first_json=first)


@pytest.mark.parametrize("path", [JETSTREAM, VIEWS, FEED, RECORDS])
def test_sniff_claims_bluesky_files(path: Path) -> None:
    assert bluesky.sniff(head_of(path))


def test_sniff_falls_back_to_text_for_large_documents() -> None:
    text = '[{"uri": "at://did:plc:x/app.bsky.feed.post/1", "record": {"text": "...'
    assert bluesky.sniff(Head(path=Path("big.json"), text=text, first_json=None))


TWEET_V2 = {
    "data": {
        "id": "1893000000000000000",
        "text": "Wählen gehen! #btw25",
        "author_id": "12",
        "created_at": "2025-02-23T10:00:00.000Z",
        "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 2},
    }
}
MASTODON_STATUS = {
    "id": "1",
    "uri": "https://mastodon.example/users/a/statuses/1",
    "account": {"id": "2", "acct": "a"},
    "reblogs_count": 0,
    "favourites_count": 0,
}


@pytest.mark.parametrize(
    "value",
    [TWEET_V2, TWEET_V2["data"], {"data": [TWEET_V2["data"]]}, MASTODON_STATUS, [], {}, 5],
)
def test_sniff_rejects_other_json(value: Any) -> None:
    text = orjson.dumps(value).decode()
    assert not bluesky.sniff(Head(path=Path("x.jsonl"), text=text, first_json=value))


def test_sniff_rejects_csv_and_plain_text() -> None:
    assert not bluesky.sniff(
        Head(path=Path("x.csv"), text="tweetid,userid\n1,2\n", csv_header=("tweetid", "userid"))
    )
    assert not bluesky.sniff(Head(path=Path("x.txt"), text="did you vote?"))


def test_format_registration() -> None:
    assert bluesky.lagebild_source_formats() == [bluesky.FORMAT]
    assert bluesky.FORMAT.name == "bluesky"
    assert bluesky.FORMAT.platforms == ("bluesky",)


# --- properties -------------------------------------------------------------------------

_LINES = [line for line in JETSTREAM.read_bytes().split(b"\n") if line.strip()]
_EVENTS = [
    orjson.loads(line) for line in _LINES[:11] if line.startswith(b"{") and b"commit" in line
]
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_event(draw: st.DrawFn) -> bytes:
    """A real Jetstream event with one value somewhere replaced or removed."""
    event = orjson.loads(orjson.dumps(_EVENTS[draw(st.integers(0, len(_EVENTS) - 1))]))
    node = event
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node = child
            continue
        if isinstance(node, dict) and draw(st.booleans()):
            del node[key]
        else:
            node[key] = draw(_JSON)
        break
    return orjson.dumps(event)


_FIXTURE_LINE = st.integers(0, len(_LINES) - 1).map(_LINES.__getitem__)
_LINE = st.one_of(
    _FIXTURE_LINE,
    _FIXTURE_LINE.flatmap(lambda b: st.integers(0, len(b)).map(lambda n: b[:n])),
    mutated_event(),
    _JSON.map(orjson.dumps),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" ")),
)


def _covered(data: bytes, items: list[Record]) -> None:
    """Nothing is lost: every non-blank line gave a post, a reject or a skip; or the file was
    read as one JSON document, and then every array element gave one, or the document was
    rejected whole.
    """
    records = [i for i in items if not isinstance(i, Account)]
    seen = {i.source_line if isinstance(i, Post) else i.line for i in records}
    lines = set()
    for n, raw in enumerate(data.split(b"\n"), 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip():
            lines.add(n)
    if lines <= seen:
        return
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        assert len(items) == 1
        assert isinstance(items[0], Reject)
        assert items[0].reason.startswith("not a valid JSON document")
        return
    assert len(records) >= (len(value) if isinstance(value, list) else 1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=12))
def test_no_line_is_lost_or_raises(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    items = read_data(data)
    _covered(data, items)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    items = read_data(data)
    assert all(isinstance(i, Post | Account | Reject | Skipped) for i in items)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([JETSTREAM, VIEWS, FEED, RECORDS]), st.data())
def test_truncated_fixtures_never_raise(source: Path, data: st.DataObject) -> None:
    raw = source.read_bytes()
    cut = raw[: data.draw(st.integers(0, len(raw)))]
    items = read_data(cut, source.suffix)
    if source.suffix == ".jsonl":
        _covered(cut, items)
