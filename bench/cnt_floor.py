"""The least an engine query needs for the toolkit's co_retweet output, on the planted stores.

    python -m bench.cnt_floor [--work /tmp/benchcoord] [--posts 1000000] [--window 60]

Run after ``python -m bench.coordination --only cnt`` (which writes the stores). Each query
runs alone on a fresh DuckDB connection to the store, best of ``--repeat``; the table shows
how long the share rows, the matching pairs, and the filtered directed edges (the toolkit's
``co_retweet`` network: distinct posts of account 1 matched by account 2, weight ≥ 2) take,
with string and with integer-coded keys. See bench/README.md, part 2.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from lagebild.store.posts import PostStore

#: (label, the timed query); ``{w}`` is the window in seconds.
_STEPS: tuple[tuple[str, str], ...] = (
    (
        "share rows (repost_of, account, post, epoch)",
        "CREATE OR REPLACE TEMP TABLE s AS SELECT repost_of AS k, account_id AS a, post_id AS p, "
        "epoch(created_at) AS ts FROM posts WHERE repost_of IS NOT NULL",
    ),
    (
        "count the matching pairs (range join)",
        "SELECT count(*) FROM s x JOIN s y ON x.k = y.k "
        "AND y.ts BETWEEN x.ts - {w} AND x.ts + {w} WHERE x.a <> y.a",
    ),
    (
        "directed edges of weight >= 2, string keys",
        "SELECT count(*) FROM (SELECT x.a, y.a, count(DISTINCT x.p) AS w FROM s x JOIN s y "
        "ON x.k = y.k AND y.ts BETWEEN x.ts - {w} AND x.ts + {w} WHERE x.a <> y.a "
        "GROUP BY 1, 2 HAVING w >= 2)",
    ),
    (
        "coding the keys as integers",
        "CREATE OR REPLACE TEMP TABLE c AS SELECT row_number() OVER (ORDER BY k, ts) AS g, k, "
        "dense_rank() OVER (ORDER BY a) AS a, ts FROM s",
    ),
    (
        "directed edges of weight >= 2, integer keys",
        "SELECT count(*) FROM (SELECT x.a, y.a, count(DISTINCT x.g) AS w FROM c x JOIN c y "
        "ON x.k = y.k AND y.ts BETWEEN x.ts - {w} AND x.ts + {w} WHERE x.a <> y.a "
        "GROUP BY 1, 2 HAVING w >= 2)",
    ),
    (
        "the same, pairs from window bounds",
        "SELECT count(*) FROM (SELECT b.a, c.a, count(DISTINCT b.g) AS w FROM "
        "(SELECT g, a, unnest(range(lo, hi + 1)) AS g2 FROM (SELECT g, a, min(g) OVER v AS lo, "
        "max(g) OVER v AS hi FROM c WINDOW v AS (PARTITION BY k ORDER BY ts "
        "RANGE BETWEEN {w} PRECEDING AND {w} FOLLOWING)) WHERE hi > lo) b "
        "JOIN c ON c.g = b.g2 WHERE b.a <> c.a GROUP BY 1, 2 HAVING w >= 2)",
    ),
)


def measure(store: Path, window: int, repeat: int) -> list[tuple[str, float, int]]:
    """(label, best seconds, the query's count) per step, on one connection to ``store``."""
    con = PostStore(store).connect()
    out = []
    for label, sql in _STEPS:
        best, count = float("inf"), 0
        for _ in range(repeat):
            t = time.perf_counter()
            rows = con.execute(sql.format(w=window)).fetchall()
            best = min(best, time.perf_counter() - t)
            count = int(rows[0][0]) if rows else 0
        out.append((label, best, count))
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/benchcoord"))
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = {}
    for span in ("14d", "1d"):
        store = args.work / f"cnt-{args.posts}-{span}" / "store"
        if not store.exists():
            raise SystemExit(f"{store}: no store; run python -m bench.coordination --only cnt")
        runs[span] = measure(store, args.window, args.repeat)
    table = Table(
        title=f"co_retweet in DuckDB, {args.posts:,} planted posts, best of {args.repeat}"
    )
    for col in ("query", "14 days s", "rows", "1 day s", "rows"):
        table.add_column(col, justify="left" if col == "query" else "right")
    for (label, t14, n14), (_, t1, n1) in zip(runs["14d"], runs["1d"], strict=True):
        table.add_row(label, f"{t14:.2f}", f"{n14:,}", f"{t1:.2f}", f"{n1:,}")
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
