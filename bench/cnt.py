"""Run coordination-network-toolkit 1.5.2 on a CSV and score it against planted groups.

    python -m bench.cnt --csv /tmp/planted/toolkit.csv --window 60 --out /tmp/cnt_run
    python -m bench.cnt --csv /tmp/planted/toolkit.csv --truth /tmp/planted/truth.json ...

The toolkit runs in its own virtual environment (``/tmp/cntvenv``, created and pinned to
1.5.2 when missing) as subprocesses of its own command line, so its dependencies never meet
Lagebild's. Steps, each timed in wall seconds: ``preprocess --format csv`` into a fresh SQLite
file, then ``compute`` for ``co_link``, ``co_retweet``, ``co_tweet`` and ``co_similar_tweet``
with the toolkit's defaults (``--min_edge_weight 2``, similarity threshold 0.8, minimum
document size 1 token, ``--n_cpus`` = all cores), each followed by an export of its edge list.

The export uses the toolkit's own CSV writer ``output.output_gephi_csv`` through ``python -c``:
in 1.5.2 the command line's ``--output_format csv`` (of ``compute --output_file`` and of
``export_network``) crashes with ``TypeError: output_gephi_csv() got an unexpected keyword
argument 'n_messages'``. The edge CSV has the columns ``source, target, weight, edge_type``
(all quoted), one row per *directed* pair, self-loops left out.

Optionally (on by default) co_link is computed a second time, as ``co_link_noempty``, after
deleting the empty-string URLs that ``preprocess --format csv`` stores for every post without
a link (``"".split(" ") == [""]``): without that workaround every two link-less original posts
within the window "share" the URL ``""``.

Scoring (:func:`group_recall_precision`): an account is *detected* when it is in at least one
edge of weight >= ``min_weight``. The default ``min_weight`` is 3: the toolkit's directed
weight counts the posts of ``source`` that have a matching post of ``target`` within the
window, so 3 means the pair co-acted on at least three separate occasions. Planted groups act
6 times (each member with probability 0.85), so almost every planted pair reaches 3, while
chance co-actions of organic accounts on viral objects rarely repeat three times; 2 (the
toolkit's default) lets many such coincidences through in dense data.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "EXPECTED",
    "NETWORKS",
    "VENV",
    "VERSION",
    "ToolkitUnavailable",
    "count_edges",
    "ensure_venv",
    "group_recall_precision",
    "main",
    "read_edges",
    "run_toolkit",
    "score_accounts",
]

#: Where the toolkit's own virtual environment lives, and the pinned version.
VENV = Path("/tmp/cntvenv")
VERSION = "1.5.2"
#: The networks compared with Lagebild.
NETWORKS = ("co_link", "co_retweet", "co_tweet", "co_similar_tweet")
#: Which planted kinds (``bench.planted.KINDS``) a correct network should find: identical
#: texts are also near-identical, so co_similar_tweet should find the ``text`` groups too.
EXPECTED: dict[str, tuple[str, ...]] = {
    "co_link": ("link",),
    "co_link_noempty": ("link",),
    "co_retweet": ("retweet",),
    "co_tweet": ("text",),
    "co_tweet_noempty": ("text",),
    "co_similar_tweet": ("similar_text", "text"),
}
_EXPORT = (
    "import sys\n"
    "from coordination_network_toolkit.output import output_gephi_csv\n"
    "output_gephi_csv(sys.argv[1], sys.argv[2], sys.argv[3])\n"
)
_DROP_EMPTY = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1])\n"
    "n = db.execute(\"delete from message_url where url = ''\").rowcount\n"
    "db.commit()\n"
    "print(n, 'empty urls deleted')\n"
)

#: The toolkit's empty-text bug: posts whose text is empty after removing mentions all match.
_DROP_EMPTY_TEXT = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1])\n"
    "n = db.execute(\"delete from edge where transformed_message = ''\").rowcount\n"
    "db.commit()\n"
    "print(n, 'empty texts deleted')\n"
)

Edge = tuple[str, str, int]


class ToolkitUnavailable(RuntimeError):
    """The toolkit's virtual environment could not be created or is broken."""


