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
  :class:`~trilateral.errors.StoreLockedError`. DuckDB's own file lock is held too, so a
  read-only open (``read_only=True``) waits for a writer to close (up to ``timeout``),
  and any number of read-only opens may share the store when no writer holds it.

Rows rejected with ``on_error="skip"`` are written to
``<store stem>.<file name>.rejects.csv`` next to the store (columns ``line, field, value,
reason``), atomically and only once the file's transaction has committed.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import IO, Any, Self

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from filelock import FileLock, Timeout

from .. import __version__
from ..config import DEFAULT_COUNTRIES, check_countries, default_db_path
from ..errors import ReaderError, StoreError, StoreLockedError, TrilateralError
from ._store_ddl import DDL, STORE_VERSION
from .actors import ActorResolver
from .codebook import Codebook
from .readers import EventReader, OnError, Reject
from .readers._base import Prefetch
from .schema import EVENT_COLUMNS, EVENT_SCHEMA, EXTRAS_SCHEMA

__all__ = [
    "NOT_A_DUPLICATE",
    "DatasetInfo",
    "DyadCount",
    "EventStore",
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

#: ``progress(bytes_done, bytes_total)``, called as a file is read (and hashed first, when
#: its name is in the store already).
Progress = Callable[[int, int], None]

_HASH_CHUNK = 1 << 20
_REJECT_COLUMNS = ("line", "field", "value", "reason")
_BATCH_VIEW = "_trilateral_ingest_batch"
#: Rows gathered before one INSERT (about a DuckDB row group): one statement per batch of
#: a few thousand rows cost ~25 % more CPU than one per 131,072 rows (2M-row GDELT export).
_INSERT_ROWS = 131_072
#: Rows of a file's first INSERT (then doubling up to ``_INSERT_ROWS``): DuckDB starts
#: appending soon after the file is opened.
_FIRST_INSERT_ROWS = 16_384
#: DuckDB threads while a file's rows are appended. With more, DuckDB appends the Arrow
#: batches in parallel into row groups that the checkpoint then rewrites: measured on a
#: 2M-row GDELT export (2 cores), 1.8 s CPU for the inserts + 1.4 s at the checkpoint and
#: a 64 MB file, against 1.3 s + 0.0 s and 30 MB with one thread. The other cores parse.
_INSERT_THREADS = 1
#: Row groups DuckDB compresses and writes together while a file is appended (its
#: ``write_buffer_row_group_count``, 5 by default). One at a time spreads the work
#: evenly, so the reader keeps pace instead of stalling behind a 0.3 s burst every
#: 614,400 rows, and the commit has one row group left to write, not up to five
#: (2M-row GDELT export: 1.95-2.06 s against 2.09-2.45 s, the same 33 MB file).
_INSERT_ROW_GROUPS_BUFFERED = 1

#: SQL condition on the ``events`` table (alias-free) keeping one copy of each event that
#: several files hold (see the module notes); ``indices(..., dedup="cross-dataset")``.
NOT_A_DUPLICATE = (
    "NOT EXISTS (SELECT 1 FROM event_duplicates AS dup "
    "WHERE dup.event_id = events.event_id AND dup.ingest_id = events.ingest_id)"
)

# The duplicate key of a row of ``events`` (see the module notes). For the ICEWS layouts
# a hash of day, actors and code; for the others the event id itself (the rows of the
# two kinds never match each other).
_ICEWS = "dataset IN ('icews', 'icews_tkg')"
_NAME = "lower(replace(replace(coalesce({col}, ''), '_', ' '), chr(160), ' '))"
_ICEWS_KEY = (
    "md5_number(concat_ws('|', 'icews', CAST(date AS VARCHAR), "
    + _NAME.format(col="source_actor")
    + ", cameo, "
    + _NAME.format(col="target_actor")
    + "))"
)


def _mark_duplicates(con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
    """Inside the ingest transaction: make the new file's event ids unique in the store and
    list its rows that other files hold already (``event_duplicates``).

    Event ids are compared by a semi-join of the new file's ids against the other files'
    (no index to maintain on the hot insert): the rows of other files holding one of the
    new ids — usually none — are gathered once and serve both the id duplicates and the
    renaming. The ICEWS key (a hash) is computed only when the new file has ICEWS rows.
    """
    i = int(ingest_id)
    span = con.execute(f"SELECT min(date), max(date) FROM events WHERE ingest_id = {i}").fetchone()
    if span is None or span[0] is None:
        return
    others = con.execute(f"SELECT count(*) FROM events WHERE ingest_id <> {i}").fetchone()
    if not others or not others[0]:  # the first file of a store: nothing to compare with
        return
    _run(
        con,
        "CREATE OR REPLACE TEMP TABLE _trilateral_same_ids AS "
        f"SELECT ingest_id, event_id, date, {_ICEWS} AS icews FROM events "
        f"WHERE ingest_id <> {i} AND event_id IN (SELECT event_id FROM events "
        f"WHERE ingest_id = {i})",
    )
    ((shared,),) = con.execute("SELECT count(*) FROM _trilateral_same_ids").fetchall()
    if shared:  # the same id in another file and in this one's date span: a duplicate
        _run(
            con,
            "INSERT INTO event_duplicates "
            "SELECT n.event_id, ?, min(o.ingest_id) FROM ("
            "  SELECT event_id, row_number() OVER (PARTITION BY event_id) AS occ "
            f"  FROM events WHERE ingest_id = {i} AND NOT {_ICEWS} "
            "  AND event_id IN (SELECT event_id FROM _trilateral_same_ids)"
            ") AS n JOIN ("
            "  SELECT ingest_id, event_id, "
            "  row_number() OVER (PARTITION BY ingest_id, event_id) AS occ "
            "  FROM _trilateral_same_ids WHERE NOT icews AND date BETWEEN ? AND ?"
            ") AS o ON o.event_id = n.event_id AND o.occ = n.occ GROUP BY n.event_id",
            [i, span[0], span[1]],
        )
    has_icews = con.execute(
        f"SELECT 1 FROM events WHERE ingest_id = {i} AND {_ICEWS} LIMIT 1"
    ).fetchall()
    if has_icews:
        _run(
            con,
            "INSERT INTO event_duplicates "
            "SELECT n.event_id, ?, min(o.ingest_id) FROM ("
            f"  SELECT event_id, {_ICEWS_KEY} AS k, "
            f"  row_number() OVER (PARTITION BY {_ICEWS_KEY} ORDER BY event_id) AS occ "
            f"  FROM events WHERE ingest_id = {i} AND {_ICEWS}"
            ") AS n JOIN ("
            f"  SELECT ingest_id, {_ICEWS_KEY} AS k, row_number() OVER "
            f"  (PARTITION BY ingest_id, {_ICEWS_KEY} ORDER BY event_id) AS occ "
            f"  FROM events WHERE ingest_id <> {i} AND {_ICEWS} AND date BETWEEN ? AND ?"
            ") AS o ON o.k = n.k AND o.occ = n.occ GROUP BY n.event_id",
            [i, span[0], span[1]],
        )
    if shared:
        for table in ("events", "event_extras", "event_duplicates"):
            _run(
                con,
                f"UPDATE {table} SET event_id = event_id || '@{i}' WHERE ingest_id = {i} "
                "AND event_id IN (SELECT event_id FROM _trilateral_same_ids)",
            )
    _run(con, "DROP TABLE _trilateral_same_ids")


_EVENTS_COLS = ", ".join(EVENT_COLUMNS)
_EXTRAS_COLS = ", ".join(EXTRAS_SCHEMA.names)


# --------------------------------------------------------------------------- results


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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["counts"] = dict(self.counts)
        d["countries"] = None if self.countries is None else list(self.countries)
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
    >>> with EventStore.open("events.duckdb", read_only=True) as store:  # doctest: +SKIP
    ...     print(store.info().summary())
    """

    path: str
    n_events: int
    datasets: tuple[DatasetInfo, ...]
    ingests: tuple[IngestRecord, ...]
    countries: tuple[str, ...]
    dyads: tuple[DyadCount, ...]
    coverage: tuple[ResolutionCoverage, ...] = ()

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
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def file_sha256(path: str | Path, progress: Progress | None = None) -> str:
    """SHA-256 of the file's decompressed content (zip/gzip detected by content).

    A plain export and its zipped copy get the same hash, so the store sees one file.

    Examples
    --------
    >>> file_sha256("20180326044500.export.CSV.zip")  # doctest: +SKIP
    '3f1c…'
    """
    path = Path(path)
    if not path.exists():
        raise ReaderError(path, None, None, "file not found")
    if path.is_dir():
        raise ReaderError(path, None, None, "is a directory, not a file")
    total = path.stat().st_size
    h = hashlib.sha256()
    with path.open("rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        try:
            stream: IO[bytes]
            if magic.startswith(b"PK\x03\x04"):
                zf = zipfile.ZipFile(raw)
                members = [m for m in zf.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise ReaderError(
                        path,
                        None,
                        None,
                        f"zip archive holds {len(members)} files; expected exactly one export",
                    )
                stream = zf.open(members[0])
            elif magic.startswith(b"\x1f\x8b"):
                stream = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
            else:
                stream = raw
            with stream:
                while chunk := stream.read(_HASH_CHUNK):
                    h.update(chunk)
                    if progress is not None:
                        progress(raw.tell(), total)
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ReaderError(
                path,
                None,
                None,
                f"cannot read the file: {exc}",
                hint="the file may be damaged or truncated; download it again",
            ) from None
    return h.hexdigest()


class _AlreadyStored(Exception):
    """Raised inside an ingest once the file's hash shows it is in the store already."""

    def __init__(self, prev: IngestRecord) -> None:
        super().__init__(prev.path)
        self.prev = prev


@dataclass(slots=True)
class _InsertGroup:
    """About ``_INSERT_ROWS`` rows of a reader, gathered for one INSERT."""

    events: list[pa.RecordBatch] = field(default_factory=list)
    extras: list[pa.RecordBatch] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 0
    filtered: int = 0


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


def _keep_dyads(events: pa.RecordBatch, keep: pa.Array) -> pa.RecordBatch:
    """The rows whose source and target are both in ``keep`` (a null side: dropped)."""
    mask = pc.and_(
        pc.is_in(events.column("source"), value_set=keep),
        pc.is_in(events.column("target"), value_set=keep),
    )
    return events.filter(mask)


def _insert_groups(reader: EventReader, keep: pa.Array | None = None) -> Iterator[_InsertGroup]:
    """The reader's batches in groups of at least ``_INSERT_ROWS`` rows (the last: fewer).

    The first groups are smaller (``_FIRST_INSERT_ROWS``, doubling), so DuckDB starts
    appending soon after the file is opened rather than after a whole group is parsed.

    Run in the read-ahead thread, so the reader runs on while DuckDB appends a group:
    a read-ahead of whole groups (not of the reader's batches, a few thousand rows each)
    keeps it from stalling while DuckDB compresses a row group.
    """
    group = _InsertGroup()
    limit = _FIRST_INSERT_ROWS
    for batch in reader:
        events = batch.events
        if keep is not None and events.num_rows:
            kept = _keep_dyads(events, keep)
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
            group = _InsertGroup()
            limit = min(2 * limit, _INSERT_ROWS)
    if group.events or group.extras or group.rejects:
        yield group


def rejects_path_for(store_path: str | Path, file: str | Path) -> Path:
    """Where the rejects of ``file`` go: ``<store stem>.<file name>.rejects.csv`` beside
    the store.

    Examples
    --------
    >>> rejects_path_for("/data/ev.duckdb", "/dl/x.export.CSV").as_posix()
    '/data/ev.x.export.CSV.rejects.csv'
    """
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}.{Path(file).name}.rejects.csv")


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement and consume its result (DuckDB >= 2 wants results finished)."""
    con.execute(sql, params).fetchall()


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _locked(path: Path) -> StoreLockedError:
    return StoreLockedError(
        f"the store {path} is being written by another process",
        hint="wait for it to finish or use another --db",
    )


def _reader_counts(reader: EventReader) -> dict[str, int]:
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


class _RejectSpool:
    """Rejects streamed to a temp file beside the store; published by :meth:`publish`."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self._tmp: Path | None = None
        self._fh: IO[str] | None = None
        self._writer: Any = None
        self.count = 0

    def write(self, rejects: Sequence[Reject]) -> None:
        if not rejects:
            return
        if self._fh is None:
            fd, name = tempfile.mkstemp(
                prefix=f".{self.final.name}.", suffix=".tmp", dir=self.final.parent
            )
            self._tmp = Path(name)
            self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(_REJECT_COLUMNS)
        self._writer.writerows((r.line, r.field, r.value, r.reason) for r in rejects)
        self.count += len(rejects)

    def publish(self) -> Path | None:
        if self._fh is None or self._tmp is None:
            return None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self._tmp, self.final)
        self._fh = self._tmp = None
        return self.final

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
        self._fh = self._tmp = None


