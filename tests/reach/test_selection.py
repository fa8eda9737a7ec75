"""Selections: claims (with team decisions), narratives, communities, queries, plain filters."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from lagebild.claims.service import decide
from lagebild.claims.store import FactCheckStore
from lagebild.errors import ConfigError, NotFoundError, QueryError
from lagebild.model import NARRATIVE_POST_SCHEMA, Finding
from lagebild.reach import Selection, reach, select_posts
from lagebild.store import PostStore
from lagebild.store.parts import write_part
from tests.reach.conftest import claim_match, community

# X posts of the example: an original retweeted five times, two other originals
ORIGINAL = "1893702366000054273"
OTHERS = ("1893714986660790289", "1893738260853686286")
# the five accounts that retweeted ORIGINAL within minutes, then posted their own
FIVE = (
    "1877100379632566274",
    "1877245175395254275",
    "1877249424225206276",
    "1877709476459446277",
    "1877098752242614273",
)


def ids(store: PostStore, selection: Selection) -> set[str]:
    return set(select_posts(store, selection).column("post_id").to_pylist())


@pytest.fixture
def matched(examples_copy: PostStore) -> PostStore:
    """Three posts matched to fact-check fc-1, one to fc-2."""
    with examples_copy.writer() as w:
        w.write_findings(
            [
                claim_match("m1", "fc-1", "twitter", ORIGINAL),
                claim_match("m2", "fc-1", "twitter", OTHERS[0]),
                claim_match("m3", "fc-1", "twitter", OTHERS[1]),
                claim_match("m4", "fc-2", "twitter", OTHERS[1]),
            ]
        )
    return examples_copy


def test_claim_by_factcheck_or_by_match_id(matched: PostStore) -> None:
    assert ids(matched, Selection("claim", "fc-1")) == {ORIGINAL, *OTHERS}
    # a match id stands for its fact-check: all posts matched to the same claim
    assert ids(matched, Selection("claim", "m2")) == {ORIGINAL, *OTHERS}
    assert ids(matched, Selection("claim", "fc-2")) == {OTHERS[1]}


def test_rejected_matches_do_not_count(matched: PostStore) -> None:
    decide(matched, "m1", "rejected", "tester")
    assert ids(matched, Selection("claim", "fc-1")) == set(OTHERS)
    report = reach(matched, Selection("claim", "fc-1"))
    assert report.selection.details["rejected_matches"] == 1
    assert report.selection.details["matches"] == 3
    assert report.totals.posts == 2
    # the latest decision wins: confirmed after all
    decide(matched, "m1", "confirmed", "tester")
    assert ids(matched, Selection("claim", "fc-1")) == {ORIGINAL, *OTHERS}


def test_all_matches_rejected_is_an_empty_selection(matched: PostStore) -> None:
    decide(matched, "m4", "rejected", "tester")
    report = reach(matched, Selection("claim", "fc-2"))
    assert report.empty
    assert "1 matches were rejected by a team member" in report.notes


def test_a_factcheck_without_matches_is_empty_not_unknown(examples_copy: PostStore) -> None:
    fc = FactCheckStore(examples_copy.data_dir).add(
        claim="Wahlzettel in Sachsen wurden vorab markiert", verdict="false", by="tester"
    )
    report = reach(examples_copy, Selection("claim", fc.factcheck_id))
    assert report.empty
    assert report.selection.details["matches"] == 0


def test_unknown_ids(matched: PostStore) -> None:
    with pytest.raises(NotFoundError, match="no fact-check or claim match with id 'fc-9'"):
        reach(matched, Selection("claim", "fc-9"))
    with pytest.raises(NotFoundError, match="no narrative with id 'n-9'"):
        reach(matched, Selection("narrative", "n-9"))
    with pytest.raises(NotFoundError, match="no coordinated community with id 'c-9'"):
        reach(matched, Selection("community", "c-9"))
    with pytest.raises(NotFoundError, match="no posts by an account"):
        reach(matched, Selection("account", "@nobody_here"))


def test_narrative(examples_copy: PostStore) -> None:
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    keys = [ORIGINAL, *OTHERS]
    write_part(
        examples_copy.folder("narrative_posts"),
        pa.Table.from_pylist(
            [
                {
                    "platform": "twitter",
                    "post_id": pid,
                    "narrative_id": "n1" if i < 2 else "n2",
                    "model_id": "m",
                    "similarity": 0.8,
                    "method": "cluster",
                    "assigned_at": now,
                }
                for i, pid in enumerate(keys)
            ],
            schema=NARRATIVE_POST_SCHEMA,
        ),
    )
    assert ids(examples_copy, Selection("narrative", "n1")) == set(keys[:2])
    report = reach(examples_copy, Selection("narrative", "n2"))
    assert report.totals.posts == 1
    assert report.selection.details == {"narrative_id": "n2", "models": ["m"]}
    # a narrative finding names its terms; one without posts is known, and empty
    terms = {"terms": ["briefwahl", "siegel", "berlin"]}
    with examples_copy.writer() as w:
        w.write_findings(
            [
                Finding("narrative", "n1", now, 2.0, {}, (), (), "narrative", terms),
                Finding("narrative", "n3", now, 0.0, {}, (), (), "narrative", terms),
            ]
        )
    label = reach(examples_copy, Selection("narrative", "n1")).selection.label
    assert label == "posts of narrative n1 “briefwahl · siegel · berlin”"
    assert reach(examples_copy, Selection("narrative", "n3")).empty


def test_community_posts_between_first_and_last(examples_copy: PostStore) -> None:
    members = [("twitter", a) for a in FIVE]
    evidence = [("twitter", "1893702860927926279"), ("twitter", "1893703141946294280")]
    with examples_copy.writer() as w:
        w.write_findings(
            [
                community("c1", members, "2025-02-23T16:42:00Z", "2025-02-23T16:51:46Z", evidence),
                community("c2", members, None, None),
            ]
        )
    report = reach(examples_copy, Selection("community", "c1"))
    # five retweets from 16:42:00 on, and the three own posts up to 16:51:46 (inclusive)
    assert report.totals.posts == 8
    assert report.totals.accounts == 5
    assert report.selection.details["evidence_posts"] == 2
    assert report.selection.details["accounts"] == 5
    assert {a.communities for a in report.amplifiers} == {("c1", "c2")}
    # without a window: every post of the members
    assert reach(examples_copy, Selection("community", "c2")).totals.posts == 10


def test_plain_filters(examples: PostStore) -> None:
    assert len(ids(examples, Selection("account", "@hafenblatt"))) == 3
    assert ids(examples, Selection("account", "1650045633295286276")) == {ORIGINAL}
    for tag in ("#Faktencheck", "btw25"):
        tagged = examples.query(
            "SELECT post_id FROM posts WHERE list_contains(hashtags, ?)",
            [tag.removeprefix("#").lower()],
        ).column(0)
        assert ids(examples, Selection("hashtag", tag)) == set(tagged.to_pylist())
        assert len(tagged) >= 4
    domains = examples.query(
        "SELECT d, count(*) AS n FROM (SELECT unnest(domains) AS d FROM posts) "
        "GROUP BY d ORDER BY n DESC, d LIMIT 1"
    ).to_pylist()[0]
    assert len(ids(examples, Selection("domain", f"https://www.{domains['d']}/x"))) == domains["n"]


@pytest.mark.parametrize(
    ("sql", "error", "message"),
    [
        ("DELETE FROM posts", QueryError, "must be a read-only SELECT, got a DELETE"),
        ("SELECT 1; SELECT 2", QueryError, "exactly one SQL statement, got 2"),
        ("SELEC platform FROM posts", QueryError, "not valid SQL"),
        ("SELECT platform FROM posts", QueryError, "lacks post_id"),
        ("SELECT platform, post_id FROM postz", QueryError, "postz"),
        ("   ", ConfigError, "needs a value"),
    ],
)
def test_bad_queries(examples: PostStore, sql: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        select_posts(examples, Selection("query", sql))


def test_query_may_end_with_semicolon_and_comment(examples: PostStore) -> None:
    sql = f"SELECT platform, post_id, 1 AS extra FROM posts WHERE post_id = '{ORIGINAL}' -- one;"
    assert ids(examples, Selection("query", sql)) == {ORIGINAL}
    assert ids(examples, Selection("query", sql.split(" --")[0] + ";")) == {ORIGINAL}


def test_unknown_kind() -> None:
    with pytest.raises(ConfigError, match="unknown selection kind 'watchlist'"):
        Selection("watchlist", "x")
