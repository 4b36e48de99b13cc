"""The reader contract shared by every event-file layout.

A reader turns one file in a published layout into a stream of :class:`ReadBatch`
objects: Arrow record batches in the canonical :data:`~trilateral.data.schema.EVENT_SCHEMA`
plus the rows it rejected, each with its line number and reason. Readers stream (memory
does not grow with the file), never guess, and raise :class:`~trilateral.errors.ReaderError`
naming the file, line and field for anything they cannot read.

Subclasses implement :meth:`EventReader.sniff` (content detection for ``--format auto``)
and :meth:`EventReader._batches`, which yields :data:`Chunk` tuples: a dict of
canonical column name → Arrow array (already typed; nulls where a value would not
parse) and the 1-based line number of each row. :func:`validate` then splits good rows
from bad ones the same way for every layout.

A layout whose actors are names, not country codes (the ICEWS layouts), leaves the
country columns it cannot fill itself null and hands the names on in
:attr:`ReadBatch.names` (listed in :attr:`EventReader.actor_names`): resolving them is
the ingest pipeline's next step (:mod:`trilateral.data.ingest._actors`), not the reader's.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import queue
import threading
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, Generic, Literal, TypedDict, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ReaderError
from ..codebook import Codebook
from ..schema import EVENT_SCHEMA, EXTRAS_SCHEMA

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "Chunk",
    "Columns",
    "EventReader",
    "OnError",
    "Prefetch",
    "ReadBatch",
    "ReaderOptions",
    "Reject",
    "collect",
    "open_text_stream",
    "read_head",
    "reject_order",
    "split_csv_header",
    "validate",
]

OnError = Literal["fail", "skip"]
DEFAULT_BATCH_ROWS = 65_536
_ISO3 = r"^[A-Z]{3}$"


@dataclass(frozen=True, slots=True)
class Reject:
    """One rejected row: where it is and why."""

    line: int | None
    field: str | None
    value: str | None
    reason: str


def reject_order(r: Reject) -> tuple[bool, int]:
    """Sort key of rejects: in line order, those with no line last."""
    return (r.line is None, r.line or 0)


Columns = dict[str, pa.Array]
#: What :meth:`EventReader._batches` yields: ``(columns, lines, raw)``, optionally with a
#: fourth element, the rows the reader rejected itself.
Chunk = tuple[Columns, pa.Array, Columns] | tuple[Columns, pa.Array, Columns, list[Reject]]


class ReaderOptions(TypedDict, total=False):
    """The keyword options of :class:`EventReader`, for subclasses to pass on."""

    codebook: Codebook | None
    on_error: OnError
    batch_rows: int


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """A batch of valid canonical events, the chronicle extras if any, and the rejects.

    ``names`` (a layout whose actors are names): one string column per event column in
    the reader's :attr:`~EventReader.actor_names`, row for row with ``events``, holding
    the name the file gives (``"Russian Federation"``, ``"Vladimir_Putin"``); that event
    column is null until the resolve-actors step fills it.
    """

    events: pa.RecordBatch
    extras: pa.RecordBatch | None
    rejects: tuple[Reject, ...]
    names: pa.RecordBatch | None = None


_T = TypeVar("_T")


class Prefetch(Generic[_T]):
    """Iterate ``source`` in a background thread, ``depth`` items ahead.

    Parsing (pyarrow) and inserting (DuckDB) both release the GIL, so producing the next
    item while the current one is used overlaps the two; memory stays bounded by
    ``depth`` items. An exception from the source is re-raised in the consumer, at the
    point of the item it replaced. :meth:`close` stops the producer (e.g. when the
    consumer fails or stops early) and waits for its thread; call it in a ``finally``.
    Used by the GDELT reader (CSV batches) and by the store (reader batches).
    """

    _END: Any = object()

    def __init__(self, source: Iterable[_T], depth: int = 2, name: str = "trilateral-prefetch"):
        self._source = iter(source)
        self._queue: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _put(self, item: tuple[bool, Any]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            while not self._stop.is_set():  # no further item once close() was called
                try:
                    item = next(self._source)
                except StopIteration:
                    self._put((True, self._END))
                    return
                if not self._put((True, item)):
                    return
        except BaseException as exc:  # handed to the consumer
            self._put((False, exc))

    def __iter__(self) -> Iterator[_T]:
        return self

    def __next__(self) -> _T:
        if self._done or self._stop.is_set():
            raise StopIteration
        ok, item = self._queue.get()
        if not ok:
            self._done = True
            raise item
        if item is self._END:
            self._done = True
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop the producer and wait for its thread (idempotent)."""
        self._stop.set()
        while self._thread.is_alive():  # free a producer blocked on a full queue at once
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()


