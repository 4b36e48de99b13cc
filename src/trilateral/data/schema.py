"""The canonical event schema (docs/ARCHITECTURE.md, "Contracts between stages"), defined once.

Every reader yields Arrow record batches with exactly :data:`EVENT_SCHEMA`; the store's
``events`` table has the same columns and types. Chronicle-only fields (``magnitude``,
``description``) live beside it in :data:`EXTRAS_SCHEMA`, keyed by ``event_id``.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "DATASETS",
    "EVENT_COLUMNS",
    "EVENT_SCHEMA",
    "EXTRAS_SCHEMA",
    "empty_events",
]

EVENT_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("source", pa.string()),  # ISO3 of the source actor's country
        pa.field("target", pa.string()),  # ISO3 of the target actor's country
        pa.field("source_actor", pa.string()),
        pa.field("target_actor", pa.string()),
        pa.field("cameo", pa.string(), nullable=False),  # text, leading zeros kept
        pa.field("quad_class", pa.int8(), nullable=False),  # 1..4
        pa.field("goldstein", pa.float64(), nullable=False),  # -10..10
        pa.field("arena", pa.string(), nullable=False),
        pa.field("weight", pa.int64(), nullable=False),  # mentions, >= 1
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("location", pa.string()),  # ISO3 of where it happened, when known
        pa.field("url_or_citation", pa.string()),
    ]
)

EVENT_COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA.names)

#: Fields only the chronicle has; stored in ``event_extras``.
EXTRAS_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("magnitude", pa.float64()),
        pa.field("description", pa.string()),
    ]
)

#: Values of the ``dataset`` column, one per reader.
DATASETS: tuple[str, ...] = ("gdelt1", "gdelt2", "icews", "icews_tkg", "chronicle")


def empty_events() -> pa.Table:
    """An empty table with the canonical schema."""
    return EVENT_SCHEMA.empty_table()
