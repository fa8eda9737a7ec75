"""Spikes: planted bursts are found, seasonal and Poisson noise are not, on stores and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lagebild.cli import app
from lagebild.errors import ConfigError, NotFoundError
from lagebild.ingest.pipeline import ingest
from lagebild.model import (
    NARRATIVE_POST_SCHEMA,
    AccountRef,
    Finding,
    Post,
    PostRef,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
)
from lagebild.narratives.poisson import poisson_log10_sf
from lagebild.narratives.spike_series import Coverage, expected_counts, seasonal_profile
from lagebild.narratives.spikes import (
    Spike,
    SpikeParams,
    check_range,
    detect_spikes,
    find_spikes,
    spike_findings,
    write_spikes,
)
from lagebild.plugins import Registry
from lagebild.store import PostStore
from lagebild.store.parts import write_part
from tests.conftest import EXAMPLES
from tests.factories import make_post

T0 = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
DAYS = 14
BURST_HOUR = 12 * 24 + 14  # day 12, 14:00 UTC
BURST = (40, 90, 30)


def daily(hour: int, mean: float, kappa: float = 1.0) -> float:
    """A smooth daily rhythm (von Mises shape) peaking at 18:00 UTC with the given mean."""
    shape = math.exp(kappa * math.cos(2 * math.pi * ((hour % 24) - 18) / 24))
    return mean * shape / float(np.i0(kappa))


def post(pid: str, account: str, at: dt.datetime, tags: tuple[str, ...] = ()) -> Post:
    return make_post(
        pid,
        account,
        at,
        account_handle=f"h_{account}",
        text=" ".join(f"#{t}" for t in tags) or "text",
        lang="de",
        domains=("example-news.de",) if pid.endswith("7") else (),
        hashtags=tags,
    )


def stream(
    seed: int = 1,
    *,
    days: int = DAYS,
    rate: float = 3.0,
    kappa: float = 1.0,
    burst: tuple[int, ...] = BURST,
    burst_hour: int = BURST_HOUR,
    copies: int = 1,
) -> tuple[list[Post], dict[int, int], set[str]]:
    """Posts of ``#wahl`` (seasonal, ``rate``/h) and ``#wetter`` (flat, 6/h) plus a burst.

    Returns the posts, the number of ``#wahl`` posts per hour and the burst's accounts.
    Every post is repeated ``copies`` times (new ids), scaling every count exactly.
    """
    rng = np.random.default_rng(seed)
    posts: list[Post] = []
    wahl: dict[int, int] = {}
    burst_accounts: set[str] = set()
    for h in range(days * 24):
        base = T0 + dt.timedelta(hours=h)
        extra = burst[h - burst_hour] if 0 <= h - burst_hour < len(burst) else 0
        n = int(rng.poisson(daily(h, rate, kappa)))
        rows: list[tuple[str, tuple[str, ...]]] = [
            (f"a{rng.integers(0, 400)}", ("wahl",)) for _ in range(n)
        ]
        for _ in range(extra):
            account = f"b{rng.integers(0, 60)}"
            burst_accounts.add(account)
            rows.append((account, ("wahl", "btw25")))
        rows += [(f"c{rng.integers(0, 400)}", ("wetter",)) for _ in range(rng.poisson(6))]
        for j, (account, tags) in enumerate(rows):
            at = base + dt.timedelta(seconds=int(rng.integers(0, 3600)))
            for c in range(copies):
                posts.append(post(f"{h}-{j}-{c}", account, at, tags))
        wahl[h] = (n + extra) * copies
    return posts, wahl, burst_accounts


def make_store(tmp_path: Path, posts: list[Post]) -> PostStore:
    store = PostStore(tmp_path / "data")
    with store.writer() as writer:
        writer.write(posts_to_table(posts), accounts_to_table([]), rejects_to_table([]))
    return store


def connect(posts: list[Post]) -> duckdb.DuckDBPyConnection:
    """A bare connection with the posts as the ``posts`` view (fast, for many examples)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("posts", posts_to_table(posts))
    return con


def hour(h: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=h)


def of(spikes: list[Spike], kind: str, key: str) -> list[Spike]:
    return [s for s in spikes if (s.kind, s.key) == (kind, key)]


# --- the Poisson tail ---------------------------------------------------------------------------


