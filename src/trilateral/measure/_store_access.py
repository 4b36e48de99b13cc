"""How the measure stage gets a DuckDB connection from ``EventStore | str | Path``.

The measure stage only reads. Given an open :class:`~trilateral.data.store.EventStore`
it borrows the store's connection (and leaves it open); given a path it opens the store
read-only for the duration of a ``with`` block — through ``EventStore.open`` when the
store API is importable (so the store's locking rules apply), otherwise straight through
``duckdb.connect(read_only=True)``.

Given a directory (or an fsspec URL such as ``s3://bucket/events``) of Parquet files —
the layout ``trilateral export --format parquet`` writes, hive-partitioned by year and
month — it opens an in-memory DuckDB whose view ``events`` reads those files, so every
query of the measure and diagnose stages runs on the lake unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..data._lake import DUPLICATES, EXTRAS, INGESTS, MANIFEST, events_data_hash
from ..data._store_ddl import DDL
from ..errors import DataError, StoreError

__all__ = [
    "MANIFEST",
    "ParquetSource",
    "StoreHandle",
    "data_hash",
    "is_parquet_source",
    "open_store",
    "require_events",
]


@dataclass(frozen=True, slots=True)
class ParquetSource:
    """A directory or URL of Parquet event files, and what its manifest says."""

    root: str
    files: tuple[str, ...]
    sizes: tuple[int, ...]
    hive: bool
    manifest: dict[str, Any] | None
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def spark_paths(self) -> tuple[str, ...]:
        return (self.root,)


@dataclass(frozen=True, slots=True)
class StoreHandle:
    """A read connection to the store and the path it came from (None: in memory)."""

    con: duckdb.DuckDBPyConnection
    path: str | None
    parquet: ParquetSource | None = None


_PATH_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]+):/(?!/)")


def _as_url(store: str | Path) -> str:
    """``s3://b/x`` given as a Path (a command line's ``--db``) reads ``s3:/b/x``: undo it."""
    text = str(store)
    return _PATH_URL.sub(r"\1://", text) if isinstance(store, Path) else text


def is_parquet_source(store: Any) -> bool:
    """True for a directory or a URL (``scheme://…``): a Parquet event source."""
    if not isinstance(store, str | Path):
        return False
    return "://" in _as_url(store) or Path(store).is_dir()


def _is_event_file(name: str) -> bool:
    # files starting with "_" or "." are metadata (Spark and Hive skip them too)
    return name.endswith(".parquet") and not name.startswith(("_", "."))


def _parquet_source(store: str | Path) -> tuple[ParquetSource, Any]:
    """List the Parquet files of a directory or URL (and the fsspec filesystem, if remote)."""
    text = _as_url(store)
    fs: Any = None
    if "://" in text:
        import fsspec

        try:
            fs, root = fsspec.core.url_to_fs(text)
        except (ImportError, ValueError) as exc:
            raise StoreError(
                f"cannot open {text}: {exc}",
                hint="install the fsspec implementation of that scheme (s3fs, gcsfs, adlfs)",
            ) from None
        root = root.rstrip("/")
        try:
            found = sorted(p for p in fs.find(root) if _is_event_file(p.rsplit("/", 1)[-1]))
            sizes = tuple(int(fs.size(p)) for p in found)
        except OSError as exc:
            raise StoreError(f"cannot list {text}: {exc}") from None
        protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
        files = tuple(f"{protocol}://{p}" for p in found)
        root_url = f"{protocol}://{root}"
        manifest_path = f"{root}/{MANIFEST}"
        manifest = json.loads(fs.cat(manifest_path)) if fs.exists(manifest_path) else None
        meta = {
            n: f"{protocol}://{root}/{n}"
            for n in (EXTRAS, INGESTS, DUPLICATES)
            if fs.exists(f"{root}/{n}")
        }
    else:
        base = Path(text)
        local = sorted(p for p in base.rglob("*.parquet") if _is_event_file(p.name))
        files = tuple(str(p) for p in local)
        sizes = tuple(p.stat().st_size for p in local)
        root_url = str(base)
        mpath = base / MANIFEST
        manifest = json.loads(mpath.read_text(encoding="utf-8")) if mpath.is_file() else None
        meta = {n: str(base / n) for n in (EXTRAS, INGESTS, DUPLICATES) if (base / n).is_file()}
    if not files:
        raise StoreError(
            f"no Parquet files under {text}",
            hint="write a lake with `trilateral export --format parquet --out DIR`, "
            "or pass a store file",
        )
    hive = all("/year=" in f and "/month=" in f for f in files)
    src = ParquetSource(root_url, files, sizes, hive, manifest, meta)
    return src, fs


def _open_parquet(store: str | Path) -> StoreHandle:
    src, fs = _parquet_source(store)
    con = duckdb.connect()
    if fs is not None:
        con.register_filesystem(fs)
    listing = ", ".join("'" + f.replace("'", "''") + "'" for f in src.files)
    drop = " EXCLUDE (year, month)" if src.hive else ""
    try:
        # the store's tables, empty, then the lake's: events a view over the partitions,
        # event_extras and ingests from the export's files when it has them
        con.execute(DDL)
        con.execute("DROP TABLE events")
        for name, table in (
            (EXTRAS, "event_extras"),
            (INGESTS, "ingests"),
            (DUPLICATES, "event_duplicates"),
        ):
            if name in src.meta:
                path = src.meta[name].replace("'", "''")
                con.execute(f"INSERT INTO {table} SELECT * FROM read_parquet('{path}')")
        con.execute(
            f"CREATE VIEW events AS SELECT *{drop} FROM read_parquet([{listing}], "
            f"hive_partitioning = {str(src.hive).lower()}, union_by_name = true)"
        )
    except duckdb.Error as exc:
        con.close()
        raise StoreError(
            f"cannot read the Parquet files under {src.root}: {exc}",
            hint="the directory must hold event files in the store's layout (trilateral export)",
        ) from None
    return StoreHandle(con, src.root, src)


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
            hint="pass an EventStore, the path of a store file or a Parquet directory",
        )
    if is_parquet_source(store):
        handle = _open_parquet(store)
        try:
            yield handle
        finally:
            handle.con.close()
        return
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
    A Parquet lake written by ``trilateral export`` carries its store's hash in its
    manifest; another Parquet directory is identified by its files' names and sizes.
    """
    if handle.parquet is not None:
        pq = handle.parquet
        if pq.manifest and isinstance(pq.manifest.get("data_hash"), str):
            return str(pq.manifest["data_hash"])
        rel = [f.removeprefix(pq.root) for f in pq.files]
        text = "\n".join(f"{r}\t{n}" for r, n in zip(rel, pq.sizes, strict=True))
        return hashlib.sha256(text.encode()).hexdigest()
    return events_data_hash(handle.con)
