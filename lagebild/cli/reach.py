"""``lagebild reach``: views, engagement, reposts, top amplifiers and timeline of a selection."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lagebild.cli import app, handle_errors, open_store, out_console, print_json
from lagebild.errors import ConfigError
from lagebild.reach import METRICS, ReachParams, ReachReport, Selection, reach
from lagebild.reach.records import Metric


@app.command("reach")
@handle_errors
def reach_command(
    ctx: typer.Context,
    claim: Annotated[
        str | None, typer.Option(help="Fact-check id (or a claim_match finding id).")
    ] = None,
    narrative: Annotated[str | None, typer.Option(help="Narrative id.")] = None,
    community: Annotated[
        str | None, typer.Option(help="coordination_community finding id.")
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="One read-only SELECT returning platform, post_id.")
    ] = None,
    account: Annotated[str | None, typer.Option(help="Account handle or id.")] = None,
    hashtag: Annotated[str | None, typer.Option(help="Hashtag (with or without #).")] = None,
    domain: Annotated[str | None, typer.Option(help="Linked domain, e.g. rt.com.")] = None,
    top: Annotated[int, typer.Option(help="Top amplifiers to list.")] = 20,
    series: Annotated[str, typer.Option(help="Time series: hour, day, week (comma list).")] = (
        "hour,day"
    ),
    estimate: Annotated[
        str, typer.Option(help="Views where none were measured: followers or none.")
    ] = "followers",
    followers_rate: Annotated[
        float, typer.Option(help="Estimated views per follower at posting.")
    ] = 1.0,
    days: Annotated[int, typer.Option(help="Days of the per-day series to show.")] = 14,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """How far a set of posts reached, who amplified it, and when."""
    given = {
        k: v
        for k, v in {
            "claim": claim,
            "narrative": narrative,
            "community": community,
            "query": query,
            "account": account,
            "hashtag": hashtag,
            "domain": domain,
        }.items()
        if v is not None
    }
    if len(given) != 1:
        got = ", ".join(f"--{k}" for k in given) or "none"
        raise ConfigError(
            f"give exactly one selection (got {got})",
            hint="e.g. lagebild reach --claim FACTCHECK_ID, --narrative ID, --community ID or "
            '--query "SELECT platform, post_id FROM posts WHERE ..."',
        )
    [(kind, value)] = given.items()
    params = ReachParams(
        top_n=top,
        series=tuple(s.strip() for s in series.split(",") if s.strip()),
        estimate=estimate,
        followers_rate=followers_rate,
    )
    report = reach(open_store(ctx), Selection(kind, value), params)
    if as_json:
        print_json(report.as_dict())
        return
    render(out_console(), report, days)


def _n(value: int | float | None) -> str:
    return "missing" if value is None else f"{value:,}"


def _metric_row(name: str, m: Metric) -> list[str]:
    basis = "missing" if m.total is None else "measured"
    return [name, _n(m.total), f"{m.carried:,}", f"{m.missing:,}", basis]


def render(console: Console, report: ReachReport, days: int) -> None:
    """Tables for people: totals, platforms, reposts, amplifiers, the last days."""
    t = report.totals
    console.print(f"[bold]Reach of {escape(report.selection.label)}[/bold]")
    details = report.selection.details
    if "matches" in details:
        console.print(
            f"{details['matches']:,} matches, {details['rejected_matches']:,} of them rejected "
            "by a team member (not counted)"
        )
    if "evidence_posts" in details:
        console.print(
            f"{details['window'].capitalize()}; the finding's evidence: "
            f"{details['evidence_posts']:,} posts"
        )
    if report.empty:
        for note in report.notes:
            console.print(f"[yellow]{escape(note)}[/yellow]")
        return
    console.print(
        f"{t.posts:,} posts ({t.originals:,} originals, {t.reposts:,} reposts) by "
        f"{t.accounts:,} accounts, first seen {t.first_seen:%Y-%m-%d %H:%M}, "
        f"last seen {t.last_seen:%Y-%m-%d %H:%M} UTC"
    )
    totals = Table(title="Totals (sums over the posts that carry each count)")
    for col in ("figure", "total", "posts with it", "posts without", "basis"):
        totals.add_column(col, justify="left" if col in ("figure", "basis") else "right")
    for m in METRICS:
        totals.add_row(*_metric_row(m, t.metrics[m]))
    totals.add_row(*_metric_row("engagement", t.engagement))
    e = t.views_estimate
    needed = e.posts or e.without_basis
    totals.add_row(
        "views (estimate)",
        _n(e.total) if needed else "not needed",
        f"{e.posts:,}",
        f"{e.without_basis:,}",
        "estimate",
    )
    console.print(totals)
    platforms = Table(title="Per platform")
    for col in ("platform", "posts", "accounts", *METRICS, "views (estimate)", "data lacks"):
        platforms.add_column(col, justify="left" if col in ("platform", "data lacks") else "right")
    for f in report.platforms:
        platforms.add_row(
            escape(f.platform or ""),
            f"{f.posts:,}",
            f"{f.accounts:,}",
            *(_n(f.metrics[m].total) for m in METRICS),
            _n(f.views_estimate.total) if f.metrics["views"].missing else "not needed",
            ", ".join(f.lacks) or "-",
        )
    console.print(platforms)
    peak = report.peak_hour_posts
    if peak is not None:
        line = f"Peak hour: {peak.hour:%Y-%m-%d %H:00} UTC ({peak.value:,} posts)"
        if report.peak_hour_views is not None:
            pv = report.peak_hour_views
            line += f"; by views {pv.hour:%Y-%m-%d %H:00} UTC ({pv.value:,} views)"
        console.print(line)
    r = report.reposts
    share = r.views.share_reposts
    share_e = r.views_estimate.share_reposts
    console.print(
        f"Reposts: {r.in_selection:,} in the selection; {r.of_selection:,} posts in the store "
        f"repost a selected post, {r.outside_selection:,} of them outside the selection "
        f"(by {r.outside_accounts:,} accounts). Share of views on reposts: "
        + ("missing" if share is None else f"{share:.1%} (measured)")
        + ("" if share_e is None else f"; of estimated views: {share_e:.1%} (estimate)")
    )
    _amplifiers(console, report)
    _days(console, report, days)
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")


def _amplifiers(console: Console, report: ReachReport) -> None:
    if not report.amplifiers:
        return
    table = Table(
        title=f"Top amplifiers ({len(report.amplifiers)} of {report.amplifier_accounts:,} "
        f"accounts; {report.coordinated_amplifiers:,} in coordinated communities)"
    )
    for col in ("#", "platform", "handle", "followers", "posts", "reposts outside", "first post"):
        table.add_column(col, justify="left" if col in ("platform", "handle") else "right")
    for col in ("reach", "basis", "communities"):
        table.add_column(col, justify="right" if col == "reach" else "left")
    for i, a in enumerate(report.amplifiers, 1):
        table.add_row(
            str(i),
            escape(a.platform),
            escape(a.handle or a.account_id),
            _n(a.followers),
            f"{a.posts:,}",
            f"{a.reposts_outside:,}",
            f"{a.first_post:%Y-%m-%d %H:%M}",
            _n(a.reach),
            a.basis,
            escape(", ".join(a.communities)) or "-",
        )
    console.print(table)


def _days(console: Console, report: ReachReport, days: int) -> None:
    series = report.series.get("day", ())
    if not series or days <= 0:
        return
    shown = series[-days:]
    title = "Per day" + (
        f" (last {len(shown)} of {len(series)}; all: --json)" if len(shown) < len(series) else ""
    )
    table = Table(title=title)
    for col in ("day", "posts", "accounts", "views", "engagement", "views (estimate)"):
        table.add_column(col, justify="left" if col == "day" else "right")
    for b in shown:
        table.add_row(
            f"{b.start:%Y-%m-%d}",
            f"{b.posts:,}",
            f"{b.accounts:,}",
            _n(b.views),
            _n(b.engagement),
            "-" if b.views_estimate is None else f"{b.views_estimate:,}",
        )
    console.print(table)