def brute_log10_sf(k: int, lam: float) -> float:
    """log10 P(X >= k) by summing the probability mass directly (log-sum-exp)."""
    if k == 0:
        return 0.0
    top = int(max(k, lam) + 60 * math.sqrt(lam + 1) + 200)
    logs = [j * math.log(lam) - lam - math.lgamma(j + 1) for j in range(k, top)]
    m = max(logs)
    tail = m + math.log(math.fsum(math.exp(v - m) for v in logs))
    if tail > math.log(0.5):  # the upper tail is most of the mass: sum the lower one instead
        lower = [j * math.log(lam) - lam - math.lgamma(j + 1) for j in range(k)]
        tail = math.log1p(-math.fsum(math.exp(v) for v in lower))
    return tail / math.log(10)


@pytest.mark.parametrize(
    ("k", "lam"),
    [
        (0, 3.0),
        (1, 0.5),
        (5, 0.5),
        (9, 0.5),
        (3, 3.0),
        (4, 3.0),
        (30, 3.0),
        (2, 10.0),
        (10, 10.0),
        (11, 9.5),
        (60, 10.0),
        (240, 7.7),
        (180, 200.0),
        (260, 200.0),
        (1000, 1000.0),
        (1200, 1000.0),
        (5000, 1000.0),
        (50, 0.01),
    ],
)
def test_poisson_tail_matches_a_brute_force_sum(k: int, lam: float) -> None:
    got = float(poisson_log10_sf(np.array([k]), np.array([lam]))[0])
    want = brute_log10_sf(k, lam)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 400), st.floats(0.05, 300))
def test_poisson_tail_agrees_and_falls_with_k(k: int, lam: float) -> None:
    got = poisson_log10_sf(np.array([k, k + 1]), np.array([lam, lam]))
    assert got[0] == pytest.approx(brute_log10_sf(k, lam), rel=1e-8, abs=1e-10)
    assert got[1] < got[0] <= 0


