"""``--compat cnt``: coordination-network-toolkit 1.5.2's edges on hand-made cases.

The cases mirror behaviour checked on the toolkit itself (``bench/cnt.py`` runs it); the
benchmark compares whole edge lists on generated data.
"""

from __future__ import annotations

from typing import Any

import pytest

from lagebild.coordination import CoordinationParams
from lagebild.coordination.cnt import detect_cnt
from lagebild.errors import ConfigError
from lagebild.model import Post
from tests.coordination.test_detect import connect, share


def post(post_id: str, account: str, seconds: float, **fields: Any) -> Post:
    return share(post_id, account, seconds)._replace(urls=(), **fields)


def edges(posts: list[Post], by: str, **params: Any) -> dict[tuple[str, str], int]:
    params = {"window": 60, "min_participation": 1, **params}
    result = detect_cnt(connect(posts), CoordinationParams(by=(by,), **params))
    return {(r["account_id_x"], r["account_id_y"]): r["weight"] for r in result.edges.to_pylist()}


def test_weights_are_directed_and_the_window_inclusive_both_ways() -> None:
    posts = [share(f"a{t}", "A", t) for t in (0, 100, 200)]
    posts += [share(f"b{t}", "B", t) for t in (30, 60, 130)]
    # A@0 meets B@30 and B@60 (60 s: inclusive), A@100 meets B@60 and B@130, A@200 nobody
    assert edges(posts, "url") == {("A", "B"): 2, ("B", "A"): 3}
    assert edges(posts, "url", window=30) == {("A", "B"): 2, ("B", "A"): 2}
    assert edges(posts, "url", window=29) == {}


def test_min_edge_weight_filters_each_direction() -> None:
    posts = [share(f"a{t}", "A", t) for t in (0, 100, 200)]
    posts += [share(f"b{t}", "B", t) for t in (30, 60, 130)]
    result = detect_cnt(
        connect(posts), CoordinationParams(by=("url",), window=30, min_participation=3)
    )
    assert result.filtered_edges.num_rows == 0
    result = detect_cnt(
        connect(posts), CoordinationParams(by=("url",), window=60, min_participation=3)
    )
    assert [(r["account_id_x"], r["edge_type"]) for r in result.filtered_edges.to_pylist()] == [
        ("B", "co_link")
    ]


def test_no_empty_url_no_self_loops_no_reposts_in_co_link() -> None:
    posts = [
        post("1", "A", 0),  # no link: the toolkit gives it the URL "" (its bug)
        post("2", "B", 1),
        share("3", "C", 2),
        share("4", "C", 3),  # the same account: the toolkit stores a self-loop
        share("5", "D", 4)._replace(repost_of="99"),  # a repost: no URLs in the toolkit
    ]
    assert edges(posts, "url") == {}


def test_co_retweet_links_reposts_of_the_same_post_only() -> None:
    posts = [
        post("1", "A", 0, repost_of="99"),
        post("2", "B", 10, repost_of="99"),
        post("3", "C", 5, repost_of="98"),
        post("99", "D", 1),  # the original is not a retweet of itself
    ]
    assert edges(posts, "repost") == {("A", "B"): 1, ("B", "A"): 1}


def test_co_tweet_ignores_case_mentions_and_spacing_but_not_punctuation() -> None:
    posts = [
        post("1", "A", 0, text="Hello World @x foo"),
        post("2", "B", 1, text="hello   world foo @yy"),
        post("3", "C", 2, text="hello world foo!"),
        post("4", "D", 3, text="@only"),  # empty once mentions are gone: no text object
        post("5", "E", 4, text="@other"),
        post("6", "F", 5, text="Hello World @x foo", repost_of="1"),
    ]
    assert edges(posts, "text") == {("A", "B"): 1, ("B", "A"): 1}


def test_co_similar_tweet_is_jaccard_of_token_sets() -> None:
    words = ["die", "wahl", "in", "berlin", "wurde", "heute", "manipuliert", "sagt", "ein", "zeuge"]
    posts = [
        post("1", "A", 0, text=" ".join(words)),
        post("2", "B", 1, text=" ".join([*words[:-1], "insider"])),  # 9 of 11: 0.82
        post("3", "C", 2, text=" ".join(words[:6]) + " heute!"),  # "!" is a token: 6 of 11
        post("4", "D", 3, text="@x " + " ".join(reversed(words))),  # same set, any order
    ]
    assert edges(posts, "similar_text", similarity=0.8) == {
        ("A", "B"): 1,
        ("B", "A"): 1,
        ("A", "D"): 1,
        ("D", "A"): 1,
        ("B", "D"): 1,
        ("D", "B"): 1,
    }
    assert ("A", "C") in edges(posts, "similar_text", similarity=0.5)


def test_kinds_the_toolkit_lacks_are_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no network for --by hashtag"):
        detect_cnt(connect([share("1", "A", 0)]), CoordinationParams(by=("hashtag",)))
