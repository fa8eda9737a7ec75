"""Bluesky (AT Protocol): Jetstream event dumps, repository records and API post views.

Three shapes are read, one JSON value per line (or the elements of a JSON array):

* **Jetstream events** (``{"did", "time_us", "kind": "commit", "commit": {...}}``), as written
  by a dump of the Jetstream websocket. ``app.bsky.feed.post`` and ``app.bsky.feed.repost``
  *creates* become posts; every other event (likes, follows, deletes, updates, identity and
  account events) is yielded as :class:`~lagebild.ingest.base.Skipped` with its kind. The
  first Jetstream release (``"type": "com"``, commit ``"type": "c"``) is read too.
* **Repository records** (``{"uri", "cid", "value"}``, what ``com.atproto.repo.listRecords``
  returns), single or as a whole ``{"records": [...]}`` page.
* **Post views** (``{"uri", "author", "record", "likeCount", ...}``) from the AppView API, single
  or as whole pages: ``getAuthorFeed``/``getTimeline``/``getFeed`` (``{"feed": [...]}``, with
  the reply context and, where the API names it, the repost), ``searchPosts``/``getPosts``/
  ``getQuotes`` (``{"posts": [...]}``) and ``getPostThread`` (``{"thread": {...}}``). A post
  view carries engagement counts and the author's profile, which is yielded as an account.

Identifiers: ``post_id`` is the record's ``at://`` URI (``at://<did>/<collection>/<rkey>``),
globally unique and the form every reference in a record uses, so ``reply_to`` (the reply's
parent), ``repost_of`` (the repost's subject) and ``quote_of`` (a quoted post) join on it
unchanged. A repost is a post of its own (``at://<did>/app.bsky.feed.repost/<rkey>``) with empty
text. ``account_id`` is the author's DID; ``account_handle`` is only known from post views.
Mentions are stored as the mentioned DIDs (lower-case), since records name no handles. Media are
``key:<blob CID>`` of the images and videos; a CID is a content hash, so the same file posted
twice has the same key. ``created_at`` is the record's ``createdAt`` as the client wrote it;
``collected_at`` is the Jetstream ``time_us`` (when the network relayed it) or, for the other
shapes, :attr:`ReadOptions.collected_at`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import ciso8601
import orjson

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
    opt_int,
    parse_time,
    read_json_source,
    req_str,
)
from lagebild.ingest.text import clean_hashtag, hashtags_from_text, unique, urls_from_text
from lagebild.model import Account, Post, Reject
from lagebild.plugins import hookimpl

__all__ = [
    "FORMAT",
    "normalize_author",
    "normalize_event",
    "normalize_record",
    "normalize_repost",
    "normalize_view",
    "read",
    "sniff",
]

NAME: Final = "bluesky"
PLATFORM: Final = "bluesky"
POST: Final = "app.bsky.feed.post"
REPOST: Final = "app.bsky.feed.repost"

_LINK = "app.bsky.richtext.facet#link"
_TAG = "app.bsky.richtext.facet#tag"
_MENTION = "app.bsky.richtext.facet#mention"
_POST_PATH = "/app.bsky.feed.post/"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# parse_time's range of plausible times, for the fast path of _time.
_MIN_TIME = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
_MAX_TIME = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
_NO_COUNTS: tuple[int | None, int | None, int | None, int | None] = (None, None, None, None)
# The first Jetstream release abbreviated event and operation types.
_OLD_KINDS = {"com": "commit", "id": "identity", "acc": "account"}
_OLD_OPS = {"c": "create", "u": "update", "d": "delete"}
_AT_URI_KEY = re.compile(r'"uri"\s*:\s*"at://')
_PAGE_KEYS = ("feed", "posts", "records")

#: What quarantines a record: a malformed shape, or JSON nested too deeply to describe.
_BAD: tuple[type[BaseException], ...] = (*MALFORMED, RecursionError)


# --- pieces of a record -----------------------------------------------------------------


def _authority(uri: str) -> str:
    """The repository (DID) of an ``at://`` URI; anything else is malformed."""
    if not uri.startswith("at://"):
        raise RecordError(f"not an at:// URI: {uri!r}")
    did = uri[5:].split("/", 1)[0]
    if not did:
        raise RecordError(f"at:// URI without a repository: {uri!r}")
    return did


