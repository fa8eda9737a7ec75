"""Hourly series of every key and their seasonal trailing baselines, for spike detection.

A *key* is what a spike is about: a hashtag, a domain, an account, a fact-checked claim, a
narrative, or ``all`` posts. Each post yields one *event* per key it carries (a hashtag used
twice in one post counts once). Events are counted per key and UTC hour in DuckDB SQL into a
sparse table (only hours with posts have a row), and the trailing baseline of every row is a
``RANGE`` window over the hour index, so no zero-filled grid per key is ever built: an hour
without a row is an hour with no posts, and a window sum over the rows that exist is the sum
over all hours.

The baseline of hour ``t`` is the mean rate over the ``W`` hours ``t-G-W .. t-G-1`` (a guard
gap of ``G`` hours keeps the start of a spike out of the baseline of its next hours, as the
EARS C2 method does with days), divided by the seasonal weight of those hours and multiplied
by the seasonal factor of hour ``t``, optionally blended with the key's own posts at the same
hour of day. The seasonal factor is a 24-value hour-of-day profile (mean 1). Only *watched*
hours (of UTC days with any post in the store, see :class:`Coverage`) are part of a window,
so the baseline of a short history, or one across a gap in the data, is the rate over the
hours actually watched.

This module holds the SQL and the vectorised baseline arithmetic (the Poisson tail is in
:mod:`lagebild.narratives.poisson`); the decision, the spikes and their findings are in
:mod:`lagebild.narratives.spikes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from lagebild.claims.decisions import rejected_matches_sql
from lagebild.store.sql import quote

__all__ = [
    "KINDS",
    "Coverage",
    "candidate_table",
    "counts_table",
    "events_sql",
    "evidence_tables",
    "expected_counts",
    "hour_index",
    "hour_time",
    "seasonal_profile",
    "series_table",
]

KINDS = ("all", "hashtag", "domain", "account", "claim", "narrative")
_HOUR_US = 3_600_000_000
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def hour_index(ts: dt.datetime) -> int:
    """Hours since 1970-01-01 00:00 UTC of the hour holding ``ts`` (naive means UTC)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return int(ts.timestamp() // 3600)


def hour_time(h: int) -> dt.datetime:
    """The UTC start of hour index ``h``."""
    return dt.datetime.fromtimestamp(int(h) * 3600, dt.UTC)


@dataclass(frozen=True)
class Coverage:
    """What the analysed range holds: posts, posts per hour of day, and the watched days.

    A day (UTC) is *watched* when the store has at least one post on it: hours of days
    without any post (before the first post, after the last, or in a gap between two
    collections) are not part of any baseline, so a gap in the data is not mistaken for
    silence.
    """

    posts: int
    hour_of_day: Floats
    days: Ints  # the watched days (day index = hour index // 24), sorted

    @property
    def first_hour(self) -> int | None:
        """The first hour of the first watched day."""
        return int(self.days[0]) * 24 if len(self.days) else None

    def _day_prefix(self, d: Ints) -> Ints:
        """Watched days before day ``d``."""
        found: Ints = np.searchsorted(self.days, d, side="left")
        return found

    def watched_hours(self, a: Ints, b: Ints) -> Ints:
        """Watched hours in ``[a, b)``."""
        return self.weight(a, b, np.ones(24)).round().astype(np.int64)

    def weight(self, a: Ints, b: Ints, profile: Floats) -> Floats:
        """Sum of the hour-of-day factors ``profile`` over the watched hours in ``[a, b)``."""
        a = np.asarray(a, dtype=np.int64)
        b = np.maximum(np.asarray(b, dtype=np.int64), a)
        # whole watched days strictly inside, plus the two partial days at the ends
        cum = np.concatenate([[0.0], np.cumsum(profile)])  # cum[j] = profile[:j].sum()
        da, db = a // 24, b // 24
        full = np.maximum(self._day_prefix(db) - self._day_prefix(da + 1), 0) * cum[24]
        on_a = np.isin(da, self.days)
        on_b = np.isin(db, self.days)
        same = da == db
        head = np.where(same, cum[b % 24] - cum[a % 24], cum[24] - cum[a % 24]) * on_a
        tail = np.where(same, 0.0, cum[b % 24]) * on_b
        out: Floats = full + head + tail
        return out

    def same_hour(self, a: Ints, b: Ints, t: Ints) -> Ints:
        """Watched hours in ``[a, b)`` at the hour of day of ``t``."""
        j = np.asarray(t, dtype=np.int64) % 24
        first = (np.asarray(a, dtype=np.int64) - j + 23) // 24  # first day with hour j >= a
        last = (np.asarray(b, dtype=np.int64) - 1 - j) // 24  # last day with hour j < b
        n: Ints = np.maximum(self._day_prefix(last + 1) - self._day_prefix(first), 0)
        return n


def _bounds(lo: dt.datetime | None, hi: dt.datetime | None) -> str:
    where = ["true"]
    if lo is not None:
        where.append(f"created_at >= TIMESTAMPTZ '{lo.astimezone(dt.UTC).isoformat()}'")
    if hi is not None:
        where.append(f"created_at < TIMESTAMPTZ '{hi.astimezone(dt.UTC).isoformat()}'")
    return " AND ".join(where)


def events_sql(
    kinds: Sequence[str],
    lo: dt.datetime | None,
    hi: dt.datetime | None,
    decisions: Sequence[Path] = (),
    narrative_model: str | None = None,
    hours: str | None = None,
) -> str:
    """SQL of the events (one row per post and key) of posts created in ``[lo, hi)``.

    Columns: ``kind, key, platform, post_id, account_id, account_handle, created_at, h``
    (``h`` the hour index). Claims come from ``claim_match`` findings without a rejection in
    ``decisions`` (the ``match_decisions`` parts; the latest decision per finding counts),
    narratives from ``narrative_posts`` (of ``narrative_model`` only, when given). ``hours``
    names a table whose column ``h`` lists the only hours wanted.
    """
    hour = f"(epoch_us(created_at) // {_HOUR_US})::BIGINT"
    only = "" if hours is None else f" AND {hour} IN (SELECT h FROM {hours})"
    cols = "platform, post_id, account_id, account_handle, created_at"
    base = f"SELECT {cols}, hashtags, domains, {hour} AS h FROM posts WHERE {_bounds(lo, hi)}{only}"
    # one branch per kind: much faster in DuckDB than one unnest of a list of structs
    parts = []
    if "all" in kinds:
        parts.append(f"SELECT 'all' AS kind, 'all' AS key, {cols}, h FROM ({base})")
    if "account" in kinds:
        parts.append(
            f"SELECT 'account' AS kind, platform || ':' || account_id AS key, {cols}, h "
            f"FROM ({base})"
        )
    for kind, column in (("hashtag", "hashtags"), ("domain", "domains")):
        if kind in kinds:
            parts.append(
                f"SELECT '{kind}' AS kind, key, {cols}, h FROM (SELECT "
                f"unnest(list_distinct({column})) AS key, * FROM ({base})) WHERE key <> ''"
            )
    if "claim" in kinds:
        parts.append(
            f"""SELECT 'claim' AS kind, c.key, {cols}, h FROM ({base}) p JOIN (
              SELECT DISTINCT m.platform, m.post_id, m.key FROM (
                SELECT r.platform, r.post_id, key FROM (
                  SELECT unnest(posts) AS r, json_extract_string(details, '$.factcheck_id') AS key
                  FROM findings WHERE kind = 'claim_match')) m
              WHERE m.key IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM ({rejected_matches_sql(decisions)}) x WHERE x.platform = m.platform
                AND x.post_id = m.post_id AND x.factcheck_id = m.key)
            ) c USING (platform, post_id)"""
        )
    if "narrative" in kinds:
        model = "" if narrative_model is None else "WHERE model_id = " + quote(narrative_model)
        parts.append(
            f"SELECT 'narrative' AS kind, n.narrative_id AS key, {cols}, h FROM ({base}) p "
            f"JOIN (SELECT DISTINCT platform, post_id, narrative_id FROM narrative_posts {model}) "
            "n USING (platform, post_id)"
        )
    return " UNION ALL ".join(parts)


def counts_table(
    con: duckdb.DuckDBPyConnection,
    kinds: Sequence[str],
    lo: dt.datetime | None,
    hi: dt.datetime | None,
    decisions: Sequence[Path] = (),
    narrative_model: str | None = None,
) -> Coverage:
    """Fill the temp table ``_spk_counts`` (kind, key, h, posts, accounts); say what it covers."""
    hour = f"(epoch_us(created_at) // {_HOUR_US})"
    hod = con.sql(
        f"SELECT ({hour} % 24)::INT AS hod, count(*) AS n FROM posts "
        f"WHERE {_bounds(lo, hi)} GROUP BY 1"
    ).fetchall()
    days = con.sql(
        f"SELECT DISTINCT ({hour} // 24)::BIGINT AS d FROM posts WHERE {_bounds(lo, hi)} ORDER BY d"
    ).to_arrow_table()
    profile = np.zeros(24)
    for h, n in hod:
        profile[h] = n
    posts = int(profile.sum())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _spk_counts AS "
        "SELECT kind, key, h, sum(n)::BIGINT AS posts, count(*)::BIGINT AS accounts FROM ("
        "SELECT kind, key, h, platform, account_id, count(*) AS n FROM ("
        + events_sql(kinds, lo, hi, decisions, narrative_model)
        + ") GROUP BY ALL) GROUP BY ALL"
        if posts
        else "CREATE OR REPLACE TEMP TABLE _spk_counts (kind VARCHAR, key VARCHAR, h BIGINT, "
        "posts BIGINT, accounts BIGINT)"
    )
    return Coverage(posts, profile, days.column("d").to_numpy().astype(np.int64))


