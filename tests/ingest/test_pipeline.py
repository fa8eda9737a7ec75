"""The ingest run: counts that add up, idempotent re-ingest, sniffing, unknown files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lagebild.errors import FormatError, UnknownFormatError
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.pipeline import _spans, ingest
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.conftest import EXAMPLES


def _count(store: PostStore, table: str) -> int:
    return int(store.query(f"SELECT count(*) AS n FROM {table}").column(0)[0].as_py())


def test_examples_counts_add_up_and_reingest_adds_nothing(
    store: PostStore, registry: Registry
) -> None:
    first = ingest(store, [EXAMPLES], registry=registry)
    assert first.files
    assert not first.unrecognized
    for f in first.files:
        assert f.read == f.stored + f.duplicates + f.quarantined, f.path
    assert _count(store, "posts") == first.total("stored")
    distinct = store.query(
        "SELECT count(*) AS n FROM (SELECT DISTINCT platform, post_id FROM posts)"
    ).column(0)[0]
    assert distinct.as_py() == first.total("stored")
    formats = {f.format for f in first.files}
    assert {"coortweet", "twitter-io", "ira-538", "generic"} <= formats
    snapshots = _count(store, "account_history")
    second = ingest(store, [EXAMPLES], registry=registry)
    assert second.total("stored") == 0
    assert second.total("duplicates") == first.total("stored") + first.total("duplicates")
    assert second.total("quarantined") == first.total("quarantined")
    assert _count(store, "posts") == first.total("stored")
    assert _count(store, "account_history") == snapshots


def test_quarantine_names_file_line_and_reason(
    store: PostStore, registry: Registry, fixtures: Path
) -> None:
    path = fixtures / "twitter_io" / "io_archive.csv"
    result = ingest(store, [path], registry=registry)
    (f,) = result.files
    assert (f.read, f.stored, f.quarantined) == (8, 4, 4)
    rows = store.query("SELECT source, line, reason FROM quarantine ORDER BY line").to_pylist()
    assert [r["line"] for r in rows] == [7, 8, 9, 10]
    assert all(r["source"] == str(path) for r in rows)


def test_unknown_file_names_the_formats_tried(
    store: PostStore, registry: Registry, tmp_path: Path
) -> None:
    odd = tmp_path / "notes.csv"
    odd.write_text("what,ever\n1,2\n")
    with pytest.raises(UnknownFormatError) as err:
        ingest(store, [odd], registry=registry)
    message = str(err.value)
    for name in registry.formats:
        assert name in message
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(odd, folder / "notes.csv")
    (folder / "README.md").write_text("not data")
    result = ingest(store, [folder], registry=registry)
    assert result.files == []
    assert [u["path"] for u in result.unrecognized] == [str(folder / "notes.csv")]


def test_missing_path(store: PostStore, registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        ingest(store, [tmp_path / "nope.json"], registry=registry)


def test_forced_format_and_options(store: PostStore, registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    path.write_text("account_id,post_id,object_id,timestamp\nfb_1,9,https://x.de/a,1600000000\n")
    result = ingest(
        store,
        [path],
        registry=registry,
        format_name="coortweet",
        options=ReadOptions(object_kind="url"),
    )
    assert result.total("stored") == 1
    rows = store.query("SELECT platform, urls, domains FROM posts").to_pylist()
    assert rows == [{"platform": "facebook", "urls": ["https://x.de/a"], "domains": ["x.de"]}]


def test_small_batches_give_the_same_result(
    tmp_path: Path, registry: Registry, fixtures: Path
) -> None:
    # a format without a columnar path: that one hands the store batches of millions
    a = PostStore(tmp_path / "a")
    b = PostStore(tmp_path / "b")
    ingest(a, [fixtures / "ira538"], registry=registry)
    ingest(b, [fixtures / "ira538"], registry=registry, batch_size=3)
    q = "SELECT * EXCLUDE (collected_at) FROM posts ORDER BY platform, post_id"
    assert a.query(q).to_pylist() == b.query(q).to_pylist()
    assert len(b.parts("posts")) > 1


def test_parallel_spans_give_the_same_store_as_a_sequential_read(
    tmp_path: Path, registry: Registry
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLES / "twitter_io" / "io_archive_sample.csv", src / "io.csv")
    shutil.copy(EXAMPLES / "twitter_v2" / "btw25-search.jsonl", src / "v2.jsonl")
    lines = (EXAMPLES / "generic" / "canonical.jsonl").read_text()
    (src / "generic.jsonl").write_text(lines + "{broken\n" + lines)
    for name, fmt in (("io.csv", "twitter-io"), ("v2.jsonl", "twitter-v2")):
        assert len(_spans(src / name, registry.format(fmt), 3000)) > 1
    seq = PostStore(tmp_path / "seq")
    a = ingest(seq, [src], registry=registry, workers=1)
    # the spans' batches written as they come (write_rows=1), in writes of a few of them,
    # and all in one write
    for write_rows in (1, 10, 10_000):
        par = PostStore(tmp_path / f"par{write_rows}")
        b = ingest(
            par,
            [src],
            registry=registry,
            workers=2,
            chunk_bytes=3000,
            batch_size=7,
            write_rows=write_rows,
        )
        assert [f.as_dict() | {"seconds": 0} for f in a.files] == [
            f.as_dict() | {"seconds": 0} for f in b.files
        ]
        for table, order in (
            ("posts", "platform, post_id"),
            ("quarantine", "source, line"),
            ("account_history", "platform, account_id, followers"),
        ):
            q = f"SELECT * EXCLUDE (collected_at) FROM {table} ORDER BY {order}"
            if table != "posts":
                q = (
                    f"SELECT * EXCLUDE ({'quarantined_at' if table == 'quarantine' else '_part'}) "
                    f"FROM {table} ORDER BY {order}"
                )
            assert seq.query(q).to_pylist() == par.query(q).to_pylist(), (table, write_rows)
    few, one = PostStore(tmp_path / "par1").parts("posts"), PostStore(tmp_path / "par10000")
    assert len(few) > len(one.parts("posts"))
