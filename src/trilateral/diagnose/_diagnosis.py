"""One store → indices, regimes per dyad and the strategic triangle: the sequence
``trilateral diagnose``, the report and the demo share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .._rng import RNGLike, seed_sequence
from ..config import DEFAULT_COUNTRIES, as_date
from ..measure import DyadIndex, EngineConfig, conflict_scope, indices
from ._regimes import RegimeConfig, RegimeResults, classify_regimes
from ._triangle import TriangleResults, triangle_types
from ._window import dense_span

__all__ = ["Diagnosis", "diagnose_store"]


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What :func:`diagnose_store` produced: the indices, the regimes, the triangle.

    ``window`` is the (start, end) analysed; ``dense`` is True when it was chosen by
    :func:`dense_span` because no window was given.
    """

    indices: DyadIndex
    regimes: RegimeResults
    triangle: TriangleResults | None
    window: tuple[date | None, date | None]
    dense: bool = False


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

    Examples
    --------
    >>> d = diagnose_store("demo-output/trilateral.duckdb")  # doctest: +SKIP
    >>> print(d.regimes.summary())  # doctest: +SKIP
    """

    seed = seed_sequence(rng)
    first, last = as_date(start, "start"), as_date(end, "end")
    dense = False
    if first is None and last is None:
        yearly = indices(store, countries=countries, period="year", n_boot=0, engine=engine)
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
    )
    scope = conflict_scope(store, countries, period, start=first, end=last, engine=engine)
    regimes = classify_regimes(idx, scope=scope, rng=seed)
    triangle = triangle_types(idx, countries, rng=seed) if len(countries) == 3 else None
    return Diagnosis(idx, regimes, triangle, (first, last), dense)
