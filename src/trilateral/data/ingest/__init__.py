"""Ingest: event files into the store, as a one-way pipeline.

detect the layout → read (Arrow batches and reject records) → resolve actors (names →
ISO3, :class:`ResolveActors`) → filter (``countries``) → key and dedup → write. Each
step is a module of this package with a narrow interface (see
:mod:`trilateral.data.ingest._pipeline`); the readers
(:mod:`trilateral.data.readers`) know nothing of the store, and the store
(:class:`~trilateral.data.store.EventStore`) owns the transaction and the ledger, nothing
else.

The entry point is :func:`ingest_files`: one or many files, directories or glob patterns,
parsed by ``workers`` and committed one file per transaction, with the ``countries``
filter, a codebook, ``on_error`` and a progress callback. :meth:`EventStore.ingest` is
the same pipeline for one file (with an actor table), and
:meth:`EventStore.ingest_reader` takes a reader you built.

Examples
--------
>>> from trilateral.data.ingest import ingest_files
>>> from trilateral.data.store import EventStore
>>> with EventStore.open("triad.duckdb") as store:
...     (result,) = ingest_files(
...         store, ["20191024143000.export.CSV"], countries=["USA", "RUS", "CHN"]
...     )
>>> result.rows_read, result.rows_ingested, result.rows_filtered, result.countries
(2111, 72, 2039, ('CHN', 'RUS', 'USA'))
"""

from __future__ import annotations

from ._actors import ResolveActors
from ._filter import filter_codes
from ._parallel import IngestProgress, expand_paths, ingest_files
from ._rejects import rejects_path_for

__all__ = [
    "IngestProgress",
    "ResolveActors",
    "expand_paths",
    "filter_codes",
    "ingest_files",
    "rejects_path_for",
]