def test_watched_hours_weights_and_expected_counts() -> None:
    flat = np.ones(24)
    month = Coverage(1, flat, np.arange(30))
    assert month.weight(np.array([0, 5, 10]), np.array([24, 5, 178]), flat).tolist() == [
        24,
        0,
        168,
    ]
    profile = seasonal_profile(np.array([daily(h, 100.0) * 30 for h in range(24)]), 24.0)
    assert profile.mean() == pytest.approx(1.0)
    assert profile.argmax() == 18
    # a whole watched week sums to 168 whatever the profile; a part of a day does not
    assert month.weight(np.array([7]), np.array([7 + 168]), profile)[0] == pytest.approx(168)
    assert month.weight(np.array([18]), np.array([19]), profile)[0] == pytest.approx(profile[18])
    # a gap in the data (days 3 to 9 without posts) is not watched
    gappy = Coverage(1, flat, np.array([0, 1, 2, 10, 11]))
    a, b = np.array([0, 30]), np.array([24 * 12, 24 * 11 + 5])
    assert gappy.weight(a, b, flat).tolist() == [120, 18 + 24 + 24 + 5]
    assert gappy.watched_hours(a, b).tolist() == [120, 71]
    assert gappy.same_hour(a, b, np.array([5, 29])).tolist() == [5, 2]
    # 168 posts in the window of a key watched for a week: 1/h times the factor of the hour
    exp, rate, watched = expected_counts(
        np.array([500]), np.array([168.0]), month, profile, 168, 1, 0.5
    )
    assert (rate[0], watched[0]) == (pytest.approx(1.0), 168)
    assert exp[0] == pytest.approx(profile[500 % 24])
    # the key's own same-hour history pulls the expectation towards it (7 watched hours)
    exp, _, _ = expected_counts(
        np.array([500]), np.array([168.0]), month, flat, 168, 1, 0.5, np.array([70.0]), 7.0
    )
    assert exp[0] == pytest.approx((70 + 7 * 1.0) / (7 + 7))
    # no history: the floor
    exp, _, _ = expected_counts(np.array([500]), np.array([0.0]), month, profile, 168, 1, 0.5)
    assert exp[0] == 0.5


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    days=st.sets(st.integers(0, 12), max_size=13),
    a=st.integers(-30, 320),
    length=st.integers(0, 200),
    t=st.integers(0, 23),
    weights=st.lists(st.floats(0.1, 3.0), min_size=24, max_size=24),
)
def test_watched_weights_agree_with_a_loop_over_hours(
    days: set[int], a: int, length: int, t: int, weights: list[float]
) -> None:
    profile = np.array(weights)
    cover = Coverage(1, profile, np.array(sorted(days), dtype=np.int64))
    hours = [x for x in range(a, a + length) if x // 24 in days]
    lo, hi = np.array([a]), np.array([a + length])
    assert cover.weight(lo, hi, profile)[0] == pytest.approx(sum(profile[x % 24] for x in hours))
    assert cover.watched_hours(lo, hi)[0] == len(hours)
    assert cover.same_hour(lo, hi, np.array([t]))[0] == sum(x % 24 == t for x in hours)


# --- detection on a store -------------------------------------------------------------------------


def test_planted_burst_is_found_with_its_start_peak_posts_and_evidence(tmp_path: Path) -> None:
    posts, wahl, burst_accounts = stream()
    store = make_store(tmp_path, posts)
    params = SpikeParams(kinds=("all", "hashtag", "account", "domain"))
    spikes = detect_spikes(store, params)
    found = of(spikes, "hashtag", "wahl")
    assert len(found) == 1
    s = found[0]
    assert (s.start, s.end, s.hours) == (hour(BURST_HOUR), hour(BURST_HOUR + 2), 3)
    assert s.peak == hour(BURST_HOUR + 1)
    assert s.posts == sum(wahl[BURST_HOUR + i] for i in range(3))
    assert s.peak_posts == wahl[BURST_HOUR + 1]
    assert s.baseline == "full"
    assert s.expected < 30 and s.ratio > 10 and s.log10_p < -40 and s.z > 10
    assert s.min_hour_p < 1e-6 and s.tests > 0
    # the burst's own new hashtag spikes too, labelled as having a short baseline
    (btw,) = of(spikes, "hashtag", "btw25")
    assert (btw.start, btw.posts, btw.baseline) == (hour(BURST_HOUR), sum(BURST), "short")
    assert not of(spikes, "hashtag", "wetter")
    # evidence: the posts of the spike hours, top accounts, a series with context
    assert len(s.post_refs) == min(200, s.posts)
    assert {a.account_id for a in s.top_accounts} <= burst_accounts | {f"a{i}" for i in range(400)}
    assert s.top_accounts[0].posts >= s.top_accounts[-1].posts
    assert s.top_accounts[0].handle == f"h_{s.top_accounts[0].account_id}"
    assert [p.hour for p in s.series] == [hour(BURST_HOUR + i) for i in range(-6, 9)]
    assert [p.posts for p in s.series] == [wahl[BURST_HOUR + i] for i in range(-6, 9)]
    assert all(p.expected >= 0.5 for p in s.series)
    assert spikes == sorted(spikes, key=lambda x: x.log10_p)

    findings = spike_findings(spikes, params)
    f = next(f for f in findings if f.details["key"] == "wahl")
    assert f.kind == "spike" and f.score == pytest.approx(-s.log10_p)
    assert f.summary.startswith(f"#wahl: {s.posts} posts in 3 h from {s.accounts} accounts, ")
    assert "× the expected" in f.summary and "(p < 1e-" in f.summary
    assert f.details["posts"] == s.posts and f.details["posts_listed"] == len(f.posts)
    assert len(f.details["series"]) == 15 and f.details["start"] == "2025-02-13T14:00:00Z"
    assert f.params["alpha"] == 1e-6
    assert f.accounts[0] == AccountRef("twitter", s.top_accounts[0].account_id)
    assert write_spikes(store, findings) == len(findings)
    assert write_spikes(store, findings) == 0
    stored = store.query("SELECT id, details FROM findings WHERE kind = 'spike'").to_pylist()
    assert {r["id"] for r in stored} == {f.id for f in findings}
    assert json.loads(next(r for r in stored if r["id"] == f.id)["details"])["key"] == "wahl"


def test_spike_evidence_is_capped_and_accounts_counted(tmp_path: Path) -> None:
    posts, wahl, _ = stream(burst=(300,))
    spikes = detect_spikes(make_store(tmp_path, posts), SpikeParams(kinds=("hashtag",)))
    (s,) = of(spikes, "hashtag", "wahl")
    assert s.posts == wahl[BURST_HOUR] > 300
    assert len(s.post_refs) == 200
    refs = {(p.platform, p.post_id) for p in posts if "wahl" in p.hashtags}
    assert {tuple(r) for r in s.post_refs} <= refs
    in_hour = [p for p in posts if "wahl" in p.hashtags and p.created_at >= hour(BURST_HOUR)]
    in_hour = [p for p in in_hour if p.created_at < hour(BURST_HOUR + 1)]
    assert s.accounts == len({p.account_id for p in in_hour})


def test_steady_daily_rhythm_is_no_spike_but_would_be_without_seasonality() -> None:
    posts, _, _ = stream(seed=3, days=21, rate=10.0, kappa=2.0, burst=())
    con = connect(posts)
    params = SpikeParams(kinds=("hashtag", "all"))
    assert find_spikes(con, params) == []
    flat = find_spikes(con, SpikeParams(kinds=("hashtag", "all"), seasonality="none"))
    assert flat and {s.peak.hour for s in flat} <= {16, 17, 18, 19, 20}  # the evening peak
    # the one profile of all posts is flatter than #wahl's (#wetter is flat): its peak spikes
    mixed = find_spikes(con, SpikeParams(kinds=("hashtag",), seasonality="global"))
    assert {s.key for s in mixed} == {"wahl"}


def test_a_new_key_needs_several_posts() -> None:
    posts, _, _ = stream(burst=())
    at = hour(BURST_HOUR)
    few = [post(f"n{i}", f"n{i}", at, ("neu",)) for i in range(6)]
    con = connect(posts + few)
    assert of(find_spikes(con, SpikeParams(kinds=("hashtag",))), "hashtag", "neu") == []
    many = [post(f"m{i}", f"m{i}", at, ("neu",)) for i in range(12)]
    (s,) = of(find_spikes(connect(posts + many), SpikeParams(kinds=("hashtag",))), "hashtag", "neu")
    assert (s.posts, s.expected, s.baseline) == (12, 0.5, "short")
    # min_count: 12 posts are too few when 20 are asked for
    params = SpikeParams(kinds=("hashtag",), min_count=20)
    assert of(find_spikes(connect(posts + many), params), "hashtag", "neu") == []


def test_hours_without_enough_history_are_not_scored() -> None:
    posts, _, _ = stream(burst=(80,), burst_hour=10)
    assert of(find_spikes(connect(posts), SpikeParams(kinds=("hashtag",))), "hashtag", "wahl") == []
    early = SpikeParams(kinds=("hashtag",), min_history_hours=6)
    (s,) = of(find_spikes(connect(posts), early), "hashtag", "wahl")
    assert (s.start, s.baseline) == (hour(10), "short")


def test_a_gap_in_the_data_is_not_silence() -> None:
    first, _, _ = stream(seed=4, burst=())
    second, _, _ = stream(seed=5, burst=())
    later = [
        p._replace(post_id="x" + p.post_id, created_at=p.created_at + dt.timedelta(days=40))
        for p in second
    ]
    assert find_spikes(connect(first + later), SpikeParams(kinds=("all", "hashtag"))) == []


def test_since_and_until_limit_the_spikes_not_the_baseline() -> None:
    posts, _, _ = stream()
    con = connect(posts)
    kinds = ("hashtag",)
    inside = find_spikes(con, SpikeParams(kinds=kinds, since=hour(BURST_HOUR - 5)))
    assert of(inside, "hashtag", "wahl")[0].baseline == "full"
    assert find_spikes(con, SpikeParams(kinds=kinds, since=hour(BURST_HOUR + 3))) == []
    assert find_spikes(con, SpikeParams(kinds=kinds, until=hour(BURST_HOUR))) == []
    cut = find_spikes(con, SpikeParams(kinds=kinds, until=hour(BURST_HOUR + 1)))
    assert of(cut, "hashtag", "wahl")[0].hours == 1


def test_same_input_same_spikes() -> None:
    posts, _, _ = stream(seed=7)
    params = SpikeParams(kinds=("all", "hashtag", "account"))
    first = [s.as_dict() for s in find_spikes(connect(posts), params)]
    again = [s.as_dict() for s in find_spikes(connect(list(reversed(posts))), params)]
    assert first == again and first
    ids = [f.id for f in spike_findings(find_spikes(connect(posts), params), params)]
    assert ids == [f.id for f in spike_findings(find_spikes(connect(posts), params), params)]


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10_000),
    rate=st.floats(0.5, 6.0),
    size=st.integers(25, 60),
    at=st.integers(8 * 24, 13 * 24),
    copies=st.integers(2, 3),
)
def test_scaling_every_count_keeps_the_spike(
    seed: int, rate: float, size: int, at: int, copies: int
) -> None:
    params = SpikeParams(kinds=("hashtag",))
    for m in (1, copies):
        posts, _, _ = stream(seed, rate=rate, burst=(size,), burst_hour=at, copies=m)
        spikes = of(find_spikes(connect(posts), params), "hashtag", "wahl")
        assert any(s.start <= hour(at) <= s.end for s in spikes), (m, spikes)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), rate=st.floats(0.3, 25.0), kappa=st.floats(0.0, 1.5))