class _CountingReader(io.RawIOBase):
    """Wraps a binary stream and counts the bytes taken from the underlying file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(b)  # type: ignore[attr-defined]  # (a file: no copy)
        n = n or 0
        self.count += n
        return n

    # zipfile needs a seekable file: delegate positioning to the real file
    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()
        super().close()


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def open_binary(path: Path) -> tuple[IO[bytes], _CountingReader]:
    """Open ``path`` decompressing zip (first member) or gzip by content, not by name.

    Returns the decompressed stream and a counter of compressed bytes consumed
    (for progress bars).
    """
    if not path.exists():
        raise ReaderError(path, None, None, "file not found")
    if path.is_dir():
        raise ReaderError(path, None, None, "is a directory, not a file")
    magic = _magic(path)
    raw = path.open("rb")
    counter = _CountingReader(raw)
    if magic.startswith(b"PK\x03\x04"):
        try:
            zf = zipfile.ZipFile(counter)  # seekable (a BufferedReader over it is not)
            members = [m for m in zf.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            counter.close()
            raise ReaderError(
                path,
                None,
                None,
                f"damaged zip archive ({exc})",
                hint="download the file again; it may be truncated",
            ) from None
        if len(members) != 1:
            counter.close()
            raise ReaderError(
                path,
                None,
                None,
                f"zip archive holds {len(members)} files; expected exactly one export",
            )
        return zf.open(members[0]), counter
    # (created only now: a BufferedReader closes the file when it is collected)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=buffered), counter  # type: ignore[return-value]
    return buffered, counter


def split_csv_header(path: Path, text: str) -> list[str]:
    """The fields of a comma-separated header line, or a ReaderError at line 1."""
    try:
        return [h.strip() for h in next(csv.reader([text], strict=True), [])]
    except csv.Error as exc:
        raise ReaderError(
            path, 1, None, f"malformed CSV header: {exc}", hint="check the first line"
        ) from None


def read_head(path: Path, n_bytes: int = 65_536) -> bytes:
    """The first ``n_bytes`` of the decompressed content (for format detection)."""
    stream, counter = open_binary(path)
    try:
        return stream.read(n_bytes)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ReaderError(path, None, None, f"cannot decompress: {exc}") from None
    finally:
        stream.close()
        counter.close()


class _HashingReader(io.RawIOBase):
    """Passes a decompressed stream through, feeding every byte to SHA-256 on the way."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.at_end = False  # every byte has passed (the hash is the content's)

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(b)  # type: ignore[attr-defined]
        if n:
            self.sha256.update(memoryview(b)[:n])
        elif len(b):
            self.at_end = True
        return n


def open_text_stream(path: Path) -> tuple[IO[bytes], _CountingReader]:
    """Open for reading; rejects binary content (NUL bytes in the first 64 KiB)."""
    head = read_head(path)
    if not head:
        raise ReaderError(path, None, None, "file is empty", hint="check the download")
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise ReaderError(
            path,
            line,
            None,
            "binary content (NUL byte): not a text export",
            hint="give the export file itself (plain, .zip or .gz)",
        )
    return open_binary(path)


