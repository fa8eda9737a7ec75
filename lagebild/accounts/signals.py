"""Inauthenticity signals per account, computed in DuckDB over the store.

One row per account (every account with posts or a profile snapshot, or the ones asked for),
with context columns (handle, posts, first and last post, claimed region and its timezone,
latest follower counts, posts carrying state media) and one column per signal of
:data:`lagebild.accounts.catalog.SIGNALS`, each a value in its own unit. A signal the data
cannot tell is NULL, never 0 or False: an export without reply markers gives no reply share,
a store with second-less timestamps no same-second share, an account without a claimed region
no night-time share.

What the data can tell is judged per source file: a source where no post is marked as a reply
is taken not to carry reply markers (so an account whose only source is a small file that
happens to hold no replies gets NULL, not 0); the same for reposts, sub-minute timestamps, and
profile names and descriptions in account snapshots.

Signals are hints a person weighs, after Botometer's feature families (Varol et al. 2017) and
DFRLab's #BotSpot checklist; no combined score is computed on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from lagebild.accounts.catalog import SIGNALS
from lagebild.accounts.handles import handle_sql
from lagebild.accounts.regions import REGION_LABELS, region_table
from lagebild.accounts.statemedia import MIN_CHARS, MediaList, flag_posts, load_media_list
from lagebild.errors import ConfigError
from lagebild.model import AccountRef
from lagebild.store import PostStore

__all__ = ["CONTEXT", "AccountParams", "account_signals", "signals_table"]

#: Columns before the signals: who the account is and how much data there is on it.
CONTEXT = (
    "platform",
    "account_id",
    "handle",
    "posts",
    "first_post",
    "last_post",
    "region",
    "timezone",
    "followers",
    "following",
    "state_media_posts",
)
_KEYS = pa.schema([("platform", pa.string()), ("account_id", pa.string())])


@dataclass(frozen=True)
class AccountParams:
    """Thresholds of the account signals (each recorded with what it changes).

    ``night_hours``: local hours counted as night, ``[start, end)``; (0, 6) is 00:00-05:59
    (wraps around midnight when start > end, e.g. (23, 5)).
    ``min_posts_timing``: fewest posts for the timing signals (interval CV, same second,
    same minute, night share); fewer give NULL, as shares of a handful of posts mean little.
    ``min_growth_days``: fewest days between the first and last follower count for a growth.
    ``copied_min_chars``: shortest normalised text compared for copied state-media content.
    """

    night_hours: tuple[int, int] = (0, 6)
    min_posts_timing: int = 10
    min_growth_days: float = 1.0
    copied_min_chars: int = MIN_CHARS

    def __post_init__(self) -> None:
        start, end = self.night_hours
        if not (0 <= start <= 23 and 0 <= end <= 24 and start != end):
            raise ConfigError(
                f"night_hours {self.night_hours} must be two different hours in 0..24",
                hint="e.g. (0, 6) for 00:00-05:59",
            )
        if self.min_posts_timing < 2:
            raise ConfigError(f"min_posts_timing must be at least 2, got {self.min_posts_timing}")
        if self.min_growth_days <= 0 or self.copied_min_chars < 1:
            raise ConfigError("min_growth_days and copied_min_chars must be positive")


def account_signals(
    store: PostStore,
    params: AccountParams | None = None,
    accounts: Sequence[AccountRef] | None = None,
    media: MediaList | None = None,
) -> pa.Table:
    """Signals of every account in the store, or of ``accounts`` only (same columns either way).

    ``media`` is the state-media list (default: shipped list plus ``<data_dir>/state_media.csv``).
    """
    params = params or AccountParams()
    media = media or load_media_list(data_dir=store.data_dir)
    con = store.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        return signals_table(con, params, media, accounts)
    finally:
        con.close()


def _within(scope: str | None, alias: str) -> str:
    if scope is None:
        return "TRUE"
    return (
        f"EXISTS (SELECT 1 FROM {scope} s WHERE s.platform = {alias}.platform "
        f"AND s.account_id = {alias}.account_id)"
    )


def signals_table(
    con: duckdb.DuckDBPyConnection,
    params: AccountParams,
    media: MediaList,
    accounts: Sequence[AccountRef] | None = None,
) -> pa.Table:
    """The signals table over a store connection (the views ``posts``, ``account_history``...)."""
    scope = None
    if accounts is not None:
        con.register("_acc_scope", pa.Table.from_pylist([a._asdict() for a in accounts], _KEYS))
        scope = "_acc_scope"
    con.register("_acc_regions", region_table())
    flag_posts(con, media, min_chars=params.copied_min_chars, scope=scope)
    _prepare(con, scope)
    start, end = params.night_hours
    hour = "hour(timezone(r.tz, p.created_at))"
    night = (
        f"{hour} >= {start} AND {hour} < {end}"
        if start < end
        else f"({hour} >= {start} OR {hour} < {end})"
    )
    n_min = int(params.min_posts_timing)
    coord = con.sql(
        "SELECT count(*) FROM findings WHERE kind = 'coordination_community'"
    ).fetchall()[0][0]
    handles = handle_sql("handle")
    sql = f"""
    WITH agg AS (
      SELECT p.platform, p.account_id, count(*) AS posts, min(created_at) AS first_post,
        max(created_at) AS last_post, count(DISTINCT CAST(created_at AS DATE)) AS active_days,
        arg_max(account_handle, created_at) FILTER (account_handle IS NOT NULL) AS post_handle,
        count(*) FILTER (s.has_reposts) AS rp_n,
        count(*) FILTER (s.has_reposts AND repost_of IS NOT NULL) AS rp_k,
        count(*) FILTER (s.has_replies) AS re_n,
        count(*) FILTER (s.has_replies AND reply_to IS NOT NULL) AS re_k,
        count(*) FILTER (s.has_seconds) AS sec_n
      FROM _acc_posts p JOIN _acc_src s USING (platform, source) GROUP BY ALL),
    sec AS (
      SELECT platform, account_id, max(n) AS top FROM (
        SELECT platform, account_id, second(created_at), count(*) AS n
        FROM _acc_posts p JOIN _acc_src s USING (platform, source) WHERE s.has_seconds
        GROUP BY ALL) GROUP BY ALL),
    mins AS (
      SELECT platform, account_id, max(n) AS top FROM (
        SELECT platform, account_id, minute(created_at), count(*) AS n FROM _acc_posts
        GROUP BY ALL) GROUP BY ALL),
    gaps AS (
      SELECT platform, account_id, avg(gap) AS m, stddev_pop(gap) AS sd FROM (
        SELECT platform, account_id, epoch(created_at) - epoch(lag(created_at) OVER (
          PARTITION BY platform, account_id ORDER BY created_at)) AS gap FROM _acc_posts)
      GROUP BY ALL),
    age AS (
      SELECT p.platform, p.account_id,
        median(epoch(p.created_at) - epoch(h.created_at)) / 86400 AS days
      FROM _acc_posts p JOIN _acc_prof h USING (platform, account_id)
      WHERE h.created_at IS NOT NULL GROUP BY ALL),
    night AS (
      SELECT p.platform, p.account_id, count(*) AS n, count(*) FILTER ({night}) AS k
      FROM _acc_posts p JOIN _acc_prof r USING (platform, account_id) WHERE r.tz IS NOT NULL
      GROUP BY ALL),
    comm AS (
      SELECT a.platform, a.account_id, count(DISTINCT id) AS n,
        min(TRY_CAST(json_extract_string(details, '$.q_value') AS DOUBLE)) AS q,
        min(TRY_CAST(json_extract_string(details, '$.p_value') AS DOUBLE)) AS p
      FROM (SELECT id, details, unnest(accounts) AS a FROM findings
            WHERE kind = 'coordination_community') GROUP BY ALL),
    sm AS (
      SELECT platform, account_id, count(DISTINCT post_id) AS n FROM state_media_hits
      GROUP BY ALL),
    keys AS (
      SELECT platform, account_id FROM agg UNION SELECT platform, account_id FROM _acc_prof),
    base AS (
      SELECT k.platform, k.account_id, coalesce(h.handle, agg.post_handle) AS handle,
        coalesce(agg.posts, 0) AS posts, agg.first_post, agg.last_post, h.region,
        h.tz AS timezone, h.followers, h.following, coalesce(sm.n, 0) AS state_media_posts,
        age.days AS account_age_days,
        agg.posts / agg.active_days AS posts_per_active_day,
        agg.posts / greatest(1.0, (epoch(agg.last_post) - epoch(agg.first_post)) / 86400)
          AS posts_per_day,
        CASE WHEN agg.posts >= {n_min} AND gaps.m > 0 THEN gaps.sd / gaps.m END AS interval_cv,
        CASE WHEN agg.sec_n >= {n_min} THEN sec.top / agg.sec_n END AS same_second_share,
        CASE WHEN agg.posts >= {n_min} THEN mins.top / agg.posts END AS same_minute_share,
        agg.rp_k / nullif(agg.rp_n, 0) AS repost_share,
        agg.re_k / nullif(agg.re_n, 0) AS reply_share,
        h.default_profile,
        h.followers / nullif(h.following, 0) AS follower_ratio,
        CASE WHEN (epoch(h.g_t1) - epoch(h.g_t0)) / 86400 >= {float(params.min_growth_days)}
          THEN (h.g_f1 - h.g_f0) / ((epoch(h.g_t1) - epoch(h.g_t0)) / 86400) END
          AS follower_growth_per_day,
        CASE WHEN night.n >= {n_min} THEN night.k / night.n END AS night_share,
        {"coalesce(comm.n, 0)" if coord else "NULL::BIGINT"} AS coordinated_communities,
        comm.q AS community_min_q, comm.p AS community_min_p,
        CASE WHEN agg.posts > 0 THEN coalesce(sm.n, 0) / agg.posts END AS state_media_share
      FROM keys k LEFT JOIN agg USING (platform, account_id)
      LEFT JOIN _acc_prof h USING (platform, account_id)
      LEFT JOIN sec USING (platform, account_id) LEFT JOIN mins USING (platform, account_id)
      LEFT JOIN gaps USING (platform, account_id) LEFT JOIN age USING (platform, account_id)
      LEFT JOIN night USING (platform, account_id) LEFT JOIN comm USING (platform, account_id)
      LEFT JOIN sm USING (platform, account_id))
    SELECT {", ".join(CONTEXT)}, {", ".join(_column(s.name, handles) for s in SIGNALS)}
    FROM base ORDER BY platform, account_id"""
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.unregister("_acc_regions")
        if scope:
            con.unregister(scope)


def _column(name: str, handles: dict[str, str]) -> str:
    return f"{handles[name]} AS {name}" if name in handles else name


def _prepare(con: duckdb.DuckDBPyConnection, scope: str | None) -> None:
    """Temp tables: the accounts' posts, what each source carries, the profile summary."""
    labels = ", ".join(f"'{p}'" for p in REGION_LABELS)
    key = "(coalesce(observed_at, TIMESTAMPTZ '0001-01-01 00:00:00+00'), _part)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _acc_posts AS
          SELECT platform, account_id, account_handle, created_at, source, repost_of, reply_to
          FROM posts p WHERE {_within(scope, "p")};
        CREATE OR REPLACE TEMP TABLE _acc_src AS
          SELECT platform, source,
            bool_or(epoch_us(created_at) % 60000000 <> 0) AS has_seconds,
            bool_or(reply_to IS NOT NULL) AS has_replies,
            bool_or(repost_of IS NOT NULL) AS has_reposts
          FROM posts GROUP BY ALL;
        CREATE OR REPLACE TEMP TABLE _acc_hist AS
          SELECT h.*, {key} AS _key, ps.has_profile FROM account_history h JOIN (
            SELECT platform, source,
              bool_or(name IS NOT NULL OR description IS NOT NULL) AS has_profile
            FROM account_history GROUP BY ALL) ps USING (platform, source)
          WHERE {_within(scope, "h")};
        CREATE OR REPLACE TEMP TABLE _acc_prof AS
          WITH reg AS (
            SELECT platform, account_id,
              arg_max(trim(substr(l, strpos(l, ':') + 1)),
                      (_key, -list_position([{labels}], split_part(l, ':', 1)))) AS region
            FROM (SELECT platform, account_id, _key, unnest(labels) AS l FROM (
                    SELECT platform, account_id, labels, max(_key) AS _key FROM _acc_hist
                    WHERE len(labels) > 0 GROUP BY ALL))
            WHERE split_part(l, ':', 1) IN ({labels}) GROUP BY ALL),
          prof AS (
            SELECT platform, account_id,
              arg_max(handle, _key) FILTER (handle IS NOT NULL) AS handle,
              min(created_at) AS created_at,
              arg_max(followers, _key) FILTER (followers IS NOT NULL) AS followers,
              arg_max(following, _key) FILTER (following IS NOT NULL) AS following,
              arg_min(followers, observed_at) FILTER (followers IS NOT NULL) AS g_f0,
              min(observed_at) FILTER (followers IS NOT NULL) AS g_t0,
              arg_max(followers, observed_at) FILTER (followers IS NOT NULL) AS g_f1,
              max(observed_at) FILTER (followers IS NOT NULL) AS g_t1,
              arg_max(name IS NULL AND description IS NULL, _key) FILTER (has_profile)
                AS default_profile
            FROM _acc_hist GROUP BY ALL)
          SELECT prof.*, reg.region, t.tz FROM prof LEFT JOIN reg USING (platform, account_id)
          LEFT JOIN _acc_regions t ON t.region = lower(reg.region);
        """
    )
