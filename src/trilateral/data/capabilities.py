"""The capability panel: GDP, population, military expenditure and COW's CINC.

One tidy long table, :data:`PANEL_SCHEMA` — ``iso3, year, indicator, value, unit,
source`` — built from the sources in their published layouts:

============================== ===================================== ======================
indicator                      source                                unit
============================== ===================================== ======================
``gdp_current_usd``            World Bank WDI NY.GDP.MKTP.CD         current US$
``population``                 World Bank WDI SP.POP.TOTL            persons
``gdp_per_capita_current_usd`` WDI NY.GDP.PCAP.CD (bulk download);   current US$
                               years it lacks: GDP / population,
                               source ``derived:…``
``milex_current_usd``          SIPRI, sheet "Current US$" (US$ m×1e6) current US$
``milex_constant_2022_usd``    SIPRI, "Constant (2022) US$"          constant 2022 US$
``milex_share_gdp``            SIPRI, "Share of GDP"                 fraction of GDP (0–1)
``cinc``                       COW NMC 6.0                           share of system (0–1)
``cow_milex`` …``cow_upop``    COW NMC 6.0 components                COW's units
============================== ===================================== ======================

A missing value is a missing row, never a zero. The shipped panel
(``_files/capabilities.csv``) holds the five permanent members of the UN Security Council
(USA, RUS, CHN, GBR, FRA) to keep it small; provenance and licences are in
``_files/CAPABILITIES.md``. Rebuild it from newer downloads with :func:`refresh_panel`
(or ``trilateral capabilities refresh``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError
from . import _provenance
from ._capreaders import (
    INDICATORS,
    PANEL_SCHEMA,
    UnmappedCountryWarning,
    detect_layout,
)
from ._capreaders import read_cow_nmc as _read_cow_nmc
from ._capreaders import read_sipri as _read_sipri
from ._capreaders import read_worldbank as _read_worldbank

__all__ = [
    "INDICATORS",
    "PANEL_COUNTRIES",
    "PANEL_SCHEMA",
    "UnmappedCountryWarning",
    "build_panel",
    "load_panel",
    "panel_provenance",
    "read_capabilities",
    "read_cow_nmc",
    "read_sipri",
    "read_worldbank",
    "refresh_panel",
]

#: Countries in the shipped panel: the five permanent members of the UN Security Council.
PANEL_COUNTRIES: tuple[str, ...] = ("USA", "RUS", "CHN", "GBR", "FRA")

_PANEL_FILE = "capabilities.csv"

#: What each source family is, who owns it and on what terms (kept from SOURCES.md).
SOURCE_INFO: dict[str, dict[str, str]] = {
    "worldbank": {
        "source": "World Bank, World Development Indicators (NY.GDP.MKTP.CD, "
        "SP.POP.TOTL, NY.GDP.PCAP.CD)",
        "licence": "CC BY 4.0 (the long-form datahub repackagings: ODC-PDDL)",
        "url": "https://data.worldbank.org/",
    },
    "sipri": {
        "source": "SIPRI Military Expenditure Database 1949–2023",
        "licence": "© SIPRI 2023; free for non-commercial use with attribution",
        "url": "https://www.sipri.org/databases/milex",
    },
    "cow": {
        "source": "Correlates of War, National Material Capabilities v6.0 (Singer, "
        "Bremer & Stuckey 1972; Greig & Enterline 2021)",
        "licence": "free for research use; cite Singer, Bremer & Stuckey (1972) and the "
        "NMC v6.0 codebook",
        "url": "https://correlatesofwar.org/data-sets/national-material-capabilities/",
    },
}

_FAMILY = {
    "sipri": "sipri",
    "cow_nmc": "cow",
    "worldbank_bulk": "worldbank",
    "worldbank_long": "worldbank",
}


# --------------------------------------------------------------------------- readers
def read_sipri(path: str | Path) -> pa.Table:
    """Read the SIPRI Military Expenditure Database workbook as published.

    Sheets "Current US$" (US$ m, converted to US$), "Constant (2022) US$" (likewise; a
    newer workbook's base year names the indicator, e.g. ``milex_constant_2023_usd``)
    and "Share of GDP" (a fraction, 0–1). Markers "...", ". ." and "xxx" give no row.
    SIPRI's "Current US$" sheet holds 0 where no exchange rate applies (Russia 1987–1992,
    the GDR, North Korea…): a 0 is kept only when the constant-price sheet also gives
    0 (Costa Rica, Iceland, Panama have no armed forces); the dropped cells are counted
    in the schema metadata (``trilateral.notes``). The USSR row becomes RUS.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook.

    Returns
    -------
    pyarrow.Table
        :data:`PANEL_SCHEMA` rows.

    Raises
    ------
    ReaderError
        Not a workbook, a sheet missing, or a cell that is neither a number nor a marker
        (the error names the sheet, row and cell).

    Examples
    --------
    >>> t = read_sipri("SIPRI-Milex-data-1949-2023.xlsx")  # doctest: +SKIP
    >>> t.filter(pc.field("iso3") == "RUS").num_rows  # doctest: +SKIP
    100
    """
    return _read_sipri(path)


def read_worldbank(path: str | Path, indicator: str | None = None) -> pa.Table:
    """Read a World Bank WDI CSV, bulk or long layout (detected from the content).

    The bulk layout (``API_<code>_DS2_…csv``) has four lines before its header and one
    column a year; the indicator comes from its ``Indicator Code`` column. The long
    layout (``Country Name,Country Code,Year,Value``) names no indicator: it is taken
    from ``indicator`` or, failing that, the file name (``gdp``/``pop``/a WDI code).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    indicator : str, optional
        ``"gdp_current_usd"``, ``"population"`` or ``"gdp_per_capita_current_usd"``,
        for a long file whose name does not tell.

    Returns
    -------
    pyarrow.Table
        :data:`PANEL_SCHEMA` rows; World Bank aggregates (``WLD``, ``EUU``…) included.

    Examples
    --------
    >>> t = read_worldbank("gdp_current_usd_datahub.csv")  # doctest: +SKIP
    >>> t.column("indicator")[0].as_py()  # doctest: +SKIP
    'gdp_current_usd'
    """
    return _read_worldbank(path, indicator)


def read_cow_nmc(path: str | Path) -> pa.Table:
    """Read the Correlates of War National Material Capabilities CSV (v6.0).

    ``cinc`` and the components ``cow_milex`` (thousands of current US$), ``cow_milper``
    (thousands), ``cow_irst`` (thousands of tons), ``cow_pec`` (thousands of coal-ton
    equivalents), ``cow_tpop`` and ``cow_upop`` (thousands). ``−9`` gives no row.
    ccode → ISO3 through a shipped table (365, Russia with the USSR, → RUS).

    Examples
    --------
    >>> t = read_cow_nmc("NMC-60-abridged.csv")  # doctest: +SKIP
    >>> sorted(set(t.column("indicator").to_pylist()))[:2]  # doctest: +SKIP
    ['cinc', 'cow_irst']
    """
    return _read_cow_nmc(path)


def read_capabilities(path: str | Path) -> pa.Table:
    """Read any capability source, recognising its layout from the content.

    Examples
    --------
    >>> read_capabilities("NMC-60-abridged.csv").schema == PANEL_SCHEMA  # doctest: +SKIP
    True
    """
    layout = detect_layout(path)
    if layout == "sipri":
        return _read_sipri(path)
    if layout == "cow_nmc":
        return _read_cow_nmc(path)
    return _read_worldbank(path)


# --------------------------------------------------------------------------- panel
def _normalise_countries(countries: Iterable[str] | None) -> tuple[str, ...] | None:
    if countries is None:
        return None
    out = tuple(c.strip().upper() for c in countries if c.strip())
    return out or None


def _derive_per_capita(table: pa.Table) -> pa.Table:
    """GDP / population for country-years the per-capita source does not give."""
    rows = table.to_pylist()
    have = {(r["iso3"], r["year"]) for r in rows if r["indicator"] == "gdp_per_capita_current_usd"}
    gdp = {(r["iso3"], r["year"]): r["value"] for r in rows if r["indicator"] == "gdp_current_usd"}
    pop = {(r["iso3"], r["year"]): r["value"] for r in rows if r["indicator"] == "population"}
    extra = [
        {
            "iso3": k[0],
            "year": k[1],
            "indicator": "gdp_per_capita_current_usd",
            "value": g / pop[k],
            "unit": INDICATORS["gdp_per_capita_current_usd"],
            "source": "derived:NY.GDP.MKTP.CD/SP.POP.TOTL",
        }
        for k, g in gdp.items()
        if k in pop and pop[k] > 0 and k not in have
    ]
    if not extra:
        return table
    return pa.concat_tables([table, pa.Table.from_pylist(extra, schema=PANEL_SCHEMA)])


def _sort(table: pa.Table) -> pa.Table:
    return table.sort_by([("iso3", "ascending"), ("indicator", "ascending"), ("year", "ascending")])


def build_panel(paths: Iterable[str | Path], countries: Iterable[str] | None = None) -> pa.Table:
    """Build the capability panel from source files in their published layouts.

    Each file's layout is recognised from its content. ``gdp_per_capita_current_usd``
    holds what the World Bank file gives; for country-years it does not give (after 2017
    for the 2018 vintage) and where both GDP and population are present, it is GDP /
    population with source ``derived:NY.GDP.MKTP.CD/SP.POP.TOTL``.

    Parameters
    ----------
    paths : iterable of str or Path
        Source files (any order).
    countries : iterable of str, optional
        ISO3 codes to keep; all by default.

    Returns
    -------
    pyarrow.Table
        :data:`PANEL_SCHEMA`, sorted by iso3, indicator, year.

    Raises
    ------
    ReaderError
        A file could not be read.
    DataError
        No files, or two files give the same country, year and indicator.

    Examples
    --------
    >>> panel = build_panel(["NMC-60-abridged.csv"], countries=["USA"])  # doctest: +SKIP
    >>> panel.column_names  # doctest: +SKIP
    ['iso3', 'year', 'indicator', 'value', 'unit', 'source']
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise DataError("no source files given", hint="pass the SIPRI, World Bank and COW files")
    tables = [read_capabilities(p).replace_schema_metadata(None) for p in paths]
    table = pa.concat_tables(tables)
    keep = _normalise_countries(countries)
    if keep is not None:
        table = table.filter(pc.is_in(table["iso3"], pa.array(keep)))
    # One value per country, year and indicator: two files giving the same cell is an error.
    counts = table.group_by(["iso3", "year", "indicator"]).aggregate([([], "count_all")])
    dup = counts.filter(pc.greater(counts["count_all"], 1))
    if dup.num_rows:
        first = dup.slice(0, 1).to_pylist()[0]
        raise DataError(
            f"more than one value for {first['iso3']} {first['year']} {first['indicator']}",
            hint="pass each source once (one file per indicator)",
        )
    return _sort(_derive_per_capita(table)).cast(PANEL_SCHEMA)


