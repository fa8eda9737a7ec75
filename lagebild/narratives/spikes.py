"""Spikes: unusual growth of a hashtag, domain, account, claim, narrative or all posts.

Each key is compared with its own past, hour by hour (UTC), as outbreak detection in public
health does it (Farrington et al. 1996; the EARS C1-C3 methods, Hutwagner et al. 2003):

1. **Counts.** Posts (and distinct accounts) per key and hour, in DuckDB SQL over the sparse
   table of hours that have posts (:mod:`lagebild.narratives.spike_series`).
2. **Baseline.** The key's mean rate over the trailing ``baseline_hours`` (default 168 = one
   week), ending ``guard_hours`` (default 1) before the hour scored, so the start of a spike
   does not raise the baseline of its next hours (EARS C2 keeps a guard band the same way).
   Only *watched* hours count: hours of UTC days on which the store has any post, so the time
   before the first post, or a gap between two collections, is not taken for silence, while
   a key that never appeared on watched days has a baseline near zero. Hours with less than
   ``min_history_hours`` (default 24) watched hours in their window are not scored; a spike
   whose window was not fully watched, or whose key first appeared inside the window, is
   labelled ``baseline: "short"``.
3. **Seasonality.** The seasonal expectation is rate x the hour-of-day factor of the hour
   scored, the rate being the window's posts divided by the summed factors of its watched
   hours. The factors (mean 1) are the hour-of-day profile of all posts in the range,
   smoothed with a circular (1, 2, 1)/4 kernel and shrunk towards flat by ``season_prior``
   (24) pseudo-posts per hour of day. With ``seasonality="key"`` (the default) that
   expectation is the prior mean of a Gamma-Poisson model worth ``key_prior_hours`` (7)
   hours, updated with the key's own posts at the same hour of day in its window
   (``(same-hour posts + 7 x seasonal) / (same-hour hours watched + 7)``): a key with its own
   rhythm (a German hashtag in an American stream) is judged against it, using only its past.
   ``"global"`` uses the profile of all posts alone, ``"none"`` a flat one. Expected counts
   are floored at ``min_expected`` (default 0.5 posts), so a key appearing from nothing is
   still scored but needs several posts (8 at the defaults) to count.
4. **Test.** One-sided Poisson tail p = P(X >= observed | expected), computed exactly through
   the regularized incomplete gamma function (series and continued fraction, Press et al.,
   *Numerical Recipes*, 3rd ed., section 6.2); ``score = -log10 p``; also the ratio
   observed/expected and the Anscombe residual ``z = 1.5 (k^(2/3) - λ^(2/3)) / λ^(1/6)``
   (McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, section 2.4.2), which is
   close to a standard normal under the Poisson model.
5. **Decision.** An hour spikes when it has at least ``min_count`` posts (default 5) and
   p < ``alpha`` (default 1e-6). Every key-hour with ``min_count`` posts is one test, so alpha
   is a Bonferroni level: 1e-6 keeps the family-wise error at 5 % for 50,000 tests; each spike
   records the number of tests and its Bonferroni-adjusted p. Consecutive spiking hours of a
   key merge into one spike (start, end, peak hour, posts, expected). The spike's p is the
   Poisson tail of its total posts given its total expected posts: a ranking score, not a
   second test (the hours were selected because they spiked).

Real streams are overdispersed (retweet cascades, bots), so a Poisson model finds more spikes
than a negative-binomial one would; the small alpha and ``min_count`` are the guard, and the
ratio and the series are there for a person to judge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import numpy as np
import pyarrow as pa

from lagebild.errors import ConfigError, NotFoundError
from lagebild.model import AccountRef, Finding, PostRef
from lagebild.narratives import poisson
from lagebild.narratives import spike_series as ss
from lagebild.store import PostStore
from lagebild.store.parts import list_parts

__all__ = [
    "FINDING_KIND",
    "KINDS",
    "AccountCount",
    "SeriesPoint",
    "Spike",
    "SpikeParams",
    "check_range",
    "detect_spikes",
    "find_spikes",
    "spike_findings",
    "spike_id",
    "write_spikes",
]

FINDING_KIND = "spike"
KINDS = ss.KINDS
SEASONALITY = ("global", "key", "none")


@dataclass(frozen=True)
class SpikeParams:
    """Every threshold of spike detection, with its default (see the module docstring).

    ``since``/``until`` bound the hours in which spikes are looked for (``until`` exclusive);
    the baseline reads the ``baseline_hours + guard_hours`` before ``since`` too. ``top``
    keeps the highest-scoring spikes (``None``: all). ``context_hours`` of series before and
    after each spike, ``max_posts`` post refs and ``max_accounts`` top accounts are kept as
    evidence. ``narrative_model`` limits narratives to one model id.
    """

    kinds: tuple[str, ...] = KINDS
    baseline_hours: int = 168
    guard_hours: int = 1
    min_history_hours: int = 24
    alpha: float = 1e-6
    min_count: int = 5
    min_expected: float = 0.5
    seasonality: str = "key"
    season_prior: float = 24.0
    key_prior_hours: float = 7.0
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    top: int | None = 100
    context_hours: int = 6
    max_posts: int = 200
    max_accounts: int = 10
    narrative_model: str | None = None

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown or not self.kinds:
            raise ConfigError(
                f"unknown spike kind {', '.join(unknown) or '(none given)'}",
                hint=f"use one or more of {', '.join(KINDS)}",
            )
        if self.seasonality not in SEASONALITY:
            raise ConfigError(
                f"unknown seasonality {self.seasonality!r}", hint=", ".join(SEASONALITY)
            )
        if not 0 < self.alpha < 1:
            raise ConfigError(f"alpha must be between 0 and 1, got {self.alpha}")
        for name in ("baseline_hours", "min_count"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "guard_hours",
            "min_history_hours",
            "context_hours",
            "season_prior",
            "key_prior_hours",
        ):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.min_expected <= 0:
            raise ConfigError(f"min_expected must be positive, got {self.min_expected}")
        if self.since and self.until and _utc(self.since) >= _utc(self.until):
            raise ConfigError(f"since ({self.since}) must be before until ({self.until})")

    def as_dict(self) -> dict[str, Any]:
        """The parameters as JSON-able values (recorded in every finding)."""
        out = asdict(self)
        out["kinds"] = list(self.kinds)
        for name in ("since", "until"):
            value = getattr(self, name)
            out[name] = None if value is None else _utc(value).isoformat()
        return out


class SeriesPoint(NamedTuple):
    """One hour of a key's series: posts, distinct accounts, expected posts."""

    hour: dt.datetime
    posts: int
    accounts: int
    expected: float


