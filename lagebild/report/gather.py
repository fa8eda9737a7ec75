"""What the situation report says, read from the store: volume, narratives, matched false
claims, coordinated communities, spikes, the parameters used, and what is missing.

Everything is read from the posts and the findings the detectors wrote; nothing is recomputed
except aggregates. A section whose detector has not run, or that has nothing in the period,
says so in ``missing`` instead of showing an empty plot.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lagebild.claims.decisions import decision_parts, rejected_matches_sql
from lagebild.narratives.model import current_model_id, load_model
from lagebild.narratives.service import narrative_overview, narrative_timeline
from lagebild.store import PostStore
from lagebild.store.sql import quote

__all__ = ["ReportData", "ReportParams", "gather"]

#: Verdicts whose matched posts count as spreading a false claim.
FALSE_VERDICTS = ("false", "misleading")


@dataclass(frozen=True)
class ReportParams:
    """The period (``since`` inclusive, ``until`` exclusive; default all) and list lengths."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    top_narratives: int = 10
    top_claims: int = 10
    top_communities: int = 10
    top_spikes: int = 10


@dataclass
class ReportData:
    """The report's content, section by section (JSON-able rows)."""

    params: ReportParams
    generated_at: dt.datetime
    data_dir: str
    totals: dict[str, Any]
    volume: list[dict[str, Any]]
    narratives: list[dict[str, Any]] = field(default_factory=list)
    narrative_series: list[dict[str, Any]] = field(default_factory=list)
    narrative_model: dict[str, Any] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)
    communities: list[dict[str, Any]] = field(default_factory=list)
    spikes: list[dict[str, Any]] = field(default_factory=list)
    method: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _range_sql(alias: str = "") -> str:
    col = f"{alias}.created_at" if alias else "created_at"
    return (
        f"{col} >= coalesce(CAST($since AS TIMESTAMPTZ), '-infinity') "
        f"AND {col} < coalesce(CAST($until AS TIMESTAMPTZ), 'infinity')"
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, p: ReportParams) -> list[dict[str, Any]]:
    named = {k: v for k, v in (("since", p.since), ("until", p.until)) if f"${k}" in sql}
    rel = con.sql(sql, params=named or None)
    rows: list[dict[str, Any]] = rel.to_arrow_table().to_pylist()
    return rows


def gather(store: PostStore, params: ReportParams | None = None) -> ReportData:
    """Read everything the report shows for the period of ``params``."""
    p = params or ReportParams()
    con = store.connect()
    try:
        totals = _rows(
            con,
            f"""SELECT count(*) AS posts, count(DISTINCT (platform, account_id)) AS accounts,
                   list(DISTINCT platform ORDER BY platform) AS platforms,
                   min(created_at) AS first, max(created_at) AS last,
                   count(views) AS posts_with_views, sum(views) AS views
            FROM posts WHERE {_range_sql()}""",
            p,
        )[0]
        totals["all_posts"] = con.sql("SELECT count(*) FROM posts").fetchall()[0][0]
        data = ReportData(
            params=p,
            generated_at=dt.datetime.now(dt.UTC),
            data_dir=str(store.data_dir),
            totals=totals,
            volume=[],
        )
        if not totals["posts"]:
            data.missing.append(
                "no posts in the store"
                if not totals["all_posts"]
                else "no posts in the chosen period (the store holds "
                f"{totals['all_posts']:,} posts outside it)"
            )
            return data
        bucket = _bucket(totals["last"] - totals["first"])
        totals["bucket"] = bucket
        data.volume = _rows(
            con,
            f"""WITH c AS (SELECT date_trunc('{bucket}', created_at) AS t, platform,
                                  count(*) AS posts
                           FROM posts WHERE {_range_sql()} GROUP BY ALL),
                grid AS (SELECT unnest(generate_series(min(t), max(t), INTERVAL 1 {bucket}))
                                AS t FROM c),
                plats AS (SELECT DISTINCT platform FROM c)
            SELECT grid.t, plats.platform, coalesce(c.posts, 0) AS posts
            FROM grid CROSS JOIN plats LEFT JOIN c USING (t, platform)
            ORDER BY grid.t, plats.platform""",
            p,
        )
        if not totals["posts_with_views"]:
            data.missing.append(
                "view counts: none of the period's posts carries them (their exports do not "
                "report views), so reach is given as posts, accounts and engagement"
            )
        _claims(con, data)
        _communities(con, data)
        _spikes(con, data)
        _method(con, data)
    finally:
        con.close()
    _narratives(store, data)
    _amplifiers(store, data)
    return data


