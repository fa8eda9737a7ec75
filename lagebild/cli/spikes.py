"""``lagebild spikes``: hashtags, domains, accounts, claims, narratives growing unusually fast."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from lagebild.cli import app, handle_errors, open_store, out_console, parse_when, print_json
from lagebild.narratives.spikes import (
    KINDS,
    SpikeParams,
    check_range,
    detect_spikes,
    spike_findings,
    write_spikes,
)


def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


@app.command("spikes")
@handle_errors
def spikes_command(
    ctx: typer.Context,
    kind: Annotated[
        list[str] | None, typer.Option(help=f"Key kind, repeatable: {', '.join(KINDS)}.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Spikes from this time (UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Spikes before this time (UTC).")] = None,
    alpha: Annotated[float, typer.Option(help="Hourly Poisson p-value threshold.")] = 1e-6,
    min_count: Annotated[int, typer.Option(help="Posts a spiking hour needs at least.")] = 5,
    baseline_hours: Annotated[int, typer.Option(help="Hours of trailing baseline.")] = 168,
    seasonality: Annotated[
        str, typer.Option(help="Hour-of-day profile: global, key or none.")
    ] = "key",
    top: Annotated[int, typer.Option(help="Keep the N highest-scoring spikes.")] = 50,
    save: Annotated[bool, typer.Option(help="Store each spike as a finding.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the spikes as JSON.")] = False,
) -> None:
    """Keys whose hourly posts grew far above their own seasonal baseline."""
    params = SpikeParams(
        kinds=tuple(kind or KINDS),
        since=parse_when("--since", since),
        until=parse_when("--until", until),
        alpha=alpha,
        min_count=min_count,
        baseline_hours=baseline_hours,
        seasonality=seasonality,
        top=top,
    )
    store = open_store(ctx)
    posts, _, _ = check_range(store, params)
    spikes = detect_spikes(store, params)
    findings = spike_findings(spikes, params)
    stored = write_spikes(store, findings) if save else 0
    if as_json:
        print_json(
            {
                "posts": posts,
                "tests": spikes[0].tests if spikes else None,
                "params": params.as_dict(),
                "spikes": [
                    {"id": f.id, **s.as_dict()} for f, s in zip(findings, spikes, strict=True)
                ],
                "stored": stored,
            }
        )
        return
    if not spikes:
        out_console().print(
            f"No spikes among {posts:,} posts (alpha {alpha:g}, at least {min_count} posts in "
            f"an hour, {params.min_history_hours} h of history before it)."
        )
        return
    table = Table(
        title=f"{len(spikes)} spikes among {posts:,} posts (UTC hours), highest score first",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for column in ("kind", "key", "start", "hours", "posts", "expected", "ratio", "p"):
        left = column in ("kind", "key", "start")
        table.add_column(
            column,
            justify="left" if left else "right",
            no_wrap=column != "key",
            min_width=14 if column == "key" else None,
        )
    for s in spikes:
        table.add_row(
            s.kind,
            s.label + (" *" if s.baseline == "short" else ""),
            s.start.strftime("%Y-%m-%d %H:%M"),
            str(s.hours),
            f"{s.posts:,}",
            _num(s.expected),
            _num(s.ratio) + "×",
            f"{s.p_value:.1g}" if s.log10_p > -300 else f"<1e{math.ceil(s.log10_p)}",
        )
    out_console().print(table)
    out_console().print("* baseline shorter than the window (the key is new or the data is)")
    if save:
        out_console().print(f"{stored} new spike findings stored: lagebild findings --kind spike")
