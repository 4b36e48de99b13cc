"""Archive-sized ingest: many event files parsed in parallel, committed one at a time.

:func:`ingest_files` takes files, directories and glob patterns (a directory of daily
GDELT or ICEWS files, plain, zipped or gzipped). ``workers`` processes parse the files
(each through its layout's reader, to Arrow) into a spool beside the store; the calling
process is the only writer and commits each file in its own transaction through
:meth:`EventStore.ingest_reader`, in the order the files were given. So the store's
guarantees hold file by file: a file is in the store whole or not at all, a file already
in the store (same decompressed content) is skipped, and an interrupted run leaves
whole files only — running the same command again ingests the rest without duplicating
or losing a file.

The writer does not wait for a whole file: a worker publishes the file's head (layout,
codebook) and then one Arrow IPC segment per ``segment_rows`` rows (each written aside
and renamed into place), and the writer inserts each segment as it appears, inside the
file's transaction; a worker's error (``on_error="fail"``, a damaged file) reaches the
writer after the segments before it, and the transaction is rolled back. The worker's
reader hashes the file as it parses it; the writer checks the hash against the store
before the commit (a renamed copy of a stored file is rolled back and reported as a
duplicate). A file whose name the store holds — a re-run — is hashed by the worker
before parsing and not parsed when its content is stored.

Memory is bounded: a worker holds at most one segment of rows (its reader streams); at
most ``workers + 1`` files are parsed ahead of the writer (their segments wait on disk),
and the writer maps one segment at a time and deletes it once inserted.

With one worker there is no process and no spool: each file goes through
:meth:`EventStore.ingest`, whose reader runs in a thread of this process while DuckDB
appends (a worker process would cost its start-up and a copy of every row through the
spool, and buy nothing: one parser and the writer already share two cores).
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import pickle
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from ...errors import ReaderError, TrilateralError
from .._hashing import file_sha256
from .._records import IngestResult
from ..actors import ActorResolver
from ..codebook import Codebook
from ..readers._base import EventReader, OnError, ReadBatch, Reject
from ..schema import EVENT_SCHEMA, EXTRAS_SCHEMA
from ._actors import ResolveActors
from ._filter import filter_codes
from ._groups import ingest_counts
from ._pipeline import Target, ingest_path, ingest_reader

__all__ = ["IngestProgress", "expand_paths", "ingest_files"]


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """Where a multi-file ingest stands (passed to the ``progress`` callback).

    ``event`` is ``"file"`` while a file is committed (``file_bytes_done`` of
    ``file_bytes_total``) and ``"done"`` once it is in the store. ``worker_pid`` is the
    parsing process that read the file (on ``"done"``), ``worker_peak_rss`` each parsing
    process's peak resident memory in bytes so far (pid → bytes; 0 where the platform
    does not measure it).
    """

    event: str
    file: str
    file_bytes_done: int
    file_bytes_total: int
    files_done: int
    files_total: int
    rows_done: int
    bytes_done: int
    bytes_total: int
    seconds: float
    worker_pid: int = 0
    worker_peak_rss: Mapping[int, int] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return self.rows_done / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left, from the bytes still to do at the rate so far (None: no rate yet)."""
        done = self.bytes_done + self.file_bytes_done
        if done <= 0 or self.seconds <= 0:
            return None
        return (self.bytes_total - done) * self.seconds / done


ProgressFn = Callable[[IngestProgress], None]


def expand_paths(items: Sequence[str | Path]) -> list[Path]:
    """Files named by ``items``: files as given, directories' files, glob matches.

    A directory contributes its regular files (not hidden ones), sorted by name, not
    recursively; a pattern (``exports/2019*.CSV.zip``) its matches, sorted. A name that
    is none of these raises :class:`~trilateral.errors.ReaderError`.

    Examples
    --------
    >>> expand_paths(["*.export.CSV"])
    [PosixPath('20180326044500.export.CSV'), PosixPath('20191024143000.export.CSV')]
    """
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")))
        elif glob.has_magic(str(item)):
            out.extend(sorted(Path(m) for m in glob.glob(str(item)) if Path(m).is_file()))
        else:
            raise ReaderError(
                p,
                None,
                None,
                "file not found" if not p.exists() else "not a file",
                hint="check the path; nothing was ingested",
            )
    if not out:
        raise ReaderError(
            Path(str(items[0])) if items else Path("."),
            None,
            None,
            "no files to ingest there",
            hint="name event files, a directory holding them, or a glob pattern",
        )
    return list(dict.fromkeys(out))  # a file named twice is ingested once


