"""`trilateral demo` end to end on the shipped data, through the real entry point.

Checks that the whole chain runs with no network, writes every table, and is
reproducible: the same seed gives byte-identical tables (docs/ARCHITECTURE.md, "Reproducibility").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.pipeline import csv_text, run_demo
from trilateral.report import collect_results

TABLES = ("indices_year", "indices_month", "power_ratios", "tit_for_tat", "regimes", "claims")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return run_demo(tmp_path_factory.mktemp("demo"), n_boot=50, rng=7)


def test_demo_writes_every_table(demo) -> None:
    for name in (*TABLES, "triangle", "reciprocity"):
        assert (demo.out / f"{name}.parquet").is_file(), name
        assert (demo.out / f"{name}.csv").is_file(), name
    assert (demo.out / "summary.txt").read_text().startswith("== store ==")
    for ext in ("csv", "json", "html", "png"):
        assert (demo.out / f"simulate_paper.{ext}").is_file(), ext


def test_demo_ingests_the_whole_chronicle(demo) -> None:
    # 435 rows in src/trilateral/data/_files/chronicle.csv (wc -l minus the header)
    assert demo.provenance["ingested"]["rows_ingested"] == 435
    assert demo.provenance["ingested"]["rows_rejected"] == 0


def test_demo_provenance(demo) -> None:
    prov = json.loads((demo.out / "provenance.json").read_text())
    assert prov["trilateral_version"]
    assert prov["seed_entropy"] == "7"
    assert prov["window"] == {"start": "2014-01-01", "end": "2019-12-31"}
    assert len(prov["ingested"]["sha256"]) == 64


def test_demo_regime_usa_rus_2017_has_evidence(demo) -> None:
    regimes = pl.read_parquet(demo.out / "regimes.parquet")
    row = regimes.filter(
        (pl.col("source") == "RUS")
        & (pl.col("target") == "USA")
        & (pl.col("period_start").dt.year() == 2017)
    )
    # one row per evidence base that covers 2017: the chronicle only (ICEWS's is missing)
    assert row["base"].to_list() == ["chronicle"]
    # The demo's store holds the chronicle and the ICEWS triad corpus, which has no 2017
    # rows (ICEWS05-15 ends in 2015, ICEWS18 starts in 2018): 2017 is the chronicle's.
    # By hand from chronicle.csv (USA–RUS rows of 2017, raw SQL): 44 rows, 43 acts (two
    # CAMEO 172 rows of 28 July 2017 share day, dyad and code: one act), mean
    # Goldstein −2.27 over the acts (hostile); no force event, material-conflict share < 0.5,
    # conflict severity −4.79 > −8 → intensity limited; arenas with ≥ 3 events:
    # diplomatic (net +0.17, cooperation 0.58), economic and information (−1.0) → 2
    # net-hostile of 3, breadth limited; 20 located conflict events, abroad only POL and
    # SYR (within the year's 3 main theatres) → scope regional. R3: limited opponents.
    r = row.row(0, named=True)
    assert r["label"] == "limited opponents"
    import duckdb

    with duckdb.connect(str(demo.store), read_only=True) as con:
        ((n_acts, mean),) = con.execute(
            "SELECT count(*), avg(g) FROM (SELECT avg(goldstein) AS g FROM events "
            "WHERE dataset = 'chronicle' AND least(source, target) = 'RUS' "
            "AND greatest(source, target) = 'USA' AND year(date) = 2017 "
            "GROUP BY date, source, target, cameo)"
        ).fetchall()
    assert (n_acts, round(mean, 4)) == (43, -2.2651)
    assert (r["n_events"], r["force_events"], r["n_hostile_arenas"]) == (n_acts, 0, 2)
    assert r["mean_goldstein"] == pytest.approx(mean, abs=1e-9)
    assert r["scope"] == "regional" and r["limited_by"] == "intensity,breadth,scope"


def test_same_seed_same_tables(demo, tmp_path: Path) -> None:
    again = run_demo(tmp_path / "again", n_boot=50, rng=7)
    for name in TABLES:
        a = (demo.out / f"{name}.csv").read_bytes()
        b = (again.out / f"{name}.csv").read_bytes()
        assert a == b, f"{name}.csv differs between two runs with the same seed"
    sim_a = (demo.out / "simulate_paper.csv").read_bytes()
    assert sim_a == (again.out / "simulate_paper.csv").read_bytes()


def test_demo_tables_are_what_collect_results_returns(demo) -> None:
    """One home for the stage sequence: the demo writes its tables from
    ``report.collect_results`` (the sequence `trilateral report` runs), so the same store
    and seed give the same bytes; ``sections=False`` leaves the later stages to the caller."""
    res = collect_results(demo.store, n_boot=50, rng=7, sections=False)
    assert res.sections == ()
    frames = {
        "indices_year": res.index.frame,
        "indices_month": res.monthly.frame,
        "power_ratios": res.power.frame,
        "tit_for_tat": res.titfortat.matches,
        "regimes": res.regimes.to_frame(),
        "triangle": res.triangle.to_frame(),
        "claims": res.claims.to_frame(),
    }
    for name, frame in frames.items():
        written = (demo.out / f"{name}.csv").read_text("utf-8")
        assert written == csv_text(frame), f"{name}.csv is not what collect_results gives"


def test_demo_cli(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "d"), "--n-boot", "20"])
    assert res.exit_code == 0, res.output
    assert "Claims of Feng (2019)" in res.output
    assert (tmp_path / "d" / "claims.csv").is_file()


def test_demo_help_has_an_example() -> None:
    res = CliRunner().invoke(app, ["demo", "--help"])
    assert res.exit_code == 0
    assert "trilateral demo --out" in res.output


def test_entry_point_runs(tmp_path: Path) -> None:
    """The installed console script, as the README runs it."""
    exe = Path(sys.executable).with_name("trilateral")
    proc = subprocess.run(
        [str(exe), "info", "--db", str(tmp_path / "missing.duckdb")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "trilateral ingest" in proc.stderr


def test_demo_into_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    res = CliRunner().invoke(app, ["demo", "--out", str(blocker / "out")])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert "a-file" in res.output and "what to do" in res.output


def test_demo_backtests_the_icews_corpus(demo) -> None:
    """The forecast step: ICEWS18 weekly and ICEWS05-15 monthly, the dyads chosen at each
    origin from the 12 periods before it, scores, DM tests, a fan chart per forecast dyad,
    and the series not forecast named with their shares."""
    folder = demo.out / "forecast"
    weekly = pl.read_csv(folder / "icews18_weekly_scores.csv")
    assert weekly.select("source", "target").unique().height == 6
    assert sorted(weekly["horizon"].unique().to_list()) == [1, 2, 3, 4]
    assert weekly.filter(pl.col("model") == "no_change")["n"].max() == 26  # 2018-04-01 … 09-23
    monthly = pl.read_csv(folder / "icews05-15_monthly_scores.csv")
    assert sorted(monthly["horizon"].unique().to_list()) == [1, 2, 3, 4, 5, 6]
    assert monthly["model"].unique().sort().to_list() == ["ar", "climatology", "no_change", "var"]
    # chosen per origin: USA→RUS is sparse in most years, yet forecast where it was dense
    nc = monthly.filter(pl.col("model") == "no_change")
    usa_rus = nc.filter((pl.col("source") == "USA") & (pl.col("target") == "RUS"))
    assert 0 < usa_rus["n"].max() < nc["n"].max()
    for name, sub in (("icews18_weekly", "week"), ("icews05-15_monthly", "month")):
        fc = pl.read_csv(folder / f"{name}_forecast" / "forecasts.csv")
        for s, t in fc.select("source", "target").unique().iter_rows():
            assert (folder / f"{name}_forecast" / f"fan_{s}_{t}.png").is_file(), sub
            assert (folder / f"{name}_forecast" / f"fan_{s}_{t}.html").is_file(), sub
    text = demo.summaries["forecast"]
    assert "evidence base icews" in text and "Diebold–Mariano, HLN-corrected" in text
    assert "Not forecast (too few periods with events before the origin):" in text
    assert "Series skipped at some origins" in text


def test_demo_report_names_the_capability_panel(demo) -> None:
    """The report's power and claims sections name the panel they used (issue 21, item 1):
    the tests' user data folder is empty, so the shipped panel alone."""
    html = (demo.out / "report.html").read_text(encoding="utf-8")
    assert (
        "Data: the capability panel (World Bank, SIPRI, COW NMC): shipped capabilities.csv;" in html
    )
    assert "Data: the capability panel (shipped capabilities.csv), the UNGA votes" in html
