"""The CAMEO codebook: code → description, Goldstein score, quad class, arena.

All of it is data shipped in ``trilateral/data/_files`` (copied from GDELT's and the ICEWS
tools' lookups, see ``PROVENANCE.md`` there); the arena map is a CSV of CAMEO code
prefixes that a user may replace with their own file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import pyarrow as pa

from ..config import ARENAS
from ..errors import ConfigError, ReaderError

__all__ = ["Codebook", "GoldsteinTable", "quad_class_of"]

GoldsteinTable = Literal["gdelt", "icews"]

_FILES = resources.files("trilateral.data") / "_files"


def quad_class_of(code: str) -> int:
    """Quad class from the CAMEO root code (GDELT's definition).

    1 verbal cooperation (01–05), 2 material cooperation (06–08),
    3 verbal conflict (09–13), 4 material conflict (14–20).

    Examples
    --------
    >>> quad_class_of("163"), quad_class_of("036"), quad_class_of("0871")
    (4, 1, 2)
    """
    root = int(code[:2])
    if not 1 <= root <= 20:
        raise ValueError(f"CAMEO root code out of range: {code!r}")
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    if root <= 13:
        return 3
    return 4


def _read_tsv(path: Path | str, text: str) -> list[tuple[str, str]]:
    rows = []
    for i, line in enumerate(text.splitlines()[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise ReaderError(path, i, None, "expected two tab-separated fields")
        rows.append((parts[0].strip(), parts[1].strip()))
    return rows


def _normalise_description(text: str) -> str:
    """Lower-case words only: how relation texts are matched to descriptions."""
    text = re.sub(r",?\s*not specified below", "", text, flags=re.I)
    text = text.replace("matyerial", "material")
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True, slots=True)
class _Row:
    code: str
    description: str
    goldstein: float
    quad_class: int
    arena: str


@dataclass(frozen=True)
class Codebook:
    """CAMEO codes with their description, Goldstein score, quad class and arena.

    Parameters
    ----------
    goldstein : {"gdelt", "icews"}
        Which Goldstein table to use. GDELT's ``CAMEO.goldsteinscale.txt`` is the
        default; ``"icews"`` is the ICEWS tools' table, which differs on 016, 022, 164
        and 165 and adds 1213 (Goldstein 1992 as revised by each project).
    arena_map : path, optional
        A CSV with columns ``cameo_prefix,arena[,note]``; the longest matching prefix
        gives a code's arena. Defaults to the shipped ``arena_map.csv``.

    Examples
    --------
    >>> cb = Codebook.load()
    >>> cb.arena("163"), cb.goldstein("163"), cb.quad_class("163")
    ('economic', -8.0, 4)
    >>> Codebook.load(goldstein="icews").goldstein("164")
    -6.5
    """

    goldstein_table: GoldsteinTable
    arena_map_path: str
    rows: dict[str, _Row] = field(repr=False)
    arena_rules: tuple[tuple[str, str], ...] = field(repr=False)

    @classmethod
    def load(
        cls, goldstein: GoldsteinTable = "gdelt", arena_map: str | Path | None = None
    ) -> Codebook:
        if goldstein not in ("gdelt", "icews"):
            raise ConfigError(
                f"unknown Goldstein table {goldstein!r}", hint="use 'gdelt' or 'icews'"
            )
        descs = dict(
            _read_tsv("cameo_eventcodes.txt", (_FILES / "cameo_eventcodes.txt").read_text("utf-8"))
        )
        scores: dict[str, float] = {}
        if goldstein == "gdelt":
            src = "goldstein_gdelt.txt"
            for code, val in _read_tsv(src, (_FILES / src).read_text("utf-8")):
                scores[code] = float(val)
        else:
            src = "goldstein_icews.csv"
            reader = csv.DictReader((_FILES / src).read_text("utf-8").splitlines())
            for rec in reader:
                scores[rec["code"].strip()] = float(rec["goldstein"])
                descs.setdefault(rec["code"].strip(), rec["name"].strip())
        if arena_map is None:
            arena_text = (_FILES / "arena_map.csv").read_text("utf-8")
            arena_path = "arena_map.csv (shipped)"
        else:
            p = Path(arena_map)
            if not p.is_file():
                raise ConfigError(
                    f"arena map not found: {p}", hint="give a CSV with cameo_prefix,arena"
                )
            arena_text = p.read_text("utf-8")
            arena_path = str(p)
        rules = cls._parse_arena_map(arena_path, arena_text)
        rows: dict[str, _Row] = {}
        for code, desc in descs.items():
            if code not in scores:
                continue
            arena = cls._match(rules, code)
            if arena is None:
                raise ConfigError(
                    f"arena map {arena_path} gives no arena for CAMEO code {code}",
                    hint="add a row for its two-digit root code",
                )
            rows[code] = _Row(code, desc, scores[code], quad_class_of(code), arena)
        return cls(goldstein, arena_path, rows, tuple(rules))

    @staticmethod
    def _parse_arena_map(path: str, text: str) -> list[tuple[str, str]]:
        reader = csv.reader(text.splitlines())
        header = next(reader, None)
        if not header or [h.strip() for h in header[:2]] != ["cameo_prefix", "arena"]:
            raise ReaderError(
                path,
                1,
                None,
                "header must start with cameo_prefix,arena",
                hint="see the shipped arena_map.csv for the layout",
            )
        rules: list[tuple[str, str]] = []
        seen: dict[str, int] = {}
        for i, rec in enumerate(reader, start=2):
            if not rec or not rec[0].strip():
                continue
            prefix, arena = rec[0].strip(), rec[1].strip() if len(rec) > 1 else ""
            if not prefix.isdigit():
                raise ReaderError(path, i, "cameo_prefix", f"not a CAMEO code: {prefix!r}")
            if arena not in ARENAS:
                raise ReaderError(
                    path,
                    i,
                    "arena",
                    f"unknown arena {arena!r}",
                    hint=f"use one of {', '.join(ARENAS)}",
                )
            if prefix in seen:
                raise ReaderError(
                    path,
                    i,
                    "cameo_prefix",
                    f"prefix {prefix} is given twice (lines {seen[prefix]} and {i})",
                    hint="keep one row per prefix; the longest matching prefix decides",
                )
            seen[prefix] = i
            rules.append((prefix, arena))
        # longest prefix first so the most specific rule wins
        rules.sort(key=lambda r: -len(r[0]))
        return rules

    @staticmethod
    def _match(rules: list[tuple[str, str]] | tuple[tuple[str, str], ...], code: str) -> str | None:
        for prefix, arena in rules:
            if code.startswith(prefix):
                return arena
        return None

    # -- lookups -------------------------------------------------------------------
    def __contains__(self, code: object) -> bool:
        return code in self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def _row(self, code: str) -> _Row:
        try:
            return self.rows[code]
        except KeyError:
            raise KeyError(f"unknown CAMEO code {code!r}") from None

    def description(self, code: str) -> str:
        return self._row(code).description

    def goldstein(self, code: str) -> float:
        return self._row(code).goldstein

    def quad_class(self, code: str) -> int:
        return self._row(code).quad_class

    def arena(self, code: str) -> str:
        return self._row(code).arena

    @cached_property
    def by_description(self) -> dict[str, str]:
        """Normalised description → code (used to map ICEWS relation texts)."""
        out: dict[str, str] = {}
        # shorter codes first so a specific code wins over its family on a clash
        for code in sorted(self.rows, key=len):
            out[_normalise_description(self.rows[code].description)] = code
        return out

    def code_for_text(self, text: str) -> str | None:
        """The CAMEO code whose description matches ``text`` (case, punctuation ignored)."""
        return self.by_description.get(_normalise_description(text.replace("_", " ")))

    def to_arrow(self) -> pa.Table:
        """The codebook as a table (code, description, goldstein, quad_class, arena)."""
        rows = sorted(self.rows.values(), key=lambda r: r.code)
        return pa.table(
            {
                "cameo": pa.array([r.code for r in rows], pa.string()),
                "description": pa.array([r.description for r in rows], pa.string()),
                "goldstein": pa.array([r.goldstein for r in rows], pa.float64()),
                "quad_class": pa.array([r.quad_class for r in rows], pa.int8()),
                "arena": pa.array([r.arena for r in rows], pa.string()),
            }
        )
