"""Claim matching end to end: the cascade, across languages, and the ``match`` command."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagebild.claims.encoders import EmbeddingCache, UseEncoder, encode_cached, text_keys
from lagebild.claims.matcher import MatchParams, match_texts, rank_texts
from lagebild.claims.retrieval import (
    FEATURES,
    OVERLAP,
    FactCheckIndex,
    Reranker,
    _LexicalIndex,
    copies_of,
    same_claims,
    tokenize,
)
from tests.cli.test_cli import run, run_json

HERE = Path(__file__).parent / "fixtures" / "matching"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> FactCheckIndex:
    with (HERE / "factchecks.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return FactCheckIndex.build(
        [r["review_url"] for r in rows],
        [r["claim"] for r in rows],
        [r["title"] for r in rows],
        [r["language"] for r in rows],
        cache_dir=tmp_path_factory.mktemp("cache"),
    )


def best(index: FactCheckIndex, text: str) -> tuple[str, float]:
    rows, scores, _, _ = rank_texts(index, [text], Reranker.shipped(), screen=False)
    return index.ids[int(rows[0][0])], float(scores[0][0])


def test_german_post_finds_english_factcheck(index: FactCheckIndex) -> None:
    fid, score = best(index, "Die Briefwahlstimmen in Michigan wurden 2020 doppelt gezählt!")
    assert fid.endswith("mail-ballots-michigan")
    assert score > 0.5


def test_english_post_finds_german_factcheck(index: FactCheckIndex) -> None:
    fid, _ = best(index, "The Greens want to ban pets, cats and dogs will be forbidden")
    assert fid.endswith("gruene-haustiere")


def test_unrelated_posts_are_not_matched_and_short_ones_are_skipped(
    index: FactCheckIndex,
) -> None:
    texts = [
        "Heute war ich mit dem Hund im Park und die Enten waren hungrig.",
        "Just made pancakes for the whole family this morning.",
        "Bleach cures",
        "Drinking bleach cures covid, my doctor told me so",
    ]
    matches = match_texts(index, texts, Reranker.shipped(), MatchParams())
    matched = {m.post: index.ids[m.factcheck] for m in matches}
    assert 0 not in matched
    assert 1 not in matched
    assert 2 not in matched  # fewer than min_words
    assert matched[3].endswith("bleach")
    explanation = next(m for m in matches if m.post == 3).explanation(index)
    assert explanation["stage"] == "rerank + shared words"
    assert set(explanation["features"]) == {*FEATURES, *OVERLAP, "decision"}
    assert explanation["claim"] == "Drinking bleach cures COVID-19."


def test_a_repeated_claim_is_auto_matched_a_post_on_its_topic_is_not(
    index: FactCheckIndex,
) -> None:
    texts = [
        "Mail-in ballots in Michigan were counted twice in the 2020 election!",
        "Michigan counted the mail ballots of the 2020 election slowly, results came days later",
        "The EU will ban all cash payments from January next year, get your money out now",
        "The European Union discusses new rules for payments by card next year",
    ]
    decided = {m.post: m.decision for m in match_texts(index, texts, Reranker.shipped())}
    assert decided[0] == decided[2] == "auto"
    assert decided.get(1) != "auto"
    assert decided.get(3) != "auto"


def test_a_factcheck_in_another_language_is_decided_on_the_probability(
    index: FactCheckIndex,
) -> None:
    found = match_texts(
        index,
        ["Wind turbines kill millions of people every year with their infrasound"],
        Reranker.shipped(),
        languages=["en"],
    )
    assert index.ids[found[0].factcheck].endswith("infraschall")
    assert found[0].stage == "rerank (across languages)"
    # the decision model would judge it on shared words, of which translations have few
    assert found[0].score != found[0].features["decision"]


def test_a_model_without_a_decision_decides_on_the_probability(index: FactCheckIndex) -> None:
    old = Reranker.shipped().as_dict() | {"decider": None, "screen_decider": None}
    model = Reranker.from_dict(old)
    found = match_texts(index, ["Drinking bleach cures covid, my doctor told me so"], model)
    assert found[0].stage == "rerank"
    assert found[0].score == found[0].features["decision"]


def test_shared_words_are_weighted_by_idf() -> None:
    import bm25s

    docs = [["zika", "caus", "defect"], ["zika", "rubio"], ["cash", "ban"], ["cash"]]
    bm25 = bm25s.BM25()
    bm25.index(docs, show_progress=False)
    lexical = _LexicalIndex.of(bm25)
    idf = {
        t: max(np.log(4 / (1 + df)), 0.0)
        for t, df in [
            ("zika", 2),
            ("caus", 1),
            ("defect", 1),
            ("rubio", 1),
            ("cash", 2),
            ("ban", 1),
        ]
    }
    (shared,) = lexical.overlap([["zika", "defect", "cdc", "zika"]], [np.array([0, 1, 2])])
    w0 = idf["zika"] + idf["caus"] + idf["defect"]
    post = idf["zika"] + idf["defect"]  # cdc is unknown to the index: no weight
    assert np.allclose(shared[0], [post / w0, 1.0, 2])
    assert np.allclose(
        shared[1], [idf["zika"] / (idf["zika"] + idf["rubio"]), idf["zika"] / post, 1]
    )
    assert np.allclose(shared[2], [0, 0, 0])


def test_rejected_pairs_are_not_suggested_again(index: FactCheckIndex) -> None:
    text = ["Drinking bleach cures covid, my doctor told me so"]
    first = match_texts(index, text, Reranker.shipped())
    assert first
    again = match_texts(index, text, Reranker.shipped(), rejected={(0, first[0].factcheck)})
    assert all(m.factcheck != first[0].factcheck for m in again)


def test_embedding_cache_encodes_each_text_once(tmp_path: Path) -> None:
    use = UseEncoder()
    cache = EmbeddingCache(tmp_path, use.name, use.dim)
    texts = ["Die Wahl wurde manipuliert", "The election was rigged", "Die Wahl wurde manipuliert"]
    first = encode_cached(use, texts, "query", cache)
    assert np.allclose(first[0], first[2])
    assert len(cache) == 2
    reopened = EmbeddingCache(tmp_path, use.name, use.dim)
    found, vectors = reopened.lookup(text_keys(use.name, "query", texts))
    assert found.all()
    assert np.allclose(vectors, first, atol=1e-6)
    # cross-lingual paraphrases are close, unrelated texts are not
    assert float(first[0] @ first[1]) > 0.6


def test_tokenize_removes_stop_words_and_stems() -> None:
    german = tokenize("Die Wahlen wurden manipuliert https://t.co/x", "de")
    assert german[0] == "wahl"
    assert "manipuliert" in german
    assert "die" not in german
    assert not any("http" in t or "t.co" in t for t in german)
    assert tokenize("The elections were rigged", "en") == ["elect", "rig"]


def test_match_command_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_json(data, "ingest", str(HERE / "posts.jsonl"))
    run_json(data, "factchecks", "import", str(HERE / "factchecks.csv"))
    out = run_json(data, "match")
    assert out["screened"] == 5
    assert out["claims"] == out["factchecks"]  # the fixture holds no claim twice
    by_post = {f["post"]["post_id"]: f for f in out["findings"]}
    assert by_post["de1"]["claim"].startswith("Ballots cast by mail")
    assert by_post["en1"]["claim"].startswith("Windräder verursachen")
    assert not {"de2", "en2", "short"} & set(by_post)
    # nothing new: a rerun screens nothing
    assert run_json(data, "match")["screened"] == 0
    finding = by_post["de1"]["id"]
    shown = run_json(data, "findings", finding)
    assert shown["kind"] == "claim_match"
    assert shown["details"]["review_url"].endswith("mail-ballots-michigan")
    run(data, "match", "reject", finding, "--note", "test")
    rescreened = run_json(data, "match", "--rescreen")
    assert all(f["id"] != finding for f in rescreened["findings"])
    # claims detected in a transcript are matched against the same store
    speech = tmp_path / "speech.txt"
    speech.write_text(
        "Good evening. Wind turbines kill millions of people every year with infrasound. "
        "I really enjoyed the concert last night.\n",
        encoding="utf-8",
    )
    detected = run_json(data, "claims", "detect", str(speech))
    assert detected["matched"] >= 1
    turbine = next(r for r in detected["results"] if "turbines" in r["text"])
    assert turbine["match"]["review_url"].endswith("infraschall")
    missing = run(data, "match", "confirm", "nope", check=False)
    assert missing.returncode == 1
    assert "no claim match" in missing.stderr


def test_claims_eval_commands_print_the_official_metrics(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    data = tmp_path / "data"
    out = run_json(
        data,
        "claims",
        "eval",
        "--benchmark",
        "checkthat2020",
        "--data",
        str(fixtures / "checkthat2020_like"),
        "--run-out",
        str(tmp_path / "run.tsv"),
    )
    assert {"map_at_1", "map_at_5", "recall_at_10"} <= set(out)
    assert 0.0 <= out["map_at_5"] <= 1.0
    assert (tmp_path / "run.tsv").read_text().split()[1] == "Q0"
    detect = run_json(
        data,
        "claims",
        "eval-detect",
        "--benchmark",
        "checkthat2024",
        "--data",
        str(fixtures / "checkthat2024_like"),
        "--split",
        "dev",
    )
    assert 0.0 <= detect["f1"] <= 1.0
    withheld = run(
        data,
        "claims",
        "eval-detect",
        "--benchmark",
        "germeval2021",
        "--data",
        str(fixtures / "germeval2021_like"),
        check=False,
    )
    assert withheld.returncode == 1
    assert "truth.csv" in withheld.stderr


def test_posts_stopped_before_encoding_are_those_the_screen_would_stop(
    index: FactCheckIndex,
) -> None:
    from lagebild.claims import matcher

    texts = [
        "Drinking bleach cures covid, my doctor told me so",
        "Heute war ich mit dem Hund im Park und die Enten waren hungrig.",
        "Just made pancakes for the whole family this morning.",
        "Mail-in ballots in Michigan were counted twice in the 2020 election!",
        "Michigan counted the mail ballots of the 2020 election slowly",
        "Die Grünen wollen Haustiere verbieten, sagt mein Nachbar",
        "5G masts spread the virus in Berlin",
        "Hot water every fifteen minutes kills the virus",
        "lol",
        "",
    ]
    reranker = Reranker.shipped()
    maybe = matcher._could_pass(index, texts, None, reranker, None)
    assert maybe is not None and not maybe.all()
    cand = index.candidates(texts)
    passes = matcher.screen_passes(cand, reranker)
    assert not (passes & ~maybe).any()  # nothing the screen passes is stopped early
    # and the cascade's decisions are the same with and without the early stop
    with_stop = matcher._rank(index, texts, reranker, None, None, True, None, None, None, False)
    assert with_stop.reranked.tolist() == passes.tolist()


def test_a_factcheck_without_its_own_title_has_one_dense_vector(tmp_path: Path) -> None:
    index = FactCheckIndex.build(
        ["a", "b", "c"],
        ["Drinking bleach cures COVID-19.", "5G masts spread the virus.", "The EU bans cash."],
        [None, "5G masts spread the virus.", "No, the EU does not ban cash payments"],
        ["en", "en", "en"],
        cache_dir=tmp_path,
        rerank=False,
    )
    assert index._keys.tolist() == [0, 1, 2, 3 + 2]
    cand = index.candidates(["bleach is a cure for covid", "cash will be banned by Brussels"])
    assert index.ids[int(cand.rows[0][0])] == "a"
    assert index.ids[int(cand.rows[1][0])] == "c"


def test_same_claims_ignores_case_punctuation_and_quotes() -> None:
    claims = [
        'CVS is a "major donor" to the Trump campaign.',
        "Drinking bleach cures COVID-19.",
        "cvs is a 'major donor' to the trump campaign",
        "",
        "?!",
        "CVS is a major donor to the Trump campaign!",
        "CVS is a major donor to the Biden campaign.",
    ]
    first = same_claims(claims)
    assert first.tolist() == [0, 1, 0, 3, 4, 0, 6]
    assert copies_of(first) == {0: [2, 5]}


@given(st.lists(st.sampled_from(["a b", "A, b!", "c", "'c'", "", "b a"]), max_size=12))
def test_same_claims_points_to_the_first_row_of_each_claim(claims: list[str]) -> None:
    first = same_claims(claims)
    for row, f in enumerate(first.tolist()):
        assert f <= row and first[f] == f  # the first copy stands for itself
        words = sorted(x.lower() for x in re.findall(r"\w+", claims[row]))
        assert words == sorted(x.lower() for x in re.findall(r"\w+", claims[f]))
        if f < row:
            assert words  # a claim without words is never a copy


def test_a_claim_checked_twice_is_one_candidate_named_by_its_first_copy(
    tmp_path: Path,
) -> None:
    claims = [
        "Drinking bleach cures COVID-19.",
        'CVS is a "major donor" to the Trump campaign.',
        "5G masts spread the virus.",
        "CVS is a 'major donor' to the Trump campaign.",
    ]
    index = FactCheckIndex.build(
        ["bleach", "cvs", "5g", "cvs-again"],
        claims,
        [None, "Is CVS funding Trump?", None, "Is CVS funding Trump?"],
        ["en"] * 4,
        cache_dir=tmp_path,
    )
    post = "Boycott CVS, they are a major donor to the Trump campaign!"
    cand = index.candidates([post])
    assert sorted(index.ids[int(r)] for r in cand.rows[0]) == ["5g", "bleach", "cvs"]
    rows, _, _, _ = rank_texts(index, [post], Reranker.shipped(), screen=False)
    assert [index.ids[r] for r in index.with_copies(rows[0])][:2] == ["cvs", "cvs-again"]
    found = match_texts(index, [post], Reranker.shipped(), MatchParams(suggest_threshold=0.0))
    assert index.ids[found[0].factcheck] == "cvs"
    assert found[0].explanation(index)["copies"] == ["cvs-again"]
    # a rejection of either copy rejects the claim
    for copy in (1, 3):
        again = match_texts(
            index,
            [post],
            Reranker.shipped(),
            MatchParams(suggest_threshold=0.0),
            rejected={(0, copy)},
        )
        assert all(index.ids[m.factcheck] != "cvs" for m in again)


def test_match_names_the_first_copy_of_a_claim_checked_twice(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_json(data, "ingest", str(HERE / "posts.jsonl"))
    run_json(data, "factchecks", "import", str(HERE / "factchecks.csv"))
    again = "Ballots cast by mail in the 2020 US election were 'counted twice' in Michigan!"
    copy = run_json(data, "factchecks", "add", "--claim", again, "--verdict", "false")
    assert len(copy["same_claim"]) == 1
    summary = run(data, "match").stdout
    assert "against 9 fact-checks (8 distinct claims)" in summary
    out = run_json(data, "match", "--rescreen")
    assert (out["factchecks"], out["claims"]) == (9, 8)
    de1 = next(f for f in out["findings"] if f["post"]["post_id"] == "de1")
    assert de1["factcheck_id"] == copy["same_claim"][0]
    shown = run_json(data, "findings", de1["id"])
    assert shown["details"]["copies"] == [copy["factcheck_id"]]
