"""The X API v2 reader: twarc2 pages, flattened tweets, pretty pages and tweet arrays."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lagebild.ingest import twitter_v2
from lagebild.ingest.base import MALFORMED, Head, Item, ReadOptions, Skipped, read_json_source
from lagebild.ingest.twitter_v2 import FORMAT, normalize, normalize_account, read, sniff
from lagebild.model import Account, Post, Reject
from lagebild.plugins import BUILTIN_PLUGINS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "twitter_v2"
PAGES = FIXTURES / "search_pages.jsonl"
FLAT = FIXTURES / "flattened.jsonl"
PRETTY = FIXTURES / "lookup_page_pretty.json"

UTC = dt.UTC

# ids in the fixtures
CLAIM = "1893702366000054283"  # @patriot_klartext24's false claim, only in includes.tweets
RESULT = "1893714986660790275"  # @wahlcheck_nord: original with two links
RETWEET = "1893721399751606273"  # @BuergerMeinung_ retweets CLAIM
QUOTE = "1893727544406966278"  # @MarieKSchneider quotes CLAIM
REPLY = "1893730488808374280"  # @EU_Watcher_EN replies to CLAIM
PHOTO = "1893733139608502277"  # @wahlcheck_nord: tweet with a photo
BAD_DATE = "1893725006853046274"  # created_at 2025-02-30
TURNOUT = "1893710536504246274"  # @EU_Watcher_EN, page 2, no impression_count
NO_AUTHOR = "1893708649067446276"  # page 2, no author_id
MEDIA_KEY = "3_1893733051528118273"
WAHLCHECK, MARIE, KLARTEXT, EUWATCH, BUERGER = (
    "1183309582693302289",
    "862301457029754880",
    "1650045633295286276",
    "1702281033937846281",
    "98765432",
)
RETRIEVED_1 = dt.datetime(2025, 2, 24, 9, 15, 2, tzinfo=UTC)
RETRIEVED_2 = dt.datetime(2025, 2, 24, 9, 15, 4, tzinfo=UTC)

CLAIM_TEXT = (
    "Briefwahl-Chaos in #Berlin: Tausende Stimmzettel ohne Siegel aufgetaucht?! Die Medien "
    "schweigen. Teilt das, bevor es gelöscht wird! https://t.co/Kq7Lm2Np4R #Wahlbetrug #btw25"
)


def _read(path: Path, options: ReadOptions | None = None) -> list[Item]:
    return list(read(path, options or ReadOptions()))


def _posts(items: Sequence[Item]) -> list[Post]:
    return [i for i in items if isinstance(i, Post)]


def _accounts(items: Sequence[Item]) -> list[Account]:
    return [i for i in items if isinstance(i, Account)]


def _rejects(items: Sequence[Item]) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


def _post(items: Sequence[Item], post_id: str, line: int | None = None) -> Post:
    found = [p for p in _posts(items) if p.post_id == post_id]
    if line is not None:
        found = [p for p in found if p.source_line == line]
    assert len(found) == 1, f"{post_id}: {len(found)} posts"
    return found[0]


def _head(path: Path) -> Head:
    """A head as the sniffer builds it: first line as JSON, else the whole (small) document."""
    raw = path.read_bytes()[: 1 << 16]
    text = raw.decode("utf-8", errors="replace")
    first: Any = None
    for candidate in (text.split("\n", 1)[0], path.read_bytes()):
        try:
            first = orjson.loads(candidate)
            break
        except orjson.JSONDecodeError:
            continue
    return Head(path=path, text=text, first_json=first)


def _write(tmp: Path, name: str, *values: Any) -> Path:
    path = tmp / name
    path.write_bytes(b"".join(orjson.dumps(v) + b"\n" for v in values))
    return path


def _page_tweet(post_id: str) -> dict[str, Any]:
    page = orjson.loads(PAGES.read_bytes().split(b"\n", 1)[0])
    tweets = page["data"] + page["includes"]["tweets"]
    found: dict[str, Any] = next(t for t in tweets if t["id"] == post_id)
    return found


# --- pages ---------------------------------------------------------------------------------


def test_pages_original_with_tracking_and_unwound_links() -> None:
    post = _post(_read(PAGES), RESULT)
    assert post == Post(
        platform="twitter",
        post_id=RESULT,
        account_id=WAHLCHECK,
        account_handle="wahlcheck_nord",
        created_at=dt.datetime(2025, 2, 23, 17, 30, 11, tzinfo=UTC),
        text="Vorläufiges Ergebnis der #Bundestagswahl2025: Wahlbeteiligung bei 82,5 %. "
        "Alle Zahlen: https://t.co/aB3dE5fG7h Hintergründe: https://t.co/Zx9Yw8Vu7T #btw25",
        lang="de",
        # utm_* removed; the bit.ly link replaced by its unwound_url
        urls=(
            "https://bundeswahlleiterin.de/bundestagswahlen/2025/ergebnisse.html",
            "https://tagesschau.de/inland/bundestagswahl/wahlbeteiligung-bundestagswahl-102.html",
        ),
        domains=("bundeswahlleiterin.de", "tagesschau.de"),
        hashtags=("bundestagswahl2025", "btw25"),
        mentions=(),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=98211,
        likes=1290,
        reposts=412,
        replies=38,
        quotes=27,
        collected_at=RETRIEVED_1,
        source=str(PAGES),
        source_line=1,
    )


def test_pages_retweet_keeps_the_api_text() -> None:
    post = _post(_read(PAGES), RETWEET)
    assert post.text is not None
    assert post.text.startswith("RT @patriot_klartext24: Briefwahl-Chaos in #Berlin:")
    assert post.text.endswith("bevor e…")
    assert post.account_id == BUERGER
    assert post.account_handle == "BuergerMeinung_"
    assert post.repost_of == CLAIM
    assert (post.reply_to, post.quote_of) == (None, None)
    assert post.mentions == ("patriot_klartext24",)
    assert post.hashtags == ("berlin",)
    assert (post.urls, post.domains, post.media) == ((), (), ())
    # the API's counts for a retweet, taken as given (zero is not missing)
    assert (post.views, post.likes, post.reposts, post.replies, post.quotes) == (0, 0, 57, 0, 0)
    assert post.created_at == dt.datetime(2025, 2, 23, 17, 55, 40, tzinfo=UTC)


def test_pages_quote_reply_and_photo() -> None:
    items = _read(PAGES)
    quote = _post(items, QUOTE)
    assert quote.quote_of == CLAIM
    assert (quote.reply_to, quote.repost_of) == (None, None)
    assert quote.account_handle == "MarieKSchneider"
    assert quote.text is not None
    assert "geprüft – alles ordnungsgemäß" in quote.text
    assert quote.urls == (f"https://twitter.com/patriot_klartext24/status/{CLAIM}",)
    assert quote.domains == ("twitter.com",)
    assert quote.hashtags == ()

    reply = _post(items, REPLY)
    assert reply.reply_to == CLAIM
    assert (reply.repost_of, reply.quote_of) == (None, None)
    assert reply.lang == "en"
    assert reply.mentions == ("patriot_klartext24",)
    assert reply.hashtags == ("btw25",)
    assert reply.account_handle == "EU_Watcher_EN"

    photo = _post(items, PHOTO)
    assert photo.media == (f"key:{MEDIA_KEY}",)
    assert photo.urls == ()  # the pic.x.com link is the photo, not a shared link
    assert photo.domains == ()
    assert photo.text is not None
    assert "Prüft selbst, bevor ihr Gerüchte glaubt!" in photo.text
    assert (photo.views, photo.likes, photo.reposts, photo.replies, photo.quotes) == (
        30877,
        501,
        133,
        9,
        4,
    )


def test_pages_yield_included_tweets() -> None:
    claim = _post(_read(PAGES), CLAIM)
    assert claim == Post(
        platform="twitter",
        post_id=CLAIM,
        account_id=KLARTEXT,
        account_handle="patriot_klartext24",
        created_at=dt.datetime(2025, 2, 23, 16, 40, 2, tzinfo=UTC),
        text=CLAIM_TEXT,
        lang="de",
        urls=("https://wahrheit-jetzt.example/briefwahl-berlin-stimmzettel",),
        domains=("wahrheit-jetzt.example",),
        hashtags=("berlin", "wahlbetrug", "btw25"),
        mentions=(),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=40218,
        likes=203,
        reposts=57,
        replies=112,
        quotes=19,
        collected_at=RETRIEVED_1,
        source=str(PAGES),
        source_line=1,
    )


def test_pages_missing_impression_count_is_none() -> None:
    post = _post(_read(PAGES), TURNOUT)
    assert post.views is None
    assert (post.likes, post.reposts, post.replies, post.quotes) == (64, 21, 2, 1)
    assert post.collected_at == RETRIEVED_2
    assert post.source_line == 2
    assert post.mentions == ("wahlcheck_nord",)
    assert post.hashtags == ("btw25", "germanyelection")
    assert post.urls == (
        "https://zdf.de/nachrichten/politik/deutschland/bundestagswahl-wahlbeteiligung-100.html",
    )


def test_pages_read_every_valid_tweet() -> None:
    items = _read(PAGES)
    ids = [(p.post_id, p.source_line) for p in _posts(items)]
    assert ids == [
        (PHOTO, 1),
        (REPLY, 1),
        (QUOTE, 1),
        (RETWEET, 1),
        (RESULT, 1),
        (CLAIM, 1),
        (TURNOUT, 2),
    ]
    assert all(p.platform == "twitter" and p.source == str(PAGES) for p in _posts(items))


def test_pages_accounts() -> None:
    accounts = _accounts(_read(PAGES))
    assert [(a.account_id, a.observed_at) for a in accounts] == [
        (WAHLCHECK, RETRIEVED_1),
        (EUWATCH, RETRIEVED_1),
        (MARIE, RETRIEVED_1),
        (KLARTEXT, RETRIEVED_1),
        (BUERGER, RETRIEVED_1),
        (EUWATCH, RETRIEVED_2),
        (WAHLCHECK, RETRIEVED_2),
    ]
    assert accounts[0] == Account(
        platform="twitter",
        account_id=WAHLCHECK,
        handle="wahlcheck_nord",
        name="Wahlcheck Nord",
        created_at=dt.datetime(2019, 10, 13, 9, 12, 44, tzinfo=UTC),
        followers=18234,
        following=512,
        posts_count=6021,
        verified=False,
        description="Faktencheck-Team aus Hamburg. Wir prüfen Behauptungen rund um Wahlen. "
        "Hinweise gern per DM.",
        labels=(),
        observed_at=RETRIEVED_1,
        source=str(PAGES),
    )
    klartext = accounts[3]
    assert (klartext.name, klartext.verified) == ("Klartext 24 🇩🇪", True)
    # a user object without public_metrics: counts are missing, not zero
    buerger = accounts[4]
    assert buerger == Account(
        platform="twitter",
        account_id=BUERGER,
        handle="BuergerMeinung_",
        name="Bürger Meinung",
        created_at=dt.datetime(2009, 12, 1, 20, 40, 33, tzinfo=UTC),
        followers=None,
        following=None,
        posts_count=None,
        verified=False,
        description=None,
        labels=(),
        observed_at=RETRIEVED_1,
        source=str(PAGES),
    )


def test_pages_rejects() -> None:
    lines = PAGES.read_bytes().split(b"\n")
    rejects = _rejects(_read(PAGES))
    assert [(r.line, r.offset, r.pointer) for r in rejects] == [
        (1, 0, "data[3]"),
        (2, len(lines[0]) + 1, "data[1]"),
        (2, len(lines[0]) + 1, "includes.users[2]"),
        (3, len(lines[0]) + len(lines[1]) + 2, ""),
    ]
    bad_date, no_author, bad_user, broken = rejects
    assert all(r.format == "twitter-v2" and r.source == str(PAGES) for r in rejects)
    assert bad_date.reason.startswith("unparsable created_at: '2025-02-30T18:10:00.000Z'")
    assert orjson.loads(bad_date.raw)["id"] == BAD_DATE
    assert "author_id" in no_author.reason
    assert orjson.loads(no_author.raw)["id"] == NO_AUTHOR
    assert bad_user.reason == "missing or invalid id: None"
    assert orjson.loads(bad_user.raw)["username"] == "geloescht_123"
    assert broken.reason.startswith("not valid JSON")
    assert broken.raw == lines[2].decode() + "\n"


# --- flattened -----------------------------------------------------------------------------


def test_flattened_posts_and_embedded_tweets() -> None:
    items = _read(FLAT)
    assert [(p.post_id, p.source_line) for p in _posts(items)] == [
        (PHOTO, 1),
        (REPLY, 2),
        (CLAIM, 2),  # embedded as the replied-to tweet
        (QUOTE, 3),
        (CLAIM, 3),
        (RETWEET, 5),
        (CLAIM, 5),
        (RESULT, 6),
        (TURNOUT, 7),
    ]


def test_flattened_posts_equal_page_posts() -> None:
    page_posts = {p.post_id: p for p in _posts(_read(PAGES))}
    for post in _posts(_read(FLAT)):
        expected = page_posts[post.post_id]._replace(source=str(FLAT), source_line=post.source_line)
        assert post == expected


def test_flattened_accounts_once_per_page() -> None:
    accounts = _accounts(_read(FLAT))
    assert [(a.account_id, a.observed_at) for a in accounts] == [
        (WAHLCHECK, RETRIEVED_1),  # line 1: author
        (EUWATCH, RETRIEVED_1),  # line 2: author
        (KLARTEXT, RETRIEVED_1),  # line 2: replied-to user (also mentioned, also embedded author)
        (MARIE, RETRIEVED_1),  # line 3: author
        (BUERGER, RETRIEVED_1),  # line 5: author; line 6's author was seen on line 1
        (EUWATCH, RETRIEVED_2),  # line 7: next page, a new snapshot
        (WAHLCHECK, RETRIEVED_2),  # line 7: mentioned user
    ]
    page_accounts = {(a.account_id, a.observed_at): a for a in _accounts(_read(PAGES))}
    for account in accounts:
        key = (account.account_id, account.observed_at)
        assert account == page_accounts[key]._replace(source=str(FLAT))


def test_flattened_rejects() -> None:
    rejects = _rejects(_read(FLAT))
    assert [(r.line, r.pointer) for r in rejects] == [(4, ""), (8, ""), (9, "")]
    assert rejects[0].reason.startswith("unparsable created_at")
    assert rejects[1].reason.startswith("not valid JSON")
    assert "author_id" in rejects[2].reason


# --- single documents and arrays -----------------------------------------------------------


def test_pretty_printed_page() -> None:
    items = _read(PRETTY)
    retrieved = dt.datetime(2025, 2, 25, 10, 2, 44, tzinfo=UTC)
    assert [(p.post_id, p.source_line, p.collected_at) for p in _posts(items)] == [
        (QUOTE, 1, retrieved),
        (REPLY, 1, retrieved),
        (CLAIM, 1, retrieved),
    ]
    assert _post(items, CLAIM).text == CLAIM_TEXT  # raw UTF-8 umlauts, not \u escapes
    assert [a.account_id for a in _accounts(items)] == [MARIE, EUWATCH, KLARTEXT]
    assert _rejects(items) == []


def test_array_of_tweets(tmp_path: Path) -> None:
    good, bad = _page_tweet(QUOTE), _page_tweet(BAD_DATE)
    path = tmp_path / "tweets.json"
    path.write_bytes(orjson.dumps([good, bad], option=orjson.OPT_INDENT_2))
    collected = dt.datetime(2025, 3, 1, tzinfo=UTC)
    items = _read(path, ReadOptions(collected_at=collected))
    [post] = _posts(items)
    [reject] = _rejects(items)
    assert (post.post_id, post.source_line, post.collected_at) == (QUOTE, None, collected)
    assert post.account_handle is None  # a bare v2 tweet does not name its author
    assert (reject.pointer, reject.line) == ("[1]", None)
    assert sniff(_head(path))


def test_stream_page_with_one_tweet(tmp_path: Path) -> None:
    page = {
        "data": _page_tweet(REPLY),
        "includes": {"users": [{"id": EUWATCH, "name": "EU Election Watch", "username": "x"}]},
        "matching_rules": [{"id": "1893000000000000001", "tag": "btw25"}],
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/stream", "version": "2.14.0"},
    }
    items = _read(_write(tmp_path, "stream.jsonl", page))
    [post] = _posts(items)
    assert (post.post_id, post.account_handle, post.collected_at) == (REPLY, "x", None)
    [account] = _accounts(items)
    assert (account.followers, account.created_at, account.observed_at) == (None, None, None)


def test_empty_pages_and_api_errors_are_skipped(tmp_path: Path) -> None:
    error = {
        "value": CLAIM,
        "detail": f"Could not find tweet with referenced_tweets.id: [{CLAIM}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "referenced_tweets.id",
        "resource_id": CLAIM,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
    path = _write(
        tmp_path,
        "pages.jsonl",
        {"meta": {"result_count": 0}, "__twarc": {"retrieved_at": "2025-02-24T09:15:02+00:00"}},
        {"data": [_page_tweet(RETWEET)], "errors": [error]},
    )
    items = _read(path)
    assert [type(i).__name__ for i in items] == ["Skipped", "Post", "Skipped"]
    assert items[0] == Skipped(str(path), 1, "empty-page")
    assert items[2] == Skipped(str(path), 2, "api-error")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (42, "expected a JSON object"),
        ([1, 2], "expected a JSON object"),
        ({"foo": 1}, "neither an X API v2 response page"),
        ({"data": "oops"}, "data is not a list"),
        ({"data": [], "includes": {"tweets": {}}}, "includes.tweets is not a list"),
        ({"data": [], "__twarc": "2025"}, "__twarc is not an object"),
        ({"data": [], "__twarc": {"retrieved_at": "gestern"}}, "unparsable __twarc.retrieved_at"),
    ],
)
def test_values_that_are_not_pages_or_tweets_are_rejected(
    tmp_path: Path, value: Any, reason: str
) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(orjson.dumps(_page_tweet(RESULT)) + b"\n" + orjson.dumps(value) + b"\n")
    items = _read(path)
    assert [type(i) for i in items] == [Post, Reject]
    reject = items[1]
    assert isinstance(reject, Reject)
    assert (reject.line, reject.pointer) == (2, "")
    assert reason in reject.reason


# --- normalize -----------------------------------------------------------------------------


def test_normalize_long_post_uses_note_tweet() -> None:
    tweet = _page_tweet(RESULT) | {
        "note_tweet": {
            "text": "Ein langer Beitrag über die #Wahlnacht … https://t.co/x1",
            "entities": {
                "hashtags": [{"start": 27, "end": 38, "tag": "Wahlnacht"}],
                "urls": [{"url": "https://t.co/x1", "expanded_url": "https://example.org/a"}],
                "mentions": [{"username": "Wahlcheck_Nord", "id": WAHLCHECK}],
            },
        }
    }
    post = normalize(tweet)
    assert post.text == "Ein langer Beitrag über die #Wahlnacht … https://t.co/x1"
    assert post.hashtags == ("bundestagswahl2025", "btw25", "wahlnacht")
    assert post.mentions == ("wahlcheck_nord",)
    assert post.urls[-1] == "https://example.org/a"
    assert (post.source, post.source_line, post.collected_at) == ("", None, None)


def test_normalize_entities() -> None:
    tweet: dict[str, Any] = {
        "id": "1",
        "author_id": "2",
        "created_at": "2016-05-01T10:00:00Z",  # not the API's millisecond form
        "text": "#AfD #afd @SomeOne @someone",
        "entities": {
            "hashtags": [{"tag": "AfD"}, {"tag": "afd"}],
            "mentions": [{"username": "SomeOne"}, {"username": "someone"}],
            "urls": [
                # an old media link: no media_key, but a pic.twitter.com display URL
                {"url": "https://t.co/p", "display_url": "pic.twitter.com/p"},
                {"url": "https://t.co/only"},
            ],
        },
        "attachments": {"media_keys": ["3_1", "3_1", "7_2"]},
        "referenced_tweets": [{"type": "replied_to", "id": "9"}, {"type": "quoted", "id": "8"}],
    }
    post = normalize(tweet, handle="someone_else")
    assert post.hashtags == ("afd",)
    assert post.mentions == ("someone",)
    assert post.urls == ("https://t.co/only",)
    assert post.media == ("key:3_1", "key:7_2")
    assert (post.reply_to, post.quote_of, post.repost_of) == ("9", "8", None)
    assert post.created_at == dt.datetime(2016, 5, 1, 10, tzinfo=UTC)
    assert post.lang is None
    assert (post.views, post.likes, post.reposts, post.replies, post.quotes) == (None,) * 5


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "missing or invalid id"),
        ({"id": 1.8937e18}, "id is a float"),
        ({"author_id": ""}, "empty author_id"),
        ({"created_at": "2025-13-01T00:00:00.000Z"}, "unparsable created_at"),
        ({"created_at": "1970-01-01T00:00:00.000Z"}, "implausible created_at"),
        ({"text": {"de": "Hallo"}}, "text is not a string"),
        ({"public_metrics": {"like_count": -1}}, "like_count out of range"),
        ({"attachments": {"media_keys": "3_1"}}, "media_keys is not a list"),
    ],
)
def test_normalize_rejects_malformed_tweets(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(MALFORMED, match=reason):
        normalize(_page_tweet(RESULT) | change)


def test_normalize_rejects_missing_created_at() -> None:
    tweet = _page_tweet(RESULT)
    del tweet["created_at"]
    with pytest.raises(KeyError, match="created_at"):
        normalize(tweet)


def test_normalize_account_needs_an_id() -> None:
    with pytest.raises(MALFORMED, match="missing or invalid id"):
        normalize_account({"name": "x", "username": "x"})


# --- sniffing ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PAGES, FLAT, PRETTY], ids=lambda p: p.name)
def test_sniff_fixtures(path: Path) -> None:
    head = _head(path)
    assert sniff(head)
    assert sniff(Head(path=path, text=head.text))  # the same from the text alone


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "twitter_v2" / "btw25-search.jsonl"


def test_example_reads_cleanly() -> None:
    items = _read(EXAMPLE)
    assert _rejects(items) == []
    posts = _posts(items)
    assert len(posts) == 29  # the false claim is in the includes of both pages
    assert len({p.post_id for p in posts}) == 28
    assert len({a.account_id for a in _accounts(items)}) == 14
    assert all(p.account_handle and p.collected_at for p in posts)
    assert sniff(_head(EXAMPLE))


def test_sniff_long_first_line_from_text(tmp_path: Path) -> None:
    page = orjson.loads(PAGES.read_bytes().split(b"\n", 1)[0])
    page["data"] = page["data"] * 40  # a full page of 100+ tweets is longer than the head
    path = _write(tmp_path, "big.jsonl", page)
    text = path.read_bytes()[: 1 << 16].decode("utf-8", errors="replace")
    assert sniff(Head(path=path, text=text, first_json=None))


MASTODON_STATUS = {
    "id": "113712345678901234",
    "created_at": "2025-02-23T18:00:00.000Z",
    "in_reply_to_id": None,
    "language": "de",
    "uri": "https://social.example/users/anna/statuses/113712345678901234",
    "content": "<p>Heute ist Wahltag! <a href='https://social.example/tags/btw25'>#btw25</a></p>",
    "text": None,
    "account": {"id": "1", "username": "anna", "acct": "anna"},
    "reblogs_count": 0,
}
BLUESKY_POST = {
    "uri": "at://did:plc:abc/app.bsky.feed.post/3lcd",
    "cid": "bafyrei",
    "author": {"did": "did:plc:abc", "handle": "anna.bsky.social"},
    "record": {"$type": "app.bsky.feed.post", "text": "Wahltag!", "createdAt": "2025-02-23"},
    "indexedAt": "2025-02-23T18:00:00.000Z",
}
V1_TWEET = {
    "created_at": "Sun Feb 23 18:00:00 +0000 2025",
    "id": 1893700000000000000,
    "id_str": "1893700000000000000",
    "full_text": "Wahltag!",
    "user": {"id_str": "1", "screen_name": "anna"},
}


@pytest.mark.parametrize(
    "value",
    [
        MASTODON_STATUS,
        [MASTODON_STATUS],
        {"statuses": [MASTODON_STATUS]},
        BLUESKY_POST,
        {"feed": [{"post": BLUESKY_POST}]},
        V1_TWEET,
        # a twarc2 users page (followers/following): users, not tweets
        {"data": [{"id": "1", "name": "Anna", "username": "anna"}], "meta": {"result_count": 1}},
        # a Facebook Graph API page: data objects with id but no text
        {"data": [{"id": "1_2", "message": "Wahltag!", "created_time": "2025-02-23"}]},
        {"data": [{"id": "1", "text": "x", "content": "y"}]},
        {"id": "1", "text": "a tweet without author_id"},
        [],
        "data",
    ],
)
def test_sniff_rejects_other_json(tmp_path: Path, value: Any) -> None:
    path = _write(tmp_path, "other.json", value)
    head = _head(path)
    assert not sniff(head)
    assert not sniff(Head(path=path, text=head.text))
    pretty = tmp_path / "pretty.json"
    pretty.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2))
    assert not sniff(Head(path=pretty, text=pretty.read_text()))


def test_sniff_rejects_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("tweetid,userid,tweet_text,tweet_time\n1,2,hallo,2019-01-01\n")
    assert not sniff(Head(path=path, text=path.read_text(), csv_header=("tweetid", "userid")))


# --- registration --------------------------------------------------------------------------


def test_registered_as_builtin_format() -> None:
    assert "lagebild.ingest.twitter_v2" in BUILTIN_PLUGINS
    assert twitter_v2.lagebild_source_formats() == [FORMAT]
    assert (FORMAT.name, FORMAT.platforms, FORMAT.options) == (
        "twitter-v2",
        ("twitter",),
        ("collected_at",),
    )
    assert FORMAT.read is read
    assert FORMAT.sniff is sniff


# --- long and broken lines ------------------------------------------------------------------


def test_pages_longer_than_64_kib(tmp_path: Path) -> None:
    page = orjson.loads(PAGES.read_bytes().split(b"\n", 1)[0])
    page["data"] = [t | {"id": str(10**18 + i)} for i, t in enumerate(page["data"] * 20)]
    path = _write(tmp_path, "big.jsonl", page, page)
    assert path.stat().st_size > 2 << 16
    items = _read(path)
    assert len(_posts(items)) == 2 * (100 + 1)  # 5 of every 6 tweets are valid, + the claim


def test_broken_first_line_loses_only_that_line(tmp_path: Path) -> None:
    lines = PAGES.read_bytes().split(b"\n")
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b"\n".join([lines[2], lines[0], lines[1]]) + b"\n")
    items = _read(path)
    assert [(r.line, r.pointer) for r in _rejects(items)] == [
        (1, ""),
        (2, "data[3]"),
        (3, "data[1]"),
        (3, "includes.users[2]"),
    ]
    assert len(_posts(items)) == 7


# --- properties ----------------------------------------------------------------------------


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


_FIXTURE_LINES = [line for path in (PAGES, FLAT) for line in path.read_bytes().split(b"\n")]
_VALID_LINES = [line for line in _FIXTURE_LINES if line.strip() and _parses(line)]
_VALID_FIRST = PAGES.read_bytes().split(b"\n", 1)[0]
_KEYS = st.sampled_from(
    [
        "id",
        "text",
        "author_id",
        "created_at",
        "data",
        "includes",
        "users",
        "tweets",
        "meta",
        "errors",
        "__twarc",
        "retrieved_at",
        "entities",
        "urls",
        "hashtags",
        "mentions",
        "tag",
        "username",
        "public_metrics",
        "referenced_tweets",
        "type",
        "attachments",
        "media_keys",
        "note_tweet",
        "author",
    ]
) | st.text(max_size=5)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["2025-02-23T18:42:19.000Z", "1893733139608502277", "retweeted"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=6),
    max_leaves=25,
)


@st.composite
def _mutated_tweet_line(draw: st.DrawFn) -> bytes:
    """A fixture line with some fields of its (first) tweet replaced by random JSON."""
    value = orjson.loads(draw(st.sampled_from(_VALID_LINES)))
    target = value["data"][0] if value.get("data") else value
    for key in draw(st.lists(_KEYS, max_size=4)):
        target[key] = draw(_JSON)
    return orjson.dumps(value)


@st.composite
def _truncated_line(draw: st.DrawFn) -> bytes:
    line = draw(st.sampled_from(_FIXTURE_LINES))
    return line[: draw(st.integers(min_value=0, max_value=len(line)))]


_LINE = st.one_of(
    st.sampled_from(_FIXTURE_LINES),
    _truncated_line(),
    _mutated_tweet_line(),
    _JSON.map(orjson.dumps),
    st.binary(max_size=80).map(lambda b: b.replace(b"\n", b" ")),
)


def _read_bytes(data: bytes) -> list[Item]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        path.write_bytes(data)
        return _read(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    for item in _read_bytes(data):
        assert isinstance(item, Post | Account | Reject | Skipped)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=8))
def test_every_line_is_read_or_rejected(lines: list[bytes]) -> None:
    """Whatever the lines hold, each non-blank one yields a post, a reject or a skip."""
    data = b"\n".join([_VALID_FIRST, *lines]) + b"\n"
    items = _read_bytes(data)
    seen: set[int | None] = set()
    for item in items:
        if isinstance(item, Post):
            seen.add(item.source_line)
        elif isinstance(item, Reject | Skipped):
            seen.add(item.line)
    expected = {n for n, line in enumerate(data.split(b"\n"), start=1) if line.strip()}
    assert expected <= seen
    for item in items:
        if isinstance(item, Post):
            assert item.created_at.tzinfo is not None
            assert item.post_id
            assert item.account_id


# --- typed pages: the fast way must read a page exactly as the general way does ------------

_PAGE_LINES = [line for line in PAGES.read_bytes().split(b"\n") if line.strip() and _parses(line)]


def _general_read(path: Path, options: ReadOptions) -> list[Item]:
    """The reader with every line decoded to plain JSON (the way before typed pages)."""
    seen = twitter_v2._SeenUsers()
    return list(
        read_json_source(
            path,
            twitter_v2.NAME,
            lambda value, where: twitter_v2._value_items(value, where, options.collected_at, seen),
            options.span,
        )
    )


def _both_ways(data: bytes) -> tuple[list[Item], list[Item]]:
    options = ReadOptions(collected_at=dt.datetime(2025, 3, 1, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pages.jsonl"
        path.write_bytes(data)
        return list(read(path, options)), _general_read(path, options)


def test_clean_pages_take_the_typed_way() -> None:
    """A page whose every part fits is decoded typed; one with a tweet to reject is not."""
    kinds = [type(twitter_v2._decode_line(line)).__name__ for line in _PAGE_LINES]
    assert kinds == ["_Line", "dict"]  # the second page holds a tweet without author_id
    flat = [line for line in FLAT.read_bytes().split(b"\n") if line.strip() and _parses(line)]
    assert {type(twitter_v2._decode_line(line)) for line in flat} == {dict}
    typed, general = _both_ways(b"\n".join(_PAGE_LINES) + b"\n")
    assert typed == general
    assert len([i for i in typed if isinstance(i, Post)]) > 5


@st.composite
def _mutated_page_line(draw: st.DrawFn) -> bytes:
    """A fixture page with a few values anywhere inside it replaced, removed or added."""
    value = orjson.loads(draw(st.sampled_from(_PAGE_LINES)))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        node: Any = value
        for _depth in range(draw(st.integers(min_value=0, max_value=5))):
            children = list(node.values()) if isinstance(node, dict) else node
            children = [c for c in children if isinstance(c, dict | list) and c]
            if not children:
                break
            node = draw(st.sampled_from(children))
        remove: bool = draw(st.booleans())
        if isinstance(node, dict):
            key = draw(_KEYS | st.sampled_from(sorted(node)) if node else _KEYS)
            if remove and key in node:
                del node[key]
            else:
                node[key] = draw(_JSON)
        elif node:
            node[draw(st.integers(min_value=0, max_value=len(node) - 1))] = draw(_JSON)
    return orjson.dumps(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_mutated_page_line() | _mutated_tweet_line(), min_size=1, max_size=4))
def test_typed_pages_read_like_the_general_way(lines: list[bytes]) -> None:
    """Posts, accounts, rejects and skips are the same item for item, whatever the pages hold."""
    typed, general = _both_ways(b"\n".join(lines) + b"\n")
    assert typed == general


_WORD = st.sampled_from(["AfD", "Wahl", "afd", "x", "ÄÖü", "ǅ", ""]) | st.text(max_size=6)
# mostly valid values, so that whole pages often take the typed way, and now and then one
# that the typed way must hand to the general way (which then rejects or fixes it)
_ID = st.sampled_from(["1", "17", "1893702366000054283", "2", "3", "4", "5", "6", "", " 5"])
_TIME = st.sampled_from(
    [
        *["2025-02-23T18:42:19.000Z", "2025-02-24T08:00:00.000Z"] * 6,
        "2025-02-23T18:42:19Z",
        "2025-02-23T18:42:19.000+01:00",
        "2025-02-30T00:00:00.000Z",
        "1985-01-01T00:00:00.000Z",
        "",
        "soon",
    ]
)
_COUNT = st.none() | st.integers(0, 10**6) | st.sampled_from([0, 7, 2**63 - 1, -1])
_URL = st.fixed_dictionaries(
    {},
    optional={
        "url": st.sampled_from(["https://t.co/a", "", "nonsense"]) | st.none(),
        "expanded_url": st.sampled_from(
            ["https://www.tagesschau.de/a?utm_source=x", "http://bit.ly/x", ""]
        )
        | st.none(),
        "unwound_url": st.sampled_from(["https://example.org/a/", ""]) | st.none(),
        "display_url": st.sampled_from(["pic.x.com/abc", "pic.twitter.com/a", "example.org"])
        | st.none(),
        "media_key": st.none() | st.just("3_1"),
        "start": st.integers(0, 5),
    },
)
_ENTITIES = (
    st.fixed_dictionaries(
        {},
        optional={
            "urls": st.lists(_URL, min_size=1, max_size=3) | st.none() | st.just([]),
            "hashtags": st.lists(st.fixed_dictionaries({"tag": _WORD}), min_size=1, max_size=3)
            | st.none(),
            "mentions": st.lists(
                st.fixed_dictionaries({"username": _WORD, "id": _ID}), min_size=1, max_size=3
            )
            | st.none(),
            "cashtags": st.lists(st.fixed_dictionaries({"tag": _WORD}), max_size=1),
        },
    )
    | st.none()
)
_METRICS = st.none() | st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        ("impression_count", "like_count", "retweet_count", "reply_count", "quote_count"), _COUNT
    ),
)
_TWEET_PARTS = {
    "text": st.none() | _WORD,
    "lang": st.none() | st.sampled_from(["", "de", "en"]),
    "entities": _ENTITIES,
    "referenced_tweets": st.none()
    | st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["retweeted", "quoted", "replied_to", "other"]), "id": _ID}
        ),
        max_size=3,
    ),
    "attachments": st.none()
    | st.fixed_dictionaries({}, optional={"media_keys": st.none() | st.lists(_WORD, max_size=3)}),
    "public_metrics": _METRICS,
    "note_tweet": st.none()
    | st.fixed_dictionaries({}, optional={"text": st.none() | _WORD, "entities": _ENTITIES}),
    "edit_history_tweet_ids": st.lists(_ID, max_size=2),
}
_TWEET_KEYS = {"id": _ID, "author_id": _ID, "created_at": _TIME}
# a tweet with any of its parts, or one with every part (entities of every kind), so that
# pages full of entities are common
_TWEET = st.fixed_dictionaries(_TWEET_KEYS, optional=_TWEET_PARTS) | st.fixed_dictionaries(
    {
        **_TWEET_KEYS,
        **_TWEET_PARTS,
        "entities": st.fixed_dictionaries(
            {
                "urls": st.lists(_URL, min_size=1, max_size=3),
                "hashtags": st.lists(st.fixed_dictionaries({"tag": _WORD}), min_size=1, max_size=3),
                "mentions": st.lists(
                    st.fixed_dictionaries({"username": _WORD}), min_size=1, max_size=3
                ),
            }
        ),
    }
)
_USER = st.fixed_dictionaries(
    {"id": _ID},
    optional={
        "username": st.none() | _WORD,
        "name": st.none() | _WORD,
        "created_at": st.none() | _TIME,
        "verified": st.none() | st.booleans(),
        "description": st.none() | _WORD,
        "public_metrics": st.none()
        | st.fixed_dictionaries(
            {},
            optional=dict.fromkeys(("followers_count", "following_count", "tweet_count"), _COUNT),
        ),
    },
)
_PAGE = st.fixed_dictionaries(
    {},
    optional={
        "data": st.lists(_TWEET, min_size=1, max_size=4) | st.none() | st.just([]),
        "includes": st.fixed_dictionaries(
            {"users": st.lists(_USER, min_size=1, max_size=4)},
            optional={"tweets": st.none() | st.lists(_TWEET, max_size=2)},
        )
        | st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "users": st.none() | st.lists(_USER, max_size=3),
                "tweets": st.none() | st.lists(_TWEET, max_size=2),
            },
        ),
        "meta": st.fixed_dictionaries({}, optional={"result_count": st.integers(0, 9)}),
        "errors": st.none() | st.lists(st.fixed_dictionaries({"title": _WORD}), max_size=2),
        "__twarc": st.none()
        | st.fixed_dictionaries(
            {},
            optional={"retrieved_at": st.none() | _TIME, "version": st.just("2.14.0")},
        ),
    },
)


_TWEET_1 = {"id": "1", "author_id": "7", "created_at": "2025-02-23T18:42:19.000Z"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PAGE, min_size=1, max_size=4))
@example([{"data": [_TWEET_1], "includes": {"users": [{"id": "7", "username": ""}]}}])
@example([{"data": [{**_TWEET_1, "note_tweet": {"entities": {"urls": None}}}]}])
@example([{"data": None, "includes": {"tweets": [_TWEET_1]}, "errors": [{}, None]}])
@example([{"meta": {}}, {"data": {**_TWEET_1}}, {"id": "1"}, {}])
def test_generated_pages_read_like_the_general_way(pages: list[dict[str, Any]]) -> None:
    """Pages of every shape the API gives, with edge values the typed way must treat as the
    general way does (empty strings, nulls, counts out of range, media links, long posts)."""
    typed, general = _both_ways(b"\n".join(orjson.dumps(p) for p in pages) + b"\n")
    assert typed == general
