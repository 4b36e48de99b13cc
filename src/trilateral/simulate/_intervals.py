"""Intervals of simulated outcomes: the Monte Carlo part, the parameter part, the total
(docs/simulate.md, "Uncertainty").

An outcome is a mean over runs laid out as ``M`` parameter draws × ``K`` common noise
seeds, ``y[m, k]``. Its point estimate is the mean of every run.

* Monte Carlo part: the 95 % interval of that mean over the noise, given the draws — from
  the spread of the seed means ``ȳ·k`` (Student's t with K − 1 degrees of freedom for a
  mean; Wilson with the design's
  effective number of runs for a proportion, which is Wilson over the runs when M = 1).
* Parameter part: the 2.5–97.5 % range of the draw means ``ȳm·`` (each over the same K
  seeds): how far the outcome moves with coefficients drawn from their sampling
  distribution.
* Total: each side the two half-widths added in quadrature, ``√(h_param² + h_MC²)``
  (clipped to [0, 1] for a probability). With a zero coefficient covariance every draw
  is the same game on the same seeds, the parameter part is nil and the total interval
  is the Monte Carlo one.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["Z", "mean_interval", "paired_difference", "wilson", "wilson_p"]

Z = 1.959963984540054


def wilson_p(p: float, n: float) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``p`` observed over ``n`` (real) trials.

    Examples
    --------
    >>> [round(v, 3) for v in wilson_p(0.5, 10)]
    [0.237, 0.763]
    """
    if n <= 0 or math.isnan(p):
        return (float("nan"), float("nan"))
    den = 1 + Z**2 / n
    mid = (p + Z**2 / (2 * n)) / den
    half = Z * math.sqrt(max(0.0, p * (1 - p)) / n + Z**2 / (4 * n * n)) / den
    lo = 0.0 if p <= 0.0 else max(0.0, mid - half)  # exact ends: no 1e-18 from rounding
    hi = 1.0 if p >= 1.0 else min(1.0, mid + half)
    return (lo, hi)


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n.

    Examples
    --------
    >>> [round(v, 3) for v in wilson(5, 10)]
    [0.237, 0.763]
    """
    if n == 0:
        return (float("nan"), float("nan"))
    return wilson_p(k / n, n)


def mean_interval(y: np.ndarray, *, proportion: bool = False) -> dict[str, float]:
    """Point estimate, Monte Carlo, parameter and total 95 % intervals of ``y`` (M, K).

    Examples
    --------
    >>> y = np.tile([0.0, 1.0, 1.0, 0.0], (3, 1))  # three identical draws
    >>> iv = mean_interval(y)
    >>> iv["ci_low"] == iv["mc_low"], iv["param_low"] == iv["param_high"]
    (True, True)
    """
    y = np.asarray(y, dtype=np.float64)
    m, k = y.shape
    point = float(y.mean())
    per_seed = y.mean(axis=0)
    per_draw = y.mean(axis=1)
    if proportion:
        v = float(per_seed.var(ddof=1)) / k if k > 1 else 0.0
        n_eff = min(float(m * k), point * (1 - point) / v) if v > 0 else float(m * k)
        mc_lo, mc_hi = wilson_p(point, n_eff)
    else:
        # Student's t over the K seed means: K is small in quick runs (4 in the demo)
        se = float(per_seed.std(ddof=1)) / math.sqrt(k) if k > 1 else 0.0
        q = float(stats.t.ppf(0.975, k - 1)) if k > 1 else Z
        mc_lo, mc_hi = point - q * se, point + q * se
    if m > 1:
        q_lo, q_hi = (float(v) for v in np.quantile(per_draw, [0.025, 0.975]))
    else:
        q_lo = q_hi = point
    lo = point - math.hypot(max(0.0, point - q_lo), point - mc_lo)
    hi = point + math.hypot(max(0.0, q_hi - point), mc_hi - point)
    if proportion:
        lo, hi = max(0.0, lo), min(1.0, hi)
    return {
        "mean": point,
        "ci_low": lo,
        "ci_high": hi,
        "mc_low": mc_lo,
        "mc_high": mc_hi,
        "param_low": q_lo,
        "param_high": q_hi,
        "draws": m,
        "seeds": k,
    }


def paired_difference(
    y: np.ndarray, base: np.ndarray, *, higher_is_better: bool = True, bound: float | None = None
) -> dict[str, float | str]:
    """The run-by-run difference ``y − base`` (common random numbers), with its intervals,
    the share of parameter draws in which ``y`` beats ``base``, and a verdict that names a
    ranking only where the total interval excludes zero. ``bound``: the difference lies in
    [−bound, bound] (1 for a difference of probabilities); the intervals are clipped to it.

    Examples
    --------
    >>> y = np.arange(6.0).reshape(2, 3)
    >>> d = paired_difference(y, y)
    >>> d["mean"], d["ci_low"], d["ci_high"], d["p_beats"], d["verdict"]
    (0.0, 0.0, 0.0, 0.0, 'not distinguishable')
    """
    d = np.asarray(y, dtype=np.float64) - np.asarray(base, dtype=np.float64)
    out: dict[str, float | str] = dict(mean_interval(d))
    if bound is not None:
        for k in ("ci_low", "ci_high", "mc_low", "mc_high"):
            out[k] = min(bound, max(-bound, float(out[k])))
    per_draw = d.mean(axis=1)
    beats = per_draw > 0 if higher_is_better else per_draw < 0
    out["p_beats"] = float(beats.mean())
    lo, hi = float(out["ci_low"]), float(out["ci_high"])
    if lo > 0 or hi < 0:
        better = (lo > 0) == higher_is_better
        out["verdict"] = "better" if better else "worse"
    else:
        out["verdict"] = "not distinguishable"
    return out
