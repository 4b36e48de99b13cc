"""The Correlates of War National Material Capabilities reader (v6.0 layout; private,
see ``capabilities``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from ..errors import ReaderError
from ._capcommon import _csv_rows, _parse_number, _read_text, _Rows
from ._capcountries import _COW_PRECEDENCE, COW_CCODE_TO_ISO3, COW_EXCLUDED

__all__ = ["read_cow_nmc"]


_COW_FIELDS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")


def _header(p: Path, hline: int, fields: list[str]) -> tuple[list[str], dict[str, int]]:
    """The lower-cased header and the column of each field the reader needs."""
    header = [h.strip().lower() for h in fields]
    for need in ("ccode", "year", *_COW_FIELDS):
        if need not in header:
            raise ReaderError(
                p,
                hline,
                need,
                "column missing from the header",
                hint="expected the COW NMC layout: stateabb,ccode,year,milex,…,cinc",
            )
    return header, {h: header.index(h) for h in ("ccode", "year", *_COW_FIELDS)}


def _int(p: Path, lineno: int, name: str, raw: str, what: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ReaderError(p, lineno, name, f"not {what}: {raw!r}") from None


def _values(
    p: Path, lineno: int, fields: list[str], idx: dict[str, int]
) -> Iterator[tuple[str, float]]:
    """(indicator, value) of each field the row gives (−9 and markers: none)."""
    for name in _COW_FIELDS:
        raw = fields[idx[name]]
        try:
            v = _parse_number(raw)
        except ValueError:
            raise ReaderError(p, lineno, name, f"not a number: {raw!r}") from None
        if v is None or v == -9:  # COW's missing-value code
            continue
        if v < 0:
            raise ReaderError(p, lineno, name, f"negative value {raw!r} (only −9 means missing)")
        yield ("cinc" if name == "cinc" else f"cow_{name}"), v


_Pending = dict[tuple[str, int], dict[int, list[tuple[str, float, int]]]]


def _resolve(p: Path, pending: _Pending, rows: _Rows, version: str) -> list[str]:
    """Add each country-year's values, one ccode per ISO3 and year (the precedence rule
    where two apply); returns the overlaps resolved."""
    overlaps: list[str] = []
    for (iso3, year), by_code in pending.items():
        code = next(iter(by_code))
        if len(by_code) > 1:
            order = _COW_PRECEDENCE.get(iso3)
            if order is None or not set(by_code) <= set(order):
                line = min(x[2] for xs in by_code.values() for x in xs)
                raise ReaderError(
                    p, line, "ccode",
                    f"COW codes {sorted(by_code)} both map to {iso3} in {year}",
                    hint="the ccode → ISO3 table needs a precedence rule for this case",
                )  # fmt: skip
            code = next(c for c in order if c in by_code)
            overlaps.append(f"{iso3} {year}: kept ccode {code}")
        for indicator, v, _line in by_code[code]:
            rows.add(iso3, year, indicator, v, f"cow:NMC {version}")
    return overlaps


def read_cow_nmc(path: str | Path) -> pa.Table:
    """Read the Correlates of War National Material Capabilities CSV (v6.0 layout)."""
    p = Path(path)
    it = _csv_rows(p, _read_text(p))
    hline, first = next(it)
    header, idx = _header(p, hline, first)
    i_version = header.index("version") if "version" in header else None
    versions: set[str] = set()
    rows = _Rows()
    excluded: dict[str, int] = {}
    pending: _Pending = {}
    n = 0
    for lineno, fields in it:
        n += 1
        if len(fields) < len(header):
            raise ReaderError(
                p,
                lineno,
                header[len(fields)],
                f"row has {len(fields)} fields, the header has {len(header)} (truncated file?)",
                hint="download the file again",
            )
        ccode = _int(p, lineno, "ccode", fields[idx["ccode"]], "a COW code")
        year = _int(p, lineno, "year", fields[idx["year"]], "a year")
        if i_version is not None:
            versions.add(fields[i_version].strip())
        iso3 = COW_CCODE_TO_ISO3.get(ccode)
        if iso3 is None:
            label = fields[0].strip() or str(ccode)
            left_out = excluded if ccode in COW_EXCLUDED else rows.unmapped
            left_out[label] = left_out.get(label, 0) + 1
            continue
        for indicator, v in _values(p, lineno, fields, idx):
            pending.setdefault((iso3, year), {}).setdefault(ccode, []).append(
                (indicator, v, lineno)
            )
    if n == 0:
        raise ReaderError(p, hline + 1, None, "no data rows after the header")
    rows.notes["overlaps"] = _resolve(p, pending, rows, "6.0")
    rows.notes["excluded"] = excluded
    if versions:
        rows.notes["vintage"] = f"NMC 6.0, version column {', '.join(sorted(versions))}"
    return rows.to_table(p, "cow_nmc")
