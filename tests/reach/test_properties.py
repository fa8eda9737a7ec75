"""Properties on random stores: platforms add up to the totals, missing never becomes 0."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.model import Account, Post
from lagebild.reach import METRICS, ReachParams, Selection, reach
from lagebild.store import PostStore
from tests.reach.conftest import account, post, write

PLATFORMS = ("twitter", "facebook", "telegram")
counts = st.one_of(st.none(), st.integers(0, 10_000))


@st.composite
def stores(draw: st.DrawFn) -> tuple[list[Post], list[Account]]:
    n = draw(st.integers(1, 25))
    posts: list[Post] = []
    for i in range(n):
        platform = draw(st.sampled_from(PLATFORMS))
        earlier = [p.post_id for p in posts if p.platform == platform]
        repost_of = draw(st.one_of(st.none(), st.sampled_from([*earlier, "elsewhere"])))
        posts.append(
            post(
                str(i),
                draw(st.sampled_from("abcde")),
                draw(st.integers(0, 72 * 60)),
                platform=platform,
                repost_of=repost_of,
                hashtags=("sel",) if draw(st.booleans()) else (),
                **{m: draw(counts) for m in METRICS},
            )
        )
    snapshots = [
        account(
            a, draw(st.integers(0, 5_000)), draw(st.one_of(st.none(), st.integers(0, 4000))), pl
        )
        for a in "abc"
        for pl in PLATFORMS
        if draw(st.booleans())
    ]
    return posts, snapshots


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=stores(), whole=st.booleans())
def test_platforms_add_up_and_missing_stays_missing(
    data: tuple[list[Post], list[Account]], whole: bool
) -> None:
    posts, snapshots = data
    with tempfile.TemporaryDirectory() as tmp:
        store = PostStore(Path(tmp) / "data")
        write(store, posts, snapshots)
        selection = (
            Selection("query", "SELECT platform, post_id FROM posts")
            if whole
            else (Selection("hashtag", "sel"))
        )
        report = reach(store, selection, ReachParams(top_n=1000, series=("hour",)))
    chosen = [p for p in posts if whole or "sel" in p.hashtags]
    t = report.totals
    assert t.posts == len(chosen) == sum(f.posts for f in report.platforms)
    assert t.accounts == sum(f.accounts for f in report.platforms)
    assert t.originals == sum(f.originals for f in report.platforms)
    for m in METRICS:
        metric = t.metrics[m]
        carried = sum(getattr(p, m) is not None for p in chosen)
        assert (metric.carried, metric.missing) == (carried, len(chosen) - carried)
        # a count no post carries is missing, never 0
        assert (metric.total is None) == (carried == 0)
        assert metric.total == _sum([f.metrics[m].total for f in report.platforms])
        assert metric.carried == sum(f.metrics[m].carried for f in report.platforms)
        if m != "reposts":  # reposts' copies of their original's counter are not summed
            assert metric.total == _sum([getattr(p, m) for p in chosen])
        for f in report.platforms:
            assert (f.metrics[m].total is None) == (m in f.lacks)
    assert t.views_estimate.total == _sum([f.views_estimate.total for f in report.platforms])
    assert t.engagement.total == _sum([f.engagement.total for f in report.platforms])
    hours = report.series["hour"]
    assert sum(b.posts for b in hours) == len(chosen)
    if t.metrics["views"].total is None:
        assert all(b.views is None for b in hours)
    else:
        assert sum(b.views or 0 for b in hours) == t.metrics["views"].total
    # every account that added reach is listed; their reach adds up to views and estimates
    r = report.reposts
    assert len(report.amplifiers) == report.amplifier_accounts
    reach_sum = _sum([a.reach for a in report.amplifiers])
    parts = [
        t.metrics["views"].total,
        t.views_estimate.total,
        r.outside_views.total,
        r.outside_views_estimate.total,
    ]
    assert reach_sum == _sum(parts)
    for a in report.amplifiers:
        assert (a.basis == "missing") == (a.reach is None)
        assert a.basis in ("measured", "estimate", "missing")
