"""``trilateral diagnose`` and ``trilateral claims`` through typer's CliRunner."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from trilateral._cli import diagnose

FILES = resources.files("trilateral.data") / "_files"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)

    @app.callback()
    def _main() -> None:
        """test app"""

    diagnose.register(app)
    return app


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    from trilateral.data.store import EventStore

    chron = FILES / "chronicle.csv"
    path = tmp_path_factory.mktemp("cli") / "chronicle.duckdb"
    with EventStore.open(path) as s:
        s.ingest(Path(str(chron)))
    return path


runner = CliRunner()


@pytest.mark.parametrize("cmd", ["diagnose", "claims"])
def test_help_has_an_example(app, cmd):
    res = runner.invoke(app, [cmd, "--help"])
    assert res.exit_code == 0
    assert "Example" in res.output and f"trilateral {cmd}" in res.output


def test_missing_store_is_a_clear_error(app, tmp_path):
    for cmd in ("diagnose", "claims"):
        res = runner.invoke(app, [cmd, "--db", str(tmp_path / "none.duckdb")])
        assert res.exit_code == 1
        assert "no event store" in res.output and "Traceback" not in res.output


def test_bad_countries(app, store):
    res = runner.invoke(app, ["diagnose", "--db", str(store), "--countries", "US"])
    assert res.exit_code == 1 and "ISO 3166" in res.output


def test_diagnose_table(app, store):
    res = runner.invoke(app, ["diagnose", "--db", str(store), "--n-boot", "50"])
    assert res.exit_code == 0, res.output
    assert "RUS-USA" in res.output and "Strategic triangle" in res.output


def test_diagnose_json(app, store):
    res = runner.invoke(
        app,
        ["diagnose", "--db", str(store), "--n-boot", "50", "--json", "--countries", "USA,RUS,CHN"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    regimes = {(r["dyad"], r["period_start"]): r for r in out["regimes"]}
    r = regimes[("RUS-USA", "2018-01-01")]
    # Worked out by hand from the shipped chronicle (chronicle.csv, USA–RUS rows dated
    # 2018, both directions; raw SQL): 54 events, mean Goldstein −3.06 (hostile), 2 force
    # events (CAMEO 18–20: intensity not limited), arenas with ≥ 3 events: diplomatic 17
    # (net +0.18, cooperation share 0.59), economic 10 (−0.8), information 11 (−1.0),
    # military 10 (−0.6), political 6 (−1.0) → 4 net-hostile, but cooperation survives in
    # the diplomatic arena (0.59 ≥ 0.25): breadth limited; 23 located conflict events,
    # abroad only SYR (2), BEL, CHE — the year's three main theatres, nothing elsewhere:
    # scope regional. Rule R3 → limited opponents, limited in breadth and scope.
    assert r["label"] == "limited opponents"
    assert (r["n_events"], r["force_events"], r["n_hostile_arenas"]) == (54, 2, 4)
    assert r["mean_goldstein"] == pytest.approx(-3.0593, abs=1e-4)
    assert r["cooperation_survives"] == 1 and r["scope"] == "regional"
    assert r["rule"].startswith("R3:") and "breadth, scope" in r["rule"]
    assert {t["period_start"] for t in out["triangle"]} >= {"2017-01-01", "2018-01-01"}


def test_claims_json_without_and_with_store(app, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./trilateral.duckdb here
    monkeypatch.delenv("TRILATERAL_DB", raising=False)
    res = runner.invoke(app, ["claims", "--json", "--id", "rus-defence-2015"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["claims"][0]["verdict"] == "supported"
    res = runner.invoke(app, ["claims", "--db", str(store), "--id", "expulsions-60-for-60"])
    assert res.exit_code == 0, res.output
    # the chronicle's 60-for-60 rows (chron-0244/0246) cite Feng 2019 and a primary source
    # (not paper-only): without the rows of the events the paper names, the chronicle has
    # no US act in the window, so its verdict is paper-selected
    assert "Claims of Feng" in res.output and "0 supported" in res.output
    assert "1 paper-selected" in res.output and "paper-selected: expulsions-60-for-60" in (
        " ".join(res.output.split())
    )
    res = runner.invoke(
        app, ["claims", "--db", str(store), "--id", "expulsions-60-for-60", "--json"]
    )
    out = json.loads(res.output)
    c = out["claims"][0]
    assert c["verdicts"] == {"chronicle": "paper-selected", "icews": "not enough data"}
    assert c["verdict"] == "paper-selected"
    # per base: the measured share, its interval, the acts and reports, the coverage
    chron = c["by_base"]["chronicle"]
    assert chron["measured"] == 1.0 and chron["ci_low"] <= 1.0 <= chron["ci_high"]
    assert chron["n_acts"] == 2 and chron["n_reports"] == 2 and chron["coverage"]
    dropped = chron["figures"]["without_paper_events"]
    assert dropped["verdict"] == "not enough data" and "2018-03-26 RUS–USA" in dropped["events"]
    assert out["supported_by_independent_data"]["n_event_claims"] == 0


def test_diagnose_scope_counts_only_the_window(app, store):
    """--start/--end reach the scope table: Q4 2018 counts Q4's located conflict events."""
    import duckdb

    res = runner.invoke(
        app,
        [
            "diagnose",
            "--db",
            str(store),
            "--n-boot",
            "20",
            "--json",
            "--period",
            "year",
            "--start",
            "2018-10-01",
            "--end",
            "2018-12-31",
            "--countries",
            "USA,RUS",
        ],
    )
    assert res.exit_code == 0, res.output
    (r,) = json.loads(res.output)["regimes"]
    con = duckdb.connect(str(store), read_only=True)
    try:
        ((located, severity),) = con.execute(
            "SELECT count(*) FILTER (WHERE coalesce(location, '') <> ''), avg(goldstein) "
            "FROM events WHERE least(source, target) = 'RUS' AND greatest(source, target) = "
            "'USA' AND quad_class >= 3 AND date BETWEEN DATE '2018-10-01' AND DATE '2018-12-31'"
        ).fetchall()
    finally:
        con.close()
    assert located == 2  # not the whole year's 23
    assert r["n_located"] == located and r["scope"] == "unknown"
    assert r["conflict_goldstein"] == pytest.approx(severity)


def test_the_table_prints_the_reading_not_a_label_the_draws_split(app, store) -> None:
    """Issue 18 item 5: a label held in fewer than 80 % of the bootstrap draws reads
    "indeterminate (A …, B …)" in the table, as in ``--json``'s ``reading``."""
    args = ["diagnose", "--db", str(store), "--start", "2014-01-01", "--end", "2019-12-31"]
    out = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    split = [r for r in out["regimes"] if r["reading"].startswith("indeterminate (")]
    assert split, "the chronicle 2014-2019 has regimes whose draws split"
    res = runner.invoke(app, args, env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    for r in split:
        row = [
            ln for ln in lines if ln.startswith(f"│ {r['dyad']} │ {str(r['period_start'])[:10]}")
        ]
        assert len(row) == 1 and "indeterminate (" in row[0], (r, row)
