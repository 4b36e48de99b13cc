"""What a report shows: the result objects of the earlier stages, gathered in one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl

from .._rng import RNGLike, seed_sequence
from ..config import DEFAULT_COUNTRIES, as_date
from ..errors import ConfigError, DataError

__all__ = [
    "FigureResult",
    "ReportResults",
    "StageSection",
    "collect_results",
    "forecast_section",
    "simulate_section",
    "stage_sections",
]


class FigureResult(Protocol):
    """A later stage's result (simulate, forecast): a figure, a frame and a summary."""

    def figure(self) -> Any: ...  # pragma: no cover - protocol

    def to_frame(self) -> pl.DataFrame: ...  # pragma: no cover - protocol

    def summary(self) -> str: ...  # pragma: no cover - protocol


@dataclass(frozen=True, slots=True)
class StageSection:
    """A report section drawn from a result object that offers ``figure()``.

    Attributes
    ----------
    key : str
        The section's HTML id (``"simulate"``, ``"forecast"``).
    title, caption : str
        Heading, and which data and which command made the figure.
    result : object
        Offers ``figure()`` (a plotly Figure), ``to_frame()`` and ``summary()``.
    table : polars.DataFrame, optional
        A table shown under the figure (for example a backtest's scores).
    """

    key: str
    title: str
    caption: str
    result: Any
    table: pl.DataFrame | None = None


def forecast_section(
    index: Any, command: str, *, horizon: int = 6, origins_every: int = 6
) -> StageSection | None:
    """The forecast section: fan charts of the forecast stage and its backtest scores.

    ``index`` is a monthly :class:`~trilateral.measure.DyadIndex`. Calls
    :func:`trilateral.forecast.forecast` (``horizon`` months ahead of the last month)
    and :func:`trilateral.forecast.backtest` from every ``origins_every``-th month
    (horizons 1, 3 and 6). None when the forecast stage is absent or the series are too
    short to fit (the stage's error says why).
    """
    try:
        from ..forecast import backtest, forecast
    except ImportError:  # the stage is not installed: no section
        return None
    try:
        fc = forecast(index, horizon=horizon)
        periods = sorted(set(index.frame["period_start"].to_list()))
        chosen = periods[12:-horizon:origins_every] if len(periods) > 12 + horizon else []
        bt = backtest(index, origins=chosen or None, horizons=(1, 3, horizon))
    except (DataError, ConfigError, np.linalg.LinAlgError):
        return None
    scores = bt.to_frame().sort("source", "target", "horizon", "model")
    return StageSection(
        "forecast",
        "Forecasts: fan charts and backtest scores",
        f"Data: the monthly index (mean Goldstein, all arenas) of {', '.join(index.countries)}; "
        f"{horizon} months ahead of {fc.origin_period} with 80 % and 95 % predictive bands of "
        f"the VAR beside the no-change and climatology baselines; the table scores the models "
        f"from {len(bt.origins)} rolling origins (MAE, CRPS, coverage, skill against no-change). "
        f"Made by trilateral.forecast.forecast and trilateral.forecast.backtest. Command: {command}",
        fc,
        table=scores,
    )


@dataclass(frozen=True, slots=True)
class ReportResults:
    """The results one report (or one dashboard page) draws; any of them may be absent.

    A section of the report is present exactly when its result is not None, so a stage
    that has not run, or could not be estimated on the data (``notes`` says why), simply
    has no section.

    Attributes
    ----------
    store : str or None
        The event store the results were read from.
    countries : tuple of str
    start, end : date
        The window of the event-based results.
    command : str
        The command line that reproduces the report (quoted in every caption).
    index : DyadIndex or None
        Indices with bootstrap intervals (directed; the report shows ``symmetric()``).
    monthly : DyadIndex or None
        Monthly indices without intervals: the series of the reciprocity VAR and of the
        forecast section.
    events : polars.DataFrame or None
        Events with descriptions (``measure.load_events``): the named events marked.
    power, reciprocity, titfortat, regimes, triangle, claims
        The measure and diagnose results.
    sections : tuple of StageSection
        Sections of later stages (simulate, forecast), each with its own figure.
    notes : dict
        Why a section is missing (for example the VAR could not be estimated).
    provenance : dict
        Configuration, seed, version and data hash of the run.
    """

    store: str | None
    countries: tuple[str, ...]
    start: date
    end: date
    command: str
    index: Any = None
    monthly: Any = None
    events: pl.DataFrame | None = None
    power: Any = None
    reciprocity: Any = None
    titfortat: Any = None
    regimes: Any = None
    triangle: Any = None
    claims: Any = None
    sections: tuple[StageSection, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)


