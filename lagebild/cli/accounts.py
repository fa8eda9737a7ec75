"""``lagebild accounts`` and ``lagebild state-media``: signals per account, state-media posts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lagebild.accounts import (
    account_profile,
    load_media_list,
    state_media_posts,
    top_accounts,
)
from lagebild.cli import app, handle_errors, open_store, out_console, print_json

_LIST_HELP = "State-media list CSV (default: $LAGEBILD_STATE_MEDIA, else the shipped list)."


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


@app.command("accounts")
@handle_errors
def accounts_command(
    ctx: typer.Context,
    handle: Annotated[
        str | None, typer.Argument(help="Handle (any case, @ optional) or account id.")
    ] = None,
    platform: Annotated[str | None, typer.Option(help="Only accounts on this platform.")] = None,
    top: Annotated[int, typer.Option(help="Without HANDLE: list this many accounts.")] = 20,
    sort: Annotated[
        str, typer.Option(help="Without HANDLE: rank by this signal (missing values last).")
    ] = "posts_per_day",
    ascending: Annotated[bool, typer.Option("--ascending", help="Lowest first.")] = False,
    media_list: Annotated[Path | None, typer.Option("--list", help=_LIST_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Inauthenticity signals of one account, each with its value and meaning; or a ranking."""
    store = open_store(ctx)
    media = load_media_list(media_list, data_dir=store.data_dir)
    if handle is None:
        ranked = top_accounts(
            store, sort, n=top, ascending=ascending, platform=platform, media=media
        ).to_pylist()
        if as_json:
            print_json(ranked)
            return
        table = Table(title=f"{len(ranked)} accounts by {sort}")
        for column in ("platform", "handle", "posts", sort, "region"):
            table.add_column(column, justify="right" if column in ("posts", sort) else "left")
        for r in ranked:
            table.add_row(
                r["platform"],
                r["handle"] or r["account_id"],
                _fmt(r["posts"]),
                _fmt(r[sort]),
                r["region"] or "–",
            )
        out_console().print(table)
        return
    profile = account_profile(store, handle, platform=platform, media=media)
    if as_json:
        print_json(profile)
        return
    console = out_console()
    ctx_info = profile["context"]
    console.print(
        f"[bold]{profile['platform']}:{profile['handle'] or profile['account_id']}[/bold] "
        f"(id {profile['account_id']}): {ctx_info['posts']} posts "
        f"{_fmt(ctx_info['first_post'])} – {_fmt(ctx_info['last_post'])}, "
        f"region {ctx_info['region'] or '–'}, followers {_fmt(ctx_info['followers'])}"
    )
    table = Table(title="Signals (hints to weigh, not a verdict)")
    for column in ("signal", "value", "unit", "meaning / why missing"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for s in profile["signals"]:
        explain = s["meaning"] if s["value"] is not None else f"[dim]missing: {s['missing']}[/dim]"
        table.add_row(s["name"], _fmt(s["value"]), s["unit"], explain)
    console.print(table)
    for c in profile["communities"]:
        console.print(f"community {c['id']}: {c['summary']}")
    for o in profile["state_media"]["outlets"]:
        console.print(f"state media: {o['posts']} posts {o['how']} {o['outlet']} ({o['domain']})")


@app.command("state-media")
@handle_errors
def state_media_command(
    ctx: typer.Context,
    media_list: Annotated[Path | None, typer.Option("--list", help=_LIST_HELP)] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many posts.")] = 50,
    show_list: Annotated[bool, typer.Option("--show-list", help="Print the list in use.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Posts that carry state-controlled media: by link, or by copying a linked post's text."""
    store = open_store(ctx)
    media = load_media_list(media_list, data_dir=store.data_dir)
    if show_list:
        rows = media.table().to_pylist()
        if as_json:
            print_json({"files": list(media.files), "entries": rows})
            return
        listing = Table(title=f"{len(rows)} entries from {', '.join(media.files)}")
        for column in ("domain", "outlet", "country", "kind", "source"):
            listing.add_column(column)
        for r in rows:
            listing.add_row(r["domain"], r["outlet"], r["country"], r["kind"], r["source"])
        out_console().print(listing)
        return
    hits = state_media_posts(store, media).to_pylist()
    if as_json:
        print_json(
            {"posts": len({(h["platform"], h["post_id"]) for h in hits}), "hits": hits[:limit]}
        )
        return
    table = Table(title=f"{len(hits)} state-media hits (first {min(limit, len(hits))})")
    for column in ("time", "platform", "post", "account", "outlet", "how", "evidence"):
        table.add_column(column)
    for h in hits[:limit]:
        evidence = h["host"] if h["how"] == "link" else f"same text as {h['evidence_post_id']}"
        table.add_row(
            _fmt(h["created_at"]),
            h["platform"],
            h["post_id"],
            h["account_id"],
            h["outlet"],
            h["how"],
            evidence,
        )
    out_console().print(table)
    if not hits:
        out_console().print(f"No post links or copies any of the {len(media.entries)} outlets.")