def _bucket(span: dt.timedelta) -> str:
    """Time bucket of the plots: hours for up to three days, days up to half a year, weeks."""
    if span <= dt.timedelta(days=3):
        return "hour"
    return "day" if span <= dt.timedelta(days=180) else "week"


def _narratives(store: PostStore, data: ReportData) -> None:
    p = data.params
    if current_model_id(store.data_dir) is None:
        data.missing.append("narratives: not built yet (run `lagebild narratives`)")
        return
    model = load_model(store.data_dir)
    rows = [r for r in narrative_overview(store, model, p.since, p.until) if r["posts"]]
    data.narrative_model = {
        "id": model.id,
        "threshold": model.threshold,
        "calibration": model.calibration,
        "stats": model.stats,
        "params": model.params.as_dict(),
    }
    if not rows:
        data.missing.append("narratives: none has posts in the chosen period")
        return
    data.narratives = rows[: p.top_narratives]
    keep = {r["id"] for r in data.narratives[:5]}
    bucket = data.totals.get("bucket", "day")
    data.narrative_series = [
        r
        for r in narrative_timeline(store, model, bucket)
        if r["narrative_id"] in keep
        and (p.since is None or r["bucket"] >= p.since)
        and (p.until is None or r["bucket"] < p.until)
    ]


