"""The ``lagebild`` command: thin actions over the library.

Each command parses its options, calls one library function and renders the result (a rich
table for people, ``--json`` for scripts). A :class:`~lagebild.errors.LagebildError` becomes
its message and hint on stderr and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import getpass
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from lagebild.config import Settings
from lagebild.errors import ConfigError, LagebildError
from lagebild.store import PostStore

__all__ = ["COMMAND_MODULES", "app", "command_name", "load_commands", "main"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="lagebild",
    help="Lagebild: one situation picture of election disinformation and influence operations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class State:
    """Options given before the command (shared by all commands)."""

    data_dir: Path | None = None
    config: Path | None = None


def settings(ctx: typer.Context) -> Settings:
    """Resolved settings for this invocation."""
    state: State = ctx.ensure_object(State)
    return Settings.load(data_dir=state.data_dir, config_file=state.config)


def open_store(ctx: typer.Context) -> PostStore:
    """The post store named by the settings."""
    return PostStore(settings(ctx).data_dir)


def err_console() -> Console:
    """Console for progress and messages (stderr, so --json output stays clean)."""
    return Console(stderr=True)


def out_console() -> Console:
    """Console for results."""
    return Console(highlight=False)


def print_json(data: Any) -> None:
    """Print one JSON document to stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def team_member(by: str | None) -> str:
    """Who acts: ``--by``, else ``$LAGEBILD_USER``, else the login name, else ``unknown``."""
    if by:
        return by
    if os.environ.get("LAGEBILD_USER"):
        return os.environ["LAGEBILD_USER"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def parse_when(option: str, value: str | None) -> dt.datetime | None:
    """A date option (``YYYY-MM-DD`` or ISO time) as an aware datetime; UTC when no zone."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{option} {value!r} is not a date", hint="use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress(stage, done, total)`` callback drawing one bar per stage on stderr."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield progress


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn Lagebild errors into a message with a hint and exit status 1."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except LagebildError as exc:
            console = err_console()
            console.print(f"[bold red]error:[/] {exc.message}", markup=True, highlight=False)
            if exc.hint:
                console.print(f"[yellow]hint:[/] {exc.hint}", markup=True, highlight=False)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="LAGEBILD_DATA_DIR",
            help="Data directory of the store.",
            show_default="./lagebild-data",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="LAGEBILD_CONFIG", help="Settings TOML file."),
    ] = None,
) -> None:
    state = ctx.ensure_object(State)
    state.data_dir = data_dir
    state.config = config


#: The modules that register each command on ``app`` (a command's module must be imported
#: before ``app`` runs; ``tests/test_cli.py`` checks this table against the modules).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "accounts": ("accounts",),
    "state-media": ("accounts",),
    "claims": ("claims", "match"),
    "coordination": ("coordination",),
    "demo": ("demo",),
    "factchecks": ("factchecks",),
    "findings": ("findings",),
    "ingest": ("ingest",),
    "formats": ("ingest",),
    "match": ("match",),
    "narratives": ("narratives",),
    "reach": ("reach",),
    "report": ("report",),
    "spikes": ("spikes",),
    "stats": ("store",),
    "quarantine": ("store",),
    "sql": ("store",),
}

#: Options of the root command that take a value (to find the command name after them).
_ROOT_VALUE_OPTIONS = ("--data-dir", "--config")


def command_name(argv: Sequence[str]) -> str | None:
    """The command named on a command line (``None`` for help, or before any command)."""
    args = iter(argv)
    for arg in args:
        if arg in _ROOT_VALUE_OPTIONS:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def load_commands(argv: Sequence[str]) -> None:
    """Register the command that ``argv`` runs, or every command for help or a typo.

    Importing only the one module a command needs keeps ``lagebild ingest`` from loading
    the claim, coordination and report code first (half a second of start-up).
    """
    modules = COMMAND_MODULES.get(command_name(argv) or "")
    for name in modules or sorted({m for ms in COMMAND_MODULES.values() for m in ms}):
        importlib.import_module(f"lagebild.cli.{name}")


def main() -> None:
    """Entry point of the ``lagebild`` console script."""
    load_commands(sys.argv[1:])
    app()
