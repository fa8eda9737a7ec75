"""Shared test fixtures: paths to the committed fixtures and to ../shared/data, a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagebild.cli import load_commands
from lagebild.plugins import Registry, load_registry
from lagebild.store import PostStore

# the console script registers only the command it runs; tests drive ``app`` with every one
load_commands([])

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def fixtures() -> Path:
    """The folder of committed, small real-format fixtures."""
    return FIXTURES


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; tests that need it are skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (only present in the dev/CI setup)")
    return SHARED_DATA


@pytest.fixture
def store(tmp_path: Path) -> PostStore:
    """An empty post store in a temporary folder."""
    return PostStore(tmp_path / "data")


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The registry with every built-in format (entry-point plugins left out)."""
    return load_registry(entry_points=False)
