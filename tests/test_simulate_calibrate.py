"""Calibration by the simulated method of moments."""

from __future__ import annotations

import numpy as np
import pytest

from trilateral.simulate import load_scenario
from trilateral.simulate._calibrate import _with_theta, calibrate_scenario, dyad_moments, smm_fit
from trilateral.simulate._engine import simulate_raw
from trilateral.simulate._game import build_spec, child_seeds


def test_moments_by_hand() -> None:
    # a→b alternates 1, −1 (lag-1 autocorrelation −1); b→a copies a→b one period later
    t = np.arange(8)
    x = np.zeros((8, 6))
    x[:, 0] = np.where(t % 2 == 0, 1.0, -1.0)
    x[1:, 2] = x[:-1, 0]
    x[0, 2] = -1.0
    m = dyad_moments(x)
    assert m[0] == 0.0 and m[6] == 1.0  # mean and variance of a→b
    assert m[12] == pytest.approx(-7 / 8)  # Σ dev_t dev_{t−1} / T / var (7 products of −1)
    # b→a at t is a→b at t−1: corr(x_ba,t, x_ab,t−1) = 7/8 in the same normalisation
    assert m[18 + 2] == pytest.approx(7 / 8)


@pytest.mark.slow
def test_smm_recovers_the_parameters_that_made_the_data() -> None:
    sc = load_scenario("paper")
    truth = np.array([0.2, 0.15, 0.8])
    spec = build_spec(_with_theta(sc, truth), None)
    raw = simulate_raw(spec, child_seeds(np.random.SeedSequence(99), 1), 12 + 300)
    data = raw.levels[12:, 0, :].astype(np.float64)
    res = smm_fit(sc, data, runs=16, draws=60, rng=1, maxiter=60)
    print(res.summary())
    # hawkishness weight is held at paper.yaml's 0.5: only sensitivity × weight is
    # identified, so the sensitivity estimate is 0.15 · 0.8 / 0.5 = 0.24
    weight = sc.players["USA"].hawkishness.weight
    expected = np.array([truth[0], truth[1] * truth[2] / weight])
    lo, hi = res.conf_int(0.01).T
    assert np.all((lo <= expected) & (expected <= hi)), (res.params, res.bse)
    assert res.identification()["rank"] == 2
    assert res.j_df == 24 - 2 and 0.0 <= res.j_pvalue <= 1.0
    assert np.all(res.bse > 0)


def test_levels_without_payoffs_are_the_same_levels() -> None:
    # SMM needs only the levels: skipping the stage payoffs (payoffs never feed back on
    # actions) must leave every level bit-identical and record no payoff
    sc = load_scenario("paper")
    spec = build_spec(_with_theta(sc, np.array([0.2, 0.15])), None)
    seeds = child_seeds(np.random.SeedSequence(4), 6)
    full = simulate_raw(spec, seeds, 40)
    bare = simulate_raw(spec, seeds, 40, payoffs=False)
    assert np.array_equal(full.levels, bare.levels) and np.array_equal(full.blocks, bare.blocks)
    assert np.any(full.payoff != 0) and np.all(bare.payoff == 0)


def test_hawkishness_sensitivity_and_weight_enter_only_as_a_product() -> None:
    # Why the weight is not estimated: doubling sensitivity and halving weight gives the
    # same simulated moments on the same seeds (to rounding), so no moment can tell them
    # apart (issue 19, item 7).
    sc = load_scenario("paper")
    seeds = child_seeds(np.random.SeedSequence(3), 8)
    m = [
        dyad_moments(
            simulate_raw(build_spec(_with_theta(sc, np.array(t)), None), seeds, 60).levels.astype(
                np.float64
            )
        )
        for t in ([0.15, 0.1, 0.8], [0.15, 0.2, 0.4])
    ]
    np.testing.assert_allclose(m[0], m[1], rtol=0, atol=1e-5)


