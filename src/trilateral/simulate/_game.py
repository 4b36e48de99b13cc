"""The game as users meet it: :class:`TrilateralGame`, its results, and policy comparisons."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from .. import __version__
from .._rng import RNGLike, seed_sequence
from ..errors import ConfigError, DataError
from ._config import MAX_PERIODS, MAX_RUNS, GameScenario, Player, Policy, StrategySpec
from ._draws import DRAW_KEY, apply_draws, coefficient_draws, design
from ._engine import GameSpec, RawRuns, describe, simulate_raw
from ._intervals import mean_interval, wilson
from ._strategies import STRATEGIES, Strategy, get_strategy

__all__ = ["SimulationResults", "TrilateralGame", "economic_weights", "wilson"]

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


def economic_weights(scenario: GameScenario, *, per_capita: bool = False) -> dict[str, float]:
    """Each country's economic weight (mean 1 over the triangle).

    ``"panel"``: GDP in current US$ in ``economic_year`` from the shipped capability panel
    (World Bank WDI), or GDP per person with ``per_capita`` (WDI population); ``"equal"``:
    1 each; or the scenario's own numbers (rescaled).

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> w = economic_weights(load_scenario("paper"))
    >>> w["USA"] > w["CHN"] > w["RUS"]
    True
    """
    countries = scenario.countries
    if per_capita and scenario.economic_weight != "panel":
        raise ConfigError(
            "payoff scaling per_capita needs economic_weight: panel (GDP and population "
            "from the World Bank in the capability panel)",
            hint="set economic_weight: panel, or choose payoff_scaling receiver, giver or unscaled",
        )
    if scenario.economic_weight == "equal":
        raw = {c: 1.0 for c in countries}
    elif scenario.economic_weight == "panel":
        from ..data import load_panel

        panel = load_panel(countries)
        raw = _panel_values(panel, "gdp_current_usd", scenario.economic_year, countries)
        if per_capita:
            pop = _panel_values(panel, "population", scenario.economic_year, countries)
            raw = {c: raw[c] / pop[c] for c in countries}
    else:
        raw = {c: float(scenario.economic_weight[c]) for c in countries}
    mean = sum(raw.values()) / len(countries)
    return {c: raw[c] / mean for c in countries}


def _panel_values(panel: Any, indicator: str, year: int, countries: Sequence[str]) -> dict:
    import pyarrow.compute as pc

    rows = panel.filter(
        (pc.field("indicator") == indicator) & (pc.field("year") == year)
    ).to_pylist()
    raw = {r["iso3"]: float(r["value"]) for r in rows if r["value"] is not None}
    missing = [c for c in countries if c not in raw]
    if missing:
        raise DataError(
            f"no {indicator} for {missing} in {year} in the capability panel",
            hint="choose another economic_year, or give economic_weight per country",
        )
    return raw


def scaling_weights(scenario: GameScenario, scaling: str | None = None) -> np.ndarray:
    """Each directed dyad's payoff weight (engine order) under a payoff scaling option:
    ``receiver`` (the partner's GDP), ``giver`` (the source's own GDP), ``per_capita``
    (the partner's GDP per person) or ``unscaled`` (1).

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> scaling_weights(load_scenario("paper"), "unscaled").tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """
    option = scaling or scenario.payoff_scaling
    n = len(scenario.countries)
    dyads = [(i, j) for i in range(n) for j in range(n) if i != j]
    if option == "unscaled":
        return np.ones(len(dyads))
    w = economic_weights(scenario, per_capita=option == "per_capita")
    econ = [w[c] for c in scenario.countries]
    return np.array([econ[i] if option == "giver" else econ[j] for i, j in dyads])


def strategies_of(
    scenario: GameScenario, policy: str | None = None
) -> tuple[dict[tuple[str, str], Strategy], dict[str, float]]:
    """Each directed dyad's strategy and each country's investment under ``policy``."""
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
    return strategies, investment


def reference_policy(scenario: GameScenario, name: str) -> Policy:
    """The reference policy ``name`` (``always_hostile``, ``always_cooperative``): the
    player of the scenario's policies (China by default) plays it towards both partners,
    with no investment."""
    player = next(iter(scenario.policies.values())).player if scenario.policies else "CHN"
    towards = {c: StrategySpec(strategy=name) for c in scenario.countries if c != player}
    return Policy(player=player, description=f"reference: {name} towards both", towards=towards)


def with_references(scenario: GameScenario) -> GameScenario:
    """The scenario with its reference policies added to ``policies`` (if not there)."""
    extra = {
        n: reference_policy(scenario, n)
        for n in scenario.reference_policies
        if n not in scenario.policies
    }
    if not extra:
        return scenario
    return scenario.model_copy(update={"policies": {**scenario.policies, **extra}})


def build_spec(
    scenario: GameScenario, policy: str | None = None, weights: Mapping[str, float] | None = None
) -> GameSpec:
    """The engine's arrays for a scenario under one of its policies (or none)."""
    countries = scenario.countries
    players = {c: scenario.players.get(c) or Player.model_validate({}) for c in countries}
    strategies, investment = strategies_of(scenario, policy)
    scale_by = "source" if scenario.payoff_scaling == "giver" else "target"
    if weights is None:
        if scenario.payoff_scaling == "unscaled":
            weights = {c: 1.0 for c in countries}
        else:
            weights = economic_weights(scenario, per_capita=scenario.payoff_scaling == "per_capita")
    return GameSpec.from_strategies(
        countries,
        scenario.arenas,
        strategies,
        noise={c: p.noise for c, p in players.items()},
        hawkishness={c: p.hawkishness.model_dump() for c, p in players.items()},
        investment=investment,
        econ=weights,
        payoff=(scenario.payoff.R, scenario.payoff.S, scenario.payoff.T, scenario.payoff.P),
        public_good=scenario.public_good,
        security_cost=scenario.security_cost,
        mediation=scenario.mediation,
        investment_cost=scenario.investment_cost,
        scale_by=scale_by,
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
    *,
    only: Sequence[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Regime label of every unordered pair, run and block, by the diagnose stage's rules
    (:func:`trilateral.diagnose.regime_labels`, the labels of ``classify_regimes``).

    Returns an object array ``(R, P, B)`` of labels (pairs in ``itertools.combinations``
    order of ``countries``). With ``only`` (a subset of ``dyads``, both directions of
    each pair wanted) the other pairs are not labelled (None): a pair's label reads only
    its own two directed series, so this changes no label.
    """
    from ..diagnose import regime_labels

    n_b, runs = blocks.shape[0], blocks.shape[1]
    n = len(countries)
    pair_of = {
        tuple(sorted((countries[a], countries[b]))): p
        for p, (a, b) in enumerate((a, b) for a in range(n) for b in range(a + 1, n))
    }
    out = np.empty((runs, len(pair_of), n_b), dtype=object)
    keep = list(range(len(dyads))) if only is None else [list(dyads).index(d) for d in only]
    sub = [dyads[k] for k in keep]
    for a in range(0, runs, _LABEL_CHUNK):
        b = min(runs, a + _LABEL_CHUNK)
        part = blocks[:, a:b][:, :, keep]
        labels = regime_labels(_regime_frame(part, countries, arenas, sub, events))
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
    draws : int
        Parameter draws M of the fitted coefficients (1: point estimates); run
        ``r = m·K + k`` is draw m on noise seed k (docs/simulate.md, "Uncertainty").
    caveat : str or None
        What the fitted strategies cannot claim (a lag order the criterion did not pick).
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
    draws: int = 1
    caveat: str | None = None

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

    @property
    def per_draw(self) -> int:
        """Noise seeds K per parameter draw."""
        return self.runs // self.draws

    def grid(self, values: np.ndarray) -> np.ndarray:
        """Per-run values (first runs first) as ``(draws, seeds)``; a prefix of the runs
        (e.g. the ``regime_runs`` classified) keeps its whole draws."""
        k = self.per_draw
        m = max(1, values.size // k)
        if values.size < k:
            return values.reshape(1, -1)
        return values[: m * k].reshape(m, k)

    # ------------------------------------------------------------------ payoffs
    def payoff_runs(self, country: str, weights: np.ndarray | None = None) -> np.ndarray:
        """Each run's cumulative payoff of ``country``; with ``weights`` (one per directed
        dyad, :func:`scaling_weights`) re-scaled from the recorded dyad payoffs."""
        i = self.countries.index(country)
        v = self.raw.payoff[:, i].astype(np.float64)
        if weights is None:
            return v
        if self.raw.dyad_payoff is None:
            raise ConfigError("these runs did not record dyad payoffs")
        spec = self.provenance["spec_weights"]
        mine = [d for d, (a, _b) in enumerate(self.dyads) if a == country]
        pd = self.raw.dyad_payoff[:, mine]
        return v + pd @ (np.asarray(weights)[mine] - np.asarray(spec)[mine])

    def payoff(self) -> dict[str, dict[str, float]]:
        """Cumulative payoff per country: mean, 95 % total interval (``ci_low``,
        ``ci_high``: Monte Carlo and parameter uncertainty), its Monte Carlo part
        (``mc_low``, ``mc_high``), the parameter part, and 5–95 % over runs."""
        out = {}
        for c in self.countries:
            v = self.payoff_runs(c)
            out[c] = {
                **mean_interval(self.grid(v)),
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

        Returns ``{"p", "ci_low", "ci_high", "mc_low", "mc_high", "param_low",
        "param_high", "draws", "seeds", "n"}``: the total 95 % interval, its Monte Carlo
        part (Wilson over the classified runs when there is one draw) and the parameter
        part (see :mod:`trilateral.simulate._intervals`).
        """
        hit = self.confrontation_runs(pair, within)
        iv = mean_interval(self.grid(hit), proportion=True)
        return {"p": iv.pop("mean"), **iv, "n": int(hit.size)}

    def confrontation_runs(
        self, pair: Sequence[str] = ("USA", "RUS"), within: int | None = None
    ) -> np.ndarray:
        """1.0 for each classified run whose ``pair`` was in confrontation in some simulated
        year ending within ``within`` periods (default ``horizon``), else 0.0."""
        n = self.horizon if within is None else within
        n_blocks = max(1, n // 12)
        lab = self.regimes[:, self._pair(pair), :n_blocks]
        return (lab == _CONFRONTATION).any(axis=1).astype(np.float64)

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
        lines = [
            f"{self.name}: {self.runs} runs × {self.periods} periods"
            + (f" ({self.draws} coefficient draws × {self.per_draw})" if self.draws > 1 else "")
        ]
        for c, v in self.payoff().items():
            lines.append(
                f"  payoff {c}: {v['mean']:.2f} [{v['ci_low']:.2f}, {v['ci_high']:.2f}] "
                f"{{MC {v['mc_low']:.2f}, {v['mc_high']:.2f}}}"
            )
        if {"USA", "RUS"} <= set(self.countries):
            p = self.p_confrontation()
            lines.append(
                f"  P(USA–RUS confrontation within {self.horizon} periods) = {p['p']:.3f} "
                f"[{p['ci_low']:.3f}, {p['ci_high']:.3f}] {{MC {p['mc_low']:.3f}, "
                f"{p['mc_high']:.3f}}} (n={p['n']})"
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
        self.weights = scaling_weights(scenario)
        strategies, _ = strategies_of(scenario, policy)
        #: the directed dyads whose strategy is the fitted one (their coefficients are drawn)
        self.fitted = frozenset(d for d, s in strategies.items() if s.name.startswith("fitted"))
        unc = scenario.fitted_uncertainty
        self.caveat = (
            f"{unc.criterion.upper()} chose lag order 0 for the reciprocity VAR behind the "
            "fitted strategies (no detectable dynamics at this resolution): their lag-1 "
            "coefficients are a forced fit, not a finding"
            if self.fitted and unc is not None and unc.selected_order == 0
            else None
        )

    def _design(
        self, seq: np.random.SeedSequence, runs: int
    ) -> tuple[GameSpec, int, list[np.random.SeedSequence]]:
        """The spec with per-run coefficient draws, M, and the runs' noise seeds."""
        sc = self.scenario
        draws, per_draw = design(sc, runs, bool(self.fitted))
        noise = child_seeds(seq, per_draw)
        if draws == 1 or sc.fitted_uncertainty is None:
            return self.spec, 1, child_seeds(seq, runs)
        root = np.random.SeedSequence(
            seq.entropy, spawn_key=(*seq.spawn_key, DRAW_KEY), pool_size=seq.pool_size
        )
        deltas = coefficient_draws(sc.fitted_uncertainty, child_seeds(root, draws))
        spec = apply_draws(self.spec, sc.fitted_uncertainty, self.fitted, deltas, per_draw)
        return spec, draws, noise * draws

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
        spec, draws, seeds = self._design(seq, runs)
        raw = simulate_raw(
            spec,
            seeds,
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
            draws=draws,
            caveat=self.caveat,
            provenance={
                "config": config,
                "policy": self.policy,
                "spec": describe(self.spec),
                "spec_weights": self.weights.tolist(),
                "parameter_draws": draws,
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
