"""The store's write side: one file's transaction and its ledger rows.

What the store owns in an ingest, and nothing else: BEGIN, the appends of Arrow batches
into ``events`` and ``event_extras``, the ``ingests`` row (and the ``ingest_filters`` row
of a filtered file), COMMIT or ROLLBACK. The ingest pipeline
(:mod:`trilateral.data.ingest`) decides what to append; the store
(:meth:`~trilateral.data.store.EventStore._file_transaction`) hands out the transaction.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .. import __version__
from ..errors import StoreError
from .schema import EVENT_COLUMNS, EVENT_SCHEMA, EXTRAS_SCHEMA

__all__ = ["FileTransaction", "LedgerRow", "run_sql", "storage_error", "store_bytes"]

_BATCH_VIEW = "_trilateral_ingest_batch"
#: DuckDB threads while a file's rows are appended. With more, DuckDB appends the Arrow
#: batches in parallel into row groups that the checkpoint then rewrites: measured on a
#: 2M-row GDELT export (2 cores), 1.8 s CPU for the inserts + 1.4 s at the checkpoint and
#: a 64 MB file, against 1.3 s + 0.0 s and 30 MB with one thread. The other cores parse.
_INSERT_THREADS = 1
#: Row groups DuckDB compresses and writes together while a file is appended (its
#: ``write_buffer_row_group_count``, 5 by default). One at a time spreads the work
#: evenly, so the reader keeps pace instead of stalling behind a 0.3 s burst every
#: 614,400 rows, and the commit has one row group left to write, not up to five
#: (2M-row GDELT export: 1.95-2.06 s against 2.09-2.45 s, the same 33 MB file).
_INSERT_ROW_GROUPS_BUFFERED = 1
_EVENTS_COLS = ", ".join(EVENT_COLUMNS)
_EXTRAS_COLS = ", ".join(EXTRAS_SCHEMA.names)
_LEDGER_COLS = (
    "ingest_id, path, sha256, reader, dataset, codebook, rows_read, rows_ingested, "
    "rows_rejected, started_at, finished_at, version"
)


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement and consume its result (DuckDB >= 2 wants results finished)."""
    con.execute(sql, params).fetchall()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """What the ledger records of a file (its ``ingests`` row, and its filter if any)."""

    path: str
    sha256: str
    format: str
    dataset: str
    codebook: str
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    countries: tuple[str, ...] | None = None


class FileTransaction:
    """One file's transaction: :meth:`begin`, :meth:`append` its rows, then
    :meth:`commit` with its ledger row, or :meth:`rollback`.

    While the rows are appended DuckDB runs with ``_INSERT_THREADS`` threads and
    ``_INSERT_ROW_GROUPS_BUFFERED`` buffered row groups; :meth:`end_appends` (called by
    :meth:`commit` and :meth:`rollback` too) restores the store's settings.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.ingest_id = 0
        self.started = _now()
        self._settings: tuple[int, int] | None = None

    def begin(self) -> int:
        """BEGIN; the new file's ``ingest_id``."""
        con = self.con
        ((threads, buffered),) = con.execute(
            "SELECT current_setting('threads'), current_setting('write_buffer_row_group_count')"
        ).fetchall()
        self._settings = (int(threads), int(buffered))
        run_sql(con, f"SET threads = {_INSERT_THREADS}")
        run_sql(con, f"SET write_buffer_row_group_count = {_INSERT_ROW_GROUPS_BUFFERED}")
        run_sql(con, "BEGIN TRANSACTION")
        ((ingest_id,),) = con.execute(
            "SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests"
        ).fetchall()
        self.ingest_id = int(ingest_id)
        return self.ingest_id

    def append(self, events: Sequence[pa.RecordBatch], extras: Sequence[pa.RecordBatch]) -> None:
        """Append batches of canonical events and of extras (one INSERT each)."""
        for batches, schema, table, cols in (
            (events, EVENT_SCHEMA, "events", _EVENTS_COLS),
            (extras, EXTRAS_SCHEMA, "event_extras", _EXTRAS_COLS),
        ):
            if not batches:
                continue
            self.con.register(_BATCH_VIEW, pa.Table.from_batches(batches, schema))
            run_sql(
                self.con,
                f"INSERT INTO {table} ({cols}, ingest_id) "
                f"SELECT {cols}, {self.ingest_id} FROM {_BATCH_VIEW}",
            )
            self.con.unregister(_BATCH_VIEW)

    def end_appends(self) -> None:
        """Give DuckDB its own settings back (idempotent)."""
        if self._settings is not None:
            threads, buffered = self._settings
            self._settings = None
            run_sql(self.con, f"SET threads = {threads}")
            run_sql(self.con, f"SET write_buffer_row_group_count = {buffered}")

    def commit(self, row: LedgerRow) -> None:
        """Write the file's ledger rows and COMMIT."""
        self.end_appends()
        if row.countries is not None:
            run_sql(
                self.con,
                "INSERT INTO ingest_filters VALUES (?, ?)",
                [self.ingest_id, ",".join(row.countries)],
            )
        run_sql(
            self.con,
            f"INSERT INTO ingests ({_LEDGER_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.ingest_id, row.path, row.sha256, row.format, row.dataset, row.codebook,
                row.rows_read, row.rows_ingested, row.rows_rejected, self.started, _now(),
                __version__,
            ],
        )  # fmt: skip
        run_sql(self.con, "COMMIT")

    def rollback(self) -> None:
        """ROLLBACK whatever was appended (the transaction may be aborted already)."""
        try:
            run_sql(self.con, "ROLLBACK")
        except duckdb.Error:
            pass
        finally:
            self.end_appends()
            try:
                self.con.unregister(_BATCH_VIEW)
            except duckdb.Error:
                pass


def store_bytes(path: Path) -> int:
    """Bytes of the store on disk: the DuckDB file and its write-ahead log."""
    total = 0
    for f in (path, path.with_name(path.name + ".wal")):
        try:
            total += f.stat().st_size
        except OSError:
            pass
    return total


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left on device" in text or "disk is full" in text or "disk full" in text


def storage_error(
    store: Path, file: str | Path, exc: BaseException, bytes_before: int
) -> StoreError | None:
    """The error for a failed write of ``file`` into ``store`` (rolled back already), or
    None when ``exc`` is not a storage failure (DuckDB's or a full disk's).

    A full disk says so, with the store's folder and the free space of its filesystem.
    Either says whether the store file is larger than before the ingest: DuckDB keeps
    the blocks of rolled-back rows as free space in the file (reused by later ingests)
    and does not shrink it.
    """
    full = _disk_full(exc)
    if not full and not isinstance(exc, duckdb.Error):
        return None
    grown = store_bytes(store) - bytes_before
    note = (
        f"; the store file is {grown / 1e6:,.1f} MB larger than before (free space inside "
        "it, which later ingests reuse; DuckDB does not shrink the file: to get the space "
        "back now, ingest into a new store and delete this one)"
        if grown > 0
        else ""
    )
    if full:
        where = store.resolve().parent
        try:
            free = f"{shutil.disk_usage(where).free / 1e6:,.0f} MB free"
        except OSError:
            free = "free space unknown"
        return StoreError(
            f"could not store {file} in {store}: the disk is full ({free} on the "
            f"filesystem of {where}){note}",
            hint=f"free space on the filesystem of {where} (or put the store on another "
            "disk with --db), then run the same command again: nothing from this file "
            "was stored",
        )
    return StoreError(
        f"could not store {file} in {store}: {exc}{note}",
        hint="nothing from this file was stored; report this if it persists",
    )
