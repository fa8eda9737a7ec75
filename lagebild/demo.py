"""The main job on the bundled examples: ingest, every detector, the situation report.

``run_demo`` is what ``lagebild demo`` runs. It reads the example exports in ``examples/``
(every supported platform format, a CooRTweet share table from the 2021 German federal
election, and a week of real IRA tweets from October 2016), imports the example fact-checks
(``factcheck-examples/``),
then matches claims, finds coordinated communities, narratives and spikes, and writes the
report. Each step is timed; a step that fails is reported with its error and the rest go on,
so the report always says what is there and what is missing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lagebild.errors import ConfigError, LagebildError
from lagebild.store import PostStore

__all__ = ["DemoParams", "DemoResult", "find_examples", "run_demo"]

Progress = Callable[[str, int, int], None]

#: The folder of example fact-checks, beside ``examples/``.
FACTCHECKS = "factcheck-examples"


@dataclass(frozen=True)
class DemoParams:
    """Settings of the demo: small enough to finish in minutes on a laptop.

    Claims are matched for posts since ``match_since`` (the election posts; the bundled
    fact-checks are about them), narratives are built from ``narrative_sample`` texts, and
    coordination looks at reposts, links and identical texts within ``window`` seconds.
    """

    match_since: dt.datetime = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    narrative_sample: int = 4000
    narrative_min_size: int = 8
    coordination_by: tuple[str, ...] = ("repost", "url", "text")
    window: float = 60.0
    null_runs: int = 20
    pdf: bool = True


@dataclass
class DemoResult:
    """What each step did and how long it took; where the report is."""

    data_dir: Path
    report_html: Path | None = None
    report_pdf: Path | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def find_examples(given: Path | None = None) -> Path:
    """The examples folder: ``given``, else ``./examples``, else the source checkout's.

    The example fact-checks are in ``factcheck-examples/`` beside it (not inside, so that
    ``lagebild ingest examples/`` reads posts only).
    """
    candidates = [given] if given else [Path("examples"), Path(__file__).parents[1] / "examples"]
    for c in candidates:
        if c is not None and (c / "ira538").is_dir() and (c.parent / FACTCHECKS).is_dir():
            return c
    raise ConfigError(
        "the example data was not found"
        + (f" in {given}" if given else " (looked in ./examples and next to the package)"),
        hint="run `lagebild demo` in the Lagebild checkout, or pass --examples PATH",
    )


def run_demo(
    data_dir: Path,
    report_dir: Path,
    examples: Path,
    params: DemoParams | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Ingest the examples into ``data_dir``, run every detector, write the report."""
    p = params or DemoParams()
    started = time.perf_counter()
    store = PostStore(data_dir)
    result = DemoResult(data_dir=data_dir)
    steps: list[tuple[str, Callable[[], str]]] = [
        ("ingest", lambda: _ingest(store, examples, progress)),
        ("fact-checks", lambda: _factchecks(store, examples)),
        ("claim matching", lambda: _match(store, p, progress)),
        ("coordination", lambda: _coordination(store, p)),
        ("narratives", lambda: _narratives(store, p, progress)),
        ("spikes", lambda: _spikes(store)),
    ]
    for name, step in steps:
        t0 = time.perf_counter()
        if progress:
            progress(name, 0, 1)
        try:
            summary, error = step(), None
        except LagebildError as exc:
            summary, error = "", str(exc)
        result.steps.append(
            {
                "step": name,
                "summary": summary,
                "error": error,
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
        if progress:
            progress(name, 1, 1)
    from lagebild.report import write_report

    t0 = time.perf_counter()
    report = write_report(store, report_dir, pdf=p.pdf)
    result.report_html, result.report_pdf = report.html, report.pdf
    result.steps.append(
        {
            "step": "report",
            "summary": f"{len(report.missing)} sections note missing data",
            "error": report.pdf_error,
            "seconds": round(time.perf_counter() - t0, 2),
        }
    )
    result.seconds = time.perf_counter() - started
    return result


def _ingest(store: PostStore, examples: Path, progress: Progress | None) -> str:
    from lagebild.ingest.pipeline import ingest
    from lagebild.plugins import load_registry

    folders = sorted(p for p in examples.iterdir() if p.is_dir())
    out = ingest(store, folders, registry=load_registry())
    return (
        f"{out.total('read'):,} records read from {len(folders)} example folders: "
        f"{out.total('stored'):,} posts stored, {out.total('duplicates'):,} duplicates, "
        f"{out.total('quarantined'):,} quarantined"
    )


def _factchecks(store: PostStore, examples: Path) -> str:
    from lagebild.claims.store import FactCheckStore

    report = FactCheckStore(store.data_dir).import_paths([examples.parent / FACTCHECKS])
    return (
        f"{report.total('added'):,} fact-checks imported, {report.total('duplicates'):,} "
        f"known, {report.total('quarantined'):,} quarantined"
    )


def _match(store: PostStore, p: DemoParams, progress: Progress | None) -> str:
    from lagebild.claims.service import match_store

    run = match_store(store, since=p.match_since, progress=progress)
    s = run.summary()
    return f"{s['screened']:,} posts screened, {s['matches']:,} matches ({s['auto']:,} automatic)"


def _coordination(store: PostStore, p: DemoParams) -> str:
    from lagebild.coordination import CoordinationParams, detect
    from lagebild.coordination.evidence import community_findings

    params = CoordinationParams(by=p.coordination_by, window=p.window, null_runs=p.null_runs)
    con = store.connect()
    try:
        result = detect(con, params)
        findings = community_findings(con, result)
    finally:
        con.close()
    store.add_findings(findings)
    return (
        f"{len(result.communities)} coordinated communities of "
        f"{sum(c.size for c in result.communities)} accounts"
    )


def _narratives(store: PostStore, p: DemoParams, progress: Progress | None) -> str:
    from lagebild.narratives.model import NarrativeParams
    from lagebild.narratives.service import update_narratives

    params = NarrativeParams(sample_size=p.narrative_sample, min_size=p.narrative_min_size)
    run = update_narratives(store, params, progress=progress)
    return (
        f"{len(run.model.narratives)} narratives; {run.assignment.assigned:,} of "
        f"{run.assignment.posts_seen:,} posts assigned"
    )


def _spikes(store: PostStore) -> str:
    from lagebild.narratives.spikes import (
        SpikeParams,
        detect_spikes,
        spike_findings,
        write_spikes,
    )

    params = SpikeParams()
    spikes = detect_spikes(store, params)
    write_spikes(store, spike_findings(spikes, params))
    return f"{len(spikes)} spikes"
