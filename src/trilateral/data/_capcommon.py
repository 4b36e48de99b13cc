"""What every capability reader shares (private; see ``capabilities``): the panel schema
and its indicators, the row buffer, number and missing-marker parsing, CSV reading and the
recognition of a file's layout.

Each reader returns a :data:`PANEL_SCHEMA` table: one row per (iso3, year, indicator) with
a value the source actually gives. Missing markers ("...", ". .", "xxx", −9, empty cells)
never become numbers: such cells produce no row.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import ReaderError

__all__ = [
    "INDICATORS",
    "PANEL_SCHEMA",
    "UnmappedCountryWarning",
    "detect_layout",
    "table_schema",
]


def table_schema(spec: str) -> pa.Schema:
    """The Arrow schema of a shipped table from ``"name type, …"`` (Arrow type names); a
    field is required unless its type ends in ``?``.

    Examples
    --------
    >>> table_schema("iso3 string, value float64?")
    iso3: string not null
    value: double
    """
    fields = []
    for item in spec.split(","):
        name, kind = item.split()
        fields.append(pa.field(name, pa.type_for_alias(kind.rstrip("?")), kind.endswith("?")))
    return pa.schema(fields)


PANEL_SCHEMA = table_schema(
    "iso3 string, year int32, indicator string, value float64, unit string, source string"
)

#: Indicator name → unit. The names are a contract with the measure stage.
INDICATORS: dict[str, str] = {
    "gdp_current_usd": "current US$",
    "population": "persons",
    "gdp_per_capita_current_usd": "current US$",
    "milex_current_usd": "current US$",
    "milex_constant_2022_usd": "constant 2022 US$",
    "milex_share_gdp": "fraction of GDP (0-1)",
    "cinc": "share of system total (0-1)",
    "cow_milex": "thousands of current US$",
    "cow_milper": "thousands of personnel",
    "cow_irst": "thousands of tons",
    "cow_pec": "thousands of coal-ton equivalents",
    "cow_tpop": "thousands of persons",
    "cow_upop": "thousands of persons",
}

_WB_CODES: dict[str, str] = {
    "NY.GDP.MKTP.CD": "gdp_current_usd",
    "SP.POP.TOTL": "population",
    "NY.GDP.PCAP.CD": "gdp_per_capita_current_usd",
}

_MISSING_TEXT = frozenset({"", "...", ". .", "..", "xxx", "-", "n/a", "na", "nan"})


class UnmappedCountryWarning(UserWarning):
    """A source names a country the ISO3 tables do not know; its rows were left out."""


@dataclass
class _Rows:
    """Column buffers for a panel table, plus what was left out and why."""

    iso3: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    indicator: list[str] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def add(self, iso3: str, year: int, indicator: str, value: float, source: str) -> None:
        self.iso3.append(iso3)
        self.year.append(year)
        self.indicator.append(indicator)
        self.value.append(value)
        self.unit.append(INDICATORS.get(indicator) or _unit_for(indicator))
        self.source.append(source)

    def to_table(self, path: Path, layout: str) -> pa.Table:
        if self.unmapped:
            names = ", ".join(f"{k!r} ({v} values)" for k, v in sorted(self.unmapped.items()))
            warnings.warn(
                f"{path}: {len(self.unmapped)} countries have no ISO3 code in trilateral's "
                f"tables and were left out: {names}",
                UnmappedCountryWarning,
                stacklevel=3,
            )
        table = pa.table(
            {
                "iso3": self.iso3,
                "year": self.year,
                "indicator": self.indicator,
                "value": self.value,
                "unit": self.unit,
                "source": self.source,
            },
            schema=PANEL_SCHEMA,
        )
        meta = {
            b"trilateral.layout": layout.encode(),
            b"trilateral.path": str(path).encode(),
            b"trilateral.unmapped": json.dumps(self.unmapped, sort_keys=True).encode(),
            b"trilateral.notes": json.dumps(self.notes, sort_keys=True).encode(),
        }
        return table.replace_schema_metadata(meta)


def _unit_for(indicator: str) -> str:
    m = re.fullmatch(r"milex_constant_(\d{4})_usd", indicator)
    if m:
        return f"constant {m.group(1)} US$"
    raise KeyError(indicator)


def _parse_number(text: str) -> float | None:
    """A number, or None for a missing marker; raises ValueError for anything else."""
    t = text.strip()
    if t.lower() in _MISSING_TEXT:
        return None
    v = float(t.replace(",", "")) if re.fullmatch(r"-?[\d,]+(\.\d*)?", t) else float(t)
    if not math.isfinite(v):
        return None
    return v


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReaderError(path, None, None, "file not found") from None
    except OSError as exc:
        raise ReaderError(path, None, None, f"cannot read the file: {exc}") from None
    if not raw.strip():
        raise ReaderError(path, 1, None, "the file is empty", hint="download it again")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReaderError(path, line, None, "not UTF-8 text") from None


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line number, fields) for every non-blank CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    prev = 0
    try:
        for fields in reader:
            start = prev + 1
            prev = reader.line_num
            if not fields or all(not f.strip() for f in fields):
                continue
            yield start, fields
    except csv.Error as exc:
        raise ReaderError(path, reader.line_num, None, f"malformed CSV: {exc}") from None


def _field_count_error(
    path: Path, lineno: int, fields: list[str], header: list[str]
) -> ReaderError:
    """A World Bank row whose field count is not the header's (a truncated file?)."""
    field = (header[len(fields)] or None) if len(fields) < len(header) else None
    return ReaderError(
        path,
        lineno,
        field,
        f"row has {len(fields)} fields, the header has {len(header)} (truncated file?)",
        hint="download the file again",
    )


def detect_layout(path: str | Path) -> str:
    """Which published layout a file is in, from its content.

    Returns one of ``"sipri"``, ``"cow_nmc"``, ``"worldbank_bulk"``,
    ``"worldbank_long"``; raises :class:`ReaderError` otherwise.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ReaderError(p, None, None, f"cannot read the file: {exc}") from None
    if not head.strip():
        raise ReaderError(p, 1, None, "the file is empty", hint="download it again")
    if head.startswith(b"PK\x03\x04"):
        return "sipri"
    text = head.decode("utf-8-sig", errors="replace")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    cols = [c.strip().strip('"').lower() for c in first.split(",")]
    if cols[:2] == ["stateabb", "ccode"]:
        return "cow_nmc"
    if cols and cols[0] == "data source":
        return "worldbank_bulk"
    if "country code" in cols and "year" in cols and "value" in cols:
        return "worldbank_long"
    raise ReaderError(
        p,
        1,
        None,
        f"unrecognised layout (first line: {first[:80]!r})",
        hint="expected the SIPRI Milex workbook (.xlsx), the COW NMC CSV, a World Bank bulk "
        "download (API_….csv) or a long World Bank CSV (Country Name,Country Code,Year,Value)",
    )
