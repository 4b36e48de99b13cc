"""Generalised impulse responses of a VAR and their bootstrap confidence bands.

The responses are Pesaran and Shin's (1998) generalised impulse responses,
``GIRF_j(h) = Ψ_h Σ e_j / sqrt(σ_jj)``. statsmodels gives asymptotic and Monte Carlo
bands for the orthogonalised (Cholesky) responses only, so the bands here come from a
residual bootstrap of the fitted VAR (Runkle, 1987; Lütkepohl, 2005, §3.7.1):

1. draw the centred residuals with replacement, period by period (the whole vector of a
   period together, so the contemporaneous correlation of the shocks is kept);
2. rebuild a series of the sample's length from the estimated coefficients, starting
   from the sample's own first ``p`` periods;
3. refit the VAR of the same order on it and compute its generalised responses;
4. take the ``alpha/2`` and ``1 − alpha/2`` percentiles of each response over the draws
   (Efron's percentile interval).

Examples
--------
>>> import numpy as np
>>> psi = np.stack([np.eye(2), 0.5 * np.eye(2)])
>>> generalised_irf(psi, np.array([[1.0, 0.5], [0.5, 1.0]]))[0].tolist()
[[1.0, 0.5], [0.5, 1.0]]
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._rng import RNGLike, spawn

__all__ = ["generalised_irf", "girf_bands"]


def generalised_irf(psi: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``psi`` (h+1, k, k) moving-average coefficients, ``sigma`` (k, k) residual
    covariance → generalised responses, ``out[h, i, j]`` the response of series i at h
    to a one-standard-deviation shock to series j."""
    return (psi @ sigma) / np.sqrt(np.diag(sigma))[None, None, :]


def _simulate(var: Any, rng: np.random.Generator) -> np.ndarray:
    """One bootstrap series: the fitted VAR driven by resampled, centred residuals."""
    endog = np.asarray(var.model.endog, dtype=float)
    resid = np.asarray(var.resid, dtype=float)
    resid = resid - resid.mean(axis=0)
    p = int(var.k_ar)
    coefs = np.asarray(var.coefs, dtype=float)  # (p, k, k)
    const = np.asarray(var.intercept, dtype=float)
    t, _k = endog.shape
    y = np.empty_like(endog)
    y[:p] = endog[:p]
    shocks = resid[rng.integers(0, resid.shape[0], size=t - p)]
    for s in range(p, t):
        acc = const + shocks[s - p]
        for lag in range(p):
            acc = acc + coefs[lag] @ y[s - 1 - lag]
        y[s] = acc
    return y


def girf_bands(
    var: Any, horizon: int, n_boot: int = 500, alpha: float = 0.05, rng: RNGLike = 0
) -> tuple[np.ndarray, np.ndarray, int]:
    """Percentile bands of the generalised responses from a residual bootstrap.

    Parameters
    ----------
    var : statsmodels VARResults
        The fitted VAR (``ReciprocityResults.var``).
    horizon : int
        Last horizon of the responses.
    n_boot : int
        Bootstrap draws.
    alpha : float
        The bands are central ``1 − alpha`` percentile intervals.
    rng : int, SeedSequence, Generator or None
        One child stream per draw (``SeedSequence.spawn``).

    Returns
    -------
    lower, upper : numpy.ndarray
        Shape ``(horizon + 1, k, k)``, as :func:`generalised_irf`.
    n_ok : int
        Draws whose refit succeeded (a draw whose series is singular is skipped).

    Examples
    --------
    >>> import numpy as np
    >>> from statsmodels.tsa.api import VAR
    >>> y = np.random.default_rng(0).normal(size=(80, 2))
    >>> lo, hi, n = girf_bands(VAR(y).fit(1), horizon=4, n_boot=50, rng=1)
    >>> lo.shape, n, bool((lo <= hi).all())
    ((5, 2, 2), 50, True)
    """
    from statsmodels.tsa.api import VAR

    if n_boot < 2:
        raise ValueError(f"n_boot must be ≥ 2, got {n_boot}")
    p = int(var.k_ar)
    draws = []
    for child in spawn(rng, n_boot):
        y = _simulate(var, child)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # statsmodels' chatter on near-singular fits
                fit = VAR(y).fit(p, trend="c")
            sigma = np.asarray(fit.sigma_u, dtype=float)
            g = generalised_irf(np.asarray(fit.ma_rep(horizon), dtype=float), sigma)
        except (np.linalg.LinAlgError, ValueError):
            continue
        if np.isfinite(g).all():
            draws.append(g)
    if len(draws) < 2:
        raise ValueError("fewer than two bootstrap draws could be refitted")
    stack = np.stack(draws)
    lower = np.quantile(stack, alpha / 2, axis=0)
    upper = np.quantile(stack, 1 - alpha / 2, axis=0)
    return lower, upper, len(draws)