def validate(
    columns: dict[str, pa.Array],
    lines: pa.Array,
    codebook: Codebook,
    raw: dict[str, pa.Array] | None = None,
) -> tuple[pa.RecordBatch, pa.Array, list[Reject]]:
    """Split rows into valid canonical events and rejects (first failing field wins).

    Parameters
    ----------
    columns : dict
        Canonical column → typed Arrow array; a null where a required value did not parse.
    lines : pyarrow.Array
        int64, the 1-based line number of each row.
    codebook : Codebook
        Codes must be known to it.
    raw : dict, optional
        Column → the raw text, quoted in reject messages when a value did not parse.

    Returns
    -------
    events : pyarrow.RecordBatch
        Valid rows with the canonical schema.
    kept_mask : pyarrow.Array
        Boolean mask of the rows kept (to filter side tables such as extras).
    rejects : list of Reject
    """
    raw = raw or {}
    bad_any, rejects = _first_failures(_checks(columns, codebook), columns, lines, raw)
    keep = pc.invert(bad_any)
    if rejects:
        arrays = [pc.filter(columns[f.name], keep).cast(f.type) for f in EVENT_SCHEMA]
    else:  # every row is valid: no copy of the columns (the usual case)
        arrays = [columns[f.name].cast(f.type) for f in EVENT_SCHEMA]
    batch = pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)
    rejects.sort(key=reject_order)
    return batch, keep, rejects


def _iso3_bad(col: pa.Array) -> pa.Array:
    """True where a code is present and not three capital letters."""
    # fill_null: a null code is fine, and a null here would make ``keep`` null and
    # drop the row silently
    return pc.fill_null(
        pc.and_(pc.is_valid(col), pc.invert(pc.match_substring_regex(col, _ISO3))), False
    )


def _checks(columns: dict[str, pa.Array], codebook: Codebook) -> list[tuple[str, pa.Array, str]]:
    """Per field, in order: the field, a mask of the rows it fails, and the reason."""
    known = pa.array(sorted(codebook.rows), pa.string())
    g = columns["goldstein"]
    q = columns["quad_class"]
    w = columns["weight"]
    return [
        (
            "event_id",
            pc.or_(
                pc.is_null(columns["event_id"]),
                pc.equal(pc.utf8_length(pc.fill_null(columns["event_id"], "")), 0),
            ),
            "missing event id",
        ),
        ("date", pc.is_null(columns["date"]), "not a valid date"),
        ("source", _iso3_bad(columns["source"]), "not an ISO3 country code"),
        ("target", _iso3_bad(columns["target"]), "not an ISO3 country code"),
        ("location", _iso3_bad(columns["location"]), "not an ISO3 country code"),
        (
            "cameo",
            pc.invert(pc.fill_null(pc.is_in(columns["cameo"], value_set=known), False)),
            "unknown CAMEO code",
        ),
        (
            "quad_class",
            pc.invert(pc.fill_null(pc.and_(pc.greater_equal(q, 1), pc.less_equal(q, 4)), False)),
            "quad class must be 1-4",
        ),
        (
            "goldstein",
            pc.invert(
                pc.fill_null(pc.and_(pc.greater_equal(g, -10.0), pc.less_equal(g, 10.0)), False)
            ),
            "Goldstein score must be a number in -10..10",
        ),
        (
            "weight",
            pc.invert(pc.fill_null(pc.greater_equal(w, 1), False)),
            "weight (mentions) must be an integer >= 1",
        ),
        ("arena", pc.is_null(columns["arena"]), "no arena for this CAMEO code"),
    ]


def _first_failures(
    checks: list[tuple[str, pa.Array, str]],
    columns: dict[str, pa.Array],
    lines: pa.Array,
    raw: dict[str, pa.Array],
) -> tuple[pa.Array, list[Reject]]:
    """The mask of failing rows and one reject per failing row, for its first failing field."""
    n = len(lines)
    bad_any = pa.array([False] * n, pa.bool_()) if n else pa.array([], pa.bool_())
    rejects: list[Reject] = []
    for name, bad, reason in checks:
        new = pc.and_(bad, pc.invert(bad_any))
        if pc.any(new).as_py():
            idx = pc.indices_nonzero(new)
            line_vals = pc.take(lines, idx).to_pylist()
            source = raw.get(name, columns[name])
            vals = pc.take(source, idx).to_pylist()
            rejects.extend(
                Reject(line, name, None if v is None else str(v), reason)
                for line, v in zip(line_vals, vals, strict=True)
            )
            bad_any = pc.or_(bad_any, bad)
    return bad_any, rejects


