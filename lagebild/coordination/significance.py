"""Is this coordination more than chance? A null model for edges and communities.

Accounts that share a viral link in the same hour will have share pairs within seconds by
chance alone: the busier the hour, the more such pairs. The null model keeps everything that
chance depends on and breaks only the alignment that coordination creates:

* every post keeps its account and its time (so each account's activity pattern, its
  volume and its hours are unchanged);
* within each time bucket (``null_bucket`` seconds, one hour by default), the objects the
  posts acted on are permuted among the posts of that bucket (so each object keeps how often
  and in which hour it was shared).

The pair search then runs again on the permuted data, ``null_runs`` times with seeds derived
from ``seed``. For each edge of the filtered network the observed weight *w* is compared with
its weights *w*\\ :sub:`1..N` under the null model:

* empirical p-value = (1 + #{*r*: *w*\\ :sub:`r` ≥ *w*}) / (N + 1) (never 0; with N = 99 the
  smallest is 0.01);
* z-score = (*w* − mean) / standard deviation of the null weights (``None`` when the null
  weights do not vary, e.g. all 0).

The p-value answers "is this *particular* pair together more often than its own activity
explains?". Two fans of a viral link who happen to post it within seconds once get a small
p-value too, because that exact pair rarely meets by chance, while some pair always does. The
**q-value** answers the question across the whole network: for the edges with weight ≥ *w*,
the mean number of null edges that heavy divided by the observed number (a permutation
estimate of the false discovery rate, made monotone: the smallest over all thresholds ≤ *w*).
One-off chance meetings have q-values near 1; repeated coordination has q-values near 0. Flag
an edge when both are small.

A community is tested on its total weight (the summed weight of all edges among its
accounts, observed and under each null run) for ``p_value`` and ``z_score``; its ``q_value``
is the q-value at the mean weight of its internal edges.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from lagebild.coordination.communities import Community

if TYPE_CHECKING:
    from lagebild.coordination.detect import CoordinationParams

__all__ = ["null_model", "shuffled_shares_sql"]


def shuffled_shares_sql(shares: str, bucket: float, seed: int) -> str:
    """The share rows of ``shares`` with objects permuted among the posts of each bucket."""
    b = float(bucket)
    return f"""
      WITH s AS ({shares}),
      u AS (SELECT DISTINCT object_id, account_id, platform, post_id, ts,
              floor(ts / {b})::BIGINT AS hb FROM s),
      slots AS (SELECT account_id, platform, post_id, ts, hb, row_number() OVER
                  (PARTITION BY hb ORDER BY hash(platform, post_id, object_id, {int(seed)}))
                  AS rn FROM u),
      objs AS (SELECT object_id, platform AS o_platform, post_id AS o_post, hb, row_number()
                 OVER (PARTITION BY hb ORDER BY hash(object_id, platform, post_id,
                 {int(seed) + 1})) AS rn FROM u),
      perm AS (SELECT o.object_id, o.o_platform, o.o_post, sl.account_id, sl.platform,
                 sl.post_id, sl.ts FROM slots sl JOIN objs o USING (hb, rn))
      SELECT DISTINCT p.object_id, s.key, p.account_id, p.platform, p.post_id, p.ts, s.sig
      FROM perm p JOIN s ON s.object_id = p.object_id AND s.platform = p.o_platform
        AND s.post_id = p.o_post
    """


def _q_at(curve: list[tuple[int, float]], weight: float) -> float:
    """The q-value of the heaviest threshold at or below ``weight``."""
    below = [q for t, q in curve if t <= weight]
    return below[-1] if below else 1.0


def null_model(
    con: duckdb.DuckDBPyConnection,
    params: CoordinationParams,
    window: float,
    communities: list[Community],
) -> tuple[pa.Table, list[Community]]:
    """The edges with p-values and z-scores, and the communities tested (see module doc).

    Needs the ``coord_edges`` table of the observed run in ``con``.
    """
    from lagebild.coordination.detect import EDGES_SQL, all_pairs_sql

    runs = params.null_runs
    members = pa.table(
        {
            "account_id": [a for c in communities for a in c.accounts],
            "community": [c.id for c in communities for _ in c.accounts],
        }
    )
    con.register("coord_members", members)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_null (run INTEGER, account_id_x VARCHAR, "
        "account_id_y VARCHAR, weight BIGINT);"
        "CREATE OR REPLACE TEMP TABLE coord_null_hist (run INTEGER, weight BIGINT, n BIGINT)"
    )
    for run in range(runs):
        seed = params.seed * 1_000_003 + 2 * run
        shares = [shuffled_shares_sql(q.sql, params.null_bucket, seed) for q in params.queries()]
        pairs = all_pairs_sql(params, window, shares)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE coord_null_run AS " + EDGES_SQL.format(pairs=f"({pairs})")
        )
        con.execute(
            f"INSERT INTO coord_null_hist SELECT {run}, weight, count(*) FROM coord_null_run "
            "GROUP BY weight"
        )
        con.execute(
            f"INSERT INTO coord_null SELECT {run}, account_id_x, account_id_y, weight "
            "FROM coord_null_run n WHERE (account_id_x IN (SELECT account_id FROM coord_members) "
            "AND account_id_y IN (SELECT account_id FROM coord_members)) OR EXISTS (SELECT 1 "
            "FROM coord_edges e WHERE e.account_id_x = n.account_id_x "
            "AND e.account_id_y = n.account_id_y)"
        )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE coord_fdr AS
        WITH t AS (SELECT DISTINCT weight AS t FROM coord_edges),
        fdr AS (SELECT t,
          least(1, coalesce((SELECT sum(n) FROM coord_null_hist h WHERE h.weight >= t), 0)
            / {runs} / (SELECT count(*) FROM coord_edges e WHERE e.weight >= t)) AS fdr FROM t)
        SELECT t, min(fdr) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
          AS q FROM fdr"""
    )
    curve = con.execute("SELECT t, q FROM coord_fdr ORDER BY t").fetchall()
    stats = f"""
      SELECT o.*, coalesce(sum(n.{{value}}), 0) / {runs} AS null_mean,
        (1 + count(n.{{value}}) FILTER (WHERE n.{{value}} >= o.{{value}})) / {runs + 1} AS p_value,
        CASE WHEN {runs} > 1 THEN (coalesce(sum(n.{{value}} * n.{{value}}), 0)
          - {runs} * pow(coalesce(sum(n.{{value}}), 0) / {runs}, 2)) / ({runs} - 1) END AS var
      FROM {{observed}} o LEFT JOIN {{null}} n ON {{on}} GROUP BY ALL
    """
    z = "CASE WHEN var > 1e-12 THEN ({value} - null_mean) / sqrt(var) END AS z_score"
    edges = con.sql(
        f"SELECT s.* EXCLUDE (var), {z.format(value='weight')}, q AS q_value FROM ("
        + stats.format(
            value="weight",
            observed="coord_edges",
            null="coord_null",
            on="n.account_id_x = o.account_id_x AND n.account_id_y = o.account_id_y",
        )
        + ") s JOIN coord_fdr f ON f.t = s.weight ORDER BY account_id_x, account_id_y"
    ).to_arrow_table()
    totals = """
      SELECT mx.community, {run} AS run, sum(e.weight) AS total FROM {edges} e
      JOIN coord_members mx ON mx.account_id = e.account_id_x
      JOIN coord_members my ON my.account_id = e.account_id_y AND my.community = mx.community
      GROUP BY ALL
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_totals AS "
        + totals.format(run=-1, edges="coord_edges")
        + " UNION ALL "
        + totals.format(run="e.run", edges="coord_null")
    )
    rows = con.execute(
        f"SELECT community, p_value, {z.format(value='total')} FROM ("
        + stats.format(
            value="total",
            observed="(SELECT * EXCLUDE (run) FROM coord_totals WHERE run = -1)",
            null="(SELECT * FROM coord_totals WHERE run >= 0)",
            on="n.community = o.community",
        )
        + ")"
    ).fetchall()
    tested_of = {c: (p, zs) for c, p, zs in rows}
    tested = [
        replace(
            c,
            p_value=tested_of[c.id][0],
            z_score=tested_of[c.id][1],
            q_value=_q_at(curve, c.score / c.internal_edges),
        )
        if c.id in tested_of
        else c
        for c in communities
    ]
    con.unregister("coord_members")
    return edges, tested
