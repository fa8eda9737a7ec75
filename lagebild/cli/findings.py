"""``lagebild findings``: what the detectors found, with the evidence, without rerunning them."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from lagebild.cli import app, handle_errors, open_store, out_console, print_json
from lagebild.errors import ConfigError


@app.command("findings")
@handle_errors
def findings_command(
    ctx: typer.Context,
    finding_id: Annotated[
        str | None, typer.Argument(help="Show this finding whole, with its evidence.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only findings of this kind.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, highest score first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List stored findings, or show one with its evidence."""
    store = open_store(ctx)
    where, params = [], []
    if finding_id is not None:
        where.append("id = ?")
        params.append(finding_id)
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    sql = (
        "SELECT * FROM findings"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY score DESC NULLS LAST, created_at DESC, id LIMIT {int(limit)}"
    )
    rows: list[dict[str, Any]] = store.query(sql, params).to_pylist()
    for row in rows:
        row["params"] = json.loads(row["params"])
        row["details"] = json.loads(row["details"])
        row["created_at"] = row["created_at"].isoformat()
    if finding_id is not None and not rows:
        raise ConfigError(f"no finding with id {finding_id!r}", hint="list them: lagebild findings")
    if as_json:
        print_json(rows[0] if finding_id is not None else rows)
        return
    console = out_console()
    if finding_id is not None:
        row = rows[0]
        console.print(f"[bold]{row['kind']} {row['id']}[/bold] (score {row['score']:g})")
        console.print(row["summary"])
        console.print(
            f"{len(row['posts'])} posts, {len(row['accounts'])} accounts; "
            "evidence and details: --json"
        )
        return
    counted = store.query(
        "SELECT count(*) AS n FROM findings" + (" WHERE kind = ?" if kind else ""),
        [kind] if kind else [],
    ).to_pylist()
    total = int(counted[0]["n"])
    shown = f"{len(rows)} of {total:,}" if total > len(rows) else f"{len(rows)}"
    table = Table(
        title=f"{shown} findings" + (f" of kind {kind}" if kind else "") + ", highest score first",
        caption=f"--limit {total} to see all" if total > len(rows) else None,
    )
    for column in ("kind", "id", "score", "created", "summary"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for row in rows:
        score = "" if row["score"] is None else f"{row['score']:g}"
        table.add_row(row["kind"], row["id"], score, row["created_at"][:19], row["summary"])
    console.print(table)