# --------------------------------------------------------------------------- codebook identity


@dataclass(frozen=True, slots=True)
class _CodebookId:
    """What decides how a file's events were coded: the Goldstein table and the arena map.

    Stored in ``ingests.codebook`` as ``goldstein=T; arena_map=PATH; arena_sha256=H``,
    ``H`` the SHA-256 of the map's rules (``prefix,arena`` lines, sorted), so two maps
    with the same rules are the same map wherever they live and whatever their notes.
    Stores written before the hash was recorded lack ``; arena_sha256=H``; their map is
    then known by its path only.
    """

    goldstein: str
    arena_map: str
    arena_sha256: str | None

    @classmethod
    def of(cls, codebook: Codebook) -> _CodebookId:
        rules = "".join(f"{prefix},{arena}\n" for prefix, arena in sorted(codebook.arena_rules))
        digest = hashlib.sha256(rules.encode("utf-8")).hexdigest()
        return cls(str(codebook.goldstein_table), codebook.arena_map_path, digest)

    @classmethod
    def parse(cls, text: str | None) -> _CodebookId | None:
        """The identity recorded in ``ingests.codebook``; None when unreadable."""
        head, sep, rest = (text or "").partition("; arena_map=")
        if not sep or not head.startswith("goldstein="):
            return None
        path, sep, digest = rest.rpartition("; arena_sha256=")
        if not sep:
            return cls(head.removeprefix("goldstein="), rest, None)
        return cls(head.removeprefix("goldstein="), path, digest or None)

    def __str__(self) -> str:
        text = f"goldstein={self.goldstein}; arena_map={self.arena_map}"
        return text if self.arena_sha256 is None else f"{text}; arena_sha256={self.arena_sha256}"

    def codes_like(self, other: _CodebookId) -> bool:
        """True when both code a file the same way (content, not path, of the arena map)."""
        if self.goldstein != other.goldstein:
            return False
        if self.arena_sha256 is not None and other.arena_sha256 is not None:
            return self.arena_sha256 == other.arena_sha256
        return self.arena_map == other.arena_map

    def describe_map(self, digest: bool = True) -> str:
        if not digest or self.arena_sha256 is None:
            return f"arena map {self.arena_map}"
        return f"arena map {self.arena_map} (rules sha256 {self.arena_sha256[:12]})"