def test_poisson_noise_without_a_burst_gives_no_spike(seed: int, rate: float, kappa: float) -> None:
    posts, _, _ = stream(seed, rate=rate, kappa=kappa, burst=())
    assert find_spikes(connect(posts), SpikeParams(kinds=("all", "hashtag"))) == []


# --- claims and narratives ----------------------------------------------------------------------


def test_claims_and_narratives_spike_and_rejected_matches_do_not_count(tmp_path: Path) -> None:
    from lagebild.claims.service import decide

    posts, _, _ = stream(burst=())
    late = [post(f"x{i}", f"x{i % 40}", hour(BURST_HOUR), ("wahl",)) for i in range(30)]
    store = make_store(tmp_path, posts + late)
    now = dt.datetime.now(dt.UTC)
    matches = [
        Finding(
            kind="claim_match",
            id=f"m{i}",
            created_at=now,
            score=0.9,
            params={},
            posts=(PostRef("twitter", p.post_id),),
            accounts=(AccountRef("twitter", p.account_id),),
            summary="match",
            details={"factcheck_id": "fc-briefwahl", "claim": "Briefwahl ist Betrug"},
        )
        for i, p in enumerate(late)
    ]
    narrative = Finding(
        kind="narrative",
        id="n-fraud",
        created_at=now,
        score=30.0,
        params={},
        posts=(),
        accounts=(),
        summary="narrative",
        details={"terms": ["briefwahl", "betrug", "wahl", "gefälscht", "stimmen", "mehr"]},
    )
    with store.writer() as writer:
        writer.write_findings([*matches, narrative])
    write_part(
        store.folder("narrative_posts"),
        pa.Table.from_pylist(
            [
                {
                    "platform": "twitter",
                    "post_id": p.post_id,
                    "narrative_id": "n-fraud",
                    "model_id": "m1",
                    "similarity": 0.8,
                    "method": "assign",
                    "assigned_at": now,
                }
                for p in late
            ],
            schema=NARRATIVE_POST_SCHEMA,
        ),
    )
    params = SpikeParams(kinds=("claim", "narrative"))
    spikes = detect_spikes(store, params)
    assert [(s.kind, s.key, s.posts, s.start) for s in spikes] == [
        ("claim", "fc-briefwahl", 30, hour(BURST_HOUR)),
        ("narrative", "n-fraud", 30, hour(BURST_HOUR)),
    ]
    assert spikes[0].label == "claim “Briefwahl ist Betrug”"
    assert spikes[1].label == "narrative “briefwahl · betrug · wahl · gefälscht · stimmen”"
    assert {r.post_id for r in spikes[0].post_refs} == {p.post_id for p in late}
    assert detect_spikes(store, SpikeParams(kinds=("narrative",), narrative_model="m2")) == []
    for m in matches[:25]:
        decide(store, m.id, "rejected", "tester")
    decide(store, matches[25].id, "confirmed", "tester")
    assert [s.kind for s in detect_spikes(store, params)] == ["narrative"]