def load_panel(countries: Iterable[str] | None = None) -> pa.Table:
    """The capability panel shipped with the package.

    Parameters
    ----------
    countries : iterable of str, optional
        ISO3 codes; all shipped countries (:data:`PANEL_COUNTRIES`) by default.

    Raises
    ------
    DataError
        A requested country is not in the shipped panel.

    Examples
    --------
    >>> panel = load_panel(["USA", "RUS"])
    >>> sorted(set(panel.column("iso3").to_pylist()))
    ['RUS', 'USA']
    >>> row = panel.filter(
    ...     (pc.field("iso3") == "RUS") & (pc.field("year") == 2015)
    ...     & (pc.field("indicator") == "milex_current_usd")
    ... ).to_pylist()[0]
    >>> round(row["value"] / 1e9, 1)
    66.4
    """
    table = _provenance.read_shipped_csv(_PANEL_FILE, PANEL_SCHEMA)
    keep = _normalise_countries(countries)
    if keep is None:
        return table
    missing = sorted(set(keep) - set(table["iso3"].to_pylist()))
    if missing:
        raise DataError(
            f"not in the shipped capability panel: {', '.join(missing)}",
            hint=f"it holds {', '.join(PANEL_COUNTRIES)}; for others run "
            "`trilateral capabilities refresh` on the source files, or build_panel()",
        )
    return table.filter(pc.is_in(table["iso3"], pa.array(keep)))