def _ref_uri(ref: Any) -> str | None:
    """The URI of a strong reference ``{"uri", "cid"}``, if it is one."""
    if isinstance(ref, dict):
        uri = ref.get("uri")
        if isinstance(uri, str) and uri:
            return uri
    return None


def _blob_cid(blob: Any) -> str | None:
    """The CID of a blob: ``{"ref": {"$link": cid}}``, or ``{"cid": cid}`` in legacy records."""
    if not isinstance(blob, dict):
        return None
    ref = blob.get("ref")
    cid = ref.get("$link") if isinstance(ref, dict) else blob.get("cid")
    return cid if isinstance(cid, str) and cid else None


def _media(embed: dict[str, Any], kind: Any, links: list[str], media: list[str]) -> None:
    """Collect what an images, video or external embed carries (not record embeds)."""
    if kind == "app.bsky.embed.images":
        images = embed.get("images")
        if isinstance(images, list):
            for image in images:
                cid = _blob_cid(image.get("image")) if isinstance(image, dict) else None
                if cid:
                    media.append("key:" + cid)
    elif kind == "app.bsky.embed.video":
        cid = _blob_cid(embed.get("video"))
        if cid:
            media.append("key:" + cid)
    elif kind == "app.bsky.embed.external":
        external = embed.get("external")
        uri = external.get("uri") if isinstance(external, dict) else None
        if isinstance(uri, str):
            links.append(uri)


def _quoted(record_embed: Any) -> str | None:
    """The quoted post of an ``app.bsky.embed.record``; quoted lists or feeds are not posts."""
    if isinstance(record_embed, dict):
        uri = _ref_uri(record_embed.get("record"))
        if uri and _POST_PATH in uri:
            return uri
    return None


def _embed(embed: Any, links: list[str], media: list[str]) -> str | None:
    """Collect links and media of a post's embed; return the URI of the quoted post."""
    if not isinstance(embed, dict):
        return None
    kind = embed.get("$type")
    if kind == "app.bsky.embed.record":
        return _quoted(embed)
    if kind == "app.bsky.embed.recordWithMedia":
        inner = embed.get("media")
        if isinstance(inner, dict):
            _media(inner, inner.get("$type"), links, media)
        return _quoted(embed.get("record"))
    _media(embed, kind, links, media)
    return None


def _facets(facets: Any, links: list[str], tags: list[str], mentions: list[str]) -> None:
    """Collect the links, tags and mentioned DIDs of a post's rich-text facets."""
    if not isinstance(facets, list):
        return
    for facet in facets:
        features = facet.get("features") if isinstance(facet, dict) else None
        if not isinstance(features, list):
            continue
        for feature in features:
            if not isinstance(feature, dict):
                continue
            kind = feature.get("$type")
            if kind == _LINK:
                value = feature.get("uri")
                if isinstance(value, str):
                    links.append(value)
            elif kind == _TAG:
                value = feature.get("tag")
                if isinstance(value, str):
                    tags.append(value)
            elif kind == _MENTION:
                value = feature.get("did")
                if isinstance(value, str):
                    mentions.append(value.lower())


def _created(record: dict[str, Any]) -> dt.datetime:
    value = record.get("createdAt")
    if value is None:
        raise RecordError("missing createdAt")
    return _time(value, "createdAt")


def _time(value: Any, field_name: str) -> dt.datetime:
    """:func:`parse_time`, with a fast path for the ISO 8601 UTC strings the APIs write."""
    if type(value) is str and value[-1:] == "Z":
        try:
            out: dt.datetime = ciso8601.parse_datetime(value)
        except ValueError:
            return parse_time(value, field_name)
        if _MIN_TIME <= out < _MAX_TIME:
            return out
    return parse_time(value, field_name)


def _shown(value: Any) -> str:
    """A short rendering of a bad value for a reject reason (never a deep ``repr``)."""
    if isinstance(value, dict | list):
        return type(value).__name__
    return repr(value)[:80]


