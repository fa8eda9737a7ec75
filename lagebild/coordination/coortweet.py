"""Co-sharing networks with CooRTweet's semantics, as one DuckDB query per object kind.

CooRTweet (Righetti & Balluff) flags two shares of the same object by different accounts whose
times differ by at most ``window`` seconds. This module reproduces CooRTweet 2.1.3's
``detect_groups`` + ``generate_coordinated_network`` exactly (tested on the reference outputs
of the 2021 German-election data), from the posts in the store:

* the time window is pairwise and inclusive (A@0, B@50, C@100 with 60 s: A-B and B-C, not
  A-C); same-account and same-post pairs are dropped;
* ``min_participation`` is applied twice: accounts with fewer share rows are dropped first;
  then a pair stays if either account has at least that many rows among the posts that appear
  in any coordinated pair;
* each object kind is detected on its own and the pairs are combined (as CooRTweet's
  vignette does for its multi-modal network);
* edge weight = number of coordinated share pairs of two accounts; the threshold is the
  ``edge_quantile`` quantile (R's type 7, linear) of all weights and an edge passes only if its
  weight is strictly above it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from lagebild.coordination.communities import Community, find_communities
from lagebild.errors import ConfigError

__all__ = ["KINDS", "CoordinationParams", "CoordinationResult", "detect_coortweet"]

#: Object kinds: the SQL that lists a post's objects of that kind.
KINDS: dict[str, str] = {
    "url": "unnest(urls)",
    "domain": "unnest(domains)",
    "hashtag": "unnest(hashtags)",
    "mention": "unnest(mentions)",
    "image": "unnest(media)",
    "repost": "repost_of",
    "reply": "reply_to",
    "text": "CASE WHEN length(trim(text)) > 0 THEN lower(trim(text)) END",
}


@dataclass(frozen=True)
class CoordinationParams:
    """Every threshold of the detector, with CooRTweet's defaults where it has them.

    ``window``: seconds between two shares (inclusive); ``min_participation``: share rows an
    account needs; ``edge_quantile``: quantile of edge weights an edge must exceed to enter the
    filtered network; ``by``: object kinds; ``platforms``: limit to these platforms (all when
    empty); ``seed``: for the Leiden community search (same seed, same communities).
    """

    by: tuple[str, ...] = ("url",)
    window: float = 10.0
    min_participation: int = 2
    edge_quantile: float = 0.5
    platforms: tuple[str, ...] = ()
    seed: int = 42

    def check(self) -> None:
        """Fail with a clear message on a parameter that cannot work."""
        unknown = [k for k in self.by if k not in KINDS]
        if not self.by or unknown:
            raise ConfigError(
                f"unknown object kind(s): {', '.join(unknown) or '(none given)'}",
                hint=f"use --by with any of: {', '.join(KINDS)}",
            )
        if self.window <= 0:
            raise ConfigError(f"window must be > 0 seconds, got {self.window}")
        if self.min_participation < 1:
            raise ConfigError(f"min_participation must be >= 1, got {self.min_participation}")
        if not 0 <= self.edge_quantile <= 1:
            raise ConfigError(f"edge_quantile must be within [0, 1], got {self.edge_quantile}")


@dataclass
class CoordinationResult:
    """Pairs, the full account network and the filtered one, as Arrow tables."""

    params: CoordinationParams
    pairs: pa.Table
    edges: pa.Table
    threshold: float | None
    filtered_edges: pa.Table
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    communities: list[Community] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts and parameters as plain JSON-able data."""
        return {
            "params": {**asdict(self.params), "by": list(self.params.by)},
            **self.counts,
            "weight_threshold": self.threshold,
            "communities": [
                {
                    "id": c.id,
                    "accounts": list(c.accounts),
                    "size": c.size,
                    "component": c.component,
                    "score": c.score,
                    "p_value": c.p_value,
                }
                for c in self.communities
            ],
            "seconds": round(self.seconds, 3),
        }


def _shares_sql(kind: str, platforms: tuple[str, ...]) -> str:
    where = ""
    if platforms:
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in platforms)
        where = f"WHERE platform IN ({listed})"
    return (
        f"SELECT DISTINCT object_id, account_id, platform, post_id, ts FROM ("
        f"SELECT {KINDS[kind]} AS object_id, account_id, platform, post_id, "
        f"epoch(created_at) AS ts FROM posts {where}) WHERE object_id IS NOT NULL"
    )


