"""The repeated trilateral game, vectorised over runs (docs/simulate.md, equations 1–4).

State arrays are ``runs × directed dyads × arenas``; one NumPy step advances every run by
one period. Each run draws its misperception noise from its own child stream
(``SeedSequence.spawn``), so a run's numbers do not depend on the batch it was computed
in, the batch size, or the number of worker processes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError
from ._strategies import COEFFICIENTS, Strategy

__all__ = ["GameSpec", "RawRuns", "simulate_raw"]


@dataclass(frozen=True, slots=True)
class Layout:
    """Index arrays of the game for ``n`` (2 or 3) countries."""

    n: int
    dyads: tuple[tuple[int, int], ...]  # (source, target), ordered by source then target
    src: np.ndarray  # (D,)
    tgt: np.ndarray  # (D,)
    rev: np.ndarray  # (D,) index of j→i
    obs_dyad: np.ndarray  # (O,) dyad observed
    obs_who: np.ndarray  # (O,) observer
    ji: np.ndarray  # (D,) observation index of (i perceives j→i)
    ki: np.ndarray  # (D,) (i perceives k→i); n == 3 only
    kj: np.ndarray  # (D,) (i perceives k→j); n == 3 only
    recv: np.ndarray  # (n, n−1) observation indices of the dyads towards c, perceived by c
    pairs: np.ndarray  # (P, 2) dyad indices (i→j, j→i) of each unordered pair, i < j
    third_of_pair: np.ndarray  # (P,) country outside the pair (n == 3)
    pair_of_dyad: np.ndarray  # (D,)
    towards: np.ndarray  # (n, n−1) dyad indices of the dyads towards c
    ki_dyad: np.ndarray  # (D,) dyad k→i itself (perfect perception)
    kj_dyad: np.ndarray  # (D,) dyad k→j itself
    ik_dyad: np.ndarray  # (D,) dyad i→k (i knows its own actions); n == 3 only
    jk: np.ndarray  # (D,) observation index of (i perceives j→k); n == 3 only
    jk_dyad: np.ndarray  # (D,) dyad j→k itself

    @classmethod
    def build(cls, n: int) -> Layout:
        if n not in (2, 3):
            raise ConfigError(f"the game takes two or three countries, got {n}")
        dyads = tuple((i, j) for i in range(n) for j in range(n) if i != j)
        d_of = {d: k for k, d in enumerate(dyads)}
        obs = [(o, d_of[d]) for o in range(n) for d in dyads if d[0] != o]
        o_of = {x: k for k, x in enumerate(obs)}
        ji = [o_of[(i, d_of[(j, i)])] for i, j in dyads]
        if n == 3:
            ks = [3 - i - j for i, j in dyads]
            ki = [o_of[(i, d_of[(k, i)])] for (i, _j), k in zip(dyads, ks, strict=True)]
            kj = [o_of[(i, d_of[(k, j)])] for (i, j), k in zip(dyads, ks, strict=True)]
            jk = [o_of[(i, d_of[(j, k)])] for (i, j), k in zip(dyads, ks, strict=True)]
            ik_dyad = [d_of[(i, k)] for (i, _j), k in zip(dyads, ks, strict=True)]
        else:
            ki = kj = jk = ji
            ik_dyad = list(range(len(dyads)))
        recv = [[o_of[(c, d_of[(s, c)])] for s in range(n) if s != c] for c in range(n)]
        pairs = [(d_of[(i, j)], d_of[(j, i)]) for i, j in itertools.combinations(range(n), 2)]
        third = [3 - i - j if n == 3 else -1 for i, j in itertools.combinations(range(n), 2)]
        pair_index = {frozenset(dyads[a]): p for p, (a, _b) in enumerate(pairs)}
        return cls(
            n=n,
            dyads=dyads,
            src=np.array([i for i, _ in dyads]),
            tgt=np.array([j for _, j in dyads]),
            rev=np.array([d_of[(j, i)] for i, j in dyads]),
            obs_dyad=np.array([d for _, d in obs]),
            obs_who=np.array([o for o, _ in obs]),
            ji=np.array(ji),
            ki=np.array(ki),
            kj=np.array(kj),
            recv=np.array(recv),
            pairs=np.array(pairs),
            third_of_pair=np.array(third),
            pair_of_dyad=np.array([pair_index[frozenset(d)] for d in dyads]),
            towards=np.array([[d_of[(s, c)] for s in range(n) if s != c] for c in range(n)]),
            ki_dyad=np.array([obs[o][1] for o in ki]),
            kj_dyad=np.array([obs[o][1] for o in kj]),
            ik_dyad=np.array(ik_dyad),
            jk=np.array(jk),
            jk_dyad=np.array([obs[o][1] for o in jk]),
        )


@dataclass(frozen=True, slots=True)
class GameSpec:
    """Everything the engine needs, as arrays (one row per run or one row for all).

    ``coef`` has shape ``(R, D, len(COEFFICIENTS))`` and the per-country arrays
    ``(R, n)``, with ``R`` 1 (the same game in every run) or the number of runs (a
    parameter sample per run, as the sensitivity analysis uses).
    """

    countries: tuple[str, ...]
    arenas: tuple[str, ...]
    coef: np.ndarray
    noise: np.ndarray
    sensitivity: np.ndarray
    decay: np.ndarray
    weight: np.ndarray
    investment: np.ndarray
    econ: np.ndarray  # (n,) economic weight of each country (mean 1)
    payoff: tuple[float, float, float, float]  # R, S, T, P
    # scalars, or arrays (R,) with one value per run (the sensitivity analysis)
    public_good: float | np.ndarray = 1.0
    security_cost: float | np.ndarray = 1.0
    mediation: float | np.ndarray = 0.2
    investment_cost: float = 0.5
    #: whose economic weight scales a dyad's stage payoff: the partner's ("target", the
    #: receiver of the source's action) or the source's own ("source")
    scale_by: str = "target"

    @property
    def layout(self) -> Layout:
        return Layout.build(len(self.countries))

    @classmethod
    def from_strategies(
        cls,
        countries: Sequence[str],
        arenas: Sequence[str],
        strategies: Mapping[tuple[str, str], Strategy],
        *,
        noise: Mapping[str, float] | float = 0.0,
        hawkishness: Mapping[str, Mapping[str, float]] | None = None,
        investment: Mapping[str, float] | None = None,
        econ: Mapping[str, float] | None = None,
        payoff: tuple[float, float, float, float] = (2.0, -1.0, 3.0, 0.0),
        public_good: float = 1.0,
        security_cost: float = 1.0,
        mediation: float = 0.2,
        investment_cost: float = 0.5,
        scale_by: str = "target",
    ) -> GameSpec:
        """Build a spec from one strategy per directed dyad.

        Examples
        --------
        >>> from trilateral.simulate import get_strategy
        >>> s = {("USA", "RUS"): get_strategy("tit_for_tat"),
        ...      ("RUS", "USA"): get_strategy("always_hostile")}
        >>> GameSpec.from_strategies(["USA", "RUS"], ["diplomatic"], s).coef.shape
        (1, 2, 10)
        """
        countries = tuple(countries)
        lay = Layout.build(len(countries))
        coef = np.empty((1, len(lay.dyads), len(COEFFICIENTS)))
        for d, (i, j) in enumerate(lay.dyads):
            key = (countries[i], countries[j])
            if key not in strategies:
                raise ConfigError(f"no strategy for {key[0]}→{key[1]}")
            c = strategies[key].coefficients()
            coef[0, d] = [c[name] for name in COEFFICIENTS]
        hawk = hawkishness or {}

        def per_country(values: Mapping[str, float] | float | None, default: float) -> np.ndarray:
            if values is None:
                return np.full((1, len(countries)), default)
            if isinstance(values, int | float):
                return np.full((1, len(countries)), float(values))
            return np.array([[float(values.get(c, default)) for c in countries]])

        return cls(
            countries=countries,
            arenas=tuple(arenas),
            coef=coef,
            noise=per_country(noise, 0.0),
            sensitivity=per_country({c: h["sensitivity"] for c, h in hawk.items()}, 0.0),
            decay=per_country({c: h["decay"] for c, h in hawk.items()}, 0.0),
            weight=per_country({c: h["weight"] for c, h in hawk.items()}, 0.0),
            investment=per_country(investment, 0.0),
            econ=per_country(econ, 1.0)[0],
            payoff=tuple(float(v) for v in payoff),  # type: ignore[arg-type]
            public_good=public_good,
            security_cost=security_cost,
            mediation=mediation,
            investment_cost=investment_cost,
            scale_by=scale_by,
        )

    def take(self, rows: slice) -> GameSpec:
        """The spec restricted to a slice of runs (per-run parameter samples only)."""

        def cut(a: np.ndarray) -> np.ndarray:
            return a if a.shape[0] == 1 else a[rows]

        def cut_scalar(v: float | np.ndarray) -> float | np.ndarray:
            return v[rows] if isinstance(v, np.ndarray) else v

        return GameSpec(
            countries=self.countries,
            arenas=self.arenas,
            coef=cut(self.coef),
            noise=cut(self.noise),
            sensitivity=cut(self.sensitivity),
            decay=cut(self.decay),
            weight=cut(self.weight),
            investment=cut(self.investment),
            econ=self.econ,
            payoff=self.payoff,
            public_good=cut_scalar(self.public_good),
            security_cost=cut_scalar(self.security_cost),
            mediation=cut_scalar(self.mediation),
            investment_cost=self.investment_cost,
            scale_by=self.scale_by,
        )


@dataclass(frozen=True, slots=True)
class RawRuns:
    """What the engine records (kept small: no full ``T × R × D × A`` array).

    Attributes
    ----------
    levels : ndarray, (T, R, D) float32
        Each directed dyad's level (mean over arenas) per period and run.
    blocks : ndarray, (B, R, D, A) float32
        Mean level per block of ``block`` periods (a simulated year), per arena.
    actions : ndarray or None, (T, R, D, A)
        Every action, only when asked for (tests, the two-player reference).
    stage_payoff : ndarray or None, (T, R, n)
        Per-period payoffs, only with ``actions``.
    payoff : ndarray, (R, n)
        Cumulative payoff of each country.
    dyad_payoff : ndarray or None, (R, D)
        Cumulative prisoner's-dilemma payoff of each directed dyad to its source, before
        the economic scaling (so another scaling needs no new run).
    """

    levels: np.ndarray
    blocks: np.ndarray
    payoff: np.ndarray
    actions: np.ndarray | None = None
    stage_payoff: np.ndarray | None = None
    dyad_payoff: np.ndarray | None = None


def _sum1(a: np.ndarray) -> np.ndarray:
    """Sum over axis 1 in a fixed order.

    NumPy's reductions pick a summation order by memory layout, which differs with the
    number of runs in a batch; explicit adds keep every run's numbers bit-identical
    whatever the batch size.
    """
    out = a[:, 0].copy()
    for i in range(1, a.shape[1]):
        out += a[:, i]
    return out


def _stage_payoff(
    spec: GameSpec, lay: Layout, x: np.ndarray, econ: np.ndarray, dyad_sum: np.ndarray
) -> np.ndarray:
    """Payoffs of one period, (n, R), from actions x (D, A, R) (docs/simulate.md, eq. 3);
    adds each dyad's unscaled dilemma payoff to ``dyad_sum`` (D, R)."""
    r_, s_, t_, p_ = spec.payoff
    c = 0.5 * (1.0 + x)  # cooperation level in [0, 1]
    cj = c[lay.rev]
    # bilinear interpolation of the 2×2 table: exact at the four corners
    pd = p_ + (s_ - p_) * c + (t_ - p_) * cj
    if r_ - s_ - t_ + p_ != 0.0:
        pd += (r_ - s_ - t_ + p_) * c * cj
    pd = _sum1(pd) / pd.shape[1]
    dyad_sum += pd
    pd *= econ  # (D, R): a dyad pays its source, scaled by the target's (or source's) weight
    n = lay.n
    pay = _sum1(pd.reshape(n, n - 1, -1))
    if n == 3:
        cm = _sum1(c) / c.shape[1]  # (D, R)
        coop_pair = 0.5 * (cm[lay.pairs[:, 0]] + cm[lay.pairs[:, 1]])  # (P, R)
        pay += spec.public_good * coop_pair.min(axis=0)  # weakest link (Hirshleifer 1983)
        hostility = 1.0 - _sum1(cm[lay.towards]) / (n - 1)  # (n, R): received by each
        victim = lay.third_of_pair  # pair p aligned against the country outside it
        pay[victim] -= spec.security_cost * coop_pair * hostility[victim]
    if spec.investment_cost:
        pay -= spec.investment_cost * spec.investment.T
    return pay


