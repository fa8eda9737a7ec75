"""The ingest run: files -> reader -> batches -> store, with counts that always add up.

For every file, ``read == stored + duplicates + quarantined``: each post record the reader
produced was either new (stored), already in the store or earlier in the run (duplicate), or
malformed (quarantined with its reason). Records that are valid but not posts (likes, service
messages) are counted as ``skipped`` by kind. A run that is interrupted is completed by running
it again: what was stored is recognised as duplicate, the rest is stored.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from lagebild.errors import FormatError, UnknownFormatError
from lagebild.ingest.base import Batch, LocalId, ReadOptions, Skipped, SourceFormat, Span
from lagebild.ingest.columnar import input_kind
from lagebild.ingest.sniff import DATA_SUFFIXES, detect_format
from lagebild.ingest.split import plan_spans
from lagebild.model import (
    Account,
    Post,
    Reject,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
)
from lagebild.plugins import Registry, load_registry
from lagebild.store import PostStore, StoreWriter

__all__ = [
    "FileResult",
    "IngestResult",
    "Progress",
    "collect_files",
    "default_workers",
    "ingest",
    "read_batches",
]

DEFAULT_BATCH = 50_000
DEFAULT_CHUNK = 16 << 20
#: Posts (and rejects) per write when the spans of a large file are read in parallel.
WRITE_ROWS = 250_000


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


def collect_files(
    paths: Iterable[Path], suffixes: Collection[str] = DATA_SUFFIXES
) -> tuple[list[Path], list[Path]]:
    """Files to read: given files as they are, directories walked (``suffixes`` only, hidden
    files and folders left out).

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
                and f.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            explicit.append(p)
        else:
            raise FormatError(f"{p}: no such file or directory")
    return explicit, walked


def read_batches(
    fmt: SourceFormat, path: Path, options: ReadOptions, batch_size: int
) -> Iterator[Batch]:
    """Read a file (or its span) with ``fmt`` and yield its items in batches of tables."""
    posts: list[Post] = []
    accounts: dict[tuple[Any, ...], Account] = {}
    rejects: list[Reject] = []
    skipped: Counter[str] = Counter()
    local_ids: list[tuple[str, str]] = []
    accounts_read = 0

    def batch() -> Batch:
        nonlocal accounts_read
        out = Batch(
            posts_to_table(posts),
            accounts_to_table(list(accounts.values())),
            rejects_to_table(rejects),
            skipped.copy(),
            accounts_read,
            local_ids.copy(),
        )
        posts.clear()
        accounts.clear()
        rejects.clear()
        skipped.clear()
        local_ids.clear()
        accounts_read = 0
        return out

    for item in fmt.read(path, options):
        kind = type(item)
        if kind is Post:
            posts.append(item)  # type: ignore[arg-type]
            if len(posts) >= batch_size:
                yield batch()
        elif kind is Account:
            accounts_read += 1
            accounts.setdefault(item[:11], item)  # type: ignore[arg-type]
        elif kind is Reject:
            rejects.append(item)  # type: ignore[arg-type]
            if len(rejects) >= batch_size:
                yield batch()
        elif kind is Skipped:
            skipped[item.kind] += 1  # type: ignore[union-attr]
        elif kind is LocalId:
            local_ids.append(item)  # type: ignore[arg-type]
    yield batch()


def _read_span(fmt_name: str, path: Path, options: ReadOptions, batch_size: int) -> list[Batch]:
    """Worker process: read one span of a file (the registry is rebuilt in the worker)."""
    fmt = load_registry().format(fmt_name)
    return list(read_batches(fmt, path, options, batch_size))


def default_workers() -> int:
    """Processes used to read large files: one per core."""
    return max(1, os.cpu_count() or 1)


