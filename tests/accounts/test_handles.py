"""Handle patterns: known cases, properties, and SQL that computes what the Python does."""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagebild.accounts.handles import (
    digit_share,
    entropy,
    handle_sql,
    is_default_pattern,
    local_part,
    no_vowels,
    trailing_digits,
)

HANDLE_CHARS = st.sampled_from(
    [*list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"), "é", "ß", "Ж"]
)
handles = st.text(HANDLE_CHARS, min_size=1, max_size=20)
PYTHON = {
    "handle_trailing_digits": trailing_digits,
    "handle_digit_share": digit_share,
    "handle_entropy": entropy,
    "handle_no_vowels": no_vowels,
    "handle_default_pattern": is_default_pattern,
}


@pytest.mark.parametrize(
    ("handle", "local"),
    [
        ("@alice", "alice"),
        ("bob@mastodon.social", "bob"),
        ("@bob@mastodon.social", "bob"),
        ("alice42.bsky.social", "alice42"),
        ("TEN_GOP", "TEN_GOP"),
    ],
)
def test_local_part(handle: str, local: str) -> None:
    assert local_part(handle) == local


def test_known_handles() -> None:
    assert is_default_pattern("Maria12345678") is True
    assert is_default_pattern("Maria_K12345678") is True
    assert is_default_pattern("Maria1234567") is False
    assert is_default_pattern("Maria123456789") is False
    assert is_default_pattern("12345678") is False
    assert trailing_digits("4MySquad4036537452") == 10
    assert trailing_digits("TEN_GOP") == 0
    assert digit_share("ab12") == 0.5
    assert no_vowels("xkcdqrst") is True
    assert no_vowels("xkcd") is True
    assert no_vowels("xkc") is False
    assert no_vowels("maria") is False
    assert entropy("aaaa") == 0.0
    assert entropy("abcd") == pytest.approx(2.0)
    assert entropy("AbAb") == pytest.approx(1.0)
    assert entropy("") is None


@given(handles, st.text(st.sampled_from("0123456789"), min_size=1, max_size=6))
def test_appended_digits_extend_the_trailing_run(handle: str, digits: str) -> None:
    assert trailing_digits(handle + digits) == trailing_digits(handle) + len(digits)


@given(handles)
def test_bounds(handle: str) -> None:
    share = digit_share(handle)
    h = entropy(handle)
    assert share is not None and 0.0 <= share <= 1.0
    assert h is not None and 0.0 <= h <= math.log2(len(handle)) + 1e-9
    assert trailing_digits(handle) <= len(handle)
    if is_default_pattern(handle):
        assert trailing_digits(handle) == 8
        assert no_vowels(handle) is not None


@settings(max_examples=25, deadline=None)
@given(st.lists(handles, min_size=1, max_size=30))
def test_sql_computes_what_python_does(batch: list[str]) -> None:
    con = duckdb.connect()
    con.register("h", pa.table({"handle": pa.array(batch, pa.string())}))
    sql = handle_sql("handle")
    rows = con.sql(f"SELECT handle, {', '.join(f'{e} AS {n}' for n, e in sql.items())} FROM h")
    for row in rows.to_arrow_table().to_pylist():
        for name, fn in PYTHON.items():
            expected = fn(row["handle"])
            if isinstance(expected, float):
                assert row[name] == pytest.approx(expected, abs=1e-9), (name, row["handle"])
            else:
                assert row[name] == expected, (name, row["handle"])


def test_sql_gives_null_for_missing_handles() -> None:
    con = duckdb.connect()
    con.register("h", pa.table({"handle": pa.array([None, "", "@"], pa.string())}))
    sql = handle_sql("handle")
    rows = con.sql(f"SELECT {', '.join(f'{e} AS {n}' for n, e in sql.items())} FROM h")
    for row in rows.to_arrow_table().to_pylist():
        assert set(row.values()) == {None}