# --- bad input ----------------------------------------------------------------------------------


def test_empty_store_and_empty_range(tmp_path: Path) -> None:
    store = PostStore(tmp_path / "data")
    assert detect_spikes(store) == []
    with pytest.raises(NotFoundError, match="no posts"):
        check_range(store, SpikeParams())
    posts, _, _ = stream(days=3, burst=())
    store = make_store(tmp_path, posts)
    with pytest.raises(NotFoundError, match="no posts between") as err:
        check_range(store, SpikeParams(since=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)))
    assert err.value.hint and "2025-02-01" in err.value.hint
    assert check_range(store, SpikeParams())[0] == len(posts)


@pytest.mark.parametrize(
    "bad",
    [
        {"kinds": ("mention",)},
        {"kinds": ()},
        {"alpha": 0.0},
        {"min_count": 0},
        {"seasonality": "weekly"},
        {"min_expected": 0.0},
        {"since": T0, "until": T0},
    ],
)
def test_bad_params_name_the_parameter(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        SpikeParams(**bad)


# --- the command line ---------------------------------------------------------------------------


def cli(data: Path, *args: str, code: int = 0) -> Any:
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["--data-dir", str(data), "spikes", *args])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    if code == 0 and "--json" in args:
        return json.loads(result.stdout)
    return result


