"""Which form of the Richardson system the data can carry, and how sure its stability is
(docs/simulate.md, "The arms race").

Military spending is trending and, over 30 annual observations, nonstationary: a
Richardson system fitted on levels then has an eigenvalue near 1 whatever the true
dynamics (the regression is close to spurious). The form is chosen with statsmodels'
tests, all reported:

* ADF (constant and trend) on each log series and ADF (constant) on its growth;
* Johansen's trace test (linear trend, one lagged difference) on the logs.

Rule (``form: auto``): cointegrated logs (trace rank ≥ 1 at 5 %) → fit in **logs** (a VAR
in levels of cointegrated series is consistent: Sims, Stock & Watson 1990; a VECM is not
implemented); every log series stationary → **logs**; otherwise → **growth** (log
differences). Stability is the share of residual-bootstrap refits whose transition matrix
has every eigenvalue inside the unit circle.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["FORMS", "bootstrap_params", "choose_form", "transform", "unit_root_tests"]

FORMS = ("levels", "logs", "growth")


def transform(levels: np.ndarray, form: str) -> np.ndarray:
    """The series the system is fitted on: levels, their logs, or log growth.

    Examples
    --------
    >>> transform(np.array([[1.0], [np.e]]), "growth").tolist()
    [[1.0]]
    """
    if form == "levels":
        return levels
    logs = np.log(levels)
    return logs if form == "logs" else np.diff(logs, axis=0)


def back_transform(path: np.ndarray, form: str, levels: np.ndarray) -> np.ndarray:
    """Projected series ``(runs, horizon, n)`` in the fitted form → spending levels."""
    if form == "levels":
        return path
    if form == "logs":
        return np.exp(path)
    return np.exp(np.log(levels[-1]) + np.cumsum(path, axis=1))


def unit_root_tests(levels: np.ndarray, countries: Sequence[str]) -> dict[str, Any]:
    """ADF p-values per country (log levels with trend; growth with constant) and the
    Johansen trace test on the logs.

    Examples
    --------
    >>> g = np.random.default_rng(0)
    >>> walk = np.exp(np.cumsum(g.normal(0.02, 0.05, size=(40, 2)), axis=0))
    >>> t = unit_root_tests(walk, ["AAA", "BBB"])
    >>> sorted(t), t["johansen"]["rank"] in (0, 1, 2)
    (['adf', 'johansen'], True)
    """
    from statsmodels.tsa.stattools import adfuller
    from statsmodels.tsa.vector_ar.vecm import coint_johansen

    logs = np.log(levels)
    adf = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # adfuller's return-type notice
        for i, c in enumerate(countries):
            adf[c] = {
                "log_level_p": float(adfuller(logs[:, i], regression="ct", autolag="AIC")[1]),
                "growth_p": float(adfuller(np.diff(logs[:, i]), regression="c", autolag="AIC")[1]),
            }
    jo = coint_johansen(logs, 1, 1)  # linear trend: spending trends
    trace = [float(v) for v in jo.lr1]
    crit = [float(v) for v in jo.cvt[:, 1]]  # 5 %
    rank = 0
    while rank < len(trace) and trace[rank] > crit[rank]:
        rank += 1
    return {
        "adf": adf,
        "johansen": {"trace": trace, "critical_5pct": crit, "rank": rank},
    }


def choose_form(tests: dict[str, Any]) -> tuple[str, str]:
    """The form by the module's rule, and why.

    Examples
    --------
    >>> choose_form({"adf": {"A": {"log_level_p": 0.5, "growth_p": 0.01}},
    ...              "johansen": {"rank": 0}})[0]
    'growth'
    """
    rank = tests["johansen"]["rank"]
    if rank >= 1:
        return "logs", f"the logs are cointegrated (Johansen trace rank {rank} at 5 %)"
    if all(v["log_level_p"] < 0.05 for v in tests["adf"].values()):
        return "logs", "every log series is trend-stationary (ADF p < 0.05)"
    return "growth", "the logs have unit roots (ADF) and are not cointegrated (Johansen)"


def bootstrap_params(
    z: np.ndarray,
    params: np.ndarray,
    resid: np.ndarray,
    draws: int,
    gen: np.random.Generator,
) -> np.ndarray:
    """Recursive residual bootstrap of the system ``Δz_t+1 = g + B z_t + e``: ``draws``
    refits on series regenerated from the fit with resampled residual vectors (rows kept
    together, so the countries' shocks keep their correlation). Returns ``(draws, n,
    n + 1)`` parameter arrays (rows: equations; columns: const, then the lagged series).
    """
    t, n = z.shape
    x_cols = np.empty((t - 1, n + 1))
    out = np.empty((draws, n, n + 1))
    g, b = params[:, 0], params[:, 1:]
    for d in range(draws):
        pick = gen.integers(0, resid.shape[0], t - 1)
        zs = np.empty_like(z)
        zs[0] = z[0]
        for s in range(t - 1):
            zs[s + 1] = zs[s] + g + b @ zs[s] + resid[pick[s]]
        x_cols[:, 0] = 1.0
        x_cols[:, 1:] = zs[:-1]
        coef, *_ = np.linalg.lstsq(x_cols, np.diff(zs, axis=0), rcond=None)
        out[d] = coef.T
    return out


def stability_share(boot: np.ndarray, reaction_scale: float = 1.0) -> float:
    """Share of bootstrap parameter sets whose transition ``I + s·K − diag(a)`` has every
    eigenvalue inside the unit circle."""
    n = boot.shape[1]
    ok = 0
    for p in boot:
        b = p[:, 1:]
        k = b - np.diag(np.diag(b))
        a = np.eye(n) + reaction_scale * k + np.diag(np.diag(b))
        ok += bool(np.max(np.abs(np.linalg.eigvals(a))) < 1.0)
    return ok / boot.shape[0]
