"""Policy comparisons: every policy on the same seeds and coefficient draws, paired
differences from a baseline, reference rows, and the ranking under each payoff scaling
(docs/simulate.md, "Comparing policies")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .. import __version__
from .._rng import RNGLike, seed_sequence
from ._config import PAYOFF_SCALINGS, GameScenario
from ._game import SimulationResults, TrilateralGame, scaling_weights, with_references
from ._intervals import paired_difference

__all__ = ["PolicyComparison", "compare_policies"]

#: The policy every other one is compared with, when the scenario has it.
BASELINE = "equidistant_hedging"


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


@dataclass(frozen=True)
class PolicyComparison:
    """One :class:`SimulationResults` per policy of a scenario, run on the same noise
    seeds and the same coefficient draws (common random numbers), so a difference between
    two policies is computed run by run.

    Attributes
    ----------
    scenario : GameScenario
    results : mapping of str to SimulationResults
        The scenario's policies, then its reference policies (``reference_policies``).
    seed : str
    calibration : CalibrationResults or None
    baseline : str or None
        The policy the others are compared with: ``equidistant_hedging`` when present,
        else the scenario's first policy.
    """

    scenario: GameScenario
    results: Mapping[str, SimulationResults]
    seed: str
    calibration: Any = None  # CalibrationResults when the scenario said `calibrate: true`
    baseline: str | None = None

    @property
    def player(self) -> str:
        """The country whose policies are compared (China in the paper scenario)."""
        pols = self.scenario.policies
        return next(iter(pols.values())).player if pols else self.scenario.countries[-1]

    def _is_reference(self, name: str) -> bool:
        return name in self.scenario.reference_policies and name not in self.scenario.policies

    def differences(self, scaling: str | None = None) -> pl.DataFrame:
        """Each policy's paired difference from the baseline, run by run: the player's
        payoff (higher is better) and P(USA–RUS confrontation) (lower is better), with
        total and Monte Carlo 95 % intervals, the share of parameter draws in which the
        policy beats the baseline, and a verdict (``better``/``worse`` only where the
        total interval excludes zero).

        Examples
        --------
        >>> from trilateral.simulate import load_scenario
        >>> cmp = compare_policies(load_scenario("paper"), runs=40, periods=24, rng=0)
        >>> d = cmp.differences().filter(pl.col("policy") == "equidistant_hedging")
        >>> d.select("outcome", "mean", "ci_low", "ci_high", "verdict").rows()
        [('payoff_CHN', 0.0, 0.0, 0.0, 'not distinguishable'), ('p_confrontation_usa_rus', 0.0, 0.0, 0.0, 'not distinguishable')]
        """
        if self.baseline is None:
            return pl.DataFrame()
        base = self.results[self.baseline]
        w = None if scaling is None else scaling_weights(self.scenario, scaling)
        rows = []
        usa_rus = {"USA", "RUS"} <= set(base.countries)
        for name, res in self.results.items():
            outcomes = [
                (
                    f"payoff_{self.player}",
                    res.payoff_runs(self.player, w),
                    base.payoff_runs(self.player, w),
                    True,
                )
            ]
            if usa_rus:
                outcomes.append(
                    (
                        "p_confrontation_usa_rus",
                        res.confrontation_runs(),
                        base.confrontation_runs(),
                        False,
                    )
                )
            for outcome, y, b, higher in outcomes:
                d = paired_difference(
                    res.grid(y),
                    base.grid(b),
                    higher_is_better=higher,
                    bound=None if higher else 1.0,
                )
                rows.append(
                    {
                        "policy": name,
                        "reference": self._is_reference(name),
                        "outcome": outcome,
                        "baseline": self.baseline,
                        **{k: d[k] for k in ("mean", "ci_low", "ci_high", "mc_low", "mc_high")},
                        "p_beats": d["p_beats"],
                        "verdict": d["verdict"],
                    }
                )
        return pl.DataFrame(rows)

    def scaling_table(self) -> pl.DataFrame:
        """The player's payoff and its difference from the baseline under every payoff
        scaling option (``receiver``, ``giver``, ``per_capita``, ``unscaled``; the same
        runs, re-weighted): mean, rank (1 = highest mean), the paired difference with its
        total interval and verdict.

        Examples
        --------
        >>> from trilateral.simulate import load_scenario
        >>> cmp = compare_policies(load_scenario("paper"), runs=40, periods=24, rng=0)
        >>> sorted(set(cmp.scaling_table()["scaling"]))
        ['giver', 'per_capita', 'receiver', 'unscaled']
        """
        options = [
            o
            for o in PAYOFF_SCALINGS
            if o != "per_capita" or self.scenario.economic_weight == "panel"
        ]
        frames = []
        for option in options:
            w = scaling_weights(self.scenario, option)
            means = {
                n: float(r.payoff_runs(self.player, w).mean()) for n, r in self.results.items()
            }
            order = sorted(means, key=lambda n: -means[n])
            diff = self.differences(option).filter(pl.col("outcome") == f"payoff_{self.player}")
            frames.append(
                pl.DataFrame(
                    {
                        "scaling": option,
                        "policy": list(means),
                        f"payoff_{self.player}": list(means.values()),
                        "rank": [order.index(n) + 1 for n in means],
                    }
                ).join(
                    diff.select(
                        "policy",
                        pl.col("mean").alias("diff"),
                        pl.col("ci_low").alias("diff_ci_low"),
                        pl.col("ci_high").alias("diff_ci_high"),
                        "verdict",
                    ),
                    on="policy",
                    how="left",
                )
            )
        return pl.concat(frames)

    def to_frame(self) -> pl.DataFrame:
        """The comparison table: one row per policy, with total and Monte Carlo intervals
        and the difference from the baseline."""
        diffs = self.differences()
        rows = []
        for name, res in self.results.items():
            pay = res.payoff()
            row: dict[str, Any] = {"policy": name, "reference": self._is_reference(name)}
            for c in res.countries:
                row[f"payoff_{c}"] = pay[c]["mean"]
                for k in ("ci_low", "ci_high", "mc_low", "mc_high"):
                    row[f"payoff_{c}_{k}"] = pay[c][k]
            if {"USA", "RUS"} <= set(res.countries):
                p = res.p_confrontation()
                row["p_confrontation_usa_rus"] = p["p"]
                for k in ("ci_low", "ci_high", "mc_low", "mc_high"):
                    row[f"p_confrontation_{k}"] = p[k]
                d = res.dyads.index(("USA", "RUS"))
                row["usa_rus_final_level"] = float(res.raw.levels[-1, :, d].mean())
                shares = res.regime_shares().get(
                    "-".join(p for p in res.pairs[res._pair(("USA", "RUS"))]), {}
                )
                row["usa_rus_modal_regime"] = (
                    max(shares, key=lambda k: shares[k]["share"]) if shares else None
                )
            if diffs.height:
                for r in diffs.filter(pl.col("policy") == name).iter_rows(named=True):
                    key = "payoff" if r["outcome"].startswith("payoff") else "p_confrontation"
                    row[f"{key}_diff"] = r["mean"]
                    row[f"{key}_diff_ci_low"] = r["ci_low"]
                    row[f"{key}_diff_ci_high"] = r["ci_high"]
                    row[f"{key}_p_beats"] = r["p_beats"]
                    row[f"{key}_verdict"] = r["verdict"]
            rows.append(row)
        return pl.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` document (docs/simulate.md, "JSON output")."""
        first = next(iter(self.results.values()))
        diffs = self.differences()
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "version": __version__,
            "config": self.scenario.model_dump(mode="json"),
            "data_hash": first.provenance["data_hash"],
            "parameter_draws": first.draws,
            "seeds_per_draw": first.per_draw,
            "caveat": first.caveat,
            "baseline": self.baseline,
            "reference_policies": [n for n in self.results if self._is_reference(n)],
            "calibration": None
            if self.calibration is None
            else {
                "params": [  # NaN (no standard error at a bound) is null in JSON
                    {k: _clean(v) for k, v in row.items()}
                    for row in self.calibration.to_frame().to_dicts()
                ],
                "objective": self.calibration.objective,
                "provenance": self.calibration.provenance,
                **self.calibration.diagnostics(),
            },
            "policies": {
                name: {
                    **r.to_dict(),
                    "reference": self._is_reference(name),
                    "difference_from_baseline": {
                        row["outcome"]: {k: _clean(v) for k, v in row.items()}
                        for row in diffs.filter(pl.col("policy") == name).to_dicts()
                    },
                }
                for name, r in self.results.items()
            },
            "payoff_scaling": self.scaling_table().to_dicts(),
        }

    def summary(self) -> str:
        """The table as text: each policy, then its difference from the baseline."""
        refs = sum(self._is_reference(n) for n in self.results)
        lines = [
            f"scenario {self.scenario.name}: {len(self.results) - refs} policies"
            + (f" and {refs} reference rows" if refs else "")
        ]
        first = next(iter(self.results.values()))
        lines.append(
            f"  {first.draws} coefficient draw(s) × {first.per_draw} noise seeds; intervals "
            "are total 95 % (Monte Carlo part in braces)"
        )
        if first.caveat:
            lines.append(f"  CAVEAT: {first.caveat}")
        if self.calibration is not None:
            lines.append(self.calibration.summary())
        lines += [r.summary() for r in self.results.values()]
        diffs = self.differences()
        if diffs.height:
            lines.append(f"difference from {self.baseline} (paired, same runs):")
            for r in diffs.iter_rows(named=True):
                lines.append(
                    f"  {r['policy']:<22} {r['outcome']:<24} {r['mean']:+9.3f} "
                    f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}] P(beats) {r['p_beats']:.2f} "
                    f"{r['verdict']}"
                )
        return "\n".join(lines)

    def figure(self) -> Any:
        """A plotly Figure: USA–RUS level over time per policy (mean and 5–95 % band) and
        China's cumulative payoff per policy (mean and 95 % total interval)."""
        from ._figures import comparison_figure

        return comparison_figure(self)

    def to_html(self) -> str:
        """The figure as an HTML fragment (plotly.js from the CDN) the report can embed."""
        return str(self.figure().to_html(full_html=False, include_plotlyjs="cdn"))

    def save_png(self, path: str | Path) -> Path:
        """The figure as a PNG drawn with matplotlib (no browser needed)."""
        from ._figures import comparison_png

        return comparison_png(self, Path(path))