def simulate_section(
    command: str,
    *,
    scenario: str = "paper",
    runs: int = 100,
    periods: int = 36,
    rng: RNGLike = 0,
) -> StageSection:
    """The simulate section: the policy comparison of the simulate stage.

    Calls ``trilateral.simulate.compare_policies(load_scenario(scenario), runs=…,
    periods=…, rng=…)`` and embeds its ``figure()`` and ``to_frame()``.
    """
    from ..simulate import GameScenario, compare_policies, load_scenario

    spec = load_scenario(scenario)
    if not isinstance(spec, GameScenario):
        raise ConfigError(
            f"scenario {scenario!r} has no policies to compare", hint="choose a game scenario"
        )
    cmp = compare_policies(spec, runs=runs, periods=periods, rng=rng)
    return StageSection(
        "simulate",
        "China's policy options compared (simulation)",
        f"Data: the shipped scenario {scenario!r} of the simulate stage; {runs} runs × "
        f"{periods} periods per policy on the same seeds. Made by "
        f"trilateral.simulate.compare_policies. Command: {command}",
        cmp,
        table=cmp.to_frame(),
    )


def stage_sections(monthly: Any, command: str, rng: RNGLike = 0) -> tuple[StageSection, ...]:
    """The later stages' sections of a report: the simulate section, then the forecast
    section of ``monthly`` when the forecast stage can fit it (see
    :func:`simulate_section` and :func:`forecast_section`).

    ``trilateral report`` and ``trilateral demo`` both add these; the demo runs its own
    simulation first, so it asks for them after that (the same seed, drawn in the same
    order, gives the same figures).
    """
    fc = forecast_section(monthly, command) if monthly is not None else None
    sim = simulate_section(command, rng=rng)
    return tuple(x for x in (sim, fc) if x is not None)


