"""Telegram Desktop JSON exports (``result.json``) of channels, groups and whole accounts.

"Export chat history" in Telegram Desktop, format "Machine-readable JSON", writes one object
``{"name", "type", "id", "messages": [...]}`` for a channel or chat; "Export Telegram data"
writes the whole account with the chats under ``chats.list[]`` (and ``left_chats.list[]``).
Each message has ``id`` (per chat), ``type`` (``message`` or ``service``), ``date`` (local time,
no zone) and ``date_unixtime``, ``from`` / ``from_id`` (``channel123``, ``user456``), ``text``
(a string, or a list of strings and entity objects) and ``text_entities``, and optionally
``reply_to_message_id``, ``forwarded_from``, ``photo`` / ``file`` (paths relative to the
export folder, or a note that the file was not downloaded), ``reactions``.

Choices (documented in ``docs/formats/telegram.md``):

* ``post_id`` is ``<chat id>/<message id>``: message ids count per chat, so the bare id would
  collide across channels. The chat id is the export's bare id, as in ``t.me/c/<id>/<msg>``.
* ``account_id`` is the export's peer id (``channel123``, ``user456``), so that a channel and a
  user with the same number stay apart; the chat itself becomes an account snapshot.
* Forwards: the export names the source (``forwarded_from``) but not the original message, so
  ``repost_of`` stays ``None`` rather than pointing at a guess. The chat's account snapshot
  carries one ``forwards-from:<source>`` label per source it forwarded from.
* Service messages (joins, pins, title changes) and messages Telegram Desktop could not export
  (``"type": "unsupported"``) are not posts: they are yielded as ``Skipped`` with their type.
* An export of the usual shape is read lazily, one message decoded at a time (memory stays
  near the file's size); any other is loaded whole with orjson. A file that is not valid JSON
  (an export cut short, or the control-character escapes some Desktop versions write) is
  walked message by message, so every complete message is still read and the broken one is
  quarantined with its line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
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
    collector_spared,
    lazy_elements,
    link_fields,
    load_document,
    make_reject,
    opt_int,
    parse_time,
    req_str,
)
from lagebild.ingest.text import clean_handle, clean_hashtag, unique
from lagebild.model import Account, Post
from lagebild.plugins import hookimpl

__all__ = ["FORMAT", "Chat", "chat_of", "normalize", "normalize_chat", "read", "sniff"]

NAME = "telegram"
_SECTIONS = ("chats", "left_chats")
_BROADCAST_TYPES = frozenset({"public_channel", "private_channel"})
_CHANNEL_TYPES = _BROADCAST_TYPES | {"public_supergroup", "private_supergroup"}
_USER_TYPES = frozenset({"personal_chat", "bot_chat", "saved_messages", "replies"})
_CHAT_TYPES = _CHANNEL_TYPES | _USER_TYPES | {"private_group"}
_PEER_PREFIXES = ("channel", "chat", "user")
#: Message types that are valid but not posts: counted as skipped, by type.
_NOT_POSTS = frozenset({"service", "unsupported"})
_STRING = r'"(?:[^"\\]|\\.)*"'
# A chat object as Telegram Desktop writes it, up to the opening of its message list.
_CHAT_HEAD = re.compile(
    rf'(?:"name": ({_STRING}|null),\s*)?"type": ({_STRING}|null),\s*"id": (-?\d+),\s*'
    r'"messages": \['
)
_SECTION_HEAD = re.compile(r'"(chats|left_chats)": \{')
_ACCOUNT_HEAD = re.compile(
    rf'^\s*\{{\s*"about": {_STRING},\s*"(?:personal_information|profile_pictures|stories|'
    r'contacts|frequent_contacts|sessions|web_sessions|chats|left_chats|other_data)"'
)
# Some Desktop versions escape control characters as "\x0B", which JSON does not allow.
_BAD_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")
_SURROGATE = re.compile("[\udc80-\udcff]")
_DECODER = json.JSONDecoder()


class Chat(NamedTuple):
    """The chat (channel, group or conversation) a message belongs to."""

    id: str
    account_id: str | None
    name: str | None
    type: str | None


def chat_of(raw: Mapping[str, Any]) -> Chat:
    """The chat fields of an exported chat object; raises when it has no usable ``id``."""
    chat_id = req_str(raw.get("id"), "chat id")
    if not (chat_id.isascii() and chat_id.lstrip("-").isdigit()):
        raise RecordError(f"chat id is not a number: {chat_id!r}")
    kind = raw.get("type") if isinstance(raw.get("type"), str) else None
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    if kind in _CHANNEL_TYPES:
        peer: str | None = f"channel{chat_id}"
    elif kind in _USER_TYPES:
        peer = f"user{chat_id}"
    elif kind == "private_group":
        peer = f"chat{chat_id}"
    else:
        peer = None
    return Chat(id=chat_id, account_id=peer, name=name, type=kind)


def _bare(peer: str) -> str:
    """``channel123`` -> ``123``: the number of a peer id, as post ids use it."""
    for prefix in _PEER_PREFIXES:
        if peer.startswith(prefix):
            return peer[len(prefix) :]
    return peer


def _parts(message: Mapping[str, Any]) -> list[Any]:
    entities = message.get("text_entities")
    if isinstance(entities, list) and entities:
        return entities
    text = message.get("text")
    if isinstance(text, list):
        return text
    if isinstance(text, str):
        return [text]
    if text is None:
        return []
    raise RecordError(f"text is neither a string nor a list: {text!r}")


def _media(message: Mapping[str, Any], chat: Chat, message_id: str) -> tuple[str, ...]:
    """Media keys scoped by chat: export paths repeat across exports (``photos/photo_1@...``)."""
    out = []
    for key in ("photo", "file"):
        path = message.get(key)
        if not isinstance(path, str) or not path:
            continue
        if path.startswith("("):  # "(File not included. Change data exporting settings ...)"
            kind = key if key == "photo" else message.get("media_type") or key
            out.append(f"key:{chat.id}/{message_id}/{kind}")
        else:
            out.append(f"key:{chat.id}/{path}")
    return tuple(out)


def _reactions(message: Mapping[str, Any]) -> int | None:
    reactions = message.get("reactions")
    if reactions is None:
        return None
    if not isinstance(reactions, list):
        raise RecordError(f"reactions is not a list: {reactions!r}")
    return sum(opt_int(r.get("count"), "reaction count") or 0 for r in reactions)


def normalize(
    message: Mapping[str, Any],
    chat: Chat,
    *,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One exported message of ``chat`` as a post; a service message is not one and raises.

    Text is the concatenation of the text parts; links, hashtags and mentions come from
    Telegram's own entities (``link``, ``text_link`` with its ``href``, ``hashtag``,
    ``mention``), not from re-parsing the text. ``likes`` is the sum of the reactions.
    """
    if not isinstance(message, Mapping):
        raise RecordError(f"message is not an object: {message!r}")
    kind = message.get("type", "message")
    if kind != "message":
        raise RecordError(f"not a post: message type {kind!r}")
    message_id = req_str(message.get("id"), "id")
    if not (message_id.isascii() and message_id.isdigit()):
        raise RecordError(f"message id is not a number: {message_id!r}")
    field = "date_unixtime" if message.get("date_unixtime") else "date"
    stamp = message.get(field)
    if stamp is None:
        raise RecordError("missing date and date_unixtime")
    from_id = message.get("from_id")
    if isinstance(from_id, str) and from_id:
        account_id = from_id
    elif chat.account_id is not None and chat.type in _BROADCAST_TYPES:
        account_id = chat.account_id  # old exports of channels: only the channel speaks
    else:
        raise RecordError("missing from_id")
    texts: list[str] = []
    links: list[str] = []
    hashtags: list[str] = []
    mentions: list[str] = []
    for part in _parts(message):
        if isinstance(part, str):
            texts.append(part)
            continue
        text = part["text"]
        if not isinstance(text, str):
            raise RecordError(f"text entity without text: {part!r}")
        texts.append(text)
        entity = part.get("type")
        if entity == "link":
            links.append(text)
        elif entity == "text_link":
            links.append(part.get("href") or "")
        elif entity == "hashtag":
            hashtags.append(clean_hashtag(text))
        elif entity == "mention":
            mentions.append(clean_handle(text))
    urls, domains = link_fields(links)
    reply = message.get("reply_to_message_id")
    reply_peer = message.get("reply_to_peer_id")
    reply_chat = _bare(reply_peer) if isinstance(reply_peer, str) and reply_peer else chat.id
    full_text = "".join(texts)
    return Post(
        platform="telegram",
        post_id=f"{chat.id}/{message_id}",
        account_id=account_id,
        account_handle=None,
        created_at=parse_time(stamp, field),
        text=full_text or None,
        lang=None,
        urls=urls,
        domains=domains,
        hashtags=unique(hashtags),
        mentions=unique(mentions),
        reply_to=f"{reply_chat}/{req_str(reply, 'reply_to_message_id')}" if reply else None,
        repost_of=None,
        quote_of=None,
        media=_media(message, chat, message_id),
        views=opt_int(message.get("views"), "views"),
        likes=_reactions(message),
        reposts=opt_int(message.get("forwards"), "forwards"),
        replies=None,
        quotes=None,
        collected_at=collected_at,
        source=source,
        source_line=line,
    )


