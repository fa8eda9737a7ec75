"""Immutable Parquet part files, written atomically, and the writer's lock.

A table of the store is a folder of ``part-<time>-<uuid>.parquet`` files. A part is written
to a hidden temporary name, flushed to disk and renamed into place, so a reader (or a run
killed with SIGKILL) only ever sees whole parts. Temporary files a killed run left behind are
removed the next time a writer opens the store.
"""

from __future__ import annotations

import fcntl
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lagebild.errors import StoreError, StoreLockedError

__all__ = ["list_parts", "remove_leftovers", "write_part", "writer_lock"]

_TMP_PREFIX = ".tmp-"


def list_parts(folder: Path) -> list[Path]:
    """The committed parts of a table, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("part-*.parquet"))


def write_part(folder: Path, table: pa.Table, dictionary: Sequence[str] | None = None) -> Path:
    """Write ``table`` as a new part of ``folder`` atomically; return its path.

    ``dictionary``: the columns worth dictionary encoding (default: all); encoding a column
    of mostly distinct values (texts, ids) only costs time.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.parquet"
    tmp = folder / f"{_TMP_PREFIX}{name}"
    final = folder / name
    try:
        pq.write_table(
            table,
            tmp,
            compression="zstd",
            row_group_size=128 * 1024,
            use_dictionary=True if dictionary is None else list(dictionary),
        )
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(folder)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"cannot write to {folder}: {exc}", hint="check free disk space and permissions"
        ) from exc
    return final


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(folder: Path) -> int:
    """Delete temporary files of interrupted writes; return how many there were."""
    if not folder.is_dir():
        return 0
    n = 0
    for tmp in folder.glob(f"{_TMP_PREFIX}*"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n


@contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """Hold the store's writer lock; the OS releases it if the process dies."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = (data_dir / ".lock").open("a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreLockedError(
                f"another Lagebild process is writing to {data_dir}",
                hint="wait for it to finish, or use another --data-dir",
            ) from None
        yield
    finally:
        fh.close()
