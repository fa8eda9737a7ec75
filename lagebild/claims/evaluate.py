"""Evaluation harness: the public claim benchmarks, read from disk and scored the official way.

**Claim matching** is scored as the CLEF CheckThat! lab scores task 2 (verified claim retrieval).
Both official scorers — ``evaluate.py`` of *sshaar/clef2020-factchecking-task2* (2020) and the
task-2 ``scorer/main.py`` of the 2021 lab (``MAIN_THRESHOLDS = [1, 3, 5, 10, 20, 50, 1000]``) —
delegate to trectools (``TrecEval.get_map(depth)``, ``get_precision(depth)``,
``get_reciprocal_rank()``), which:

* orders each query's claims by score, highest first, ties by claim id descending; the rank
  column of a run file is ignored (the 2020 format checker even demands it be ``1``);
* AP@k = Σ precision@i over the ranks i ≤ k that hold a relevant claim, divided by the number
  of relevant claims of the query in the qrels — *not* by min(k, R): a tweet with two relevant
  fact-checks scores at most 1/2 at k = 1;
* P@k = relevant claims among the top k, divided by k (even if fewer were returned);
* averages over the queries present in both the run and the qrels: a query without qrels (2020
  test tweet 1198) is ignored; a query missing from the run is ignored by the 2020 scorer and
  makes the 2021 scorer refuse the run ("Missing iclaim … Cannot score").

Here ``missing="error"`` (the default) refuses like 2021, ``"skip"`` reproduces 2020 and
``"zero"`` counts an unranked query as a miss. One deliberate difference: a qrels line listed
twice (2020 test tweet 1167 → claim 9807; 2021 ``tweet-sno-1167``) counts once, where trectools
merges it twice and can give a query an AP above 1. Recall@k (relevant claims in the top k over
all relevant claims) is not reported by the official scorers; it measures candidate generation.

**Claim detection** uses each benchmark's own metric — see :func:`macro_f1` (GermEval 2021),
:func:`positive_f1` (CheckThat! 2024 task 1) and :func:`class_averaged_f1` (ClaimBuster).

Loaders read the layouts described in ``shared/data/claims/README.md``; the generic
``checkthat`` retrieval layout finds the files of other editions by name pattern. Every missing
or malformed file raises a :class:`~lagebild.errors.FormatError` naming the file and what was
expected; bad parameters raise a :class:`~lagebild.errors.ConfigError`.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal, NamedTuple

from lagebild.errors import ConfigError, FormatError, LagebildError

__all__ = [
    "DETECTION_BENCHMARKS",
    "MAP_DEPTHS",
    "PRECISION_DEPTHS",
    "RECALL_DEPTHS",
    "RETRIEVAL_BENCHMARKS",
    "RETRIEVAL_SPLITS",
    "DetectionBenchmark",
    "DetectionExample",
    "Missing",
    "RetrievalBenchmark",
    "average_precision_at_k",
    "class_averaged_f1",
    "evaluate_detection",
    "evaluate_rankings",
    "format_run",
    "load_detection_benchmark",
    "load_retrieval_benchmark",
    "macro_f1",
    "mean_average_precision",
    "mean_reciprocal_rank",
    "parse_qrels",
    "parse_run",
    "positive_f1",
    "precision_at_k",
    "read_qrels",
    "read_run",
    "recall_at_k",
    "reciprocal_rank",
    "stratified_folds",
    "write_run",
]

#: How to count a query of the qrels that has no ranking (see the module docstring).
Missing = Literal["error", "zero", "skip"]

#: Cut-offs reported by :func:`evaluate_rankings`.
MAP_DEPTHS: Final = (1, 3, 5, 10, 20)
PRECISION_DEPTHS: Final = (1, 3, 5)
RECALL_DEPTHS: Final = (1, 5, 10, 20)

#: Retrieval benchmark names; ``checkthat`` is any edition with the lab's layout.
RETRIEVAL_BENCHMARKS: Final = ("checkthat2020", "checkthat2021", "checkthat")
RETRIEVAL_SPLITS: Final = ("train", "dev", "test")

_CLAIMBUSTER_FOLDS: Final = 4
#: Detection benchmark names and their splits.
DETECTION_BENCHMARKS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "germeval2021": ("train", "test"),
        "checkthat2024": ("train", "dev", "dev-test", "test"),
        "claimbuster": (
            "all",
            *(
                f"{part}-fold{i}"
                for i in range(1, _CLAIMBUSTER_FOLDS + 1)
                for part in ("train", "test")
            ),
        ),
    }
)
_DETECTION_METRICS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "germeval2021": (
            "macro_f1",
            "GermEval 2021 subtask 3: harmonic mean of macro precision and macro recall",
        ),
        "checkthat2024": ("f1", "CheckThat! 2024 task 1: F1 of the positive class (Yes)"),
        "claimbuster": (
            "macro_f1",
            "ClaimBuster: mean of the per-class F1 scores over 4 stratified folds",
        ),
    }
)
_RUN_HINT = "a run file has one line per query and claim: qid Q0 claim_id rank score tag"


# --- ranking metrics -------------------------------------------------------------------------


def _check_k(k: int) -> None:
    """Refuse a cut-off below 1."""
    if k < 1:
        raise ConfigError(f"cut-off k must be at least 1, got {k}", hint="use e.g. k = 1, 5, 10")


def _check_query(ranking: Sequence[str], relevant: AbstractSet[str]) -> None:
    """Refuse a query without relevant claims and a ranking that repeats a claim."""
    if not relevant:
        raise ConfigError(
            "a query without relevant claims has no AP, precision or recall",
            hint="leave queries without qrels out, as the official scorers do",
        )
    seen: set[str] = set()
    for claim in ranking:
        if claim in seen:
            raise ConfigError(
                f"a ranking lists claim {claim!r} twice",
                hint="keep each claim once, at its best rank (the lab's format checker "
                "rejects duplicate query-claim pairs)",
            )
        seen.add(claim)


def average_precision_at_k(ranking: Sequence[str], relevant: AbstractSet[str], k: int) -> float:
    """AP@k of one query, divided by its number of relevant claims (trectools ``get_map``).

    Why this divisor: it is what the CheckThat! 2020 and 2021 task-2 scorers compute, so the
    numbers are comparable with the published ones.
    """
    _check_k(k)
    _check_query(ranking, relevant)
    hits, total = 0, 0.0
    for rank, claim in enumerate(ranking[:k], start=1):
        if claim in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def precision_at_k(ranking: Sequence[str], relevant: AbstractSet[str], k: int) -> float:
    """P@k of one query: relevant claims in the top k over k (trectools ``get_precision``)."""
    _check_k(k)
    _check_query(ranking, relevant)
    return sum(claim in relevant for claim in ranking[:k]) / k


def recall_at_k(ranking: Sequence[str], relevant: AbstractSet[str], k: int) -> float:
    """Recall@k of one query: share of its relevant claims found in the top k.

    Why: it tells whether a cheap candidate stage keeps the right fact-check for the re-ranker.
    """
    _check_k(k)
    _check_query(ranking, relevant)
    return sum(claim in relevant for claim in ranking[:k]) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], relevant: AbstractSet[str], k: int = 1000) -> float:
    """1 / rank of the first relevant claim within the top k, else 0 (trectools, depth 1000)."""
    _check_k(k)
    _check_query(ranking, relevant)
    for rank, claim in enumerate(ranking[:k], start=1):
        if claim in relevant:
            return 1.0 / rank
    return 0.0


def _mean_over_queries(
    metric: Callable[[Sequence[str], AbstractSet[str]], float],
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, AbstractSet[str]],
    missing: Missing,
) -> tuple[float, int]:
    """Mean of a per-query metric over the judged queries, and how many were averaged."""
    if missing not in ("error", "zero", "skip"):
        raise ConfigError(f"unknown missing={missing!r}", hint="use 'error', 'zero' or 'skip'")
    judged = [qid for qid, relevant in qrels.items() if relevant]
    absent = [qid for qid in judged if qid not in rankings]
    if absent and missing == "error":
        shown = ", ".join(absent[:3]) + (", …" if len(absent) > 3 else "")
        raise ConfigError(
            f"no ranking for {len(absent)} of {len(judged)} judged queries ({shown})",
            hint="rank every query of the split (the 2021 scorer refuses such a run), or pass "
            "missing='zero' to count them as misses or missing='skip' to leave them out",
        )
    total, count = 0.0, 0
    for qid in judged:
        if qid in rankings:
            total += metric(rankings[qid], qrels[qid])
            count += 1
        elif missing == "zero":
            count += 1
    if count == 0:
        raise ConfigError(
            "no judged query to score", hint="the rankings and qrels share no query id"
        )
    return total / count, count


def mean_average_precision(
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, AbstractSet[str]],
    k: int,
    *,
    missing: Missing = "error",
) -> float:
    """MAP@k, the official CheckThat! task-2 measure (MAP@5 ranks the teams)."""
    _check_k(k)
    return _mean_over_queries(_at_depth(average_precision_at_k, k), rankings, qrels, missing)[0]


def mean_reciprocal_rank(
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, AbstractSet[str]],
    *,
    k: int = 1000,
    missing: Missing = "error",
) -> float:
    """MRR within the top k, as the scorers' ``reciprocal_rank`` line reports it."""
    _check_k(k)
    return _mean_over_queries(_at_depth(reciprocal_rank, k), rankings, qrels, missing)[0]