def test_measurement_layer_observes_as_the_data_do() -> None:
    from trilateral.simulate._calibrate import Measurement

    # An empty month (probability e^−λ) is observed as 0, a full one as the level plus
    # event noise: E[obs] = x·(1 − e^−λ)
    m = Measurement(lam=np.array([0.7, 3.0]), sd=np.array([0.3, 0.0]))
    x = np.full((40_000, 1, 2), 0.4)
    obs = m.observe(x, np.random.default_rng(0))
    assert (obs[..., 0] == 0).mean() == pytest.approx(np.exp(-0.7), abs=0.01)
    assert obs[..., 0].mean() == pytest.approx(0.4 * (1 - np.exp(-0.7)), abs=0.01)
    assert set(np.unique(obs[..., 1]).round(12)) == {0.0, 0.4}  # sd 0: exact when observed
    # σ is recovered from data made with a known event sd (0.5) and known counts
    g = np.random.default_rng(1)
    counts = g.poisson(3.0, size=(4000, 1))
    latent = g.normal(0.0, 0.2, size=(4000, 1))
    vals = np.where(
        counts > 0, latent + 0.5 * g.normal(size=(4000, 1)) / np.sqrt(np.maximum(counts, 1)), 0.0
    )
    est = Measurement.from_counts(vals, counts)
    assert est.sd[0] == pytest.approx(0.5, rel=0.15)
    assert est.lam[0] == pytest.approx(counts.mean())


def test_calibrate_true_on_the_shipped_chronicle(tmp_path) -> None:
    from trilateral.data import EventStore, shipped_chronicle_path

    db = tmp_path / "chron.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    sc = load_scenario("paper", calibrate=True, store=str(db), runs=20, periods=24)
    res = calibrate_scenario(sc, rng=0, runs=16)
    assert res.params.shape == (2,)  # noise, sensitivity (weight fixed: not identified)
    # a standard error for every interior estimate, none at a bound (not asymptotically normal)
    lo, hi = np.array([0.0, 0.0]), np.array([1.0, 1.0])
    interior = (res.params - lo > 1e-3 * (hi - lo)) & (hi - res.params > 1e-3 * (hi - lo))
    assert np.all(np.isfinite(res.bse[interior])) and np.all(np.isnan(res.bse[~interior]))
    assert res.provenance["data_hash"] and res.provenance["var_nobs"] == 71
    # the summary says plainly when the fit hits the bounds (docs/simulate.md: on the
    # chronicle's sparse zero-filled series it does)
    status = res.to_frame()["status"].to_list()
    assert status == ["at a bound" if np.isnan(b) else status[i] for i, b in enumerate(res.bse)]
    n_bound = int(np.isnan(res.bse).sum())
    assert n_bound >= 1
    assert f"WARNING: {n_bound} of 2 parameters at a bound of their range" in res.summary()
    # the calibrated scenario carries the estimates for every player
    assert res.scenario.players["USA"].noise == pytest.approx(res.params[0])
    assert res.scenario.players["RUS"].hawkishness.sensitivity == pytest.approx(res.params[1])
    assert res.scenario.players["RUS"].hawkishness.weight == sc.players["RUS"].hawkishness.weight
    assert "J test" in res.summary() and res.diagnostics()["j_test"]["df"] == 22
    # the measurement layer's event rates are the store's own: events per dyad-month in
    # 2014-01..2019-12 by an independent DuckDB query (72 months)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        n = dict(
            con.execute(
                "SELECT source || '->' || target, count(*) / 72.0 FROM events "
                "WHERE date BETWEEN DATE '2014-01-01' AND DATE '2019-12-31' "
                "AND source IN ('USA','RUS','CHN') AND target IN ('USA','RUS','CHN') "
                "GROUP BY 1"
            ).fetchall()
        )
    order = ["USA->RUS", "USA->CHN", "RUS->USA", "RUS->CHN", "CHN->USA", "CHN->RUS"]
    lam = res.provenance["measurement"]["lam"]
    assert lam == pytest.approx([n[k] for k in order], rel=1e-9)
    assert "measurement layer" in res.summary()


def test_unidentified_parameters_are_flagged() -> None:
    # ICEWS05-15 (2005–2015) gives noise 0.07 (se 0.08) but standard errors in the
    # thousands for the two hawkishness parameters (docs/simulate.md): such an estimate is
    # not identified and the summary must say so rather than print a confidence interval
    from trilateral.simulate._calibrate import CalibrationResults

    z = np.zeros(24)
    res = CalibrationResults(
        names=("noise", "hawk_sensitivity", "hawk_weight"),
        params=np.array([0.072, 0.226, 0.469]),
        bse=np.array([0.075, 6836.5, 14146.4]),
        objective=223.0,
        data_moments=z,
        sim_moments=z,
        moment_se=z + 1,
        scenario=load_scenario("paper"),
        runs=64,
    )
    assert res.status() == ["estimated", "not identified", "not identified"]
    text = res.summary()
    assert "WARNING: 2 of 3 not identified by these moments" in text
    assert "hawk_weight       0.469 (se 14146.400)" in text and "not identified" in text
