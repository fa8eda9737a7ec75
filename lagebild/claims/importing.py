"""Importing fact-check files into the store: plan, read, de-duplicate, write, quarantine.

:func:`run_import` is what :meth:`FactCheckStore.import_paths
<lagebild.claims.store.FactCheckStore.import_paths>` does. Named files are checked before
anything is written; records are read by their format's pure reader, buffered and written in
parts of :data:`BATCH` after a DuckDB anti-join on ``factcheck_id`` against every id the store
holds (live or removed), so nothing already stored is added again; rejected records go to the
post store's quarantine.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import pyarrow as pa

from lagebild.claims.factchecks import FactCheck, FactCheckOptions, factchecks_to_table
from lagebild.claims.formats import FactCheckFormat, collect_files, detect_format, get_format
from lagebild.errors import FormatError
from lagebild.model import Reject, rejects_to_table
from lagebild.store.parts import remove_leftovers, write_part, writer_lock
from lagebild.store.posts import PostStore, StoreWriter

if TYPE_CHECKING:
    from lagebild.claims.store import FactCheckStore

__all__ = [
    "BATCH",
    "ImportProgress",
    "ImportReport",
    "ImportResult",
    "SkippedFile",
    "run_import",
]

#: Fact-checks (and quarantined records) per committed part (memory vs. file count).
BATCH: Final = 50_000


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did.

    ``read`` = ``added`` + ``duplicates`` + ``quarantined``. ``duplicates`` are fact-checks the
    store (or the same import) already held; ``removed`` counts those among them that a team
    member had removed and that therefore stay removed.
    """

    path: str
    format: str
    read: int
    added: int
    duplicates: int
    quarantined: int
    removed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The counts as a JSON-able dict."""
        return asdict(self)


class SkippedFile(NamedTuple):
    """A file found in a folder that no fact-check format recognises (or that is empty)."""

    path: str
    error: str


@dataclass(frozen=True)
class ImportReport:
    """What an import of several files and folders did, file by file."""

    files: tuple[ImportResult, ...]
    skipped: tuple[SkippedFile, ...]
    seconds: float

    def total(self, name: str) -> int:
        """The sum of one count (``read``, ``added``, ...) over the files."""
        return sum(int(getattr(f, name)) for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        """Totals, per-file counts and skipped files as a JSON-able dict."""
        counts = ("read", "added", "duplicates", "quarantined", "removed")
        return {
            **{name: self.total(name) for name in counts},
            "seconds": round(self.seconds, 3),
            "files": [f.as_dict() for f in self.files],
            "skipped": [s._asdict() for s in self.skipped],
        }


class ImportProgress(NamedTuple):
    """Progress of an import, reported after every 10,000 records and at the end of a file."""

    file_index: int
    file_count: int
    path: Path
    read: int
    quarantined: int
    done: bool


def run_import(
    store: FactCheckStore,
    paths: Iterable[Path],
    format_name: str | None = None,
    *,
    reviewer: str | None = None,
    added_by: str = "import",
    on_progress: Callable[[ImportProgress], None] | None = None,
) -> ImportReport:
    """Import files and folders into ``store``; see :meth:`FactCheckStore.import_paths`."""
    started = time.monotonic()
    plan, skipped = _plan(paths, format_name)
    options = FactCheckOptions(added_by=added_by, reviewer=reviewer)
    say = on_progress or (lambda p: None)
    counts: list[dict[str, int]] = [defaultdict(int) for _ in plan]
    with writer_lock(store.data_dir):
        for table in (*store.TABLES, "quarantine"):
            remove_leftovers(store.data_dir / table)
        importer = _Importer(store, counts)
        try:
            n = len(plan)
            for index, (path, fmt) in enumerate(plan):
                c = counts[index]
                for item in fmt.read(path, options):
                    importer.add(item, index)
                    if c["read"] % 10_000 == 0:
                        say(ImportProgress(index, n, path, c["read"], c["quarantined"], False))
                say(ImportProgress(index, n, path, c["read"], c["quarantined"], True))
            importer.flush()
        finally:
            importer.close()
    files = tuple(
        ImportResult(
            path=str(path),
            format=fmt.name,
            read=c["read"],
            added=c["added"],
            duplicates=c["duplicates"],
            quarantined=c["quarantined"],
            removed=c["removed"],
        )
        for (path, fmt), c in zip(plan, counts, strict=True)
    )
    return ImportReport(files, tuple(skipped), time.monotonic() - started)


def _plan(
    paths: Iterable[Path], format_name: str | None
) -> tuple[list[tuple[Path, FactCheckFormat]], list[SkippedFile]]:
    """The files to import with their formats; named files must be importable."""
    named, walked = collect_files(paths)
    if not named and not walked:
        raise FormatError("no fact-check files found", hint="name files or folders to import")
    forced = get_format(format_name) if format_name else None
    plan: list[tuple[Path, FactCheckFormat]] = []
    for path in named:
        if forced is None:
            plan.append((path, detect_format(path)))
        else:
            _check_not_empty(path)
            plan.append((path, forced))
    skipped: list[SkippedFile] = []
    for path in walked:
        try:
            if forced is None:
                fmt = detect_format(path)
            else:
                _check_not_empty(path)
                fmt = forced
        except FormatError as exc:
            skipped.append(SkippedFile(str(path), exc.message))
            continue
        plan.append((path, fmt))
    return plan, skipped


def _check_not_empty(path: Path) -> None:
    """Raise FormatError for a file with nothing but white space in it."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FormatError(f"{path}: the file is empty", hint="export the fact-checks again")


