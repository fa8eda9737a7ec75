"""X/Twitter API v2 data: twarc2 response pages, flattened tweets, and arrays of tweets.

Three shapes of the same objects are read, whichever the file holds:

* **response pages** as ``twarc2 search`` / ``timeline`` / ``tweets`` write them, one per line:
  ``{"data": [tweets], "includes": {"users", "tweets", "media"}, "meta", "__twarc"}``; also a
  single page saved as one (pretty-printed) JSON document, and stream pages whose ``data`` is
  one tweet. The tweets in ``includes.tweets`` (the originals of retweets, quotes and replies)
  are posts too; the users in ``includes.users`` become account snapshots.
* **flattened tweets** as ``twarc2 flatten`` writes them: one tweet per line with its ``author``,
  ``__twarc`` and the referenced tweets embedded in ``referenced_tweets`` (each with its own
  ``author``). Embedded tweets and users are read like the includes of a page.
* **a JSON array of tweets** (v2 tweet objects, flattened or not).

The API truncates the text of a retweet (``RT @handle: ...…``). We keep the text as the API gave
it: the full text is on the original post (``repost_of``), and a post's text must not depend on
whether its original happened to be in the same page. A long post's own full text
(``note_tweet.text``) is used in place of its truncated ``text``.

A page without tweets, and each entry of a page's ``errors`` (a referenced tweet or user that
was deleted or is protected), are yielded as :class:`~lagebild.ingest.base.Skipped` so that
the ingest report counts them; nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import ciso8601
import msgspec
import orjson
from msgspec import UNSET, Struct, UnsetType

from lagebild.errors import RecordError
from lagebild.ingest.base import (
    MALFORMED,
    Head,
    Item,
    ReadOptions,
    Skipped,
    SourceFormat,
    Where,
    link_fields,
    make_reject,
    opt_bool,
    opt_int,
    opt_str,
    parse_time,
    read_json_source,
    req_str,
)
from lagebild.ingest.text import unique
from lagebild.model import Account, Post
from lagebild.plugins import hookimpl

__all__ = ["FORMAT", "normalize", "normalize_account", "read", "sniff"]

NAME = "twitter-v2"
PLATFORM = "twitter"

_EMPTY: Mapping[str, Any] = {}
_PAGE_KEYS = ("data", "includes", "meta", "errors")
_MEDIA_DISPLAY = ("pic.twitter.com/", "pic.x.com/")
_INT64 = 2**63
_METRIC_KEYS = ("impression_count", "like_count", "retweet_count", "reply_count", "quote_count")
_NO_METRICS: tuple[None, ...] = (None,) * len(_METRIC_KEYS)
_NO_LINKS: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
_parse_iso = ciso8601.parse_datetime
#: How deep ``referenced_tweets`` of flattened tweets are followed (a retweet of a quote ...).
_MAX_DEPTH = 3
#: Flattened lines remember the users already snapshot for one ``retrieved_at`` (one page);
#: the memory is cleared when the page changes or grows past this many ids.
_SEEN_LIMIT = 50_000


# --- one tweet, one user ------------------------------------------------------------------


def normalize(
    tweet: Mapping[str, Any],
    *,
    handle: str | None = None,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One API v2 tweet object as a post.

    ``handle`` is the author's username, which a v2 tweet does not carry itself (it comes from
    ``includes.users`` or a flattened ``author``). Raises one of ``MALFORMED`` when ``id``,
    ``author_id`` or ``created_at`` is missing or invalid, or a part has the wrong shape.
    """
    entities = tweet.get("entities")
    text = tweet.get("text")
    note = tweet.get("note_tweet")
    if note:
        text = note.get("text") or text
        entities = _with_note_entities(entities, note.get("entities"))
    if entities:
        found = entities.get("urls")
        urls, domains = link_fields(_links(found)) if found else _NO_LINKS
        found = entities.get("hashtags")
        hashtags = _lowered(found, "tag") if found else ()
        found = entities.get("mentions")
        mentions = _lowered(found, "username") if found else ()
    else:
        urls = domains = hashtags = mentions = ()
    refs = tweet.get("referenced_tweets") or ()
    reply_to, repost_of, quote_of = _references((ref["type"], ref["id"]) for ref in refs)
    attachments = tweet.get("attachments")
    keys = attachments.get("media_keys") if attachments else None
    media = unique(f"key:{key}" for key in _as_list(keys, "media_keys")) if keys else ()
    metrics = tweet.get("public_metrics")
    views, likes, reposts, replies, quotes = _metrics(metrics) if metrics else _NO_METRICS
    return Post(
        PLATFORM,
        _req_id(tweet.get("id"), "id"),
        _req_id(tweet.get("author_id"), "author_id"),
        handle,
        _created_at(tweet["created_at"]),
        text if text is None or type(text) is str else _not_text(text),
        opt_str(tweet.get("lang")),
        urls,
        domains,
        hashtags,
        mentions,
        reply_to,
        repost_of,
        quote_of,
        media,
        views,
        likes,
        reposts,
        replies,
        quotes,
        collected_at,
        source,
        line,
    )