def ingest(
    store: PostStore,
    paths: Sequence[Path],
    *,
    registry: Registry,
    format_name: str | None = None,
    options: ReadOptions | None = None,
    batch_size: int = DEFAULT_BATCH,
    workers: int | None = None,
    chunk_bytes: int = DEFAULT_CHUNK,
    write_rows: int = WRITE_ROWS,
    on_progress: Callable[[Progress], None] | None = None,
) -> IngestResult:
    """Read every file with its (given or sniffed) format and add its records to the store.

    Large JSON Lines and CSV files are cut into spans read by ``workers`` processes; the
    spans are written in file order, so the result is the same as a sequential read, in
    writes of at least ``write_rows`` records.
    """
    started = time.perf_counter()
    options = options or ReadOptions()
    if options.collected_at is None:
        options = replace(options, collected_at=dt.datetime.now(dt.UTC))
    workers = default_workers() if workers is None else max(1, workers)
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
    with ExitStack() as stack:
        writer = stack.enter_context(store.writer())
        pool: ProcessPoolExecutor | None = None
        for i, (path, fmt) in enumerate(plan):
            file_result = FileResult(path=str(path), format=fmt.name)
            result.files.append(file_result)
            columnar = fmt.read_tables(path, options, batch_size) if fmt.read_tables else None
            spans = _spans(path, fmt, chunk_bytes) if workers > 1 and columnar is None else []
            if columnar is not None:
                batches: Iterable[Batch] = columnar
            elif len(spans) > 1:
                if pool is None:
                    pool = stack.enter_context(
                        ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"))
                    )
                per_span = _parallel(pool, workers, fmt.name, path, options, spans, batch_size)
                batches = _coalesced(
                    fmt.join_spans(per_span)
                    if fmt.join_spans
                    else (b for span in per_span for b in span),
                    write_rows,
                )
            else:
                batches = read_batches(fmt, path, options, batch_size)
            t0 = time.perf_counter()
            for b in batches:
                _write(writer, b, file_result)
                file_result.seconds = time.perf_counter() - t0
                if on_progress:
                    on_progress(Progress(i, len(plan), file_result, done=False))
            if on_progress:
                on_progress(Progress(i, len(plan), file_result, done=True))
    result.seconds = time.perf_counter() - started
    return result


def _parallel(
    pool: ProcessPoolExecutor,
    workers: int,
    fmt_name: str,
    path: Path,
    options: ReadOptions,
    spans: list[Span],
    batch_size: int,
) -> Iterator[list[Batch]]:
    """The batches of each span, span by span in file order, with at most two spans per
    worker in flight."""
    pending: deque[Future[list[Batch]]] = deque()
    todo = iter(spans)
    for span in todo:
        pending.append(
            pool.submit(_read_span, fmt_name, path, replace(options, span=span), batch_size)
        )
        if len(pending) >= 2 * workers:
            break
    while pending:
        done = pending.popleft().result()
        nxt = next(todo, None)
        if nxt is not None:
            pending.append(
                pool.submit(_read_span, fmt_name, path, replace(options, span=nxt), batch_size)
            )
        yield done


def _coalesced(batches: Iterable[Batch], rows: int) -> Iterator[Batch]:
    """The batches joined into batches of at least ``rows`` records (posts and rejects; the
    last may be smaller).

    Each span of a large file gives its own batches; every write checks its batch against
    the stored keys and writes an account part, so fewer, larger writes cost less.
    """
    held: list[Batch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.posts.num_rows + batch.rejects.num_rows
        if count >= rows:
            yield _joined(held)
            held, count = [], 0
    if held:
        yield _joined(held)


def _joined(batches: list[Batch]) -> Batch:
    """One batch holding the items of ``batches``, in order."""
    if len(batches) == 1:
        return batches[0]
    skipped: Counter[str] = Counter()
    for b in batches:
        skipped.update(b.skipped)
    return Batch(
        pa.concat_tables([b.posts for b in batches]),
        pa.concat_tables([b.accounts for b in batches]),
        pa.concat_tables([b.rejects for b in batches]),
        skipped,
        sum(b.accounts_read for b in batches),
        [pair for b in batches for pair in b.local_ids],
    )


def _spans(path: Path, fmt: SourceFormat, chunk_bytes: int) -> list[Span]:
    """Spans to read in parallel, or none when the file is small or cannot be split."""
    if not fmt.split or path.stat().st_size < 2 * chunk_bytes:
        return []
    kind = input_kind(path)
    split = {"csv": "csv", "jsonl": "lines"}.get(kind or "")
    if split is None or split not in fmt.split:
        return []
    return plan_spans(path, split, chunk_bytes)


def _write(writer: StoreWriter, batch: Batch, out: FileResult) -> None:
    res = writer.write(batch.posts, batch.accounts, batch.rejects)
    out.read += batch.posts.num_rows + batch.rejects.num_rows
    out.stored += res.stored
    out.duplicates += res.duplicates
    out.quarantined += batch.rejects.num_rows
    out.accounts_read += batch.accounts_read
    out.accounts_stored += res.accounts_stored
    merged = Counter(out.skipped)
    merged.update(batch.skipped)
    out.skipped = dict(merged)
