"""One file through the pipeline: detect the layout → read → resolve actors → filter →
key and dedup → write.

The steps, each a module with a narrow interface:

* **detect and read** — :func:`trilateral.data.readers.read` picks the layout (or takes
  the one given) and returns a reader that yields Arrow batches and reject records; it
  knows nothing of the store, nor of the actor tables (a layout that names its actors
  hands the names on in ``ReadBatch.names``);
* **resolve actors** — :class:`._actors.ResolveActors` turns those names into ISO3 codes
  with the :class:`~trilateral.data.actors.ActorResolver` it is given, and counts the
  names it cannot resolve;
* **group and filter** — :mod:`._groups` gathers the batches into INSERT-sized groups and
  applies the ``countries`` filter (:mod:`._filter`);
* **key and dedup** — :mod:`._dedup` makes event ids unique and lists the rows other files
  hold, inside the file's transaction;
* **write** — the store's :class:`~trilateral.data._store_write.FileTransaction` appends
  the rows and writes the ledger row; the store owns the transaction and the ledger,
  nothing else.

Around them, the file's identity: the SHA-256 of its decompressed content
(:mod:`trilateral.data._hashing`), computed as its rows are read — or first, when a file
of the same name is in the store already (a re-run) — so content already in the store is
reported as a duplicate (:mod:`._codebook_id` and :mod:`._filter` refuse a re-coding or a
re-filtering of it) and nothing is written.

The store is reached only through :class:`Target` (what :class:`EventStore` offers the
pipeline), so the pipeline never imports the store.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

import pyarrow as pa

from ...errors import ReaderError, TrilateralError
from .._hashing import Progress, file_sha256
from .._records import FileDuplicates, IngestRecord, IngestResult
from .._store_write import FileTransaction, LedgerRow, storage_error, store_bytes
from ..actors import ActorResolver
from ..codebook import Codebook
from ..readers import EventReader, OnError, Reject, read
from ..readers._base import Prefetch
from ._actors import ResolveActors
from ._codebook_id import CodebookId, default_codebook, recoding_error
from ._dedup import duplicates_of, mark_duplicates
from ._filter import drop_orphan_extras, filter_codes, refiltering_error
from ._groups import InsertGroup, ingest_counts, insert_groups
from ._rejects import RejectSpool, rejects_path_for

__all__ = ["Target", "ingest_path", "ingest_reader"]


class Target(Protocol):
    """What the pipeline needs of a store open for writing."""

    path: Path

    def find_ingest(self, sha256: str) -> IngestRecord | None: ...

    def ingests(self) -> tuple[IngestRecord, ...]: ...

    def _name_ingested(self, path: str | Path) -> bool: ...

    def _require_writable(self) -> None: ...

    def _file_transaction(self) -> FileTransaction: ...


class _AlreadyStored(Exception):
    """Raised inside an ingest once the file's hash shows it is in the store already."""

    def __init__(self, prev: IngestRecord) -> None:
        super().__init__(prev.path)
        self.prev = prev


def ingest_path(
    store: Target,
    path: str | Path,
    format: str = "auto",
    *,
    on_error: OnError = "fail",
    codebook: Codebook | None = None,
    progress: Progress | None = None,
    actors: ActorResolver | None = None,
    countries: Sequence[str] | None = None,
) -> IngestResult:
    """Ingest one event file; the parameters and guarantees of :meth:`EventStore.ingest`."""
    store._require_writable()
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
    first = not path.is_file() or store._name_ingested(path)
    reader = None
    if not first:
        reader = read(path, format, codebook=codebook, on_error=on_error)
        first = getattr(reader, "sha256", "") is None  # its rows cite the file's hash
    if first:
        digest = file_sha256(path, hash_progress)
        prev = store.find_ingest(digest)
        if prev is not None:
            wanted = codebook if codebook is not None else default_codebook(format, prev)
            return _stored(path, prev, wanted, codes, progress, 2 * size, t0)
        if reader is None:
            reader = read(path, format, codebook=codebook, on_error=on_error)
        return ingest_reader(
            store,
            reader,
            sha256=digest,
            progress=progress,
            countries=codes,
            actors=actors,
            t0=t0,
            offset=size,
        )
    assert reader is not None  # a new file: hashed as its rows are read
    reader.hash_content = True
    return ingest_reader(
        store,
        reader,
        progress=progress,
        countries=codes,
        actors=actors,
        t0=t0,
        hash_as_read=True,
    )


