"""``lagebild match``: which posts repeat a claim that has already been fact-checked.

``match`` screens the new posts of the store against the fact-check store and writes a
``claim_match`` finding per match (``auto`` or ``suggest``, with its explanation);
``match confirm ID`` and ``match reject ID`` record a person's decision — a rejected pair is
never suggested again. ``claims eval`` scores the matcher on a CheckThat! benchmark.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lagebild.claims.matcher import MatchParams
from lagebild.cli import (
    app,
    handle_errors,
    open_store,
    out_console,
    parse_when,
    print_json,
    settings,
    stage_progress,
    team_member,
)
from lagebild.cli.claims import claims_app

__all__ = ["match_app"]

match_app = typer.Typer(
    name="match",
    help="Match new posts against the fact-check store; confirm or reject matches.",
    invoke_without_command=True,
)
app.add_typer(match_app, name="match")


@match_app.callback()
@handle_errors
def match_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Only posts created at or after this date (UTC).")
    ] = None,
    rescreen: Annotated[
        bool, typer.Option("--rescreen", help="Screen posts again even if already screened.")
    ] = False,
    auto: Annotated[
        float | None,
        typer.Option(
            help="Auto-match threshold of the decision (probability and shared words).",
            show_default="calibrated",
        ),
    ] = None,
    suggest: Annotated[
        float | None,
        typer.Option(
            help="Suggest threshold of the decision (probability and shared words).",
            show_default="calibrated",
        ),
    ] = None,
    min_words: Annotated[int, typer.Option(help="Posts with fewer words are not matched.")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Match all new posts of the store against the fact-checks (see docs/claims.md)."""
    if ctx.invoked_subcommand is not None:
        return
    from lagebild.claims.service import match_store

    store = open_store(ctx)
    params = MatchParams(auto_threshold=auto, suggest_threshold=suggest, min_words=min_words)
    with stage_progress() as progress:
        run = match_store(
            store, params, since=parse_when("--since", since), rescreen=rescreen, progress=progress
        )
    summary = run.summary()
    if as_json:
        summary["findings"] = [
            {
                "id": f.id,
                "score": f.score,
                "decision": f.details["decision"],
                "post": f.posts[0]._asdict(),
                "factcheck_id": f.details["factcheck_id"],
                "claim": f.details["claim"],
                "verdict": f.details["verdict"],
                "stage": f.details["stage"],
            }
            for f in run.matches
        ]
        print_json(summary)
        return
    console = out_console()
    copies = run.factchecks - run.claims
    of_claims = f" ({run.claims:,} distinct claims)" if copies else ""
    console.print(
        f"screened {run.screened:,} new posts against {run.factchecks:,} fact-checks"
        f"{of_claims} in {run.seconds:.1f} s: {summary['auto']} auto-matched, "
        f"{summary['suggest']} suggested"
    )
    if run.matches:
        table = Table()
        for col in ("finding", "decision", "p", "post", "claim (verdict)"):
            table.add_column(col)
        for f in sorted(run.matches, key=lambda f: -f.score)[:50]:
            table.add_row(
                f.id,
                str(f.details["decision"]),
                f"{f.score:.2f}",
                f"{f.posts[0].platform}/{f.posts[0].post_id}",
                f"{f.details['claim'][:80]} ({f.details['verdict']})",
            )
        console.print(table)
        console.print("details: lagebild findings ID; decide: lagebild match confirm|reject ID")


def _decide(
    ctx: typer.Context, finding_id: str, decision: str, by: str | None, note: str | None
) -> None:
    from lagebild.claims.service import decide

    record = decide(open_store(ctx), finding_id, decision, team_member(by), note)
    out_console().print(f"{decision} {finding_id} ({record['platform']}/{record['post_id']})")


