"""The SIPRI Military Expenditure Database reader (the ``.xlsx`` workbook as published;
private, see ``capabilities``)."""

from __future__ import annotations

import math
import re
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import ReaderError
from ._capcommon import _MISSING_TEXT, _Rows
from ._capcountries import SIPRI_EXCLUDED, SIPRI_NAME_TO_ISO3

__all__ = ["read_sipri"]


_SIPRI_SHEETS: tuple[tuple[str, str, float], ...] = (
    # (sheet-name pattern, indicator, multiplier to the panel's unit)
    (r"Current US\$", "milex_current_usd", 1e6),
    (r"Constant \((\d{4})\) US\$", "milex_constant_{base}_usd", 1e6),
    (r"Share of GDP", "milex_share_gdp", 1.0),
)


def _col_letter(col: int) -> str:
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def _sipri_sheet(
    path: Path, title: str, cells: Iterable[tuple[Any, ...]]
) -> tuple[dict[tuple[str, int], tuple[float, int, int]], dict[str, int], list[str]]:
    """{(name, year): (value, row, col)}, {unmapped name: n}, names seen, for one sheet."""
    out: dict[tuple[str, int], tuple[float, int, int]] = {}
    header: dict[int, int] | None = None
    names: list[str] = []
    for r, row in enumerate(cells, start=1):
        if header is None:
            if row and isinstance(row[0], str) and row[0].strip() == "Country":
                header = {}
                for j, h in enumerate(row):
                    if isinstance(h, int | float) and not isinstance(h, bool) and 1900 < h < 2200:
                        header[j] = int(h)
                    elif isinstance(h, str) and re.fullmatch(r"\d{4}", h.strip()):
                        header[j] = int(h)
                if not header:
                    raise ReaderError(path, r, f"{title}!A{r}", "no year columns in the header row")
            continue
        if not row or not isinstance(row[0], str) or not row[0].strip():
            continue
        name = row[0].strip()
        cells_y = [(j, y) for j, y in header.items() if j < len(row) and row[j] is not None]
        if not cells_y:
            continue  # a region or sub-region heading
        names.append(name)
        for j, y in cells_y:
            v = row[j]
            if isinstance(v, str):
                if v.strip().lower() in _MISSING_TEXT:
                    continue
                try:
                    num = float(v.strip())
                except ValueError:
                    raise ReaderError(
                        path,
                        r,
                        f"{title}!{_col_letter(j + 1)}{r}",
                        f"{name} {y}: not a number or a SIPRI marker: {v!r}",
                    ) from None
            elif isinstance(v, int | float) and not isinstance(v, bool):
                num = float(v)
            else:
                raise ReaderError(
                    path, r, f"{title}!{_col_letter(j + 1)}{r}", f"{name} {y}: unexpected {v!r}"
                )
            if math.isfinite(num):
                out[(name, y)] = (num, r, j + 1)
    if header is None:
        raise ReaderError(
            path, None, title, "no header row starting with 'Country'",
            hint="is this the SIPRI Milex workbook as published?",
        )  # fmt: skip
    return out, {}, names


def read_sipri(path: str | Path) -> pa.Table:
    """Read the SIPRI Military Expenditure Database workbook (``.xlsx`` as published)."""
    import openpyxl

    p = Path(path)
    if not p.exists():
        raise ReaderError(p, None, None, "file not found")
    if p.stat().st_size == 0:
        raise ReaderError(p, 1, None, "the file is empty", hint="download it again")
    with p.open("rb") as fh:  # we own the handle, so it is closed even on errors
        return _read_sipri_handle(p, fh, openpyxl)


_Cells = dict[tuple[str, int], tuple[float, int, int]]


def _open_workbook(p: Path, fh: Any, openpyxl: Any) -> Any:
    try:
        with warnings.catch_warnings():
            # The published workbook has no default style; openpyxl says so on every load.
            warnings.filterwarnings(
                "ignore", message="Workbook contains no default style", category=UserWarning
            )
            return openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReaderError(
            p, None, None, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
            hint="the download may be truncated; fetch the SIPRI workbook again",
        ) from None  # fmt: skip


