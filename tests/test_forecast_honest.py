"""The forecast stage says only what its data carry (issue 19 items 9–12; issue 21 items 3
and 5): no look-ahead at the event level, calibrated intervals, Diebold–Mariano tests,
zero-spread CRPS, the evidence base, the series chosen per origin, empty targets, the
horizon cap."""

from __future__ import annotations

import re
import shutil
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy import stats
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import EventStore, shipped_chronicle_path, shipped_icews_paths
from trilateral.errors import ConfigError
from trilateral.forecast import MAX_HORIZON, backtest, forecast, origins_between
from trilateral.forecast._scoring import diebold_mariano
from trilateral.measure import DyadIndex, indices

COUNTRIES = ("USA", "RUS", "CHN")
SERIES = [(a, b) for a in COUNTRIES for b in COUNTRIES if a != b]
FORECAST_COLS = [
    "source",
    "target",
    "horizon",
    "model",
    "mean",
    "sd",
    "lo80",
    "hi80",
    "lo95",
    "hi95",
]


def weekly_index(values: np.ndarray, counts: np.ndarray | None = None) -> DyadIndex:
    """A weekly DyadIndex whose series j (``SERIES`` order) is ``values[:, j]``."""
    t = values.shape[0]
    counts = np.full(values.shape, 5) if counts is None else counts
    weeks = [date(2010, 1, 4) + timedelta(weeks=i) for i in range(t)]
    rows = {
        "source": [s for s, _ in SERIES for _ in range(t)],
        "target": [d for _, d in SERIES for _ in range(t)],
        "arena": "all",
        "period": "week",
        "period_start": weeks * len(SERIES),
        "n_events": counts.T.ravel().astype(np.int64),
        "mean_goldstein": [
            None if c == 0 else float(v)
            for v, c in zip(values.T.ravel(), counts.T.ravel(), strict=True)
        ],
    }
    return DyadIndex(pl.DataFrame(rows), COUNTRIES, "week", "events", ("all",))


