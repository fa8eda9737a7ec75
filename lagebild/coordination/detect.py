"""Co-action networks: pairs of posts on the same object within seconds, and the accounts behind.

By default this follows CooRTweet 2.1.3's ``detect_groups`` + ``generate_coordinated_network``
exactly (tested on the reference outputs of the 2021 German-election data):

* the time window is pairwise and inclusive (A@0, B@50, C@100 with 60 s: A-B and B-C, not
  A-C); same-account and same-post pairs are dropped;
* ``min_participation`` is applied twice: accounts with fewer share rows are dropped first;
  then a pair stays if either account has at least that many rows among the posts that appear
  in any coordinated pair;
* each object kind is detected on its own and the pairs are combined into one multi-modal
  network (as CooRTweet's vignette does), across platforms;
* edge weight = number of coordinated share pairs of two accounts; the threshold is the
  ``edge_quantile`` quantile (R's type 7, linear) of all weights and an edge passes only if its
  weight is strictly above it.

Near matches (``similar_text``, images by Hamming distance) count one pair per post pair.
The window can be estimated from the data (:mod:`lagebild.coordination.window`), edges and
communities can be tested against a null model (:mod:`lagebild.coordination.significance`).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from lagebild.coordination.communities import Community, find_communities
from lagebild.coordination.kinds import KIND_NAMES, ShareQuery, platform_filter, share_queries
from lagebild.errors import ConfigError

__all__ = [
    "KINDS",
    "CoordinationParams",
    "CoordinationResult",
    "detect",
    "network_tables",
    "pairs_sql",
    "prepare",
    "shares_sql",
]

KINDS = KIND_NAMES


@dataclass(frozen=True)
class CoordinationParams:
    """Every threshold of the detector, with CooRTweet's defaults where it has them.

    ``window``: seconds between two shares (inclusive), ``None`` to estimate it from the data;
    ``min_participation``: share rows an account needs; ``edge_quantile``: quantile of edge
    weights an edge must exceed to enter the filtered network; ``by``: object kinds;
    ``platforms``: limit to these platforms (all when empty); ``seed``: for the communities and
    the null model; ``similarity``, ``shingle``, ``min_words``: Jaccard threshold, shingle size
    in words and shortest text for ``similar_text``; ``image_distance``: Hamming distance
    within which perceptual hashes match; ``null_runs``: null-model runs (0: none);
    ``null_bucket``: seconds of the time buckets the null model shuffles within.
    """

    by: tuple[str, ...] = ("url",)
    window: float | None = 10.0
    min_participation: int = 2
    edge_quantile: float = 0.5
    platforms: tuple[str, ...] = ()
    seed: int = 42
    similarity: float = 0.7
    shingle: int = 1
    min_words: int = 5
    image_distance: int = 0
    null_runs: int = 0
    null_bucket: float = 3600.0

    def check(self) -> None:
        """Fail with a clear message on a parameter that cannot work."""
        unknown = [k for k in self.by if k not in KINDS]
        if not self.by or unknown:
            raise ConfigError(
                f"unknown object kind(s): {', '.join(unknown) or '(none given)'}",
                hint=f"use --by with any of: {', '.join(KINDS)}",
            )
        if self.window is not None and not self.window > 0:
            raise ConfigError(f"window must be > 0 seconds, got {self.window}")
        if self.min_participation < 1:
            raise ConfigError(f"min_participation must be >= 1, got {self.min_participation}")
        if not 0 <= self.edge_quantile <= 1:
            raise ConfigError(f"edge_quantile must be within [0, 1], got {self.edge_quantile}")
        if not 0 < self.similarity <= 1:
            raise ConfigError(f"similarity must be within (0, 1], got {self.similarity}")
        if self.shingle < 1 or self.min_words < 1:
            raise ConfigError("shingle and min_words must be >= 1")
        if not 0 <= self.image_distance < 64:
            raise ConfigError(f"image_distance must be within [0, 63], got {self.image_distance}")
        if self.null_runs < 0 or not self.null_bucket > 0:
            raise ConfigError("null_runs must be >= 0 and null_bucket > 0")

    def queries(self) -> list[ShareQuery]:
        """The share queries of every kind asked for."""
        return [
            q
            for kind in self.by
            for q in share_queries(
                kind,
                self.platforms,
                similarity=self.similarity,
                shingle=self.shingle,
                min_words=self.min_words,
                image_distance=self.image_distance,
            )
        ]


@dataclass
class CoordinationResult:
    """Pairs, the full account network and the filtered one, as Arrow tables.

    ``window`` is the window used (estimated when ``params.window`` is ``None``);
    ``edges`` and ``filtered_edges`` carry ``null_mean``, ``p_value`` and ``z_score`` when a
    null model was run.
    """

    params: CoordinationParams
    window: float
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
            "window": self.window,
            **self.counts,
            "weight_threshold": self.threshold,
            "communities": [c.as_dict() for c in self.communities],
            "seconds": round(self.seconds, 3),
        }


def shares_sql(query: ShareQuery) -> str:
    """The share rows of one query (its SQL, for use as a sub-query)."""
    return query.sql


def pairs_sql(
    query: ShareQuery,
    window: float,
    min_participation: int,
    shares: str,
    *,
    materialize: bool = True,
) -> str:
    """Coordinated pairs of one kind among the share rows of the SQL ``shares``.

    A later share within the window lies in the same ``window``-sized time bucket or the next
    one, so the self-join is two equi-joins on (key, bucket) instead of a comparison of every
    pair of shares of a popular object. The SQL is the same for DuckDB and Spark, but for
    ``materialize`` (DuckDB's hint to compute a CTE once).
    """
    mat = "MATERIALIZED" if materialize else ""
    mp = int(min_participation)
    w = float(window)
    pairs = "pairs"
    verified = ""
    if query.verify and query.docs:
        # near matches meet on several keys: make the pairs distinct, then verify each once
        # on the signatures of their documents
        pairs = "near_pairs"
        verified = f"""
      pairs AS (SELECT p.* FROM near_pairs p
        JOIN {query.docs} a ON a.doc = p.object_id
        JOIN {query.docs} b ON b.doc = p.object_id_y
        WHERE {query.verify}),"""
    elif query.verify:
        pairs = "near_pairs"
        verified = f"""
      sigs AS (SELECT platform, post_id, any_value(sig) AS sig FROM shares
               GROUP BY platform, post_id),
      pairs AS (SELECT p.* FROM near_pairs p
        JOIN sigs a ON a.platform = p.platform AND a.post_id = p.content_id
        JOIN sigs b ON b.platform = p.platform_y AND b.post_id = p.content_id_y
        WHERE {query.verify}),"""
    # the pairs report the object itself (a document's number stands for its object_id)
    columns = (
        "p.account_id, p.account_id_y, p.platform, p.content_id, p.platform_y, "
        "p.content_id_y, p.ts, p.ts_y, p.time_delta"
    )
    if query.docs:
        reported = f"o.object_id, {columns} FROM pairs p JOIN {query.docs} o ON o.doc = p.object_id"
    else:
        reported = f"p.object_id, {columns} FROM pairs p"
    return f"""
      WITH shares AS {mat} ({shares}),
      units AS (SELECT DISTINCT object_id, account_id, platform, post_id FROM shares),
      active_accounts AS (SELECT account_id FROM units GROUP BY account_id
                          HAVING count(*) >= {mp}),
      active AS {mat} (
        SELECT s.object_id, s.key, s.account_id, s.platform, s.post_id, s.ts,
          CAST(floor(s.ts / {w}) AS BIGINT) AS bucket FROM shares s
        WHERE s.account_id IN (SELECT account_id FROM active_accounts)),
      candidates AS (
        SELECT a.object_id, a.account_id, a.platform, a.post_id, a.ts,
          b.account_id AS b_account, b.platform AS b_platform, b.post_id AS b_post,
          b.ts AS b_ts{", b.object_id AS b_object" if query.docs else ""}
        FROM active a JOIN active b ON a.key = b.key AND b.bucket = a.bucket
        WHERE a.account_id <> b.account_id
        UNION ALL
        SELECT a.object_id, a.account_id, a.platform, a.post_id, a.ts,
          b.account_id, b.platform, b.post_id, b.ts{", b.object_id" if query.docs else ""}
        FROM active a JOIN active b ON a.key = b.key AND b.bucket = a.bucket + 1
        WHERE a.account_id <> b.account_id
      ),
      {pairs} AS (
        SELECT {"DISTINCT" if query.verify else ""} object_id, account_id,
          b_account AS account_id_y, platform, post_id AS content_id, b_platform AS platform_y,
          b_post AS content_id_y, ts, b_ts AS ts_y, b_ts - ts AS time_delta
          {", b_object AS object_id_y" if query.docs else ""}
        FROM candidates
        WHERE b_ts - ts BETWEEN 0 AND {w}
          AND (b_ts > ts OR platform < b_platform
               OR (platform = b_platform AND post_id < b_post))
      ),{verified}
      in_pairs AS (SELECT platform, content_id AS post_id FROM pairs
                   UNION SELECT platform_y, content_id_y FROM pairs),
      participation AS (
        SELECT u.account_id, count(*) AS n FROM units u
        JOIN in_pairs i ON i.platform = u.platform AND i.post_id = u.post_id
        GROUP BY u.account_id)
      SELECT '{query.kind}' AS kind, {reported}
        LEFT JOIN participation x ON x.account_id = p.account_id
        LEFT JOIN participation y ON y.account_id = p.account_id_y
      WHERE coalesce(x.n, 0) >= {mp} OR coalesce(y.n, 0) >= {mp}
    """


EDGES_SQL = """
  SELECT least(account_id, account_id_y) AS account_id_x,
    greatest(account_id, account_id_y) AS account_id_y, count(*) AS weight,
    avg(time_delta) AS avg_time_delta, count(DISTINCT content_id) AS n_content_id,
    count(DISTINCT content_id_y) AS n_content_id_y,
    least(count(DISTINCT content_id), count(DISTINCT content_id_y)) /
      greatest(count(DISTINCT content_id), count(DISTINCT content_id_y)) AS edge_symmetry_score,
    count(DISTINCT kind || ':' || object_id) AS n_objects
  FROM {pairs} GROUP BY 1, 2
"""


def all_pairs_sql(
    params: CoordinationParams,
    window: float,
    shares: list[str],
    queries: list[ShareQuery] | None = None,
    *,
    materialize: bool = True,
) -> str:
    """The union of the pairs of every query of ``params`` over the given share SQL."""
    return " UNION ALL ".join(
        f"({pairs_sql(q, window, params.min_participation, s, materialize=materialize)})"
        for q, s in zip(queries or params.queries(), shares, strict=True)
    )


def prepare(con: duckdb.DuckDBPyConnection, queries: list[ShareQuery]) -> None:
    """Run the setup statements of ``queries`` (the tables their share rows read)."""
    for query in queries:
        for statement in query.setup:
            con.execute(statement)


def network_tables(
    con: duckdb.DuckDBPyConnection, params: CoordinationParams, window: float
) -> None:
    """Create the temp tables ``coord_pairs`` and ``coord_edges`` in ``con``."""
    queries = params.queries()
    prepare(con, queries)
    shares = [shares_sql(q) for q in queries]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_pairs AS "
        + all_pairs_sql(params, window, shares, queries)
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_edges AS " + EDGES_SQL.format(pairs="coord_pairs")
    )


def account_count(edges: pa.Table) -> int:
    """How many accounts the ``edges`` (``account_id_x``, ``account_id_y``) touch, counted in
    Arrow (a million edges' ids as Python strings would cost a third of a second)."""
    import pyarrow.compute as pc

    ids = pa.chunked_array(
        edges.column("account_id_x").chunks + edges.column("account_id_y").chunks,
        type=edges.schema.field("account_id_x").type,
    )
    return int(pc.count_distinct(ids).as_py())


def check_data(con: duckdb.DuckDBPyConnection, params: CoordinationParams) -> None:
    """Fail clearly when there are no posts or a kind asked for has no objects at all."""
    where = platform_filter(params.platforms)
    (posts,) = con.execute(f"SELECT count(*) FROM posts WHERE {where}").fetchall()[0]
    if not posts:
        scope = f" on {', '.join(params.platforms)}" if params.platforms else ""
        raise ConfigError(f"no posts{scope} to look for coordination in", hint="ingest some first")
    found = {
        q.kind
        for q in params.queries()
        if con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM ({q.exists or q.sql}) LIMIT 1)"
        ).fetchall()[0][0]
    }
    empty = [kind for kind in params.by if kind not in found]
    if empty:
        raise ConfigError(
            f"no post has an object of kind {', '.join(dict.fromkeys(empty))} (of {posts} posts)",
            hint="drop that --by, or check what the ingested format carries",
        )


