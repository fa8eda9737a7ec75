"""The fact-check store: Parquet parts next to the posts, queried with DuckDB.

Layout (every table a folder of immutable parts, see :mod:`lagebild.store.parts`)::

    <data_dir>/factchecks/           one row per fact-check added (import or ``add``)
    <data_dir>/factcheck_removals/   factcheck_id, removed_at, removed_by, reason
    <data_dir>/quarantine/           rejected records, shared with ingestion

The **live** fact-checks (:meth:`FactCheckStore.table`, the ``factchecks`` view) are the rows
of ``factchecks`` added after the last removal of their id (the latest such row per id).
Importing never adds an id the store already holds, live or removed: importing the same file
twice adds nothing, and a fact-check a team member removed **stays removed** when a feed
brings it again. Only an explicit :meth:`FactCheckStore.add` of the same fact-check (same id)
brings it back; it writes a new row dated after the removal. Removals are kept, so it is
always visible who removed what, when and why.

Writes hold the data directory's writer lock (the one the post store uses); readers never
wait. Imports (:mod:`lagebild.claims.importing`) go through Arrow and DuckDB, an anti-join on
``factcheck_id``, so a 200,000-record file costs seconds, not a Python loop over the store.
Bad records go to the post store's quarantine (same schema, same de-duplication by file,
line, offset and pointer), where ``lagebild quarantine`` shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Final

import duckdb
import pyarrow as pa

from lagebild.claims.factchecks import (
    FACTCHECK_SCHEMA,
    FactCheck,
    FactCheckOptions,
    build_factcheck,
    factchecks_to_table,
    table_to_factchecks,
)
from lagebild.claims.importing import (
    ImportProgress,
    ImportReport,
    ImportResult,
    SkippedFile,
    run_import,
)
from lagebild.claims.values import claim_key, language_code
from lagebild.claims.verdicts import VERDICTS
from lagebild.errors import ConfigError, QueryError, RecordError
from lagebild.store.parts import list_parts, remove_leftovers, write_part, writer_lock
from lagebild.store.sql import duckdb_connection, parquet_files

__all__ = [
    "REMOVAL_SCHEMA",
    "FactCheckStore",
    "ImportProgress",
    "ImportReport",
    "ImportResult",
    "Removal",
    "RemoveResult",
    "SkippedFile",
]

REMOVAL_SCHEMA: Final = pa.schema(
    [
        pa.field("factcheck_id", pa.string(), nullable=False),
        pa.field("removed_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("removed_by", pa.string(), nullable=False),
        pa.field("reason", pa.string()),
    ]
)

_LIVE_SQL: Final = """
SELECT f.* FROM factchecks_all f
LEFT JOIN (SELECT factcheck_id, max(removed_at) AS removed_at
           FROM factcheck_removals GROUP BY factcheck_id) r
  ON r.factcheck_id = f.factcheck_id