def _read_sheets(p: Path, wb: Any) -> tuple[dict[str, tuple[str, _Cells]], str | None]:
    """{indicator: (sheet title, cells)} of the three sheets, and the release's vintage."""
    sheets: dict[str, tuple[str, _Cells]] = {}
    vintage: str | None = None
    titles = list(wb.sheetnames)
    for pattern, indicator, _mult in _SIPRI_SHEETS:
        match = [(t, m) for t in titles if (m := re.fullmatch(pattern, t.strip()))]
        if not match:
            raise ReaderError(
                p, None, pattern.replace("\\", ""), "sheet missing from the workbook",
                hint=f"sheets found: {', '.join(titles)}",
            )  # fmt: skip
        title, m = match[0]
        ind = indicator.format(base=m.group(1)) if m.groups() else indicator
        try:
            if ind == "milex_current_usd":
                first = next(wb[title].iter_rows(max_row=1, values_only=True), (None,))
                span = re.search(r"(1\d{3}|2\d{3})\s*-\s*(\d{4})", str(first[0] or ""))
                vintage = f"{span.group(1)}-{span.group(2)} release" if span else None
            data, _, _names = _sipri_sheet(p, title, wb[title].iter_rows(values_only=True))
        except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
            raise ReaderError(
                p, None, title, f"cannot read the sheet ({type(exc).__name__}: {exc})",
                hint="the download may be truncated; fetch the SIPRI workbook again",
            ) from None  # fmt: skip
        sheets[ind] = (title, data)
    return sheets, vintage


def _read_sipri_handle(p: Path, fh: Any, openpyxl: Any) -> pa.Table:
    wb = _open_workbook(p, fh, openpyxl)
    try:
        sheets, vintage = _read_sheets(p, wb)
    finally:
        wb.close()
    rows = _Rows()
    const_ind = next(k for k in sheets if k.startswith("milex_constant_"))
    const = sheets[const_ind][1]
    current = sheets["milex_current_usd"][1]
    placeholders: dict[str, int] = {}
    excluded: dict[str, int] = {}
    mult = {"milex_current_usd": 1e6, const_ind: 1e6, "milex_share_gdp": 1.0}
    for ind, (title, data) in sheets.items():
        seen: dict[tuple[str, int], str] = {}
        for (name, year), (v, r, c) in sorted(data.items(), key=lambda kv: (kv[1][1], kv[1][2])):
            if name in SIPRI_EXCLUDED:
                excluded[name] = excluded.get(name, 0) + 1
                continue
            iso3 = SIPRI_NAME_TO_ISO3.get(name)
            if iso3 is None:
                rows.unmapped[name] = rows.unmapped.get(name, 0) + 1
                continue
            if v == 0.0:
                # The Current US$ sheet holds 0 where no exchange rate applies (Russia
                # 1987–1992, the GDR, North Korea…). A zero is real only when the
                # constant-price sheet says 0 too (Costa Rica, Iceland, Panama).
                other = const if ind != const_ind else current
                if other.get((name, year), (None,))[0] != 0.0:
                    key = f"{title}:{name}"
                    placeholders[key] = placeholders.get(key, 0) + 1
                    continue
            if (iso3, year) in seen:
                raise ReaderError(
                    p, r, f"{title}!{_col_letter(c)}{r}",
                    f"{name} and {seen[(iso3, year)]} both give {iso3} {year}",
                    hint="the ISO3 name table maps two rows to one country; report this",
                )  # fmt: skip
            seen[(iso3, year)] = name
            src = f"sipri:{title}" + (f" ({name})" if name == "USSR" else "")
            rows.add(iso3, year, ind, v * mult[ind], src)
    rows.notes["vintage"] = vintage
    rows.notes["zero_placeholders_dropped"] = placeholders
    rows.notes["excluded"] = excluded
    return rows.to_table(p, "sipri")