#: The layouts of this package by name, in the order their modules define them: each
#: reader class of ``trilateral.data.readers`` registers itself (:func:`suggest_layout`).
_LAYOUTS: dict[str, type[EventReader]] = {}


def suggest_layout(path: Path, own: str) -> str:
    """A hint naming the layout ``path`` looks like, when it does not read as ``own``."""
    try:
        head = read_head(path)
    except ReaderError:
        head = b""
    for name, cls in _LAYOUTS.items():
        if name == own:
            continue
        try:
            if cls.sniff(head):
                return f"it looks like a {name!r} file: use --format {name} (or auto)"
        except Exception:
            continue
    return "check the file, or let --format auto detect the layout"


class EventReader(ABC):
    """Base class of every event-file reader.

    Parameters
    ----------
    path : str or Path
        The file, plain or compressed (zip with one member, or gzip), detected by content.
    codebook : Codebook, optional
        CAMEO lookups; ``Codebook.load()`` (GDELT's Goldstein table) by default, except
        where a layout documents otherwise.
    on_error : {"fail", "skip"}
        ``"fail"`` raises :class:`ReaderError` at the first invalid row; ``"skip"`` yields
        the invalid rows as :class:`Reject` records and goes on.
    batch_rows : int
        Rows per batch: memory is bounded by this, not by the file size.
    """

    #: Short layout name used by ``--format`` (e.g. ``"gdelt1"``).
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("format")
        if isinstance(name, str) and cls.__module__.startswith(f"{__package__}."):
            _LAYOUTS.setdefault(name, cls)  # a shipped layout (see suggest_layout)

    format: ClassVar[str]
    #: Value written into the ``dataset`` column.
    dataset: ClassVar[str]
    #: Which Goldstein table this layout's own scores correspond to.
    default_goldstein: ClassVar[Literal["gdelt", "icews"]] = "gdelt"
    #: Event columns (``source``, ``target``, ``location``) the layout gives as names, not
    #: codes: left null in ``events`` and handed on in :attr:`ReadBatch.names`.
    actor_names: ClassVar[tuple[str, ...]] = ()
    #: What the names are: ``"countries"`` (country names, any date) or ``"actors"``
    #: (a country, a ``Sector (Country)``, or a person, who stands for a country only
    #: on the dates of a term: resolved on the row's date).
    names_are: ClassVar[Literal["countries", "actors"]] = "countries"
    #: The ingest counter the names no table resolves are reported under.
    unresolved_key: ClassVar[str] = "unresolved"
    #: Whether to hash the decompressed content as it is read (the store turns it on
    #: for a file it has not hashed already; off, reading costs no hashing).
    hash_content: bool = False
    #: SHA-256 of the decompressed content (as :func:`~trilateral.data.store.file_sha256`)
    #: when :attr:`hash_content` is on; set once the file has been read to its end.
    content_sha256: str | None = None

    def __init__(
        self,
        path: str | Path,
        *,
        codebook: Codebook | None = None,
        on_error: OnError = "fail",
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> None:
        if on_error not in ("fail", "skip"):
            raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
        self.path = Path(path)
        self.codebook = codebook or Codebook.load(self.default_goldstein)
        self.on_error: OnError = on_error
        self.batch_rows = batch_rows
        self.rows_read = 0
        self.rows_rejected = 0
        self._counter: _CountingReader | None = None

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes) -> bool:
        """True when ``head`` (the first decompressed bytes) looks like this layout."""

    @abstractmethod
    def _batches(self, stream: IO[bytes]) -> Iterator[Chunk]:
        """Yield ``(columns, lines, raw)`` for each chunk of the file.

        ``columns`` holds every canonical column plus, for the chronicle, ``magnitude``
        and ``description``; ``raw`` holds raw texts for reject messages. A reader may
        yield a fourth element, a list of :class:`Reject` for rows it could not even
        split into columns (wrong field count); they are merged with the rows
        :func:`validate` rejects, in line order.
        """

    @property
    def total_bytes(self) -> int:
        """Size of the file on disk (compressed size for archives)."""
        return self.path.stat().st_size

    @property
    def bytes_read(self) -> int:
        """Bytes of the file on disk consumed so far."""
        return self._counter.count if self._counter is not None else 0

    def __iter__(self) -> Iterator[ReadBatch]:
        source, counter = open_text_stream(self.path)
        hashing = _HashingReader(source) if self.hash_content else None
        stream = source if hashing is None else io.BufferedReader(hashing, buffer_size=1 << 20)
        self._counter = counter
        self.content_sha256 = None
        try:
            for chunk in self._batches(stream):
                columns, lines, raw = chunk[0], chunk[1], chunk[2]
                events, keep, rejects = validate(columns, lines, self.codebook, raw)
                self.rows_read += len(lines)
                if len(chunk) > 3 and chunk[3]:  # rows the reader rejected itself
                    self.rows_read += len(chunk[3])
                    rejects = sorted([*rejects, *chunk[3]], key=reject_order)
                if rejects:
                    if self.on_error == "fail":
                        raise self._reject_error(rejects[0])
                    self.rows_rejected += len(rejects)
                extras = None
                if "magnitude" in columns:
                    extras = pa.RecordBatch.from_arrays(
                        [pc.filter(columns[f.name], keep).cast(f.type) for f in EXTRAS_SCHEMA],
                        schema=EXTRAS_SCHEMA,
                    )
                yield ReadBatch(events, extras, tuple(rejects), self._names(columns, keep, events))
            if hashing is not None:
                if not stream.closed:  # whatever the layout left unread: hashed too
                    while stream.read(1 << 20):
                        pass
                if hashing.at_end:
                    self.content_sha256 = hashing.sha256.hexdigest()
        except UnicodeDecodeError as exc:
            raise ReaderError(
                self.path,
                None,
                None,
                f"not valid UTF-8 text ({exc.reason})",
                hint="re-save the file as UTF-8",
            ) from None
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ReaderError(
                self.path,
                None,
                None,
                f"cannot read the file: {exc}",
                hint="the file may be truncated; download it again",
            ) from None
        finally:
            stream.close()
            source.close()
            counter.close()

    def _names(
        self, columns: dict[str, pa.Array], keep: pa.Array, events: pa.RecordBatch
    ) -> pa.RecordBatch | None:
        """The actor names of the rows kept (``<column>_name`` in ``columns``), if the
        layout gives names."""
        if not self.actor_names:
            return None
        missing = [f"{c}_name" for c in self.actor_names if f"{c}_name" not in columns]
        if missing:
            raise TypeError(
                f"{type(self).__name__} lists actor_names {self.actor_names} but its chunks "
                f"lack the columns {missing}: give each name as '<column>_name'"
            )
        whole = events.num_rows == len(keep)
        arrays = [
            columns[f"{c}_name"] if whole else pc.filter(columns[f"{c}_name"], keep)
            for c in self.actor_names
        ]
        return pa.RecordBatch.from_arrays(arrays, names=list(self.actor_names))

    def _reject_error(self, r: Reject) -> ReaderError:
        """The error ``on_error="fail"`` raises for the reject ``r``."""
        shown = "" if r.value is None else f" (value {r.value!r})"
        return ReaderError(
            self.path,
            r.line,
            r.field,
            f"{r.reason}{shown}",
            hint="fix the row, or pass --on-error skip to ingest the good "
            "rows and write the rejects to a file",
        )

    def read_all(self) -> tuple[pa.Table, list[Reject]]:
        """Read the whole file into one table (small files only) and the rejects.

        A layout that names its actors (ICEWS) leaves their countries null here; for the
        rows an ingest stores, run the resolve step:
        ``trilateral.data.ingest.ResolveActors().read_all(reader)``."""
        return collect(self)


def collect(batches: Iterable[ReadBatch]) -> tuple[pa.Table, list[Reject]]:
    """Batches gathered into one table of events (small files only) and their rejects."""
    tables: list[pa.RecordBatch] = []
    rejects: list[Reject] = []
    for b in batches:
        tables.append(b.events)
        rejects.extend(b.rejects)
    if not tables:
        return EVENT_SCHEMA.empty_table(), rejects
    return pa.Table.from_batches(tables, schema=EVENT_SCHEMA), rejects
