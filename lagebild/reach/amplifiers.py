"""Top amplifiers: the accounts that added the most reach to a selection.

An account's reach is the measured views of its posts in ``reach_posts`` (its selected posts
and its reposts of selected posts), plus, for posts without views, the estimate from its
followers at posting (:mod:`lagebild.reach.prepare`). The figure is marked ``estimate`` as
soon as any part of it is estimated, ``measured`` otherwise; with neither views nor follower
counts it is missing and accounts rank by how many posts they contributed. Each account is
checked against the ``coordination_community`` findings, so a team sees at once whether the
loudest carriers of a claim were a coordinated network.
"""

from __future__ import annotations

import duckdb

from lagebild.reach.records import Amplifier

__all__ = ["COMMUNITY_KIND", "amplifier_counts", "top_amplifiers"]

COMMUNITY_KIND = "coordination_community"

_PER_ACCOUNT = """
  SELECT platform, account_id,
    count(*) FILTER (selected) AS posts,
    count(*) FILTER (NOT selected) AS reposts_outside,
    min(created_at) AS first_post,
    arg_min(followers, created_at) FILTER (followers IS NOT NULL) AS followers,
    arg_max(account_handle, created_at) FILTER (account_handle IS NOT NULL) AS handle,
    CAST(sum(views) AS BIGINT) AS views_measured,
    CAST(sum(views_estimate) AS BIGINT) AS views_estimate,
    count(views_estimate) AS estimated,
    CAST(sum(engagement) AS BIGINT) AS engagement
  FROM reach_posts GROUP BY platform, account_id"""

_MEMBERS = f"""
  SELECT a.platform, a.account_id, list(id ORDER BY id) AS communities FROM (
    SELECT id, unnest(accounts) AS a FROM findings WHERE kind = '{COMMUNITY_KIND}')
  GROUP BY ALL"""


def top_amplifiers(con: duckdb.DuckDBPyConnection, top_n: int) -> list[Amplifier]:
    """The ``top_n`` accounts by reach added, largest first (ties: more posts, then id)."""
    if top_n == 0:
        return []
    rows = (
        con.sql(
            f"""WITH acc AS ({_PER_ACCOUNT}),
            ranked AS (
              SELECT *, CASE WHEN views_measured IS NULL AND views_estimate IS NULL THEN NULL
                ELSE coalesce(views_measured, 0) + coalesce(views_estimate, 0) END AS reach
              FROM acc ORDER BY reach DESC NULLS LAST, posts + reposts_outside DESC,
                platform, account_id LIMIT {int(top_n)}),
            members AS ({_MEMBERS})
            SELECT r.*, coalesce(l.handle, r.handle) AS best_handle, m.communities
            FROM ranked r
            LEFT JOIN (
              SELECT platform, account_id, arg_max(handle, observed_at) AS handle
              FROM account_history h SEMI JOIN ranked USING (platform, account_id)
              WHERE h.handle IS NOT NULL GROUP BY ALL) l USING (platform, account_id)
            LEFT JOIN members m USING (platform, account_id)
            ORDER BY reach DESC NULLS LAST, posts + reposts_outside DESC, platform, account_id"""
        )
        .to_arrow_table()
        .to_pylist()
    )
    return [
        Amplifier(
            platform=r["platform"],
            account_id=r["account_id"],
            handle=r["best_handle"],
            followers=r["followers"],
            posts=int(r["posts"]),
            reposts_outside=int(r["reposts_outside"]),
            first_post=r["first_post"],
            reach=r["reach"],
            basis=_basis(r["reach"], r["estimated"]),
            views_measured=r["views_measured"],
            views_estimate=r["views_estimate"],
            engagement=r["engagement"],
            communities=tuple(r["communities"] or ()),
        )
        for r in rows
    ]


def _basis(reach: int | None, estimated: int) -> str:
    if reach is None:
        return "missing"
    return "estimate" if estimated else "measured"


def amplifier_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """How many accounts added reach, and how many of them are in a coordinated community."""
    row = con.sql(
        f"""SELECT count(*) AS accounts, count(m.account_id) AS coordinated
        FROM (SELECT DISTINCT platform, account_id FROM reach_posts) a
        LEFT JOIN ({_MEMBERS}) m USING (platform, account_id)"""
    ).fetchall()[0]
    return int(row[0]), int(row[1])
