"""The post store: Parquet parts under a data directory, queried with DuckDB.

Layout (every table a folder of immutable parts, see :mod:`lagebild.store.parts`)::

    <data_dir>/posts/        one row per (platform, post_id), first seen wins
    <data_dir>/accounts/     account snapshots; a new one only when the profile changed
    <data_dir>/quarantine/   rejected input records with file, line and reason
    <data_dir>/findings/     detector findings (the common envelope)
    <data_dir>/narrative_posts/  which narrative each post belongs to (one model or more)

Queries see the views ``posts``, ``accounts`` (the latest snapshot per account),
``account_history`` (every snapshot, e.g. follower counts over time), ``quarantine``,
``findings`` and ``narrative_posts``. Writes go through one :class:`StoreWriter` at a time;
it drops records already stored, so ingesting the same data twice adds nothing, and a run
killed at any moment is completed by running it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lagebild.errors import QueryError
from lagebild.model import (
    ACCOUNT_SCHEMA,
    FINDING_SCHEMA,
    NARRATIVE_POST_SCHEMA,
    POST_SCHEMA,
    QUARANTINE_SCHEMA,
    Finding,
    findings_to_table,
)
from lagebild.store.arrow import take
from lagebild.store.parts import list_parts, remove_leftovers, write_part, writer_lock
from lagebild.store.sql import duckdb_connection, parquet_files

__all__ = ["PART_ROWS", "QUARANTINE_STORED_SCHEMA", "PostStore", "StoreWriter", "WriteResult"]

#: The most posts in one Parquet part (one row group each).
PART_ROWS = 128 * 1024
#: Post columns with few distinct values, dictionary encoded in Parquet.
_POST_DICTIONARY = (
    "platform",
    "account_id",
    "account_handle",
    "lang",
    "urls",
    "domains",
    "hashtags",
    "mentions",
    "media",
    "collected_at",
    "source",
)

QUARANTINE_STORED_SCHEMA = QUARANTINE_SCHEMA.append(
    pa.field("quarantined_at", pa.timestamp("us", tz="UTC"), nullable=False)
)

_TABLES: dict[str, pa.Schema] = {
    "posts": POST_SCHEMA,
    "accounts": ACCOUNT_SCHEMA,
    "quarantine": QUARANTINE_STORED_SCHEMA,
    "findings": FINDING_SCHEMA,
    "narrative_posts": NARRATIVE_POST_SCHEMA,
}

# What makes two account snapshots the same profile (observed_at and source do not).
_PROFILE_HASH = (
    "md5(to_json(struct_pack(handle, name, created_at, followers, following, posts_count, "
    "verified, description, labels)))"
)


# The keys a writer loads to drop what is already stored, per table.
_KEY_SQL = {
    "posts": "CREATE TEMP TABLE post_keys AS SELECT platform, post_id FROM posts",
    "accounts": f"CREATE TEMP TABLE account_keys AS SELECT platform, account_id, {_PROFILE_HASH} "
    "AS h FROM account_history",
    "quarantine": 'CREATE TEMP TABLE quarantine_keys AS SELECT source, line, "offset", pointer '
    "FROM quarantine",
    "findings": "CREATE TEMP TABLE finding_keys AS SELECT kind, id FROM findings",
}


class PostStore:
    """A data directory holding posts, accounts, quarantine and findings."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def folder(self, table: str) -> Path:
        """The folder of one table."""
        return self.data_dir / table

    def parts(self, table: str) -> list[Path]:
        """The committed Parquet parts of one table."""
        return list_parts(self.folder(table))

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the store's tables as views."""
        con = duckdb_connection()
        for table, schema in _TABLES.items():
            source = self._relation_sql(con, table, schema)
            if table == "accounts":
                con.execute(f"CREATE VIEW account_history AS {source}")
                con.execute(
                    "CREATE VIEW accounts AS SELECT * FROM account_history QUALIFY row_number() "
                    "OVER (PARTITION BY platform, account_id "
                    "ORDER BY observed_at DESC NULLS LAST, _part DESC) = 1"
                )
            else:
                con.execute(f"CREATE VIEW {table} AS {source}")
        return con

    def _relation_sql(self, con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema) -> str:
        parts = self.parts(table)
        if not parts:
            empty = schema.empty_table()
            if table == "accounts":
                empty = empty.append_column("_part", pa.array([], pa.string()))
            con.register(f"_empty_{table}", empty)
            return f"SELECT * FROM _empty_{table}"
        files = parquet_files(parts)
        if table == "accounts":
            return (
                f"SELECT * EXCLUDE (filename), filename AS _part "
                f"FROM read_parquet({files}, union_by_name = true, filename = true)"
            )
        return f"SELECT * FROM read_parquet({files}, union_by_name = true)"

    def query(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run one read-only SQL statement over the store and return an Arrow table."""
        con = self.connect()
        try:
            statements = con.extract_statements(sql)
            if len(statements) != 1:
                raise QueryError(f"expected exactly one SQL statement, got {len(statements)}")
            kind = statements[0].type
            if kind not in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN):
                raise QueryError(
                    f"only read-only queries are allowed (got {kind.name})",
                    hint="write SELECT ... FROM posts | accounts | account_history | "
                    "quarantine | findings | narrative_posts",
                )
            return con.sql(sql, params=params or None).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(f"query failed: {exc}") from exc
        finally:
            con.close()

    def add_findings(self, findings: Sequence[Finding]) -> int:
        """Store findings (without loading the keys of posts and accounts); how many were new."""
        if not findings:
            return 0
        with self.writer(keys=("findings",)) as w:
            return w.write_findings(list(findings))

    @contextmanager
    def writer(self, keys: Collection[str] = tuple(_KEY_SQL)) -> Iterator[StoreWriter]:
        """The single writer of this store (a second one fails with StoreLockedError).

        ``keys`` names the tables it will write (their stored keys are loaded to drop
        duplicates); fewer tables, less to load.
        """
        with writer_lock(self.data_dir):
            for table in _TABLES:
                remove_leftovers(self.folder(table))
            w = StoreWriter(self, keys)
            try:
                yield w
            finally:
                w.close()


@dataclass(frozen=True)
class WriteResult:
    """What one write added: new rows stored, rows that were already there."""

    stored: int
    duplicates: int
    accounts_stored: int
    quarantined_new: int


class StoreWriter:
    """Adds batches to the store, dropping what it already holds (by key).

    Post parts (at most ``PART_ROWS`` rows each) are written by two background threads while
    the next batch is checked for duplicates (Parquet encoding and DuckDB both release the
    GIL); ``close`` waits for them and raises the first write error. Each part is still
    written atomically, so a run killed with writes pending leaves a readable store that a
    rerun completes.
    """

    def __init__(self, store: PostStore, keys: Collection[str] = tuple(_KEY_SQL)) -> None:
        """``keys``: the tables whose stored keys are loaded (only those can be written)."""
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lagebild-write")
        self._pending: list[Future[Path]] = []
        self.con = store.connect()
        self.con.execute("; ".join(_KEY_SQL[k] for k in keys))

    def close(self) -> None:
        """Wait for pending part writes (raising the first error), release the connection."""
        try:
            self.flush()
        finally:
            self._pool.shutdown(wait=True)
            self.con.close()

    def _raise_failed_writes(self) -> None:
        """Raise the error of a finished background write at once; forget the good ones."""
        for f in self._pending:
            if f.done() and (error := f.exception()) is not None:
                raise error
        self._pending = [f for f in self._pending if not f.done()]

    def flush(self) -> None:
        """Wait until every post part handed to the background writer is on disk."""
        pending, self._pending = self._pending, []
        errors = [f.exception() for f in pending]
        for error in errors:
            if error is not None:
                raise error

    def write(self, posts: pa.Table, accounts: pa.Table, rejects: pa.Table) -> WriteResult:
        """Store a batch of posts, account snapshots and quarantined records."""
        stored = self._write_posts(posts)
        accounts_stored = self._write_accounts(accounts)
        quarantined = self._write_quarantine(rejects)
        return WriteResult(stored, posts.num_rows - stored, accounts_stored, quarantined)

    def _write_posts(self, posts: pa.Table) -> int:
        if posts.num_rows == 0:
            return 0
        keyed = posts.select(["platform", "post_id"]).append_column(
            "_i", pa.array(range(posts.num_rows), pa.int64())
        )
        idx = self._take_new(
            keyed,
            "struct_pack(platform, post_id) AS _key",
            "NOT EXISTS (SELECT 1 FROM post_keys k WHERE k.platform = b.platform "
            "AND k.post_id = b.post_id)",
        )
        if len(idx) == 0:
            return 0
        fresh = take(posts, idx)  # all new, or a few duplicates dropped: no copy
        self._raise_failed_writes()
        folder = self.store.folder("posts")
        for start in range(0, fresh.num_rows, PART_ROWS):
            part = fresh.slice(start, PART_ROWS)
            self._pending.append(self._pool.submit(write_part, folder, part, _POST_DICTIONARY))
        self.con.register("_fresh", fresh.select(["platform", "post_id"]))
        self.con.execute("INSERT INTO post_keys SELECT platform, post_id FROM _fresh")
        self.con.unregister("_fresh")
        return len(idx)

    def _take_new(self, keyed: pa.Table, key_sql: str, anti_sql: str) -> Any:
        """Row positions (column ``_i``) of ``keyed`` that are new, first occurrence kept."""
        self.con.register("_batch", keyed)
        try:
            out = self.con.sql(
                f"SELECT _i FROM (SELECT *, {key_sql} FROM _batch) b WHERE {anti_sql} "
                "QUALIFY row_number() OVER (PARTITION BY _key ORDER BY _i) = 1 ORDER BY _i"
            ).to_arrow_table()
        finally:
            self.con.unregister("_batch")
        assert out is not None
        return out.column(0)

    def _write_accounts(self, accounts: pa.Table) -> int:
        if accounts.num_rows == 0:
            return 0
        keyed = accounts.append_column("_i", pa.array(range(accounts.num_rows), pa.int64()))
        self.con.register("_acc", keyed)
        try:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE _acc_h AS SELECT _i, platform, account_id, "
                f"{_PROFILE_HASH} AS h FROM _acc"
            )
        finally:
            self.con.unregister("_acc")
        idx = (
            self.con.sql(
                "SELECT _i FROM _acc_h b WHERE NOT EXISTS (SELECT 1 FROM account_keys k "
                "WHERE k.platform = b.platform AND k.account_id = b.account_id AND k.h = b.h) "
                "QUALIFY row_number() OVER (PARTITION BY platform, account_id, h ORDER BY _i) = 1 "
                "ORDER BY _i"
            )
            .to_arrow_table()
            .column(0)
        )
        if len(idx) == 0:
            return 0
        write_part(self.store.folder("accounts"), accounts.take(idx))
        self.con.execute(
            "INSERT INTO account_keys SELECT platform, account_id, h FROM _acc_h "
            "WHERE _i IN (SELECT unnest($1))",
            [idx.to_pylist()],
        )
        return len(idx)

    def _write_quarantine(self, rejects: pa.Table) -> int:
        if rejects.num_rows == 0:
            return 0
        keyed = rejects.select(["source", "line", "offset", "pointer"]).append_column(
            "_i", pa.array(range(rejects.num_rows), pa.int64())
        )
        idx = self._take_new(
            keyed,
            'struct_pack(source, line, "offset", pointer) AS _key',
            "NOT EXISTS (SELECT 1 FROM quarantine_keys k WHERE k.source = b.source "
            "AND k.line IS NOT DISTINCT FROM b.line "
            'AND k."offset" IS NOT DISTINCT FROM b."offset" AND k.pointer = b.pointer)',
        )
        if len(idx) == 0:
            return 0
        fresh = rejects.take(idx)
        now = dt.datetime.now(dt.UTC)
        fresh = fresh.append_column(
            QUARANTINE_STORED_SCHEMA.field("quarantined_at"),
            pa.array([now] * fresh.num_rows, pa.timestamp("us", tz="UTC")),
        )
        write_part(self.store.folder("quarantine"), fresh)
        self.con.register("_fresh", fresh.select(["source", "line", "offset", "pointer"]))
        self.con.execute("INSERT INTO quarantine_keys SELECT * FROM _fresh")
        self.con.unregister("_fresh")
        return len(idx)

    def write_findings(self, findings: list[Finding]) -> int:
        """Store findings; one with a (kind, id) already stored is left as it is."""
        table = findings_to_table(findings)
        if table.num_rows == 0:
            return 0
        keyed = table.select(["kind", "id"]).append_column(
            "_i", pa.array(range(table.num_rows), pa.int64())
        )
        idx = self._take_new(
            keyed,
            "struct_pack(kind, id) AS _key",
            "NOT EXISTS (SELECT 1 FROM finding_keys k WHERE k.kind = b.kind AND k.id = b.id)",
        )
        if len(idx) == 0:
            return 0
        fresh = table.take(idx)
        write_part(self.store.folder("findings"), fresh)
        self.con.register("_fresh", fresh.select(["kind", "id"]))
        self.con.execute("INSERT INTO finding_keys SELECT * FROM _fresh")
        self.con.unregister("_fresh")
        return len(idx)
