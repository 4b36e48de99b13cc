"""Rolling-origin backtests of the forecast models against the no-change and climatology
baselines: scores, calibrated intervals, and Diebold–Mariano tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from ..config import ARENAS
from ..errors import ConfigError, DataError
from ._backtest_text import summary_text, verdict_lines
from ._calibrate import MIN_CALIBRATION, apply_factors, calibration_factors
from ._forecast import check_common, check_horizon, check_levels
from ._models import BASELINES, Fill, check_models
from ._panel import Panel, evidence_base_of, level_names, panel, parse_dyads, period_floor
from ._rolling import OriginRun, run_origins
from ._scoring import crps_normal, dm_table

__all__ = ["SCORE_COLUMNS", "BacktestResults", "Intervals", "backtest", "origins_between"]

Intervals = Literal["conformal", "model"]

#: Columns of :attr:`BacktestResults.scores` (for the default levels 0.8 and 0.95).
SCORE_COLUMNS: tuple[str, ...] = (
    "model",
    "source",
    "target",
    "arena",
    "horizon",
    "n",
    "mae",
    "rmse",
    "crps",
    "coverage80",
    "coverage95",
    "skill_mae",
    "skill_crps",
    "n_empty",
)
_KEYS = ["origin", "source", "target", "arena", "horizon"]


def _coverage_name(level: float) -> str:
    return "coverage" + level_names(level)[0][2:]


@dataclass(frozen=True, slots=True)
class BacktestResults:
    """Scores of a rolling-origin backtest.

    From each origin, every model is fitted on the periods up to the origin only and
    forecasts ``max(horizons)`` periods ahead; the forecasts are scored against the
    index's observed values. A target period without events has no value: it is not
    scored, and ``n_empty`` counts such cases (they are kept in :attr:`forecasts` with a
    null ``actual``); :meth:`empty_targets` gives the total, and the summary warns above
    20 %.

    Scores per model, dyad, arena and horizon: ``n`` scored forecasts, ``mae``,
    ``rmse``, ``crps`` (continuous ranked probability score of the normal predictive
    distribution, Gneiting & Raftery 2007, via ``properscoring``; a zero-spread forecast
    scores its absolute error), the share of observed values inside the central
    intervals (``coverage80``, ``coverage95``, over the forecasts that have an interval),
    and the skill against no-change, ``1 − score / score_no_change``, on the cases both
    models forecast (``skill_mae``, ``skill_crps``). Whether a skill is significant is
    in :attr:`dm`, not in its sign.

    Intervals (``intervals``): ``"conformal"`` (default) — split-conformal intervals
    whose width comes from the same model's earlier errors at the same horizon, known by
    the origin (:mod:`trilateral.forecast._calibrate`); a forecast with fewer than
    ``min_calibration`` earlier errors has no interval (null bounds). ``"model"`` — the
    models' own normal intervals.

    Attributes
    ----------
    scores : polars.DataFrame
        One row per model × dyad × arena × horizon, :data:`SCORE_COLUMNS`.
    forecasts : polars.DataFrame
        Every forecast: ``origin`` (last day of the last fitted period), ``source``,
        ``target``, ``arena``, ``horizon``, ``period_start``, ``model``, ``mean``,
        ``sd``, the interval bounds, ``actual`` and ``n_events`` of the target period
        (and ``n_calibration``, the earlier errors behind a conformal interval).
    origins : tuple of date
        The origins: the last day of the last period fitted.
    horizons : tuple of int
    models : tuple of str
    notes : tuple of str
        Models that could not forecast some series from some origins, and why.
    provenance : dict
    dm : polars.DataFrame
        Diebold–Mariano tests with the Harvey–Leybourne–Newbold correction of each model
        against each baseline (absolute error), pooled over the dyads (``source`` =
        ``"all"``) and per dyad: ``model, baseline, source, target, arena, horizon, n,
        mean_diff, dm_stat, pvalue``.
    skipped : polars.DataFrame
        Series not forecast from an origin for lack of events before it: ``origin,
        source, target, arena, coverage``.
    evidence_base : str
        The evidence base of the index's rows (``icews``, ``chronicle`` …, or
        ``pooled: …`` when the index mixes bases).
    levels : tuple of float
    intervals : {"conformal", "model"}
    """

    scores: pl.DataFrame
    forecasts: pl.DataFrame
    origins: tuple[date, ...]
    horizons: tuple[int, ...]
    models: tuple[str, ...]
    statistic: str
    period: str
    notes: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    dm: pl.DataFrame = field(default_factory=pl.DataFrame)
    skipped: pl.DataFrame = field(default_factory=pl.DataFrame)
    evidence_base: str = "unknown"
    levels: tuple[float, ...] = (0.8, 0.95)
    intervals: str = "model"

    def to_frame(self) -> pl.DataFrame:
        """The score table (a polars DataFrame)."""
        return self.scores

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``trilateral backtest --json``: scores, coverage beside
        nominal, the Diebold–Mariano tests, the empty targets and the evidence base."""
        cols = [c for c in SCORE_COLUMNS if c not in ("skill_crps", "n_empty")]
        n_empty, total = self.empty_targets()
        return {
            "scores": self.scores.select(cols).to_dicts(),
            "coverage": self.coverage_table().to_dicts(),
            "dm": self.dm.to_dicts(),
            "empty_targets": {"n": n_empty, "of": total},
            "evidence_base": self.evidence_base,
        }

    def empty_targets(self) -> tuple[int, int]:
        """Target periods without events, and all target periods (one model's count)."""
        nc = self.scores.filter(pl.col("model") == "no_change")
        n_empty = int(nc["n_empty"].sum())
        return n_empty, n_empty + int(nc["n"].sum())

    def coverage_table(self) -> pl.DataFrame:
        """Empirical coverage of each level's interval, per model, arena and horizon,
        pooled over the dyads, and per model and arena over every horizon (``horizon``
        null): ``model, arena, horizon, n_intervals, coverage80 …`` (nominal: the level).
        """
        lo0 = level_names(self.levels[0])[0]
        fc = self.forecasts.filter(pl.col("actual").is_not_null() & pl.col(lo0).is_not_null())
        aggs = [
            pl.len().cast(pl.Int64).alias("n_intervals"),
            *[
                ((pl.col("actual") >= pl.col(level_names(lv)[0]))
                 & (pl.col("actual") <= pl.col(level_names(lv)[1])))
                .mean()
                .alias(_coverage_name(lv))
                for lv in self.levels
            ],
        ]  # fmt: skip
        rank = {m: i for i, m in enumerate(self.models)}
        every = (
            fc.group_by("model", "arena")
            .agg(*aggs)
            .with_columns(pl.lit(None, pl.Int64).alias("horizon"))
        )
        per_h = fc.group_by("model", "arena", "horizon").agg(*aggs)
        return (
            pl.concat([every.select(per_h.columns), per_h])
            .with_columns(pl.col("model").replace_strict(rank, default=99).alias("_r"))
            .sort("arena", "horizon", "_r", nulls_last=False)
            .drop("_r")
        )

    def beats_no_change(self) -> pl.DataFrame:
        """Per dyad, arena and horizon: the models with a positive MAE skill (on average;
        see :attr:`dm` for whether it is significant)."""
        return self.scores.filter(
            (pl.col("model") != "no_change") & (pl.col("skill_mae") > 0)
        ).sort(
            "source",
            "target",
            "arena",
            "horizon",
            pl.col("skill_mae"),
            descending=[False, False, False, False, True],
        )

    def summary(self) -> str:
        """The score table (cells with fewer than 20 forecasts marked), coverage beside
        nominal, the Diebold–Mariano verdicts, and the empty targets and skipped series.

        Examples
        --------
        >>> from trilateral.measure import indices
        >>> idx = indices("trilateral.duckdb", period="week", n_boot=0,
        ...               start="2018-01-01", end="2018-09-30")
        >>> bt = backtest(idx, origins=origins_between(idx, "2018-04-01", None),
        ...               horizons=[1], models=["ar"], dyads="USA-RUS,RUS-USA")
        >>> print(bt.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        Rolling-origin backtest of mean_goldstein (weekly), evidence base pooled: chronicle+icews: ...
        """
        return summary_text(self)

    def verdict(self) -> list[str]:
        """Plain sentences: which model is significantly better or worse than which
        baseline (Diebold–Mariano, HLN-corrected, 5 %), and where none is."""
        return verdict_lines(self)


