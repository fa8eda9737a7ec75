"""Narratives over the store: build or extend the model, describe narratives, write findings.

``update_narratives`` is what ``lagebild narratives`` runs: on first use (or ``rebuild``) it
builds a model and assigns every post; afterwards it assigns only new posts to the existing
narratives. ``narrative_overview`` describes each narrative as the store holds it now: volume,
accounts, platforms, growth over the last day against the week before, views where the
platforms report them, and the fact-checks its posts were matched to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lagebild.claims.decisions import decision_parts, rejected_matches_sql
from lagebild.model import AccountRef, Finding, PostRef
from lagebild.narratives.assign import AssignResult, assign_posts
from lagebild.narratives.build import build_model
from lagebild.narratives.model import (
    NarrativeModel,
    NarrativeParams,
    current_model_id,
    load_model,
    save_model,
)
from lagebild.store import PostStore

__all__ = [
    "FINDING_KIND",
    "NarrativeRun",
    "narrative_findings",
    "narrative_overview",
    "narrative_timeline",
    "update_narratives",
]

FINDING_KIND = "narrative"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class NarrativeRun:
    """The model in use, whether it was built now, and what the assignment did."""

    model: NarrativeModel
    built: bool
    assignment: AssignResult


def update_narratives(
    store: PostStore,
    params: NarrativeParams | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> NarrativeRun:
    """Build narratives if there are none (or ``rebuild``), else assign new posts to them."""
    if rebuild or current_model_id(store.data_dir) is None:
        model, con = build_model(store, params or NarrativeParams(), progress)
        try:
            save_model(store.data_dir, model)
            if progress:
                progress("assign", 0, 1)
            result = assign_posts(store, model, con)
        finally:
            con.close()
        findings = narrative_findings(store, model)
        store.add_findings(findings)
        return NarrativeRun(model, True, result)
    model = load_model(store.data_dir)
    if progress:
        progress("assign", 0, 1)
    return NarrativeRun(model, False, assign_posts(store, model))


def narrative_overview(
    store: PostStore,
    model: NarrativeModel,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per narrative, largest first: size, growth, reach, fact-checks, label, examples.

    Only posts from ``since`` (inclusive) to ``until`` (exclusive) count. Growth compares the
    posts of the 24 hours before the end of that range (default: the newest post) with the
    daily mean of the seven days before them.
    """
    con = store.connect()
    try:
        rows = con.sql(
            """WITH inrange AS (SELECT * FROM posts WHERE created_at >= coalesce(
                       CAST(? AS TIMESTAMPTZ), '-infinity') AND created_at < coalesce(
                       CAST(? AS TIMESTAMPTZ), 'infinity')),
                ref AS (SELECT max(created_at) AS t FROM inrange),
                np AS (SELECT n.narrative_id, p.* FROM narrative_posts n
                       JOIN inrange p USING (platform, post_id) WHERE n.model_id = ?)
            SELECT narrative_id, count(*) AS posts,
                   count(DISTINCT (platform, account_id)) AS accounts,
                   list(DISTINCT platform ORDER BY platform) AS platforms,
                   min(created_at) AS first, max(created_at) AS last,
                   count(*) FILTER (WHERE created_at > ref.t - INTERVAL 24 HOUR
                                    AND created_at <= ref.t) AS last_24h,
                   count(*) FILTER (WHERE created_at > ref.t - INTERVAL 8 DAY
                                    AND created_at <= ref.t - INTERVAL 24 HOUR) / 7.0
                       AS daily_mean_before,
                   sum(views) AS views, count(views) AS posts_with_views,
                   count(*) FILTER (WHERE repost_of IS NOT NULL) AS reposts
            FROM np, ref GROUP BY narrative_id""",
            params=[since, until, model.id],
        ).to_arrow_table()
        rejected = rejected_matches_sql(decision_parts(store.data_dir))
        checks = con.sql(
            f"""WITH m AS (
                 SELECT json_extract_string(f.details, '$.factcheck_id') AS factcheck_id,
                        json_extract_string(f.details, '$.claim') AS claim,
                        json_extract_string(f.details, '$.verdict') AS verdict,
                        unnest(f.posts) AS ref FROM findings f WHERE f.kind = 'claim_match'
                   AND f.id NOT IN (SELECT finding_id FROM ({rejected})))
            SELECT n.narrative_id, m.factcheck_id, any_value(m.claim) AS claim,
                   any_value(m.verdict) AS verdict, count(*) AS posts
            FROM m JOIN narrative_posts n
              ON n.platform = m.ref.platform AND n.post_id = m.ref.post_id
            WHERE n.model_id = ? GROUP BY ALL ORDER BY posts DESC, factcheck_id""",
            params=[model.id],
        ).to_arrow_table()
    finally:
        con.close()
    stats = {r["narrative_id"]: r for r in rows.to_pylist()}
    linked: dict[str, list[dict[str, Any]]] = {}
    for r in checks.to_pylist():
        linked.setdefault(r.pop("narrative_id"), []).append(r)
    out = []
    for n in model.narratives:
        s = stats.get(n.id, {})
        before = s.get("daily_mean_before") or 0.0
        last = s.get("last_24h", 0)
        out.append(
            {
                "id": n.id,
                "label": n.label,
                "terms": list(n.terms),
                "clustered_texts": n.size,
                "posts": s.get("posts", 0),
                "accounts": s.get("accounts", 0),
                "reposts": s.get("reposts", 0),
                "platforms": s.get("platforms", []),
                "first": s.get("first"),
                "last": s.get("last"),
                "last_24h": last,
                "daily_mean_before": round(before, 2),
                "growth": round(last / before, 2) if before else None,
                "views": s.get("views") if s.get("posts_with_views") else None,
                "factchecks": linked.get(n.id, [])[:5],
                "examples": list(n.examples),
            }
        )
    out.sort(key=lambda r: (-r["posts"], r["id"]))
    return out


