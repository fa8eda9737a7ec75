"""Time series of a selection per hour, day or week, and its peak hour.

Buckets run without gaps from the first selected post's bucket to the last one's (UTC). A
bucket without posts has 0 posts and 0 accounts; its views (and engagement, and estimated
views) are 0 when some post of the selection carries that count, and missing otherwise. A
bucket with posts none of which carries a count has that count missing, not 0.
"""

from __future__ import annotations

import duckdb

from lagebild.reach.records import Bucket, Figures, Peak

__all__ = ["peak_hours", "time_series"]

_COUNTS = ("views", "engagement", "views_estimate")


def _buckets(unit: str) -> str:
    return f"""SELECT date_trunc('{unit}', created_at) AS t, count(*) AS posts,
        count(DISTINCT (platform, account_id)) AS accounts,
        CAST(sum(views) AS BIGINT) AS views, CAST(sum(engagement) AS BIGINT) AS engagement,
        CAST(sum(views_estimate) AS BIGINT) AS views_estimate
      FROM reach_posts WHERE selected GROUP BY 1"""


def time_series(con: duckdb.DuckDBPyConnection, unit: str, totals: Figures) -> tuple[Bucket, ...]:
    """Zero-filled buckets of ``unit`` (hour, day, week) from first to last selected post."""
    if totals.posts == 0:
        return ()
    carried = {
        "views": totals.metrics["views"].carried > 0,
        "engagement": totals.engagement.carried > 0,
        "views_estimate": totals.views_estimate.posts > 0,
    }
    fill = ", ".join(
        f"CASE WHEN b.t IS NULL THEN {'0' if carried[c] else 'NULL'} ELSE b.{c} END AS {c}"
        for c in _COUNTS
    )
    rows = con.sql(
        f"""WITH b AS ({_buckets(unit)}),
        r AS (SELECT range AS t FROM range(
          (SELECT min(t) FROM b), (SELECT max(t) FROM b) + INTERVAL 1 {unit}, INTERVAL 1 {unit}))
        SELECT r.t, coalesce(b.posts, 0), coalesce(b.accounts, 0), {fill}
        FROM r LEFT JOIN b ON b.t = r.t ORDER BY r.t"""
    ).fetchall()
    return tuple(Bucket(*row) for row in rows)


def peak_hours(con: duckdb.DuckDBPyConnection) -> tuple[Peak | None, Peak | None]:
    """The hour with the most posts, and the one with the most measured views (or None)."""
    rows = con.sql(
        """WITH b AS (
          SELECT date_trunc('hour', created_at) AS t, count(*) AS posts,
                 CAST(sum(views) AS BIGINT) AS views
          FROM reach_posts WHERE selected GROUP BY 1)
        SELECT * FROM (SELECT 'posts' AS what, t, posts AS value FROM b
                       ORDER BY posts DESC, t LIMIT 1)
        UNION ALL
        SELECT * FROM (SELECT 'views', t, views FROM b WHERE views IS NOT NULL
                       ORDER BY views DESC, t LIMIT 1)"""
    ).fetchall()
    found = {what: Peak(t, int(value)) for what, t, value in rows}
    return found.get("posts"), found.get("views")