def _time_us(value: Any) -> dt.datetime:
    """A Jetstream ``time_us`` (microseconds since the epoch) as a UTC datetime."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RecordError(f"invalid time_us: {_shown(value)}")
    return _EPOCH + dt.timedelta(microseconds=value)


def _name(value: Any, legacy: Any, table: dict[str, str], field_name: str) -> str:
    """An event's kind or operation, also in the abbreviated form of the first Jetstream."""
    if isinstance(value, str) and value:
        return value
    if isinstance(legacy, str) and legacy:
        return table.get(legacy, legacy)
    raise RecordError(f"missing {field_name}")


def _handle(profile: dict[str, Any]) -> str | None:
    handle = profile.get("handle")
    if isinstance(handle, str) and handle and handle != "handle.invalid":
        return handle
    return None


# --- records ----------------------------------------------------------------------------


def normalize_record(
    record: dict[str, Any],
    uri: str,
    *,
    account_id: str | None = None,
    handle: str | None = None,
    counts: tuple[int | None, int | None, int | None, int | None] = _NO_COUNTS,
    collected_at: dt.datetime | None = None,
    source: str = "",
    line: int | None = None,
) -> Post:
    """An ``app.bsky.feed.post`` record, stored at ``uri``, as a post.

    ``account_id`` defaults to the repository of ``uri``; ``counts`` are the
    ``(likes, reposts, replies, quotes)`` a post view adds. Links, tags and mentions come from
    the facets; when the post has none of a kind (clients that write no facets), links and
    hashtags are taken from the text instead. Raises :class:`RecordError` for a record without
    a usable ``createdAt``.
    """
    if not isinstance(record, dict):
        raise RecordError(f"record is not an object: {type(record).__name__}")
    repo = _authority(uri)
    created_at = _created(record)
    text = record.get("text")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        raise RecordError(f"text is not a string but {type(text).__name__}")
    links: list[str] = []
    tags: list[str] = []
    mentions: list[str] = []
    _facets(record.get("facets"), links, tags, mentions)
    if not links and text:
        links.extend(urls_from_text(text))
    media: list[str] = []
    quote_of = _embed(record.get("embed"), links, media)
    if tags:
        hashtags = unique([clean_hashtag(t) for t in tags])
    else:
        hashtags = hashtags_from_text(text) if text else ()
    extra_tags = record.get("tags")  # tags outside the text (up to 8)
    if isinstance(extra_tags, list) and extra_tags:
        extra = [clean_hashtag(t) for t in extra_tags if isinstance(t, str)]
        hashtags = unique([*hashtags, *extra])
    urls, domains = link_fields(links) if links else ((), ())
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    reply = record.get("reply")
    likes, reposts, replies, quotes = counts
    return Post(
        platform=PLATFORM,
        post_id=uri,
        account_id=account_id or repo,
        account_handle=handle,
        created_at=created_at,
        text=text,
        lang=lang,
        urls=urls,
        domains=domains,
        hashtags=hashtags,
        mentions=unique(mentions) if mentions else (),
        reply_to=_ref_uri(reply.get("parent")) if isinstance(reply, dict) else None,
        repost_of=None,
        quote_of=quote_of,
        media=tuple(media),
        views=None,
        likes=likes,
        reposts=reposts,
        replies=replies,
        quotes=quotes,
        collected_at=collected_at,
        source=source,
        source_line=line,
    )


def normalize_repost(
    record: dict[str, Any],
    uri: str,
    *,
    account_id: str | None = None,
    handle: str | None = None,
    collected_at: dt.datetime | None = None,
    source: str = "",
    line: int | None = None,
) -> Post:
    """An ``app.bsky.feed.repost`` record as a post with empty text and ``repost_of`` set."""
    repo = _authority(uri)
    if not isinstance(record, dict):
        raise RecordError(f"record is not an object: {type(record).__name__}")
    subject = _ref_uri(record.get("subject"))
    if subject is None:
        raise RecordError("repost without subject.uri")
    return _repost(
        uri,
        account_id or repo,
        handle,
        _created(record),
        subject,
        collected_at,
        source,
        line,
    )


