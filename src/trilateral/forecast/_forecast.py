"""Forecasts of dyad indices from one origin, with predictive intervals for every model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from ..errors import ConfigError, DataError
from ._calibrate import MIN_CALIBRATION, apply_factors, calibration_factors
from ._models import FILLS, Fill, ModelOutput, check_models, fit_to_origin
from ._panel import Panel, evidence_base_of, future_periods, level_names, panel, parse_dyads

__all__ = [
    "MAX_HORIZON",
    "ForecastResults",
    "check_common",
    "check_horizon",
    "check_levels",
    "forecast",
    "forecast_rows",
]

#: The longest horizon :func:`forecast` and :func:`~trilateral.forecast.backtest` accept,
#: in periods (two years of months; the CLI refuses more before it reads the store).
MAX_HORIZON = 24

_LONG = ("source", "target", "arena", "period_start", "horizon", "model", "mean", "sd")


def check_levels(level: Sequence[float] | float) -> tuple[float, ...]:
    """Interval levels as a sorted tuple in (0, 1)."""
    items = [level] if isinstance(level, float | int) else list(level)
    out = tuple(sorted({float(x) for x in items}))
    if not out or any(not 0 < x < 1 for x in out):
        raise ConfigError(f"levels must lie in (0, 1), got {items}", hint="e.g. level=(0.8, 0.95)")
    return out


def check_horizon(horizon: Any) -> int:
    """``horizon`` as a whole number in 1 … :data:`MAX_HORIZON`; else a ConfigError with
    the cap (the library and the CLI share this check).

    Examples
    --------
    >>> check_horizon(6)
    6
    >>> from trilateral.errors import ConfigError
    >>> try:
    ...     check_horizon(10000)
    ... except ConfigError as exc:
    ...     print(str(exc).splitlines()[0])
    horizon 10000 is over the cap of 24 periods
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ConfigError(
            f"horizon must be a whole number of periods ≥ 1, got {horizon!r}",
            hint="e.g. horizon=4 for four periods ahead",
        )
    if horizon > MAX_HORIZON:
        raise ConfigError(
            f"horizon {horizon} is over the cap of {MAX_HORIZON} periods",
            hint=f"ask for at most {MAX_HORIZON} periods, or use a longer period (quarter)",
        )
    return int(horizon)


def check_common(horizon: int, window: int, fill: str, min_train: int) -> None:
    """Check the options :func:`forecast` and :func:`~trilateral.forecast.backtest` share."""
    check_horizon(horizon)
    if window < 2:
        raise ConfigError(f"the climatology window must be ≥ 2 periods, got {window}")
    if fill not in FILLS:
        raise ConfigError(f"unknown fill {fill!r}", hint=f"use one of {', '.join(FILLS)}")
    if min_train < 3:
        raise ConfigError(f"min_train must be ≥ 3 periods, got {min_train}")


def forecast_rows(
    outputs: dict[str, ModelOutput],
    pan: Panel,
    cols: list[int],
    targets: list[date],
    levels: tuple[float, ...],
) -> pl.DataFrame:
    """The long table of forecasts (one row per series × horizon × model)."""
    h = len(targets)
    k = len(cols)
    frames = []
    for name, out in outputs.items():
        mean = out.mean[:, cols]
        sd = out.sd[:, cols]
        d: dict[str, Any] = {
            "source": np.repeat([pan.series[c][0] for c in cols], h),
            "target": np.repeat([pan.series[c][1] for c in cols], h),
            "arena": pan.arena,
            "period_start": targets * k,
            "horizon": np.tile(np.arange(1, h + 1, dtype=np.int64), k),
            "model": name,
            "mean": mean.T.ravel(),
            "sd": sd.T.ravel(),
        }
        for lvl in levels:
            z = float(stats.norm.ppf(0.5 + lvl / 2))
            lo, hi = level_names(lvl)
            d[lo] = d["mean"] - z * d["sd"]
            d[hi] = d["mean"] + z * d["sd"]
        frames.append(pl.DataFrame(d).with_columns(pl.col("period_start").cast(pl.Date)))
    out_frame = pl.concat(frames)
    return out_frame.with_columns(
        pl.col(c).fill_nan(None) for c in out_frame.columns[len(_LONG) - 2 :]
    )


