"""The game engine vs axelrod, Mesa and a bare NumPy loop, side by side in one run.

The workload is the same game for every contender: an iterated prisoner's dilemma between
tit-for-tat players, deterministic (no noise), (R, S, T, P) = (3, 0, 5, 1). One
*interaction* is one pair of countries exchanging moves once (one arena, one period).

* ``trilateral``: ``simulate_raw`` on three tit-for-tat countries, five arenas, RUNS runs ×
  PERIODS periods (every step also computes hawkishness, the donation game per dyad, the
  weakest-link public good and the security cost, and records levels and yearly blocks);
  3 pairs × 5 arenas interactions per run and period;
* ``bare numpy``: the same three-country game and payoffs hard-coded in the smallest NumPy
  lockstep loop that computes them (no configuration, no recording) — the floor; its
  payoffs are checked equal to the engine's;
* ``axelrod``: ``axelrod.Match(TitForTat, TitForTat)`` repeated, 120 turns each;
* ``mesa``: a minimal Mesa 3 model of tit-for-tat pairs (agents decide, then advance, in
  lockstep), 120 steps.

Targets: ≥ 100× axelrod and ≥ 50× Mesa per interaction, within 2× of the bare loop.

Then the paper scenario at scale: ``compare_policies(paper, runs=10_000, periods=120)``
(four policies and two reference rows, coefficients drawn per run) in a fresh process,
its wall time and peak RSS, and the same with the regime classification (every run
through the diagnose stage's rules).

Last, paper.yaml's full sensitivity analysis: ``sobol_sensitivity(paper,
base_samples=1024, replicates=4, periods=60)`` (10 behavioural factors and the fitted
coefficients, 28 groups: 28,672 evaluations × 4 runs × 2 policies), wall time, peak RSS
and the widest total-index CI per outcome (target: under 5 minutes on 2 cores).

Usage: ``python benchmarks/bench_simulate.py [--runs N] [--sobol N] [--quick]
[--skip-contenders] [--summary-out FILE]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from _util import emit, fmt_bytes, print_table, run_contender

HERE = Path(__file__).resolve()
PERIODS = 120
ARENAS = ("diplomatic", "economic", "information", "military", "political")
PAYOFF = (3.0, 0.0, 5.0, 1.0)
REPEAT = 3


def _best(work) -> tuple[float, int]:
    best, n = float("inf"), 0
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        n = work()
        best = min(best, time.perf_counter() - t0)
    return best, n


def bench_engine(runs: int) -> tuple[float, int, np.ndarray]:
    from trilateral.simulate import GameSpec, get_strategy
    from trilateral.simulate._engine import simulate_raw
    from trilateral.simulate._game import child_seeds

    c3 = ("USA", "RUS", "CHN")
    spec = GameSpec.from_strategies(
        c3,
        ARENAS,
        {(a, b): get_strategy("tit_for_tat") for a in c3 for b in c3 if a != b},
        payoff=PAYOFF,
        hawkishness={c: {"sensitivity": 0.1, "decay": 0.9, "weight": 0.5} for c in c3},
    )
    seeds = child_seeds(np.random.SeedSequence(0), runs)
    out: dict[str, np.ndarray] = {}

    def work() -> int:
        out["payoff"] = simulate_raw(spec, seeds, PERIODS).payoff
        return runs * 3 * len(ARENAS) * PERIODS

    secs, n = _best(work)
    return secs, n, out["payoff"]


def bench_bare(runs: int) -> tuple[float, int, np.ndarray]:
    """Three tit-for-tat countries, the engine's payoffs, minimal NumPy (the floor)."""
    r_, s_, t_, p_ = PAYOFF
    dyads = [(i, j) for i in range(3) for j in range(3) if i != j]
    rev = np.array([dyads.index((j, i)) for i, j in dyads])
    src = np.array([i for i, _ in dyads])
    towards = np.array([[dyads.index((s, c)) for s in range(3) if s != c] for c in range(3)])
    pairs = np.array(
        [
            [dyads.index((0, 1)), dyads.index((1, 0))],
            [dyads.index((0, 2)), dyads.index((2, 0))],
            [dyads.index((1, 2)), dyads.index((2, 1))],
        ]
    )
    victim = np.array([2, 1, 0])
    n_a = len(ARENAS)
    out: dict[str, np.ndarray] = {}

    def work() -> int:
        x = np.ones((6, n_a, runs))
        h = np.zeros((3, runs))
        pay = np.zeros((3, runs))
        for t in range(PERIODS):
            if t > 0:
                p = x[rev]
                hostile = np.maximum(-x, 0.0)
                recv = (hostile[towards[:, 0]] + hostile[towards[:, 1]]).sum(axis=1) / (2 * n_a)
                h = 0.9 * h + 0.1 * recv
                x = np.clip(p - 0.5 * h[src][:, None, :], -1.0, 1.0)
            c = 0.5 * (1.0 + x)
            cj = c[rev]
            pd = (p_ + (s_ - p_) * c + (t_ - p_) * cj + (r_ - s_ - t_ + p_) * c * cj).sum(
                axis=1
            ) / n_a
            pay += pd.reshape(3, 2, runs).sum(axis=1)
            cm = c.sum(axis=1) / n_a
            coop = 0.5 * (cm[pairs[:, 0]] + cm[pairs[:, 1]])
            pay += coop.min(axis=0)
            hostility = 1.0 - (cm[towards[:, 0]] + cm[towards[:, 1]]) / 2
            pay[victim] -= coop * hostility[victim]
        out["payoff"] = pay.T
        return runs * 3 * n_a * PERIODS

    secs, n = _best(work)
    return secs, n, out["payoff"]