def _repost(
    uri: str,
    account_id: str,
    handle: str | None,
    created_at: dt.datetime,
    subject: str,
    collected_at: dt.datetime | None,
    source: str,
    line: int | None,
) -> Post:
    return Post(
        platform=PLATFORM,
        post_id=uri,
        account_id=account_id,
        account_handle=handle,
        created_at=created_at,
        text="",
        lang=None,
        urls=(),
        domains=(),
        hashtags=(),
        mentions=(),
        reply_to=None,
        repost_of=subject,
        quote_of=None,
        media=(),
        views=None,
        likes=None,
        reposts=None,
        replies=None,
        quotes=None,
        collected_at=collected_at,
        source=source,
        source_line=line,
    )


def normalize_event(
    event: dict[str, Any], *, source: str = "", line: int | None = None
) -> Post | str:
    """A Jetstream event as a post, or the kind of a non-post event (``"feed.like"``,
    ``"delete"``, ``"identity"``, ...) so that the reader can count what it skipped.
    """
    if event.get("kind") != "commit":
        kind = _name(event.get("kind"), event.get("type"), _OLD_KINDS, "kind")
        if kind != "commit":
            return kind
    commit = event["commit"]
    op = "create"
    if commit.get("operation") != "create":
        op = _name(commit.get("operation"), commit.get("type"), _OLD_OPS, "commit.operation")
    collection = commit.get("collection")
    if not isinstance(collection, str) or not collection:
        raise RecordError(f"missing or invalid commit.collection: {_shown(collection)}")
    if op != "create":
        return op
    if collection != POST and collection != REPOST:
        return collection.removeprefix("app.bsky.")
    did = event.get("did")
    rkey = commit.get("rkey")
    if type(did) is not str or not did.startswith("did:"):
        raise RecordError(f"invalid did: {_shown(did)}")
    if type(rkey) is not str or not rkey or "/" in rkey:
        raise RecordError(f"invalid commit.rkey: {_shown(rkey)}")
    uri = f"at://{did}/{collection}/{rkey}"
    record = commit.get("record")
    if record is None:
        raise RecordError("create without record")
    collected_at = _time_us(event.get("time_us"))
    if collection == POST:
        return normalize_record(
            record, uri, account_id=did, collected_at=collected_at, source=source, line=line
        )
    return normalize_repost(
        record, uri, account_id=did, collected_at=collected_at, source=source, line=line
    )


# --- post views -------------------------------------------------------------------------


def normalize_view(
    view: dict[str, Any],
    *,
    collected_at: dt.datetime | None = None,
    source: str = "",
    line: int | None = None,
) -> Post:
    """A post view (``app.bsky.feed.defs#postView``) as a post, with its engagement counts."""
    uri = req_str(view.get("uri"), "uri")
    author = view["author"]
    counts = (
        opt_int(view.get("likeCount"), "likeCount"),
        opt_int(view.get("repostCount"), "repostCount"),
        opt_int(view.get("replyCount"), "replyCount"),
        opt_int(view.get("quoteCount"), "quoteCount"),
    )
    return normalize_record(
        view["record"],
        uri,
        account_id=req_str(author.get("did"), "author.did"),
        handle=_handle(author),
        counts=counts,
        collected_at=collected_at,
        source=source,
        line=line,
    )


def normalize_author(
    profile: dict[str, Any], *, source: str = "", observed_at: dt.datetime | None = None
) -> Account:
    """A profile view (a post's ``author``, a repost's ``by``) as an account snapshot.

    Profile fields are best effort: an unparsable ``createdAt`` (some accounts show
    ``0001-01-01``) or a negative count becomes ``None`` rather than costing the post.
    ``labels`` are the moderation labels on the profile, without ``!``-prefixed system ones.
    """
    created: dt.datetime | None = None
    if profile.get("createdAt"):
        try:
            created = _time(profile["createdAt"], "author.createdAt")
        except RecordError:
            created = None
    verification = profile.get("verification")
    verified = (
        verification.get("verifiedStatus") == "valid" if isinstance(verification, dict) else None
    )
    name = profile.get("displayName")
    description = profile.get("description")
    return Account(
        platform=PLATFORM,
        account_id=req_str(profile.get("did"), "author.did"),
        handle=_handle(profile),
        name=name if isinstance(name, str) and name else None,
        created_at=created,
        followers=_count(profile.get("followersCount")),
        following=_count(profile.get("followsCount")),
        posts_count=_count(profile.get("postsCount")),
        verified=verified,
        description=description if isinstance(description, str) and description else None,
        labels=_labels(profile.get("labels")),
        observed_at=observed_at,
        source=source,
    )


