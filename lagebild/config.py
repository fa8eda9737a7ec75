"""Settings: where the data lives and which engine runs the queries.

Resolved in this order, first wins: an explicit argument (the CLI's ``--data-dir``), the
environment (``LAGEBILD_DATA_DIR``, ``LAGEBILD_ENGINE``), a TOML file (``--config`` /
``LAGEBILD_CONFIG``, else ``./lagebild.toml`` if present; keys under ``[lagebild]``), and the
defaults (``./lagebild-data``, DuckDB).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lagebild.errors import ConfigError

__all__ = ["DEFAULT_DATA_DIR", "ENGINES", "Settings"]

DEFAULT_DATA_DIR = Path("lagebild-data")
ENGINES = ("duckdb",)


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one Lagebild process."""

    data_dir: Path = DEFAULT_DATA_DIR
    engine: str = "duckdb"

    @classmethod
    def load(
        cls,
        *,
        data_dir: Path | None = None,
        config_file: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from arguments, environment, TOML file and defaults (in that order)."""
        env = os.environ if env is None else env
        file_values = _read_toml(config_file, env)
        resolved_dir = (
            data_dir
            or _path(env.get("LAGEBILD_DATA_DIR"))
            or _path(file_values.get("data_dir"))
            or DEFAULT_DATA_DIR
        )
        engine = env.get("LAGEBILD_ENGINE") or str(file_values.get("engine", "duckdb"))
        if engine not in ENGINES:
            raise ConfigError(
                f"unknown engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}"
            )
        return cls(data_dir=resolved_dir, engine=engine)


def _path(value: Any) -> Path | None:
    return Path(str(value)).expanduser() if value else None


def _read_toml(config_file: Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    path = config_file or _path(env.get("LAGEBILD_CONFIG"))
    if path is None:
        default = Path("lagebild.toml")
        if not default.is_file():
            return {}
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    section = data.get("lagebild", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [lagebild] must be a table")
    return section
