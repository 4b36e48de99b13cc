"""Parameter uncertainty of fitted strategies: coefficient draws from the VAR's sampling
distribution, and the layout of runs over draws (docs/simulate.md, "Uncertainty").

A game with fitted strategies and ``fitted_uncertainty`` runs ``M`` parameter draws ×
``K`` noise seeds (a crossed design): run ``r = m·K + k`` uses coefficient draw ``m`` and
the misperception noise of seed ``k``. The same ``K`` noise seeds serve every draw and
every policy (common random numbers), so differences between draws are the parameters'
and differences between policies are the policies'.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ._config import MAX_RUNS, FittedUncertainty, GameScenario
from ._engine import GameSpec
from ._strategies import COEFFICIENTS

__all__ = ["DRAW_KEY", "apply_draws", "coefficient_draws", "design", "term_role"]

#: Spawn-key element of the draws' seed branch: never a run index (runs < MAX_RUNS).
DRAW_KEY = MAX_RUNS


def design(scenario: GameScenario, runs: int, fitted: bool) -> tuple[int, int]:
    """``(M, K)``: parameter draws and noise seeds per draw for ``runs`` runs.

    One draw (the point estimates) when the scenario has no ``fitted_uncertainty``, no
    fitted strategy is in play, ``parameter_draws`` is 1 or there are fewer than 4 runs;
    otherwise ``M = min(parameter_draws, runs // 2)`` (so ``K ≥ 2`` seeds estimate the
    Monte Carlo part) and ``K = runs // M``; ``M·K`` runs are simulated.

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> design(load_scenario("paper"), 1000, fitted=True)
    (50, 20)
    """
    if scenario.fitted_uncertainty is None or not fitted or scenario.parameter_draws < 2:
        return 1, runs
    if runs < 4:
        return 1, runs
    m = min(scenario.parameter_draws, runs // 2)
    return m, runs // m


def term_role(equation: tuple[str, str], cause: tuple[str, str]) -> str:
    """The reaction-family coefficient of lagged series ``cause`` in ``equation`` i→j.

    Examples
    --------
    >>> term_role(("USA", "RUS"), ("CHN", "RUS"))
    'triangular_across'
    """
    i, j = equation
    a, b = cause
    if (a, b) == (i, j):
        return "inertia"
    if (a, b) == (j, i):
        return "reciprocity"
    if a == i:
        return "own_third"
    if a == j:
        return "partner_third"
    return "triangular_in" if b == i else "triangular_across"


def coefficient_draws(
    unc: FittedUncertainty, seeds: Sequence[np.random.SeedSequence]
) -> np.ndarray:
    """One matrix-normal deviation ``B − B̂`` per seed, shape ``(M, k + 1, k)``.

    ``vec B ~ N(vec B̂, Σ_u ⊗ (X'X)⁻¹)``: ``B − B̂ = chol((X'X)⁻¹) · Z · chol(Σ_u)'`` with
    ``Z`` standard normal (k + 1) × k, drawn from the seed's own stream. A zero covariance
    gives zero deviations. Cholesky factors come from eigen-decompositions, so
    semi-definite matrices (a zero ``Σ_u``) work too.

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> unc = load_scenario("paper").fitted_uncertainty
    >>> d = coefficient_draws(unc, [np.random.SeedSequence(0)] * 2)
    >>> d.shape, bool((d[0] == d[1]).all())
    ((2, 7, 6), True)
    """

    def root(m: np.ndarray) -> np.ndarray:
        w, v = np.linalg.eigh(m)
        return v * np.sqrt(np.clip(w, 0.0, None))

    lx = root(np.asarray(unc.xtx_inv, dtype=float))
    ls = root(np.asarray(unc.sigma_u, dtype=float))
    k = ls.shape[0]
    out = np.empty((len(seeds), k + 1, k))
    for m, seed in enumerate(seeds):
        z = np.random.default_rng(seed).standard_normal((k + 1, k))
        out[m] = lx @ z @ ls.T
    return out


def apply_draws(
    spec: GameSpec,
    unc: FittedUncertainty,
    fitted: Collection[tuple[str, str]],
    deltas: np.ndarray,
    per_draw: int,
) -> GameSpec:
    """``spec`` with one coefficient row per run: draw m's deviations added to the fitted
    dyads' coefficients of runs ``m·K … m·K + K − 1``."""
    from dataclasses import replace

    countries = spec.countries
    series = [tuple(s.split("->")) for s in unc.series]
    draws = deltas.shape[0]
    coef = np.repeat(spec.coef[:1], draws, axis=0)
    for d, (i, j) in enumerate(spec.layout.dyads):
        eq = (countries[i], countries[j])
        if eq not in fitted:
            continue
        col = series.index(eq)
        coef[:, d, COEFFICIENTS.index("initiative")] += deltas[:, 0, col]
        for row, cause in enumerate(series, start=1):
            role = COEFFICIENTS.index(term_role(eq, (cause[0], cause[1])))
            coef[:, d, role] += deltas[:, row, col]
    return replace(spec, coef=np.repeat(coef, per_draw, axis=0))