def ingest_reader(
    store: Target,
    reader: EventReader,
    *,
    sha256: str | None = None,
    progress: Progress | None = None,
    countries: Sequence[str] | None = None,
    actors: ActorResolver | None = None,
    t0: float | None = None,
    offset: int = 0,
    hash_as_read: bool = False,
) -> IngestResult:
    """Ingest from a reader; see :meth:`EventStore.ingest_reader`.

    ``actors`` are the tables the resolve step uses for a layout that names its actors
    (default: the shipped ones).

    ``t0`` is when the ingest started (hashing included), ``offset`` the progress bytes
    spent before reading (a file hashed first), ``hash_as_read`` whether the reader hashes
    the file as it parses it (the digest is then known only at the end).
    """
    store._require_writable()
    codes = filter_codes(countries)
    t0 = time.perf_counter() if t0 is None else t0
    digest = "" if hash_as_read else sha256 or file_sha256(reader.path)
    if digest:
        prev = store.find_ingest(digest)
        if prev is not None:
            return _stored(reader.path, prev, reader.codebook, codes, None, 0, t0)
        if getattr(reader, "sha256", "") is None:  # a reader citing its file's hash
            reader.sha256 = digest  # type: ignore[attr-defined]
        reader.hash_content = False  # known already
    spool = RejectSpool(rejects_path_for(store.path, reader.path))
    bytes_before = store_bytes(store.path)
    txn = store._file_transaction()
    step = ResolveActors(actors)
    groups: Prefetch[InsertGroup] | None = None
    try:
        txn.begin()
        keep = None if codes is None else pa.array(codes, pa.string())
        groups = Prefetch(insert_groups(step.batches(reader), keep))
        n_ingested, n_filtered, first = _append(txn, groups, spool, reader, progress, offset)
        rows = (n_ingested, n_filtered)
        digest, dups = _commit(store, txn, reader, step, digest, rows, first, codes)
    except BaseException as exc:
        if groups is not None:
            groups.close()
        spool.discard()
        txn.rollback()
        stored = _stored_instead(store, reader, exc, hash_as_read, bytes_before)
        total = offset + reader.total_bytes
        return _stored(reader.path, stored, reader.codebook, codes, progress, total, t0)
    groups.close()
    rejects = spool.publish()
    if progress is not None:
        total = offset + reader.total_bytes
        progress(total, total)
    counts = ingest_counts(reader, step)
    return _result(reader, digest, txn.ingest_id, rows, codes, rejects, dups, counts, t0)


def _result(
    reader: EventReader,
    digest: str,
    ingest_id: int,
    rows: tuple[int, int],
    codes: tuple[str, ...] | None,
    rejects: Path | None,
    dups: tuple[FileDuplicates, ...],
    counts: dict[str, int],
    t0: float,
) -> IngestResult:
    """The result of a file ingested: ``rows`` are the rows stored and those filtered out,
    ``counts`` the reader's and the resolve step's counters."""
    n_ingested, n_filtered = rows
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
        ingest_id=ingest_id,
        seconds=time.perf_counter() - t0,
        counts=MappingProxyType(counts),
        rows_filtered=n_filtered,
        countries=codes,
        rows_duplicate=sum(x.rows for x in dups),
        duplicates=dups,
    )


def _commit(
    store: Target,
    txn: FileTransaction,
    reader: EventReader,
    step: ResolveActors,
    digest: str,
    rows: tuple[int, int],
    first: list[Reject],
    codes: tuple[str, ...] | None,
) -> tuple[str, tuple[FileDuplicates, ...]]:
    """Once every row is appended: the checks that can still refuse the file (its content
    stored already, no row stored), the filter's and dedup's SQL, the ledger, COMMIT.
    The file's digest and its rows that earlier files hold."""
    n_ingested, n_filtered = rows
    if not digest:  # the reader has hashed the whole file: is it stored already?
        digest = reader.content_sha256 or file_sha256(reader.path)
        prev = store.find_ingest(digest)
        if prev is not None:
            raise _AlreadyStored(prev)
    if reader.rows_read and not n_ingested and not n_filtered:
        raise _nothing_stored(reader, ingest_counts(reader, step), first)
    txn.end_appends()
    if codes is not None:
        drop_orphan_extras(txn.con, txn.ingest_id)
    mark_duplicates(txn.con, txn.ingest_id)
    dups = duplicates_of(txn.con, txn.ingest_id, str(reader.path))
    txn.commit(_ledger_row(reader, digest, n_ingested, codes))
    return digest, dups


