"""The fact-check file formats in one registry, and sniffing so that ``--format`` is optional.

Each format is one module with a ``sniff(head)`` and a pure ``read(path, options)`` that
yields :class:`~lagebild.claims.factchecks.FactCheck` and :class:`~lagebild.model.Reject`
items: a bad record is quarantined with its place and reason, never raised; only a file that
cannot be read at all raises :class:`~lagebild.errors.FormatError`. Sniffing reuses the post
formats' :func:`~lagebild.ingest.sniff.read_head`; when several formats claim a file, the
highest ``priority`` wins (the shapes are distinct; the generic CSV comes last).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lagebild.claims import checkthat, claimreview, csvfile, google
from lagebild.claims.factchecks import FactCheck, FactCheckOptions
from lagebild.errors import FormatError, UnknownFormatError
from lagebild.ingest.base import Head
from lagebild.ingest.pipeline import collect_files as ingest_collect_files
from lagebild.ingest.sniff import read_head
from lagebild.model import Reject

__all__ = [
    "FACTCHECK_FORMATS",
    "FACTCHECK_SUFFIXES",
    "FactCheckFormat",
    "collect_files",
    "detect_format",
    "get_format",
    "read_factchecks",
]


@dataclass(frozen=True)
class FactCheckFormat:
    """A fact-check file format: its name, how to recognise it and how to read it."""

    name: str
    title: str
    sniff: Callable[[Head], bool]
    read: Callable[[Path, FactCheckOptions], Iterator[FactCheck | Reject]]
    priority: int = 0


#: Every fact-check format, by name.
FACTCHECK_FORMATS: Final = {
    f.name: f
    for f in (
        FactCheckFormat(
            checkthat.FORMAT,
            "CLEF CheckThat! verified claims (verified_claims.docs.tsv, vclaims.jsonl)",
            checkthat.sniff,
            checkthat.read,
            priority=30,
        ),
        FactCheckFormat(
            google.FORMAT,
            "Google Fact Check Tools API claims:search pages (JSON, JSON Lines)",
            google.sniff,
            google.read,
            priority=20,
        ),
        FactCheckFormat(
            claimreview.FORMAT,
            "schema.org ClaimReview JSON-LD (JSON, JSON Lines, HTML pages)",
            claimreview.sniff,
            claimreview.read,
            priority=10,
        ),
        FactCheckFormat(
            csvfile.FORMAT,
            "CSV/TSV with a header naming at least a claim column",
            csvfile.sniff,
            csvfile.read,
            priority=0,
        ),
    )
}

#: Suffixes of the files a folder walk imports (others, such as README.md, are left out).
FACTCHECK_SUFFIXES: Final = frozenset(
    {".json", ".jsonl", ".ndjson", ".jsonld", ".html", ".htm", ".csv", ".tsv"}
)


def get_format(name: str) -> FactCheckFormat:
    """The format called ``name``; an unknown name lists the known ones."""
    try:
        return FACTCHECK_FORMATS[name]
    except KeyError:
        raise FormatError(
            f"unknown fact-check format {name!r}",
            hint=f"use one of: {', '.join(FACTCHECK_FORMATS)}",
        ) from None


def detect_format(path: Path) -> FactCheckFormat:
    """The format of ``path`` by its first bytes; an empty or unknown file raises FormatError."""
    head = read_head(path)
    if not head.text.strip() and head.parquet_columns is None:
        raise FormatError(f"{path}: the file is empty", hint="export the fact-checks again")
    matches = [f for f in FACTCHECK_FORMATS.values() if _safe_sniff(f, head)]
    if not matches:
        raise UnknownFormatError(
            f"{path}: not a known fact-check format (tried: {', '.join(FACTCHECK_FORMATS)})",
            hint="name it with --format, or give a CSV a 'claim' column "
            "(see docs/claims.md, 'Fact-check store')",
        )
    return max(matches, key=lambda f: f.priority)


def _safe_sniff(fmt: FactCheckFormat, head: Head) -> bool:
    try:
        return bool(fmt.sniff(head))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return False


def read_factchecks(
    path: Path, format_name: str | None = None, options: FactCheckOptions | None = None
) -> Iterator[FactCheck | Reject]:
    """Read one file in the named (or sniffed) format: fact-checks and quarantined records."""
    fmt = get_format(format_name) if format_name else detect_format(path)
    return fmt.read(path, options or FactCheckOptions())


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """``(named, walked)``: files given as they are, folders walked for fact-check suffixes.

    A missing path raises :class:`FormatError`. A named file must be importable; a walked one
    may be left out when no format recognises it. (The ingest walk, with these suffixes.)
    """
    return ingest_collect_files(paths, FACTCHECK_SUFFIXES)
