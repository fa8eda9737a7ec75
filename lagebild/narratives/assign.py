"""Put posts into existing narratives without recomputing them.

A post whose cleaned text was part of the clustered sample keeps its cluster (``cluster``).
Any other post is scored against every narrative's lexical signature — the cosine between
its IDF-weighted terms and the narrative's c-TF-IDF terms — and joins the best narrative if
the similarity reaches the model's calibrated threshold (``assign``). All of it is one SQL
query over distinct texts, so a retweet wave costs one text, and new posts are assigned at
thousands per second with no encoder in the loop.

Every post a model has looked at is remembered (assigned in ``narrative_posts``, unassigned in
the model's ``seen/`` log): running the assignment again only looks at new posts, and a run
killed half-way is completed by the next one without duplicates.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from lagebild.model import NARRATIVE_POST_SCHEMA
from lagebild.narratives.model import NarrativeModel, model_folder
from lagebild.narratives.terms import clean_text_sql, ensure_stopwords, text_key_sql, tokens_sql
from lagebild.store import PostStore
from lagebild.store.parts import list_parts, write_part, writer_lock
from lagebild.store.sql import parquet_files

__all__ = ["AssignResult", "assign_posts", "register_model", "score_texts"]

_SEEN_SCHEMA = pa.schema([("platform", pa.string()), ("post_id", pa.string())])


@dataclass(frozen=True)
class AssignResult:
    """What one assignment run did."""

    model_id: str
    posts_seen: int
    assigned: int
    by_cluster: int
    by_terms: int
    seconds: float

    @property
    def posts_per_second(self) -> float:
        """Throughput of this run."""
        return self.posts_seen / self.seconds if self.seconds > 0 else 0.0


def register_model(con: duckdb.DuckDBPyConnection, model: NarrativeModel) -> None:
    """Make the model's signatures, IDF and stop words visible to SQL on ``con``."""
    con.register("_sig", model.signatures)
    con.register("_idf", model.idf)
    ensure_stopwords(con)


def score_texts(con: duckdb.DuckDBPyConnection, model: NarrativeModel, texts_sql: str) -> pa.Table:
    """Best narrative and its lexical similarity for each text of ``texts_sql``.

    ``texts_sql`` selects ``text_key, clean``; texts sharing no term with any signature are
    left out. The threshold is not applied here.
    """
    register_model(con, model)
    return con.sql(
        f"""WITH u AS ({texts_sql}),
            tw AS (SELECT DISTINCT u.text_key, t.term FROM u,
                   unnest({tokens_sql("u.clean")}) AS t(term)
                   WHERE t.term NOT IN (SELECT term FROM stopwords)),
            w AS (SELECT tw.text_key, tw.term,
                         coalesce(i.idf, (SELECT max(idf) FROM _idf)) AS idf
                  FROM tw LEFT JOIN _idf i USING (term)),
            nrm AS (SELECT text_key, sqrt(sum(idf * idf)) AS nrm FROM w GROUP BY text_key),
            dot AS (SELECT w.text_key, s.narrative_id, sum(w.idf * s.weight) AS dot
                    FROM w JOIN _sig s USING (term) GROUP BY ALL)
        SELECT text_key, narrative_id, CAST(dot / nrm AS FLOAT) AS similarity
        FROM dot JOIN nrm USING (text_key)
        QUALIFY row_number() OVER (PARTITION BY text_key ORDER BY dot DESC, narrative_id) = 1"""
    ).to_arrow_table()


def _seen_folder(data_dir: Path, model_id: str) -> Path:
    return model_folder(data_dir, model_id) / "seen"


def assign_posts(
    store: PostStore, model: NarrativeModel, con: duckdb.DuckDBPyConnection | None = None
) -> AssignResult:
    """Assign every post the model has not looked at yet; returns what was done."""
    started = time.perf_counter()
    own = con is None
    con = con or store.connect()
    try:
        register_model(con, model)
        con.register("_clustered", _clustered(model))
        seen = list_parts(_seen_folder(store.data_dir, model.id))
        seen_sql = (
            f" AND NOT EXISTS (SELECT 1 FROM read_parquet({parquet_files(seen)}) s "
            "WHERE s.platform = p.platform AND s.post_id = p.post_id)"
            if seen
            else ""
        )
        clean = clean_text_sql("p.text")
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE todo AS
            SELECT p.platform, p.post_id, {clean} AS clean, {text_key_sql(clean)} AS text_key
            FROM posts p WHERE p.text IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM narrative_posts n WHERE n.model_id = ?
                              AND n.platform = p.platform AND n.post_id = p.post_id)
              {seen_sql}""",
            [model.id],
        )
        lexical = score_texts(
            con,
            model,
            "SELECT text_key, any_value(clean) AS clean FROM todo WHERE text_key NOT IN "
            "(SELECT text_key FROM _clustered) GROUP BY text_key",
        )
        con.register("_lexical", lexical)
        now = dt.datetime.now(dt.UTC)
        assigned = con.sql(
            f"""SELECT t.platform, t.post_id, coalesce(c.narrative_id, l.narrative_id)
                   AS narrative_id, ? AS model_id,
                   CAST(coalesce(c.similarity, l.similarity) AS FLOAT) AS similarity,
                   CASE WHEN c.text_key IS NOT NULL THEN 'cluster' ELSE 'assign' END AS method,
                   CAST(? AS TIMESTAMPTZ) AS assigned_at
            FROM todo t LEFT JOIN _clustered c USING (text_key)
                 LEFT JOIN _lexical l ON l.text_key = t.text_key AND c.text_key IS NULL
                      AND l.similarity >= {float(model.threshold)}
            WHERE coalesce(c.narrative_id, l.narrative_id) IS NOT NULL
            ORDER BY t.platform, t.post_id""",
            params=[model.id, now],
        ).to_arrow_table()
        looked = con.sql("SELECT platform, post_id FROM todo").to_arrow_table()
        assigned = assigned.cast(NARRATIVE_POST_SCHEMA)
        with writer_lock(store.data_dir):
            if assigned.num_rows:
                write_part(store.folder("narrative_posts"), assigned)
            if looked.num_rows:
                write_part(_seen_folder(store.data_dir, model.id), looked.cast(_SEEN_SCHEMA))
        by_cluster = int(pc.sum(pc.equal(assigned["method"], "cluster")).as_py() or 0)
        return AssignResult(
            model_id=model.id,
            posts_seen=looked.num_rows,
            assigned=assigned.num_rows,
            by_cluster=by_cluster,
            by_terms=assigned.num_rows - by_cluster,
            seconds=time.perf_counter() - started,
        )
    finally:
        if own:
            con.close()


def _clustered(model: NarrativeModel) -> pa.Table:
    """The clustered texts that belong to a narrative: text_key, narrative_id, similarity."""
    table = model.sample
    mask = pc.is_valid(table["narrative_id"])
    return table.filter(mask).select(["text_key", "narrative_id", "similarity"])
