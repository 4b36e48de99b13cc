"""The forecast stage: forecasts, baselines, backtests, no leakage, reference checks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from scipy import stats

from trilateral.errors import ConfigError, DataError
from trilateral.forecast import backtest, fill_series, forecast
from trilateral.measure import DyadIndex

COUNTRIES = ("USA", "RUS", "CHN")
SERIES = [(a, b) for a in COUNTRIES for b in COUNTRIES if a != b]


def make_index(
    values: np.ndarray,
    counts: np.ndarray | None = None,
    countries: tuple[str, ...] = COUNTRIES,
    start: date = date(2010, 1, 4),
) -> DyadIndex:
    """A weekly DyadIndex whose series j (in ``SERIES`` order) is ``values[:, j]``."""
    series = [(a, b) for a in countries for b in countries if a != b]
    t = values.shape[0]
    counts = np.full(values.shape, 5) if counts is None else counts
    weeks = [start + timedelta(weeks=i) for i in range(t)]
    rows = {
        "source": [s for s, _ in series for _ in range(t)],
        "target": [d for _, d in series for _ in range(t)],
        "arena": "all",
        "period": "week",
        "period_start": weeks * len(series),
        "n_events": counts.T.ravel().astype(np.int64),
        "mean_goldstein": [
            None if c == 0 else float(v)
            for v, c in zip(values.T.ravel(), counts.T.ravel(), strict=True)
        ],
    }
    return DyadIndex(
        pl.DataFrame(rows), countries, "week", "events", ("all",), provenance={"data_hash": "x"}
    )


def simulate_var1(t: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """y_t = c + A y_{t−1} + u_t with a known stable A and correlated normal shocks."""
    a = 0.5 * np.eye(k) + 0.15 * np.roll(np.eye(k), 1, axis=1)
    c = np.linspace(-1.0, 1.0, k)
    chol = np.linalg.cholesky(0.5 * np.eye(k) + 0.5 * np.ones((k, k)) * 0.3)
    y = np.zeros((t + 50, k))
    for i in range(1, t + 50):
        y[i] = c + a @ y[i - 1] + chol @ rng.standard_normal(k)
    return y[50:]


@pytest.fixture(scope="module")
def sparse_index() -> DyadIndex:
    rng = np.random.default_rng(11)
    values = simulate_var1(60, 6, rng)
    counts = rng.poisson(3, size=values.shape)
    counts[:, 5] = np.where(np.arange(60) % 4 == 0, 0, counts[:, 5])  # CHN→RUS: gaps
    return make_index(values, counts)


# --------------------------------------------------------------------------- forecast


def test_forecast_every_model_every_dyad_with_ordered_intervals(sparse_index: DyadIndex) -> None:
    res = forecast(sparse_index, horizon=3, models=["ar", "var", "ets"], origin="2010-08-01")
    f = res.to_frame()
    assert res.origin_period == date(2010, 7, 26)
    assert set(f["model"]) == {"no_change", "climatology", "ar", "ets", "var"}
    assert f.height == 6 * 3 * 5
    assert f["period_start"].unique().sort().to_list() == [
        date(2010, 8, 2),
        date(2010, 8, 9),
        date(2010, 8, 16),
    ]
    assert f.null_count().sum_horizontal().item() == 0
    assert (f["lo95"] < f["lo80"]).all() and (f["lo80"] < f["mean"]).all()
    assert (f["mean"] < f["hi80"]).all() and (f["hi80"] < f["hi95"]).all()
    doc = res.to_dict()
    assert set(doc) == {
        "origin",
        "period",
        "statistic",
        "evidence_base",
        "intervals",
        "skipped",
        "provenance",
        "forecasts",
    }
    assert (doc["evidence_base"], doc["intervals"], doc["skipped"]) == ("unknown", "model", [])
    assert set(doc["forecasts"][0]) == {
        "source",
        "target",
        "arena",
        "period_start",
        "model",
        "mean",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
    }
    assert "no_change" in res.summary() and "USA→RUS" in res.summary()


def test_baselines_by_hand(sparse_index: DyadIndex) -> None:
    """No-change is the last observed value; climatology the mean of the observed values
    in the window (empty periods skipped, not read as 0)."""
    res = forecast(sparse_index, horizon=2, models=[], origin="2010-08-01", window=8)
    hist = res.history.filter(
        (pl.col("source") == "CHN")
        & (pl.col("target") == "RUS")
        & (pl.col("period_start") <= date(2010, 7, 26))
    )
    observed = hist.drop_nulls("value")["value"].to_numpy()
    window = hist.tail(8)["value"].drop_nulls().to_numpy()
    assert hist.tail(8)["value"].null_count() > 0  # the window holds empty weeks
    f = res.to_frame().filter((pl.col("source") == "CHN") & (pl.col("target") == "RUS"))
    nc = f.filter(pl.col("model") == "no_change")["mean"].to_numpy()
    cl = f.filter(pl.col("model") == "climatology")
    np.testing.assert_allclose(nc, observed[-1])
    np.testing.assert_allclose(cl["mean"].to_numpy(), window.mean())
    sd = window.std(ddof=1) * np.sqrt(1 + 1 / len(window))
    np.testing.assert_allclose(cl["hi95"].to_numpy(), window.mean() + stats.norm.ppf(0.975) * sd)


def test_fill_series_carries_forward_and_never_drops() -> None:
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [np.nan, np.nan], [4.0, 3.0]])
    np.testing.assert_array_equal(
        fill_series(x, "ffill"), [[2.0, 1.0], [2.0, 1.0], [2.0, 1.0], [4.0, 3.0]]
    )
    np.testing.assert_array_equal(
        fill_series(x, "zero"), [[0.0, 1.0], [2.0, 0.0], [0.0, 0.0], [4.0, 3.0]]
    )


def test_bad_input_is_a_clear_error(sparse_index: DyadIndex) -> None:
    with pytest.raises(ConfigError, match="horizon must be"):
        forecast(sparse_index, horizon=0)
    with pytest.raises(ConfigError, match="outside the data"):
        forecast(sparse_index, origin="2020-01-01")
    with pytest.raises(ConfigError, match="training period"):
        forecast(sparse_index, origin="2010-01-10")
    with pytest.raises(ConfigError, match="unknown model"):
        forecast(sparse_index, models=["prophet"])
    with pytest.raises(ConfigError, match="not in this index"):
        forecast(sparse_index, dyads="USA-GBR")
    values = np.ones((30, 6))
    counts = np.full((30, 6), 4)
    counts[:, 0] = 0
    with pytest.raises(DataError, match="USA-RUS have no events"):
        forecast(make_index(values, counts), dyads="USA-RUS")


def test_var_is_reported_unavailable_not_dropped() -> None:
    """A dyad with no events at all makes the VAR impossible: the other models still
    forecast the other dyads, and the VAR rows are there, null, with a note."""
    rng = np.random.default_rng(3)
    values = rng.normal(size=(30, 6))
    counts = np.full((30, 6), 4)
    counts[:, 0] = 0
    res = forecast(make_index(values, counts), dyads="RUS-USA", models=["var", "ar"])
    var = res.to_frame().filter(pl.col("model") == "var")
    assert var.height == 4 and var["mean"].null_count() == 4
    assert any(n.startswith("var: VAR not fitted") for n in res.notes)
    assert res.to_frame().filter(pl.col("model") == "ar")["mean"].null_count() == 0


# --------------------------------------------------------------------------- backtest


def test_no_leakage_garbage_after_the_origin_changes_nothing(sparse_index: DyadIndex) -> None:
    """Data after each origin replaced by garbage → exactly the same forecasts."""
    models = ["ar", "ets", "var"]
    origins = [date(2010, 4, 4), date(2010, 6, 13), date(2010, 9, 5), date(2010, 12, 5)]
    clean = backtest(sparse_index, origins=origins, horizons=[1, 2, 4], models=models)
    compare = ["source", "target", "horizon", "model", "mean", "sd", "lo80", "hi80", "lo95", "hi95"]
    rng = np.random.default_rng(99)
    frame = sparse_index.frame
    for origin in origins:
        cut = origin - timedelta(days=6)  # the Monday of the origin's week
        after = pl.col("period_start") > cut
        n_after = frame.filter(after).height
        garbage = frame.with_columns(
            pl.when(after)
            .then(pl.Series(rng.normal(0, 50, frame.height)))
            .otherwise(pl.col("mean_goldstein"))
            .alias("mean_goldstein"),
            pl.when(after)
            .then(pl.Series(rng.integers(0, 3, frame.height)))
            .otherwise(pl.col("n_events"))
            .alias("n_events"),
        )
        assert (
            garbage.filter(after)["mean_goldstein"].to_list()
            != frame.filter(after)["mean_goldstein"].to_list()
        )
        assert n_after > 0
        idx = DyadIndex(garbage, COUNTRIES, "week", "events", ("all",))
        dirty = backtest(idx, origins=[origin], horizons=[1, 2, 4], models=models)
        want = clean.forecasts.filter(pl.col("origin") == origin).select(compare)
        got = dirty.forecasts.filter(pl.col("origin") == origin).select(compare)
        assert want.height == 6 * 3 * 5
        assert got.equals(want), f"forecasts from {origin} changed with the data after it"


def test_crps_of_a_normal_forecast_equals_the_closed_form(sparse_index: DyadIndex) -> None:
    """CRPS(N(μ, σ²), y) = σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ
    (Gneiting & Raftery 2007, eq. 21)."""
    bt = backtest(sparse_index, origins=[date(2010, 6, 13)], horizons=[1], models=[])
    fc = bt.forecasts.filter(pl.col("actual").is_not_null())
    z = ((fc["actual"] - fc["mean"]) / fc["sd"]).to_numpy()
    sd = fc["sd"].to_numpy()
    closed = sd * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    scored = bt.scores.join(
        fc.with_columns(pl.Series("closed", closed)).select(
            "model", "source", "target", "horizon", "closed"
        ),
        on=["model", "source", "target", "horizon"],
    )
    assert scored.height == fc.height > 0
    np.testing.assert_allclose(scored["crps"].to_numpy(), scored["closed"].to_numpy(), rtol=1e-9)
    # one point by hand: y = μ, σ = 1 gives 2φ(0) − 1/√π = 0.23369…
    import properscoring

    assert properscoring.crps_gaussian(0.0, 0.0, 1.0) == pytest.approx(0.2336949772)


def test_no_change_beats_climatology_on_a_random_walk() -> None:
    rng = np.random.default_rng(5)
    walk = np.cumsum(rng.normal(size=(120, 2)), axis=0)
    idx = make_index(walk, countries=("USA", "RUS"))
    bt = backtest(idx, horizons=[1, 4], models=[])
    s = bt.scores
    for h in (1, 4):
        nc = s.filter((pl.col("model") == "no_change") & (pl.col("horizon") == h))
        cl = s.filter((pl.col("model") == "climatology") & (pl.col("horizon") == h))
        assert (nc["mae"].to_numpy() < cl["mae"].to_numpy()).all()
        assert (nc["crps"].to_numpy() < cl["crps"].to_numpy()).all()
        assert (cl["skill_mae"].to_numpy() < 0).all()
    # stated as a test result: climatology is significantly worse than no-change
    lines = bt.summary().splitlines()
    for h in (1, 4):
        said = [ln for ln in lines if ln.startswith(f"  climatology vs no_change (all, h={h},")]
        assert len(said) == 1 and "significantly worse" in said[0], said
    assert not any("significantly better" in ln and "vs no_change" in ln for ln in lines)


@pytest.mark.slow
def test_var_interval_coverage_is_nominal_on_a_known_var1() -> None:
    """On series simulated from a known VAR(1), the VAR's 80 % and 95 % intervals cover
    within 3 points of nominal over many origins (the intervals are Lütkepohl's 2005
    §3.5 normal intervals; their nominal level is the reference)."""
    rng = np.random.default_rng(2024)
    y = simulate_var1(330, 6, rng)
    idx = make_index(y)
    origins = [date(2010, 1, 4) + timedelta(weeks=i, days=6) for i in range(150, 329)]
    bt = backtest(idx, origins=origins, horizons=[1], models=["var"], intervals="model")
    v = bt.forecasts.filter(pl.col("model") == "var")
    assert v.height == 6 * len(origins)
    for lvl, lo, hi in ((0.8, "lo80", "hi80"), (0.95, "lo95", "hi95")):
        inside = ((v["actual"] >= v[lo]) & (v["actual"] <= v[hi])).mean()
        assert abs(inside - lvl) <= 0.03, (lvl, inside)


def test_backtest_scores_and_words(sparse_index: DyadIndex) -> None:
    bt = backtest(sparse_index, horizons=[1, 2], models=["ar"], min_train=20)
    s = bt.scores
    assert s.height == 6 * 2 * 3
    nc = s.filter(pl.col("model") == "no_change")
    assert (nc["skill_mae"] == 0).all()
    # CHN→RUS is empty every fourth week: those targets are counted, not scored
    chn = nc.filter((pl.col("source") == "CHN") & (pl.col("target") == "RUS"))
    assert (chn["n_empty"] > 0).all()
    assert (chn["n"] + chn["n_empty"]).to_list() == [40, 39]  # origins 20…59 of 60
    doc = bt.to_dict()
    assert list(doc) == ["scores", "coverage", "dm", "empty_targets", "evidence_base"]
    n_empty = int(nc["n_empty"].sum())
    assert doc["empty_targets"] == {"n": n_empty, "of": n_empty + int(nc["n"].sum())}
    assert list(doc["scores"][0]) == [
        "model",
        "source",
        "target",
        "arena",
        "horizon",
        "n",
        "mae",
        "rmse",
        "crps",
        "coverage80",
        "coverage95",
        "skill_mae",
    ]
    text = bt.summary()
    assert "Skill (Diebold–Mariano, HLN-corrected" in text and "no events" in text
    assert "WARNING" not in text  # 39 of 474 targets empty: 8 %, under the 20 % line


def test_two_processes_give_the_same_scores(sparse_index: DyadIndex) -> None:
    """The origins shared among processes: not one number changes."""
    kw = {"horizons": [1, 3], "models": ["ar", "var"], "min_train": 40}
    one = backtest(sparse_index, **kw)
    two = backtest(sparse_index, workers=2, **kw)
    assert one.forecasts.height == 6 * 4 * (20 + 18)  # 4 models; origins 40…59, h = 1, 3
    assert two.forecasts.equals(one.forecasts)
    assert two.scores.equals(one.scores)