def ensure_venv(venv: Path = VENV, version: str = VERSION) -> Path:
    """The toolkit's ``compute_networks`` command, installing the pinned version if missing.

    Kept apart from Lagebild's environment because the toolkit pulls in twarc and old pins.
    Raises :class:`ToolkitUnavailable` with what to do when the install fails (no network,
    no ``venv`` module, a broken earlier attempt).
    """
    exe = venv / "bin" / "compute_networks"
    if exe.exists():
        return exe
    pip = venv / "bin" / "pip"
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(pip), "install", "-q", f"coordination-network-toolkit=={version}"],
    ]
    for cmd in steps:
        if cmd[0] == str(pip) and not pip.exists():
            break
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise ToolkitUnavailable(_venv_help(venv, version, f"{cmd[0]}: {exc}")) from exc
        if proc.returncode:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
            raise ToolkitUnavailable(
                _venv_help(venv, version, f"`{' '.join(cmd)}` exited {proc.returncode}:\n{tail}")
            )
    if not exe.exists():
        raise ToolkitUnavailable(_venv_help(venv, version, f"{exe} is missing after the install"))
    return exe


def _venv_help(venv: Path, version: str, why: str) -> str:
    return (
        f"could not set up coordination-network-toolkit {version} in {venv}: {why}\n"
        f"set it up by hand (needs network access to PyPI): rm -rf {venv} && "
        f"python3 -m venv {venv} && {venv}/bin/pip install "
        f"coordination-network-toolkit=={version}"
    )


class StepTimeout(RuntimeError):
    """A toolkit step ran longer than it was allowed to and was stopped."""


def _timed(cmd: Sequence[str], log: Path, timeout: float | None = None) -> float:
    """Run one step, its output into ``log``; wall seconds. Fails loudly on a non-zero exit."""
    t0 = time.perf_counter()
    with log.open("w") as fh:
        # its own process group: the toolkit's worker processes are stopped with it
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise StepTimeout(f"{' '.join(cmd)} stopped after {timeout:g} s") from exc
    seconds = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}; see {log}")
    return seconds


