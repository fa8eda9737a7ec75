"""End-to-end: ``lagebild reach`` as a person and a script run it, errors included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from lagebild.cli import app
from lagebild.store import PostStore
from tests.reach.conftest import claim_match, community

RETWEETED = ("1893702366000054273", "1893738260853686286")
FIVE = ("1877100379632566274", "1877245175395254275")


def run(data: Path, *args: str) -> Result:
    runner = CliRunner(env={"COLUMNS": "220"})
    return runner.invoke(app, ["--data-dir", str(data), "reach", *args])


@pytest.fixture
def flagged(examples_copy: PostStore) -> PostStore:
    """The examples with a false claim matched to two X posts and a community of retweeters."""
    with examples_copy.writer() as w:
        w.write_findings(
            [
                *(claim_match(f"m{i}", "fc-1", "twitter", p) for i, p in enumerate(RETWEETED)),
                community("c1", [("twitter", a) for a in FIVE], "2025-02-23T16:00:00Z", None),
            ]
        )
    return examples_copy


def test_claim_tables(flagged: PostStore) -> None:
    result = run(flagged.data_dir, "--claim", "fc-1", "--top", "5")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Reach of posts matched to fact-check fc-1" in out
    assert "2 posts (2 originals, 0 reposts) by 2 accounts" in out
    for heading in ("Totals", "Per platform", "Top amplifiers", "Per day", "Peak hour"):
        assert heading in out
    assert "152,262" in out  # views of the two matched posts
    assert "7 posts in the store repost a selected post, 7 of them outside the selection" in out
    assert "wahlcheck_nord" in out and "measured" in out
    assert "c1" in out  # retweeters in the coordinated community are flagged


def test_claim_json(flagged: PostStore) -> None:
    result = run(flagged.data_dir, "--claim", "m0", "--json", "--top", "50")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["selection"]["factcheck_id"] == "fc-1"
    assert data["totals"]["metrics"]["views"] == {"total": 152262, "carried": 2, "missing": 0}
    assert data["amplifiers"]["in_coordinated_communities"] == 2
    communities = {a["handle"]: a["communities"] for a in data["amplifiers"]["top"]}
    assert communities["sabine_fragt_nach"] == ["c1"]
    assert data["series"]["hour"][0]["start"] == "2025-02-23T16:00:00Z"


def test_data_without_views_says_missing(examples: PostStore) -> None:
    result = run(
        examples.data_dir,
        "--query",
        "SELECT platform, post_id FROM posts WHERE source LIKE '%ira_german%'",
        "--days",
        "3",
    )
    assert result.exit_code == 0, result.output
    assert "missing" in result.output
    assert "views (estimate)" in result.output and "estimate" in result.output
    assert "twitter: the data has no views, likes, reposts, replies, quotes" in result.output
    assert "(last 3 of" in result.output


def test_empty_selection(examples: PostStore) -> None:
    result = run(examples.data_dir, "--hashtag", "nothingtagged", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["empty"] is True and data["totals"]["posts"] == 0
    human = run(examples.data_dir, "--hashtag", "nothingtagged")
    assert "the selection is empty" in human.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--claim", "no-such-claim"], "no fact-check or claim match with id 'no-such-claim'"),
        (["--community", "c-9"], "no coordinated community with id 'c-9'"),
        (
            ["--claim", "fc-1", "--query", "SELECT 1"],
            "give exactly one selection (got --claim, --query)",
        ),
        ([], "give exactly one selection (got none)"),
        (["--query", "DROP TABLE posts"], "must be a read-only SELECT, got a DROP"),
        (["--query", "SELECT post_id FROM posts"], "lacks platform"),
        (["--query", "SELECT platform, post_id FROM posts", "--series", "minute"], "minute"),
        (["--narrative", "n1"], "no narrative with id 'n1'"),
        (["--hashtag", "btw25", "--estimate", "guess"], "unknown estimate rule 'guess'"),
    ],
)
def test_errors(examples: PostStore, args: list[str], message: str) -> None:
    result = run(examples.data_dir, *args)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert result.output.startswith("error:")


def test_empty_store(tmp_path: Path) -> None:
    result = run(tmp_path / "nothing", "--hashtag", "btw25")
    assert result.exit_code == 1
    assert "holds no posts" in result.output
    assert "lagebild ingest" in result.output


def test_text_from_the_data_is_not_read_as_markup(examples: PostStore) -> None:
    sql = "SELECT platform, post_id FROM posts WHERE post_id <> '[bold]x[/bold]' LIMIT 5"
    result = run(examples.data_dir, "--query", sql)
    assert result.exit_code == 0, result.output
    assert "'[bold]x[/bold]'" in result.output
