"""Global sensitivity of the headline outcomes: Sobol indices with SALib (Saltelli 2002;
Jansen 1999 estimators as SALib implements them), with bootstrap confidence intervals.

Which parameters decide whether China's proactive trilateral policy beats aligning with
Russia? Three outcomes, each a *difference between the two policies on the same seeds*:

* ``china_payoff_gain``: China's cumulative payoff under ``proactive_trilateral`` minus
  under ``align_with_russia``;
* ``usa_rus_confrontation_gain``: the probability that USA–RUS is in "confrontation" in
  some simulated year within the scenario's ``horizon`` (the diagnose stage's regime
  rules on each run, as :meth:`SimulationResults.p_confrontation`), estimated over the
  ``replicates`` runs of each evaluation, under ``proactive_trilateral`` minus under
  ``align_with_russia`` (negative: proactive cooperation lowers the risk);
* ``usa_rus_level_gain``: the USA–RUS level (both directions, all arenas) in the last
  simulated year, proactive minus alignment — the continuous quantity the regime rules
  threshold.

Factors: the behavioural parameters of :data:`SENSITIVITY_PARAMETERS`, and the fitted
reaction coefficients the two policies share (the USA's and Russia's equations; China's
are replaced by the policies), each uniform over its 95 % confidence interval from the
scenario's ``fitted_uncertainty`` (independent factors, as Sobol indices need: the VAR's
correlations between coefficients are left out). The coefficients of the USA→RUS and
RUS→USA equations are factors one by one; those of USA→CHN and RUS→CHN enter as one group
per equation (SALib's groups), which keeps the design at ``N·(G + 2)`` evaluations.

N grows (doubling, the Sobol sequence's first N points kept, so only new rows are run)
until every total index's 95 % confidence interval is narrower than ``target_width`` or N
reaches ``max_samples``; :attr:`SensitivityResults.convergence` records each step.

The game is vectorised over parameter samples: every sample × replicate is one run with its
own parameters, so a whole Saltelli design is one engine call per policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from .. import __version__
from .._rng import RNGLike, seed_sequence
from ..errors import ConfigError
from ._config import GameScenario
from ._draws import term_role
from ._engine import GameSpec, simulate_raw
from ._game import _CONFRONTATION, build_spec, child_seeds, classify_blocks, economic_weights
from ._strategies import COEFFICIENTS

__all__ = ["SENSITIVITY_PARAMETERS", "SensitivityResults", "sobol_sensitivity"]

#: name → (lower, upper, what it is)
SENSITIVITY_PARAMETERS: dict[str, tuple[float, float, str]] = {
    "hawk_sensitivity": (0.0, 0.3, "rise of hawkishness per unit of hostility (all)"),
    "hawk_decay": (0.5, 0.95, "share of hawkishness kept each month (all)"),
    "hawk_weight": (0.0, 1.0, "effect of hawkishness on actions (all)"),
    "noise": (0.0, 0.3, "misperception s.d. (all)"),
    "public_good": (0.0, 2.0, "value of full trilateral cooperation"),
    "security_cost": (0.0, 2.0, "cost when the other two align against you"),
    "mediation": (0.0, 0.5, "initiative the other pair gains per unit invested"),
    "china_initiative": (0.0, 0.6, "China's initiative in the proactive policy"),
    "china_forgiveness": (0.0, 0.8, "China's forgiveness in the proactive policy"),
    "china_investment": (0.0, 1.0, "China's public-good investment (proactive)"),
}
OUTCOMES = ("china_payoff_gain", "usa_rus_confrontation_gain", "usa_rus_level_gain")
_PROACTIVE, _ALIGN = "proactive_trilateral", "align_with_russia"


@dataclass(frozen=True)
class SensitivityResults:
    """First-order (S1) and total (ST) Sobol indices per outcome and parameter, with 95 %
    bootstrap confidence half-widths (``S1_conf``, ``ST_conf``).

    An outcome that does not vary over the design (e.g. a confrontation probability of 1
    under both policies everywhere) has no variance to apportion: its indices are null and
    :meth:`summary` says so."""

    indices: pl.DataFrame
    samples: int
    replicates: int
    periods: int
    outcome_means: dict[str, float]
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)
    convergence: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False)
    base_samples: int = 0
    converged: bool = False

    def to_frame(self) -> pl.DataFrame:
        return self.indices

    def summary(self) -> str:
        lines = [
            f"Sobol sensitivity (N = {self.base_samples}: {self.samples} model evaluations × "
            f"{self.replicates} runs, {self.periods} months), 95 % bootstrap CI"
        ]
        if self.convergence.height:
            lines.append("  convergence (widest 95 % CI of a total index, per outcome):")
            for r in self.convergence.iter_rows(named=True):
                widths = ", ".join(
                    f"{o} {r[o]:.3f}" if r[o] is not None else f"{o} constant" for o in OUTCOMES
                )
                lines.append(f"    N = {r['N']:>5}: {widths}")
            target = self.provenance.get("target_width")
            lines.append(
                f"  {'converged' if self.converged else 'NOT converged'}: every total "
                f"index's CI narrower than {target}"
                + ("" if self.converged else f" not reached by N = {self.base_samples}")
            )
        for out in OUTCOMES:
            lines.append(f"  {out} (mean {self.outcome_means[out]:+.3f}):")
            rows = self.indices.filter(pl.col("outcome") == out).sort("ST", descending=True)
            if rows["ST"].null_count() == rows.height:
                lines.append("    constant over the design: no variance to apportion")
                continue
            for r in rows.iter_rows(named=True):
                lines.append(
                    f"    {r['parameter']:<28} S1 {r['S1']:+.3f} ± {r['S1_conf']:.3f}   "
                    f"ST {r['ST']:+.3f} ± {r['ST_conf']:.3f}"
                )
        return "\n".join(lines)


def fitted_factors(scenario: GameScenario) -> dict[str, tuple[float, float, str, str]]:
    """The fitted coefficients as Sobol factors: name → (lower, upper, group, what).

    Each coefficient of the USA's and Russia's fitted equations (the ones both compared
    policies keep), uniform over its 95 % confidence interval ``b̂ ± 1.96·se`` with
    ``se² = Σ_u[e, e]·(X'X)⁻¹[r, r]`` from ``fitted_uncertainty``. Names are
    ``"USA->RUS.triangular_across"``; the USA→RUS and RUS→USA coefficients are their own
    groups, the others one group per equation.

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> f = fitted_factors(load_scenario("paper"))
    >>> lo, hi, group, _ = f["USA->RUS.triangular_across"]
    >>> round(lo, 3), round(hi, 3), group
    (-1.071, 0.128, 'USA->RUS.triangular_across')
    """
    unc = scenario.fitted_uncertainty
    if unc is None:
        return {}
    series = [tuple(x.split("->")) for x in unc.series]
    sig = np.asarray(unc.sigma_u)
    xx = np.asarray(unc.xtx_inv)
    out: dict[str, tuple[float, float, str, str]] = {}
    for eq in [("USA", "RUS"), ("RUS", "USA"), ("USA", "CHN"), ("RUS", "CHN")]:
        if eq not in series or eq[0] not in scenario.fitted:
            continue
        point = scenario.fitted[eq[0]].get(eq[1])
        if point is None:
            continue
        values = point.overrides()
        e = series.index(eq)
        terms = [(0, "initiative")] + [
            (r, term_role(eq, (c[0], c[1]))) for r, c in enumerate(series, start=1)
        ]
        for r, role in terms:
            half = _Z95 * float(np.sqrt(sig[e, e] * xx[r, r]))
            b = values.get(role, 0.0)
            name = f"{eq[0]}->{eq[1]}.{role}"
            solo = {eq, eq[::-1]} == {("USA", "RUS"), ("RUS", "USA")}
            group = name if solo else f"{eq[0]}->{eq[1]} (equation)"
            out[name] = (b - half, b + half, group, f"fitted {role} of {eq[0]}→{eq[1]}")
    return out


_Z95 = 1.959963984540054


def _arrays(
    base: GameSpec, x: np.ndarray, names: list[str], reps: int, proactive: bool
) -> GameSpec:
    """The base spec with one parameter row per run (each sample repeated ``reps`` times)."""
    x = np.repeat(x, reps, axis=0)
    n_runs = x.shape[0]
    col = {name: x[:, i] for i, name in enumerate(names)}
    n = len(base.countries)
    china = base.countries.index("CHN")
    coef = np.repeat(base.coef, n_runs, axis=0)
    investment = np.repeat(base.investment, n_runs, axis=0)
    lay = base.layout
    for name, values in col.items():
        if "." not in name:
            continue
        dyad, role = name.split(".")
        a, b = (base.countries.index(c) for c in dyad.split("->"))
        coef[:, lay.dyads.index((a, b)), COEFFICIENTS.index(role)] = values
    if proactive:
        from_china = lay.src == china
        coef[:, from_china, COEFFICIENTS.index("initiative")] = col["china_initiative"][:, None]
        coef[:, from_china, COEFFICIENTS.index("forgiveness")] = col["china_forgiveness"][:, None]
        investment[:, china] = col["china_investment"]

    def every(name: str) -> np.ndarray:
        return np.repeat(col[name][:, None], n, axis=1)

    return replace(
        base,
        coef=coef,
        noise=every("noise"),
        sensitivity=every("hawk_sensitivity"),
        decay=every("hawk_decay"),
        weight=every("hawk_weight"),
        investment=investment,
        public_good=col["public_good"],
        security_cost=col["security_cost"],
        mediation=col["mediation"],
    )


def _usa_rus_pair(countries: tuple[str, ...] | list[str]) -> int:
    """Index of the USA–RUS pair in ``classify_blocks``'s pair order."""
    n = len(countries)
    pairs = [{countries[a], countries[b]} for a in range(n) for b in range(a + 1, n)]
    return pairs.index({"USA", "RUS"})


def _evaluate(
    scenario: GameScenario,
    x: np.ndarray,
    names: list[str],
    seeds: list[np.random.SeedSequence],
    replicates: int,
    periods: int,
    batch_size: int | None,
) -> dict[str, np.ndarray]:
    """The three outcomes of each design row ``x`` (proactive minus alignment)."""
    weights = economic_weights(scenario)
    n_blocks = max(1, min(scenario.horizon or periods, periods) // 12)
    out: dict[str, dict[str, np.ndarray]] = {}
    for policy in (_PROACTIVE, _ALIGN):
        spec = _arrays(
            build_spec(scenario, policy, weights), x, names, replicates, policy == _PROACTIVE
        )
        raw = simulate_raw(spec, seeds, periods, batch_size=batch_size)
        china = spec.countries.index("CHN")
        d = [spec.layout.dyads.index(p) for p in ((0, 1), (1, 0))]  # USA→RUS, RUS→USA
        last = raw.blocks[-1][:, d].mean(axis=(1, 2)).astype(np.float64)
        pair = _usa_rus_pair(spec.countries)
        ur = [dd for dd in spec.layout.dyads if {dd[0], dd[1]} == {0, 1}]
        labels = classify_blocks(
            raw.blocks[:n_blocks],
            spec.countries,
            spec.arenas,
            spec.layout.dyads,
            scenario.events_per_period,
            only=ur,
        )  # (runs, pairs, blocks), only the USA–RUS pair labelled
        hit = (labels[:, pair, :] == _CONFRONTATION).any(axis=1).astype(np.float64)
        out[policy] = {
            "pay": raw.payoff[:, china].reshape(-1, replicates).mean(axis=1),
            "confrontation": hit.reshape(-1, replicates).mean(axis=1),
            "level": last.reshape(-1, replicates).mean(axis=1),
        }
    return {
        "china_payoff_gain": out[_PROACTIVE]["pay"] - out[_ALIGN]["pay"],
        "usa_rus_confrontation_gain": out[_PROACTIVE]["confrontation"]
        - out[_ALIGN]["confrontation"],
        "usa_rus_level_gain": out[_PROACTIVE]["level"] - out[_ALIGN]["level"],
    }


def _check(scenario: GameScenario, base_samples: int, max_samples: int) -> None:
    if {_PROACTIVE, _ALIGN} - set(scenario.policies) or {"USA", "RUS", "CHN"} - set(
        scenario.countries
    ):
        raise ConfigError(
            "sensitivity needs the countries USA, RUS, CHN and the policies "
            f"{_PROACTIVE} and {_ALIGN}",
            hint="use the shipped paper scenario or one that extends it",
        )
    for name, n in (("base_samples", base_samples), ("max_samples", max_samples)):
        if n < 2 or n & (n - 1):
            raise ConfigError(f"{name}={n} must be a power of two ≥ 2")


def sobol_sensitivity(
    scenario: GameScenario,
    *,
    base_samples: int = 1024,
    max_samples: int | None = None,
    target_width: float = 0.1,
    replicates: int = 4,
    periods: int = 60,
    rng: RNGLike = None,
    batch_size: int | None = None,
    fitted: bool = True,
) -> SensitivityResults:
    """Sobol indices of the proactive-vs-alignment gains over :data:`SENSITIVITY_PARAMETERS`
    and the fitted coefficients (:func:`fitted_factors`).

    Parameters
    ----------
    scenario : GameScenario
        Must have the policies ``proactive_trilateral`` and ``align_with_russia`` and the
        countries USA, RUS, CHN (e.g. ``paper``).
    base_samples : int
        First N of the Saltelli design (a power of two); evaluations ``N · (G + 2)``.
    max_samples : int, optional
        Largest N (a power of two); N doubles from ``base_samples`` until every total
        index's 95 % CI is narrower than ``target_width``. Default ``base_samples`` (no
        growth).
    target_width : float
        Width of the widest acceptable total-index CI.
    replicates : int
        Runs averaged per evaluation (the game is stochastic).
    periods : int
        Months simulated. The confrontation probability looks at the simulated years
        ending within ``min(scenario.horizon, periods)`` months (at least the first year).
    rng : int, SeedSequence, Generator or None
        Seeds the Sobol sequence's scrambling, the runs and the bootstrap.
    fitted : bool
        Include the fitted coefficients as factors (needs ``fitted_uncertainty``).

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> res = sobol_sensitivity(load_scenario("paper"), base_samples=8, replicates=2,
    ...                         periods=24, rng=0)
    >>> sorted(set(res.to_frame()["outcome"]))
    ['china_payoff_gain', 'usa_rus_confrontation_gain', 'usa_rus_level_gain']
    >>> res.convergence["N"].to_list()
    [8]
    """
    max_samples = base_samples if max_samples is None else max_samples
    _check(scenario, base_samples, max_samples)
    seq = seed_sequence(rng)
    sample_seq, run_seq, boot_seq = seq.spawn(3)
    factors, problem = _problem(scenario, fitted)
    names = problem["names"]
    groups = sorted(set(problem["groups"]), key=problem["groups"].index)
    scramble = int(sample_seq.generate_state(1)[0])
    boot_seed = int(boot_seq.generate_state(1)[0]) or 1  # SALib falls back to the global RNG on 0
    y: dict[str, np.ndarray] = {o: np.empty(0) for o in OUTCOMES}
    x_done = np.empty((0, len(names)))
    steps: list[dict[str, Any]] = []
    n = base_samples
    while True:
        x = _design(problem, n, scramble, x_done)
        seeds = _design_seeds(run_seq, n, replicates, len(groups) + 2, x_done.shape[0], x.shape[0])
        got = _evaluate(
            scenario, x[x_done.shape[0] :], names, seeds, replicates, periods, batch_size
        )
        y = {o: np.concatenate([y[o], got[o]]) for o in OUTCOMES}
        x_done = x
        rows, widths = _analyse(problem, y, boot_seed)
        steps.append({"N": n, "evaluations": int(x.shape[0]), **widths})
        done = all(w is None or w < target_width for w in widths.values())
        if done or n >= max_samples:
            break
        n *= 2
    return SensitivityResults(
        indices=pl.DataFrame(
            rows, schema={k: pl.Utf8 if k in ("outcome", "parameter") else pl.Float64 for k in rows}
        ),
        samples=int(x_done.shape[0]),
        replicates=replicates,
        periods=periods,
        outcome_means={k: float(v.mean()) for k, v in y.items()},
        provenance=_provenance(scenario, seq, factors, groups, target_width),
        convergence=pl.DataFrame(
            steps,
            schema={"N": pl.Int64, "evaluations": pl.Int64, **dict.fromkeys(OUTCOMES, pl.Float64)},
        ),
        base_samples=n,
        converged=done,
    )


def _provenance(
    scenario: GameScenario,
    seq: np.random.SeedSequence,
    factors: dict[str, tuple[float, float, str, str]],
    groups: list[str],
    target_width: float,
) -> dict[str, Any]:
    return {
        "config": scenario.model_dump(mode="json"),
        "seed": str(seq.entropy),
        "version": __version__,
        "parameters": {k: list(v[:2]) for k, v in factors.items()},
        "groups": groups,
        "target_width": target_width,
    }


def _problem(
    scenario: GameScenario, fitted: bool
) -> tuple[dict[str, tuple[float, float, str, str]], dict[str, Any]]:
    """The factors ``{name: (lo, hi, group, what)}`` and SALib's problem over them."""
    factors: dict[str, tuple[float, float, str, str]] = {
        k: (lo, hi, k, what) for k, (lo, hi, what) in SENSITIVITY_PARAMETERS.items()
    }
    if fitted:
        factors.update(fitted_factors(scenario))
    names = list(factors)
    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(factors[n][:2]) for n in names],
        "groups": [factors[n][2] for n in names],
    }
    return factors, problem


