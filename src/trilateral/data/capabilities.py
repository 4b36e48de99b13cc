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
``_files/CAPABILITIES.md``. The shipped files are never written: :func:`refresh_panel`
(``trilateral capabilities refresh``) builds a *user panel* from newer downloads, in the
user data folder (:func:`user_panel_path`) unless told where. :func:`load_panel` merges
it with the shipped panel: each series (country × indicator) the user panel holds
replaces the shipped one, every other shipped series stays. The table it returns names
the panel it came from (:func:`panel_label`), and so do the claims, ``measure`` and the
report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._yaml import load_yaml
from ..config import user_data_dir
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
    "describe_panel",
    "load_panel",
    "panel_label",
    "panel_provenance",
    "read_capabilities",
    "read_cow_nmc",
    "read_sipri",
    "read_worldbank",
    "refresh_panel",
    "user_panel_path",
]

#: Countries in the shipped panel: the five permanent members of the UN Security Council.
PANEL_COUNTRIES: tuple[str, ...] = ("USA", "RUS", "CHN", "GBR", "FRA")

_PANEL_FILE = "capabilities.csv"

#: Schema metadata key of a loaded panel: which panel it is (see :func:`panel_label`).
_LABEL_KEY = b"trilateral.panel"

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
    >>> t = read_sipri("SIPRI-Milex-data-1949-2023.xlsx")
    >>> t.filter(pc.field("iso3") == "RUS").num_rows
    102
    >>> rus = t.filter((pc.field("iso3") == "RUS") & (pc.field("year") == 2015)
    ...              & (pc.field("indicator") == "milex_current_usd"))
    >>> round(rus["value"][0].as_py() / 1e9, 1)  # the paper's $66.4 bn
    66.4
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
    >>> t = read_worldbank("gdp_current_usd_datahub.csv")
    >>> t.column("indicator")[0].as_py()
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
    >>> t = read_cow_nmc("NMC-60-abridged.csv")
    >>> sorted(set(t.column("indicator").to_pylist()))[:2]
    ['cinc', 'cow_irst']
    """
    return _read_cow_nmc(path)


def read_capabilities(path: str | Path) -> pa.Table:
    """Read any capability source, recognising its layout from the content.

    Examples
    --------
    >>> read_capabilities("NMC-60-abridged.csv").schema == PANEL_SCHEMA
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
    >>> panel = build_panel(["NMC-60-abridged.csv"], countries=["USA"])
    >>> panel.column_names
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


def user_panel_path() -> Path:
    """Where ``trilateral capabilities refresh`` writes the user panel by default.

    ``capabilities.csv`` in :func:`trilateral.config.user_data_dir` (``$TRILATERAL_DATA_DIR``
    or the platform's user data folder), never inside the installed package.

    Examples
    --------
    >>> user_panel_path().name
    'capabilities.csv'
    """
    return user_data_dir() / _PANEL_FILE


def _user_panel(user: bool | str | Path) -> Path | None:
    """The user panel to merge: the default one when it exists, a given one (must exist)."""
    if user is False:
        return None
    if user is True:
        path = user_panel_path()
        return path if path.is_file() else None
    path = Path(user)
    if not path.is_file():
        raise DataError(
            f"no capability panel at {path}",
            hint="build one with `trilateral capabilities refresh FILE... --out PATH`",
        )
    return path


def _read_panel_csv(path: Path) -> pa.Table:
    """A panel CSV written by :func:`refresh_panel` (a clear error for anything else)."""
    convert = pacsv.ConvertOptions(
        column_types={f.name: f.type for f in PANEL_SCHEMA}, strings_can_be_null=False
    )
    try:
        table = pacsv.read_csv(path, convert_options=convert)
        return table.select(PANEL_SCHEMA.names).cast(PANEL_SCHEMA)
    except (pa.ArrowInvalid, KeyError) as exc:
        raise DataError(
            f"{path}: not a capability panel ({str(exc).splitlines()[0]})",
            hint=f"it needs the columns {', '.join(PANEL_SCHEMA.names)}; rebuild it with "
            "`trilateral capabilities refresh`, or delete it to use the shipped panel",
        ) from None


def _merge(shipped: pa.Table, user: pa.Table) -> pa.Table:
    """The shipped panel with every series (country × indicator) of ``user`` replaced.

    Derived per-capita rows are recomputed from the merged GDP and population.
    """

    def given(t: pa.Table) -> pa.Table:
        return t.filter(pc.invert(pc.starts_with(t["source"], "derived:")))

    ship, mine = given(shipped), given(user)
    replaced = {
        f"{i}\x00{k}"
        for i, k in zip(mine["iso3"].to_pylist(), mine["indicator"].to_pylist(), strict=True)
    }
    key = pc.binary_join_element_wise(ship["iso3"], ship["indicator"], "\x00")
    keep = ship.filter(pc.invert(pc.is_in(key, pa.array(sorted(replaced), pa.string()))))
    return _sort(_derive_per_capita(pa.concat_tables([keep, mine]))).cast(PANEL_SCHEMA)


def _user_provenance(path: Path) -> dict[str, Any] | None:
    """The user panel's provenance file (``<panel>.provenance.yaml``), None without one."""
    prov_path = path.with_suffix(".provenance.yaml")
    if not prov_path.is_file():
        return None
    prov = load_yaml(prov_path)
    if not isinstance(prov, dict):
        raise DataError(
            f"{prov_path}: not the provenance of a capability panel (a mapping of keys to "
            f"values, got {type(prov).__name__})",
            hint="rebuild the panel with `trilateral capabilities refresh`, or delete this file",
        )
    return prov