def compare_policies(
    scenario: GameScenario,
    *,
    runs: int | None = None,
    periods: int | None = None,
    rng: RNGLike = None,
    workers: int = 1,
    progress: Any = None,
) -> PolicyComparison:
    """Run every policy of ``scenario``, and its reference policies, on the same seeds
    and coefficient draws (common random numbers).

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> cmp = compare_policies(load_scenario("paper"), runs=40, periods=24, rng=0)
    >>> list(cmp.results)  # doctest: +NORMALIZE_WHITESPACE
    ['align_with_russia', 'align_with_us', 'equidistant_hedging', 'proactive_trilateral',
     'always_hostile', 'always_cooperative']
    """
    seq = seed_sequence(rng)
    full = with_references(scenario)
    names: list[str | None] = list(full.policies) or [None]
    out: dict[str, SimulationResults] = {}
    for name in names:
        # the same SeedSequence for every policy: differences are the policy's, not noise
        res = TrilateralGame(full, name).run(runs, periods, seq, workers=workers)
        out[name or scenario.name] = res
        if progress is not None:
            progress(name or scenario.name)
    # hedging when the scenario has it, else its first policy (a one-policy scenario is
    # then compared with its reference rows)
    baseline = BASELINE if BASELINE in out else next(iter(out))
    return PolicyComparison(
        scenario=scenario, results=out, seed=str(seq.entropy), baseline=baseline
    )
