"""What the store reports: the result of an ingest, its ledger rows, and store summaries.

Plain frozen dataclasses, shared by the store (:mod:`trilateral.data.store`) and the
ingest pipeline (:mod:`trilateral.data.ingest`); they import neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

__all__ = [
    "DatasetInfo",
    "DyadCount",
    "FileDuplicates",
    "IngestRecord",
    "IngestResult",
    "ResolutionCoverage",
    "StoreInfo",
    "UnresolvedName",
    "ingest_record",
]


@dataclass(frozen=True, slots=True)
class FileDuplicates:
    """Rows of one file (``ingest_id``, ``path``) that an earlier file (``duplicate_of``,
    ``duplicate_of_path``) holds already: listed in ``event_duplicates`` and left out by
    ``dedup="cross-dataset"``."""

    ingest_id: int
    path: str
    duplicate_of: int
    duplicate_of_path: str
    rows: int

    def summary(self) -> str:
        """One line for people (file names only)."""
        return (
            f"{Path(self.path).name}: {self.rows:,} rows already in the store from "
            f"{Path(self.duplicate_of_path).name} (ingest {self.duplicate_of})"
        )


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :meth:`EventStore.ingest` did with one file.

    Attributes
    ----------
    path : str
        The file, as given.
    sha256 : str
        SHA-256 of the decompressed content (the file's identity in the store).
    format : str
        The layout it was read as (``"gdelt2"`` …); for a duplicate, the layout recorded
        when it was first ingested.
    dataset : str
        The ``dataset`` value of its events.
    rows_read, rows_ingested, rows_rejected : int
        Data rows read, stored and rejected (all 0 for a skipped duplicate).
    rejects_path : str or None
        The rejects CSV (``on_error="skip"`` with at least one reject), else None.
    skipped_duplicate : bool
        True when a file with the same content was already in the store; nothing changed.
    ingest_id : int
        The ``ingests`` row (the earlier one for a duplicate).
    seconds : float
        Wall time, hashing included.
    counts : Mapping[str, int]
        Reader-specific counters (e.g. actors that did not resolve to a country),
        whatever integer ``rows_*``/``n_*`` attributes the reader exposes beyond
        ``rows_read`` and ``rows_rejected``.
    rows_filtered : int
        Good rows dropped by the ``countries`` filter (source or target outside it);
        ``rows_read = rows_ingested + rows_rejected + rows_filtered``.
    countries : tuple of str or None
        The ``countries`` filter the file is stored with (ISO3 codes, sorted); None: the
        whole file. For a duplicate, the filter recorded when it was first ingested.
    rows_duplicate : int
        Stored rows that earlier files hold already (the same event in another layout
        or release; see the store's notes on cross-dataset duplicates).
    duplicates : tuple of FileDuplicates
        Those rows by the earlier file that holds them.
    """

    path: str
    sha256: str
    format: str
    dataset: str
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    rejects_path: str | None
    skipped_duplicate: bool
    ingest_id: int
    seconds: float
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    rows_filtered: int = 0
    countries: tuple[str, ...] | None = None
    rows_duplicate: int = 0
    duplicates: tuple[FileDuplicates, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["counts"] = dict(self.counts)
        d["countries"] = None if self.countries is None else list(self.countries)
        d["duplicates"] = [asdict(x) for x in self.duplicates]
        return d

    def summary(self) -> str:
        """One line for people."""
        if self.skipped_duplicate:
            return f"{self.path}: already in the store (sha256 {self.sha256[:12]}…), skipped"
        text = (
            f"{self.path} ({self.format}): {self.rows_read:,} rows read, "
            f"{self.rows_ingested:,} ingested, {self.rows_rejected:,} rejected"
        )
        if self.countries is not None:
            text += f", {self.rows_filtered:,} outside {','.join(self.countries)} dropped"
        text += f" in {self.seconds:.1f} s"
        if self.rows_duplicate:
            held = ", ".join(
                f"{Path(x.duplicate_of_path).name} {x.rows:,}" for x in self.duplicates
            )
            text += f"; {self.rows_duplicate:,} already in the store ({held})"
        if self.rejects_path:
            text += f"; rejects in {self.rejects_path}"
        return text


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """Events of one dataset in the store."""

    dataset: str
    n_events: int
    first_date: date | None
    last_date: date | None


@dataclass(frozen=True, slots=True)
class IngestRecord:
    """One row of the ``ingests`` table: a file in the store."""

    ingest_id: int
    path: str
    sha256: str
    format: str
    dataset: str
    codebook: str
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    started_at: datetime
    finished_at: datetime
    version: str
    #: The ``countries`` filter it was stored with (sorted ISO3 codes); None: whole file.
    countries: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class DyadCount:
    """Events from ``source`` to ``target`` (a directed dyad), all datasets."""

    source: str
    target: str
    n_events: int


@dataclass(frozen=True, slots=True)
class UnresolvedName:
    """An actor name that resolved to no country, with the sides (rows) it stands on.

    ``multilateral`` marks multilateral, non-state and unspecified actors (the EU, NATO,
    the UN, parties, media, ``Unspecified Actor``), which are never given a country, apart
    from people and places the actor tables do not know
    (:func:`~trilateral.data.actors.is_multilateral`).
    """

    name: str
    rows: int
    multilateral: bool


@dataclass(frozen=True, slots=True)
class ResolutionCoverage:
    """How many rows of one ingested file have both sides resolved to a country.

    Attributes
    ----------
    ingest_id, path, dataset
        The file.
    rows : int
        Its events in the store.
    both_resolved : int
        Events whose source and target are both a country.
    unresolved : tuple of UnresolvedName
        The most frequent names left without a country (occurrences on either side),
        most frequent first.
    """

    ingest_id: int
    path: str
    dataset: str
    rows: int
    both_resolved: int
    unresolved: tuple[UnresolvedName, ...]

    @property
    def share(self) -> float:
        """``both_resolved / rows`` (0 for an empty file)."""
        return self.both_resolved / self.rows if self.rows else 0.0

    def summary(self) -> str:
        """Two lines and the names, for people."""
        lines = [
            f"{Path(self.path).name} ({self.dataset}): {self.both_resolved:,} of "
            f"{self.rows:,} rows with both sides resolved ({self.share:.1%})"
        ]
        for u in self.unresolved:
            kind = "multilateral/non-state" if u.multilateral else "unknown"
            lines.append(f"    {u.name}: {u.rows:,} ({kind})")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What is in a store: per-dataset counts and dates, the files, directed-dyad counts.

    Examples
    --------
    >>> from trilateral.data.store import EventStore
    >>> with EventStore.open("trilateral.duckdb", read_only=True) as store:
    ...     print(store.info(("USA", "RUS"), coverage=False).summary())
    store trilateral.duckdb: 15,020 events from 4 files
      chronicle: 435 events, 2007-02-10 to 2019-12-29
      icews_tkg: 14,585 events, 2005-01-14 to 2018-09-27
      USA -> RUS: 3,370
      RUS -> USA: 2,919
    """

    path: str
    n_events: int
    datasets: tuple[DatasetInfo, ...]
    ingests: tuple[IngestRecord, ...]
    countries: tuple[str, ...]
    dyads: tuple[DyadCount, ...]
    coverage: tuple[ResolutionCoverage, ...] = ()
    #: Per file, its rows that an earlier file holds already.
    duplicates: tuple[FileDuplicates, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates and times as ISO strings)."""

        def _iso(d: dict[str, Any]) -> dict[str, Any]:
            return {k: v.isoformat() if isinstance(v, date) else v for k, v in d.items()}

        return {
            "path": self.path,
            "n_events": self.n_events,
            "datasets": [_iso(asdict(d)) for d in self.datasets],
            "ingests": [_iso(asdict(i)) for i in self.ingests],
            "countries": list(self.countries),
            "dyads": [asdict(d) for d in self.dyads],
            "coverage": [{**asdict(c), "share": c.share} for c in self.coverage],
            "duplicates": [asdict(x) for x in self.duplicates],
        }

    def to_frame(self) -> pl.DataFrame:
        """The directed-dyad counts as a polars DataFrame (source, target, n_events)."""
        return pl.DataFrame(
            [asdict(d) for d in self.dyads],
            schema={"source": pl.String, "target": pl.String, "n_events": pl.Int64},
        )

    def summary(self) -> str:
        """A few lines for people."""
        lines = [f"store {self.path}: {self.n_events:,} events from {len(self.ingests)} files"]
        for d in self.datasets:
            lines.append(f"  {d.dataset}: {d.n_events:,} events, {d.first_date} to {d.last_date}")
        for dy in self.dyads:
            lines.append(f"  {dy.source} -> {dy.target}: {dy.n_events:,}")
        for c in self.coverage:
            lines.append("  " + c.summary())
        for x in self.duplicates:
            lines.append("  " + x.summary())
        return "\n".join(lines)


def ingest_record(row: Sequence[Any]) -> IngestRecord:
    """An :class:`IngestRecord` from its ``ingests`` row and its ``ingest_filters`` codes."""
    values = dict(zip(IngestRecord.__dataclass_fields__, row, strict=True))
    codes = values["countries"]
    values["countries"] = None if codes is None else tuple(codes.split(","))
    return IngestRecord(**values)
