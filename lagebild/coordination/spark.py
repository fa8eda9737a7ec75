"""The pair search on Apache Spark, for data beyond one machine (``--engine spark``).

The same pair and edge SQL as on DuckDB (:func:`lagebild.coordination.detect.pairs_sql`) runs
as Spark SQL over the store's Parquet parts; only the share rows are written in Spark's
dialect (``explode`` for ``unnest``, microseconds for ``epoch``). Spark computes the pairs,
the edges and the weight quantile (``percentile``: exact, with linear interpolation, as R's
type 7 and DuckDB's ``quantile_cont``); the filtered network, a few thousand edges at most, is
collected for the communities. Tests check that both engines give identical pairs and edges.

Supported on Spark: the exact kinds and a given window. Near matches (``similar_text``,
``--image-distance``), ``--window auto`` and the null model run on DuckDB only for now.

PySpark is an optional dependency (``pip install 'lagebild[spark]'``) and needs a Java
runtime (17 or later). A local session uses all cores of this machine; set ``SPARK_REMOTE`` or
``spark.master`` the usual ways to use a cluster.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from lagebild.coordination.communities import find_communities
from lagebild.coordination.detect import (
    EDGES_SQL,
    CoordinationParams,
    CoordinationResult,
    account_count,
    all_pairs_sql,
)
from lagebild.coordination.kinds import EXACT, EXACT_WHERE, ShareQuery, platform_filter
from lagebild.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["detect_spark", "local_session", "spark_shares_sql"]

POST_COLUMNS = (
    "platform",
    "post_id",
    "account_id",
    "created_at",
    "text",
    "urls",
    "domains",
    "hashtags",
    "mentions",
    "media",
    "repost_of",
    "reply_to",
)


def local_session(cores: int | None = None) -> SparkSession:
    """A local Spark session (UTC, quiet), or a clear error when PySpark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            "--engine spark needs PySpark", hint="pip install 'lagebild[spark]' (and Java 17+)"
        ) from exc
    builder: Any = SparkSession.builder
    partitions = 2 * (cores or os.cpu_count() or 2)
    session = (
        builder.master(f"local[{cores or '*'}]")
        .appName("lagebild-coordination")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session  # type: ignore[no-any-return]


def spark_shares_sql(kind: str, platforms: tuple[str, ...]) -> str:
    """The share rows of an exact kind in Spark SQL (columns as on DuckDB, ``sig`` NULL)."""
    expression = EXACT[kind].replace("unnest(", "explode(")
    return (
        "SELECT DISTINCT object_id, object_id AS key, account_id, platform, post_id, ts, "
        "CAST(NULL AS ARRAY<BIGINT>) AS sig FROM ("
        f"SELECT {expression} AS object_id, account_id, platform, post_id, "
        "CAST(unix_micros(created_at) AS DOUBLE) / 1000000 AS ts FROM posts "
        f"WHERE {platform_filter(platforms)} AND {EXACT_WHERE.get(kind, 'TRUE')}) "
        "WHERE object_id IS NOT NULL"
    )


def _check(params: CoordinationParams) -> float:
    params.check()
    unsupported = [k for k in params.by if k not in EXACT]
    if unsupported or params.image_distance:
        raise ConfigError(
            f"--engine spark does not do near matches yet ({', '.join(unsupported) or 'image'})",
            hint="use --engine duckdb for similar_text and --image-distance",
        )
    if params.window is None or params.null_runs:
        raise ConfigError(
            "--engine spark needs a window in seconds and runs no null model yet",
            hint="give --window SECONDS and --null-runs 0, or use --engine duckdb",
        )
    return params.window


def detect_spark(
    spark: SparkSession, posts: list[Path], params: CoordinationParams
) -> CoordinationResult:
    """Pairs, edges, filtered network and communities, with the pair search on Spark."""
    window = _check(params)
    if not posts:
        raise ConfigError("no posts to look for coordination in", hint="ingest some first")
    started = time.perf_counter()
    frame = spark.read.option("mergeSchema", "true").parquet(*(str(p) for p in posts))
    frame.select(*POST_COLUMNS).createOrReplaceTempView("posts")
    queries = [ShareQuery(kind, spark_shares_sql(kind, params.platforms)) for kind in params.by]
    empty = [q.kind for q in queries if not spark.sql(q.sql).take(1)]
    if empty:
        raise ConfigError(
            f"no post has an object of kind {', '.join(empty)}",
            hint="drop that --by, or check what the ingested format carries",
        )
    union = all_pairs_sql(params, window, [q.sql for q in queries], queries, materialize=False)
    spark.sql(union).cache().createOrReplaceTempView("coord_pairs")
    spark.sql(EDGES_SQL.format(pairs="coord_pairs")).cache().createOrReplaceTempView("coord_edges")
    (row,) = spark.sql(
        f"SELECT percentile(weight, {float(params.edge_quantile)}) AS q FROM coord_edges"
    ).collect()
    threshold = None if row["q"] is None else float(row["q"])

    def arrow(sql: str) -> pa.Table:
        return spark.sql(sql).toArrow()

    pairs = arrow(
        "SELECT * FROM coord_pairs ORDER BY kind, object_id, platform, content_id, "
        "platform_y, content_id_y"
    )
    edges = arrow("SELECT * FROM coord_edges ORDER BY 1, 2")
    filtered = arrow(f"SELECT * FROM coord_edges WHERE weight > {threshold or 0} ORDER BY 1, 2")
    (objects,) = spark.sql(
        "SELECT count(*) AS n FROM (SELECT DISTINCT kind, object_id FROM coord_pairs)"
    ).collect()
    communities = find_communities(filtered, seed=params.seed)
    counts = {
        "pairs": pairs.num_rows,
        "objects": int(objects["n"]),
        "accounts": account_count(edges),
        "edges": edges.num_rows,
        "filtered_edges": filtered.num_rows,
        "filtered_accounts": account_count(filtered),
        "components": len({c.component for c in communities}),
    }
    spark.catalog.clearCache()
    return CoordinationResult(
        params,
        window,
        pairs,
        edges,
        threshold,
        filtered,
        time.perf_counter() - started,
        counts,
        communities,
    )
