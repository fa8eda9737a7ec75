"""One contract every registered source format must keep (the scikit-learn way).

Random and truncated input never crashes a reader and never loses a record: a reader only
yields Post, Account, Reject and Skipped items, and raises at most a FormatError for a file
it cannot open at all.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.errors import FormatError, LagebildError
from lagebild.ingest.base import ReadOptions, Skipped
from lagebild.ingest.sniff import read_head
from lagebild.model import POST_SCHEMA, Account, Post, Reject, posts_to_table
from lagebild.plugins import BUILTIN_PLUGINS, load_registry
from tests.conftest import EXAMPLES, FIXTURES

REGISTRY = load_registry(entry_points=False)
NAMES = sorted(REGISTRY.formats)
SAMPLES = sorted(
    p
    for p in [*FIXTURES.rglob("*"), *EXAMPLES.rglob("*")]
    if p.is_file() and p.suffix in (".json", ".jsonl", ".csv", ".tsv", ".parquet")
)


def test_every_builtin_registers_a_format() -> None:
    assert len(BUILTIN_PLUGINS) == len(REGISTRY.formats)
    for fmt in REGISTRY.formats.values():
        assert fmt.name
        assert fmt.title
        assert callable(fmt.read)
        assert callable(fmt.sniff)
        assert fmt.read.__doc__ and fmt.sniff.__doc__


@pytest.mark.parametrize("name", NAMES)
def test_each_format_has_examples_and_docs(name: str) -> None:
    fmt = REGISTRY.formats[name]
    sniffed = [p for p in SAMPLES if fmt.sniff(read_head(p))]
    assert sniffed, f"no fixture or example is recognised as {name}"
    assert (Path(__file__).parents[2] / "docs" / "formats" / f"{name}.md").is_file()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_samples_read_into_valid_records(path: Path) -> None:
    fmt = max(
        (f for f in REGISTRY.formats.values() if f.sniff(read_head(path))),
        key=lambda f: f.priority,
        default=None,
    )
    if fmt is None:
        pytest.skip("no format claims this file (tested negative elsewhere)")
    items = list(fmt.read(path, ReadOptions()))
    posts = [i for i in items if isinstance(i, Post)]
    assert all(isinstance(i, Post | Account | Reject | Skipped) for i in items)
    table = posts_to_table(posts)
    assert table.schema == POST_SCHEMA
    for p in posts:
        assert p.created_at.tzinfo is not None
        assert p.platform == p.platform.lower()
        assert p.source == str(path)
        assert all(h == h.lower() and not h.startswith("#") for h in p.hashtags)


def _read_bytes(name: str, data: bytes, suffix: str) -> list[object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            return list(REGISTRY.formats[name].read(path, ReadOptions()))
        except FormatError:
            return []


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".json", ".jsonl", ".csv"]))
def test_random_bytes_never_crash(name: str, data: bytes, suffix: str) -> None:
    for item in _read_bytes(name, data, suffix):
        assert isinstance(item, Post | Account | Reject | Skipped)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(p.parents[2])))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_files_never_crash(path: Path, cut: float) -> None:
    data = path.read_bytes()
    data = data[: int(len(data) * cut)]
    for name in NAMES:
        try:
            items = _read_bytes(name, data, path.suffix)
        except LagebildError as exc:  # pragma: no cover - a failure message for people
            pytest.fail(f"{name} raised {exc!r} on a truncated {path.name}")
        assert all(isinstance(i, Post | Account | Reject | Skipped) for i in items)
