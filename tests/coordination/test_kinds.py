"""Near matches (similar text, perceptual hashes), the estimated window and the null model."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagebild.coordination import CoordinationParams, detect
from lagebild.errors import ConfigError
from lagebild.model import Post
from tests.coordination.test_detect import connect, share

WORDS = [
    "die",
    "briefwahl",
    "wurde",
    "in",
    "mehreren",
    "bezirken",
    "manipuliert",
    "und",
    "tausende",
    "stimmen",
    "sind",
    "verschwunden",
    "sagt",
    "ein",
    "insider",
]


def post(post_id: str, account: str, seconds: float, **fields: Any) -> Post:
    return share(post_id, account, seconds)._replace(urls=(), **fields)


def pairs(posts: list[Post], **params: object) -> set[tuple[str, str]]:
    result = detect(connect(posts), CoordinationParams(**params))  # type: ignore[arg-type]
    return {(r["content_id"], r["content_id_y"]) for r in result.pairs.to_pylist()}


def test_similar_text_matches_one_word_edits_but_not_other_texts() -> None:
    edited = [*WORDS[:3], "sicher", *WORDS[4:]]
    other = [
        "heute",
        "scheint",
        "die",
        "sonne",
        "über",
        "berlin",
        "und",
        "alle",
        "gehen",
        "in",
        "den",
        "park",
        "spazieren",
    ]
    posts = [
        post("1", "A", 0, text=" ".join(WORDS)),
        post("2", "B", 5, text=" ".join(edited).upper() + " https://t.co/x"),
        post("3", "C", 6, text=" ".join(other)),
        post("4", "D", 500, text=" ".join(WORDS)),  # outside the window
        post("5", "E", 7, text="die wahl"),  # too short for similar_text
    ]
    assert pairs(posts, by=("similar_text",), window=60, min_participation=1) == {("1", "2")}
    # the exact kind only finds identical texts
    assert pairs(posts, by=("text",), window=60, min_participation=1) == set()


def test_similar_text_threshold_is_the_exact_jaccard() -> None:
    half = [*WORDS[:8], *(f"w{i}" for i in range(8))]
    posts = [post("1", "A", 0, text=" ".join(WORDS)), post("2", "B", 1, text=" ".join(half))]
    # 8 shared words of 24 distinct: Jaccard 1/3
    assert pairs(posts, by=("similar_text",), similarity=0.3, min_participation=1) == {("1", "2")}
    assert pairs(posts, by=("similar_text",), similarity=0.4, min_participation=1) == set()


def test_reposts_are_not_similar_text() -> None:
    posts = [
        post("1", "A", 0, text=" ".join(WORDS)),
        post("2", "B", 1, text=" ".join(WORDS), repost_of="1"),
    ]
    assert pairs(posts, by=("similar_text",), min_participation=1) == set()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=5, max_size=30), st.integers(0, 29))
def test_similar_text_finds_every_single_word_edit(words: list[str], at: int) -> None:
    edited = list(words)
    edited[at % len(words)] = "zzz"
    a, b = set(words), set(edited)
    jaccard = len(a & b) / len(a | b)
    found = pairs(
        [post("1", "A", 0, text=" ".join(words)), post("2", "B", 1, text=" ".join(edited))],
        by=("similar_text",),
        similarity=0.6,
        min_participation=1,
    )
    # prefix filtering never misses a candidate and verification is exact
    assert found == ({("1", "2")} if jaccard >= 0.6 else set())


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=5, max_size=12), min_size=2, max_size=8),
    st.sampled_from([0.3, 0.5, 0.7, 0.9]),
)
def test_similar_text_pairs_are_the_brute_force_pairs(texts: list[list[str]], t: float) -> None:
    posts = [post(str(i), f"A{i}", i, text=" ".join(w)) for i, w in enumerate(texts)]
    expected = {
        frozenset((str(i), str(j)))
        for i, x in enumerate(texts)
        for j, y in enumerate(texts)
        if i < j and len(set(x) & set(y)) / len(set(x) | set(y)) >= t
    }
    found = pairs(posts, by=("similar_text",), similarity=t, min_participation=1)
    assert {frozenset(p) for p in found} == expected


def test_images_match_within_a_hamming_distance() -> None:
    base = 0xF0F0_1234_ABCD_0077
    near = base ^ 0b1011  # 3 bits differ
    far = base ^ 0xFFFF  # 16 bits differ
    posts = [
        post("1", "A", 0, media=(f"phash:{base:016x}",)),
        post("2", "B", 1, media=(f"phash:{near:016x}",)),
        post("3", "C", 2, media=(f"phash:{far:016x}",)),
        post("4", "D", 3, media=("url:https://img/x.jpg",)),
        post("5", "E", 4, media=("url:https://img/x.jpg",)),
    ]
    assert pairs(posts, by=("image",), min_participation=1) == {("4", "5")}
    assert pairs(posts, by=("image",), image_distance=3, min_participation=1) == {
        ("1", "2"),
        ("4", "5"),
    }
    assert pairs(posts, by=("image",), image_distance=16, min_participation=1) == {
        ("1", "2"),
        ("1", "3"),
        ("2", "3"),
        ("4", "5"),
    }


@given(st.integers(0, 2**64 - 1), st.sets(st.integers(0, 63), max_size=8), st.integers(0, 8))
@settings(max_examples=30, deadline=None)
def test_hamming_matching_is_exact(base: int, flips: set[int], distance: int) -> None:
    other = base
    for bit in flips:
        other ^= 1 << bit
    posts = [
        post("1", "A", 0, media=(f"phash:{base:016x}",)),
        post("2", "B", 1, media=(f"phash:{other:016x}",)),
    ]
    found = pairs(posts, by=("image",), image_distance=distance, min_participation=1)
    assert found == ({("1", "2")} if len(flips) <= distance else set())


def test_window_is_estimated_from_the_quickest_objects() -> None:
    rng = random.Random(3)
    posts = []
    for k in range(40):  # organic links: second share minutes to hours later
        for i in range(4):
            posts.append(share(f"o{k}-{i}", f"u{rng.randrange(50)}", k * 10_000 + i * 900))
            posts[-1] = posts[-1]._replace(urls=(f"organic{k}",))
    for k in range(5):  # fast links: all four shares within 12 s
        for i in range(4):
            posts.append(share(f"f{k}-{i}", f"b{i}", 500_000 + k * 10_000 + i * 4))
            posts[-1] = posts[-1]._replace(urls=(f"fast{k}",))
    result = detect(connect(posts), CoordinationParams(window=None, min_participation=1))
    # the 10 % quickest objects are the fast ones; half of their shares after 8 s
    assert result.window == 8.0
    assert {(r["account_id_x"], r["account_id_y"]) for r in result.edges.to_pylist()} == {
        ("b0", "b1"),
        ("b0", "b2"),
        ("b1", "b2"),
        ("b1", "b3"),
        ("b2", "b3"),
    }


def test_null_model_separates_a_planted_group_from_a_viral_link() -> None:
    rng = random.Random(7)
    posts = []
    # a viral link: 60 accounts share it at random seconds of one busy hour
    for i in range(60):
        posts.append(share(f"v{i}", f"fan{i}", rng.uniform(0, 3600), url="viral"))
    # each account also posts other links at random times of the same hour
    for i in range(300):
        posts.append(
            share(f"r{i}", f"fan{rng.randrange(60)}", rng.uniform(0, 3600), url=f"r{i % 40}")
        )
    # a planted group: 5 accounts push 6 links each within 3 s
    for k in range(6):
        t = rng.uniform(0, 3500)
        for i in range(5):
            posts.append(share(f"g{k}-{i}", f"bot{i}", t + i * 0.5, url=f"push{k}"))
    params = CoordinationParams(window=10, min_participation=1, edge_quantile=0.0, null_runs=19)
    result = detect(connect(posts), params)
    edges = result.edges.to_pylist()
    bots = [e for e in edges if e["account_id_x"].startswith("bot")]
    fans = [e for e in edges if e["account_id_x"].startswith("fan")]
    assert len(bots) == 10 and fans
    assert all(e["p_value"] == 0.05 for e in bots)
    assert (
        result.filtered_edges.column("p_value").to_pylist() == [0.05] * 10
    )  # the smallest possible with 19 runs
    assert all(e["z_score"] is None or e["z_score"] > 3 for e in bots)
    # a particular pair of fans rarely meets by chance (small p), but some pairs always do
    assert all(e["q_value"] > 0.5 for e in fans)
    assert all(e["q_value"] <= 0.05 for e in bots)
    group = next(c for c in result.communities if c.accounts[0].startswith("bot"))
    assert group.p_value == 0.05
    assert group.z_score is not None and group.z_score > 3
    assert group.q_value is not None and group.q_value <= 0.05
    again = detect(connect(posts), params)
    assert again.filtered_edges.equals(result.filtered_edges)


def test_similar_text_pairs_report_the_text_and_the_null_model_tests_them() -> None:
    rng = random.Random(3)
    posts = []
    # a group of 4 accounts posts near-copies (one word changed) of 5 texts within seconds
    for k in range(5):
        t = rng.uniform(0, 3500)
        for i in range(4):
            words = [f"w{k}x{j}" for j in range(20)]
            words[i] = f"edit{i}"
            posts.append(post(f"g{k}-{i}", f"bot{i}", t + i, text=" ".join(words).upper()))
    # 40 other accounts each post unrelated texts at random times of the same hour
    for i in range(120):
        words = [f"r{i}y{j}" for j in range(10)]
        posts.append(post(f"r{i}", f"user{i % 40}", rng.uniform(0, 3600), text=" ".join(words)))
    params = CoordinationParams(
        by=("similar_text",), window=10, min_participation=1, edge_quantile=0.0, null_runs=9
    )
    result = detect(connect(posts), params)
    rows = result.pairs.to_pylist()
    assert len(rows) == 5 * 6  # every pair of the 4 near-copies of each text
    texts = {p.post_id: p.text or "" for p in posts}
    # the object is the first post's text as compared: lower-cased words
    assert all(r["object_id"] == texts[r["content_id"]].lower() for r in rows)
    edges = result.edges.to_pylist()
    assert {(e["account_id_x"], e["account_id_y"]) for e in edges} == {
        (f"bot{i}", f"bot{j}") for i in range(4) for j in range(i + 1, 4)
    }
    assert all(e["p_value"] == 0.1 for e in edges)  # the smallest possible with 9 runs


def test_empty_data_and_kinds_without_objects_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="no posts"):
        detect(connect([]), CoordinationParams())
    with pytest.raises(ConfigError, match="hashtag"):
        detect(connect([share("1", "A", 0)]), CoordinationParams(by=("url", "hashtag")))