def _design(problem: dict[str, Any], n: int, scramble: int, x_done: np.ndarray) -> np.ndarray:
    """Saltelli's design of base size ``n``, checked to extend the rows already run."""
    from SALib.sample import sobol as sobol_sample

    x = sobol_sample.sample(
        problem, n, calc_second_order=False, seed=np.random.default_rng(scramble)
    )
    if not np.array_equal(x[: x_done.shape[0]], x_done):  # pragma: no cover - SALib
        raise RuntimeError("the Sobol design of 2N does not extend that of N")
    return x


def _design_seeds(
    run_seq: np.random.SeedSequence, n: int, replicates: int, per_base: int, start: int, stop: int
) -> list[np.random.SeedSequence]:
    """Noise seeds of design rows ``start:stop``, ``replicates`` per row.

    Common random numbers within a base sample: its A, AB_g and B rows (``per_base`` = G + 2
    of them, consecutive in SALib's layout) run on the same noise seeds, so an index
    measures what the factor changes, not the noise (a payoff-only factor gets a total
    index of exactly 0 on the levels).
    """
    base_seeds = child_seeds(run_seq, n * replicates)
    return [
        base_seeds[(q // per_base) * replicates + r]
        for q in range(start, stop)
        for r in range(replicates)
    ]


def _analyse(
    problem: dict[str, Any], y: dict[str, np.ndarray], boot_seed: int
) -> tuple[dict[str, list[Any]], dict[str, float | None]]:
    """Indices per outcome and factor (group), and each outcome's widest total-index CI."""
    from SALib.analyze import sobol as sobol_analyze

    groups = sorted(set(problem["groups"]), key=problem["groups"].index)
    rows: dict[str, list[Any]] = {
        k: [] for k in ("outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf")
    }
    widths: dict[str, float | None] = {}
    for name, values in y.items():
        constant = bool(np.ptp(values) == 0)
        si = (
            None
            if constant
            else sobol_analyze.analyze(
                problem, values, calc_second_order=False, conf_level=0.95, seed=boot_seed
            )
        )
        widths[name] = None if si is None else float(2 * np.max(si["ST_conf"]))
        for i, p in enumerate(groups):
            rows["outcome"].append(name)
            rows["parameter"].append(p)
            for k in ("S1", "S1_conf", "ST", "ST_conf"):
                rows[k].append(None if si is None else float(si[k][i]))
    return rows, widths