def _labels(labels: Any) -> tuple[str, ...]:
    """Moderation label values, without the ``!``-prefixed system labels."""
    if not isinstance(labels, list):
        return ()
    out = []
    for label in labels:
        value = label.get("val") if isinstance(label, dict) else None
        if isinstance(value, str) and value and not value.startswith("!"):
            out.append(value)
    return unique(out)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# --- reading ----------------------------------------------------------------------------


def _view_items(view: Any, where: Where, options: ReadOptions) -> list[Item]:
    """A post view and its author's snapshot; ``[]`` for not-found and blocked placeholders."""
    if (
        isinstance(view, dict)
        and "record" not in view
        and (view.get("notFound") or view.get("blocked"))
    ):
        return []
    if not isinstance(view, dict):
        raise RecordError(f"post view is not an object: {type(view).__name__}")
    post = normalize_view(
        view, collected_at=options.collected_at, source=where.source, line=where.line
    )
    author = normalize_author(view["author"], source=where.source, observed_at=options.collected_at)
    return [post, author]


def _feed_items(entry: dict[str, Any], where: Where, options: ReadOptions) -> list[Item]:
    """A feed entry: the post, its reply context and, when the API names it, the repost."""
    view = entry["post"]
    items = _view_items(view, where, options)
    reply = entry.get("reply")
    if isinstance(reply, dict):
        items += _view_items(reply.get("parent"), where, options)
        items += _view_items(reply.get("root"), where, options)
    reason = entry.get("reason")
    if isinstance(reason, dict) and isinstance(reason.get("uri"), str) and items:
        by = reason["by"]
        _authority(reason["uri"])
        repost = _repost(
            reason["uri"],
            req_str(by.get("did"), "reason.by.did"),
            _handle(by),
            _time(reason.get("indexedAt"), "reason.indexedAt"),
            view["uri"],
            options.collected_at,
            where.source,
            where.line,
        )
        items += [
            repost,
            normalize_author(by, source=where.source, observed_at=options.collected_at),
        ]
    return items


def _record_items(value: dict[str, Any], where: Where, options: ReadOptions) -> list[Item]:
    """A repository record ``{"uri", "cid", "value"}``: post, repost or a skipped kind."""
    uri = req_str(value.get("uri"), "uri")
    did = _authority(uri)
    parts = uri[5:].split("/", 3)
    collection = parts[1] if len(parts) > 1 else ""
    common: dict[str, Any] = {
        "account_id": did,
        "collected_at": options.collected_at,
        "source": where.source,
        "line": where.line,
    }
    if collection == POST:
        return [normalize_record(value["value"], uri, **common)]
    if collection == REPOST:
        return [normalize_repost(value["value"], uri, **common)]
    return [Skipped(where.source, where.line, collection.removeprefix("app.bsky.") or "unknown")]


def _thread_views(thread: Any) -> Iterator[tuple[str, Any]]:
    """The post views of a ``getPostThread`` tree with their pointers, without recursion."""
    stack: list[tuple[str, Any]] = [("/thread", thread)]
    while stack:
        pointer, node = stack.pop()
        if not isinstance(node, dict):
            continue
        if "post" in node:
            yield f"{pointer}/post", node["post"]
        replies = node.get("replies")
        if isinstance(replies, list):
            stack.extend(
                (f"{pointer}/replies/{i}", r) for i, r in reversed(list(enumerate(replies)))
            )
        if "parent" in node:
            stack.append((f"{pointer}/parent", node["parent"]))


def _page_items(value: dict[str, Any], where: Where, options: ReadOptions) -> Iterator[Item]:
    """The posts of an API page; a bad element is rejected alone, the page goes on."""
    parts: list[tuple[str, Any]]
    if isinstance(value.get("thread"), dict):
        parts = list(_thread_views(value["thread"]))
    else:
        key = next(k for k in _PAGE_KEYS if isinstance(value.get(k), list))
        parts = [(f"/{key}/{i}", v) for i, v in enumerate(value[key])]
    found = False
    for pointer, part in parts:
        at = where.at(pointer)
        try:
            if not isinstance(part, dict):
                raise RecordError(f"page element is not an object but {type(part).__name__}")
            if "value" in part:
                items = _record_items(part, at, options)
            elif "post" in part:
                items = _feed_items(part, at, options)
            else:
                items = _view_items(part, at, options)
        except _BAD as exc:
            yield _reject(at, exc, part)
            found = True
            continue
        found = found or bool(items)
        yield from items
    if not found:
        yield Skipped(where.source, where.line, "empty-page")


