"""The strategic triangle over time (docs/diagnose.md).

Dittmer (1981) reads a triangle of powers from the signs of its three bilateral
relations — amity (+) or enmity (−):

- *ménage à trois* (+ + +): symmetrical amity among all three;
- *romantic triangle* (+ + −): one *pivot* in amity with two *wings* who are at enmity;
- *stable marriage* (+ − −): two *partners* in amity, both at enmity with the *pariah*;
- *unit veto* (− − −): enmity all round.

Dittmer, L. (1981). "The Strategic Triangle: An Elementary Game-Theoretical Analysis".
*World Politics* 33(4): 485–515. Structural balance (Heider 1946; Cartwright & Harary
1956): a signed triangle is balanced when the product of its signs is positive — the
ménage à trois and the stable marriage are balanced, the romantic triangle and the unit
veto are not. The neutral band, the probabilities and the hysteresis rule are described in
``docs/diagnose.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Annotated, Any

import numpy as np
import polars as pl
from pydantic import Field

from .._rng import RNGLike, seed_sequence
from ..config import DEFAULT_COUNTRIES
from ..errors import ConfigError, DataError
from ..measure import z_of_level
from ._frames import _TRIANGLE_STREAM, _as_frame, _cell_rng, _pool, _reperiod, index_level
from ._reading import reading
from ._settings import Settings

__all__ = [
    "INDETERMINATE",
    "MENAGE_A_TROIS",
    "NO_DATA",
    "ROMANTIC_TRIANGLE",
    "STABLE_MARRIAGE",
    "TRIANGLE_TYPES",
    "UNIT_VETO",
    "TriangleConfig",
    "TriangleResults",
    "TriangleType",
    "triangle_types",
]

MENAGE_A_TROIS = "ménage à trois"
ROMANTIC_TRIANGLE = "romantic triangle"
STABLE_MARRIAGE = "stable marriage"
UNIT_VETO = "unit veto"
INDETERMINATE = "indeterminate"
NO_DATA = "no data"
#: Dittmer's four types, then a triangle with a neutral relation, then a missing one.
TRIANGLE_TYPES: tuple[str, ...] = (
    MENAGE_A_TROIS,
    ROMANTIC_TRIANGLE,
    STABLE_MARRIAGE,
    UNIT_VETO,
    INDETERMINATE,
    NO_DATA,
)
_PCOL = {
    MENAGE_A_TROIS: "p_menage_a_trois",
    ROMANTIC_TRIANGLE: "p_romantic_triangle",
    STABLE_MARRIAGE: "p_stable_marriage",
    UNIT_VETO: "p_unit_veto",
    INDETERMINATE: "p_indeterminate",
}


class TriangleConfig(Settings):
    """Neutral band, probabilities and hysteresis of :func:`triangle_types`.

    Parameters
    ----------
    band : float
        A dyad whose mean Goldstein ``m`` has ``|m| ≤ band`` is neutral (sign 0).
    n_draws : int
        Monte Carlo draws per period for the type probabilities.
    switch_prob : float
        The reported (stable) type changes to a new type once that type's probability
        is at least this ...
    switch_periods : int
        ... in this many consecutive periods,
    margin : float
        ... or at once when every dyad's ``|m|`` exceeds ``band + margin``.
    min_events : int
        A dyad with fewer events in a period has no sign ("no data").
    """

    band: Annotated[float, Field(ge=0.0, lt=10.0)] = 0.5
    n_draws: Annotated[int, Field(ge=1)] = 2000
    switch_prob: Annotated[float, Field(gt=0.0, le=1.0)] = 0.6
    switch_periods: Annotated[int, Field(ge=1)] = 2
    margin: Annotated[float, Field(ge=0.0)] = 1.0
    min_events: Annotated[int, Field(ge=1)] = 1


def sign(mean: float | None, band: float) -> int | None:
    """+1 amity, −1 enmity, 0 neutral (``|mean| ≤ band``), None when unknown."""
    if mean is None or np.isnan(mean):
        return None
    if abs(mean) <= band:
        return 0
    return 1 if mean > 0 else -1


def _classify(signs: dict[tuple[str, str], int | None], countries: Sequence[str]):
    """Type, pivot, wings, pariah and balance from the three signs."""
    values = list(signs.values())
    if any(v is None for v in values):
        return NO_DATA, None, (), None, None
    if any(v == 0 for v in values):
        return INDETERMINATE, None, (), None, None
    pos = [d for d, v in signs.items() if v is not None and v > 0]
    balanced = bool(np.prod([v for v in values if v is not None]) > 0)
    if len(pos) == 3:
        return MENAGE_A_TROIS, None, (), None, balanced
    if len(pos) == 0:
        return UNIT_VETO, None, (), None, balanced
    if len(pos) == 2:
        (a, b), (c, d) = pos
        pivot = ({a, b} & {c, d}).pop()
        wings = tuple(sorted({a, b, c, d} - {pivot}))
        return ROMANTIC_TRIANGLE, pivot, wings, None, balanced
    partners = set(pos[0])
    pariah = next(c for c in countries if c not in partners)
    return STABLE_MARRIAGE, None, tuple(sorted(partners)), pariah, balanced


def _type_codes(draws: np.ndarray, band: float) -> np.ndarray:
    """Vectorised type of each draw; ``draws`` has shape (n, 3) in dyad order."""
    s = np.where(np.abs(draws) <= band, 0, np.sign(draws)).astype(int)
    npos = (s > 0).sum(axis=1)
    code = np.select([npos == 3, npos == 2, npos == 1, npos == 0], [0, 1, 2, 3], 4)
    return np.where((s == 0).any(axis=1), 4, code)


@dataclass(frozen=True, slots=True)
class TriangleType:
    """The triangle in one period.

    ``type`` is the point classification, ``stable_type`` the one reported after
    hysteresis, ``probabilities`` the Monte Carlo probabilities of each type.
    """

    period_start: date
    type: str
    stable_type: str
    pivot: str | None
    wings: tuple[str, ...]
    pariah: str | None
    balanced: bool | None
    signs: dict[str, int | None]
    means: dict[str, float | None]
    probabilities: dict[str, float]

    @property
    def reading(self) -> str:
        """The type if it holds in ≥ 80 % of the draws, else ``"indeterminate (A 55 %,
        B 40 %)"``; the point type without draws."""
        return reading(self.probabilities, fallback=self.type)


