"""``lagebild factchecks``: import, list, add, remove and show the fact-checks claims match."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lagebild.claims.factchecks import FactCheck
from lagebild.claims.formats import FACTCHECK_FORMATS
from lagebild.claims.store import FactCheckStore, ImportProgress, ImportReport
from lagebild.claims.values import parse_date
from lagebild.claims.verdicts import VERDICTS
from lagebild.cli import (
    app,
    err_console,
    handle_errors,
    out_console,
    print_json,
    settings,
    team_member,
)
from lagebild.errors import ConfigError

factchecks_app = typer.Typer(
    name="factchecks",
    help="The fact-check store: import ClaimReview, Google Fact Check, CheckThat! and CSV files; "
    "add the team's own debunks; list, show, remove.",
    no_args_is_help=True,
)
app.add_typer(factchecks_app, name="factchecks")

_VERDICT_HELP = "/".join(VERDICTS)


def _store(ctx: typer.Context) -> FactCheckStore:
    return FactCheckStore(settings(ctx).data_dir)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


@factchecks_app.command("import")
@handle_errors
def import_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    format_name: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"{'|'.join(FACTCHECK_FORMATS)} (default: sniffed)."),
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option(help="Reviewer of records that name none (e.g. Snopes).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Import fact-check files; known ones are skipped, bad records go to quarantine."""
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
        task = progress.add_task("import", total=None, counts="")

        def show(p: ImportProgress) -> None:
            progress.update(
                task,
                description=f"[{p.file_index + 1}/{p.file_count}] {p.path.name}",
                total=p.file_count,
                completed=p.file_index + (1 if p.done else 0),
                counts=f"{p.read:,} read, {p.quarantined:,} quarantined",
            )

        store = _store(ctx)
        report = store.import_paths(paths, format_name, reviewer=reviewer, on_progress=show)
    copies = store.copies()
    if as_json:
        print_json({**report.as_dict(), "copies": copies})
    else:
        _render_import(report, copies)


def _render_import(report: ImportReport, copies: int) -> None:
    console = out_console()
    table = Table(title=f"Imported {len(report.files)} file(s) in {report.seconds:.1f} s")
    columns = ("file", "format", "read", "added", "duplicates", "quarantined")
    for col in columns:
        table.add_column(col, justify="left" if col in ("file", "format") else "right")
    for f in report.files:
        table.add_row(
            Path(f.path).name,
            f.format,
            *(f"{getattr(f, c):,}" for c in columns[2:]),
        )
    console.print(table)
    for s in report.skipped:
        console.print(f"[yellow]skipped file[/] {s.error}")
    if report.total("removed"):
        console.print(
            f"{report.total('removed'):,} of the duplicates had been removed and stay removed "
            "(bring one back with `lagebild factchecks add`)."
        )
    if report.total("quarantined"):
        console.print(
            f"{report.total('quarantined'):,} record(s) quarantined: see "
            "`lagebild quarantine --records`."
        )
    if copies:
        console.print(
            f"{copies:,} live fact-check(s) repeat the claim of an older one (the same words): "
            "matching takes each such group as one claim and names the oldest."
        )


