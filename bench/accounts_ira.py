"""Account signals on the IRA 2016 tweets: do they separate Linvill & Warren's categories?

    python -m bench.accounts_ira                      # the full file (about 3 min to ingest)
    python -m bench.accounts_ira --limit 200000       # a sample of whole accounts
    python -m bench.accounts_ira --store /tmp/ira     # reuse (or keep) a store

Ingests ``../shared/data/ira/ira_tweets_2016.parquet`` with the ``ira-538`` reader into a store
(a temporary one unless ``--store``; an existing store there is reused), computes every account
signal (:func:`lagebild.accounts.account_signals`), and joins each account to its
``account_category`` from ``authors.csv`` by ``author_id`` (the Parquet does not carry it).
Accounts of category ``Unknown`` and categories with fewer than ``--min-class`` accounts are
left out. ``--limit N`` keeps whole accounts, in a seeded pseudo-random order of authors, until
about N tweets.

Before the signals, the co-retweet detector (:func:`lagebild.coordination.detect`, ``repost``
within 60 s since the data has minute precision, ``--null-runs`` null-model runs) stores its
communities as findings, so the community signals have values (``--no-coordination`` skips
it; a store that already holds coordination findings keeps them).

Four tables:

1. the data: tweets, accounts, and the categories evaluated;
2. per signal: accounts with a value, the Kruskal-Wallis H test across categories with its
   effect size eta² = (H − k + 1) / (n − k) and p-value (chi² with k − 1 degrees of freedom), and
   the balanced accuracy of a nearest-centroid classifier on that signal alone;
3. the median of the eight most separating signals per category (how they differ);
4. classifiers under stratified ``--folds``-fold cross-validation (seeded): the majority class
   and uniform guessing (the baselines), and a nearest-centroid classifier on all signals
   (each transformed to sign(x)·log(1+|x|), missing values imputed with the training fold's
   median, standardised with the training fold's mean and deviation). Accuracy and balanced
   accuracy (macro-averaged recall, the mean of the per-category accuracies); the
   nearest-centroid figure gets a permutation p-value (``--permutations`` label shuffles).
   If scikit-learn is installed (the ``test`` extra), a random forest is added for reference.

Everything is numpy; the figures also go to ``--json`` when given.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from rich.console import Console
from rich.table import Table

from lagebild.accounts import SIGNALS, account_signals
from lagebild.coordination import CoordinationParams, detect
from lagebild.coordination.evidence import community_findings
from lagebild.ingest.pipeline import ingest
from lagebild.plugins import load_registry
from lagebild.store import PostStore

__all__ = ["balanced_accuracy", "chi2_sf", "eta_squared", "kruskal_wallis", "main"]

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ira"
Array = np.ndarray[Any, Any]


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- statistics ------------------------------------------------------------------------------


def _ranks(x: Array) -> tuple[Array, Array]:
    """Average ranks (1-based) and the sizes of the tie groups."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    starts = np.cumsum(counts) - counts
    return (starts + (counts + 1) / 2.0)[inverse], counts


def kruskal_wallis(x: Array, groups: Array) -> tuple[float, int, int]:
    """Tie-corrected Kruskal-Wallis H, the number of groups k and of values n."""
    ranks, ties = _ranks(x)
    n = len(x)
    labels = np.unique(groups)
    h = 12.0 / (n * (n + 1)) * sum(
        ranks[groups == g].sum() ** 2 / (groups == g).sum() for g in labels
    ) - 3.0 * (n + 1)
    correction = 1.0 - float((ties**3 - ties).sum()) / (n**3 - n)
    return (h / correction if correction > 0 else 0.0), len(labels), n


def eta_squared(h: float, k: int, n: int) -> float:
    """Effect size of Kruskal-Wallis: the share of rank variance explained by the groups."""
    return (h - k + 1) / (n - k)


def _gamma_q(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) (Numerical Recipes, series / fraction)."""
    if x <= 0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    b, c, d = x + 1 - a, 1e300, 1 / (x + 1 - a)
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(log_front) * h


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for a chi² variable with ``df`` degrees of freedom."""
    return _gamma_q(df / 2.0, x / 2.0)


