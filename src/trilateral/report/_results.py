"""What a report shows: the result objects of the earlier stages, gathered in one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl

from .._rng import RNGLike, seed_sequence
from ..config import DEFAULT_COUNTRIES, DEFAULT_WINDOW, as_date
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


#: A series is forecast from an origin when it had events in at least this share of the
#: 12 months before it (the rule of the demo's forecast step; issue 19, item 12).
FORECAST_MIN_COVERAGE = 0.9
#: Report cells with fewer scored forecasts than this are marked.
SMALL_CELL = 20


def _last_covered_month(index: Any, min_coverage: float, window: int = 12) -> date | None:
    """The last month end at which some directed series had events, and events in
    ``min_coverage`` of the ``window`` months up to it (judged from those months only)."""
    frame = index.frame.filter(pl.col("arena") == "all")
    wide = (
        frame.with_columns((pl.col("n_events") > 0).cast(pl.Float64).alias("_has"))
        .pivot(on=["source", "target"], index="period_start", values="_has")
        .sort("period_start")
        .fill_null(0.0)
    )
    cols = [c for c in wide.columns if c != "period_start"]
    if not cols:
        return None
    share = wide.select(
        "period_start",
        pl.max_horizontal(pl.col(c).rolling_mean(window) * pl.col(c) for c in cols).alias("_best"),
    ).filter(pl.col("_best") >= min_coverage)
    if share.height == 0:
        return None
    start = share["period_start"][-1]
    nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def forecast_section(
    index: Any,
    command: str,
    *,
    horizon: int = 6,
    origins_every: int = 3,
    store: str | Path | None = None,
    base: str = "icews",
) -> StageSection | None:
    """The forecast section: fan charts of the forecast stage and its backtest scores.

    ``index`` is a monthly :class:`~trilateral.measure.DyadIndex`. With ``store`` the
    section forecasts one evidence base of it (``base``, default ICEWS: the
    machine-coded series dense enough to forecast), never the bases pooled. The origin is
    the last month at which some series had events in 90 % of the 12 months before it;
    only such series are forecast (the others are named). The backtest runs from every
    ``origins_every``-th month (horizons 1 … ``horizon``), by the same rule at each origin,
    and calibrates the forecast's intervals (split-conformal). Cells with fewer than 20
    scored forecasts are marked. None when the forecast stage is absent or the series are
    too short to fit (the stage's error says why).
    """
    try:
        from ..forecast import backtest, forecast, origins_between
        from ..measure import base_store, indices
    except ImportError:  # the stage is not installed: no section
        return None
    try:
        evidence = None
        if store is not None:
            with base_store(store, base) as con:
                index = indices(con, countries=index.countries, period="month", n_boot=0)
            evidence = base
        origin = _last_covered_month(index, FORECAST_MIN_COVERAGE)
        if origin is None:
            return None
        cover = FORECAST_MIN_COVERAGE
        every = origins_between(index, None, origin)
        bt = backtest(
            index, origins=every[::-origins_every][::-1], horizons=tuple(range(1, horizon + 1)),
            min_coverage=cover,
        )  # fmt: skip
        fc = forecast(
            index, horizon=horizon, origin=origin, min_coverage=cover, calibration=bt,
            evidence_base=evidence,
        )  # fmt: skip
    except (DataError, ConfigError, np.linalg.LinAlgError):
        return None
    scores = (
        bt.to_frame()
        .sort("source", "target", "horizon", "model")
        .with_columns(
            pl.when(pl.col("n") < SMALL_CELL)
            .then(pl.lit(f"n < {SMALL_CELL}: too few to read"))
            .otherwise(pl.lit(""))
            .alias("caveat")
        )
    )
    said = [ln.strip() for ln in bt.verdict() if "significantly" in ln and " vs " in ln]
    skipped = "; ".join(fc.skipped) or "none"
    return StageSection(
        "forecast",
        "Forecasts: fan charts and backtest scores",
        f"Data: the monthly index (mean Goldstein, all arenas) of {', '.join(index.countries)}, "
        f"evidence base {fc.evidence_base}; {horizon} months ahead of {fc.origin} (last month "
        f"fitted {fc.origin_period}: the last month at which a series had events in "
        f"{cover:.0%} of the 12 before it). Series not forecast: {skipped}. Bands: 80 % and "
        f"95 % split-conformal intervals calibrated on the backtest's earlier errors. The "
        f"table scores the models from {len(bt.origins)} rolling origins (MAE, CRPS, "
        f"coverage, skill against no-change; rows marked n < {SMALL_CELL} are too few to "
        f"read). Diebold–Mariano tests (HLN, Holm): "
        + ("; ".join(said) if said else "no model differs significantly from a baseline")
        + f". Made by trilateral.forecast.forecast and trilateral.forecast.backtest. "
        f"Command: {command}",
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
    reciprocity_base : str or None
        The evidence base whose monthly acts the reciprocity VAR is fitted on
        (:func:`reciprocity_base`); never a pool of bases.
    reciprocity_bands : polars.DataFrame or None
        The VAR's generalised impulse responses with bootstrap bands
        (``ReciprocityResults.irf_bands``); None when the VAR found no dynamics (the
        lag-order criterion chose 0 lags) or was not estimated.
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
    reciprocity_bands: pl.DataFrame | None = None
    reciprocity_base: str | None = None
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
    caveat = next(iter(cmp.results.values())).caveat
    return StageSection(
        "simulate",
        "China's policy options compared (simulation)",
        f"Data: the shipped scenario {scenario!r} of the simulate stage; {runs} runs × "
        f"{periods} periods per policy on the same seeds and coefficient draws; intervals "
        f"are total 95 % (coefficient draws and Monte Carlo noise). "
        + (f"Caveat: {caveat}. " if caveat else "")
        + f"Made by trilateral.simulate.compare_policies. Command: {command}",
        cmp,
        table=cmp.to_frame(),
    )


def stage_sections(
    monthly: Any, command: str, rng: RNGLike = 0, store: str | Path | None = None
) -> tuple[StageSection, ...]:
    """The later stages' sections of a report: the simulate section, then the forecast
    section of ``monthly`` when the forecast stage can fit it (see
    :func:`simulate_section` and :func:`forecast_section`).

    ``trilateral report`` and ``trilateral demo`` both add these; the demo runs its own
    simulation first, so it asks for them after that (the same seed, drawn in the same
    order, gives the same figures). With ``store``, the forecast section forecasts one
    evidence base of it (see :func:`forecast_section`).
    """
    fc = forecast_section(monthly, command, store=store) if monthly is not None else None
    sim = simulate_section(command, rng=rng)
    return tuple(x for x in (sim, fc) if x is not None)


#: Bootstrap draws of the report's impulse-response bands.
RECIPROCITY_BOOT = 300
_BANDS_STREAM = 0x1F8  # the key of the bands' stream under the report's seed


def _reciprocity_bands(recip: Any, seed: np.random.SeedSequence) -> pl.DataFrame | None:
    """The responses with bootstrap bands, unless the VAR found no dynamics (then the
    report shows none: they would read as findings)."""
    if recip is None or recip.no_dynamics:
        return None
    # a keyed child (as _rng.cell_rng keys its streams), not seed.spawn(): spawning would
    # shift the children that the later steps (claims, simulate) draw from the same seed
    child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, _BANDS_STREAM))
    return recip.irf_bands(n_boot=RECIPROCITY_BOOT, rng=child)


def collect_results(
    store: str | Path,
    *,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    start: date | str = DEFAULT_WINDOW[0],
    end: date | str = DEFAULT_WINDOW[1],
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
    Every measure, diagnosis and claim of a store takes tens of seconds with the default
    bootstraps, so the example is not run here; ``tests/views/test_report.py`` runs it.

    >>> res = collect_results("demo-output/trilateral.duckdb")  # doctest: +SKIP
    >>> res.triangle.summary()  # doctest: +SKIP
    """
    from ..diagnose import PerBase, run_claims
    from ..measure import ReciprocityModel, index_of_base, indices, load_events, power_ratios

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
    var_base = reciprocity_base(path, d0, d1, base)
    try:
        var_index = index_of_base(
            path, var_base, countries=codes, period="month", n_boot=0, start=d0, end=d1
        )
        recip = ReciprocityModel(var_index, countries=codes).fit()
    except (DataError, np.linalg.LinAlgError) as exc:
        notes["reciprocity"] = f"reciprocity model not estimated on {var_base}: {exc}"
    bands = _reciprocity_bands(recip, seed)
    tft = _titfortat(path, [d.base for d in diagnoses], codes, d0, d1)
    say("diagnose: claims")
    claims = run_claims(store=path, rng=seed)
    later: tuple[StageSection, ...] = ()
    if sections:
        say("forecast and simulate: fan charts, backtest, the policy comparison")
        later = stage_sections(monthly, cmd, rng=seed, store=path)
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
        reciprocity_base=var_base,
        reciprocity_bands=bands,
        titfortat=tft,
        regimes=regimes,
        triangle=triangle,
        claims=claims,
        sections=later,
        notes=notes,
        provenance={"n_boot": n_boot, "seed_entropy": str(seed.entropy), **yearly.provenance},
    )


def reciprocity_base(path: str, d0: date, d1: date, base: str | None = None) -> str:
    """The evidence base the reciprocity VAR is fitted on: ``base`` when it names one,
    else the base covering the most months of ``d0``–``d1`` (ties: more events, then
    the name). A VAR on a pool of bases would read a change of source as dynamics.

    Raises
    ------
    DataError
        The store has no evidence base.
    """
    from ..measure import covered_share, evidence_bases

    infos = evidence_bases(path, cited=None)
    if base is not None and base != "combined":
        return base
    if not infos:
        raise DataError(f"{path} holds no evidence base")
    months = [
        date(y, m, 1)
        for y in range(d0.year, d1.year + 1)
        for m in range(1, 13)
        if date(d0.year, d0.month, 1) <= date(y, m, 1) <= d1
    ]

    def covered(b: Any) -> int:
        return sum(covered_share(m, "month", b.spans) > 0 for m in months)

    return min(infos, key=lambda b: (-covered(b), -b.n_events, b.name)).name


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