@match_app.command("confirm")
@handle_errors
def confirm_command(
    ctx: typer.Context,
    finding_id: Annotated[str, typer.Argument(help="The claim_match finding.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
    by: Annotated[str | None, typer.Option(help="Who decides.", show_default="$USER")] = None,
) -> None:
    """Confirm that the post repeats the fact-checked claim."""
    _decide(ctx, finding_id, "confirmed", by, note)


@match_app.command("reject")
@handle_errors
def reject_command(
    ctx: typer.Context,
    finding_id: Annotated[str, typer.Argument(help="The claim_match finding.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
    by: Annotated[str | None, typer.Option(help="Who decides.", show_default="$USER")] = None,
) -> None:
    """Reject a match: this post and fact-check are never suggested together again."""
    _decide(ctx, finding_id, "rejected", by, note)


@claims_app.command("eval")
@handle_errors
def eval_command(
    ctx: typer.Context,
    benchmark: Annotated[
        str, typer.Option(help="checkthat2020, checkthat2021, or checkthat (other years).")
    ],
    data: Annotated[Path, typer.Option(help="The benchmark's folder.")],
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    run_out: Annotated[
        Path | None, typer.Option("--run-out", help="Also write the ranking as a run file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Score claim matching on a CheckThat! task-2 benchmark (MAP@1, MAP@5, Recall@10)."""
    from lagebild.claims.evaluate import evaluate_rankings, load_retrieval_benchmark, write_run
    from lagebild.claims.matcher import rank_texts
    from lagebild.claims.retrieval import FactCheckIndex, Reranker

    bench = load_retrieval_benchmark(benchmark, data, split)
    ids = list(bench.claims)
    cache = settings(ctx).data_dir
    with stage_progress() as progress:
        index = FactCheckIndex.build(
            ids,
            [str(bench.claims[i].get("vclaim") or "") for i in ids],
            [bench.claims[i].get("title") for i in ids],
            cache_dir=cache,
            progress=progress,
        )
        from lagebild.claims.encoders import EmbeddingCache

        use_cache = EmbeddingCache(cache, index.use.name, index.use.dim)
        e5_cache = EmbeddingCache(cache, index.e5.name, index.e5.dim) if index.e5 else None
        reranker = Reranker.shipped()
        qids = [q for q in bench.queries if q in bench.qrels]
        rankings: dict[str, list[str]] = {}
        for start in range(0, len(qids), 50):
            chunk = qids[start : start + 50]
            rows, _, _, _ = rank_texts(
                index,
                [bench.queries[q] for q in chunk],
                reranker,
                screen=False,
                use_cache=use_cache,
                e5_cache=e5_cache,
            )
            for q, r in zip(chunk, rows, strict=True):
                rankings[q] = [ids[x] for x in index.with_copies(r)]
            progress("queries", start + len(chunk), len(qids))
    metrics = evaluate_rankings(rankings, {q: bench.qrels[q] for q in qids})
    if run_out is not None:
        write_run(run_out, rankings)
    result = {"benchmark": benchmark, "split": split, **metrics}
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{benchmark} {split}: {len(qids)} queries, {len(ids):,} fact-checks")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in ("map_at_1", "map_at_5", "recall_at_10"):
        table.add_row(key, f"{metrics[key]:.4f}")
    out_console().print(table)


@claims_app.command("eval-detect")
@handle_errors
def eval_detect_command(
    ctx: typer.Context,
    benchmark: Annotated[str, typer.Option(help="germeval2021, checkthat2024 or claimbuster.")],
    data: Annotated[Path, typer.Option(help="The benchmark's folder.")],
    split: Annotated[
        str,
        typer.Option(help="A split of the benchmark (test needs its label file, see docs)."),
    ] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Score claim detection with a benchmark's official metric (macro-F1 or F1 of Yes)."""
    from lagebild.claims.checkworthy import CheckworthyModel, detect_claims, score_texts
    from lagebild.claims.evaluate import evaluate_detection, load_detection_benchmark

    bench = load_detection_benchmark(benchmark, data, split)
    model = CheckworthyModel.shipped()
    ids = [e.id for e in bench.examples]
    texts = [e.text for e in bench.examples]
    gold = {e.id: int(e.label) for e in bench.examples}
    with stage_progress() as stages:

        def progress(done: int, total: int) -> None:
            stages(f"{benchmark} {split}", done, total)

        if benchmark == "germeval2021":
            # a comment states a fact when one of its sentences is a check-worthy claim
            found = detect_claims(texts, "de", progress=progress)
            claiming = {f.item for f in found if f.is_claim}
            predicted = {i: int(n in claiming) for n, i in enumerate(ids)}
        else:
            scores = score_texts(texts, "en", progress=progress)
            predicted = {
                i: int(s >= model.threshold("en")) for i, s in zip(ids, scores, strict=True)
            }
    metrics = evaluate_detection(benchmark, gold, predicted)
    result = {"benchmark": benchmark, "split": split, **metrics}
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{benchmark} {split}: {len(ids):,} items ({bench.metric})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    out_console().print(table)