def run_toolkit(
    csv_path: Path,
    out: Path,
    window: int = 60,
    networks: Iterable[str] = NETWORKS,
    min_edge_weight: int = 2,
    n_cpus: int | None = None,
    empty_url_workaround: bool = True,
    venv: Path = VENV,
    progress: Callable[[str], None] | None = None,
    reuse: dict[str, Any] | None = None,
    shipped_timeout: float | None = None,
    similar_timeout: float | None = None,
) -> dict[str, Any]:
    """Preprocess ``csv_path`` into ``out/toolkit.db`` and compute and export each network.

    ``networks`` may name ``co_link_noempty`` on its own (the workaround without the buggy
    ``co_link`` first); it is always computed last, as it deletes the empty URLs. Returns
    ``{"timings": {step: seconds}, "edges": {network: csv path}, "db": path}``; the steps are
    ``preprocess``, each network, ``export_<network>`` and, with the workaround,
    ``drop_empty_urls`` and ``co_link_noempty``, and for ``co_tweet_noempty`` (co_tweet
    without the empty-text bug) ``drop_empty_texts``. Logs go to ``out/logs``; ``progress`` is
    called with a line before each step. ``reuse`` (an earlier result on the same database)
    skips the preprocessing and every network it already holds. ``co_link`` as shipped (with
    its empty-URL bug, quadratic in the link-less posts of a window) is stopped after
    ``shipped_timeout`` seconds; ``timings["co_link_stopped"]`` then holds that limit and
    ``edges`` has no ``co_link``; the same for ``co_similar_tweet`` and ``similar_timeout``
    (pairwise Python comparisons: one dense day of posts can take hours).
    """
    exe = ensure_venv(venv)
    py = str(venv / "bin" / "python")
    out.mkdir(parents=True, exist_ok=True)
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    db = out / "toolkit.db"
    cpus = str(n_cpus or os.cpu_count() or 1)
    timings: dict[str, float] = dict(reuse["timings"]) if reuse else {}
    edges: dict[str, Path] = {k: Path(v) for k, v in reuse["edges"].items()} if reuse else {}
    say = progress or (lambda line: None)
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        say(f"toolkit: preprocess {csv_path.name}")
        timings["preprocess"] = _timed(
            [str(exe), str(db), "preprocess", "--format", "csv", str(csv_path)],
            logs / "preprocess.log",
        )

    def compute(network: str, name: str, timeout: float | None = None) -> None:
        cmd = [str(exe), str(db), "compute", network, "--time_window", str(window)]
        cmd += ["--min_edge_weight", str(min_edge_weight), "--n_cpus", cpus]
        say(f"toolkit: compute {name}")
        timings[name] = _timed(cmd, logs / f"{name}.log", timeout)
        edges[name] = out / f"{name}.csv"
        timings[f"export_{name}"] = _timed(
            [py, "-c", _EXPORT, str(db), network, str(edges[name])], logs / f"export_{name}.log"
        )

    wanted = [n for n in networks if n not in edges and f"{n}_stopped" not in timings]
    # the steps that may run for hours: stopped after their limit, reported as a lower bound
    limits = {"co_link": shipped_timeout, "co_similar_tweet": similar_timeout}
    for network in wanted:
        limit = limits.get(network)
        if limit is not None:
            try:
                compute(network, network, limit)
            except StepTimeout:
                say(f"toolkit: {network} stopped after {limit:g} s")
                timings[f"{network}_stopped"] = limit
                edges.pop(network, None)
        elif not network.endswith("_noempty"):
            compute(network, network)
    if "co_link_noempty" in wanted or (
        empty_url_workaround and "co_link" in wanted and "co_link_noempty" not in edges
    ):
        timings["drop_empty_urls"] = _timed(
            [py, "-c", _DROP_EMPTY, str(db)], logs / "drop_empty_urls.log"
        )
        compute("co_link", "co_link_noempty")
    if "co_tweet_noempty" in wanted:
        # last: deleting the posts with empty texts changes what every other network sees
        timings["drop_empty_texts"] = _timed(
            [py, "-c", _DROP_EMPTY_TEXT, str(db)], logs / "drop_empty_texts.log"
        )
        compute("co_tweet", "co_tweet_noempty")
    return {"timings": timings, "edges": edges, "db": db}