def _claims(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    p = data.params
    has = con.sql("SELECT count(*) FROM findings WHERE kind = 'claim_match'").fetchall()[0][0]
    if not has:
        data.missing.append(
            "matched false claims: no claim matches in the store (import fact-checks with "
            "`lagebild factchecks import`, then run `lagebild match`)"
        )
        return
    verdicts = ", ".join(quote(v) for v in FALSE_VERDICTS)
    rejected = rejected_matches_sql(decision_parts(Path(data.data_dir)))
    data.claims = _rows(
        con,
        f"""WITH m AS (
              SELECT f.id AS finding_id,
                     json_extract_string(f.details, '$.factcheck_id') AS factcheck_id,
                     json_extract_string(f.details, '$.claim') AS claim,
                     json_extract_string(f.details, '$.verdict') AS verdict,
                     json_extract_string(f.details, '$.review_url') AS review_url,
                     json_extract_string(f.details, '$.reviewer') AS reviewer,
                     json_extract_string(f.details, '$.decision') AS decision,
                     f.posts[1].platform AS platform, f.posts[1].post_id AS post_id
              FROM findings f WHERE f.kind = 'claim_match')
        SELECT m.factcheck_id, any_value(m.claim) AS claim, any_value(m.verdict) AS verdict,
               any_value(m.review_url) AS review_url, any_value(m.reviewer) AS reviewer,
               count(*) AS posts, count(DISTINCT (p.platform, p.account_id)) AS accounts,
               count(*) FILTER (WHERE m.decision = 'auto') AS auto,
               sum(p.views) AS views, count(p.views) AS posts_with_views,
               sum(coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0)
                   + coalesce(p.quotes, 0)) AS engagement,
               min(p.created_at) AS first, max(p.created_at) AS last,
               list(DISTINCT p.platform ORDER BY p.platform) AS platforms
        FROM m JOIN posts p USING (platform, post_id)
        WHERE m.verdict IN ({verdicts}) AND {_range_sql("p")}
          AND m.finding_id NOT IN (SELECT finding_id FROM ({rejected}))
        GROUP BY m.factcheck_id ORDER BY posts DESC, factcheck_id
        LIMIT {int(p.top_claims)}""",
        p,
    )
    if not data.claims:
        data.missing.append("matched false claims: none in the chosen period")


def _amplifiers(store: PostStore, data: ReportData) -> None:
    """The top amplifiers of each matched false claim (see :mod:`lagebild.reach`)."""
    from lagebild.reach import ReachParams, Selection, reach

    for row in data.claims:
        report = reach(store, Selection("claim", row["factcheck_id"]), ReachParams(top_n=5))
        row["amplifiers"] = [
            {
                "handle": a.handle,
                "account_id": a.account_id,
                "platform": a.platform,
                "reach": a.reach,
                "reach_kind": a.basis,
                "followers": a.followers,
                "communities": list(a.communities),
            }
            for a in report.amplifiers
        ]


def _communities(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    p = data.params
    rows = _rows(
        con,
        f"""SELECT id, score, summary, details, len(accounts) AS size FROM findings
        WHERE kind = 'coordination_community'
          AND CAST(json_extract_string(details, '$.last') AS TIMESTAMPTZ)
              >= coalesce(CAST($since AS TIMESTAMPTZ), '-infinity')
          AND CAST(json_extract_string(details, '$.first') AS TIMESTAMPTZ)
              < coalesce(CAST($until AS TIMESTAMPTZ), 'infinity')
        ORDER BY len(accounts) DESC, score DESC, id LIMIT {int(p.top_communities)}""",
        p,
    )
    if not rows:
        has = con.sql(
            "SELECT count(*) FROM findings WHERE kind = 'coordination_community'"
        ).fetchall()[0][0]
        data.missing.append(
            "coordinated communities: none in the chosen period"
            if has
            else "coordinated communities: coordination detection has not run "
            "(run `lagebild coordination --by url --by repost ...`)"
        )
        return
    for r in rows:
        details = json.loads(r.pop("details"))
        r.update(
            {
                key: details.get(key)
                for key in (
                    "platforms",
                    "first",
                    "last",
                    "pairs",
                    "objects",
                    "top_objects",
                    "top_domains",
                    "p_value",
                    "q_value",
                    "coordinated_share",
                )
            }
        )
        r["edges"] = details.get("edges", [])[:300]
        r["evidence"] = details.get("evidence", [])[:5]
    data.communities = rows


def _spikes(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    p = data.params
    rows = _rows(
        con,
        f"""SELECT id, score, summary, details FROM findings WHERE kind = 'spike'
        ORDER BY score DESC, id LIMIT {int(p.top_spikes) * 5}""",
        p,
    )
    kept = []
    for r in rows:
        details = json.loads(r.pop("details"))
        start = details.get("start")
        when = dt.datetime.fromisoformat(start) if isinstance(start, str) else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        if when is not None and (
            (p.since is not None and when < p.since) or (p.until is not None and when >= p.until)
        ):
            continue
        kept.append({**r, "details": details})
    data.spikes = kept[: p.top_spikes]
    if not data.spikes:
        has = con.sql("SELECT count(*) FROM findings WHERE kind = 'spike'").fetchall()[0][0]
        data.missing.append(
            "spikes: none in the chosen period"
            if has
            else "spikes: spike detection has not run (run `lagebild spikes`)"
        )


def _method(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    rows = (
        con.sql(
            "SELECT kind, arg_max(params, created_at) AS params, count(*) AS findings, "
            "max(created_at) AS latest FROM findings GROUP BY kind ORDER BY kind"
        )
        .to_arrow_table()
        .to_pylist()
    )
    data.method = {
        r["kind"]: {
            "findings": r["findings"],
            "latest": r["latest"],
            "params": json.loads(r["params"]),
        }
        for r in rows
    }
