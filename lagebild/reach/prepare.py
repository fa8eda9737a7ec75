"""The selection as temp tables, once, with every per-post column the figures need.

``reach_sel`` holds the keys of the selected posts that are in the store. ``reach_posts``
holds those posts plus every stored repost of one of them (``selected`` false): such
reposts add reach even when the selection does not name them. Each row gets:

* ``reposts``: the repost counter, counted once per original. A repost's counter is the
  original's (Twitter's API copies ``retweet_count`` into every retweet), so on a repost it
  is 0 (still carried) unless the original is not selected, in which case the repost with
  the highest counter stands in for it. Summing copies would multiply the figure.
* ``engagement``: likes + reposts + replies + quotes the post carries; missing when it
  carries none of them.
* ``followers``: the account's followers at posting, from its latest ``account_history``
  snapshot at or before the post; for a post older than the account's first dated snapshot,
  that first one; for an account with only undated snapshots, the largest count among them.
* ``views_estimate``: where ``views`` is missing, followers × rate (:class:`ReachParams`);
  an estimate, kept apart from the measured ``views``.
"""

from __future__ import annotations

import duckdb

from lagebild.reach.records import ReachParams
from lagebild.reach.selection import ResolvedSelection

__all__ = ["TEMP_TABLES", "drop_tables", "prepare"]

TEMP_TABLES = ("reach_sel", "reach_base", "reach_snap", "reach_posts")

# a selected repost whose original is not selected: its repost counter may stand in for it
_STAND_IN = "(repost_of IS NOT NULL AND reposts IS NOT NULL AND selected AND NOT original_selected)"
_COLUMNS = (
    "p.platform, p.post_id, p.account_id, p.account_handle, p.created_at, p.repost_of, "
    "p.reply_to, p.views, p.likes, p.reposts, p.replies, p.quotes"
)


def prepare(
    con: duckdb.DuckDBPyConnection, resolved: ResolvedSelection, params: ReachParams
) -> None:
    """Create the temp tables ``reach_sel`` and ``reach_posts`` (see the module doc)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE reach_sel AS SELECT DISTINCT p.platform, p.post_id "
        f"FROM posts p SEMI JOIN ({resolved.sql}\n) s "
        "ON p.platform = s.platform AND p.post_id = s.post_id",
        list(resolved.params) or None,
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE reach_base AS
        SELECT {_COLUMNS}, s.post_id IS NOT NULL AS selected,
               o.post_id IS NOT NULL AS original_selected
        FROM posts p
        LEFT JOIN reach_sel s ON s.platform = p.platform AND s.post_id = p.post_id
        LEFT JOIN reach_sel o ON o.platform = p.platform AND o.post_id = p.repost_of
        WHERE s.post_id IS NOT NULL OR o.post_id IS NOT NULL"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE reach_snap AS
        SELECT h.platform, h.account_id, h.observed_at, h.followers FROM account_history h
        SEMI JOIN (SELECT DISTINCT platform, account_id FROM reach_base) a
          ON a.platform = h.platform AND a.account_id = h.account_id
        WHERE h.followers IS NOT NULL"""
    )
    estimate = (
        f"CAST(round(followers * {float(params.followers_rate)!r}) AS BIGINT)"
        if params.estimate == "followers"
        else "NULL::BIGINT"
    )
    # one ASOF join (the latest snapshot at or before the post); posts older than an
    # account's first dated snapshot take that one, accounts without dates an undated one
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE reach_posts AS
        WITH timed AS (SELECT * FROM reach_snap WHERE observed_at IS NOT NULL),
        fallback AS (
          SELECT platform, account_id,
                 coalesce(arg_min(followers, observed_at) FILTER (observed_at IS NOT NULL),
                          max(followers)) AS followers
          FROM reach_snap GROUP BY ALL),
        near AS (
          SELECT b.*, coalesce(bf.followers, u.followers) AS followers
          FROM reach_base b
          ASOF LEFT JOIN timed bf ON bf.platform = b.platform AND bf.account_id = b.account_id
            AND b.created_at >= bf.observed_at
          LEFT JOIN fallback u ON u.platform = b.platform AND u.account_id = b.account_id),
        adj AS (
          SELECT * EXCLUDE (reposts),
            CASE WHEN repost_of IS NULL OR reposts IS NULL THEN reposts
                 WHEN NOT selected OR original_selected THEN 0 END AS reposts
          FROM near WHERE NOT {_STAND_IN}
          UNION ALL BY NAME
          SELECT * EXCLUDE (reposts),
            CASE WHEN row_number() OVER (PARTITION BY platform, repost_of
                 ORDER BY reposts DESC, post_id) = 1 THEN reposts ELSE 0 END AS reposts
          FROM near WHERE {_STAND_IN})
        SELECT *,
          CASE WHEN likes IS NULL AND reposts IS NULL AND replies IS NULL AND quotes IS NULL
               THEN NULL
               ELSE coalesce(likes, 0) + coalesce(reposts, 0) + coalesce(replies, 0)
                    + coalesce(quotes, 0) END AS engagement,
          CASE WHEN views IS NULL AND followers IS NOT NULL THEN {estimate} END
            AS views_estimate
        FROM adj"""
    )
    con.execute("DROP TABLE reach_base; DROP TABLE reach_snap")


def drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the temp tables of :func:`prepare` (the connection stays usable)."""
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
