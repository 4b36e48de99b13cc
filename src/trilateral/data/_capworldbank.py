"""The World Bank WDI reader, bulk (``API_…csv``) and long layouts (private; see
``capabilities``)."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from ..errors import ReaderError
from ._capcommon import (
    _WB_CODES,
    _csv_rows,
    _field_count_error,
    _parse_number,
    _read_text,
    _Rows,
    detect_layout,
)

__all__ = ["read_worldbank"]


def _wb_indicator_from_name(path: Path) -> str | None:
    name = path.name.lower()
    for code, ind in _WB_CODES.items():
        if code.lower() in name:
            return ind
    if "pcap" in name or "per_capita" in name or "percapita" in name:
        return "gdp_per_capita_current_usd"
    if "gdp" in name:
        return "gdp_current_usd"
    if "pop" in name:
        return "population"
    return None


def read_worldbank(path: str | Path, indicator: str | None = None) -> pa.Table:
    """Read a World Bank WDI file, bulk (``API_…csv``) or long (Country Code, Year, Value)."""
    p = Path(path)
    layout = detect_layout(p)
    text = _read_text(p)
    if layout == "worldbank_bulk":
        return _read_wb_bulk(p, text)
    if layout == "worldbank_long":
        return _read_wb_long(p, text, indicator)
    raise ReaderError(p, 1, None, f"not a World Bank file (looks like {layout})")


def _read_wb_bulk(path: Path, text: str) -> pa.Table:
    rows = _Rows()
    header: list[str] | None = None
    header_line = 0
    for lineno, fields in _csv_rows(path, text):
        if header is None:
            if fields[0].strip() == "Last Updated Date" and len(fields) > 1:
                rows.notes["vintage"] = f"WDI, last updated {fields[1].strip()}"
            if fields[0].strip() == "Country Name":
                header, header_line = [f.strip() for f in fields], lineno
                for need in ("Country Code", "Indicator Code"):
                    if need not in header:
                        raise ReaderError(path, lineno, need, "column missing from the header")
                years = {i: int(h) for i, h in enumerate(header) if re.fullmatch(r"\d{4}", h)}
                if not years:
                    raise ReaderError(path, lineno, None, "no year columns in the header")
                i_code = header.index("Country Code")
                i_ind = header.index("Indicator Code")
            elif lineno > 10:
                break
            continue
        if len(fields) < len(header):
            raise _field_count_error(path, lineno, fields, header)
        code = fields[i_ind].strip()
        indicator = _WB_CODES.get(code)
        if indicator is None:
            raise ReaderError(
                path,
                lineno,
                "Indicator Code",
                f"indicator {code!r} is not one the panel holds",
                hint=f"the panel reads {', '.join(sorted(_WB_CODES))}",
            )
        iso3 = fields[i_code].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{3}", iso3):
            raise ReaderError(path, lineno, "Country Code", f"not an ISO3 code: {iso3!r}")
        for i, year in years.items():
            try:
                v = _parse_number(fields[i])
            except ValueError:
                raise ReaderError(path, lineno, header[i], f"not a number: {fields[i]!r}") from None
            if v is not None:
                rows.add(iso3, year, indicator, v, f"worldbank:{code}")
    if header is None:
        raise ReaderError(
            path,
            1,
            None,
            "no 'Country Name' header line in the first 10 lines",
            hint="is this a World Bank bulk download (API_….csv)?",
        )
    if not rows.iso3 and header_line:
        raise ReaderError(path, header_line + 1, None, "no data rows after the header")
    return rows.to_table(path, "worldbank_bulk")


def _read_wb_long(path: Path, text: str, indicator: str | None) -> pa.Table:
    rows = _Rows()
    it = _csv_rows(path, text)
    hline, header = next(it)
    header = [h.strip() for h in header]
    i_code = header.index("Country Code")
    i_year = header.index("Year")
    i_val = header.index("Value")
    i_ind = header.index("Indicator Code") if "Indicator Code" in header else None
    if i_ind is None:
        indicator = indicator or _wb_indicator_from_name(path)
        if indicator is None:
            raise ReaderError(
                path,
                hline,
                None,
                "a long World Bank file without an 'Indicator Code' column: cannot tell "
                "which indicator it holds",
                hint="keep 'gdp', 'pop' or the WDI code (e.g. SP.POP.TOTL) in the file name, "
                "or pass indicator=",
            )
        if indicator not in _WB_CODES.values():
            raise ReaderError(path, None, None, f"unknown indicator {indicator!r}")
    code_of = {v: k for k, v in _WB_CODES.items()}
    n = 0
    for lineno, fields in it:
        n += 1
        if len(fields) != len(header):
            raise _field_count_error(path, lineno, fields, header)
        ind = indicator
        if i_ind is not None:
            ind = _WB_CODES.get(fields[i_ind].strip())
            if ind is None:
                raise ReaderError(
                    path, lineno, "Indicator Code", f"unknown indicator {fields[i_ind]!r}"
                )
        assert ind is not None
        iso3 = fields[i_code].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{3}", iso3):
            raise ReaderError(path, lineno, "Country Code", f"not an ISO3 code: {iso3!r}")
        try:
            year = int(fields[i_year])
        except ValueError:
            raise ReaderError(path, lineno, "Year", f"not a year: {fields[i_year]!r}") from None
        try:
            v = _parse_number(fields[i_val])
        except ValueError:
            raise ReaderError(path, lineno, "Value", f"not a number: {fields[i_val]!r}") from None
        if v is not None:
            rows.add(iso3, year, ind, v, f"worldbank:{code_of[ind]}")
    if n == 0:
        raise ReaderError(path, hline + 1, None, "no data rows after the header")
    return rows.to_table(path, "worldbank_long")