def _append(
    txn: FileTransaction,
    groups: Prefetch[InsertGroup],
    spool: RejectSpool,
    reader: EventReader,
    progress: Progress | None,
    offset: int,
) -> tuple[int, int, list[Reject]]:
    """Append every group; the rows stored, the rows the filter dropped, and the first
    ``_FIRST_REJECTS`` rejects."""
    n_ingested = n_filtered = 0
    first: list[Reject] = []
    for group in groups:
        txn.append(group.events, group.extras)
        n_ingested += group.rows
        n_filtered += group.filtered
        spool.write(group.rejects)
        first.extend(group.rejects[: _FIRST_REJECTS - len(first)])
        if progress is not None:
            progress(offset + reader.bytes_read, offset + reader.total_bytes)
    return n_ingested, n_filtered, first


#: Rejects quoted when no row of a file could be stored.
_FIRST_REJECTS = 5


def _nothing_stored(
    reader: EventReader, counters: dict[str, int], first: list[Reject]
) -> ReaderError:
    """The error for a file whose every row was rejected or skipped (nothing is stored
    and the ledger does not record it, so a corrected file can be ingested)."""
    counts = [f"{reader.rows_rejected:,} rejected"] + [
        f"{value:,} {name.replace('_', ' ')}" for name, value in counters.items() if value
    ]
    reasons = "; ".join(
        f"line {r.line}{f' ({r.field})' if r.field else ''}: {r.reason}" for r in first
    )
    return ReaderError(
        reader.path,
        first[0].line if first else None,
        None,
        f"none of its {reader.rows_read:,} rows could be stored ({', '.join(counts)})"
        + (f"; the first reasons: {reasons}" if reasons else ""),
        hint=f"check that it is a {reader.format!r} file (or name its layout with --format); "
        "nothing from it was stored or recorded",
    )


def _ledger_row(
    reader: EventReader, digest: str, n_ingested: int, codes: tuple[str, ...] | None
) -> LedgerRow:
    return LedgerRow(
        path=str(reader.path),
        sha256=digest,
        format=reader.format,
        dataset=reader.dataset,
        codebook=str(CodebookId.of(reader.codebook)),
        rows_read=reader.rows_read,
        rows_ingested=n_ingested,
        rows_rejected=reader.rows_rejected,
        countries=codes,
    )


def _stored_instead(
    store: Target, reader: EventReader, exc: BaseException, hash_as_read: bool, bytes_before: int
) -> IngestRecord:
    """After a rollback: the stored file whose content this one turned out to be, or
    ``exc`` raised again (a storage failure as a :class:`StoreError` that says what to
    do, and whether the store file grew)."""
    if isinstance(exc, _AlreadyStored):  # the same content under another name
        return exc.prev
    if hash_as_read and isinstance(exc, ReaderError):
        # stored content that does not read (a bad row, another layout) is still
        # stored content: report it so, as a hash before reading would have
        stored = _stored_content(store, reader.path)
        if stored is not None:
            return stored
    if not isinstance(exc, TrilateralError):
        error = storage_error(store.path, reader.path, exc, bytes_before)
        if error is not None:
            raise error from exc
    raise exc


def _stored_content(store: Target, path: str | Path) -> IngestRecord | None:
    """The ingest holding ``path``'s content, if any (None too if it cannot be hashed)."""
    try:
        return store.find_ingest(file_sha256(path))
    except ReaderError:
        return None


def _stored(
    path: str | Path,
    prev: IngestRecord,
    wanted: Codebook | None,
    countries: tuple[str, ...] | None,
    progress: Progress | None,
    total: int,
    t0: float,
) -> IngestResult:
    """The result for a file whose content is stored already; the recoding error when
    ``wanted`` codes it differently (None: no codebook to compare), the refiltering error
    when it was stored with another ``countries`` filter."""
    if wanted is not None:
        error = recoding_error(path, prev, CodebookId.of(wanted))
        if error is not None:
            raise error
    if prev.countries != countries:
        raise refiltering_error(path, prev, countries)
    if progress is not None:
        progress(total, total)
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
