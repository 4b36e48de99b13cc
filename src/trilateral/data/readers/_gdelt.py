"""GDELT 1.0 and 2.0 event exports.

Layouts read (all detected from content, plain or zipped/gzipped):

* GDELT 1.0 daily/monthly exports: tab-separated, no header, 57 columns (the layout before
  April 2013) or 58 (with ``SOURCEURL``), both possibly mixed in one file;
* GDELT 1.0 re-exports with a header line (comma-separated, quoted, ``NA`` for missing,
  possibly with extra trailing columns such as ``month``);
* GDELT 2.0 15-minute exports: tab-separated, no header, 61 columns;
* GDELT 2.0 re-exports with a header line (e.g. with an extra ``CAMEOCodeDescription``).

Parsing streams through :func:`pyarrow.csv.open_csv` with one parsing thread (pyarrow
gives the row number of a badly shaped row only then), run in the background so that it
overlaps the conversion of the previous batch; every transformation is a vectorised
Arrow/NumPy kernel. Only rows of the *other* column count (57-column rows in a 58-column
file) and malformed rows pass through Python, and the former are then parsed in bulk.
Invalid UTF-8 is found on the way in (:class:`_CheckedStream`) with its line number.

Mapping to the canonical schema: ``event_id`` = ``"<dataset>:<GLOBALEVENTID>"``; ``date``
from ``SQLDATE``; ``source``/``target`` from ``Actor1CountryCode``/``Actor2CountryCode``
(CAMEO country codes, kept as given); ``source_actor``/``target_actor`` from
``Actor1Name``/``Actor2Name`` (else the actor code); ``cameo`` = ``EventCode`` (a leading
zero lost by a spreadsheet is restored when that makes a known code); ``quad_class``,
``goldstein`` (the file's own value), ``weight`` = ``NumMentions``; ``arena`` from the
codebook; ``location`` = ISO3 of ``ActionGeo_CountryCode`` (FIPS 10-4, through the shipped
``fips_iso3.csv``; unknown codes become null and are counted in
:attr:`GDELTReaderBase.unknown_locations`); ``url_or_citation`` = ``SOURCEURL``.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, ClassVar, Unpack

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from ...errors import ReaderError
from ._base import EventReader, Prefetch, ReaderOptions, Reject, open_binary, read_head

__all__ = [
    "GDELT1_COLUMNS",
    "GDELT1_COLUMNS_57",
    "GDELT2_COLUMNS",
    "GDELT1Reader",
    "GDELT2Reader",
    "fips_to_iso3",
]


def _actor(n: int) -> list[str]:
    return [
        f"Actor{n}{s}"
        for s in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ]


def _geo(prefix: str, adm2: bool) -> list[str]:
    parts = ["Type", "FullName", "CountryCode", "ADM1Code"]
    parts += ["ADM2Code"] if adm2 else []
    parts += ["Lat", "Long", "FeatureID"]
    return [f"{prefix}_{p}" for p in parts]


def _columns(adm2: bool) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
        *_actor(1), *_actor(2),
        "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
        "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
        *_geo("Actor1Geo", adm2), *_geo("Actor2Geo", adm2), *_geo("ActionGeo", adm2),
        "DATEADDED", "SOURCEURL",
    )  # fmt: skip


#: GDELT 1.0 export columns (58, since April 2013).
GDELT1_COLUMNS: tuple[str, ...] = _columns(adm2=False)
#: GDELT 1.0 columns before April 2013 (no ``SOURCEURL``).
GDELT1_COLUMNS_57: tuple[str, ...] = GDELT1_COLUMNS[:-1]
#: GDELT 2.0 export columns (61: ``ADM2Code`` for each of the three geographies).
GDELT2_COLUMNS: tuple[str, ...] = _columns(adm2=True)

#: The columns the readers use (everything else is never converted).
_USED: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor1Name", "Actor1CountryCode",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "EventCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "ActionGeo_CountryCode", "DATEADDED", "SOURCEURL",
)  # fmt: skip
_OPTIONAL = frozenset({"SOURCEURL", "DATEADDED", "Actor1Code", "Actor2Code"})
#: Header spellings seen in re-exports (lower-case) → the published column name.
_ALIASES = {"day": "SQLDATE"}

_HEAD_LINES = 200
# Block size of the CSV parser: a batch is one block (~6,000 GDELT rows at 2 MiB). Peak
# memory grows ~50x the block size (pyarrow's read-ahead over a Python stream); 2 MiB
# measured as fast as 4-16 MiB on a 2-million-row export, at ~290 MB peak RSS.
_MIN_BLOCK = 1 << 16
_MAX_BLOCK = 2 << 20


@lru_cache(maxsize=1)
def _fips_table() -> tuple[pa.Array, pa.Array]:
    text = (resources.files("trilateral.data") / "_files" / "fips_iso3.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return (
        pa.array([r["fips"] for r in rows], pa.string()),
        pa.array([r["iso3"] for r in rows], pa.string()),
    )


def fips_to_iso3(code: str) -> str | None:
    """ISO 3166-1 alpha-3 code for a FIPS 10-4 country code (GDELT's geo fields).

    Examples
    --------
    >>> fips_to_iso3("RS"), fips_to_iso3("CH"), fips_to_iso3("GG"), fips_to_iso3("OS")
    ('RUS', 'CHN', 'GEO', None)
    """
    fips, iso3 = _fips_table()
    idx = pc.index(fips, code).as_py()
    return None if idx < 0 else iso3[idx].as_py()


# -- layout detection ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    dataset: str
    delimiter: str
    quoted: bool
    header: bool
    names: tuple[str, ...]  # column names of the main row shape (unique)
    alt_names: tuple[str, ...] | None  # the other accepted row shape (57 vs 58)
    expected: str  # for messages: "57 or 58 tab-separated fields"
    null_values: tuple[str, ...]


def _head_lines(head: bytes) -> list[tuple[int, str]]:
    """(line number, text) of the first complete lines of ``head`` (blank ones dropped).

    A last line without its newline is left out when there are others: the head may cut
    it, or the file itself may be cut short (that row is reported when read).
    """
    text = head.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1].strip():
        lines = lines[:-1]
    out = []
    for i, line in enumerate(lines[:_HEAD_LINES], start=1):
        line = line.rstrip("\r")
        if line.strip():
            out.append((i, line))
    return out


def _header_names(line: str) -> list[str] | None:
    """The column names if ``line`` is a GDELT header line, else None."""
    delim = "\t" if line.count("\t") > line.count(",") else ","
    try:
        names = next(csv.reader([line], delimiter=delim))
    except (csv.Error, StopIteration):
        return None
    names = [n.strip() for n in names]
    if not names or names[0].upper() != "GLOBALEVENTID":
        return None
    return names


def _canonical_header(names: list[str]) -> dict[str, int]:
    """Published column name → position in a header (case-insensitive, aliases)."""
    known = {c.lower(): c for c in GDELT2_COLUMNS}
    out: dict[str, int] = {}
    for i, n in enumerate(names):
        key = n.lower()
        name = _ALIASES.get(key) or known.get(key)
        if name is not None and name not in out:
            out[name] = i
    return out


def _classify(head: bytes) -> str | None:
    """``"gdelt1"``, ``"gdelt2"`` or None, from the first decompressed bytes."""
    lines = _head_lines(head)
    if not lines:
        return None
    first = lines[0][1]
    names = _header_names(first)
    if names is not None:
        pos = _canonical_header(names)
        if not all(c in pos for c in _USED if c not in _OPTIONAL):
            return None
        return "gdelt2" if "Actor1Geo_ADM2Code" in pos else "gdelt1"
    counts = [line.count("\t") + 1 for _, line in lines[:20]]
    fields = first.split("\t")
    if not (fields[0].isdigit() and len(fields) > 1 and fields[1].isdigit()):
        return None
    if all(c == 61 for c in counts):
        return "gdelt2"
    if all(c in (57, 58) for c in counts):
        return "gdelt1"
    return None


def _layout(path: Path, head: bytes, dataset: str) -> _Layout:
    lines = _head_lines(head)
    if not lines:
        raise ReaderError(path, None, None, "the file holds no rows (only blank lines)")
    lineno, first = lines[0]
    names = _header_names(first)
    if names is not None:
        if lineno != 1:
            raise ReaderError(path, 1, None, "blank lines before the header line")
        pos = _canonical_header(names)
        missing = [c for c in _USED if c not in _OPTIONAL and c not in pos]
        if missing:
            raise ReaderError(
                path,
                1,
                None,
                f"header lacks the GDELT columns {', '.join(missing)}",
                hint="give the export as published, or with GDELT's column names",
            )
        is2 = "Actor1Geo_ADM2Code" in pos
        if is2 != (dataset == "gdelt2"):
            other = "gdelt2" if is2 else "gdelt1"
            raise ReaderError(
                path,
                1,
                None,
                f"the header is that of a GDELT {'2.0' if is2 else '1.0'} export, not {dataset}",
                hint=f"use --format {other} (or auto)",
            )
        delim = "\t" if first.count("\t") > first.count(",") else ","
        # unique names for pyarrow; the published ones keep their spelling
        unique: list[str] = []
        inv = {i: c for c, i in pos.items()}
        for i, name in enumerate(names):
            unique.append(inv.get(i, f"_col{i}_{name}"))
        sep = "tab" if delim == "\t" else "comma"
        return _Layout(
            dataset,
            delim,
            delim == "," or '"' in first,
            True,
            tuple(unique),
            None,
            f"{len(names)} {sep}-separated fields (as in the header)",
            ("", "NA") if '"' in first else ("",),  # R's write.csv: bare NA = missing
        )
    counts = Counter(line.count("\t") + 1 for _, line in lines)
    if dataset == "gdelt1":
        ok = {57: GDELT1_COLUMNS_57, 58: GDELT1_COLUMNS}
        expected = "57 or 58 tab-separated fields"
    else:
        ok = {61: GDELT2_COLUMNS}
        expected = "61 tab-separated fields"
    good = [(c, n) for c, n in counts.most_common() if c in ok]
    if not good:
        n = first.count("\t") + 1
        hint = "check --format"
        guess = _classify(head)
        if guess and guess != dataset:
            hint = f"this looks like a {guess} file: use --format {guess} (or auto)"
        raise ReaderError(
            path, lineno, None, f"expected {expected}, found {n} at line {lineno}", hint=hint
        )
    main = good[0][0]
    alt = [c for c in ok if c != main]
    return _Layout(
        dataset, "\t", False, False, ok[main], ok[alt[0]] if alt else None, expected, ("",)
    )


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


# -- the readers -----------------------------------------------------------------------


class GDELTReaderBase(EventReader):
    """Shared engine of :class:`GDELT1Reader` and :class:`GDELT2Reader`.

    Besides the :class:`EventReader` counters it keeps :attr:`unknown_locations`, the
    ``ActionGeo_CountryCode`` values with no ISO3 code in ``fips_iso3.csv`` (their
    ``location`` is null) and how many rows had each.

    Examples
    --------
    >>> from trilateral.data.readers import read
    >>> reader = read("20191024143000.export.CSV")
    >>> table, rejects = reader.read_all()
    >>> reader.unknown_locations
    Counter({'OS': 1})
    """

    default_goldstein: ClassVar = "gdelt"

    def __init__(self, path: str | Path, **options: Unpack[ReaderOptions]) -> None:
        super().__init__(path, **options)
        #: FIPS code → rows whose ``ActionGeo_CountryCode`` is not in ``fips_iso3.csv``.
        self.unknown_locations: Counter[str] = Counter()
        self._known: pa.Array | None = None
        self._arena_of: pa.Array | None = None

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return _classify(head) == cls.dataset

    # -- conversion ----------------------------------------------------------------
    def _codes(self) -> tuple[pa.Array, pa.Array]:
        if self._known is None or self._arena_of is None:
            codes = sorted(self.codebook.rows)
            self._known = pa.array(codes, pa.string())
            self._arena_of = pa.array([self.codebook.rows[c].arena for c in codes], pa.string())
        return self._known, self._arena_of

    def _convert(
        self, get: dict[str, pa.Array], lines: pa.Array, quoted: bool
    ) -> tuple[dict[str, pa.Array], pa.Array, dict[str, pa.Array], list[Reject]]:
        """Raw text columns of one chunk → canonical columns, lines, raw texts, rejects.

        ``quoted``: the layout quotes values, so a quoted empty value ("") arrived as an
        empty string, not a null (the parser's ``null_values`` leave quoted values
        alone); those become nulls here. Unquoted, the parser made them nulls already.
        """
        n = len(lines)
        null_s = pa.nulls(n, pa.string())

        def col(name: str) -> pa.Array:
            arr = get.get(name)
            if arr is None:
                return null_s
            return _empty_to_null(arr) if quoted else arr

        raw_id = col("GLOBALEVENTID")
        rejects: list[Reject] = []
        drop: pa.Array | None = None
        # blank lines (and rows of empty fields): no event, silently skipped
        if raw_id.null_count:
            blank = pc.is_null(raw_id)
            for name in get:
                blank = pc.and_(blank, pc.is_null(col(name)))
            if pc.any(blank).as_py():
                drop = blank
        id_ok = pc.fill_null(pc.ascii_is_decimal(raw_id), False)
        checks: list[tuple[pa.Array, str, pa.Array, str]] = [
            (pc.invert(id_ok), "event_id", raw_id, "GLOBALEVENTID must be a positive integer"),
        ]
        if "DATEADDED" in get:
            added = col("DATEADDED")
            width = 14 if self.dataset == "gdelt2" else 8
            ok = pc.and_(
                pc.fill_null(pc.ascii_is_decimal(added), False),
                pc.equal(pc.binary_length(added), width),
            )
            checks.append(
                (pc.invert(pc.fill_null(ok, False)), "DATEADDED", added,
                 f"DATEADDED must be {width} digits (is the row cut short?)")
            )  # fmt: skip
        for bad, field, values, reason in checks:
            if drop is not None:
                bad = pc.and_(bad, pc.invert(drop))
            if pc.any(bad).as_py():
                idx = pc.indices_nonzero(bad)
                rejects.extend(
                    Reject(ln, field, v, reason)
                    for ln, v in zip(
                        pc.take(lines, idx).to_pylist(),
                        pc.take(values, idx).to_pylist(),
                        strict=True,
                    )
                )
                drop = bad if drop is None else pc.or_(drop, bad)
        if drop is not None:
            keep = pc.invert(drop)
            get = {k: pc.filter(v, keep) for k, v in get.items()}
            lines = pc.filter(lines, keep)
            n = len(lines)
            null_s = pa.nulls(n, pa.string())
            raw_id = pc.filter(raw_id, keep)

        known, arena_of = self._codes()
        cameo = col("EventCode")
        code = pc.index_in(cameo, value_set=known)  # one hash lookup for both uses
        if code.null_count > cameo.null_count:  # a code that is not in the codebook
            # restore a leading zero lost on the way (e.g. 36 → 036, 211 → 0211)
            padded = pc.binary_join_element_wise(pa.scalar("0"), cameo, "")
            fix = pc.and_(pc.is_null(code), pc.is_in(padded, value_set=known))
            cameo = pc.if_else(fix, padded, cameo)
            code = pc.index_in(cameo, value_set=known)
        arena = pc.take(arena_of, code)

        fips_codes, iso3 = _fips_table()
        fips = col("ActionGeo_CountryCode")
        pos = pc.index_in(fips, value_set=fips_codes)
        location = pc.take(iso3, pos)
        unknown = pc.and_(pc.is_valid(fips), pc.is_null(pos))
        if pc.any(unknown).as_py():
            counts = pc.value_counts(pc.filter(fips, unknown))
            for item in counts.to_pylist():
                self.unknown_locations[item["values"]] += item["counts"]

        raw_date = col("SQLDATE")
        raw_q, raw_g, raw_w = col("QuadClass"), col("GoldsteinScale"), col("NumMentions")
        prefix = pa.scalar(f"{self.dataset}:")
        columns = {
            "event_id": pc.binary_join_element_wise(prefix, raw_id, ""),
            "date": _parse_sqldate(raw_date),
            "source": col("Actor1CountryCode"),
            "target": col("Actor2CountryCode"),
            "source_actor": pc.coalesce(col("Actor1Name"), col("Actor1Code")),
            "target_actor": pc.coalesce(col("Actor2Name"), col("Actor2Code")),
            "cameo": cameo,
            "quad_class": _to_number(raw_q, pa.int64(), _INT),
            "goldstein": _to_number(raw_g, pa.float64(), _FLOAT),
            "arena": arena,
            "weight": _to_number(raw_w, pa.int64(), _INT),
            "dataset": pa.repeat(pa.scalar(self.dataset), n),
            "location": location,
            "url_or_citation": col("SOURCEURL"),
        }
        raw = {
            "date": raw_date, "quad_class": raw_q, "goldstein": raw_g, "weight": raw_w,
            "location": fips, "cameo": col("EventCode"),
        }  # fmt: skip
        return columns, lines, raw, rejects

    # -- reading -------------------------------------------------------------------
    def _block_size(self) -> int:
        return int(min(_MAX_BLOCK, max(_MIN_BLOCK, self.batch_rows * 256)))

    def _options(
        self, layout: _Layout, names: tuple[str, ...], rows: _Rows | None, skip: int
    ) -> tuple[pv.ReadOptions, pv.ParseOptions, pv.ConvertOptions]:
        used = [c for c in _USED if c in names]
        read = pv.ReadOptions(
            column_names=list(names), use_threads=False, block_size=self._block_size(),
            skip_rows=skip,
        )  # fmt: skip
        parse = pv.ParseOptions(
            delimiter=layout.delimiter,
            quote_char='"' if layout.quoted else False,
            double_quote=True,
            newlines_in_values=False,
            ignore_empty_lines=False,
            invalid_row_handler=rows.handler if rows is not None else None,
        )
        convert = pv.ConvertOptions(
            include_columns=used,
            column_types=dict.fromkeys(used, pa.string()),
            null_values=list(layout.null_values),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            # every byte pyarrow gets passed _CheckedStream's UTF-8 check (which names
            # the line); pyarrow's own check of each converted column is redundant
            check_utf8=False,
        )
        return read, parse, convert

    def _parse_alt(
        self, layout: _Layout, alt: list[tuple[int, str]]
    ) -> tuple[dict[str, pa.Array], pa.Array]:
        """Parse the rows of the other accepted shape (57 in a 58-column file) in bulk."""
        assert layout.alt_names is not None
        data = "\n".join(t for _, t in alt).encode("utf-8") + b"\n"
        read, parse, convert = self._options(layout, layout.alt_names, None, 0)
        table = pv.read_csv(io.BytesIO(data), read_options=read, parse_options=parse,
                            convert_options=convert)  # fmt: skip
        get = {name: table.column(name).combine_chunks() for name in table.column_names}
        if table.num_rows != len(alt):  # cannot happen: each text had the right shape
            raise ReaderError(self.path, alt[0][0], None, "could not re-read a row")
        return get, pa.array([ln for ln, _ in alt], pa.int64())

    def _arrow_error(self, exc: Exception, checked: _CheckedStream) -> ReaderError:
        msg = str(exc)
        m = re.search(r"Row #(\d+)", msg)
        line = int(m.group(1)) if m else None
        if "straddling" in msg or "straddles" in msg:
            return ReaderError(
                self.path,
                checked.lines_done + 1,
                None,
                f"a line is longer than {self._block_size()} bytes: not a GDELT row",
                hint="check the file; pass a larger batch_rows if the lines are real",
            )
        return ReaderError(self.path, line, None, f"cannot parse: {msg.splitlines()[0]}")

    def _batches(
        self, stream: IO[bytes]
    ) -> Iterator[tuple[dict[str, pa.Array], pa.Array, dict[str, pa.Array], list[Reject]]]:
        head = read_head(self.path)
        layout = _layout(self.path, head, self.dataset)
        rows = _Rows(layout)
        checked = _CheckedStream(stream, self.path, count_lines=layout.quoted)
        read, parse, convert = self._options(layout, layout.names, rows, int(layout.header))
        # Line numbers: row k of the main shape is on line k + 1 + (lines skipped before
        # it); skipped = the header + rows the handler took. keys[i] = number of main rows
        # before the i-th skipped line, so a main row m has searchsorted(keys, m) of them.
        n_skipped = int(layout.header)
        keys = np.zeros(n_skipped, np.int64)
        passed = 0
        seen = 0
        ordinal = 0
        reader = None
        prefetch: Prefetch[pa.RecordBatch] | None = None
        try:
            try:
                reader = pv.open_csv(
                    checked, read_options=read, parse_options=parse, convert_options=convert
                )
            except pa.ArrowInvalid as exc:
                if "Empty CSV" in str(exc) or "Could not skip" in str(exc):
                    return  # nothing after the header: no events
                raise self._arrow_error(exc, checked) from None
            # pyarrow releases the GIL while it parses: the next batches are parsed in a
            # background thread while the previous one is converted
            prefetch = Prefetch(reader, name="gdelt-csv")
            while True:
                try:
                    batch = next(prefetch, None)
                except pa.ArrowInvalid as exc:
                    raise self._arrow_error(exc, checked) from None
                if rows.internal:
                    raise rows.internal[0]
                with rows.lock:
                    new = rows.skipped[seen:]
                seen += len(new)
                if new:
                    new_keys = (
                        np.sort(np.asarray(new, np.int64))
                        - 1
                        - np.arange(n_skipped, n_skipped + len(new), dtype=np.int64)
                    )
                    n_skipped += len(new)
                    keys = np.concatenate([keys, new_keys])
                if batch is not None:
                    k = batch.num_rows
                    m = np.arange(ordinal, ordinal + k, dtype=np.int64)
                    line_np = m + 1 + passed + np.searchsorted(keys, m, side="right")
                    cut = int(np.searchsorted(keys, ordinal + k - 1, side="right")) if k else 0
                    passed += cut
                    keys = keys[cut:]
                    ordinal += k
                    if k == 0 and not rows.alt and not rows.bad:
                        continue
                    last = int(line_np[-1]) if k else None
                    if layout.quoted and k:
                        self._check_spans(batch, line_np)
                elif layout.quoted and checked.lines_total != ordinal + n_skipped:
                    raise ReaderError(
                        self.path, None, None,
                        "a quoted value runs across lines somewhere in a column the reader "
                        "does not use (an unbalanced quote?), so rows cannot be numbered",
                        hint="check the quoting of the file",
                    )  # fmt: skip
                else:
                    last = None
                yield from self._emit(layout, rows, batch, line_np if batch else None, last)
                if batch is None:
                    return
        finally:
            if prefetch is not None:
                prefetch.close()
            if reader is not None:
                reader.close()

    def _check_spans(self, batch: pa.RecordBatch, line_np: np.ndarray) -> None:
        """A value holding a newline means a quote left open: rows after it would be
        numbered wrong, so stop at it."""
        for name in batch.schema.names:
            has = pc.fill_null(pc.match_substring(batch.column(name), "\n"), False)
            if pc.any(has).as_py():
                i = int(pc.index(has, True).as_py())
                raise ReaderError(
                    self.path, int(line_np[i]), name,
                    "a quoted value runs over the end of the line (an unbalanced quote?)",
                    hint="check the quoting of the file",
                )  # fmt: skip

    def _emit(
        self,
        layout: _Layout,
        rows: _Rows,
        batch: pa.RecordBatch | None,
        line_np: np.ndarray | None,
        last: int | None,
    ) -> Iterator[tuple[dict[str, pa.Array], pa.Array, dict[str, pa.Array], list[Reject]]]:
        """Convert one main batch plus the other-shape and bad rows up to line ``last``."""
        with rows.lock:
            if last is None:
                alt, rows.alt = rows.alt, []
                bad, rows.bad = rows.bad, []
            else:
                alt = [a for a in rows.alt if a[0] <= last]
                rows.alt = rows.alt[len(alt) :]
                bad = [b for b in rows.bad if (b.line or 0) <= last]
                rows.bad = rows.bad[len(bad) :]
        parts = []
        if batch is not None and line_np is not None and batch.num_rows:
            get = {name: batch.column(name) for name in batch.schema.names}
            parts.append(self._convert(get, pa.array(line_np, pa.int64()), layout.quoted))
        if alt:
            get, lines = self._parse_alt(layout, alt)
            parts.append(self._convert(get, lines, layout.quoted))
        if not parts:
            if bad:
                yield self._empty(), pa.array([], pa.int64()), {}, bad
            return
        if len(parts) == 1:
            columns, lines, raw, rejects = parts[0]
        else:
            columns = {k: pa.concat_arrays([p[0][k] for p in parts]) for k in parts[0][0]}
            lines = pa.concat_arrays([p[1] for p in parts])
            raw = {k: pa.concat_arrays([p[2][k] for p in parts]) for k in parts[0][2]}
            rejects = [r for p in parts for r in p[3]]
        yield columns, lines, raw, rejects + bad

    def _empty(self) -> dict[str, pa.Array]:
        from ..schema import EVENT_SCHEMA

        return {f.name: pa.array([], f.type) for f in EVENT_SCHEMA}


class GDELT1Reader(GDELTReaderBase):
    """GDELT 1.0 event exports (57/58 tab-separated columns, or a header re-export).

    Examples
    --------
    >>> from trilateral.data.readers import read
    >>> table, rejects = read("events_20160728_sample.tsv", "gdelt1").read_all()
    >>> table.num_rows, len(rejects)
    (710, 0)
    """

    format: ClassVar[str] = "gdelt1"
    dataset: ClassVar[str] = "gdelt1"


class GDELT2Reader(GDELTReaderBase):
    """GDELT 2.0 event exports (61 tab-separated columns, or a header re-export).

    Examples
    --------
    >>> from trilateral.data.readers import read
    >>> table, rejects = read("20180326044500.export.CSV", "gdelt2").read_all()
    >>> table.num_rows, len(rejects)
    (1540, 0)
    """

    format: ClassVar[str] = "gdelt2"
    dataset: ClassVar[str] = "gdelt2"
