"""``lagebild demo``: the main job on the bundled examples, from ingest to the report."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lagebild.cli import app, err_console, handle_errors, out_console, print_json, stage_progress
from lagebild.demo import DemoParams, find_examples, run_demo


@app.command("demo")
@handle_errors
def demo_command(
    out: Annotated[
        Path, typer.Option(help="Folder for the demo's store (data/) and report (report/).")
    ] = Path("lagebild-demo"),
    examples: Annotated[
        Path | None, typer.Option(help="The example data.", show_default="./examples")
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh/--keep", help="Start from an empty demo store.")
    ] = True,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print a PDF.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Ingest the bundled examples, run every detector and write the situation report."""
    source = find_examples(examples)
    data_dir = out / "data"
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    with stage_progress() as progress:
        result = run_demo(data_dir, out / "report", source, DemoParams(pdf=pdf), progress)
    if as_json:
        print_json(
            {
                "data_dir": str(result.data_dir),
                "report": str(result.report_html),
                "pdf": str(result.report_pdf) if result.report_pdf else None,
                "steps": result.steps,
                "seconds": round(result.seconds, 1),
            }
        )
        return
    table = Table(title=f"lagebild demo ({result.seconds:.0f} s)")
    for col in ("step", "result", "s"):
        table.add_column(col, justify="right" if col == "s" else "left")
    for s in result.steps:
        text = s["summary"] + (f" [red]{s['error']}[/]" if s["error"] else "")
        table.add_row(s["step"], text, f"{s['seconds']:.1f}")
    err_console().print(table)
    out_console().print(f"The report is at [bold]{result.report_html}[/]")
    if result.report_pdf:
        out_console().print(f"PDF: {result.report_pdf}")
    out_console().print(
        f"Explore the store: lagebild --data-dir {result.data_dir} narratives | spikes | "
        "reach --narrative ID | accounts HANDLE"
    )
