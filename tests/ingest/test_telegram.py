"""Telegram reader: Telegram Desktop ``result.json`` of a channel, a group or a whole account."""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.ingest import telegram
from lagebild.ingest.base import Head, Item, ReadOptions, Skipped
from lagebild.model import Account, Post, Reject

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"
CHANNEL = FIXTURES / "result.json"
COLLECTED = dt.datetime(2025, 2, 24, 6, tzinfo=dt.UTC)
OPTIONS = ReadOptions(collected_at=COLLECTED)
CHAT = "1632745190"
PEER = f"channel{CHAT}"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def read(path: Path, options: ReadOptions = OPTIONS) -> list[Item]:
    return list(telegram.read(path, options))


def posts(items: list[Item]) -> dict[str, Post]:
    return {i.post_id: i for i in items if isinstance(i, Post)}


def accounts(items: list[Item]) -> list[Account]:
    return [i for i in items if isinstance(i, Account)]


def rejects(items: list[Item]) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


def post(**fields: Any) -> Post:
    """A post of the fixture channel with every field empty unless given."""
    base: dict[str, Any] = dict.fromkeys(Post._fields)
    base.update(
        platform="telegram",
        account_id=PEER,
        urls=(),
        domains=(),
        hashtags=(),
        mentions=(),
        media=(),
        collected_at=COLLECTED,
        source=str(CHANNEL),
    )
    base.update(fields)
    return Post(**base)


