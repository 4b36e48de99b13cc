"""One store → indices, regimes per dyad and the strategic triangle: the sequence
``trilateral diagnose``, the report and the demo share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from .._rng import RNGLike, seed_sequence
from ..config import DEFAULT_COUNTRIES, as_date
from ..errors import DataError
from ..measure import (
    COMBINED,
    DyadIndex,
    EngineConfig,
    base_store,
    conflict_scope,
    evidence_bases,
    indices,
)
from ..measure._per_base import _restrict
from ._regimes import RegimeConfig, RegimeResults, classify_regimes
from ._triangle import TriangleResults, triangle_types
from ._window import dense_span

__all__ = ["Diagnosis", "PerBase", "diagnose_bases", "diagnose_store", "window_sensitivity"]


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What :func:`diagnose_store` produced: the indices, the regimes, the triangle.

    ``window`` is the (start, end) analysed; ``dense`` is True when it was chosen by
    :func:`dense_span` because no window was given. ``base`` names the evidence base
    (``"combined"`` for every base with the cross-dataset dedup, None for the store as
    it is).
    """

    indices: DyadIndex
    regimes: RegimeResults
    triangle: TriangleResults | None
    window: tuple[date | None, date | None]
    dense: bool = False
    base: str | None = None

    def regimes_frame(self) -> pl.DataFrame:
        """The regimes' frame with a ``base`` column first."""
        return _with_base(self.regimes.to_frame(), self.base)

    def triangle_frame(self) -> pl.DataFrame | None:
        """The triangle's frame with a ``base`` column first (None without a triangle)."""
        return None if self.triangle is None else _with_base(self.triangle.to_frame(), self.base)


@dataclass(frozen=True, slots=True)
class PerBase:
    """Results of one kind (regimes, triangle types) for several evidence bases, side by
    side: :meth:`to_frame` stacks each base's frame under a ``base`` column and
    :meth:`summary` gives each base's summary under its name; nothing is pooled.

    Examples
    --------
    >>> ds = diagnose_bases("trilateral.duckdb", countries=("USA", "RUS"), n_boot=0,
    ...     start="2014-01-01", end="2019-12-31")
    >>> regimes = PerBase(tuple((d.base, d.regimes) for d in ds))
    >>> regimes.to_frame().group_by("base").len().sort("base").rows()
    [('chronicle', 6), ('icews', 3)]
    """

    parts: tuple[tuple[str | None, Any], ...]

    def __len__(self) -> int:
        return sum(len(r) for _, r in self.parts)

    def get(self, base: str) -> Any:
        """One base's result (KeyError if absent)."""
        for b, r in self.parts:
            if b == base:
                return r
        raise KeyError(base)

    def to_frame(self) -> pl.DataFrame:
        """Every base's frame, a ``base`` column first."""
        return pl.concat(
            [_with_base(r.to_frame(), b) for b, r in self.parts], how="diagonal_relaxed"
        )

    def summary(self) -> str:
        """Each base's summary under its name."""
        return "\n\n".join(f"[{b}]\n{r.summary()}" for b, r in self.parts)


def _with_base(frame: pl.DataFrame, base: str | None) -> pl.DataFrame:
    return frame.with_columns(pl.lit(base, pl.String).alias("base")).select(
        "base", pl.exclude("base")
    )


def diagnose_bases(
    store: str | Path, bases: Sequence[str] | None = None, **kwargs: Any
) -> tuple[Diagnosis, ...]:
    """:func:`diagnose_store` on each evidence base of ``store`` apart (or on ``bases``;
    ``"combined"`` is every base with the cross-dataset dedup), one :class:`Diagnosis`
    each, in order; each chooses its own dense window unless ``start``/``end`` are
    given. Every frame of a result carries its ``base``.

    Examples
    --------
    >>> ds = diagnose_bases("trilateral.duckdb", countries=("USA", "RUS"), n_boot=0)
    >>> [(d.base, str(d.window[0]), str(d.window[1])) for d in ds]
    [('chronicle', '2014-01-01', 'None'), ('icews', '2007-01-01', '2015-12-31')]
    >>> ds[1].regimes_frame()["base"].unique().to_list()
    ['icews']
    """
    names = list(bases) if bases else [b.name for b in evidence_bases(store, cited=None)]
    return tuple(diagnose_store(store, base=name, **kwargs) for name in names)