@dataclass(frozen=True, slots=True)
class _Rule:
    """A batch's update rule (docs/simulate.md, eq. 1), laid out for the game loop.

    Coefficients are ``(D, 1, R|1)`` arrays (runs last); a ``use_*`` flag is False when
    its term is zero in every run, so the loop skips it.
    """

    k: dict[str, np.ndarray]
    initiative: np.ndarray
    sigma: np.ndarray  # (O, 1, R|1): each observer's misperception
    decay: np.ndarray  # (n, R|1)
    sens: np.ndarray  # (n, R|1)
    weight: np.ndarray  # (D, 1, R|1): how much the source's hawkishness weighs
    use_grim: bool
    use_inertia: bool
    use_initiative: bool
    use_forgive: bool
    tri: bool  # the triangular terms (three countries only)
    other: bool  # the fitted equation's other lag terms: i's own and j's last level towards k


def _rule(spec: GameSpec, lay: Layout) -> _Rule:
    """Lay out ``spec``'s coefficients for the loop and switch off the terms that are zero."""
    coef = np.ascontiguousarray(spec.coef.transpose(1, 2, 0))  # (D, K, R|1)
    k = {name: coef[:, i, None, :] for i, name in enumerate(COEFFICIENTS)}  # (D, 1, R|1)
    initiative = k["initiative"]
    if lay.n == 3:  # public-good investment by the third country lifts the other pair
        third = 3 - lay.src - lay.tgt
        initiative = initiative + spec.mediation * spec.investment.T[third, None, :]
    return _Rule(
        k=k,
        initiative=initiative,
        sigma=spec.noise.T[lay.obs_who, None, :],
        decay=spec.decay.T,
        sens=spec.sensitivity.T,
        weight=spec.weight.T[lay.src, None, :],
        use_grim=bool(np.any(k["grim"] != 0)),
        use_inertia=bool(np.any(k["inertia"] != 0)),
        use_initiative=bool(np.any(initiative != 0)),
        use_forgive=bool(np.any(k["forgiveness"] != 0)),
        tri=lay.n == 3
        and bool(np.any(k["triangular_in"] != 0) or np.any(k["triangular_across"] != 0)),
        other=lay.n == 3 and bool(np.any(k["own_third"] != 0) or np.any(k["partner_third"] != 0)),
    )