def normalize_chat(
    chat: Chat,
    *,
    source: str = "",
    forwards_from: tuple[str, ...] = (),
    observed_at: dt.datetime | None = None,
) -> Account:
    """The chat as an account snapshot, labelled with its type and the sources it forwarded.

    The export carries no username, follower count or description of the chat.
    """
    if chat.account_id is None:
        raise RecordError(f"unknown chat type {chat.type!r}")
    forwards = tuple(f"forwards-from:{s}" for s in forwards_from)
    labels = ((chat.type,) if chat.type else ()) + forwards
    return Account(
        platform="telegram",
        account_id=chat.account_id,
        handle=None,
        name=chat.name,
        created_at=None,
        followers=None,
        following=None,
        posts_count=None,
        verified=None,
        description=None,
        labels=labels,
        observed_at=observed_at,
        source=source,
    )


def _author(message: Mapping[str, Any], source: str, observed_at: dt.datetime | None) -> Account:
    name = message.get("from")
    return Account(
        platform="telegram",
        account_id=message["from_id"],
        handle=None,
        name=name if isinstance(name, str) else None,
        created_at=None,
        followers=None,
        following=None,
        posts_count=None,
        verified=None,
        description=None,
        labels=(),
        observed_at=observed_at,
        source=source,
    )


