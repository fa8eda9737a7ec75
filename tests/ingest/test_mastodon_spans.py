"""A Mastodon file read in parallel spans gives exactly what a sequential read gives.

Replies and quotes name their parent by a server-local id, resolved against every status of
the file (see :mod:`lagebild.ingest.mastodon`): a span resolves what it can, and
``join_spans`` the rest across spans, so the posts, their references and their order must
equal a sequential read's whatever the spans.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lagebild.ingest import mastodon
from lagebild.ingest.base import Batch, ReadOptions
from lagebild.ingest.pipeline import _spans, ingest, read_batches
from lagebild.ingest.split import plan_spans
from lagebild.plugins import Registry
from lagebild.store.posts import PostStore
from tests.conftest import EXAMPLES

OPTIONS = ReadOptions(collected_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
TEMPLATE: dict[str, Any] = orjson.loads(
    (EXAMPLES / "mastodon" / "btw25-hashtag-timeline.json").read_bytes()
)[0]

#: One status: (local id, uri number, replied-to local id, quoted local id, a boost?).
Status = tuple[int, int, int | None, int | None, bool]


def status(local: int, uri: int, reply: int | None, quote: int | None, boost: bool) -> bytes:
    """A status line from the example's first status; few local ids, so that they repeat
    (two servers' ids collide, and the same status comes twice)."""
    s = copy.deepcopy(TEMPLATE)
    s["id"] = str(local)
    s["uri"] = f"https://a.example/users/u/statuses/{uri}"
    s["url"] = s["uri"]
    s["in_reply_to_id"] = None if reply is None else str(reply)
    s["quote"] = None if quote is None else {"state": "accepted", "quoted_status_id": str(quote)}
    s["content"] = f"<p>Status {uri}</p>"
    if boost:  # the boosted status brings its own local id along
        inner = copy.deepcopy(s)
        inner["id"], inner["uri"] = str(local + 1), s["uri"] + "b"
        s["reblog"], s["uri"] = inner, s["uri"] + "/activity"
    return orjson.dumps(s) + b"\n"


def read_in_spans(path: Path, chunk: int, batch_size: int) -> list[Batch]:
    """What the pipeline's workers and ``join_spans`` give, in one process."""
    per_span = (
        list(read_batches(mastodon.FORMAT, path, dataclasses.replace(OPTIONS, span=s), batch_size))
        for s in plan_spans(path, "lines", chunk)
    )
    return list(mastodon.join_spans(per_span))


def posts(batches: list[Batch]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pa.concat_tables([b.posts for b in batches]).to_pylist()
    return rows


statuses = st.lists(
    st.tuples(
        st.integers(1, 12),
        st.integers(1, 30),
        st.none() | st.integers(1, 14),
        st.none() | st.integers(1, 14),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(statuses, st.integers(1, 4000), st.integers(1, 9))
@example(  # a reply to a later status, one to an earlier span, one to nothing, a collision
    [
        (1, 1, 5, None, False),
        (2, 2, None, None, False),
        (3, 3, 2, 1, False),
        (5, 4, None, None, False),
        (2, 5, 2, None, False),
        (6, 6, 9, None, True),
    ],
    600,
    2,
)
def test_spans_read_like_the_whole_file(
    tmp_path: Path, rows: list[Status], chunk: int, batch_size: int
) -> None:
    path = tmp_path / "statuses.jsonl"
    path.write_bytes(b"".join(status(*r) for r in rows))
    whole = list(read_batches(mastodon.FORMAT, path, OPTIONS, batch_size))
    parts = read_in_spans(path, chunk, batch_size)
    assert posts(parts) == posts(whole)
    # a batch keeps one snapshot per account, so the batches' cuts change how many repeat
    accounts = [pa.concat_tables([b.accounts for b in bs]).to_pylist() for bs in (parts, whole)]
    assert {orjson.dumps(a, option=orjson.OPT_SORT_KEYS) for a in accounts[0]} == {
        orjson.dumps(a, option=orjson.OPT_SORT_KEYS) for a in accounts[1]
    }
    rejects = [pa.concat_tables([b.rejects for b in bs]).to_pylist() for bs in (parts, whole)]
    assert rejects[0] == rejects[1]
    assert sum(b.accounts_read for b in parts) == sum(b.accounts_read for b in whole)


def test_the_example_resolves_across_spans(tmp_path: Path) -> None:
    path = tmp_path / "statuses.jsonl"
    # the parent (local 5) comes in the first span, its reply in a later one; a reply to a
    # later status is held back to the end, one to an unknown status stays local
    path.write_bytes(
        status(5, 1, None, None, False)
        + b"".join(status(100 + i, 100 + i, None, None, False) for i in range(8))
        + status(6, 2, 5, None, False)
        + status(7, 3, 8, None, False)
        + status(8, 4, None, 99, False)
    )
    assert len(plan_spans(path, "lines", 3000)) > 2
    got = {p["post_id"].rsplit("/", 1)[1]: p for p in posts(read_in_spans(path, 3000, 4))}
    assert got["2"]["reply_to"].endswith("/statuses/1")
    assert got["3"]["reply_to"].endswith("/statuses/4")
    assert got["4"]["quote_of"] == "local:99"
    # both held back to the end, in file order, as the whole-file read does
    assert list(got)[-2:] == ["3", "4"]


def test_parallel_ingest_equals_sequential(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "statuses.jsonl"
    rows = [(i % 50, i, (i * 7) % 60 or None, None, i % 9 == 0) for i in range(1, 400)]
    path.write_bytes(b"".join(status(*r) for r in rows) + b"{broken\n")
    assert len(_spans(path, registry.format("mastodon"), 20_000)) > 2
    seq, par = PostStore(tmp_path / "seq"), PostStore(tmp_path / "par")
    a = ingest(seq, [path], registry=registry, workers=1)
    b = ingest(par, [path], registry=registry, workers=2, chunk_bytes=20_000, batch_size=16)
    assert a.files[0].as_dict() | {"seconds": 0} == b.files[0].as_dict() | {"seconds": 0}
    q = "SELECT * EXCLUDE (collected_at) FROM posts ORDER BY post_id"
    assert seq.query(q).to_pylist() == par.query(q).to_pylist()
    assert seq.query("SELECT count(*) AS n FROM quarantine").to_pylist() == [{"n": 1}]
