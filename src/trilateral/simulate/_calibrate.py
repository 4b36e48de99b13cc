"""Calibration by the simulated method of moments (McFadden 1989; Pakes & Pollard 1989).

The behavioural parameters θ = (misperception noise, hawkishness sensitivity), common to
the three countries, are chosen (hawkishness weight held at the scenario's value: only
sensitivity × weight is identified, see ``PARAMS``) so that the game's simulated monthly
series of the six directed dyads reproduce the measured ones. The moments are, per
directed series: mean, variance, lag-1 autocorrelation and the lag-1 cross-correlation
with the reverse series (x_ij,t with x_ji,t−1) — 24 moments. The reaction coefficients
themselves are first re-fitted from the same store (the reciprocity VAR, as the `fitted`
strategy does), so SMM only has to explain what the VAR leaves: the size of the shocks and
the escalation feedback.

Estimator: ``θ̂ = argmin (m̂ − m_S(θ))' W (m̂ − m_S(θ))`` with ``m_S`` averaged over S
simulated runs on fixed seeds (common random numbers) and ``W = diag(Ω̂)⁻¹``, Ω̂ the
moving-block-bootstrap covariance of the data moments (blocks of 6 months). Uncertainty:
``V = (1 + 1/S) (G'WG)⁻¹ G'WΩ̂WG (G'WG)⁻¹`` with G the finite-difference Jacobian of the
simulated moments (Gourieroux & Monfort 1996, ch. 2). Reported with it: Hansen's J test
of the over-identifying restrictions and the rank of the weighted Jacobian (local
identification).

Measurement layer (:class:`Measurement`): the data are monthly *event means*, zero-filled
where a month has no event, while the game produces latent levels. So the simulated
levels pass through the data's own observation process before their moments are taken:
in month t the dyad has ``N ~ Poisson(λ_d)`` events (λ_d its mean monthly count in the
data); an empty month is observed as 0 (the data's zero fill), a non-empty one as the
latent level plus the mean of N event deviations, ``x + σ_d·z/√N``. σ_d² is estimated
from the data by regressing the squared deviation of non-empty months on 1/N. Counts and
deviations are drawn once (common random numbers across θ).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import optimize, stats

from .. import __version__
from .._rng import RNGLike, seed_sequence
from ..errors import DataError
from ._config import GameScenario, Hawkishness, Player, StrategySpec
from ._engine import simulate_raw
from ._game import build_spec, child_seeds
from ._strategies import fitted_strategy

__all__ = ["CalibrationResults", "Measurement", "calibrate_scenario", "dyad_moments", "smm_fit"]

#: Estimated: noise and hawkishness sensitivity. Hawkishness weight is held at the
#: scenario's value: sensitivity and weight enter the reaction only as their product
#: (h is linear in the sensitivity, and acts through weight·h), so the moments identify
#: the product and not each (issue 19, item 7); the estimate of ``hawk_sensitivity`` is
#: the product divided by the fixed weight.
PARAMS = ("noise", "hawk_sensitivity")
BOUNDS = {"noise": (0.0, 1.0), "hawk_sensitivity": (0.0, 1.0), "hawk_weight": (0.0, 2.0)}
MOMENTS = ("mean", "var", "acf1", "xcorr1")


def dyad_moments(series: np.ndarray) -> np.ndarray:
    """The 24 moments of six directed series ``(T, 6)`` (or ``(T, R, 6)``, averaged over R).

    Series are ordered as the engine's dyads (a→b, a→c, b→a, b→c, c→a, c→b).

    Examples
    --------
    >>> dyad_moments(np.zeros((10, 6)) + np.arange(6)).shape
    (24,)
    """
    x = series if series.ndim == 3 else series[:, None, :]
    rev = np.array([2, 4, 0, 5, 1, 3])[: x.shape[2]] if x.shape[2] == 6 else np.array([1, 0])
    mean = x.mean(axis=0)
    dev = x - mean
    var = (dev**2).mean(axis=0)
    safe = np.where(var > 0, var, np.nan)
    t = x.shape[0]  # the usual sample autocorrelation: lag products summed over T, not T − 1
    acf = (dev[1:] * dev[:-1]).sum(axis=0) / t / safe
    cross = (dev[1:] * dev[:-1][:, :, rev]).sum(axis=0) / t / np.sqrt(safe * safe[:, rev])
    out = np.concatenate([mean, var, np.nan_to_num(acf), np.nan_to_num(cross)], axis=1)
    return out.mean(axis=0)


@dataclass(frozen=True)
class Measurement:
    """The observation process of the data: mean events per month ``lam`` and the
    event-level standard deviation ``sd`` (Goldstein / 10) of each directed series."""

    lam: np.ndarray
    sd: np.ndarray

    @classmethod
    def from_counts(cls, values: np.ndarray, counts: np.ndarray) -> Measurement:
        """Estimate from the data's zero-filled means ``values`` and event counts (T, k).

        Examples
        --------
        >>> v = np.array([[0.5], [0.0], [0.3], [0.4]]); n = np.array([[2], [0], [1], [4]])
        >>> m = Measurement.from_counts(v, n)
        >>> float(m.lam[0]), bool(m.sd[0] >= 0)
        (1.75, True)
        """
        lam = counts.mean(axis=0).astype(np.float64)
        sd = np.zeros(values.shape[1])
        for d in range(values.shape[1]):
            ok = counts[:, d] > 0
            if ok.sum() < 3:
                continue
            y = values[ok, d]
            dev2 = (y - y.mean()) ** 2
            inv = 1.0 / counts[ok, d]
            if np.ptp(inv) == 0:
                continue
            slope = np.polyfit(inv, dev2, 1)[0]
            sd[d] = float(np.sqrt(max(0.0, slope)))
        return cls(lam=lam, sd=sd)

    def observe(self, levels: np.ndarray, gen: np.random.Generator) -> np.ndarray:
        """Observed zero-filled event means of latent ``levels`` (T, R, k).

        Examples
        --------
        >>> m = Measurement(lam=np.array([0.5]), sd=np.array([0.0]))
        >>> obs = m.observe(np.ones((20000, 1, 1)), np.random.default_rng(0))
        >>> bool(abs(float(obs.mean()) - (1 - np.exp(-0.5))) < 0.01)  # E = x·P(N > 0)
        True
        """
        n = gen.poisson(self.lam, size=levels.shape)
        z = gen.standard_normal(levels.shape)
        noisy = levels + self.sd * z / np.sqrt(np.maximum(n, 1))
        return np.where(n > 0, noisy, 0.0)


def _block_bootstrap(series: np.ndarray, draws: int, block: int, gen: np.random.Generator):
    t = series.shape[0]
    n_blocks = -(-t // block)
    out = np.empty((draws, 4 * series.shape[1]))
    for b in range(draws):
        starts = gen.integers(0, t - block + 1, n_blocks)
        idx = (starts[:, None] + np.arange(block)).ravel()[:t]
        out[b] = dyad_moments(series[idx])
    return out


@dataclass(frozen=True)
class CalibrationResults:
    """The SMM fit: ``params``, ``bse``, ``conf_int()``, the moments matched, provenance."""

    names: tuple[str, ...]
    params: np.ndarray
    bse: np.ndarray
    objective: float
    data_moments: np.ndarray
    sim_moments: np.ndarray
    moment_se: np.ndarray
    scenario: GameScenario = field(repr=False)
    runs: int = 0
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)
    jacobian: np.ndarray | None = field(default=None, repr=False)
    j_stat: float = float("nan")
    j_df: int = 0

    @property
    def j_pvalue(self) -> float:
        """p-value of the J test of the over-identifying restrictions (χ², ``j_df``)."""
        return float(stats.chi2.sf(self.j_stat, self.j_df)) if self.j_df > 0 else float("nan")

    def identification(self) -> dict[str, Any]:
        """Local identification from the Jacobian of the weighted moments ``W^½ G``:
        its singular values, numerical rank (singular values above 1e-3 of the largest)
        and, when the rank is short, the unidentified direction (the right singular
        vector of the smallest singular value: a combination of parameters the moments do
        not move, e.g. hawkishness sensitivity against weight, which enter as a product).
        """
        if self.jacobian is None:
            return {"rank": None, "singular_values": [], "unidentified": None}
        sd = self.moment_se
        _u, sv, vt = np.linalg.svd(self.jacobian / sd[:, None], full_matrices=False)
        rank = int((sv > 1e-3 * sv.max()).sum()) if sv.max() > 0 else 0
        weak = None
        if rank < len(self.names):
            weak = {n: round(float(v), 4) for n, v in zip(self.names, vt[-1], strict=True)}
        return {"rank": rank, "singular_values": sv.tolist(), "unidentified": weak}

    def diagnostics(self) -> dict[str, Any]:
        """The J test and the identification check, JSON-able."""
        j = None if np.isnan(self.j_stat) else float(self.j_stat)
        p = None if np.isnan(self.j_pvalue) else self.j_pvalue
        return {"j_test": {"stat": j, "df": self.j_df, "pvalue": p}, **self.identification()}

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        z = stats.norm.ppf(1 - alpha / 2)
        return np.column_stack([self.params - z * self.bse, self.params + z * self.bse])

    def status(self) -> list[str]:
        """Per parameter: ``"at a bound"`` (the optimum lies on the edge of its range: no
        standard error, the estimate is not asymptotically normal there), ``"not
        identified"`` (a standard error wider than the whole range: these moments do not
        pin it down) or ``"estimated"``."""
        out = []
        for i, n in enumerate(self.names):
            lo, hi = BOUNDS.get(n, (-np.inf, np.inf))
            if np.isnan(self.bse[i]):
                out.append("at a bound")
            elif self.bse[i] > hi - lo:
                out.append("not identified")
            else:
                out.append("estimated")
        return out

    def to_frame(self) -> pl.DataFrame:
        ci = self.conf_int()
        return pl.DataFrame(
            {
                "parameter": list(self.names),
                "estimate": self.params.tolist(),
                "bse": self.bse.tolist(),
                "ci_low": ci[:, 0].tolist(),
                "ci_high": ci[:, 1].tolist(),
                "status": self.status(),
            }
        )

    def moments_frame(self, dyads: list[str]) -> pl.DataFrame:
        names = [f"{m}:{d}" for m in MOMENTS for d in dyads]
        return pl.DataFrame(
            {
                "moment": names,
                "data": self.data_moments.tolist(),
                "simulated": self.sim_moments.tolist(),
                "data_se": self.moment_se.tolist(),
            }
        )

    def summary(self) -> str:
        lines = [
            f"SMM calibration ({len(self.data_moments)} moments, {self.runs} simulated runs, "
            f"objective {self.objective:.2f})"
        ]
        ci = self.conf_int()
        status = self.status()
        k = len(self.names)
        bound, loose = status.count("at a bound"), status.count("not identified")
        if bound or loose:
            parts = []
            if bound:
                parts.append(f"{bound} of {k} parameters at a bound of their range")
            if loose:
                parts.append(f"{loose} of {k} not identified by these moments")
            lines.append(
                "  WARNING: "
                + " and ".join(parts)
                + ": the data do not pin the behavioural parameters down, so the calibrated "
                "scenario says more about the series (their sparsity, their spikes) than "
                "about the triangle; read its outcomes with that in mind"
            )
        for i, n in enumerate(self.names):
            if status[i] == "at a bound":
                lines.append(f"  {n:<17} {self.params[i]:.3f} (at a bound of its range: no se)")
                continue
            note = " (se wider than its range: not identified)" if status[i] != "estimated" else ""
            lines.append(
                f"  {n:<17} {self.params[i]:.3f} (se {self.bse[i]:.3f}) "
                f"[{ci[i, 0]:.3f}, {ci[i, 1]:.3f}]{note}"
            )
        meas = self.provenance.get("measurement")
        if meas:
            lines.append(
                "  measurement layer: events/month λ "
                + ", ".join(f"{v:.2f}" for v in meas["lam"])
                + "; event sd "
                + ", ".join(f"{v:.2f}" for v in meas["sd"])
            )
        ident = self.identification()
        if ident["rank"] is not None:
            lines.append(
                f"  identification: Jacobian rank {ident['rank']} of {len(self.names)}"
                + (
                    f"; unidentified direction {ident['unidentified']}"
                    if ident["unidentified"]
                    else ""
                )
            )
        if self.j_df > 0:
            lines.append(
                f"  J test of the {self.j_df} over-identifying restrictions: "
                f"J = {self.j_stat:.2f}, p = {self.j_pvalue:.3g}"
            )
        return "\n".join(lines)


def _with_theta(scenario: GameScenario, theta: np.ndarray) -> GameScenario:
    noise, sens = float(theta[0]), float(theta[1])
    players = {}
    for c in scenario.countries:
        p = scenario.players.get(c) or Player.model_validate({})
        weight = float(theta[2]) if len(theta) > 2 else p.hawkishness.weight
        hawk = Hawkishness(sensitivity=sens, decay=p.hawkishness.decay, weight=weight)
        players[c] = p.model_copy(update={"noise": noise, "hawkishness": hawk})
    return scenario.model_copy(update={"players": players})


def _j_test(d: np.ndarray, g: np.ndarray, w: np.ndarray, omega: np.ndarray) -> tuple[float, int]:
    """Hansen's J statistic for any weighting matrix: the moment discrepancy ``d`` is
    asymptotically ``P·e`` with ``P = I − G(G'WG)⁻¹G'W`` and ``e ~ N(0, Ω)``, so
    ``J = d'(PΩP')⁺d ~ χ²`` with ``rank(PΩP')`` (= moments − parameters) degrees of
    freedom (Hansen 1982; Gourieroux & Monfort 1996, ch. 2)."""
    bread = np.linalg.pinv(g.T @ w @ g)
    proj = np.eye(len(d)) - g @ bread @ g.T @ w
    v = proj @ omega @ proj.T
    df = int(np.linalg.matrix_rank(v, tol=1e-10 * max(1e-300, float(np.abs(v).max()))))
    return float(d @ np.linalg.pinv(v, rcond=1e-10) @ d), min(df, len(d) - g.shape[1])


def smm_fit(
    scenario: GameScenario,
    data: np.ndarray,
    *,
    runs: int = 64,
    burn_in: int = 12,
    draws: int = 200,
    rng: RNGLike = None,
    start: tuple[float, ...] = (0.15, 0.1),
    maxiter: int = 150,
    measurement: Measurement | None = None,
) -> CalibrationResults:
    """Fit θ by SMM to measured series ``data`` ``(T, 6)`` (levels, Goldstein / 10).

    The policy-free game of ``scenario`` is simulated (its players' strategies as given);
    with ``measurement`` its levels are observed as the data were (:class:`Measurement`)
    before the moments are taken.

    Examples
    --------
    Data made by the game itself (noise 0.2, sensitivity × weight 0.12):

    >>> from trilateral.simulate import load_scenario
    >>> from trilateral.simulate._engine import simulate_raw
    >>> from trilateral.simulate._game import build_spec, child_seeds
    >>> sc = load_scenario("paper")
    >>> spec = build_spec(_with_theta(sc, np.array([0.2, 0.24])), None)
    >>> raw = simulate_raw(spec, child_seeds(np.random.SeedSequence(9), 1), 132)
    >>> res = smm_fit(sc, raw.levels[12:, 0].astype(float), runs=8, draws=40, rng=0,
    ...               maxiter=30)
    >>> res.names, res.j_df
    (('noise', 'hawk_sensitivity'), 22)
    """
    seq = seed_sequence(rng)
    boot_seq, run_seq = seq.spawn(2)
    obs_seq = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, 2**20))
    m_data = dyad_moments(data)
    boot = _block_bootstrap(data, draws, 6, np.random.default_rng(boot_seq))
    omega = np.cov(boot, rowvar=False)
    sd = np.sqrt(np.clip(np.diag(omega), 1e-12, None))
    w = np.diag(1.0 / sd**2)
    simulate = _moment_simulator(
        scenario, child_seeds(run_seq, runs), data.shape[0], burn_in, measurement, obs_seq
    )
    theta, objective = _minimise(simulate, m_data, w, start, maxiter)
    m_sim = simulate(theta)
    g = _jacobian(simulate, theta, len(m_data))
    j_stat, j_df = _j_test(m_data - m_sim, g, w, (1 + 1 / runs) * omega)
    return CalibrationResults(
        names=PARAMS,
        params=theta,
        bse=_sandwich_se(g, w, omega, theta, runs),
        objective=objective,
        data_moments=m_data,
        sim_moments=m_sim,
        moment_se=sd,
        scenario=_with_theta(scenario, theta),
        runs=runs,
        jacobian=g,
        j_stat=j_stat,
        j_df=j_df,
        provenance={
            "seed": str(seq.entropy),
            "version": __version__,
            "measurement": None
            if measurement is None
            else {"lam": measurement.lam.tolist(), "sd": measurement.sd.tolist()},
        },
    )


def _bounds() -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the calibrated parameters, in ``PARAMS`` order."""
    return np.array([BOUNDS[n][0] for n in PARAMS]), np.array([BOUNDS[n][1] for n in PARAMS])


def _moment_simulator(
    scenario: GameScenario,
    seeds: list[np.random.SeedSequence],
    t_len: int,
    burn_in: int,
    measurement: Measurement | None,
    obs_seq: np.random.SeedSequence,
) -> Callable[[np.ndarray], np.ndarray]:
    """θ → the simulated moments, on the same runs (common random numbers) for every θ."""
    lo, hi = _bounds()
    # only the levels are compared and payoffs never change them: the runs skip the
    # payoffs, so the economic weights (a panel read per call) are not needed
    weights = dict.fromkeys(scenario.countries, 1.0)

    def simulate(theta: np.ndarray) -> np.ndarray:
        spec = build_spec(_with_theta(scenario, np.clip(theta, lo, hi)), None, weights)
        raw = simulate_raw(spec, seeds, t_len + burn_in, payoffs=False)
        lv = raw.levels[burn_in:].astype(np.float64)
        if measurement is not None:  # the same counts and deviations for every θ
            lv = measurement.observe(lv, np.random.default_rng(obs_seq))
        return dyad_moments(lv)

    return simulate


def _minimise(
    simulate: Callable[[np.ndarray], np.ndarray],
    m_data: np.ndarray,
    w: np.ndarray,
    start: tuple[float, ...],
    maxiter: int,
) -> tuple[np.ndarray, float]:
    """Nelder–Mead on the SMM objective, θ mapped to its bounds by a logistic; (θ̂, objective)."""
    lo, hi = _bounds()

    def to_theta(z: np.ndarray) -> np.ndarray:
        return lo + (hi - lo) / (1.0 + np.exp(-z))

    def objective(z: np.ndarray) -> float:
        d = simulate(to_theta(z)) - m_data
        return float(d @ w @ d)

    s0 = (np.array(start) - lo) / (hi - lo)
    z0 = np.log(s0 / (1 - s0))
    best = optimize.minimize(
        objective,
        z0,
        method="Nelder-Mead",
        options={"maxiter": maxiter, "xatol": 1e-3, "fatol": 1e-3},
    )
    return to_theta(best.x), float(best.fun)


def _jacobian(
    simulate: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, n_moments: int
) -> np.ndarray:
    """Jacobian of the moments at θ by central differences on common random numbers."""
    lo, hi = _bounds()
    g = np.empty((n_moments, len(PARAMS)))
    for k in range(len(PARAMS)):
        h = 1e-2 * (hi[k] - lo[k])
        up, dn = theta.copy(), theta.copy()
        up[k] = min(hi[k], theta[k] + h)
        dn[k] = max(lo[k], theta[k] - h)
        g[:, k] = (simulate(up) - simulate(dn)) / (up[k] - dn[k])
    return g


def _sandwich_se(
    g: np.ndarray, w: np.ndarray, omega: np.ndarray, theta: np.ndarray, runs: int
) -> np.ndarray:
    """Sandwich standard errors; NaN for a parameter at its bound.

    At a bound the estimate is not asymptotically normal: no standard error there, and
    the sandwich is computed for the interior parameters only.
    """
    lo, hi = _bounds()
    span = hi - lo
    interior = (theta - lo > 1e-3 * span) & (hi - theta > 1e-3 * span)
    bse = np.full(len(PARAMS), np.nan)
    if interior.any():
        gi = g[:, interior]
        bread = np.linalg.pinv(gi.T @ w @ gi)
        cov = (1 + 1 / runs) * bread @ gi.T @ w @ omega @ w @ gi @ bread
        bse[interior] = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return bse


def measured_series(
    scenario: GameScenario,
) -> tuple[np.ndarray, Any, np.ndarray]:
    """Monthly "all"-arena mean Goldstein / 10 of the six directed dyads from the store
    (empty months 0, as the reciprocity VAR's default), the index it came from, and the
    monthly event counts (for the measurement layer)."""
    from ..measure import indices

    idx = indices(
        scenario.store,
        countries=scenario.countries,
        period="month",
        arena="all",
        n_boot=0,
        start=scenario.calibration_start,
        end=scenario.calibration_end,
    )
    frame = idx.frame.filter(pl.col("arena") == "all")
    c = scenario.countries
    cols = []
    counts = []
    for a in c:
        for b in c:
            if a == b:
                continue
            s = frame.filter((pl.col("source") == a) & (pl.col("target") == b)).sort("period_start")
            cols.append(s["mean_goldstein"].fill_null(0.0).to_numpy() / 10.0)
            counts.append(s["n_events"].fill_null(0).to_numpy())
    lengths = {len(v) for v in cols}
    if len(lengths) != 1 or min(lengths) < 24:
        raise DataError(
            f"the store {scenario.store} has fewer than 24 months of the six dyads in "
            f"{scenario.calibration_start}..{scenario.calibration_end}",
            hint="widen calibration_start/calibration_end or ingest more events",
        )
    return np.column_stack(cols), idx, np.column_stack(counts)


def calibrate_scenario(
    scenario: GameScenario, *, rng: RNGLike = None, runs: int = 64
) -> CalibrationResults:
    """``calibrate: true``: re-fit the `fitted` reaction functions from the scenario's store
    (lag-1 reciprocity VAR), then fit θ by SMM to the store's monthly dyad series.

    Returns the :class:`CalibrationResults`; its ``scenario`` is the calibrated one.
    """
    from ..measure import ReciprocityModel

    if len(scenario.countries) != 3:
        raise DataError("calibration needs three countries (six directed series)")
    data, idx, counts = measured_series(scenario)
    var = ReciprocityModel(idx, countries=scenario.countries).fit(lags=1)
    fitted: dict[str, dict[str, StrategySpec]] = {}
    for a in scenario.countries:
        fitted[a] = {}
        for b in scenario.countries:
            if a != b:
                coef = fitted_strategy(var, a, b).coefficients()
                clipped = {
                    "opening": min(1.0, max(-1.0, coef["opening"])),
                    "initiative": min(1.0, max(-1.0, coef["initiative"])),
                    **{
                        k: min(2.0, max(-2.0, coef[k]))
                        for k in (
                            "inertia",
                            "reciprocity",
                            "triangular_in",
                            "triangular_across",
                            "own_third",
                            "partner_third",
                        )
                    },
                }
                fitted[a][b] = StrategySpec.model_validate({"strategy": "linear", **clipped})
    base = scenario.model_copy(update={"fitted": fitted})
    res = smm_fit(base, data, runs=runs, rng=rng, measurement=Measurement.from_counts(data, counts))
    prov = {
        **res.provenance,
        "store": str(scenario.store),
        "data_hash": idx.provenance.get("data_hash"),
        "window": [str(scenario.calibration_start), str(scenario.calibration_end)],
        "var_nobs": var.nobs,
    }
    return dataclasses.replace(res, provenance=prov)
