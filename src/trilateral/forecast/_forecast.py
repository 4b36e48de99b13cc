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
from ._models import FILLS, Fill, ModelOutput, check_models, run_models
from ._panel import Panel, future_periods, level_names, panel, parse_dyads

__all__ = ["ForecastResults", "check_levels", "forecast", "forecast_rows"]

_LONG = ("source", "target", "arena", "period_start", "horizon", "model", "mean", "sd")


def check_levels(level: Sequence[float] | float) -> tuple[float, ...]:
    """Interval levels as a sorted tuple in (0, 1)."""
    items = [level] if isinstance(level, float | int) else list(level)
    out = tuple(sorted({float(x) for x in items}))
    if not out or any(not 0 < x < 1 for x in out):
        raise ConfigError(f"levels must lie in (0, 1), got {items}", hint="e.g. level=(0.8, 0.95)")
    return out


def _check_common(horizon: int, window: int, fill: str, min_train: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ConfigError(
            f"horizon must be a whole number of periods ≥ 1, got {horizon!r}",
            hint="e.g. horizon=4 for four periods ahead",
        )
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
        >>> print(res.summary())  # doctest: +SKIP
        """
        lo, hi = level_names(max(self.levels))
        pct = f"{max(self.levels) * 100:g}%"
        lines = [
            f"Forecast of {self.statistic} ({self.period}ly, arena {self.arena}) from origin "
            f"{self.origin} (last period fitted: {self.origin_period}), {self.horizon} "
            f"period(s) ahead",
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

    Returns
    -------
    ForecastResults

    Raises
    ------
    ConfigError
        A horizon below 1, an origin outside the data or too early, an unknown model or
        dyad.
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
    _check_common(horizon, window, fill, min_train)
    levels = check_levels(level)
    names = check_models(models)
    pan = panel(index, arena, statistic)
    cols = pan.select(parse_dyads(dyads))
    pos = pan.position(origin, min_train)
    train = pan.values[: pos + 1]
    empty = [f"{pan.series[c][0]}-{pan.series[c][1]}" for c in cols if np.isnan(train[:, c]).all()]
    if empty:
        raise DataError(
            f"dyad(s) {', '.join(empty)} have no events in arena {arena!r} up to "
            f"{pan.periods[pos]}: there is nothing to forecast from",
            hint="choose other dyads (--dyads), another arena or a later origin",
        )
    outputs = run_models(
        names,
        train,
        pan.periods[: pos + 1],
        pan.series,
        pan.countries,
        pan.period,
        horizon,
        fill=fill,
        window=window,
        max_lag=max_lag,
        var_ok=pan.var_ok,
    )
    targets = future_periods(pan.periods[pos], pan.period, horizon)
    frame = forecast_rows(outputs, pan, cols, targets, levels)
    notes = tuple(f"{m}: {o.note}" for m, o in outputs.items() if o.note)
    history = _history(pan, cols)
    origin_date = pan.periods[pos] if origin is None else origin
    if isinstance(origin_date, str):
        origin_date = date.fromisoformat(origin_date)
    provenance = {
        "config": {
            "horizon": horizon,
            "models": list(names),
            "levels": list(levels),
            "origin": str(origin_date),
            "origin_period": str(pan.periods[pos]),
            "statistic": statistic,
            "arena": arena,
            "period": pan.period,
            "window": window,
            "fill": fill,
            "min_train": min_train,
            "max_lag": max_lag,
            "countries": list(pan.countries),
        },
        **pan.provenance,
    }
    return ForecastResults(
        frame=frame,
        history=history,
        origin=origin_date,
        origin_period=pan.periods[pos],
        period=pan.period,
        statistic=statistic,
        arena=arena,
        horizon=horizon,
        levels=levels,
        models=names,
        notes=notes,
        provenance=provenance,
    )


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