def normalize_account(
    user: Mapping[str, Any], *, source: str = "", observed_at: dt.datetime | None = None
) -> Account:
    """One API v2 user object as an account snapshot taken at ``observed_at``.

    Counts come from ``public_metrics`` and are ``None`` when the object has none (the request
    did not ask for them): a missing count is not zero.
    """
    metrics = user.get("public_metrics") or _EMPTY
    created = user.get("created_at")
    return Account(
        PLATFORM,
        _req_id(user.get("id"), "id"),
        opt_str(user.get("username")),
        opt_str(user.get("name")),
        _created_at(created) if created else None,
        _count(metrics, "followers_count"),
        _count(metrics, "following_count"),
        _count(metrics, "tweet_count"),
        opt_bool(user.get("verified")),
        opt_str(user.get("description")),
        (),
        observed_at,
        source,
    )


def _not_text(value: Any) -> NoReturn:
    raise RecordError(f"text is not a string: {value!r}"[:200])


def _req_id(value: Any, field_name: str) -> str:
    """A tweet or user id. v2 ids are strings; a float lost digits and is malformed."""
    if type(value) is str and value:
        return value
    if isinstance(value, float):
        raise RecordError(f"{field_name} is a float, digits are lost: {value!r}")
    return req_str(value, field_name)


def _references(refs: Iterable[tuple[Any, Any]]) -> tuple[str | None, str | None, str | None]:
    """The replied-to, retweeted and quoted ids among ``(type, id)`` of ``referenced_tweets``
    (the last of each type wins)."""
    reply_to = repost_of = quote_of = None
    for kind, raw_id in refs:
        ref_id = _req_id(raw_id, "referenced_tweets.id")
        if kind == "replied_to":
            reply_to = ref_id
        elif kind == "retweeted":
            repost_of = ref_id
        elif kind == "quoted":
            quote_of = ref_id
    return reply_to, repost_of, quote_of


def _with_note_entities(entities: Any, extra: Any) -> Mapping[str, Any]:
    """A long post's entities: those of its truncated text, then those of its full text."""
    merged: dict[str, list[Any]] = {}
    for group in (entities, extra):
        for kind, found in (group or _EMPTY).items():
            if found is not None:  # a null list of entities is an empty one
                merged.setdefault(kind, []).extend(found)
    return merged


def _links(entries: Any) -> Iterator[str | None]:
    """The links of a tweet, best form first (unwound > expanded > t.co), media links left out.

    A media link (``pic.x.com/...``) is the tweet's own photo or video page, not a shared link;
    it has a ``media_key`` in current data and a ``pic.`` display URL in older data.
    """
    for entry in entries:
        if "media_key" in entry:
            continue
        display = entry.get("display_url")
        if display and display.startswith(_MEDIA_DISPLAY):
            continue
        yield entry.get("unwound_url") or entry.get("expanded_url") or entry.get("url")


def _lowered(entries: Any, key: str) -> tuple[str, ...]:
    """The ``key`` of each entity (hashtag ``tag``, mention ``username``), lower-case, no repeats.

    The API gives hashtags without ``#`` and usernames without ``@``.
    """
    if len(entries) == 1:
        value = entries[0][key].lower()
        return (value,) if value else ()
    return unique(entry[key].lower() for entry in entries)


