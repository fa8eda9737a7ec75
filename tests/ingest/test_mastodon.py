"""Mastodon reader: REST API statuses, timeline pages, context, search and streaming."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.ingest import mastodon
from lagebild.ingest.base import Head, LocalId, ReadOptions, Record, Skipped
from lagebild.ingest.text import html_to_text
from lagebild.model import Account, Post, Reject

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mastodon"
TIMELINE = FIXTURES / "timeline.json"
STREAM = FIXTURES / "streaming.jsonl"
COLLECTED = dt.datetime(2025, 2, 24, tzinfo=dt.UTC)
OPTIONS = ReadOptions(collected_at=COLLECTED)

ANNA = "https://mastodon.example/@anna_wahl"
LENA = "https://chaos.example/@lena"
BOT = "https://bots.example/@wahlticker"
MAX = "https://mastodon.example/@MaxMustermann"
PARENT = "https://mastodon.example/users/anna_wahl/statuses/113999000000000001"
REPLY = "https://chaos.example/users/lena/statuses/113998877665544332"
BOOST = "https://mastodon.example/users/MaxMustermann/statuses/113999000000000020/activity"
MEDIA = "https://bots.example/users/wahlticker/statuses/113998899000000001"
QUOTE = "https://mastodon.example/users/anna_wahl/statuses/113999000000000050"
ORPHAN = "https://mastodon.example/users/MaxMustermann/statuses/113999000000000060"
ENGLISH = "https://chaos.example/users/lena/statuses/113998877665599999"
TIMELINE_STATUSES: list[dict[str, Any]] = orjson.loads(TIMELINE.read_bytes())


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def read(path: Path, options: ReadOptions = OPTIONS) -> list[Record]:
    return [i for i in mastodon.read(path, options) if not isinstance(i, LocalId)]


def posts(items: list[Record]) -> dict[str, Post]:
    return {i.post_id: i for i in items if isinstance(i, Post)}


def accounts(items: list[Record]) -> dict[str, Account]:
    return {i.account_id: i for i in items if isinstance(i, Account)}


def read_data(data: bytes, suffix: str = ".jsonl") -> list[Record]:
    """Read ``data`` from a temporary file of the given suffix."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        return read(path)


@pytest.fixture(scope="module")
def timeline() -> list[Record]:
    return read(TIMELINE)


# --- statuses ---------------------------------------------------------------------------


def test_status_with_tags_mention_link_and_card(timeline: list[Record]) -> None:
    url = "https://tagesschau.de/inland/bundestagswahl/liveblog-bundestagswahl-100.html"
    assert posts(timeline)[PARENT] == Post(
        platform="mastodon",
        post_id=PARENT,
        account_id=ANNA,
        account_handle="anna_wahl@mastodon.example",
        created_at=utc(2025, 2, 23, 17, 58, 2),
        text=(
            "Gleich schließen die Wahllokale. Wer noch nicht gewählt hat: Es sind noch zwei "
            "Minuten! #btw25 #Bundestagswahl\n\nHochrechnungen dann u. a. bei "
            "https://www.tagesschau.de/inland/bundestagswahl/liveblog-bundestagswahl-100.html"
            "?utm_source=mastodon und @lena fasst zusammen."
        ),
        lang="de",
        urls=(url,),  # the content link and the card: one URL; mention and tag links are not
        domains=("tagesschau.de",),
        hashtags=("btw25", "bundestagswahl"),
        mentions=("lena@chaos.example",),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=None,
        likes=40,
        reposts=15,
        replies=2,
        quotes=1,
        collected_at=COLLECTED,
        source=str(TIMELINE),
        source_line=None,
    )


def test_reply_is_resolved_to_parent_uri_even_when_parent_comes_later(
    timeline: list[Record],
) -> None:
    reply = posts(timeline)[REPLY]
    assert reply.reply_to == PARENT
    assert reply.account_id == LENA
    assert reply.account_handle == "lena@chaos.example"
    assert reply.mentions == ("anna_wahl@mastodon.example",)
    assert reply.text == (
        "@anna_wahl Danke! Die erste Hochrechnung ist da – Wahlbeteiligung über 80 %. "
        "Grüße aus Köln, wo die Schlangen vor den Wahllokalen bis auf die Straße gingen."
    )
    assert (reply.likes, reply.reposts, reply.replies, reply.quotes) == (9, 3, 0, 0)