WHERE r.removed_at IS NULL OR f.added_at > r.removed_at
QUALIFY row_number() OVER (PARTITION BY f.factcheck_id ORDER BY f.added_at DESC) = 1
"""


@dataclass(frozen=True)
class Removal:
    """The latest removal of a fact-check: when, by whom and why."""

    factcheck_id: str
    removed_at: dt.datetime
    removed_by: str
    reason: str | None


@dataclass(frozen=True)
class RemoveResult:
    """Ids removed now, and ids that had been removed before (left as they were)."""

    removed: tuple[str, ...]
    already_removed: tuple[str, ...]


class FactCheckStore:
    """The fact-checks of a data directory: import, add, remove, query."""

    #: The table (folder) of fact-check rows, and the one of removals.
    FACTCHECKS: ClassVar[str] = "factchecks"
    REMOVALS: ClassVar[str] = "factcheck_removals"
    TABLES: ClassVar[tuple[str, ...]] = (FACTCHECKS, REMOVALS)

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def folder(self, table: str) -> Path:
        """The folder of one table (``factchecks`` or ``factcheck_removals``)."""
        return self.data_dir / table

    # --- reading --------------------------------------------------------------------------

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the views ``factchecks`` (live),
        ``factchecks_all`` (every row ever added) and ``factcheck_removals``."""
        con = duckdb_connection()
        for view, table, schema in (
            ("factchecks_all", self.FACTCHECKS, FACTCHECK_SCHEMA),
            ("factcheck_removals", self.REMOVALS, REMOVAL_SCHEMA),
        ):
            parts = list_parts(self.folder(table))
            if parts:
                source = f"SELECT * FROM read_parquet({parquet_files(parts)}, union_by_name = true)"
            else:
                con.register(f"_empty_{view}", schema.empty_table())
                source = f"SELECT * FROM _empty_{view}"
            con.execute(f"CREATE VIEW {view} AS {source}")
        con.execute(f"CREATE VIEW factchecks AS {_LIVE_SQL}")
        return con

    def _query(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        con = self.connect()
        try:
            out = con.sql(sql, params=list(params) or None).to_arrow_table()
            assert out is not None
            return out
        except duckdb.Error as exc:
            raise QueryError(f"query over the fact-checks failed: {exc}") from exc
        finally:
            con.close()

    def table(self) -> pa.Table:
        """The live fact-checks as an Arrow table (:data:`FACTCHECK_SCHEMA`), oldest first."""
        return self._query("SELECT * FROM factchecks ORDER BY added_at, factcheck_id")

    def same_claim(self, claim: str) -> list[str]:
        """Ids of the live fact-checks of the same claim (the same words, see
        :func:`~lagebild.claims.values.claim_key`), oldest first: matching treats them as one
        claim and names the first."""
        key = claim_key(claim)
        if not key:
            return []
        found = self._query(
            "SELECT factcheck_id, claim FROM factchecks ORDER BY added_at, factcheck_id"
        ).to_pylist()
        return [r["factcheck_id"] for r in found if claim_key(r["claim"] or "") == key]

    def copies(self) -> int:
        """How many live fact-checks repeat the claim of an older one (see :meth:`same_claim`)."""
        claims = self._query("SELECT claim FROM factchecks").column("claim").to_pylist()
        keys = [claim_key(c or "") for c in claims]
        return sum(1 for k in keys if k) - len({k for k in keys if k})

    def count(self) -> int:
        """How many live fact-checks the store holds."""
        return int(self._query("SELECT count(*) AS n FROM factchecks").column(0)[0].as_py())

    def get(self, factcheck_id: str) -> FactCheck | None:
        """The live fact-check with this id, or ``None`` (unknown or removed)."""
        found = self._query("SELECT * FROM factchecks WHERE factcheck_id = ?", [factcheck_id])
        rows = table_to_factchecks(found)
        return rows[0] if rows else None

    def removal(self, factcheck_id: str) -> Removal | None:
        """The latest removal of this id, if it is removed now; else ``None``."""
        found = self._query(
            "SELECT * FROM factcheck_removals r WHERE factcheck_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM factchecks l WHERE l.factcheck_id = r.factcheck_id) "
            "ORDER BY removed_at DESC LIMIT 1",
            [factcheck_id],
        ).to_pylist()
        return Removal(**found[0]) if found else None

    def search(
        self,
        *,
        verdict: str | None = None,
        language: str | None = None,
        text: str | None = None,
        limit: int = 50,
    ) -> tuple[pa.Table, int]:
        """Live fact-checks that match every filter given, newest review first, and their count.

        ``text`` is searched case-insensitively in the claim, title, summary, rating, reviewer
        and claimant; ``language`` takes a code or a name (``de``, ``German``).
        """
        where, params = [], []
        if verdict is not None:
            where.append("verdict = ?")
            params.append(_check_verdict(verdict))
        if language is not None:
            where.append("language = ?")
            params.append(_check_language(language))
        if text:
            where.append(
                "contains(lower(concat_ws(' ', claim, title, summary, rating, reviewer, "
                "claimant)), lower(?))"
            )
            params.append(text)
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        total = int(
            self._query(f"SELECT count(*) FROM factchecks{cond}", params).column(0)[0].as_py()
        )
        rows = self._query(
            f"SELECT * FROM factchecks{cond} "
            "ORDER BY review_date DESC NULLS LAST, added_at DESC, factcheck_id LIMIT ?",
            [*params, max(0, int(limit))],
        )
        return rows, total

    # --- writing --------------------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        format_name: str | None = None,
        *,
        reviewer: str | None = None,
        added_by: str = "import",
    ) -> ImportResult:
        """Import one file in the named (or sniffed) format; see :meth:`import_paths`."""
        return self.import_paths([path], format_name, reviewer=reviewer, added_by=added_by).files[0]

    def import_paths(
        self,
        paths: Iterable[Path],
        format_name: str | None = None,
        *,
        reviewer: str | None = None,
        added_by: str = "import",
        on_progress: Callable[[ImportProgress], None] | None = None,
    ) -> ImportReport:
        """Import files and folders: new fact-checks are added, known ids skipped, bad records
        quarantined.

        Every named file is checked (exists, not empty, a known format) before anything is
        written, so a typo fails fast; files found in folders that no format recognises are
        reported in ``skipped``. ``reviewer`` is used for records that name none.
        """
        return run_import(
            self,
            paths,
            format_name,
            reviewer=reviewer,
            added_by=added_by,
            on_progress=on_progress,
        )

    def add(
        self,
        *,
        claim: str,
        verdict: str,
        by: str,
        rating: str | None = None,
        reviewer: str | None = None,
        review_url: str | None = None,
        language: str | None = None,
        claimant: str | None = None,
        claim_date: dt.date | None = None,
        review_date: dt.date | None = None,
        title: str | None = None,
        summary: str | None = None,
    ) -> FactCheck:
        """Add one fact-check by hand (the team's own debunk); return it with its id.

        ``review_date`` defaults to today (UTC). A fact-check already live raises
        :class:`ConfigError`; one that was removed is added back (see the module docstring).
        """
        claim = (claim or "").strip()
        if not claim:
            raise ConfigError("the claim is empty", hint='give it with --claim "..."')
        if not (by or "").strip():
            raise ConfigError("who adds the fact-check is not known", hint="give --by NAME")
        now = dt.datetime.now(dt.UTC)
        try:
            fc = build_factcheck(
                claim=claim,
                source="add",
                options=FactCheckOptions(added_by=by.strip(), added_at=now),
                namespace="add",
                claimant=_blank(claimant),
                claim_date=claim_date,
                rating=_blank(rating),
                verdict=_check_verdict(verdict),
                reviewer=_blank(reviewer),
                review_url=_blank(review_url),
                review_date=review_date or now.date(),
                language=_check_language(language) if language else None,
                title=_blank(title),
                summary=_blank(summary),
            )
        except RecordError as exc:
            raise ConfigError(exc.message, hint="check --url") from None
        with writer_lock(self.data_dir):
            con = self.connect()
            try:
                live = con.execute(
                    "SELECT count(*) FROM factchecks WHERE factcheck_id = ?", [fc.factcheck_id]
                ).fetchone()
                last = con.execute(
                    "SELECT max(removed_at) FROM factcheck_removals WHERE factcheck_id = ?",
                    [fc.factcheck_id],
                ).fetchone()
            finally:
                con.close()
            if live and live[0]:
                raise ConfigError(
                    f"fact-check {fc.factcheck_id} is already in the store",
                    hint=f"see it with: lagebild factchecks show {fc.factcheck_id}",
                )
            removed_at = last[0] if last else None
            if removed_at is not None and fc.added_at <= removed_at:
                fc = fc._replace(added_at=removed_at + dt.timedelta(microseconds=1))
            write_part(self.folder(self.FACTCHECKS), factchecks_to_table([fc]))
        return fc

    def remove(self, ids: Iterable[str], *, by: str, reason: str | None = None) -> RemoveResult:
        """Remove live fact-checks by id (all or nothing: an unknown id raises ConfigError).

        Ids removed before are left as they are and reported in ``already_removed``.
        """
        wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        if not wanted:
            raise ConfigError("no fact-check ids given", hint="lagebild factchecks remove ID...")
        if not (by or "").strip():
            raise ConfigError("who removes the fact-checks is not known", hint="give --by NAME")
        with writer_lock(self.data_dir):
            remove_leftovers(self.folder(self.REMOVALS))
            con = self.connect()
            try:
                con.register("_ids", pa.table({"factcheck_id": pa.array(wanted, pa.string())}))
                status = con.execute(
                    "SELECT i.factcheck_id, EXISTS (SELECT 1 FROM factchecks_all a "
                    "WHERE a.factcheck_id = i.factcheck_id), EXISTS (SELECT 1 FROM factchecks l "
                    "WHERE l.factcheck_id = i.factcheck_id) FROM _ids i"
                ).fetchall()
            finally:
                con.close()
            known = {fid: (exists, live) for fid, exists, live in status}
            unknown = [i for i in wanted if not known[i][0]]
            if unknown:
                raise ConfigError(
                    f"no fact-check with id {', '.join(unknown)}",
                    hint="list them: lagebild factchecks list (nothing was removed)",
                )
            live_ids = [i for i in wanted if known[i][1]]
            if live_ids:
                now = dt.datetime.now(dt.UTC)
                n = len(live_ids)
                write_part(
                    self.folder(self.REMOVALS),
                    pa.Table.from_arrays(
                        [
                            pa.array(live_ids, pa.string()),
                            pa.array([now] * n, REMOVAL_SCHEMA.field("removed_at").type),
                            pa.array([by] * n, pa.string()),
                            pa.array([_blank(reason)] * n, pa.string()),
                        ],
                        schema=REMOVAL_SCHEMA,
                    ),
                )
        before = tuple(i for i in wanted if not known[i][1])
        return RemoveResult(tuple(live_ids), before)


def _blank(value: str | None) -> str | None:
    """``None`` for missing or blank text, else the text trimmed."""
    return (value.strip() or None) if value is not None else None


def _check_verdict(verdict: str) -> str:
    v = verdict.strip().casefold()
    if v not in VERDICTS:
        raise ConfigError(f"unknown verdict {verdict!r}", hint=f"use one of: {', '.join(VERDICTS)}")
    return v


def _check_language(language: str) -> str:
    code = language_code(language)
    if code is None:
        raise ConfigError(
            f"unknown language {language!r}", hint="give an ISO 639-1 code such as de or en"
        )
    return code
