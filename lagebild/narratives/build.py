"""Find narratives: cluster a sample of distinct texts by meaning, then label each cluster.

Method, and why (a sentence encoder on 2 CPU cores embeds a few hundred texts per second, so
a million posts cannot all be embedded in minutes):

1. **De-duplicate.** Posts are reduced to distinct cleaned texts (:mod:`.terms`): a retweet
   wave of 10,000 copies is one text. Only texts with ``min_words`` words take part.
2. **Sample.** Up to ``sample_size`` distinct texts, drawn by a seeded hash order (the same
   store and seed give the same sample), are embedded with the multilingual Universal
   Sentence Encoder (:mod:`lagebild.claims.encoders`, cached: nothing is embedded twice), so
   a German and an English post of the same story can meet.
3. **Cluster.** Each text is linked to its ``neighbours`` most similar texts (cosine ≥
   ``min_similarity``); Leiden community detection (Traag, Waltman & van Eck 2019, seeded)
   on that graph gives the clusters; those with ``min_size`` texts are narratives. This is
   the graph-clustering step of BERTopic-like pipelines without UMAP/HDBSCAN, which would need
   more dependencies and are not deterministic across platforms.
4. **Label.** Class-based TF-IDF (c-TF-IDF, Grootendorst 2022): a term's weight in a
   narrative is the number of its texts that use it times ``log(1 + A / f)``, ``A`` the
   average number of term uses per class and ``f`` the term's uses in all classes (noise
   included), so terms common everywhere sink. The top terms label the narrative; the
   texts nearest to its embedding centroid are its representative examples.
5. **Signature and calibration.** The top ``signature_terms`` terms, weighted and normalised,
   are the narrative's lexical signature; a post is assigned to the narrative whose signature
   is most similar to its IDF-weighted terms (cosine), if that similarity reaches a threshold.
   The threshold is chosen on the ``holdout`` share of clustered texts, kept out of the
   signatures: the value with the best F1 of agreeing with the embedding clusters (noise
   texts must stay unassigned). The agreement is recorded in the model and reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from lagebild.claims.encoders import EmbeddingCache, encode_cached, load_encoder
from lagebild.errors import NotFoundError
from lagebild.graphs import igraph
from lagebild.narratives.assign import score_texts
from lagebild.narratives.model import Narrative, NarrativeModel, NarrativeParams
from lagebild.narratives.terms import clean_text_sql, ensure_stopwords, text_key_sql, tokens_sql
from lagebild.store import PostStore

if TYPE_CHECKING:
    import igraph as ig

__all__ = ["build_model", "ctfidf", "knn_graph", "leiden_clusters", "load_texts"]

Progress = Callable[[str, int, int], None]

#: Texts embedded per cache write: an interrupted build keeps what it embedded.
ENCODE_CHUNK = 2048


def load_texts(con: duckdb.DuckDBPyConnection, params: NarrativeParams) -> int:
    """Create the temp table ``texts`` (distinct cleaned texts, copies, tokens); its size."""
    clean = clean_text_sql("text")
    where = ["text IS NOT NULL"]
    args: list[Any] = []
    if params.since is not None:
        where.append("created_at >= ?")
        args.append(params.since)
    if params.until is not None:
        where.append("created_at < ?")
        args.append(params.until)
    ensure_stopwords(con)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE texts AS
        SELECT text_key, any_value(clean) AS clean, count(*) AS copies,
               len(string_split(any_value(clean), ' ')) AS words
        FROM (SELECT {clean} AS clean, {text_key_sql(clean)} AS text_key
              FROM posts WHERE {" AND ".join(where)})
        WHERE clean <> '' GROUP BY text_key""",
        args,
    )
    row = con.sql("SELECT count(*) FROM texts").fetchall()
    return int(row[0][0])


def _sample(con: duckdb.DuckDBPyConnection, params: NarrativeParams) -> tuple[list[str], list[str]]:
    rows = con.sql(
        "SELECT text_key, clean FROM texts WHERE words >= ? ORDER BY md5(text_key || ?) LIMIT ?",
        params=[params.min_words, str(params.seed), params.sample_size],
    ).fetchall()
    return [r[0] for r in rows], [r[1] for r in rows]


def knn_graph(vectors: np.ndarray, neighbours: int, min_similarity: float) -> ig.Graph:
    """Undirected graph linking each row to its nearest rows (cosine ≥ ``min_similarity``)."""
    ig = igraph()  # imported here (and without matplotlib): too slow for every CLI start

    n = len(vectors)
    k = min(neighbours, n - 1)
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    block = 2048
    for start in range(0, n if k > 0 else 0, block):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        w = np.take_along_axis(sims, top, axis=1)
        keep = w >= min_similarity
        sources.append(np.repeat(rows + start, k)[keep.ravel()])
        targets.append(top[keep])
        weights.append(w[keep])
    graph = ig.Graph(n=n)
    if sources:
        src, dst = np.concatenate(sources), np.concatenate(targets)
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        graph.add_edges(list(zip(lo.tolist(), hi.tolist(), strict=True)))
        graph.es["weight"] = np.concatenate(weights).astype(float).tolist()
        graph.simplify(combine_edges="max")
    return graph


