"""Filter: the ``countries`` filter of an ingest (which rows are kept, how it is named in
the ledger, and the error when a stored file is asked for with another filter).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ...config import check_countries
from ...errors import StoreError
from .._records import IngestRecord
from .._store_write import run_sql

__all__ = ["drop_orphan_extras", "filter_codes", "keep_dyads", "refiltering_error"]


def filter_codes(countries: Sequence[str] | str | None) -> tuple[str, ...] | None:
    """The ``countries`` filter of an ingest as stored: unique ISO3 codes, sorted.

    None (no filter) stays None; anything that is not a list of ISO3 codes raises
    :class:`~trilateral.errors.ConfigError`.

    Examples
    --------
    >>> filter_codes(["usa", "RUS", "CHN", "USA"])
    ('CHN', 'RUS', 'USA')
    >>> filter_codes(None) is None
    True
    """
    if countries is None:
        return None
    return tuple(sorted(check_countries(countries, minimum=1, what="countries")))


def keep_dyads(events: pa.RecordBatch, keep: pa.Array) -> pa.RecordBatch:
    """The rows whose source and target are both in ``keep`` (a null side: dropped)."""
    mask = pc.and_(
        pc.is_in(events.column("source"), value_set=keep),
        pc.is_in(events.column("target"), value_set=keep),
    )
    return events.filter(mask)


def refiltering_error(
    path: str | Path, prev: IngestRecord, wanted: tuple[str, ...] | None
) -> StoreError:
    """The error for re-ingesting ``prev``'s content with another ``countries`` filter."""

    def rows(codes: tuple[str, ...] | None) -> str:
        return "all its rows" if codes is None else f"the rows among {','.join(codes)}"

    where = "" if prev.path == str(path) else f", from {prev.path}"
    use = (
        "without --countries"
        if prev.countries is None
        else f"--countries {','.join(prev.countries)}"
    )
    return StoreError(
        f"{path}: this content is already in the store (ingest {prev.ingest_id}{where}) "
        f"with {rows(prev.countries)}; this ingest asks for {rows(wanted)}. A file is "
        "stored once, with one filter, so nothing was changed",
        hint=f"ingest it {use}, or, for other rows, ingest it into a new store (--db)",
    )


def drop_orphan_extras(con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
    """Inside the file's transaction: drop the extras of the rows the filter left out
    (extras arrive apart from their events, so they are matched once all are in)."""
    run_sql(
        con,
        f"DELETE FROM event_extras WHERE ingest_id = {int(ingest_id)} AND event_id NOT IN "
        f"(SELECT event_id FROM events WHERE ingest_id = {int(ingest_id)})",
    )