@contextmanager
def written(data: bytes) -> Iterator[Path]:
    """``data`` as a ``result.json`` of its own (hypothesis does not mix with ``tmp_path``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        path.write_bytes(data)
        yield path


def dump(document: Any) -> bytes:
    """JSON laid out as Telegram Desktop writes it: one space per level."""
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def channel() -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(CHANNEL.read_bytes())
    return document


def message(mid: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": mid,
        "type": "message",
        "date": "2025-02-10T10:00:00",
        "date_unixtime": "1739178000",
        "text": "",
        "text_entities": [],
    }
    base.update(fields)
    return base


# --- a channel --------------------------------------------------------------------------


def test_plain_text_message() -> None:
    assert posts(read(CHANNEL))[f"{CHAT}/2"] == post(
        post_id=f"{CHAT}/2",
        created_at=utc(2025, 1, 10, 8, 5, 12),  # date_unixtime; "date" is local time (CET)
        text="Willkommen! Hier gibt es alles zur Bundestagswahl 2025.",
    )


def test_entities_give_links_hashtags_and_mentions() -> None:
    assert posts(read(CHANNEL))[f"{CHAT}/3"] == post(
        post_id=f"{CHAT}/3",
        created_at=utc(2025, 2, 2, 17, 30),
        text="Achtung: Briefwahl ist unsicher! Lest selbst: "
        "https://wahl-enthuellt.example/briefwahl?utm_source=tg #Wahlbetrug #BTW25 "
        "via @Freie_Stimme\nQuelle",
        # the "link" entity as written, the "text_link" by its href
        urls=(
            "https://wahl-enthuellt.example/briefwahl",
            "https://bundeswahlleiterin.de/bundestagswahlen/2025.html",
        ),
        domains=("wahl-enthuellt.example", "bundeswahlleiterin.de"),
        hashtags=("wahlbetrug", "btw25"),
        mentions=("freie_stimme",),
    )


def test_photo_with_reactions() -> None:
    assert posts(read(CHANNEL))[f"{CHAT}/4"] == post(
        post_id=f"{CHAT}/4",
        created_at=utc(2025, 2, 3, 6, 45, 30),
        text="Bild des Tages 🗳️",
        media=(f"key:{CHAT}/photos/photo_1@03-02-2025_07-45-30.jpg",),
        likes=134,  # 120 👍 + 14 😡: every reaction counts
    )


def test_forward_is_not_a_repost_of_a_guessed_id() -> None:
    items = read(CHANNEL)
    assert posts(items)[f"{CHAT}/5"] == post(
        post_id=f"{CHAT}/5",
        created_at=utc(2025, 2, 3, 11, 0, 5),
        text="EILMELDUNG: In Sachsen sollen Stimmzettel doppelt gedruckt worden sein! Teilen! "
        "#BTW25",
        hashtags=("btw25",),
        repost_of=None,
    )
    (chat,) = accounts(items)
    assert "forwards-from:Freie Stimme Sachsen" in chat.labels


def test_reply_points_at_a_post_of_the_same_chat() -> None:
    assert posts(read(CHANNEL))[f"{CHAT}/6"] == post(
        post_id=f"{CHAT}/6",
        created_at=utc(2025, 2, 3, 11, 40),
        text="Update: officials say the ballots were printed correctly. Stay critical anyway!",
        reply_to=f"{CHAT}/3",
    )


def test_file_not_downloaded_still_counts_as_media() -> None:
    assert posts(read(CHANNEL))[f"{CHAT}/7"] == post(
        post_id=f"{CHAT}/7",
        created_at=utc(2025, 2, 4, 19, 15),
        text=None,
        media=(f"key:{CHAT}/7/video_file",),
    )


def test_text_link_and_edited_message() -> None:
    assert posts(read(CHANNEL))[f"{CHAT}/10"] == post(
        post_id=f"{CHAT}/10",
        created_at=utc(2025, 2, 5, 7, 1),  # the first publication, not the edit
        text="Election day is 23 February. Check your polling station: here",
        urls=("https://bundeswahlleiterin.de/service/wahllokal.html",),
        domains=("bundeswahlleiterin.de",),
    )


def test_channel_becomes_an_account() -> None:
    assert accounts(read(CHANNEL)) == [
        Account(
            platform="telegram",
            account_id=PEER,
            handle=None,
            name="Wahlwächter Info",
            created_at=None,
            followers=None,
            following=None,
            posts_count=None,
            verified=None,
            description=None,
            labels=("public_channel", "forwards-from:Freie Stimme Sachsen"),
            observed_at=COLLECTED,
            source=str(CHANNEL),
        )
    ]


def test_service_messages_are_skipped_and_malformed_ones_rejected() -> None:
    items = read(CHANNEL)
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert skipped == [Skipped(str(CHANNEL), None, "service")] * 2
    (bad,) = rejects(items)
    assert (bad.pointer, bad.line, bad.reason) == (
        ".messages[7]",
        None,
        "missing date and date_unixtime",
    )
    assert (bad.source, bad.format) == (str(CHANNEL), "telegram")
    assert "Nachricht ohne Datum" in bad.raw


def test_every_message_is_a_post_a_skip_or_a_reject() -> None:
    items = read(CHANNEL)
    assert len(channel()["messages"]) == 10
    assert (len(posts(items)), len(rejects(items))) == (7, 1)
    assert sum(isinstance(i, Skipped) for i in items) == 2


# --- other chats and layouts -------------------------------------------------------------


def group() -> dict[str, Any]:
    return {
        "name": "Wahlkreis 155 Diskussion",
        "type": "public_supergroup",
        "id": 1844003021,
        "messages": [
            message(
                1,
                **{"from": "Anna K.", "from_id": "user5011223344"},
                text="Wer hat schon Briefwahl beantragt? #BTW25",
                text_entities=[
                    {"type": "plain", "text": "Wer hat schon Briefwahl beantragt? "},
                    {"type": "hashtag", "text": "#BTW25"},
                ],
            ),
            message(
                2,
                **{"from": None, "from_id": "user6022334455"},
                reply_to_message_id=1,
                text="Ich, ging ganz schnell.",
            ),
            message(
                3,
                **{"from": "Anna K.", "from_id": "user5011223344"},
                reply_to_message_id=5,
                reply_to_peer_id=PEER,
                text="Stimmt das?",
            ),
            message(4, text="kein Absender"),
            {"id": 5, "type": "unsupported"},
            message(
                6,
                **{"from": "Wahlkreis 155 Diskussion", "from_id": "channel1844003021"},
                text="Bitte sachlich bleiben.",
                forwarded_from=None,
            ),
        ],
    }


def test_group_members_become_accounts_once() -> None:
    with written(dump(group())) as path:
        items = read(path)
    found = posts(items)
    assert found["1844003021/1"].account_id == "user5011223344"
    assert found["1844003021/1"].hashtags == ("btw25",)
    assert found["1844003021/2"].reply_to == "1844003021/1"
    assert found["1844003021/3"].reply_to == f"{CHAT}/5"  # a reply into another chat
    assert found["1844003021/6"].account_id == "channel1844003021"  # an anonymous admin
    assert [(a.account_id, a.name, a.labels) for a in accounts(items)] == [
        ("user5011223344", "Anna K.", ()),
        ("user6022334455", None, ()),
        ("channel1844003021", "Wahlkreis 155 Diskussion", ("public_supergroup",)),
    ]
    (bad,) = rejects(items)
    assert (bad.pointer, bad.reason) == (".messages[3]", "missing from_id")
    assert [i for i in items if isinstance(i, Skipped)] == [Skipped(str(path), None, "unsupported")]


def test_old_channel_export_without_from_id_speaks_as_the_channel() -> None:
    document: dict[str, Any] = {
        "name": "Alt",
        "type": "private_channel",
        "id": 77,
        "messages": [message(1)],
    }
    document["messages"][0]["text"] = "alt"
    with written(dump(document)) as path:
        (found,) = posts(read(path)).values()
    assert (found.post_id, found.account_id, found.text) == ("77/1", "channel77", "alt")


def test_date_without_unixtime_is_read_as_utc() -> None:
    document = channel()
    document["messages"] = [message(1, text="x")]
    del document["messages"][0]["date_unixtime"]
    with written(dump(document)) as path:
        (found,) = posts(read(path)).values()
    assert found.created_at == utc(2025, 2, 10, 10)


def test_full_account_export() -> None:
    other = {"name": "Verlassen", "type": "private_channel", "id": 99, "messages": [message(3)]}
    document = {
        "about": "Here is the data you requested. Remember: Telegram is ad free.",
        "personal_information": {"user_id": 42, "first_name": "Lena", "phone_number": "+49 ..."},
        "chats": {"about": "This page lists all chats from this export.", "list": []},
        "left_chats": {"about": "This page lists all chats you left.", "list": [other]},
    }
    broken_group = group()
    broken_group["messages"] = [broken_group["messages"][0], message(9)]
    document["chats"]["list"] = [channel(), broken_group]  # type: ignore[index]
    with written(dump(document)) as path:
        items = read(path)
    found = posts(items)
    assert {f"{CHAT}/2", "1844003021/1", "99/3"} <= set(found)
    assert found["99/3"].account_id == "channel99"
    pointers = [r.pointer for r in rejects(items)]
    assert pointers == [".chats.list[0].messages[7]", ".chats.list[1].messages[1]"]
    names = [a.name for a in accounts(items)]
    assert names == ["Wahlwächter Info", "Anna K.", "Wahlkreis 155 Diskussion", "Verlassen"]


def test_chat_without_id_rejects_each_message() -> None:
    document = channel()
    del document["id"]
    with written(dump(document)) as path:
        items = read(path)
    assert not posts(items)
    assert not accounts(items)
    assert len(rejects(items)) == 8  # ten messages, two of them service messages
    assert all("chat id" in r.reason for r in rejects(items))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[]", "not a JSON object"),
        (b'{"about": "x"}', "no messages or chats"),
        (b'{"name": "x", "messages": 3}', "chat without a messages list"),
        (b"", "not a valid JSON document"),
        (b"\x89PNG\r\n", "not a valid JSON document"),
    ],
)
def test_not_an_export(data: bytes, reason: str) -> None:
    with written(data) as path:
        (bad,) = read(path)
    assert isinstance(bad, Reject)
    assert reason in bad.reason


@pytest.mark.parametrize(
    ("entities", "reason"),
    [
        ([{"type": "bold"}], "missing field 'text'"),
        ([{"type": "link", "text": 5}], "text entity without text"),
        (None, "neither a string nor a list"),
    ],
)
def test_malformed_text_is_rejected(entities: Any, reason: str) -> None:
    document = channel()
    document["messages"] = [message(1, text=7, text_entities=entities)]
    with written(dump(document)) as path:
        (bad,) = rejects(read(path))
    assert reason in bad.reason


def test_media_keys_are_scoped_by_chat() -> None:
    chat = telegram.Chat(id="5", account_id="channel5", name=None, type="public_channel")
    raw = message(8, file=NOT_INCLUDED, media_type="sticker", photo="photos/p.jpg")
    assert telegram.normalize(raw, chat).media == ("key:5/photos/p.jpg", "key:5/8/sticker")
    raw = message(9, photo=NOT_INCLUDED)
    assert telegram.normalize(raw, chat).media == ("key:5/9/photo",)
    raw = message(10, file="files/wahlprogramm.pdf", views=1200, forwards=4)
    found = telegram.normalize(raw, chat)
    assert found.media == ("key:5/files/wahlprogramm.pdf",)
    assert (found.views, found.reposts) == (1200, 4)  # only when an export carries them


# --- broken files -------------------------------------------------------------------------


def test_truncated_export_keeps_every_complete_message() -> None:
    data = CHANNEL.read_bytes()
    cut = data.index(b'"id": 9,')  # inside the pinned-message service entry
    with written(data[:cut]) as path:
        items = read(path)
    full = posts(read(CHANNEL))
    found = posts(items)
    assert set(found) == set(full) - {f"{CHAT}/10"}
    assert found[f"{CHAT}/3"].source_line == 33  # the line the message's "{" is on
    assert found[f"{CHAT}/3"]._replace(source="", source_line=None) == full[f"{CHAT}/3"]._replace(
        source=""
    )
    cut_short = rejects(items)[-1]
    assert (cut_short.pointer, cut_short.line) == (".messages[8]", 227)
    assert cut_short.reason.startswith("message cut short")
    assert [r.pointer for r in rejects(items)] == [".messages[7]", ".messages[8]"]
    assert rejects(items)[0].line == 214
    assert len(accounts(items)) == 1


def test_invalid_message_in_the_middle_is_rejected_alone() -> None:
    data = CHANNEL.read_bytes().replace(b'"id": 4,', b'"id": 4,,')
    with written(data) as path:
        items = read(path)
    bad = [r for r in rejects(items) if r.pointer == ".messages[3]"]
    assert len(bad) == 1
    assert bad[0].line == 125
    assert bad[0].reason.startswith("message is not valid JSON")
    assert set(posts(items)) == set(posts(read(CHANNEL))) - {f"{CHAT}/4"}


def test_control_character_escapes_are_repaired() -> None:
    data = CHANNEL.read_bytes().replace(b"Willkommen!", b"Willkommen\\x0B!")
    with written(data) as path:
        found = posts(read(path))
    assert found[f"{CHAT}/2"].text == "Willkommen\x0b! Hier gibt es alles zur Bundestagswahl 2025."
    assert found[f"{CHAT}/2"].source_line is None  # repaired: read as a whole


def test_bad_bytes_reject_only_their_message() -> None:
    data = CHANNEL.read_bytes().replace(b"Bild des Tages", b"Bild \xff Tages")
    with written(data) as path:
        items = read(path)
    bad = [r for r in rejects(items) if "UTF-8" in r.reason]
    assert [(r.pointer, r.line) for r in bad] == [(".messages[3]", 125)]
    assert "Bild \\xff Tages" in bad[0].raw
    assert f"{CHAT}/4" not in posts(items)
    assert f"{CHAT}/5" in posts(items)


# --- sniffing ------------------------------------------------------------------------------


def test_sniff_small_export_by_its_json() -> None:
    text = CHANNEL.read_text(encoding="utf-8")
    assert telegram.sniff(Head(CHANNEL, text, first_json=channel()))


def test_sniff_big_export_by_its_first_bytes() -> None:
    text = CHANNEL.read_text(encoding="utf-8")[:400]  # too big to parse whole: no JSON value
    assert telegram.sniff(Head(CHANNEL, text))
    account = '{\n "about": "Here is the data you requested.",\n "personal_information": {\n'
    assert telegram.sniff(Head(Path("result.json"), account))


def test_sniff_full_account_export_by_its_json() -> None:
    value = {"about": "x", "chats": {"about": "y", "list": []}}
    assert telegram.sniff(Head(Path("result.json"), json.dumps(value), first_json=value))


@pytest.mark.parametrize(
    "value",
    [
        {"messages": [], "guild": {"id": "1"}, "channel": {"id": "2"}},  # a Discord export
        {"type": "public_channel", "id": 1},
        [{"id": 1, "type": "message"}],
        {"data": {"id": "1", "text": "tweet"}},
    ],
)
def test_sniff_refuses_other_json(value: Any) -> None:
    assert not telegram.sniff(Head(Path("x.json"), json.dumps(value), first_json=value))


def test_sniff_refuses_other_text() -> None:
    assert not telegram.sniff(Head(Path("x.csv"), "Page Name,URL\nx,y\n", csv_header=("a",)))
    assert not telegram.sniff(Head(Path("x.json"), '{"about": 1, "x": '))


def test_registers_the_format() -> None:
    (fmt,) = telegram.lagebild_source_formats()
    assert (fmt.name, fmt.platforms) == ("telegram", ("telegram",))
    assert fmt.read is telegram.read


# --- robustness ------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(data: bytes) -> None:
    with written(data) as path:
        items = read(path)
    assert all(isinstance(i, Post | Account | Reject | Skipped) for i in items)


def _message_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the fixture's messages, found by their fixed indentation."""
    starts = [i + 1 for i in range(len(data)) if data.startswith(b"\n  {", i)]
    ends = [i + 4 for i in range(len(data)) if data.startswith(b"\n  }", i)]
    return list(zip(starts, ends, strict=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_truncated_export_loses_no_complete_message(data: st.DataObject) -> None:
    raw = CHANNEL.read_bytes()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    full = read(CHANNEL)
    with written(raw[:cut]) as path:
        items = read(path)
    if cut < raw.index(b'"messages": [') + len(b'"messages": ['):
        (bad,) = items  # no chat to read: the file is rejected whole
        assert isinstance(bad, Reject)
        assert bad.pointer == ""
        return
    spans = _message_spans(raw)
    kept = [(s, e) for s, e in spans if e <= cut]
    # each complete message has the outcome it has in the whole file, in order
    outcome = [i for i in full if not isinstance(i, Account)][: len(kept)]
    got = [i for i in items if not isinstance(i, Account)]
    assert len(got) in (len(kept), len(kept) + 1)
    for before, after in zip(outcome, got, strict=False):
        assert type(before) is type(after)
        if isinstance(before, Post) and isinstance(after, Post):
            assert after._replace(source="", source_line=None) == before._replace(source="")
    if len(got) > len(kept):  # the message cut in two
        assert isinstance(got[-1], Reject)
        assert any(s < cut < e for s, e in spans)


_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.floats(allow_nan=False, allow_infinity=False),
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_MESSAGE = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.integers(min_value=-5, max_value=2**70), st.text(max_size=4)),
        "type": st.sampled_from(["message", "service", "unsupported", "other"]),
        "date_unixtime": st.one_of(st.text(max_size=12), st.integers(), st.none()),
        "date": st.text(max_size=20),
        "from_id": st.one_of(st.text(max_size=12), st.integers()),
        "text": _VALUE,
        "text_entities": _VALUE,
        "reply_to_message_id": _VALUE,
        "reply_to_peer_id": _VALUE,
        "photo": _VALUE,
        "file": _VALUE,
        "reactions": _VALUE,
        "views": _VALUE,
        "forwarded_from": _VALUE,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_MESSAGE, _VALUE), max_size=6), st.sampled_from(["id", "no-id"]))