def collect_results(
    store: str | Path,
    *,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    start: date | str = "2014-01-01",
    end: date | str = "2019-12-31",
    n_boot: int = 200,
    rng: RNGLike = 0,
    command: str | None = None,
    say: Callable[[str], None] | None = None,
    sections: bool = True,
    base: str | None = None,
) -> ReportResults:
    """Run the measure and diagnose stages on ``store`` and gather their results.

    The report draws what this returns; it computes nothing itself. It is the one home
    of the stage sequence ``trilateral report`` and ``trilateral demo`` run (yearly
    indices with ``n_boot`` bootstrap replicates, monthly indices for the VAR,
    tit-for-tat on the events, regimes, triangle, claims): the demo calls it and writes
    its tables from what it returns.

    Parameters
    ----------
    store : path
        The event store (opened read-only).
    countries : sequence of str
        ISO3 codes (three for the triangle section).
    start, end : date or ISO string
        The window of the event-based results.
    n_boot : int
        Bootstrap replicates of the index intervals.
    rng : int, SeedSequence, Generator or None
        Seed of every random draw.
    command : str, optional
        The command quoted in the captions (default: the ``trilateral report`` line).
    say : callable, optional
        Called with a line of progress text per step.
    sections : bool
        Add the later stages' sections (:func:`stage_sections`); False leaves
        ``sections`` empty for a caller that adds them itself (``trilateral demo`` runs
        its simulation first).
    base : str, optional
        The evidence base of the yearly indices, regimes, triangle and tit-for-tat: None
        (default) computes each base of the store apart and sets them side by side (a
        ``base`` column in every frame, one line per base in the index figure, never a
        mixed line; :func:`trilateral.diagnose.diagnose_bases`); a base's name
        (``"chronicle"``, ``"icews"``) only that base; ``"combined"`` every base with
        the cross-dataset dedup. The monthly indices (reciprocity, forecast) and the
        claims (judged per base by themselves) are not affected.

    Raises
    ------
    ConfigError
        ``start`` after ``end``.
    StoreError, DataError
        No store at the path, or no events in it.

    Examples
    --------
    >>> res = collect_results("demo-output/trilateral.duckdb")  # doctest: +SKIP
    >>> res.triangle.summary()  # doctest: +SKIP
    """
    from ..diagnose import PerBase, run_claims
    from ..measure import ReciprocityModel, indices, load_events, power_ratios

    say = say or (lambda _msg: None)
    codes = tuple(c.upper() for c in countries)
    d0, d1 = as_date(start, "start"), as_date(end, "end")
    if d0 is None or d1 is None:
        raise ConfigError("the report needs both --start and --end", hint="give ISO dates")
    if d0 > d1:
        raise ConfigError(f"start {d0} is after end {d1}", hint="swap --start and --end")
    seed = seed_sequence(rng)
    path = str(store)
    cmd = command or (
        f"trilateral report --db {path} --start {d0} --end {d1} --countries {','.join(codes)}"
    )
    notes: dict[str, str] = {}
    say("measure and diagnose: yearly indices with bootstrap intervals, regimes, triangle")
    diagnoses = _diagnoses(path, base, codes, d0, d1, n_boot, seed)
    yearly = _merged_index(diagnoses)
    regimes = PerBase(tuple((d.base, d.regimes) for d in diagnoses))
    triangles = tuple((d.base, d.triangle) for d in diagnoses if d.triangle is not None)
    triangle = PerBase(triangles) if triangles else None
    events = load_events(path, countries=codes, start=d0, end=d1)
    say("measure: power ratios, reciprocity, tit-for-tat")
    power = power_ratios(countries=codes)
    recip = None
    monthly = indices(path, countries=codes, period="month", n_boot=0, start=d0, end=d1)
    try:
        recip = ReciprocityModel(monthly, countries=codes).fit()
    except (DataError, np.linalg.LinAlgError) as exc:
        notes["reciprocity"] = f"reciprocity model not estimated: {exc}"
    tft = _titfortat(path, [d.base for d in diagnoses], codes, d0, d1)
    say("diagnose: claims")
    claims = run_claims(store=path, rng=seed)
    later: tuple[StageSection, ...] = ()
    if sections:
        say("forecast and simulate: fan charts, backtest, the policy comparison")
        later = stage_sections(monthly, cmd, rng=seed)
    return ReportResults(
        store=path,
        countries=codes,
        start=d0,
        end=d1,
        command=cmd,
        index=yearly,
        monthly=monthly,
        events=events,
        power=power,
        reciprocity=recip,
        titfortat=tft,
        regimes=regimes,
        triangle=triangle,
        claims=claims,
        sections=later,
        notes=notes,
        provenance={"n_boot": n_boot, "seed_entropy": str(seed.entropy), **yearly.provenance},
    )


def _diagnoses(
    path: str, base: str | None, codes: tuple[str, ...], d0: date, d1: date, n_boot: int, seed: Any
) -> tuple[Any, ...]:
    """The yearly diagnosis of each evidence base (or of ``base``)."""
    from ..diagnose import diagnose_bases

    return diagnose_bases(
        path,
        bases=None if base is None else [base],
        countries=codes,
        period="year",
        start=d0,
        end=d1,
        n_boot=n_boot,
        rng=seed,
    )


def _merged_index(diagnoses: tuple[Any, ...]) -> Any:
    """The bases' yearly indices side by side (``base`` column), or the one combined."""
    from ..measure import merge_bases

    if len(diagnoses) == 1 and "base" not in diagnoses[0].indices.frame.columns:
        return diagnoses[0].indices  # "combined": every base, deduplicated
    return merge_bases([d.indices for d in diagnoses])


def _titfortat(
    path: str, bases: Sequence[str | None], codes: tuple[str, ...], d0: date, d1: date
) -> Any:
    """Tit-for-tat on each base's acts apart, side by side (``base`` column)."""
    from ..measure import base_store, load_events, match_tit_for_tat, merge_titfortat

    parts = []
    for b in bases:
        if b is None or b == "combined":
            ev = load_events(path, countries=codes, start=d0, end=d1)
            parts.append((b or "all", match_tit_for_tat(ev, countries=codes)))
            continue
        with base_store(path, b) as con:
            ev = load_events(con, countries=codes, start=d0, end=d1)
        parts.append((b, match_tit_for_tat(ev, countries=codes)))
    return merge_titfortat(parts)
