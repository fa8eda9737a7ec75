"""End-to-end: the real ``lagebild`` command in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx
import pytest

from tests.conftest import EXAMPLES, FIXTURES


def run(
    data_dir: Path, *args: str, check: bool = True, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAGEBILD_DATA_DIR": str(data_dir), "COLUMNS": str(columns)}
    proc = subprocess.run(
        [sys.executable, "-m", "lagebild", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def run_json(data_dir: Path, *args: str) -> Any:
    return json.loads(run(data_dir, *args, "--json").stdout)


def test_ingest_stats_quarantine_sql(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run_json(data, "ingest", str(EXAMPLES))
    for key in ("read", "stored", "duplicates", "quarantined", "seconds", "by_format"):
        assert key in out
    assert out["read"] == out["stored"] + out["duplicates"] + out["quarantined"]
    assert out["stored"] > 1000
    again = run_json(data, "ingest", str(EXAMPLES))
    assert again["stored"] == 0
    stats = run_json(data, "stats")
    assert stats["posts"] == out["stored"]
    platforms = {p["platform"] for p in stats["platforms"]}
    assert {"twitter", "facebook"} <= platforms
    human = run(data, "stats").stdout
    assert "posts" in human
    assert "twitter" in human
    narrow = run(data, "stats", columns=80).stdout
    for p in stats["platforms"]:  # the time span whole: to the minute, or to the day on 80
        assert p["first"][:16].replace("T", " ") in human
        assert p["last"][:16].replace("T", " ") in human
        assert p["first"][:10] in narrow
        assert p["last"][:10] in narrow
    assert max(len(line) for line in narrow.splitlines()) <= 80
    rows = run_json(data, "sql", "SELECT platform, count(*) AS n FROM posts GROUP BY 1")
    assert sum(r["n"] for r in rows) == out["stored"]
    csv_out = run(data, "sql", "SELECT 1 AS one", "--output", "csv").stdout
    assert csv_out.splitlines() == ["one", "1"]


def test_quarantine_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(data, "ingest", str(FIXTURES / "twitter_io" / "io_archive.csv"))
    summary = run_json(data, "quarantine")
    assert sum(r["count"] for r in summary) == 4
    records = run_json(data, "quarantine", "--records")
    assert {r["line"] for r in records} == {7, 8, 9, 10}
    assert "expected 31 columns" in run(data, "quarantine").stdout


def test_generic_mapping_from_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run_json(
        data,
        "ingest",
        str(FIXTURES / "generic" / "posts.csv"),
        "--map",
        "post_id=id",
        "--map",
        "account_id=user",
        "--map",
        "created_at=date",
        "--map",
        "text=message",
        "--platform",
        "telegram",
        "--time-format",
        "%d.%m.%Y %H:%M",
    )
    assert (out["stored"], out["quarantined"]) == (2, 2)
    assert out["by_format"]["generic"]["files"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sql", "DROP VIEW posts"], "only read-only queries"),
        (["ingest", "nope.json"], "no such file"),
        (["ingest", "--format", "myspace", str(FIXTURES)], "unknown format 'myspace'"),
        (["ingest", "--map", "postid=id", str(FIXTURES)], "unknown field(s) in mapping"),
        (["ingest", "--object-kind", "song", str(FIXTURES)], "unknown --object-kind"),
    ],
)
def test_errors_are_messages_with_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run(tmp_path / "data", *args, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_format_lists_formats(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    proc = run(tmp_path / "data", "ingest", str(odd), check=False)
    assert proc.returncode == 1
    assert "not a known format (tried:" in proc.stderr
    assert "twitter-v2" in proc.stderr
    assert "hint:" in proc.stderr


def test_formats_command(tmp_path: Path) -> None:
    names = {f["name"] for f in run_json(tmp_path, "formats")}
    assert {"twitter-v2", "twitter-io", "crowdtangle", "telegram", "bluesky", "mastodon"} <= names
    assert {"coortweet", "generic"} <= names


def test_empty_store_stats(tmp_path: Path) -> None:
    assert "holds no posts yet" in run(tmp_path / "empty", "stats").stdout
    assert run_json(tmp_path / "empty", "stats")["posts"] == 0


def test_coordination_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(data, "ingest", str(EXAMPLES / "coortweet"))
    out = run_json(
        data,
        "coordination",
        "--by",
        "url",
        "--by",
        "domain",
        "--window",
        "30",
        "--out",
        str(tmp_path / "net"),
    )
    for key in ("pairs", "accounts", "edges", "filtered_edges", "filtered_accounts", "seconds"):
        assert key in out
    assert out["pairs"] > 0
    assert (tmp_path / "net" / "edges.csv").read_text().startswith('"account_id_x"')
    graph = networkx.read_graphml(tmp_path / "net" / "network.graphml")
    assert graph.number_of_edges() == out["filtered_edges"]
    assert graph.number_of_nodes() == out["filtered_accounts"]
    gexf = networkx.read_gexf(tmp_path / "net" / "network.gexf")
    assert gexf.number_of_edges() == out["filtered_edges"]
    assert (tmp_path / "net" / "network.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    communities = json.loads((tmp_path / "net" / "communities.json").read_text())
    assert {a for c in communities for a in c["accounts"]} == set(graph.nodes)
    # every community is stored as a finding, with its evidence
    assert len(out["findings"]) == len(communities)
    listed = run_json(data, "findings", "--kind", "coordination_community")
    assert {f["id"] for f in listed} == {f["id"] for f in out["findings"]}
    one = run_json(data, "findings", listed[0]["id"])
    details = one["details"]
    assert details["size"] == len(details["accounts"]) == len(one["accounts"])
    assert details["evidence"] and details["edges"] and details["top_objects"]
    evidence = details["evidence"][0]
    assert evidence["account_id"] in details["accounts"]
    assert 0 <= evidence["time_delta"] <= 30
    assert {(p["platform"], p["post_id"]) for p in one["posts"]} >= {
        (evidence["platform"], evidence["content_id"])
    }
    assert 0 < details["coordinated_share"] <= 1
    # the same run again stores nothing new; a null model adds p-values
    again = run_json(data, "coordination", "--by", "url", "--by", "domain", "--window", "30")
    assert {f["id"] for f in again["findings"]} == {f["id"] for f in out["findings"]}
    assert len(run_json(data, "findings")) == len(listed)
    human = run(data, "findings", "--limit", "1").stdout  # says how many there are in all
    assert f"1 of {len(listed)} findings" in human
    assert f"--limit {len(listed)} to see all" in human
    tested = run_json(data, "coordination", "--window", "auto", "--null-runs", "3", "--no-save")
    assert tested["window"] >= 1 and tested["findings"] == []
    assert all(0 < c["p_value"] <= 1 for c in tested["communities"])
    bad = run(data, "coordination", "--window", "0", check=False)
    assert bad.returncode == 1
    assert "window must be > 0" in bad.stderr
    bad = run(data, "coordination", "--by", "mention", check=False)
    assert bad.returncode == 1
    assert "no post has an object of kind mention" in bad.stderr
    assert run(data, "findings", "nope", check=False).returncode == 1


def test_each_command_is_registered_by_the_modules_listed_for_it() -> None:
    from lagebild.cli import COMMAND_MODULES, app, load_commands

    load_commands([])
    registered = {
        c.name: c.callback.__module__ for c in app.registered_commands if c.name and c.callback
    }
    for group in app.registered_groups:
        assert group.name and group.typer_instance
        commands = group.typer_instance.registered_commands
        modules = {c.callback.__module__ for c in commands if c.callback}
        assert modules <= {f"lagebild.cli.{m}" for m in COMMAND_MODULES[group.name]}
        registered[group.name] = min(modules)
    assert set(registered) == set(COMMAND_MODULES)
    for name, module in registered.items():
        assert module in {f"lagebild.cli.{m}" for m in COMMAND_MODULES[name]}


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["ingest", "x.csv"], "ingest"),
        (["--data-dir", "d", "stats", "--json"], "stats"),
        (["--data-dir=d", "--config", "c.toml", "claims", "eval"], "claims"),
        (["--help"], None),
        ([], None),
    ],
)
def test_command_name(argv: list[str], name: str | None) -> None:
    from lagebild.cli import command_name

    assert command_name(argv) == name


def test_help_lists_every_command(tmp_path: Path) -> None:
    from lagebild.cli import COMMAND_MODULES

    out = run(tmp_path, "--help").stdout
    assert all(name in out for name in COMMAND_MODULES)


def _help_texts() -> list[tuple[str, str]]:
    """(where, text) of every command's and option's help in the whole CLI."""
    import typer.main

    from lagebild.cli import app, load_commands

    load_commands([])
    out: list[tuple[str, str]] = []

    def visit(command: Any, path: str) -> None:
        out.append((path, command.help or ""))
        out.extend((f"{path} {p.name}", getattr(p, "help", None) or "") for p in command.params)
        for name, sub in getattr(command, "commands", {}).items():
            visit(sub, f"{path} {name}")

    visit(typer.main.get_command(app), "lagebild")
    return out


def test_help_texts_survive_rich_markup() -> None:
    """Help is rendered as rich markup, which swallows ``[word ...]``: a default written as
    ``[default: x]`` in a help text vanished from ``--help`` (use ``show_default=``)."""
    import re

    texts = _help_texts()
    assert len(texts) > 100
    swallowed = [(where, t) for where, t in texts if re.search(r"(?<!\\)\[[a-z/]", t)]
    assert swallowed == []


def test_help_shows_the_store_default(tmp_path: Path) -> None:
    assert "./lagebild-data" in run(tmp_path, "--help").stdout
