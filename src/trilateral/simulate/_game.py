"""The game as users meet it: :class:`TrilateralGame`, its results, and policy comparisons."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .. import __version__
from .._rng import RNGLike, seed_sequence
from ..errors import ConfigError, DataError
from ._config import MAX_PERIODS, MAX_RUNS, GameScenario, Player, StrategySpec
from ._engine import GameSpec, RawRuns, describe, simulate_raw
from ._strategies import STRATEGIES, Strategy, get_strategy

__all__ = ["PolicyComparison", "SimulationResults", "TrilateralGame", "compare_policies"]

_Z = 1.959963984540054
_CONFRONTATION = "confrontation"


_TFT = StrategySpec.model_validate("tit_for_tat")


def _strategy(spec: StrategySpec, fitted: StrategySpec | None, who: str) -> Strategy:
    if spec.strategy == "fitted":
        if fitted is None:
            raise ConfigError(
                f"{who} uses the 'fitted' strategy but the scenario has no fitted "
                f"coefficients for it (key fitted.{who.replace('→', '.')})",
                hint="add them under `fitted:` (see paper.yaml), or set `calibrate: true` "
                "with `store:` to fit them from your data",
            )
        base = Strategy(
            "fitted",
            classifier=STRATEGIES["linear"].classifier,
            description="the scenario's fitted coefficients (see `fitted:`)",
            **fitted.overrides(),
        )
        return base.with_overrides(**spec.overrides()) if spec.overrides() else base
    return get_strategy(spec.strategy, **spec.overrides())


def economic_weights(scenario: GameScenario) -> dict[str, float]:
    """Each country's economic weight (mean 1 over the triangle).

    ``"panel"``: GDP in current US$ in ``economic_year`` from the shipped capability panel
    (World Bank WDI); ``"equal"``: 1 each; or the scenario's own numbers (rescaled).

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> w = economic_weights(load_scenario("paper"))
    >>> w["USA"] > w["CHN"] > w["RUS"]
    True
    """
    countries = scenario.countries
    if scenario.economic_weight == "equal":
        raw = {c: 1.0 for c in countries}
    elif scenario.economic_weight == "panel":
        import pyarrow.compute as pc

        from ..data import load_panel

        panel = load_panel(countries)
        rows = panel.filter(
            (pc.field("indicator") == "gdp_current_usd")
            & (pc.field("year") == scenario.economic_year)
        ).to_pylist()
        raw = {r["iso3"]: float(r["value"]) for r in rows if r["value"] is not None}
        missing = [c for c in countries if c not in raw]
        if missing:
            raise DataError(
                f"no GDP for {missing} in {scenario.economic_year} in the capability panel",
                hint="choose another economic_year, or give economic_weight per country",
            )
    else:
        raw = {c: float(scenario.economic_weight[c]) for c in countries}
    mean = sum(raw.values()) / len(countries)
    return {c: raw[c] / mean for c in countries}


def build_spec(
    scenario: GameScenario, policy: str | None = None, weights: Mapping[str, float] | None = None
) -> GameSpec:
    """The engine's arrays for a scenario under one of its policies (or none)."""
    countries = scenario.countries
    players = {c: scenario.players.get(c) or Player.model_validate({}) for c in countries}
    investment = {c: p.investment for c, p in players.items()}
    strategies: dict[tuple[str, str], Strategy] = {}
    for i in countries:
        spec = players[i].strategy
        for j in countries:
            if i == j:
                continue
            s = spec.get(j) or _TFT if isinstance(spec, dict) else spec
            fitted = scenario.fitted.get(i, {}).get(j)
            strategies[(i, j)] = _strategy(s, fitted, f"{i}→{j}")
    if policy is not None:
        if policy not in scenario.policies:
            raise ConfigError(
                f"no policy {policy!r} in scenario {scenario.name!r}",
                hint=f"its policies: {', '.join(scenario.policies) or '(none)'}",
            )
        pol = scenario.policies[policy]
        for j, s in pol.towards.items():
            fitted = scenario.fitted.get(pol.player, {}).get(j)
            strategies[(pol.player, j)] = _strategy(s, fitted, f"{pol.player}→{j}")
        investment[pol.player] = pol.investment
    return GameSpec.from_strategies(
        countries,
        scenario.arenas,
        strategies,
        noise={c: p.noise for c, p in players.items()},
        hawkishness={c: p.hawkishness.model_dump() for c, p in players.items()},
        investment=investment,
        econ=weights if weights is not None else economic_weights(scenario),
        payoff=(scenario.payoff.R, scenario.payoff.S, scenario.payoff.T, scenario.payoff.P),
        public_good=scenario.public_good,
        security_cost=scenario.security_cost,
        mediation=scenario.mediation,
        investment_cost=scenario.investment_cost,
    )


