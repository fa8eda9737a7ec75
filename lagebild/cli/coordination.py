"""``lagebild coordination``: co-sharing networks (CooRTweet-compatible so far)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lagebild.cli import app, handle_errors, open_store, out_console, print_json
from lagebild.coordination import KINDS, CoordinationParams, detect
from lagebild.errors import ConfigError


@app.command("coordination")
@handle_errors
def coordination_command(
    ctx: typer.Context,
    by: Annotated[
        list[str] | None,
        typer.Option("--by", help=f"Object kind, repeatable: {', '.join(KINDS)}."),
    ] = None,
    window: Annotated[
        str, typer.Option(help="Seconds between two shares (inclusive), or 'auto' (CooRnet).")
    ] = "10",
    min_participation: Annotated[int, typer.Option(help="Share rows an account needs.")] = 2,
    edge_quantile: Annotated[
        float, typer.Option(help="Edges must weigh more than this quantile of all weights.")
    ] = 0.5,
    platform: Annotated[
        list[str] | None, typer.Option(help="Only these platforms (repeatable).")
    ] = None,
    similarity: Annotated[
        float, typer.Option(help="similar_text: Jaccard similarity of the word sets.")
    ] = 0.7,
    image_distance: Annotated[
        int, typer.Option(help="image: Hamming distance within which perceptual hashes match.")
    ] = 0,
    null_runs: Annotated[
        int, typer.Option(help="Null-model runs for p-, z- and q-values (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the communities and the null model.")] = 42,
    compat: Annotated[
        str,
        typer.Option(
            help="Semantics: coortweet (CooRTweet 2.1.3) or cnt (coordination-network-toolkit "
            "1.5.2: directed edges, --min-participation is its min_edge_weight)."
        ),
    ] = "coortweet",
    engine: Annotated[
        str, typer.Option(help="Query engine of the pair search: duckdb or spark (local).")
    ] = "duckdb",
    out: Annotated[
        Path | None,
        typer.Option(help="Write CSV tables, GEXF, GraphML and communities.json here."),
    ] = None,
    save: Annotated[
        bool, typer.Option(help="Write each community as a finding with its evidence.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Accounts that shared the same objects within seconds of each other."""
    if compat not in ("coortweet", "cnt"):
        raise ConfigError(f"unknown --compat {compat!r}", hint="use coortweet or cnt")
    if engine not in ("duckdb", "spark") or (engine == "spark" and compat != "coortweet"):
        raise ConfigError(
            f"unknown --engine {engine!r} (with --compat {compat})",
            hint="use duckdb, or spark with --compat coortweet",
        )
    if window == "auto":
        seconds = None
    else:
        try:
            seconds = float(window)
        except ValueError:
            raise ConfigError(
                f"--window must be a number of seconds or 'auto', got {window!r}"
            ) from None
    params = CoordinationParams(
        by=tuple(by or ("url",)),
        window=seconds,
        similarity=similarity,
        image_distance=image_distance,
        null_runs=null_runs,
        seed=seed,
        min_participation=min_participation,
        edge_quantile=edge_quantile,
        platforms=tuple(platform or ()),
    )
    from lagebild.coordination.cnt import detect_cnt
    from lagebild.coordination.evidence import community_findings
    from lagebild.coordination.export import write_network

    store = open_store(ctx)
    con = store.connect()
    try:
        if engine == "spark":
            from lagebild.coordination.spark import detect_spark, local_session

            result = detect_spark(local_session(), store.parts("posts"), params)
        elif compat == "cnt":
            result = detect_cnt(con, params)
        else:
            result = detect(con, params)
        findings = community_findings(con, result) if save else []
    finally:
        con.close()
    store.add_findings(findings)
    if out is not None:
        write_network(result, out)
    summary = result.summary()
    summary["findings"] = [{"kind": f.kind, "id": f.id} for f in findings]
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"Coordinated sharing ({', '.join(params.by)}, window {result.window:g} s)")
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
    if result.communities:
        groups = Table(title=f"Communities ({len(result.communities)}, largest first)")
        for column in ("id", "size", "score", "p", "q", "accounts"):
            groups.add_column(column, justify="left" if column == "accounts" else "right")
        for c in result.communities[:15]:
            groups.add_row(
                str(c.id),
                str(c.size),
                f"{c.score:g}",
                "-" if c.p_value is None else f"{c.p_value:.3g}",
                "-" if c.q_value is None else f"{c.q_value:.3g}",
                ", ".join(c.accounts[:4]) + (" …" if c.size > 4 else ""),
            )
        out_console().print(groups)
    if findings:
        out_console().print(
            f"{len(findings)} communities stored as findings with their evidence: "
            f"lagebild findings --kind {findings[0].kind}"
        )