def leiden_clusters(graph: ig.Graph, params: NarrativeParams) -> np.ndarray:
    """Cluster label per vertex: 0 for the largest narrative, 1 for the next, -1 for noise."""
    igraph()  # before leidenalg, which imports igraph
    import leidenalg

    n = graph.vcount()
    if graph.ecount() == 0:
        return np.full(n, -1, np.int64)
    partition = leidenalg.find_partition(
        graph,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=params.resolution,
        seed=params.seed,
    )
    membership = np.asarray(partition.membership)
    sizes = np.bincount(membership)
    first = np.full(len(sizes), n)
    np.minimum.at(first, membership, np.arange(n))
    big = [c for c in range(len(sizes)) if sizes[c] >= params.min_size]
    big.sort(key=lambda c: (-sizes[c], first[c]))
    relabel = np.full(len(sizes), -1, np.int64)
    relabel[big] = np.arange(len(big))
    labels: np.ndarray = relabel[membership]
    return labels


def ctfidf(con: duckdb.DuckDBPyConnection, top: int) -> pa.Table:
    """Class-based TF-IDF of the training texts in ``sample`` (label ≥ 0 classes only).

    Returns ``label, term, weight, rank`` for each class's ``top`` terms.
    """
    return con.sql(
        f"""WITH terms AS (
              SELECT DISTINCT s.text_key, s.label, t.term
              FROM sample s JOIN texts x USING (text_key),
                   unnest({tokens_sql("x.clean")}) AS t(term)
              WHERE NOT s.holdout AND t.term NOT IN (SELECT term FROM stopwords)),
            tf AS (SELECT label, term, count(*) AS n FROM terms GROUP BY ALL),
            f AS (SELECT term, sum(n) AS f FROM tf GROUP BY term),
            a AS (SELECT avg(total) AS a FROM (SELECT sum(n) AS total FROM tf GROUP BY label)),
            w AS (SELECT label, term, n * ln(1 + a.a / f.f) AS weight
                  FROM tf JOIN f USING (term), a WHERE label >= 0 AND n >= 2)
        SELECT label, term, weight,
               row_number() OVER (PARTITION BY label ORDER BY weight DESC, term) AS rank
        FROM w QUALIFY rank <= {int(top)} ORDER BY label, rank"""
    ).to_arrow_table()


