"""Fitted strategies: the whole VAR equation, parameter draws, paired comparisons."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from trilateral.measure import ReciprocityModel
from trilateral.simulate import GameSpec, fitted_strategy
from trilateral.simulate._engine import simulate_raw
from trilateral.simulate._game import child_seeds

C3 = ("USA", "RUS", "CHN")


def _var_sample(seed: int = 5, t: int = 200) -> np.ndarray:
    """A stable VAR(1) on the Goldstein scale with every lag term non-zero."""
    g = np.random.default_rng(seed)
    a = g.uniform(-0.25, 0.25, size=(6, 6))
    c = g.uniform(-0.5, 0.5, size=6)
    y = np.zeros((t, 6))
    for s in range(1, t):
        y[s] = c + a @ y[s - 1] + g.normal(scale=0.8, size=6)
    return y


def test_deterministic_fitted_path_equals_the_var_forecast() -> None:
    # With noise, hawkishness and investment off and the VAR's last observation as the
    # start, the game's path with fitted strategies is the VAR's own forecast
    # (statsmodels VARResults.forecast, an independent computation), divided by 10.
    y = _var_sample()
    days = [date(2000, 1, 1) + timedelta(days=30 * k) for k in range(len(y))]
    res = ReciprocityModel.from_array(y, days, C3).fit(lags=1)
    dyads = [(a, b) for a in C3 for b in C3 if a != b]
    strategies = {d: fitted_strategy(res, *d, start="last") for d in dyads}
    hawk = {c: {"sensitivity": 0.0, "decay": 0.0, "weight": 0.0} for c in C3}
    spec = GameSpec.from_strategies(C3, ["diplomatic"], strategies, noise=0.0, hawkishness=hawk)
    steps = 24
    raw = simulate_raw(
        spec, child_seeds(np.random.SeedSequence(0), 1), steps + 1, record_actions=True
    )
    assert raw.actions is not None
    game = raw.actions[:, 0, :, 0]  # (T, D), engine dyad order = model series order
    assert [tuple(C3[i] for i in d) for d in spec.layout.dyads] == list(res.series)
    ref = res.var.forecast(res.var.endog[-1:], steps) / 10.0
    assert np.abs(ref).max() < 1.0  # no clipping on this path
    np.testing.assert_allclose(game[0], res.var.endog[-1] / 10.0, atol=1e-12)
    np.testing.assert_allclose(game[1:], ref, rtol=0, atol=1e-9)


def test_fitted_strategy_refuses_a_longer_lag_order() -> None:
    from trilateral.errors import ConfigError

    y = _var_sample()
    days = [date(2000, 1, 1) + timedelta(days=30 * k) for k in range(len(y))]
    res = ReciprocityModel.from_array(y, days, C3).fit(lags=2)
    with pytest.raises(ConfigError, match="lag order 2"):
        fitted_strategy(res, "USA", "RUS")


def _paper(**over):
    from trilateral.simulate import load_scenario

    return load_scenario("paper", **over)


def test_zero_coefficient_covariance_makes_the_total_interval_the_monte_carlo_one() -> None:
    from trilateral.simulate import TrilateralGame

    sc = _paper()
    unc = sc.fitted_uncertainty
    assert unc is not None
    zero = unc.model_copy(update={"sigma_u": [[0.0] * 6 for _ in range(6)]})
    flat = sc.model_copy(update={"fitted_uncertainty": zero})
    res = TrilateralGame(flat, "align_with_russia").run(40, 36, rng=3)
    assert res.draws == 20 and res.per_draw == 2
    pay = res.payoff()["CHN"]
    assert (pay["ci_low"], pay["ci_high"]) == pytest.approx(
        (pay["mc_low"], pay["mc_high"]), rel=0, abs=1e-9
    )
    assert pay["mc_low"] < pay["mean"] < pay["mc_high"]
    p = res.p_confrontation()
    assert (p["ci_low"], p["ci_high"]) == pytest.approx((p["mc_low"], p["mc_high"]), abs=1e-12)
    # with the fitted covariance the draws differ and the total interval is wider
    wide = TrilateralGame(sc, "align_with_russia").run(40, 36, rng=3).payoff()["CHN"]
    assert wide["ci_high"] - wide["ci_low"] > wide["mc_high"] - wide["mc_low"]


def test_draws_follow_the_var_sampling_distribution() -> None:
    # Independent check of the matrix-normal draw: the covariance of the USA->RUS
    # equation's triangular_across coefficient over many draws is
    # sigma_u[0, 0] · xtx_inv[6, 6] (Lütkepohl 2005, eq. 3.2.21: Σ_u ⊗ (X'X)⁻¹).
    from trilateral.simulate._draws import coefficient_draws
    from trilateral.simulate._game import child_seeds

    unc = _paper().fitted_uncertainty
    assert unc is not None
    d = coefficient_draws(unc, child_seeds(np.random.SeedSequence(1), 4000))
    expected = unc.sigma_u[0][0] * unc.xtx_inv[6][6]  # CHN->RUS lag in the USA->RUS eq.
    assert d[:, 6, 0].var() == pytest.approx(expected, rel=0.08)
    cross = unc.sigma_u[0][2] * unc.xtx_inv[6][6]  # same term, RUS->USA equation
    assert np.mean(d[:, 6, 0] * d[:, 6, 2]) == pytest.approx(cross, rel=0.25)


def test_paired_difference_of_a_policy_with_itself_is_exactly_zero() -> None:
    import polars as pl

    from trilateral.simulate import compare_policies

    cmp = compare_policies(_paper(), runs=40, periods=24, rng=0)
    assert cmp.baseline == "equidistant_hedging"
    same = cmp.differences().filter(pl.col("policy") == "equidistant_hedging")
    for row in same.iter_rows(named=True):
        assert row["mean"] == row["ci_low"] == row["ci_high"] == 0.0
        assert row["mc_low"] == row["mc_high"] == 0.0
        assert row["p_beats"] == 0.0 and row["verdict"] == "not distinguishable"
    # a difference is run by run: recomputed here from the raw runs
    a, b = cmp.results["align_with_us"], cmp.results["equidistant_hedging"]
    ref = (a.raw.payoff[:, 2] - b.raw.payoff[:, 2]).mean()
    row = cmp.differences().filter(
        (pl.col("policy") == "align_with_us") & (pl.col("outcome") == "payoff_CHN")
    )
    assert row["mean"][0] == pytest.approx(ref, rel=1e-12)


def test_verdict_names_a_ranking_only_where_the_interval_excludes_zero() -> None:
    from trilateral.simulate._intervals import paired_difference

    g = np.random.default_rng(0)
    base = g.normal(size=(10, 5))
    better = paired_difference(base + 1.0, base)
    assert better["verdict"] == "better" and better["p_beats"] == 1.0
    worse = paired_difference(base - 1.0, base)
    assert worse["verdict"] == "worse"
    noisy = paired_difference(base + g.normal(scale=5, size=(10, 5)), base)
    assert noisy["ci_low"] < 0 < noisy["ci_high"]
    assert noisy["verdict"] == "not distinguishable"
    lower = paired_difference(base - 1.0, base, higher_is_better=False)
    assert lower["verdict"] == "better"


def test_payoff_scaling_reweights_the_same_runs() -> None:
    # The table re-weights recorded dyad payoffs; a run under payoff_scaling: unscaled
    # must give the same numbers directly from the engine.
    from trilateral.simulate import TrilateralGame

    sc = _paper()
    w = TrilateralGame(sc, "align_with_us").run(8, 24, rng=1)
    direct = TrilateralGame(sc.model_copy(update={"payoff_scaling": "unscaled"}), "align_with_us")
    d = direct.run(8, 24, rng=1)
    from trilateral.simulate import scaling_weights

    np.testing.assert_allclose(
        w.payoff_runs("CHN", scaling_weights(sc, "unscaled")), d.raw.payoff[:, 2], rtol=1e-12
    )
    giver = TrilateralGame(sc.model_copy(update={"payoff_scaling": "giver"}), "align_with_us")
    np.testing.assert_allclose(
        w.payoff_runs("USA", scaling_weights(sc, "giver")),
        giver.run(8, 24, rng=1).raw.payoff[:, 0],
        rtol=1e-12,
    )


def test_fitted_caveat_when_the_criterion_chose_order_zero() -> None:
    from trilateral.simulate import compare_policies

    cmp = compare_policies(_paper(), runs=8, periods=12, rng=0)
    doc = cmp.to_dict()
    assert "lag order 0" in doc["caveat"] and "CAVEAT" in cmp.summary()
    pol = doc["policies"]["align_with_russia"]
    assert {"ci_low", "ci_high", "mc_low", "mc_high"} <= set(pol["payoff"]["CHN"])
    assert pol["difference_from_baseline"]["payoff_CHN"]["baseline"] == "equidistant_hedging"
    assert doc["reference_policies"] == ["always_hostile", "always_cooperative"]


def test_difference_of_probabilities_stays_within_minus_one_and_one() -> None:
    from trilateral.simulate._intervals import paired_difference

    y = np.zeros((4, 3))
    y[:2] = 1.0  # half the draws always in confrontation, half never
    d = paired_difference(y, np.zeros((4, 3)), higher_is_better=False, bound=1.0)
    assert d["mean"] == 0.5 and -1.0 <= d["ci_low"] and d["ci_high"] == 1.0
    assert d["p_beats"] == 0.0  # lower is better: no draw lowers the probability


def test_docs_simulate_examples_run() -> None:
    # docs/simulate.md's Python examples are doctests: they run, and show real output
    import doctest
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "simulate.md"
    res = doctest.testfile(str(doc), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert res.attempted >= 4 and res.failed == 0


def test_a_one_policy_scenario_is_compared_with_its_reference_rows() -> None:
    import json

    from typer.testing import CliRunner

    from trilateral.cli import app

    out = CliRunner().invoke(
        app, ["simulate", "proactive_trilateral", "--runs", "8", "--periods", "12", "--json"]
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["baseline"] == "proactive_trilateral"
    assert list(doc["policies"]) == ["proactive_trilateral", "always_hostile", "always_cooperative"]
    same = doc["policies"]["proactive_trilateral"]["difference_from_baseline"]["payoff_CHN"]
    assert same["mean"] == 0.0 and same["verdict"] == "not distinguishable"


def test_paper_yaml_uncertainty_comes_from_the_shipped_chronicle(tmp_path) -> None:
    # fitted_uncertainty recomputed from the chronicle's monthly series by numpy OLS:
    # (X'X)⁻¹ of [1, y_t−1] and the df-adjusted residual covariance, game units (÷10)
    from trilateral.data import EventStore, shipped_chronicle_path
    from trilateral.measure import indices

    db = tmp_path / "chron.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    monthly = indices(db, period="month", n_boot=0, start="2014-01-01", end="2019-12-31")
    model = ReciprocityModel(monthly)
    y = model.fit(lags=1).var.endog / 10.0
    x = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y[1:]
    resid = y[1:] - x @ beta
    sigma = resid.T @ resid / (len(resid) - x.shape[1])
    unc = _paper().fitted_uncertainty
    assert unc is not None and unc.nobs == len(resid) == 71
    np.testing.assert_allclose(unc.xtx_inv, xtx_inv, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(unc.sigma_u, sigma, rtol=1e-5, atol=1e-8)
    chosen = model.fit()  # BIC over the default orders: 0 on this sample (issue 19, item 8)
    assert chosen.selected_orders is not None
    assert chosen.selected_orders[unc.criterion] == unc.selected_order == 0


def test_per_capita_scaling_needs_the_panel() -> None:
    from trilateral.errors import ConfigError
    from trilateral.simulate import TrilateralGame

    sc = _paper(economic_weight="equal", payoff_scaling="per_capita")
    with pytest.raises(ConfigError, match="per_capita needs economic_weight: panel"):
        TrilateralGame(sc, "align_with_us")


def test_monte_carlo_interval_of_a_mean_uses_students_t_over_the_seeds() -> None:
    # K = 4 noise seeds (the demo's 200 runs = 50 draws × 4): the Monte Carlo interval of
    # the mean is ȳ ± t(0.975, K − 1)·s/√K over the K seed means, not ± 1.96·s/√K
    # (which covers about 86 % with 3 degrees of freedom).
    from scipy import stats

    from trilateral.simulate._intervals import mean_interval

    y = np.array([[1.0, 2.0, 4.0, 7.0], [2.0, 2.0, 5.0, 6.0], [0.0, 3.0, 3.0, 8.0]])
    seed_means = y.mean(axis=0)
    half = stats.t.ppf(0.975, 3) * seed_means.std(ddof=1) / 2.0
    iv = mean_interval(y)
    assert (iv["mc_low"], iv["mc_high"]) == pytest.approx(
        (y.mean() - half, y.mean() + half), rel=1e-12
    )


def test_monte_carlo_interval_of_a_probability_uses_the_unbiased_seed_variance() -> None:
    # Wilson with the design's effective number of runs n = p(1 − p) / (s² / K), s² the
    # unbiased (K − 1) variance of the K seed means (Wilson score interval written out).
    from trilateral.simulate._intervals import mean_interval

    y = np.array([[1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    p, k = y.mean(), 4
    n = p * (1 - p) / (np.var(y.mean(axis=0), ddof=1) / k)
    z = 1.959963984540054
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    iv = mean_interval(y, proportion=True)
    assert (iv["mc_low"], iv["mc_high"]) == pytest.approx((mid - half, mid + half), rel=1e-12)