def balanced_accuracy(y: Array, pred: Array, classes: Array) -> float:
    """Mean over classes of the share of that class predicted right (macro recall)."""
    return float(np.mean([np.mean(pred[y == c] == c) for c in classes]))


def _folds(y: Array, k: int, rng: np.random.Generator) -> Array:
    """A fold number per row, each class spread evenly over the folds."""
    fold = np.empty(len(y), dtype=int)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        fold[rng.permutation(idx)] = np.arange(len(idx)) % k
    return fold


def _nearest_centroid(x: Array, y: Array, fold: Array) -> Array:
    """Cross-validated predictions of a nearest-centroid classifier (NaN: training median)."""
    pred = np.empty(len(y), dtype=y.dtype)
    for f in np.unique(fold):
        train, test = fold != f, fold == f
        med = np.nanmedian(x[train], axis=0)
        xt = np.where(np.isnan(x), med, x)
        mu, sd = xt[train].mean(axis=0), xt[train].std(axis=0)
        z = (xt - mu) / np.where(sd > 0, sd, 1.0)
        classes = np.unique(y[train])
        centroids = np.stack([z[train & (y == c)].mean(axis=0) for c in classes])
        dist = ((z[test][:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        pred[test] = classes[dist.argmin(axis=1)]
    return pred


def _forest(x: Array, y: Array, fold: Array, seed: int) -> Array | None:
    try:
        from sklearn.ensemble import RandomForestClassifier
    except ImportError:
        _log("random forest skipped: scikit-learn is not installed (pip install -e '.[test]')")
        return None
    pred = np.empty(len(y), dtype=y.dtype)
    for f in np.unique(fold):
        train, test = fold != f, fold == f
        med = np.nanmedian(x[train], axis=0)
        xt = np.where(np.isnan(x), med, x)
        model = RandomForestClassifier(
            n_estimators=300, class_weight="balanced", random_state=seed, n_jobs=2
        )
        pred[test] = model.fit(xt[train], y[train]).predict(xt[test])
    return pred


# -- data ------------------------------------------------------------------------------------


def _sample(source: Path, limit: int, seed: int, out: Path) -> Path:
    """Whole accounts, in a seeded order of authors, up to about ``limit`` tweets."""
    src = str(source).replace("'", "''")
    duckdb.sql(
        f"""COPY (SELECT t.* FROM read_parquet('{src}') t SEMI JOIN (
              SELECT author_id FROM (
                SELECT author_id, sum(count(*)) OVER (ORDER BY md5(author_id || '{seed}'),
                  author_id) AS cum FROM read_parquet('{src}') GROUP BY author_id)
              WHERE cum <= {int(limit)}) a USING (author_id))
            TO '{str(out).replace("'", "''")}' (FORMAT parquet)"""
    )
    return out


def _categories(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {r["author_id"]: r["account_category"] for r in csv.DictReader(f)}


def _features(rows: list[dict[str, Any]], names: list[str]) -> Array:
    """Signals as floats (yes/no as 1/0, missing as NaN), signed-log transformed."""
    x = np.array(
        [[np.nan if r[n] is None else float(r[n]) for n in names] for r in rows], dtype=float
    )
    out: Array = np.sign(x) * np.log1p(np.abs(x))
    return out


def _coordinate(store: PostStore, null_runs: int, seed: int) -> dict[str, Any]:
    """Co-retweet communities (window 60 s: the data has minute precision) as findings."""
    found = store.query("SELECT count(*) FROM findings WHERE kind = 'coordination_community'")
    if found.column(0)[0].as_py() > 0:
        _log("reusing the coordination findings in the store")
        return {}
    _log(f"coordination: co-retweets within 60 s, {null_runs} null-model runs ...")
    t0 = time.perf_counter()
    con = store.connect()
    try:
        params = CoordinationParams(by=("repost",), window=60, null_runs=null_runs, seed=seed)
        result = detect(con, params)
        findings = community_findings(con, result)
    finally:
        con.close()
    store.add_findings(findings)
    return {
        "coordination_seconds": round(time.perf_counter() - t0, 1),
        "communities": len(findings),
        "community_accounts": result.summary()["filtered_accounts"],
    }


# -- the benchmark ---------------------------------------------------------------------------


def run(args: argparse.Namespace, console: Console, work: Path) -> dict[str, Any]:
    """Ingest (or reuse), compute the signals, evaluate; print the tables, return the figures.

    ``work`` holds the sample and, without ``--store``, the store.
    """
    store = PostStore(args.store or work / "data")
    results: dict[str, Any] = {"limit": args.limit, "seed": args.seed, "folds": args.folds}
    if store.parts("posts"):
        _log(f"reusing the store in {store.data_dir}")
    else:
        source = DATA / "ira_tweets_2016.parquet"
        if args.limit:
            source = _sample(source, args.limit, args.seed, work / "sample.parquet")
        _log(f"ingesting {source} into {store.data_dir} ...")
        t0 = time.perf_counter()
        done = ingest(store, [source], registry=load_registry(entry_points=False))
        results["ingest_seconds"] = round(time.perf_counter() - t0, 1)
        results["tweets_stored"] = done.total("stored")
    if args.coordination:
        results.update(_coordinate(store, args.null_runs, args.seed))
    t0 = time.perf_counter()
    table = account_signals(store)
    results["signals_seconds"] = round(time.perf_counter() - t0, 1)
    category = _categories(DATA / "authors.csv")
    counts = Counter(category.get(r["account_id"], "Unknown") for r in table.to_pylist())
    kept = sorted(c for c, n in counts.items() if c != "Unknown" and n >= args.min_class)
    rows = [r for r in table.to_pylist() if category.get(r["account_id"]) in kept]
    y = np.array([category[r["account_id"]] for r in rows])
    classes = np.unique(y)
    posts = sum(r["posts"] for r in rows)
    results.update(
        accounts=table.num_rows,
        accounts_evaluated=len(rows),
        posts_evaluated=posts,
        categories={c: counts[c] for c in kept},
        left_out={c: n for c, n in counts.items() if c not in kept},
    )
    data = Table(title="IRA 2016: the data")
    data.add_column("measure")
    data.add_column("value", justify="right")
    for key in (
        "tweets_stored",
        "ingest_seconds",
        "coordination_seconds",
        "communities",
        "community_accounts",
        "signals_seconds",
        "accounts",
    ):
        if key in results:
            data.add_row(key, f"{results[key]:,}")
    data.add_row("accounts evaluated", f"{len(rows):,} ({posts:,} tweets)")
    data.add_row("categories", ", ".join(f"{c} {counts[c]}" for c in kept))
    data.add_row("left out", ", ".join(f"{c} {n}" for c, n in sorted(results["left_out"].items())))
    console.print(data)

    rng = np.random.default_rng(args.seed)
    fold = _folds(y, args.folds, rng)
    names = [s.name for s in SIGNALS]
    x = _features(rows, names)
    usable = [i for i in range(len(names)) if np.unique(x[~np.isnan(x[:, i]), i]).size > 1]
    per_signal = []
    for i in range(len(names)):
        have = ~np.isnan(x[:, i])
        entry: dict[str, Any] = {"signal": names[i], "accounts": int(have.sum())}
        if i in usable:
            h, k, n = kruskal_wallis(x[have, i], y[have])
            single = _nearest_centroid(x[:, [i]], y, fold)
            entry.update(
                H=h,
                eta2=eta_squared(h, k, n),
                p=chi2_sf(h, k - 1),
                balanced_accuracy=balanced_accuracy(y, single, classes),
            )
        per_signal.append(entry)
    results["signals"] = per_signal
    sig = Table(
        title=f"Per signal, across {len(classes)} categories (chance balanced accuracy "
        f"{1 / len(classes):.3f})"
    )
    for column in ("signal", "accounts", "eta²", "p", "balanced acc. alone"):
        sig.add_column(column, justify="left" if column == "signal" else "right")
    for e in sorted(per_signal, key=lambda e: -e.get("eta2", -1.0)):
        if "eta2" in e:
            sig.add_row(
                e["signal"],
                f"{e['accounts']:,}",
                f"{e['eta2']:.3f}",
                f"{e['p']:.1e}",
                f"{e['balanced_accuracy']:.3f}",
            )
        else:
            sig.add_row(e["signal"], f"{e['accounts']:,}", "–", "–", "– (no variation)")
    console.print(sig)
    top = [e["signal"] for e in sorted(per_signal, key=lambda e: -e.get("eta2", -1.0))[:8]]
    medians = Table(title="Median per category of the 8 signals with the largest effect")
    medians.add_column("category")
    medians.add_column("accounts", justify="right")
    for name in top:
        medians.add_column(name, justify="right")
    results["medians"] = {}
    for c in classes:
        values = [[r[n] for r in rows if category[r["account_id"]] == c] for n in top]
        med = [float(np.median([v for v in vs if v is not None] or [np.nan])) for vs in values]
        results["medians"][str(c)] = dict(zip(top, med, strict=True))
        medians.add_row(str(c), str(counts[c]), *(f"{m:.3g}" for m in med))
    console.print(medians)

    xs = x[:, usable]
    majority = np.array([max(classes, key=lambda c: np.sum(y[fold != f] == c)) for f in fold])
    models: dict[str, Array] = {"majority class (baseline)": majority}
    models["nearest centroid, all signals"] = _nearest_centroid(xs, y, fold)
    forest = _forest(xs, y, fold, args.seed)
    if forest is not None:
        models["random forest (scikit-learn, reference)"] = forest
    observed = balanced_accuracy(y, models["nearest centroid, all signals"], classes)
    shuffled = []
    for _ in range(args.permutations):
        perm = rng.permutation(y)
        shuffled.append(balanced_accuracy(perm, _nearest_centroid(xs, perm, fold), classes))
    p_perm = (1 + sum(s >= observed for s in shuffled)) / (1 + len(shuffled))
    clf = Table(title=f"Classifiers, stratified {args.folds}-fold cross-validation")
    for column in ("model", "accuracy", "balanced accuracy", "note"):
        clf.add_column(column, justify="left" if column in ("model", "note") else "right")
    clf.add_row(
        "uniform guessing (chance)",
        f"{1 / len(classes):.3f}",
        f"{1 / len(classes):.3f}",
        "expected",
    )
    results["classifiers"] = {"chance": 1 / len(classes)}
    for name, pred in models.items():
        acc, bal = float(np.mean(pred == y)), balanced_accuracy(y, pred, classes)
        note = ""
        if name.startswith("nearest"):
            note = (
                f"permutation p = {p_perm:.3g} ({args.permutations} shuffles, mean "
                f"{np.mean(shuffled):.3f})"
            )
        clf.add_row(name, f"{acc:.3f}", f"{bal:.3f}", note)
        results["classifiers"][name] = {
            "accuracy": acc,
            "balanced_accuracy": bal,
            "recall": {c: float(np.mean(pred[y == c] == c)) for c in classes},
        }
    results["classifiers"]["permutation_p"] = p_perm
    console.print(clf)
    recall = Table(title="Recall per category (nearest centroid, all signals)")
    for column in ("category", "accounts", "recall"):
        recall.add_column(column, justify="left" if column == "category" else "right")
    for c, r in results["classifiers"]["nearest centroid, all signals"]["recall"].items():
        recall.add_row(c, str(counts[c]), f"{r:.3f}")
    console.print(recall)
    return results


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print the tables (and write --json)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="about this many tweets (0: all)")
    ap.add_argument("--store", type=Path, help="store to reuse or keep (default: temporary)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-class", type=int, default=10, help="fewest accounts of a category")
    ap.add_argument("--permutations", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--no-coordination",
        dest="coordination",
        action="store_false",
        help="do not run the co-retweet detector first (community signals stay missing)",
    )
    ap.add_argument("--null-runs", type=int, default=20, help="null-model runs of the detector")
    ap.add_argument("--json", type=Path, help="write every figure here")
    args = ap.parse_args(argv)
    if not (DATA / "ira_tweets_2016.parquet").is_file():
        sys.exit(f"bench.accounts_ira needs the IRA data in {DATA}")
    with tempfile.TemporaryDirectory(prefix="accounts-ira-") as work:
        results = run(args, Console(width=200), Path(work))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