# ------------------------------------------------------------------ workers

#: Rows a spool segment holds before it is handed to the writer (about one DuckDB row
#: group: the writer inserts a segment with one statement).
SEGMENT_ROWS = 131_072


@dataclass(frozen=True, slots=True)
class _Head:
    """What a worker knows before it parses: written to the spool for the writer.

    ``sha256`` is ``""`` when the file is hashed as it is read (then it comes in
    :class:`_Parsed`, once the worker is done).
    """

    sha256: str
    format: str
    dataset: str
    codebook: Codebook


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What a worker returns once a file is parsed: the reader's bookkeeping."""

    path: Path
    sha256: str
    duplicate: bool
    segments: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    rejects: tuple[Reject, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    error: tuple[str, int | None, str | None, str, str | None] | None = None
    pid: int = 0
    peak_rss: int = 0


def _peak_rss() -> int:
    """This process's peak resident memory in bytes (0 where not measurable).

    On Linux ``VmHWM`` of ``/proc/self/status``: ``getrusage``'s ``ru_maxrss`` survives
    ``exec``, so a spawned worker would report the peak its parent had when it forked.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _head_path(spool: Path, index: int) -> Path:
    return spool / f"{index:07d}.head"


def _segment_path(spool: Path, index: int, seg: int, kind: str) -> Path:
    return spool / f"{index:07d}.{seg:06d}.{kind}.arrow"


def _publish(tmp: Path, final: Path) -> None:
    """Hand a finished spool file to the writer: it only ever sees whole files."""
    os.replace(tmp, final)


class _SegmentWriter:
    """Writes a reader's batches into spool segments of about ``SEGMENT_ROWS`` rows.

    A segment's extras file (the chronicle's) is published before its events file, so
    the events file appearing means the whole segment is there.
    """

    def __init__(self, spool: Path, index: int, rows: int) -> None:
        self.spool = spool
        self.index = index
        self.segment_rows = rows
        self.segments = 0
        self._rows = 0
        self._events: list[pa.RecordBatch] = []
        self._extras: list[pa.RecordBatch] = []
        self._bytes_read = 0

    def add(self, batch: ReadBatch, bytes_read: int) -> None:
        if batch.events.num_rows:
            self._events.append(batch.events)
            self._rows += batch.events.num_rows
        if batch.extras is not None and batch.extras.num_rows:
            self._extras.append(batch.extras)
        self._bytes_read = bytes_read
        if self._rows >= self.segment_rows:
            self.flush()

    def flush(self) -> None:
        if not self._events and not self._extras:
            return
        seg = self.segments
        if self._extras:
            _write_ipc(
                self._extras, EXTRAS_SCHEMA, _segment_path(self.spool, self.index, seg, "extras")
            )
        final = _segment_path(self.spool, self.index, seg, "events")
        # the source bytes consumed so far ride in the schema metadata (progress)
        schema = EVENT_SCHEMA.with_metadata({b"bytes_read": str(self._bytes_read).encode()})
        _write_ipc(self._events, schema, final)
        self.segments += 1
        self._events, self._extras, self._rows = [], [], 0


def _write_ipc(batches: list[pa.RecordBatch], schema: pa.Schema, final: Path) -> None:
    tmp = final.with_name(final.name + ".partial")
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        for b in batches:
            writer.write_batch(b.replace_schema_metadata(schema.metadata))
    _publish(tmp, final)


def _parse(
    index: int,
    path: Path,
    format: str,
    codebook: Codebook | None,
    on_error: OnError,
    spool: Path,
    known: frozenset[str],
    hash_first: bool,
    segment_rows: int = SEGMENT_ROWS,
    actors: ActorResolver | None = None,
) -> _Parsed:
    """Parse one file into spool segments as it goes (runs in a worker process).

    First the head (layout, codebook), then one Arrow IPC segment per ``SEGMENT_ROWS``
    rows, each published whole (written aside, renamed into place), so the writer
    inserts a file's first rows while the worker parses the rest. The content hash is
    computed as the file is read and returned at the end; with ``hash_first`` (the store
    holds a file of that name: a re-run) it is hashed first instead, and skipped when its
    content is among the ``known`` hashes.
    """
    from ..readers import read

    digest = ""
    if hash_first:
        digest = file_sha256(path)
        if digest in known:
            return _Parsed(path, digest, duplicate=True, pid=os.getpid(), peak_rss=_peak_rss())
    rejects: list[Reject] = []
    out = _SegmentWriter(spool, index, segment_rows)
    try:
        reader = read(path, format, codebook=codebook, on_error=on_error)
        if getattr(reader, "sha256", "") is None:  # a reader citing its file's hash: first
            digest = digest or file_sha256(path)
            if digest in known:
                return _Parsed(path, digest, True, pid=os.getpid(), peak_rss=_peak_rss())
            reader.sha256 = digest  # type: ignore[attr-defined]
        reader.hash_content = not digest
        head = _head_path(spool, index)
        tmp = head.with_name(head.name + ".partial")
        tmp.write_bytes(pickle.dumps(_Head(digest, reader.format, reader.dataset, reader.codebook)))
        _publish(tmp, head)
        step = ResolveActors(actors)  # the run's actor tables (default: the shipped ones)
        for batch in step.batches(reader):
            out.add(batch, reader.bytes_read)
            rejects.extend(batch.rejects)
        out.flush()
        digest = digest or reader.content_sha256 or file_sha256(path)
    except ReaderError as exc:  # sent back as data: the writer re-raises it in order
        return _Parsed(
            path,
            digest,
            False,
            segments=out.segments,
            error=(exc.path, exc.line, exc.field, exc.reason, exc.hint),
            pid=os.getpid(),
            peak_rss=_peak_rss(),
        )
    return _Parsed(
        path,
        digest,
        duplicate=False,
        segments=out.segments,
        rows_read=reader.rows_read,
        rows_rejected=reader.rows_rejected,
        rejects=tuple(rejects),
        counts=ingest_counts(reader, step),
        pid=os.getpid(),
        peak_rss=_peak_rss(),
    )


def _wait(future: Future[_Parsed], ready: Callable[[], bool]) -> bool:
    """Wait until ``ready()`` or the worker is done; True when ``ready()``."""
    while True:
        if ready():
            return True
        if future.done():
            return ready()  # published just before the worker returned
        wait([future], timeout=_POLL_S)


_POLL_S = 0.005


class _SpooledReader(EventReader):
    """A reader over a worker's spool segments, read while the worker writes them.

    What :meth:`EventStore.ingest_reader` commits. The reader's counters (rows read and
    rejected, the layout's own counts) are known once the worker is done, i.e. when the
    iteration ends, which is when ``ingest_reader`` reads them.
    """

    format = "spooled"
    dataset = "spooled"

    def __init__(
        self, path: Path, head: _Head, future: Future[_Parsed], spool: Path, index: int
    ) -> None:  # no super().__init__: nothing to load
        self.path = path
        self.codebook = head.codebook
        self.on_error = "skip"
        self.batch_rows = 0
        self.rows_read = 0
        self.rows_rejected = 0
        self._counter = None
        self._future = future
        self._spool = spool
        self._index = index
        self._done = 0
        self.parsed: _Parsed | None = None
        vars(self)["format"] = head.format
        vars(self)["dataset"] = head.dataset

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return False

    def _batches(self, stream: IO[bytes]) -> Iterator[Any]:  # pragma: no cover - unused
        raise NotImplementedError

    @property
    def total_bytes(self) -> int:
        return self.path.stat().st_size

    @property
    def bytes_read(self) -> int:
        return self._done

    def __iter__(self) -> Iterator[ReadBatch]:
        seg = 0
        while True:
            events = _segment_path(self._spool, self._index, seg, "events")
            if not _wait(self._future, events.exists):
                break
            extras = _segment_path(self._spool, self._index, seg, "extras")
            with pa.memory_map(str(events)) as src:
                stream = pa.ipc.open_stream(src)
                meta = stream.schema.metadata or {}
                for batch in stream:
                    yield ReadBatch(batch, None, ())
            if extras.exists():  # the chronicle's extra columns, after their events
                with pa.memory_map(str(extras)) as src:
                    for extra in pa.ipc.open_stream(src):
                        yield ReadBatch(_empty_events(), extra, ())
                extras.unlink()
            events.unlink()
            self._done = int(meta.get(b"bytes_read", b"0"))
            seg += 1
        parsed = self._future.result()
        self.parsed = parsed
        self.content_sha256 = parsed.sha256 or None
        if parsed.error is not None:  # the store rolls the file back
            epath, line, fld, reason, hint = parsed.error
            raise ReaderError(epath, line, fld, reason, hint=hint)
        self.rows_read = parsed.rows_read
        self.rows_rejected = parsed.rows_rejected
        for name, value in parsed.counts.items():  # the original reader's counters
            if name.startswith(("unknown_", "unresolved", "unmapped_")):
                setattr(self, name, Counter({name: value}))
            else:
                setattr(self, name, value)
        if parsed.rejects:
            yield ReadBatch(_empty_events(), None, parsed.rejects)
        self._done = self.total_bytes


def _empty_events() -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([], schema=EVENT_SCHEMA)


def _discard(spool: Path, index: int) -> None:
    """Remove what is left of file ``index`` in the spool."""
    for f in spool.glob(f"{index:07d}.*"):
        f.unlink(missing_ok=True)


# ------------------------------------------------------------------ the writer


def ingest_files(
    store: Target,
    paths: Sequence[str | Path],
    *,
    workers: int = 1,
    format: str = "auto",
    on_error: OnError = "fail",
    codebook: Codebook | Callable[[Path], Codebook | None] | None = None,
    progress: ProgressFn | None = None,
    segment_rows: int = SEGMENT_ROWS,
    countries: Sequence[str] | None = None,
    actors: ActorResolver | None = None,
) -> list[IngestResult]:
    """Ingest many event files: ``workers`` processes parse, this process commits.

    Parameters
    ----------
    store : EventStore
        Open for writing.
    paths : sequence of str or Path
        Files, directories (their files) and glob patterns; see :func:`expand_paths`.
    workers : int
        Parsing workers (1 or more). One worker is a thread of this process; with
        more, each is a process. The writer commits while they parse.
    format, on_error
        As for :meth:`EventStore.ingest`.
    codebook : Codebook or callable, optional
        One codebook for every file, or ``codebook(path)`` giving each file's.
    progress : callable, optional
        ``progress(IngestProgress)`` while each file is committed and when it is done.
    segment_rows : int
        Rows a worker gathers into one spool segment before the writer takes it (the
        writer inserts a file's segments while the worker parses the rest of it).
    countries : sequence of str, optional
        ISO3 codes: keep only the rows between them, as for :meth:`EventStore.ingest`
        (the writer filters; the same filter for every file).
    actors : ActorResolver, optional
        The actor tables of the resolve step (ICEWS layouts), as for
        :meth:`EventStore.ingest`; each worker resolves with them. Default: the shipped
        tables.

    Returns
    -------
    list of IngestResult
        One per file, in the order given (duplicates marked ``skipped_duplicate``).

    Raises
    ------
    ReaderError
        The first file that fails (``on_error="fail"``), after the files before it were
        committed; nothing of it or of the files after it is stored.

    Examples
    --------
    >>> from trilateral.data.store import EventStore
    >>> with EventStore.open("events.duckdb") as store:
    ...     results = ingest_files(store, ["*.export.CSV"], workers=2)
    >>> [(r.path, r.rows_ingested) for r in results]
    [('20180326044500.export.CSV', 1540), ('20191024143000.export.CSV', 2111)]
    """
    if not isinstance(workers, int) or workers < 1:
        raise TrilateralError(f"workers must be a positive integer, got {workers!r}")
    if not isinstance(segment_rows, int) or segment_rows < 1:
        raise TrilateralError(f"segment_rows must be a positive integer, got {segment_rows!r}")
    codes = filter_codes(countries)  # a bad code fails before any file is read
    run = _Run(expand_paths(paths), progress)
    # a killed run's leftovers (we hold the lock)
    shutil.rmtree(Path(f"{store.path}.spool"), ignore_errors=True)
    if workers == 1:  # one worker: a thread of this process (no process, no spool)
        for i, path in enumerate(run.files):

            def _read(done: int, total: int, i: int = i) -> None:
                # (a file hashed before it is read counts its bytes twice)
                run.report("file", i, done * run.sizes[i] // total if total else 0)

            result = ingest_path(
                store, path, format, on_error=on_error, codebook=_book(codebook, path),
                progress=_read, countries=codes, actors=actors,
            )  # fmt: skip
            run.done(i, result, os.getpid())
        return run.results
    how = _How(format, on_error, codebook, segment_rows, codes, actors)
    _ingest_in_workers(store, run, workers, how)
    return run.results


def _book(
    codebook: Codebook | Callable[[Path], Codebook | None] | None, path: Path
) -> Codebook | None:
    return codebook(path) if callable(codebook) else codebook


class _Run:
    """Where a multi-file ingest stands: its files, their results so far, its progress."""

    def __init__(self, files: list[Path], progress: ProgressFn | None) -> None:
        self.files = files
        self.sizes = [f.stat().st_size for f in files]
        self.bytes_total = sum(self.sizes)
        self.progress = progress
        self.t0 = time.perf_counter()
        self.results: list[IngestResult] = []
        self.rows_done = self.bytes_done = 0
        self.worker_peak: dict[int, int] = {}

    def report(self, event: str, i: int, done: int, pid: int = 0) -> None:
        if self.progress is None:
            return
        self.progress(
            IngestProgress(
                event=event,
                file=str(self.files[i]),
                file_bytes_done=done if event == "file" else 0,
                file_bytes_total=self.sizes[i],
                files_done=len(self.results),
                files_total=len(self.files),
                rows_done=self.rows_done,
                bytes_done=self.bytes_done,
                bytes_total=self.bytes_total,
                seconds=time.perf_counter() - self.t0,
                worker_pid=pid,
                worker_peak_rss=dict(self.worker_peak),
            )
        )

    def done(self, i: int, result: IngestResult, pid: int) -> None:
        self.results.append(result)
        self.rows_done += result.rows_ingested
        self.bytes_done += self.sizes[i]
        self.report("done", i, self.sizes[i], pid)


@dataclass(frozen=True, slots=True)
class _How:
    """How every file of a run is ingested (the options of :func:`ingest_files`)."""

    format: str
    on_error: OnError
    codebook: Codebook | Callable[[Path], Codebook | None] | None
    segment_rows: int
    codes: tuple[str, ...] | None
    actors: ActorResolver | None


def _ingest_in_workers(store: Target, run: _Run, workers: int, how: _How) -> None:
    """``workers`` processes parse the files into a spool; this process commits them."""
    format, on_error, codebook, codes = how.format, how.on_error, how.codebook, how.codes
    files = run.files
    known = frozenset(r.sha256 for r in store.ingests())
    spool = Path(f"{store.path}.spool")
    spool.mkdir(parents=True)
    ctx = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB
    pool = ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=ctx)
    futures: dict[int, Future[_Parsed]] = {}
    nxt = 0
    try:
        for i in range(len(files)):
            while nxt < len(files) and nxt - i <= workers:
                futures[nxt] = pool.submit(
                    _parse, nxt, files[nxt], format, _book(codebook, files[nxt]), on_error,
                    spool, known, store._name_ingested(files[nxt]), how.segment_rows,
                    how.actors,
                )  # fmt: skip
                nxt += 1
            future = futures.pop(i)
            head_file = _head_path(spool, i)
            if _wait(future, head_file.exists):  # the worker is parsing it: commit as it goes
                head: _Head = pickle.loads(head_file.read_bytes())  # our own spool
                reader = _SpooledReader(files[i], head, future, spool, i)

                def _tick(done: int, _total: int, i: int = i) -> None:
                    run.report("file", i, done)

                result = ingest_reader(  # (a renamed copy: found once hashed)
                    store, reader, sha256=head.sha256 or None, progress=_tick,
                    countries=codes, hash_as_read=not head.sha256,
                )  # fmt: skip
                parsed = future.result()  # (a file already in the store was not read)
                _discard(spool, i)
            else:
                parsed = future.result()
                if parsed.error is not None:
                    epath, line, fld, reason, hint = parsed.error
                    raise ReaderError(epath, line, fld, reason, hint=hint)
                # in the store when the run started (its name too: hashed first)
                result = ingest_path(store, files[i], format, on_error=on_error,
                                     codebook=_book(codebook, files[i]), countries=codes,
                                     actors=how.actors)  # fmt: skip
            run.worker_peak[parsed.pid] = max(run.worker_peak.get(parsed.pid, 0), parsed.peak_rss)
            run.done(i, result, parsed.pid)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(spool, ignore_errors=True)
