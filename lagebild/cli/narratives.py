"""``lagebild narratives``: posts grouped into narratives by meaning, and how they grow.

The first run builds the narratives (embedding a sample of distinct texts, see
docs/narratives.md); later runs assign new posts to them and show the current picture.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from lagebild.cli import (
    app,
    err_console,
    handle_errors,
    open_store,
    out_console,
    parse_when,
    print_json,
    stage_progress,
)
from lagebild.narratives.model import NarrativeParams
from lagebild.narratives.service import narrative_overview, update_narratives


@app.command("narratives")
@handle_errors
def narratives_command(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build new narratives instead of extending.")
    ] = False,
    sample: Annotated[
        int, typer.Option(help="Distinct texts embedded and clustered when building.")
    ] = NarrativeParams.sample_size,
    min_size: Annotated[
        int, typer.Option(help="Clustered texts a narrative needs.")
    ] = NarrativeParams.min_size,
    since: Annotated[str | None, typer.Option(help="Build from posts since this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Build from posts before this date.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample and the clustering.")] = 0,
    show: Annotated[str | None, typer.Option(help="Show one narrative in full.")] = None,
    top: Annotated[int, typer.Option(help="Narratives to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Find narratives (first run or --rebuild), assign new posts, list them by size."""
    store = open_store(ctx)
    params = NarrativeParams(
        sample_size=sample,
        min_size=min_size,
        since=parse_when("--since", since),
        until=parse_when("--until", until),
        seed=seed,
    )
    with stage_progress() as progress:
        run = update_narratives(store, params, rebuild=rebuild, progress=progress)
    rows = narrative_overview(store, run.model)
    if show is not None:
        run.model.narrative(show)
        rows = [r for r in rows if r["id"] == show]
    a = run.assignment
    summary: dict[str, Any] = {
        "model_id": run.model.id,
        "built": run.built,
        "stats": run.model.stats,
        "threshold": run.model.threshold,
        "calibration": run.model.calibration,
        "assigned": {
            "posts_seen": a.posts_seen,
            "assigned": a.assigned,
            "by_cluster": a.by_cluster,
            "by_terms": a.by_terms,
            "seconds": round(a.seconds, 3),
        },
        "narratives": rows if show else rows[:top],
    }
    if as_json:
        print_json(summary)
        return
    err_console().print(
        f"{'built' if run.built else 'model'} {run.model.id}: {len(run.model.narratives)} "
        f"narratives; {a.assigned:,} of {a.posts_seen:,} new posts assigned "
        f"({a.by_cluster:,} clustered, {a.by_terms:,} by terms) in {a.seconds:.1f} s"
    )
    if not rows:
        out_console().print("no narratives found: too few similar texts (see --min-size)")
        return
    if show:
        _show(rows[0])
        return
    table = Table(title=f"narratives (model {run.model.id})")
    table.add_column("id", no_wrap=True)
    for col in ("posts", "accounts", "24 h", "growth", "checks"):
        table.add_column(col, justify="right")
    table.add_column("terms", ratio=1)
    for r in rows[:top]:
        table.add_row(
            r["id"],
            f"{r['posts']:,}",
            f"{r['accounts']:,}",
            f"{r['last_24h']:,}",
            "—" if r["growth"] is None else f"×{r['growth']:.3g}",
            str(len(r["factchecks"])),
            ", ".join(r["terms"][:4]),
        )
    out_console().print(table)


def _show(r: dict[str, Any]) -> None:
    console = out_console()
    console.print(f"[bold]{r['id']}[/]: {r['label']}")
    console.print(
        f"{r['posts']:,} posts by {r['accounts']:,} accounts on {', '.join(r['platforms'])}, "
        f"{str(r['first'])[:16]} to {str(r['last'])[:16]}; last 24 h: {r['last_24h']:,}"
    )
    console.print("terms: " + ", ".join(r["terms"]))
    for e in r["examples"]:
        console.print(f"  • {e['text']}  [dim](similarity {e['similarity']})[/]")
    for f in r["factchecks"]:
        console.print(f"  fact-check {f['factcheck_id']} ({f['verdict']}, {f['posts']} posts)")
