"""The ingest run: files -> reader -> batches -> store, with counts that always add up.

For every file, ``read == stored + duplicates + quarantined``: each post record the reader
produced was either new (stored), already in the store or earlier in the run (duplicate), or
malformed (quarantined with its reason). Records that are valid but not posts (likes, service
messages) are counted as ``skipped`` by kind. A run that is interrupted is completed by running
it again: what was stored is recognised as duplicate, the rest is stored.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lagebild.errors import FormatError, UnknownFormatError
from lagebild.ingest.base import ReadOptions, Skipped, SourceFormat
from lagebild.ingest.sniff import DATA_SUFFIXES, detect_format
from lagebild.model import (
    Account,
    Post,
    Reject,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
)
from lagebild.plugins import Registry
from lagebild.store import PostStore, StoreWriter

__all__ = ["FileResult", "IngestResult", "Progress", "collect_files", "ingest"]

DEFAULT_BATCH = 50_000


@dataclass
class FileResult:
    """The counts of one ingested file."""

    path: str
    format: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    accounts_read: int = 0
    accounts_stored: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain JSON-able data."""
        return {
            "path": self.path,
            "format": self.format,
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "skipped": dict(self.skipped),
            "accounts_read": self.accounts_read,
            "accounts_stored": self.accounts_stored,
            "seconds": round(self.seconds, 3),
        }


_COUNTS = ("read", "stored", "duplicates", "quarantined", "accounts_read", "accounts_stored")


@dataclass
class IngestResult:
    """The counts of a whole run, per file and per format."""

    files: list[FileResult] = field(default_factory=list)
    unrecognized: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def total(self, name: str) -> int:
        """The sum of one count over all files."""
        return sum(int(getattr(f, name)) for f in self.files)

    def by_format(self) -> dict[str, dict[str, int]]:
        """Counts summed per source format."""
        out: dict[str, dict[str, int]] = {}
        for f in self.files:
            agg = out.setdefault(f.format, dict.fromkeys((*_COUNTS, "files"), 0))
            agg["files"] += 1
            for c in _COUNTS:
                agg[c] += int(getattr(f, c))
        return out

    def as_dict(self) -> dict[str, Any]:
        """The run as plain JSON-able data (what ``lagebild ingest --json`` prints)."""
        skipped: Counter[str] = Counter()
        for f in self.files:
            skipped.update(f.skipped)
        return {
            **{c: self.total(c) for c in _COUNTS},
            "skipped": dict(skipped),
            "seconds": round(self.seconds, 3),
            "posts_per_second": round(self.total("read") / self.seconds) if self.seconds else None,
            "by_format": self.by_format(),
            "files": [f.as_dict() for f in self.files],
            "unrecognized": self.unrecognized,
        }


@dataclass(frozen=True)
class Progress:
    """A progress report: the file being read, its index, and its counts so far."""

    file_index: int
    file_count: int
    result: FileResult
    done: bool


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest: given files as they are, directories walked (data suffixes only).

    Returns ``(explicit, walked)``: a file named on the command line must be readable, one
    found in a directory may be left out when no format recognises it.
    """
    explicit: list[Path] = []
    walked: list[Path] = []
    for p in paths:
        if p.is_dir():
            walked.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in DATA_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            explicit.append(p)
        else:
            raise FormatError(f"{p}: no such file or directory")
    return explicit, walked


def ingest(
    store: PostStore,
    paths: Sequence[Path],
    *,
    registry: Registry,
    format_name: str | None = None,
    options: ReadOptions | None = None,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[Progress], None] | None = None,
) -> IngestResult:
    """Read every file with its (given or sniffed) format and add its records to the store."""
    started = time.perf_counter()
    options = options or ReadOptions()
    if options.collected_at is None:
        options = replace(options, collected_at=dt.datetime.now(dt.UTC))
    explicit, walked = collect_files(paths)
    plan: list[tuple[Path, SourceFormat]] = []
    result = IngestResult()
    forced = registry.format(format_name) if format_name else None
    for path in explicit:
        plan.append((path, forced or detect_format(path, registry)))
    for path in walked:
        try:
            plan.append((path, forced or detect_format(path, registry)))
        except UnknownFormatError as exc:
            result.unrecognized.append({"path": str(path), "error": exc.message})
    with store.writer() as writer:
        for i, (path, fmt) in enumerate(plan):
            file_result = FileResult(path=str(path), format=fmt.name)
            result.files.append(file_result)
            _ingest_file(
                writer, path, fmt, options, batch_size, file_result, i, len(plan), on_progress
            )
    result.seconds = time.perf_counter() - started
    return result


def _ingest_file(
    writer: StoreWriter,
    path: Path,
    fmt: SourceFormat,
    options: ReadOptions,
    batch_size: int,
    out: FileResult,
    index: int,
    count: int,
    on_progress: Callable[[Progress], None] | None,
) -> None:
    t0 = time.perf_counter()
    posts: list[Post] = []
    accounts: dict[tuple[Any, ...], Account] = {}
    rejects: list[Reject] = []
    skipped: Counter[str] = Counter()

    def flush() -> None:
        res = writer.write(
            posts_to_table(posts),
            accounts_to_table(list(accounts.values())),
            rejects_to_table(rejects),
        )
        out.read += len(posts) + len(rejects)
        out.stored += res.stored
        out.duplicates += res.duplicates
        out.quarantined += len(rejects)
        out.accounts_stored += res.accounts_stored
        out.skipped = dict(skipped)
        out.seconds = time.perf_counter() - t0
        posts.clear()
        accounts.clear()
        rejects.clear()
        if on_progress:
            on_progress(Progress(index, count, out, done=False))

    for item in fmt.read(path, options):
        kind = type(item)
        if kind is Post:
            posts.append(item)  # type: ignore[arg-type]
            if len(posts) >= batch_size:
                flush()
        elif kind is Account:
            out.accounts_read += 1
            accounts.setdefault(item[:11], item)  # type: ignore[arg-type]
        elif kind is Reject:
            rejects.append(item)  # type: ignore[arg-type]
            if len(rejects) >= batch_size:
                flush()
        elif kind is Skipped:
            skipped[item.kind] += 1  # type: ignore[union-attr]
    flush()
    if on_progress:
        on_progress(Progress(index, count, out, done=True))
