"""Mastodon: statuses as the REST API returns them (also from other fediverse servers).

Read, one JSON value per line or the elements of a top-level array: single statuses
(``GET /api/v1/statuses/:id``), timeline pages (a JSON array per file or per line: public,
hashtag, list and account timelines), ``/api/v1/statuses/:id/context`` (``ancestors`` /
``descendants``), ``/api/v2/search`` (``statuses``) and streaming-API messages
(``{"event": "update", "payload": "<status JSON>"}``; ``delete`` and other events are skipped).

Identifiers. Status ``id`` values are local to the server that answered the API call: the same
status has a different id on every server, and nothing in a status says which server that was.
So ``post_id`` is the status ``uri``, its ActivityPub id, which is the same whichever server
delivered it (``https://mastodon.social/users/x/statuses/1``; a boost's own ``uri`` ends in
``/activity``). ``repost_of`` and ``quote_of`` come from the embedded status's ``uri``. A reply
names its parent only by local ``in_reply_to_id``; :func:`read` resolves it to the parent's
``uri`` when the parent is anywhere in the same file (also later in it: unresolved replies are
held back until the end of the file), otherwise ``reply_to`` is ``local:<in_reply_to_id>``, which
still marks the post as a reply but joins no ``post_id``. The same holds for a quote that names
only a ``quoted_status_id``.

``account_id`` is the account's profile ``url`` (the same on every server); ``account_handle``
and ``mentions`` are full ``user@domain`` handles (mentions lower-case), the domain of a local
account taken from its URL.

A boost is a post with empty text, no entities and no engagement counts of its own (the API
reports zeros for the boost itself), ``repost_of`` the boosted status, which is yielded as a post
too; a fully embedded quoted status is yielded as well. Text is the HTML ``content`` as plain
text, preceded by the content warning (``spoiler_text``) when there is one. ``urls`` are the
links in the content that are not mentions or hashtags, then the preview card's URL. Media are
``blurhash:<hash>`` per attachment: media ids are local to a server too, while the blurhash is
computed from the picture, so the same image posted by different accounts usually has the same
one (a perceptual near-duplicate signal; plain screenshots of text can share one). When an
attachment has no blurhash, its origin URL is used (``url:<remote_url or url>``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import ciso8601
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from lagebild.errors import RecordError
from lagebild.ingest.base import (
    MALFORMED,
    Batch,
    Head,
    Item,
    LocalId,
    ReadOptions,
    Skipped,
    SourceFormat,
    Span,
    Where,
    link_fields,
    make_reject,
    opt_int,
    parse_time,
    read_json_source,
    req_str,
)
from lagebild.ingest.text import clean_hashtag, hashtags_from_text, html_to_text, unique
from lagebild.model import ACCOUNT_SCHEMA, QUARANTINE_SCHEMA, Account, Post, Reject
from lagebild.plugins import hookimpl

__all__ = [
    "FORMAT",
    "LOCAL_PREFIX",
    "join_spans",
    "normalize",
    "normalize_account",
    "read",
    "sniff",
]

NAME: Final = "mastodon"
PLATFORM: Final = "mastodon"
#: Prefix of a ``reply_to``/``quote_of`` that is a server-local status id, not resolved in-file.
LOCAL_PREFIX: Final = "local:"

_ANCHOR = re.compile(r"<a\s([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TAG = re.compile(r"<[^>]*>")
# Tags as html_to_text sees them: <br> is a line break, a block start tag a paragraph break,
# any other tag nothing; attribute values may be quoted ("a>b" does not end the tag).
_ATTRS = r"""(?=[ \t\n\r\f/>])(?:[ \t\n\r\f](?:[^<>"']|"[^"]*"|'[^']*')*)?/?>"""
_BREAK = re.compile(r"<br" + _ATTRS, re.IGNORECASE)
_BLOCK = re.compile(r"<(?:p|div|li|blockquote)" + _ATTRS, re.IGNORECASE)
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*" + _ATTRS)
# Elements whose content the HTML parser keeps as raw text: left to html_to_text.
_RAW_TEXT = re.compile(r"<(?:script|style)[\s/>]", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
# parse_time's range of plausible times, for the fast path of _time.
_MIN_TIME = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
_MAX_TIME = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
# The "RE: <link>" fallback servers add to a quote for clients that cannot show quotes.
_QUOTE_INLINE = re.compile(
    r"<(p|span)\s[^>]*class=\"[^\"]*\bquote-inline\b[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL
)
_STATUS_EVENTS = frozenset({"update", "status.update"})
_PAGE_KEYS = ("ancestors", "descendants", "statuses")
_LINK_CLASSES = frozenset({"mention", "hashtag"})

#: What quarantines a record: a malformed shape, or JSON nested too deeply to describe.
_BAD: tuple[type[BaseException], ...] = (*MALFORMED, RecursionError)


# --- pieces of a status -----------------------------------------------------------------


def _host(url: str) -> str:
    """The host of an absolute URL, lower-case, without user info and port."""
    netloc = url.partition("://")[2].split("/", 1)[0]
    return netloc.rpartition("@")[2].split(":", 1)[0].lower()


def _full_acct(acct: Any, url: Any) -> str | None:
    """``user@domain`` for an ``acct``; a local account (no domain) gets its URL's host."""
    if not isinstance(acct, str) or not acct:
        return None
    if "@" in acct or not isinstance(url, str):
        return acct
    host = _host(url)
    return f"{acct}@{host}" if host else acct


def _plain(content: str) -> str:
    """Plain text of HTML ``content``, exactly as :func:`html_to_text` gives it.

    Server-sanitised status HTML (``p``, ``br``, ``a``, ``span``, ...) takes a regex fast path,
    several times quicker than the HTML parser; anything else (comments, scripts, a stray
    ``<``) goes to :func:`html_to_text`. A fragment the parser chokes on is stripped of tags.
    """
    if (
        "<" in content
        and "<!" not in content
        and "<?" not in content
        and "<" not in _MARKUP.sub("", content)  # every "<" starts a well-formed tag
        and not _RAW_TEXT.search(content)
    ):
        text = _MARKUP.sub("", _BLOCK.sub("\n\n", _BREAK.sub("\n", content)))
        if "<" not in text:
            text = html.unescape(text)
            if "\n\n\n" in text:
                text = _BLANK_LINES.sub("\n\n", text)
            return text.strip()
    try:
        return html_to_text(content)
    except AssertionError:  # html.parser asserts on some malformed declarations (<![x)
        return html.unescape(_TAG.sub("", content)).strip()


def _content_links(content: str, skip: set[str]) -> list[str]:
    """Links of the content: ``<a href>`` that are not mentions, hashtags or in ``skip``."""
    out: list[str] = []
    for attrs in _ANCHOR.findall(content):
        href = ""
        classes = ""
        for name, dq, sq, bare in _ATTR.findall(attrs):
            key = name.lower()
            if key == "href":
                href = dq or sq or bare
            elif key == "class":
                classes = dq or sq or bare
        if not href:
            continue
        if classes and not _LINK_CLASSES.isdisjoint(classes.split()):
            continue
        href = html.unescape(href)
        if href not in skip:
            out.append(href)
    return out


def _media(attachments: Any) -> tuple[str, ...]:
    if not isinstance(attachments, list) or not attachments:
        return ()
    out: list[str] = []
    for att in attachments:
        if not isinstance(att, dict):
            continue
        blurhash = att.get("blurhash")
        if isinstance(blurhash, str) and blurhash:
            out.append("blurhash:" + blurhash)
            continue
        url = att.get("remote_url") or att.get("url")
        if isinstance(url, str) and url:
            out.append("url:" + url)
    return tuple(out)


def _local_ref(value: Any) -> str | None:
    """A server-local status id as ``local:<id>``, for :func:`read` to resolve."""
    if value is None or value == "" or isinstance(value, bool | dict | list):
        return None
    return f"{LOCAL_PREFIX}{value}"


def _quote_of(quote: Any) -> str | None:
    """The quoted status: a ``Quote`` (``quoted_status``), a ``ShallowQuote``
    (``quoted_status_id``) or, on forks such as Fedibird, the quoted status itself.
    """
    if not isinstance(quote, dict):
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict):
        return req_str(quoted.get("uri"), "quote.quoted_status.uri")
    if "quoted_status_id" in quote:
        return _local_ref(quote["quoted_status_id"])
    if "uri" in quote and "account" in quote:
        return req_str(quote["uri"], "quote.uri")
    return None


def _quoted_status(status: dict[str, Any]) -> dict[str, Any] | None:
    """A fully embedded quoted status, if any."""
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict):
        return quoted
    return quote if "uri" in quote and "account" in quote else None


def _time(value: Any, field_name: str) -> dt.datetime:
    """:func:`parse_time` of a required time, with a fast path for the API's UTC strings."""
    if type(value) is str and value[-1:] == "Z":
        try:
            out: dt.datetime = ciso8601.parse_datetime(value)
        except ValueError:
            return parse_time(value, field_name)
        if _MIN_TIME <= out < _MAX_TIME:
            return out
    if value is None or value == "":
        raise RecordError(f"missing {field_name}")
    return parse_time(value, field_name)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# --- records ----------------------------------------------------------------------------


def normalize(
    status: dict[str, Any],
    *,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One status as a post; a boost becomes a post with ``repost_of`` and empty text.

    ``reply_to`` (and ``quote_of`` of a quote that names only an id) is ``local:<id>`` here:
    only :func:`read`, which sees the whole file, can resolve a local id to a ``uri``.
    """
    account = status["account"]
    if not isinstance(account, dict):
        raise RecordError(f"account is not an object but {type(account).__name__}")
    post_id = req_str(status.get("uri"), "uri")
    account_id = req_str(account.get("url") or account.get("uri"), "account.url")
    handle = _full_acct(account.get("acct"), account.get("url"))
    created_at = _time(status.get("created_at"), "created_at")
    reblog = status.get("reblog")
    if reblog is not None:
        if not isinstance(reblog, dict):
            raise RecordError(f"reblog is not an object but {type(reblog).__name__}")
        return Post(
            platform=PLATFORM,
            post_id=post_id,
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
            repost_of=req_str(reblog.get("uri"), "reblog.uri"),
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
    content = status.get("content") or ""
    if not isinstance(content, str):
        raise RecordError(f"content is not a string but {type(content).__name__}")
    if "quote-inline" in content:
        content = _QUOTE_INLINE.sub("", content)
    text = _plain(content) if content else ""
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler:
        text = f"{spoiler}\n\n{text}" if text else spoiler

    skip: set[str] = set()
    mentions: list[str] = []
    raw_mentions = status.get("mentions")
    if isinstance(raw_mentions, list):
        for m in raw_mentions:
            url = m.get("url")
            if isinstance(url, str):
                skip.add(url)
            acct = _full_acct(m.get("acct"), url)
            if acct:
                mentions.append(acct.lower())
    tags = status.get("tags")
    if isinstance(tags, list):
        hashtags = unique(clean_hashtag(t["name"]) for t in tags)
        skip.update(t["url"] for t in tags if isinstance(t.get("url"), str))
    else:
        hashtags = hashtags_from_text(text)
    links = _content_links(content, skip) if "<a" in content else []
    card = status.get("card")
    if isinstance(card, dict) and isinstance(card.get("url"), str):
        links.append(card["url"])
    urls, domains = link_fields(links)
    lang = status.get("language")
    return Post(
        platform=PLATFORM,
        post_id=post_id,
        account_id=account_id,
        account_handle=handle,
        created_at=created_at,
        text=text,
        lang=lang if isinstance(lang, str) and lang else None,
        urls=urls,
        domains=domains,
        hashtags=hashtags,
        mentions=unique(mentions),
        reply_to=_local_ref(status.get("in_reply_to_id")),
        repost_of=None,
        quote_of=_quote_of(status.get("quote")),
        media=_media(status.get("media_attachments")),
        views=None,
        likes=opt_int(status.get("favourites_count"), "favourites_count"),
        reposts=opt_int(status.get("reblogs_count"), "reblogs_count"),
        replies=opt_int(status.get("replies_count"), "replies_count"),
        quotes=opt_int(status.get("quotes_count"), "quotes_count"),
        collected_at=collected_at,
        source=source,
        source_line=line,
    )


def normalize_account(
    account: dict[str, Any], *, source: str = "", observed_at: dt.datetime | None = None
) -> Account:
    """A status's ``account`` as an account snapshot.

    Labels: ``bot``, and ``suspended``, ``limited``, ``moved`` when the server says so.
    Profile fields are best effort: an unparsable ``created_at`` or a negative count (some
    servers hide them so) becomes ``None`` rather than costing the post.
    """
    created: dt.datetime | None = None
    if account.get("created_at"):
        try:
            created = _time(account["created_at"], "account.created_at")
        except RecordError:
            created = None
    labels = tuple(
        label
        for label, flag in (
            ("bot", account.get("bot")),
            ("suspended", account.get("suspended")),
            ("limited", account.get("limited")),
            ("moved", account.get("moved")),
        )
        if flag
    )
    note = account.get("note")
    name = account.get("display_name")
    return Account(
        platform=PLATFORM,
        account_id=req_str(account.get("url") or account.get("uri"), "account.url"),
        handle=_full_acct(account.get("acct"), account.get("url")),
        name=name if isinstance(name, str) and name else None,
        created_at=created,
        followers=_count(account.get("followers_count")),
        following=_count(account.get("following_count")),
        posts_count=_count(account.get("statuses_count")),
        verified=None,
        description=(_plain(note) or None) if isinstance(note, str) and note else None,
        labels=labels,
        observed_at=observed_at,
        source=source,
    )


# --- reading ----------------------------------------------------------------------------


class _Batch:
    """The items of one status and the ``local id -> uri`` pairs it teaches."""

    __slots__ = ("ids", "items")

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.ids: list[tuple[str, str]] = []


def _add_status(status: Any, where: Where, options: ReadOptions, out: _Batch) -> None:
    """A status, the status it boosts and a fully quoted one: posts and authors."""
    if not isinstance(status, dict):
        raise RecordError(f"not a Mastodon status: {type(status).__name__}")
    if "account" not in status:
        raise RecordError("not a Mastodon status: no account")
    nested = []
    reblog = status.get("reblog")
    if isinstance(reblog, dict):
        nested.append(reblog)
        quoted = _quoted_status(reblog)
        if quoted is not None:
            nested.append(quoted)
    else:
        quoted = _quoted_status(status)
        if quoted is not None:
            nested.append(quoted)
    for s in (*nested, status):
        post = normalize(s, source=where.source, line=where.line, collected_at=options.collected_at)
        out.items.append(post)
        out.items.append(
            normalize_account(s["account"], source=where.source, observed_at=options.collected_at)
        )
        local_id = s.get("id")
        if local_id is not None and not isinstance(local_id, bool | dict | list):
            out.ids.append((str(local_id), post.post_id))


def _elements(value: Any) -> Iterable[tuple[str, Any]] | None:
    """The statuses of a page (array, context, search result) with their pointers, else None."""
    if isinstance(value, list):
        return ((f"/{i}", v) for i, v in enumerate(value))
    if isinstance(value, dict) and "account" not in value:
        keys = [k for k in _PAGE_KEYS if isinstance(value.get(k), list)]
        if keys:
            return ((f"/{k}/{i}", v) for k in keys for i, v in enumerate(value[k]))
    return None


def _value_batch(value: Any, where: Where, options: ReadOptions) -> _Batch:
    """Everything one JSON value holds; a bad status inside a page is rejected alone."""
    out = _Batch()
    if isinstance(value, dict) and "event" in value and "payload" in value:
        event = value["event"]
        if event not in _STATUS_EVENTS:
            out.items.append(Skipped(where.source, where.line, str(event)))
            return out
        payload = value["payload"]
        if isinstance(payload, str):
            try:
                value = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                raise RecordError(f"{event} payload is not valid JSON: {exc}") from None
        else:
            value = payload
    elements = _elements(value)
    if elements is None:
        _add_status(value, where, options, out)
        return out
    found = False
    for pointer, element in elements:
        found = True
        at = where.at(pointer)
        part = _Batch()
        try:
            _add_status(element, at, options, part)
        except _BAD as exc:
            out.items.append(_reject(at, exc, element))
            continue
        out.items += part.items
        out.ids += part.ids
    if not found:
        out.items.append(Skipped(where.source, where.line, "empty-page"))
    return out


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


def _resolve(post: Post, ids: dict[str, str]) -> Post:
    """``post`` with ``local:<id>`` references replaced by the ``uri`` they stand for, if known."""
    reply_to, quote_of = post.reply_to, post.quote_of
    if reply_to is not None and reply_to.startswith(LOCAL_PREFIX):
        reply_to = ids.get(reply_to[len(LOCAL_PREFIX) :], reply_to)
    if quote_of is not None and quote_of.startswith(LOCAL_PREFIX):
        quote_of = ids.get(quote_of[len(LOCAL_PREFIX) :], quote_of)
    if reply_to is post.reply_to and quote_of is post.quote_of:
        return post
    return post._replace(reply_to=reply_to, quote_of=quote_of)


def _unresolved(post: Post) -> bool:
    return (post.reply_to is not None and post.reply_to.startswith(LOCAL_PREFIX)) or (
        post.quote_of is not None and post.quote_of.startswith(LOCAL_PREFIX)
    )


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts and author snapshots of a file of Mastodon statuses; bad ones are rejected.

    Local reply and quote ids are resolved against every status of the file: a post whose
    parent has not been seen yet is held back and yielded, resolved, at the end of the file.
    A span of the file (``options.span``) resolves only within itself, in place, and yields
    every id pair it learns (:class:`LocalId`): :func:`join_spans` does the rest across the
    spans.
    """
    span = options.span
    ids: dict[str, str] = {}
    pending: list[Post] = []

    def handle(value: Any, where: Where) -> Iterator[Item]:
        try:
            batch = _value_batch(value, where, options)
        except _BAD as exc:
            yield _reject(where, exc, value)
            return
        ids.update(batch.ids)
        if span is not None:
            for pair in batch.ids:
                yield LocalId(*pair)
        for item in batch.items:
            if type(item) is Post and _unresolved(item):
                item = _resolve(item, ids)
                if span is None and _unresolved(item):
                    pending.append(item)
                    continue
            yield item

    yield from read_json_source(
        path, NAME, handle, span if span is not None else _pages_per_line(path)
    )
    for post in pending:
        yield _resolve(post, ids)


def join_spans(spans: Iterable[list[Batch]]) -> Iterator[Batch]:
    """The batches of a file's spans (in file order) as a sequential :func:`read` gives them.

    A post a span left unresolved takes the id as the earlier spans last set it, in place;
    failing that it is held back and written at the end, resolved against the whole file.
    """
    ids: dict[str, str] = {}
    held: list[pa.Table] = []
    for batches in spans:
        for b in batches:
            posts, waiting = _resolved(b.posts, ids)
            if waiting is not None:
                held.append(posts.filter(waiting))
                posts = posts.filter(pc.invert(waiting))
            yield Batch(posts, b.accounts, b.rejects, b.skipped, b.accounts_read)
        for b in batches:  # this span's ids count only for the spans after it
            ids.update(b.local_ids)
    if held:
        rest, _ = _resolved(pa.concat_tables(held), ids)  # what is still unresolved stays local
        yield Batch(
            rest, ACCOUNT_SCHEMA.empty_table(), QUARANTINE_SCHEMA.empty_table(), Counter(), 0
        )


def _resolved(posts: pa.Table, ids: dict[str, str]) -> tuple[pa.Table, pa.Array | None]:
    """``posts`` with the ``local:`` references found in ``ids`` replaced, and which of them
    still hold one (``None``: none do)."""
    columns = ("reply_to", "quote_of")
    local = [pc.fill_null(pc.starts_with(posts[c], LOCAL_PREFIX), False) for c in columns]
    either = pc.or_(*local)
    if not pc.any(either).as_py():
        return posts, None
    rows = np.flatnonzero(either.to_numpy(zero_copy_only=False))
    still = np.zeros(posts.num_rows, dtype=bool)
    for c in columns:
        values = posts[c].to_pylist()
        for i in rows:
            v = values[i]
            if v is not None and v.startswith(LOCAL_PREFIX):
                v = values[i] = ids.get(v[len(LOCAL_PREFIX) :], v)
                still[i] |= v.startswith(LOCAL_PREFIX)
        field = posts.schema.field(c)
        posts = posts.set_column(
            posts.schema.get_field_index(c), field, pa.array(values, field.type)
        )
    return posts, pa.array(still) if still.any() else None


def _pages_per_line(path: Path) -> Span | None:
    """The whole file as JSON Lines when it holds one timeline page (a JSON array) per line.

    Without this, a file starting with ``[`` is taken for a single JSON array and, holding
    several, rejected whole.
    """
    lines: list[bytes] = []
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                lines.append(line.lstrip(b"\xef\xbb\xbf \t\r"))
                if len(lines) == 2:
                    break
    if len(lines) < 2 or not lines[0].startswith(b"["):
        return None
    try:
        orjson.loads(lines[0])
        orjson.loads(lines[1])
    except orjson.JSONDecodeError:
        return None
    return Span(0, path.stat().st_size, 1)


def _looks_mastodon(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if "account" in value:
        return "reblogs_count" in value or "favourites_count" in value or "reblog" in value
    if "event" in value and "payload" in value:
        return isinstance(value.get("stream"), list) or value["event"] in _STATUS_EVENTS
    for key in _PAGE_KEYS:
        page = value.get(key)
        if isinstance(page, list) and page:
            return _looks_mastodon(page[0])
    return False


def sniff(head: Head) -> bool:
    """Statuses (``account`` plus ``reblogs_count``/``favourites_count``), pages of them, or
    streaming messages; for a large array, the two count fields in the first bytes.
    """
    value = head.first_json
    if isinstance(value, list):
        value = value[0] if value else None
        if isinstance(value, list) and value:  # a JSON Lines file of timeline pages
            value = value[0]
    if value is not None:
        return _looks_mastodon(value)
    if head.first_json is not None:
        return False
    return '"favourites_count"' in head.text and '"reblogs_count"' in head.text


FORMAT = SourceFormat(
    name=NAME,
    title="Mastodon: statuses from the REST or streaming API (JSON/JSONL)",
    platforms=(PLATFORM,),
    sniff=sniff,
    read=read,
    priority=10,
    options=("collected_at",),
    split=("lines",),
    join_spans=join_spans,
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the Mastodon format."""
    return [FORMAT]