def test_every_message_is_accounted_for(messages: list[Any], chat_id: str) -> None:
    document = copy.deepcopy(channel())
    document["messages"] = messages
    if chat_id == "no-id":
        del document["id"]
    with written(dump(document)) as path:
        items = read(path)
    outcomes = [i for i in items if not isinstance(i, Account)]
    assert len(outcomes) == len(messages)
    for raw, item in zip(messages, outcomes, strict=True):
        if isinstance(raw, dict) and raw.get("type") in ("service", "unsupported"):
            assert isinstance(item, Skipped)
        else:
            assert isinstance(item, Post | Reject)


# --- the lazy read of an export of the usual shape equals the whole-document read ----------

_CHAT_MESSAGES = st.lists(st.one_of(_MESSAGE, st.builds(message, st.integers(1, 9))), max_size=4)


@st.composite
def _exports(draw: st.DrawFn) -> bytes:
    """Exports of the usual shape and near it (odd sections, chats without a list of messages,
    other top-level fields), sometimes with bad bytes or a control-character escape in one
    chosen part (the export's, a section's or a chat's own fields, a message), or cut short."""
    document: dict[str, Any] = {}
    if draw(st.booleans()):
        document = copy.deepcopy(channel())
        document["messages"] = [
            *draw(_CHAT_MESSAGES),
            message(50, text="MARK-msg"),
            *document["messages"][:2],
        ]
    if draw(st.booleans()):
        document["about"] = draw(st.sampled_from(["MARK-top", ["MARK-top", 1], {"a": "MARK-top"}]))
    for section in ("chats", "left_chats"):
        if draw(st.booleans()):
            chats = []
            for n in range(draw(st.integers(0, 2))):
                chat = {"name": f"c{n}", "type": "public_channel", "id": 100 + n, "x": "MARK-chat"}
                chat["messages"] = draw(_CHAT_MESSAGES | _VALUE)
                chats.append(draw(st.sampled_from([chat, {"name": "x"}, chat])))
            document[section] = draw(
                st.sampled_from([{"about": "MARK-sec", "list": chats}, {"list": chats}, chats, 7])
            )
    data = dump(document)
    damage = draw(st.sampled_from(["none", "byte", "escape", "cut"]))
    part = draw(st.sampled_from(["top", "sec", "chat", "msg"])).encode()
    if damage == "byte":
        data = data.replace(b"MARK-" + part, b"\xff" + part, 1)
    elif damage == "escape":
        data = data.replace(b"MARK-" + part, b"\\x0B" + part, 1)
    elif damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_exports())
