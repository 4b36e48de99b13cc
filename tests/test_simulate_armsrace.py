"""The Richardson arms race: recovery of known parameters, the SIPRI fit, the scenario."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.simulate import load_scenario
from trilateral.simulate._armsrace import fit_richardson, milex_constant, run_arms_race


def _simulate(k: np.ndarray, a: np.ndarray, g: np.ndarray, years: int, sd: float, seed: int):
    gen = np.random.default_rng(seed)
    n = len(a)
    trans = np.eye(n) + k - np.diag(a)
    m = np.empty((years, n))
    m[0] = np.linalg.solve(np.eye(n) - trans, g)  # start at the equilibrium
    for t in range(1, years):
        m[t] = trans @ m[t - 1] + g + gen.normal(0, sd, n)
    return m


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(0.0, 0.15), min_size=6, max_size=6),
    st.lists(st.floats(0.3, 0.6), min_size=3, max_size=3),
    st.lists(st.floats(5.0, 50.0), min_size=3, max_size=3),
    st.integers(0, 10_000),
)
def test_fit_recovers_known_parameters(ks, fatigue, grievance, seed) -> None:
    k = np.zeros((3, 3))
    k[~np.eye(3, dtype=bool)] = ks
    a, g = np.array(fatigue), np.array(grievance)
    m = _simulate(k, a, g, 600, 1.0, seed)
    fit = fit_richardson(m, ["A", "B", "C"], list(range(600)))
    truth = np.column_stack([g, k - np.diag(a)])
    z = np.abs(fit.params - truth) / fit.bse
    assert np.all(z < 5.0), (fit.params, truth, fit.bse)
    assert fit.stable() == bool(np.max(np.abs(np.linalg.eigvals(np.eye(3) + k - np.diag(a)))) < 1)


def test_sipri_fit_equals_an_independent_least_squares() -> None:
    m, years, ind = milex_constant(["USA", "RUS", "CHN"], 1993, 2023)
    assert ind == "milex_constant_2022_usd" and years[0] == 1993 and len(years) == 31
    # Russia 2015 in the shipped panel: SIPRI constant (2022) US$ 86.74 bn
    assert m[2015 - 1993, 1] == pytest.approx(86.743, abs=1e-3)
    fit = fit_richardson(m, ["USA", "RUS", "CHN"], years)
    x = np.column_stack([np.ones(len(years) - 1), m[:-1]])
    for i in range(3):
        beta, *_ = np.linalg.lstsq(x, np.diff(m, axis=0)[:, i], rcond=None)
        np.testing.assert_allclose(fit.params[i], beta, rtol=1e-8, atol=1e-10)
        resid = np.diff(m, axis=0)[:, i] - x @ beta
        sigma2 = resid @ resid / (len(resid) - 4)
        se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x.T @ x)))
        np.testing.assert_allclose(fit.bse[i], se, rtol=1e-8)
    ev = fit.eigenvalues()
    np.testing.assert_allclose(
        np.sort(np.abs(ev)), np.sort(np.abs(np.linalg.eigvals(fit.transition())))
    )
    assert fit.to_frame().height == 12


def test_arms_control_scales_the_reaction_terms_only() -> None:
    res = run_arms_race(load_scenario("arms_race", runs=20), rng=0)
    f = res.fit
    half = f.transition(0.5)
    np.testing.assert_allclose(np.diag(half), np.diag(f.transition()))
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(half[off], 0.5 * f.transition()[off])
    assert res.baseline.shape == res.arms_control.shape == (20, 15, 3)
    again = run_arms_race(load_scenario("arms_race", runs=20), rng=0)
    np.testing.assert_array_equal(res.baseline, again.baseline)


def test_arms_race_cli_json() -> None:
    import json

    out = CliRunner().invoke(app, ["simulate", "arms_race", "--runs", "30", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["unit"] == "constant 2022 US$ billions"
    assert {p["kind"] for p in doc["fit"]["params"]} == {"grievance", "fatigue", "reaction"}
    assert len(doc["fit"]["eigenvalues"]) == 3 and isinstance(doc["fit"]["stable"], bool)


def test_bad_arms_race_window_is_a_clear_error() -> None:
    from trilateral.errors import ConfigError, DataError

    with pytest.raises(ConfigError, match="at least 10 years"):
        load_scenario({"kind": "arms_race", "start_year": 2015, "end_year": 2020})
    with pytest.raises(DataError, match="RUS"):
        milex_constant(["USA", "RUS"], 1985, 2000)


def _boot_share(k, a, g, years, seed, start=None):
    from trilateral.simulate._armstests import bootstrap_params, stability_share

    gen = np.random.default_rng(seed)
    n = len(a)
    trans = np.eye(n) + k - np.diag(a)
    m = np.empty((years, n))
    m[0] = np.linalg.solve(np.eye(n) - trans, g) if start is None else start
    for t in range(1, years):
        m[t] = trans @ m[t - 1] + g + gen.normal(0, 1.0, n)
    fit = fit_richardson(m, ["A", "B", "C"], list(range(years)))
    boot = bootstrap_params(m, fit.params, fit.resid, 200, np.random.default_rng(seed + 1))
    return stability_share(boot)


def test_bootstrap_stability_share_near_one_for_a_stable_and_near_zero_for_an_unstable_system() -> (
    None
):
    # Known systems (issue 19, "Checked by"): max |λ| = 0.6 → share near 1; a reaction
    # strong enough for max |λ| ≈ 1.08 → share near 0.
    k = np.full((3, 3), 0.05)
    np.fill_diagonal(k, 0.0)
    stable = _boot_share(k, np.array([0.5, 0.5, 0.5]), np.array([10.0, 10.0, 10.0]), 60, 1)
    assert stable >= 0.95
    k_up = np.full((3, 3), 0.1)
    np.fill_diagonal(k_up, 0.0)
    a_up = np.array([0.12, 0.12, 0.12])
    lam = np.max(np.abs(np.linalg.eigvals(np.eye(3) + k_up - np.diag(a_up))))
    assert lam == pytest.approx(1.08)
    unstable = _boot_share(k_up, a_up, np.array([1.0, 1.0, 1.0]), 60, 2, start=np.ones(3) * 10)
    assert unstable <= 0.05


def test_form_is_chosen_by_unit_root_and_cointegration_tests() -> None:
    from trilateral.simulate._armstests import choose_form, transform, unit_root_tests

    m, _years, _ = milex_constant(["USA", "RUS", "CHN"], 1993, 2023)
    tests = unit_root_tests(m, ["USA", "RUS", "CHN"])
    # independent statsmodels call: Johansen trace on the logs, linear trend, 1 lag
    from statsmodels.tsa.vector_ar.vecm import coint_johansen

    jo = coint_johansen(np.log(m), 1, 1)
    rank = int(np.argmin(np.append(jo.lr1 > jo.cvt[:, 1], False)))
    assert tests["johansen"]["rank"] == rank
    # SIPRI 1993–2023: the logs are cointegrated (trace rank ≥ 1 at 5 %), so logs
    assert rank >= 1 and choose_form(tests)[0] == "logs"
    assert choose_form({"adf": {"A": {"log_level_p": 0.5}}, "johansen": {"rank": 0}})[0] == (
        "growth"
    )
    assert choose_form({"adf": {"A": {"log_level_p": 0.01}}, "johansen": {"rank": 0}})[0] == (
        "logs"
    )
    g = transform(m, "growth")
    np.testing.assert_allclose(g[0], np.log(m[1] / m[0]))


def test_arms_race_reports_tests_stability_share_and_warnings() -> None:
    res = run_arms_race(load_scenario("arms_race", runs=40, bootstrap=40), rng=0)
    doc = res.to_dict()
    assert doc["form"] in ("levels", "logs", "growth") and doc["form_reason"]
    assert set(doc["tests"]["adf"]) == {"USA", "RUS", "CHN"}
    share = doc["stability_share"]
    assert 0.0 <= share["baseline"] <= 1.0 and 0.0 <= share["arms_control"] <= 1.0
    # every warning the rules call for is there, and no other
    last = res.observed_levels[-1]
    for name, arr in (("baseline", res.baseline), ("arms_control", res.arms_control)):
        for i, c in enumerate(res.fit.countries):
            leaves = bool((arr[:, :, i].mean(axis=0) > 3 * last[i]).any())
            said = any(w.startswith(f"{name}: {c}'s mean projection") for w in doc["warnings"])
            assert leaves == said, (name, c)
        uncertain = 0.05 < share[name] < 0.95
        assert uncertain == any(w.startswith(f"{name}: stability") for w in doc["warnings"])
    # levels: the knife edge of issue 19 (max |λ| 1.0007), now a share of refits
    lv = run_arms_race(load_scenario("arms_race", runs=20, bootstrap=100, form="levels"), rng=0)
    assert np.max(np.abs(lv.fit.eigenvalues())) == pytest.approx(1.0007, abs=5e-4)
    assert 0.05 < lv.stability["baseline"] < 0.95
    assert any("stability is uncertain" in w for w in lv.warnings)
    # the arms-control result explained: halving a negative, significant k raises spending
    assert any("k[USA←RUS]" in w and "negative" in w for w in lv.warnings)


# --------------------------------------------------------------------------- sensitivity


def test_sobol_indices_name_the_parameters_that_decide() -> None:
    from trilateral.simulate import sobol_sensitivity

    res = sobol_sensitivity(
        load_scenario("paper"), base_samples=32, replicates=2, periods=24, rng=0, fitted=False
    )
    frame = res.to_frame()
    assert frame.height == 3 * 10
    assert (frame["S1_conf"] >= 0).all() and (frame["ST_conf"] >= 0).all()
    # an interval of exactly 0 only where the factor changes nothing (ST exactly 0, with
    # common noise seeds); every other index has a positive bootstrap half-width
    moving = frame.filter(frame["ST"] != 0.0)
    assert moving.height >= 20
    assert (moving["S1_conf"] > 0).all() and (moving["ST_conf"] > 0).all()
    assert (frame.filter(frame["ST"] == 0.0)["ST_conf"] == 0.0).all()
    # issue 10: which parameters decide the USA–RUS confrontation probability (the diagnose
    # stage's regime rules on every run), proactive minus alignment
    conf = frame.filter(frame["outcome"] == "usa_rus_confrontation_gain")
    st_c = dict(zip(conf["parameter"], conf["ST"], strict=True))
    assert -1.0 <= res.outcome_means["usa_rus_confrontation_gain"] < 0.0
    level = frame.filter(frame["outcome"] == "usa_rus_level_gain")
    st = dict(zip(level["parameter"], level["ST"], strict=True))
    # payoff-only parameters cannot move actions: public_good and security_cost enter the
    # payoffs, never the reaction functions; with common noise seeds within a base sample
    # (A, AB and B rows) their total index on the levels and the regimes is exactly 0
    for p in ("public_good", "security_cost"):
        assert st[p] == 0.0 and st_c[p] == 0.0
    # hawkishness feeds back on actions (eq. 2): on the confrontation gain its weight keeps
    # the total index > 0.3 it had before common noise seeds, and the three hawkishness
    # parameters are the three factors with the largest total indices
    assert st_c["hawk_weight"] > 0.3
    top3 = sorted(st_c, key=lambda k: st_c[k], reverse=True)[:3]
    assert set(top3) == {"hawk_weight", "hawk_sensitivity", "hawk_decay"}
    assert st["hawk_weight"] > 0.02 and st["hawk_sensitivity"] > 0.02
    # China's investment moves the USA–RUS pair through `mediation` (docs/simulate.md, eq. 4)
    assert st["china_investment"] > 0.05 and st["mediation"] > 0.05
    again = sobol_sensitivity(
        load_scenario("paper"), base_samples=32, replicates=2, periods=24, rng=0, fitted=False
    )
    assert again.to_frame().equals(frame)


def test_sobol_takes_the_fitted_coefficients_as_factors_over_their_intervals() -> None:
    from trilateral.simulate import sobol_sensitivity
    from trilateral.simulate._sensitivity import fitted_factors

    sc = load_scenario("paper")
    unc = sc.fitted_uncertainty
    assert unc is not None
    f = fitted_factors(sc)
    # 2 equations × 7 coefficients as single factors, 2 equations as groups
    assert len(f) == 28 and len({g for _, _, g, _ in f.values()}) == 14 + 2
    # USA->RUS triangular_across = the CHN->RUS lag (row 6) in equation 0: −0.4718 ± 1.96 se,
    # se² = σ_u[0,0]·(X'X)⁻¹[6,6] (Lütkepohl 2005, eq. 3.2.21); se 0.306 per issue 19
    se = (unc.sigma_u[0][0] * unc.xtx_inv[6][6]) ** 0.5
    assert se == pytest.approx(0.306, abs=5e-4)
    lo, hi, _, _ = f["USA->RUS.triangular_across"]
    assert (lo, hi) == pytest.approx((-0.4718 - 1.959964 * se, -0.4718 + 1.959964 * se))
    res = sobol_sensitivity(sc, base_samples=8, replicates=1, periods=24, rng=0)
    assert set(res.to_frame()["parameter"]) >= {
        "USA->RUS.triangular_across",
        "USA->CHN (equation)",
        "hawk_weight",
    }
    assert res.samples == 8 * (10 + 16 + 2)


def test_sobol_grows_n_until_the_total_intervals_are_narrow() -> None:
    from trilateral.simulate import sobol_sensitivity

    sc = load_scenario("paper")
    kw = {"replicates": 1, "periods": 24, "rng": 0, "fitted": False}
    grown = sobol_sensitivity(sc, base_samples=4, max_samples=16, target_width=1e-9, **kw)
    assert grown.convergence["N"].to_list() == [4, 8, 16]
    assert not grown.converged and grown.base_samples == 16
    assert "NOT converged" in grown.summary() and "N =    16" in grown.summary()
    # growing reuses the first N rows: the result at N = 16 is the one-shot N = 16 result
    once = sobol_sensitivity(sc, base_samples=16, **kw)
    assert once.to_frame().equals(grown.to_frame())
    # a loose target stops at the first N whose every total-index CI is narrower
    easy = sobol_sensitivity(sc, base_samples=4, max_samples=16, target_width=10.0, **kw)
    assert easy.convergence["N"].to_list() == [4] and easy.converged
    widths = easy.convergence.row(0, named=True)
    assert all(w is None or w < 10.0 for k, w in widths.items() if k.endswith("gain"))
