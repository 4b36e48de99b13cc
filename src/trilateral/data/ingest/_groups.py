"""Group and filter: a reader's Arrow batches (actors resolved) gathered into groups of
rows for one INSERT, the ``countries`` filter applied on the way, and the counters of the
reader and the resolve step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from ..readers._base import EventReader, ReadBatch, Reject
from ._actors import ResolveActors
from ._filter import keep_dyads

__all__ = [
    "FIRST_INSERT_ROWS",
    "INSERT_ROWS",
    "InsertGroup",
    "ingest_counts",
    "insert_groups",
    "reader_counts",
]

#: Rows gathered before one INSERT (about a DuckDB row group): one statement per batch of
#: a few thousand rows cost ~25 % more CPU than one per 131,072 rows (2M-row GDELT export).
INSERT_ROWS = 131_072
#: Rows of a file's first INSERT (then doubling up to ``INSERT_ROWS``): DuckDB starts
#: appending soon after the file is opened.
FIRST_INSERT_ROWS = 16_384


@dataclass(slots=True)
class InsertGroup:
    """About ``INSERT_ROWS`` rows of a reader, gathered for one INSERT."""

    events: list[pa.RecordBatch] = field(default_factory=list)
    extras: list[pa.RecordBatch] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 0
    filtered: int = 0


def insert_groups(
    batches: Iterable[ReadBatch], keep: pa.Array | None = None
) -> Iterator[InsertGroup]:
    """A reader's batches (actors resolved) in groups of ``INSERT_ROWS`` rows or more
    (the last: fewer).

    The first groups are smaller (``FIRST_INSERT_ROWS``, doubling), so DuckDB starts
    appending soon after the file is opened rather than after a whole group is parsed.

    Run in the read-ahead thread, so the reader runs on while DuckDB appends a group:
    a read-ahead of whole groups (not of the reader's batches, a few thousand rows each)
    keeps it from stalling while DuckDB compresses a row group.
    """
    group = InsertGroup()
    limit = FIRST_INSERT_ROWS
    for batch in batches:
        events = batch.events
        if keep is not None and events.num_rows:
            kept = keep_dyads(events, keep)
            group.filtered += events.num_rows - kept.num_rows
            events = kept
        if events.num_rows:
            group.events.append(events)
            group.rows += events.num_rows
        if batch.extras is not None and batch.extras.num_rows:
            group.extras.append(batch.extras)
        group.rejects.extend(batch.rejects)
        if group.rows + len(group.rejects) >= limit:  # rejects too: memory stays bounded
            yield group
            group = InsertGroup()
            limit = min(2 * limit, INSERT_ROWS)
    if group.events or group.extras or group.rejects or group.filtered:  # counts too
        yield group


def ingest_counts(reader: EventReader, step: ResolveActors) -> dict[str, int]:
    """The counters an ingest reports: the reader's (:func:`reader_counts`) and the
    resolve step's names left unresolved (under the reader's ``unresolved_key``)."""
    return dict(sorted({**reader_counts(reader), **step.counts(reader)}.items()))


def reader_counts(reader: EventReader) -> dict[str, int]:
    """Counters a reader keeps beyond rows_read/rows_rejected, as totals.

    Integer attributes named ``rows_*``/``n_*`` (e.g. ``rows_skipped``) and
    :class:`~collections.Counter` attributes named ``unknown_*``, ``unresolved*`` or
    ``unmapped_*`` (e.g. actors that resolved to no country), summed.
    """
    out: dict[str, int] = {}
    for name, value in vars(reader).items():
        if name.startswith("_") or name in ("rows_read", "rows_rejected", "batch_rows"):
            continue
        if isinstance(value, Counter) and name.startswith(("unknown_", "unresolved", "unmapped_")):
            out[name] = int(sum(value.values()))
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and name.startswith(("rows_", "n_"))
        ):
            out[name] = value
    return dict(sorted(out.items()))
