"""The fetch ledger: one row per expected slot file in the store's ``fetch_ledger`` table.

``status`` is ``fetched`` (ingested; ``ingest_id`` names the store's ``ingests`` row),
``failed`` (listed, but the download, its verification or its ingest failed: ``reason``)
or ``absent`` (the slot is not in the published list). A re-run reads the ledger: a
fetched file is never downloaded again, a failed or absent one is tried again.

The ledger row of a file is written after the file's ingest has committed. A run killed
between the two leaves a file in ``ingests`` without its ledger row; the next run finds
it there by name (:func:`reconcile`) and records it, without downloading it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

import duckdb

from ..store import EventStore

__all__ = [
    "LEDGER_DDL",
    "LedgerRow",
    "ensure_ledger",
    "has_ledger",
    "ledger_rows",
    "record",
    "stored_names",
]

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS fetch_ledger (
    source     VARCHAR NOT NULL,
    slot       VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    url        VARCHAR,
    md5        VARCHAR,
    size       BIGINT,
    status     VARCHAR NOT NULL,
    reason     VARCHAR,
    countries  VARCHAR,
    ingest_id  BIGINT,
    rows       BIGINT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, slot, kind)
)
"""


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One row of ``fetch_ledger``."""

    source: str
    slot: str
    kind: str
    url: str | None
    md5: str | None
    size: int | None
    status: str
    reason: str | None
    countries: str | None
    ingest_id: int | None
    rows: int | None
    updated_at: datetime


_COLS = "source, slot, kind, url, md5, size, status, reason, countries, ingest_id, rows, updated_at"


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table in a store opened for writing (idempotent)."""
    con.execute(LEDGER_DDL)


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    ((n,),) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fetch_ledger'"
    ).fetchall()
    return bool(n)


def ledger_rows(
    con: duckdb.DuckDBPyConnection, source: str | None = None, kinds: Sequence[str] | None = None
) -> list[LedgerRow]:
    """The ledger's rows (of one source, of some kinds), by slot; [] without a ledger."""
    if not has_ledger(con):
        return []
    where, params = [], []
    if source is not None:
        where.append("source = ?")
        params.append(source)
    if kinds:
        where.append(f"kind IN ({', '.join('?' for _ in kinds)})")
        params.extend(kinds)
    sql = f"SELECT {_COLS} FROM fetch_ledger"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = con.execute(sql + " ORDER BY source, slot, kind", params).fetchall()
    return [LedgerRow(*r) for r in rows]


def record(con: duckdb.DuckDBPyConnection, rows: Iterable[dict[str, Any]]) -> None:
    """Upsert rows (dicts with the ledger's columns; ``updated_at`` is now), in one
    transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)
    values = [
        [
            r["source"],
            r["slot"],
            r["kind"],
            r.get("url"),
            r.get("md5"),
            r.get("size"),
            r["status"],
            r.get("reason"),
            r.get("countries"),
            r.get("ingest_id"),
            r.get("rows"),
            now,
        ]
        for r in rows
    ]
    if not values:
        return
    marks = ", ".join("?" for _ in range(12))
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(f"INSERT OR REPLACE INTO fetch_ledger ({_COLS}) VALUES ({marks})", values)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def stored_names(store: EventStore) -> dict[str, tuple[int, int, str]]:
    """File name → ``(ingest_id, rows_ingested, countries)`` of every file the store
    holds (the last part of its ``ingests`` path; countries as the ledger writes them)."""
    return {
        PurePath(r.path).name: (
            r.ingest_id,
            r.rows_ingested,
            "all" if r.countries is None else ",".join(r.countries),
        )
        for r in store.ingests()
    }