def _idf(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return con.sql(
        f"""WITH d AS (SELECT DISTINCT s.text_key, t.term FROM sample s JOIN texts x
                       USING (text_key), unnest({tokens_sql("x.clean")}) AS t(term)
                       WHERE t.term NOT IN (SELECT term FROM stopwords)),
             n AS (SELECT count(DISTINCT text_key) AS n FROM d)
        SELECT term, ln(n.n / count(*)) + 1.0 AS idf FROM d, n GROUP BY term, n.n
        ORDER BY term"""
    ).to_arrow_table()


def _calibrate(
    con: duckdb.DuckDBPyConnection, model: NarrativeModel, ids: list[str]
) -> tuple[float, dict[str, Any]]:
    """The assignment threshold with the best F1 against the held-out clusters."""
    scored = score_texts(
        con, model, "SELECT text_key, clean FROM sample JOIN texts USING (text_key) WHERE holdout"
    )
    truth = dict(con.sql("SELECT text_key, label FROM sample WHERE holdout").fetchall())
    best = {r["text_key"]: (r["narrative_id"], r["similarity"]) for r in scored.to_pylist()}
    keys = list(truth)
    want = [ids[truth[k]] if truth[k] >= 0 else None for k in keys]
    got = [best.get(k, (None, 0.0)) for k in keys]
    positives = sum(w is not None for w in want)
    grid = np.round(np.arange(0.02, 0.81, 0.01), 2)
    results = []
    for th in grid:
        assigned = [(g[0] if g[1] >= th else None) for g in got]
        n_assigned = sum(a is not None for a in assigned)
        correct = sum(a is not None and a == w for a, w in zip(assigned, want, strict=True))
        precision = correct / n_assigned if n_assigned else 0.0
        recall = correct / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results.append((f1, float(th), precision, recall))
    if not keys or positives == 0:
        return 0.2, {"holdout_texts": len(keys), "note": "too few held-out texts; default used"}
    f1, th, precision, recall = max(results, key=lambda r: (r[0], r[1]))
    return th, {
        "holdout_texts": len(keys),
        "holdout_in_narratives": positives,
        "f1": round(f1, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
    }


def build_model(
    store: PostStore, params: NarrativeParams, progress: Progress | None = None
) -> tuple[NarrativeModel, duckdb.DuckDBPyConnection]:
    """Cluster the store's texts into narratives (see module doc); the connection keeps
    the temp tables ``texts`` and ``sample`` for the assignment that follows."""
    con = store.connect()
    n_texts = load_texts(con, params)
    keys, texts = _sample(con, params)
    if len(keys) < max(params.min_size, 2):
        con.close()
        raise NotFoundError(
            f"too few texts to find narratives: {len(keys)} distinct texts with at least "
            f"{params.min_words} words (need {max(params.min_size, 2)})",
            hint="ingest more posts, widen --since/--until, or lower --min-words",
        )
    encoder = load_encoder(params.encoder)
    cache = EmbeddingCache(store.data_dir, encoder.name, encoder.dim)
    vectors = np.zeros((len(texts), encoder.dim), np.float32)
    for start in range(0, len(texts), ENCODE_CHUNK):
        chunk = texts[start : start + ENCODE_CHUNK]
        vectors[start : start + len(chunk)] = encode_cached(encoder, chunk, "query", cache)
        if progress:
            progress("embed", min(start + ENCODE_CHUNK, len(texts)), len(texts))
    if progress:
        progress("cluster", 0, 1)
    graph = knn_graph(vectors, params.neighbours, params.min_similarity)
    labels = leiden_clusters(graph, params)
    holdout = np.random.default_rng(params.seed).random(len(keys)) < params.holdout
    con.register(
        "_sample",
        pa.table({"text_key": keys, "label": labels, "holdout": holdout, "row": range(len(keys))}),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE sample AS SELECT * FROM _sample")
    con.unregister("_sample")
    if progress:
        progress("cluster", 1, 1)
    n_narratives = int(labels.max()) + 1 if len(labels) else 0
    model_id = _model_id(params, keys)
    ids = [f"{model_id}-{i + 1:03d}" for i in range(n_narratives)]
    terms = ctfidf(con, max(params.signature_terms, params.label_terms))
    centroids = _centroids(vectors, labels, n_narratives)
    signatures = _signatures(terms, ids, params.signature_terms)
    model = NarrativeModel(
        id=model_id,
        params=params,
        created_at=dt.datetime.now(dt.UTC),
        narratives=[],
        threshold=0.0,
        calibration={},
        signatures=signatures,
        idf=_idf(con),
        centroids=centroids,
        sample=_sample_assignments(keys, labels, ids, vectors, centroids),
    )
    model.threshold, model.calibration = _calibrate(con, model, ids)
    by_label: dict[int, list[str]] = {}
    for r in terms.to_pylist():
        if r["rank"] <= params.label_terms:
            by_label.setdefault(r["label"], []).append(r["term"])
    sizes = np.bincount(labels[labels >= 0], minlength=n_narratives)
    model.narratives = [
        Narrative(
            id=ids[i],
            size=int(sizes[i]),
            terms=tuple(by_label.get(i, [])),
            examples=_examples(vectors, labels, centroids, i, texts),
        )
        for i in range(n_narratives)
    ]
    model.stats = {
        "distinct_texts": n_texts,
        "sampled_texts": len(keys),
        "clustered_texts": int((labels >= 0).sum()),
        "graph_edges": graph.ecount(),
        "narratives": n_narratives,
    }
    return model, con


def _model_id(params: NarrativeParams, keys: list[str]) -> str:
    h = hashlib.sha256(json.dumps(params.as_dict(), sort_keys=True).encode())
    for k in keys:
        h.update(k.encode())
    return h.hexdigest()[:8]


def _centroids(vectors: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, vectors.shape[1]), np.float32)
    np.add.at(out, labels[labels >= 0], vectors[labels >= 0])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def _signatures(terms: pa.Table, ids: list[str], top: int) -> pa.Table:
    rows = [r for r in terms.to_pylist() if r["rank"] <= top]
    weights = np.array([r["weight"] for r in rows], np.float64)
    labels = np.array([r["label"] for r in rows], np.int64)
    norms = np.zeros(len(ids))
    np.add.at(norms, labels, weights**2)
    norms = np.sqrt(norms)
    return pa.table(
        {
            "narrative_id": pa.array([ids[r["label"]] for r in rows], pa.string()),
            "term": pa.array([r["term"] for r in rows], pa.string()),
            "weight": pa.array(weights / norms[labels] if len(rows) else weights, pa.float64()),
        }
    )


def _examples(
    vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray, label: int, texts: list[str]
) -> tuple[dict[str, Any], ...]:
    members = np.flatnonzero(labels == label)
    sims = vectors[members] @ centroids[label]
    order = members[np.argsort(-sims, kind="stable")][:3]
    return tuple(
        {"text": texts[i], "similarity": round(float(vectors[i] @ centroids[label]), 3)}
        for i in order
    )


def _sample_assignments(
    keys: list[str], labels: np.ndarray, ids: list[str], vectors: np.ndarray, centroids: np.ndarray
) -> pa.Table:
    """Each clustered text's narrative (null for noise) and similarity to its centroid."""
    inside = labels >= 0
    sims = np.full(len(keys), np.nan, np.float32)
    if inside.any():
        sims[inside] = np.einsum("ij,ij->i", vectors[inside], centroids[labels[inside]])
    return pa.table(
        {
            "text_key": pa.array(keys, pa.string()),
            "narrative_id": pa.array(
                [ids[int(c)] if c >= 0 else None for c in labels], pa.string()
            ),
            "similarity": pa.array(sims, pa.float32(), mask=~inside),
        }
    )
