"""Estimating the coordination window from the data, with CooRnet's method.

Giglietto et al.'s CooRnet (``estimate_coord_interval``, defaults ``q`` = 0.1, ``p`` = 0.5):

1. take every object shared more than once and rank its shares by time;
2. keep the quickest objects: those whose second share came within the ``q`` quantile of all
   objects' times from first to second share;
3. for each of them, the time from its first share to the first share past ``p`` of its
   shares (rank / count > ``p``);
4. the window is the ``p`` quantile (the median) of those times.

The estimate follows the data's own fastest spreading, so a window that flags a share pair as
unusually quick is relative to how this dataset behaves. A window of 0 s (bursts within one
second) is raised to 1 s, the resolution of most exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from lagebild.errors import ConfigError

if TYPE_CHECKING:
    from lagebild.coordination.detect import CoordinationParams

__all__ = ["estimate_window"]


def estimate_window(
    con: duckdb.DuckDBPyConnection, params: CoordinationParams, q: float = 0.1, p: float = 0.5
) -> float:
    """The window in seconds for the kinds of ``params``, from the posts in ``con``."""
    union = " UNION ALL ".join(
        f"SELECT DISTINCT '{s.kind}' AS kind, object_id, platform, post_id, ts FROM ({s.sql})"
        for s in params.queries()
    )
    row = con.execute(
        f"""
        WITH shares AS ({union}),
        ranked AS (
          SELECT kind, object_id, ts - min(ts) OVER o AS since_first,
            row_number() OVER (o ORDER BY ts, platform, post_id) AS rank,
            count(*) OVER o AS n
          FROM shares WINDOW o AS (PARTITION BY kind, object_id)),
        second AS (SELECT kind, object_id, since_first FROM ranked WHERE n > 1 AND rank = 2),
        quick AS (SELECT kind, object_id FROM second
                  WHERE since_first <= (SELECT quantile_cont(since_first, {float(q)}) FROM second)),
        reach AS (SELECT r.kind, r.object_id, min(r.since_first) AS seconds FROM ranked r
                  JOIN quick USING (kind, object_id)
                  WHERE r.rank / r.n > {float(p)} GROUP BY r.kind, r.object_id)
        SELECT quantile_cont(seconds, {float(p)}), count(*) FROM reach
        """
    ).fetchall()
    seconds, objects = row[0]
    if not objects:
        raise ConfigError(
            "cannot estimate the window: no object was shared more than once",
            hint="give --window SECONDS",
        )
    return max(1.0, float(seconds))