def bench_axelrod(matches: int) -> tuple[float, int]:
    import axelrod as axl

    game = axl.Game(r=3, s=0, t=5, p=1)

    def work() -> int:
        for _ in range(matches):
            axl.Match((axl.TitForTat(), axl.TitForTat()), turns=PERIODS, game=game).play()
        return matches * PERIODS

    return _best(work)


def bench_mesa(pairs: int) -> tuple[float, int]:
    import mesa

    r_, s_, t_, p_ = PAYOFF
    table = {(1, 1): r_, (1, 0): s_, (0, 1): t_, (0, 0): p_}

    class Player(mesa.Agent):
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.move = 1
            self.next_move = 1
            self.partner: Player | None = None
            self.score = 0.0

        def decide(self) -> None:  # tit-for-tat: copy the partner's last move
            assert self.partner is not None
            self.next_move = self.partner.move

        def advance(self) -> None:
            self.move = self.next_move

        def collect(self) -> None:
            assert self.partner is not None
            self.score += table[(self.move, self.partner.move)]

    class Triangle(mesa.Model):
        def __init__(self, n_pairs: int) -> None:
            super().__init__(seed=0)
            for _ in range(n_pairs):
                a, b = Player(self), Player(self)
                a.partner, b.partner = b, a

        def step(self) -> None:
            self.agents.do("decide")
            self.agents.do("advance")
            self.agents.do("collect")

    def work() -> int:
        model = Triangle(pairs)
        for _ in range(PERIODS):
            model.step()
        return pairs * PERIODS

    return _best(work)


def paper_child(runs: int, regimes: bool) -> None:
    from trilateral.simulate import compare_policies, load_scenario

    sc = load_scenario("paper")
    t0 = time.perf_counter()
    cmp = compare_policies(sc, runs=runs, periods=PERIODS, rng=0)
    engine = time.perf_counter() - t0
    if regimes:
        cmp.to_frame()  # classifies every run of every policy with the diagnose rules
    emit(time.perf_counter() - t0, runs * len(cmp.results), engine_seconds=engine)