def diagnose_store(
    store: str | Path,
    *,
    countries: tuple[str, ...] = DEFAULT_COUNTRIES,
    period: str = "year",
    start: date | str | None = None,
    end: date | str | None = None,
    n_boot: int = 200,
    rng: RNGLike = 0,
    progress: Callable[[int, int], None] | None = None,
    engine: str | EngineConfig | None = None,
    base: str | None = None,
) -> Diagnosis:
    """Indices, regimes per dyad and the strategic triangle from one store: the sequence
    ``trilateral diagnose`` and the report (:func:`trilateral.report.collect_results`)
    both run.

    With neither ``start`` nor ``end``, the window is :func:`dense_span` of the yearly
    index at the regime rules' ``min_events`` (every dyad has enough events to be
    classified), so a few early rows do not add years of "insufficient data".

    Parameters
    ----------
    store : path
        The event store.
    countries : tuple of str
        ISO3 codes; the triangle needs three.
    period : str
        The index period ("month", "quarter", "year").
    start, end : date or ISO text, optional
        The window analysed.
    n_boot : int
        Bootstrap replicates of the index intervals.
    rng : int, SeedSequence, Generator or None
        Resolved once; the index bootstrap, the regimes and the triangle draw from it.
    progress : callable, optional
        ``progress(done, total)`` of the bootstrap.
    engine : {"duckdb", "spark"} or EngineConfig, optional
        Where the index and scope queries run (default DuckDB; docs/scale.md).
    base : str, optional
        One evidence base (``"chronicle"``, ``"icews"``, …): the rows of that base only,
        acts not reports (``collapse_duplicates``), the periods it does not cover left
        out (:func:`~trilateral.measure.index_of_base`); ``"combined"``: every base
        with the cross-dataset dedup. None: the store's rows as they are.

    Examples
    --------
    >>> d = diagnose_store("demo-output/trilateral.duckdb", base="chronicle",
    ...     countries=("USA", "RUS"), n_boot=0, start="2016-01-01", end="2019-12-31")
    >>> [(r.period_start.year, r.reading) for r in d.regimes.regimes]
    [(2016, 'limited opponents'), (2017, 'limited opponents'), (2018, 'limited opponents'), (2019, 'limited partnership')]
    """

    if base is not None and base != COMBINED:
        info = {b.name: b for b in evidence_bases(store, cited=None)}.get(base)
        if info is None:
            from ..errors import ConfigError

            raise ConfigError(f"the store has no evidence base {base!r}")
        with base_store(store, base) as con:
            d = _diagnose(
                con,
                countries,
                period,
                start,
                end,
                n_boot,
                rng,
                progress,
                engine,
                {"collapse_duplicates": True},
                lambda idx: _restrict(idx, info),
            )
        return Diagnosis(d.indices, d.regimes, d.triangle, d.window, d.dense, base)
    extra = {"collapse_duplicates": True, "dedup": "cross-dataset"} if base == COMBINED else {}
    d = _diagnose(store, countries, period, start, end, n_boot, rng, progress, engine, extra)
    return Diagnosis(d.indices, d.regimes, d.triangle, d.window, d.dense, base)


@dataclass(frozen=True, slots=True)
class _Run:
    indices: DyadIndex
    regimes: RegimeResults
    triangle: TriangleResults | None
    window: tuple[date | None, date | None]
    dense: bool