_GROUPS = ["model", "source", "target", "arena", "horizon"]


def _scored_cases(fc: pl.DataFrame, levels: tuple[float, ...]) -> pl.DataFrame:
    """The forecasts with an actual, a mean and an sd, with their error, CRPS and, per
    level, whether the interval covered the actual."""
    ok = fc.filter(
        pl.col("actual").is_not_null() & pl.col("mean").is_not_null() & pl.col("sd").is_not_null()
    )
    crps = crps_normal(ok["actual"].to_numpy(), ok["mean"].to_numpy(), ok["sd"].to_numpy())
    return ok.with_columns(
        (pl.col("mean") - pl.col("actual")).alias("err"),
        pl.Series("crps", crps),
        *[
            pl.when(pl.col(level_names(lv)[0]).is_null())
            .then(None)
            .otherwise(
                (pl.col("actual") >= pl.col(level_names(lv)[0]))
                & (pl.col("actual") <= pl.col(level_names(lv)[1]))
            )
            .cast(pl.Float64)
            .alias(_coverage_name(lv))
            for lv in levels
        ],
    )


def _skill(ok: pl.DataFrame) -> pl.DataFrame:
    """Skill against no-change, on the cases both the model and no-change forecast."""
    nc = ok.filter(pl.col("model") == "no_change").select(
        *_KEYS, pl.col("err").abs().alias("nc_abs"), pl.col("crps").alias("nc_crps")
    )
    return (
        ok.join(nc, on=_KEYS, how="inner")
        .group_by(_GROUPS)
        .agg(
            (1 - pl.col("err").abs().sum() / pl.col("nc_abs").sum()).alias("skill_mae"),
            (1 - pl.col("crps").sum() / pl.col("nc_crps").sum()).alias("skill_crps"),
        )
    )