@dataclass(frozen=True, slots=True)
class TriangleResults:
    """The triangle type per period, with probabilities and a hysteresis-smoothed type."""

    countries: tuple[str, str, str]
    periods: tuple[TriangleType, ...]
    config: TriangleConfig
    period: str

    def __len__(self) -> int:
        return len(self.periods)

    def _frame(self) -> pl.DataFrame:
        rows = []
        for t in self.periods:
            row: dict[str, Any] = {
                "period": self.period,
                "period_start": t.period_start,
                "type": t.type,
                "reading": t.reading,
                "stable_type": t.stable_type,
                "pivot": t.pivot,
                "wings": ",".join(t.wings) if t.type == ROMANTIC_TRIANGLE else None,
                "partners": ",".join(t.wings) if t.type == STABLE_MARRIAGE else None,
                "pariah": t.pariah,
                "balanced": t.balanced,
            }
            for d in t.signs:
                row[f"sign_{d}"] = t.signs[d]
                row[f"mean_{d}"] = t.means[d]
            for name, col in _PCOL.items():
                row[col] = t.probabilities.get(name, 0.0)
            rows.append(row)
        if not rows:
            return pl.DataFrame(
                schema={"period": pl.Utf8, "period_start": pl.Date, "type": pl.Utf8}
            )
        schema_overrides = {
            "pivot": pl.Utf8,
            "wings": pl.Utf8,
            "partners": pl.Utf8,
            "pariah": pl.Utf8,
            "balanced": pl.Boolean,
        }
        for d in self.periods[0].signs:
            schema_overrides[f"sign_{d}"] = pl.Int8
            schema_overrides[f"mean_{d}"] = pl.Float64
        return pl.DataFrame(rows, schema_overrides=schema_overrides, infer_schema_length=None)

    def to_frame(self) -> pl.DataFrame:
        """One row per period: type, stable type, roles, balance, signs, means, probabilities."""
        return self._frame()

    def timeline(self) -> list[tuple[date, date, str]]:
        """Spells of the stable type: ``(first period start, last period start, type)``."""
        spells: list[tuple[date, date, str]] = []
        for t in self.periods:
            if spells and spells[-1][2] == t.stable_type:
                spells[-1] = (spells[-1][0], t.period_start, t.stable_type)
            else:
                spells.append((t.period_start, t.period_start, t.stable_type))
        return spells

    def summary(self) -> str:
        """The triangle per period: type (its reading: "indeterminate (A 55 %, B 40 %)"
        when under 80 % of the draws), its probability, roles and balance."""
        a, b, c = self.countries
        lines = [
            f"Strategic triangle {a}–{b}–{c} ({self.period}; neutral band ±{self.config.band:g})",
            f"{'period':<10} {'signs':<9} {'type':<18} {'p':>5}  {'stable':<18} roles",
        ]
        glyph = {1: "+", 0: "0", -1: "−", None: "?"}
        for t in self.periods:
            signs = " ".join(glyph[s] for s in t.signs.values())
            p = t.probabilities.get(t.type)
            roles = ""
            if t.pivot:
                roles = f"pivot {t.pivot}; wings {', '.join(t.wings)}"
            elif t.pariah:
                roles = f"pariah {t.pariah}; partners {', '.join(t.wings)}"
            if t.balanced is not None:
                roles += ("; " if roles else "") + ("balanced" if t.balanced else "unbalanced")
            pstr = "" if p is None else f"{p:.2f}"
            lines.append(
                f"{t.period_start.isoformat():<10} {signs:<9} {t.reading:<18} {pstr:>5}  "
                f"{t.stable_type:<18} {roles}"
            )
        return "\n".join(lines)


