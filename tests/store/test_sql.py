"""DuckDB connections: UTC and the memory limit of LAGEBILD_MEMORY_LIMIT."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lagebild.errors import ConfigError
from lagebild.store.sql import MEMORY_LIMIT_ENV, duckdb_connection


def test_connections_are_utc_with_the_default_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    con = duckdb_connection()
    assert con.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    # DuckDB's own default: a share of the machine's memory, far above a gigabyte here
    assert "GiB" in str(con.execute("SELECT current_setting('memory_limit')").fetchone())


def test_the_memory_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    con = duckdb_connection()
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(ConfigError, match="LAGEBILD_MEMORY_LIMIT='lots' is not a memory size"):
        duckdb_connection()


def test_the_cli_names_a_bad_memory_limit(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lagebild", "--data-dir", str(tmp_path), "stats"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", MEMORY_LIMIT_ENV: "lots"},
        check=False,
    )
    assert done.returncode == 1
    assert "LAGEBILD_MEMORY_LIMIT" in done.stderr and "8GB" in done.stderr
