"""The simulate stage: the game engine against axelrod, its properties, scenarios, the CLI."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.diagnose import REGIME_LABELS
from trilateral.errors import ConfigError
from trilateral.simulate import (
    GameSpec,
    TrilateralGame,
    compare_policies,
    get_strategy,
    load_scenario,
    shipped_scenarios,
)
from trilateral.simulate._engine import simulate_raw
from trilateral.simulate._game import child_seeds, classify_blocks, wilson

runner = CliRunner()

# --------------------------------------------------------------------------- axelrod

AXL_PAIRS = {
    "tit_for_tat": "TitForTat",
    "grim_trigger": "Grudger",  # axelrod's grim trigger: "defects forever" after one D
    "alternator": "Alternator",
    "always_hostile": "Defector",
    "always_cooperative": "Cooperator",
}


@pytest.mark.parametrize("first", sorted(AXL_PAIRS))
@pytest.mark.parametrize("second", sorted(AXL_PAIRS))
def test_two_player_game_equals_axelrod_match_turn_for_turn(first: str, second: str) -> None:
    # Reference: the axelrod library's Match (Knight et al. 2016, axelrod 4.x) with the
    # standard Game(r=3, s=0, t=5, p=1); C is level +1, D is level −1.
    axl = pytest.importorskip("axelrod")
    turns = 25
    players = (getattr(axl, AXL_PAIRS[first])(), getattr(axl, AXL_PAIRS[second])())
    match = axl.Match(players, turns=turns, game=axl.Game(r=3, s=0, t=5, p=1))
    ref = match.play()
    ref_scores = match.scores()

    spec = GameSpec.from_strategies(
        ["AAA", "BBB"],
        ["diplomatic"],
        {("AAA", "BBB"): get_strategy(first), ("BBB", "AAA"): get_strategy(second)},
        payoff=(3.0, 0.0, 5.0, 1.0),
    )
    raw = simulate_raw(spec, child_seeds(np.random.SeedSequence(0), 1), turns, record_actions=True)
    assert raw.actions is not None and raw.stage_payoff is not None
    ours = [
        tuple("C" if raw.actions[t, 0, d, 0] > 0 else "D" for d in (0, 1)) for t in range(turns)
    ]
    assert ours == [(str(a), str(b)) for a, b in ref]
    assert np.all(np.abs(raw.actions) == 1.0)  # binary moves, not merely signs
    assert raw.stage_payoff[:, 0, :].tolist() == [[float(a), float(b)] for a, b in ref_scores]
    assert raw.payoff[0].tolist() == [float(s) for s in match.final_score()]


# --------------------------------------------------------------------------- properties

COEF = st.fixed_dictionaries(
    {
        "opening": st.floats(-1, 1),
        "initiative": st.floats(-1, 1),
        "inertia": st.floats(-2, 2),
        "reciprocity": st.floats(-2, 2),
        "forgiveness": st.floats(0, 1),
        "triangular_in": st.floats(-2, 2),
        "triangular_across": st.floats(-2, 2),
        "grim": st.floats(0, 2),
    }
)
HAWK = st.fixed_dictionaries(
    {"sensitivity": st.floats(0, 1), "decay": st.floats(0, 0.99), "weight": st.floats(0, 2)}
)
C3 = ("USA", "RUS", "CHN")
ARENAS = ("diplomatic", "military")


def _spec(countries, coefs, hawks, noise, econ=None):
    dyads = [(a, b) for a in countries for b in countries if a != b]
    strategies = {d: get_strategy("linear", **coefs[d]) for d in dyads}
    return GameSpec.from_strategies(
        countries, ARENAS, strategies, noise=noise, hawkishness=hawks, econ=econ
    )


def _coefs(draw):
    return {(a, b): draw(COEF) for a in C3 for b in C3 if a != b}


@settings(max_examples=25, deadline=None)
@given(st.data(), st.floats(0, 1))
def test_actions_stay_within_bounds(data, noise) -> None:
    coefs = _coefs(data.draw)
    hawks = {c: data.draw(HAWK) for c in C3}
    spec = _spec(C3, coefs, hawks, noise)
    raw = simulate_raw(spec, child_seeds(np.random.SeedSequence(1), 3), 15, record_actions=True)
    assert raw.actions is not None
    assert np.all(np.abs(raw.actions) <= 1.0)
    assert np.all(np.isfinite(raw.payoff))


@settings(max_examples=20, deadline=None)
@given(st.data(), st.sampled_from([(0, 1), (0, 2), (1, 2)]))
def test_swapping_two_countries_swaps_their_outcomes(data, swap) -> None:
    coefs = _coefs(data.draw)
    hawks = {c: data.draw(HAWK) for c in C3}
    econ = {c: data.draw(st.floats(0.2, 3)) for c in C3}
    order = list(C3)
    order[swap[0]], order[swap[1]] = order[swap[1]], order[swap[0]]
    seeds = child_seeds(np.random.SeedSequence(2), 2)
    a = simulate_raw(_spec(C3, coefs, hawks, 0.0, econ), seeds, 12, record_actions=True)
    b = simulate_raw(_spec(tuple(order), coefs, hawks, 0.0, econ), seeds, 12, record_actions=True)
    dy_a = [(x, y) for x in C3 for y in C3 if x != y]
    dy_b = [(x, y) for x in order for y in order if x != y]
    assert a.actions is not None and b.actions is not None
    for k, d in enumerate(dy_a):
        np.testing.assert_allclose(a.actions[:, :, k], b.actions[:, :, dy_b.index(d)], atol=1e-12)
    for k, c in enumerate(C3):
        np.testing.assert_allclose(a.payoff[:, k], b.payoff[:, order.index(c)], rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["tit_for_tat", "generous_tit_for_tat", "grim_trigger", "always_cooperative"]
        ),
        min_size=6,
        max_size=6,
    ),
    st.fixed_dictionaries({c: HAWK for c in C3}),
    st.integers(2, 40),
)
def test_zero_noise_all_cooperative_never_decays(names, hawks, periods) -> None:
    dyads = [(a, b) for a in C3 for b in C3 if a != b]
    spec = GameSpec.from_strategies(
        C3,
        ARENAS,
        {d: get_strategy(n) for d, n in zip(dyads, names, strict=True)},
        noise=0.0,
        hawkishness=hawks,
    )
    raw = simulate_raw(
        spec, child_seeds(np.random.SeedSequence(3), 4), periods, record_actions=True
    )
    assert raw.actions is not None
    assert np.all(raw.actions == 1.0)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 9))
def test_same_seed_same_results_in_any_batch_size(seed, batch) -> None:
    game = TrilateralGame(load_scenario("paper"), policy="equidistant_hedging")
    whole = game.run(runs=9, periods=14, rng=seed, batch_size=9)
    parts = game.run(runs=9, periods=14, rng=seed, batch_size=batch)
    np.testing.assert_array_equal(whole.raw.levels, parts.raw.levels)
    np.testing.assert_array_equal(whole.raw.blocks, parts.raw.blocks)
    np.testing.assert_array_equal(whole.raw.payoff, parts.raw.payoff)
    # and a run is the same run whatever the total: the first 4 of 9 are the 4 of 4
    few = game.run(runs=4, periods=14, rng=seed)
    np.testing.assert_array_equal(whole.raw.levels[:, :4], few.raw.levels)


def test_same_seed_same_results_serially_and_in_parallel() -> None:
    game = TrilateralGame(load_scenario("paper"), policy="proactive_trilateral")
    serial = game.run(runs=12, periods=20, rng=7, batch_size=12)
    parallel = game.run(runs=12, periods=20, rng=7, batch_size=5, workers=2)
    np.testing.assert_array_equal(serial.raw.levels, parallel.raw.levels)
    np.testing.assert_array_equal(serial.raw.payoff, parallel.raw.payoff)
    other = game.run(runs=12, periods=20, rng=8, batch_size=12)
    assert not np.array_equal(serial.raw.levels, other.raw.levels)


# --------------------------------------------------------------------------- payoffs, regimes


def test_donation_game_payoffs_by_hand() -> None:
    # Two always-cooperative countries in a donation game (b=3, c=1: R=2, S=−1, T=3, P=0):
    # each gets R = 2 per period, scaled by the partner's economic weight.
    spec = GameSpec.from_strategies(
        ["AAA", "BBB"],
        ["diplomatic"],
        {
            ("AAA", "BBB"): get_strategy("always_cooperative"),
            ("BBB", "AAA"): get_strategy("always_hostile"),
        },
        econ={"AAA": 0.5, "BBB": 1.5},
    )
    raw = simulate_raw(spec, child_seeds(np.random.SeedSequence(0), 1), 10)
    # AAA gives (S = −1 per period) to BBB's weight 1.5; BBB takes T = 3 at AAA's weight 0.5
    assert raw.payoff[0].tolist() == pytest.approx([-1.0 * 1.5 * 10, 3.0 * 0.5 * 10])


def test_security_cost_when_the_other_two_align_against_you() -> None:
    coop, hostile = get_strategy("always_cooperative"), get_strategy("always_hostile")
    s = {
        ("USA", "RUS"): hostile,
        ("USA", "CHN"): hostile,
        ("RUS", "USA"): hostile,
        ("RUS", "CHN"): coop,
        ("CHN", "USA"): hostile,
        ("CHN", "RUS"): coop,
    }
    base = dict(payoff=(2.0, -1.0, 3.0, 0.0), public_good=0.0)
    without = simulate_raw(
        GameSpec.from_strategies(C3, ARENAS, s, security_cost=0.0, **base),  # type: ignore[arg-type]
        child_seeds(np.random.SeedSequence(0), 1),
        5,
    )
    with_cost = simulate_raw(
        GameSpec.from_strategies(C3, ARENAS, s, security_cost=2.0, **base),  # type: ignore[arg-type]
        child_seeds(np.random.SeedSequence(0), 1),
        5,
    )
    # RUS and CHN cooperate fully (1) and are fully hostile to the USA (1): the USA pays
    # security_cost · 1 · 1 = 2 per period; RUS and CHN pay nothing (USA is not aligned).
    diff = without.payoff[0] - with_cost.payoff[0]
    assert diff.tolist() == pytest.approx([10.0, 0.0, 0.0])


def test_regimes_come_from_the_diagnose_rules() -> None:
    # Documented rules (docs/diagnose.md): R1 partnership when mean Goldstein ≥ 1 with no
    # hostile arena and no force; R4 confrontation when hostile overall and unlimited in
    # intensity (material share ≥ 0.5) and breadth (≥ 4 hostile arenas, no arena keeping
    # 25 % cooperation). A fully cooperative year is level +1 → Goldstein +10; a fully
    # hostile one −1 → −10, all five arenas hostile, material share 1.
    arenas = ("diplomatic", "economic", "information", "military", "political")
    dyads = [(0, 1), (1, 0)]
    blocks = np.empty((2, 1, 2, 5), dtype=np.float32)
    blocks[0] = 1.0
    blocks[1] = -1.0
    labels = classify_blocks(blocks, ("RUS", "USA"), arenas, dyads)
    assert labels[0, 0].tolist() == ["partnership", "confrontation"]
    # a mildly hostile year in two arenas only: hostile overall but limited in breadth
    blocks2 = np.full((1, 1, 2, 5), 0.05, dtype=np.float32)
    blocks2[0, 0, :, :2] = -0.6
    assert classify_blocks(blocks2, ("RUS", "USA"), arenas, dyads)[0, 0, 0] == "limited opponents"


def test_regime_outcomes_use_every_run() -> None:
    # issue 10: regimes and P(confrontation) "per policy, with intervals over runs" — every
    # run is classified, not a subset; the labels are classify_regimes's on each run
    from trilateral.diagnose import RegimeConfig, classify_regimes
    from trilateral.simulate._game import _regime_frame

    res = TrilateralGame(load_scenario("paper"), policy="equidistant_hedging").run(450, 36, rng=3)
    assert res.regimes.shape == (450, 3, 3)
    assert res.p_confrontation()["n"] == 450
    assert set(res.regimes.ravel()) <= set(REGIME_LABELS) - {"insufficient data"}
    # the last runs, labelled one cell at a time by the diagnose stage itself
    c = res.countries
    dyads = [(c.index(a), c.index(b)) for a, b in res.dyads]
    frame = _regime_frame(res.raw.blocks[:, 440:], c, res.arenas, dyads, res.events_per_period)
    slow = classify_regimes(frame, RegimeConfig(n_draws=1)).regimes
    for r in slow:
        run, blk = divmod((r.period_start - date(1970, 1, 1)).days, 3)
        pair = res._pair((r.source, r.target))
        assert res.regimes[440 + run, pair, blk] == r.label


def test_wilson_interval_reference() -> None:
    # Wilson (1927) score interval for 5/10 at 95 %: 0.2366 … 0.7634 (e.g. Agresti & Coull 1998)
    lo, hi = wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0


# --------------------------------------------------------------------------- scenarios


def test_shipped_scenarios_load() -> None:
    names = shipped_scenarios()
    for name in (
        "paper",
        "align_with_russia",
        "align_with_us",
        "equidistant_hedging",
        "proactive_trilateral",
    ):
        assert name in names
        sc = load_scenario(name)
        assert sc.kind == "game"
    assert sorted(load_scenario("paper").policies) == [
        "align_with_russia",
        "align_with_us",
        "equidistant_hedging",
        "proactive_trilateral",
    ]
    assert list(load_scenario("proactive_trilateral").policies) == ["proactive_trilateral"]


def test_bad_scenario_names_file_line_key_value_and_range(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nplayers:\n  USA:\n    noise: 3.5\n    strategy: fitted\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        load_scenario(bad)
    msg = str(err.value)
    assert str(bad) in msg and "line 4" in msg
    assert "players.USA.noise" in msg and "3.5" in msg and "less than or equal to 1" in msg

    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("policies:\n  x:\n    towards:\n      USA: tit_for_two_tats\n")
    with pytest.raises(
        ConfigError, match=r"tit_for_two_tats.*unknown strategy; allowed: .*always_cooperative"
    ):
        load_scenario(unknown)

    with pytest.raises(ConfigError, match="T > R > P > S"):
        load_scenario({"payoff": {"R": 3, "S": 0, "T": 2, "P": 1}})
    with pytest.raises(ConfigError, match="not valid YAML"):
        (tmp_path / "syntax.yaml").write_text("a: [1, 2\n")
        load_scenario(tmp_path / "syntax.yaml")


def test_fitted_without_coefficients_is_a_clear_error() -> None:
    sc = load_scenario({"players": {"USA": {"strategy": "fitted"}}})
    with pytest.raises(ConfigError, match="fitted"):
        TrilateralGame(sc)


def test_policy_comparison_table_and_provenance() -> None:
    cmp = compare_policies(load_scenario("paper"), runs=30, periods=24, rng=0)
    frame = cmp.to_frame()
    paper = load_scenario("paper")
    # the scenario's policies, then its reference rows (issue 19, item 4)
    assert frame["policy"].to_list() == [*paper.policies, *paper.reference_policies]
    assert frame["reference"].to_list() == [False] * len(paper.policies) + [True, True]
    for row in frame.iter_rows(named=True):
        assert 0.0 <= row["p_confrontation_ci_low"] <= row["p_confrontation_usa_rus"]
        assert row["p_confrontation_usa_rus"] <= row["p_confrontation_ci_high"] <= 1.0
        assert row["payoff_CHN_ci_low"] < row["payoff_CHN"] < row["payoff_CHN_ci_high"]
    res = cmp.results["align_with_russia"]
    assert res.provenance["seed"] == "0" and res.provenance["version"]
    assert len(res.provenance["data_hash"]) == 64
    # common random numbers: the same seed in every policy's run
    doc = cmp.to_dict()
    assert set(doc) >= {"scenario", "seed", "version", "config", "policies"}
    fig = cmp.figure()
    assert len(fig.data) == 3 * len(cmp.results)


def test_fitted_coefficients_in_paper_yaml_come_from_the_shipped_chronicle(tmp_path) -> None:
    from trilateral.data import EventStore, shipped_chronicle_path
    from trilateral.measure import ReciprocityModel, indices
    from trilateral.simulate import fitted_strategy

    db = tmp_path / "chron.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    monthly = indices(db, period="month", n_boot=0, start="2014-01-01", end="2019-12-31")
    res = ReciprocityModel(monthly).fit(lags=1)
    fitted = load_scenario("paper").fitted
    for src, row in fitted.items():
        for tgt, spec in row.items():
            mine = fitted_strategy(res, src, tgt).coefficients()
            for key, value in spec.overrides().items():
                assert value == pytest.approx(mine[key], abs=6e-5), (src, tgt, key)


# --------------------------------------------------------------------------- CLI


def test_cli_json_document() -> None:
    out = runner.invoke(app, ["simulate", "paper", "--runs", "20", "--periods", "24", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["scenario"] == "paper" and doc["seed"] == "0"
    pol = doc["policies"]["proactive_trilateral"]
    assert set(pol) >= {"payoff", "p_confrontation_usa_rus", "regimes"}
    assert set(pol["payoff"]) == {"USA", "RUS", "CHN"}
    p = pol["p_confrontation_usa_rus"]
    assert 0 <= p["ci_low"] <= p["p"] <= p["ci_high"] <= 1 and p["n"] == 20
    shares = pol["regimes"]["USA-RUS"]
    assert math.isclose(sum(v["share"] for v in shares.values()), 1.0)


def test_cli_refuses_over_the_cap_and_bad_files(tmp_path) -> None:
    out = runner.invoke(app, ["simulate", "paper", "--runs", "100001"])
    assert out.exit_code == 1
    assert "100000" in out.output and "Traceback" not in out.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("runs: -3\n")
    out = runner.invoke(app, ["simulate", str(bad)])
    # a bad input file exits 2 (issue 21, item 2)
    assert out.exit_code == 2 and "runs" in out.output and "-3" in out.output


def test_cli_writes_outputs(tmp_path) -> None:
    out = runner.invoke(
        app,
        [
            "simulate",
            "equidistant_hedging",
            "--runs",
            "10",
            "--periods",
            "12",
            "--out",
            str(tmp_path),
        ],
    )
    assert out.exit_code == 0, out.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "simulate_equidistant_hedging.csv",
        "simulate_equidistant_hedging.html",
        "simulate_equidistant_hedging.json",
        "simulate_equidistant_hedging.png",
    ]
    assert (tmp_path / "simulate_equidistant_hedging.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_sobol_json() -> None:
    out = runner.invoke(app, ["simulate", "paper", "--sobol", "8", "--periods", "12", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert {r["parameter"] for r in doc["indices"]} >= {"china_investment", "mediation"}
    assert all(r["ST_conf"] >= 0 for r in doc["indices"])
    assert "USA->RUS.triangular_across" in {r["parameter"] for r in doc["indices"]}
    assert [c["N"] for c in doc["convergence"]] == [8] and doc["N"] == 8
    bad = runner.invoke(app, ["simulate", "arms_race", "--sobol", "8"])
    assert bad.exit_code == 1 and "game scenario" in bad.output


def test_each_pairs_regime_over_time_with_intervals() -> None:
    # issue 10: per policy, each dyad's regime over time, with intervals over runs
    # 100 runs = 50 coefficient draws × 2 seeds (paper.yaml's parameter_draws)
    res = TrilateralGame(load_scenario("paper"), policy="align_with_russia").run(100, 36, rng=5)
    f = res.regime_frame()
    assert f.height == 3 * 3 * len(REGIME_LABELS)
    sums = f.group_by("pair", "year").agg(pl.col("share").sum())["share"]
    assert sums.to_list() == pytest.approx([1.0] * 9)
    usa_rus = next(f"{a}-{b}" for a, b in res.pairs if {a, b} == {"USA", "RUS"})
    p = res._pair(("USA", "RUS"))
    for year in (1, 2, 3):
        row = f.filter(
            (pl.col("pair") == usa_rus)
            & (pl.col("year") == year)
            & (pl.col("label") == "confrontation")
        ).row(0, named=True)
        k = int((res.regimes[:, p, year - 1] == "confrontation").sum())
        assert row["share"] == k / 100 and (row["ci_low"], row["ci_high"]) == wilson(k, 100)
        assert row["start"] == date(2020 + year - 1, 1, 1)
    doc = res.to_dict()["regimes_by_year"][usa_rus]
    assert len(doc["confrontation"]) == 3
