"""Reader for the project's own chronicle CSV (``--format chronicle``).

The chronicle is a UTF-8, comma-separated file with the header (exactly)::

    event_id,date,source,target,source_actor,target_actor,cameo,quad_class,goldstein,
    arena,weight,dataset,location,url_or_citation,magnitude,description

(on one line). Quoted fields may contain commas, quotes (doubled) and line breaks.
Every row is checked against the codebook:

* ``date`` must be ``YYYY-MM-DD``; ``source``/``target``/``location`` ISO3 or empty.
* ``quad_class`` must be the codebook's for the CAMEO code (empty → filled in).
* ``goldstein`` must be the code's score in the GDELT or the ICEWS table (they differ on
  016, 022, 164 and 165); the reader writes the score of the codebook you pass, so one
  table governs a store (empty → filled in).
* ``arena`` must be the codebook's arena for the code (empty → filled in). If you pass a
  codebook with your own arena map, your map decides and the column is not checked.
* ``weight`` an integer ≥ 1 (empty → 1); ``dataset`` ``chronicle`` (empty → chronicle).
* ``magnitude`` a number ≥ 0 or empty (people expelled, entities sanctioned).

A disagreeing row is rejected with a reason naming both values. ``magnitude`` and
``description`` go to the extras batch (``event_extras`` in the store).

Examples
--------
>>> from trilateral.data.readers._chronicle import ChronicleReader, shipped_chronicle_path
>>> reader = ChronicleReader(shipped_chronicle_path())  # doctest: +SKIP
>>> table, rejects = reader.read_all()  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar, Literal

import pyarrow as pa

from ...errors import ReaderError
from ..codebook import Codebook
from ._base import DEFAULT_BATCH_ROWS, OnError, Reject, split_csv_header
from ._icews import (
    Chunk,
    _columns,
    _first_line,
    _TextEventReader,
    parse_date,
    parse_float,
    parse_int,
)

__all__ = ["CHRONICLE_COLUMNS", "ChronicleReader", "shipped_chronicle_path"]

CHRONICLE_COLUMNS: tuple[str, ...] = (
    "event_id",
    "date",
    "source",
    "target",
    "source_actor",
    "target_actor",
    "cameo",
    "quad_class",
    "goldstein",
    "arena",
    "weight",
    "dataset",
    "location",
    "url_or_citation",
    "magnitude",
    "description",
)
_HEADER = ",".join(CHRONICLE_COLUMNS)
_ISO3 = re.compile(r"^[A-Z]{3}$")
_SHIPPED_ARENA_MAP = "arena_map.csv (shipped)"
_TABLE_CACHE: dict[str, Codebook] = {}


def shipped_chronicle_path() -> Path:
    """Where the shipped chronicle lives (``trilateral/data/_files/chronicle.csv``).

    The file may be absent in a development checkout; check ``.is_file()``.

    Examples
    --------
    >>> shipped_chronicle_path().name
    'chronicle.csv'
    """
    return Path(str(resources.files("trilateral.data") / "_files" / "chronicle.csv"))


def _table(name: Literal["gdelt", "icews"]) -> Codebook:
    if name not in _TABLE_CACHE:
        _TABLE_CACHE[name] = Codebook.load(name)
    return _TABLE_CACHE[name]


class ChronicleReader(_TextEventReader):
    """The project's chronicle CSV: canonical columns plus ``magnitude, description``.

    Parameters
    ----------
    path : str or Path
    codebook : Codebook, optional
        Defaults to ``Codebook.load()`` (GDELT's Goldstein table, the shipped arena map).
    on_error : {"fail", "skip"}
    batch_rows : int

    Examples
    --------
    >>> r = ChronicleReader("my_chronicle.csv", on_error="skip")  # doctest: +SKIP
    >>> for batch in r:  # doctest: +SKIP
    ...     print(batch.events.num_rows, batch.extras.num_rows, batch.rejects)
    """

    format: ClassVar[str] = "chronicle"
    dataset: ClassVar[str] = "chronicle"

    def __init__(
        self,
        path: str | Path,
        *,
        codebook: Codebook | None = None,
        on_error: OnError = "fail",
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> None:
        super().__init__(path, codebook=codebook, on_error=on_error, batch_rows=batch_rows)
        self.custom_arena_map = self.codebook.arena_map_path != _SHIPPED_ARENA_MAP
        self._date_cache: dict[str, dt.date | None] = {}
        self._other_scores = {
            code: {
                _table("gdelt").rows[code].goldstein if code in _table("gdelt") else None,
                _table("icews").rows[code].goldstein if code in _table("icews") else None,
            }
            for code in self.codebook.rows
        }

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        line = _first_line(head)
        return line is not None and line.strip() == _HEADER

    # -- parsing ---------------------------------------------------------------------
    def _records(self, stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
        lines = self._lines(stream)
        first = next(lines, None)
        if first is None:
            raise ReaderError(self.path, None, None, "file is empty", hint="check the download")
        header = first[1].strip()
        if header != _HEADER:
            got = split_csv_header(self.path, header)
            if set(got) == set(CHRONICLE_COLUMNS):
                what = "a chronicle CSV: the columns are in another order"
            else:
                miss = [c for c in CHRONICLE_COLUMNS if c not in got]
                what = "a chronicle CSV: the header must be exactly " + _HEADER
                if miss and len(miss) < len(CHRONICLE_COLUMNS):
                    what += f" (missing {', '.join(miss)})"
            raise self._wrong_layout(1, what)
        line_no = [1]

        def texts() -> Iterator[str]:
            for n, text in lines:
                line_no[0] = n
                yield text + "\n"

        reader = csv.reader(texts(), strict=True)
        start = 2
        width = len(CHRONICLE_COLUMNS)
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
                    yield start, self._check(start, rec)
            start = line_no[0] + 1

    def _check(self, line: int, rec: list[str]) -> dict[str, Any] | Reject:
        """Typed values of one row, or the first problem with it."""
        v = dict(zip(CHRONICLE_COLUMNS, (f.strip() for f in rec), strict=True))
        out: dict[str, Any] = {k: (v[k] or None) for k in v}

        def bad(field: str, reason: str) -> Reject:
            return Reject(line, field, v[field], reason)

        date = parse_date(v["date"], self._date_cache)
        if date is None:
            return bad("date", "not a valid date (YYYY-MM-DD)")
        out["date"] = date
        for f in ("source", "target", "location"):
            if v[f] and not _ISO3.match(v[f]):
                return bad(f, "not an ISO3 country code (three capital letters)")
        code = v["cameo"]
        row = self.codebook.rows.get(code)
        if row is None:
            return bad("cameo", "unknown CAMEO code (keep leading zeros: 036, not 36)")
        if v["quad_class"]:
            q = parse_int(v["quad_class"])
            if q is None:
                return bad("quad_class", "not an integer")
            if q != row.quad_class:
                return bad(
                    "quad_class",
                    f"quad_class {q} disagrees with the codebook's {row.quad_class} "
                    f"for CAMEO {code}",
                )
        out["quad_class"] = row.quad_class
        if v["goldstein"]:
            g = parse_float(v["goldstein"])
            if g is None:
                return bad("goldstein", "not a number")
            if not any(s is not None and abs(g - s) < 1e-9 for s in self._other_scores[code]):
                return bad(
                    "goldstein",
                    f"goldstein {g:g} disagrees with the codebook's {row.goldstein:g} "
                    f"for CAMEO {code} ({self.codebook.goldstein_table} table)",
                )
        out["goldstein"] = row.goldstein
        if v["arena"] and not self.custom_arena_map and v["arena"] != row.arena:
            return bad(
                "arena",
                f"arena {v['arena']!r} disagrees with the codebook's {row.arena!r} for "
                f"CAMEO {code} (pass a codebook with your own arena map to use other arenas)",
            )
        out["arena"] = row.arena
        if v["weight"]:
            w = parse_int(v["weight"])
            if w is None or w < 1:
                return bad("weight", "weight must be an integer >= 1")
            out["weight"] = w
        else:
            out["weight"] = 1
        if v["dataset"] and v["dataset"] != self.dataset:
            return bad("dataset", f"dataset must be {self.dataset!r} (or empty)")
        out["dataset"] = self.dataset
        if v["magnitude"]:
            m = parse_float(v["magnitude"])
            if m is None or m < 0:
                return bad("magnitude", "magnitude must be a number >= 0 (or empty)")
            out["magnitude"] = m
        return out

    def _convert(self, records: list[Any], lines: list[int]) -> Chunk:
        n = len(records)

        def col(name: str) -> list[Any]:
            return [r[name] for r in records]

        columns = _columns(
            n,
            event_id=col("event_id"),
            date=col("date"),
            source=col("source"),
            target=col("target"),
            source_actor=col("source_actor"),
            target_actor=col("target_actor"),
            cameo=col("cameo"),
            quad_class=col("quad_class"),
            goldstein=col("goldstein"),
            arena=col("arena"),
            weight=col("weight"),
            dataset=self.dataset,
            location=col("location"),
            url_or_citation=col("url_or_citation"),
        )
        columns["magnitude"] = pa.array(col("magnitude"), pa.float64())
        columns["description"] = pa.array(col("description"), pa.string())
        return columns, pa.array(lines, pa.int64()), {}
