"""Arrow table helpers shared by the readers and the store."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["take"]

#: Above this many contiguous runs, one gather beats concatenating slices.
_MAX_RUNS = 4096


def take(table: pa.Table, indices: pa.Array | pa.ChunkedArray | np.ndarray) -> pa.Table:
    """The rows of ``table`` at ``indices``, in that order.

    Indices that form a few contiguous runs (a table that is nearly in order, a batch with
    a few duplicates dropped) become slices of the table, which copies nothing; a gather of
    wide rows (texts, lists) costs about a second per million.
    """
    idx = np.asarray(indices, dtype=np.int64)
    if len(idx) == 0:
        return table.slice(0, 0)
    breaks = np.flatnonzero(np.diff(idx) != 1) + 1
    if len(breaks) >= _MAX_RUNS:
        return table.take(pa.array(idx))
    starts = np.concatenate(([0], breaks))
    stops = np.concatenate((breaks, [len(idx)]))
    if len(starts) == 1 and idx[0] == 0 and len(idx) == table.num_rows:
        return table
    return pa.concat_tables(
        [table.slice(int(idx[a]), int(b - a)) for a, b in zip(starts, stops, strict=True)]
    )