def _diagnose(
    store: Any,
    countries: tuple[str, ...],
    period: str,
    start: date | str | None,
    end: date | str | None,
    n_boot: int,
    rng: RNGLike,
    progress: Callable[[int, int], None] | None,
    engine: str | EngineConfig | None,
    extra: dict[str, Any],
    restrict: Callable[[DyadIndex], DyadIndex] | None = None,
) -> _Run:
    seed = seed_sequence(rng)
    first, last = as_date(start, "start"), as_date(end, "end")
    dense = False
    if first is None and last is None:
        yearly = indices(
            store, countries=countries, period="year", n_boot=0, engine=engine, **extra
        )
        span = dense_span(yearly, RegimeConfig().min_events)
        if span is not None:
            (first, last), dense = span, True
    idx = indices(
        store,
        countries=countries,
        period=period,
        n_boot=n_boot,
        rng=seed,
        start=first,
        end=last,
        progress=progress,
        engine=engine,
        **extra,
    )
    if restrict is not None:
        idx = restrict(idx)
    scope = conflict_scope(store, countries, period, start=first, end=last, engine=engine)
    regimes = classify_regimes(idx, scope=scope, rng=seed)
    triangle = None
    if len(countries) == 3:
        try:
            triangle = triangle_types(idx, countries, rng=seed)
        except DataError:
            if restrict is None:  # the store as a whole must hold the triangle
                raise
            # one evidence base without rows for a country of the triangle: no triangle
            # for that base (its regimes still stand)
    return _Run(idx, regimes, triangle, (first, last), dense)


def window_sensitivity(
    store: str | Path, diagnosis: Diagnosis, shift_years: int = 1, **kwargs: Any
) -> pl.DataFrame:
    """How the labels move when the window's start moves by ``shift_years`` either way.

    ``diagnosis`` is re-run (same base, same end, ``kwargs`` as for
    :func:`diagnose_store`) from ``start − shift_years`` and ``start + shift_years``.
    One row per shift and period: ``base, shift_years, window_start, period_start``,
    the triangle's ``triangle_type``, ``triangle_stable_type`` (hysteresis: it depends on
    where the window starts) and ``triangle_reading``, and one ``regime_<dyad>`` column
    per dyad with its regime reading. Empty when the window has no start; a shift that
    would start after the window's end is left out.

    Examples
    --------
    >>> (d,) = diagnose_bases("trilateral.duckdb", ["chronicle"], n_boot=0,
    ...     start="2015-01-01", end="2019-12-31")
    >>> w = window_sensitivity("trilateral.duckdb", d, n_boot=0)
    >>> sorted(set(zip(w["shift_years"], w["window_start"].cast(str))))
    [(-1, '2014-01-01'), (0, '2015-01-01'), (1, '2016-01-01')]
    """
    first, last = diagnosis.window
    if first is None:
        return pl.DataFrame()
    rows: list[dict[str, Any]] = []
    for shift in (-shift_years, 0, shift_years):
        start = date(first.year + shift, first.month, min(first.day, 28))
        if last is not None and start > last:  # the window would be empty
            continue
        d = (
            diagnosis
            if shift == 0
            else diagnose_store(store, base=diagnosis.base, start=start, end=last, **kwargs)
        )
        tri = {t.period_start: t for t in (d.triangle.periods if d.triangle else ())}
        by_period: dict[date, dict[str, Any]] = {}
        for r in d.regimes.regimes:
            by_period.setdefault(r.period_start, {})[f"regime_{r.dyad}"] = r.reading
        for ps in sorted(set(by_period) | set(tri)):
            t = tri.get(ps)
            rows.append(
                {
                    "base": diagnosis.base,
                    "shift_years": shift,
                    "window_start": start,
                    "period_start": ps,
                    "triangle_type": None if t is None else t.type,
                    "triangle_stable_type": None if t is None else t.stable_type,
                    "triangle_reading": None if t is None else t.reading,
                    **by_period.get(ps, {}),
                }
            )
    return pl.DataFrame(rows)
