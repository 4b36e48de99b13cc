"""Split-conformal predictive intervals from earlier backtest errors.

The models' own normal intervals assume the model is right. On sparse event series it is
not (a carried-forward series looks smoother than the values it is scored on), and the
intervals come out too narrow. The conformal interval keeps each model's mean and
spread but takes the interval's width from how wrong the model has been before:

* the score of a past forecast is its standardised absolute error ``|y − μ| / σ``;
* for a forecast made at origin ``o`` by model ``m`` at horizon ``h`` (one arena), the
  calibration set is every earlier forecast of ``m`` at ``h`` in that arena whose
  target period had ended by ``o`` (nothing after the origin is used), pooled over the
  dyads (the scores are scale-free);
* only the latest ``CALIBRATION_WINDOW`` (60) such scores count: a sliding window that
  follows changes in how hard the series are to forecast (on the shipped ICEWS05-15
  monthly backtest the whole history over-covered the 80 % interval by 5–6 points,
  because the early years' errors were larger; with the window every model is within
  4.6 points — docs/forecast.md);
* with ``n`` such scores, the level-``L`` interval is ``μ ± q σ``, ``q`` the
  ``⌈(n + 1) L⌉``-th smallest score (Vovk et al. 2005; Lei et al. 2018, split conformal):
  under exchangeable scores it covers with probability at least ``L``;
* with fewer than ``min_errors`` scores there is no calibrated interval (null bounds).

Examples
--------
>>> import numpy as np
>>> conformal_quantiles(np.arange(1.0, 20.0), (0.8,), min_errors=10)
[16.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from ._panel import level_names

__all__ = [
    "CALIBRATION_WINDOW",
    "MIN_CALIBRATION",
    "apply_factors",
    "calibration_factors",
    "conformal_quantiles",
]

#: Fewest earlier errors behind a calibrated interval.
MIN_CALIBRATION = 30
#: The latest errors a calibrated interval is drawn from.
CALIBRATION_WINDOW = 60
_GROUP = ["model", "arena", "horizon"]


def conformal_quantiles(
    scores: np.ndarray, levels: Sequence[float], min_errors: int = MIN_CALIBRATION
) -> list[float]:
    """The split-conformal quantile of ``scores`` per level (NaN when too few)."""
    n = int(scores.size)
    if n < min_errors:
        return [float("nan")] * len(levels)
    s = np.sort(scores)
    out = []
    for lvl in levels:
        k = math.ceil((n + 1) * lvl)
        out.append(float(s[k - 1]) if k <= n else float("nan"))
    return out


def _scored(fc: pl.DataFrame) -> pl.DataFrame:
    return fc.filter(
        pl.col("actual").is_not_null() & pl.col("mean").is_not_null() & (pl.col("sd") > 0)
    ).with_columns(((pl.col("actual") - pl.col("mean")).abs() / pl.col("sd")).alias("_score"))


def calibration_factors(
    fc: pl.DataFrame,
    origins: Sequence[object],
    levels: Sequence[float],
    min_errors: int = MIN_CALIBRATION,
    window: int | None = CALIBRATION_WINDOW,
) -> pl.DataFrame:
    """Per model, arena, horizon and origin: the conformal quantile per level (``q80`` …)
    and ``n_calibration``, from the rows of ``fc`` (a backtest's forecasts) whose target
    period started on or before the origin (its last fitted period), i.e. had ended by it;
    the latest ``window`` of them (all when None)."""
    scored = _scored(fc).sort("period_start")
    qcols = ["q" + level_names(lv)[0][2:] for lv in levels]
    rows: dict[str, list[object]] = {c: [] for c in [*_GROUP, "origin", "n_calibration", *qcols]}
    origin_list = sorted(set(origins))  # type: ignore[type-var]
    for key, grp in scored.group_by(_GROUP, maintain_order=True):
        starts = grp["period_start"].to_numpy()
        scores = grp["_score"].to_numpy()
        for o in origin_list:
            n = int(np.searchsorted(starts, np.array([o], dtype="datetime64[D]")[0], side="right"))
            past = scores[:n] if window is None else scores[max(0, n - window) : n]
            qs = conformal_quantiles(past, levels, min_errors)
            for c, v in zip(_GROUP, key, strict=True):
                rows[c].append(v)
            rows["origin"].append(o)
            rows["n_calibration"].append(int(past.size))
            for c, q in zip(qcols, qs, strict=True):
                rows[c].append(q)
    schema = {
        "model": pl.String,
        "arena": pl.String,
        "horizon": pl.Int64,
        "origin": pl.Date,
        "n_calibration": pl.Int64,
        **dict.fromkeys(qcols, pl.Float64),
    }
    return pl.DataFrame(rows, schema=schema).with_columns(pl.col(qcols).fill_nan(None))


def apply_factors(
    fc: pl.DataFrame, factors: pl.DataFrame, levels: Sequence[float], on: list[str]
) -> pl.DataFrame:
    """Replace the interval bounds of ``fc`` by ``mean ± q·sd`` (null where no ``q``);
    adds ``n_calibration``."""
    qcols = ["q" + level_names(lv)[0][2:] for lv in levels]
    joined = fc.join(factors.select(*on, "n_calibration", *qcols), on=on, how="left")
    bounds = []
    for lv, q in zip(levels, qcols, strict=True):
        lo, hi = level_names(lv)
        bounds += [
            (pl.col("mean") - pl.col(q) * pl.col("sd")).alias(lo),
            (pl.col("mean") + pl.col(q) * pl.col("sd")).alias(hi),
        ]
    return joined.with_columns(bounds).drop(qcols)