def sensitivity_child(n: int, summary_out: str | None) -> None:
    from trilateral.simulate import load_scenario, sobol_sensitivity

    t0 = time.perf_counter()
    res = sobol_sensitivity(
        load_scenario("paper"), base_samples=n, max_samples=n, replicates=4, periods=60, rng=0
    )
    secs = time.perf_counter() - t0
    if summary_out:
        Path(summary_out).write_text(res.summary() + "\n", encoding="utf-8")
    last = res.convergence.row(-1, named=True)
    widths = {k: v for k, v in last.items() if k.endswith("gain")}
    emit(secs, res.samples * res.replicates * 2, widest=widths, converged=res.converged)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000, help="runs of the engine (and paper)")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    ap.add_argument("--sobol", type=int, default=1024, help="N of the sensitivity analysis")
    ap.add_argument("--skip-contenders", action="store_true", help="only the paper runs")
    ap.add_argument("--summary-out", help="write the sensitivity summary to this file")
    ap.add_argument(
        "--child", choices=["paper", "paper-regimes", "sensitivity"], help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)
    if args.child == "sensitivity":
        sensitivity_child(args.sobol, args.summary_out)
        return 0
    if args.child:
        paper_child(args.runs, args.child == "paper-regimes")
        return 0
    if not args.skip_contenders:
        _contenders(args)
    p_runs = 1000 if args.quick else args.runs
    rows = []
    for child, label in (("paper", "engine only"), ("paper-regimes", "with regimes")):
        m = run_contender(child, [str(HERE), "--child", child, "--runs", str(p_runs)], timeout=3600)
        rows.append(
            [
                f"paper.yaml {label}",
                f"{p_runs:,} × {PERIODS} × 6 policies",
                f"{m.seconds:.1f}",
                f"{m.extra['engine_seconds']:.1f}",
                fmt_bytes(m.peak_rss),
            ]
        )
    print()
    print_table(["run", "size", "wall s", "engine s", "peak RSS"], rows)
    n = 16 if args.quick else args.sobol
    argv_s = [str(HERE), "--child", "sensitivity", "--sobol", str(n)]
    if args.summary_out:
        argv_s += ["--summary-out", args.summary_out]
    m = run_contender("sensitivity", argv_s, timeout=3600)
    print()
    print(f"paper.yaml sensitivity (Sobol, N = {n}, fitted coefficients among the factors)")
    print_table(
        ["runs", "wall s", "peak RSS", "widest total-index CI per outcome", "converged (< 0.1)"],
        [
            [
                f"{m.rows:,}",
                f"{m.seconds:.1f}",
                fmt_bytes(m.peak_rss),
                ", ".join(f"{k} {v:.3f}" for k, v in m.extra["widest"].items() if v is not None),
                str(m.extra["converged"]),
            ]
        ],
    )
    return 0


def _contenders(args: argparse.Namespace) -> None:
    runs = 500 if args.quick else args.runs
    matches = 50 if args.quick else 1000
    pairs = 200 if args.quick else 3000

    e_s, e_n, e_pay = bench_engine(runs)
    b_s, b_n, b_pay = bench_bare(runs)
    if not np.allclose(e_pay, b_pay, rtol=1e-12, atol=1e-9):
        print("WARNING: the bare loop's payoffs differ from the engine's", file=sys.stderr)
    a_s, a_n = bench_axelrod(matches)
    m_s, m_n = bench_mesa(pairs)
    rate = {
        "trilateral": e_n / e_s,
        "bare numpy (floor)": b_n / b_s,
        "axelrod Match": a_n / a_s,
        "mesa model": m_n / m_s,
    }
    rows = []
    for name, secs, n in (
        ("trilateral", e_s, e_n),
        ("bare numpy (floor)", b_s, b_n),
        ("axelrod Match", a_s, a_n),
        ("mesa model", m_s, m_n),
    ):
        rows.append(
            [
                name,
                f"{n:,}",
                f"{secs:.3f}",
                f"{rate[name] / 1e6:,.3f}",
                f"{rate['trilateral'] / rate[name]:,.1f}x",
            ]
        )
    print(f"iterated PD, tit-for-tat, {PERIODS} periods; best of {REPEAT}")
    print_table(["contender", "interactions", "seconds", "M inter./s", "trilateral is"], rows)
    print(
        f"targets: ≥ 100x axelrod ({rate['trilateral'] / rate['axelrod Match']:,.0f}x), "
        f"≥ 50x mesa ({rate['trilateral'] / rate['mesa model']:,.0f}x), "
        f"within 2x of the floor ({rate['bare numpy (floor)'] / rate['trilateral']:.2f}x slower)"
    )


if __name__ == "__main__":
    sys.exit(main())
