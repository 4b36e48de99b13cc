"""Parquet as the interchange: the store's events as a hive-partitioned Parquet lake.

:func:`export_parquet` writes ``DIR/year=YYYY/month=M/*.parquet`` (every column of the
store's ``events`` table, rows ordered by date and event id), the chronicle's extra
columns to ``DIR/_event_extras.parquet``, the ingested files to ``DIR/_ingests.parquet``,
and a manifest ``DIR/_trilateral.json`` with
the store's data hash, so results computed from the lake
carry the same provenance as results computed from the store. The measure, diagnose and
claims functions (and ``--db`` on the command line) take such a directory — or an fsspec
URL of one — wherever they take a store. Spark, BigQuery external tables, polars and
pandas read the lake directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from .. import __version__
from ..errors import StoreError

__all__ = [
    "DUPLICATES",
    "EXTRAS",
    "INGESTS",
    "MANIFEST",
    "ExportResult",
    "events_data_hash",
    "export_parquet",
]

#: The manifest beside the partitions (provenance: data hash, rows, source store).
MANIFEST = "_trilateral.json"
#: The chronicle's extra columns (``event_extras``); a leading ``_`` hides it from the
#: Parquet readers of Spark and Hive, which read the partitions as the events.
EXTRAS = "_event_extras.parquet"
#: The store's ``ingests`` (the files and their hashes), hidden the same way.
INGESTS = "_ingests.parquet"
#: The store's ``event_duplicates`` (rows repeating an event another file holds).
DUPLICATES = "_event_duplicates.parquet"


def events_data_hash(con: duckdb.DuckDBPyConnection) -> str:
    """A sha256 over the sorted sha256s of the ingested files (and the event count).

    Two stores built from the same files give the same hash whatever the order of
    ingestion; a store written by hand (no ``ingests`` rows) is identified by its size only.
    """
    try:
        shas = [r[0] for r in con.execute("SELECT sha256 FROM ingests").fetchall()]
    except duckdb.CatalogException:
        shas = []
    rows = con.execute("SELECT count(*) FROM events").fetchall()
    n = int(rows[0][0]) if rows else 0
    text = "\n".join(sorted(shas)) + f"\nevents={n}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What :func:`export_parquet` wrote."""

    path: str
    rows: int
    files: int
    partitions: int
    bytes: int
    data_hash: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"exported {self.rows:,} events to {self.path}: {self.files} Parquet files in "
            f"{self.partitions} year/month partitions, {self.bytes / 1e6:.1f} MB "
            f"({self.seconds:.1f} s); data hash {self.data_hash[:12]}"
        )


def export_parquet(store: Any, out: str | Path, *, overwrite: bool = False) -> ExportResult:
    """Write the store's events to ``out`` as Parquet, partitioned by year and month.

    Parameters
    ----------
    store : EventStore, str or Path
        An open store (its connection is used) or the path of a store file.
    out : str or Path
        The directory to create. It is written beside itself and renamed into place, so
        it either holds the whole export or does not exist.
    overwrite : bool
        Replace ``out`` if it exists (else :class:`~trilateral.errors.StoreError`).

    Returns
    -------
    ExportResult

    Examples
    --------
    >>> from trilateral.data import export_parquet
    >>> export_parquet("trilateral.duckdb", "lake").rows
    15020
    """
    from .store import EventStore

    if isinstance(store, EventStore):
        return _export(store.con, str(store.path), Path(out), overwrite)
    with EventStore.open(store, read_only=True) as es:
        return _export(es.con, str(es.path), Path(out), overwrite)


def _write_tables(con: duckdb.DuckDBPyConnection, tmp: Path, out: Path) -> None:
    """The events (partitioned by year and month) and the side tables into ``tmp``."""
    target = str(tmp).replace("'", "''")
    try:
        con.execute(
            "COPY (SELECT *, year(date) AS year, month(date) AS month FROM events "
            f"ORDER BY date, event_id) TO '{target}' "
            "(FORMAT parquet, PARTITION_BY (year, month), COMPRESSION zstd)"
        )
    except duckdb.Error as exc:
        raise StoreError(
            f"could not write {out}: {exc}",
            hint="check the free space and permissions there; nothing was written",
        ) from None
    for name, table, order in (
        (EXTRAS, "event_extras", "event_id, ingest_id"),
        (INGESTS, "ingests", "ingest_id"),
        (DUPLICATES, "event_duplicates", "event_id, ingest_id"),
    ):
        dest = str(tmp / name).replace("'", "''")
        con.execute(
            f"COPY (SELECT * FROM {table} ORDER BY {order}) TO '{dest}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )


def _swap_in(tmp: Path, out: Path) -> None:
    """Put the finished ``tmp`` folder in place of ``out`` (renames only)."""
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def _export(
    con: duckdb.DuckDBPyConnection, store_path: str, out: Path, overwrite: bool
) -> ExportResult:
    t0 = time.perf_counter()
    if out.exists() and not overwrite:
        raise StoreError(
            f"{out} exists already", hint="choose a new directory, or pass --overwrite"
        )
    if out.exists() and not out.is_dir():
        raise StoreError(f"{out} is a file, not a directory", hint="choose a directory name")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        ((rows,),) = con.execute("SELECT count(*) FROM events").fetchall()
        if rows == 0:
            raise StoreError(
                f"the store {store_path} holds no events", hint="ingest event files first"
            )
        _write_tables(con, tmp, out)
        dhash = events_data_hash(con)
        files = sorted(
            p for p in tmp.rglob("*.parquet") if p.name not in (EXTRAS, INGESTS, DUPLICATES)
        )
        manifest = {
            "format": "trilateral-events",
            "layout": "hive year=/month=",
            "rows": int(rows),
            "data_hash": dhash,
            "store": store_path,
            "version": __version__,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final = [out / f.relative_to(tmp) for f in files]
    return ExportResult(
        path=str(out),
        rows=int(rows),
        files=len(final),
        partitions=len({f.parent for f in final}),
        bytes=sum(f.stat().st_size for f in final),
        data_hash=dhash,
        seconds=time.perf_counter() - t0,
    )