@pytest.fixture(scope="module")
def icews_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped ICEWS triad corpus (ICEWS05-15, ICEWS18): one evidence base."""
    db = tmp_path_factory.mktemp("icews") / "icews.duckdb"
    with EventStore.open(db) as store:
        for p in shipped_icews_paths():
            store.ingest(p, format="icews_tkg")
    return db


def _absurd_after(store: Path, origin: date, tmp: Path) -> Path:
    """A copy of ``store`` in which every event dated after ``origin`` has Goldstein 999."""
    copy = tmp / f"absurd-{origin}.duckdb"
    shutil.copyfile(store, copy)
    with duckdb.connect(str(copy)) as con:
        n = con.execute("SELECT count(*) FROM events WHERE date > ?", [origin]).fetchone()
        assert n is not None and n[0] > 0
        con.execute("UPDATE events SET goldstein = 999 WHERE date > ?", [origin])
    return copy


@pytest.mark.slow
@pytest.mark.parametrize(
    ("period", "origin", "start"),
    [
        # a Thursday: the origin's week runs on to Sunday 06-17
        ("week", date(2018, 6, 14), "2018-04-01"),
        # mid-month: the origin's month runs on to 06-30
        ("month", date(2012, 6, 15), "2010-01-01"),
    ],
)
def test_every_event_after_the_origin_absurd_changes_no_forecast(
    icews_store: Path, tmp_path: Path, period: str, origin: date, start: str
) -> None:
    """Issue 19, item 9: set every event dated after the origin to an absurd value; no
    forecast from the origin changes — models, series choice and calibrated intervals."""
    absurd = _absurd_after(icews_store, origin, tmp_path)
    got = {}
    for name, db in (("clean", icews_store), ("absurd", absurd)):
        idx = indices(db, period=period, n_boot=0)
        fc = forecast(idx, horizon=3, origin=origin, models=["ar", "var"], min_coverage=0.5)
        origins = origins_between(idx, start, origin)
        bt = backtest(
            idx, origins=origins, horizons=[1, 2], models=["ar"], min_coverage=0.5,
            min_calibration=10,
        )  # fmt: skip
        cal = forecast(idx, horizon=2, origin=origin, models=["ar"], calibration=bt)
        got[name] = (fc, bt, cal)
        assert bt.origins[-1] <= origin
    (fc0, bt0, cal0), (fc1, bt1, cal1) = got["clean"], got["absurd"]
    assert fc0.frame.select(FORECAST_COLS).equals(fc1.frame.select(FORECAST_COLS))
    assert fc0.skipped == fc1.skipped
    assert bt0.forecasts.select("origin", *FORECAST_COLS).equals(
        bt1.forecasts.select("origin", *FORECAST_COLS)
    )
    assert bt0.skipped.equals(bt1.skipped)
    assert cal0.frame["lo80"].null_count() < cal0.frame.height  # some calibrated bounds
    assert cal0.frame.select(FORECAST_COLS).equals(cal1.frame.select(FORECAST_COLS))
    # the origin's own period is not fitted: its last days lie after the origin
    assert fc0.origin_period == {"week": date(2018, 6, 4), "month": date(2012, 5, 1)}[period]
    assert fc0.frame["period_start"].min() <= origin


def test_ar1_intervals_cover_nominal_within_3_points() -> None:
    """Issue 19, item 10: on series simulated from a known AR(1), the AR model's own
    intervals and the conformal intervals each cover within 3 points of 80 % and 95 %
    over many origins."""
    rng = np.random.default_rng(19)
    t, phi = 320, 0.6
    y = np.zeros((t + 50, 6))
    for i in range(1, t + 50):
        y[i] = 1.0 + phi * y[i - 1] + rng.standard_normal(6)
    idx = weekly_index(y[50:])
    origins = [date(2010, 1, 10) + timedelta(weeks=i) for i in range(60, t - 1)]
    bt = backtest(idx, origins=origins, horizons=[1], models=["ar"], min_calibration=30)
    ar = bt.forecasts.filter(pl.col("model") == "ar")
    assert ar.height == 6 * len(origins)
    for lvl, lo, hi in ((0.8, "lo80", "hi80"), (0.95, "lo95", "hi95")):
        z = stats.norm.ppf(0.5 + lvl / 2)  # the model's normal interval, computed here
        own = ((ar["actual"] - ar["mean"]).abs() <= z * ar["sd"]).mean()
        assert abs(own - lvl) <= 0.03, ("model", lvl, own)
        cal = ar.filter(pl.col(lo).is_not_null())
        assert cal.height >= 6 * (len(origins) - 10)
        inside = ((cal["actual"] >= cal[lo]) & (cal["actual"] <= cal[hi])).mean()
        assert abs(inside - lvl) <= 0.03, ("conformal", lvl, inside)
    lines = bt.summary().splitlines()
    assert any(ln.startswith("  ar ") and "h=all" in ln and "80 %:" in ln for ln in lines)


def test_diebold_mariano_hln_by_hand() -> None:
    """Reference: the statistic computed here from the definitions (Diebold & Mariano
    1995, eq. 8, rectangular long-run variance with h − 1 autocovariances; Harvey,
    Leybourne & Newbold 1997, eq. 9, Student's t with n − 1 df), not by the code."""
    e_model = np.array([0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.2, 0.6, -0.9, 0.2, 0.4, -0.1])
    e_ref = np.array([1.1, -0.7, 1.9, -1.3, 0.5, 2.2, -1.0, 0.3, -1.6, 1.2, -0.8, 0.9])
    d = np.abs(e_model) - np.abs(e_ref)
    n, h = 12, 2
    dbar = sum(d) / n
    g0 = sum((d[t] - dbar) ** 2 for t in range(n)) / n
    g1 = sum((d[t] - dbar) * (d[t - 1] - dbar) for t in range(1, n)) / n
    dm = dbar / ((g0 + 2 * g1) / n) ** 0.5
    hln = dm * ((n + 1 - 2 * h + h * (h - 1) / n) / n) ** 0.5
    p = 2 * stats.t.sf(abs(hln), n - 1)
    got = diebold_mariano(np.abs(e_model), np.abs(e_ref), h=h)
    assert got.n == n and got.mean_diff == pytest.approx(dbar, rel=1e-12)
    assert got.stat == pytest.approx(hln, rel=1e-12)
    assert got.pvalue == pytest.approx(p, rel=1e-12)
    assert got.stat == pytest.approx(-6.4422, abs=1e-4)  # the number, written out
    # identical forecasts: no difference to test
    same = diebold_mariano(np.ones(5), np.ones(5), h=1)
    assert np.isnan(same.stat) and np.isnan(same.pvalue)


def test_zero_spread_crps_is_the_absolute_error_without_warning() -> None:
    """Issue 19, item 11: a constant history gives no-change and climatology zero spread;
    their CRPS is the absolute error, never blank, and nothing warns."""
    t = 30
    values = np.full((t, 6), 2.0)
    values[-1] = 5.0  # the scored target differs from the constant history
    idx = weekly_index(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bt = backtest(idx, origins=[date(2010, 1, 4) + timedelta(weeks=t - 2, days=6)],
                      horizons=[1], models=[], intervals="model")  # fmt: skip
    fc = bt.forecasts
    assert (fc["sd"] == 0).all() and (fc["mean"] == 2.0).all()
    s = bt.scores
    assert s["crps"].null_count() == 0
    np.testing.assert_allclose(s["crps"].to_numpy(), 3.0)
    np.testing.assert_allclose(s["mae"].to_numpy(), 3.0)


def test_significance_not_sign_decides_what_is_called_skill() -> None:
    """Two independent random walks: no model can be significantly better than
    no-change; the words say 'not significant' where a skill is merely positive."""
    rng = np.random.default_rng(7)
    walk = np.cumsum(rng.normal(size=(90, 6)), axis=0)
    bt = backtest(weekly_index(walk), horizons=[1], models=["ar"], intervals="model")
    dm = bt.dm.filter((pl.col("source") == "all") & (pl.col("baseline") == "no_change"))
    ar = dm.filter(pl.col("model") == "ar").row(0, named=True)
    assert ar["n"] == 80 and ar["pvalue_holm"] >= 0.05
    line = next(ln for ln in bt.summary().splitlines() if ln.startswith("  ar vs no_change"))
    assert "not significant" in line and f"p = {ar['pvalue']:.3g}" in line


def test_series_are_chosen_per_origin_from_earlier_periods_only() -> None:
    """Issue 19, items 9 and 12: a series without events in its first 40 weeks is
    skipped at the early origins and forecast once the 12 weeks before an origin have
    events; the skips are listed with their shares."""
    rng = np.random.default_rng(2)
    values = rng.normal(size=(80, 6))
    counts = np.full((80, 6), 4)
    counts[:40, 0] = 0  # USA→RUS: silent until week 40
    idx = weekly_index(values, counts)
    bt = backtest(idx, horizons=[1], models=["ar"], min_coverage=0.9, intervals="model")
    usa_rus = bt.forecasts.filter((pl.col("source") == "USA") & (pl.col("target") == "RUS"))
    first = usa_rus["origin"].min()
    # week 40 starts 2010-10-11; 11 of the 12 weeks up to the origin have events from the
    # origin ending 2010-12-26 (week 50) on
    assert first == date(2010, 12, 26)
    skipped = bt.skipped.filter(pl.col("source") == "USA")
    assert skipped["origin"].max() == date(2010, 12, 19)
    assert (skipped["coverage"] < 0.9).all()
    assert "USA→RUS (all):" in bt.summary()
    fc = forecast(idx, origin="2010-11-07", horizon=2, min_coverage=0.9)
    assert fc.dyads() == SERIES[1:]
    assert fc.skipped == ("USA→RUS: events in 33% of the last 12 weeks, below 90%",)


def test_empty_targets_counted_and_warned_above_20_percent() -> None:
    """Issue 21, item 5: a third of the target weeks have no events: counted, warned."""
    rng = np.random.default_rng(4)
    values = rng.normal(size=(60, 6))
    counts = np.full((60, 6), 3)
    counts[np.arange(60) % 3 == 0] = 0
    bt = backtest(
        weekly_index(values, counts), horizons=[1], models=[], intervals="model", min_train=40
    )
    n_empty, total = bt.empty_targets()
    fc = bt.forecasts.filter(pl.col("model") == "no_change")
    assert (n_empty, total) == (fc["actual"].null_count(), fc.height)
    assert 0.3 <= n_empty / total <= 0.36
    text = bt.summary()
    assert f"Empty targets: {n_empty} of {total} target periods" in text
    assert "WARNING: more than 20% of the targets are empty" in text
    # cells with fewer than 20 scored forecasts are marked
    assert "* fewer than 20 scored forecasts" in text
    marked = [ln for ln in text.splitlines() if re.search(r" 1[34]\* ", ln)]
    assert len(marked) == bt.scores.height  # every cell holds 13 or 14 forecasts


def test_the_horizon_cap_is_shared_and_refused_at_once(tmp_path: Path) -> None:
    """Issue 21, item 3: one cap for library and CLI, with the cap in the message, and
    the CLI refuses before it reads the store (here there is none)."""
    idx = weekly_index(np.random.default_rng(0).normal(size=(40, 6)))
    with pytest.raises(ConfigError, match=f"over the cap of {MAX_HORIZON} periods"):
        forecast(idx, horizon=MAX_HORIZON + 1)
    with pytest.raises(ConfigError, match=f"over the cap of {MAX_HORIZON} periods"):
        backtest(idx, horizons=[1, 30])
    runner = CliRunner()
    missing = tmp_path / "no-store.duckdb"
    for args in (
        ["forecast", "--horizon", "10000"],
        ["backtest", "--horizons", "1,10000"],
    ):
        t0 = time.perf_counter()
        res = runner.invoke(app, [*args, "--db", str(missing), "--out", str(tmp_path / "o")])
        assert time.perf_counter() - t0 < 30  # generous: a refusal, not a 300 s run
        assert res.exit_code == 1, res.output
        assert f"over the cap of {MAX_HORIZON} periods" in " ".join(res.output.split())
        assert "Traceback" not in res.output
    assert not missing.exists() and not (tmp_path / "o").exists()


def test_each_forecast_names_its_evidence_base(icews_store: Path, tmp_path: Path) -> None:
    """Issue 19, item 12: the base of the index's rows, found from its store; a store
    mixing the chronicle and ICEWS over the window is named as pooled."""
    idx = indices(icews_store, period="month", n_boot=0, start="2012-01-01", end="2014-12-31")
    assert forecast(idx, horizon=2).evidence_base == "icews"
    assert backtest(idx, horizons=[1], models=[]).evidence_base == "icews"
    mixed = tmp_path / "mixed.duckdb"
    shutil.copyfile(icews_store, mixed)
    with EventStore.open(mixed) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    idx = indices(mixed, period="month", n_boot=0, start="2012-01-01", end="2014-12-31")
    res = forecast(idx, horizon=2)
    assert res.evidence_base == "pooled: chronicle+icews"
    assert "evidence base pooled: chronicle+icews" in res.summary()
    assert forecast(idx, horizon=2, evidence_base="icews").evidence_base == "icews"


def test_the_readme_backtest_example_means_something(tmp_path: Path) -> None:
    """Issue 21, item 5: the README's backtest line, run on the demo's ICEWS18 store,
    scores one evidence base with few empty targets and at least 20 forecasts per cell
    (the former example scored the chronicle over 2018-10 … 2019-12 and skipped 1,172
    empty targets)."""
    import json
    import shlex

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    line = next(ln for ln in readme.splitlines() if ln.startswith("trilateral backtest "))
    args = shlex.split(line.split("#")[0])[1:]
    db = tmp_path / "icews18_weekly.duckdb"  # as run_demo builds it
    shipped = {p.name: p for p in shipped_icews_paths()}
    with EventStore.open(db) as store:
        for name in ("icews18_train_triad.txt.gz", "icews18_valid_triad.txt.gz"):
            store.ingest(shipped[name], format="icews_tkg")
    args[args.index("--db") + 1] = str(db)
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "bt"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["evidence_base"] == "icews"
    n_empty, of = doc["empty_targets"]["n"], doc["empty_targets"]["of"]
    assert of > 500 and n_empty / of < 0.05
    assert min(s["n"] for s in doc["scores"]) >= 15  # thin cells are marked, and rare
    assert sum(s["n"] < 20 for s in doc["scores"]) <= len(doc["scores"]) // 4
    assert {d["baseline"] for d in doc["dm"]} == {"no_change", "climatology"}


def test_backtest_reports_progress_per_origin() -> None:
    """Issue 21, item 3: the backtest says how far it is (the CLI draws it as a bar on
    a terminal): (0, total) first, then one call per origin up to (total, total)."""
    idx = weekly_index(np.random.default_rng(5).normal(size=(30, 6)))
    calls: list[tuple[int, int]] = []
    bt = backtest(idx, horizons=[1], models=[], intervals="model",
                  progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    n = len(bt.origins)
    assert calls == [(i, n) for i in range(n + 1)]


def test_conformal_width_uses_only_errors_whose_target_is_known_by_the_origin() -> None:
    """Issue 19, items 9–10: the calibrated interval at origin o, horizon h, is built
    only from earlier errors at h whose target period had ended by o (origin o' with
    o' + h ≤ o), the latest 60 of them (10 target weeks × 6 series here), and the
    ⌈(n + 1)·L⌉-th smallest standardised error — recomputed here from the rows."""
    rng = np.random.default_rng(23)
    y = np.zeros((90, 6))
    for i in range(1, 90):
        y[i] = 0.5 * y[i - 1] + rng.standard_normal(6)
    idx = weekly_index(y)
    origins = [date(2010, 1, 10) + timedelta(weeks=i) for i in range(20, 88)]
    bt = backtest(idx, origins=origins, horizons=[1, 3], models=["ar"], min_calibration=30)
    ar = bt.forecasts.filter(pl.col("model") == "ar").with_columns(
        ((pl.col("actual") - pl.col("mean")).abs() / pl.col("sd")).alias("score")
    )
    checked = 0
    for o in origins[20::8]:
        for h in (1, 3):
            # known by o: the target week (start + 6 days) ended on or before o
            known = ar.filter(
                (pl.col("horizon") == h) & (pl.col("period_start") + timedelta(days=6) <= o)
            )
            assert known["origin"].max() + timedelta(weeks=h) <= o
            latest = known.filter(
                pl.col("period_start") >= known["period_start"].unique().sort()[-10]
            )
            s = np.sort(latest["score"].to_numpy())
            assert s.size == 60
            for lvl, hi in ((0.8, "hi80"), (0.95, "hi95")):
                q = s[int(np.ceil((s.size + 1) * lvl)) - 1]
                row = ar.filter((pl.col("origin") == o) & (pl.col("horizon") == h))
                assert row.height == 6
                width = ((row[hi] - row["mean"]) / row["sd"]).to_numpy()
                np.testing.assert_allclose(width, q, rtol=1e-9)
                checked += 1
    assert checked == 24


def test_skipping_a_series_changes_no_other_series_forecast() -> None:
    """The series skipped at an origin are not fitted; the forecasts of the others are
    the ones a backtest that forecasts every series makes, number for number."""
    rng = np.random.default_rng(2)
    values = rng.normal(size=(70, 6))
    counts = np.full((70, 6), 4)
    counts[:40, 0] = 0  # USA→RUS: silent until week 40
    idx = weekly_index(values, counts)
    kw = {"horizons": [1, 2], "models": ["ar"], "intervals": "model"}
    some = backtest(idx, min_coverage=0.9, **kw).forecasts
    every = backtest(idx, min_coverage=0.0, **kw).forecasts
    assert 0 < some.height < every.height
    keys = ["origin", "source", "target", "horizon", "model"]
    both = some.join(every, on=keys, how="left", suffix="_all")
    assert both["mean_all"].null_count() == 0
    for c in ("mean", "sd", "lo80", "hi95"):
        np.testing.assert_array_equal(both[c].to_numpy(), both[c + "_all"].to_numpy())
