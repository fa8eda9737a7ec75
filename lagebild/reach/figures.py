"""Totals, per-platform figures and the reposts' part of the reach, in one SQL pass each.

Reads the temp table ``reach_posts`` of :func:`lagebild.reach.prepare.prepare`. Sums run only
over the posts that carry a count; a count no post carries stays ``NULL`` (``None``), so the
per-platform figures add up to the totals and a missing count never turns into 0.
"""

from __future__ import annotations

from typing import Any

import duckdb

from lagebild.reach.records import METRICS, Estimate, Figures, Metric, RepostReach, Share

__all__ = ["platform_figures", "repost_reach"]


def _sum(column: str, where: str | None = None) -> str:
    f = f" FILTER ({where})" if where else ""
    return f"CAST(sum({column}){f} AS BIGINT) AS {column}_total, count({column}){f} AS {column}_n"


_FIGURES = ",\n".join(
    [
        "count(*) AS posts",
        "count(*) FILTER (repost_of IS NOT NULL) AS reposts_n_posts",
        "count(*) FILTER (reply_to IS NOT NULL) AS replies_n_posts",
        "count(DISTINCT (platform, account_id)) AS accounts",
        "min(created_at) AS first_seen",
        "max(created_at) AS last_seen",
        *(_sum(m) for m in (*METRICS, "engagement", "views_estimate")),
        "count(*) FILTER (views IS NULL AND views_estimate IS NULL) AS without_basis",
    ]
)


def _metric(row: dict[str, Any], name: str, posts: int) -> Metric:
    carried = int(row[f"{name}_n"] or 0)
    return Metric(row[f"{name}_total"] if carried else None, carried, posts - carried)


def _estimate(row: dict[str, Any], rule: str, prefix: str = "") -> Estimate:
    return Estimate(
        row[f"{prefix}views_estimate_total"],
        int(row[f"{prefix}views_estimate_n"] or 0),
        int(row[f"{prefix}without_basis"] or 0),
        rule,
    )


def _figures(row: dict[str, Any], platform: str | None, rule: str) -> Figures:
    posts = int(row["posts"])
    reposts = int(row["reposts_n_posts"] or 0)
    return Figures(
        platform=platform,
        posts=posts,
        originals=posts - reposts,
        reposts=reposts,
        replies=int(row["replies_n_posts"] or 0),
        accounts=int(row["accounts"] or 0),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        metrics={m: _metric(row, m, posts) for m in METRICS},
        engagement=_metric(row, "engagement", posts),
        views_estimate=_estimate(row, rule),
    )


def platform_figures(con: duckdb.DuckDBPyConnection, rule: str) -> tuple[Figures, list[Figures]]:
    """The figures of all selected posts and of each platform's (most posts first)."""
    rows = (
        con.sql(
            f"""SELECT grouping(platform) AS whole, platform, {_FIGURES}
            FROM reach_posts WHERE selected GROUP BY GROUPING SETS ((platform), ())
            ORDER BY whole DESC, posts DESC, platform"""
        )
        .to_arrow_table()
        .to_pylist()
    )
    whole = [r for r in rows if r["whole"]]
    total = (
        _figures(whole[0], None, rule)
        if whole
        else Figures(
            None,
            0,
            0,
            0,
            0,
            0,
            None,
            None,
            {m: Metric(None, 0, 0) for m in METRICS},
            Metric(None, 0, 0),
            Estimate(None, 0, 0, rule),
        )
    )
    return total, [_figures(r, r["platform"], rule) for r in rows if not r["whole"]]


def repost_reach(con: duckdb.DuckDBPyConnection, rule: str) -> RepostReach:
    """How much of the reach came through reposts, selected or only in the store."""
    outside = "NOT selected"
    original = "selected AND repost_of IS NULL"
    repost = "repost_of IS NOT NULL"
    row = (
        con.sql(
            f"""SELECT
              count(*) FILTER (selected AND repost_of IS NOT NULL) AS in_selection,
              count(*) FILTER (original_selected) AS of_selection,
              count(*) FILTER ({outside}) AS outside,
              count(*) FILTER ({original}) AS orig_posts,
              count(*) FILTER ({repost}) AS rep_posts,
              count(DISTINCT (platform, account_id)) FILTER ({outside}) AS outside_accounts,
              CAST(sum(views) FILTER ({outside}) AS BIGINT) AS views_total,
              count(views) FILTER ({outside}) AS views_n,
              CAST(sum(views_estimate) FILTER ({outside}) AS BIGINT) AS views_estimate_total,
              count(views_estimate) FILTER ({outside}) AS views_estimate_n,
              count(*) FILTER ({outside} AND views IS NULL AND views_estimate IS NULL)
                AS without_basis,
              {
                ", ".join(
                    f"CAST(sum({c}) FILTER ({cond}) AS BIGINT) AS {c}_{side}, "
                    f"count({c}) FILTER ({cond}) AS {c}_{side}_n"
                    for c in ("views", "engagement", "views_estimate")
                    for side, cond in (("orig", original), ("rep", repost))
                )
            }
            FROM reach_posts"""
        )
        .to_arrow_table()
        .to_pylist()[0]
    )
    outside_n = int(row["outside"])

    def share(column: str, basis: str) -> Share:
        def side(name: str) -> int | None:
            if row[f"{column}_{name}_n"]:
                return int(row[f"{column}_{name}"])
            return 0 if not row[f"{name}_posts"] else None  # no posts: nothing; else missing

        return Share(side("orig"), side("rep"), basis)

    return RepostReach(
        in_selection=int(row["in_selection"]),
        of_selection=int(row["of_selection"]),
        outside_selection=outside_n,
        outside_accounts=int(row["outside_accounts"]),
        outside_views=_metric(row, "views", outside_n),
        outside_views_estimate=_estimate(row, rule),
        views=share("views", "measured"),
        engagement=share("engagement", "measured"),
        views_estimate=share("views_estimate", "estimate"),
    )
