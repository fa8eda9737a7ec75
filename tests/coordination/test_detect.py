"""CooRTweet-compatible co-sharing detection: hand-made semantics and parity on real data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from bench.coordination import RUNS, identical
from lagebild.coordination import CoordinationParams, detect
from lagebild.errors import ConfigError
from lagebild.ingest.pipeline import ingest
from lagebild.model import Post, posts_to_table
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.factories import make_post

T0 = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)


def share(post_id: str, account: str, seconds: float, url: str = "u1") -> Post:
    return make_post(post_id, account, T0 + dt.timedelta(seconds=seconds), urls=(url,), source="t")


def connect(posts: list[Post]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("posts", posts_to_table(posts))
    return con


def pairs_of(posts: list[Post], **params: object) -> set[tuple[str, str]]:
    result = detect(connect(posts), CoordinationParams(**params))  # type: ignore[arg-type]
    return {(r["content_id"], r["content_id_y"]) for r in result.pairs.to_pylist()}


def test_window_is_pairwise_and_inclusive() -> None:
    posts = [
        share("1", "A", 0),
        share("2", "B", 50),
        share("3", "C", 100),
        share("4", "A", 500),
        share("5", "B", 560),
        share("6", "C", 561),
    ]
    assert pairs_of(posts, window=60, min_participation=1) == {
        ("1", "2"),
        ("2", "3"),
        ("4", "5"),
        ("5", "6"),
    }


def test_same_account_and_other_objects_are_not_pairs() -> None:
    posts = [share("1", "A", 0), share("2", "A", 1), share("3", "B", 2, url="u2")]
    assert pairs_of(posts, window=60, min_participation=1) == set()


def test_min_participation_drops_one_off_accounts() -> None:
    posts = [share("1", "A", 0), share("2", "B", 1)]
    assert pairs_of(posts, window=60, min_participation=2) == set()
    posts += [share("3", "A", 100, url="u2"), share("4", "B", 101, url="u2")]
    assert pairs_of(posts, window=60, min_participation=2) == {("1", "2"), ("3", "4")}


def test_threshold_is_strictly_above_the_quantile() -> None:
    posts = [share(str(i), "A" if i % 2 else "B", i, url=f"u{i // 2}") for i in range(8)]
    posts += [share("x1", "C", 0, url="v"), share("x2", "D", 1, url="v")]
    result = detect(
        connect(posts), CoordinationParams(window=5, min_participation=1, edge_quantile=0.5)
    )
    assert result.threshold == 2.5
    assert [(r["account_id_x"], r["weight"]) for r in result.filtered_edges.to_pylist()] == [
        ("A", 4)
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"by": ("song",)},
        {"by": ()},
        {"window": 0},
        {"min_participation": 0},
        {"edge_quantile": 1.5},
    ],
)
def test_bad_parameters(params: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        CoordinationParams(**params).check()  # type: ignore[arg-type]


# --- parity with CooRTweet 2.1.3 on the 2021 German-election data ----------------------------


@pytest.fixture(scope="module")
def german_store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> PostStore:
    data = Path(__file__).resolve().parents[3] / "shared" / "data" / "coortweet"
    if not data.is_dir():
        pytest.skip(f"shared data not found at {data} (only present in the dev/CI setup)")
    store = PostStore(tmp_path_factory.mktemp("german") / "data")
    ingest(store, [data / "german_elections.parquet"], registry=registry)
    return store


@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "by", "window", "quantile", "platforms"), RUNS)
def test_parity_with_coortweet(
    german_store: PostStore,
    name: str,
    by: tuple[str, ...],
    window: int,
    quantile: float,
    platforms: tuple[str, ...],
) -> None:
    ref = Path(__file__).resolve().parents[3] / "shared/data/coortweet/reference_outputs"
    con = german_store.connect()
    result = detect(
        con,
        CoordinationParams(
            by=by,
            window=window,
            min_participation=2,
            edge_quantile=quantile,
            platforms=platforms,
        ),
    )
    assert identical(con, result, ref, name)


def test_communities_split_two_planted_groups() -> None:
    posts = []
    n = 0
    for group, accounts in (("g1", "ABCD"), ("g2", "EFGH")):
        for k in range(6):  # six links per group, each shared by all its accounts within seconds
            for i, acc in enumerate(accounts):
                n += 1
                posts.append(share(str(n), acc, 1000 * k + i, url=f"{group}-{k}"))
    posts += [
        share("x1", "D", 90_000, url="bridge"),
        share("x2", "E", 90_001, url="bridge"),
        share("y1", "I", 95_000, url="lone"),
        share("y2", "J", 95_001, url="lone"),
    ]
    params = CoordinationParams(window=10, min_participation=1, edge_quantile=0.0)
    result = detect(connect(posts), params)
    groups = [c.accounts for c in result.communities]
    # the one-pair edges (the bridge D-E, the lone pair I-J) weigh no more than the 0-quantile
    assert groups == [("A", "B", "C", "D"), ("E", "F", "G", "H")]
    assert result.communities[0].score == 6 * 6
    assert result.counts["components"] == 2
    again = detect(connect(posts), params)
    assert [c.accounts for c in again.communities] == groups
    summary = result.summary()["communities"][0]
    assert summary == {
        "id": 1,
        "accounts": ["A", "B", "C", "D"],
        "size": 4,
        "component": summary["component"],
        "internal_edges": 6,
        "score": 36.0,
        "p_value": None,
        "z_score": None,
        "q_value": None,
    }