def test_lazy_read_equals_the_whole_document_read(data: bytes) -> None:
    with written(data) as path:
        assert list(telegram.read(path, OPTIONS)) == list(telegram._read_whole(path, data, OPTIONS))


def test_usual_exports_are_read_lazily() -> None:
    """The fixture channel and a full account export take the lazy path; a message with
    bad bytes or a number out of range, or a chat without messages, sends the export the
    whole-document way (which salvages or rejects it as before)."""
    full = {"about": "x", "chats": {"about": "y", "list": [channel(), group()]}}
    assert telegram._lazy_chats(dump(channel())) is not None
    chats = telegram._lazy_chats(dump(full))
    assert chats is not None
    assert [(p, f["id"], len(m)) for p, f, m in chats] == [
        (".chats.list[0]", channel()["id"], len(channel()["messages"])),
        (".chats.list[1]", 1844003021, len(group()["messages"])),
    ]
    infinite = dump(channel()).replace(b'"id": 1,', b'"id": 1e999,', 1)
    assert infinite != dump(channel())
    assert telegram._lazy_chats(infinite) is None
    bad = dump(channel()).replace(b'"text": "', b'"text": "\xff', 1)
    assert telegram._lazy_chats(bad) is None
    assert telegram._lazy_chats(dump({"chats": {"list": [{"name": "x"}]}})) is None


