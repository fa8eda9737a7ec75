"""Tests for the evaluation harness: hand-computed metrics, run files, benchmark loaders."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagebild.claims.evaluate import (
    DETECTION_BENCHMARKS,
    DetectionExample,
    average_precision_at_k,
    class_averaged_f1,
    evaluate_detection,
    evaluate_rankings,
    format_run,
    load_detection_benchmark,
    load_retrieval_benchmark,
    macro_f1,
    mean_average_precision,
    mean_reciprocal_rank,
    parse_qrels,
    parse_run,
    positive_f1,
    precision_at_k,
    read_qrels,
    read_run,
    recall_at_k,
    reciprocal_rank,
    stratified_folds,
    write_run,
)
from lagebild.errors import ConfigError, FormatError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CT2020 = FIXTURES / "checkthat2020_like"
CT2021 = FIXTURES / "checkthat2021_like"
OTHER_YEAR = FIXTURES / "checkthat_other_year"


# --- ranking metrics, by hand ----------------------------------------------------------------


def test_ap_relevant_at_rank_2() -> None:
    # one relevant claim, found at rank 2: precision@2 = 1/2, divided by 1 relevant → 1/2
    assert average_precision_at_k(["x", "r", "y"], {"r"}, 5) == pytest.approx(0.5)


def test_ap_no_relevant_in_top_k() -> None:
    # the relevant claim is at rank 6, outside the top 5 → nothing to sum → 0
    ranking = ["a", "b", "c", "d", "e", "r"]
    assert average_precision_at_k(ranking, {"r"}, 5) == 0.0
    assert average_precision_at_k(ranking, {"r"}, 6) == pytest.approx(1 / 6)


def test_ap_several_relevant() -> None:
    # relevant at ranks 1 and 3: (1/1 + 2/3) / 2 relevant = 5/6
    assert average_precision_at_k(["r1", "x", "r2", "y"], {"r1", "r2"}, 5) == pytest.approx(5 / 6)


def test_ap_divides_by_all_relevant_not_by_k() -> None:
    # two relevant, k = 1, the first one at rank 1: 1/1 divided by R = 2 (not min(k, R) = 1)
    assert average_precision_at_k(["r1", "r2"], {"r1", "r2"}, 1) == pytest.approx(0.5)
    # three relevant, only one retrieved at rank 1: 1/1 divided by 3
    assert average_precision_at_k(["r1"], {"r1", "r2", "r3"}, 5) == pytest.approx(1 / 3)


def test_precision_recall_reciprocal_rank() -> None:
    ranking = ["a", "r1", "b"]
    # P@5: one relevant in the top 5 over 5 — trectools divides by k even when fewer returned
    assert precision_at_k(ranking, {"r1", "r2"}, 5) == pytest.approx(1 / 5)
    # Recall@10: one of two relevant claims found
    assert recall_at_k(ranking, {"r1", "r2"}, 10) == pytest.approx(0.5)
    assert recall_at_k(ranking, {"r1", "r2"}, 1) == 0.0
    # first relevant at rank 2 → 1/2; within the top 1 → 0
    assert reciprocal_rank(ranking, {"r1"}) == pytest.approx(0.5)
    assert reciprocal_rank(ranking, {"r1"}, k=1) == 0.0


def test_mean_average_precision_over_queries() -> None:
    rankings = {"q1": ["r", "x"], "q2": ["x", "r"], "q3": ["x", "y"], "extra": ["r"]}
    qrels = {"q1": frozenset({"r"}), "q2": frozenset({"r"}), "q3": frozenset({"r"})}
    # AP@5 per query: 1, 1/2, 0 → mean 1/2; "extra" has no qrels and is ignored
    assert mean_average_precision(rankings, qrels, 5) == pytest.approx(0.5)
    # MAP@1: 1, 0, 0 → 1/3
    assert mean_average_precision(rankings, qrels, 1) == pytest.approx(1 / 3)
    # MRR: 1, 1/2, 0 → 1/2
    assert mean_reciprocal_rank(rankings, qrels) == pytest.approx(0.5)


def test_missing_queries_error_zero_skip() -> None:
    rankings = {"q1": ["r"]}
    qrels = {"q1": frozenset({"r"}), "q2": frozenset({"s"})}
    with pytest.raises(ConfigError, match=r"no ranking for 1 of 2 judged queries \(q2\)"):
        mean_average_precision(rankings, qrels, 5)
    # zero: (1 + 0) / 2; skip: 1 / 1 (the 2020 scorer, trectools, averages over the run's queries)
    assert mean_average_precision(rankings, qrels, 5, missing="zero") == pytest.approx(0.5)
    assert mean_average_precision(rankings, qrels, 5, missing="skip") == pytest.approx(1.0)


def test_evaluate_rankings_keys_and_values() -> None:
    rankings = {"q1": ["x", "r1", "y", "r2"], "q2": ["s"]}
    qrels = {"q1": frozenset({"r1", "r2"}), "q2": frozenset({"s"})}
    result = evaluate_rankings(rankings, qrels)
    assert {"map_at_1", "map_at_5", "recall_at_10", "mrr", "queries"} <= result.keys()
    # q1: AP@1 = 0; AP@5 = (1/2 + 2/4) / 2 = 1/2. q2: AP = 1. MAP@1 = 1/2, MAP@5 = 3/4
    assert result["map_at_1"] == pytest.approx(0.5)
    assert result["map_at_5"] == pytest.approx(0.75)
    # Recall@1: q1 0, q2 1 → 1/2; Recall@10: both complete → 1
    assert result["recall_at_1"] == pytest.approx(0.5)
    assert result["recall_at_10"] == pytest.approx(1.0)
    # P@1: 0 and 1 → 1/2; MRR: 1/2 and 1 → 3/4
    assert result["precision_at_1"] == pytest.approx(0.5)
    assert result["mrr"] == pytest.approx(0.75)
    assert result["queries"] == 2


def test_metric_input_errors() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        average_precision_at_k(["a"], {"a"}, 0)
    with pytest.raises(ConfigError, match="twice"):
        average_precision_at_k(["a", "a"], {"a"}, 5)
    with pytest.raises(ConfigError, match="without relevant claims"):
        recall_at_k(["a"], set(), 5)
    with pytest.raises(ConfigError, match="missing="):
        mean_average_precision({}, {"q": frozenset({"a"})}, 5, missing="ignore")  # type: ignore[arg-type]


# --- properties ------------------------------------------------------------------------------

_ids = st.text(alphabet="abcdefgh", min_size=1, max_size=3)


@st.composite
def _query(draw: st.DrawFn) -> tuple[list[str], frozenset[str]]:
    """A ranking without repeats and a non-empty set of relevant claims."""
    ranking = draw(st.lists(_ids, unique=True, max_size=12))
    relevant = draw(st.frozensets(_ids, min_size=1, max_size=5))
    return ranking, relevant


@given(_query(), st.integers(min_value=1, max_value=15))
def test_metrics_lie_in_unit_interval(query: tuple[list[str], frozenset[str]], k: int) -> None:
    ranking, relevant = query
    for metric in (average_precision_at_k, precision_at_k, recall_at_k, reciprocal_rank):
        assert 0.0 <= metric(ranking, relevant, k) <= 1.0


@given(st.frozensets(_ids, min_size=1, max_size=5), st.lists(_ids, max_size=6))
def test_perfect_ranking_scores_one(relevant: frozenset[str], others: list[str]) -> None:
    ranking = sorted(relevant) + [o for o in dict.fromkeys(others) if o not in relevant]
    k = len(relevant)
    assert average_precision_at_k(ranking, relevant, k) == pytest.approx(1.0)
    assert recall_at_k(ranking, relevant, k) == pytest.approx(1.0)
    assert mean_average_precision({"q": ranking}, {"q": relevant}, 10) == pytest.approx(1.0)


@given(_query(), st.integers(min_value=1, max_value=10), st.lists(_ids, max_size=5))
def test_claims_after_rank_k_do_not_matter(
    query: tuple[list[str], frozenset[str]], k: int, tail: list[str]
) -> None:
    ranking, relevant = query
    # the top k, padded with non-relevant claims so the tail really starts after rank k
    top = ranking[:k] + [f"z{i}" for i in range(k - len(ranking[:k]))]
    extended = top + [t for t in dict.fromkeys(tail) if t not in top]
    for metric in (average_precision_at_k, precision_at_k, recall_at_k):
        assert metric(extended, relevant, k) == pytest.approx(metric(top, relevant, k))


# --- run files -------------------------------------------------------------------------------


def test_run_round_trip(tmp_path: Path) -> None:
    rankings = {"1": ["394", "12", "7"], "tweet-sno-2": ["vclaim-b", "vclaim-a"]}
    assert parse_run(format_run(rankings)) == rankings
    scores = {"1": [21.2, 19.9, 1e-05], "tweet-sno-2": [0.5, -3.0]}
    text = format_run(rankings, scores=scores, tag="bm25")
    assert "1\tQ0\t7\t3\t0.00001\tbm25" in text.splitlines()  # no exponent: the checker's regex
    path = tmp_path / "run.tsv"
    write_run(path, rankings, scores=scores)
    assert read_run(path) == rankings


def test_parse_run_orders_by_score_like_trectools() -> None:
    # the 2020 format wants rank 1 on every line: the score decides; equal scores are broken by
    # claim id descending, numerically when all ids are integers (pandas reads them as ints)
    text = "5 Q0 9 1 0.5 t\n5 Q0 10 1 0.5 t\n5 Q0 3 1 0.9 t\n6 0 1 1 2 t\n"
    assert parse_run(text) == {"5": ["3", "10", "9"], "6": ["1"]}
    assert parse_run("5 Q0 b 1 0.5 t\n5 Q0 a 1 0.5 t\n5 Q0 c 1 0.1 t\n") == {"5": ["b", "a", "c"]}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1 Q0 2 1 0.5", r"run:1: expected 6 columns, found 5"),
        ("1 Q1 2 1 0.5 t", "second column must be Q0"),
        ("1 Q0 2 1 high t", "'high' is not a number"),
        ("1 Q0 2 1 0.5 t\n1 Q0 2 2 0.4 t", r"run:2: query 1 lists claim 2 again \(first on line 1"),
    ],
)
def test_parse_run_errors(line: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_run(line)


def test_format_run_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="higher than the score above"):
        format_run({"q": ["a", "b"]}, scores={"q": [0.1, 0.2]})
    with pytest.raises(ConfigError, match="2 claims but 1 scores"):
        format_run({"q": ["a", "b"]}, scores={"q": [0.1]})
    with pytest.raises(ConfigError, match="whitespace"):
        format_run({"q 1": ["a"]})
    with pytest.raises(FormatError, match=r"run file .* not found"):
        read_run(tmp_path / "nope.tsv")


def test_qrels_parse_and_errors(tmp_path: Path) -> None:
    # relevance 0 is not relevant; the duplicated 2020 line (1167 → 9807) counts once
    qrels = parse_qrels("1167\t0\t9807\t1\n1167\t0\t9807\t1\n5\t0\t1\t0\n")
    assert qrels == {"1167": frozenset({"9807"})}
    with pytest.raises(FormatError, match=r"qrels:2: expected 4 columns"):
        parse_qrels("1 0 2 1\n1 0 2\n")
    assert read_qrels(CT2020 / "dev.qrels") == {
        "21": frozenset({"256"}),
        "730": frozenset({"288", "286"}),
    }


# --- retrieval benchmarks --------------------------------------------------------------------


def test_checkthat2020_layout() -> None:
    train = load_retrieval_benchmark("checkthat2020", CT2020, "train")
    assert set(train.queries) == {"1", "2", "878"}
    assert train.qrels["878"] == {"274", "723"}
    assert set(train.claims["0"]) == {"vclaim", "title"}
    # quoted cells are unescaped and a quoted line break stays inside the claim
    assert train.claims["2"]["vclaim"].startswith('A "Trump and Obama by the Numbers" meme')
    assert "Veterans\nAdministration" in train.claims["3057"]["vclaim"]
    test = load_retrieval_benchmark("checkthat2020", CT2020, "test")
    # tweet 1198 has no qrels line (its qrel was written as a second 1167 line)
    assert len(test.queries) == 3
    assert set(test.qrels) == {"1000", "1167"}
    assert test.files[0].name == "verified_claims.docs.tsv"


def test_checkthat2021_layout_splits_train_dev_by_qrels() -> None:
    train = load_retrieval_benchmark("checkthat2021", CT2021, "train")
    dev = load_retrieval_benchmark("checkthat2021", CT2021, "dev")
    test = load_retrieval_benchmark("checkthat2021", CT2021, "test")
    assert set(train.queries) == {"tweet-sno-0", "tweet-sno-1", "tweet-sno-878"}
    assert set(dev.queries) == {"tweet-sno-999", "tweet-sno-1167"}
    assert set(test.queries) == {"tweet-sno-1200", "tweet-sno-1201", "tweet-sno-1202"}
    assert test.queries["tweet-sno-1201"].startswith('Sen. Mitch McConnell: "As recently')
    claim = train.claims["vclaim-sno-hero-wombats-australia-fires"]
    assert set(claim) == {"vclaim", "title", "subtitle", "author", "date"}
    assert len(train.claims) == 10


def test_generic_layout_matches_named_one() -> None:
    for split in ("train", "dev", "test"):
        named = load_retrieval_benchmark("checkthat2021", CT2021, split)
        generic = load_retrieval_benchmark("checkthat", CT2021, split)
        assert (generic.claims, generic.queries, generic.qrels) == (
            named.claims,
            named.queries,
            named.qrels,
        )
    generic_2020 = load_retrieval_benchmark("checkthat", CT2020, "test")
    assert generic_2020.queries == load_retrieval_benchmark("checkthat2020", CT2020, "test").queries


def test_generic_layout_of_another_year() -> None:
    # claims under another *.jsonl name, CamelCase file names, a header on one queries file only
    reference = {s: load_retrieval_benchmark("checkthat2021", CT2021, s) for s in ("dev", "test")}
    for split, expected in reference.items():
        loaded = load_retrieval_benchmark("checkthat", OTHER_YEAR, split)
        assert loaded.queries == expected.queries
        assert loaded.qrels == expected.qrels
        assert loaded.claims == expected.claims
        assert loaded.files[0].name == "verified-claims.jsonl"


def test_generic_layout_with_split_folders_and_claim_files(tmp_path: Path) -> None:
    # the 2020 repository's own layout: data/<split>/tweets.queries.tsv + tweet-vclaim-pairs.qrels,
    # here with the claims as a vclaims/ folder of one JSON file each (as 2021 first shipped them)
    (tmp_path / "dev").mkdir()
    shutil.copy(CT2020 / "dev.queries.tsv", tmp_path / "dev" / "tweets.queries.tsv")
    shutil.copy(CT2020 / "dev.qrels", tmp_path / "dev" / "tweet-vclaim-pairs.qrels")
    (tmp_path / "vclaims").mkdir()
    claims = load_retrieval_benchmark("checkthat2020", CT2020, "dev").claims
    for claim_id, fields in claims.items():
        record = {"vclaim_id": claim_id, **fields}
        (tmp_path / "vclaims" / f"{claim_id}.json").write_text(json.dumps(record))
    loaded = load_retrieval_benchmark("checkthat", tmp_path, "dev")
    assert loaded.qrels == {"21": {"256"}, "730": {"288", "286"}}
    assert loaded.claims == claims


def _copy(src: Path, tmp_path: Path) -> Path:
    """A writable copy of a fixture folder."""
    return Path(shutil.copytree(src, tmp_path / src.name))


def test_retrieval_loader_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown retrieval benchmark"):
        load_retrieval_benchmark("checkthat2019", CT2020, "test")
    with pytest.raises(ConfigError, match="unknown split"):
        load_retrieval_benchmark("checkthat2020", CT2020, "dev-test")
    with pytest.raises(FormatError, match=r"benchmark folder .* not found"):
        load_retrieval_benchmark("checkthat2020", tmp_path / "absent", "test")
    folder = _copy(CT2020, tmp_path)
    (folder / "test.qrels").unlink()
    with pytest.raises(FormatError, match=r"checkthat2020 test: test.qrels not found") as info:
        load_retrieval_benchmark("checkthat2020", folder, "test")
    assert "{train,dev,test}.qrels" in str(info.value)
    with pytest.raises(FormatError, match="no qrels file for split 'test'"):
        load_retrieval_benchmark("checkthat", folder, "test")
    (folder / "verified_claims.docs.tsv").unlink()
    with pytest.raises(FormatError, match="no verified claims found") as info:
        load_retrieval_benchmark("checkthat", folder, "train")
    assert "vclaims.jsonl" in str(info.value)


def test_retrieval_loader_malformed_files(tmp_path: Path) -> None:
    folder = _copy(CT2021, tmp_path)
    (folder / "qrels-dev.tsv").write_text("tweet-sno-999 0 vclaim-sno-single-mother-birth\n")
    with pytest.raises(FormatError, match=r"qrels-dev.tsv:1: expected 4 columns"):
        load_retrieval_benchmark("checkthat2021", folder, "dev")
    (folder / "qrels-dev.tsv").write_text("tweet-sno-999\t0\tvclaim-sno-nowhere\t1\n")
    with pytest.raises(FormatError, match=r"names 1 claims missing from .*vclaims.jsonl"):
        load_retrieval_benchmark("checkthat2021", folder, "dev")
    (folder / "qrels-dev.tsv").write_text("tweet-sno-4242\t0\tvclaim-sno-nowhere\t1\n")
    with pytest.raises(FormatError, match=r"names 1 queries missing from .*tweets-train-dev.tsv"):
        load_retrieval_benchmark("checkthat2021", folder, "dev")
    with (folder / "vclaims.jsonl").open("a") as handle:
        handle.write('{"vclaim_id": "broken"\n')
    with pytest.raises(FormatError, match=r"vclaims.jsonl:11: not JSON"):
        load_retrieval_benchmark("checkthat2021", folder, "test")
    (folder / "more.jsonl").write_text("")
    (folder / "vclaims.jsonl").rename(folder / "old.jsonl")
    with pytest.raises(FormatError, match="several verified-claim files"):
        load_retrieval_benchmark("checkthat", folder, "test")


# --- detection metrics -----------------------------------------------------------------------


def test_positive_f1_by_hand() -> None:
    # tp = 1 (item 1), fp = 1 (item 3), fn = 1 (item 2): P = R = 1/2 → F1 = 1/2
    assert positive_f1([1, 1, 0, 0], [1, 0, 1, 0]) == pytest.approx(0.5)
    # nothing predicted positive: precision 0 by convention, F1 0
    assert positive_f1([1, 0], [0, 0]) == 0.0


def test_germeval_macro_f1_differs_from_class_average() -> None:
    gold, predicted = [1, 1, 1, 0], [1, 0, 0, 0]
    # class 1: P = 1/1, R = 1/3; class 0: P = 1/3 (1 of 3 predicted 0 is right), R = 1/1
    # GermEval: macro P = macro R = 2/3 → F = 2·(2/3)(2/3) / (4/3) = 2/3
    assert macro_f1(gold, predicted) == pytest.approx(2 / 3)
    # mean of per-class F1: F1(1) = F1(0) = 2·1·(1/3) / (4/3) = 1/2 → 1/2
    assert class_averaged_f1(gold, predicted) == pytest.approx(0.5)


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=30))
def test_detection_metrics_in_unit_interval(pairs: list[tuple[int, int]]) -> None:
    gold, predicted = [g for g, _ in pairs], [p for _, p in pairs]
    for metric in (positive_f1, macro_f1, class_averaged_f1):
        assert 0.0 <= metric(gold, predicted) <= 1.0 + 1e-12
    assert macro_f1(gold, gold) == pytest.approx(1.0)


def test_evaluate_detection_per_benchmark() -> None:
    gold = {"a": 1, "b": 1, "c": 1, "d": 0}
    predicted = {"d": 0, "c": 0, "b": 0, "a": 1}  # matched by id, not by order
    germeval = evaluate_detection("germeval2021", gold, predicted)
    assert germeval["macro_f1"] == pytest.approx(2 / 3)
    assert germeval["precision"] == pytest.approx(2 / 3)
    assert germeval["accuracy"] == pytest.approx(0.5)
    assert germeval["items"] == 4
    checkthat = evaluate_detection("checkthat2024", gold, predicted)
    # positive class: tp 1, fp 0, fn 2 → P 1, R 1/3, F1 1/2
    assert (checkthat["f1"], checkthat["precision"], checkthat["recall"]) == pytest.approx(
        (0.5, 1.0, 1 / 3)
    )
    claimbuster = evaluate_detection("claimbuster", gold, predicted)
    assert claimbuster["macro_f1"] == pytest.approx(0.5)
    # weighted by gold support: (3 · 1/2 + 1 · 1/2) / 4 = 1/2
    assert claimbuster["weighted_f1"] == pytest.approx(0.5)


def test_evaluate_detection_errors() -> None:
    with pytest.raises(ConfigError, match="unknown detection benchmark"):
        evaluate_detection("germeval2018", {"a": 1}, {"a": 1})
    with pytest.raises(ConfigError, match=r"1 items have no prediction \(e.g. b\)"):
        evaluate_detection("germeval2021", {"a": 1, "b": 0}, {"a": 1})
    with pytest.raises(ConfigError, match="no gold label"):
        evaluate_detection("checkthat2024", {"a": 1}, {"a": 1, "z": 0})
    with pytest.raises(ConfigError, match="0 or 1"):
        evaluate_detection("claimbuster", {"a": 1}, {"a": 2})


def test_stratified_folds() -> None:
    examples = [DetectionExample(str(i), "", int(i < 8)) for i in range(20)]
    folds = stratified_folds(examples, 4)
    assert folds == stratified_folds(examples, 4)  # deterministic
    assert sorted(folds) == sorted(e.id for e in examples)
    for fold in range(1, 5):
        members = [e for e in examples if folds[e.id] == fold]
        assert len(members) == 5
        assert sum(e.label for e in members) == 2  # 8 positives spread over 4 folds
    with pytest.raises(ConfigError, match="at least 2"):
        stratified_folds(examples, 1)


# --- detection benchmarks --------------------------------------------------------------------


def test_germeval_train_and_withheld_test(tmp_path: Path) -> None:
    train = load_detection_benchmark("germeval2021", FIXTURES / "germeval2021_like", "train")
    assert [e.label for e in train.examples] == [0, 1, 0, 1, 0, 0]
    assert train.examples[4].text.startswith('"So lange Gewinnmaximierung Vorrang hat')
    assert train.metric == "macro_f1"
    with pytest.raises(FormatError, match="test labels are withheld") as info:
        load_detection_benchmark("germeval2021", FIXTURES / "germeval2021_like", "test")
    assert "truth.csv" in str(info.value) and "comment_id" in str(info.value)
    folder = _copy(FIXTURES / "germeval2021_like", tmp_path)
    # invented labels: the real test labels are withheld from the shared data
    (folder / "truth.csv").write_text(
        "comment_id,Sub1_Toxic,Sub2_Engaging,Sub3_FactClaiming\n3245,0,0,1\n3246,0,1,1\n3247,1,0,0\n"
    )
    test = load_detection_benchmark("germeval2021", folder, "test")
    assert test.labels() == {"3245": 1, "3246": 1, "3247": 0}
    (folder / "truth.csv").write_text("comment_id,Sub3_FactClaiming\n3245,1\n")
    with pytest.raises(FormatError, match="must label exactly the comments"):
        load_detection_benchmark("germeval2021", folder, "test")
    (folder / "train.csv").unlink()
    with pytest.raises(FormatError, match=r"train.csv not found"):
        load_detection_benchmark("germeval2021", folder, "train")


def test_checkthat2024_splits_and_glued_line(tmp_path: Path) -> None:
    folder = FIXTURES / "checkthat2024_like"
    train = load_detection_benchmark("checkthat2024", folder, "train")
    # the real train file glues sentences 24098 and 29286 on one line; both come back
    assert [e.id for e in train.examples][-2:] == ["24098", "29286"]
    assert train.examples[-1] == DetectionExample("29286", "You can't bring back jobs.", 0)
    assert train.examples[3].label == 1
    dev = load_detection_benchmark("checkthat2024", folder, "dev")  # CRLF line ends
    assert dev.examples[0].text == 'You know, I saw a movie - "Crocodile Dundee."'
    assert dev.labels()["80"] == 1
    assert len(load_detection_benchmark("checkthat2024", folder, "dev-test").examples) == 4
    assert train.metric == "f1"
    with pytest.raises(FormatError, match="test labels are withheld"):
        load_detection_benchmark("checkthat2024", folder, "test")
    copy = _copy(folder, tmp_path)
    (copy / "CT24_checkworthy_english_test.tsv").write_text("Sentence_id\tText\n1\tA.\n2\tB.\n")
    (copy / "CT24_checkworthy_english_test_gold.tsv").write_text(
        "Sentence_id\tclass_label\n1\tYes\n2\tNo\n"
    )
    test = load_detection_benchmark("checkthat2024", copy, "test")
    assert test.examples == (DetectionExample("1", "A.", 1), DetectionExample("2", "B.", 0))
    (copy / "CT24_checkworthy_english_dev.tsv").write_text(
        "Sentence_id\tText\tclass_label\n1\tA\tMaybe\n"
    )
    with pytest.raises(FormatError, match=r"dev.tsv:2: label 'Maybe' is not no or yes"):
        load_detection_benchmark("checkthat2024", copy, "dev")


def test_claimbuster_folds() -> None:
    folder = FIXTURES / "claimbuster_like"
    everything = load_detection_benchmark("claimbuster", folder, "all")
    assert len(everything.examples) == 10
    assert sum(e.label for e in everything.examples) == 4
    assert everything.examples[0] == DetectionExample(
        "27247", "We're 9 million jobs short of that.", 1
    )
    seen: list[str] = []
    for fold in range(1, 5):
        train = load_detection_benchmark("claimbuster", folder, f"train-fold{fold}")
        test = load_detection_benchmark("claimbuster", folder, f"test-fold{fold}")
        assert {e.id for e in train.examples} | {e.id for e in test.examples} == {
            e.id for e in everything.examples
        }
        assert not {e.id for e in train.examples} & {e.id for e in test.examples}
        seen += [e.id for e in test.examples]
    assert sorted(seen) == sorted(e.id for e in everything.examples)


def test_detection_loader_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown detection benchmark"):
        load_detection_benchmark("claimrank", tmp_path, "train")
    with pytest.raises(ConfigError, match="claimbuster has no split 'train'"):
        load_detection_benchmark("claimbuster", tmp_path, "train")
    with pytest.raises(FormatError, match=r"ClaimBuster file .* not found"):
        load_detection_benchmark("claimbuster", tmp_path, "all")
    (tmp_path / "kfold_25ncs.json").write_text('[{"sentence_id": 1, "text": "x"}]')
    with pytest.raises(FormatError, match="item 0 lacks sentence_id, label or text"):
        load_detection_benchmark("claimbuster", tmp_path, "all")
    with pytest.raises(FormatError, match=r"checkthat2024 dev: no \*_dev.tsv"):
        load_detection_benchmark("checkthat2024", tmp_path, "dev")


# --- the real data in ../shared/data/claims --------------------------------------------------


def _oracle(qrels: Mapping[str, AbstractSet[str]]) -> dict[str, list[str]]:
    """A ranking that lists each query's relevant claims first."""
    return {qid: sorted(relevant) for qid, relevant in qrels.items()}