def test_boost_is_a_repost_and_the_boosted_status_a_post(timeline: list[Record]) -> None:
    found = posts(timeline)
    assert found[BOOST] == Post(
        platform="mastodon",
        post_id=BOOST,
        account_id=MAX,
        account_handle="MaxMustermann@mastodon.example",
        created_at=utc(2025, 2, 23, 18, 5),
        text="",
        lang=None,
        urls=(),
        domains=(),
        hashtags=(),
        mentions=(),
        reply_to=None,
        repost_of=REPLY,
        quote_of=None,
        media=(),
        views=None,
        likes=None,
        reposts=None,
        replies=None,
        quotes=None,
        collected_at=COLLECTED,
        source=str(TIMELINE),
        source_line=None,
    )
    boosted = [i for i in timeline if isinstance(i, Post) and i.post_id == REPLY]
    assert len(boosted) == 2  # once inside the boost, once on its own
    assert boosted[0] == boosted[1]


def test_media_are_blurhashes_or_origin_urls(timeline: list[Record]) -> None:
    p = posts(timeline)[MEDIA]
    assert p.media == (
        "blurhash:UEHLh[WB2yk8pyoJadR*.7kCMdnjS#M|%1%2",
        "url:https://files.bots.example/media_attachments/files/113/998/899/original/verlauf.mp4",
    )
    assert p.urls == (
        "https://zdf.de/nachrichten/politik/deutschland/bundestagswahl-hochrechnung-100.html",
    )
    assert p.hashtags == ("btw25",)
    assert p.account_handle == "wahlticker@bots.example"


def test_quote_with_content_warning(timeline: list[Record]) -> None:
    p = posts(timeline)[QUOTE]
    assert p.quote_of == MEDIA
    assert p.text == (
        "Wahlabend\n\nWichtig: Das ist eine Hochrechnung, kein Endergebnis. Bitte nicht als "
        "amtliches Ergebnis teilen."
    )  # the "RE: <link>" fallback for old clients is not the author's text
    assert p.urls == ()
    assert (p.likes, p.reposts, p.replies, p.quotes) == (61, 22, 4, 2)


def test_unresolvable_reply_keeps_local_id_and_shallow_quote_resolves(
    timeline: list[Record],
) -> None:
    p = posts(timeline)[ORPHAN]
    assert p.reply_to == "local:113990000000000999"
    assert p.quote_of == MEDIA  # quoted_status_id 113999000000000030 is in the file
    assert p.urls == ("https://wahrheit-aktuell.example/briefwahl-skandal",)  # fbclid dropped
    assert p.domains == ("wahrheit-aktuell.example",)
    assert p.mentions == ("wahlticker@bots.example",)
    assert p.hashtags == ()
    assert p.likes == 0


def test_english_status_unescapes_entities(timeline: list[Record]) -> None:
    p = posts(timeline)[ENGLISH]
    assert p.lang == "en"
    assert p.text == (
        "Exit polls in Germany: turnout is the highest since reunification. "
        "Thread 🧵 & sources below."
    )
    assert p.reply_to is None
    assert p.urls == ()


def test_accounts(timeline: list[Record]) -> None:
    found = accounts(timeline)
    assert set(found) == {ANNA, LENA, BOT, MAX}
    assert found[ANNA] == Account(
        platform="mastodon",
        account_id=ANNA,
        handle="anna_wahl@mastodon.example",
        name="Anna 🗳️",
        created_at=utc(2022, 11, 5),
        followers=812,
        following=301,
        posts_count=4410,
        verified=None,
        description="Politikwissenschaftlerin. Wahlen, Parteien, Desinformation.",
        labels=(),
        observed_at=COLLECTED,
        source=str(TIMELINE),
    )
    assert found[BOT].labels == ("bot",)
    assert found[BOT].description == "Automatische Hochrechnungen. Betrieben von @admin"
    assert found[MAX].name is None  # empty display_name
    assert found[LENA].handle == "lena@chaos.example"


def test_status_without_created_at_is_rejected(timeline: list[Record]) -> None:
    rejects = [i for i in timeline if isinstance(i, Reject)]
    assert len(rejects) == 1
    (reject,) = rejects
    assert (reject.line, reject.offset, reject.pointer) == (None, None, "[2]")
    assert reject.reason == "missing created_at"
    assert reject.format == "mastodon"
    assert reject.source == str(TIMELINE)
    assert "Alles manipuliert!!!" in reject.raw


def test_every_status_is_accounted_for(timeline: list[Record]) -> None:
    found = posts(timeline)
    for status in TIMELINE_STATUSES:
        if "created_at" in status:
            assert status["uri"] in found
    assert sum(isinstance(i, Account) for i in timeline) == 9
    assert sum(isinstance(i, Post) for i in timeline) == 9


# --- other shapes -----------------------------------------------------------------------


def line_of(item: Record) -> int | None:
    if isinstance(item, Post):
        return item.source_line
    return None if isinstance(item, Account) else item.line