def _at_depth(
    fn: Callable[[Sequence[str], AbstractSet[str], int], float], k: int
) -> Callable[[Sequence[str], AbstractSet[str]], float]:
    """A per-query metric with its cut-off fixed."""
    return lambda ranking, relevant: fn(ranking, relevant, k)


def evaluate_rankings(
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, AbstractSet[str]],
    *,
    missing: Missing = "error",
) -> dict[str, float | int]:
    """All retrieval measures of one run: ``map_at_{1,3,5,10,20}``, ``precision_at_*``,
    ``recall_at_{1,5,10,20}``, ``mrr`` and ``queries`` (how many were averaged).

    Why one call: the CLI, the benchmark table and the tests report the same numbers.
    """
    per_query: dict[str, Callable[[Sequence[str], AbstractSet[str], int], float]] = {
        "map_at": average_precision_at_k,
        "precision_at": precision_at_k,
        "recall_at": recall_at_k,
    }
    depths = {"map_at": MAP_DEPTHS, "precision_at": PRECISION_DEPTHS, "recall_at": RECALL_DEPTHS}
    result: dict[str, float | int] = {}
    count = 0
    for prefix, fn in per_query.items():
        for k in depths[prefix]:
            metric = _at_depth(fn, k)
            result[f"{prefix}_{k}"], count = _mean_over_queries(metric, rankings, qrels, missing)
    result["mrr"] = mean_reciprocal_rank(rankings, qrels, missing=missing)
    result["queries"] = count
    return result


# --- run files and qrels ---------------------------------------------------------------------