def read_edges(path: Path) -> list[Edge]:
    """A toolkit edge CSV (``source, target, weight, edge_type``) as (user1, user2, weight)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        return [(row[0], row[1], int(row[2])) for row in reader if row]


def count_edges(path: Path) -> int:
    """The number of edges (rows after the header) of a toolkit edge CSV, without parsing it."""
    with path.open("rb") as fh:
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))
    return max(rows - 1, 0)


def group_recall_precision(
    edges: Iterable[Edge],
    truth: Mapping[str, Any],
    kind: str | None = None,
    min_weight: int = 3,
) -> dict[str, Any]:
    """How well the accounts in ``edges`` recover the planted groups of ``truth``.

    ``truth`` is the ``truth.json`` of ``bench.planted``. Detected accounts are those in at
    least one edge of weight >= ``min_weight`` (see the module docstring for why 3).
    ``kind`` is a network name (key of :data:`EXPECTED`) or a planted kind, or ``None`` for
    all groups: it chooses which groups count as *expected*.

    Returns ``recall`` (expected planted accounts detected / expected planted accounts),
    ``precision`` (detected accounts that are planted in any group / detected accounts),
    ``precision_kind`` (the same, counting only expected groups), ``groups_found`` (expected
    groups with at least half their accounts detected) and the counts behind them. Precision
    is ``None`` when nothing is detected.
    """
    detected: set[str] = set()
    n_edges = 0
    for u1, u2, w in edges:
        if w >= min_weight and u1 != u2:
            detected.update((u1, u2))
            n_edges += 1
    return score_accounts(detected, truth, kind, min_weight, n_edges)


def score_accounts(
    detected: set[str],
    truth: Mapping[str, Any],
    kind: str | None = None,
    min_weight: int = 3,
    n_edges: int | None = None,
) -> dict[str, Any]:
    """The scores of :func:`group_recall_precision` for an already derived set of accounts.

    For edge lists too large to pass through Python: derive ``detected`` (the accounts in an
    edge of weight >= ``min_weight``) elsewhere, e.g. in SQL, and score it here.
    """
    groups: Mapping[str, list[str]] = truth["groups"]
    kinds: Mapping[str, str] = truth["kinds"]
    wanted = set(kinds.values()) if kind is None else set(EXPECTED.get(kind, (kind,)))
    expected = {g for g, k in kinds.items() if k in wanted}
    planted = {a for accs in groups.values() for a in accs}
    target = {a for g in expected for a in groups[g]}
    hit_any = len(detected & planted)
    hit = len(detected & target)
    found = sum(1 for g in expected if 2 * len(detected & set(groups[g])) >= len(groups[g]))
    return {
        "min_weight": min_weight,
        "edges": n_edges,
        "detected": len(detected),
        "expected_accounts": len(target),
        "recall": hit / len(target) if target else None,
        "precision": hit_any / len(detected) if detected else None,
        "precision_kind": hit / len(detected) if detected else None,
        "groups_found": found,
        "groups_expected": len(expected),
    }


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> None:
    """Command line: run the toolkit on ``--csv``; with ``--truth`` also score each network."""
    ap = argparse.ArgumentParser(prog="python -m bench.cnt", description=__doc__.split("\n")[0])
    ap.add_argument("--csv", type=Path, required=True, help="toolkit.csv of bench.planted")
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--truth", type=Path, help="truth.json (default: beside --csv, if there)")
    ap.add_argument("--min-edge-weight", type=int, default=2, help="the toolkit's, default 2")
    ap.add_argument("--score-weights", default="2,3", help="min weights to score at")
    ap.add_argument("--networks", default=",".join(NETWORKS))
    ap.add_argument("--no-workaround", action="store_true", help="skip co_link_noempty")
    a = ap.parse_args(argv)
    result = run_toolkit(
        a.csv,
        a.out,
        window=a.window,
        networks=[n for n in a.networks.split(",") if n],
        min_edge_weight=a.min_edge_weight,
        empty_url_workaround=not a.no_workaround,
    )
    report: dict[str, Any] = {
        "csv": str(a.csv),
        "window": a.window,
        "timings": result["timings"],
        "edges": {k: str(v) for k, v in result["edges"].items()},
    }
    print("step                      seconds")
    for step, s in result["timings"].items():
        print(f"{step:24s} {s:8.1f}")
    truth_path = a.truth or a.csv.with_name("truth.json")
    if truth_path.exists():
        truth = json.loads(truth_path.read_text())
        scores: dict[str, list[dict[str, Any]]] = {}
        print("\nnetwork            min_w   edges  detected  recall  precision  prec_kind  groups")
        for name, path in result["edges"].items():
            edges = read_edges(path)
            for w in (int(x) for x in a.score_weights.split(",")):
                s = group_recall_precision(edges, truth, name, w)
                scores.setdefault(name, []).append(s)
                print(
                    f"{name:18s} {w:5d} {s['edges']:7d} {s['detected']:9d}  "
                    f"{_fmt(s['recall']):6s}  {_fmt(s['precision']):9s}  "
                    f"{_fmt(s['precision_kind']):9s}  {s['groups_found']}/{s['groups_expected']}"
                )
        report["scores"] = scores
    (a.out / "report.json").write_text(json.dumps(report, indent=1))
    print(f"\nreport: {a.out / 'report.json'}")


if __name__ == "__main__":
    main()
