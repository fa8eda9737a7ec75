"""Matching the posts of the store against its fact-checks: findings, decisions, new posts.

* The index is built from the live fact-checks (:class:`~lagebild.claims.store.FactCheckStore`)
  each run; vectors come from the embedding cache in the data directory, so only new
  fact-checks are encoded.
* *New posts* are those not yet screened against the current set of fact-checks: every
  screened post is logged in ``claim_screened`` with the fingerprint of the fact-check set, so
  adding a fact-check makes every post new again (a new debunk must be checked against the
  past), while rerunning changes nothing.
* Only original posts are matched (a repost carries its original's text; reach follows the
  reposts). Each match becomes a ``claim_match`` finding linked to the post and the
  fact-check, with its explanation.
* A team member confirms or rejects a match (``match_decisions``); a rejected post/fact-check
  pair is never suggested again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from lagebild.claims.decisions import FOLDER as DECISIONS_FOLDER
from lagebild.claims.decisions import decision_parts, rejected_matches_sql
from lagebild.claims.encoders import EmbeddingCache
from lagebild.claims.matcher import MatchParams, match_id, match_texts
from lagebild.claims.retrieval import FactCheckIndex, Reranker
from lagebild.claims.store import FactCheckStore
from lagebild.errors import ConfigError
from lagebild.model import AccountRef, Finding, PostRef
from lagebild.store import PostStore
from lagebild.store.parts import list_parts, write_part, writer_lock
from lagebild.store.sql import parquet_files

__all__ = [
    "DECISIONS",
    "MatchRun",
    "build_index",
    "decide",
    "match_store",
]

KIND = "claim_match"
DECISIONS = ("confirmed", "rejected")

_SCREENED = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("screened_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
_DECISIONS = pa.schema(
    [
        pa.field("finding_id", pa.string(), nullable=False),
        pa.field("platform", pa.string(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("factcheck_id", pa.string(), nullable=False),
        pa.field("decision", pa.string(), nullable=False),
        pa.field("by", pa.string(), nullable=False),
        pa.field("note", pa.string()),
        pa.field("decided_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)


@dataclass(frozen=True)
class MatchRun:
    """What one ``lagebild match`` did."""

    fingerprint: str
    factchecks: int
    #: distinct claims among the fact-checks (copies of a claim count once, see same_claims)
    claims: int
    screened: int
    reranked: int
    matches: list[Finding]
    seconds: float

    def summary(self) -> dict[str, Any]:
        """The counts, for ``--json`` and the table."""
        auto = sum(1 for f in self.matches if f.details.get("decision") == "auto")
        return {
            "factchecks": self.factchecks,
            "claims": self.claims,
            "fingerprint": self.fingerprint,
            "screened": self.screened,
            "reranked": self.reranked,
            "matches": len(self.matches),
            "auto": auto,
            "suggest": len(self.matches) - auto,
            "seconds": round(self.seconds, 2),
        }


def build_index(
    data_dir: Path, progress: Callable[[str, int, int], None] | None = None
) -> tuple[FactCheckIndex, pa.Table]:
    """The retrieval index over the live fact-checks of the data directory."""
    table = FactCheckStore(data_dir).table()
    if table.num_rows == 0:
        raise ConfigError(
            "there are no fact-checks to match against",
            hint="import some: lagebild factchecks import FILE (ClaimReview, Google Fact Check "
            "Tools, CheckThat!, CSV), or add one: lagebild factchecks add",
        )
    index = FactCheckIndex.build(
        table.column("factcheck_id").to_pylist(),
        table.column("claim").to_pylist(),
        table.column("title").to_pylist(),
        table.column("language").to_pylist(),
        cache_dir=data_dir,
        progress=progress,
    )
    return index, table


def fingerprint(ids: list[str]) -> str:
    """A short hash of a set of fact-check ids."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def _parquet(folder: Path) -> str:
    parts = list_parts(folder)
    return parquet_files(parts) if parts else ""