@dataclass(frozen=True, slots=True)
class ForecastResults:
    """Forecasts of one arena of a dyad index from one origin.

    Every model gives a normal predictive distribution per dyad and horizon (``mean``,
    ``sd``) and its central intervals at each level (``lo80``/``hi80`` …). The baselines
    are no-change (the last value; its sd is the root mean square of the training
    window's own h-step changes) and climatology (the mean of the observed values over
    the trailing ``window`` periods; sd of those values). ``ar`` is an AR(p) per series,
    ``ets`` simple exponential smoothing per series, ``var`` the reciprocity VAR over
    every directed series of the triad (Goldstein & Freeman, 1990).

    Attributes
    ----------
    frame : polars.DataFrame
        ``source, target, arena, period_start, horizon, model, mean, sd, lo80, hi80,
        lo95, hi95`` (one interval pair per level); null where a model could not
        forecast a series (see ``notes``).
    history : polars.DataFrame
        The forecast series over the whole index: ``source, target, arena,
        period_start, value`` (null in a period without events) and ``n_events``.
    origin : date
        The origin as given (default: the start of the index's last period).
    origin_period : date
        Start of the last period used for fitting (the period holding ``origin``).
    period, statistic, arena : str
        What was forecast.
    horizon : int
        Periods ahead.
    levels : tuple of float
        Interval levels.
    models : tuple of str
        Models run (the baselines always).
    notes : tuple of str
        One line per model that could not forecast some series, and why.
    provenance : dict
        Configuration, package version and the index's data hash.
    evidence_base : str
        The evidence base of the forecast series (``icews``, ``chronicle``, ``pooled: …``
        when the index mixes bases, ``unknown`` when nothing says).
    skipped : tuple of str
        Requested dyads not forecast for too few periods with events before the origin
        (``min_coverage``), each with its share.
    intervals : str
        ``"model"`` (the models' normal intervals) or ``"conformal"`` (calibrated on a
        backtest's errors known by the origin).
    """

    frame: pl.DataFrame
    history: pl.DataFrame
    origin: date
    origin_period: date
    period: str
    statistic: str
    arena: str
    horizon: int
    levels: tuple[float, ...]
    models: tuple[str, ...]
    notes: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    evidence_base: str = "unknown"
    skipped: tuple[str, ...] = ()
    intervals: str = "model"

    def to_frame(self) -> pl.DataFrame:
        """The forecasts (a polars DataFrame)."""
        return self.frame

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``trilateral forecast --json``."""
        cols = ["source", "target", "arena", "period_start", "model", "mean"]
        for lvl in self.levels:
            cols += list(level_names(lvl))
        rows = self.frame.select(cols).with_columns(pl.col("period_start").cast(pl.String))
        return {
            "origin": self.origin.isoformat(),
            "period": self.period,
            "statistic": self.statistic,
            "evidence_base": self.evidence_base,
            "intervals": self.intervals,
            "skipped": list(self.skipped),
            "provenance": self.provenance,
            "forecasts": rows.to_dicts(),
        }

    def dyads(self) -> list[tuple[str, str]]:
        """The forecast dyads, in order."""
        return list(self.frame.select("source", "target").unique(maintain_order=True).iter_rows())

    def summary(self) -> str:
        """Per dyad, the last observed value and each model's forecast at the last horizon.

        Examples
        --------
        >>> from trilateral.measure import base_store, indices
        >>> with base_store("trilateral.duckdb", "icews") as con:
        ...     idx = indices(con, period="month", n_boot=0, start="2005-01-01",
        ...                   end="2015-12-31")
        >>> res = forecast(idx, horizon=3, origin="2015-09-30", dyads="USA-RUS",
        ...                evidence_base="icews")
        >>> print(res.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        Forecast of mean_goldstein (monthly, arena all) from origin 2015-09-30 (last period
        fitted: 2015-09-01), 3 period(s) ahead; evidence base icews; intervals: model
        ...
        """
        lo, hi = level_names(max(self.levels))
        pct = f"{max(self.levels) * 100:g}%"
        lines = [
            f"Forecast of {self.statistic} ({self.period}ly, arena {self.arena}) from origin "
            f"{self.origin} (last period fitted: {self.origin_period}), {self.horizon} "
            f"period(s) ahead; evidence base {self.evidence_base}; intervals: {self.intervals}",
            f"{'dyad':<9} {'last obs':>9}  {'model':<12} {'h=1':>7} "
            f"{'h=' + str(self.horizon):>7}  {pct + ' interval at h=' + str(self.horizon):>26}",
        ]
        for s, t in self.dyads():
            hist = self.history.filter(
                (pl.col("source") == s)
                & (pl.col("target") == t)
                & (pl.col("period_start") <= self.origin_period)
            ).drop_nulls("value")
            last = f"{hist['value'][-1]:+.2f}" if hist.height else "none"
            for m in self.models:
                sub = self.frame.filter(
                    (pl.col("source") == s) & (pl.col("target") == t) & (pl.col("model") == m)
                ).sort("horizon")
                first, end = sub.row(0, named=True), sub.row(-1, named=True)

                def num(v: float | None, spec: str = ">+7.2f") -> str:
                    return format(v, spec) if v is not None else f"{'n/a':>7}"

                if end[lo] is None:
                    band = "not available"
                else:
                    band = f"[{end[lo]:+7.2f}, {end[hi]:+7.2f}]"
                text = f"{num(first['mean'])} {num(end['mean'])}  {band}"
                lines.append(f"{s + '→' + t:<9} {last:>9}  {m:<12} {text}")
                last = ""
        if self.skipped:
            lines += ["", "Not forecast (too few periods with events before the origin):"]
            lines += [f"  {x}" for x in self.skipped]
        if self.notes:
            lines += ["", "Notes:", *[f"  {n}" for n in self.notes]]
        lines.append(f"\ntrilateral {self.provenance.get('version', '')}")
        return "\n".join(lines)

    def figure(
        self, source: str | None = None, target: str | None = None, model: str = "var"
    ) -> Any:
        """A plotly fan chart: history, ``model``'s 80 % and 95 % bands, the baselines.

        With no dyad given, one panel per dyad. See :func:`~trilateral.forecast.fan_chart`.
        """
        from ._figures import fan_chart

        return fan_chart(self, source, target, model=model)


def forecast(
    index: Any,
    horizon: int = 4,
    models: Sequence[str] | str | None = None,
    level: Sequence[float] | float = (0.8, 0.95),
    origin: date | str | None = None,
    *,
    statistic: str = "mean_goldstein",
    arena: str = "all",
    dyads: Sequence[str | tuple[str, str]] | str | None = None,
    window: int = 12,
    fill: Fill = "ffill",
    min_train: int = 10,
    max_lag: int = 4,
    min_coverage: float = 0.0,
    calibration: Any = None,
    evidence_base: str | None = None,
) -> ForecastResults:
    """Forecast a dyad index ``horizon`` periods ahead of ``origin``.

    Parameters
    ----------
    index : DyadIndex
        From :func:`trilateral.measure.indices`, any period (week, month, quarter …).
        Directed, for the VAR; an undirected index (``.symmetric()``) gets every model
        but the VAR.
    horizon : int
        Periods ahead (≥ 1).
    models : sequence of str, optional
        Among ``no_change``, ``climatology``, ``ar``, ``ets``, ``var``; the two
        baselines always run. Default: ``no_change, climatology, ar, var``.
    level : float or sequence of float
        Levels of the central predictive intervals.
    origin : date or ISO string, optional
        The last period fitted is the one holding this date; nothing after it is used.
        Default: the index's last period.
    statistic : str
        The index column forecast (default the weighted mean Goldstein score).
    arena : str
        The index arena (default ``"all"``, every event of the dyad).
    dyads : sequence, optional
        Directed dyads to report (``"USA-RUS"`` is USA→RUS); default all. The VAR is
        always fitted on every directed series of the index's countries.
    window : int
        Trailing window of the climatology, in periods (empty periods in it are skipped).
    fill : {"ffill", "zero"}
        What an empty period (no events) becomes for the models: the last observed value
        or 0 (see :func:`~trilateral.forecast.fill_series`).
    min_train : int
        Fewest periods up to the origin.
    max_lag : int
        Largest AR order tried per series (capped at one lag per 5 training periods).
    min_coverage : float
        Forecast only the requested dyads with events in at least this share of the
        trailing ``window`` periods up to the origin; the others are named in
        ``skipped`` (default 0: every dyad).
    calibration : BacktestResults, optional
        Conformal intervals: each model's interval width from that backtest's errors at
        the same horizon whose target period had ended by the origin (see
        :func:`~trilateral.forecast.backtest`); with fewer than 30 such errors a model has
        no interval (null bounds, and a note). Default: the models' normal intervals.
    evidence_base : str, optional
        The evidence base of the index's rows, when the caller knows it (an index of
        :func:`trilateral.measure.base_store`); default: from the index's store.

    Returns
    -------
    ForecastResults

    Raises
    ------
    ConfigError
        A horizon below 1 or over :data:`MAX_HORIZON`, an origin outside the data or too
        early, an unknown model or dyad.
    DataError
        A requested dyad has no events up to the origin.

    Examples
    --------
    >>> from datetime import date, timedelta
    >>> import numpy as np, polars as pl
    >>> from trilateral.measure import DyadIndex
    >>> rng = np.random.default_rng(0)
    >>> weeks = [date(2018, 1, 1) + timedelta(weeks=t) for t in range(40)]
    >>> rows = [
    ...     {"source": s, "target": t, "arena": "all", "period": "week", "period_start": w,
    ...      "n_events": 5, "mean_goldstein": float(rng.normal())}
    ...     for s, t in [("USA", "RUS"), ("RUS", "USA")] for w in weeks]
    >>> idx = DyadIndex(pl.DataFrame(rows), ("USA", "RUS"), "week", "events", ("all",))
    >>> res = forecast(idx, horizon=3)
    >>> sorted(res.to_frame()["model"].unique())
    ['ar', 'climatology', 'no_change', 'var']
    >>> res.to_frame().height  # 2 dyads × 3 horizons × 4 models
    24
    """
    check_common(horizon, window, fill, min_train)
    levels = check_levels(level)
    names = check_models(models)
    if not 0 <= min_coverage <= 1:
        raise ConfigError(f"min_coverage must lie in [0, 1], got {min_coverage}")
    pan = panel(index, arena, statistic)
    cols = pan.select(parse_dyads(dyads))
    pos = pan.position(origin, min_train)
    _check_has_events(pan, pos, cols)
    cols, skipped = _enough_data(pan, pos, cols, window, min_coverage)
    outputs = fit_to_origin(pan, pos, names, horizon, fill=fill, window=window, max_lag=max_lag)
    targets = future_periods(pan.periods[pos], pan.period, horizon)
    frame = forecast_rows(outputs, pan, cols, targets, levels)
    frame, said = _calibrate(frame, calibration, pan, pos, statistic, levels)
    notes = [f"{m}: {o.note}" for m, o in outputs.items() if o.note] + said
    origin_date = _origin_date(pan, pos, origin)
    base = evidence_base_of(index, evidence_base)
    config = {
        "horizon": horizon, "models": list(names), "levels": list(levels),
        "origin": str(origin_date), "origin_period": str(pan.periods[pos]),
        "statistic": statistic, "arena": arena, "period": pan.period, "window": window,
        "fill": fill, "min_train": min_train, "max_lag": max_lag,
        "min_coverage": min_coverage, "calibrated": calibration is not None,
        "countries": list(pan.countries),
    }  # fmt: skip
    return ForecastResults(
        frame=frame,
        history=_history(pan, cols),
        origin=origin_date,
        origin_period=pan.periods[pos],
        period=pan.period,
        statistic=statistic,
        arena=arena,
        horizon=horizon,
        levels=levels,
        models=names,
        notes=tuple(notes),
        provenance={"config": config, "evidence_base": base, **pan.provenance},
        evidence_base=base,
        skipped=tuple(skipped),
        intervals="conformal" if calibration is not None else "model",
    )


def _check_has_events(pan: Panel, pos: int, cols: list[int]) -> None:
    """Fail when a requested series has no events up to origin row ``pos``."""
    train = pan.values[: pos + 1]
    empty = [f"{pan.series[c][0]}-{pan.series[c][1]}" for c in cols if np.isnan(train[:, c]).all()]
    if empty:
        raise DataError(
            f"dyad(s) {', '.join(empty)} have no events in arena {pan.arena!r} up to "
            f"{pan.period_end(pos)}: there is nothing to forecast from",
            hint="choose other dyads (--dyads), another arena or a later origin",
        )


def _origin_date(pan: Panel, pos: int, origin: date | str | None) -> date:
    """The origin as given (a date), else the end of origin row ``pos``."""
    origin_date = pan.period_end(pos) if origin is None else origin
    if isinstance(origin_date, str):
        origin_date = date.fromisoformat(origin_date)
    return origin_date


def _enough_data(
    pan: Panel, pos: int, cols: list[int], window: int, min_coverage: float
) -> tuple[list[int], list[str]]:
    """The requested series with enough periods with events before the origin (the rule
    of :func:`~trilateral.forecast.backtest`'s ``min_coverage``), and the others, named."""
    from ._rolling import coverage_at

    share = coverage_at(pan, pos, cols, window)
    keep = [c for c, x in zip(cols, share, strict=True) if x >= min_coverage]
    skipped = [
        f"{pan.series[c][0]}→{pan.series[c][1]}: events in {x:.0%} of the last {window} "
        f"{pan.period}s, below {min_coverage:.0%}"
        for c, x in zip(cols, share, strict=True)
        if x < min_coverage
    ]
    if not keep:
        raise DataError(
            "no requested dyad has events in enough periods before the origin: "
            + "; ".join(skipped),
            hint="lower min_coverage, choose a later origin or other dyads",
        )
    return keep, skipped


def _calibrate(
    frame: pl.DataFrame,
    calibration: Any,
    pan: Panel,
    pos: int,
    statistic: str,
    levels: tuple[float, ...],
) -> tuple[pl.DataFrame, list[str]]:
    """Conformal bounds from the backtest's errors whose target had ended by the origin
    (the model's own bounds when ``calibration`` is None), and notes on what was not."""
    if calibration is None:
        return frame, []
    if (calibration.statistic, calibration.period) != (statistic, pan.period):
        raise ConfigError(
            f"the calibration backtest is of {calibration.statistic} ({calibration.period}ly), "
            f"the forecast of {statistic} ({pan.period}ly)",
            hint="calibrate with a backtest of the same statistic and period",
        )
    origin = pan.period_end(pos)
    past = calibration.forecasts.filter(pl.col("period_start") <= pan.periods[pos])
    factors = calibration_factors(past, [origin], levels, MIN_CALIBRATION)
    out = apply_factors(frame, factors.drop("origin"), levels, on=["model", "arena", "horizon"])
    lo = level_names(levels[0])[0]
    bare = out.filter(pl.col(lo).is_null() & pl.col("mean").is_not_null())
    said = [
        f"{m}: fewer than {MIN_CALIBRATION} backtest errors known by the origin: no "
        "calibrated interval"
        for m in bare["model"].unique(maintain_order=True).to_list()
    ]
    return out.drop("n_calibration"), said


def _history(pan: Panel, cols: list[int]) -> pl.DataFrame:
    t = len(pan.periods)
    return pl.DataFrame(
        {
            "source": np.repeat([pan.series[c][0] for c in cols], t),
            "target": np.repeat([pan.series[c][1] for c in cols], t),
            "arena": pan.arena,
            "period_start": list(pan.periods) * len(cols),
            "value": pan.values[:, cols].T.ravel(),
            "n_events": pan.counts[:, cols].T.ravel().astype(np.int64),
        }
    ).with_columns(pl.col("value").fill_nan(None), pl.col("period_start").cast(pl.Date))