def _in_score_order(out: pl.DataFrame, levels: tuple[float, ...]) -> pl.DataFrame:
    """The score columns in their documented order, the rows by dyad, horizon and model."""
    cols = [c for c in SCORE_COLUMNS if not c.startswith("coverage")]
    cov = [_coverage_name(lv) for lv in levels]
    at = cols.index("crps") + 1
    order = [*cols[:at], *cov, *cols[at:]]
    model_rank = {m: i for i, m in enumerate(("no_change", "climatology", "ar", "ets", "var"))}
    return (
        out.select(order)
        .with_columns(pl.col("model").replace_strict(model_rank, default=99).alias("_r"))
        .sort("source", "target", "arena", "horizon", "_r")
        .drop("_r")
    )


def _scores(fc: pl.DataFrame, levels: tuple[float, ...]) -> pl.DataFrame:
    ok = _scored_cases(fc, levels)
    groups = _GROUPS
    agg = ok.group_by(groups).agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("err").abs().mean().alias("mae"),
        (pl.col("err") ** 2).mean().sqrt().alias("rmse"),
        pl.col("crps").mean().alias("crps"),
        *[pl.col(_coverage_name(lv)).mean() for lv in levels],
    )
    empty = (
        fc.filter(pl.col("actual").is_null())
        .group_by(groups)
        .agg(pl.len().cast(pl.Int64).alias("n_empty"))
    )
    every = fc.select(groups).unique()
    out = (
        every.join(agg, on=groups, how="left")
        .join(_skill(ok), on=groups, how="left")
        .join(empty, on=groups, how="left")
        .with_columns(pl.col("n").fill_null(0), pl.col("n_empty").fill_null(0))
        .with_columns(pl.col(c).fill_nan(None) for c in ("skill_mae", "skill_crps"))
    )
    return _in_score_order(out, levels)


def _check_horizons(horizons: Sequence[int] | int) -> tuple[int, ...]:
    items = [horizons] if isinstance(horizons, int) else list(horizons)
    out = tuple(sorted({int(h) for h in items}))
    if not out or out[0] < 1:
        raise ConfigError(
            f"horizons must be whole numbers ≥ 1, got {items}", hint="e.g. horizons=(1, 2, 3, 4)"
        )
    check_horizon(out[-1])
    return out