def _hysteresis(
    types: list[str], probs: list[dict[str, float]], decisive: list[bool], cfg: TriangleConfig
) -> list[str]:
    """Smoothed types: change only on ``switch_periods`` periods with P ≥ switch_prob,
    or at once when the signs are decisive (every dyad beyond band + margin)."""
    out: list[str] = []
    current: str | None = None
    candidate: str | None = None
    run = 0
    for t, p, dec in zip(types, probs, decisive, strict=True):
        if current is None or current == NO_DATA:
            current, candidate, run = t, None, 0
        elif t == NO_DATA:
            pass  # a gap in the data keeps the last type
        elif t == current:
            candidate, run = None, 0
        elif dec:
            current, candidate, run = t, None, 0
        else:
            if p.get(t, 0.0) >= cfg.switch_prob:
                run = run + 1 if candidate == t else 1
                candidate = t
            else:
                candidate, run = None, 0
            if run >= cfg.switch_periods:
                current, candidate, run = t, None, 0
        out.append(current)
    return out


def triangle_types(
    index: Any,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    config: TriangleConfig | None = None,
    *,
    period: str | None = None,
    rng: RNGLike = 0,
    level: float | None = None,
) -> TriangleResults:
    """The Dittmer (1981) type of the triangle among ``countries`` in each period.

    Parameters
    ----------
    index : DyadIndex or polars.DataFrame
        Indices in the Index-frame layout; the ``"all"`` arena (or all arenas pooled)
        gives each symmetric dyad's mean Goldstein and its bootstrap interval.
    countries : three ISO3 codes
    config : TriangleConfig, optional
    period : str, optional
        Re-aggregate to a coarser period first (e.g. ``"year"``).
    rng : int, SeedSequence, Generator or None
        Seed of the Monte Carlo draws (default 0: reproducible). Each period draws from
        its own stream keyed by the triangle and the period, so its probabilities do not
        depend on which other periods are in the run.
    level : float, optional
        The confidence level of the index's intervals; default the ``DyadIndex``'s own
        ``level`` (0.95 for a plain frame). A dyad's draws have sd ``(ci_high − ci_low) /
        (2 z)``, ``z = norm.ppf(0.5 + level / 2)``.

    Returns
    -------
    TriangleResults

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"source": ["CHN", "CHN", "RUS"], "target": ["RUS", "USA", "USA"],
    ...     "arena": ["all"] * 3, "period": ["year"] * 3,
    ...     "period_start": [date(2018, 1, 1)] * 3, "n_events": [30, 30, 30],
    ...     "mean_goldstein": [3.0, -2.0, -3.0]})
    >>> t = triangle_types(f).periods[0]
    >>> t.type, t.pariah
    ('stable marriage', 'USA')
    """
    cfg = config or TriangleConfig()
    codes = _triangle_codes(countries)
    lvl = index_level(index, level)
    z = z_of_level(lvl)
    frame, period_label = _triangle_frame(index, codes, period, lvl)
    dyads: list[tuple[str, str]] = [(min(p), max(p)) for p in combinations(codes, 2)]
    dyads.sort()
    lookup = {(r["source"], r["target"], r["period_start"]): r for r in frame.iter_rows(named=True)}
    starts = sorted(frame["period_start"].unique().to_list())
    root = seed_sequence(rng)
    who = "-".join(sorted(codes))
    pending: list[tuple[date, str, Any, Any, Any, Any, dict, dict, dict, bool]] = []
    for ps in starts:
        signs, means, mus, sds = _period_signs(lookup, dyads, ps, cfg, z)
        by_pair = {pair: signs[f"{pair[0]}-{pair[1]}"] for pair in dyads}
        ttype, pivot, wings, pariah, balanced = _classify(by_pair, codes)
        probs: dict[str, float] = {}
        if ttype != NO_DATA:
            gen = _cell_rng(root, _TRIANGLE_STREAM, who, period_label, ps)
            probs = _type_probabilities(gen, mus, sds, cfg)
        decisive = ttype != NO_DATA and all(
            m is not None and abs(m) > cfg.band + cfg.margin for m in means.values()
        )
        pending.append((ps, ttype, pivot, wings, pariah, balanced, signs, means, probs, decisive))
    stable = _hysteresis(
        [p[1] for p in pending], [p[8] for p in pending], [p[9] for p in pending], cfg
    )
    periods = tuple(
        TriangleType(
            period_start=ps,
            type=ttype,
            stable_type=st,
            pivot=pivot,
            wings=tuple(wings),
            pariah=pariah,
            balanced=balanced,
            signs=signs,
            means=means,
            probabilities=probs,
        )
        for (ps, ttype, pivot, wings, pariah, balanced, signs, means, probs, _), st in zip(
            pending, stable, strict=True
        )
    )
    return TriangleResults(
        countries=(codes[0], codes[1], codes[2]), periods=periods, config=cfg, period=period_label
    )


