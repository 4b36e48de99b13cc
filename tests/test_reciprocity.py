"""Reciprocity VAR: recovery of a known reaction function, tests' size, invariances."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import permutations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from trilateral._rng import spawn
from trilateral.errors import ConfigError, DataError
from trilateral.measure._reciprocity import ReciprocityModel, holm_adjust

TRIAD = ("USA", "RUS", "CHN")
DYAD = ("USA", "RUS")


def _series(countries: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(a, b) for a in countries for b in countries if a != b]


def reaction_matrix(
    countries: tuple[str, ...], inertia: float, reciprocity: float, triangular: float
) -> np.ndarray:
    """A[e, c]: effect of series c at t−1 on series e at t, for the known reaction function
    x_ij,t = a + inertia·x_ij,t−1 + reciprocity·x_ji,t−1 + triangular·x_ki,t−1 + u_ij,t."""
    series = _series(countries)
    a = np.zeros((len(series), len(series)))
    for e, (i, j) in enumerate(series):
        a[e, e] = inertia
        a[e, series.index((j, i))] = reciprocity
        for c, (s, t) in enumerate(series):
            if t == i and s not in (i, j):
                a[e, c] = triangular
    return a


def simulate(
    rng: np.random.Generator,
    countries: tuple[str, ...] = TRIAD,
    *,
    t: int = 200,
    inertia: float = 0.4,
    reciprocity: float = 0.3,
    triangular: float = 0.1,
    const: float = -0.5,
    shock_corr: float = 0.0,
    burn: int = 100,
) -> pl.DataFrame:
    """An Index frame (monthly, arena "all") simulated from the known VAR(1)."""
    series = _series(countries)
    k = len(series)
    a = reaction_matrix(countries, inertia, reciprocity, triangular)
    cov = np.eye(k)
    for e, (i, j) in enumerate(series):  # same-period correlation of i→j and j→i shocks
        cov[e, series.index((j, i))] = shock_corr
    chol = np.linalg.cholesky(cov)
    x = np.zeros(k)
    out = np.empty((t, k))
    for step in range(t + burn):
        x = const + a @ x + chol @ rng.standard_normal(k)
        if step >= burn:
            out[step - burn] = x
    starts = [date(2000, 1, 1) + timedelta(days=31 * n) for n in range(t)]
    return pl.DataFrame(
        {
            "source": np.repeat([s for s, _ in series], t),
            "target": np.repeat([g for _, g in series], t),
            "arena": "all",
            "period": "month",
            "period_start": starts * k,
            "n_events": 1,
            "mean_goldstein": out.T.ravel(),
        }
    )


# --------------------------------------------------------------------------- recovery


def test_true_inertia_and_reciprocity_inside_95pct_intervals() -> None:
    """Each of the 12 true coefficients (6 inertia, 6 direct reciprocity) lies inside its
    95% interval in ≥ 90% of 200 replications. If the intervals have their nominal 95%
    coverage, the count per coefficient is Binomial(200, 0.95): P(count < 180) =
    stats.binom.cdf(179, 200, 0.95) ≈ 1.2e-3, so over 12 coefficients a false failure has
    probability < 1.5%; intervals with true coverage ≤ 0.85 fail almost surely."""
    reps = 200
    truth = reaction_matrix(TRIAD, 0.4, 0.3, 0.1)
    series = _series(TRIAD)
    hits = np.zeros((reps, 12), dtype=bool)
    for r, rng in enumerate(spawn(20240501, reps)):
        res = ReciprocityModel(simulate(rng)).fit(lags=1)
        ci = res.conf_int(0.05)
        col = 0
        for e, (i, j) in enumerate(series):
            for cause in ((i, j), (j, i)):
                row, eq = res._position(cause, (i, j), 1)
                true = truth[e, series.index(cause)]
                hits[r, col] = ci[row, eq, 0] <= true <= ci[row, eq, 1]
                col += 1
    assert stats.binom.cdf(179, 200, 0.95) < 1.5e-3
    coverage = hits.mean(axis=0)
    assert coverage.min() >= 0.90, coverage
    # and not vacuously wide: the average interval is far narrower than the coefficient
    assert np.median(np.diff(res.conf_int(0.05), axis=-1)) < 0.3


def test_point_estimates_recover_reaction_function() -> None:
    res = ReciprocityModel(simulate(np.random.default_rng(5), t=2000)).fit(lags=1)
    assert res.coef(("USA", "RUS"), ("USA", "RUS")) == pytest.approx(0.4, abs=0.05)
    assert res.coef(("RUS", "USA"), ("USA", "RUS")) == pytest.approx(0.3, abs=0.05)
    assert res.coef(("CHN", "USA"), ("USA", "RUS")) == pytest.approx(0.1, abs=0.05)
    assert res.coef(("RUS", "CHN"), ("USA", "RUS")) == pytest.approx(0.0, abs=0.05)


def test_granger_size_without_reciprocity() -> None:
    """No reciprocity (US and Russia follow only their own inertia): the F test of
    RUS→USA Granger-causing USA→RUS rejects at 5% in ≤ 10 of 100 replications. Under
    the null the count is ~Binomial(100, 0.05): P(count > 10) = 1 − binom.cdf(10, 100,
    0.05) ≈ 0.011."""
    rejections = 0
    for rng in spawn(77, 100):
        frame = simulate(rng, DYAD, inertia=0.5, reciprocity=0.0, triangular=0.0)
        g = ReciprocityModel(frame, countries=DYAD).fit(lags=1).granger
        row = g.filter((pl.col("cause") == "RUS->USA") & (pl.col("effect") == "USA->RUS"))
        rejections += int(row["pvalue"].item() < 0.05)
    assert rejections <= 10


def test_granger_power_with_reciprocity() -> None:
    res = ReciprocityModel(simulate(np.random.default_rng(3), t=500)).fit(lags=1)
    g = res.granger
    direct = g.filter(pl.col("kind") == "direct reciprocity")
    assert direct.height == 6
    assert (direct["pvalue_holm"] < 0.05).all()


def test_lag_order_selection() -> None:
    """50 replications of T = 200, orders 0…4 tried. True VAR(1) with strong dynamics: BIC is consistent,
    so it picks 1 in (nearly) every replication — we ask ≥ 45/50; AIC never underfits such
    a signal and overfits rarely with six series (an extra lag must cut −2 log L by more
    than 2·36: P(χ²₃₆ > 72) ≈ 3e-4), so ≥ 40/50 for AIC. White noise: BIC picks 0 in
    ≥ 45/50, AIC picks 0 or 1 in ≥ 45/50 (observed: 0 in 99 of 100 trial runs)."""
    aic_var1 = bic_var1 = bic_wn = aic_wn = 0
    for rng_var, rng_wn in zip(spawn(11, 50), spawn(12, 50), strict=True):
        var1 = ReciprocityModel(simulate(rng_var)).fit(ic="bic", maxlags=4)
        assert var1.selected_orders is not None
        aic_var1 += var1.selected_orders["aic"] == 1
        bic_var1 += var1.selected_orders["bic"] == 1
        assert var1.k_ar == var1.selected_orders["bic"]
        wn_frame = simulate(rng_wn, inertia=0, reciprocity=0, triangular=0)
        wn = ReciprocityModel(wn_frame).fit(maxlags=4)
        assert wn.selected_orders is not None
        bic_wn += wn.selected_orders["bic"] == 0
        aic_wn += wn.selected_orders["aic"] <= 1
        assert wn.k_ar >= 1  # 0 chosen → one lag fitted anyway
    assert bic_var1 >= 45
    assert aic_var1 >= 40
    assert bic_wn >= 45
    assert aic_wn >= 45


def test_zero_lags_chosen_still_fits_one_and_says_so() -> None:
    frame = simulate(np.random.default_rng(4), inertia=0, reciprocity=0, triangular=0)
    res = ReciprocityModel(frame).fit(ic="bic")
    assert res.selected_orders is not None and res.selected_orders["bic"] == 0
    assert res.k_ar == 1
    text = res.summary()
    # one statement of what was fitted and why, not "lag order 1 by BIC" beside "bic 0"
    assert "lag order 1 fitted: BIC (as requested) chose 0 lags (no dynamics)" in text
    assert "lag order 1 by BIC" not in text and "chosen by BIC" not in text


def _sparse_triad(seed: int, t: int = 147) -> pl.DataFrame:
    """A sparse monthly triad like the chronicle 2007–2019: six series, each month active
    with a probability driven by one persistent latent tension (AR(1), 0.9), otherwise
    empty (zero-filled by the model)."""
    rng = np.random.default_rng(seed)
    z = np.zeros(t)
    for n in range(1, t):
        z[n] = 0.9 * z[n - 1] + rng.standard_normal()
    starts = [date(2007 + (9 + n) // 12, (9 + n) % 12 + 1, 1) for n in range(t)]
    frames = []
    for s, g in _series(TRIAD):
        active = rng.uniform(size=t) < 1 / (1 + np.exp(-(z - 1.5)))
        values = np.where(active, -0.5 * z + rng.normal(0, 3, size=t), np.nan)
        frames.append(
            pl.DataFrame(
                {
                    "source": s,
                    "target": g,
                    "arena": "all",
                    "period": "month",
                    "period_start": starts,
                    "mean_goldstein": values,
                }
            ).with_columns(pl.col("mean_goldstein").fill_nan(None))
        )
    return pl.concat(frames)


def test_default_lag_search_is_strict_and_uses_bic() -> None:
    """147 zero-filled months of a triad (k = 6): statsmodels' rule 12·(T/100)^¼ gives 13,
    the former cap of 3 observations per coefficient 7 (T − p ≥ 3(6p + 1)), the default
    cap of 10 gives 2 ((147 − 10) // 61). Searched up to 7, AIC takes the largest order on
    offer on such data (seed 4: 7 lags, 43 coefficients per equation); the default fit —
    BIC (Lütkepohl 2005, §4.3) over 0–2 — keeps the model small."""
    model = ReciprocityModel(_sparse_triad(4))
    assert model.endog.shape == (147, 6)
    assert model.default_maxlags() == 2
    assert model.default_maxlags(obs_per_coef=3) == 7
    loose = model.fit(ic="aic", maxlags=7)
    assert loose.selected_orders is not None and loose.selected_orders["aic"] == 7
    res = model.fit()
    assert res.ic == "bic" and res.provenance["config"]["maxlags"] == 2
    assert res.provenance["config"]["ic_default"] and res.provenance["config"]["maxlags_default"]
    assert res.selected_orders is not None and res.k_ar == max(1, res.selected_orders["bic"])
    assert res.k_ar <= 2
    text = res.summary()
    assert "BIC (the default criterion)" in text and "orders 0–2 tried" in text
    assert "≥ 10 observations per coefficient" in text
    assert "maximum as requested" in loose.summary()
    with pytest.raises(ConfigError):
        model.default_maxlags(obs_per_coef=0)


# --------------------------------------------------------------------------- GIRF / FEVD


def _fit_order(frame: pl.DataFrame, countries: tuple[str, ...]):
    return ReciprocityModel(frame, countries=countries).fit(lags=2, irf_horizon=8)


@pytest.mark.parametrize("order", list(permutations(TRIAD)))
def test_girf_and_fevd_do_not_depend_on_variable_order(order: tuple[str, ...]) -> None:
    frame = simulate(np.random.default_rng(8), shock_corr=0.5)
    base = _fit_order(frame, TRIAD)
    other = _fit_order(frame, order)
    perm = [other.names.index(n) for n in base.names]  # base position → other position
    np.testing.assert_allclose(other.irf[:, perm][:, :, perm], base.irf, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(other.fevd[perm][:, perm], base.fevd, rtol=1e-9, atol=1e-12)
    for c in TRIAD:
        assert other.endogenous_share[c] == pytest.approx(base.endogenous_share[c], rel=1e-9)


def test_orthogonalised_irfs_do_depend_on_order() -> None:
    """Why the headline uses generalised responses: Cholesky responses change with order."""
    frame = simulate(np.random.default_rng(8), shock_corr=0.5)
    base = _fit_order(frame, TRIAD)
    other = _fit_order(frame, ("CHN", "RUS", "USA"))
    perm = [other.names.index(n) for n in base.names]
    a = base.var.irf(8).orth_irfs
    b = other.var.irf(8).orth_irfs[:, perm][:, :, perm]
    assert np.abs(a - b).max() > 0.05


def test_girf_reference_values() -> None:
    """Pesaran & Shin (1998): the generalised response to the shock of the variable
    ordered first equals its Cholesky (orthogonalised) response; at h = 0 the GIRF is
    Σ e_j / sqrt(σ_jj)."""
    res = _fit_order(simulate(np.random.default_rng(9), shock_corr=0.4), TRIAD)
    sigma = res.sigma_u
    np.testing.assert_allclose(res.irf[0], sigma / np.sqrt(np.diag(sigma)), rtol=1e-12)
    orth = res.var.irf(res.irf_horizon).orth_irfs
    np.testing.assert_allclose(res.irf[:, :, 0], orth[:, :, 0], rtol=1e-9, atol=1e-12)
    # the unnormalised generalised share of variable 0 equals its Cholesky FEVD share
    h = res.irf_horizon
    chol_share = res.var.fevd(h).decomp[:, h - 1, 0]
    psi = res.var.ma_rep(h)[:h]
    total = np.einsum("hik,kl,hil->i", psi, sigma, psi)
    np.testing.assert_allclose((res.irf[:h, :, 0] ** 2).sum(0) / total, chol_share, rtol=1e-9)


def test_fevd_rows_sum_to_one_and_shares_bounded() -> None:
    res = _fit_order(simulate(np.random.default_rng(10), shock_corr=0.3), TRIAD)
    np.testing.assert_allclose(res.fevd.sum(axis=1), 1.0, rtol=1e-12)
    assert (res.fevd >= 0).all() and (res.fevd <= 1).all()
    vs = res.variance_sources
    np.testing.assert_allclose(
        (vs["own"] + vs["reactive"] + vs["third_party"]).to_numpy(), 1.0, rtol=1e-12
    )
    for share in res.endogenous_share.values():
        assert 0.0 <= share <= 1.0
    assert (vs["third_party"] > 0).all()  # j↔k shocks move i's behaviour in a triad
    dyad = ReciprocityModel(simulate(np.random.default_rng(10), DYAD), DYAD).fit(lags=1)
    assert (dyad.variance_sources["third_party"] == 0).all()  # no third party in a dyad


def test_endogenous_share_near_one_without_cross_effects() -> None:
    quiet = simulate(np.random.default_rng(12), t=600, inertia=0.6, reciprocity=0, triangular=0)
    res = ReciprocityModel(quiet).fit(lags=1)
    assert min(res.endogenous_share.values()) > 0.95
    # and clearly lower when every country answers the others strongly
    busy = simulate(np.random.default_rng(12), t=600, inertia=0.3, reciprocity=0.5)
    res2 = ReciprocityModel(busy).fit(lags=1)
    assert max(res2.endogenous_share.values()) < 0.8
    assert min(res2.variance_sources["reactive"]) > 0.15


# --------------------------------------------------------------------------- tables


def test_granger_table_kinds_and_holm() -> None:
    res = ReciprocityModel(simulate(np.random.default_rng(2))).fit(lags=1)
    g = res.granger
    assert g.height == 30
    counts = dict(g.group_by("kind").len().iter_rows())
    assert counts == {"direct reciprocity": 6, "triangular": 6, "other": 18}
    tri = g.filter((pl.col("effect") == "USA->RUS") & (pl.col("kind") == "triangular"))
    assert tri["cause"].to_list() == ["CHN->USA"]  # k→i for effect i→j
    from statsmodels.stats.multitest import multipletests

    expected = multipletests(g["pvalue"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(g["pvalue_holm"].to_numpy(), expected, rtol=1e-12)
    assert (g["pvalue_holm"] >= g["pvalue"]).all()


def test_holm_adjust_matches_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(0).uniform(size=40) ** 3
    np.testing.assert_allclose(holm_adjust(p), multipletests(p, method="holm")[1], rtol=1e-14)


def test_to_frame_and_summary() -> None:
    res = ReciprocityModel(simulate(np.random.default_rng(2))).fit(lags=1)
    f = res.to_frame()
    assert f.height == 6 * 7  # 6 equations × (const + 6 lagged series)
    assert set(f["kind"]) == {"constant", "inertia", "direct reciprocity", "triangular", "other"}
    row = f.filter((pl.col("effect") == "USA->RUS") & (pl.col("cause") == "RUS->USA"))
    assert row["kind"].item() == "direct reciprocity"
    assert row["coef"].item() == pytest.approx(res.coef(("RUS", "USA"), ("USA", "RUS")))
    assert (f["ci_low"] < f["coef"]).all() and (f["coef"] < f["ci_high"]).all()
    text = res.summary()
    for needed in ("lag order 1 (given)", "Holm", "direct reciprocity", "Endogenous share"):
        assert needed in text
    prov = res.provenance
    assert prov["config"]["fill"] == "zero" and prov["version"]
    again = ReciprocityModel(simulate(np.random.default_rng(2))).fit(lags=1)
    assert again.provenance["series_sha256"] == prov["series_sha256"]
    other = ReciprocityModel(simulate(np.random.default_rng(3))).fit(lags=1)
    assert other.provenance["series_sha256"] != prov["series_sha256"]
    assert res.irf_frame().height == (res.irf_horizon + 1) * 36


# --------------------------------------------------------------------------- input


def _sparse_frame() -> pl.DataFrame:
    rng = np.random.default_rng(1)
    t = 60
    starts = [date(2015, 1, 1) + timedelta(days=31 * n) for n in range(t)]
    usa = rng.normal(size=t)
    rus = rng.normal(size=t)
    rus[[0, 5, 6]] = np.nan  # empty periods
    return pl.DataFrame(
        {
            "source": ["USA"] * t + ["RUS"] * t,
            "target": ["RUS"] * t + ["USA"] * t,
            "arena": "diplomatic",
            "period": "month",
            "period_start": starts * 2,
            "mean_goldstein": np.concatenate([usa, rus]),
        }
    ).with_columns(pl.col("mean_goldstein").fill_nan(None))


def test_fill_modes() -> None:
    frame = _sparse_frame()
    zero = ReciprocityModel(frame, DYAD, arena="diplomatic", fill="zero")
    assert zero.endog.shape == (60, 2)
    rus = zero.names.index("RUS->USA")
    assert zero.endog[0, rus] == 0.0 and zero.endog[5, rus] == 0.0
    ffill = ReciprocityModel(frame, DYAD, arena="diplomatic", fill="ffill")
    assert ffill.endog.shape == (59, 2)  # the leading empty period is dropped
    assert ffill.endog[4, rus] == ffill.endog[3, rus] == ffill.endog[5, rus]
    drop = ReciprocityModel(frame, DYAD, arena="diplomatic", fill="drop")
    assert drop.endog.shape == (57, 2)
    assert drop.periods[0] == date(2015, 2, 1)


def test_accepts_dyad_index_like_object() -> None:
    class FakeIndex:  # the DyadIndex attributes the model reads
        frame = _sparse_frame()
        directed = True
        provenance = {"data_hash": "abc"}  # noqa: RUF012

    res = ReciprocityModel(FakeIndex(), DYAD, arena="diplomatic").fit(lags=1)
    assert res.provenance["data_hash"] == "abc"
    assert res.provenance["config"]["period"] == "month"
    FakeIndex.directed = False
    with pytest.raises(ConfigError, match="directed"):
        ReciprocityModel(FakeIndex(), DYAD, arena="diplomatic")


def test_input_errors() -> None:
    frame = _sparse_frame()
    with pytest.raises(ConfigError):
        ReciprocityModel(frame, ("USA",), arena="diplomatic")
    with pytest.raises(ConfigError):
        ReciprocityModel(frame, DYAD, arena="diplomatic", fill="mean")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        ReciprocityModel(frame.to_pandas(), DYAD)
    with pytest.raises(DataError, match="arenas in the index"):
        ReciprocityModel(frame, DYAD, arena="economic")
    with pytest.raises(DataError, match="no series for dyad"):
        ReciprocityModel(frame, TRIAD, arena="diplomatic")
    with pytest.raises(DataError, match="lacks column"):
        ReciprocityModel(frame.drop("mean_goldstein"), DYAD, arena="diplomatic")
    with pytest.raises(DataError, match="constant"):
        ReciprocityModel(
            frame.with_columns(pl.lit(None).alias("mean_goldstein")), DYAD, "diplomatic"
        )
    flat = frame.with_columns(
        pl.when(pl.col("source") == "RUS")
        .then(None)
        .otherwise(pl.col("mean_goldstein"))
        .alias("mean_goldstein")
    )
    with pytest.raises(DataError, match="constant"):
        ReciprocityModel(flat, DYAD, arena="diplomatic")
    mixed = pl.concat([frame, frame.with_columns(pl.lit("week").alias("period"))])
    with pytest.raises(DataError, match="mixes periods"):
        ReciprocityModel(mixed, DYAD, arena="diplomatic")
    with pytest.raises(DataError, match="duplicated"):
        ReciprocityModel(pl.concat([frame, frame]), DYAD, arena="diplomatic")
    model = ReciprocityModel(frame, DYAD, arena="diplomatic")
    with pytest.raises(DataError, match="too large"):
        model.fit(maxlags=40)
    with pytest.raises(DataError, match="cannot fit"):
        model.fit(lags=40)
    with pytest.raises(ConfigError):
        model.fit(ic="fpe")  # type: ignore[arg-type]


def test_from_array_fits_what_the_index_frame_fits() -> None:
    """The array constructor (the forecast stage's per-origin VAR) gives the model the
    Index-frame constructor gives on the same numbers, whatever the order of the columns."""
    frame = simulate(np.random.default_rng(11), t=120)
    wide = frame.pivot(on=["source", "target"], index="period_start", values="mean_goldstein")
    periods = wide["period_start"].to_list()
    shuffled = [
        ("CHN", "USA"),
        ("USA", "RUS"),
        ("RUS", "CHN"),
        ("CHN", "RUS"),
        ("USA", "CHN"),
        ("RUS", "USA"),
    ]
    arr = np.column_stack(
        [
            frame.filter((pl.col("source") == a) & (pl.col("target") == b))["mean_goldstein"]
            for a, b in shuffled
        ]
    )
    by_frame = ReciprocityModel(frame, countries=TRIAD).fit()
    by_array = ReciprocityModel.from_array(
        arr, periods, TRIAD, series=shuffled, period="month"
    ).fit()
    assert by_array.k_ar == by_frame.k_ar
    np.testing.assert_allclose(by_array.var.params, by_frame.var.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(by_array.var.sigma_u, by_frame.var.sigma_u, rtol=0, atol=1e-12)


def test_from_array_input_errors() -> None:
    days = [date(2000, 1, 1) + timedelta(days=31 * n) for n in range(40)]
    y = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(DataError, match="not the directed dyads"):
        ReciprocityModel.from_array(y, days, DYAD, series=[("USA", "RUS"), ("USA", "CHN")])
    with pytest.raises(DataError, match="empty"):
        ReciprocityModel.from_array(np.where(y > 2, np.nan, y), days, DYAD)
    with pytest.raises(DataError, match="constant"):
        ReciprocityModel.from_array(np.column_stack([y[:, 0], np.ones(40)]), days, DYAD)
    four = np.random.default_rng(1).normal(size=(40, 12))
    with pytest.raises(ConfigError, match="two or three different countries"):
        ReciprocityModel.from_array(four, days, ("USA", "RUS", "CHN", "GBR"))


# --------------------------------------------------------------------------- issue 19, item 8


def _true_girf(a: np.ndarray, sigma: np.ndarray, h: int) -> np.ndarray:
    """Generalised response at h of a VAR(1) y_t = A y_{t−1} + u_t, u ~ (0, Σ), computed
    from the known A and Σ (Pesaran & Shin 1998: Ψ_h Σ e_j / sqrt(σ_jj), Ψ_h = A^h)."""
    return np.linalg.matrix_power(a, h) @ sigma / np.sqrt(np.diag(sigma))[None, :]


def test_irf_bands_cover_the_true_response_and_exclude_zero_where_it_is_strong() -> None:
    rng = np.random.default_rng(8)
    frame = simulate(rng, DYAD, t=400, inertia=0.5, reciprocity=0.3, triangular=0.0)
    res = ReciprocityModel(frame, countries=DYAD).fit(lags=1, irf_horizon=4)
    bands = res.irf_bands(n_boot=300, rng=5)
    a = reaction_matrix(DYAD, 0.5, 0.3, 0.0)
    names = list(res.names)
    for h in (1, 2):
        truth = _true_girf(a, np.eye(2), h)
        for i, resp in enumerate(names):
            for j, imp in enumerate(names):
                row = bands.filter(
                    (pl.col("horizon") == h)
                    & (pl.col("response") == resp)
                    & (pl.col("impulse") == imp)
                ).row(0, named=True)
                assert row["lower"] <= truth[i, j] <= row["upper"], (h, resp, imp, row)
    # the true reciprocity response at h=1 is 0.3 (≫ its standard error at T=400): the
    # band must exclude 0, and be no wider than needed to say so
    r1 = bands.filter(
        (pl.col("horizon") == 1)
        & (pl.col("response") == names[0])
        & (pl.col("impulse") == names[1])
    ).row(0, named=True)
    assert r1["lower"] > 0 and r1["upper"] - r1["lower"] < 0.4
    assert bands["n_boot"][0] == 300
    again = res.irf_bands(n_boot=300, rng=5)
    assert again.equals(bands)  # same seed, same bands


def test_white_noise_says_no_dynamics_and_the_report_figure_shows_no_response() -> None:
    from trilateral.report._figures import reciprocity_figure

    rng = np.random.default_rng(21)
    frame = simulate(rng, TRIAD, t=120, inertia=0.0, reciprocity=0.0, triangular=0.0)
    res = ReciprocityModel(frame).fit()
    assert res.selected_orders is not None and res.selected_orders["bic"] == 0
    assert res.no_dynamics and res.k_ar == 1
    assert "NO DETECTABLE DYNAMICS: BIC chose 0 lags" in res.summary()
    fig = reciprocity_figure(res.irf_frame(), res.endogenous_share, no_dynamics=res.no_dynamics)
    assert [t.type for t in fig.data] == ["bar"]  # no response drawn
    assert "No detectable dynamics" in fig.layout.annotations[-1].text
    # with dynamics, or with the order given, nothing is said and the responses are drawn
    strong = ReciprocityModel(simulate(rng, DYAD, t=300), countries=DYAD).fit()
    assert strong.k_ar >= 1 and not strong.no_dynamics
    assert "NO DETECTABLE" not in strong.summary()
    given = ReciprocityModel(frame).fit(lags=1)
    assert not given.no_dynamics
    fig = reciprocity_figure(strong.irf_bands(n_boot=20, rng=1), strong.endogenous_share)
    assert sum(t.type == "scatter" for t in fig.data) == 4  # 2 responses, each with its band
