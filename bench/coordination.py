"""Coordination benchmark: CooRTweet parity, the coordination toolkit side by side, scale.

    python -m bench.coordination                       # all three parts (hours: 10M posts)
    python -m bench.coordination --only coortweet,cnt --posts 100000
    python -m bench.coordination --only scale --scale-posts 10000000 --work /tmp/benchcoord

Three parts, each printing a table (progress lines go to stderr, every figure also to
``<work>/results.json``):

``coortweet``
    Ingests ``../shared/data/coortweet/german_elections.parquet`` into a fresh store, runs the
    six reference runs of its README with ``detect``, compares the pairs and the full and
    filtered edge lists with CooRTweet 2.1.3's outputs (as unordered pairs with the same
    weights), and prints one row per run with the time each took here next to CooRTweet's
    CPU time.

``cnt``
    For ``--posts`` posts over 14 days and the same number in one day (seeded planted data of
    :mod:`bench.planted`): coordination-network-toolkit 1.5.2 (:mod:`bench.cnt`, its own venv)
    preprocesses ``toolkit.csv`` and computes co_link, co_retweet, co_tweet, co_similar_tweet
    (window ``--window``, its defaults otherwise), then co_link and co_tweet once more without
    its empty-URL and empty-text bugs (``co_link_noempty``, ``co_tweet_noempty``); Lagebild
    ingests ``lagebild.csv`` into a fresh store with its command line and runs ``detect_cnt``
    per kind (a fresh connection each), whose filtered edges are compared with the toolkit's
    edge CSVs (co_link and co_tweet with their ``_noempty`` runs); both are scored on the
    planted groups with one function (:func:`bench.cnt.score_accounts`: an account is detected
    when it is in an edge of weight >= 3). Then Lagebild's own detector (``detect``, CooRTweet
    semantics) runs once with url, repost, text and similar_text as one
    multi-modal network and is scored the same way.

``scale``
    ``--scale-posts`` planted posts over 14 days and ``--scale-base`` (default a tenth of it):
    each ingested by the command line into a fresh store (time and peak memory), then ``detect``
    with url, repost, text and similar_text in one run in a child process (wall time and its
    peak resident memory, ``ru_maxrss``), and the growth from the base to the full size.

Generated data is kept in ``<work>`` and reused when its configuration matches (the generator
is deterministic); stores are always rebuilt, toolkit runs too unless ``--reuse-toolkit`` (then
an earlier run on the same data is reused, only its missing networks computed, and the table
says when its figures were measured).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from bench import cnt as toolkit
from bench.measure import wait_peak_rss
from bench.planted import Config
from lagebild.coordination import CoordinationParams, CoordinationResult, detect
from lagebild.coordination.cnt import CNT_KINDS, detect_cnt
from lagebild.ingest.pipeline import ingest
from lagebild.plugins import load_registry
from lagebild.store import PostStore

__all__ = ["DEFAULT_PARAMS", "MIN_WEIGHT", "RUNS", "identical", "main"]

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "coortweet"
RUNS = [
    ("fb_urls_tw60_mp2_ew0.5", ("url",), 60, 0.5, ("facebook",)),
    ("urls_tw30_mp2_ew0.25", ("url",), 30, 0.25, ()),
    ("domains_tw30_mp2_ew0.25", ("domain",), 30, 0.25, ()),
    ("hashtags_tw30_mp2_ew0.25", ("hashtag",), 30, 0.25, ()),
    ("images_tw30_mp2_ew0.25", ("image",), 30, 0.25, ()),
    ("combined4_tw30_mp2_ew0.5", ("url", "domain", "hashtag", "image"), 30, 0.5, ()),
]
_AS_REFERENCE = (
    "CASE WHEN kind = 'domain' THEN replace(object_id, 'domain_', 'url_') "
    "WHEN kind = 'image' THEN replace(object_id, 'phashid:', 'hash_') ELSE object_id END"
)
PARTS = ("coortweet", "cnt", "scale")
#: An account counts as detected when it is in an edge of at least this weight (both tools).
MIN_WEIGHT = 3
#: Lagebild's default detector on planted data: the four kinds the data carries, as one
#: multi-modal network; edge_quantile 0 keeps every edge above the lightest weight, the
#: scoring's weight >= 3 does the rest.
DEFAULT_PARAMS = CoordinationParams(
    by=("url", "repost", "text", "similar_text"),
    window=60,
    min_participation=2,
    edge_quantile=0.0,
    null_runs=0,
)
_STARTED = time.perf_counter()


def _log(line: str) -> None:
    """A progress line on stderr, with the seconds since the start."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {line}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- part coortweet


