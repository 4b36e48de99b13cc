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

Memory is bounded: a worker holds one batch of rows at a time (its reader streams) and
writes it to its spool file; at most ``workers + 1`` files are parsed ahead of the
writer, and the writer reads the spool back batch by batch (memory-mapped).
"""

from __future__ import annotations

import glob
import multiprocessing
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from ..errors import ReaderError, TrilateralError
from .codebook import Codebook
from .readers._base import EventReader, OnError, ReadBatch, Reject
from .schema import EVENT_SCHEMA, EXTRAS_SCHEMA
from .store import EventStore, IngestResult, _reader_counts, file_sha256

__all__ = ["IngestProgress", "expand_paths", "ingest_files"]


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """Where a multi-file ingest stands (passed to the ``progress`` callback).

    ``event`` is ``"file"`` while a file is committed (``file_bytes_done`` of
    ``file_bytes_total``) and ``"done"`` once it is in the store.
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
    >>> expand_paths(["exports/"])  # doctest: +SKIP
    [PosixPath('exports/20190101.export.CSV.zip'), ...]
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


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What a worker hands the writer: the spool files and the reader's bookkeeping."""

    path: Path
    sha256: str
    duplicate: bool
    events: Path | None = None
    extras: Path | None = None
    format: str = ""
    dataset: str = ""
    codebook: Codebook | None = None
    rows_read: int = 0
    rows_rejected: int = 0
    rejects: tuple[Reject, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    error: tuple[str, int | None, str | None, str, str | None] | None = None


def _parse(
    index: int,
    path: Path,
    format: str,
    codebook: Codebook | None,
    on_error: OnError,
    spool: Path,
    known: frozenset[str],
) -> _Parsed:
    """Parse one file into Arrow IPC spool files (runs in a worker process)."""
    from .readers import read

    digest = file_sha256(path)
    if digest in known:
        return _Parsed(path, digest, duplicate=True)
    events = spool / f"{index:07d}.events.arrow"
    extras = spool / f"{index:07d}.extras.arrow"
    rejects: list[Reject] = []
    try:
        reader = read(path, format, codebook=codebook, on_error=on_error)
        if getattr(reader, "sha256", "") is None:  # a reader citing its file's hash
            reader.sha256 = digest  # type: ignore[attr-defined]
        wrote_extras = False
        with (
            pa.OSFile(str(events), "wb") as sink,
            pa.ipc.new_stream(sink, EVENT_SCHEMA) as ev_writer,
            pa.OSFile(str(extras), "wb") as xsink,
            pa.ipc.new_stream(xsink, EXTRAS_SCHEMA) as ex_writer,
        ):
            for batch in reader:
                if batch.events.num_rows:
                    ev_writer.write_batch(batch.events)
                if batch.extras is not None and batch.extras.num_rows:
                    ex_writer.write_batch(batch.extras)
                    wrote_extras = True
                rejects.extend(batch.rejects)
    except ReaderError as exc:  # sent back as data: the writer re-raises it in order
        events.unlink(missing_ok=True)
        extras.unlink(missing_ok=True)
        return _Parsed(
            path, digest, False, error=(exc.path, exc.line, exc.field, exc.reason, exc.hint)
        )
    if not wrote_extras:
        extras.unlink(missing_ok=True)
    return _Parsed(
        path,
        digest,
        duplicate=False,
        events=events,
        extras=extras if wrote_extras else None,
        format=reader.format,
        dataset=reader.dataset,
        codebook=reader.codebook,
        rows_read=reader.rows_read,
        rows_rejected=reader.rows_rejected,
        rejects=tuple(rejects),
        counts=_reader_counts(reader),
    )


class _SpooledReader(EventReader):
    """A reader over a worker's spool: what :meth:`EventStore.ingest_reader` commits."""

    format = "spooled"
    dataset = "spooled"

    def __init__(self, parsed: _Parsed) -> None:  # no super().__init__: nothing to load
        assert parsed.events is not None and parsed.codebook is not None
        self.path = parsed.path
        self.codebook = parsed.codebook
        self.on_error = "skip"
        self.batch_rows = 0
        self.rows_read = parsed.rows_read
        self.rows_rejected = parsed.rows_rejected
        self._counter = None
        self._parsed = parsed
        self._done = 0
        for name, value in parsed.counts.items():  # the original reader's counters
            if name.startswith(("unknown_", "unresolved", "unmapped_")):
                setattr(self, name, Counter({name: value}))
            else:
                setattr(self, name, value)
        vars(self)["format"] = parsed.format
        vars(self)["dataset"] = parsed.dataset

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
        p = self._parsed
        assert p.events is not None
        rejects = p.rejects
        total = max(p.rows_read, 1)
        seen = 0
        with pa.memory_map(str(p.events)) as src:
            for batch in pa.ipc.open_stream(src):
                seen += batch.num_rows
                self._done = min(self.total_bytes, self.total_bytes * seen // total)
                yield ReadBatch(batch, None, rejects)
                rejects = ()
        if p.extras is not None:  # the chronicle's extra columns, after its events
            with pa.memory_map(str(p.extras)) as src:
                for extra in pa.ipc.open_stream(src):
                    yield ReadBatch(_empty_events(), extra, ())
        if rejects:  # a file whose rows were all rejected
            yield ReadBatch(_empty_events(), None, rejects)
        self._done = self.total_bytes


def _empty_events() -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([], schema=EVENT_SCHEMA)


# ------------------------------------------------------------------ the writer


def ingest_files(
    store: EventStore,
    paths: Sequence[str | Path],
    *,
    workers: int = 1,
    format: str = "auto",
    on_error: OnError = "fail",
    codebook: Codebook | Callable[[Path], Codebook | None] | None = None,
    progress: ProgressFn | None = None,
) -> list[IngestResult]:
    """Ingest many event files: ``workers`` processes parse, this process commits.

    Parameters
    ----------
    store : EventStore
        Open for writing.
    paths : sequence of str or Path
        Files, directories (their files) and glob patterns; see :func:`expand_paths`.
    workers : int
        Parsing processes (1 or more). The writer commits while they parse.
    format, on_error
        As for :meth:`EventStore.ingest`.
    codebook : Codebook or callable, optional
        One codebook for every file, or ``codebook(path)`` giving each file's.
    progress : callable, optional
        ``progress(IngestProgress)`` while each file is committed and when it is done.

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
    >>> with EventStore.open("events.duckdb") as store:  # doctest: +SKIP
    ...     results = ingest_files(store, ["exports/"], workers=2)
    """
    if not isinstance(workers, int) or workers < 1:
        raise TrilateralError(f"workers must be a positive integer, got {workers!r}")
    files = expand_paths(paths)
    sizes = [f.stat().st_size for f in files]
    bytes_total = sum(sizes)
    known = frozenset(r.sha256 for r in store.ingests())
    spool = Path(f"{store.path}.spool")
    shutil.rmtree(spool, ignore_errors=True)  # a killed run's leftovers (we hold the lock)
    spool.mkdir(parents=True)
    t0 = time.perf_counter()
    results: list[IngestResult] = []
    rows_done = bytes_done = 0

    def books(path: Path) -> Codebook | None:
        return codebook(path) if callable(codebook) else codebook

    def report(event: str, i: int, done: int) -> None:
        if progress is not None:
            progress(
                IngestProgress(
                    event=event,
                    file=str(files[i]),
                    file_bytes_done=done if event == "file" else 0,
                    file_bytes_total=sizes[i],
                    files_done=len(results),
                    files_total=len(files),
                    rows_done=rows_done,
                    bytes_done=bytes_done,
                    bytes_total=bytes_total,
                    seconds=time.perf_counter() - t0,
                )
            )

    ctx = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB
    pool = ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=ctx)
    futures: dict[int, Future[_Parsed]] = {}
    nxt = 0
    try:
        for i in range(len(files)):
            while nxt < len(files) and nxt - i <= workers:
                futures[nxt] = pool.submit(
                    _parse, nxt, files[nxt], format, books(files[nxt]), on_error, spool, known
                )
                nxt += 1
            parsed = futures.pop(i).result()
            if parsed.error is not None:
                epath, line, fld, reason, hint = parsed.error
                raise ReaderError(epath, line, fld, reason, hint=hint)
            if parsed.duplicate:
                result = store.ingest(files[i], format, on_error=on_error, codebook=books(files[i]))
            else:
                reader = _SpooledReader(parsed)

                def _tick(done: int, _total: int, i: int = i) -> None:
                    report("file", i, done)

                result = store.ingest_reader(reader, sha256=parsed.sha256, progress=_tick)
                for f in (parsed.events, parsed.extras):
                    if f is not None:
                        f.unlink(missing_ok=True)
            results.append(result)
            rows_done += result.rows_ingested
            bytes_done += sizes[i]
            report("done", i, sizes[i])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(spool, ignore_errors=True)
    return results