# --------------------------------------------------------------------------- provenance
def _input_record(path: Path, table: pa.Table) -> dict[str, Any]:
    layout = detect_layout(path)
    fam = _FAMILY[layout]
    meta = table.schema.metadata or {}
    notes = meta.get(b"trilateral.notes", b"{}").decode()
    vintage = json.loads(notes).get("vintage")
    return {
        "family": fam,
        "file": path.name,
        "layout": layout,
        "sha256": _provenance.sha256(path),
        "taken": _provenance.file_date(path),
        "vintage": vintage,
        "indicators": sorted(set(table["indicator"].to_pylist())),
        **SOURCE_INFO[fam],
    }


def panel_provenance() -> dict[str, Any]:
    """Where the shipped panel comes from: per source file, licence, date and SHA-256.

    Returns
    -------
    dict
        ``dataset`` (file name), ``sha256`` (of the shipped CSV, computed now),
        ``rows``, ``countries``, ``built`` (date), and ``sources``: one entry per input
        file with ``family``, ``source``, ``licence``, ``url``, ``file``, ``layout``,
        ``sha256``, ``taken`` (the file's date), ``vintage`` (as the file states it,
        when it does) and ``indicators``.

    Examples
    --------
    >>> prov = panel_provenance()
    >>> sorted({s["family"] for s in prov["sources"]})
    ['cow', 'sipri', 'worldbank']
    """
    return _provenance.shipped_provenance("capabilities", _PANEL_FILE)