def _created_at(value: Any) -> dt.datetime:
    """``created_at``; the API's own form (``2025-02-23T18:42:19.000Z``) takes a fast path.

    Anything else, or a year outside 1990-2099, goes through :func:`parse_time`, which accepts
    other forms and raises the usual error.
    """
    if type(value) is str and len(value) == 24 and value[-1] == "Z" and "1990" <= value < "2100":
        try:
            return _parse_iso(value)
        except ValueError:
            pass
    return parse_time(value, "created_at")


def _metrics(metrics: Mapping[str, Any]) -> tuple[int | None, ...]:
    """Views, likes, reposts, replies and quotes from ``public_metrics``; absent is ``None``."""
    get = metrics.get
    return _checked_counts(
        (
            get("impression_count"),
            get("like_count"),
            get("retweet_count"),
            get("reply_count"),
            get("quote_count"),
        )
    )


def _checked_counts(counts: tuple[Any, ...]) -> tuple[int | None, ...]:
    """The counts of :data:`_METRIC_KEYS` as given when each is absent or an int the store
    holds (0 ≤ n < 2⁶³); otherwise each read by ``opt_int``, which converts or raises."""
    for value in counts:
        if value is not None and (type(value) is not int or not 0 <= value < _INT64):
            return tuple(opt_int(v, k) for v, k in zip(counts, _METRIC_KEYS, strict=True))
    return counts


def _count(metrics: Mapping[str, Any], key: str) -> int | None:
    value = metrics.get(key)
    if type(value) is int and 0 <= value < _INT64:
        return value
    return opt_int(value, key)