def _items(value: Any, where: Where, options: ReadOptions) -> list[Item]:
    """The items of one JSON value, whatever Bluesky shape it has."""
    if type(value) is not dict:
        raise RecordError(f"not a Bluesky event, record or post view: {type(value).__name__}")
    if "time_us" in value and "did" in value:
        out = normalize_event(value, source=where.source, line=where.line)
        return [out if type(out) is Post else Skipped(where.source, where.line, str(out))]
    if "value" in value and "uri" in value:
        return _record_items(value, where, options)
    if "record" in value and "author" in value:
        return _view_items(value, where, options)
    if isinstance(value.get("thread"), dict) or any(
        isinstance(value.get(k), list) for k in _PAGE_KEYS
    ):
        return list(_page_items(value, where, options))
    raise RecordError("not a Bluesky event, record or post view")


def _reject(where: Where, reason: BaseException, raw: Any) -> Reject:
    """A quarantine record; a value nested too deeply to serialise is named, not shown.

    ``RecursionError`` is caught here and by the callers because the shared helpers render bad
    values with ``repr``, which fails for JSON nested ~1000 levels deep (orjson allows 1024).
    """
    if isinstance(reason, RecursionError):
        reason = RecordError("value nested too deeply")
    try:
        return make_reject(where, NAME, reason, raw)
    except RecursionError:
        return make_reject(where, NAME, reason, "<value nested too deeply to show>")


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts (and authors, from post views) of a Bluesky file; other events are skipped,
    malformed ones rejected with their line and reason.

    Honours :attr:`ReadOptions.span` (JSON Lines are read in parallel spans). A file that is
    one JSON document (an API page, an array) cannot be cut: the span that starts the file
    reads all of it and the others read nothing.
    """
    span = options.span
    if span is not None and _is_document(path):
        if span.start > 0:
            return iter(())
        span = None

    def handle(value: Any, where: Where) -> list[Item]:
        try:
            return _items(value, where, options)
        except _BAD as exc:
            return [_reject(where, exc, value)]

    return read_json_source(path, NAME, handle, span)


def _is_document(path: Path) -> bool:
    """Whether a file is one JSON document rather than JSON Lines (its first line is not a
    complete JSON value, or opens an array).
    """
    with path.open("rb") as fh:
        for line in fh:
            first = line.lstrip(b"\xef\xbb\xbf \t\r\n")
            if first:
                if first.startswith(b"["):
                    return True
                try:
                    orjson.loads(first)
                except orjson.JSONDecodeError:
                    return True
                return False
    return False


def _looks_bluesky(value: dict[str, Any]) -> bool:
    if "did" in value and "time_us" in value:
        return True
    uri = value.get("uri")
    if isinstance(uri, str):
        return uri.startswith("at://")
    thread = value.get("thread")
    if isinstance(thread, dict):
        post = thread.get("post")
        return isinstance(post, dict) and _looks_bluesky(post)
    for key in _PAGE_KEYS:
        page = value.get(key)
        if isinstance(page, list) and page and isinstance(page[0], dict):
            first = page[0].get("post", page[0])
            return isinstance(first, dict) and _looks_bluesky(first)
    return False


def sniff(head: Head) -> bool:
    """Jetstream events (``did`` + ``time_us``), or records and post views with ``at://`` URIs."""
    value = head.first_json
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        return _looks_bluesky(value)
    if value is not None:
        return False
    text = head.text
    return bool(_AT_URI_KEY.search(text)) or ('"time_us"' in text and '"did:' in text)


FORMAT = SourceFormat(
    name=NAME,
    title="Bluesky: Jetstream events, repository records, API post views (JSON/JSONL)",
    platforms=(PLATFORM,),
    sniff=sniff,
    read=read,
    priority=10,
    options=("collected_at", "span"),
    split=("lines",),
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the Bluesky format."""
    return [FORMAT]
