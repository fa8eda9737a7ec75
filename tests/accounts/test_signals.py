"""Account signals: checked against an independent reading of the IRA example CSV, hand-made
cases for what the example cannot show, and missing values where the data cannot tell."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import statistics
import zoneinfo
from collections import Counter, defaultdict
from typing import Any

import pytest

from lagebild.accounts import CONTEXT, SIGNALS, AccountParams, account_profile, account_signals
from lagebild.accounts.regions import REGION_TIMEZONES, timezone_of
from lagebild.errors import ConfigError
from lagebild.model import AccountRef, Finding
from lagebild.store import PostStore
from tests.accounts.conftest import IRA_CSV, T0, account, post, write
from tests.conftest import ROOT


def _reference(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The signals of one IRA author, computed from the raw CSV rows with plain Python."""
    times = sorted(
        dt.datetime.fromisoformat(r["publish_date"]).replace(tzinfo=dt.UTC) for r in rows
    )
    n = len(times)
    reposts = sum(r["post_type"] == "R" or r["retweet"] == "1" for r in rows)
    span = max(1.0, (times[-1] - times[0]).total_seconds() / 86400)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    latest = max(rows, key=lambda r: r["publish_date"])
    earliest = min(rows, key=lambda r: r["publish_date"])
    regions = [r["region"] for r in sorted(rows, key=lambda r: r["publish_date"]) if r["region"]]
    regions = [r for r in regions if r != "Unknown"]
    zone = timezone_of(regions[-1]) if regions else None
    night = None
    if zone and n >= 10:
        tz = zoneinfo.ZoneInfo(zone)
        night = sum(t.astimezone(tz).hour < 6 for t in times) / n
    days = (
        dt.datetime.fromisoformat(latest["publish_date"])
        - dt.datetime.fromisoformat(earliest["publish_date"])
    ).total_seconds() / 86400
    following = int(latest["following"])
    return {
        "posts": n,
        "repost_share": reposts / n,
        "posts_per_active_day": n / len({t.date() for t in times}),
        "posts_per_day": n / span,
        "interval_cv": statistics.pstdev(gaps) / statistics.mean(gaps) if n >= 10 else None,
        "same_minute_share": max(Counter(t.minute for t in times).values()) / n
        if n >= 10
        else None,
        "night_share": night,
        "follower_ratio": int(latest["followers"]) / following if following else None,
        "follower_growth_per_day": (int(latest["followers"]) - int(earliest["followers"])) / days
        if days >= 1
        else None,
    }


def test_ira_example_matches_an_independent_reading(ira_store: PostStore) -> None:
    by_author: dict[str, list[dict[str, str]]] = defaultdict(list)
    with IRA_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_author[row["author_id"]].append(row)
    table = account_signals(ira_store)
    got = {r["account_id"]: r for r in table.to_pylist()}
    assert set(got) == set(by_author)
    checked = 0
    for author, rows in by_author.items():
        ref = _reference(rows)
        for name, value in ref.items():
            if value is None:
                assert got[author][name] is None, (author, name)
            else:
                assert got[author][name] == pytest.approx(value), (author, name)
                checked += 1
    assert checked > 50
    # what an IRA export cannot tell stays missing
    for row in got.values():
        assert row["reply_share"] is None
        assert row["same_second_share"] is None
        assert row["account_age_days"] is None
        assert row["default_profile"] is None
        assert row["coordinated_communities"] is None
        assert row["state_media_share"] == 0.0
    assert got["Alexmmyer"]["night_share"] is not None


def test_columns_follow_the_catalogue_and_an_empty_store_gives_none(store: PostStore) -> None:
    table = account_signals(store)
    assert table.num_rows == 0
    assert table.column_names == [*CONTEXT, *(s.name for s in SIGNALS)]
    assert len({s.name for s in SIGNALS}) == len(SIGNALS)
    for s in SIGNALS:
        assert s.meaning and s.why and s.missing and s.unit


def test_subset_gives_the_same_values(ira_store: PostStore) -> None:
    full = {r["account_id"]: r for r in account_signals(ira_store).to_pylist()}
    some = account_signals(ira_store, accounts=[AccountRef("twitter", "AnniEisbear")])
    assert some.to_pylist() == [full["AnniEisbear"]]


def _hand_store(store: PostStore) -> None:
    """Accounts made to show what the IRA example cannot."""
    berlin = [
        # 23:30 UTC in July is 01:30 in Berlin (summer time): night; 06:30 UTC is day
        post(
            f"b{i}", "berlin", T0.replace(hour=23 if i % 2 else 6, minute=30) + dt.timedelta(days=i)
        )
        for i in range(10)
    ]
    sched = [  # every post at :00 seconds of minute 5, one hour apart, from a source with seconds
        post(f"s{i}", "sched", T0 + dt.timedelta(hours=i, minutes=5), source="api.jsonl")
        for i in range(12)
    ] + [post("x1", "other", T0 + dt.timedelta(seconds=7), source="api.jsonl")]
    replies = [
        post(
            f"r{i}",
            "replier",
            T0 + dt.timedelta(minutes=i),
            reply_to="x1" if i < 3 else None,
            source="api.jsonl",
        )
        for i in range(4)
    ]
    quiet = [post(f"q{i}", "quiet", T0 + dt.timedelta(days=i)) for i in range(10)]
    accounts = [
        account(
            "berlin",
            handle="Hans12345678",
            labels=("country:Germany",),
            created_at=T0 - dt.timedelta(days=3),
            observed_at=T0,
            followers=10,
            following=20,
            source="profiles.jsonl",
            name="Hans",
        ),
        account(
            "berlin",
            handle="Hans12345678",
            labels=("country:Germany",),
            created_at=T0 - dt.timedelta(days=3),
            observed_at=T0 + dt.timedelta(days=4),
            followers=50,
            following=20,
            source="profiles.jsonl",
            name="Hans",
        ),
        account(
            "sched",
            handle="xkcdqrst",
            observed_at=T0,
            source="profiles.jsonl",
            labels=("region:Atlantis",),
        ),
        account("replier", handle="replier", observed_at=T0, followers=5, following=0),
    ]
    write(store, berlin + sched + replies + quiet, accounts)


