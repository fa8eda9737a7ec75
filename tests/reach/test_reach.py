"""Reach figures on real-format examples and hand-made stores: sums, missing, estimates."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from typing import Any

import pytest

from lagebild.errors import ConfigError, StoreError
from lagebild.reach import METRICS, ReachParams, Selection, reach
from lagebild.store import PostStore
from tests.reach.conftest import IRA, account, claim_match, community, post, write

V2_ONLY = "SELECT platform, post_id FROM posts WHERE source LIKE '%btw25-search%'"
IRA_ONLY = "SELECT platform, post_id FROM posts WHERE source LIKE '%ira_german%'"
FB_ONLY = "SELECT platform, post_id FROM posts WHERE platform = 'facebook'"
# the two X posts that were retweeted, and the fact-check they are matched to below
RETWEETED = ("1893702366000054273", "1893738260853686286")
RETWEETERS = {
    "sabine_fragt_nach",
    "echte_demokratie24",
    "klaus_m_1960",
    "wahrheit_bayern_7",
    "heimat_stimme_81",
    "anna_waehlt",
    "jonas_wbr",
}


def rows(store: PostStore, where: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = store.query(f"SELECT * FROM posts WHERE {where}").to_pylist()
    return found


def test_totals_are_sums_over_the_posts_that_carry_them(examples: PostStore) -> None:
    report = reach(examples, Selection("query", V2_ONLY))
    posts = rows(examples, "source LIKE '%btw25-search%'")
    originals = [p for p in posts if p["repost_of"] is None]
    t = report.totals
    assert (t.posts, t.originals, t.reposts) == (28, 21, 7)
    assert t.accounts == len({p["account_id"] for p in posts})
    for m in ("views", "likes", "replies", "quotes"):
        assert t.metrics[m].total == sum(p[m] for p in posts)
        assert (t.metrics[m].carried, t.metrics[m].missing) == (28, 0)
    # a retweet's retweet_count is its original's: counted once, at the original
    assert t.metrics["reposts"].total == sum(p["reposts"] for p in originals)
    assert t.metrics["reposts"].total < sum(p["reposts"] for p in posts)
    assert t.first_seen == min(p["created_at"] for p in posts)
    assert t.last_seen == max(p["created_at"] for p in posts)
    assert t.lacks == ()
    assert t.views_estimate.posts == 0 and t.views_estimate.total is None
    assert [f.platform for f in report.platforms] == ["twitter"]


def test_ira_data_has_no_counts_and_views_are_estimated(examples: PostStore) -> None:
    report = reach(examples, Selection("query", IRA_ONLY))
    t = report.totals
    assert t.posts == 300
    for m in METRICS:
        assert t.metrics[m].total is None, m
        assert (t.metrics[m].carried, t.metrics[m].missing) == (0, 300)
    assert t.engagement.total is None
    assert report.platforms[0].lacks == METRICS
    assert any("no views, likes, reposts, replies, quotes" in n for n in report.notes)
    # every IRA tweet records the author's followers at that moment
    with IRA.open(encoding="utf-8") as fh:
        followers = sum(int(r["followers"]) for r in csv.DictReader(fh))
    assert t.views_estimate.posts == 300 and t.views_estimate.without_basis == 0
    # same-minute tweets of one author may see either of two follower counts
    assert t.views_estimate.total is not None
    assert abs(t.views_estimate.total - followers) <= 0.001 * followers
    assert report.peak_hour_views is None
    assert {a.basis for a in report.amplifiers} == {"estimate"}
    assert report.reposts.views.share_reposts is None
    assert report.reposts.views_estimate.basis == "estimate"
    assert report.reposts.views_estimate.share_reposts is not None


def test_no_estimate_leaves_views_missing(examples: PostStore) -> None:
    report = reach(examples, Selection("query", IRA_ONLY), ReachParams(estimate="none"))
    assert report.totals.views_estimate.total is None
    assert report.totals.views_estimate.without_basis == 300
    assert {a.basis for a in report.amplifiers} == {"missing"}
    assert all(a.reach is None for a in report.amplifiers)
    # with nothing to count, accounts rank by what they posted
    counts = [a.posts for a in report.amplifiers]
    assert counts == sorted(counts, reverse=True)
    assert report.amplifiers[0].handle == "Alexmmyer" and counts[0] == 149


def test_partly_missing_counts_per_platform(examples: PostStore) -> None:
    report = reach(examples, Selection("query", FB_ONLY))
    posts = rows(examples, "platform = 'facebook'")
    views = [p["views"] for p in posts if p["views"] is not None]
    m = report.totals.metrics["views"]
    assert (m.total, m.carried, m.missing) == (sum(views), len(views), len(posts) - len(views))
    assert report.platforms[0].lacks == ("quotes",)
    assert report.totals.metrics["quotes"].total is None


def test_followers_at_posting(store: PostStore) -> None:
    write(
        store,
        [
            post("1", "a", 0),  # before a's first snapshot: that snapshot
            post("2", "a", 20),  # between: the one before
            post("3", "a", 40),  # after both: the later one
            post("4", "b", 0),  # only an undated snapshot
            post("5", "c", 0),  # no snapshot: no basis
            post("6", "a", 50, views=7),  # measured views: nothing estimated
        ],
        [account("a", 100, 10), account("a", 300, 30), account("b", 50, None)],
    )
    report = reach(store, Selection("query", "SELECT platform, post_id FROM posts"))
    e = report.totals.views_estimate
    assert (e.total, e.posts, e.without_basis) == (100 + 100 + 300 + 50, 4, 1)
    halved = reach(
        store,
        Selection("query", "SELECT platform, post_id FROM posts"),
        ReachParams(followers_rate=0.5),
    )
    assert halved.totals.views_estimate.total == 50 + 50 + 150 + 25
    by_account = {a.account_id: a for a in report.amplifiers}
    assert by_account["a"].followers == 100
    assert by_account["a"].reach == 100 + 100 + 300 + 7
    assert by_account["a"].basis == "estimate"
    assert (by_account["a"].views_measured, by_account["a"].views_estimate) == (7, 500)
    assert by_account["c"].reach is None and by_account["c"].basis == "missing"
    assert [a.account_id for a in report.amplifiers] == ["a", "b", "c"]


def test_reposts_outside_the_selection_add_reach(examples: PostStore) -> None:
    ids = ", ".join(f"'{i}'" for i in RETWEETED)
    report = reach(
        examples,
        Selection("query", f"SELECT platform, post_id FROM posts WHERE post_id IN ({ids})"),
    )
    r = report.reposts
    assert report.totals.posts == 2
    assert report.totals.metrics["reposts"].total == 57 + 388
    assert (r.in_selection, r.of_selection, r.outside_selection, r.outside_accounts) == (0, 7, 7, 7)
    # X reports 0 impressions on a retweet: measured, not missing
    assert (r.outside_views.total, r.outside_views.carried) == (0, 7)
    assert r.views.originals == 40218 + 112044 and r.views.reposts == 0
    assert r.views.share_reposts == 0.0
    assert r.outside_views_estimate.posts == 0
    handles = {a.handle: a for a in report.amplifiers}
    assert set(handles) >= RETWEETERS
    assert all(handles[h].reposts_outside == 1 and handles[h].posts == 0 for h in RETWEETERS)
    assert report.amplifiers[0].handle == "wahlcheck_nord"
    assert report.amplifier_accounts == 2 + 7


def test_reposts_inside_the_selection(examples: PostStore) -> None:
    report = reach(examples, Selection("query", V2_ONLY))
    r = report.reposts
    assert (r.in_selection, r.of_selection, r.outside_selection) == (7, 7, 0)
    assert r.engagement.reposts == 0  # retweets carry no likes; their counter is a copy


def test_a_repost_stands_in_for_an_original_outside_the_store(store: PostStore) -> None:
    write(
        store,
        [
            post("r1", "a", 1, repost_of="gone", reposts=40, likes=0),
            post("r2", "b", 2, repost_of="gone", reposts=40, likes=0),
            post("r3", "c", 3, repost_of="gone", reposts=41, likes=0),
            post("o1", "d", 4, reposts=5),
        ],
    )
    report = reach(store, Selection("query", "SELECT platform, post_id FROM posts"))
    m = report.totals.metrics["reposts"]
    assert (m.total, m.carried, m.missing) == (41 + 5, 4, 0)


def test_time_series_are_zero_filled(examples: PostStore) -> None:
    report = reach(examples, Selection("query", V2_ONLY), ReachParams(series=("hour", "day")))
    hours = report.series["hour"]
    assert hours[0].start == dt.datetime(2025, 2, 23, 16, tzinfo=dt.UTC)
    assert hours[-1].start == dt.datetime(2025, 2, 24, 3, tzinfo=dt.UTC)
    steps = {b.start - a.start for a, b in itertools.pairwise(hours)}
    assert steps == {dt.timedelta(hours=1)}
    assert sum(b.posts for b in hours) == 28
    assert sum(b.views or 0 for b in hours) == report.totals.metrics["views"].total
    empty = [b for b in hours if b.posts == 0]
    assert empty and all(b.views == 0 and b.accounts == 0 for b in empty)
    assert [b.posts for b in report.series["day"]] == [27, 1]
    peak = report.peak_hour_posts
    assert peak is not None and peak.value == max(b.posts for b in hours)
    assert report.peak_hour_views is not None
    assert report.peak_hour_views.value == max(b.views or 0 for b in hours)


def test_series_of_data_without_views_stay_missing(examples: PostStore) -> None:
    report = reach(examples, Selection("query", IRA_ONLY), ReachParams(series=("week",)))
    weeks = report.series["week"]
    assert all(b.views is None and b.engagement is None for b in weeks)
    assert all(b.start.weekday() == 0 for b in weeks)
    assert sum(b.posts for b in weeks) == 300
    assert all(b.views_estimate == 0 for b in weeks if b.posts == 0)


def test_community_membership_of_amplifiers(examples_copy: PostStore) -> None:
    members = [("twitter", "1877100379632566274"), ("twitter", "1877245175395254275")]
    with examples_copy.writer() as w:
        w.write_findings([community("c1", members, "2025-02-23T16:42:00Z", None)])
    ids = ", ".join(f"'{i}'" for i in RETWEETED)
    report = reach(
        examples_copy,
        Selection("query", f"SELECT platform, post_id FROM posts WHERE post_id IN ({ids})"),
    )
    flagged = {a.handle: a.communities for a in report.amplifiers if a.communities}
    assert flagged == {"sabine_fragt_nach": ("c1",), "echte_demokratie24": ("c1",)}
    assert report.coordinated_amplifiers == 2


def test_empty_selection_is_a_report_not_a_crash(examples: PostStore) -> None:
    report = reach(examples, Selection("hashtag", "#nothingtagged"))
    assert report.empty
    assert report.totals.posts == 0
    assert all(report.totals.metrics[m].total is None for m in METRICS)
    assert report.platforms == () and report.amplifiers == ()
    assert report.series == {"hour": (), "day": ()}
    assert report.peak_hour_posts is None
    assert report.notes == ("the selection is empty: no stored post matches it",)
    data = report.as_dict()
    assert data["empty"] is True and data["totals"]["metrics"]["views"]["total"] is None


def test_empty_store(store: PostStore) -> None:
    with pytest.raises(StoreError, match="holds no posts"):
        reach(store, Selection("query", "SELECT platform, post_id FROM posts"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (ReachParams(top_n=-1), "top_n"),
        (ReachParams(series=("minute",)), "granularity 'minute'"),
        (ReachParams(estimate="magic"), "estimate rule 'magic'"),
        (ReachParams(followers_rate=0), "followers_rate"),
    ],
)
def test_bad_parameters(examples: PostStore, params: ReachParams, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        reach(examples, Selection("query", V2_ONLY), params)


def test_json_labels_every_estimate(examples: PostStore) -> None:
    report = reach(examples, Selection("query", "SELECT platform, post_id FROM posts"))
    data = json.loads(json.dumps(report.as_dict()))
    assert data["estimate_rule"].startswith("views = followers at posting")
    found = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            if "views_estimate" in key and "total" in node:
                found.append(node)
                assert node["basis"] == "estimate"
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(data)
    assert len(found) >= 3
    assert {a["basis"] for a in data["amplifiers"]["top"]} <= {"measured", "estimate", "missing"}
    assert data["platforms"][0]["lacks"] == []
    assert data["series"]["hour"][0]["start"].endswith("Z")


def test_claim_match_then_reach(examples_copy: PostStore) -> None:
    """A claim's reach from its matches, as a watchdog would count it."""
    with examples_copy.writer() as w:
        w.write_findings(
            [claim_match(f"m{i}", "fc-1", "twitter", pid) for i, pid in enumerate(RETWEETED)]
        )
    report = reach(examples_copy, Selection("claim", "fc-1"), ReachParams(top_n=3))
    assert report.totals.posts == 2
    assert report.totals.metrics["views"].total == 40218 + 112044
    assert len(report.amplifiers) == 3
    assert report.selection.details["claim"] == "Briefwahlstimmen werden vernichtet"
    assert report.totals.first_seen == dt.datetime(2025, 2, 23, 16, 40, 2, tzinfo=dt.UTC)


def test_shares_when_the_selection_is_all_reposts(store: PostStore) -> None:
    write(
        store,
        [post("r1", "a", 1, repost_of="gone"), post("r2", "b", 2, repost_of="gone", views=0)],
        [account("a", 80, 0)],
    )
    r = reach(store, Selection("query", "SELECT platform, post_id FROM posts")).reposts
    # no originals: their side is 0, not missing
    assert (r.views.originals, r.views.reposts, r.views.share_reposts) == (0, 0, None)
    assert (r.views_estimate.originals, r.views_estimate.reposts) == (0, 80)
    assert r.views_estimate.share_reposts == 1.0
    assert (r.engagement.originals, r.engagement.reposts) == (0, None)
    assert r.engagement.share_reposts is None
