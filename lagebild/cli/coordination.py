"""``lagebild coordination``: co-sharing networks (CooRTweet-compatible so far)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lagebild.cli import app, handle_errors, open_store, out_console, print_json
from lagebild.coordination import KINDS, CoordinationParams, detect_coortweet
from lagebild.coordination.export import write_network
from lagebild.errors import ConfigError


@app.command("coordination")
@handle_errors
def coordination_command(
    ctx: typer.Context,
    by: Annotated[
        list[str] | None,
        typer.Option("--by", help=f"Object kind, repeatable: {', '.join(KINDS)}."),
    ] = None,
    window: Annotated[float, typer.Option(help="Seconds between two shares (inclusive).")] = 10,
    min_participation: Annotated[int, typer.Option(help="Share rows an account needs.")] = 2,
    edge_quantile: Annotated[
        float, typer.Option(help="Edges must weigh more than this quantile of all weights.")
    ] = 0.5,
    platform: Annotated[
        list[str] | None, typer.Option(help="Only these platforms (repeatable).")
    ] = None,
    compat: Annotated[
        str, typer.Option(help="Semantics to reproduce: coortweet (CooRTweet 2.1.3).")
    ] = "coortweet",
    out: Annotated[
        Path | None,
        typer.Option(help="Write CSV tables, GEXF, GraphML and communities.json here."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Accounts that shared the same objects within seconds of each other."""
    if compat != "coortweet":
        raise ConfigError(f"unknown --compat {compat!r}", hint="use --compat coortweet")
    params = CoordinationParams(
        by=tuple(by or ("url",)),
        window=window,
        min_participation=min_participation,
        edge_quantile=edge_quantile,
        platforms=tuple(platform or ()),
    )
    con = open_store(ctx).connect()
    try:
        result = detect_coortweet(con, params)
    finally:
        con.close()
    if out is not None:
        write_network(result, out)
    summary = result.summary()
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"Coordinated sharing ({', '.join(params.by)}, window {window:g} s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "pairs",
        "objects",
        "accounts",
        "edges",
        "weight_threshold",
        "filtered_edges",
        "filtered_accounts",
        "seconds",
    ):
        table.add_row(key, str(summary[key]))
    out_console().print(table)