def _recoding_error(path: str | Path, prev: IngestRecord, wanted: _CodebookId) -> StoreError | None:
    """The error for re-ingesting ``prev``'s content with another codebook, else None."""
    stored = _CodebookId.parse(prev.codebook)
    if stored is None or stored.codes_like(wanted):
        return None
    if stored.goldstein != wanted.goldstein:
        was = use = f"Goldstein table {stored.goldstein!r}"
        now = f"Goldstein table {wanted.goldstein!r}"
    else:
        was, now = stored.describe_map(), wanted.describe_map()
        use = stored.describe_map(digest=False)
    where = "" if prev.path == str(path) else f", from {prev.path}"
    return StoreError(
        f"{path}: this content is already in the store (ingest {prev.ingest_id}{where}), "
        f"coded with {was}; this ingest asks for {now}. A file is stored once, so it was "
        "not re-coded",
        hint=f"ingest it with {use}, or, to re-code it, ingest it into a new store (--db)",
    )


def _ingest_record(row: Sequence[Any]) -> IngestRecord:
    """An :class:`IngestRecord` from its ``ingests`` row and its ``ingest_filters`` codes."""
    values = dict(zip(IngestRecord.__dataclass_fields__, row, strict=True))
    codes = values["countries"]
    values["countries"] = None if codes is None else tuple(codes.split(","))
    return IngestRecord(**values)