def _pairs_sql(kind: str, p: CoordinationParams) -> str:
    mp = int(p.min_participation)
    return f"""
      WITH shares AS ({_shares_sql(kind, p.platforms)}),
      active AS (SELECT *, floor(ts / {float(p.window)})::BIGINT AS bucket FROM shares
        WHERE account_id IN
        (SELECT account_id FROM shares GROUP BY account_id HAVING count(*) >= {mp})),
      -- a later share within the window lies in the same time bucket or the next one:
      -- two equi-joins instead of comparing every pair of shares of a popular object
      candidates AS (
        SELECT a.*, b.account_id AS b_account, b.platform AS b_platform, b.post_id AS b_post,
          b.ts AS b_ts
        FROM active a JOIN active b ON a.object_id = b.object_id AND b.bucket = a.bucket
        UNION ALL
        SELECT a.*, b.account_id, b.platform, b.post_id, b.ts
        FROM active a JOIN active b ON a.object_id = b.object_id AND b.bucket = a.bucket + 1
      ),
      pairs AS (
        SELECT object_id, account_id, b_account AS account_id_y,
          platform, post_id AS content_id, b_platform AS platform_y,
          b_post AS content_id_y, b_ts - ts AS time_delta
        FROM candidates
        WHERE account_id <> b_account
          AND NOT (platform = b_platform AND post_id = b_post)
          AND b_ts - ts BETWEEN 0 AND {float(p.window)}
          AND (b_ts > ts OR (b_ts = ts AND (platform, post_id) < (b_platform, b_post)))
      ),
      in_pairs AS (SELECT platform, content_id AS post_id FROM pairs
                   UNION SELECT platform_y, content_id_y FROM pairs),
      participation AS (SELECT account_id, count(*) AS n FROM active
                        WHERE (platform, post_id) IN (SELECT (platform, post_id) FROM in_pairs)
                        GROUP BY account_id)
      SELECT {("'" + kind + "'")} AS kind, p.* FROM pairs p
        LEFT JOIN participation x ON x.account_id = p.account_id
        LEFT JOIN participation y ON y.account_id = p.account_id_y
      WHERE coalesce(x.n, 0) >= {mp} OR coalesce(y.n, 0) >= {mp}
    """


def detect_coortweet(
    con: duckdb.DuckDBPyConnection, params: CoordinationParams
) -> CoordinationResult:
    """Coordinated share pairs and account networks over the ``posts`` view of ``con``."""
    params.check()
    started = time.perf_counter()
    union = " UNION ALL ".join(f"({_pairs_sql(k, params)})" for k in params.by)
    con.execute(f"CREATE OR REPLACE TEMP TABLE coord_pairs AS {union}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_edges AS SELECT "
        "least(account_id, account_id_y) AS account_id_x, "
        "greatest(account_id, account_id_y) AS account_id_y, count(*) AS weight, "
        "avg(time_delta) AS avg_time_delta, count(DISTINCT content_id) AS n_content_id, "
        "count(DISTINCT content_id_y) AS n_content_id_y, "
        "least(count(DISTINCT content_id), count(DISTINCT content_id_y)) / "
        "greatest(count(DISTINCT content_id), count(DISTINCT content_id_y)) "
        "AS edge_symmetry_score FROM coord_pairs GROUP BY 1, 2"
    )
    row = con.execute(
        f"SELECT quantile_cont(weight, {float(params.edge_quantile)}) FROM coord_edges"
    ).fetchall()
    threshold = float(row[0][0]) if row and row[0][0] is not None else None
    pairs = con.sql(
        "SELECT * FROM coord_pairs ORDER BY kind, object_id, content_id"
    ).to_arrow_table()
    edges = con.sql("SELECT * FROM coord_edges ORDER BY 1, 2").to_arrow_table()
    filtered = con.sql(
        "SELECT * FROM coord_edges WHERE weight > $t ORDER BY 1, 2",
        params={"t": threshold if threshold is not None else 0},
    ).to_arrow_table()
    assert pairs is not None and edges is not None and filtered is not None
    counts = {
        "pairs": pairs.num_rows,
        "objects": len(
            set(
                zip(
                    pairs.column("kind").to_pylist(),
                    pairs.column("object_id").to_pylist(),
                    strict=True,
                )
            )
        ),
        "accounts": len(
            set(edges.column("account_id_x").to_pylist())
            | set(edges.column("account_id_y").to_pylist())
        ),
        "edges": edges.num_rows,
        "filtered_edges": filtered.num_rows,
        "filtered_accounts": len(
            set(filtered.column("account_id_x").to_pylist())
            | set(filtered.column("account_id_y").to_pylist())
        ),
    }
    communities = find_communities(filtered, seed=params.seed)
    counts["components"] = len({c.component for c in communities})
    return CoordinationResult(
        params,
        pairs,
        edges,
        threshold,
        filtered,
        time.perf_counter() - started,
        counts,
        communities,
    )