def _draw_noise(
    spec: GameSpec, seeds: Sequence[np.random.SeedSequence], periods: int, n_o: int, n_a: int
) -> np.ndarray | None:
    """Standard-normal misperception draws ``(R, T, O, A)``, or None without noise."""
    if not np.any(spec.noise > 0):
        return None
    eps = np.empty((len(seeds), periods, n_o, n_a))
    for r, seed in enumerate(seeds):  # run r draws only from its own stream
        np.random.default_rng(seed).standard_normal(out=eps[r])
    return eps


def _step(
    rule: _Rule,
    lay: Layout,
    x: np.ndarray,
    h: np.ndarray,
    grudge: np.ndarray,
    eps_t: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One period: perceive the last actions ``x`` (D, A, R), update hawkishness ``h``
    (n, R) and respond; returns the new ``(x, h)`` and updates ``grudge`` in place."""
    k = rule.k
    if eps_t is not None:
        obs = x[lay.obs_dyad]  # (O, A, R): what each observer sees
        obs += rule.sigma * eps_t.transpose(1, 2, 0)
        np.clip(obs, -1.0, 1.0, out=obs)
        p_ji, recv = obs[lay.ji], obs[lay.recv]
    else:  # perfect perception: read the dyads themselves, no observer copies
        obs = x
        p_ji, recv = x[lay.rev], x[lay.towards]
    hostile = np.maximum(-recv, 0.0)  # (n, n−1, A, R)
    hostility = _sum1(_sum1(hostile)) / (hostile.shape[1] * hostile.shape[2])
    h = rule.decay * h + rule.sens * hostility
    if rule.use_forgive:
        u = k["reciprocity"] * (p_ji - k["forgiveness"] * np.minimum(p_ji, 0.0))
    else:
        u = k["reciprocity"] * p_ji
    if rule.use_inertia:
        u += k["inertia"] * x
    if rule.use_initiative:
        u += rule.initiative
    if rule.tri:
        ki, kj = (lay.ki, lay.kj) if eps_t is not None else (lay.ki_dyad, lay.kj_dyad)
        u += k["triangular_in"] * obs[ki]
        u += k["triangular_across"] * obs[kj]
    if rule.other:
        u += k["own_third"] * x[lay.ik_dyad]
        u += k["partner_third"] * (obs[lay.jk] if eps_t is not None else x[lay.jk_dyad])
    if rule.use_grim:
        grudge |= p_ji < 0.0
        u -= k["grim"] * grudge
    u -= rule.weight * h[lay.src, None, :]
    return np.clip(u, -1.0, 1.0, out=u), h


def _run_batch(
    spec: GameSpec,
    seeds: Sequence[np.random.SeedSequence],
    periods: int,
    block: int,
    record_actions: bool,
    payoffs: bool = True,
) -> RawRuns:
    # Internally runs are the last (contiguous) axis: state (D, A, R), so gathering the
    # dyads an observer sees copies whole rows instead of five-element pieces.
    lay = spec.layout
    runs = len(seeds)
    n_d, n_a = len(lay.dyads), len(spec.arenas)
    rule = _rule(spec, lay)
    eps = _draw_noise(spec, seeds, periods, len(lay.obs_dyad), n_a)
    econ = spec.econ[lay.src if spec.scale_by == "source" else lay.tgt, None]
    dyad_sum = np.zeros((n_d, runs))
    x = np.broadcast_to(rule.k["opening"], (n_d, n_a, runs)).copy()
    h = np.zeros((lay.n, runs))
    grudge = np.zeros((n_d, n_a, runs), dtype=bool)
    n_blocks = -(-periods // block)
    levels = np.empty((periods, n_d, runs), dtype=np.float32)
    blocks = np.zeros((n_blocks, n_d, n_a, runs))
    payoff = np.zeros((lay.n, runs))
    actions = np.empty((periods, n_d, n_a, runs)) if record_actions else None
    stage = np.empty((periods, lay.n, runs)) if record_actions else None
    for t in range(periods):
        if t > 0:
            x, h = _step(rule, lay, x, h, grudge, None if eps is None else eps[:, t])
        if payoffs or stage is not None:  # payoffs never feed back on actions
            pay = _stage_payoff(spec, lay, x, econ, dyad_sum)
            payoff += pay
        levels[t] = _sum1(x) / n_a
        blocks[t // block] += x
        if actions is not None and stage is not None:
            actions[t] = x
            stage[t] = pay
    counts = np.minimum(block, periods - block * np.arange(n_blocks))
    blocks /= counts[:, None, None, None]
    return RawRuns(
        levels=levels.transpose(0, 2, 1),
        blocks=blocks.astype(np.float32).transpose(0, 3, 1, 2),
        payoff=payoff.T,
        actions=None if actions is None else actions.transpose(0, 3, 1, 2),
        stage_payoff=None if stage is None else stage.transpose(0, 2, 1),
        dyad_payoff=dyad_sum.T,
    )


def _concat(parts: Sequence[RawRuns]) -> RawRuns:
    if len(parts) == 1:
        return parts[0]
    acts = [p.actions for p in parts]
    dyad = [p.dyad_payoff for p in parts]
    stages = [p.stage_payoff for p in parts]
    return RawRuns(
        levels=np.concatenate([p.levels for p in parts], axis=1),
        blocks=np.concatenate([p.blocks for p in parts], axis=1),
        payoff=np.concatenate([p.payoff for p in parts], axis=0),
        actions=None if any(a is None for a in acts) else np.concatenate(acts, axis=1),  # type: ignore[arg-type]
        stage_payoff=None if any(s is None for s in stages) else np.concatenate(stages, axis=1),  # type: ignore[arg-type]
        dyad_payoff=None if any(d is None for d in dyad) else np.concatenate(dyad, axis=0),  # type: ignore[arg-type]
    )


def simulate_raw(
    spec: GameSpec,
    seeds: Sequence[np.random.SeedSequence],
    periods: int,
    *,
    block: int = 12,
    batch_size: int | None = None,
    workers: int = 1,
    record_actions: bool = False,
    payoffs: bool = True,
) -> RawRuns:
    """Run ``len(seeds)`` runs of ``periods`` periods; run r draws only from ``seeds[r]``.

    Results do not depend on ``batch_size`` or ``workers`` (a test pins that). The default
    batch size keeps the pre-drawn noise of a batch near 128 MB. ``payoffs=False`` skips
    the stage payoffs (left at 0; calibration needs only the levels, which payoffs never
    change) unless ``record_actions`` asks for them.
    """
    runs = len(seeds)
    if batch_size is None:
        # the noise of a batch is drawn up front (T × observations × arenas per run):
        # keep it near 128 MB; a noise-free game needs no buffer and runs in one batch,
        # where NumPy's per-call overhead is spread over the most runs
        lay = spec.layout
        per_run = periods * len(lay.obs_dyad) * len(spec.arenas) * 8
        noisy = bool(np.any(spec.noise > 0))
        batch_size = max(1, min(runs, 128 * 2**20 // per_run)) if noisy else max(1, runs)
    if batch_size < 1 or workers < 1:
        raise ConfigError("batch_size and workers must be ≥ 1")
    cuts = [(a, min(a + batch_size, runs)) for a in range(0, runs, batch_size)]
    jobs = [(spec.take(slice(a, b)), list(seeds[a:b])) for a, b in cuts]
    if workers == 1 or len(jobs) == 1:
        parts = [_run_batch(s, sd, periods, block, record_actions, payoffs) for s, sd in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_run_batch, s, sd, periods, block, record_actions, payoffs)
                for s, sd in jobs
            ]
            parts = [f.result() for f in futures]
    return _concat(parts)


def describe(spec: GameSpec) -> dict[str, Any]:
    """A JSON-able description of a spec (for provenance)."""
    lay = spec.layout
    return {
        "countries": list(spec.countries),
        "arenas": list(spec.arenas),
        "coefficients": {
            f"{spec.countries[i]}->{spec.countries[j]}": dict(
                zip(COEFFICIENTS, spec.coef[0, d].round(6).tolist(), strict=True)
            )
            for d, (i, j) in enumerate(lay.dyads)
        }
        if spec.coef.shape[0] == 1
        else "per run",
    }