@pytest.mark.shared_data
def test_real_checkthat2020(shared_data: Path) -> None:
    folder = shared_data / "claims" / "checkthat2020_task2"
    test = load_retrieval_benchmark("checkthat2020", folder, "test")
    assert (len(test.queries), len(test.claims), len(test.qrels)) == (200, 10_375, 199)
    sizes = [
        len(load_retrieval_benchmark("checkthat2020", folder, s).queries) for s in ("train", "dev")
    ]
    assert sizes == [800, 197]
    dev = load_retrieval_benchmark("checkthat2020", folder, "dev")
    result = evaluate_rankings(_oracle(dev.qrels), dev.qrels)
    # dev tweet 730 has two relevant claims: at k = 1 it scores 1/2, so MAP@1 = (196 + 1/2) / 197
    assert result["map_at_1"] == pytest.approx(196.5 / 197)
    assert result["map_at_5"] == pytest.approx(1.0)


@pytest.mark.shared_data
def test_real_checkthat2021(shared_data: Path) -> None:
    folder = shared_data / "claims" / "checkthat2021_task2a"
    test = load_retrieval_benchmark("checkthat2021", folder, "test")
    assert (len(test.queries), len(test.claims), len(test.qrels)) == (202, 13_824, 202)
    train = load_retrieval_benchmark("checkthat2021", folder, "train")
    dev = load_retrieval_benchmark("checkthat", folder, "dev")
    assert (len(train.queries), len(dev.queries)) == (997, 199)
    assert not train.queries.keys() & dev.queries.keys()


@pytest.mark.shared_data
def test_real_detection_benchmarks(shared_data: Path) -> None:
    folder = shared_data / "claims" / "checkworthy"
    germeval = load_detection_benchmark("germeval2021", folder / "germeval2021", "train")
    assert (len(germeval.examples), sum(e.label for e in germeval.examples)) == (3244, 1103)
    with pytest.raises(FormatError, match="withheld"):
        load_detection_benchmark("germeval2021", folder / "germeval2021", "test")
    ct24 = folder / "checkthat2024_task1_en"
    sizes = [
        len(load_detection_benchmark("checkthat2024", ct24, s).examples)
        for s in ("train", "dev", "dev-test")
    ]
    assert sizes == [22_501, 1032, 318]  # 22,500 lines, one of them holding two sentences
    claimbuster = load_detection_benchmark("claimbuster", folder / "claimbuster", "all")
    assert (len(claimbuster.examples), sum(e.label for e in claimbuster.examples)) == (9674, 2764)
    fold = load_detection_benchmark("claimbuster", folder / "claimbuster", "test-fold1")
    assert len(fold.examples) in (2418, 2419)
    assert set(DETECTION_BENCHMARKS) == {"germeval2021", "checkthat2024", "claimbuster"}