class AccountCount(NamedTuple):
    """An account that posted in a spike, and how often."""

    platform: str
    account_id: str
    handle: str | None
    posts: int


@dataclass(frozen=True)
class Spike:
    """Consecutive hours in which one key grew far above its own baseline, with evidence.

    ``start``/``end`` are the first and last spiking hour (UTC hour starts), ``posts`` and
    ``expected`` their totals, ``p_value``/``log10_p``/``z`` the Poisson tail and Anscombe
    residual of those totals, ``min_hour_p`` the smallest hourly p, ``tests`` the number of
    key-hours tested in the run (for Bonferroni), ``baseline_rate`` the posts per average
    hour before ``start``.
    """

    kind: str
    key: str
    label: str
    start: dt.datetime
    end: dt.datetime
    hours: int
    peak: dt.datetime
    peak_posts: int
    peak_expected: float
    posts: int
    expected: float
    accounts: int
    ratio: float
    p_value: float
    log10_p: float
    z: float
    min_hour_p: float
    baseline: str
    baseline_rate: float
    tests: int
    post_refs: tuple[PostRef, ...] = ()
    top_accounts: tuple[AccountCount, ...] = ()
    series: tuple[SeriesPoint, ...] = ()

    @property
    def score(self) -> float:
        """``-log10 p`` of the spike's total (higher: less likely by chance)."""
        return -self.log10_p

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (times as ISO strings)."""
        out = asdict(self)
        for name in ("start", "end", "peak"):
            out[name] = _iso(getattr(self, name))
        out["score"] = self.score
        out["post_refs"] = [r._asdict() for r in self.post_refs]
        out["top_accounts"] = [a._asdict() for a in self.top_accounts]
        out["series"] = [{**p._asdict(), "hour": _iso(p.hour)} for p in self.series]
        return out


def _utc(ts: dt.datetime) -> dt.datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)


def _iso(ts: dt.datetime) -> str:
    return ts.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _decisions(store: PostStore) -> list[Path]:
    return list_parts(store.data_dir / "match_decisions")


def check_range(store: PostStore, params: SpikeParams) -> tuple[int, dt.datetime, dt.datetime]:
    """Posts in the range and the store's first and last post; fails clearly when empty."""
    row = store.query("SELECT count(*), min(created_at), max(created_at) FROM posts").to_pylist()
    total, first, last = row[0].values()
    if not total:
        raise NotFoundError(
            "the store has no posts to look for spikes in",
            hint="ingest some first: lagebild ingest PATH",
        )
    where, args = ["true"], []
    if params.since is not None:
        where.append("created_at >= ?")
        args.append(_utc(params.since))
    if params.until is not None:
        where.append("created_at < ?")
        args.append(_utc(params.until))
    n = store.query(f"SELECT count(*) AS n FROM posts WHERE {' AND '.join(where)}", args)
    in_range = int(n.column(0)[0].as_py())
    if not in_range:
        raise NotFoundError(
            f"no posts between {params.since or 'the start'} and {params.until or 'the end'}",
            hint=f"the store holds posts from {_iso(first)} to {_iso(last)}",
        )
    return in_range, first, last


