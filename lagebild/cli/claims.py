"""``lagebild claims``: check-worthy claims in posts and transcripts.

``claims detect FILE`` reads a post file (any format the ingest readers know, without storing
it) or a transcript (plain text, SRT, WebVTT) and lists the sentences that state a
check-worthy factual claim, with where they are: the post, the line, the time in the
recording. The library does the work (:mod:`lagebild.claims.sentences`,
:mod:`lagebild.claims.checkworthy`); this module reads the file and renders the result.

Each check-worthy claim is matched against the fact-check store when it holds fact-checks
(:mod:`lagebild.claims.matcher`; ``matched`` counts them, each result row gets ``match``).
``claims eval`` / ``claims eval-detect`` register on :data:`claims_app` from
:mod:`lagebild.cli.match`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lagebild.claims.checkworthy import (
    CheckworthyModel,
    CheckworthyParams,
    ClaimSentence,
    detect_claims,
)
from lagebild.claims.encoders import EmbeddingCache, load_encoder
from lagebild.claims.sentences import (
    TRANSCRIPT_KINDS,
    decode_text,
    parse_transcript,
    sniff_transcript,
)
from lagebild.claims.values import guess_language
from lagebild.cli import app, err_console, handle_errors, out_console, print_json, settings
from lagebild.errors import ConfigError, FormatError, UnknownFormatError
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.sniff import detect_format
from lagebild.model import Post, Reject
from lagebild.plugins import load_registry

__all__ = ["claims_app", "timestamp"]

claims_app = typer.Typer(
    name="claims",
    help="Claims: check-worthy sentences in posts and transcripts.",
    no_args_is_help=True,
)
app.add_typer(claims_app, name="claims")


def timestamp(seconds: float | None) -> str:
    """``HH:MM:SS`` of a time in a recording ('' when there is none)."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@claims_app.command("detect")
@handle_errors
def detect_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Post file, or transcript (.txt, .srt, .vtt).")],
    format_name: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="posts (a post file, format sniffed), a source format name (see `lagebild "
            "formats`), text, srt or vtt (default: sniffed).",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="One threshold for all languages (default: the calibrated one per language).",
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="Language of the texts (de, en; default: guessed).")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every sentence with its score, not only claims.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Sentences that state a check-worthy factual claim, with their post, line or time."""
    kind = _input_kind(file, format_name)
    params = CheckworthyParams(threshold=threshold)
    model = CheckworthyModel.shipped()
    encoder = load_encoder(model.encoder, threads=1)  # a second thread makes USE slower here
    data_dir = settings(ctx).data_dir
    cache = EmbeddingCache(data_dir, encoder.name, encoder.dim) if data_dir.is_dir() else None
    posts: list[Post] = []
    rejected = 0
    if kind in TRANSCRIPT_KINDS:
        transcript = parse_transcript(_read(file), str(file), kind)
        items: list[Any] = transcript.sentences(params.max_chars)
        languages: Any = lang or guess_language(transcript.text[:20_000])
    else:
        posts, rejected = _read_posts(file, None if kind == "posts" else kind)
        items = [p.text or "" for p in posts]
        languages = lang or [p.lang if p.lang in ("de", "en") else None for p in posts]
    console = err_console()
    with Progress(
        TextColumn("[bold]claims"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("detect", total=len(items))
        found = detect_claims(
            items,
            languages,
            params,
            model=model,
            encoder=encoder,
            cache=cache,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    shown = [c for c in found if show_all or c.is_claim]
    rows = [_row(c, posts) for c in shown]
    matched = _match_claims(data_dir, [c for c in shown if c.is_claim], rows, shown)
    summary = {
        "source": str(file),
        "input": kind,
        "items": len(items),
        "rejected": rejected,
        "sentences": len(found),
        "claims": sum(c.is_claim for c in found),
        "matched": matched,
        "model": dict(model.meta.get("scores", {})),
        "results": rows,
    }
    if as_json:
        print_json(summary)
        return
    _render(summary, kind)


def _match_claims(
    data_dir: Path, claims: list[ClaimSentence], rows: list[dict[str, Any]], shown: list[Any]
) -> int | None:
    """Match each claim against the fact-check store (if it holds any); add ``match`` to rows.

    Returns how many claims matched, or ``None`` when there are no fact-checks to match with.
    """
    from lagebild.claims.matcher import match_texts
    from lagebild.claims.retrieval import Reranker
    from lagebild.claims.service import build_index
    from lagebild.claims.store import FactCheckStore

    if not claims or not data_dir.is_dir() or FactCheckStore(data_dir).count() == 0:
        return None
    index, table = build_index(data_dir)
    facts = {r["factcheck_id"]: r for r in table.to_pylist()}
    reranker = Reranker.shipped()
    use_cache = EmbeddingCache(data_dir, index.use.name, index.use.dim)
    e5_cache = EmbeddingCache(data_dir, index.e5.name, index.e5.dim) if index.e5 else None
    found = match_texts(
        index,
        [c.text for c in claims],
        reranker,
        languages=[c.language for c in claims],
        use_cache=use_cache,
        e5_cache=e5_cache,
    )
    at = {id(c): i for i, c in enumerate(shown)}
    for m in found:
        fc = facts[index.ids[m.factcheck]]
        rows[at[id(claims[m.post])]]["match"] = {
            "factcheck_id": fc["factcheck_id"],
            "claim": fc["claim"],
            "verdict": fc["verdict"],
            "reviewer": fc["reviewer"],
            "review_url": fc["review_url"],
            "score": round(m.score, 4),
            "decision": m.decision,
        }
    return len(found)


def _input_kind(file: Path, format_name: str | None) -> str:
    """``text``/``srt``/``vtt``, ``posts`` (sniffed post format) or a source format's name."""
    if format_name is not None:
        known = load_registry().formats
        if format_name in ("posts", *TRANSCRIPT_KINDS) or format_name in known:
            return format_name
        raise ConfigError(
            f"unknown --format {format_name!r}",
            hint="use posts, text, srt, vtt or a source format: " + ", ".join(sorted(known)),
        )
    if not file.is_file():
        raise FormatError(f"{file}: no such file")
    with file.open("rb") as fh:
        head = decode_text(fh.read(4096))
    kind = sniff_transcript(file, head)
    if kind in ("srt", "vtt"):
        return kind
    try:
        return detect_format(file, load_registry()).name
    except UnknownFormatError:
        if kind == "text" or file.suffix == "":
            return "text"
        raise FormatError(
            f"{file}: neither a post file nor a transcript",
            hint="name the input with --format (posts, a source format, text, srt or vtt)",
        ) from None


