"""The forecasting models: two baselines, a univariate model per series, and the VAR.

Every model takes only the training rows it is given (the periods up to the origin) and
returns, per series and horizon, the mean and the standard deviation of a normal
predictive distribution. Nothing here can see a period after the origin: the callers
slice the panel before calling, and no model keeps state between calls.

Sparse series (periods without events) are handled by :func:`fill_series`, explicitly:
an empty period has no value of the statistic (a mean over no events), so the models
see it as either the last observed value (``"ffill"``, the default: the relation is taken
as unchanged until the next event) or the neutral point 0 (``"zero"``, as the
reciprocity VAR's default). Empty periods before the first event of the training window
take that window's first observed value (``"ffill"``). An empty period is never a
forecast target: it has no value to score against (see :func:`~trilateral.forecast.backtest`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import ConfigError, DataError

if TYPE_CHECKING:
    from ._panel import Panel

__all__ = [
    "BASELINES",
    "DEFAULT_MODELS",
    "MODELS",
    "Fill",
    "ModelOutput",
    "check_models",
    "fill_series",
    "fit_to_origin",
    "run_models",
]

Fill = Literal["ffill", "zero"]
FILLS: tuple[str, ...] = ("ffill", "zero")

#: Every model :func:`~trilateral.forecast.forecast` knows.
MODELS: tuple[str, ...] = ("no_change", "climatology", "ar", "ets", "var")
#: The baselines, always run (the skill of every other model is measured against no-change).
BASELINES: tuple[str, ...] = ("no_change", "climatology")
#: The models run when ``models`` is not given. ETS is left out by default: statsmodels'
#: maximum-likelihood ETS costs about 40 times as much as the AR fit per series and origin.
DEFAULT_MODELS: tuple[str, ...] = ("no_change", "climatology", "ar", "var")


def check_models(models: Sequence[str] | str | None) -> tuple[str, ...]:
    """The models to run, baselines first; unknown names are an error."""
    if models is None:
        return DEFAULT_MODELS
    items = [models] if isinstance(models, str) else list(models)
    names = [str(m).strip().lower() for m in items if str(m).strip()]
    bad = [m for m in names if m not in MODELS]
    if bad:
        raise ConfigError(f"unknown model(s) {bad}", hint=f"choose from {', '.join(MODELS)}")
    return tuple(m for m in MODELS if m in BASELINES or m in names)


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """Forecasts of one model from one origin: arrays of shape (horizon, series).

    ``mean`` and ``sd`` are NaN for a series the model could not forecast; ``note``
    says why (empty when every series was forecast).
    """

    mean: np.ndarray
    sd: np.ndarray
    note: str = ""


def fill_series(values: np.ndarray, fill: Fill) -> np.ndarray:
    """Fill the empty periods (NaN) of each column using only the rows given.

    ``"ffill"``: the last observed value; leading empty periods take the first observed
    value. ``"zero"``: 0. A column with no observed value stays NaN.

    Examples
    --------
    >>> fill_series(np.array([[np.nan], [1.0], [np.nan], [3.0]]), "ffill").ravel().tolist()
    [1.0, 1.0, 1.0, 3.0]
    """
    if fill not in FILLS:
        raise ConfigError(f"unknown fill {fill!r}", hint=f"use one of {', '.join(FILLS)}")
    out = np.array(values, dtype=float, copy=True)
    if fill == "zero":
        return np.nan_to_num(out, nan=0.0)
    t = out.shape[0]
    obs = ~np.isnan(out)
    idx = np.where(obs, np.arange(t)[:, None], 0)
    np.maximum.accumulate(idx, axis=0, out=idx)
    filled = out[idx, np.arange(out.shape[1])[None, :]]
    has = obs.any(axis=0)
    first = np.where(has, obs.argmax(axis=0), 0)
    lead = np.arange(t)[:, None] < first[None, :]
    first_val = out[first, np.arange(out.shape[1])]
    filled = np.where(lead, first_val[None, :], filled)
    filled[:, ~has] = np.nan
    return filled


def _no_change(filled: np.ndarray, observed: np.ndarray, horizon: int) -> ModelOutput:
    """Last value; sd from the training window's own h-step no-change errors."""
    t, k = filled.shape
    mean = np.repeat(filled[-1:, :], horizon, axis=0)
    sd = np.full((horizon, k), np.nan)
    for h in range(1, horizon + 1):
        if t <= h:
            break
        err = observed[h:] - filled[:-h]
        n = np.sum(~np.isnan(err), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rms = np.sqrt(np.nansum(err**2, axis=0) / n)
        sd[h - 1] = np.where(n >= 2, rms, np.nan)
    note = "" if np.isfinite(sd).all() else "too few observed h-step changes for some series"
    return ModelOutput(mean, sd, note)


def _climatology(observed: np.ndarray, horizon: int, window: int) -> ModelOutput:
    """Mean of the observed values over the trailing ``window`` periods.

    Empty periods in the window are not observations and are skipped. The predictive
    sd is the window's sample sd times sqrt(1 + 1/n) (a new draw from the same normal
    distribution whose mean is estimated from n values).
    """
    recent = observed[-window:]
    n = np.sum(~np.isnan(recent), axis=0)
    ok = n >= 2
    mean_1 = np.full(recent.shape[1], np.nan)
    sd_1 = np.full(recent.shape[1], np.nan)
    if ok.any():
        mean_1[ok] = np.nanmean(recent[:, ok], axis=0)
        sd_1[ok] = np.nanstd(recent[:, ok], axis=0, ddof=1) * np.sqrt(1 + 1 / n[ok])
    note = "" if ok.all() else f"fewer than 2 observed values in the last {window} periods"
    return ModelOutput(
        np.repeat(mean_1[None, :], horizon, axis=0),
        np.repeat(sd_1[None, :], horizon, axis=0),
        note,
    )


def _ar(
    filled: np.ndarray, horizon: int, max_lag: int, only: Sequence[int] | None = None
) -> ModelOutput:
    """AR(p) per series (ARIMA(p, 0, 0) by conditional least squares, statsmodels'
    ``AutoReg``), p chosen by BIC among 0…max_lag on the training window. The predictive
    sd carries the degrees-of-freedom correction and parameter uncertainty (see below)."""
    from statsmodels.tsa.ar_model import ar_select_order

    t, k = filled.shape
    mean = np.full((horizon, k), np.nan)
    sd = np.full((horizon, k), np.nan)
    maxlag = max(0, min(max_lag, (t - 2) // 5))
    bad = []
    for j in range(k) if only is None else only:
        y = filled[:, j]
        if np.isnan(y).any() or np.ptp(y) == 0:
            bad.append(j)
            continue
        with warnings.catch_warnings():
            # statsmodels warns of a rank-deficient design (a series that is constant
            # over long stretches, e.g. carried forward through many empty periods); the
            # fit is then checked for finite forecasts below
            warnings.simplefilter("ignore")
            sel = ar_select_order(y, maxlag=maxlag, ic="bic", trend="c")
            res = sel.model.fit()
            pred = res.get_prediction(start=t, end=t + horizon - 1)
        m = np.asarray(pred.predicted_mean, dtype=float)
        # statsmodels' se uses σ² = SSR/n and fixed coefficients; scale by the degrees-
        # of-freedom correction n/(n − k) and Lütkepohl's (2005, §3.5.1) approximate
        # parameter-uncertainty factor (n + k)/n: together sqrt((n + k)/(n − k))
        n_obs, k_par = int(res.nobs), len(res.params)
        inflate = np.sqrt((n_obs + k_par) / (n_obs - k_par)) if n_obs > k_par else np.nan
        s = np.asarray(pred.se_mean, dtype=float) * inflate
        if not (np.isfinite(m).all() and np.isfinite(s).all() and (s > 0).all()):
            bad.append(j)
            continue
        mean[:, j], sd[:, j] = m, s
    note = f"{len(bad)} series constant, without events or degenerate: not fitted" if bad else ""
    return ModelOutput(mean, sd, note)


def _ets(filled: np.ndarray, horizon: int) -> ModelOutput:
    """Simple exponential smoothing with additive errors, ETS(A,N,N) (Hyndman et al.
    2008), by maximum likelihood (statsmodels' ``ETSModel``); analytic variances."""
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    t, k = filled.shape
    mean = np.full((horizon, k), np.nan)
    sd = np.full((horizon, k), np.nan)
    bad = []
    for j in range(k):
        y = filled[:, j]
        if np.isnan(y).any() or np.ptp(y) == 0:
            bad.append(j)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels' convergence chatter
            res = ETSModel(pd.Series(y), error="add", trend=None, seasonal=None).fit(disp=False)
            pred = res.get_prediction(start=t, end=t + horizon - 1)
        mean[:, j] = np.asarray(pred.predicted_mean, dtype=float)
        sd[:, j] = np.sqrt(np.asarray(pred.forecast_variance, dtype=float))
    note = f"{len(bad)} series constant or without events: not fitted" if bad else ""
    return ModelOutput(mean, sd, note)


def _var(
    filled: np.ndarray,
    periods: Sequence[date],
    series: Sequence[tuple[str, str]],
    countries: tuple[str, ...],
    period: str,
    horizon: int,
) -> ModelOutput:
    """The measure stage's reciprocity VAR (lag order by BIC on the training window),
    forecast with statsmodels; the forecast covariance includes parameter uncertainty
    (Lütkepohl 2005, §3.5)."""
    from ..measure import ReciprocityModel

    k = filled.shape[1]
    nan = np.full((horizon, k), np.nan)
    if np.isnan(filled).any():
        return ModelOutput(nan, nan.copy(), "VAR not fitted: a series has no events yet")
    try:
        model = ReciprocityModel.from_array(
            filled, periods, countries, series=series, arena="all", period=period
        )
        try:
            res = model.fit()
        except ValueError:
            # Too few periods for statsmodels' lag-order search (it needs room for the
            # largest order plus the presample): one lag, the fewest that has dynamics.
            res = model.fit(lags=1)
        var = res.var
        p = res.k_ar
        order = [model.series.index(s) for s in series]
        with warnings.catch_warnings():
            # statsmodels announces that 'auto' includes parameter uncertainty
            warnings.simplefilter("ignore")
            fmean = var.forecast(model.endog[-p:], horizon)
            fcov = var.forecast_cov(horizon, method="auto")
    except (DataError, np.linalg.LinAlgError, ValueError) as exc:
        return ModelOutput(nan, nan.copy(), f"VAR not fitted: {exc}".splitlines()[0])
    sd = np.sqrt(np.maximum(np.diagonal(fcov, axis1=1, axis2=2), 0.0))
    return ModelOutput(fmean[:, order], sd[:, order], "")


def fit_to_origin(
    pan: Panel,
    pos: int,
    models: Sequence[str],
    horizon: int,
    *,
    fill: Fill,
    window: int,
    max_lag: int,
    only: Sequence[int] | None = None,
) -> dict[str, ModelOutput]:
    """Fit each model on the panel's rows up to origin row ``pos`` only, ``horizon``
    ahead (:func:`run_models`): nothing after the origin reaches a model."""
    return run_models(
        models,
        pan.values[: pos + 1],
        pan.periods[: pos + 1],
        pan.series,
        pan.countries,
        pan.period,
        horizon,
        fill=fill,
        window=window,
        max_lag=max_lag,
        var_ok=pan.var_ok,
        only=only,
    )


def run_models(
    models: Sequence[str],
    observed: np.ndarray,
    periods: Sequence[date],
    series: Sequence[tuple[str, str]],
    countries: tuple[str, ...],
    period: str,
    horizon: int,
    *,
    fill: Fill,
    window: int,
    max_lag: int,
    var_ok: bool,
    only: Sequence[int] | None = None,
) -> dict[str, ModelOutput]:
    """Run every model on the training rows ``observed`` (periods × series, NaN empty);
    with ``only``, the AR model fits those series only (the others stay NaN: a rolling
    origin forecasts only the series dense enough before it, and AR fits dominate the
    backtest's time)."""
    filled = fill_series(observed, fill)
    out: dict[str, ModelOutput] = {}
    for m in models:
        if m == "no_change":
            out[m] = _no_change(filled, observed, horizon)
        elif m == "climatology":
            out[m] = _climatology(observed, horizon, window)
        elif m == "ar":
            out[m] = _ar(filled, horizon, max_lag, only)
        elif m == "ets":
            out[m] = _ets(filled, horizon)
        elif m == "var":
            if var_ok:
                out[m] = _var(filled, periods, series, countries, period, horizon)
            else:
                nan = np.full((horizon, len(series)), np.nan)
                out[m] = ModelOutput(
                    nan,
                    nan.copy(),
                    "VAR not fitted: it needs the directed series of every ordered pair "
                    "of two or three countries",
                )
    return out
