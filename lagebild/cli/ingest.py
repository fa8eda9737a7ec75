"""``lagebild ingest`` and ``lagebild formats``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lagebild.cli import app, err_console, handle_errors, open_store, out_console, print_json
from lagebild.errors import ConfigError
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.coortweet import OBJECT_KINDS
from lagebild.ingest.generic import load_mapping, parse_mapping
from lagebild.ingest.pipeline import DEFAULT_BATCH, IngestResult
from lagebild.ingest.pipeline import Progress as IngestProgress
from lagebild.ingest.pipeline import ingest as run_ingest
from lagebild.plugins import load_registry


@app.command("ingest")
@handle_errors
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    format_name: Annotated[
        str | None, typer.Option("--format", "-f", help="Source format (default: sniffed).")
    ] = None,
    object_kind: Annotated[
        str,
        typer.Option(help=f"Share tables: what object_id is ({'|'.join(OBJECT_KINDS)})."),
    ] = "repost",
    platform: Annotated[
        str | None, typer.Option(help="Platform, where the input does not say.")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Generic format: FIELD=COLUMN (repeatable)."),
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="Generic format: mapping TOML file.")
    ] = None,
    time_format: Annotated[
        str | None, typer.Option(help="Generic format: strptime format of created_at.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Posts per committed part (memory vs. file count).")
    ] = DEFAULT_BATCH,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Read exports into the store; bad records go to quarantine, duplicates are skipped."""
    if object_kind not in OBJECT_KINDS:
        raise ConfigError(
            f"unknown --object-kind {object_kind!r}", hint=f"use one of: {', '.join(OBJECT_KINDS)}"
        )
    columns = parse_mapping(mapping or [])
    if mapping_file is not None:
        file_columns, file_platform, file_time = load_mapping(mapping_file)
        columns = {**file_columns, **columns}
        platform = platform or file_platform
        time_format = time_format or file_time
    if columns and format_name is None:
        format_name = "generic"
    options = ReadOptions(
        object_kind=object_kind, mapping=columns, platform=platform, time_format=time_format
    )
    registry = load_registry()
    store = open_store(ctx)
    console = err_console()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json and not console.is_terminal,
    ) as progress:
        task = progress.add_task("ingest", total=None, counts="")

        def show(p: IngestProgress) -> None:
            r = p.result
            progress.update(
                task,
                description=f"[{p.file_index + 1}/{p.file_count}] {Path(r.path).name}",
                total=p.file_count,
                completed=p.file_index + (1 if p.done else 0),
                counts=f"{r.read:,} read, {r.stored:,} new, {r.quarantined:,} quarantined",
            )

        result = run_ingest(
            store,
            paths,
            registry=registry,
            format_name=format_name,
            options=options,
            batch_size=batch_size,
            on_progress=show,
        )
    if as_json:
        print_json(result.as_dict())
    else:
        _render(result)


def _render(result: IngestResult) -> None:
    console = out_console()
    table = Table(title=f"Ingested {len(result.files)} file(s) in {result.seconds:.1f} s")
    for col in ("file", "format", "read", "stored", "duplicates", "quarantined", "skipped"):
        table.add_column(col, justify="right" if col not in ("file", "format") else "left")
    for f in result.files:
        table.add_row(
            Path(f.path).name,
            f.format,
            f"{f.read:,}",
            f"{f.stored:,}",
            f"{f.duplicates:,}",
            f"{f.quarantined:,}",
            f"{sum(f.skipped.values()):,}",
        )
    console.print(table)
    for u in result.unrecognized:
        console.print(f"[yellow]skipped file[/] {u['error']}")
    if result.total("quarantined"):
        console.print("Quarantined records: see `lagebild quarantine`.")


@app.command("formats")
@handle_errors
def formats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the source formats that can be read (built-in and plugins)."""
    registry = load_registry()
    rows: list[dict[str, str]] = [
        {
            "name": f.name,
            "title": f.title,
            "platforms": ", ".join(f.platforms),
            "options": ", ".join(f.options),
        }
        for f in sorted(registry.formats.values(), key=lambda f: f.name)
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(title="Source formats")
    for col in ("name", "title", "platforms", "options"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["title"], r["platforms"], r["options"])
    out_console().print(table)
