"""Line-oriented text layouts: the engine the ICEWS, ICEWS-TKG and chronicle readers share
(chunked reading with physical line numbers, CSV/TSV headers, typed-value parsing with
small caches).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zlib
from abc import abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar, Unpack

import pyarrow as pa

from ...errors import ReaderError
from ._base import (
    Columns,
    EventReader,
    ReadBatch,
    ReaderOptions,
    Reject,
    suggest_layout,
)

__all__ = ["Chunk", "parse_date", "parse_float", "parse_int"]

_MAX_LINE = 1 << 20
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "None", "NULL", "null"})
_CACHE_MAX = 100_000

#: What :meth:`_TextEventReader._convert` returns: ``(columns, lines, raw)``.
Chunk = tuple[Columns, pa.Array, Columns]
_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------
# shared helpers (also used by the chronicle reader)
# ---------------------------------------------------------------------------------------
def _cached(cache: dict[str, _T], key: str, compute: Callable[[str], _T]) -> _T:
    """``compute(key)``, memoised in ``cache`` (which stops growing at 100,000 keys)."""
    try:
        return cache[key]
    except KeyError:
        value = compute(key)
        if len(cache) < _CACHE_MAX:
            cache[key] = value
        return value


def _strict_date(text: str) -> dt.date | None:
    if _DATE_RE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def parse_date(text: str, cache: dict[str, dt.date | None]) -> dt.date | None:
    """A strict ``YYYY-MM-DD`` date, or None (memoised in ``cache``)."""
    return _cached(cache, text, _strict_date)


def parse_float(text: str) -> float | None:
    """A finite decimal number, or None."""
    if not _NUM_RE.match(text):
        return None
    return float(text)


def parse_int(text: str) -> int | None:
    """An integer (``"3"``, also ``"3.0"`` as spreadsheets write it), or None."""
    if _INT_RE.match(text):
        return int(text)
    f = parse_float(text)
    if f is not None and f.is_integer() and abs(f) < 2**62:
        return int(f)
    return None


def _clean(text: str) -> str | None:
    text = text.strip()
    return None if text in _MISSING else text


class _TextEventReader(EventReader):
    """Line-oriented reading shared by the ICEWS and chronicle readers.

    Subclasses implement :meth:`_records` (yield ``(line, fields)`` per record, or
    ``(line, Reject)`` for a malformed one) and :meth:`_convert` (a chunk of records →
    canonical columns). This class adds exact line numbers, strict UTF-8 decoding with
    the line at fault, bounded line length, and rejects for rows that do not parse at
    all (wrong number of fields), merged into each :class:`ReadBatch`.
    """

    def __init__(self, path: str | Path, **options: Unpack[ReaderOptions]) -> None:
        super().__init__(path, **options)
        if self.batch_rows < 1:
            raise ValueError("batch_rows must be >= 1")
        self._pending: list[Reject] = []
        self._last_line_complete = True
        self._n_lines = 0
        self._date_cache: dict[str, dt.date | None] = {}
        cb = self.codebook
        codes = sorted(cb.rows)
        self._cb_index = {c: i for i, c in enumerate(codes)}
        self._cb_gold = [cb.rows[c].goldstein for c in codes]
        self._cb_quad = [cb.rows[c].quad_class for c in codes]
        self._cb_arena = [cb.rows[c].arena for c in codes]

    # -- line iteration ----------------------------------------------------------------
    def _lines(self, stream: IO[bytes]) -> Iterator[tuple[int, str]]:
        """``(line number, text without the line break)`` for each physical line."""
        n = 0
        while True:
            try:
                raw = stream.readline(_MAX_LINE + 1)
            except zlib.error as exc:
                raise self._decompress_error(exc, n + 1 if n else None) from None
            if not raw:
                self._n_lines = n
                return
            n += 1
            complete = raw.endswith(b"\n")
            if len(raw) > _MAX_LINE and not complete:
                raise ReaderError(
                    self.path,
                    n,
                    None,
                    "line longer than 1 MiB: not a text event file",
                    hint="give the export file itself (plain, .zip or .gz)",
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReaderError(
                    self.path,
                    n,
                    None,
                    f"not valid UTF-8 text ({exc.reason} at byte {exc.start} of the line)",
                    hint="re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                ) from None
            if "\x00" in text:
                raise ReaderError(
                    self.path,
                    n,
                    None,
                    "binary content (NUL byte): not a text export",
                    hint="give the export file itself (plain, .zip or .gz)",
                )
            if n == 1 and text.startswith("\ufeff"):
                text = text[1:]
            self._last_line_complete = complete
            yield n, text.rstrip("\r\n")

    def _decompress_error(self, exc: zlib.error, line: int | None) -> ReaderError:
        return ReaderError(
            self.path,
            line,
            None,
            f"cannot decompress: {exc}",
            hint="the archive is damaged; download it again",
        )

    def _header_line(self, lines: Iterator[tuple[int, str]]) -> str:
        """The text of the first line (the header), or a ReaderError for an empty file."""
        first = next(lines, None)
        if first is None:
            raise ReaderError(self.path, None, None, "file is empty", hint="check the download")
        return first[1]

    def _csv_records(
        self, lines: Iterator[tuple[int, str]], width: int
    ) -> Iterator[tuple[int, list[str] | Reject]]:
        """``(line, fields)`` for each CSV record after the header, with the line it starts
        on (quoted fields may span lines); ``(line, Reject)`` when it does not have
        ``width`` fields. Blank records are skipped."""
        line_no = [1]

        def texts() -> Iterator[str]:
            for n, text in lines:
                line_no[0] = n
                yield text + "\n"

        reader = csv.reader(texts(), strict=True)
        start = 2
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ReaderError(
                    self.path,
                    start,
                    None,
                    f"malformed CSV: {exc}",
                    hint="a quoted field is probably not closed; check the line",
                ) from None
            if rec and any(f.strip() for f in rec):
                if len(rec) != width:
                    yield (
                        start,
                        self._field_count_reject(start, len(rec), width, "comma-separated fields"),
                    )
                else:
                    yield start, rec
            start = line_no[0] + 1

    def _field_count_reject(self, line: int, found: int, expected: int, what: str) -> Reject:
        reason = f"expected {expected} {what}, found {found}"
        if not self._last_line_complete:
            reason += " (the last line is incomplete: the file looks truncated)"
        return Reject(line, None, None, reason)

    def _wrong_layout(self, line: int, what: str) -> ReaderError:
        return ReaderError(
            self.path,
            line,
            None,
            f"not {what}",
            hint=suggest_layout(self.path, self.format),
        )

    # -- chunking ----------------------------------------------------------------------
    @abstractmethod
    def _records(self, stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
        """Yield ``(line, record)`` or ``(line, Reject)``."""

    @abstractmethod
    def _convert(self, records: list[Any], lines: list[int]) -> Chunk:
        """Canonical columns, line numbers and raw texts for a chunk of records."""

    def _reset(self) -> None:
        """Reset per-read counters (called when iteration starts)."""
        self._pending = []

    def _batches(
        self, stream: IO[bytes]
    ) -> Iterator[tuple[Columns, pa.Array, Columns, list[Reject]]]:
        """Chunks of converted records, each with the rejects :meth:`_records` yielded
        since the previous chunk (``on_error="skip"``; ``"fail"`` raises at the first)."""
        self._reset()
        records: list[Any] = []
        lines: list[int] = []
        for line, rec in self._records(stream):
            if isinstance(rec, Reject):
                if self.on_error == "fail":
                    if records:  # earlier rows first, so the first bad line is reported
                        yield self._chunk(records, lines)
                    raise self._reject_error(rec)
                self._pending.append(rec)
                continue
            records.append(rec)
            lines.append(line)
            if len(records) >= self.batch_rows:
                yield self._chunk(records, lines)
                records, lines = [], []
        if records or self._pending:
            yield self._chunk(records, lines)

    def _chunk(
        self, records: list[Any], lines: list[int]
    ) -> tuple[Columns, pa.Array, Columns, list[Reject]]:
        pending, self._pending = self._pending, []
        return (*self._convert(records, lines), pending)

    def __iter__(self) -> Iterator[ReadBatch]:
        try:
            yield from super().__iter__()
        except zlib.error as exc:
            raise self._decompress_error(exc, None) from None

    # -- codebook lookups --------------------------------------------------------------
    def _lookup(
        self, codes: list[str | None]
    ) -> tuple[list[float | None], list[int | None], list[str | None]]:
        gold: list[float | None] = []
        quad: list[int | None] = []
        arena: list[str | None] = []
        idx = self._cb_index
        for c in codes:
            i = idx.get(c) if c is not None else None
            if i is None:
                gold.append(None)
                quad.append(None)
                arena.append(None)
            else:
                gold.append(self._cb_gold[i])
                quad.append(self._cb_quad[i])
                arena.append(self._cb_arena[i])
        return gold, quad, arena


def _columns(
    n: int,
    *,
    event_id: list[str | None],
    date: list[dt.date | None],
    source: list[str | None],
    target: list[str | None],
    source_actor: list[str | None],
    target_actor: list[str | None],
    cameo: list[str | None],
    quad_class: list[int | None],
    goldstein: list[float | None],
    arena: list[str | None],
    weight: list[int | None] | int,
    dataset: str,
    location: list[str | None] | None,
    url_or_citation: list[str | None] | str | None,
) -> Columns:
    def s(v: list[str | None]) -> pa.Array:
        return pa.array(v, pa.string())

    return {
        "event_id": s(event_id),
        "date": pa.array(date, pa.date32()),
        "source": s(source),
        "target": s(target),
        "source_actor": s(source_actor),
        "target_actor": s(target_actor),
        "cameo": s(cameo),
        "quad_class": pa.array(quad_class, pa.int8()),
        "goldstein": pa.array(goldstein, pa.float64()),
        "arena": s(arena),
        "weight": pa.array([weight] * n if isinstance(weight, int) else weight, pa.int64()),
        "dataset": s([dataset] * n),
        "location": s([None] * n if location is None else location),
        "url_or_citation": s(
            url_or_citation if isinstance(url_or_citation, list) else [url_or_citation] * n
        ),
    }


def _first_line(head: bytes) -> str | None:
    text = head.split(b"\n", 1)[0].rstrip(b"\r")
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return None
