"""End-to-end: ``lagebild accounts`` and ``lagebild state-media`` on real example data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lagebild.accounts import SIGNALS
from lagebild.cli import app
from tests.accounts.conftest import IRA_CSV, write_jsonl

runner = CliRunner(env={"COLUMNS": "200"})


def cli(data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data-dir", str(data), *args])
    return result.exit_code, result.stdout, result.stderr


def cli_json(data: Path, *args: str) -> Any:
    code, out, err = cli(data, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the IRA example and a few posts of another platform and of state media."""
    folder = tmp_path_factory.mktemp("cli")
    rows = [
        {
            "platform": "bluesky",
            "post_id": "b1",
            "account_id": "did:plc:alex",
            "account_handle": "alexmmyer",
            "created_at": "2024-06-01T10:00:00Z",
            "text": "Sputnik: https://sputniknews.com/20240601/x.html",
            "urls": ["https://sputniknews.com/20240601/x.html"],
        },
    ]
    code, _, err = cli(
        folder / "data", "ingest", str(IRA_CSV), str(write_jsonl(folder / "bsky.jsonl", rows))
    )
    assert code == 0, err
    return folder / "data"


def test_profile_of_one_account(data: Path) -> None:
    code, out, err = cli(data, "accounts", "ANNIEISBEAR")
    assert code == 0, err
    for s in SIGNALS:
        assert s.name in out
    assert "AnniEisbear" in out and "missing:" in out
    doc = cli_json(data, "accounts", "@AnniEisbear")
    assert doc["account_id"] == "AnniEisbear" and doc["platform"] == "twitter"
    signals = {s["name"]: s for s in doc["signals"]}
    assert list(signals) == [s.name for s in SIGNALS]
    assert (
        signals["repost_share"]["value"] is not None and signals["repost_share"]["missing"] is None
    )
    assert signals["reply_share"]["value"] is None
    assert "replies" in signals["reply_share"]["missing"]
    assert doc["context"]["posts"] == 23
    assert doc["profile"]["handle"] == "AnniEisbear"
    assert doc["communities"] == [] and doc["state_media"]["posts"] == 0


def test_ambiguous_and_unknown_handles(data: Path) -> None:
    code, _, err = cli(data, "accounts", "alexmmyer")
    assert code == 1
    assert (
        "names 2 accounts" in err and "bluesky:did:plc:alex" in err and "twitter:Alexmmyer" in err
    )
    assert "--platform" in err
    doc = cli_json(data, "accounts", "alexmmyer", "--platform", "bluesky")
    assert doc["account_id"] == "did:plc:alex"
    assert doc["state_media"]["outlets"] == [
        {"outlet": "Sputnik", "domain": "sputniknews.com", "how": "link", "posts": 1}
    ]
    assert cli_json(data, "accounts", "did:plc:alex")["handle"] == "alexmmyer"
    code, _, err = cli(data, "accounts", "nobody_here")
    assert code == 1 and "no account with handle or id 'nobody_here'" in err
    assert "lagebild accounts --top" in err


def test_ranking(data: Path) -> None:
    ranked = cli_json(data, "accounts", "--top", "3", "--sort", "posts")
    assert [r["account_id"] for r in ranked] == ["Alexmmyer", "AndreasEulitz", "AnniEisbear"]
    low = cli_json(
        data, "accounts", "--top", "2", "--sort", "posts", "--ascending", "--platform", "twitter"
    )
    assert all(r["posts"] == 1 for r in low)
    code, out, _ = cli(data, "accounts", "--sort", "night_share")
    assert code == 0 and "accounts by night_share" in out
    code, _, err = cli(data, "accounts", "--sort", "charm")
    assert code == 1 and "cannot sort by 'charm'" in err


def test_state_media_command(data: Path, tmp_path: Path) -> None:
    doc = cli_json(data, "state-media")
    assert doc["posts"] == 1 and doc["hits"][0]["outlet"] == "Sputnik"
    code, out, _ = cli(data, "state-media")
    assert code == 0 and "Sputnik" in out and "b1" in out
    listing = cli_json(data, "state-media", "--show-list")
    assert any(e["domain"] == "rt.com" for e in listing["entries"])
    mine = tmp_path / "mine.csv"
    mine.write_text("domain,outlet,country,kind\nexample.org,Ex,XX,outlet\n", encoding="utf-8")
    assert cli_json(data, "state-media", "--list", str(mine))["posts"] == 0
    code, out, _ = cli(data, "state-media", "--list", str(mine))
    assert code == 0 and "No post links or copies" in out
    mine.write_text("domain,outlet,country,kind\nnot a domain,Ex,XX,outlet\n", encoding="utf-8")
    code, _, err = cli(data, "state-media", "--list", str(mine))
    assert code == 1 and "line 2" in err


def test_empty_store(tmp_path: Path) -> None:
    for args in (["accounts", "someone"], ["accounts", "--top", "5"]):
        code, _, err = cli(tmp_path / "empty", *args)
        assert code == 1 and "holds no accounts" in err and "lagebild ingest" in err
    assert cli_json(tmp_path / "empty", "state-media") == {"posts": 0, "hits": []}
