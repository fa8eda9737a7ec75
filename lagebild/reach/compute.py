"""``reach(store, selection, params)``: the reach report of one selection of posts.

The selection is resolved to SQL, registered once as temp tables (:mod:`.prepare`), and every
figure is one aggregate query over them in DuckDB: no Python loop over posts, so a selection
of a million posts takes seconds. Notes in plain words say what is missing and why (a
platform whose export has no view counts, a selection that is empty, estimates in use).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import duckdb

from lagebild.errors import StoreError
from lagebild.reach.amplifiers import amplifier_counts, top_amplifiers
from lagebild.reach.figures import platform_figures, repost_reach
from lagebild.reach.prepare import drop_tables, prepare
from lagebild.reach.records import Figures, ReachParams, ReachReport
from lagebild.reach.selection import Selection, resolve_selection
from lagebild.reach.series import peak_hours, time_series
from lagebild.store import PostStore

__all__ = ["reach"]


def reach(store: PostStore, selection: Selection, params: ReachParams | None = None) -> ReachReport:
    """Views, engagement, reposts, top amplifiers and time series of ``selection``."""
    started = time.perf_counter()
    p = params or ReachParams()
    p.check()
    con = store.connect()
    try:
        return _reach(con, store, selection, p, started)
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot compute the reach over {store.data_dir}: {exc}",
            hint="check the store with lagebild stats; report the message if it persists",
        ) from exc
    finally:
        con.close()


def _reach(
    con: duckdb.DuckDBPyConnection,
    store: PostStore,
    selection: Selection,
    p: ReachParams,
    started: float,
) -> ReachReport:
    if not con.sql("SELECT count(*) FROM posts").fetchall()[0][0]:
        raise StoreError(
            f"the store at {store.data_dir} holds no posts, so there is no reach to measure",
            hint="ingest some first: lagebild ingest FILE_OR_FOLDER (e.g. examples/)",
        )
    resolved = resolve_selection(con, store, selection)
    prepare(con, resolved, p)
    rule = p.rule()
    totals, platforms = platform_figures(con, rule)
    by_posts, by_views = peak_hours(con)
    reposts = repost_reach(con, rule)
    amplifiers = top_amplifiers(con, p.top_n)
    accounts, coordinated = amplifier_counts(con)
    series = {unit: time_series(con, unit, totals) for unit in p.series}
    drop_tables(con)
    return ReachReport(
        selection=resolved,
        params=p,
        totals=totals,
        platforms=tuple(platforms),
        peak_hour_posts=by_posts,
        peak_hour_views=by_views,
        reposts=reposts,
        amplifiers=tuple(amplifiers),
        amplifier_accounts=accounts,
        coordinated_amplifiers=coordinated,
        series=series,
        notes=tuple(_notes(totals, platforms, p, resolved.details)),
        seconds=time.perf_counter() - started,
    )


def _notes(
    totals: Figures, platforms: list[Figures], params: ReachParams, details: Mapping[str, Any]
) -> list[str]:
    """Plain-language notes on what the figures lack and rest on."""
    notes = []
    if totals.posts == 0:
        notes.append("the selection is empty: no stored post matches it")
        if details.get("rejected_matches"):
            notes.append(f"{details['rejected_matches']:,} matches were rejected by a team member")
        return notes
    for f in platforms:
        if f.lacks:
            notes.append(f"{f.platform}: the data has no {', '.join(f.lacks)} for these posts")
    views = totals.metrics["views"]
    if views.missing and params.estimate == "followers" and totals.views_estimate.posts:
        notes.append(
            f"{totals.views_estimate.posts:,} posts without views have an estimate, "
            f"{params.rule()}; estimates are labelled and never added to measured views"
        )
    if totals.views_estimate.without_basis:
        notes.append(
            f"{totals.views_estimate.without_basis:,} posts have neither views nor a follower "
            "count: their reach is unknown"
        )
    return notes