def test_hand_made_accounts(store: PostStore) -> None:
    _hand_store(store)
    got = {r["account_id"]: r for r in account_signals(store).to_pylist()}
    berlin = got["berlin"]
    assert berlin["timezone"] == "Europe/Berlin"
    assert berlin["night_share"] == pytest.approx(0.5)
    assert berlin["account_age_days"] == pytest.approx(
        statistics.median(3 + i + (23.5 if i % 2 else 6.5) / 24 - 0.5 for i in range(10))
    )
    assert berlin["handle_default_pattern"] is True
    assert berlin["default_profile"] is False
    assert berlin["follower_ratio"] == pytest.approx(2.5)
    assert berlin["follower_growth_per_day"] == pytest.approx(10.0)
    assert berlin["same_second_share"] is None  # hand.jsonl has no sub-minute timestamps
    assert berlin["reply_share"] is None  # nor replies

    sched = got["sched"]
    assert sched["same_second_share"] == 1.0
    assert sched["same_minute_share"] == 1.0
    assert sched["interval_cv"] == pytest.approx(0.0)
    assert sched["default_profile"] is True  # its profile source carries names, it has none
    assert sched["handle_no_vowels"] is True
    assert sched["region"] == "Atlantis" and sched["timezone"] is None
    assert sched["night_share"] is None
    assert sched["reply_share"] == 0.0  # api.jsonl marks replies; none of these are

    replier = got["replier"]
    assert replier["reply_share"] == pytest.approx(0.75)
    assert replier["follower_ratio"] is None  # follows no one
    assert replier["interval_cv"] is None  # 4 posts < min_posts_timing
    assert replier["default_profile"] is None  # hand.jsonl snapshots carry no names

    wrapped = account_signals(store, AccountParams(night_hours=(22, 2)))
    assert {r["account_id"]: r for r in wrapped.to_pylist()}["berlin"]["night_share"] == 0.5


def test_community_membership(store: PostStore) -> None:
    _hand_store(store)
    assert account_signals(store).column("coordinated_communities").null_count > 0

    def community(fid: str, q: float | None, members: list[str]) -> Finding:
        return Finding(
            kind="coordination_community",
            id=fid,
            created_at=T0,
            score=1.0,
            params={},
            posts=(),
            accounts=tuple(AccountRef("twitter", a) for a in members),
            summary="c",
            details={"q_value": q, "p_value": None if q is None else q / 2},
        )

    with store.writer() as w:
        w.write_findings(
            [community("c1", 0.04, ["berlin", "sched"]), community("c2", None, ["berlin"])]
        )
    got = {r["account_id"]: r for r in account_signals(store).to_pylist()}
    assert got["berlin"]["coordinated_communities"] == 2
    assert got["berlin"]["community_min_q"] == pytest.approx(0.04)
    assert got["berlin"]["community_min_p"] == pytest.approx(0.02)
    assert got["replier"]["coordinated_communities"] == 0
    assert got["replier"]["community_min_q"] is None


def test_region_table_names_real_zones() -> None:
    zones = zoneinfo.available_timezones()
    assert set(REGION_TIMEZONES.values()) <= zones
    assert timezone_of("united states") == "America/New_York"
    assert timezone_of("Russian Federation") == "Europe/Moscow"
    assert timezone_of("DE") == "Europe/Berlin"
    assert timezone_of("Atlantis") is None and timezone_of(None) is None


@pytest.mark.parametrize(
    "params",
    [
        {"night_hours": (3, 3)},
        {"night_hours": (0, 25)},
        {"min_posts_timing": 1},
        {"min_growth_days": 0},
    ],
)
def test_params_are_checked(params: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        AccountParams(**params)


def test_profile_says_why_a_signal_is_missing(store: PostStore) -> None:
    _hand_store(store)
    replier = account_profile(store, "REPLIER")
    missing = {s["name"]: s["missing"] for s in replier["signals"]}
    assert missing["interval_cv"] == "only 4 posts (fewer than min_posts_timing = 10)"
    assert missing["reply_share"] is None
    assert missing["night_share"] == "only 4 posts (fewer than min_posts_timing = 10)"
    quiet = {s["name"]: s for s in account_profile(store, "quiet")["signals"]}
    assert "no claimed region" in quiet["night_share"]["missing"]
    assert quiet["handle_entropy"]["missing"] == "no handle is known"
    assert quiet["interval_cv"]["value"] == pytest.approx(0.0)
    sched = {s["name"]: s for s in account_profile(store, "sched")["signals"]}
    assert "'Atlantis' is not in the timezone table" in sched["night_share"]["missing"]
    assert sched["same_second_share"]["value"] == 1.0
    assert replier["params"]["night_hours"] == (0, 6)


def test_docs_describe_every_signal_and_parameter() -> None:
    text = (ROOT / "docs" / "accounts.md").read_text(encoding="utf-8")
    for s in SIGNALS:
        assert f"`{s.name}`" in text, s.name
    for name in AccountParams.__dataclass_fields__:
        assert f"`{name}`" in text, name
