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
>>> reader = ChronicleReader(shipped_chronicle_path())
>>> table, rejects = reader.read_all()
>>> table.num_rows, len(rejects)
(435, 0)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, Unpack

import pyarrow as pa

from ..codebook import Codebook
from ._base import ReaderOptions, Reject, split_csv_header
from ._text import (
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
    >>> r = ChronicleReader(shipped_chronicle_path(), on_error="skip")
    >>> for batch in r:
    ...     print(batch.events.num_rows, batch.extras.num_rows, batch.rejects)
    435 435 ()
    """

    format: ClassVar[str] = "chronicle"
    dataset: ClassVar[str] = "chronicle"

    def __init__(self, path: str | Path, **options: Unpack[ReaderOptions]) -> None:
        super().__init__(path, **options)
        self.custom_arena_map = self.codebook.arena_map_path != _SHIPPED_ARENA_MAP
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
        header = self._header_line(lines).strip()
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
        for line, rec in self._csv_records(lines, len(CHRONICLE_COLUMNS)):
            yield line, rec if isinstance(rec, Reject) else self._check(line, rec)

    def _check(self, line: int, rec: list[str]) -> dict[str, Any] | Reject:
        """Typed values of one row, or the first problem with it."""
        v = dict(zip(CHRONICLE_COLUMNS, (f.strip() for f in rec), strict=True))
        out: dict[str, Any] = {k: (v[k] or None) for k in v}
        date = parse_date(v["date"], self._date_cache)
        if date is None:
            return Reject(line, "date", v["date"], "not a valid date (YYYY-MM-DD)")
        out["date"] = date
        for f in ("source", "target", "location"):
            if v[f] and not _ISO3.match(v[f]):
                return Reject(line, f, v[f], "not an ISO3 country code (three capital letters)")
        row = self.codebook.rows.get(v["cameo"])
        if row is None:
            return Reject(
                line, "cameo", v["cameo"], "unknown CAMEO code (keep leading zeros: 036, not 36)"
            )
        problem = self._check_codes(line, v, row)
        if problem is None:
            problem = self._check_amounts(line, v, out)
        if problem is not None:
            return problem
        out["quad_class"] = row.quad_class
        out["goldstein"] = row.goldstein
        out["arena"] = row.arena
        return out

    def _check_codes(self, line: int, v: dict[str, str], row: Any) -> Reject | None:
        """The first given quad class, Goldstein score or arena that the codebook's
        ``row`` for the CAMEO code contradicts."""

        def disagrees(field: str, given: object, expected: object, note: str = "") -> Reject:
            return Reject(
                line,
                field,
                v[field],
                f"{field} {given} disagrees with the codebook's {expected} "
                f"for CAMEO {v['cameo']}{note}",
            )

        if v["quad_class"]:
            q = parse_int(v["quad_class"])
            if q is None:
                return Reject(line, "quad_class", v["quad_class"], "not an integer")
            if q != row.quad_class:
                return disagrees("quad_class", q, row.quad_class)
        if v["goldstein"]:
            g = parse_float(v["goldstein"])
            if g is None:
                return Reject(line, "goldstein", v["goldstein"], "not a number")
            if not any(s is not None and abs(g - s) < 1e-9 for s in self._other_scores[v["cameo"]]):
                return disagrees(
                    "goldstein",
                    f"{g:g}",
                    f"{row.goldstein:g}",
                    f" ({self.codebook.goldstein_table} table)",
                )
        if v["arena"] and not self.custom_arena_map and v["arena"] != row.arena:
            return disagrees(
                "arena",
                repr(v["arena"]),
                repr(row.arena),
                " (pass a codebook with your own arena map to use other arenas)",
            )
        return None

    def _check_amounts(self, line: int, v: dict[str, str], out: dict[str, Any]) -> Reject | None:
        """Check and type the weight, dataset and magnitude into ``out``; the first problem."""
        if v["weight"]:
            w = parse_int(v["weight"])
            if w is None or w < 1:
                return Reject(line, "weight", v["weight"], "weight must be an integer >= 1")
            out["weight"] = w
        else:
            out["weight"] = 1
        if v["dataset"] and v["dataset"] != self.dataset:
            return Reject(
                line, "dataset", v["dataset"], f"dataset must be {self.dataset!r} (or empty)"
            )
        out["dataset"] = self.dataset
        if v["magnitude"]:
            m = parse_float(v["magnitude"])
            if m is None or m < 0:
                return Reject(
                    line, "magnitude", v["magnitude"], "magnitude must be a number >= 0 (or empty)"
                )
            out["magnitude"] = m
        return None

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