def detect_spikes(store: PostStore, params: SpikeParams | None = None) -> list[Spike]:
    """The spikes of the store's posts, highest score first; ``[]`` for an empty range."""
    con = store.connect()
    try:
        return find_spikes(con, params or SpikeParams(), _decisions(store))
    finally:
        con.close()


def find_spikes(
    con: duckdb.DuckDBPyConnection, params: SpikeParams, decisions: Sequence[Path] = ()
) -> list[Spike]:
    """The spikes in the ``posts`` view of ``con``, highest score first, with evidence.

    ``findings`` and ``narrative_posts`` views are needed for the kinds ``claim`` and
    ``narrative``; ``decisions`` are the ``match_decisions`` parts (rejected matches).
    """
    p = params
    con.execute("SET enable_progress_bar = false")
    since_h = None if p.since is None else ss.hour_index(_utc(p.since))
    until_h = None if p.until is None else -(-int(_utc(p.until).timestamp()) // 3600)
    lo = None if since_h is None else ss.hour_time(since_h - p.guard_hours - p.baseline_hours)
    until = None if p.until is None else _utc(p.until)
    cover = ss.counts_table(con, p.kinds, lo, until, decisions, p.narrative_model)
    if cover.first_hour is None:
        return []
    history = min(p.min_history_hours, p.baseline_hours)
    start = cover.first_hour + p.guard_hours + history
    rows = ss.candidate_table(
        con, p.min_count, p.baseline_hours, p.guard_hours, max(start, since_h or start), until_h
    )
    if rows.num_rows == 0:
        return []
    kinds = rows.column("kind").to_pylist()
    keys = rows.column("key").to_pylist()
    t = rows.column("h").to_numpy().astype(np.int64)
    observed = rows.column("posts").to_numpy().astype(np.float64)
    expected, rate, watched = _expected(p, cover, rows)
    tested = watched >= history
    # P(X >= k) >= P(X = k): rows whose probability mass is not below alpha cannot spike
    log10_p = np.zeros(len(t))
    log_pmf = observed * np.log(expected) - expected - poisson.lgamma(observed + 1)
    maybe = tested & (log_pmf < math.log(p.alpha))
    log10_p[maybe] = poisson.poisson_log10_sf(observed[maybe], expected[maybe])
    hits = np.flatnonzero(maybe & (log10_p < math.log10(p.alpha)))
    if hits.size == 0:
        return []
    # consecutive spiking hours of one key form one spike (rows are sorted by key, hour)
    kid, th = rows.column("kid").to_numpy()[hits], t[hits]
    new = np.ones(hits.size, dtype=bool)
    new[1:] = (kid[1:] != kid[:-1]) | (th[1:] != th[:-1] + 1)
    firsts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    lasts = np.append(firsts[1:], hits.size) - 1
    total = np.add.reduceat(observed[hits], firsts)
    exp_total = np.add.reduceat(expected[hits], firsts)
    min_lp = np.minimum.reduceat(log10_p[hits], firsts)
    lp = poisson.poisson_log10_sf(total, exp_total)
    z = poisson.anscombe_z(total, exp_total)
    peaks = hits[np.lexsort((th, -observed[hits], group))[firsts]]
    order = np.lexsort((th[firsts], kid[firsts], lp))
    if p.top is not None:
        order = order[: p.top]
    first_h = rows.column("first_h").to_numpy()
    spikes = []
    for g in order.tolist():
        i0, i1, pk = hits[firsts[g]], hits[lasts[g]], peaks[g]
        window_start = t[i0] - p.guard_hours - p.baseline_hours
        spikes.append(
            Spike(
                kind=kinds[i0],
                key=keys[i0],
                label=_label(kinds[i0], keys[i0], None),
                start=ss.hour_time(int(t[i0])),
                end=ss.hour_time(int(t[i1])),
                hours=int(t[i1] - t[i0] + 1),
                peak=ss.hour_time(int(t[pk])),
                peak_posts=int(observed[pk]),
                peak_expected=float(expected[pk]),
                posts=int(total[g]),
                expected=float(exp_total[g]),
                accounts=0,
                ratio=float(total[g] / exp_total[g]),
                p_value=float(10.0 ** lp[g]),
                log10_p=float(lp[g]),
                z=float(z[g]),
                min_hour_p=float(10.0 ** min_lp[g]),
                baseline="short"
                if watched[i0] < p.baseline_hours or first_h[i0] > window_start
                else "full",
                baseline_rate=float(rate[i0]),
                tests=int(tested.sum()),
            )
        )
    return _with_evidence(con, spikes, p, cover, decisions)


def _expected(
    p: SpikeParams, cover: ss.Coverage, rows: pa.Table
) -> tuple[ss.Floats, ss.Floats, ss.Ints]:
    """Expected posts, baseline rates and watched window hours of ``rows``."""
    if p.seasonality == "none":
        profile = np.ones(24)
    else:
        profile = ss.seasonal_profile(cover.hour_of_day, p.season_prior)
    return ss.expected_counts(
        rows.column("h").to_numpy().astype(np.int64),
        rows.column("win").to_numpy().astype(np.float64),
        cover,
        profile,
        p.baseline_hours,
        p.guard_hours,
        p.min_expected,
        rows.column("same_hour").to_numpy().astype(np.float64) if p.seasonality == "key" else None,
        p.key_prior_hours,
    )


def _with_evidence(
    con: duckdb.DuckDBPyConnection,
    spikes: list[Spike],
    p: SpikeParams,
    cover: ss.Coverage,
    decisions: Sequence[Path],
) -> list[Spike]:
    """Add the series around each spike, its posts, top accounts and a readable label."""
    if not spikes or cover.first_hour is None:
        return spikes
    table = pa.table(
        {
            "sid": pa.array(range(len(spikes)), pa.int64()),
            "kind": [s.kind for s in spikes],
            "key": [s.key for s in spikes],
            "start_h": pa.array([ss.hour_index(s.start) for s in spikes], pa.int64()),
            "end_h": pa.array([ss.hour_index(s.end) for s in spikes], pa.int64()),
        }
    )
    series = ss.series_table(con, table, p.baseline_hours, p.guard_hours, p.context_hours)
    sid = series.column("sid").to_numpy()
    expected, _, _ = _expected(p, cover, series)
    points: dict[int, list[SeriesPoint]] = {}
    for i, (s, h, n, a) in enumerate(
        zip(
            sid.tolist(),
            series.column("h").to_pylist(),
            series.column("posts").to_pylist(),
            series.column("accounts").to_pylist(),
            strict=True,
        )
    ):
        points.setdefault(s, []).append(SeriesPoint(ss.hour_time(h), n, a, float(expected[i])))
    posts, accounts = ss.evidence_tables(
        con, table, p.max_posts, p.max_accounts, decisions, p.narrative_model
    )
    refs = {r["sid"]: r for r in posts.to_pylist()}
    tops: dict[int, list[AccountCount]] = {}
    for r in accounts.to_pylist():
        tops.setdefault(r.pop("sid"), []).append(AccountCount(**r))
    names = _names(con, spikes)
    out = []
    for i, s in enumerate(spikes):
        top = tuple(tops.get(i, ()))
        handle = top[0].handle if s.kind == "account" and top else names.get((s.kind, s.key))
        out.append(
            replace(
                s,
                label=_label(s.kind, s.key, handle),
                accounts=refs[i]["accounts"] if i in refs else 0,
                post_refs=tuple(PostRef(**r) for r in refs[i]["refs"]) if i in refs else (),
                top_accounts=top,
                series=tuple(points.get(i, ())),
            )
        )
    return out


def _names(con: duckdb.DuckDBPyConnection, spikes: list[Spike]) -> dict[tuple[str, str], str]:
    """Claim texts and narrative labels (first distinctive terms) of spiking keys."""
    claims = sorted({s.key for s in spikes if s.kind == "claim"})
    narratives = sorted({s.key for s in spikes if s.kind == "narrative"})
    out: dict[tuple[str, str], str] = {}
    if claims:
        rows = con.sql(
            "SELECT k, min(claim) FROM (SELECT json_extract_string(details, '$.factcheck_id') "
            "AS k, json_extract_string(details, '$.claim') AS claim FROM findings "
            "WHERE kind = 'claim_match') WHERE k IN (SELECT unnest($1)) GROUP BY k",
            params=[claims],
        ).fetchall()
        out.update({("claim", k): v for k, v in rows if v})
    if narratives:
        rows = con.sql(
            "SELECT id, arg_max(details, created_at) FROM findings "
            "WHERE kind = 'narrative' AND id IN (SELECT unnest($1)) GROUP BY id",
            params=[narratives],
        ).fetchall()
        for key, raw in rows:
            details = json.loads(raw)
            label = details.get("label") or " · ".join(details.get("terms", [])[:5])
            if label:
                out["narrative", key] = label
    return out


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _label(kind: str, key: str, name: str | None) -> str:
    """How a key reads in a summary: ``#tag``, ``@handle``, ``claim “…”``."""
    if kind == "hashtag":
        return f"#{key}"
    if kind == "account":
        platform, _, account_id = key.partition(":")
        return f"@{name} ({platform})" if name else f"account {account_id} ({platform})"
    if kind in ("claim", "narrative"):
        return f"{kind} “{_short(name)}”" if name else f"{kind} {key}"
    if kind == "all":
        return "all posts"
    return key


def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def _p_text(log10_p: float) -> str:
    if log10_p > -4:
        return f"p = {10**log10_p:.2g}"
    return f"p < 1e{math.ceil(log10_p)}"


def spike_id(kind: str, key: str, start: dt.datetime) -> str:
    """Stable finding id of a spike: a hash of kind, key and start hour."""
    raw = f"{kind}\x1f{key}\x1f{_iso(start)}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def spike_findings(spikes: Sequence[Spike], params: SpikeParams) -> list[Finding]:
    """One ``spike`` finding per spike: its posts, top accounts, summary and series."""
    created = dt.datetime.now(dt.UTC)
    recorded = params.as_dict()
    out = []
    for s in spikes:
        details = s.as_dict()
        refs = details.pop("post_refs")
        details.update(
            posts_listed=len(refs),
            p_adjusted=min(1.0, s.min_hour_p * s.tests),
            baseline_hours=params.baseline_hours,
        )
        out.append(
            Finding(
                kind=FINDING_KIND,
                id=spike_id(s.kind, s.key, s.start),
                created_at=created,
                score=s.score,
                params=recorded,
                posts=s.post_refs,
                accounts=tuple(AccountRef(a.platform, a.account_id) for a in s.top_accounts),
                summary=(
                    f"{s.label}: {s.posts} posts in {s.hours} h from {s.accounts} accounts, "
                    f"{_num(s.ratio)}× the expected {_num(s.expected)} ({_p_text(s.log10_p)})"
                    + (" [short baseline]" if s.baseline == "short" else "")
                ),
                details=details,
            )
        )
    return out


def write_spikes(store: PostStore, findings: Sequence[Finding]) -> int:
    """Store spike findings (one already stored with the same id is kept); how many were new."""
    return store.add_findings(findings)