class _QuarantineWriter(StoreWriter):
    """The post store's quarantine path, without loading every post key first.

    :class:`StoreWriter` keeps the keys of all posts, accounts and findings in memory; a
    fact-check import only needs the quarantine's, so only those are loaded here. Writing
    goes through ``StoreWriter._write_quarantine``: same schema, same de-duplication.
    """

    def __init__(self, store: PostStore) -> None:
        super().__init__(store, keys=("quarantine",))

    def quarantine(self, rejects: pa.Table) -> int:
        """Store quarantined records not stored before; return how many were new."""
        return self._write_quarantine(rejects)


class _Importer:
    """Adds fact-checks in batches, dropping ids the store already holds (live or removed).

    ``counts`` holds, per file of the plan, ``read``, ``added``, ``duplicates``,
    ``quarantined`` and ``removed``; :meth:`add` and :meth:`flush` keep them up to date.
    """

    def __init__(self, store: FactCheckStore, counts: list[dict[str, int]]) -> None:
        self.store = store
        self.counts = counts
        self.rows: list[FactCheck] = []
        self.owners: list[int] = []
        self.rejects: list[Reject] = []
        self.quarantine_writer: _QuarantineWriter | None = None
        self.con = store.connect()
        self.con.execute(
            "CREATE TEMP TABLE known AS SELECT DISTINCT a.factcheck_id, "
            "l.factcheck_id IS NULL AS removed FROM factchecks_all a "
            "LEFT JOIN factchecks l ON l.factcheck_id = a.factcheck_id"
        )

    def close(self) -> None:
        """Release the connections."""
        self.con.close()
        if self.quarantine_writer is not None:
            self.quarantine_writer.close()

    def add(self, item: FactCheck | Reject, file_index: int) -> None:
        """Take one item read from file ``file_index``; write a batch when one is full."""
        c = self.counts[file_index]
        c["read"] += 1
        if isinstance(item, Reject):
            c["quarantined"] += 1
            self.rejects.append(item)
        else:
            self.rows.append(item)
            self.owners.append(file_index)
        if len(self.rows) >= BATCH or len(self.rejects) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered: new fact-checks as a part, rejects to the quarantine."""
        if self.rows:
            self._write(factchecks_to_table(self.rows), self.owners)
            self.rows, self.owners = [], []
        if self.rejects:
            if self.quarantine_writer is None:
                self.quarantine_writer = _QuarantineWriter(PostStore(self.store.data_dir))
            self.quarantine_writer.quarantine(rejects_to_table(self.rejects))
            self.rejects = []

    def _write(self, table: pa.Table, owners: list[int]) -> None:
        keyed = pa.table(
            {
                "factcheck_id": table.column("factcheck_id"),
                "_i": pa.array(range(table.num_rows), pa.int64()),
                "_file": pa.array(owners, pa.int64()),
            }
        )
        self.con.register("_batch", keyed)
        try:
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE _flags AS SELECT b._i, b._file, b.factcheck_id, "
                "(k.factcheck_id IS NULL AND row_number() OVER "
                "(PARTITION BY b.factcheck_id ORDER BY b._i) = 1) AS is_new, "
                "coalesce(k.removed, false) AS was_removed "
                "FROM _batch b LEFT JOIN known k ON k.factcheck_id = b.factcheck_id"
            )
        finally:
            self.con.unregister("_batch")
        per_file = self.con.execute(
            "SELECT _file, count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new), "
            "count(*) FILTER (WHERE was_removed) FROM _flags GROUP BY _file"
        ).fetchall()
        for index, added, duplicates, removed in per_file:
            self.counts[index]["added"] += added
            self.counts[index]["duplicates"] += duplicates
            self.counts[index]["removed"] += removed
        new = self.con.sql("SELECT _i FROM _flags WHERE is_new ORDER BY _i").to_arrow_table()
        assert new is not None
        if new.num_rows:
            write_part(self.store.folder(self.store.FACTCHECKS), table.take(new.column(0)))
            self.con.execute(
                "INSERT INTO known SELECT factcheck_id, false FROM _flags WHERE is_new"
            )