def test_streaming_messages() -> None:
    items = read(STREAM)
    kinds = [(type(i).__name__, line_of(i)) for i in items]
    assert kinds == [
        ("Post", 1),
        ("Account", None),
        ("Skipped", 2),
        ("Post", 3),
        ("Account", None),
        ("Reject", 4),
    ]
    assert items[2] == Skipped(str(STREAM), 2, "delete")
    assert items[0].post_id == ENGLISH  # type: ignore[union-attr]
    assert items[3].post_id == PARENT  # type: ignore[union-attr]  # status.update: an edit
    reject = items[5]
    assert isinstance(reject, Reject)
    assert reject.reason.startswith("update payload is not valid JSON")


def test_jsonl_of_timeline_pages_context_and_search() -> None:
    by_id = {s["id"]: s for s in TIMELINE_STATUSES}
    parent, reply = by_id["113999000000000001"], by_id["113999000000000010"]
    lines = [
        orjson.dumps([TIMELINE_STATUSES[1], TIMELINE_STATUSES[2]]),
        orjson.dumps({"ancestors": [parent], "descendants": [reply]}),
        orjson.dumps({"accounts": [], "statuses": [], "hashtags": []}),
        b"[]",
    ]
    items = read_data(b"\n".join(lines) + b"\n")
    outcome = [(type(i).__name__, line_of(i)) for i in items if not isinstance(i, Account)]
    assert outcome == [
        ("Post", 1),
        ("Reject", 1),
        ("Post", 2),
        ("Post", 2),
        ("Skipped", 3),
        ("Skipped", 4),
    ]
    reject = items[2]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.pointer) == (1, "/1")
    assert posts(items)[REPLY].reply_to == PARENT


def test_normalize_leaves_local_ids_to_read() -> None:
    by_id = {s["id"]: s for s in TIMELINE_STATUSES}
    p = mastodon.normalize(by_id["113999000000000010"], source="x", line=7)
    assert p.reply_to == "local:113999000000000001"
    assert p.source == "x"
    assert p.source_line == 7
    assert p.collected_at is None


def test_malformed_html_is_stripped_not_raised() -> None:
    status = {**TIMELINE_STATUSES[1], "content": "<p>Wahl <![ifa< heute</p>"}
    p = mastodon.normalize(status)
    assert p.text.startswith("Wahl")  # type: ignore[union-attr]


_HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<br>",
        "<br />",
        "<BR/>",
        "<div class='x'>",
        "</div>",
        "<li>",
        "<blockquote>",
        "<pre>",
        "</pre>",
        "<a href='https://a.example/?x=1&amp;y=2'>",
        "</a>",
        "<a href='x>y' class='mention'>",
        "<span class='invisible'>",
        "</span>",
        "<b>",
        "</b>",
        "<script>",
        "</script>",
        "<style>",
        "<!-- c -->",
        "<",
        ">",
        "&amp;",
        "&lt;",
        "&#10;",
        "&quot;",
        "\n",
        " ",
        "Wahl",
        "ä",
        "#btw25",
        "@lena",
        "a < b",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=16).map("".join))
def test_plain_text_matches_html_to_text(fragment: str) -> None:
    """The regex fast path for status HTML gives exactly what the shared helper gives."""
    try:
        expected = html_to_text(fragment)
    except AssertionError:
        return
    assert mastodon._plain(fragment) == expected


def test_links_without_class_that_point_at_mentions_are_not_urls() -> None:
    status = {
        **TIMELINE_STATUSES[1],
        "content": (
            '<p><a href="https://chaos.example/@lena">@lena</a> and '
            "<a href='https://news.example/a?x=1&amp;utm_source=m'>news</a></p>"
        ),
        "mentions": [{"id": "1", "username": "lena", "acct": "Lena", "url": LENA}],
        "tags": [{"name": "BTW25", "url": "https://mastodon.example/tags/btw25"}],
    }
    p = mastodon.normalize(status)
    assert p.urls == ("https://news.example/a?x=1",)
    assert p.mentions == ("lena@chaos.example",)
    assert p.hashtags == ("btw25",)


def test_deeply_nested_json_is_rejected_not_raised() -> None:
    deep = b"[" * 1000 + b"]" * 1000
    data = b"{}\n" + deep + b'\n{"statuses": [' + deep + b"]}\n"
    data += b'{"account": {"url": "https://x.example/@a"}, "uri": "u", "created_at": ' + deep
    data += b"}\n"
    items = read_data(data)
    assert [type(i) for i in items] == [Reject] * 4
    assert [r.line for r in items if isinstance(r, Reject)] == [1, 2, 3, 4]
    assert items[0].reason == "not a Mastodon status: no account"  # type: ignore[union-attr]