def _triangle_codes(countries: Sequence[str]) -> tuple[str, ...]:
    """The three country codes, upper-cased; a clear error unless three different."""
    codes = tuple(c.upper() for c in countries)
    if len(codes) != 3 or len(set(codes)) != 3:
        raise ConfigError(
            f"a triangle needs three different countries, got {', '.join(codes) or 'none'}",
            hint="e.g. --countries USA,RUS,CHN",
        )
    return codes


def _triangle_frame(
    index: Any, codes: tuple[str, ...], period: str | None, lvl: float
) -> tuple[pl.DataFrame, str]:
    """The symmetric ``"all"``-arena rows of the triangle's dyads (arenas pooled when the
    index has no ``"all"`` rows), re-aggregated to ``period``, and the period's label."""
    frame = _as_frame(index, lvl).filter(
        pl.col("source").is_in(list(codes)) & pl.col("target").is_in(list(codes))
    )
    frame, period_label = _reperiod(frame, period, None, lvl)
    if "all" in frame["arena"].unique().to_list():
        frame = frame.filter(pl.col("arena") == "all")
    else:
        frame = _pool(
            frame.with_columns(arena=pl.lit("all")),
            ["source", "target", "arena", "period", "period_start"],
            lvl,
        )
    if frame.height == 0:
        raise DataError(
            f"no index rows for the triangle {'–'.join(codes)}",
            hint="measure indices for these countries first (trilateral measure)",
        )
    return frame, period_label


def _period_signs(
    lookup: dict[tuple[Any, Any, Any], dict[str, Any]],
    dyads: list[tuple[str, str]],
    ps: date,
    cfg: TriangleConfig,
    z: float,
) -> tuple[dict[str, int | None], dict[str, float | None], list[float], list[float]]:
    """Per dyad of one period: its sign and mean Goldstein (None with fewer than
    ``min_events`` events), and the mean and standard deviation of its draws."""
    signs: dict[str, int | None] = {}
    means: dict[str, float | None] = {}
    mus, sds = [], []
    for a, b in dyads:
        name = f"{a}-{b}"
        r = lookup.get((a, b, ps))
        m = None
        if r is not None and (r["n_events"] or 0) >= cfg.min_events:
            m = r["mean_goldstein"]
        means[name] = m
        signs[name] = sign(m, cfg.band)
        lo, hi = (r or {}).get("ci_low"), (r or {}).get("ci_high")
        mus.append(np.nan if m is None else float(m))
        sds.append(0.0 if lo is None or hi is None else max((hi - lo) / (2 * z), 0.0))
    return signs, means, mus, sds


def _type_probabilities(
    gen: np.random.Generator, mus: list[float], sds: list[float], cfg: TriangleConfig
) -> dict[str, float]:
    """The share of ``n_draws`` normal draws of the three dyads' means giving each type."""
    draws = gen.normal(np.array(mus), np.array(sds), size=(cfg.n_draws, 3))
    counts = np.bincount(_type_codes(draws, cfg.band), minlength=5)
    return {t: float(c) / cfg.n_draws for t, c in zip(TRIANGLE_TYPES[:5], counts, strict=True)}
