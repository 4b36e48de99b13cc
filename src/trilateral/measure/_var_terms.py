"""The terms of a reciprocity VAR: series names, the role of a lagged series in an
equation (inertia, direct reciprocity, triangular), and Holm's correction of the Granger
tests. Shared by the model (:mod:`._reciprocity`) and its results
(:mod:`._reciprocity_results`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["OBS_PER_COEF", "Dyad", "dyad_name", "holm_adjust", "term_kind"]

Dyad = tuple[str, str]

# Keep at least this many observations per coefficient in every equation when choosing
# the default maximum lag. Near-saturated VARs make log det(Σ) collapse and the
# information criteria then pick the largest order on offer: with the former 3
# observations per coefficient, a sparse monthly triad (147 zero-filled periods, 6
# series) was searched up to 7 lags and AIC took the largest order offered (7 of 7, or 8
# of 8: 49 coefficients per equation on 139 periods). Ten per coefficient is the usual
# rule of thumb for a regression whose coefficients are to be read.
OBS_PER_COEF = 10


def dyad_name(dyad: Dyad) -> str:
    return f"{dyad[0]}->{dyad[1]}"


def term_kind(cause: Dyad, effect: Dyad) -> str:
    """Role of series ``cause`` in the equation of series ``effect`` (see ReciprocityResults)."""
    if cause == effect:
        return "inertia"
    i, j = effect
    if cause == (j, i):
        return "direct reciprocity"
    if cause[1] == i and cause[0] not in (i, j):
        return "triangular"
    return "other"


def holm_adjust(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values, in the input order.

    Identical to ``statsmodels.stats.multitest.multipletests(p, method="holm")[1]``
    (a test pins that); reimplemented because that function runs ``gc.collect()`` on
    every call, which costs tens of milliseconds in a large process.

    Examples
    --------
    >>> holm_adjust([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out
