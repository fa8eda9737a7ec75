"""``lagebild stats``, ``lagebild quarantine`` and ``lagebild sql``."""

from __future__ import annotations

import csv
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from lagebild.cli import app, handle_errors, open_store, out_console, print_json
from lagebild.store.stats import quarantine_records, quarantine_summary, store_stats


@app.command("stats")
@handle_errors
def stats_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Posts and accounts per platform, time span, quarantine count."""
    stats = store_stats(open_store(ctx))
    if as_json:
        print_json(stats)
        return
    console = out_console()
    if not stats["posts"]:
        console.print(
            f"The store at {stats['data_dir']} holds no posts yet: run `lagebild ingest`."
        )
    table = Table(title=f"{stats['posts']:,} posts in {stats['data_dir']}")
    # the time span (UTC) is kept whole: to the minute, or on a narrow terminal to the day
    stamp = 16 if console.width >= 100 else 10
    for col in ("platform", "posts", "accounts posting", "profiles", "with views"):
        table.add_column(col, justify="left" if col == "platform" else "right")
        if col == "profiles":
            table.add_column("first (UTC)", no_wrap=True)
            table.add_column("last (UTC)", no_wrap=True)
    for p in stats["platforms"]:
        table.add_row(
            p["platform"],
            f"{p['posts']:,}",
            f"{p['posting_accounts']:,}",
            f"{p['account_profiles']:,}",
            p["first"][:stamp].replace("T", " "),
            p["last"][:stamp].replace("T", " "),
            f"{p['posts_with_views']:,}",
        )
    console.print(table)
    console.print(
        f"account snapshots: {stats['account_snapshots']:,}   "
        f"quarantined records: {stats['quarantined']:,}   findings: {stats['findings']:,}"
    )


@app.command("quarantine")
@handle_errors
def quarantine_command(
    ctx: typer.Context,
    records: Annotated[
        bool, typer.Option("--records", help="List the records, not the summary.")
    ] = False,
    limit: Annotated[int, typer.Option(help="With --records: at most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """What was rejected during ingestion, and why."""
    store = open_store(ctx)
    rows: list[dict[str, Any]] = (
        quarantine_records(store, limit) if records else quarantine_summary(store)
    )
    if as_json:
        print_json(rows)
        return
    console = out_console()
    if not rows:
        console.print("Nothing in quarantine.")
        return
    table = Table(title="Quarantine")
    cols = (
        ["source", "line", "pointer", "reason"]
        if records
        else ["source", "format", "reason", "count", "first_line"]
    )
    for col in cols:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(str(r[c]) if r[c] is not None else "" for c in cols))
    console.print(table)


@app.command("sql")
@handle_errors
def sql_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="One SELECT statement.")],
    output: Annotated[str, typer.Option("--output", "-o", help="table, csv or json.")] = "table",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --output json.")] = False,
) -> None:
    """Read-only SQL over the store: posts, accounts, account_history, quarantine, findings."""
    result = open_store(ctx).query(query)
    rows = result.to_pylist()
    if as_json or output == "json":
        print_json(rows)
    elif output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(result.column_names)
        for r in rows:
            writer.writerow([r[c] for c in result.column_names])
    else:
        table = Table(caption=f"{len(rows):,} row(s)")
        for col in result.column_names:
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(*("" if r[c] is None else str(r[c]) for c in result.column_names))
        out_console().print(table)
