"""One exception hierarchy for Lagebild.

Every error the library raises on purpose is a :class:`LagebildError`. Its message names the
file, record or parameter at fault, and ``hint`` says what to do about it. The CLI prints both
and exits with status 1; the web API turns them into JSON with a status code. Errors from
third-party libraries are wrapped at the boundary (``raise ... from exc``).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "FormatError",
    "LagebildError",
    "NotFoundError",
    "QueryError",
    "RecordError",
    "StoreError",
    "StoreLockedError",
    "UnknownFormatError",
]


class LagebildError(Exception):
    """Root of all errors Lagebild raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"


class ConfigError(LagebildError):
    """A setting (option, environment variable, TOML file) is missing or invalid."""


class FormatError(LagebildError):
    """An input file cannot be read in the requested or sniffed format."""


class UnknownFormatError(FormatError):
    """No registered source format recognises a file."""


class RecordError(LagebildError):
    """One input record is malformed; the record is quarantined and the run goes on."""


class StoreError(LagebildError):
    """The post store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process is writing to the same store."""


class QueryError(LagebildError):
    """A query over the store is invalid or not allowed (e.g. a write in read-only SQL)."""


class NotFoundError(LagebildError):
    """An id or name (claim, narrative, community, account, model) is not in the store."""