def candidate_table(
    con: duckdb.DuckDBPyConnection,
    min_count: int,
    baseline_hours: int,
    guard_hours: int,
    from_h: int,
    to_h: int | None,
) -> pa.Table:
    """Rows of ``_spk_counts`` that could be spikes, with their trailing window sums.

    A row is a candidate when it has at least ``min_count`` posts and its hour lies in
    ``[from_h, to_h)``. Columns: ``kind, key, h, posts, accounts, win`` (posts in the baseline
    window), ``same_hour`` (those of them at the same hour of day), ``first_h`` (the key's
    first hour in the range) and ``kid`` (a number per key);
    sorted by kind, key, hour.
    """
    upper = "" if to_h is None else f" AND h < {int(to_h)}"
    hit = f"posts >= {int(min_count)} AND h >= {int(from_h)}{upper}"
    return con.sql(
        f"""SELECT kind, key, h, posts, accounts, win, same_hour, first_h,
          dense_rank() OVER (ORDER BY kind, key) AS kid FROM (
          SELECT *, coalesce(sum(posts) OVER (PARTITION BY kind, key ORDER BY h RANGE BETWEEN
              {baseline_hours + guard_hours} PRECEDING AND {guard_hours + 1} PRECEDING), 0)::BIGINT
              AS win,
            coalesce(sum(posts) OVER (PARTITION BY kind, key, h % 24 ORDER BY h RANGE BETWEEN
              {baseline_hours + guard_hours} PRECEDING AND {guard_hours + 1} PRECEDING), 0)::BIGINT
              AS same_hour,
            min(h) OVER (PARTITION BY kind, key) AS first_h
          FROM _spk_counts WHERE (kind, key) IN (SELECT DISTINCT kind, key FROM _spk_counts
                                                 WHERE {hit}))
        WHERE {hit} ORDER BY kind, key, h"""
    ).to_arrow_table()


