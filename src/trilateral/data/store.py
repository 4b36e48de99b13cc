"""The embedded event store: one DuckDB file holding every ingested event.

Guarantees (docs/data.md):

* **A file lands whole or not at all.** Each file is ingested inside one DuckDB
  transaction (events, extras and its ``ingests`` row); any error, an interrupt or a
  killed process leaves the store exactly as it was before.
* **Ingesting the same file twice changes nothing.** Files are identified by the SHA-256
  of their *decompressed* content (computed by the reader as it parses; a file name
  already in the store is hashed before parsing, so a re-run skips it cheaply), so
  ``x.export.CSV``, ``x.export.CSV.zip`` and a gzip copy are the same file; the second
  one is reported as a duplicate and skipped. A file is stored once, coded with one
  codebook (recorded in ``ingests.codebook``: the Goldstein table and the SHA-256 of
  the arena map's rules): asking for the same file with a different Goldstein table or
  arena map raises :class:`~trilateral.errors.StoreError` instead of silently keeping
  the old coding — re-code it in a new store.
* **Event ids are unique in a store.** A row whose ``event_id`` is already held by another
  file (the same ICEWS ``Event ID`` in a tab and a CSV release, say) is stored as
  ``<event_id>@<ingest_id>``.
* **Cross-dataset duplicates are marked at ingest.** Two files may hold the same events in
  different layouts (the ICEWS raw sample of June 2018 and the ICEWS18 training split;
  ICEWS05-15 and ICEWS14). Each new row gets a duplicate key — for ICEWS layouts the day,
  source actor, CAMEO code and target actor (names compared case-insensitively, underscores
  and no-break spaces as spaces); for the others the reader's event id — numbered within
  its file (the 1st, 2nd … row with that key). A row is a duplicate when another file
  holds the same key with the same number; it is then listed in ``event_duplicates``
  (``event_id, ingest_id, duplicate_of``) and stays in ``events``. Leaving the listed rows
  out (:data:`NOT_A_DUPLICATE`, ``indices(..., dedup="cross-dataset")``) counts each key
  as often as the file holding it most often does, whatever the order of ingestion.
* **Bounded memory.** Readers yield batches; each batch is appended and dropped. DuckDB
  runs with a memory limit (1 GB by default) and spills to disk beyond it.
* **One writer at a time, across processes.** A writable store holds an exclusive
  inter-process lock (``<store>.lock``, via :mod:`filelock`) for as long as it is open;
  a second writer waits up to ``timeout`` seconds and then raises
  :class:`~trilateral.errors.StoreLockedError`. A writer names itself (pid, command,
  since when) in ``<store>.lock.holder``; a process that has to wait says so, and for
  whom, through ``on_wait`` (the command line prints it). DuckDB's own file lock is held too, so a
  read-only open (``read_only=True``) waits for a writer to close (up to ``timeout``),
  and any number of read-only opens may share the store when no writer holds it.

Rows rejected with ``on_error="skip"`` are written to
``<store stem>.<file name>.rejects.csv`` next to the store (columns ``line, field, value,
reason``), atomically and only once the file's transaction has committed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
from filelock import FileLock

from ..config import DEFAULT_COUNTRIES, default_db_path
from ..errors import StoreError
from ._hashing import Progress, file_sha256
from ._records import (
    DatasetInfo,
    DyadCount,
    FileDuplicates,
    IngestRecord,
    IngestResult,
    ResolutionCoverage,
    StoreInfo,
    UnresolvedName,
    ingest_record,
)
from ._store_open import OnWait, acquire_write_lock, connect, prepare, release
from ._store_summary import datasets, resolution_coverage, store_info
from ._store_write import FileTransaction
from .actors import ActorResolver
from .codebook import Codebook
from .ingest._dedup import NOT_A_DUPLICATE
from .ingest._filter import filter_codes
from .ingest._pipeline import ingest_path
from .ingest._pipeline import ingest_reader as _ingest_reader
from .ingest._rejects import rejects_path_for
from .readers import EventReader, OnError

__all__ = [
    "NOT_A_DUPLICATE",
    "DatasetInfo",
    "DyadCount",
    "EventStore",
    "FileDuplicates",
    "IngestRecord",
    "IngestResult",
    "Progress",
    "ResolutionCoverage",
    "StoreInfo",
    "UnresolvedName",
    "file_sha256",
    "filter_codes",
    "rejects_path_for",
]


# --------------------------------------------------------------------------- the store


class EventStore:
    """The embedded DuckDB event store (one file, the canonical ``events`` table).

    Open with :meth:`open`; use as a context manager. See the module docstring for the
    guarantees (atomic per-file ingests, duplicate detection by content hash, one writer
    at a time, bounded memory).

    Examples
    --------
    >>> from trilateral.data.store import EventStore
    >>> with EventStore.open("events.duckdb") as store:
    ...     result = store.ingest("20180326044500.export.CSV")
    ...     n = store.events().count("*").fetchall()[0][0]
    >>> print(result.summary())  # doctest: +ELLIPSIS
    20180326044500.export.CSV (gdelt2): 1,540 rows read, 1,540 ingested, 0 rejected in ... s
    >>> n
    1540
    """

    def __init__(
        self, path: Path, con: duckdb.DuckDBPyConnection, lock: FileLock | None, read_only: bool
    ) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only
        self._lock = lock
        self._closed = False

    # ---------------------------------------------------------------- open / close

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        timeout: float = 30.0,
        memory_limit: str = "1GB",
        threads: int | None = None,
        on_wait: OnWait | None = None,
    ) -> EventStore:
        """Open (and for writing, create) the store.

        Parameters
        ----------
        path : str or Path, optional
            The DuckDB file; default ``$TRILATERAL_DB`` or ``./trilateral.duckdb``.
        read_only : bool
            Open for queries only. The file must exist. Waits while a writer holds it.
        timeout : float
            Seconds to wait for another process's lock before
            :class:`~trilateral.errors.StoreLockedError`.
        memory_limit : str
            DuckDB's ``memory_limit`` (it spills to disk beyond it).
        threads : int, optional
            DuckDB worker threads; default: the CPU count, at most 4.
        on_wait : callable, optional
            ``on_wait(message)``, called once if the open has to wait for another
            process (within a quarter of a second), naming the writer — pid, command and
            since when — when it is known: how the command line says "waiting for …".

        Returns
        -------
        EventStore

        Examples
        --------
        >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
        ...     store.events().count("*").fetchall()
        [(15020,)]
        """
        p = default_db_path(path)
        if read_only and not p.is_file():
            raise StoreError(
                f"no store at {p}; run `trilateral ingest FILE` first",
                hint="ingest an event file, or point --db / $TRILATERAL_DB at a store",
            )
        if p.is_dir():
            raise StoreError(f"the store path {p} is a directory", hint="give a file name")
        deadline = time.monotonic() + max(timeout, 0.0)
        lock: FileLock | None = None
        if not read_only:
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the directory of the store {p}: {exc}") from None
            lock = acquire_write_lock(p, timeout, on_wait)
        try:
            config: dict[str, str | bool | int | float | list[str]] = {
                "memory_limit": memory_limit,
                "threads": threads or max(1, min(os.cpu_count() or 1, 4)),
            }
            con = connect(p, read_only, config, deadline, on_wait)
            try:
                prepare(p, con, read_only)
            except BaseException:
                con.close()
                raise
        except BaseException:
            if lock is not None:
                release(p, lock)
            raise
        return cls(p, con, lock, read_only)

    def close(self) -> None:
        """Close the connection and release the write lock (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.con.close()
        finally:
            if self._lock is not None:
                release(self.path, self._lock)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        state = "closed" if self._closed else mode
        return f"EventStore({str(self.path)!r}, {state})"

    # ---------------------------------------------------------------- queries

    def events(self, dataset: str | None = None) -> duckdb.DuckDBPyRelation:
        """The ``events`` table (canonical columns plus ``ingest_id``) as a relation.

        Examples
        --------
        >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
        ...     store.events("chronicle").filter("source = 'USA'").count("*").fetchall()
        [(200,)]
        """
        rel = self.con.table("events")
        if dataset is not None:
            rel = rel.filter(
                duckdb.ColumnExpression("dataset") == duckdb.ConstantExpression(dataset)
            )
        return rel

    def ingests(self) -> tuple[IngestRecord, ...]:
        """The files in the store, oldest first.

        Examples
        --------
        >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
        ...     [(r.ingest_id, r.dataset, r.rows_ingested) for r in store.ingests()]
        [(1, 'chronicle', 435), (2, 'icews_tkg', 6155), (3, 'icews_tkg', 7617), (4, 'icews_tkg', 813)]
        """
        return tuple(self._ingest_rows("ORDER BY ingest_id", []))

    def datasets(self) -> tuple[DatasetInfo, ...]:
        """Events per dataset with their first and last date.

        Examples
        --------
        >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
        ...     [(d.dataset, d.n_events) for d in store.datasets()]
        [('chronicle', 435), ('icews_tkg', 14585)]
        """
        return datasets(self.con)

    def info(
        self,
        countries: tuple[str, ...] | list[str] = DEFAULT_COUNTRIES,
        *,
        coverage: bool = True,
    ) -> StoreInfo:
        """Summary of the store: datasets, files, counts for every directed dyad, and actor
        resolution coverage per file.

        Parameters
        ----------
        countries : sequence of str
            ISO3 codes; every ordered pair among them is counted (zeros included).
        coverage : bool
            Include :meth:`coverage` (one pass over the events per file).

        Examples
        --------
        >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
        ...     info = store.info(("USA", "RUS", "CHN"))
        ...     info.to_dict()["dyads"][0]
        {'source': 'USA', 'target': 'RUS', 'n_events': 3370}
        """
        return store_info(self.con, self.path, countries, self.ingests(), coverage)

    def coverage(self, top: int = 20) -> tuple[ResolutionCoverage, ...]:
        """Actor resolution per ingested file: rows, rows with both sides resolved, and the
        ``top`` most frequent names left without a country.

        Examples
        --------
        >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
        ...     print(store.coverage()[1].summary())
        icews05-15_triad.txt.gz (icews_tkg): 6,155 of 6,155 rows with both sides resolved (100.0%)
        """
        return resolution_coverage(self.con, self.ingests(), top)

    def find_ingest(self, sha256: str) -> IngestRecord | None:
        """The ``ingests`` row of the file with this content hash, if any."""
        for rec in self._ingest_rows("WHERE sha256 = ?", [sha256]):
            return rec
        return None

    def _ingest_rows(self, where: str, params: list[Any]) -> Iterator[IngestRecord]:
        ((filters,),) = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ingest_filters'"
        ).fetchall()  # absent in a store written before it, opened read-only
        rows = self.con.execute(
            "SELECT ingest_id, path, sha256, reader, dataset, codebook, rows_read, "
            "rows_ingested, rows_rejected, started_at, finished_at, version, "
            + ("f.countries FROM ingests LEFT JOIN ingest_filters AS f USING (ingest_id) "
               if filters else "NULL FROM ingests ")
            + where,
            params,
        ).fetchall()  # fmt: skip
        return (ingest_record(r) for r in rows)

    # ---------------------------------------------------------------- ingest

    def ingest(
        self,
        path: str | Path,
        format: str = "auto",
        *,
        on_error: OnError = "fail",
        codebook: Codebook | None = None,
        progress: Progress | None = None,
        actors: ActorResolver | None = None,
        countries: Sequence[str] | None = None,
    ) -> IngestResult:
        """Ingest one event file, whole or not at all; a file already in the store is skipped.

        Parameters
        ----------
        path : str or Path
            The file (plain, .zip with one member, or .gz).
        format : str
            ``"auto"`` (detect from content) or a layout name: ``gdelt1``, ``gdelt2``,
            ``icews``, ``icews_tkg``, ``chronicle``.
        on_error : {"fail", "skip"}
            ``"fail"``: the first bad row raises :class:`~trilateral.errors.ReaderError`
            (file, line, field) and nothing is stored. ``"skip"``: good rows are stored
            and the bad ones written to :func:`rejects_path_for` (after the commit).
        codebook : Codebook, optional
            CAMEO lookups; default: the layout's own Goldstein table and the shipped
            arena map.
        progress : callable, optional
            ``progress(bytes_done, bytes_total)`` of its rows. A file whose name is in
            the store already (a re-run) is hashed before it is read, and
            ``bytes_total`` is then twice its size (hash, then rows); any other file is
            hashed while its rows are read.
        actors : ActorResolver, optional
            The actor tables the resolve-actors step uses for layouts that name their
            actors (ICEWS, ICEWS-TKG), e.g.
            ``ActorResolver.load(extra="my_people.csv")``; default: the shipped tables.
            A file already in the store keeps the resolution it was stored with.
        countries : sequence of str, optional
            ISO3 codes: keep only the rows whose ``source`` and ``target`` are both
            among them (the dyads among these countries, and each one's events with
            itself); rows with an unresolved side are dropped too. The result counts
            the dropped rows (``rows_filtered``) and the ledger records the filter
            (``ingest_filters``). A file is stored once, with one filter: ingesting its
            content again with the same filter skips it as a duplicate, with another
            filter (or none, after a filtered ingest, and vice versa) raises
            :class:`~trilateral.errors.StoreError`. Default: every row.

        Returns
        -------
        IngestResult

        Raises
        ------
        StoreError
            The file's content is in the store already, coded with another Goldstein
            table or arena map, or stored with another ``countries`` filter (a file is
            stored once; re-code or re-filter it in a new store).

        Examples
        --------
        >>> with EventStore.open("events.duckdb") as store:
        ...     store.ingest("20180326044500.export.CSV").rows_ingested
        1540
        """
        return ingest_path(
            self,
            path,
            format,
            on_error=on_error,
            codebook=codebook,
            progress=progress,
            actors=actors,
            countries=countries,
        )

    def ingest_reader(
        self,
        reader: EventReader,
        *,
        sha256: str | None = None,
        progress: Progress | None = None,
        countries: Sequence[str] | None = None,
        actors: ActorResolver | None = None,
    ) -> IngestResult:
        """Ingest from a reader you built yourself (a custom layout, say).

        Same guarantees as :meth:`ingest`; ``sha256`` defaults to the hash of
        ``reader.path``'s decompressed content; ``countries`` and ``actors`` as for
        :meth:`ingest`.

        Examples
        --------
        >>> from trilateral.data.readers import read
        >>> with EventStore.open("events.duckdb") as store:
        ...     reader = read("20191024143000.export.CSV", "gdelt2", on_error="skip")
        ...     store.ingest_reader(reader).rows_ingested
        2111
        """
        return _ingest_reader(
            self, reader, sha256=sha256, progress=progress, countries=countries, actors=actors
        )

    def _name_ingested(self, path: str | Path) -> bool:
        """Whether a file of this name (the last part of its path) is in the store.

        What :meth:`ingest` uses to hash a file before parsing it: a re-run over a
        directory finds its files by name whatever the path they are given by.
        """
        ((n,),) = self.con.execute(
            "SELECT count(*) FROM ingests WHERE parse_filename(path, false, 'system') = ?",
            [Path(path).name],
        ).fetchall()
        return bool(n)

    def _file_transaction(self) -> FileTransaction:
        """A new file's transaction (the pipeline appends, then commits or rolls back)."""
        self._require_writable()
        return FileTransaction(self.con)

    def _require_writable(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        if self.read_only:
            raise StoreError(
                f"the store {self.path} is open read-only",
                hint="open it with EventStore.open(path) to ingest",
            )
