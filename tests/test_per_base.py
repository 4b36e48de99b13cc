"""Every index and regime per evidence base (issue 18, item 2): a ``base`` column on every
row, no row mixing bases, coverage honoured, per-base counts adding up to the whole."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from trilateral.measure import indices, indices_by_base


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    from trilateral.data import EventStore, shipped_chronicle_path, shipped_icews_paths

    path = tmp_path_factory.mktemp("bases") / "demo.duckdb"
    with EventStore.open(path) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
        for p in shipped_icews_paths():
            store.ingest(p, format="icews_tkg")
    return path


KW = {
    "countries": ("USA", "RUS"),
    "period": "year",
    "n_boot": 0,
    "start": "2014-01-01",
    "end": "2019-12-31",
}


def test_no_row_mixes_bases_and_counts_add_up(demo_store):
    per = indices_by_base(demo_store, collapse_duplicates=False, **KW)
    assert set(per["base"].unique()) == {"chronicle", "icews"}
    assert per["base"].null_count() == 0
    # the combined count, every row of the store once (no dedup, reports)
    whole = indices(demo_store, **KW).frame
    key = ["source", "target", "arena", "period_start"]
    summed = per.group_by(key).agg(pl.col("n_events").sum())
    joined = whole.join(summed, on=key, how="left", suffix="_bases").with_columns(
        pl.col("n_events_bases").fill_null(0)
    )
    assert (joined["n_events"] == joined["n_events_bases"]).all()
    # each base's yearly USA→RUS count by an independent DuckDB query
    sql = (
        "SELECT CASE WHEN dataset = 'chronicle' THEN 'chronicle' ELSE 'icews' END, "
        "year(date), count(*) FROM events WHERE source = 'USA' AND target = 'RUS' "
        "AND date BETWEEN DATE '2014-01-01' AND DATE '2019-12-31' GROUP BY ALL"
    )
    with duckdb.connect(str(demo_store), read_only=True) as con:
        want = {(b, y): n for b, y, n in con.execute(sql).fetchall()}
    got = {
        (r["base"], r["period_start"].year): r["n_events"]
        for r in per.filter(
            (pl.col("source") == "USA") & (pl.col("target") == "RUS") & (pl.col("arena") == "all")
        ).iter_rows(named=True)
        if r["n_events"]
    }
    assert got == want


def test_a_period_outside_a_base_coverage_is_missing_not_zero(demo_store):
    per = indices_by_base(demo_store, **KW)
    icews = per.filter(pl.col("base") == "icews")
    # the shipped ICEWS files cover 2005–2015 and 2018-01-01–2018-09-27
    assert sorted(icews["period_start"].dt.year().unique()) == [2014, 2015, 2018]
    share = dict(zip(icews["period_start"].dt.year(), icews["coverage_share"], strict=False))
    # ICEWS05-15's last event is on 28 December 2015; ICEWS18's files span 270 days of 2018
    assert share[2015] == pytest.approx(362 / 365, abs=0.001)
    assert share[2018] == pytest.approx(270 / 365, abs=0.001)


def test_acts_by_default_and_combined_only_on_request(demo_store):
    acts = indices_by_base(demo_store, bases=["icews"], **KW)
    reports = indices_by_base(demo_store, bases=["icews"], collapse_duplicates=False, **KW)
    cell = (pl.col("source") == "USA") & (pl.col("arena") == "all")
    a = acts.filter(cell)["n_events"].sum()
    r = reports.filter(cell)["n_events"].sum()
    with duckdb.connect(str(demo_store), read_only=True) as con:
        ((n_acts, n_rows),) = con.execute(
            "SELECT count(DISTINCT (date, cameo)), count(*) FROM events WHERE source = 'USA' "
            "AND target = 'RUS' AND starts_with(dataset, 'icews') "
            "AND date BETWEEN DATE '2014-01-01' AND DATE '2019-12-31'"
        ).fetchall()
    assert (a, r) == (n_acts, n_rows) and a < r
    assert "combined" not in acts["base"].to_list()
    both = indices_by_base(demo_store, combined=True, **KW)
    assert set(both["base"].unique()) == {"chronicle", "icews", "combined"}


def test_diagnosis_per_base_carries_its_base(demo_store):
    from trilateral.diagnose import diagnose_bases

    ds = diagnose_bases(
        demo_store, countries=("USA", "RUS"), n_boot=0, start="2014-01-01", end="2019-12-31"
    )
    assert [d.base for d in ds] == ["chronicle", "icews"]
    for d in ds:
        f = d.regimes_frame()
        assert f["base"].unique().to_list() == [d.base]
    icews_years = ds[1].regimes_frame()["period_start"].dt.year().to_list()
    assert 2016 not in icews_years and 2017 not in icews_years


def test_diagnose_cli_json_per_base_and_combined(demo_store):
    import json

    import typer
    from typer.testing import CliRunner

    from trilateral._cli import diagnose

    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _main() -> None:
        """test app"""

    diagnose.register(app)
    args = [
        "diagnose",
        "--db",
        str(demo_store),
        "--n-boot",
        "0",
        "--countries",
        "USA,RUS",
        "--start",
        "2014-01-01",
        "--end",
        "2019-12-31",
        "--json",
    ]
    out = json.loads(CliRunner().invoke(app, args).output)
    assert set(out["windows"]) == {"chronicle", "icews"}
    by_base = {}
    for r in out["regimes"]:
        by_base.setdefault(r["base"], []).append(r["period_start"][:4])
    assert set(by_base) == {"chronicle", "icews"}
    assert "2016" in by_base["chronicle"] and "2016" not in by_base["icews"]
    # labels with their reading, and the window moved a year either way, per base
    assert all("reading" in r for r in out["regimes"])
    sens = out["window_sensitivity"]
    assert {(r["base"], r["shift_years"], r["window_start"]) for r in sens} >= {
        ("chronicle", -1, "2013-01-01"),
        ("chronicle", 0, "2014-01-01"),
        ("chronicle", 1, "2015-01-01"),
    }
    assert all("regime_RUS-USA" in r for r in sens if r["base"] == "chronicle")
    res = CliRunner().invoke(app, [*args, "--base", "combined"])
    assert res.exit_code == 0, res.output
    assert {r["base"] for r in json.loads(res.output)["regimes"]} == {"combined"}
    res = CliRunner().invoke(app, [*args, "--base", "gdelt9"])
    assert res.exit_code != 0 and "gdelt9" in res.output and "Traceback" not in res.output


def test_labels_held_in_fewer_than_80_percent_of_draws_read_indeterminate(demo_store):
    from trilateral.diagnose import diagnose_bases
    from trilateral.diagnose._reading import reading

    assert reading({"a": 0.55, "b": 0.40, "c": 0.05}) == "indeterminate (a 55 %, b 40 %)"
    assert reading({"a": 0.8, "b": 0.2}) == "a"
    (d,) = diagnose_bases(
        demo_store, ["chronicle"], n_boot=200, rng=1, start="2014-01-01", end="2019-12-31"
    )
    tri = d.triangle_frame()
    p_cols = [c for c in tri.columns if c.startswith("p_")]
    seen_indeterminate = False
    for r in tri.iter_rows(named=True):
        top = max(p_cols, key=lambda c: r[c])
        if r[top] >= 0.8:
            assert not r["reading"].startswith("indeterminate"), r
        else:
            seen_indeterminate = True
            assert r["reading"].startswith("indeterminate ("), r
            assert f"{100 * r[top]:.0f} %" in r["reading"]
    assert seen_indeterminate
    for g in d.regimes.regimes:
        if g.draw_shares:
            assert abs(sum(g.draw_shares.values()) - 1) < 1e-9
            held = max(g.draw_shares.values())
            assert (held >= 0.8) == (not g.reading.startswith("indeterminate")), g