# --- reading ------------------------------------------------------------------------------


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts, account snapshots and rejects of a twarc2 pages, flattened or tweet-array file.

    A malformed tweet or user inside a page becomes a reject pointing at it (``data[3]``,
    ``includes.users[0]``) and the rest of the page is read; a line that is not JSON, or is
    neither a page nor a tweet, is rejected whole. Reads ``options.collected_at`` for records
    without ``__twarc.retrieved_at``.

    A page line is decoded straight into typed objects (:class:`_Page`), which skips the
    fields no post needs; a line that does not fit them, or a page with anything to reject,
    is read again the general way, so both ways give the same items.
    """
    seen = _SeenUsers()
    fallback = options.collected_at

    def handle(value: Any, where: Where) -> Iterable[Item]:
        if type(value) is _Line:
            try:
                return _typed_page_items(value.page, where, fallback)
            except MALFORMED:
                value = orjson.loads(value.raw)
                try:
                    return list(_value_items(value, where, fallback, seen))
                except MALFORMED as exc:
                    return [make_reject(where, NAME, exc, value)]
        return _value_items(value, where, fallback, seen)

    yield from read_json_source(path, NAME, handle, options.span, _decode_line)


def _value_items(
    value: Any, where: Where, fallback: dt.datetime | None, seen: _SeenUsers
) -> Iterator[Item]:
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object (page or tweet), got {type(value).__name__}")
    if "id" in value:
        return _tweet_items(value, where, fallback, seen)
    if any(key in value for key in _PAGE_KEYS):
        return _page_items(value, where, fallback)
    raise RecordError("neither an X API v2 response page (data, includes) nor a tweet (id)")


def _page_items(
    page: Mapping[str, Any], where: Where, fallback: dt.datetime | None
) -> Iterator[Item]:
    """The posts of ``data`` and ``includes.tweets`` and the accounts of ``includes.users``.

    Each entry of ``errors`` (a referenced tweet or user that was deleted, suspended or
    protected) is counted as a skipped ``api-error``; a page without tweets as ``empty-page``.
    """
    collected = _retrieved_at(page, fallback)
    includes = page.get("includes") or _EMPTY
    users = _as_list(includes.get("users"), "includes.users")
    data = page.get("data")
    if isinstance(data, dict):
        tweets: list[tuple[str, Any]] = [("data", data)]
    else:
        tweets = [(f"data[{i}]", t) for i, t in enumerate(_as_list(data, "data"))]
    included = _as_list(includes.get("tweets"), "includes.tweets")
    tweets.extend((f"includes.tweets[{i}]", t) for i, t in enumerate(included))
    handles: dict[Any, str] = {}
    for user in users:
        if type(user) is dict:
            uid, username = user.get("id"), user.get("username")
            if isinstance(uid, str | int) and isinstance(username, str):
                handles[str(uid)] = username
    source, line = where.source, where.line
    for pointer, tweet in tweets:
        try:
            yield normalize(
                tweet,
                handle=handles.get(tweet.get("author_id")),
                source=source,
                line=line,
                collected_at=collected,
            )
        except MALFORMED as exc:
            yield make_reject(_at(where, pointer), NAME, exc, tweet)
    for i, user in enumerate(users):
        try:
            yield normalize_account(user, source=source, observed_at=collected)
        except MALFORMED as exc:
            yield make_reject(_at(where, f"includes.users[{i}]"), NAME, exc, user)
    for _ in _as_list(page.get("errors"), "errors"):
        yield Skipped(source, line, "api-error")
    if not tweets:
        yield Skipped(source, line, "empty-page")


def _tweet_items(
    tweet: Mapping[str, Any], where: Where, fallback: dt.datetime | None, seen: _SeenUsers
) -> Iterator[Item]:
    """A flattened (or plain) tweet, the tweets embedded in it, and their users.

    The line's own tweet must be valid or the line is rejected; an embedded tweet or user that
    is malformed becomes a reject of its own.
    """
    collected = _retrieved_at(tweet, fallback)
    source, line = where.source, where.line
    post = normalize(
        tweet,
        handle=_username(tweet.get("author")),
        source=source,
        line=line,
        collected_at=collected,
    )
    items: list[Item] = [post]
    users: list[tuple[Where, Mapping[str, Any]]] = []
    _collect_users(tweet, where, users)
    _embedded(tweet, where, collected, items, users, 1)
    seen.start(_stamp_key(tweet))
    for at, user in users:
        uid = user.get("id")
        if isinstance(uid, str | int) and seen.has(str(uid)):
            continue
        try:
            account = normalize_account(user, source=source, observed_at=collected)
        except MALFORMED as exc:
            items.append(make_reject(at, NAME, exc, user))
            continue
        seen.add(account.account_id)
        items.append(account)
    return iter(items)


def _embedded(
    tweet: Mapping[str, Any],
    where: Where,
    collected: dt.datetime | None,
    items: list[Item],
    users: list[tuple[Where, Mapping[str, Any]]],
    depth: int,
) -> None:
    """Read the referenced tweets that ``twarc2 flatten`` embedded (not bare ``{type, id}``)."""
    if depth > _MAX_DEPTH:
        return
    for i, ref in enumerate(tweet.get("referenced_tweets") or ()):
        if "text" not in ref and "author_id" not in ref:
            continue  # the referenced tweet was not included in the response
        at = _at(where, f"referenced_tweets[{i}]")
        try:
            post = normalize(
                ref,
                handle=_username(ref.get("author")),
                source=where.source,
                line=where.line,
                collected_at=collected,
            )
        except MALFORMED as exc:
            items.append(make_reject(at, NAME, exc, ref))
            continue
        items.append(post)
        _collect_users(ref, at, users)
        _embedded(ref, at, collected, items, users, depth + 1)


def _collect_users(
    tweet: Mapping[str, Any], where: Where, users: list[tuple[Where, Mapping[str, Any]]]
) -> None:
    """The user objects twarc2 flatten put into a tweet: author, replied-to user, mentions.

    Only full profiles count (they have a ``name``); a bare mention ``{username, id}`` or the
    empty ``{}`` flatten writes for a user missing from the includes is not a snapshot.
    """
    for key in ("author", "in_reply_to_user"):
        user = tweet.get(key)
        if type(user) is dict and "name" in user:
            users.append((_at(where, key), user))
    entities = tweet.get("entities")
    mentions = entities.get("mentions") if type(entities) is dict else None
    if type(mentions) is list:
        for i, user in enumerate(mentions):
            if type(user) is dict and "name" in user:
                users.append((_at(where, f"entities.mentions[{i}]"), user))


def _username(user: Any) -> str | None:
    if type(user) is dict:
        name = user.get("username")
        if type(name) is str and name:
            return name
    return None


def _retrieved_at(record: Mapping[str, Any], fallback: dt.datetime | None) -> dt.datetime | None:
    """When twarc retrieved the record (``__twarc.retrieved_at``), else ``fallback``."""
    meta = record.get("__twarc")
    if meta is None:
        return fallback
    if type(meta) is not dict:
        raise RecordError(f"__twarc is not an object: {type(meta).__name__}")
    value = meta.get("retrieved_at")
    if value is None:
        return fallback
    return _parse_stamp(value)


@lru_cache(maxsize=1024)
def _parse_stamp(value: Any) -> dt.datetime:
    # Every tweet of a page (and every flattened line from it) carries the same stamp.
    return parse_time(value, "__twarc.retrieved_at")


def _stamp_key(record: Mapping[str, Any]) -> Any:
    meta = record.get("__twarc")
    return meta.get("retrieved_at") if type(meta) is dict else None


def _as_list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if type(value) is list:
        return value
    raise RecordError(f"{name} is not a list: {type(value).__name__}")


def _at(where: Where, pointer: str) -> Where:
    return where.at(f".{pointer}" if where.pointer else pointer)


class _SeenUsers:
    """The users already snapshot from the current page of a flattened file.

    Every flattened tweet repeats its author's profile; consecutive lines from one page (same
    ``retrieved_at``) would give identical snapshots, so each is kept once per page.
    """

    def __init__(self) -> None:
        self._stamp: Any = None
        self._ids: set[str] = set()

    def start(self, stamp: Any) -> None:
        if stamp != self._stamp or len(self._ids) > _SEEN_LIMIT:
            self._stamp = stamp
            self._ids = set()

    def has(self, account_id: str) -> bool:
        return account_id in self._ids

    def add(self, account_id: str) -> None:
        self._ids.add(account_id)


# --- typed pages --------------------------------------------------------------------------
# The fields a post or an account snapshot needs, nothing else: msgspec decodes a page line
# into these without building the dicts of the fields left out (``edit_history_tweet_ids``,
# entity offsets, ...). A key whose presence matters even when null (``media_key``, the
# page keys) defaults to UNSET. A value of any other type fails the decoding, and the line
# goes the general way.


class _Url(Struct, gc=False):
    url: str | None = None
    expanded_url: str | None = None
    unwound_url: str | None = None
    display_url: str | None = None
    media_key: Any = UNSET


class _Tag(Struct, gc=False):
    tag: str


class _Mention(Struct, gc=False):
    username: str


class _Entities(Struct, gc=False):
    urls: list[_Url] | None = None
    hashtags: list[_Tag] | None = None
    mentions: list[_Mention] | None = None


class _Ref(Struct, gc=False):
    type: str
    id: str


class _Metrics(Struct, gc=False):
    impression_count: int | None = None
    like_count: int | None = None
    retweet_count: int | None = None
    reply_count: int | None = None
    quote_count: int | None = None


class _Attachments(Struct, gc=False):
    media_keys: list[str] | None = None


class _Note(Struct, gc=False):
    text: str | None = None
    entities: _Entities | None = None


class _Tweet(Struct, gc=False):
    id: str
    author_id: str
    created_at: str
    text: str | None = None
    lang: str | None = None
    entities: _Entities | None = None
    referenced_tweets: list[_Ref] | None = None
    attachments: _Attachments | None = None
    public_metrics: _Metrics | None = None
    note_tweet: _Note | None = None


class _UserMetrics(Struct, gc=False):
    followers_count: int | None = None
    following_count: int | None = None
    tweet_count: int | None = None


class _User(Struct, gc=False):
    id: str
    username: str | None = None
    name: str | None = None
    created_at: str | None = None
    verified: bool | None = None
    description: str | None = None
    public_metrics: _UserMetrics | None = None


class _Includes(Struct, gc=False):
    users: list[_User] | None = None
    tweets: list[_Tweet] | None = None


class _Twarc(Struct, gc=False):
    retrieved_at: str | None = None


class _Page(Struct, gc=False, rename={"twarc": "__twarc"}):
    data: list[_Tweet] | UnsetType | None = UNSET
    includes: _Includes | UnsetType | None = UNSET
    meta: msgspec.Raw | UnsetType = UNSET
    errors: list[msgspec.Raw] | UnsetType | None = UNSET
    twarc: _Twarc | None = None
    #: a top-level ``id`` makes the line a (flattened) tweet, not a page
    id: msgspec.Raw | UnsetType = UNSET


class _Line(NamedTuple):
    """A page line decoded into :class:`_Page`, and its bytes for the general way."""

    page: _Page
    raw: bytes


_PAGE_DECODER = msgspec.json.Decoder(_Page)


def _decode_line(line: bytes) -> Any:
    """A page line as :class:`_Line`; any other line (or one of other types) as plain JSON."""
    try:
        page = _PAGE_DECODER.decode(line)
    except msgspec.MsgspecError:
        return orjson.loads(line)
    if page.id is not UNSET or (
        page.data is UNSET
        and page.includes is UNSET
        and page.meta is UNSET
        and page.errors is UNSET
    ):
        return orjson.loads(line)
    return _Line(page, line)


def _typed_page_items(page: _Page, where: Where, fallback: dt.datetime | None) -> list[Item]:
    """:func:`_page_items` of a typed page; raises at the first thing it would reject."""
    twarc = page.twarc
    stamp = twarc.retrieved_at if twarc is not None else None
    collected = _parse_stamp(stamp) if stamp is not None else fallback
    includes = page.includes
    users = (includes.users if includes else None) or []
    tweets = list(page.data or ())
    if includes and includes.tweets:
        tweets.extend(includes.tweets)
    handles = {u.id: u.username for u in users if u.username is not None}
    source, line = where.source, where.line
    items: list[Item] = [
        _typed_post(t, handles.get(t.author_id), source, line, collected) for t in tweets
    ]
    for user in users:
        metrics = user.public_metrics
        created = user.created_at
        items.append(
            Account(
                PLATFORM,
                _req_id(user.id, "id"),
                opt_str(user.username),
                opt_str(user.name),
                _created_at(created) if created else None,
                opt_int(metrics.followers_count, "followers_count") if metrics else None,
                opt_int(metrics.following_count, "following_count") if metrics else None,
                opt_int(metrics.tweet_count, "tweet_count") if metrics else None,
                user.verified,
                opt_str(user.description),
                (),
                collected,
                source,
            )
        )
    errors = page.errors
    if errors:
        items.extend(Skipped(source, line, "api-error") for _ in errors)
    if not tweets:
        items.append(Skipped(source, line, "empty-page"))
    return items


def _typed_post(
    tweet: _Tweet,
    handle: str | None,
    source: str,
    line: int | None,
    collected_at: dt.datetime | None,
) -> Post:
    """:func:`normalize` of a typed tweet."""
    entities = tweet.entities
    text = tweet.text
    note = tweet.note_tweet
    if note is not None:
        text = note.text or text
        extra = note.entities
        if extra is not None:
            entities = _Entities(
                _joined(entities.urls if entities else None, extra.urls),
                _joined(entities.hashtags if entities else None, extra.hashtags),
                _joined(entities.mentions if entities else None, extra.mentions),
            )
    if entities is not None:
        found = entities.urls
        urls, domains = link_fields(_typed_links(found)) if found else _NO_LINKS
        tags = entities.hashtags
        hashtags = unique(t.tag.lower() for t in tags) if tags else ()
        named = entities.mentions
        mentions = unique(m.username.lower() for m in named) if named else ()
    else:
        urls = domains = hashtags = mentions = ()
    refs = tweet.referenced_tweets or ()
    reply_to, repost_of, quote_of = _references((ref.type, ref.id) for ref in refs)
    attachments = tweet.attachments
    keys = attachments.media_keys if attachments is not None else None
    media = unique(f"key:{key}" for key in keys) if keys else ()
    m = tweet.public_metrics
    if m is None:
        views = likes = reposts = replies = quotes = None
    else:
        views, likes, reposts, replies, quotes = _checked_counts(
            (m.impression_count, m.like_count, m.retweet_count, m.reply_count, m.quote_count)
        )
    return Post(
        PLATFORM,
        _req_id(tweet.id, "id"),
        _req_id(tweet.author_id, "author_id"),
        handle,
        _created_at(tweet.created_at),
        text,
        opt_str(tweet.lang),
        urls,
        domains,
        hashtags,
        mentions,
        reply_to,
        repost_of,
        quote_of,
        media,
        views,
        likes,
        reposts,
        replies,
        quotes,
        collected_at,
        source,
        line,
    )


def _joined(first: list[Any] | None, second: list[Any] | None) -> list[Any] | None:
    """The entities of one kind of a long post: its truncated text's, then its full text's."""
    if first is None:
        return second
    if second is None:
        return first
    return first + second


def _typed_links(entries: list[_Url]) -> list[str | None]:
    """:func:`_links` of typed URL entities (a list: :func:`link_fields` caches a lone link)."""
    return [
        entry.unwound_url or entry.expanded_url or entry.url
        for entry in entries
        if entry.media_key is UNSET
        and not (entry.display_url and entry.display_url.startswith(_MEDIA_DISPLAY))
    ]


# --- sniffing -----------------------------------------------------------------------------

_NOT_OURS = re.compile(r'(?<!\\)"(?:content|account|\$type|uri|record|cid)"\s*:')
_TWEET_TEXT = re.compile(r'(?<!\\)"text"\s*:')
_AUTHOR_ID = re.compile(r'(?<!\\)"author_id"\s*:')
_V2_SIGN = re.compile(
    r'(?<!\\)"(?:data|includes)"\s*:\s*[\[{]|(?<!\\)"(?:__twarc|edit_history_tweet_ids'
    r'|public_metrics)"\s*:|(?<!\\)"author"\s*:\s*\{'
)


def sniff(head: Head) -> bool:
    """A v2 page (``data`` tweets or ``includes``), a flattened tweet, or an array of tweets.

    Tweets are told by ``id`` + ``text`` (+ ``author_id`` outside pages); Mastodon statuses
    (``content``, ``account``) and Bluesky records (``$type``, ``uri``) are not claimed. When the
    first value could not be parsed (pretty-printed, or a page line longer than the head), the
    head text is searched for the same keys.
    """
    value = head.first_json
    if value is None:
        return _sniff_text(head.text)
    if type(value) is list:
        value = value[0] if value else None
    if type(value) is not dict:
        return False
    if any(key in value for key in _PAGE_KEYS):
        return _looks_like_page(value)
    return _looks_like_tweet(value, need_author=True)


def _looks_like_page(page: Mapping[str, Any]) -> bool:
    data = page.get("data")
    if type(data) is list and data:
        return _looks_like_tweet(data[0], need_author=False)
    if type(data) is dict:
        return _looks_like_tweet(data, need_author=False)
    return type(page.get("includes")) is dict or "__twarc" in page


def _looks_like_tweet(obj: Any, *, need_author: bool) -> bool:
    if type(obj) is not dict or "id" not in obj or "text" not in obj:
        return False
    if "content" in obj or "account" in obj or "record" in obj or "uri" in obj:
        return False
    if not need_author:
        return True
    return "author_id" in obj and (
        "author" in obj or "public_metrics" in obj or "edit_history_tweet_ids" in obj
    )


def _sniff_text(text: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start not in ("{", "["):
        return False
    if _NOT_OURS.search(text):
        return False
    return bool(_TWEET_TEXT.search(text) and _AUTHOR_ID.search(text) and _V2_SIGN.search(text))


FORMAT = SourceFormat(
    name=NAME,
    title="X/Twitter API v2 (twarc2 pages, flattened tweets, tweet arrays)",
    platforms=(PLATFORM,),
    sniff=sniff,
    read=read,
    split=("lines",),
    priority=10,
    options=("collected_at",),
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the X API v2 format."""
    return [FORMAT]