def seasonal_profile(counts: Floats, prior: float, centre: Floats | None = None) -> Floats:
    """Hour-of-day factors (mean 1) from posts per hour of day, smoothed and shrunk.

    Counts are smoothed circularly with the kernel (1, 2, 1)/4, then shrunk towards
    ``centre`` (default flat) with ``prior`` pseudo-posts per hour of day, so a profile
    from few posts stays close to ``centre``.
    """
    n = np.asarray(counts, dtype=np.float64)
    smooth = (np.roll(n, 1) + 2 * n + np.roll(n, -1)) / 4
    base = np.ones(24) if centre is None else centre
    out: Floats = (smooth + prior * base) / (n.sum() / 24 + prior)
    return out


def expected_counts(
    t: Ints,
    win: Floats,
    cover: Coverage,
    profile: Floats,
    baseline_hours: int,
    guard_hours: int,
    min_expected: float,
    same_hour: Floats | None = None,
    prior_hours: float = 7.0,
) -> tuple[Floats, Floats, Ints]:
    """Expected posts at hours ``t``, the baseline rate and the watched hours of the window.

    ``win`` holds the posts of the baseline windows; only the watched hours of ``cover``
    count. The seasonal expectation is the rate (posts per average watched hour) times
    ``profile`` at the hour of day. With ``same_hour`` (the posts of the window's hours at
    the same hour of day as ``t``), that expectation is the prior mean of a Gamma-Poisson
    model worth ``prior_hours`` hours, updated with the key's own same-hour history:
    ``(same_hour + prior_hours * seasonal) / (same-hour hours watched + prior_hours)``.
    The result is floored at ``min_expected``.
    """
    t = np.asarray(t, dtype=np.int64)
    b = t - guard_hours
    a = b - baseline_hours
    weight = cover.weight(a, b, profile)
    rate = np.divide(win, weight, out=np.zeros(len(t)), where=weight > 0)
    expected = rate * profile[t % 24]
    if same_hour is not None:
        watched = cover.same_hour(a, b, t)
        expected = (same_hour + prior_hours * expected) / (watched + prior_hours)
    return np.maximum(expected, min_expected), rate, cover.watched_hours(a, b)