def refresh_panel(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    countries: Iterable[str] | None = PANEL_COUNTRIES,
) -> dict[str, Any]:
    """Rebuild the panel from (newer) downloads and write it atomically.

    The CSV is written to a temporary file next to ``out`` and moved into place with
    :func:`os.replace`, so a failure leaves the old file untouched. Provenance goes to
    the front matter of ``_files/CAPABILITIES.md`` when ``out`` is the shipped file, else
    to ``<out>.provenance.yaml``.

    Parameters
    ----------
    paths : sequence of str or Path
        The source files (SIPRI workbook, World Bank CSVs, COW NMC CSV).
    out : str or Path, optional
        Where to write; the shipped ``capabilities.csv`` by default.
    countries : iterable of str or None
        Countries to keep (default :data:`PANEL_COUNTRIES`; None keeps all).

    Returns
    -------
    dict
        ``out``, ``rows``, ``countries``, ``indicators`` and the provenance written.

    Examples
    --------
    >>> refresh_panel(["SIPRI-Milex-data-1949-2024.xlsx", "NMC-60-abridged.csv",
    ...                "gdp_current_usd_datahub.csv", "population_datahub.csv"],
    ...               out="panel.csv")  # doctest: +SKIP
    """
    src = [Path(p) for p in paths]
    target = Path(out) if out is not None else _provenance.shipped_path(_PANEL_FILE)
    panel = build_panel(src, countries=countries)
    if panel.num_rows == 0:
        raise DataError(
            "the rebuilt panel is empty: none of the requested countries is in the files",
            hint="check --countries and the files given",
        )
    records = [_input_record(p, read_capabilities(p)) for p in src]
    prov = {
        "built": dt.date.today().isoformat(),
        "rows": panel.num_rows,
        "countries": sorted(set(panel["iso3"].to_pylist())),
        "missing_values": "absent rows; markers '...', '. .', 'xxx', -9 and empty cells "
        "are never zero",
        "per_capita": "NY.GDP.PCAP.CD where the World Bank file gives it, else "
        "NY.GDP.MKTP.CD / SP.POP.TOTL (source 'derived:…')",
        "sources": records,
    }
    _provenance.write_with_provenance(
        target, _provenance.csv_bytes(panel), "capabilities", prov, shipped=out is None
    )
    return {
        "out": str(target),
        "rows": panel.num_rows,
        "countries": prov["countries"],
        "indicators": sorted(set(panel["indicator"].to_pylist())),
        "provenance": prov,
    }
