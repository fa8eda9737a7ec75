"""``take`` gives the rows a gather gives, whether it slices or gathers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from lagebild.store import arrow


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1)))))
def test_take_is_a_gather(case: tuple[int, list[int]]) -> None:
    n, idx = case
    table = pa.table({"a": list(range(n)), "t": [f"x{i}" for i in range(n)]})
    got = arrow.take(table, np.array(idx, dtype=np.int64))
    assert got.to_pylist() == table.take(pa.array(idx, pa.int64())).to_pylist()


def test_take_slices_few_runs_and_keeps_the_whole_table() -> None:
    table = pa.table({"a": list(range(10))})
    assert arrow.take(table, np.arange(10)) is table
    runs = arrow.take(table, np.array([5, 6, 7, 0, 1]))
    assert runs.column("a").num_chunks == 2  # two slices, nothing copied
    assert runs.column("a").to_pylist() == [5, 6, 7, 0, 1]