def _user_built(path: Path) -> str:
    """What the user panel's provenance file says it was built from (empty without one)."""
    prov = _user_provenance(path)
    if prov is None:
        return ""
    sources = prov.get("sources")
    files = ", ".join(
        str(s.get("file"))
        for s in (sources if isinstance(sources, list) else [])
        if isinstance(s, dict)
    )
    return f"built {prov.get('built', '?')} from {files or '?'}"


def panel_label(user: bool | str | Path = True) -> str:
    """Which capability panel :func:`load_panel` gives: the shipped one, or the shipped one
    merged with a user panel (its path, when and from what it was built).

    Parameters
    ----------
    user : bool, str or Path
        As in :func:`load_panel`.

    Examples
    --------
    >>> panel_label()
    'shipped capabilities.csv'
    """
    path = _user_panel(user)
    if path is None:
        return f"shipped {_PANEL_FILE}"
    built = _user_built(path)
    return (
        f"shipped {_PANEL_FILE} merged with the user panel {path}"
        + (f" ({built})" if built else "")
        + "; its series replace the shipped ones"
    )


def describe_panel(panel: Any) -> str:
    """The label a table from :func:`load_panel` carries, else ``"given by the caller"``.

    Examples
    --------
    >>> describe_panel(load_panel(["USA"]))
    'shipped capabilities.csv'
    """
    meta = getattr(getattr(panel, "schema", None), "metadata", None) or {}
    label = meta.get(_LABEL_KEY)
    return label.decode() if isinstance(label, bytes) else "given by the caller"


def load_panel(countries: Iterable[str] | None = None, user: bool | str | Path = True) -> pa.Table:
    """The capability panel: the shipped one, merged with the user panel when there is one.

    Parameters
    ----------
    countries : iterable of str, optional
        ISO3 codes; every country of the panel by default.
    user : bool, str or Path
        True (default): merge the user panel at :func:`user_panel_path` when it exists;
        a path: merge that panel (it must exist); False: the shipped panel alone. Each
        series (country × indicator) of the user panel replaces the shipped one; every
        series the user panel does not hold stays as shipped.

    Returns
    -------
    pyarrow.Table
        :data:`PANEL_SCHEMA`; its schema metadata names the panel
        (:func:`describe_panel`).

    Raises
    ------
    DataError
        A requested country is not in the panel, or the user panel does not read.

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
    path = _user_panel(user)
    if path is not None:
        table = _merge(table, _read_panel_csv(path))
    label = panel_label(path if path is not None else False)
    keep = _normalise_countries(countries)
    if keep is not None:
        missing = sorted(set(keep) - set(table["iso3"].to_pylist()))
        if missing:
            raise DataError(
                f"not in the capability panel ({label}): {', '.join(missing)}",
                hint=f"the shipped panel holds {', '.join(PANEL_COUNTRIES)}; for others run "
                "`trilateral capabilities refresh --countries ...` on the source files, or "
                "build_panel()",
            )
        table = table.filter(pc.is_in(table["iso3"], pa.array(keep)))
    return table.replace_schema_metadata({_LABEL_KEY: label.encode()})


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
        when it does) and ``indicators``. With a user panel in use (:func:`load_panel`),
        also ``user_panel``: its ``path``, ``sha256`` and its own provenance.

    Examples
    --------
    >>> prov = panel_provenance()
    >>> sorted({s["family"] for s in prov["sources"]})
    ['cow', 'sipri', 'worldbank']
    """
    prov = _provenance.shipped_provenance("capabilities", _PANEL_FILE)
    path = _user_panel(True)
    if path is not None:
        prov["user_panel"] = {
            "path": str(path),
            "sha256": _provenance.sha256(path),
            **(_user_provenance(path) or {}),
        }
    return prov


def refresh_panel(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    countries: Iterable[str] | None = PANEL_COUNTRIES,
) -> dict[str, Any]:
    """Build a user panel from (newer) downloads and write it atomically.

    Never writes inside the installed package. The CSV goes to a temporary file next to
    ``out`` and is moved into place with :func:`os.replace`, so a failure leaves the old
    file untouched; the provenance goes to ``<out>.provenance.yaml``. The panel holds the
    sources given only: :func:`load_panel` merges the one at :func:`user_panel_path` with
    the shipped panel, so a source not given here stays as shipped.

    Parameters
    ----------
    paths : sequence of str or Path
        The source files (SIPRI workbook, World Bank CSVs, COW NMC CSV).
    out : str or Path, optional
        Where to write; :func:`user_panel_path` by default (the panel
        :func:`load_panel` merges).
    countries : iterable of str or None
        Countries to keep (default :data:`PANEL_COUNTRIES`; None keeps all).

    Returns
    -------
    dict
        ``out``, ``rows``, ``countries``, ``indicators`` and the provenance written.

    Raises
    ------
    ConfigError
        ``out`` lies inside the installed package.

    Examples
    --------
    >>> res = refresh_panel(["NMC-60-abridged.csv"], out="panel.csv", countries=["USA", "RUS"])
    >>> res["out"], res["countries"], res["indicators"][:2]
    ('panel.csv', ['RUS', 'USA'], ['cinc', 'cow_irst'])
    >>> sorted(p.name for p in Path().glob("panel*"))
    ['panel.csv', 'panel.provenance.yaml']
    """
    src = [Path(p) for p in paths]
    target = Path(out) if out is not None else user_panel_path()
    _provenance.refuse_package_path(target)
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
    _provenance.write_with_provenance(target, _provenance.csv_bytes(panel), prov)
    return {
        "out": str(target),
        "rows": panel.num_rows,
        "countries": prov["countries"],
        "indicators": sorted(set(panel["indicator"].to_pylist())),
        "provenance": prov,
    }