def detect(con: duckdb.DuckDBPyConnection, params: CoordinationParams) -> CoordinationResult:
    """Coordinated pairs, account networks and communities over the ``posts`` view of ``con``."""
    from lagebild.coordination.significance import null_model
    from lagebild.coordination.window import estimate_window

    params.check()
    started = time.perf_counter()
    check_data(con, params)
    window = params.window if params.window is not None else estimate_window(con, params)
    network_tables(con, params, window)
    row = con.execute(
        f"SELECT quantile_cont(weight, {float(params.edge_quantile)}) FROM coord_edges"
    ).fetchall()
    threshold = float(row[0][0]) if row and row[0][0] is not None else None
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_filtered AS "
        "SELECT * FROM coord_edges WHERE weight > $t",
        {"t": threshold if threshold is not None else 0},
    )
    pairs = con.sql(
        "SELECT * FROM coord_pairs ORDER BY kind, object_id, platform, content_id, "
        "platform_y, content_id_y"
    ).to_arrow_table()
    edges = con.sql("SELECT * FROM coord_edges ORDER BY 1, 2").to_arrow_table()
    filtered = con.sql("SELECT * FROM coord_filtered ORDER BY 1, 2").to_arrow_table()
    assert pairs is not None and edges is not None and filtered is not None
    counts = {
        "pairs": pairs.num_rows,
        "objects": con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT kind, object_id FROM coord_pairs)"
        ).fetchall()[0][0],
        "accounts": account_count(edges),
        "edges": edges.num_rows,
        "filtered_edges": filtered.num_rows,
        "filtered_accounts": account_count(filtered),
    }
    communities = find_communities(filtered, seed=params.seed)
    counts["components"] = len({c.component for c in communities})
    if params.null_runs:
        edges, communities = null_model(con, params, window, communities)
        filtered = edges.filter(pc.greater(edges.column("weight"), threshold or 0))
    return CoordinationResult(
        replace(params),
        window,
        pairs,
        edges,
        threshold,
        filtered,
        time.perf_counter() - started,
        counts,
        communities,
    )