def _read_text(path: Path, what: str, hint: str) -> str:
    """The UTF-8 text of a file, or a FormatError that names it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormatError(f"{what} {path} not found", hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read {what} {path}: {exc}", hint=hint) from exc


def parse_run(text: str, *, source: str = "run") -> dict[str, list[str]]:
    """Rankings from a run file's text (``qid Q0 claim_id rank score tag``), best first.

    Claims are ordered by score, ties by claim id descending (numerically when every id is an
    integer), and the rank column is ignored — exactly as trectools orders them for scoring.
    """
    entries: dict[str, list[tuple[float, str]]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{source}:{number}"
        if len(fields) != 6:
            raise FormatError(f"{where}: expected 6 columns, found {len(fields)}", hint=_RUN_HINT)
        qid, q0, claim, _rank, score_text, _tag = fields
        if q0 not in ("Q0", "0"):
            raise FormatError(f"{where}: second column must be Q0, not {q0!r}", hint=_RUN_HINT)
        try:
            score = float(score_text)
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            raise FormatError(f"{where}: score {score_text!r} is not a number", hint=_RUN_HINT)
        if (qid, claim) in first_line:
            raise FormatError(
                f"{where}: query {qid} lists claim {claim} again "
                f"(first on line {first_line[qid, claim]})",
                hint="keep each query-claim pair once",
            )
        first_line[qid, claim] = number
        entries.setdefault(qid, []).append((score, claim))
    numeric = all(re.fullmatch(r"-?\d+", claim) for _, claim in first_line)
    rankings: dict[str, list[str]] = {}
    for qid, items in entries.items():
        if numeric:
            items.sort(key=lambda item: (item[0], int(item[1])), reverse=True)
        else:
            items.sort(reverse=True)
        rankings[qid] = [claim for _, claim in items]
    return rankings


def read_run(path: str | Path) -> dict[str, list[str]]:
    """Rankings from a run file on disk, so a user can score a run made elsewhere."""
    path = Path(path)
    return parse_run(_read_text(path, "run file", _RUN_HINT), source=str(path))


def _check_token(value: str, what: str) -> None:
    """Refuse an id or tag that would break the whitespace-separated run format."""
    if not value or any(ch.isspace() for ch in value):
        raise ConfigError(
            f"{what} {value!r} is empty or contains whitespace",
            hint="run files separate columns by whitespace; use ids without spaces",
        )


def format_run(
    rankings: Mapping[str, Sequence[str]],
    *,
    scores: Mapping[str, Sequence[float]] | None = None,
    tag: str = "lagebild",
) -> str:
    """The lab's run-file text for rankings (tab-separated, ranks 1…n).

    Without ``scores`` each claim gets n − rank + 1, so reading the file back gives the same
    order; given scores must not increase down a ranking (equal scores are re-ordered by the
    scorer, ties by claim id).
    """
    _check_token(tag, "tag")
    lines: list[str] = []
    for qid, ranking in rankings.items():
        _check_token(qid, "query id")
        given = None if scores is None else scores.get(qid)
        if scores is not None and (given is None or len(given) != len(ranking)):
            raise ConfigError(
                f"query {qid}: {len(ranking)} claims but "
                f"{'no' if given is None else len(given)} scores",
                hint="give one score per ranked claim, or no scores at all",
            )
        if len(set(ranking)) != len(ranking):
            raise ConfigError(f"query {qid}: a claim is ranked twice", hint="keep each once")
        previous = math.inf
        for position, claim in enumerate(ranking):
            _check_token(claim, "claim id")
            score = float(len(ranking) - position) if given is None else float(given[position])
            if not math.isfinite(score) or score > previous:
                raise ConfigError(
                    f"query {qid}: score {score} of claim {claim} is not finite or higher "
                    "than the score above it",
                    hint="list claims best first with non-increasing finite scores",
                )
            previous = score
            score_text = format(Decimal(repr(score)), "f")
            lines.append(f"{qid}\tQ0\t{claim}\t{position + 1}\t{score_text}\t{tag}")
    return "".join(line + "\n" for line in lines)


def write_run(
    path: str | Path,
    rankings: Mapping[str, Sequence[str]],
    *,
    scores: Mapping[str, Sequence[float]] | None = None,
    tag: str = "lagebild",
) -> None:
    """Write rankings as a run file, for the lab's scorer or a later :func:`read_run`."""
    path = Path(path)
    text = format_run(rankings, scores=scores, tag=tag)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LagebildError(
            f"cannot write run file {path}: {exc}", hint="check that the folder exists"
        ) from exc


def parse_qrels(text: str, *, source: str = "qrels") -> dict[str, frozenset[str]]:
    """Relevant claims per query from TREC qrels text (``qid 0 claim_id relevance``).

    Lines with relevance 0 are dropped and a repeated line counts once.
    """
    relevant: dict[str, set[str]] = {}
    hint = "qrels lines are: query_id 0 claim_id relevance (1 = relevant)"
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 4 or not re.fullmatch(r"-?\d+", fields[3]):
            raise FormatError(
                f"{source}:{number}: expected 4 columns ending in an integer "
                f"relevance, found {line.strip()!r}",
                hint=hint,
            )
        if int(fields[3]) > 0:
            relevant.setdefault(fields[0], set()).add(fields[2])
    return {qid: frozenset(claims) for qid, claims in relevant.items()}


def read_qrels(path: str | Path) -> dict[str, frozenset[str]]:
    """Relevant claims per query from a qrels file on disk."""
    path = Path(path)
    text = _read_text(path, "qrels file", "expected TREC qrels: query_id 0 claim_id relevance")
    return parse_qrels(text, source=str(path))