def _read(file: Path) -> str:
    try:
        return decode_text(file.read_bytes())
    except OSError as exc:
        raise FormatError(f"cannot read {file}: {exc.strerror or exc}") from exc


def _read_posts(file: Path, format_name: str | None) -> tuple[list[Post], int]:
    """The posts of a file (not stored) and how many records were malformed."""
    registry = load_registry()
    fmt = registry.format(format_name) if format_name else detect_format(file, registry)
    posts: list[Post] = []
    rejected = 0
    for item in fmt.read(file, ReadOptions()):
        if isinstance(item, Post) and item.text and item.repost_of is None:
            posts.append(item)
        elif isinstance(item, Reject):
            rejected += 1
    return posts, rejected


def _row(c: ClaimSentence, posts: list[Post]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "text": " ".join(c.text.split()),
        "score": round(c.score, 4),
        "claim": c.is_claim,
        "threshold": c.threshold,
        "language": c.language,
        "start": c.start,
        "end": c.end,
        "line": c.line,
    }
    if c.time_start is not None:
        row |= {
            "time_start": c.time_start,
            "time_end": c.time_end,
            "timestamp": timestamp(c.time_start),
        }
    if posts:
        post = posts[c.item]
        row |= {"platform": post.platform, "post_id": post.post_id, "line": post.source_line}
    return row


def _render(summary: dict[str, Any], kind: str) -> None:
    console = out_console()
    rows = summary["results"]
    claims = "claim" if summary["claims"] == 1 else "claims"
    table = Table(
        title=f"{summary['claims']} check-worthy {claims} in {summary['sentences']} sentences "
        f"of {summary['source']}"
    )
    where = "time" if kind in ("srt", "vtt") else "line" if kind == "text" else "post"
    columns = [where, "score", "sentence"]
    if summary.get("matched") is not None:
        columns.append("fact-checked as")
    for column in columns:
        table.add_column(column, justify="right" if column == "score" else "left")
    for r in rows:
        at = {
            "time": r.get("timestamp", ""),
            "line": str(r["line"] or ""),
            "post": f"{r.get('platform', '')}:{r.get('post_id', '')}",
        }[where]
        style = None if r["claim"] else "dim"
        cells = [at, f"{r['score']:.2f}", r["text"]]
        if summary.get("matched") is not None:
            m = r.get("match")
            cells.append(
                f"{m['verdict']} ({m['decision']}, p={m['score']:.2f}): {m['claim'][:60]}"
                if m
                else ""
            )
        table.add_row(*cells, style=style)
    console.print(table)
    if summary.get("matched") is None:
        console.print("[dim]no fact-checks in the store: claims were not matched[/]")
    if summary["rejected"]:
        console.print(f"[yellow]{summary['rejected']} malformed records skipped[/]")
