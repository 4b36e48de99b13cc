"""Readers for capability data in their published layouts (private; see ``capabilities``).

Each reader returns a :data:`PANEL_SCHEMA` table: one row per (iso3, year, indicator) with
a value the source actually gives. Missing markers ("...", ". .", "xxx", −9, empty cells)
never become numbers: such cells produce no row. Country names and codes are mapped to ISO
3166-1 alpha-3 through explicit tables below; names the tables do not know are counted,
reported with an :class:`UnmappedCountryWarning` and left out, never guessed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import ReaderError

__all__ = [
    "COW_CCODE_TO_ISO3",
    "COW_EXCLUDED",
    "INDICATORS",
    "ISO2_TO_ISO3",
    "PANEL_SCHEMA",
    "SIPRI_EXCLUDED",
    "SIPRI_NAME_TO_ISO3",
    "UnmappedCountryWarning",
    "detect_layout",
    "read_cow_nmc",
    "read_sipri",
    "read_worldbank",
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


# --------------------------------------------------------------------------- ISO3 tables
# SIPRI workbook names (1949–2023 release, plus older/newer spellings) → ISO3.
# "USSR" is mapped to RUS, as the Correlates of War and the UN voting data do: the panel
# treats the Russian Federation as the USSR's continuation (SIPRI's USSR row covers
# 1987–1990, its Russia row starts in 1992, so the two never overlap; if they ever did,
# the reader raises instead of choosing).
SIPRI_NAME_TO_ISO3: dict[str, str] = {
    # Africa
    "Algeria": "DZA", "Libya": "LBY", "Morocco": "MAR", "Tunisia": "TUN", "Angola": "AGO",
    "Benin": "BEN", "Botswana": "BWA", "Burkina Faso": "BFA", "Burundi": "BDI",
    "Cameroon": "CMR", "Cape Verde": "CPV", "Cabo Verde": "CPV",
    "Central African Republic": "CAF", "Chad": "TCD", "Congo, DR": "COD",
    "Congo, Republic": "COG", "Cote d'Ivoire": "CIV", "Côte d'Ivoire": "CIV",
    "Djibouti": "DJI", "Equatorial Guinea": "GNQ", "Eritrea": "ERI", "Ethiopia": "ETH",
    "Gabon": "GAB", "Gambia, The": "GMB", "Gambia": "GMB", "Ghana": "GHA", "Guinea": "GIN",
    "Guinea-Bissau": "GNB", "Kenya": "KEN", "Lesotho": "LSO", "Liberia": "LBR",
    "Madagascar": "MDG", "Malawi": "MWI", "Mali": "MLI", "Mauritania": "MRT",
    "Mauritius": "MUS", "Mozambique": "MOZ", "Namibia": "NAM", "Niger": "NER",
    "Nigeria": "NGA", "Rwanda": "RWA", "Senegal": "SEN", "Seychelles": "SYC",
    "Sierra Leone": "SLE", "Somalia": "SOM", "South Africa": "ZAF", "South Sudan": "SSD",
    "Sudan": "SDN", "Eswatini": "SWZ", "Swaziland": "SWZ", "Tanzania": "TZA", "Togo": "TGO",
    "Uganda": "UGA", "Zambia": "ZMB", "Zimbabwe": "ZWE",
    # Americas
    "Belize": "BLZ", "Costa Rica": "CRI", "Cuba": "CUB", "Dominican Republic": "DOM",
    "El Salvador": "SLV", "Guatemala": "GTM", "Haiti": "HTI", "Honduras": "HND",
    "Jamaica": "JAM", "Mexico": "MEX", "Nicaragua": "NIC", "Panama": "PAN",
    "Trinidad and Tobago": "TTO", "Canada": "CAN", "United States of America": "USA",
    "United States": "USA", "USA": "USA", "Argentina": "ARG", "Bolivia": "BOL",
    "Brazil": "BRA", "Chile": "CHL", "Colombia": "COL", "Ecuador": "ECU", "Guyana": "GUY",
    "Paraguay": "PRY", "Peru": "PER", "Uruguay": "URY", "Venezuela": "VEN",
    # Asia and Oceania
    "Australia": "AUS", "Fiji": "FJI", "New Zealand": "NZL", "Papua New Guinea": "PNG",
    "Afghanistan": "AFG", "Bangladesh": "BGD", "India": "IND", "Nepal": "NPL",
    "Pakistan": "PAK", "Sri Lanka": "LKA", "China": "CHN", "Japan": "JPN",
    "Korea, North": "PRK", "Korea, South": "KOR", "Mongolia": "MNG", "Taiwan": "TWN",
    "Brunei": "BRN", "Brunei Darussalam": "BRN", "Cambodia": "KHM", "Indonesia": "IDN",
    "Laos": "LAO", "Malaysia": "MYS", "Myanmar": "MMR", "Philippines": "PHL",
    "Singapore": "SGP", "Thailand": "THA", "Timor Leste": "TLS", "Timor-Leste": "TLS",
    "Viet Nam": "VNM", "Vietnam": "VNM", "Kazakhstan": "KAZ", "Kyrgyz Republic": "KGZ",
    "Kyrgyzstan": "KGZ", "Tajikistan": "TJK", "Turkmenistan": "TKM", "Uzbekistan": "UZB",
    # Europe
    "Albania": "ALB", "Bosnia and Herzegovina": "BIH", "Bosnia-Herzegovina": "BIH",
    "Bulgaria": "BGR", "Croatia": "HRV", "Czechia": "CZE", "Czech Republic": "CZE",
    "Czechoslovakia": "CSK", "Estonia": "EST", "German Democratic Republic": "DDR",
    "German DR": "DDR", "Hungary": "HUN", "Kosovo": "XKX", "Latvia": "LVA",
    "Lithuania": "LTU", "North Macedonia": "MKD", "Macedonia": "MKD",
    "Macedonia, FYR": "MKD", "Montenegro": "MNE", "Poland": "POL", "Romania": "ROU",
    "Serbia": "SRB", "Slovakia": "SVK", "Slovenia": "SVN", "Yugoslavia": "YUG",
    "Armenia": "ARM", "Azerbaijan": "AZE", "Belarus": "BLR", "Georgia": "GEO",
    "Moldova": "MDA", "Russia": "RUS", "USSR": "RUS", "Ukraine": "UKR", "Austria": "AUT",
    "Belgium": "BEL", "Cyprus": "CYP", "Denmark": "DNK", "Finland": "FIN", "France": "FRA",
    "Germany": "DEU", "Greece": "GRC", "Iceland": "ISL", "Ireland": "IRL", "Italy": "ITA",
    "Luxembourg": "LUX", "Malta": "MLT", "Netherlands": "NLD", "Norway": "NOR",
    "Portugal": "PRT", "Spain": "ESP", "Sweden": "SWE", "Switzerland": "CHE",
    "United Kingdom": "GBR", "UK": "GBR",
    # Middle East
    "Bahrain": "BHR", "Egypt": "EGY", "Iran": "IRN", "Iraq": "IRQ", "Israel": "ISR",
    "Jordan": "JOR", "Kuwait": "KWT", "Lebanon": "LBN", "Oman": "OMN", "Qatar": "QAT",
    "Saudi Arabia": "SAU", "Syria": "SYR", "Türkiye": "TUR", "Turkey": "TUR",
    "United Arab Emirates": "ARE", "Yemen": "YEM",
}  # fmt: skip

#: SIPRI rows deliberately left out (no warning): not a state, or no ISO 3166 code that
#: would not silently merge it into its successor.
SIPRI_EXCLUDED: dict[str, str] = {
    "European Union": "not a state (an EU-level budget line)",
    "Yemen, North": "Yemen Arab Republic (to 1990): no ISO 3166 code of its own",
}

# Correlates of War ccode → ISO3 (COW state list, 2016). ccode 365 (Russia, the USSR
# included) → RUS; 255 (Prussia/Germany) and 260 (German Federal Republic) → DEU; 816
# (Vietnam, the DRV included) → VNM; 315 Czechoslovakia → CSK and 265 GDR → DDR (ISO
# 3166-3 codes); 347 Kosovo → XKX (the World Bank's code, so the panel stays joinable).
COW_CCODE_TO_ISO3: dict[int, str] = {
    2: "USA", 20: "CAN", 31: "BHS", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO",
    53: "BRB", 54: "DMA", 55: "GRD", 56: "LCA", 57: "VCT", 58: "ATG", 60: "KNA", 70: "MEX",
    80: "BLZ", 90: "GTM", 91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN", 100: "COL",
    101: "VEN", 110: "GUY", 115: "SUR", 130: "ECU", 135: "PER", 140: "BRA", 145: "BOL",
    150: "PRY", 155: "CHL", 160: "ARG", 165: "URY", 200: "GBR", 205: "IRL", 210: "NLD",
    211: "BEL", 212: "LUX", 220: "FRA", 221: "MCO", 223: "LIE", 225: "CHE", 230: "ESP",
    232: "AND", 235: "PRT", 255: "DEU", 260: "DEU", 265: "DDR", 290: "POL", 305: "AUT",
    310: "HUN", 315: "CSK", 316: "CZE", 317: "SVK", 325: "ITA", 331: "SMR", 338: "MLT",
    339: "ALB", 341: "MNE", 343: "MKD", 344: "HRV", 346: "BIH", 347: "XKX", 349: "SVN",
    350: "GRC", 352: "CYP", 355: "BGR", 359: "MDA", 360: "ROU", 365: "RUS", 366: "EST",
    367: "LVA", 368: "LTU", 369: "UKR", 370: "BLR", 371: "ARM", 372: "GEO", 373: "AZE",
    375: "FIN", 380: "SWE", 385: "NOR", 390: "DNK", 395: "ISL", 402: "CPV", 403: "STP",
    404: "GNB", 411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN", 434: "BEN", 435: "MRT",
    436: "NER", 437: "CIV", 438: "GIN", 439: "BFA", 450: "LBR", 451: "SLE", 452: "GHA",
    461: "TGO", 471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF", 483: "TCD", 484: "COG",
    490: "COD", 500: "UGA", 501: "KEN", 510: "TZA", 516: "BDI", 517: "RWA", 520: "SOM",
    522: "DJI", 530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ", 551: "ZMB", 552: "ZWE",
    553: "MWI", 560: "ZAF", 565: "NAM", 570: "LSO", 571: "BWA", 572: "SWZ", 580: "MDG",
    581: "COM", 590: "MUS", 591: "SYC", 600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY",
    625: "SDN", 626: "SSD", 630: "IRN", 640: "TUR", 645: "IRQ", 651: "EGY", 652: "SYR",
    660: "LBN", 663: "JOR", 666: "ISR", 670: "SAU", 679: "YEM", 680: "YMD", 690: "KWT",
    692: "BHR", 694: "QAT", 696: "ARE", 698: "OMN", 700: "AFG", 701: "TKM", 702: "TJK",
    703: "KGZ", 704: "UZB", 705: "KAZ", 710: "CHN", 712: "MNG", 713: "TWN", 731: "PRK",
    732: "KOR", 740: "JPN", 750: "IND", 760: "BTN", 770: "PAK", 771: "BGD", 775: "MMR",
    780: "LKA", 781: "MDV", 790: "NPL", 800: "THA", 811: "KHM", 812: "LAO", 816: "VNM",
    820: "MYS", 830: "SGP", 835: "BRN", 840: "PHL", 850: "IDN", 860: "TLS", 900: "AUS",
    910: "PNG", 920: "NZL", 935: "VUT", 940: "SLB", 946: "KIR", 947: "TUV", 950: "FJI",
    955: "TON", 970: "NRU", 983: "MHL", 986: "PLW", 987: "FSM", 990: "WSM",
}  # fmt: skip

#: When two ccodes give the same ISO3 and year, which one wins (first listed): in 1990
#: COW lists both the German Federal Republic (260, to 3 October) and Germany (255).
_COW_PRECEDENCE: dict[str, tuple[int, ...]] = {"DEU": (255, 260)}

#: COW states deliberately left out (no warning): no ISO 3166 code, or one code would
#: wrongly merge different states.
COW_EXCLUDED: dict[int, str] = {
    240: "Hanover", 245: "Bavaria", 267: "Baden", 269: "Saxony", 271: "Württemberg",
    273: "Hesse-Kassel", 275: "Hesse-Darmstadt", 280: "Mecklenburg-Schwerin",
    300: "Austria-Hungary", 327: "Papal States", 329: "Two Sicilies", 332: "Modena",
    335: "Parma", 337: "Tuscany", 511: "Zanzibar", 678: "Yemen Arab Republic",
    730: "Korea (1887-1905)", 817: "Republic of Vietnam",
    345: "Serbia/Yugoslavia/Serbia (1878-2016 under one code: no single ISO 3166 code)",
}  # fmt: skip

#: ISO 3166-1 alpha-2 → alpha-3 for the codes the UN voting data use (plus historical
#: ISO 3166-3 codes: CS Czechoslovakia, DD GDR, YU Yugoslavia, YD South Yemen).
ISO2_TO_ISO3: dict[str, str] = {
    "AD": "AND", "AE": "ARE", "AF": "AFG", "AG": "ATG", "AL": "ALB", "AM": "ARM",
    "AO": "AGO", "AR": "ARG", "AT": "AUT", "AU": "AUS", "AZ": "AZE", "BA": "BIH",
    "BB": "BRB", "BD": "BGD", "BE": "BEL", "BF": "BFA", "BG": "BGR", "BH": "BHR",
    "BI": "BDI", "BJ": "BEN", "BN": "BRN", "BO": "BOL", "BR": "BRA", "BS": "BHS",
    "BT": "BTN", "BW": "BWA", "BY": "BLR", "BZ": "BLZ", "CA": "CAN", "CD": "COD",
    "CF": "CAF", "CG": "COG", "CH": "CHE", "CI": "CIV", "CL": "CHL", "CM": "CMR",
    "CN": "CHN", "CO": "COL", "CR": "CRI", "CS": "CSK", "CU": "CUB", "CV": "CPV",
    "CY": "CYP", "CZ": "CZE", "DD": "DDR", "DE": "DEU", "DJ": "DJI", "DK": "DNK",
    "DM": "DMA", "DO": "DOM", "DZ": "DZA", "EC": "ECU", "EE": "EST", "EG": "EGY",
    "ER": "ERI", "ES": "ESP", "ET": "ETH", "FI": "FIN", "FJ": "FJI", "FM": "FSM",
    "FR": "FRA", "GA": "GAB", "GB": "GBR", "GD": "GRD", "GE": "GEO", "GH": "GHA",
    "GM": "GMB", "GN": "GIN", "GQ": "GNQ", "GR": "GRC", "GT": "GTM", "GW": "GNB",
    "GY": "GUY", "HN": "HND", "HR": "HRV", "HT": "HTI", "HU": "HUN", "ID": "IDN",
    "IE": "IRL", "IL": "ISR", "IN": "IND", "IQ": "IRQ", "IR": "IRN", "IS": "ISL",
    "IT": "ITA", "JM": "JAM", "JO": "JOR", "JP": "JPN", "KE": "KEN", "KG": "KGZ",
    "KH": "KHM", "KI": "KIR", "KM": "COM", "KN": "KNA", "KP": "PRK", "KR": "KOR",
    "KW": "KWT", "KZ": "KAZ", "LA": "LAO", "LB": "LBN", "LC": "LCA", "LI": "LIE",
    "LK": "LKA", "LR": "LBR", "LS": "LSO", "LT": "LTU", "LU": "LUX", "LV": "LVA",
    "LY": "LBY", "MA": "MAR", "MC": "MCO", "MD": "MDA", "ME": "MNE", "MG": "MDG",
    "MH": "MHL", "MK": "MKD", "ML": "MLI", "MM": "MMR", "MN": "MNG", "MR": "MRT",
    "MT": "MLT", "MU": "MUS", "MV": "MDV", "MW": "MWI", "MX": "MEX", "MY": "MYS",
    "MZ": "MOZ", "NA": "NAM", "NE": "NER", "NG": "NGA", "NI": "NIC", "NL": "NLD",
    "NO": "NOR", "NP": "NPL", "NR": "NRU", "NZ": "NZL", "OM": "OMN", "PA": "PAN",
    "PE": "PER", "PG": "PNG", "PH": "PHL", "PK": "PAK", "PL": "POL", "PT": "PRT",
    "PW": "PLW", "PY": "PRY", "QA": "QAT", "RO": "ROU", "RU": "RUS", "RW": "RWA",
    "SA": "SAU", "SB": "SLB", "SC": "SYC", "SD": "SDN", "SE": "SWE", "SG": "SGP",
    "SI": "SVN", "SK": "SVK", "SL": "SLE", "SM": "SMR", "SN": "SEN", "SO": "SOM",
    "SR": "SUR", "SS": "SSD", "ST": "STP", "SV": "SLV", "SY": "SYR", "SZ": "SWZ",
    "TD": "TCD", "TG": "TGO", "TH": "THA", "TJ": "TJK", "TL": "TLS", "TM": "TKM",
    "TN": "TUN", "TO": "TON", "TR": "TUR", "TT": "TTO", "TV": "TUV", "TW": "TWN",
    "TZ": "TZA", "UA": "UKR", "UG": "UGA", "US": "USA", "UY": "URY", "UZ": "UZB",
    "VC": "VCT", "VE": "VEN", "VN": "VNM", "VU": "VUT", "WS": "WSM", "YD": "YMD",
    "YE": "YEM", "YU": "YUG", "ZA": "ZAF", "ZM": "ZMB", "ZW": "ZWE",
}  # fmt: skip


# --------------------------------------------------------------------------- helpers
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


# --------------------------------------------------------------------------- World Bank
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


# --------------------------------------------------------------------------- COW NMC
_COW_FIELDS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")


def read_cow_nmc(path: str | Path) -> pa.Table:
    """Read the Correlates of War National Material Capabilities CSV (v6.0 layout)."""
    p = Path(path)
    text = _read_text(p)
    it = _csv_rows(p, text)
    hline, header = next(it)
    header = [h.strip().lower() for h in header]
    for need in ("ccode", "year", *_COW_FIELDS):
        if need not in header:
            raise ReaderError(
                p,
                hline,
                need,
                "column missing from the header",
                hint="expected the COW NMC layout: stateabb,ccode,year,milex,…,cinc",
            )
    idx = {h: header.index(h) for h in ("ccode", "year", *_COW_FIELDS)}
    version = "6.0"
    i_version = header.index("version") if "version" in header else None
    versions: set[str] = set()
    rows = _Rows()
    excluded: dict[str, int] = {}
    pending: dict[tuple[str, int], dict[int, list[tuple[str, float, int]]]] = {}
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
        try:
            ccode = int(fields[idx["ccode"]])
        except ValueError:
            raise ReaderError(
                p, lineno, "ccode", f"not a COW code: {fields[idx['ccode']]!r}"
            ) from None
        try:
            year = int(fields[idx["year"]])
        except ValueError:
            raise ReaderError(p, lineno, "year", f"not a year: {fields[idx['year']]!r}") from None
        if i_version is not None:
            versions.add(fields[i_version].strip())
        iso3 = COW_CCODE_TO_ISO3.get(ccode)
        if iso3 is None:
            label = fields[0].strip() or str(ccode)
            if ccode in COW_EXCLUDED:
                excluded[label] = excluded.get(label, 0) + 1
            else:
                rows.unmapped[label] = rows.unmapped.get(label, 0) + 1
            continue
        for name in _COW_FIELDS:
            raw = fields[idx[name]]
            try:
                v = _parse_number(raw)
            except ValueError:
                raise ReaderError(p, lineno, name, f"not a number: {raw!r}") from None
            if v is None or v == -9:  # COW's missing-value code
                continue
            if v < 0:
                raise ReaderError(
                    p, lineno, name, f"negative value {raw!r} (only −9 means missing)"
                )
            indicator = "cinc" if name == "cinc" else f"cow_{name}"
            pending.setdefault((iso3, year), {}).setdefault(ccode, []).append(
                (indicator, v, lineno)
            )
    if n == 0:
        raise ReaderError(p, hline + 1, None, "no data rows after the header")
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
    rows.notes["excluded"] = excluded
    rows.notes["overlaps"] = overlaps
    if versions:
        rows.notes["vintage"] = f"NMC 6.0, version column {', '.join(sorted(versions))}"
    return rows.to_table(p, "cow_nmc")


# --------------------------------------------------------------------------- SIPRI
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


def _read_sipri_handle(p: Path, fh: Any, openpyxl: Any) -> pa.Table:
    try:
        with warnings.catch_warnings():
            # The published workbook has no default style; openpyxl says so on every load.
            warnings.filterwarnings(
                "ignore", message="Workbook contains no default style", category=UserWarning
            )
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReaderError(
            p, None, None, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
            hint="the download may be truncated; fetch the SIPRI workbook again",
        ) from None  # fmt: skip
    try:
        sheets: dict[str, tuple[str, dict[tuple[str, int], tuple[float, int, int]]]] = {}
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
                cells = wb[title].iter_rows(values_only=True)
                data, _, _names = _sipri_sheet(p, title, cells)
            except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
                raise ReaderError(
                    p, None, title, f"cannot read the sheet ({type(exc).__name__}: {exc})",
                    hint="the download may be truncated; fetch the SIPRI workbook again",
                ) from None  # fmt: skip
            sheets[ind] = (title, data)
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