def _refiltering_error(
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


def _record_filter(con: duckdb.DuckDBPyConnection, ingest_id: int, codes: tuple[str, ...]) -> None:
    """Inside the ingest transaction: record the file's filter and drop the extras of the
    rows it left out (extras arrive apart from their events)."""
    _run(con, "INSERT INTO ingest_filters VALUES (?, ?)", [ingest_id, ",".join(codes)])
    _run(
        con,
        f"DELETE FROM event_extras WHERE ingest_id = {ingest_id} AND event_id NOT IN "
        f"(SELECT event_id FROM events WHERE ingest_id = {ingest_id})",
    )


# --------------------------------------------------------------------------- the store


class EventStore:
    """The embedded DuckDB event store (one file, the canonical ``events`` table).

    Open with :meth:`open`; use as a context manager. See the module docstring for the
    guarantees (atomic per-file ingests, duplicate detection by content hash, one writer
    at a time, bounded memory).

    Examples
    --------
    >>> from trilateral.data.store import EventStore
    >>> with EventStore.open("events.duckdb") as store:  # doctest: +SKIP
    ...     result = store.ingest("20180326044500.export.CSV")
    ...     print(result.summary())
    ...     n = store.events().count("*").fetchall()[0][0]
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

        Returns
        -------
        EventStore

        Examples
        --------
        >>> with EventStore.open("events.duckdb", read_only=True) as store:  # doctest: +SKIP
        ...     store.events().limit(3).fetchall()
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
            lock = FileLock(str(p) + ".lock", timeout=max(timeout, 0.0), thread_local=False)
            try:
                lock.acquire()
            except Timeout:
                raise _locked(p) from None
            except OSError as exc:
                raise StoreError(f"cannot lock the store {p}: {exc}") from None
        try:
            config: dict[str, str | bool | int | float | list[str]] = {
                "memory_limit": memory_limit,
                "threads": threads or max(1, min(os.cpu_count() or 1, 4)),
            }
            con = cls._connect(p, read_only, config, deadline)
            try:
                cls._prepare(p, con, read_only)
            except BaseException:
                con.close()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return cls(p, con, lock, read_only)

    @staticmethod
    def _connect(
        p: Path,
        read_only: bool,
        config: dict[str, str | bool | int | float | list[str]],
        deadline: float,
    ) -> duckdb.DuckDBPyConnection:
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(p), read_only=read_only, config=config)
            except duckdb.Error as exc:
                if _is_lock_error(exc):
                    if time.monotonic() >= deadline:
                        raise _locked(p) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    continue
                if isinstance(exc, duckdb.ConnectionException):
                    raise StoreError(
                        f"the store {p} is already open in this process with other settings",
                        hint="close the other EventStore first",
                    ) from None
                raise StoreError(
                    f"cannot open the store {p}: {exc}",
                    hint="is it a DuckDB file written by trilateral? use another --db",
                ) from None

    @staticmethod
    def _prepare(p: Path, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        try:
            if not read_only:
                _run(con, DDL)
                _run(
                    con,
                    "INSERT INTO store_meta VALUES ('version', ?) ON CONFLICT DO NOTHING",
                    [str(STORE_VERSION)],
                )
            found = con.execute("SELECT value FROM store_meta WHERE key = 'version'").fetchall()
            row = found[0] if found else None
        except duckdb.CatalogException:
            raise StoreError(
                f"{p} is a DuckDB file but not a trilateral store",
                hint="run `trilateral ingest FILE --db NEW.duckdb` to make one",
            ) from None
        if row is None or row[0] != str(STORE_VERSION):
            raise StoreError(
                f"the store {p} has layout version {row[0] if row else 'none'}; "
                f"this trilateral reads version {STORE_VERSION}",
                hint="re-ingest the files into a new store",
            )

    def close(self) -> None:
        """Close the connection and release the write lock (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.con.close()
        finally:
            if self._lock is not None:
                self._lock.release()

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
        >>> store.events("gdelt2").filter("source = 'USA'").count("*").fetchall()  # doctest: +SKIP
        [(12,)]
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
        >>> [r.path for r in store.ingests()]  # doctest: +SKIP
        ['20180326044500.export.CSV']
        """
        return tuple(self._ingest_rows("ORDER BY ingest_id", []))

    def datasets(self) -> tuple[DatasetInfo, ...]:
        """Events per dataset with their first and last date.

        Examples
        --------
        >>> store.datasets()[0].dataset  # doctest: +SKIP
        'gdelt2'
        """
        rows = self.con.execute(
            "SELECT dataset, count(*), min(date), max(date) FROM events "
            "GROUP BY dataset ORDER BY dataset"
        ).fetchall()
        return tuple(DatasetInfo(*r) for r in rows)

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
        countries = tuple(countries)
        counts: dict[tuple[str, str], int] = {}
        if countries:
            marks = ", ".join("?" for _ in countries)
            rows = self.con.execute(
                f"SELECT source, target, count(*) FROM events "
                f"WHERE source IN ({marks}) AND target IN ({marks}) GROUP BY source, target",
                [*countries, *countries],
            ).fetchall()
            counts = {(s, t): n for s, t, n in rows}
        dyads = tuple(
            DyadCount(s, t, counts.get((s, t), 0)) for s in countries for t in countries if s != t
        )
        datasets = self.datasets()
        return StoreInfo(
            path=str(self.path),
            n_events=sum(d.n_events for d in datasets),
            datasets=datasets,
            ingests=self.ingests(),
            countries=countries,
            dyads=dyads,
            coverage=self.coverage() if coverage else (),
        )

    def coverage(self, top: int = 20) -> tuple[ResolutionCoverage, ...]:
        """Actor resolution per ingested file: rows, rows with both sides resolved, and the
        ``top`` most frequent names left without a country.

        Examples
        --------
        >>> with EventStore.open("events.duckdb", read_only=True) as store:  # doctest: +SKIP
        ...     print(store.coverage()[0].summary())
        """
        from .actors import is_multilateral

        counts = self.con.execute(
            "SELECT ingest_id, count(*), "
            "count(*) FILTER (WHERE source IS NOT NULL AND target IS NOT NULL) "
            "FROM events GROUP BY ingest_id"
        ).fetchall()
        by_id = {i: (n, both) for i, n, both in counts}
        names = self.con.execute(
            "WITH sides AS ("
            "  SELECT ingest_id, coalesce(source_actor, '(no actor)') AS name FROM events "
            "  WHERE source IS NULL "
            "  UNION ALL "
            "  SELECT ingest_id, coalesce(target_actor, '(no actor)') FROM events "
            "  WHERE target IS NULL) "
            "SELECT ingest_id, name, count(*) AS n FROM sides GROUP BY ingest_id, name "
            "QUALIFY row_number() OVER (PARTITION BY ingest_id ORDER BY n DESC, name) <= ? "
            "ORDER BY ingest_id, n DESC, name",
            [int(top)],
        ).fetchall()
        unresolved: dict[int, list[UnresolvedName]] = {}
        for i, name, n in names:
            unresolved.setdefault(i, []).append(UnresolvedName(name, int(n), is_multilateral(name)))
        return tuple(
            ResolutionCoverage(
                ingest_id=rec.ingest_id,
                path=rec.path,
                dataset=rec.dataset,
                rows=int(by_id.get(rec.ingest_id, (0, 0))[0]),
                both_resolved=int(by_id.get(rec.ingest_id, (0, 0))[1]),
                unresolved=tuple(unresolved.get(rec.ingest_id, ())),
            )
            for rec in self.ingests()
        )

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
        return (_ingest_record(r) for r in rows)

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
            The actor tables for layouts that resolve names (ICEWS, ICEWS-TKG), e.g.
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
        >>> with EventStore.open("events.duckdb") as store:  # doctest: +SKIP
        ...     store.ingest("20180326044500.export.CSV").rows_ingested
        1540
        """
        from .readers import read

        self._require_writable()
        codes = filter_codes(countries)
        t0 = time.perf_counter()
        path = Path(path)
        size = path.stat().st_size if path.is_file() else 0
        hash_progress = None
        if progress is not None:
            cb = progress

            def hash_progress(done: int, _total: int) -> None:
                cb(done, 2 * size)

        # a re-run over files already stored (same file name): hash first, skip them
        # without parsing
        first = not path.is_file() or self._name_ingested(path)
        reader = None
        if not first:
            reader = read(path, format, codebook=codebook, on_error=on_error, actors=actors)
            first = getattr(reader, "sha256", "") is None  # its rows cite the file's hash
        if first:
            digest = file_sha256(path, hash_progress)
            prev = self.find_ingest(digest)
            if prev is not None:
                wanted = codebook if codebook is not None else _default_codebook(format, prev)
                return self._stored(path, prev, wanted, progress, 2 * size, t0, codes)
            if reader is None:
                reader = read(path, format, codebook=codebook, on_error=on_error, actors=actors)
            return self.ingest_reader(
                reader, sha256=digest, progress=progress, countries=codes, _t0=t0, _offset=size
            )
        assert reader is not None  # a new file: hashed as its rows are read
        reader.hash_content = True
        return self.ingest_reader(
            reader, progress=progress, countries=codes, _t0=t0, _hash_as_read=True
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

    def _stored(
        self,
        path: str | Path,
        prev: IngestRecord,
        wanted: Codebook | None,
        progress: Progress | None,
        total: int,
        t0: float,
        countries: tuple[str, ...] | None = None,
    ) -> IngestResult:
        """The result for a file whose content is stored already, or the recoding error
        when ``wanted`` codes it differently (None: no codebook to compare), or the
        refiltering error when it was stored with another ``countries`` filter."""
        if wanted is not None:
            error = _recoding_error(path, prev, _CodebookId.of(wanted))
            if error is not None:
                raise error
        if prev.countries != countries:
            raise _refiltering_error(path, prev, countries)
        if progress is not None:
            progress(total, total)
        return self._duplicate(path, prev, t0)

    def ingest_reader(
        self,
        reader: EventReader,
        *,
        sha256: str | None = None,
        progress: Progress | None = None,
        countries: Sequence[str] | None = None,
        _t0: float | None = None,
        _offset: int = 0,
        _hash_as_read: bool = False,
    ) -> IngestResult:
        """Ingest from a reader you built yourself (a custom layout, say).

        Same guarantees as :meth:`ingest`; ``sha256`` defaults to the hash of
        ``reader.path``'s decompressed content; ``countries`` as for :meth:`ingest`.

        Examples
        --------
        >>> from trilateral.data.readers import read
        >>> with EventStore.open("events.duckdb") as store:  # doctest: +SKIP
        ...     store.ingest_reader(read("x.export.CSV", "gdelt2", on_error="skip"))
        """
        self._require_writable()
        codes = filter_codes(countries)
        keep = None if codes is None else pa.array(codes, pa.string())
        t0 = time.perf_counter() if _t0 is None else _t0
        digest = "" if _hash_as_read else sha256 or file_sha256(reader.path)
        if digest:
            prev = self.find_ingest(digest)
            if prev is not None:
                return self._stored(reader.path, prev, reader.codebook, None, 0, t0, codes)
            if getattr(reader, "sha256", "") is None:  # a reader citing its file's hash
                reader.sha256 = digest  # type: ignore[attr-defined]
            reader.hash_content = False  # known already

        def stored_already() -> None:  # once the reader has hashed the whole file
            nonlocal digest
            if not digest:
                digest = reader.content_sha256 or file_sha256(reader.path)
                prev = self.find_ingest(digest)
                if prev is not None:
                    raise _AlreadyStored(prev)

        spool = _RejectSpool(rejects_path_for(self.path, reader.path))
        con = self.con
        started = datetime.now(UTC).replace(tzinfo=None)
        n_ingested = n_filtered = 0
        groups: Prefetch[_InsertGroup] | None = None
        stored: IngestRecord | None = None  # the content turned out to be stored already
        ((threads, buffered),) = con.execute(
            "SELECT current_setting('threads'), current_setting('write_buffer_row_group_count')"
        ).fetchall()
        try:
            _run(con, f"SET threads = {_INSERT_THREADS}")
            _run(con, f"SET write_buffer_row_group_count = {_INSERT_ROW_GROUPS_BUFFERED}")
            _run(con, "BEGIN TRANSACTION")
            groups = Prefetch(_insert_groups(reader, keep))
            ((ingest_id,),) = con.execute(
                "SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests"
            ).fetchall()
            insert_events = (
                f"INSERT INTO events ({_EVENTS_COLS}, ingest_id) "
                f"SELECT {_EVENTS_COLS}, {int(ingest_id)} FROM {_BATCH_VIEW}"
            )
            insert_extras = (
                f"INSERT INTO event_extras ({_EXTRAS_COLS}, ingest_id) "
                f"SELECT {_EXTRAS_COLS}, {int(ingest_id)} FROM {_BATCH_VIEW}"
            )
            for group in groups:
                if group.events:
                    con.register(_BATCH_VIEW, pa.Table.from_batches(group.events, EVENT_SCHEMA))
                    _run(con, insert_events)
                    con.unregister(_BATCH_VIEW)
                    n_ingested += group.rows
                if group.extras:
                    con.register(_BATCH_VIEW, pa.Table.from_batches(group.extras, EXTRAS_SCHEMA))
                    _run(con, insert_extras)
                    con.unregister(_BATCH_VIEW)
                n_filtered += group.filtered
                spool.write(group.rejects)
                if progress is not None:
                    progress(_offset + reader.bytes_read, _offset + reader.total_bytes)
            stored_already()
            _run(con, f"SET threads = {int(threads)}")
            _run(con, f"SET write_buffer_row_group_count = {int(buffered)}")
            if codes is not None:
                _record_filter(con, int(ingest_id), codes)
            _mark_duplicates(con, int(ingest_id))
            codebook = reader.codebook
            _run(
                con,
                "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    ingest_id,
                    str(reader.path),
                    digest,
                    reader.format,
                    reader.dataset,
                    str(_CodebookId.of(codebook)),
                    reader.rows_read,
                    n_ingested,
                    reader.rows_rejected,
                    started,
                    datetime.now(UTC).replace(tzinfo=None),
                    __version__,
                ],
            )
            _run(con, "COMMIT")
        except BaseException as exc:
            if groups is not None:
                groups.close()
            spool.discard()
            try:
                _run(con, "ROLLBACK")
            except duckdb.Error:  # the transaction may already be aborted
                pass
            finally:
                _run(con, f"SET threads = {int(threads)}")
                _run(con, f"SET write_buffer_row_group_count = {int(buffered)}")
                try:
                    con.unregister(_BATCH_VIEW)
                except duckdb.Error:
                    pass
            if isinstance(exc, _AlreadyStored):  # the same content under another name
                stored = exc.prev
            elif _hash_as_read and isinstance(exc, ReaderError):
                # stored content that does not read (a bad row, another layout) is still
                # stored content: report it so, as a hash before reading would have
                stored = self._stored_content(reader.path)
            if stored is None:
                if isinstance(exc, duckdb.Error) and not isinstance(exc, TrilateralError):
                    raise StoreError(
                        f"could not store {reader.path} in {self.path}: {exc}",
                        hint="nothing from this file was stored; report this if it persists",
                    ) from exc
                raise
        if stored is not None:  # rolled back above
            total = _offset + reader.total_bytes
            return self._stored(reader.path, stored, reader.codebook, progress, total, t0, codes)
        assert groups is not None
        groups.close()
        rejects = spool.publish()
        if progress is not None:
            total = _offset + reader.total_bytes
            progress(total, total)
        return IngestResult(
            path=str(reader.path),
            sha256=digest,
            format=reader.format,
            dataset=reader.dataset,
            rows_read=reader.rows_read,
            rows_ingested=n_ingested,
            rows_rejected=reader.rows_rejected,
            rejects_path=None if rejects is None else str(rejects),
            skipped_duplicate=False,
            ingest_id=int(ingest_id),
            seconds=time.perf_counter() - t0,
            counts=MappingProxyType(_reader_counts(reader)),
            rows_filtered=n_filtered,
            countries=codes,
        )

    def _stored_content(self, path: str | Path) -> IngestRecord | None:
        """The ingest holding ``path``'s content, if any (None too if it cannot be hashed)."""
        try:
            return self.find_ingest(file_sha256(path))
        except ReaderError:
            return None

    def _duplicate(self, path: str | Path, prev: IngestRecord, t0: float) -> IngestResult:
        return IngestResult(
            path=str(path),
            sha256=prev.sha256,
            format=prev.format,
            dataset=prev.dataset,
            rows_read=0,
            rows_ingested=0,
            rows_rejected=0,
            rejects_path=None,
            skipped_duplicate=True,
            ingest_id=prev.ingest_id,
            seconds=time.perf_counter() - t0,
            countries=prev.countries,
        )

    def _require_writable(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        if self.read_only:
            raise StoreError(
                f"the store {self.path} is open read-only",
                hint="open it with EventStore.open(path) to ingest",
            )


def _default_codebook(format: str, prev: IngestRecord) -> Codebook | None:
    """The codebook ``read(path, format)`` would use for ``prev``'s content, if known.

    ``"auto"`` detects the layout ``prev`` was stored as (same content, same detection); a
    layout that is not registered (a custom reader's) has no known default: None.
    """
    from .readers import reader_classes

    classes = reader_classes()
    name = prev.format if format == "auto" else format
    if name not in classes:
        return None
    return Codebook.load(classes[name].default_goldstein)
