"""Narratives: clustering, labels, assignment of new posts, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lagebild.cli import app
from lagebild.errors import NotFoundError
from lagebild.ingest.pipeline import ingest
from lagebild.narratives.build import ctfidf, knn_graph, leiden_clusters
from lagebild.narratives.model import NarrativeParams, load_model
from lagebild.narratives.service import narrative_overview, update_narratives
from lagebild.narratives.terms import clean_text_sql, text_key_sql
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.conftest import EXAMPLES

PARAMS = NarrativeParams(min_size=5)
IRA_DE = EXAMPLES / "ira538" / "ira_german_2016.csv"


def _store(path: Path, registry: Registry, *files: Path) -> PostStore:
    store = PostStore(path)
    ingest(store, list(files), registry=registry, workers=1)
    return store


def test_clean_text_drops_retweet_prefix_links_and_mentions() -> None:
    con = duckdb.connect()
    rows = con.sql(
        f"SELECT {clean_text_sql('t')}, {text_key_sql(clean_text_sql('t'))} FROM (VALUES "
        "('RT @abc: Wahl  gefälscht! https://t.co/x'), ('wahl gefälscht! @foo')) v(t)"
    ).fetchall()
    assert rows[0][0] == "Wahl gefälscht!"
    assert rows[1][0] == "wahl gefälscht!"
    assert rows[0][1] == rows[1][1]


@settings(max_examples=30, deadline=None)
@given(
    words=st.lists(st.text("abcdefghijklmnopqrstuvwxyzäöü", min_size=3, max_size=8), min_size=1),
    handle=st.text("abcxyz_0123", min_size=1, max_size=10),
)
def test_copies_of_a_text_share_one_key(words: list[str], handle: str) -> None:
    text = " ".join(words)
    con = duckdb.connect()
    clean = clean_text_sql("t")
    keys = con.sql(
        f"SELECT {text_key_sql(clean)} FROM (VALUES (?), (?), (?)) v(t)",
        params=[text, f"RT @{handle}: {text}", f"{text.upper()} https://example.org/a?b=1"],
    ).fetchall()
    assert len({k[0] for k in keys}) == 1


def test_planted_topics_become_separate_clusters() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(3, 64, dtype=np.float32)
    vectors = np.concatenate([c + 0.08 * rng.standard_normal((40, 64)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = leiden_clusters(knn_graph(vectors.astype(np.float32), 10, 0.5), PARAMS)
    assert sorted(np.bincount(labels[labels >= 0]).tolist()) == [40, 40, 40]
    for block in range(3):
        assert len(set(labels[block * 40 : (block + 1) * 40].tolist())) == 1


def test_unrelated_texts_are_noise() -> None:
    rng = np.random.default_rng(2)
    vectors = rng.standard_normal((60, 256)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = leiden_clusters(knn_graph(vectors, 10, 0.5), PARAMS)
    assert (labels == -1).all()


def test_ctfidf_prefers_terms_specific_to_a_class() -> None:
    con = duckdb.connect()
    texts = [
        ("a1", "wahl briefwahl betrug", 0),
        ("a2", "wahl briefwahl stimmzettel", 0),
        ("b1", "wahl impfung chip", 1),
        ("b2", "wahl impfung gates", 1),
    ]
    con.execute("CREATE TEMP TABLE stopwords (term VARCHAR)")
    con.register(
        "_t", pa.table({"text_key": [t[0] for t in texts], "clean": [t[1] for t in texts]})
    )
    con.execute("CREATE TEMP TABLE texts AS SELECT * FROM _t")
    con.register(
        "_s",
        pa.table(
            {
                "text_key": [t[0] for t in texts],
                "label": [t[2] for t in texts],
                "holdout": [False] * 4,
            }
        ),
    )
    con.execute("CREATE TEMP TABLE sample AS SELECT * FROM _s")
    top = {(r["label"], r["rank"]): r["term"] for r in ctfidf(con, 2).to_pylist()}
    assert top[(0, 1)] == "briefwahl"
    assert top[(1, 1)] == "impfung"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> PostStore:
    store = _store(tmp_path_factory.mktemp("n") / "data", registry, IRA_DE)
    update_narratives(store, PARAMS)
    return store


def test_narratives_on_real_ira_tweets(built: PostStore) -> None:
    model = load_model(built.data_dir)
    assert len(model.narratives) >= 3
    assert model.calibration["precision"] >= 0.8
    rows = narrative_overview(built, model)
    brexit = [r for r in rows if "brexit" in r["terms"]]
    assert brexit, [r["terms"] for r in rows]
    assert all("brexit" in e["text"].lower() for e in brexit[0]["examples"])
    assert (
        sum(r["posts"] for r in rows)
        == built.query("SELECT count(*) AS n FROM narrative_posts").column("n")[0].as_py()
    )
    findings = built.query("SELECT id, details FROM findings WHERE kind = 'narrative'")
    assert sorted(findings.column("id").to_pylist()) == sorted(n.id for n in model.narratives)
    assert json.loads(findings.column("details")[0].as_py())["terms"]


def test_same_data_same_narratives(built: PostStore, tmp_path: Path, registry: Registry) -> None:
    again = _store(tmp_path / "again", registry, IRA_DE)
    update_narratives(again, PARAMS)
    a, b = load_model(built.data_dir), load_model(again.data_dir)
    assert a.id == b.id
    assert [n.terms for n in a.narratives] == [n.terms for n in b.narratives]
    sql = "SELECT post_id, narrative_id FROM narrative_posts ORDER BY post_id"
    assert built.query(sql).equals(again.query(sql))


def test_new_posts_join_existing_narratives(tmp_path: Path, registry: Registry) -> None:
    store = _store(tmp_path / "data", registry, IRA_DE)
    first = update_narratives(store, PARAMS)
    assert first.built and first.assignment.posts_seen > 0
    ingest(store, [EXAMPLES / "bluesky", EXAMPLES / "telegram"], registry=registry, workers=1)
    second = update_narratives(store, PARAMS)
    assert not second.built and second.model.id == first.model.id
    new = store.query(
        "SELECT count(*) AS n FROM posts WHERE platform IN ('bluesky', 'telegram') "
        "AND text IS NOT NULL"
    )
    assert second.assignment.posts_seen == new.column("n")[0].as_py()
    assert second.assignment.by_cluster == 0
    third = update_narratives(store, PARAMS)
    assert third.assignment.posts_seen == 0
    dupes = store.query(
        "SELECT count(*) AS n FROM (SELECT platform, post_id FROM narrative_posts "
        "GROUP BY ALL HAVING count(*) > 1)"
    )
    assert dupes.column("n")[0].as_py() == 0


def test_empty_store_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="too few texts"):
        update_narratives(PostStore(tmp_path / "empty"), PARAMS)


def test_cli_lists_shows_and_rejects_unknown_ids(built: PostStore) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(built.data_dir), "narratives"]
    out = runner.invoke(app, [*base, "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["built"] is False and doc["narratives"]
    first = doc["narratives"][0]["id"]
    shown = runner.invoke(app, [*base, "--show", first])
    assert shown.exit_code == 0 and first in shown.stdout
    missing = runner.invoke(app, [*base, "--show", "nope-001"])
    assert missing.exit_code == 1
    assert "no narrative 'nope-001'" in missing.stderr
