"""How the measure stage gets a DuckDB connection from ``EventStore | str | Path``.

The measure stage only reads. Given an open :class:`~trilateral.data.store.EventStore`
it borrows the store's connection (and leaves it open); given a path it opens the store
read-only for the duration of a ``with`` block — through ``EventStore.open`` when the
store API is importable (so the store's locking rules apply), otherwise straight through
``duckdb.connect(read_only=True)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..errors import DataError, StoreError

__all__ = ["StoreHandle", "data_hash", "open_store", "require_events"]


@dataclass(frozen=True, slots=True)
class StoreHandle:
    """A read connection to the store and the path it came from (None: in memory)."""

    con: duckdb.DuckDBPyConnection
    path: str | None


def _event_store_class() -> Any | None:
    try:
        from ..data.store import EventStore
    except ImportError:  # the store API is optional for the measure stage
        return None
    return EventStore


@contextmanager
def open_store(store: Any) -> Iterator[StoreHandle]:
    """Yield a :class:`StoreHandle` for ``store`` (an EventStore, a path or a connection).

    Raises
    ------
    StoreError
        The path does not exist or is not a DuckDB database.
    """
    if isinstance(store, duckdb.DuckDBPyConnection):
        yield StoreHandle(store, None)
        return
    con = getattr(store, "con", None)
    if isinstance(con, duckdb.DuckDBPyConnection):  # an open EventStore (duck-typed)
        path = getattr(store, "path", None)
        yield StoreHandle(con, None if path is None else str(path))
        return
    if not isinstance(store, str | Path):
        raise StoreError(
            f"cannot read events from a {type(store).__name__}",
            hint="pass an EventStore or the path of a store file",
        )
    path = Path(store)
    if not path.is_file():
        raise StoreError(
            f"no event store at {path}",
            hint="create one with `trilateral ingest FILE --db PATH`, or pass --db",
        )
    cls = _event_store_class()
    if cls is not None:
        with cls.open(path, read_only=True) as es:
            yield StoreHandle(es.con, str(path))
        return
    try:
        raw = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open {path} as a DuckDB store: {exc}",
            hint="check the path; another process may be writing to it",
        ) from exc
    try:
        yield StoreHandle(raw, str(path))
    finally:
        raw.close()


def require_events(handle: StoreHandle) -> int:
    """Number of rows in ``events``; raise :class:`DataError` if the table is missing/empty."""
    try:
        rows = handle.con.execute("SELECT count(*) FROM events").fetchall()
    except duckdb.CatalogException as exc:
        raise DataError(
            f"the store {handle.path or '(in memory)'} has no events table",
            hint="ingest event files first: `trilateral ingest FILE`",
        ) from exc
    n = int(rows[0][0]) if rows else 0
    if n == 0:
        raise DataError(
            f"the store {handle.path or '(in memory)'} holds no events",
            hint="ingest event files first: `trilateral ingest FILE`",
        )
    return n


def data_hash(handle: StoreHandle) -> str:
    """A sha256 over the sorted sha256s of the ingested files (and the event count).

    Two stores built from the same files give the same hash whatever the order of
    ingestion; a store written by hand (no ``ingests`` rows) is identified by its size only.
    """
    try:
        shas = [r[0] for r in handle.con.execute("SELECT sha256 FROM ingests").fetchall()]
    except duckdb.CatalogException:
        shas = []
    rows = handle.con.execute("SELECT count(*) FROM events").fetchall()
    n = int(rows[0][0]) if rows else 0
    text = "\n".join(sorted(shas)) + f"\nevents={n}"
    return hashlib.sha256(text.encode()).hexdigest()
