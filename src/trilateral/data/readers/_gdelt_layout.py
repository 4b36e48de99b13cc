"""GDELT layouts: the column lists of GDELT 1.0 and 2.0, the FIPS → ISO3 table, and how
a file's layout (header or not, column count, separator) is told from its first lines.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ReaderError

__all__ = ["GDELT1_COLUMNS", "GDELT1_COLUMNS_57", "GDELT2_COLUMNS", "fips_to_iso3"]


def _actor(n: int) -> list[str]:
    return [
        f"Actor{n}{s}"
        for s in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ]


def _geo(prefix: str, adm2: bool) -> list[str]:
    parts = ["Type", "FullName", "CountryCode", "ADM1Code"]
    parts += ["ADM2Code"] if adm2 else []
    parts += ["Lat", "Long", "FeatureID"]
    return [f"{prefix}_{p}" for p in parts]


def _columns(adm2: bool) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
        *_actor(1), *_actor(2),
        "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
        "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
        *_geo("Actor1Geo", adm2), *_geo("Actor2Geo", adm2), *_geo("ActionGeo", adm2),
        "DATEADDED", "SOURCEURL",
    )  # fmt: skip


#: GDELT 1.0 export columns (58, since April 2013).
GDELT1_COLUMNS: tuple[str, ...] = _columns(adm2=False)
#: GDELT 1.0 columns before April 2013 (no ``SOURCEURL``).
GDELT1_COLUMNS_57: tuple[str, ...] = GDELT1_COLUMNS[:-1]
#: GDELT 2.0 export columns (61: ``ADM2Code`` for each of the three geographies).
GDELT2_COLUMNS: tuple[str, ...] = _columns(adm2=True)

#: The columns the readers use (everything else is never converted).
_USED: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor1Name", "Actor1CountryCode",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "EventCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "ActionGeo_CountryCode", "DATEADDED", "SOURCEURL",
)  # fmt: skip
_OPTIONAL = frozenset({"SOURCEURL", "DATEADDED", "Actor1Code", "Actor2Code"})
#: Header spellings seen in re-exports (lower-case) → the published column name.
_ALIASES = {"day": "SQLDATE"}

_HEAD_LINES = 200
# Block size of the CSV parser: a batch is one block (~6,000 GDELT rows at 2 MiB). Peak
# memory grows ~50x the block size (pyarrow's read-ahead over a Python stream); 2 MiB
# measured as fast as 4-16 MiB on a 2-million-row export, at ~290 MB peak RSS.
_MIN_BLOCK = 1 << 16
_MAX_BLOCK = 2 << 20


@lru_cache(maxsize=1)
def _fips_table() -> tuple[pa.Array, pa.Array]:
    text = (resources.files("trilateral.data") / "_files" / "fips_iso3.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return (
        pa.array([r["fips"] for r in rows], pa.string()),
        pa.array([r["iso3"] for r in rows], pa.string()),
    )


def fips_to_iso3(code: str) -> str | None:
    """ISO 3166-1 alpha-3 code for a FIPS 10-4 country code (GDELT's geo fields).

    Examples
    --------
    >>> fips_to_iso3("RS"), fips_to_iso3("CH"), fips_to_iso3("GG"), fips_to_iso3("OS")
    ('RUS', 'CHN', 'GEO', None)
    """
    fips, iso3 = _fips_table()
    idx = pc.index(fips, code).as_py()
    return None if idx < 0 else iso3[idx].as_py()


# -- layout detection ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    dataset: str
    delimiter: str
    quoted: bool
    header: bool
    names: tuple[str, ...]  # column names of the main row shape (unique)
    alt_names: tuple[str, ...] | None  # the other accepted row shape (57 vs 58)
    expected: str  # for messages: "57 or 58 tab-separated fields"
    null_values: tuple[str, ...]


def _head_lines(head: bytes) -> list[tuple[int, str]]:
    """(line number, text) of the first complete lines of ``head`` (blank ones dropped).

    A last line without its newline is left out when there are others: the head may cut
    it, or the file itself may be cut short (that row is reported when read).
    """
    text = head.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1].strip():
        lines = lines[:-1]
    out = []
    for i, line in enumerate(lines[:_HEAD_LINES], start=1):
        line = line.rstrip("\r")
        if line.strip():
            out.append((i, line))
    return out


def _header_names(line: str) -> list[str] | None:
    """The column names if ``line`` is a GDELT header line, else None."""
    delim = "\t" if line.count("\t") > line.count(",") else ","
    try:
        names = next(csv.reader([line], delimiter=delim))
    except (csv.Error, StopIteration):
        return None
    names = [n.strip() for n in names]
    if not names or names[0].upper() != "GLOBALEVENTID":
        return None
    return names


def _canonical_header(names: list[str]) -> dict[str, int]:
    """Published column name → position in a header (case-insensitive, aliases)."""
    known = {c.lower(): c for c in GDELT2_COLUMNS}
    out: dict[str, int] = {}
    for i, n in enumerate(names):
        key = n.lower()
        name = _ALIASES.get(key) or known.get(key)
        if name is not None and name not in out:
            out[name] = i
    return out


def _classify(head: bytes) -> str | None:
    """``"gdelt1"``, ``"gdelt2"`` or None, from the first decompressed bytes."""
    lines = _head_lines(head)
    if not lines:
        return None
    first = lines[0][1]
    names = _header_names(first)
    if names is not None:
        pos = _canonical_header(names)
        if not all(c in pos for c in _USED if c not in _OPTIONAL):
            return None
        return "gdelt2" if "Actor1Geo_ADM2Code" in pos else "gdelt1"
    counts = [line.count("\t") + 1 for _, line in lines[:20]]
    fields = first.split("\t")
    if not (fields[0].isdigit() and len(fields) > 1 and fields[1].isdigit()):
        return None
    if all(c == 61 for c in counts):
        return "gdelt2"
    if all(c in (57, 58) for c in counts):
        return "gdelt1"
    return None


def _layout(path: Path, head: bytes, dataset: str) -> _Layout:
    """The layout of a GDELT export from its first bytes: by its header if it has one,
    else by the number of tab-separated fields of its lines."""
    lines = _head_lines(head)
    if not lines:
        raise ReaderError(path, None, None, "the file holds no rows (only blank lines)")
    lineno, first = lines[0]
    names = _header_names(first)
    if names is not None:
        return _header_layout(path, dataset, lineno, first, names)
    return _headless_layout(path, head, dataset, lines)


def _header_layout(path: Path, dataset: str, lineno: int, first: str, names: list[str]) -> _Layout:
    """The layout of an export with a header line (``first``, split into ``names``)."""
    if lineno != 1:
        raise ReaderError(path, 1, None, "blank lines before the header line")
    pos = _canonical_header(names)
    missing = [c for c in _USED if c not in _OPTIONAL and c not in pos]
    if missing:
        raise ReaderError(
            path,
            1,
            None,
            f"header lacks the GDELT columns {', '.join(missing)}",
            hint="give the export as published, or with GDELT's column names",
        )
    is2 = "Actor1Geo_ADM2Code" in pos
    if is2 != (dataset == "gdelt2"):
        other = "gdelt2" if is2 else "gdelt1"
        raise ReaderError(
            path,
            1,
            None,
            f"the header is that of a GDELT {'2.0' if is2 else '1.0'} export, not {dataset}",
            hint=f"use --format {other} (or auto)",
        )
    delim = "\t" if first.count("\t") > first.count(",") else ","
    # unique names for pyarrow; the published ones keep their spelling
    unique: list[str] = []
    inv = {i: c for c, i in pos.items()}
    for i, name in enumerate(names):
        unique.append(inv.get(i, f"_col{i}_{name}"))
    sep = "tab" if delim == "\t" else "comma"
    return _Layout(
        dataset,
        delim,
        delim == "," or '"' in first,
        True,
        tuple(unique),
        None,
        f"{len(names)} {sep}-separated fields (as in the header)",
        ("", "NA") if '"' in first else ("",),  # R's write.csv: bare NA = missing
    )


def _headless_layout(
    path: Path, head: bytes, dataset: str, lines: list[tuple[int, str]]
) -> _Layout:
    """The layout of an export without a header: the published field counts."""
    lineno, first = lines[0]
    counts = Counter(line.count("\t") + 1 for _, line in lines)
    if dataset == "gdelt1":
        ok = {57: GDELT1_COLUMNS_57, 58: GDELT1_COLUMNS}
        expected = "57 or 58 tab-separated fields"
    else:
        ok = {61: GDELT2_COLUMNS}
        expected = "61 tab-separated fields"
    good = [(c, n) for c, n in counts.most_common() if c in ok]
    if not good:
        n = first.count("\t") + 1
        hint = "check --format"
        guess = _classify(head)
        if guess and guess != dataset:
            hint = f"this looks like a {guess} file: use --format {guess} (or auto)"
        raise ReaderError(
            path, lineno, None, f"expected {expected}, found {n} at line {lineno}", hint=hint
        )
    main = good[0][0]
    alt = [c for c in ok if c != main]
    return _Layout(
        dataset, "\t", False, False, ok[main], ok[alt[0]] if alt else None, expected, ("",)
    )