class _ChatReader:
    """Turns the messages of one chat into items, remembering authors and forward sources."""

    def __init__(self, raw_chat: Mapping[str, Any], where: Where, options: ReadOptions) -> None:
        self.where = where
        self.options = options
        self.seen: set[str] = set()
        self.forwards: dict[str, None] = {}
        try:
            self.chat: Chat | None = chat_of(raw_chat)
            self.error: BaseException | None = None
        except MALFORMED as exc:
            self.chat, self.error = None, exc
        if self.chat is not None and self.chat.account_id is not None:
            self.seen.add(self.chat.account_id)

    def message(self, raw: Any, where: Where) -> Iterator[Item]:
        kind = raw.get("type") if isinstance(raw, Mapping) else None
        if kind in _NOT_POSTS:
            yield Skipped(where.source, where.line, kind)
            return
        try:
            if self.chat is None:
                raise RecordError(f"chat: {self.error}") from self.error
            post = normalize(
                raw,
                self.chat,
                source=where.source,
                line=where.line,
                collected_at=self.options.collected_at,
            )
        except MALFORMED as exc:
            yield make_reject(where, NAME, exc, raw)
            return
        yield post
        source = raw.get("forwarded_from_id") or raw.get("forwarded_from") or raw.get("saved_from")
        if isinstance(source, str) and source:
            self.forwards[source] = None
        if post.account_id not in self.seen and isinstance(raw.get("from_id"), str):
            self.seen.add(post.account_id)
            yield _author(raw, where.source, self.options.collected_at)

    def end(self) -> Iterator[Item]:
        if self.chat is None or self.chat.account_id is None:
            return
        yield normalize_chat(
            self.chat,
            source=self.where.source,
            forwards_from=tuple(self.forwards),
            observed_at=self.options.collected_at,
        )


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts and account snapshots of a Telegram Desktop ``result.json``.

    An export of the usual shape is read lazily (see :func:`_lazy_chats`): each message is
    decoded only when its turn comes, so memory stays near the file's size. Any other is
    parsed whole; one that does not parse is salvaged message by message.
    """
    data = path.read_bytes()
    chats = _lazy_chats(data)
    if chats is not None:
        yield from _lazy_items(path, chats, options)
    else:
        yield from _read_whole(path, data, options)


def _read_whole(path: Path, data: bytes, options: ReadOptions) -> Iterator[Item]:
    """The export parsed whole; one that does not parse is salvaged message by message."""
    try:
        document = load_document(data)
    except orjson.JSONDecodeError as exc:
        error: orjson.JSONDecodeError | None = exc
        if b"\\x" in data:
            data = _BAD_ESCAPE.sub(rb"\1\\u00\2", data)
            try:
                document = load_document(data)
                error = None
            except orjson.JSONDecodeError as again:
                error = again
        if error is not None:
            yield from _salvage(path, data, error, options)
            return
    del data  # only the parsed document is needed from here on
    with collector_spared():
        yield from _document(path, document, options)


#: A chat of an export read lazily: where it is, its own fields, its undecoded messages.
_LazyChat = tuple[str, dict[str, Any], list[msgspec.Raw]]


def _lazy_chats(data: bytes) -> list[_LazyChat] | None:
    """The chats of an export of the usual shape, their messages left undecoded; ``None``
    when the document has another shape or does not parse (the whole-document path then
    reads it, and salvages or rejects what it must).

    The usual shape: a chat (an object with a ``messages`` array) and/or ``chats`` /
    ``left_chats`` objects whose ``list`` holds such chats. msgspec finds the parts without
    building them; every part is then decoded once by orjson, as the whole-document parse
    would, so a document takes this path only when that parse would succeed. Parsing the
    messages twice costs less than holding all of them at once: the whole-document parse of
    1M messages peaks at several times the file's size.
    """
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
        found: list[tuple[str, dict[str, msgspec.Raw]]] = []
        # (the messages are checked one by one, by lazy_elements, never as one array)
        checked = [v for k, v in top.items() if k not in _SECTIONS and k != "messages"]
        if "messages" in top:
            found.append(("", top))
        for section in _SECTIONS:
            if section not in top:
                continue
            listed = msgspec.json.decode(top[section], type=dict[str, msgspec.Raw])
            checked += [v for k, v in listed.items() if k != "list"]
            entries = msgspec.json.decode(listed["list"], type=list[dict[str, msgspec.Raw]])
            found += [(f".{section}.list[{i}]", chat) for i, chat in enumerate(entries)]
        if not found:
            return None
        chats: list[_LazyChat] = []
        for pointer, chat in found:
            messages = lazy_elements(memoryview(chat["messages"]))
            if messages is None:
                return None
            if pointer:  # a listed chat's other fields (the top chat's are checked above)
                checked += [v for k, v in chat.items() if k != "messages"]
            fields: dict[str, Any] = {
                k: orjson.loads(memoryview(chat[k])) for k in ("id", "type", "name") if k in chat
            }
            chats.append((pointer, fields, messages))
        for raw in checked:
            orjson.loads(memoryview(raw))
    except (
        msgspec.DecodeError,
        msgspec.ValidationError,
        KeyError,
        orjson.JSONDecodeError,
        RecursionError,
    ):
        return None
    return chats


def _lazy_items(path: Path, chats: list[_LazyChat], options: ReadOptions) -> Iterator[Item]:
    """What :func:`_document` gives for the same export, one message decoded at a time."""
    top = Where(str(path), None, None)
    for pointer, fields, messages in chats:
        decoded = (orjson.loads(memoryview(raw)) for raw in messages)
        yield from _chat_items(fields, top.at(pointer), decoded, options)


def _chat_items(
    raw_chat: Mapping[str, Any], where: Where, messages: Iterable[Any], options: ReadOptions
) -> Iterator[Item]:
    """The items of one chat: its messages in order, then the chat's own account."""
    reader = _ChatReader(raw_chat, where, options)
    for i, message in enumerate(messages):
        yield from reader.message(message, where.at(f".messages[{i}]"))
    yield from reader.end()


