"""Value helpers shared by the readers."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Generator
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagebild.errors import RecordError
from lagebild.ingest import base
from lagebild.ingest.base import (
    collector_spared,
    iter_json_values,
    load_document,
    opt_bool,
    opt_int,
    parse_time,
)
from lagebild.model import Reject

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-09-20T08:15:00.000Z", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        ("2021-09-20T10:15:00+02:00", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        ("2021-09-20 08:15", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        ("2021-09-20 10:15:00 CEST", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        ("2021-09-20 04:15:00 EDT", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        (1632125700, dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        ("1632125700.0", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        (1632125700000, dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
        ("Mon Sep 20 08:15:00 +0000 2021", dt.datetime(2021, 9, 20, 8, 15, tzinfo=UTC)),
    ],
)
def test_parse_time(value: object, expected: dt.datetime) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["", None, "gestern", "2021-13-45", True, "1.5e3", 12])
def test_parse_time_rejects(value: object) -> None:
    with pytest.raises(RecordError, match="created_at"):
        parse_time(value)


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True)))
def test_parse_time_only_raises_record_error(value: object) -> None:
    try:
        out = parse_time(value)
    except RecordError:
        return
    assert out.tzinfo is UTC


def test_opt_int() -> None:
    assert opt_int(None) is None
    assert opt_int("") is None
    assert opt_int("1,234") == 1234
    assert opt_int("12.0") == 12
    assert opt_int(0) == 0
    with pytest.raises(RecordError):
        opt_int("-1")
    with pytest.raises(RecordError):
        opt_int("many")


def test_opt_bool() -> None:
    assert opt_bool("True") is True
    assert opt_bool("0") is False
    assert opt_bool("") is None


def test_iter_json_values_shapes(tmp_path: Path) -> None:
    lines = tmp_path / "a.jsonl"
    lines.write_bytes(b'{"a": 1}\n\n{broken\n\xff\xfe\n{"a": 2}\n')
    out = list(iter_json_values(lines, "t"))
    assert [e[1] for e in out if not isinstance(e, Reject)] == [{"a": 1}, {"a": 2}]
    rejects = [e for e in out if isinstance(e, Reject)]
    assert [(r.line, r.offset) for r in rejects] == [(3, 10), (4, 18)]
    array = tmp_path / "b.json"
    array.write_text('[\n {"a": 1},\n {"a": 2}\n]')
    assert [e[0].pointer for e in iter_json_values(array, "t") if not isinstance(e, Reject)] == [
        "[0]",
        "[1]",
    ]
    doc = tmp_path / "c.json"
    doc.write_text('{\n "a": 1\n}')
    assert [e[1] for e in iter_json_values(doc, "t")] == [{"a": 1}]
    truncated = tmp_path / "d.json"
    truncated.write_text('{\n "a": [1,\n')
    (only,) = list(iter_json_values(truncated, "t"))
    assert isinstance(only, Reject)
    assert "not a valid JSON document" in only.reason


@pytest.mark.parametrize("was_on", [True, False])
def test_load_document_restores_the_collector(was_on: bool) -> None:
    """The collector is paused only while a document is parsed, also when it breaks."""
    (gc.enable if was_on else gc.disable)()
    try:
        assert load_document(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
        assert gc.isenabled() is was_on
        with pytest.raises(orjson.JSONDecodeError):
            load_document(b'{"a": [1,')
        assert gc.isenabled() is was_on
    finally:
        gc.enable()


def test_collector_spared_freezes_only_inside() -> None:
    """Objects alive when the block starts are left to reference counting until it ends."""
    assert gc.get_freeze_count() == 0
    document = [{"n": i} for i in range(1000)]
    with collector_spared():
        assert gc.get_freeze_count() >= len(document)
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), collector_spared():
        raise RuntimeError("a reader failed")
    assert gc.get_freeze_count() == 0


def test_a_reader_left_half_read_unfreezes(tmp_path: Path) -> None:
    """A JSON array read only in part (its generator closed) leaves nothing frozen."""
    path = tmp_path / "array.json"
    # nested too deeply for msgspec (about 1,000 levels), not for orjson (1,024): parsed whole
    deep = b"[" * 1010 + b"]" * 1010
    path.write_bytes(b"[" + b",".join([deep] + [orjson.dumps({"id": i}) for i in range(10)]) + b"]")
    assert base.lazy_elements(path.read_bytes()) is None
    values = iter_json_values(path, "x")
    assert isinstance(values, Generator)
    next(values)
    assert gc.get_freeze_count() > 0
    values.close()
    assert gc.get_freeze_count() == 0


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=10,
)


@given(
    st.lists(_JSON, max_size=5),
    st.sampled_from(["none", "byte", "escape", "cut"]),
    st.integers(0, 10_000),
)
def test_an_array_read_lazily_equals_the_array_parsed_whole(
    values: list[object], damage: str, at: int
) -> None:
    """Elements decoded one at a time give what the whole parse gives, for any array, also
    one with a bad byte, a bad escape or cut short (those are parsed whole and rejected)."""
    import json
    import tempfile

    data = json.dumps(values).encode()  # big integers and NaN too, which orjson refuses
    at %= len(data) + 1
    if damage == "byte":
        data = data[:at] + b"\xff" + data[at:]
    elif damage == "escape":
        data = data.replace(b'"', b'"\\x0B', 1)
    elif damage == "cut":
        data = data[:at]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "array.json"
        path.write_bytes(data)
        lazy = list(base._json_document(path, "x", array=True))
        assert lazy == list(base._json_whole(path, "x", data, array=True))