# --- retrieval benchmarks --------------------------------------------------------------------


@dataclass(frozen=True)
class RetrievalBenchmark:
    """One split of a claim-matching benchmark: fact-checks, tweets and which ones match.

    ``claims`` maps a claim id to its text fields (``vclaim``, ``title``, and for 2021
    ``subtitle``, ``author``, ``date``); ``queries`` maps a query id to its text; ``qrels`` maps
    a query id to its relevant claim ids. ``files`` are the files read, for provenance.
    """

    name: str
    split: str
    claims: Mapping[str, Mapping[str, str]]
    queries: Mapping[str, str]
    qrels: Mapping[str, frozenset[str]]
    files: tuple[Path, ...]


def _tsv_rows(path: Path, delimiter: str = "\t") -> list[tuple[int, list[str]]]:
    """Non-empty rows of a quoted TSV/CSV file (as pandas reads it), with their line numbers."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            rows, line = [], 1
            for row in reader:
                if row:
                    rows.append((line, row))
                line = reader.line_num + 1
            return rows
    except FileNotFoundError:
        raise FormatError(f"{path} not found", hint="check the benchmark folder") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"cannot read {path}: {exc}", hint="expected UTF-8 text") from exc


def _claim_from_json(obj: object, where: str) -> tuple[str, dict[str, str]]:
    """Claim id and text fields of one verified-claim JSON object."""
    if not isinstance(obj, dict) or "vclaim_id" not in obj or "vclaim" not in obj:
        raise FormatError(
            f"{where}: expected a JSON object with vclaim_id and vclaim",
            hint='e.g. {"vclaim_id": "vclaim-sno-…", "vclaim": "…", "title": "…"}',
        )
    fields = {str(k): str(v) for k, v in obj.items() if k != "vclaim_id" and v is not None}
    return str(obj["vclaim_id"]), fields


def _add_claim(
    claims: dict[str, dict[str, str]], claim_id: str, fields: dict[str, str], where: str
) -> None:
    """Store a claim, refusing a second claim with the same id."""
    if claim_id in claims:
        raise FormatError(f"{where}: claim id {claim_id} appears twice", hint="ids must be unique")
    claims[claim_id] = fields


def _read_claims(path: Path) -> dict[str, dict[str, str]]:
    """Verified claims from a JSONL file, a folder of JSON files or a ``*.docs.tsv``."""
    claims: dict[str, dict[str, str]] = {}
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            try:
                obj = json.loads(_read_text(file, "claim file", "expected one JSON object"))
            except json.JSONDecodeError as exc:
                raise FormatError(f"{file}: not JSON ({exc})", hint="one object per file") from exc
            _add_claim(claims, *_claim_from_json(obj, str(file)), str(file))
    elif path.suffix == ".jsonl":
        text = _read_text(path, "claims file", "expected one JSON object per line")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                where = f"{path}:{number}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FormatError(
                        f"{where}: not JSON ({exc})", hint="one object per line"
                    ) from exc
                _add_claim(claims, *_claim_from_json(obj, where), where)
    else:
        rows = _tsv_rows(path)
        header = rows[0][1] if rows else []
        if "vclaim" not in header:
            raise FormatError(
                f"{path}: expected a header row with a vclaim column",
                hint="vclaim_id TAB vclaim TAB title (the id column's name may be empty)",
            )
        names = [name or f"column{i}" for i, name in enumerate(header)]
        for number, row in rows[1:]:
            where = f"{path}:{number}"
            if len(row) != len(names):
                raise FormatError(
                    f"{where}: expected {len(names)} columns, found {len(row)}",
                    hint="fields with tabs or line breaks must be quoted",
                )
            _add_claim(claims, row[0], dict(zip(names[1:], row[1:], strict=True)), where)
    if not claims:
        raise FormatError(f"{path} holds no verified claims", hint="check the benchmark folder")
    return claims


_QUERY_HEADER: Final = frozenset(
    {"tweet_id", "tweet_content", "iclaim_id", "iclaim", "id", "text", "query_id", "query"}
)


def _read_queries(path: Path) -> dict[str, str]:
    """Query id → text from a two-column TSV, with or without a header row."""
    rows = _tsv_rows(path)
    if rows and (rows[0][1][0] == "" or _QUERY_HEADER & {c.strip().lower() for c in rows[0][1]}):
        rows = rows[1:]
    queries: dict[str, str] = {}
    for number, row in rows:
        if len(row) != 2:
            raise FormatError(
                f"{path}:{number}: expected 2 columns (id, text), found {len(row)}",
                hint="one query per line: query_id TAB text",
            )
        if row[0] in queries:
            raise FormatError(
                f"{path}:{number}: query id {row[0]} appears twice", hint="ids must be unique"
            )
        queries[row[0]] = row[1]
    return queries


def _require(path: Path, name: str, split: str, layout: str) -> Path:
    """The path if the file exists, else a FormatError describing the expected layout."""
    if not path.exists():
        raise FormatError(
            f"{name} {split}: {path.name} not found in {path.parent}",
            hint=f"{layout}; for another edition's file names use the benchmark 'checkthat'",
        )
    return path


def _layout_2020(data_dir: Path, split: str) -> tuple[Path, Path, Path, bool]:
    """Files of CheckThat! 2020 task 2 (claims, queries, qrels; shared queries file?)."""
    layout = (
        "CheckThat! 2020 task 2 holds verified_claims.docs.tsv, "
        "{train,dev,test}.queries.tsv and {train,dev,test}.qrels"
    )
    claims, queries, qrels = (
        _require(data_dir / file, "checkthat2020", split, layout)
        for file in ("verified_claims.docs.tsv", f"{split}.queries.tsv", f"{split}.qrels")
    )
    return claims, queries, qrels, False


def _layout_2021(data_dir: Path, split: str) -> tuple[Path, Path, Path, bool]:
    """Files of CheckThat! 2021 task 2A; train and dev share ``tweets-train-dev.tsv``."""
    layout = (
        "CheckThat! 2021 task 2A holds vclaims.jsonl, tweets-train-dev.tsv, "
        "tweets-test.tsv and qrels-{train,dev,test}.tsv"
    )
    tweets = "tweets-test.tsv" if split == "test" else "tweets-train-dev.tsv"
    claims, queries, qrels = (
        _require(data_dir / file, "checkthat2021", split, layout)
        for file in ("vclaims.jsonl", tweets, f"qrels-{split}.tsv")
    )
    return claims, queries, qrels, split != "test"


def _find_claims(data_dir: Path) -> Path:
    """The verified claims of a generic layout: vclaims.jsonl, one *.jsonl, vclaims/, *.docs.tsv."""
    hint = (
        "expected vclaims.jsonl (one JSON object per line with vclaim_id, vclaim, title…), "
        "another single *.jsonl, a vclaims/ folder of JSON files, or one *.docs.tsv"
    )
    if (data_dir / "vclaims.jsonl").is_file():
        return data_dir / "vclaims.jsonl"
    for pattern in ("*.jsonl", "vclaims", "*.docs.tsv"):
        found = sorted(data_dir.glob(pattern))
        if pattern == "vclaims":
            found = [p for p in found if p.is_dir() and any(p.glob("*.json"))]
        if len(found) > 1:
            raise FormatError(
                f"several verified-claim files in {data_dir}: {', '.join(p.name for p in found)}",
                hint=hint,
            )
        if found:
            return found[0]
    raise FormatError(f"no verified claims found in {data_dir}", hint=hint)


def _tokens(name: str) -> frozenset[str]:
    """Lower-case alphanumeric words of a file name (``Train-Dev_Queries.tsv`` → train, dev…)."""
    return frozenset(t for t in re.split(r"[^a-z0-9]+", name.lower()) if t)


def _pick(
    candidates: list[tuple[Path, frozenset[str]]], split: str, what: str, data_dir: Path, hint: str
) -> tuple[Path, bool]:
    """The one file for a split — one made for it alone wins over one shared with other splits."""
    own = [path for path, splits in candidates if splits == {split}]
    chosen = own or [path for path, _ in candidates]
    if len(chosen) == 1:
        return chosen[0], not own
    if not chosen:
        raise FormatError(f"no {what} for split {split!r} in {data_dir}", hint=hint)
    raise FormatError(
        f"several {what}s for split {split!r} in {data_dir}: {', '.join(p.name for p in chosen)}",
        hint="keep one per split",
    )


def _layout_generic(data_dir: Path, split: str) -> tuple[Path, Path, Path, bool]:
    """Files of any edition: names carrying the split, or files in a ``<split>/`` subfolder."""
    claims = _find_claims(data_dir)
    candidates = [
        (path, _tokens(path.name) & set(RETRIEVAL_SPLITS))
        for path in sorted(data_dir.iterdir())
        if path.is_file() and split in _tokens(path.name)
    ]
    if (data_dir / split).is_dir():
        candidates += [
            (p, frozenset({split})) for p in sorted((data_dir / split).iterdir()) if p.is_file()
        ]
    is_qrels = [(p, s) for p, s in candidates if "qrel" in p.name.lower()]
    is_queries = [
        (p, s)
        for p, s in candidates
        if "qrel" not in p.name.lower() and p.suffix.lower() == ".tsv" and p != claims
    ]
    qrels, _ = _pick(
        is_qrels,
        split,
        "qrels file",
        data_dir,
        f"name it with 'qrels' and the split, e.g. qrels-{split}.tsv or {split}.qrels "
        f"(lines: query_id 0 claim_id 1), or put it in {data_dir / split}",
    )
    queries, shared = _pick(
        is_queries,
        split,
        "queries TSV",
        data_dir,
        f"name it with the split, e.g. tweets-{split}.tsv or "
        f"{split}.queries.tsv (query_id TAB text); a file shared by several "
        "splits such as tweets-train-dev.tsv works too",
    )
    return claims, queries, qrels, shared


_LAYOUTS: Final = MappingProxyType(
    {"checkthat2020": _layout_2020, "checkthat2021": _layout_2021, "checkthat": _layout_generic}
)


def load_retrieval_benchmark(
    name: str, data_dir: str | Path, split: str = "test"
) -> RetrievalBenchmark:
    """Read one split of a claim-matching benchmark (``checkthat2020``, ``checkthat2021`` or
    ``checkthat`` for any edition with a verified-claims file, a queries TSV and qrels).

    A queries file shared by several splits (``tweets-train-dev.tsv``) is cut down to the
    queries that this split's qrels list.
    """
    if name not in _LAYOUTS:
        raise ConfigError(
            f"unknown retrieval benchmark {name!r}",
            hint=f"use one of {', '.join(RETRIEVAL_BENCHMARKS)}",
        )
    if split not in RETRIEVAL_SPLITS:
        raise ConfigError(f"unknown split {split!r}", hint=f"use {', '.join(RETRIEVAL_SPLITS)}")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FormatError(
            f"benchmark folder {data_dir} not found",
            hint="point --data at the folder that holds the benchmark files",
        )
    claims_path, queries_path, qrels_path, shared = _LAYOUTS[name](data_dir, split)
    claims = _read_claims(claims_path)
    queries = _read_queries(queries_path)
    qrels = read_qrels(qrels_path)
    if not qrels:
        raise FormatError(
            f"{qrels_path} lists no relevant query-claim pair",
            hint="qrels lines are: query_id 0 claim_id 1",
        )
    if shared:
        queries = {qid: text for qid, text in queries.items() if qid in qrels}
    for unknown, where, kind in (
        ([q for q in qrels if q not in queries], queries_path, "queries"),
        (sorted({c for rel in qrels.values() for c in rel} - claims.keys()), claims_path, "claims"),
    ):
        if unknown:
            raise FormatError(
                f"{qrels_path} names {len(unknown)} {kind} missing from {where} "
                f"(e.g. {', '.join(unknown[:3])})",
                hint="qrels, queries and claims must come from the same edition and split",
            )
    return RetrievalBenchmark(
        name, split, claims, queries, qrels, (claims_path, queries_path, qrels_path)
    )


# --- detection metrics -----------------------------------------------------------------------


def _check_binary(gold: Sequence[int], predicted: Sequence[int]) -> None:
    """Refuse label sequences of different length, empty ones, or labels other than 0/1."""
    if len(gold) != len(predicted) or not gold:
        raise ConfigError(
            f"{len(gold)} gold labels but {len(predicted)} predictions",
            hint="give one prediction per gold item",
        )
    if not {*gold, *predicted} <= {0, 1}:
        raise ConfigError("labels must be 0 or 1", hint="1 = (check-worthy) factual claim")


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0 when the denominator is 0 (scikit-learn's zero_division)."""
    return numerator / denominator if denominator else 0.0