def _document(path: Path, document: Any, options: ReadOptions) -> Iterator[Item]:
    top = Where(str(path), None, None)
    if not isinstance(document, dict):
        yield make_reject(top, NAME, "not a Telegram export: not a JSON object", document)
        return
    chats: list[tuple[Where, Any]] = []
    if "messages" in document:
        chats.append((top, document))
    for section in _SECTIONS:
        listed = document.get(section)
        if isinstance(listed, dict) and isinstance(listed.get("list"), list):
            chats.extend(
                (top.at(f".{section}.list[{i}]"), chat) for i, chat in enumerate(listed["list"])
            )
    if not chats:
        yield make_reject(top, NAME, "not a Telegram export: no messages or chats", document)
        return
    for where, raw_chat in chats:
        messages = raw_chat.get("messages") if isinstance(raw_chat, dict) else None
        if not isinstance(messages, list):
            yield make_reject(where, NAME, "chat without a messages list", raw_chat)
            continue
        yield from _chat_items(raw_chat, where, messages, options)


def _salvage(
    path: Path, data: bytes, error: orjson.JSONDecodeError, options: ReadOptions
) -> Iterator[Item]:
    """Read a broken export chat by chat and message by message, as Telegram laid it out.

    Each complete message is read; a message that does not parse is rejected with its line and
    the walk resumes at the next message of the same indentation. A file without any chat
    layout is rejected whole.
    """
    source = str(path)
    text = data.decode("utf-8", errors="surrogateescape").lstrip("\ufeff")
    heads = list(_CHAT_HEAD.finditer(text))
    if not heads:
        where = Where(source, 1, 0)
        yield make_reject(where, NAME, f"not a valid JSON document: {error}", data)
        return
    sections = [(m.start(), m.group(1)) for m in _SECTION_HEAD.finditer(text)]
    counters = dict.fromkeys(_SECTIONS, 0)
    lines = _LineCounter(text)
    for n, head in enumerate(heads):
        section = next((name for pos, name in reversed(sections) if pos < head.start()), None)
        if section is None:
            prefix = ""
        else:
            prefix = f".{section}.list[{counters[section]}]"
            counters[section] += 1
        raw_chat = {
            "name": _json_or_none(head.group(1)),
            "type": _json_or_none(head.group(2)),
            "id": head.group(3),
        }
        where = Where(source, lines.at(head.start()), None, prefix)
        end = heads[n + 1].start() if n + 1 < len(heads) else len(text)
        reader = _ChatReader(raw_chat, where, options)
        for element in _elements(text, head.end(), end):
            at = Where(
                source, lines.at(element.start), None, f"{prefix}.messages[{element.number}]"
            )
            raw = text[element.start : element.stop].encode("utf-8", "surrogateescape")
            if element.error is not None:
                yield make_reject(at, NAME, element.error, raw)
            elif _SURROGATE.search(text, element.start, element.stop):
                yield make_reject(at, NAME, "not valid UTF-8 (wrong encoding?)", raw)
            else:
                yield from reader.message(element.value, at)
        yield from reader.end()


