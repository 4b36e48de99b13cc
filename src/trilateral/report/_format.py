"""Numbers as a reader reads them: with their unit, a sensible precision, thousands
separators, "billion"/"trillion" for large amounts, "—" for a missing value; never a
Python ``None``, dict or list literal. Used by the report's and the dashboard's claims
tables (:func:`claim_display`)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["claim_display", "number", "value_text"]

_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
#: At most this many items of a list are written out.
MAX_ITEMS = 12
MINUS = "\N{MINUS SIGN}"


def number(x: float, *, year: bool = False) -> str:
    """``x`` to about 3-4 significant digits, large amounts in words.

    Examples
    --------
    >>> [number(v) for v in (19612102000000.0, 682491400000.0, 10743.096592, 66.421822)]
    ['19.61 trillion', '682.5 billion', '10,743', '66.4']
    >>> [number(v) for v in (0.345455, -0.003528, 0.0, 98, -2.238305)]
    ['0.345', '−0.00353', '0', '98', '−2.24']
    >>> number(2013, year=True), number(float("nan"))
    ('2013', '—')
    """
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float) and not math.isfinite(x):
        return "—"
    if year and float(x).is_integer():
        return str(int(x)).replace("-", MINUS)
    a = abs(x)
    for scale, word in _SCALES:
        if a >= scale:
            text = f"{x / scale:.4g} {word}"
            break
    else:
        if isinstance(x, int) or a >= 1000:
            text = f"{x:,.0f}"
        elif a == 0:
            text = "0"
        elif a >= 100:
            text = f"{x:.4g}"
        else:
            text = f"{x:.3g}"
    return text.replace("-", MINUS)


def _is_year_key(key: str) -> bool:
    return key.isdigit() and len(key) == 4


def value_text(value: Any, *, key: str = "", money: bool = False, year: bool = False) -> str:
    """Any plain value of a claim (number, string, list, mapping, missing) as text.

    ``money``: amounts of a million or more are US dollars (the capability panel's);
    ``year``: whole numbers are years (no thousands separator), as are those of a key
    ``year`` or ``…_year_…``.

    Examples
    --------
    >>> value_text(None), value_text(True), value_text([1, 3, 3])
    ('—', 'yes', '1, 3, 3')
    >>> value_text([-0.009856, 0.002799], key="conf_int")
    '[−0.00986, 0.0028]'
    >>> value_text({"verdict": "supported", "measured": 4, "rows_left_out": 40})
    'verdict supported; measured 4; rows left out 40'
    >>> value_text(1574199360089.0022, money=True)
    'US$ 1.574 trillion'
    >>> value_text("2018-03-26 161 (None) → 2018-03-27 161 (None)")
    '2018-03-26 161 → 2018-03-27 161'
    """
    if value is None:
        return "—"
    if isinstance(value, str):
        return value.replace(" (None)", "").replace("None", "—")
    if isinstance(value, bool | int | float):
        text = number(value, year=year or key == "year" or "year" in key.split("_"))
        return f"US$ {text}" if money and abs(value) >= 1e6 else text
    if isinstance(value, dict):
        return "; ".join(
            f"{k.replace('_', ' ')} {value_text(v, key=k, money=money, year=year)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if "conf_int" in key or "interval" in key:
            ends = [f"{v:.3g}".replace("-", MINUS) if v is not None else "—" for v in value]
            return "[" + ", ".join(ends) + "]"
        if not value:
            return "—"
        items = [value_text(v, key=key, money=money, year=year) for v in value[:MAX_ITEMS]]
        more = f" … ({len(value)} in all)" if len(value) > MAX_ITEMS else ""
        return ", ".join(items) + more
    return str(value)


#: Units up to this long follow the number; longer ones (descriptions) go in brackets.
SHORT_UNIT = 16


def _with_unit(text: str, unit: str) -> str:
    """``text`` (a number or an expectation) with ``unit``: ``US$ 19.6 trillion``,
    ``8.03 %``, ``0.345 (share of … answered in kind)``; a year stands alone."""
    if not unit or unit == "year" or text == "—":
        return text
    if unit.startswith("US$"):
        return f"US$ {text}{unit[3:]}"
    if len(unit) > SHORT_UNIT:
        return f"{text} ({unit})"
    return f"{text} {unit}"


def claim_display(row: dict[str, Any]) -> dict[str, Any]:
    """The display texts of one claims row (:func:`~trilateral.report.claims_rows`):
    ``measured_text``, ``expected_text``, ``figures_text`` (pairs of label and text),
    ``bases_text`` (triples of base, verdict and measured text) and ``window_text``.

    Examples
    --------
    >>> row = {"measured": 19.612102, "expected": "19.7 ± 0.444", "unit": "US$ trillion",
    ...        "indicator": "panel_value", "window": ["2017-01-01", "2017-12-31"],
    ...        "figures": {"raw": 19612102000000.0, "data_source": "worldbank"},
    ...        "by_base": {}}
    >>> d = claim_display(row)
    >>> d["measured_text"], d["expected_text"], d["figures_text"]
    ('US$ 19.6 trillion', 'US$ 19.7 ± 0.444 trillion', [('raw', 'US$ 19.61 trillion'), ('data source', 'worldbank')])
    """
    unit = row.get("unit") or ""
    if isinstance(row.get("measured"), str):  # a label (a regime): the unit says nothing
        unit = ""
    money = str(row.get("indicator", "")).startswith("panel")
    year = unit.split(" ")[0] == "year"
    bases = [
        (base, b.get("verdict", "—"), _with_unit(value_text(b.get("measured"), year=year), unit))
        for base, b in (row.get("by_base") or {}).items()
    ]
    return {
        "measured_text": _with_unit(value_text(row.get("measured"), year=year), unit),
        "expected_text": _with_unit(str(row.get("expected", "—")), unit),
        "figures_text": [
            (k.replace("_", " "), value_text(v, key=k, money=money, year=year))
            for k, v in (row.get("figures") or {}).items()
        ],
        "bases_text": bases,
        "window_text": " … ".join(row.get("window") or ()),
    }
