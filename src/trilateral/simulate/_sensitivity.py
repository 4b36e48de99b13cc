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

    def to_frame(self) -> pl.DataFrame:
        return self.indices

    def summary(self) -> str:
        lines = [
            f"Sobol sensitivity ({self.samples} model evaluations × {self.replicates} runs, "
            f"{self.periods} months), 95 % bootstrap CI"
        ]
        for out in OUTCOMES:
            lines.append(f"  {out} (mean {self.outcome_means[out]:+.3f}):")
            rows = self.indices.filter(pl.col("outcome") == out).sort("ST", descending=True)
            if rows["ST"].null_count() == rows.height:
                lines.append("    constant over the design: no variance to apportion")
                continue
            for r in rows.iter_rows(named=True):
                lines.append(
                    f"    {r['parameter']:<18} S1 {r['S1']:+.3f} ± {r['S1_conf']:.3f}   "
                    f"ST {r['ST']:+.3f} ± {r['ST_conf']:.3f}"
                )
        return "\n".join(lines)


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
    if proactive:
        lay = base.layout
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


def sobol_sensitivity(
    scenario: GameScenario,
    *,
    base_samples: int = 64,
    replicates: int = 8,
    periods: int = 60,
    rng: RNGLike = None,
    batch_size: int | None = None,
) -> SensitivityResults:
    """Sobol indices of the proactive-vs-alignment gains over :data:`SENSITIVITY_PARAMETERS`.

    Parameters
    ----------
    scenario : GameScenario
        Must have the policies ``proactive_trilateral`` and ``align_with_russia`` and the
        countries USA, RUS, CHN (e.g. ``paper``).
    base_samples : int
        N of the Saltelli design (a power of two); model evaluations ``N · (D + 2)``.
    replicates : int
        Runs averaged per evaluation (the game is stochastic).
    periods : int
        Months simulated. The confrontation probability looks at the simulated years
        ending within ``min(scenario.horizon, periods)`` months (at least the first year).
    rng : int, SeedSequence, Generator or None
        Seeds the Sobol sequence's scrambling, the runs and the bootstrap.

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> res = sobol_sensitivity(load_scenario("paper"), base_samples=8, replicates=2,
    ...                         periods=24, rng=0)
    >>> sorted(set(res.to_frame()["outcome"]))
    ['china_payoff_gain', 'usa_rus_confrontation_gain', 'usa_rus_level_gain']
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if {_PROACTIVE, _ALIGN} - set(scenario.policies) or {"USA", "RUS", "CHN"} - set(
        scenario.countries
    ):
        raise ConfigError(
            "sensitivity needs the countries USA, RUS, CHN and the policies "
            f"{_PROACTIVE} and {_ALIGN}",
            hint="use the shipped paper scenario or one that extends it",
        )
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise ConfigError(f"base_samples={base_samples} must be a power of two ≥ 2")
    seq = seed_sequence(rng)
    sample_seq, run_seq, boot_seq = seq.spawn(3)
    names = list(SENSITIVITY_PARAMETERS)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(SENSITIVITY_PARAMETERS[n][:2]) for n in names],
    }
    x = sobol_sample.sample(
        problem,
        base_samples,
        calc_second_order=False,
        seed=np.random.default_rng(sample_seq),
    )
    weights = economic_weights(scenario)
    seeds = child_seeds(run_seq, x.shape[0] * replicates)
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
        labels = classify_blocks(
            raw.blocks[:n_blocks],
            spec.countries,
            spec.arenas,
            spec.layout.dyads,
            scenario.events_per_period,
        )  # (runs, pairs, blocks)
        pair = _usa_rus_pair(spec.countries)
        hit = (labels[:, pair, :] == _CONFRONTATION).any(axis=1).astype(np.float64)
        out[policy] = {
            "pay": raw.payoff[:, china].reshape(-1, replicates).mean(axis=1),
            "confrontation": hit.reshape(-1, replicates).mean(axis=1),
            "level": last.reshape(-1, replicates).mean(axis=1),
        }
    y = {
        "china_payoff_gain": out[_PROACTIVE]["pay"] - out[_ALIGN]["pay"],
        "usa_rus_confrontation_gain": out[_PROACTIVE]["confrontation"]
        - out[_ALIGN]["confrontation"],
        "usa_rus_level_gain": out[_PROACTIVE]["level"] - out[_ALIGN]["level"],
    }
    boot_seed = int(boot_seq.generate_state(1)[0]) or 1  # SALib falls back to the global RNG on 0
    rows: dict[str, list[Any]] = {
        k: [] for k in ("outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf")
    }
    for name, values in y.items():
        constant = bool(np.ptp(values) == 0)
        si = (
            None
            if constant
            else sobol_analyze.analyze(
                problem, values, calc_second_order=False, conf_level=0.95, seed=boot_seed
            )
        )
        for i, p in enumerate(names):
            rows["outcome"].append(name)
            rows["parameter"].append(p)
            for k in ("S1", "S1_conf", "ST", "ST_conf"):
                rows[k].append(None if si is None else float(si[k][i]))
    return SensitivityResults(
        indices=pl.DataFrame(
            rows, schema={k: pl.Utf8 if k in ("outcome", "parameter") else pl.Float64 for k in rows}
        ),
        samples=int(x.shape[0]),
        replicates=replicates,
        periods=periods,
        outcome_means={k: float(v.mean()) for k, v in y.items()},
        provenance={
            "config": scenario.model_dump(mode="json"),
            "seed": str(seq.entropy),
            "version": __version__,
            "parameters": {k: list(v[:2]) for k, v in SENSITIVITY_PARAMETERS.items()},
        },
    )