def narrative_timeline(
    store: PostStore, model: NarrativeModel, bucket: str = "day"
) -> list[dict[str, Any]]:
    """Posts per narrative per ``bucket`` (``hour``, ``day`` or ``week``), zero-filled between
    each narrative's first and last bucket, for tracking over time."""
    if bucket not in ("hour", "day", "week"):
        raise ValueError(f"bucket must be 'hour', 'day' or 'week', not {bucket!r}")
    rows: list[dict[str, Any]] = store.query(
        f"""WITH c AS (SELECT n.narrative_id, date_trunc('{bucket}', p.created_at) AS bucket,
                              count(*) AS posts, count(DISTINCT p.account_id) AS accounts
                       FROM narrative_posts n JOIN posts p USING (platform, post_id)
                       WHERE n.model_id = ? GROUP BY ALL),
                grid AS (SELECT narrative_id, unnest(generate_series(min(bucket), max(bucket),
                                INTERVAL 1 {bucket})) AS bucket FROM c GROUP BY narrative_id)
            SELECT g.narrative_id, g.bucket, coalesce(c.posts, 0) AS posts,
                   coalesce(c.accounts, 0) AS accounts
            FROM grid g LEFT JOIN c USING (narrative_id, bucket)
            ORDER BY g.narrative_id, g.bucket""",
        [model.id],
    ).to_pylist()
    return rows


def narrative_findings(store: PostStore, model: NarrativeModel) -> list[Finding]:
    """One ``narrative`` finding per narrative: label, size, examples, most typical posts."""
    evidence = store.query(
        """SELECT n.narrative_id, n.platform, n.post_id, p.account_id FROM narrative_posts n
           JOIN posts p USING (platform, post_id) WHERE n.model_id = ?
           QUALIFY row_number() OVER (PARTITION BY n.narrative_id
                                      ORDER BY n.similarity DESC, n.post_id) <= 20""",
        [model.id],
    ).to_pylist()
    refs: dict[str, list[dict[str, Any]]] = {}
    for r in evidence:
        refs.setdefault(r["narrative_id"], []).append(r)
    overview = {r["id"]: r for r in narrative_overview(store, model)}
    findings = []
    for n in model.narratives:
        o = overview[n.id]
        mine = refs.get(n.id, [])
        findings.append(
            Finding(
                kind=FINDING_KIND,
                id=n.id,
                created_at=model.created_at,
                score=float(o["posts"]),
                params={"model_id": model.id, **model.params.as_dict()},
                posts=tuple(PostRef(r["platform"], r["post_id"]) for r in mine),
                accounts=tuple(sorted({AccountRef(r["platform"], r["account_id"]) for r in mine})),
                summary=(
                    f"narrative “{n.label}”: {o['posts']} posts by {o['accounts']} accounts"
                    + (f" on {', '.join(o['platforms'])}" if o["platforms"] else "")
                ),
                details={
                    "terms": list(n.terms),
                    "examples": list(n.examples),
                    "clustered_texts": n.size,
                    "posts": o["posts"],
                    "accounts": o["accounts"],
                    "first": o["first"],
                    "last": o["last"],
                    "factchecks": o["factchecks"],
                    "threshold": model.threshold,
                    "calibration": model.calibration,
                },
            )
        )
    return findings