def backtest(
    index: Any,
    origins: Sequence[date | str] | None = None,
    horizons: Sequence[int] | int = (1,),
    models: Sequence[str] | str | None = None,
    *,
    statistic: str = "mean_goldstein",
    arenas: Sequence[str] | str = ("all",),
    dyads: Sequence[str | tuple[str, str]] | str | None = None,
    level: Sequence[float] | float = (0.8, 0.95),
    window: int = 12,
    fill: Fill = "ffill",
    min_train: int = 10,
    max_lag: int = 4,
    min_coverage: float = 0.0,
    intervals: Intervals = "conformal",
    min_calibration: int = MIN_CALIBRATION,
    evidence_base: str | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResults:
    """Rolling-origin backtest: forecast from each origin, score against what happened.

    For each origin the models see only the index rows of the periods that ended by the
    origin: the empty-period fill, the lag orders (BIC), the VAR and AR coefficients,
    the no-change error spread, the climatology window, the choice of series
    (``min_coverage``) and the interval calibration are all computed from those rows.
    The index itself is per period (each cell is computed from that period's events
    only), so no value before the origin depends on a later period.

    Parameters
    ----------
    index : DyadIndex
        From :func:`trilateral.measure.indices`.
    origins : sequence of dates, optional
        The last fitted period is the last one that ends on or before each date (see
        :func:`~trilateral.forecast.origins_between`). Default: every period from the
        ``min_train``-th to the last but one.
    horizons : int or sequence of int
        Periods ahead to score (1 … :data:`~trilateral.forecast.MAX_HORIZON`).
    models : sequence of str, optional
        As in :func:`~trilateral.forecast.forecast` (baselines always run).
    statistic, dyads, level, window, fill, min_train, max_lag
        As in :func:`~trilateral.forecast.forecast`.
    arenas : str or sequence of str
        Index arenas to backtest, each separately (default ``"all"``).
    min_coverage : float
        At each origin, forecast only the series with events in at least this share of
        the trailing ``window`` periods; the others are listed in
        :attr:`BacktestResults.skipped` (default 0: every series).
    intervals : {"conformal", "model"}
        Split-conformal intervals from earlier errors (default) or the models' own.
    min_calibration : int
        Fewest earlier errors behind a conformal interval (the latest 60 are used).
    evidence_base : str, optional
        As in :func:`~trilateral.forecast.forecast`.
    workers : int
        Processes over which the origins are shared (1: in this process). The scores do
        not depend on it.
    progress : callable, optional
        ``progress(done, total)`` with the number of (arena, origin) fits done and to do.

    Returns
    -------
    BacktestResults

    Examples
    --------
    >>> from datetime import date, timedelta
    >>> import numpy as np, polars as pl
    >>> from trilateral.measure import DyadIndex
    >>> rng = np.random.default_rng(1)
    >>> weeks = [date(2018, 1, 1) + timedelta(weeks=t) for t in range(40)]
    >>> walk = {d: np.cumsum(rng.normal(size=40)) for d in ("USA-RUS", "RUS-USA")}
    >>> rows = [
    ...     {"source": d[:3], "target": d[4:], "arena": "all", "period": "week",
    ...      "period_start": w, "n_events": 5, "mean_goldstein": float(walk[d][i])}
    ...     for d in walk for i, w in enumerate(weeks)]
    >>> idx = DyadIndex(pl.DataFrame(rows), ("USA", "RUS"), "week", "events", ("all",))
    >>> bt = backtest(idx, horizons=[1, 2], models=["ar"])
    >>> bt.scores.select("model").unique().height
    3
    >>> bt.dm.filter(pl.col("source") == "all").select("model", "baseline").rows()[:2]
    [('ar', 'no_change'), ('ar', 'no_change')]
    """
    check_common(1, window, fill, min_train)
    hs = _check_horizons(horizons)
    levels = check_levels(level)
    names = check_models(models)
    arena_list = _check_run_options(intervals, min_coverage, arenas, workers)
    plan = _plan(index, arena_list, statistic, dyads, origins, min_train)
    run = _run_plan(
        plan, (names, hs, levels, fill, window, max_lag, min_coverage), workers, progress
    )
    fc = _forecast_frame(run)
    if intervals == "conformal":
        factors = calibration_factors(fc, fc["origin"].unique().to_list(), levels, min_calibration)
        fc = apply_factors(fc, factors, levels, on=["model", "arena", "horizon", "origin"])
    ordered = tuple(sorted({pan.period_end(p) for pan, _c, pos in plan for p in pos}))
    base = evidence_base_of(index, evidence_base)
    config = {
        "origins": [str(d) for d in ordered], "horizons": list(hs), "models": list(names),
        "levels": list(levels), "statistic": statistic, "arenas": arena_list,
        "window": window, "fill": fill, "min_train": min_train, "max_lag": max_lag,
        "min_coverage": min_coverage, "intervals": intervals,
        "min_calibration": min_calibration,
    }  # fmt: skip
    provenance = {"config": config, "evidence_base": base, **plan[0][0].provenance}
    return BacktestResults(
        scores=_scores(fc, levels),
        forecasts=fc.sort("arena", "source", "target", "origin", "horizon", "model"),
        origins=ordered,
        horizons=hs,
        models=names,
        statistic=statistic,
        period=str(getattr(index, "period", "")),
        notes=tuple(_compress_notes(run.notes)),
        provenance=provenance,
        dm=dm_table(fc, BASELINES),
        skipped=_skipped_frame(run),
        evidence_base=base,
        levels=levels,
        intervals=intervals,
    )


def _plan(
    index: Any,
    arena_list: list[str],
    statistic: str,
    dyads: Sequence[str | tuple[str, str]] | str | None,
    origins: Sequence[date | str] | None,
    min_train: int,
) -> list[tuple[Panel, list[int], list[int]]]:
    """Per arena: its panel, the positions of the chosen series and of the origins."""
    chosen = parse_dyads(dyads)
    plan = []
    for arena in arena_list:
        pan = panel(index, arena, statistic)
        plan.append((pan, pan.select(chosen), _positions(pan, origins, min_train)))
    return plan


def _check_run_options(
    intervals: str, min_coverage: float, arenas: Sequence[str] | str, workers: int
) -> list[str]:
    """Check the backtest's options; the arenas to backtest, as a list."""
    if intervals not in ("conformal", "model"):
        raise ConfigError(f"unknown intervals {intervals!r}", hint="use 'conformal' or 'model'")
    if not 0 <= min_coverage <= 1:
        raise ConfigError(f"min_coverage must lie in [0, 1], got {min_coverage}")
    arena_list = [arenas] if isinstance(arenas, str) else list(arenas)
    if not arena_list:
        raise ConfigError("no arena given", hint=f"choose from {', '.join(ARENAS)}, all")
    if workers < 1:
        raise ConfigError(f"workers must be ≥ 1, got {workers}")
    return arena_list


def _forecast_frame(run: OriginRun) -> pl.DataFrame:
    """The forecasts of every origin in one frame, origin first and the outcome last."""
    if not run.frames:
        raise DataError(
            "no origin has a period after it to score (or every series was skipped)",
            hint="choose earlier origins, shorter horizons or a lower min_coverage",
        )
    fc = pl.concat(run.frames, how="vertical")
    fc = fc.select("origin", *[c for c in fc.columns if c not in ("origin", "actual", "n_events")],
                   "actual", "n_events")  # fmt: skip
    if fc.filter(pl.col("actual").is_not_null()).height == 0:
        raise DataError(
            "no forecast has an observed outcome to score against",
            hint="choose earlier origins or shorter horizons",
        )
    return fc


def _skipped_frame(run: OriginRun) -> pl.DataFrame:
    """The series skipped at an origin for too few events, with their coverage."""
    return pl.DataFrame(
        run.skipped,
        schema={"origin": pl.Date, "source": pl.String, "target": pl.String,
                "arena": pl.String, "coverage": pl.Float64},
    )  # fmt: skip


def _run_plan(
    plan: list[tuple[Panel, list[int], list[int]]],
    args: tuple[Any, ...],
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> OriginRun:
    total = sum(len(p[2]) for p in plan)
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    if workers == 1 or total < 2 * workers:
        run = OriginRun()
        for pan, cols, positions in plan:
            run.extend(run_origins(pan, cols, positions, *args, tick=tick))
        return run
    return _parallel(plan, args, workers, tick)


def _compress_notes(notes: list[str]) -> list[str]:
    """Identical reasons from many origins in one line with the count."""
    counts: dict[str, int] = {}
    for n in notes:
        head, _, why = n.partition(": ")
        model = head.split(" from ")[0]
        arena = head.rsplit("(", 1)[-1].rstrip(")")
        key = f"{model} ({arena}): {why}"
        counts[key] = counts.get(key, 0) + 1
    return [f"{k} [{v} origin(s)]" for k, v in counts.items()]


def _positions(pan: Panel, origins: Sequence[date | str] | None, min_train: int) -> list[int]:
    if origins is None:
        first = min_train - 1
        if first > len(pan.periods) - 2:
            raise DataError(
                f"the index has {len(pan.periods)} periods: too few for a backtest with "
                f"min_train={min_train}",
                hint="use a longer window or a shorter period",
            )
        return list(range(first, len(pan.periods) - 1))
    if isinstance(origins, str | date):
        origins = [origins]
    out = sorted({pan.position(o, min_train) for o in origins})
    if not out:
        raise ConfigError("no origin given", hint="e.g. origins=['2018-04-01', '2018-04-08']")
    return out


def _parallel(
    plan: list[tuple[Panel, list[int], list[int]]],
    args: tuple[Any, ...],
    workers: int,
    tick: Callable[[int], None],
) -> OriginRun:
    """Share the (arena, origin) fits among ``workers`` fresh processes ("spawn": a
    forked child of a process whose polars or BLAS threads are running can deadlock).
    Each origin's forecasts depend only on its own training rows, so the result does not
    depend on how the origins are shared; the frames are sorted by the caller."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    tasks: list[tuple[Panel, list[int], list[int]]] = []
    for pan, cols, positions in plan:
        # chunks of a few origins: enough to amortise the transfer, small enough to balance
        step = max(1, len(positions) // (4 * workers))
        tasks += [(pan, cols, positions[i : i + step]) for i in range(0, len(positions), step)]
    run = OriginRun()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(run_origins, pan, cols, pos, *args) for pan, cols, pos in tasks]
        for f, (_pan, _cols, pos) in zip(futures, tasks, strict=True):
            run.extend(f.result())
            tick(len(pos))
    return run


def origins_between(
    index: Any,
    start: date | str | None,
    end: date | str | None,
    arena: str = "all",
    min_train: int = 10,
) -> list[date]:
    """The last day of every period of ``index`` from the period holding ``start``
    (default: the ``min_train``-th period) to the last that ends by ``end`` (default: the
    last but one), for :func:`backtest`'s ``origins``: an origin on a period's last day
    fits that period and nothing after it.

    Examples
    --------
    >>> from trilateral.measure import indices
    >>> idx = indices("trilateral.duckdb", period="week", n_boot=0,
    ...               start="2018-01-01", end="2018-09-30")
    >>> origins_between(idx, "2018-04-01", "2018-04-22")
    [datetime.date(2018, 4, 1), datetime.date(2018, 4, 8), datetime.date(2018, 4, 15), datetime.date(2018, 4, 22)]
    """
    from ..config import as_date, describe_window

    pan = panel(index, arena, "n_events")
    periods = pan.periods
    period = pan.period
    a = as_date(start, "start")
    b = as_date(end, "end")
    lo = period_floor(a, period) if a else periods[min(min_train, len(periods)) - 1]
    ends = [pan.period_end(i) for i in range(len(periods))]
    # the last origin ends by ``end``: a period running on after it would see past it
    hi = b if b else ends[-2]
    out = [e for p, e in zip(periods, ends, strict=True) if lo <= p and e <= hi]
    if not out:
        raise ConfigError(
            f"no period of the index in the window asked for ({describe_window(a, b)}); "
            f"the index runs {describe_window(periods[0], pan.period_end(-1))}",
            hint="choose --start and --end inside the data",
        )
    return out