def coortweet_part(console: Console) -> dict[str, Any]:
    """Run the six reference runs and print the parity and speed table."""
    if not DATA.is_dir():
        raise _Skip(f"needs {DATA} (the shared data folder)")
    ref = DATA / "reference_outputs"
    summary = json.loads((ref / "summary.json").read_text())
    out: dict[str, Any] = {"runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        store = PostStore(Path(tmp))
        _log("coortweet: ingesting the German-election data")
        t0 = time.perf_counter()
        ingest(store, [DATA / "german_elections.parquet"], registry=load_registry())
        out["ingest_seconds"] = time.perf_counter() - t0
        console.print(f"ingested the German-election data in {out['ingest_seconds']:.1f} s")
        con = store.connect()
        table = Table(title="CooRTweet 2.1.3 parity and speed (German election 2021 data)")
        for col in (
            "run",
            "pairs",
            "edges",
            "filtered edges",
            "identical to CooRTweet",
            "seconds here",
            "CooRTweet CPU s",
        ):
            table.add_column(col, justify="left" if col == "run" else "right")
        total = 0.0
        for name, by, window, quantile, platforms in RUNS:
            _log(f"coortweet: {name}")
            params = CoordinationParams(
                by=by,
                window=window,
                min_participation=2,
                edge_quantile=quantile,
                platforms=platforms,
            )
            t = time.perf_counter()
            result = detect(con, params)
            seconds = time.perf_counter() - t
            total += seconds
            same = identical(con, result, ref, name)
            cpu = summary.get(name, {}).get("cpu_detect_groups")
            out["runs"][name] = {"counts": result.counts, "identical": same, "seconds": seconds}
            table.add_row(
                name,
                f"{result.counts['pairs']:,}",
                f"{result.counts['edges']:,}",
                f"{result.counts['filtered_edges']:,}",
                "yes" if same else "NO",
                f"{seconds:.2f}",
                f"{cpu:.1f}" if cpu else "–",
            )
        table.add_row("all six", "", "", "", "", f"{total:.2f}", "")
        out["seconds"] = total
        console.print(table)
        con.close()
    return out


def identical(
    con: duckdb.DuckDBPyConnection, result: CoordinationResult, ref: Path, name: str
) -> bool:
    """Whether pairs, full edges and filtered edges equal CooRTweet's reference outputs."""
    con.register("mine", result.pairs)
    con.register("e_full", result.edges)
    con.register("e_sub", result.filtered_edges)
    checks = [
        f"""SELECT count(*) FROM (
              (SELECT {_AS_REFERENCE}, least(content_id::BIGINT, content_id_y::BIGINT),
                  greatest(content_id::BIGINT, content_id_y::BIGINT) FROM mine
               EXCEPT ALL SELECT object_id, least(content_id, content_id_y),
                  greatest(content_id, content_id_y) FROM '{ref}/detect_groups_{name}.csv')
              UNION ALL
              (SELECT object_id, least(content_id, content_id_y),
                  greatest(content_id, content_id_y) FROM '{ref}/detect_groups_{name}.csv'
               EXCEPT ALL SELECT {_AS_REFERENCE}, least(content_id::BIGINT,
                  content_id_y::BIGINT), greatest(content_id::BIGINT, content_id_y::BIGINT)
                  FROM mine))"""
    ]
    for mine, kind in (("e_full", "full"), ("e_sub", "subgraph1")):
        r = (
            f"SELECT least(account_id_x, account_id_y), greatest(account_id_x, account_id_y), "
            f"weight FROM '{ref}/edges_{kind}_{name}.csv'"
        )
        m = f"SELECT account_id_x, account_id_y, weight FROM {mine}"
        checks.append(f"SELECT count(*) FROM (({m} EXCEPT ALL {r}) UNION ALL ({r} EXCEPT ALL {m}))")
    return all(con.execute(q).fetchall()[0][0] == 0 for q in checks)


# --------------------------------------------------------------------------- shared steps


class _Skip(Exception):
    """A part cannot run here (missing data, no toolkit); the message says why."""


def _sampled(cmd: Sequence[str]) -> tuple[float, int, str]:
    """Run ``cmd``; wall seconds, peak resident bytes of it and its children, its stdout.

    Memory is sampled every 50 ms over the process tree (as ``bench.ingest`` does).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        peak = wait_peak_rss(proc)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{tail}")
    return seconds, peak, stdout


def _generate(out: Path, posts: int, days: int, seed: int, files: tuple[str, ...]) -> Path:
    """Planted data in ``out`` (``truth.json`` plus ``files``), reused when it matches."""
    cfg = asdict(Config(posts=posts, days=days, seed=seed))
    truth = out / "truth.json"
    if truth.exists() and all((out / f"{f}.csv").exists() for f in files):
        try:
            same = json.loads(truth.read_text()).get("config") == cfg
        except (OSError, ValueError):
            same = False
        if same:
            _log(f"reusing the planted data in {out}")
            return out
    truth.unlink(missing_ok=True)  # written last: its presence marks a complete set
    _log(f"generating {posts:,} planted posts over {days} day(s), seed {seed}, into {out}")
    cmd = [sys.executable, "-m", "bench.planted", "--posts", str(posts), "--days", str(days)]
    cmd += ["--seed", str(seed), "--out", str(out), "--files", ",".join(files)]
    seconds, peak, _ = _sampled(cmd)
    _log(f"generated in {seconds:.1f} s (peak {peak / 2**20:,.0f} MB)")
    return out


def _ingest(csv_path: Path, store: Path) -> dict[str, Any]:
    """``lagebild ingest`` of ``csv_path`` into a fresh store, in its own process (timed)."""
    shutil.rmtree(store, ignore_errors=True)
    _log(f"lagebild: ingest {csv_path.name} into {store}")
    cmd = [sys.executable, "-m", "lagebild", "--data-dir", str(store), "ingest"]
    seconds, peak, out = _sampled([*cmd, str(csv_path), "--json"])
    report = json.loads(out)
    _log(f"lagebild: ingested {report['stored']:,} posts in {seconds:.1f} s")
    return {
        "seconds": seconds,
        "peak_mb": peak / 2**20,
        "read": report["read"],
        "stored": report["stored"],
        "quarantined": report["quarantined"],
    }


def _fmt_rp(score: dict[str, Any] | None) -> str:
    """``recall / precision (groups found/expected)``."""
    if score is None:
        return "–"

    def f(x: float | None) -> str:
        return "–" if x is None else f"{x:.3f}"

    groups = f"{score['groups_found']}/{score['groups_expected']}"
    return f"{f(score['recall'])} / {f(score['precision'])} ({groups})"


def _score_sql(
    scratch: duckdb.DuckDBPyConnection, edges: str, truth: dict[str, Any], kind: str | None
) -> dict[str, Any]:
    """Score the edges of the relation ``edges`` (``x, y, w``) with :func:`score_accounts`.

    The accounts in an edge of weight >= :data:`MIN_WEIGHT` are derived in SQL (edge lists
    of the buggy co_link can run into the millions); the same rule as
    :func:`bench.cnt.group_recall_precision`.
    """
    keep = f"SELECT x, y FROM {edges} WHERE w >= {MIN_WEIGHT} AND x <> y"
    rows = scratch.execute(f"SELECT x FROM ({keep}) UNION SELECT y FROM ({keep})").fetchall()
    n_edges = scratch.execute(f"SELECT count(*) FROM ({keep})").fetchall()[0][0]
    return toolkit.score_accounts({r[0] for r in rows}, truth, kind, MIN_WEIGHT, n_edges)


def _toolkit_edges(scratch: duckdb.DuckDBPyConnection, name: str, path: Path) -> str:
    """Load a toolkit edge CSV as the table ``name`` (``x, y, w``); returns ``name``."""
    scratch.execute(
        f"CREATE OR REPLACE TABLE {name} AS SELECT source AS x, target AS y, "
        f"weight::BIGINT AS w FROM read_csv('{path}', header = true, all_varchar = true, "
        "columns = {'source': 'VARCHAR', 'target': 'VARCHAR', 'weight': 'VARCHAR', "
        "'edge_type': 'VARCHAR'})"
    )
    return name


def _lagebild_edges(scratch: duckdb.DuckDBPyConnection, name: str, edges: pa.Table) -> str:
    """Load Lagebild's filtered edges as the table ``name`` (``x, y, w``); returns ``name``."""
    scratch.register("_arrow_edges", edges)
    scratch.execute(
        f"CREATE OR REPLACE TABLE {name} AS SELECT account_id_x::VARCHAR AS x, "
        "account_id_y::VARCHAR AS y, weight::BIGINT AS w FROM _arrow_edges"
    )
    scratch.unregister("_arrow_edges")
    return name


def compare_edges(scratch: duckdb.DuckDBPyConnection, mine: str, theirs: str) -> dict[str, Any]:
    """Compare two directed weighted edge tables (``x, y, w``) of ``scratch``.

    Returns the counts of each, of duplicated (x, y) in each, of edges only in one of them and
    of edges in both with different weights, with up to three examples of each difference.
    """

    def one(sql: str) -> Any:
        return scratch.execute(sql).fetchall()[0][0]

    out: dict[str, Any] = {
        "toolkit": one(f"SELECT count(*) FROM {theirs}"),
        "lagebild": one(f"SELECT count(*) FROM {mine}"),
        "duplicates_toolkit": one(
            f"SELECT count(*) - count(DISTINCT (x, y)) FROM {theirs}",
        ),
        "duplicates_lagebild": one(f"SELECT count(*) - count(DISTINCT (x, y)) FROM {mine}"),
    }
    diff = f"""SELECT coalesce(t.x, l.x) AS x, coalesce(t.y, l.y) AS y, t.w AS w_toolkit,
                 l.w AS w_lagebild FROM {theirs} t FULL JOIN {mine} l ON t.x = l.x AND t.y = l.y
               WHERE t.w IS DISTINCT FROM l.w"""
    cases = {
        "only_toolkit": "w_lagebild IS NULL",
        "only_lagebild": "w_toolkit IS NULL",
        "weight_differs": "w_toolkit IS NOT NULL AND w_lagebild IS NOT NULL",
    }
    for case, cond in cases.items():
        out[case] = one(f"SELECT count(*) FROM ({diff}) WHERE {cond}")
        out[f"{case}_examples"] = [
            list(r)
            for r in scratch.execute(
                f"SELECT * FROM ({diff}) WHERE {cond} ORDER BY x, y LIMIT 3"
            ).fetchall()
        ]
    differences = (*cases, "duplicates_toolkit", "duplicates_lagebild")
    out["identical"] = not any(out[k] for k in differences)
    return out


def _identical_cell(cmp: dict[str, Any]) -> str:
    if cmp["identical"]:
        return "yes"
    parts = [
        f"{cmp[k]:,} {label}"
        for k, label in (
            ("only_toolkit", "only toolkit"),
            ("only_lagebild", "only Lagebild"),
            ("weight_differs", "weight differs"),
            ("duplicates_toolkit", "dup. toolkit"),
            ("duplicates_lagebild", "dup. Lagebild"),
        )
        if cmp[k]
    ]
    return "NO: " + ", ".join(parts)


def _speedup(theirs: float | None, mine: float | None) -> str:
    if not theirs or not mine:
        return "–"
    return f"×{theirs / mine:,.1f}"


# --------------------------------------------------------------------------- part cnt


def cnt_scenario(
    console: Console,
    work: Path,
    posts: int,
    days: int,
    seed: int,
    window: int,
    venv: Path,
    reuse_toolkit: bool = False,
    shipped_timeout: float | None = None,
    similar_timeout: float | None = None,
) -> dict[str, Any]:
    """One data set: the toolkit and Lagebild side by side, printed as a table."""
    label = f"{posts:,} posts in {days} day{'s' if days > 1 else ''}"
    base = work / f"cnt-{posts}-{days}d"
    data = _generate(base / "data", posts, days, seed, ("toolkit", "lagebild"))
    truth = json.loads((data / "truth.json").read_text())

    _log(f"cnt {label}: coordination-network-toolkit {toolkit.VERSION}")
    networks = [*toolkit.NETWORKS, "co_link_noempty", "co_tweet_noempty"]
    cache = base / "toolkit" / "run.json"
    key = {
        "version": toolkit.VERSION,
        "window": window,
        "csv_bytes": (data / "toolkit.csv").stat().st_size,
    }
    old = json.loads(cache.read_text()) if reuse_toolkit and cache.exists() else None
    same = old is not None and all(old["key"].get(k) == v for k, v in key.items())
    if not (old and same and all(Path(p).exists() for p in old["edges"].values())):
        old = None
    measured = f" (toolkit figures measured {old['measured']})" if old else ""
    if old and all(n in old["edges"] for n in networks):
        _log(f"cnt {label}: reusing the toolkit run measured {old['measured']} ({cache})")
        run = {"timings": old["timings"], "edges": {k: Path(v) for k, v in old["edges"].items()}}
    else:
        run = toolkit.run_toolkit(
            data / "toolkit.csv",
            base / "toolkit",
            window=window,
            networks=networks,
            venv=venv,
            progress=lambda line: _log(f"cnt {label}: {line}"),
            reuse=old,
            shipped_timeout=shipped_timeout,
            similar_timeout=similar_timeout,
        )
        cache.write_text(
            json.dumps(
                {
                    "key": key,
                    "measured": old["measured"] if old else time.strftime("%Y-%m-%d %H:%M"),
                    "timings": run["timings"],
                    "edges": {k: str(v) for k, v in run["edges"].items()},
                }
            )
        )
    timings: dict[str, float] = run["timings"]
    ing = _ingest(data / "lagebild.csv", base / "store")
    if ing["stored"] != posts:
        raise RuntimeError(f"ingest stored {ing['stored']:,} of {posts:,} posts: see {base}")

    store = PostStore(base / "store")
    scratch = duckdb.connect()
    rows: list[dict[str, Any]] = []
    for kind, network in CNT_KINDS.items():
        reference = f"{network}_noempty" if network in ("co_link", "co_tweet") else network
        _log(f"cnt {label}: lagebild detect_cnt --by {kind} ({network})")
        con = store.connect()
        params = CoordinationParams(by=(kind,), window=window, min_participation=2, similarity=0.8)
        t0 = time.perf_counter()
        result = detect_cnt(con, params)
        seconds = time.perf_counter() - t0
        con.close()
        mine = _lagebild_edges(scratch, "lb", result.filtered_edges)
        if reference not in run["edges"]:
            # the toolkit was stopped: Lagebild's side alone, the toolkit's time a lower bound
            n_mine = scratch.execute(f"SELECT count(*) FROM {mine}").fetchall()[0][0]
            rows.append(
                {
                    "network": network,
                    "reference": reference,
                    "toolkit_seconds": None,
                    "toolkit_stopped_after": timings[f"{reference}_stopped"],
                    "lagebild_seconds": seconds,
                    "lagebild_detector_seconds": result.seconds,
                    "edges": {"toolkit": None, "lagebild": n_mine, "identical": None},
                    "score_toolkit": None,
                    "score_lagebild": _score_sql(scratch, mine, truth, network),
                }
            )
            continue
        theirs = _toolkit_edges(scratch, "tk", run["edges"][reference])
        cmp = compare_edges(scratch, mine, theirs)
        if not cmp["identical"]:
            _log(f"cnt {label}: {network} edges differ: {_identical_cell(cmp)}")
        rows.append(
            {
                "network": network,
                "reference": reference,
                "toolkit_seconds": timings[reference],
                "toolkit_export_seconds": timings[f"export_{reference}"],
                "lagebild_seconds": seconds,
                "lagebild_detector_seconds": result.seconds,
                "edges": cmp,
                "score_toolkit": _score_sql(scratch, theirs, truth, network),
                "score_lagebild": _score_sql(scratch, mine, truth, network),
            }
        )
    shipped: dict[str, Any] = {"stopped_after": timings.get("co_link_stopped")}
    if "co_link" in run["edges"]:
        buggy = _toolkit_edges(scratch, "tk_buggy", run["edges"]["co_link"])
        shipped |= {
            "toolkit_seconds": timings["co_link"],
            "edges": toolkit.count_edges(run["edges"]["co_link"]),
            "score_toolkit": _score_sql(scratch, buggy, truth, "co_link"),
        }
        scratch.execute("DROP TABLE tk_buggy")

    _log(f"cnt {label}: lagebild detect (CooRTweet semantics), {', '.join(DEFAULT_PARAMS.by)}")
    con = store.connect()
    t0 = time.perf_counter()
    result = detect(con, DEFAULT_PARAMS)
    seconds = time.perf_counter() - t0
    con.close()
    own: dict[str, Any] = {
        "by": list(DEFAULT_PARAMS.by),
        "lagebild_seconds": seconds,
        "counts": result.counts,
        "threshold": result.threshold,
        "score_lagebild": _score_sql(
            scratch, _lagebild_edges(scratch, "own", result.filtered_edges), truth, None
        ),
    }
    scratch.close()

    table = Table(
        title=(
            f"coordination-network-toolkit {toolkit.VERSION} vs Lagebild: {label} "
            f"({truth['counts']['accounts']:,} accounts, {len(truth['groups'])} planted "
            f"groups), window {window} s, min. edge weight 2; recall / precision (groups "
            f"found) at edge weight ≥ {MIN_WEIGHT}{measured}"
        )
    )
    for col in (
        "network",
        "toolkit s",
        "lagebild s",
        "speed-up",
        "edges",
        "identical edges",
        "recall/precision toolkit",
        "recall/precision lagebild",
    ):
        table.add_column(col, justify="left" if col == "network" else "right")
    table.add_row(
        "load: preprocess | ingest",
        f"{timings['preprocess']:.1f}",
        f"{ing['seconds']:.1f}",
        _speedup(timings["preprocess"], ing["seconds"]),
        "",
        "",
        "",
        "",
    )
    for r in rows:
        cmp = r["edges"]
        name = r["network"] + (f" (vs {r['reference']})" if r["reference"] != r["network"] else "")
        if r["toolkit_seconds"] is None:
            stopped = r["toolkit_stopped_after"]
            table.add_row(
                name,
                f"> {stopped:.0f} (stopped)",
                f"{r['lagebild_seconds']:.2f}",
                f"> ×{stopped / r['lagebild_seconds']:.0f}",
                f"– | {cmp['lagebild']:,}",
                "– (toolkit stopped)",
                "–",
                _fmt_rp(r["score_lagebild"]),
            )
            continue
        n_edges = f"{cmp['toolkit']:,}"
        if cmp["lagebild"] != cmp["toolkit"]:
            n_edges += f" | {cmp['lagebild']:,}"
        table.add_row(
            name,
            f"{r['toolkit_seconds']:.1f}",
            f"{r['lagebild_seconds']:.2f}",
            _speedup(r["toolkit_seconds"], r["lagebild_seconds"]),
            n_edges,
            _identical_cell(cmp),
            _fmt_rp(r["score_toolkit"]),
            _fmt_rp(r["score_lagebild"]),
        )
    done = [r for r in rows if r["toolkit_seconds"] is not None]
    t_sum = sum(r["toolkit_seconds"] for r in done)
    l_sum = sum(r["lagebild_seconds"] for r in rows)
    partial = len(done) < len(rows)
    table.add_row(
        "all four networks",
        f"> {t_sum + sum(r['toolkit_stopped_after'] for r in rows if r not in done):.0f}"
        if partial
        else f"{t_sum:.1f}",
        f"{l_sum:.2f}",
        "" if partial else _speedup(t_sum, l_sum),
        "",
        ("yes" if all(r["edges"]["identical"] for r in done) else "NO")
        + (" (where compared)" if partial else ""),
        "",
        "",
    )
    stopped = shipped["stopped_after"] is not None
    table.add_row(
        "co_link as shipped (empty-URL bug)",
        f"> {shipped['stopped_after']:.0f} (stopped)"
        if stopped
        else f"{shipped['toolkit_seconds']:.1f}",
        "–",
        "",
        "–" if stopped else f"{shipped['edges']:,}",
        "",
        "–" if stopped else _fmt_rp(shipped["score_toolkit"]),
        "",
    )
    table.add_row(
        "Lagebild detect, 4 kinds in one network",
        "–",
        f"{own['lagebild_seconds']:.2f}",
        "",
        f"{own['counts']['filtered_edges']:,}",
        "",
        "",
        _fmt_rp(own["score_lagebild"]),
    )
    console.print(table)
    for r in rows:
        cmp = r["edges"]
        for case in ("only_toolkit", "only_lagebild", "weight_differs"):
            for x, y, wt, wl in cmp.get(f"{case}_examples", []):
                console.print(
                    f"  {r['network']} {case}: {x} → {y}, toolkit weight {wt}, Lagebild weight {wl}"
                )
    return {
        "label": label,
        "posts": posts,
        "days": days,
        "seed": seed,
        "window": window,
        "counts": truth["counts"],
        "toolkit_timings": timings,
        "ingest": ing,
        "networks": rows,
        "co_link_as_shipped": shipped,
        "lagebild_detect": own,
    }


def cnt_part(
    console: Console,
    work: Path,
    posts: int,
    seed: int,
    window: int,
    venv: Path,
    reuse_toolkit: bool = False,
    shipped_timeout: float | None = None,
    similar_timeout: float | None = None,
) -> dict[str, Any]:
    """Both data sets (14 days, 1 day) side by side."""
    try:
        toolkit.ensure_venv(venv)
    except toolkit.ToolkitUnavailable as exc:
        raise _Skip(str(exc)) from exc
    return {
        f"{days}d": cnt_scenario(
            console,
            work,
            posts,
            days,
            seed,
            window,
            venv,
            reuse_toolkit,
            shipped_timeout,
            similar_timeout,
        )
        for days in (14, 1)
    }


# --------------------------------------------------------------------------- part scale


def _detect_child(store: Path, truth: Path) -> None:
    """In a child process: ``detect`` with :data:`DEFAULT_PARAMS`; JSON on stdout.

    ``peak_mb`` is this process's maximum resident set size right after the detection
    (``ru_maxrss``: imports, DuckDB, the result tables), before the scoring.
    """
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    con = PostStore(store).connect()
    result = detect(con, DEFAULT_PARAMS)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    con.close()
    scratch = duckdb.connect()
    edges = _lagebild_edges(scratch, "own", result.filtered_edges)
    score = _score_sql(scratch, edges, json.loads(truth.read_text()), None)
    report = {
        "seconds": seconds,
        "detector_seconds": result.seconds,
        "peak_mb": peak / 1024,
        "baseline_mb": base / 1024,
        "counts": result.counts,
        "score": score,
    }
    print(json.dumps(report))


def scale_one(work: Path, posts: int, seed: int) -> dict[str, Any]:
    """Generate, ingest and detect on ``posts`` planted posts over 14 days."""
    base = work / f"scale-{posts}"
    data = _generate(base / "data", posts, 14, seed, ("lagebild",))
    ing = _ingest(data / "lagebild.csv", base / "store")
    if ing["stored"] != posts:
        raise RuntimeError(f"ingest stored {ing['stored']:,} of {posts:,} posts: see {base}")
    _log(f"scale {posts:,}: lagebild detect {', '.join(DEFAULT_PARAMS.by)} in a child process")
    cmd = [sys.executable, "-m", "bench.coordination", "--detect-child", str(base / "store")]
    wall, sampled, out = _sampled([*cmd, "--truth", str(data / "truth.json")])
    det = json.loads(out.strip().splitlines()[-1])
    det["process_seconds"] = wall
    det["sampled_peak_mb"] = sampled / 2**20
    _log(f"scale {posts:,}: detect {det['seconds']:.1f} s, peak {det['peak_mb']:,.0f} MB")
    return {"posts": posts, "ingest": ing, "detect": det}


def scale_part(console: Console, work: Path, posts: int, base: int, seed: int) -> dict[str, Any]:
    """The base size and the full size, and the growth between them."""
    sizes = sorted({base, posts})
    runs = [scale_one(work, n, seed) for n in sizes]
    table = Table(
        title=(
            f"Lagebild at scale: planted posts over 14 days, detect --by "
            f"{','.join(DEFAULT_PARAMS.by)} (one network, window 60 s, min. participation 2)"
        )
    )
    for col in (
        "posts",
        "ingest s",
        "ingest peak MB",
        "detect s",
        "detect peak MB",
        "pairs",
        "filtered edges",
        "recall/precision",
    ):
        table.add_column(col, justify="right")
    for r in runs:
        d = r["detect"]
        table.add_row(
            f"{r['posts']:,}",
            f"{r['ingest']['seconds']:.1f}",
            f"{r['ingest']['peak_mb']:,.0f}",
            f"{d['seconds']:.1f}",
            f"{d['peak_mb']:,.0f}",
            f"{d['counts']['pairs']:,}",
            f"{d['counts']['filtered_edges']:,}",
            _fmt_rp(d["score"]),
        )
    out: dict[str, Any] = {"runs": runs}
    if len(runs) == 2:
        small, big = runs
        growth = {
            "posts": big["posts"] / small["posts"],
            "ingest_seconds": big["ingest"]["seconds"] / small["ingest"]["seconds"],
            "ingest_peak_mb": big["ingest"]["peak_mb"] / small["ingest"]["peak_mb"],
            "detect_seconds": big["detect"]["seconds"] / small["detect"]["seconds"],
            "detect_peak_mb": big["detect"]["peak_mb"] / small["detect"]["peak_mb"],
        }
        out["growth"] = growth
        table.add_row(
            f"ratio ×{growth['posts']:.0f}",
            f"×{growth['ingest_seconds']:.1f}",
            f"×{growth['ingest_peak_mb']:.1f}",
            f"×{growth['detect_seconds']:.1f}",
            f"×{growth['detect_peak_mb']:.1f}",
            "",
            "",
            "",
        )
    console.print(table)
    return out


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> None:
    """Run the parts asked for, print their tables, write ``<work>/results.json``."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.coordination", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts to run")
    ap.add_argument("--posts", type=int, default=1_000_000, help="posts of the cnt part")
    ap.add_argument("--scale-posts", type=int, default=10_000_000, help="posts of the scale part")
    ap.add_argument(
        "--scale-base", type=int, default=0, help="its base size (0: a tenth, at least 100,000)"
    )
    ap.add_argument("--work", type=Path, default=Path("/tmp/benchcoord"))
    ap.add_argument("--seed", type=int, default=1, help="of the planted data")
    ap.add_argument("--window", type=int, default=60, help="seconds (cnt part)")
    ap.add_argument(
        "--reuse-toolkit",
        action="store_true",
        help="reuse an earlier toolkit run on the same data (its timings are labelled with the "
        "date they were measured)",
    )
    ap.add_argument(
        "--shipped-timeout",
        type=float,
        default=600,
        help="seconds after which the toolkit's co_link as shipped (empty-URL bug) is stopped",
    )
    ap.add_argument(
        "--similar-timeout",
        type=float,
        default=None,
        help="seconds after which the toolkit's co_similar_tweet is stopped (default: never)",
    )
    ap.add_argument("--cnt-venv", type=Path, default=toolkit.VENV, help="the toolkit's venv")
    ap.add_argument("--detect-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--truth", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.detect_child:
        _detect_child(a.detect_child, a.truth)
        return
    parts = [p for p in a.only.split(",") if p]
    unknown = sorted(set(parts) - set(PARTS))
    if not parts or unknown:
        ap.error(f"--only takes a comma-separated subset of {', '.join(PARTS)}")
    a.work.mkdir(parents=True, exist_ok=True)
    scale_base = a.scale_base or max(100_000, a.scale_posts // 10)
    console = Console(width=190)
    results: dict[str, Any] = {"argv": sys.argv[1:] if argv is None else argv}
    runners = {
        "coortweet": lambda: coortweet_part(console),
        "cnt": lambda: cnt_part(
            console,
            a.work,
            a.posts,
            a.seed,
            a.window,
            a.cnt_venv,
            a.reuse_toolkit,
            a.shipped_timeout,
            a.similar_timeout,
        ),
        "scale": lambda: scale_part(console, a.work, a.scale_posts, scale_base, a.seed),
    }
    failed = []
    for part in PARTS:
        if part not in parts:
            continue
        _log(f"part {part}")
        t0 = time.perf_counter()
        try:
            results[part] = runners[part]()
        except _Skip as exc:
            _log(f"part {part} skipped: {exc}")
            console.print(f"[bold red]{part}: skipped[/]: {exc}")
            results[part] = {"skipped": str(exc)}
            failed.append(part)
            continue
        except Exception as exc:  # one broken part should not cost the others
            traceback.print_exc()
            _log(f"part {part} failed: {exc}")
            console.print(f"[bold red]{part}: failed[/]: {exc}")
            results[part] = {"failed": str(exc)}
            failed.append(part)
            continue
        results[part]["part_seconds"] = time.perf_counter() - t0
        _log(f"part {part} done in {results[part]['part_seconds']:.1f} s")
        (a.work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    (a.work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    _log(f"results: {a.work / 'results.json'}")
    if failed:
        sys.exit(f"not completed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
