"""``trilateral forecast`` and ``trilateral backtest`` through the real entry point, on a
store holding the ICEWS18 training and validation splits (real data)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import EventStore

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def icews18(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("icews18") / "icews18.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shared_data / "icews" / "icews18_train" / "train.txt.gz")
        store.ingest(shared_data / "icews" / "icews18_tkg_valid" / "valid.txt")
    return db


def test_forecast_october_2018_as_written(icews18: Path, tmp_path: Path) -> None:
    out = tmp_path / "fc"
    args = ["forecast", "--db", str(icews18), "--period", "week", "--origin", "2018-09-27"]
    res = runner.invoke(app, [*args, "--horizon", "5", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc) == [
        "origin",
        "period",
        "statistic",
        "evidence_base",
        "intervals",
        "skipped",
        "provenance",
        "forecasts",
    ]
    assert doc["evidence_base"] == "icews"  # the store holds ICEWS18 only
    assert (doc["origin"], doc["period"], doc["statistic"]) == (
        "2018-09-27",
        "week",
        "mean_goldstein",
    )
    rows = doc["forecasts"]
    assert set(rows[0]) == {
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
    # the origin (a Thursday) is inside the week of 09-24: that week's later days are after
    # it, so the last week fitted is 09-17 … 09-23 and the first target the week of 09-24
    assert sorted({r["period_start"] for r in rows}) == [
        "2018-09-24",
        "2018-10-01",
        "2018-10-08",
        "2018-10-15",
        "2018-10-22",
    ]
    dyads = {(r["source"], r["target"]) for r in rows}
    assert len(dyads) == 6
    for model in ("no_change", "climatology", "ar", "var"):
        got = [r for r in rows if r["model"] == model]
        assert len(got) == 6 * 5 and all(r["mean"] is not None for r in got), model
    # no-change is the last fitted week's mean Goldstein score of USA→RUS, from the store
    with duckdb.connect(str(icews18), read_only=True) as con:
        last = con.execute(
            "SELECT avg(goldstein) FROM events WHERE source = 'USA' AND target = 'RUS' "
            "AND date BETWEEN DATE '2018-09-17' AND DATE '2018-09-23'"
        ).fetchone()  # the index weights each event once: a plain mean
    assert last is not None
    want = float(last[0])
    nc = [r for r in rows if r["model"] == "no_change" and r["source"] == "USA"]
    assert nc[0]["target"] == "RUS" or nc[0]["target"] == "CHN"
    usa_rus = [r for r in nc if r["target"] == "RUS"]
    assert usa_rus[0]["mean"] == pytest.approx(want)
    for s, t in dyads:
        assert (out / f"fan_{s}_{t}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        html = (out / f"fan_{s}_{t}.html").read_text()
        assert html.startswith("<div") and "<html" not in html and "Plotly.newPlot" in html
        assert f'id="fan-{s}-{t}"' in html  # a fixed id: the same run, the same file
    assert (out / "forecasts.parquet").is_file() and (out / "provenance.json").is_file()


def test_forecast_text_output(icews18: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "forecast",
            "--db",
            str(icews18),
            "--period",
            "week",
            "--horizon",
            "2",
            "--dyads",
            "USA-RUS,RUS-USA",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    text = _flat(res.output)
    assert "USA→RUS" in text and "RUS→USA" in text and "USA→CHN" not in text
    assert (
        "climatology" in text and "wrote 7 files" in text
    )  # 2 × (PNG + HTML), 2 tables, provenance


def test_backtest_json_document(icews18: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "backtest",
            "--db",
            str(icews18),
            "--period",
            "week",
            "--horizons",
            "1,4",
            "--start",
            "2018-04-01",
            "--end",
            "2018-06-03",
            "--dyads",
            "USA-RUS",
            "--models",
            "ar",
            "--json",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc) == ["scores", "coverage", "dm", "empty_targets", "evidence_base"]
    assert {(d["model"], d["baseline"]) for d in doc["dm"]} == {
        ("ar", "no_change"), ("ar", "climatology"), ("climatology", "no_change"),
        ("no_change", "climatology"),
    }  # fmt: skip
    scores = doc["scores"]
    assert list(scores[0]) == [
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
    assert {(s["model"], s["horizon"]) for s in scores} == {
        (m, h) for m in ("no_change", "climatology", "ar") for h in (1, 4)
    }
    # origins 2018-04-01 … 2018-06-03, weekly: 10 Sundays, every one followed by data
    assert {s["n"] for s in scores} == {10}
    summary = (tmp_path / "backtest_summary.txt").read_text()
    assert "10 origins 2018-04-01 … 2018-06-03" in summary
    assert "beat" in summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "--origin", "2019-09-27"], "is outside the data"),
        (["forecast", "--horizon", "0"], "horizon must be"),
        (["forecast", "--countries", "USA,RUS,NRU", "--dyads", "NRU-RUS"], "have no events"),
        (["backtest", "--horizons", "0,1"], "horizons must be"),
        (["backtest", "--horizons", "one"], "is not a whole number"),
        (["backtest", "--start", "2017-01-01", "--end", "2017-02-01"], "no period of the index"),
    ],
)
def test_bad_input_is_a_message_and_exit_1(
    icews18: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    res = runner.invoke(
        app, [*args, "--db", str(icews18), "--period", "week", "--out", str(tmp_path)]
    )
    assert res.exit_code == 1
    assert message in _flat(res.output)
    assert "Traceback" not in res.output
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_help_has_examples() -> None:
    for cmd, example in (
        ("forecast", "--origin 2018-09-27 --horizon 5"),
        ("backtest", "--horizons 1,2,3,4"),
    ):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0 and example in _flat(res.output)


def test_origin_dates_are_period_ends(icews18: Path) -> None:
    from trilateral.forecast import backtest
    from trilateral.measure import indices

    idx = indices(icews18, period="week", arena="all", n_boot=0)
    # 04-04 is a Wednesday: its week ends after it, so it fits the week ending 04-01
    bt = backtest(idx, origins=["2018-04-01", "2018-04-04", "2018-04-08"], horizons=[1], models=[])
    assert bt.origins == (date(2018, 4, 1), date(2018, 4, 8))


def test_forecast_and_backtest_format_csv(icews18: Path, tmp_path: Path) -> None:
    """--format csv: the table alone on stdout (where the files went is on stderr)."""
    import csv
    import io

    base = ["--db", str(icews18), "--period", "week", "--out", str(tmp_path)]
    res = runner.invoke(
        app, ["forecast", *base, "--horizon", "2", "--dyads", "USA-RUS,RUS-USA", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert (
        res.stdout.splitlines()[0]
        == "source,target,arena,period_start,horizon,model,mean,sd,lo80,hi80,lo95,hi95"
    )
    assert res.stdout == (tmp_path / "forecasts.csv").read_text("utf-8")  # the table written
    # 2 dyads × 2 horizons × 4 models (no_change, climatology and the default ar, var)
    assert len(rows) == 16
    assert {r["model"] for r in rows} == {"no_change", "climatology", "ar", "var"}
    assert "wrote 7 files" in _flat(res.stderr)
    res = runner.invoke(
        app,
        [
            "backtest", *base, "--horizons", "1,4", "--start", "2018-04-01", "--end",
            "2018-06-03", "--dyads", "USA-RUS", "--models", "ar", "--format", "csv",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    scores = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(scores[0])[:5] == ["model", "source", "target", "arena", "horizon"]
    assert len(scores) == 6  # 3 models × 2 horizons
    assert {int(s["n"]) for s in scores if s["horizon"] == "1"} == {10}  # 10 weekly origins
