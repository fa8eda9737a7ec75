"""The pair search on Spark (local mode) gives exactly DuckDB's pairs and edges."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lagebild.coordination import CoordinationParams, detect
from lagebild.errors import ConfigError
from lagebild.ingest.pipeline import ingest
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.conftest import EXAMPLES

pytestmark = [
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="Spark needs a Java runtime (apt-get install default-jre)",
    ),
    # py4j leaves its local sockets to the garbage collector
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from lagebild.coordination.spark import local_session

    session = local_session(cores=2)
    yield session
    session.stop()


def same_as_duckdb(spark: Any, store: PostStore, params: CoordinationParams) -> dict[str, int]:
    from lagebild.coordination.spark import detect_spark

    on_spark = detect_spark(spark, store.parts("posts"), params)
    on_duckdb = detect(store.connect(), params)
    assert on_spark.pairs.to_pylist() == on_duckdb.pairs.to_pylist()
    assert on_spark.edges.to_pylist() == on_duckdb.edges.to_pylist()
    assert on_spark.threshold == on_duckdb.threshold
    assert on_spark.filtered_edges.to_pylist() == on_duckdb.filtered_edges.to_pylist()
    assert [c.accounts for c in on_spark.communities] == [c.accounts for c in on_duckdb.communities]
    assert on_spark.counts == on_duckdb.counts
    return on_spark.counts


def test_spark_and_duckdb_agree_on_the_examples(
    spark: Any, tmp_path: Path, registry: Registry
) -> None:
    store = PostStore(tmp_path / "data")
    ingest(store, [EXAMPLES], registry=registry)
    counts = same_as_duckdb(
        spark,
        store,
        CoordinationParams(
            by=("url", "domain", "hashtag", "repost"), window=60, min_participation=1
        ),
    )
    assert counts["pairs"] > 0


@pytest.mark.shared_data
def test_spark_and_duckdb_agree_on_the_german_election_data(
    spark: Any, tmp_path: Path, registry: Registry
) -> None:
    data = Path(__file__).resolve().parents[3] / "shared" / "data" / "coortweet"
    if not data.is_dir():
        pytest.skip(f"shared data not found at {data} (only present in the dev/CI setup)")
    store = PostStore(tmp_path / "data")
    ingest(store, [data / "german_elections.parquet"], registry=registry)
    counts = same_as_duckdb(
        spark,
        store,
        CoordinationParams(by=("url", "hashtag", "domain", "image"), window=30, edge_quantile=0.5),
    )
    assert counts["pairs"] > 10_000


def test_spark_refuses_what_it_cannot_do_yet(spark: Any, tmp_path: Path) -> None:
    from lagebild.coordination.spark import detect_spark

    with pytest.raises(ConfigError, match="near matches"):
        detect_spark(spark, [], CoordinationParams(by=("similar_text",)))
    with pytest.raises(ConfigError, match="null model"):
        detect_spark(spark, [], CoordinationParams(null_runs=5))
    with pytest.raises(ConfigError, match="no posts"):
        detect_spark(spark, [], CoordinationParams())