def series_table(
    con: duckdb.DuckDBPyConnection,
    spikes: pa.Table,
    baseline_hours: int,
    guard_hours: int,
    context_hours: int,
) -> pa.Table:
    """Posts, accounts and baseline window sums of every hour around each spike.

    ``spikes`` has ``sid, kind, key, start_h, end_h``; the result has ``sid, h, posts,
    accounts, win, same_hour`` for hours ``start_h - context_hours .. end_h + context_hours``.
    """
    con.register("_spk_spikes", spikes)
    try:
        return con.sql(
            f"""WITH g AS (SELECT sid, kind, key,
                 unnest(range(start_h - {context_hours}, end_h + {context_hours} + 1)) AS h
               FROM _spk_spikes)
            SELECT g.sid, g.h,
              coalesce(sum(c.posts) FILTER (WHERE c.h = g.h), 0)::BIGINT AS posts,
              coalesce(sum(c.accounts) FILTER (WHERE c.h = g.h), 0)::BIGINT AS accounts,
              coalesce(sum(c.posts) FILTER (WHERE c.h < g.h - {guard_hours}), 0)::BIGINT AS win,
              coalesce(sum(c.posts) FILTER (WHERE c.h < g.h - {guard_hours}
                AND (g.h - c.h) % 24 = 0), 0)::BIGINT AS same_hour
            FROM g LEFT JOIN _spk_counts c ON c.kind = g.kind AND c.key = g.key
              AND c.h BETWEEN g.h - {guard_hours + baseline_hours} AND g.h
            GROUP BY g.sid, g.h ORDER BY g.sid, g.h"""
        ).to_arrow_table()
    finally:
        con.unregister("_spk_spikes")


def evidence_tables(
    con: duckdb.DuckDBPyConnection,
    spikes: pa.Table,
    max_posts: int,
    max_accounts: int,
    decisions: Sequence[Path] = (),
    narrative_model: str | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The posts and the top accounts that made each spike.

    Returns ``(posts, accounts)``: per ``sid`` the number of posts and distinct accounts and
    the first ``max_posts`` post refs in time order; and per ``sid`` the ``max_accounts``
    accounts with the most posts in the spike (``platform, account_id, handle, posts``).
    """
    kinds = sorted(set(spikes.column("kind").to_pylist()))
    lo = min(spikes.column("start_h").to_pylist())
    hi = max(spikes.column("end_h").to_pylist()) + 1
    con.register("_spk_spikes", spikes)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _spk_hours AS SELECT DISTINCT "
            "unnest(range(start_h, end_h + 1)) AS h FROM _spk_spikes"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _spk_evidence AS SELECT s.sid, e.platform, e.post_id, "
            "e.account_id, e.account_handle, e.created_at FROM ("
            + events_sql(
                kinds, hour_time(lo), hour_time(hi), decisions, narrative_model, "_spk_hours"
            )
            + ") e JOIN _spk_spikes s ON e.kind = s.kind AND e.key = s.key "
            "AND e.h BETWEEN s.start_h AND s.end_h"
        )
    finally:
        con.unregister("_spk_spikes")
    posts = con.sql(
        f"""SELECT sid, count(*)::BIGINT AS posts,
          count(DISTINCT (platform, account_id))::BIGINT AS accounts,
          list({{'platform': platform, 'post_id': post_id}}
               ORDER BY created_at, platform, post_id)[1:{int(max_posts)}] AS refs
        FROM _spk_evidence GROUP BY sid"""
    ).to_arrow_table()
    accounts = con.sql(
        f"""SELECT sid, platform, account_id, handle, posts FROM (
          SELECT sid, platform, account_id, max(account_handle) AS handle,
            count(*)::BIGINT AS posts, row_number() OVER (PARTITION BY sid
              ORDER BY count(*) DESC, platform, account_id) AS r
          FROM _spk_evidence GROUP BY sid, platform, account_id)
        WHERE r <= {int(max_accounts)} ORDER BY sid, r"""
    ).to_arrow_table()
    con.execute("DROP TABLE _spk_evidence; DROP TABLE _spk_hours")
    return posts, accounts