@factchecks_app.command("list")
@handle_errors
def list_command(
    ctx: typer.Context,
    verdict: Annotated[
        str | None, typer.Option(help=f"Only this verdict ({_VERDICT_HELP}).")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Only this language (de, en, ...).")] = None,
    search: Annotated[
        str | None, typer.Option(help="Only those whose claim, title or rating contains TEXT.")
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the live fact-checks, newest review first."""
    rows, total = _store(ctx).search(verdict=verdict, language=language, text=search, limit=limit)
    records = [_jsonable(r) for r in rows.to_pylist()]
    if as_json:
        print_json(records)
        return
    console = out_console()
    if not total:
        filtered = verdict or language or search
        console.print(
            "No fact-checks match."
            if filtered
            else "The store holds no fact-checks yet: run `lagebild factchecks import`."
        )
        return
    table = Table(title=f"{len(records):,} of {total:,} fact-checks")
    for col in ("id", "verdict", "rating", "reviewer", "date", "lang", "claim"):
        table.add_column(col, overflow="fold")
    for r in records:
        table.add_row(
            r["factcheck_id"],
            r["verdict"],
            r["rating"] or "",
            r["reviewer"] or "",
            r["review_date"] or "",
            r["language"] or "",
            r["claim"] if len(r["claim"]) <= 160 else r["claim"][:157] + "...",
        )
    console.print(table)


@factchecks_app.command("add")
@handle_errors
def add_command(
    ctx: typer.Context,
    claim: Annotated[str, typer.Option(help="The claim, as it circulates.")],
    verdict: Annotated[str, typer.Option(help=_VERDICT_HELP)],
    rating: Annotated[str | None, typer.Option(help="The rating in your words.")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who checked it (your team).")] = None,
    url: Annotated[str | None, typer.Option(help="Where the debunk is published.")] = None,
    language: Annotated[str | None, typer.Option(help="Language of the claim.")] = None,
    claimant: Annotated[str | None, typer.Option(help="Who made the claim.")] = None,
    date: Annotated[
        str | None, typer.Option(help="Date of the debunk.", show_default="today")
    ] = None,
    claim_date: Annotated[str | None, typer.Option(help="When the claim was made.")] = None,
    title: Annotated[str | None, typer.Option(help="Headline of the debunk.")] = None,
    by: Annotated[
        str | None, typer.Option(help="Team member adding it.", show_default="$USER")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fact-check as JSON.")] = False,
) -> None:
    """Add the team's own fact-check (or bring back one that was removed)."""
    store = _store(ctx)
    fc = store.add(
        claim=claim,
        verdict=verdict,
        by=team_member(by),
        rating=rating,
        reviewer=reviewer,
        review_url=url,
        language=language,
        claimant=claimant,
        claim_date=parse_date(claim_date, "--claim-date"),
        review_date=parse_date(date, "--date"),
        title=title,
    )
    everyone = store.same_claim(fc.claim)
    same = [i for i in everyone if i != fc.factcheck_id]
    if as_json:
        print_json({**_jsonable(fc._asdict()), "same_claim": same})
        return
    console = out_console()
    console.print(f"Added fact-check [bold]{fc.factcheck_id}[/bold] ({fc.verdict}).")
    if same:
        console.print(
            f"Same claim as {', '.join(same)}: matching takes them as one claim and names "
            f"{everyone[0]}, the oldest, with the others as its copies."
        )


@factchecks_app.command("remove")
@handle_errors
def remove_command(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Ids of the fact-checks to remove.")],
    reason: Annotated[str | None, typer.Option(help="Why (kept with the removal).")] = None,
    by: Annotated[str | None, typer.Option(help="Team member.", show_default="$USER")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Remove fact-checks: matching ignores them, and imports do not bring them back."""
    result = _store(ctx).remove(ids, by=team_member(by), reason=reason)
    if as_json:
        print_json({"removed": result.removed, "already_removed": result.already_removed})
        return
    console = out_console()
    console.print(f"Removed {len(result.removed)} fact-check(s).")
    if result.already_removed:
        console.print(f"Already removed before: {', '.join(result.already_removed)}")


@factchecks_app.command("show")
@handle_errors
def show_command(
    ctx: typer.Context,
    factcheck_id: Annotated[str, typer.Argument(help="Id of the fact-check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show one fact-check with every field."""
    store = _store(ctx)
    fc = store.get(factcheck_id)
    if fc is None:
        removal = store.removal(factcheck_id)
        if removal is not None:
            why = f": {removal.reason}" if removal.reason else ""
            raise ConfigError(
                f"fact-check {factcheck_id} was removed on {removal.removed_at:%Y-%m-%d %H:%M} "
                f"UTC by {removal.removed_by}{why}",
                hint="bring it back with `lagebild factchecks add` (same claim and URL)",
            )
        raise ConfigError(
            f"no fact-check with id {factcheck_id!r}", hint="list them: lagebild factchecks list"
        )
    same = [i for i in store.same_claim(fc.claim) if i != fc.factcheck_id]
    _render_one(fc, as_json, same)


def _render_one(fc: FactCheck, as_json: bool, same: list[str]) -> None:
    record = {**_jsonable(fc._asdict()), "same_claim": same}
    if as_json:
        print_json(record)
        return
    table = Table(show_header=False, title=f"Fact-check {fc.factcheck_id}")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        text = ", ".join(value) if isinstance(value, list) else str(value)
        table.add_row(key, "" if value is None else text)
    out_console().print(table)


@factchecks_app.command("formats")
@handle_errors
def formats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the fact-check file formats that can be imported."""
    rows = [{"name": f.name, "title": f.title} for f in FACTCHECK_FORMATS.values()]
    if as_json:
        print_json(rows)
        return
    table = Table(title="Fact-check formats")
    table.add_column("name")
    table.add_column("title")
    for r in rows:
        table.add_row(r["name"], r["title"])
    out_console().print(table)
