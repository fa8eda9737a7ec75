"""The SQL forms of the ingestion rules agree with Python on every value Hypothesis finds."""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from lagebild.errors import RecordError
from lagebild.ingest.base import parse_time
from lagebild.ingest.sql_rules import (
    PY_WHITESPACE,
    all_stripped,
    entity_sql,
    list_cell,
    stripped,
    time_sql,
)
from lagebild.ingest.tabular import list_field
from lagebild.ingest.text import (
    hashtags_from_text,
    mentions_from_text,
    unique,
    urls_from_text,
)

# white space of every kind Python strips, the separator all_stripped joins with, and letters
_CHARS = st.sampled_from(list(" \t\n\x0b\x0c\r\x1c\x1f\x85\xa0\u1680\u2000\u2028\u3000\x01aZ7ä€"))
_VALUES = st.lists(st.none() | st.text(_CHARS, max_size=6), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_all_stripped_is_every_value_stripped(values: list[str | None]) -> None:
    params = list(values)
    sql = all_stripped(["?"] * len(values))
    ((got,),) = duckdb.execute(f"SELECT {sql}", params).fetchall()
    expected = all(v is None or v == v.strip() for v in values)
    # a \x01 beside white space may only make the check stricter (the row goes to Python)
    if expected and not got:
        assert any(v and "\x01" in v for v in values)
    else:
        assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.text(_CHARS, max_size=6))
def test_stripped_is_python_strip(value: str) -> None:
    ((got,),) = duckdb.execute(f"SELECT {stripped('$1')}", [value]).fetchall()
    assert got == (value == value.strip())


_ABSENT = ("", "absent", "none")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.none()
        | st.sampled_from(["", "absent", "AbSeNt", "none", "nonex", "abſent", "x"])
        | st.text(_CHARS, max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_all_stripped_also_finds_absent_markers(values: list[str | None]) -> None:
    sql = all_stripped(["?"] * len(values), absent=_ABSENT)
    ((got,),) = duckdb.execute(f"SELECT {sql}", list(values)).fetchall()
    expected = all(v is None or (v == v.strip() and v.lower() not in _ABSENT) for v in values)
    # RE2 folds "ſ" to "s" and a \x01 may sit beside white space: only ever stricter
    if expected and not got:
        assert any(v and ("\x01" in v or "ſ" in v) for v in values)
    else:
        assert got == expected


_LIST_CHARS = st.sampled_from([*"[]a ,'\"\t\x0b\u3000\u2003\x1c", "bc", "ä", ", ", "[a, b]"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(_LIST_CHARS, max_size=12).map("".join))
def test_list_cell_is_list_field(value: str) -> None:
    ((got,),) = duckdb.execute(f"SELECT {list_cell('$1')}", [value or None]).fetchall()
    assert got == list_field(value)


def test_all_stripped_of_nothing_is_true() -> None:
    assert all_stripped([]) == "true"


# (İ and Σ lower differently in DuckDB: lower_sure sends such rows to Python)
_TEXT_CHARS = st.sampled_from([*"ab_7ä .-/@#＃&:,", "x" * 30, "http://t.co/", "www."])


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXT_CHARS, max_size=30).map("".join))
def test_entities_are_the_python_ones(text: str) -> None:
    urls, tags, mentions = entity_sql("$1")
    ((got_urls, got_tags, got_mentions),) = duckdb.execute(
        f"SELECT {urls}, {tags}, {mentions}", [text]
    ).fetchall()
    # the mapping de-duplicates afterwards (uniq), as urls_from_text does
    assert unique(got_urls) == urls_from_text(text)
    assert unique(got_tags) == hashtags_from_text(text)
    assert unique(got_mentions) == mentions_from_text(text)


def test_a_long_handle_is_cut_like_python() -> None:
    text = "hi @" + "a" * 70 + "@host.social and @" + "b" * 64 + "@inst.example"
    _, _, mentions = entity_sql("$1")
    ((got,),) = duckdb.execute(f"SELECT {mentions}", [text]).fetchall()
    assert tuple(got) == mentions_from_text(text) == ("a" * 64, "b" * 64 + "@inst.example")


_TIMES = st.one_of(
    st.datetimes(min_value=dt.datetime(1985, 1, 1), max_value=dt.datetime(2105, 1, 1)).flatmap(
        lambda d: st.sampled_from(
            [
                d.strftime("%Y-%m-%d %H:%M"),
                d.strftime("%Y-%m-%dT%H:%M:%S"),
                d.isoformat(),
                d.strftime("%Y-%m-%d"),
                d.strftime("%Y-%m-%d %H:%M:%SZ"),
                d.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
                d.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                d.strftime("%Y-%m-%d %H:%M-00:00"),
                d.strftime("%Y-%m-%d %H:%M:%S-05:30"),
                str(int(d.replace(tzinfo=dt.UTC).timestamp())),
                str(int(d.replace(tzinfo=dt.UTC).timestamp() * 1000) + d.microsecond // 1000),
            ]
        )
    ),
    st.text(st.sampled_from(list("0123456789-: TZ+.")), max_size=22),
)


@settings(max_examples=400, deadline=None)
@given(_TIMES)
def test_sql_times_are_python_times(value: str) -> None:
    ts, ok = time_sql("$1")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    ((got, sure),) = con.execute(f"SELECT {ts}, {ok}", [value]).fetchall()
    try:
        expected = parse_time(value)
    except RecordError:
        expected = None
    if sure:
        assert expected is not None and got.replace(tzinfo=dt.UTC) == expected


def test_py_whitespace_is_what_str_strip_removes() -> None:
    assert sorted(PY_WHITESPACE) == [c for c in map(chr, range(0x110000)) if c.isspace()]