@pytest.mark.parametrize("part", ["top", "sec", "chat", "msg", None])
@pytest.mark.parametrize("bad", [b"\xff", b"\\x0B"])
def test_bad_bytes_anywhere_read_as_the_whole_document_does(part: str | None, bad: bytes) -> None:
    """Bad bytes (which msgspec does not look at in the parts it skips) or a control escape
    in any part of an export: the lazy read must not hide them."""
    chat = {"name": "c", "type": "public_channel", "id": 100, "x": "MARK-chat"}
    chat["messages"] = [message(1, text="MARK-msg"), message(2)]
    document = channel() | {
        "about": "MARK-top",
        "chats": {"about": "MARK-sec", "list": [chat, group()]},
    }
    data = dump(document)
    if part is not None:
        data = data.replace(f"MARK-{part}".encode(), bad + part.encode(), 1)
    with written(data) as path:
        lazy = list(telegram.read(path, OPTIONS))
        assert lazy == list(telegram._read_whole(path, data, OPTIONS))
    assert (telegram._lazy_chats(data) is None) == (part is not None)


def test_deeply_nested_export_is_read_whole() -> None:
    """msgspec gives up near 1,000 levels, before orjson (1,024): such an export is parsed
    whole, as before."""
    deep = b"[" * 1010 + b"]" * 1010
    data = dump(channel()).replace(b'"text": "', b'"deep": ' + deep + b', "text": "', 1)
    assert telegram._lazy_chats(data) is None
    with written(data) as path:
        items = list(telegram.read(path, OPTIONS))
        assert items == list(telegram._read_whole(path, data, OPTIONS))
    assert len(posts(items)) >= 5
