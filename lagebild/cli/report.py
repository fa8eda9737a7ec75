"""``lagebild report``: the situation report (HTML and PDF) over the store's findings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lagebild.cli import app, err_console, handle_errors, open_store, parse_when, print_json
from lagebild.report import ReportParams, write_report


@app.command("report")
@handle_errors
def report_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--from", help="First day (or time) of the period.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="End of the period (exclusive).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for report.html, report.pdf, report.json.")] = (
        Path("lagebild-report")
    ),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print a PDF.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Write the situation report: volume, narratives, false claims, coordination, spikes."""
    params = ReportParams(since=parse_when("--from", since), until=parse_when("--to", until))
    result = write_report(open_store(ctx), out, params, pdf=pdf)
    summary = {
        "html": str(result.html),
        "pdf": str(result.pdf) if result.pdf else None,
        "json": str(result.data),
        "missing": result.missing,
        "pdf_error": result.pdf_error,
        "seconds": round(result.seconds, 2),
    }
    if as_json:
        print_json(summary)
        return
    console = err_console()
    for item in result.missing:
        console.print(f"[yellow]missing:[/] {item}", highlight=False)
    if result.pdf_error:
        console.print(f"[yellow]no PDF:[/] {result.pdf_error}", highlight=False)
    typer.echo(f"report: {result.html}")
    if result.pdf:
        typer.echo(f"pdf:    {result.pdf}")
