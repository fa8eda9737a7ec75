"""Benchmark: encoding, narratives, reach, spikes and the report on a million real posts.

    python -m bench.report [--work DIR] [--sample N]

Data: the 2016 IRA tweets (``../shared/data/ira``, 930 k posts after de-duplication) and the
CooRTweet share table of the 2021 German federal election (``../shared/data/coortweet``),
about 1.08 M posts together. Posts from December 2016 are held back and ingested after the
narratives are built, to measure the assignment of new posts to existing narratives.

Each figure is measured on its own and printed in one table:

* encoding throughput: distinct texts per second of the sentence encoder (one core, fresh
  cache), and the posts per second that makes once identical texts (retweets) are encoded
  once;
* with encodings cached: building narratives (and assigning every post), reach of the
  largest narrative and of the most used hashtag, spike detection over all kinds, the report
  (HTML and PDF) — and their sum, against the 2-minute target;
* new posts assigned to existing narratives per second (target ≥ 1,000).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
IRA = SHARED / "ira" / "ira_tweets_2016.parquet"
COORTWEET = SHARED / "coortweet" / "german_elections.parquet"
HOLD_BACK = "2016-12-01"

T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _split(work: Path) -> tuple[Path, Path]:
    before, after = work / "ira_before.parquet", work / "ira_december.parquet"
    if not after.exists():
        con = duckdb.connect()
        for path, cond in ((before, "<"), (after, ">=")):
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{IRA}') WHERE publish_date {cond} "
                f"'{HOLD_BACK}') TO '{path}' (FORMAT parquet)"
            )
    return before, after


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/lagebild-bench-report"))
    ap.add_argument("--sample", type=int, default=20_000, help="texts clustered")
    ap.add_argument("--encode", type=int, default=2_000, help="texts encoded for throughput")
    args = ap.parse_args(argv)
    if not IRA.exists() or not COORTWEET.exists():
        print(f"needs {IRA} and {COORTWEET} (../shared/data)", file=sys.stderr)
        return 2

    from lagebild.claims.encoders import load_encoder
    from lagebild.ingest.pipeline import ingest
    from lagebild.narratives.build import load_texts
    from lagebild.narratives.model import NarrativeParams
    from lagebild.narratives.service import update_narratives
    from lagebild.narratives.spikes import SpikeParams, detect_spikes, spike_findings, write_spikes
    from lagebild.plugins import load_registry
    from lagebild.reach import ReachParams, Selection, reach
    from lagebild.report import write_report
    from lagebild.store import PostStore

    args.work.mkdir(parents=True, exist_ok=True)
    before, december = _split(args.work)
    store = PostStore(args.work / "store")
    registry = load_registry()
    rows: list[tuple[str, str, str]] = []
    if not (args.work / "store" / "posts").exists():
        _, secs = _timed(lambda: ingest(store, [before, COORTWEET], registry=registry))
        print(f"ingested the store in {secs:.0f} s", file=sys.stderr)
    for leftover in ("embeddings", "narratives", "narrative_posts"):  # every run starts cold
        shutil.rmtree(store.data_dir / leftover, ignore_errors=True)
    posts = store.query("SELECT count(*) AS n FROM posts").column("n")[0].as_py()

    # 1. encoding throughput (fresh, no cache): distinct texts, then posts
    params = NarrativeParams(sample_size=args.sample)
    con = store.connect()
    distinct = load_texts(con, params)
    with_text = con.sql("SELECT sum(copies) FROM texts").fetchall()[0][0]
    sample = [
        r[0]
        for r in con.sql(
            "SELECT clean FROM texts ORDER BY md5(text_key) LIMIT ?", params=[args.encode]
        ).fetchall()
    ]
    con.close()
    encoder = load_encoder(params.encoder)
    encoder.encode(sample[:32], "query")  # load and warm up
    _, secs = _timed(
        lambda: [encoder.encode(sample[i : i + 64], "query") for i in range(0, len(sample), 64)]
    )
    texts_per_s = len(sample) / secs
    posts_per_s = texts_per_s * with_text / distinct
    rows.append(
        (
            "encoding (USE, 1 core, fresh)",
            f"{texts_per_s:,.0f} texts/s",
            f"{posts_per_s:,.0f} posts/s ({with_text / distinct:.2f} posts per text)",
        )
    )
    rows.append(
        (
            "  all distinct texts would take",
            f"{distinct / texts_per_s / 60:,.0f} min",
            f"{distinct:,} distinct of {with_text:,} texts: so a sample is clustered",
        )
    )

    # 2. narratives: first build embeds the sample (cached afterwards), then a cached rebuild
    first, secs_first = _timed(lambda: update_narratives(store, params, rebuild=True))
    rows.append(
        (
            "narratives, first build (embeds sample)",
            f"{secs_first:.1f} s",
            f"{args.sample:,} texts clustered, {len(first.model.narratives)} narratives",
        )
    )
    # the same model again would find its assignments done: measure on a twin store that
    # shares the posts and the embedding cache (hard links) but has no narratives yet
    twin = args.work / "twin"
    if twin.exists():
        shutil.rmtree(twin)
    twin.mkdir()
    for folder in ("posts", "accounts", "findings", "embeddings"):
        if (store.data_dir / folder).exists():
            shutil.copytree(store.data_dir / folder, twin / folder, copy_function=os.link)
    store = PostStore(twin)
    run, secs_narr = _timed(lambda: update_narratives(store, params))
    cal = run.model.calibration
    rows.append(
        (
            "narratives, encodings cached",
            f"{secs_narr:.1f} s",
            f"{run.assignment.assigned:,} of {run.assignment.posts_seen:,} posts assigned; "
            f"held-out agreement F1 {cal.get('f1')}",
        )
    )

    # 3. reach of the largest narrative and of the top hashtag
    top_narrative = (
        store.query(
            "SELECT narrative_id FROM narrative_posts WHERE model_id = ? GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1",
            [run.model.id],
        )
        .column(0)[0]
        .as_py()
    )
    tag = (
        store.query(
            "SELECT h FROM (SELECT unnest(hashtags) AS h FROM posts) GROUP BY h "
            "ORDER BY count(*) DESC LIMIT 1"
        )
        .column(0)[0]
        .as_py()
    )
    reach_secs = 0.0
    for sel in (Selection("narrative", top_narrative), Selection("hashtag", tag)):
        rep, secs = _timed(lambda s=sel: reach(store, s, ReachParams()))  # type: ignore[misc]
        reach_secs += secs
        rows.append(
            (f"reach of {sel.kind} {sel.value}", f"{secs:.1f} s", f"{rep.totals.posts:,} posts")
        )

    # 4. spikes over all kinds
    def spikes() -> int:
        sp = SpikeParams()
        found = detect_spikes(store, sp)
        write_spikes(store, spike_findings(found, sp))
        return len(found)

    n_spikes, secs_spikes = _timed(spikes)
    rows.append(("spikes (all kinds)", f"{secs_spikes:.1f} s", f"{n_spikes} spikes"))

    # 5. the report, HTML and PDF
    rep_out, secs_report = _timed(lambda: write_report(store, args.work / "report"))
    rows.append(
        (
            "report (HTML + PDF)",
            f"{secs_report:.1f} s",
            "PDF printed" if rep_out.pdf else f"no PDF: {rep_out.pdf_error}",
        )
    )
    total = secs_narr + reach_secs + secs_spikes + secs_report
    rows.append(
        (
            "reach + narratives + spikes + report",
            f"{total:.1f} s",
            "target < 120 s: " + ("met" if total < 120 else "NOT met"),
        )
    )

    # 6. new posts assigned to the existing narratives
    ingest(store, [december], registry=registry)
    new, secs_new = _timed(lambda: update_narratives(store, params))
    a = new.assignment
    rows.append(
        (
            "new posts assigned (December 2016)",
            f"{a.posts_per_second:,.0f} posts/s",
            f"{a.posts_seen:,} new posts, {a.assigned:,} assigned, {secs_new:.1f} s in "
            "all; target ≥ 1,000/s: " + ("met" if a.posts_per_second >= 1000 else "NOT met"),
        )
    )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbench.report on {posts:,} posts (+ December held back), peak {peak:,.0f} MB\n")
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
