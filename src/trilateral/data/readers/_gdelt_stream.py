"""GDELT streaming: the UTF-8 check on the way into pyarrow (with line numbers), the rows
of the other column count, and the vectorised conversions of numbers and dates.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ReaderError
from ._base import Reject, open_binary
from ._gdelt_layout import _Layout

# -- stream wrapper: UTF-8 check with line numbers -------------------------------------


class _CheckedStream(io.RawIOBase):
    """Passes bytes through to pyarrow, checking UTF-8 on whole lines.

    Invalid UTF-8 raises :class:`ReaderError` with the line number (pyarrow would
    otherwise fail without one). With ``count_lines`` the lines are counted as they pass
    (:attr:`lines_total`, which the quoted layouts need); without, ASCII blocks (almost
    all of a GDELT export) pass without a copy or a count, and :attr:`lines_done` is
    counted only when asked (for an error message) by reading the file again.
    """

    def __init__(self, raw: IO[bytes], path: Path, *, count_lines: bool = True) -> None:
        self._raw = raw
        self._path = path
        self._count = count_lines
        self._carry = b""
        self._checked = 0  # bytes before the carry (all checked)
        self._lines = 0  # complete lines in them (counted, or when last asked)
        self._lines_at = 0  # … as of this many bytes
        self.tail = 0  # 1 when the file ends with a line without its newline

    @property
    def lines_done(self) -> int:
        """Complete lines checked so far."""
        if self._lines_at != self._checked:  # not counted on the way: count now
            self._lines = _newlines_before(self._path, self._checked)
            self._lines_at = self._checked
        return self._lines

    @property
    def lines_total(self) -> int:
        """Physical lines read so far (all of them once the end is reached)."""
        return self.lines_done + self.tail

    def readable(self) -> bool:
        return True

    def _check(self, data: bytes) -> None:
        if data and not data.isascii():
            arr = pa.Array.from_buffers(
                pa.string(), 1,
                [None, pa.py_buffer(np.array([0, len(data)], np.int32)), pa.py_buffer(data)],
            )  # fmt: skip
            try:
                arr.validate(full=True)
            except pa.ArrowInvalid:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line = self.lines_done + data.count(b"\n", 0, exc.start) + 1
                    raise ReaderError(
                        self._path,
                        line,
                        None,
                        f"not valid UTF-8 text ({exc.reason})",
                        hint="re-save the file as UTF-8",
                    ) from None
        if self._count:
            self._lines += data.count(b"\n")
            self._lines_at += len(data)
        self._checked += len(data)

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if not data:
            if self._carry:
                self._check(self._carry)
                self._carry = b""
                self.tail = 1
            return b""
        if not self._count and data.isascii():
            # a multi-byte character never runs into an ASCII byte: the carry is whole
            if self._carry:
                self._check(self._carry)
                self._carry = b""
            self._checked += len(data)
            return data
        buf = self._carry + data
        cut = buf.rfind(b"\n") + 1
        if cut:
            self._check(buf[:cut])
            self._carry = buf[cut:]
        else:
            self._carry = buf
        return data


def _newlines_before(path: Path, offset: int) -> int:
    """Newlines in the first ``offset`` decompressed bytes of ``path`` (error paths)."""
    stream, counter = open_binary(path)
    try:
        n = 0
        while offset > 0:
            chunk = stream.read(min(offset, 1 << 20))
            if not chunk:
                break
            n += chunk.count(b"\n", 0, offset)
            offset -= len(chunk)
        return n
    finally:
        stream.close()
        counter.close()


# -- row bookkeeping -------------------------------------------------------------------


class _Rows:
    """What the invalid-row handler saw: skipped lines, other-shape rows, bad rows.

    The handler runs in the parsing thread, which parses ahead of the batch being
    converted; :attr:`lock` guards the lists it appends to while the converting thread
    takes rows off them (without it a row appended mid-take was lost).
    """

    def __init__(self, layout: _Layout) -> None:
        self.layout = layout
        self.lock = threading.Lock()
        self.skipped: list[int] = []
        self.alt: list[tuple[int, str]] = []
        self.bad: list[Reject] = []
        self.alt_count = len(layout.alt_names) if layout.alt_names else -1
        self.internal: list[BaseException] = []
        self.extra_lines = 0

    def handler(self, row: object) -> str:
        try:
            with self.lock:
                # pyarrow numbers rows, not lines: add the extra lines of earlier rows that
                # ran over several lines (calls come in file order: one parsing thread)
                line = int(row.number) + self.extra_lines  # type: ignore[attr-defined]
                n = int(row.actual_columns)  # type: ignore[attr-defined]
                text = str(row.text)  # type: ignore[attr-defined]
                self.skipped.append(line)
                spans = text.count("\n")
                if spans:  # a quote left open ran over the ends of lines
                    self.skipped.extend(range(line + 1, line + 1 + spans))
                    self.extra_lines += spans
                    shown = text.split("\n", 1)[0]
                    shown = shown if len(shown) <= 200 else shown[:200] + "…"
                    reason = (
                        f"unbalanced quote: the row runs over {spans + 1} lines "
                        f"(expected {self.layout.expected}, found {n})"
                    )
                    self.bad.append(Reject(line, None, shown, reason))
                elif n == self.alt_count:
                    self.alt.append((line, text))
                else:
                    shown = text if len(text) <= 200 else text[:200] + "…"
                    self.bad.append(
                        Reject(line, None, shown, f"expected {self.layout.expected}, found {n}")
                    )
        except BaseException as exc:  # never let anything escape into pyarrow
            self.internal.append(exc)
        return "skip"


def _empty_to_null(arr: pa.Array) -> pa.Array:
    if arr.null_count == len(arr):
        return arr
    empty = pc.equal(pc.binary_length(arr), 0)
    if not pc.any(empty).as_py():
        return arr
    return pc.if_else(empty, pa.scalar(None, arr.type), arr)


def _to_number(arr: pa.Array, typ: pa.DataType, pattern: str) -> pa.Array:
    """Cast text to numbers; a value that does not parse becomes null."""
    try:
        return pc.cast(arr, typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
        if typ == pa.int64():
            ok = pc.and_(ok, pc.less_equal(pc.binary_length(arr), 18))
        clean = pc.if_else(ok, arr, pa.scalar(None, pa.string()))
        try:
            return pc.cast(clean, typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return pa.nulls(len(arr), typ)


_INT = r"^[+-]?[0-9]+$"
_FLOAT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _parse_sqldate(arr: pa.Array) -> pa.Array:
    """``YYYYMMDD`` text → date32, null where it is not a real calendar date."""
    digits = pc.and_(pc.ascii_is_decimal(arr), pc.equal(pc.binary_length(arr), 8))
    ints = _to_number(pc.if_else(digits, arr, pa.scalar(None, pa.string())), pa.int64(), _INT)
    valid = np.asarray(pc.is_valid(ints))
    v = np.asarray(pc.fill_null(ints, 0), dtype=np.int64)
    y, m, d = v // 10_000, (v // 100) % 100, v % 100
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    mm = np.clip(m, 0, 12)
    dim = _DAYS_IN_MONTH[mm] + ((mm == 2) & leap)
    ok = valid & (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= dim)
    # days since 1970-01-01 (H. Hinnant's days_from_civil)
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = (era * 146_097 + doe - 719_468).astype(np.int32)
    return pa.array(days, pa.date32(), mask=~ok)