def match_store(
    store: PostStore,
    params: MatchParams | None = None,
    *,
    since: dt.datetime | None = None,
    rescreen: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> MatchRun:
    """Match the new posts of ``store`` (see the module doc) and store the findings."""
    started = time.perf_counter()
    p = params or MatchParams()
    data_dir = store.data_dir
    index, table = build_index(data_dir, progress)
    fp = fingerprint(index.ids)
    where = ["text IS NOT NULL", "repost_of IS NULL"]
    args: list[Any] = []
    if since is not None:
        where.append("created_at >= ?")
        args.append(since)
    screened = _parquet(data_dir / "claim_screened")
    if screened and not rescreen:
        where.append(
            "NOT EXISTS (SELECT 1 FROM read_parquet(" + screened + ") s WHERE s.platform = "
            "posts.platform AND s.post_id = posts.post_id AND s.fingerprint = ?)"
        )
        args.append(fp)
    posts = store.query(
        "SELECT platform, post_id, account_id, text, lang FROM posts WHERE "
        + " AND ".join(where)
        + " ORDER BY platform, post_id",
        args,
    )
    rejected_keys = {
        (r["platform"], r["post_id"], r["factcheck_id"])
        for r in store.query(rejected_matches_sql(decision_parts(data_dir))).to_pylist()
    }
    platforms = posts.column("platform").to_pylist()
    post_ids = posts.column("post_id").to_pylist()
    at = {fid: i for i, fid in enumerate(index.ids)}
    row_of = {key: i for i, key in enumerate(zip(platforms, post_ids, strict=True))}
    rejected = {
        (row_of[(pl, pid)], at[f])
        for pl, pid, f in rejected_keys
        if (pl, pid) in row_of and f in at
    }
    use_cache = EmbeddingCache(data_dir, index.use.name, index.use.dim)
    e5_cache = EmbeddingCache(data_dir, index.e5.name, index.e5.dim) if index.e5 else None
    reranker = Reranker.shipped()
    texts = posts.column("text").to_pylist()
    matches = match_texts(
        index,
        texts,
        reranker,
        p,
        posts.column("lang").to_pylist(),
        rejected,
        use_cache,
        e5_cache,
        progress=(lambda d, t: progress("match", d, t)) if progress else None,
    )
    facts = {r["factcheck_id"]: r for r in table.to_pylist()}
    suggest, auto = p.thresholds(reranker)
    now = dt.datetime.now(dt.UTC)
    accounts = posts.column("account_id").to_pylist()
    findings = []
    for m in matches:
        fc = facts[index.ids[m.factcheck]]
        platform, post_id = platforms[m.post], post_ids[m.post]
        explanation = m.explanation(index)
        verdict = fc["verdict"]
        reviewer = fc["reviewer"] or "a fact-checker"
        findings.append(
            Finding(
                kind=KIND,
                id=match_id(platform, post_id, fc["factcheck_id"]),
                created_at=now,
                score=m.score,
                params={
                    "suggest_threshold": suggest,
                    "auto_threshold": auto,
                    "min_words": p.min_words,
                    "retrieval": vars(p.retrieval),
                    "model": reranker.meta.get("trained_on", "shipped"),
                    "factchecks": fp,
                },
                posts=(PostRef(platform, post_id),),
                accounts=(AccountRef(platform, accounts[m.post]),),
                summary=(
                    f"{platform} post {post_id} repeats a claim rated {verdict} by {reviewer}: "
                    f"“{_short(fc['claim'])}” ({m.decision}, p={m.score:.2f})"
                ),
                details={
                    **explanation,
                    "post_text": texts[m.post],
                    "verdict": verdict,
                    "rating": fc["rating"],
                    "reviewer": fc["reviewer"],
                    "review_url": fc["review_url"],
                    "review_date": str(fc["review_date"]) if fc["review_date"] else None,
                    "language": fc["language"],
                },
            )
        )
    with store.writer(keys=("findings",)) as writer:
        if findings:
            writer.write_findings(findings)
        if posts.num_rows:
            write_part(
                data_dir / "claim_screened",
                pa.table(
                    {
                        "platform": posts.column("platform"),
                        "post_id": posts.column("post_id"),
                        "fingerprint": pa.array([fp] * posts.num_rows, pa.string()),
                        "screened_at": pa.array(
                            [now] * posts.num_rows, pa.timestamp("us", tz="UTC")
                        ),
                    },
                    schema=_SCREENED,
                ),
            )
    reranked = len({m.post for m in matches})
    claims = len(index) - sum(len(c) for c in index.copies.values())
    return MatchRun(
        fp, len(index), claims, posts.num_rows, reranked, findings, time.perf_counter() - started
    )


def _short(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def decide(
    store: PostStore, finding_id: str, decision: str, by: str, note: str | None = None
) -> dict[str, Any]:
    """Record that a person confirmed or rejected a claim match (latest decision wins)."""
    if decision not in DECISIONS:
        raise ConfigError(f"unknown decision {decision!r}", hint="confirmed or rejected")
    rows = store.query(
        "SELECT id, posts, details FROM findings WHERE kind = ? AND id = ?", [KIND, finding_id]
    ).to_pylist()
    if not rows:
        raise ConfigError(
            f"no claim match with id {finding_id!r}",
            hint="list them: lagebild findings --kind claim_match",
        )
    post = rows[0]["posts"][0]
    factcheck_id = json.loads(rows[0]["details"])["factcheck_id"]
    record = {
        "finding_id": finding_id,
        "platform": post["platform"],
        "post_id": post["post_id"],
        "factcheck_id": factcheck_id,
        "decision": decision,
        "by": by,
        "note": note,
        "decided_at": dt.datetime.now(dt.UTC),
    }
    with writer_lock(store.data_dir):
        write_part(
            store.data_dir / DECISIONS_FOLDER,
            pa.Table.from_pylist([record], schema=_DECISIONS),
        )
    return record