def _class_scores(gold: Sequence[int], predicted: Sequence[int]) -> dict[int, tuple[float, ...]]:
    """Per class present in gold or predictions: precision, recall, F1 and gold support."""
    _check_binary(gold, predicted)
    scores: dict[int, tuple[float, ...]] = {}
    for label in sorted({*gold, *predicted}):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        precision = _ratio(tp, sum(p == label for p in predicted))
        recall = _ratio(tp, sum(g == label for g in gold))
        f1 = _ratio(2 * precision * recall, precision + recall)
        scores[label] = (precision, recall, f1, sum(g == label for g in gold))
    return scores


def _positive_scores(gold: Sequence[int], predicted: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of class 1 (scikit-learn ``average='binary'``)."""
    _check_binary(gold, predicted)
    tp = sum(g == p == 1 for g, p in zip(gold, predicted, strict=True))
    precision, recall = _ratio(tp, sum(predicted)), _ratio(tp, sum(gold))
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def positive_f1(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """F1 of the positive class — CheckThat! 2024 task 1's official measure.

    Source: checkthat.gitlab.io/clef2024/task1 ("F1 over the positive class"); the lab's
    task-1 scorer calls ``f1_score(gold, pred, pos_label='Yes', average='binary')``.
    """
    return _positive_scores(gold, predicted)[2]


def macro_f1(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """GermEval 2021's official macro-F1: the harmonic mean of macro precision and macro recall.

    Source: ``evaluate.py`` of germeval2021toxic/SharedTask takes the "macro avg" precision P
    and recall R of scikit-learn's ``classification_report`` and reports 2PR / (P + R) — not
    the mean of the per-class F1 scores (that is :func:`class_averaged_f1`); the two differ.
    """
    scores = _class_scores(gold, predicted)
    precision = sum(s[0] for s in scores.values()) / len(scores)
    recall = sum(s[1] for s in scores.values()) / len(scores)
    return _ratio(2 * precision * recall, precision + recall)


def class_averaged_f1(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """Mean of the per-class F1 scores (scikit-learn ``average='macro'``), as ClaimBuster reports.

    Source: utaresearch/claimbuster-spotter ``train.py`` (4-fold StratifiedKFold over
    kfold_25ncs.json, ``f1_score(..., average='macro')``).
    """
    scores = _class_scores(gold, predicted)
    return sum(s[2] for s in scores.values()) / len(scores)


def evaluate_detection(
    name: str, gold: Mapping[str, int], predicted: Mapping[str, int]
) -> dict[str, float | int]:
    """A benchmark's official measure (key ``macro_f1`` or ``f1``, see
    :attr:`DetectionBenchmark.metric`) with the precision and recall it is built from,
    ``accuracy`` and ``items``; predictions are matched to gold labels by id.
    """
    if name not in DETECTION_BENCHMARKS:
        raise ConfigError(
            f"unknown detection benchmark {name!r}",
            hint=f"use one of {', '.join(DETECTION_BENCHMARKS)}",
        )
    for ids, problem in (
        ([i for i in gold if i not in predicted], "no prediction"),
        ([i for i in predicted if i not in gold], "no gold label"),
    ):
        if ids:
            raise ConfigError(
                f"{len(ids)} items have {problem} (e.g. {', '.join(ids[:3])})",
                hint="predict exactly the items of the split, by id",
            )
    ids = list(gold)
    g, p = [gold[i] for i in ids], [predicted[i] for i in ids]
    _check_binary(g, p)
    accuracy = sum(a == b for a, b in zip(g, p, strict=True)) / len(g)
    if name == "checkthat2024":
        precision, recall, f1 = _positive_scores(g, p)
        return {
            "f1": f1,
            "precision": precision,
            "recall": recall,
            "accuracy": accuracy,
            "items": len(g),
        }
    scores = _class_scores(g, p)
    precision = sum(s[0] for s in scores.values()) / len(scores)
    recall = sum(s[1] for s in scores.values()) / len(scores)
    result: dict[str, float | int] = {
        "macro_f1": macro_f1(g, p) if name == "germeval2021" else class_averaged_f1(g, p),
        "precision": precision,
        "recall": recall,
        "accuracy": accuracy,
        "positive_f1": positive_f1(g, p),
        "items": len(g),
    }
    if name == "claimbuster":
        result["weighted_f1"] = sum(s[2] * s[3] for s in scores.values()) / len(g)
    return result


# --- detection benchmarks --------------------------------------------------------------------


class DetectionExample(NamedTuple):
    """One text to classify and its gold label (1 = factual / check-worthy claim)."""

    id: str
    text: str
    label: int


@dataclass(frozen=True)
class DetectionBenchmark:
    """One split of a claim-detection benchmark and the name and meaning of its measure."""

    name: str
    split: str
    examples: tuple[DetectionExample, ...]
    metric: str
    metric_description: str
    files: tuple[Path, ...]

    def labels(self) -> dict[str, int]:
        """Gold label per id, the ``gold`` argument of :func:`evaluate_detection`."""
        return {example.id: example.label for example in self.examples}


def stratified_folds(
    examples: Sequence[DetectionExample], n_folds: int = 4, seed: int = 59
) -> dict[str, int]:
    """Fold number (1…n) per id, each fold with the same share of each label.

    Why: cross-validated scores on the training data, the only honest score while test labels
    are withheld. Deterministic (seed 59 and 4 folds are the ClaimBuster spotter's defaults,
    though its own fold assignment also depends on its shuffling and cannot be reproduced).
    """
    if n_folds < 2:
        raise ConfigError(f"n_folds must be at least 2, got {n_folds}", hint="use e.g. 4 or 5")
    by_label: dict[int, list[str]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example.id)
    rng = random.Random(seed)
    folds: dict[str, int] = {}
    for label in sorted(by_label):
        ids = by_label[label]
        rng.shuffle(ids)
        for item in ids:
            folds[item] = len(folds) % n_folds + 1
    return folds


def _label(value: object, where: str, yes_no: bool = False) -> int:
    """0/1 from a label cell: ``0``/``1``, or ``No``/``Yes`` for CheckThat!."""
    text = str(value).strip().lower()
    labels = {"no": 0, "yes": 1} if yes_no else {"0": 0, "1": 1}
    if text not in labels:
        raise FormatError(
            f"{where}: label {value!r} is not {' or '.join(labels)}",
            hint="the gold label column must be binary",
        )
    return labels[text]


def _records(
    path: Path, required: tuple[str, ...], delimiter: str
) -> list[tuple[str, dict[str, str]]]:
    """Rows of a delimited file with a header, as (location, column → value), checked columns.

    A line that glues two CheckThat! rows (``…\\tNo29286\\t…``, once in the CT24 English train
    file) is split back into its two rows.
    """
    rows = _tsv_rows(path, delimiter)
    header = rows[0][1] if rows else []
    if missing := [column for column in required if column not in header]:
        raise FormatError(
            f"{path}: missing column(s) {', '.join(missing)}",
            hint=f"expected a header row with {', '.join(required)}",
        )
    records = []
    for number, row in rows[1:]:
        where = f"{path}:{number}"
        glued = (
            re.fullmatch(r"(Yes|No)(\d+)", row[len(header) - 1])
            if (len(row) == 2 * len(header) - 1)
            else None
        )
        if glued:
            first, second = row[: len(header)], [glued[2], *row[len(header) :]]
            first[-1] = glued[1]
            records += [
                (where, dict(zip(header, first, strict=True))),
                (where, dict(zip(header, second, strict=True))),
            ]
        elif len(row) == len(header):
            records.append((where, dict(zip(header, row, strict=True))))
        else:
            raise FormatError(
                f"{where}: expected {len(header)} columns, found {len(row)}",
                hint="fields with the separator or line breaks must be quoted",
            )
    return records


def _one(data_dir: Path, pattern: str, hint: str) -> Path | None:
    """The single file matching a glob pattern in a folder, None if there is none."""
    found = sorted(data_dir.glob(pattern))
    if len(found) > 1:
        raise FormatError(
            f"several files match {pattern} in {data_dir}: {', '.join(p.name for p in found)}",
            hint=hint,
        )
    return found[0] if found else None


def _germeval(data_dir: Path, split: str) -> tuple[list[DetectionExample], tuple[Path, ...]]:
    """GermEval 2021 subtask 3 (``Sub3_FactClaiming``); test labels from ``truth.csv``."""
    label = "Sub3_FactClaiming"
    path = data_dir / f"{split}.csv"
    if not path.is_file():
        raise FormatError(
            f"germeval2021 {split}: {path.name} not found in {data_dir}",
            hint="GermEval 2021 holds train.csv (comment_id, comment_text, …, Sub3_FactClaiming) "
            "and test.csv (comment_id, comment_text)",
        )
    required = ("comment_id", "comment_text") + ((label,) if split == "train" else ())
    rows = _records(path, required, ",")
    files: tuple[Path, ...] = (path,)
    if split == "train" or (rows and label in rows[0][1]):
        labels = {row["comment_id"]: _label(row[label], where) for where, row in rows}
    else:
        truth = data_dir / "truth.csv"
        if not truth.is_file():
            raise FormatError(
                f"germeval2021 test labels are withheld: {truth} not found",
                hint="put the organisers' gold labels in truth.csv (columns comment_id and "
                "Sub3_FactClaiming) next to test.csv; until then report cross-validated "
                "scores on train",
            )
        labels = {
            row["comment_id"]: _label(row[label], where)
            for where, row in _records(truth, ("comment_id", label), ",")
        }
        files += (truth,)
        ids = {row["comment_id"] for _, row in rows}
        if ids != labels.keys():
            raise FormatError(
                f"{truth} labels {len(labels)} comments, {path} holds {len(ids)} "
                f"({len(ids - labels.keys())} without a label)",
                hint="truth.csv must label exactly the comments of test.csv",
            )
    examples = [
        DetectionExample(row["comment_id"], row["comment_text"], labels[row["comment_id"]])
        for _, row in rows
    ]
    return examples, files


def _checkthat2024(data_dir: Path, split: str) -> tuple[list[DetectionExample], tuple[Path, ...]]:
    """CheckThat! 2024 task 1 English TSVs; the test split needs ``*_test_gold.tsv``."""
    columns = ("Sentence_id", "Text", "class_label")
    hint = "one CT24_checkworthy_english_<split>.tsv per split (Sentence_id, Text, class_label)"
    pattern = "*_test_gold.tsv" if split == "test" else f"*_{split}.tsv"
    path = _one(data_dir, pattern, hint)
    if path is None and split == "test":
        raise FormatError(
            f"checkthat2024 test labels are withheld: no *_test_gold.tsv in {data_dir}",
            hint="put the organisers' gold file (Sentence_id, class_label) next to the other "
            "TSVs; until then evaluate on dev and dev-test",
        )
    if path is None:
        raise FormatError(f"checkthat2024 {split}: no {pattern} in {data_dir}", hint=hint)
    rows = _records(path, columns if split != "test" else ("Sentence_id", "class_label"), "\t")
    files: tuple[Path, ...] = (path,)
    texts = {row["Sentence_id"]: row["Text"] for _, row in rows if "Text" in row}
    if split == "test" and not texts:
        source = _one(data_dir, "*_test.tsv", hint)
        if source is None:
            raise FormatError(
                f"{path} has no Text column and no *_test.tsv is next to it",
                hint="keep the test sentences (Sentence_id, Text) beside the gold",
            )
        texts = {
            row["Sentence_id"]: row["Text"]
            for _, row in _records(source, ("Sentence_id", "Text"), "\t")
        }
        files += (source,)
    examples = []
    for where, row in rows:
        if row["Sentence_id"] not in texts:
            raise FormatError(f"{where}: no text for sentence {row['Sentence_id']}", hint=hint)
        examples.append(
            DetectionExample(
                row["Sentence_id"],
                texts[row["Sentence_id"]],
                _label(row["class_label"], where, yes_no=True),
            )
        )
    return examples, files


def _claimbuster(data_dir: Path, split: str) -> tuple[list[DetectionExample], tuple[Path, ...]]:
    """ClaimBuster ``kfold_25ncs.json``: all sentences, or one train/test part of 4 folds."""
    path = data_dir / "kfold_25ncs.json"
    hint = 'a JSON list of {"sentence_id": …, "label": 0 or 1, "text": …}'
    try:
        items = json.loads(_read_text(path, "ClaimBuster file", hint))
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: not JSON ({exc})", hint=hint) from exc
    if not isinstance(items, list):
        raise FormatError(f"{path}: expected a JSON list", hint=hint)
    examples = []
    for index, item in enumerate(items):
        where = f"{path}: item {index}"
        if not isinstance(item, dict) or not {"sentence_id", "label", "text"} <= item.keys():
            raise FormatError(f"{where} lacks sentence_id, label or text", hint=hint)
        examples.append(
            DetectionExample(
                str(item["sentence_id"]), str(item["text"]), _label(item["label"], where)
            )
        )
    if split != "all":
        part, fold = split.split("-fold")
        folds = stratified_folds(examples, _CLAIMBUSTER_FOLDS)
        examples = [e for e in examples if (folds[e.id] == int(fold)) == (part == "test")]
    return examples, (path,)


_DETECTION_LOADERS: Final = MappingProxyType(
    {"germeval2021": _germeval, "checkthat2024": _checkthat2024, "claimbuster": _claimbuster}
)


def load_detection_benchmark(
    name: str, data_dir: str | Path, split: str = "train"
) -> DetectionBenchmark:
    """Read one split of a claim-detection benchmark (``germeval2021``, ``checkthat2024``,
    ``claimbuster``); a withheld test split raises a FormatError saying where its labels go.
    """
    if name not in DETECTION_BENCHMARKS:
        raise ConfigError(
            f"unknown detection benchmark {name!r}",
            hint=f"use one of {', '.join(DETECTION_BENCHMARKS)}",
        )
    if split not in DETECTION_BENCHMARKS[name]:
        raise ConfigError(
            f"{name} has no split {split!r}",
            hint=f"use one of {', '.join(DETECTION_BENCHMARKS[name])}",
        )
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FormatError(
            f"benchmark folder {data_dir} not found",
            hint="point --data at the folder that holds the benchmark files",
        )
    examples, files = _DETECTION_LOADERS[name](data_dir, split)
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise FormatError(
                f"{name} {split}: id {example.id} appears twice in {files[0]}",
                hint="ids must be unique",
            )
        seen.add(example.id)
    metric, description = _DETECTION_METRICS[name]
    return DetectionBenchmark(name, split, tuple(examples), metric, description, files)