# --- sniffing ---------------------------------------------------------------------------


def head_of(path: Path) -> Head:
    text = path.read_text()
    try:
        first = orjson.loads(text.split("\n", 1)[0])
    except orjson.JSONDecodeError:
        first = orjson.loads(text)
    return Head(path=path, text=text[:65536], first_json=first)


@pytest.mark.parametrize("path", [TIMELINE, STREAM])
def test_sniff_claims_mastodon_files(path: Path) -> None:
    assert mastodon.sniff(head_of(path))


@pytest.mark.parametrize(
    "value",
    [
        TIMELINE_STATUSES[0],
        [[TIMELINE_STATUSES[0]]],
        {"ancestors": [TIMELINE_STATUSES[0]], "descendants": []},
    ],
)
def test_sniff_claims_statuses_and_pages(value: Any) -> None:
    head = Head(path=Path("x.json"), text=orjson.dumps(value).decode(), first_json=value)
    assert mastodon.sniff(head)


def test_sniff_falls_back_to_text_for_large_arrays() -> None:
    text = TIMELINE.read_text()[:5000]
    assert mastodon.sniff(Head(path=TIMELINE, text=text, first_json=None))


TWEET_V2 = {
    "data": {
        "id": "1893000000000000000",
        "text": "Wählen gehen! #btw25",
        "author_id": "12",
        "created_at": "2025-02-23T10:00:00.000Z",
        "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 2},
    }
}
TWEET_V1 = {
    "id_str": "1",
    "full_text": "hi",
    "user": {"id_str": "2", "screen_name": "x"},
    "favorite_count": 3,
    "retweet_count": 1,
    "created_at": "Wed Oct 10 20:19:24 +0000 2018",
}
BLUESKY_VIEW = {
    "uri": "at://did:plc:x/app.bsky.feed.post/1",
    "author": {"did": "did:plc:x"},
    "record": {"text": "hi"},
    "likeCount": 1,
}


@pytest.mark.parametrize(
    "value", [TWEET_V2, TWEET_V2["data"], {"data": [TWEET_V2["data"]]}, TWEET_V1, BLUESKY_VIEW, []]
)
def test_sniff_rejects_other_json(value: Any) -> None:
    head = Head(path=Path("x.jsonl"), text=orjson.dumps(value).decode(), first_json=value)
    assert not mastodon.sniff(head)


def test_sniff_rejects_csv() -> None:
    head = Head(path=Path("x.csv"), text="id,favourites_count\n1,2\n", csv_header=("id", "x"))
    assert not mastodon.sniff(head)


def test_format_registration() -> None:
    assert mastodon.lagebild_source_formats() == [mastodon.FORMAT]
    assert mastodon.FORMAT.name == "mastodon"
    assert mastodon.FORMAT.platforms == ("mastodon",)


# --- properties -------------------------------------------------------------------------

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
def mutated_status(draw: st.DrawFn) -> Any:
    """A real status with one value somewhere replaced or removed."""
    index = draw(st.integers(0, len(TIMELINE_STATUSES) - 1))
    status = orjson.loads(orjson.dumps(TIMELINE_STATUSES[index]))
    node = status
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
    return status


_STATUS_LINE = st.integers(0, len(TIMELINE_STATUSES) - 1).map(
    lambda i: orjson.dumps(TIMELINE_STATUSES[i])
)
_LINE = st.one_of(
    _STATUS_LINE,
    _STATUS_LINE.flatmap(lambda b: st.integers(0, len(b)).map(lambda n: b[:n])),
    mutated_status().map(orjson.dumps),
    st.lists(mutated_status(), max_size=3).map(orjson.dumps),
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
@given(st.lists(_LINE, max_size=10))
def test_no_line_is_lost_or_raises(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    items = read_data(data)
    _covered(data, items)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_status(), max_size=8))
def test_no_array_element_is_lost(statuses: list[Any]) -> None:
    data = orjson.dumps(statuses)
    items = read_data(data, ".json")
    rejected = {r.pointer for r in items if isinstance(r, Reject)}
    produced = sum(isinstance(i, Post) for i in items)
    assert produced + len(rejected) >= len(statuses)
    assert rejected <= {f"[{i}]" for i in range(len(statuses))}


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    items = read_data(data)
    assert all(isinstance(i, Post | Account | Reject | Skipped) for i in items)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([TIMELINE, STREAM]), st.data())
def test_truncated_fixtures_never_raise(source: Path, data: st.DataObject) -> None:
    raw = source.read_bytes()
    cut = raw[: data.draw(st.integers(0, len(raw)))]
    items = read_data(cut, source.suffix)
    _covered(cut, items)
