"""What every source format shares: its interface, and helpers for values and JSON input.

A source format is one module with a pure ``normalize(raw, ...) -> Post`` (or a handful of
such functions) and a ``read(path, options)`` generator that yields :class:`~lagebild.model.Post`,
:class:`~lagebild.model.Account` and :class:`~lagebild.model.Reject` items. A malformed record
becomes a ``Reject`` naming the file, line, pointer and reason; a reader never raises for a bad
record, only for a file it cannot open at all.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

import ciso8601
import msgspec
import orjson
import pyarrow as pa

from lagebild.errors import RecordError
from lagebild.ingest.urls import normalize_url, registered_domain
from lagebild.model import Account, Post, Reject

__all__ = [
    "MALFORMED",
    "TZ_ABBREVIATIONS",
    "Batch",
    "Head",
    "Item",
    "LocalId",
    "ReadOptions",
    "Record",
    "Skipped",
    "SourceFormat",
    "Span",
    "Where",
    "iter_json_values",
    "lazy_elements",
    "link_fields",
    "make_reject",
    "opt_bool",
    "opt_int",
    "opt_str",
    "parse_time",
    "read_json_source",
    "req_str",
]


class Skipped(NamedTuple):
    """An input record that is valid but not a post (a like, a service message, a deletion).

    Readers yield it so that nothing disappears silently: the ingest report counts skipped
    records by ``kind``.
    """

    source: str
    line: int | None
    kind: str


class LocalId(NamedTuple):
    """A reader learnt that a server-local id names this post (Mastodon's status ids).

    Yielded only when a reader reads a span of a file: it resolves references within its
    span, and its format's ``join_spans`` resolves the rest across spans.
    """

    local_id: str
    post_id: str


#: What a record of an input gives.
Record: TypeAlias = Post | Account | Reject | Skipped
#: What a reader yields.
Item: TypeAlias = Record | LocalId

#: Exceptions that mean "this record has an unexpected shape": quarantine it, go on.
MALFORMED: tuple[type[Exception], ...] = (
    RecordError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    OverflowError,
    RecursionError,
    AssertionError,
)

_RAW_LIMIT = 65_536


class Span(NamedTuple):
    """A byte range of a file that holds whole records, so it can be read on its own.

    ``first_line`` is the line number at ``start``. Spans let the pipeline read one large
    JSON Lines or CSV file in several processes at once.
    """

    start: int
    end: int
    first_line: int


@dataclass(frozen=True)
class ReadOptions:
    """Options a reader may use; each reader documents the ones it reads.

    ``object_kind`` is for share tables (CooRTweet): what ``object_id`` means. ``mapping`` is for
    generic tables: canonical field name -> input column. ``platform`` overrides or supplies
    the platform. ``collected_at`` is the ingest time, used when an export does not say when
    it was collected.
    """

    object_kind: str = "repost"
    mapping: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None
    collected_at: dt.datetime | None = None
    time_format: str | None = None
    span: Span | None = None


@dataclass
class Batch:
    """What a reader produced for up to ``batch_size`` posts, as Arrow tables."""

    posts: pa.Table
    accounts: pa.Table
    rejects: pa.Table
    skipped: Counter[str]
    accounts_read: int
    #: the :class:`LocalId` pairs of the batch's records, in file order
    local_ids: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Head:
    """The first bytes of a file and what can be cheaply learnt from them, for sniffing."""

    path: Path
    text: str
    first_json: Any = None
    csv_header: tuple[str, ...] | None = None
    parquet_columns: tuple[str, ...] | None = None

    @property
    def suffix(self) -> str:
        """Lower-case file suffix, without compression suffixes."""
        return self.path.suffix.lower()


@dataclass(frozen=True)
class SourceFormat:
    """A registered source format: how to recognise it and how to read it.

    ``sniff`` returns True when a file looks like this format; ``priority`` breaks ties (the
    generic formats have the lowest). ``options`` names the :class:`ReadOptions` it reads.
    ``split`` names the layouts in which a large file may be cut into spans read in parallel:
    ``"lines"`` (JSON Lines) and/or ``"csv"`` (CSV records); a format that names any honours
    ``ReadOptions.span``. ``read_tables`` is an optional columnar path for whole flat files
    (see :mod:`lagebild.ingest.columnar`): it returns the batches, or ``None`` when it cannot
    read the file exactly, in which case ``read`` is used. ``join_spans`` (for formats whose
    records refer to each other across the file) turns the batches of a file's spans, one list
    per span in file order, into the batches to write, so that the result equals a sequential
    read.
    """

    name: str
    title: str
    platforms: tuple[str, ...]
    sniff: Callable[[Head], bool]
    read: Callable[[Path, ReadOptions], Iterator[Item]]
    priority: int = 0
    options: tuple[str, ...] = ()
    split: tuple[str, ...] = ()
    read_tables: Callable[[Path, ReadOptions, int], list[Batch] | None] | None = None
    join_spans: Callable[[Iterable[list[Batch]]], Iterator[Batch]] | None = None


class Where(NamedTuple):
    """Where a record sits in its input: file, line, byte offset and JSON pointer."""

    source: str
    line: int | None
    offset: int | None
    pointer: str = ""

    def at(self, pointer: str) -> Where:
        """The same place, one level deeper."""
        return self._replace(pointer=f"{self.pointer}{pointer}")


def make_reject(where: Where, fmt: str, reason: str | BaseException, raw: Any) -> Reject:
    """A quarantine record for a malformed input record."""
    if isinstance(reason, BaseException):
        reason = describe(reason)
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="backslashreplace")
    elif isinstance(raw, str):
        text = raw
    else:
        try:
            text = orjson.dumps(raw, default=str).decode()
        except (TypeError, orjson.JSONEncodeError):
            try:
                text = repr(raw)
            except RecursionError:
                text = f"<{type(raw).__name__} nested too deeply to show>"
    return Reject(
        source=where.source,
        line=where.line,
        offset=where.offset,
        pointer=where.pointer,
        format=fmt,
        reason=reason,
        raw=text[:_RAW_LIMIT],
    )


def describe(exc: BaseException) -> str:
    """A one-line reason for a malformed record."""
    if isinstance(exc, RecordError):
        return exc.message
    if isinstance(exc, RecursionError):
        return "unexpected shape: nested too deeply"
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return f"unexpected shape: {type(exc).__name__}: {exc}"


# --- values -----------------------------------------------------------------------------

TZ_ABBREVIATIONS: dict[str, float] = {
    # zone abbreviations exports write after a local time (CrowdTangle uses the dashboard's
    # zone); ambiguous ones take their most common meaning in our users' exports
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3,
    "EAT": 3, "SAST": 2, "CAT": 2, "WAT": 1, "GST": 4, "PKT": 5, "ICT": 7, "WIB": 7,
    "SGT": 8, "HKT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5,
    "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "BRT": -3, "ART": -3, "CLT": -4, "CLST": -3, "AST": -4, "ADT": -3, "NST": -3.5,
    "NDT": -2.5, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_TRAILING_TZ = re.compile(r"^(.*\d)\s+([A-Z]{1,5})$")
_ISO_ENDS = frozenset("0123456789Z")
_parse_iso = ciso8601.parse_datetime
_MIN_TIME = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
_MAX_TIME = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def parse_time(value: Any, field_name: str = "created_at") -> dt.datetime:
    """A timezone-aware UTC datetime from the time shapes exports use.

    Accepts ISO 8601 (with or without offset; naive means UTC), ``YYYY-MM-DD HH:MM[:SS]``,
    a trailing zone abbreviation (``2021-09-20 13:00:03 CEST``, CrowdTangle), POSIX seconds
    (int, float or digits; values above 1e11 are taken as milliseconds), the X v1.1 form
    ``Wed Oct 10 20:19:24 +0000 2018``, and datetimes. Anything else, or a year outside
    1990-2099, raises :class:`RecordError` naming the field.
    """
    if type(value) is str and len(value) >= 16 and value[4] == "-" and value[-1] in _ISO_ENDS:
        # fast path for the ISO 8601 forms most exports write
        try:
            out = _parse_iso(value)
        except ValueError:
            pass
        else:
            if out.tzinfo is None:
                out = out.replace(tzinfo=dt.UTC)
            elif out.utcoffset():
                out = out.astimezone(dt.UTC)
            if _MIN_TIME <= out < _MAX_TIME:
                return out
    try:
        out = _parse_time(value)
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        raise RecordError(f"unparsable {field_name}: {value!r} ({exc})") from None
    if not _MIN_TIME <= out < _MAX_TIME:
        raise RecordError(f"implausible {field_name}: {value!r} (outside 1990-2099)")
    return out


def _parse_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, bool) or value is None:
        raise ValueError("not a time")
    elif isinstance(value, int | float):
        return _from_epoch(float(value))
    else:
        s = str(value).strip()
        if not s:
            raise ValueError("empty")
        if s.replace(".", "", 1).isdigit():
            return _from_epoch(float(s))
        m = _TRAILING_TZ.match(s)
        if m and m.group(2) in TZ_ABBREVIATIONS:
            naive = ciso8601.parse_datetime_as_naive(m.group(1))
            return (naive - dt.timedelta(hours=TZ_ABBREVIATIONS[m.group(2)])).replace(tzinfo=dt.UTC)
        try:
            d = ciso8601.parse_datetime(s)
        except ValueError:
            d = dt.datetime.strptime(s, "%a %b %d %H:%M:%S %z %Y")
    if d.tzinfo is None:
        return d.replace(tzinfo=dt.UTC)
    return d.astimezone(dt.UTC)


def _from_epoch(seconds: float) -> dt.datetime:
    if seconds > 1e11:
        seconds /= 1000.0
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def opt_int(value: Any, field_name: str = "count") -> int | None:
    """An optional non-negative count: ``None``/empty stays missing, junk is an error."""
    if value is None or value == "":
        return None
    if type(value) is str and value.isdigit() and len(value) < 19:
        return int(value)
    if isinstance(value, bool):
        raise RecordError(f"{field_name} is not a number: {value!r}")
    if isinstance(value, int):
        out = value
    else:
        s = str(value).strip().replace(",", "")
        if not s or s.lower() in ("nan", "null", "none"):
            return None
        try:
            out = int(float(s)) if "." in s or "e" in s.lower() else int(s)
        except ValueError:
            raise RecordError(f"{field_name} is not a number: {value!r}") from None
    if out < 0 or out >= 2**63:
        raise RecordError(f"{field_name} out of range: {value!r}")
    return out


def opt_str(value: Any) -> str | None:
    """An optional string: ``None`` and empty strings are missing."""
    if value is None:
        return None
    s = value if isinstance(value, str) else str(value)
    return s if s else None


def req_str(value: Any, field_name: str) -> str:
    """A required identifier-like string; missing or empty raises :class:`RecordError`."""
    if value is None or isinstance(value, bool | dict | list):
        raise RecordError(f"missing or invalid {field_name}: {value!r}")
    s = value if isinstance(value, str) else str(value)
    s = s.strip()
    if not s:
        raise RecordError(f"empty {field_name}")
    return s


def opt_bool(value: Any) -> bool | None:
    """An optional boolean from JSON booleans or CSV words."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("true", "1", "yes", "t", "y"):
        return True
    if s in ("false", "0", "no", "f", "n"):
        return False
    return None


_NO_LINKS: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


@lru_cache(maxsize=1 << 17)
def _one_link(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    url = normalize_url(raw)
    return ((url,), (registered_domain(url),)) if url is not None else _NO_LINKS


def link_fields(raw_urls: Iterable[str | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Normalised, de-duplicated URLs and their distinct registered domains (first seen first)."""
    if isinstance(raw_urls, list | tuple):
        if not raw_urls:
            return _NO_LINKS
        if len(raw_urls) == 1:
            first = raw_urls[0]
            return _one_link(first) if first else _NO_LINKS
    urls: dict[str, None] = {}
    for raw in raw_urls:
        if raw:
            url = normalize_url(raw)
            if url is not None:
                urls[url] = None
    keys = tuple(urls)
    return keys, tuple(dict.fromkeys(registered_domain(u) for u in keys))


# --- JSON input -------------------------------------------------------------------------


def iter_json_values(
    path: Path,
    fmt: str,
    span: Span | None = None,
    loads: Callable[[bytes], Any] = orjson.loads,
) -> Iterator[tuple[Where, Any] | Reject]:
    """The JSON values of a file: one per line (JSON Lines), or the elements of a top-level
    array, or a single top-level object. A broken line becomes a :class:`Reject`. With a
    ``span``, only the JSON Lines in that byte range are read.

    ``loads`` decodes one line of JSON Lines (a reader may decode straight into its own
    types); it raises ``orjson.JSONDecodeError`` for a line that is not JSON.
    """
    if span is not None:
        yield from _json_lines(path, fmt, span.start, span.end, span.first_line, loads)
        return
    with path.open("rb") as fh:
        first_line = b""
        while not first_line.strip(b"\xef\xbb\xbf \t\r\n"):
            line = fh.readline()
            if not line:
                break
            first_line = line
        stripped = first_line.lstrip(b"\xef\xbb\xbf \t\r\n")
    # (a later line is looked for first: a one-line document is then not parsed here whole)
    if stripped.startswith(b"[") and not (_later_line_parses(path) and _parses(stripped)):
        yield from _json_document(path, fmt, array=True)
        return
    if stripped.startswith(b"{") and not _later_line_parses(path) and not _parses(stripped):
        yield from _json_document(path, fmt, array=False)
        return
    yield from _json_lines(path, fmt, 0, None, 1, loads)


def _later_line_parses(path: Path) -> bool:
    """Whether the second non-blank line is a JSON value: JSON Lines whose first line broke."""
    with path.open("rb") as fh:
        seen = 0
        for line in fh:
            if line.strip():
                seen += 1
                if seen == 2:
                    return line.lstrip()[:1] in (b"{", b"[") and _parses(line)
    return False


def _json_lines(
    path: Path,
    fmt: str,
    start: int,
    end: int | None,
    first_line: int,
    loads: Callable[[bytes], Any] = orjson.loads,
) -> Iterator[tuple[Where, Any] | Reject]:
    source = str(path)
    with path.open("rb") as fh:
        fh.seek(start)
        offset = start
        for lineno, line in enumerate(fh, start=first_line):
            if end is not None and offset >= end:
                break
            here, offset = offset, offset + len(line)
            if here == 0 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            try:
                value = loads(line)
            except orjson.JSONDecodeError as exc:
                yield make_reject(
                    Where(source, lineno, here), fmt, f"not valid JSON/UTF-8: {exc}", line
                )
                continue
            yield Where(source, lineno, here), value


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def load_document(data: bytes) -> Any:
    """``orjson.loads`` of a whole document, the garbage collector paused meanwhile.

    Parsing a large export builds millions of dicts and lists, which form no cycles; the
    collector would walk all of them again and again while they are built.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        return orjson.loads(data)
    finally:
        if was_on:
            gc.enable()


@contextmanager
def collector_spared() -> Iterator[None]:
    """Keep the garbage collector off the objects alive now (a parsed document) while the
    block runs: they stay alive, form no cycles, and would be walked at every full
    collection (a quarter of the time of reading a large Telegram export)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _json_document(path: Path, fmt: str, *, array: bool) -> Iterator[tuple[Where, Any] | Reject]:
    """The values of a file that is one JSON document: an array's elements, decoded one at a
    time when the array parses (see :func:`lazy_elements`), else the document parsed whole."""
    data = path.read_bytes()
    elements = lazy_elements(data) if array else None
    if elements is None:
        yield from _json_whole(path, fmt, data, array=array)
        return
    for i, element in enumerate(elements):
        yield Where(str(path), None, None, f"[{i}]"), orjson.loads(memoryview(element))


def _json_whole(
    path: Path, fmt: str, data: bytes, *, array: bool
) -> Iterator[tuple[Where, Any] | Reject]:
    where = Where(str(path), 1, 0)
    try:
        value = load_document(data)
    except orjson.JSONDecodeError as exc:
        yield make_reject(where, fmt, f"not a valid JSON document: {exc}", data)
        return
    del data
    with collector_spared():
        if array and isinstance(value, list):
            for i, element in enumerate(value):
                yield Where(str(path), None, None, f"[{i}]"), element
        else:
            yield where, value


def lazy_elements(data: bytes | memoryview) -> list[msgspec.Raw] | None:
    """The elements of a JSON array as raw JSON, to be decoded one at a time (a large array's
    parsed elements would take several times the file's memory); ``None`` unless ``data`` is
    an array whose whole parse succeeds (checked by decoding each element once; msgspec
    refuses nesting deeper than about 1,000 levels, so no element can pass alone that the
    whole would fail on orjson's limit of 1,024)."""
    try:
        elements = msgspec.json.decode(data, type=list[msgspec.Raw])
        for element in elements:
            orjson.loads(memoryview(element))
    except (msgspec.DecodeError, msgspec.ValidationError, orjson.JSONDecodeError, RecursionError):
        return None
    return elements


def read_json_source(
    path: Path,
    fmt: str,
    handle: Callable[[Any, Where], Iterable[Item]],
    span: Span | None = None,
    loads: Callable[[bytes], Any] = orjson.loads,
) -> Iterator[Item]:
    """Drive a JSON reader: every value goes through ``handle``; one that raises is rejected.

    ``handle`` yields the items of one value (a page may hold many posts) and may itself yield
    :class:`Reject` items for parts it can skip. The items of a value are collected before any
    is yielded, so a value is either read whole or quarantined whole. ``loads`` decodes a line
    of JSON Lines (see :func:`iter_json_values`).
    """
    for entry in iter_json_values(path, fmt, span, loads):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, value = entry
        try:
            items = list(handle(value, where))
        except MALFORMED as exc:
            yield make_reject(where, fmt, exc, value)
            continue
        yield from items