def _json_or_none(token: str | None) -> Any:
    if token is None or _SURROGATE.search(token):
        return None
    try:
        return json.loads(token)
    except ValueError:
        return None


class _Element(NamedTuple):
    """One element of a JSON array in a broken document: its value, or why it has none."""

    number: int
    start: int
    stop: int
    value: Any
    error: str | None


def _elements(text: str, start: int, end: int) -> Iterator[_Element]:
    """The elements of the JSON array opened just before ``start``, up to ``end``.

    An element that does not parse comes with its error; the walk goes on at the next ``},``
    followed by an object at the indentation of the array's first element (Telegram writes one
    message per object at a fixed indentation), or stops when there is none.
    """
    pos = start
    index = 0
    separator = ""
    while True:
        ws_start = pos
        while pos < end and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= end or text[pos] == "]":
            return
        if index == 0:
            separator = text[ws_start:pos]
        try:
            value, stop = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            resume = text.find("}," + separator + "{", pos, end) if separator else -1
            if resume < 0:
                yield _Element(index, pos, end, None, f"message cut short: {reason}")
                return
            yield _Element(index, pos, resume + 1, None, f"message is not valid JSON: {reason}")
            stop = resume + 2
        else:
            if stop > end:
                return
            yield _Element(index, pos, stop, value, None)
        index += 1
        pos = stop


class _LineCounter:
    """Line numbers of increasing positions in a text, counted incrementally."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def sniff(head: Head) -> bool:
    """A Telegram export is a chat object (``type``, ``id``, ``messages``) or an account export."""
    value = head.first_json
    if isinstance(value, dict):
        if isinstance(value.get("messages"), list) and value.get("type") in _CHAT_TYPES:
            return True
        chats = value.get("chats")
        return isinstance(chats, dict) and isinstance(chats.get("list"), list)
    text = head.text.lstrip("\ufeff")
    if not text.lstrip().startswith("{"):
        return False
    m = _CHAT_HEAD.search(text)
    if m and _json_or_none(m.group(2)) in _CHAT_TYPES:
        return True
    return _ACCOUNT_HEAD.match(text) is not None


FORMAT = SourceFormat(
    name=NAME,
    title="Telegram Desktop JSON export (result.json)",
    platforms=("telegram",),
    sniff=sniff,
    read=read,
    priority=10,
    options=("collected_at",),
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the Telegram Desktop format."""
    return [FORMAT]