def test_cli_empty_store_bad_range_and_bad_kind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert "the store has no posts" in cli(data, code=1).stderr
    make_store(tmp_path, stream(days=2, burst=())[0])
    out = cli(data, "--since", "2030-01-01", code=1).stderr
    assert "no posts between" in out and "2025-02-01" in out
    assert "unknown spike kind" in cli(data, "--kind", "mention", code=1).stderr
    assert "not a date" in cli(data, "--until", "soon", code=1).stderr
    assert "No spikes among" in cli(data).stdout


def test_cli_table_json_and_findings(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_store(tmp_path, stream()[0])
    human = cli(data, "--kind", "hashtag", "--no-save").stdout
    assert "#wahl" in human and "2025-02-13 14:00" in human and "#btw25 *" in human
    assert PostStore(data).query("SELECT count(*) AS n FROM findings").column(0)[0].as_py() == 0
    out = cli(data, "--kind", "hashtag", "--kind", "all", "--json")
    wahl = next(s for s in out["spikes"] if s["key"] == "wahl")
    assert (wahl["start"], wahl["hours"], wahl["baseline"]) == ("2025-02-13T14:00:00Z", 3, "full")
    assert out["stored"] == len(out["spikes"]) and out["tests"] > 0
    assert out["params"]["kinds"] == ["hashtag", "all"]
    listed = CliRunner().invoke(
        app, ["--data-dir", str(data), "findings", "--kind", "spike", "--json"]
    )
    assert {f["id"] for f in json.loads(listed.stdout)} == {s["id"] for s in out["spikes"]}
    assert cli(data, "--kind", "hashtag", "--kind", "all", "--json")["stored"] == 0
    assert cli(data, "--kind", "hashtag", "--alpha", "1e-300", "--json")["spikes"] == []


def test_cli_on_the_bundled_examples(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["--data-dir", str(data), "ingest", str(EXAMPLES)]).exit_code == 0
    out = cli(data, "--json", "--min-count", "3")
    assert out["posts"] > 1000
    for s in out["spikes"]:
        assert s["posts"] >= 3 and s["p_value"] < 1e-6 and s["series"]
        assert s["post_refs"] and len(s["post_refs"]) <= 200


# --- real data ----------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_ira_hashtags_spike_on_the_day_of_the_brussels_attacks(
    shared_data: Path, tmp_path: Path, registry: Registry
) -> None:
    src = shared_data / "ira" / "ira_tweets_2016.parquet"
    part = tmp_path / "ira_march.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_parquet('{src}') WHERE publish_date >= '2016-03-12' "
        f"AND publish_date < '2016-03-24') TO '{part}' (FORMAT parquet)"
    )
    store = PostStore(tmp_path / "data")
    ingest(store, [part], registry=registry)
    since = dt.datetime(2016, 3, 22, tzinfo=dt.UTC)
    spikes = detect_spikes(store, SpikeParams(kinds=("hashtag",), since=since, top=10))
    tags = {s.key: s for s in spikes}
    assert {"islamkills", "brussels", "stopislam"} <= set(tags)
    assert tags["brussels"].start.date() == dt.date(2016, 3, 22)
    assert tags["islamkills"].posts > 1000 and tags["islamkills"].accounts > 50
