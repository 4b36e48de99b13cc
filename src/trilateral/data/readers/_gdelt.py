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

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, ClassVar, Unpack

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from ...errors import ReaderError
from ._base import EventReader, Prefetch, ReaderOptions, Reject, read_head
from ._gdelt_layout import (
    _MAX_BLOCK,
    _MIN_BLOCK,
    _USED,
    GDELT1_COLUMNS,
    GDELT1_COLUMNS_57,
    GDELT2_COLUMNS,
    _classify,
    _fips_table,
    _Layout,
    _layout,
    fips_to_iso3,
)
from ._gdelt_stream import (
    _FLOAT,
    _INT,
    _CheckedStream,
    _empty_to_null,
    _parse_sqldate,
    _Rows,
    _to_number,
)

__all__ = [
    "GDELT1_COLUMNS",
    "GDELT1_COLUMNS_57",
    "GDELT2_COLUMNS",
    "GDELT1Reader",
    "GDELT2Reader",
    "fips_to_iso3",
]


# -- the readers -----------------------------------------------------------------------


def _getter(get: dict[str, pa.Array], quoted: bool, n: int) -> Callable[[str], pa.Array]:
    """``col(name)``: a raw text column of the chunk (all nulls when the layout lacks it;
    a quoted empty value as a null)."""
    null_s = pa.nulls(n, pa.string())

    def col(name: str) -> pa.Array:
        arr = get.get(name)
        if arr is None:
            return null_s
        return _empty_to_null(arr) if quoted else arr

    return col


class _LineNumbers:
    """Line numbers of the main shape's rows, batch by batch.

    Row k of the main shape is on line k + 1 + (lines skipped before it); skipped = the
    header + rows the handler took. keys[i] = number of main rows before the i-th skipped
    line, so a main row m has searchsorted(keys, m) of them.
    """

    __slots__ = ("keys", "n_skipped", "ordinal", "passed", "seen")

    def __init__(self, header: bool) -> None:
        self.n_skipped = int(header)
        self.keys = np.zeros(self.n_skipped, np.int64)
        self.passed = 0  # skipped lines before every row already numbered
        self.seen = 0  # of rows.skipped
        self.ordinal = 0  # main rows numbered so far

    def take_skipped(self, rows: _Rows) -> None:
        """Add the lines the handler took aside since the last call."""
        with rows.lock:
            new = rows.skipped[self.seen :]
        self.seen += len(new)
        if new:
            new_keys = (
                np.sort(np.asarray(new, np.int64))
                - 1
                - np.arange(self.n_skipped, self.n_skipped + len(new), dtype=np.int64)
            )
            self.n_skipped += len(new)
            self.keys = np.concatenate([self.keys, new_keys])

    def number(self, k: int) -> np.ndarray:
        """The line numbers of the next ``k`` main rows."""
        m = np.arange(self.ordinal, self.ordinal + k, dtype=np.int64)
        line_np = m + 1 + self.passed + np.searchsorted(self.keys, m, side="right")
        cut = int(np.searchsorted(self.keys, self.ordinal + k - 1, side="right")) if k else 0
        self.passed += cut
        self.keys = self.keys[cut:]
        self.ordinal += k
        return line_np


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
        col = _getter(get, quoted, len(lines))
        drop, rejects = self._checks(get, col, lines)
        if drop is not None:
            keep = pc.invert(drop)
            get = {k: pc.filter(v, keep) for k, v in get.items()}
            lines = pc.filter(lines, keep)
            col = _getter(get, quoted, len(lines))
        cameo, arena = self._cameo_arena(col("EventCode"))
        fips = col("ActionGeo_CountryCode")
        raw_date = col("SQLDATE")
        raw_q, raw_g, raw_w = col("QuadClass"), col("GoldsteinScale"), col("NumMentions")
        prefix = pa.scalar(f"{self.dataset}:")
        columns = {
            "event_id": pc.binary_join_element_wise(prefix, col("GLOBALEVENTID"), ""),
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
            "dataset": pa.repeat(pa.scalar(self.dataset), len(lines)),
            "location": self._locations(fips),
            "url_or_citation": col("SOURCEURL"),
        }
        raw = {
            "date": raw_date, "quad_class": raw_q, "goldstein": raw_g, "weight": raw_w,
            "location": fips, "cameo": col("EventCode"),
        }  # fmt: skip
        return columns, lines, raw, rejects

    def _checks(
        self, get: dict[str, pa.Array], col: Callable[[str], pa.Array], lines: pa.Array
    ) -> tuple[pa.Array | None, list[Reject]]:
        """The rows to drop (blank ones, silently; bad ids or DATEADDED, as rejects)."""
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
        return drop, rejects

    def _cameo_arena(self, cameo: pa.Array) -> tuple[pa.Array, pa.Array]:
        """The CAMEO codes (a lost leading zero restored) and their arenas."""
        known, arena_of = self._codes()
        code = pc.index_in(cameo, value_set=known)  # one hash lookup for both uses
        if code.null_count > cameo.null_count:  # a code that is not in the codebook
            # restore a leading zero lost on the way (e.g. 36 → 036, 211 → 0211)
            padded = pc.binary_join_element_wise(pa.scalar("0"), cameo, "")
            fix = pc.and_(pc.is_null(code), pc.is_in(padded, value_set=known))
            cameo = pc.if_else(fix, padded, cameo)
            code = pc.index_in(cameo, value_set=known)
        return cameo, pc.take(arena_of, code)

    def _locations(self, fips: pa.Array) -> pa.Array:
        """ISO3 of the FIPS codes; unknown codes become null and are counted."""
        fips_codes, iso3 = _fips_table()
        pos = pc.index_in(fips, value_set=fips_codes)
        unknown = pc.and_(pc.is_valid(fips), pc.is_null(pos))
        if pc.any(unknown).as_py():
            counts = pc.value_counts(pc.filter(fips, unknown))
            for item in counts.to_pylist():
                self.unknown_locations[item["values"]] += item["counts"]
        return pc.take(iso3, pos)

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
        nums = _LineNumbers(layout.header)
        reader = None
        prefetch: Prefetch[pa.RecordBatch] | None = None
        try:
            reader = self._open_csv(checked, read, parse, convert)
            if reader is None:
                return  # nothing after the header: no events
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
                nums.take_skipped(rows)
                if batch is not None:
                    k = batch.num_rows
                    line_np = nums.number(k)
                    if k == 0 and not rows.alt and not rows.bad:
                        continue
                    last = int(line_np[-1]) if k else None
                    if layout.quoted and k:
                        self._check_spans(batch, line_np)
                elif layout.quoted and checked.lines_total != nums.ordinal + nums.n_skipped:
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

    def _open_csv(
        self,
        checked: _CheckedStream,
        read: pv.ReadOptions,
        parse: pv.ParseOptions,
        convert: pv.ConvertOptions,
    ) -> pv.CSVStreamingReader | None:
        """pyarrow's streaming CSV reader over ``checked``; None when no row follows the header."""
        try:
            return pv.open_csv(
                checked, read_options=read, parse_options=parse, convert_options=convert
            )
        except pa.ArrowInvalid as exc:
            if "Empty CSV" in str(exc) or "Could not skip" in str(exc):
                return None
            raise self._arrow_error(exc, checked) from None

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