def child_seeds(seq: np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children ``seq.spawn`` would give, without advancing ``seq``.

    So the same SeedSequence passed twice (e.g. to every policy) gives the same runs.
    """
    return [
        np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, r), pool_size=seq.pool_size)
        for r in range(n)
    ]


def _check_caps(runs: int, periods: int) -> None:
    if not 1 <= runs <= MAX_RUNS:
        raise ConfigError(f"runs={runs} is outside 1..{MAX_RUNS} (the cap)", hint="ask for fewer")
    if not 1 <= periods <= MAX_PERIODS:
        raise ConfigError(
            f"periods={periods} is outside 1..{MAX_PERIODS} (the cap)", hint="ask for fewer"
        )


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n.

    Examples
    --------
    >>> [round(v, 3) for v in wilson(5, 10)]
    [0.237, 0.763]
    """
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    den = 1 + _Z**2 / n
    mid = (p + _Z**2 / (2 * n)) / den
    half = _Z * math.sqrt(p * (1 - p) / n + _Z**2 / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, mid - half)  # exact ends: no 1e-18 from rounding
    hi = 1.0 if k == n else min(1.0, mid + half)
    return (lo, hi)


def _regime_frame(
    blocks: np.ndarray,
    countries: Sequence[str],
    arenas: Sequence[str],
    dyads: Sequence[tuple[int, int]],
    events: int,
) -> pl.DataFrame:
    """Simulated block means as an index frame the diagnose stage's rules read.

    A level ``m`` in an arena becomes ``events`` events with cooperation share
    ``(1 + m)/2``, conflict share ``(1 − m)/2``, of which the material part is
    ``conflict · max(0, −m)``, and mean Goldstein ``10·m`` (docs/simulate.md, "Regimes").
    Run r's block b is the cell ``r·B + b``, written as ``period_start`` = that many days
    after 1970-01-01 (a label, not a calendar date).
    """
    runs, n_d, n_a, n_b = blocks.shape[1], blocks.shape[2], blocks.shape[3], blocks.shape[0]
    m = blocks.astype(np.float64)  # (B, R, D, A)
    m_all = m.mean(axis=3, keepdims=True)
    full = np.concatenate([m, m_all], axis=3)  # arenas + "all"
    arena_names = [*arenas, "all"]
    b_idx, r_idx, d_idx, a_idx = np.meshgrid(
        np.arange(n_b), np.arange(runs), np.arange(n_d), np.arange(n_a + 1), indexing="ij"
    )
    lv = full.ravel()
    coop = (1 + lv) / 2
    conflict = (1 - lv) / 2
    material = conflict * np.maximum(0.0, -lv)
    n_ev = np.where(a_idx.ravel() == n_a, events * n_a, events)
    cell = (r_idx.ravel() * n_b + b_idx.ravel()).astype(np.int32)
    src = np.array([countries[i] for i, _ in dyads])[d_idx.ravel()]
    tgt = np.array([countries[j] for _, j in dyads])[d_idx.ravel()]
    return pl.DataFrame(
        {
            "source": src,
            "target": tgt,
            "arena": np.array(arena_names)[a_idx.ravel()],
            "period": "year",
            "period_start": pl.Series(cell, dtype=pl.Int32).cast(pl.Date),
            "n_events": n_ev.astype(np.int64),
            "weight": n_ev.astype(np.float64),
            "mean_goldstein": 10 * lv,
            "conflict_share": conflict,
            "material_conflict_share": material,
            "cooperation_share": coop,
            "net_cooperation": coop - conflict,
            "force_events": np.zeros(lv.size, dtype=np.int64),
        }
    )


#: Runs labelled per call of the diagnose stage's rules (bounds the frame's memory).
_LABEL_CHUNK = 2000


def classify_blocks(
    blocks: np.ndarray,
    countries: Sequence[str],
    arenas: Sequence[str],
    dyads: Sequence[tuple[int, int]],
    events: int = 20,
) -> np.ndarray:
    """Regime label of every unordered pair, run and block, by the diagnose stage's rules
    (:func:`trilateral.diagnose.regime_labels`, the labels of ``classify_regimes``).

    Returns an object array ``(R, P, B)`` of labels (pairs in ``itertools.combinations``
    order of ``countries``).
    """
    from ..diagnose import regime_labels

    n_b, runs = blocks.shape[0], blocks.shape[1]
    n = len(countries)
    pair_of = {
        tuple(sorted((countries[a], countries[b]))): p
        for p, (a, b) in enumerate((a, b) for a in range(n) for b in range(a + 1, n))
    }
    out = np.empty((runs, len(pair_of), n_b), dtype=object)
    for a in range(0, runs, _LABEL_CHUNK):
        b = min(runs, a + _LABEL_CHUNK)
        labels = regime_labels(_regime_frame(blocks[:, a:b], countries, arenas, dyads, events))
        cell = labels["period_start"].cast(pl.Int32).to_numpy()
        r, blk = np.divmod(cell, n_b)
        p = np.array(
            [pair_of[(s, t)] for s, t in zip(labels["source"], labels["target"], strict=True)]
        )
        out[a + r, p, blk] = labels["label"].to_numpy()
    return out


@dataclass(frozen=True)
class SimulationResults:
    """The runs of one game (one policy): levels, payoffs and regimes, with provenance.

    Attributes
    ----------
    name : str
        The policy (or scenario) name.
    countries, arenas : tuple of str
    start : date
        Calendar month of period 0.
    raw : RawRuns
        What the engine recorded.
    horizon : int
        N of the confrontation probability.
    regime_runs : int or None
        Runs classified by the regime rules: None (the default) for every run, or the
        first ``regime_runs`` (so the set does not depend on batching).
    events_per_period : int
        Nominal events per arena and period behind the regime figures.
    provenance : dict
        ``config``, ``seed`` (entropy), ``version``, ``data_hash``.
    """

    name: str
    countries: tuple[str, ...]
    arenas: tuple[str, ...]
    start: date
    raw: RawRuns = field(repr=False)
    horizon: int
    regime_runs: int | None
    events_per_period: int
    provenance: dict[str, Any] = field(repr=False)

    @property
    def runs(self) -> int:
        return int(self.raw.payoff.shape[0])

    @property
    def periods(self) -> int:
        return int(self.raw.levels.shape[0])

    @property
    def dyads(self) -> tuple[tuple[str, str], ...]:
        c = self.countries
        return tuple((a, b) for a in c for b in c if a != b)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        c = self.countries
        return tuple((c[a], c[b]) for a in range(len(c)) for b in range(a + 1, len(c)))

    # ------------------------------------------------------------------ payoffs
    def payoff(self) -> dict[str, dict[str, float]]:
        """Cumulative payoff per country: mean, 95 % CI of the mean, 5–95 % over runs."""
        out = {}
        for i, c in enumerate(self.countries):
            v = self.raw.payoff[:, i]
            se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else 0.0
            out[c] = {
                "mean": float(v.mean()),
                "ci_low": float(v.mean() - _Z * se),
                "ci_high": float(v.mean() + _Z * se),
                "q05": float(np.quantile(v, 0.05)),
                "q95": float(np.quantile(v, 0.95)),
            }
        return out

    # ------------------------------------------------------------------ regimes
    @cached_property
    def regimes(self) -> np.ndarray:
        """Labels ``(runs classified, pairs, simulated years)`` from the diagnose rules."""
        k = self.runs if self.regime_runs is None else min(self.regime_runs, self.runs)
        c = self.countries
        dyads = [(c.index(a), c.index(b)) for a, b in self.dyads]
        return classify_blocks(
            self.raw.blocks[:, :k], c, self.arenas, dyads, self.events_per_period
        )

    def _pair(self, pair: Sequence[str]) -> int:
        key = tuple(sorted(p.upper() for p in pair))
        for p, (a, b) in enumerate(self.pairs):
            if tuple(sorted((a, b))) == key:
                return p
        raise ConfigError(f"no pair {pair} among {self.countries}")

    def p_confrontation(
        self, pair: Sequence[str] = ("USA", "RUS"), within: int | None = None
    ) -> dict[str, float]:
        """P(the pair's regime is "confrontation" in some simulated year ending ≤ N).

        Returns ``{"p", "ci_low", "ci_high", "n"}`` (Wilson interval over the classified
        runs).
        """
        n_per = self.horizon if within is None else within
        n_blocks = max(1, n_per // 12)
        lab = self.regimes[:, self._pair(pair), :n_blocks]
        hit = (lab == _CONFRONTATION).any(axis=1)
        lo, hi = wilson(int(hit.sum()), int(hit.size))
        return {"p": float(hit.mean()), "ci_low": lo, "ci_high": hi, "n": int(hit.size)}

    def regime_shares(self) -> dict[str, dict[str, dict[str, float]]]:
        """Share of runs in each regime in the last simulated year, per pair (Wilson CI)."""
        from ..diagnose import REGIME_LABELS

        out: dict[str, dict[str, dict[str, float]]] = {}
        last = self.regimes[:, :, -1]
        for p, (a, b) in enumerate(self.pairs):
            col = last[:, p]
            shares = {}
            for label in REGIME_LABELS:
                k = int((col == label).sum())
                if k:
                    lo, hi = wilson(k, col.size)
                    shares[label] = {"share": k / col.size, "ci_low": lo, "ci_high": hi}
            out[f"{a}-{b}"] = shares
        return out

    def regime_frame(self) -> pl.DataFrame:
        """Each pair's regime over time: per simulated year, the share of runs in each
        regime with its 95 % Wilson interval (zero shares included).

        Columns ``pair, year, start, label, share, ci_low, ci_high, runs``; ``year`` counts
        from 1, ``start`` is its first calendar month.

        Examples
        --------
        >>> from trilateral.simulate import TrilateralGame, load_scenario
        >>> res = TrilateralGame(load_scenario("equidistant_hedging")).run(20, 24, rng=0)
        >>> f = res.regime_frame()
        >>> sorted(set(f["year"].to_list()))
        [1, 2]
        """
        from ..diagnose import REGIME_LABELS

        lab = self.regimes  # (runs, pairs, years)
        n = lab.shape[0]
        rows: dict[str, list[Any]] = {
            k: [] for k in ("pair", "year", "start", "label", "share", "ci_low", "ci_high", "runs")
        }
        for p, (a, b) in enumerate(self.pairs):
            for y in range(lab.shape[2]):
                col = lab[:, p, y]
                yy, mo = divmod(self.start.month - 1 + 12 * y, 12)
                for label in REGIME_LABELS:
                    k = int((col == label).sum())
                    lo, hi = wilson(k, n)
                    rows["pair"].append(f"{a}-{b}")
                    rows["year"].append(y + 1)
                    rows["start"].append(date(self.start.year + yy, mo + 1, 1))
                    rows["label"].append(label)
                    rows["share"].append(k / n if n else float("nan"))
                    rows["ci_low"].append(lo)
                    rows["ci_high"].append(hi)
                    rows["runs"].append(n)
        return pl.DataFrame(rows)

    # ------------------------------------------------------------------ levels
    def to_frame(self) -> pl.DataFrame:
        """Each directed dyad's level (mean over arenas) per period: mean and 5/50/95 %.

        Examples
        --------
        >>> from trilateral.simulate import TrilateralGame, load_scenario
        >>> res = TrilateralGame(load_scenario("equidistant_hedging")).run(20, 24, rng=0)
        >>> res.to_frame().columns[:4]
        ['dyad', 'period', 'month', 'mean']
        """
        lv = self.raw.levels.astype(np.float64)  # (T, R, D)
        q = np.quantile(lv, [0.05, 0.5, 0.95], axis=1)  # (3, T, D)
        mean = lv.mean(axis=1)
        rows: dict[str, list[Any]] = {
            k: [] for k in ("dyad", "period", "month", "mean", "q05", "median", "q95")
        }
        for d, (a, b) in enumerate(self.dyads):
            for t in range(self.periods):
                y, mo = divmod(self.start.month - 1 + t, 12)
                rows["dyad"].append(f"{a}->{b}")
                rows["period"].append(t)
                rows["month"].append(date(self.start.year + y, mo + 1, 1))
                rows["mean"].append(float(mean[t, d]))
                rows["q05"].append(float(q[0, t, d]))
                rows["median"].append(float(q[1, t, d]))
                rows["q95"].append(float(q[2, t, d]))
        return pl.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of one policy (see docs/simulate.md, "JSON output")."""
        final = self.raw.levels[-1].astype(np.float64)
        return {
            "runs": self.runs,
            "periods": self.periods,
            "payoff": self.payoff(),
            "p_confrontation_usa_rus": self.p_confrontation()
            if {"USA", "RUS"} <= set(self.countries)
            else None,
            "confrontation_within_periods": self.horizon,
            "regimes": self.regime_shares(),
            "regimes_by_year": {
                pair: {
                    label: [
                        round(float(v), 6)
                        for v in grp.filter(pl.col("label") == label).sort("year")["share"]
                    ]
                    for label in grp["label"].unique(maintain_order=True)
                    if grp.filter(pl.col("label") == label)["share"].sum() > 0
                }
                for (pair,), grp in self.regime_frame().group_by("pair", maintain_order=True)
            },
            "final_level": {
                f"{a}->{b}": {
                    "mean": float(final[:, d].mean()),
                    "q05": float(np.quantile(final[:, d], 0.05)),
                    "q95": float(np.quantile(final[:, d], 0.95)),
                }
                for d, (a, b) in enumerate(self.dyads)
            },
        }

    def summary(self) -> str:
        """A short text report."""
        lines = [f"{self.name}: {self.runs} runs × {self.periods} periods"]
        for c, v in self.payoff().items():
            lines.append(f"  payoff {c}: {v['mean']:.2f} [{v['ci_low']:.2f}, {v['ci_high']:.2f}]")
        if {"USA", "RUS"} <= set(self.countries):
            p = self.p_confrontation()
            lines.append(
                f"  P(USA–RUS confrontation within {self.horizon} periods) = {p['p']:.3f} "
                f"[{p['ci_low']:.3f}, {p['ci_high']:.3f}] (n={p['n']})"
            )
        return "\n".join(lines)


class TrilateralGame:
    """The repeated game of three (or two) countries in several arenas.

    Modelling assumptions (docs/simulate.md): each country's level towards each other
    country per arena lies in [−1, 1] and follows a reaction function of the linear family
    (:class:`Strategy`) answering what it perceived (with misperception noise) in the last
    period, shifted by its domestic hawkishness, which rises with hostility received and
    decays (Feng 2019: domestic politics makes the conflict "endogenous"). Stage payoffs are
    a prisoner's dilemma per dyad and arena (Axelrod 1984), scaled by the partner's economic
    weight, plus a weakest-link public good of trilateral cooperation, minus a security
    cost when the other two cooperate with each other and are hostile to you.

    Parameters
    ----------
    scenario : GameScenario
        A validated scenario (:func:`load_scenario`).
    policy : str, optional
        One of the scenario's policies to apply.

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> game = TrilateralGame(load_scenario("paper"), policy="proactive_trilateral")
    >>> res = game.run(runs=50, periods=24, rng=0)
    >>> res.raw.levels.shape
    (24, 50, 6)
    """

    def __init__(self, scenario: GameScenario, policy: str | None = None) -> None:
        self.scenario = scenario
        self.policy = policy
        self.spec = build_spec(scenario, policy)

    def run(
        self,
        runs: int | None = None,
        periods: int | None = None,
        rng: RNGLike = None,
        *,
        workers: int = 1,
        batch_size: int | None = None,
        record_actions: bool = False,
    ) -> SimulationResults:
        """Simulate ``runs`` independent runs of ``periods`` periods.

        Parameters
        ----------
        runs, periods : int, optional
            Default: the scenario's (capped at ``MAX_RUNS`` / ``MAX_PERIODS``).
        rng : int, SeedSequence, Generator or None
            Resolved once; run r uses the r-th child of ``SeedSequence.spawn``, so the
            numbers do not depend on ``workers`` or ``batch_size``.
        workers : int
            Processes (batches are spread over them).
        batch_size : int, optional
            Runs per vectorised batch; default: as many as keep the batch's pre-drawn
            noise near 128 MB (≈ 58 KB per run and 120 periods), all runs when noise-free.
        record_actions : bool
            Keep every action and stage payoff (memory: T × runs × 6 × arenas).
        """
        sc = self.scenario
        runs = sc.runs if runs is None else runs
        periods = sc.periods if periods is None else periods
        _check_caps(runs, periods)
        seq = seed_sequence(rng)
        raw = simulate_raw(
            self.spec,
            child_seeds(seq, runs),
            periods,
            workers=workers,
            batch_size=batch_size,
            record_actions=record_actions,
        )
        config = sc.model_dump(mode="json")
        return SimulationResults(
            name=self.policy or sc.name,
            countries=tuple(sc.countries),
            arenas=tuple(sc.arenas),
            start=sc.start,
            raw=raw,
            horizon=min(sc.horizon or periods, periods),
            regime_runs=sc.regime_runs,
            events_per_period=sc.events_per_period,
            provenance={
                "config": config,
                "policy": self.policy,
                "spec": describe(self.spec),
                "seed": str(seq.entropy),
                "spawn_key": list(seq.spawn_key),
                "version": __version__,
                "data_hash": _data_hash(sc),
            },
        )


def _data_hash(scenario: GameScenario) -> str:
    """Hash of the inputs the run depends on besides the configuration."""
    h = hashlib.sha256(json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode())
    if scenario.economic_weight == "panel":
        from ..data import panel_provenance

        h.update(json.dumps(panel_provenance(), sort_keys=True, default=str).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class PolicyComparison:
    """One :class:`SimulationResults` per policy of a scenario, run on the same seeds."""

    scenario: GameScenario
    results: Mapping[str, SimulationResults]
    seed: str
    calibration: Any = None  # CalibrationResults when the scenario said `calibrate: true`

    def to_frame(self) -> pl.DataFrame:
        """The comparison table: one row per policy."""
        rows = []
        for name, res in self.results.items():
            pay = res.payoff()
            row: dict[str, Any] = {"policy": name}
            for c in res.countries:
                row[f"payoff_{c}"] = pay[c]["mean"]
                row[f"payoff_{c}_ci_low"] = pay[c]["ci_low"]
                row[f"payoff_{c}_ci_high"] = pay[c]["ci_high"]
            if {"USA", "RUS"} <= set(res.countries):
                p = res.p_confrontation()
                row["p_confrontation_usa_rus"] = p["p"]
                row["p_confrontation_ci_low"] = p["ci_low"]
                row["p_confrontation_ci_high"] = p["ci_high"]
                d = res.dyads.index(("USA", "RUS"))
                row["usa_rus_final_level"] = float(res.raw.levels[-1, :, d].mean())
                shares = res.regime_shares().get(
                    "-".join(p for p in res.pairs[res._pair(("USA", "RUS"))]), {}
                )
                row["usa_rus_modal_regime"] = (
                    max(shares, key=lambda k: shares[k]["share"]) if shares else None
                )
            rows.append(row)
        return pl.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` document."""
        first = next(iter(self.results.values()))
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "version": __version__,
            "config": self.scenario.model_dump(mode="json"),
            "data_hash": first.provenance["data_hash"],
            "calibration": None
            if self.calibration is None
            else {
                "params": [  # NaN (no standard error at a bound) is null in JSON
                    {
                        k: None if isinstance(v, float) and math.isnan(v) else v
                        for k, v in row.items()
                    }
                    for row in self.calibration.to_frame().to_dicts()
                ],
                "objective": self.calibration.objective,
                "provenance": self.calibration.provenance,
            },
            "policies": {name: r.to_dict() for name, r in self.results.items()},
        }

    def summary(self) -> str:
        """The table as text."""
        lines = [f"scenario {self.scenario.name}: {len(self.results)} policies"]
        if self.calibration is not None:
            lines.append(self.calibration.summary())
        lines += [r.summary() for r in self.results.values()]
        return "\n".join(lines)

    def figure(self) -> Any:
        """A plotly Figure: USA–RUS level over time per policy (mean and 5–95 % band) and
        China's cumulative payoff per policy (mean and 95 % CI)."""
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
    """Run every policy of ``scenario`` on the same seeds (common random numbers).

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> cmp = compare_policies(load_scenario("paper"), runs=40, periods=24, rng=0)
    >>> sorted(cmp.results)
    ['align_with_russia', 'align_with_us', 'equidistant_hedging', 'proactive_trilateral']
    """
    seq = seed_sequence(rng)
    names: list[str | None] = list(scenario.policies) or [None]
    out: dict[str, SimulationResults] = {}
    for name in names:
        # the same SeedSequence for every policy: differences are the policy's, not noise
        res = TrilateralGame(scenario, name).run(runs, periods, seq, workers=workers)
        out[name or scenario.name] = res
        if progress is not None:
            progress(name or scenario.name)
    return PolicyComparison(scenario=scenario, results=out, seed=str(seq.entropy))
