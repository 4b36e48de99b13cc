"""``trilateral measure`` through the real entry point (typer's CliRunner on cli.app)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from test_indices import ROWS, make_store
from trilateral.cli import app

runner = CliRunner()


def _flat(text: str) -> str:
    """Rich wraps long messages at the terminal width; compare without line breaks."""
    return " ".join(text.split())


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "s.duckdb", ROWS)


def test_help_has_an_example() -> None:
    res = runner.invoke(app, ["measure", "--help"])
    assert res.exit_code == 0
    assert "Example" in res.output and "trilateral measure --db" in res.output
    for opt in ("--arena", "--weighting", "--collapse-duplicates", "--normalize", "--out"):
        assert opt in res.output


def test_writes_parquet_and_csv_and_prints_a_summary(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["measure", "--db", str(store), "--out", str(out), "--n-boot", "50"])
    assert res.exit_code == 0, res.output
    assert "USA→RUS" in res.output and "-2.50" in res.output  # Jan + Mar: (−8+4−2−4)/4
    for stem in ("indices", "indices_symmetric", "power_ratios"):
        assert (out / f"{stem}.parquet").is_file() and (out / f"{stem}.csv").is_file()
    idx = pl.read_parquet(out / "indices.parquet")
    assert idx.height == 6 * 6 * 3
    assert pl.read_csv(out / "indices.csv").height == idx.height
    sym = pl.read_parquet(out / "indices_symmetric.parquet")
    assert set(sym["dyad"]) == {"RUS-USA", "CHN-USA", "CHN-RUS"}
    ratios = pl.read_parquet(out / "power_ratios.parquet")
    assert {"year", "numerator", "denominator", "indicator", "ratio"} <= set(ratios.columns)
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["indices"]["n_boot"] == 50 and prov["indices"]["rng_entropy"] == "0"


def test_options_reach_the_library(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    res = runner.invoke(
        app,
        [
            "measure",
            "--db",
            str(store),
            "--countries",
            "USA,RUS",
            "--period",
            "quarter",
            "--arena",
            "economic,all",
            "--weighting",
            "mentions",
            "--collapse-duplicates",
            "--normalize",
            "--n-boot",
            "0",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["provenance"]["weighting"] == "mentions"
    assert report["provenance"]["collapse_duplicates"] is True
    idx = pl.read_parquet(out / "indices.parquet")
    assert set(idx["arena"]) == {"economic", "all"} and set(idx["period"]) == {"quarter"}
    assert "volume_share" in idx.columns and idx["ci_low"].null_count() == idx.height
    all_usa_rus = [
        r
        for r in report["summary"]
        if (r["source"], r["target"], r["arena"]) == ("USA", "RUS", "all")
    ]
    # mentions 3, 1, 2 (January) and 5 (March): (−24 + 4 − 4 − 20) / 11
    assert all_usa_rus[0]["mean_goldstein"] == pytest.approx(-44 / 11)


def test_missing_or_empty_store_exits_1(tmp_path: Path) -> None:
    res = runner.invoke(app, ["measure", "--db", str(tmp_path / "nope.duckdb")])
    assert res.exit_code == 1 and "no event store" in _flat(res.output)
    empty = make_store(tmp_path / "empty.duckdb", [])
    res = runner.invoke(app, ["measure", "--db", str(empty), "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and "holds no events" in _flat(res.output)
    assert "Traceback" not in res.output


def test_bad_arguments_exit_1(store: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["measure", "--db", str(store), "--arena", "cyber"])
    assert res.exit_code == 1 and "unknown arena" in _flat(res.output)
    res = runner.invoke(app, ["measure", "--db", str(store), "--start", "yesterday"])
    assert res.exit_code == 1 and "not a date" in _flat(res.output)


@pytest.mark.parametrize("command", ["measure", "diagnose"])
def test_bootstrap_progress_bar_on_stderr(
    command: str, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the bootstrap shows a rich bar on stderr; --json output stays clean."""
    import io

    from rich.console import Console

    from trilateral._cli import _common

    err = io.StringIO()
    monkeypatch.setattr(_common, "err_console", Console(file=err, force_terminal=True, width=120))
    args = [command, "--db", str(store), "--n-boot", "50", "--json"]
    if command == "measure":
        args += ["--out", str(tmp_path / "o")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    json.loads(res.stdout)  # nothing but the JSON on stdout
    bar = err.getvalue()
    assert "bootstrap intervals" in bar and "cells" in bar
    # the last frame drawn shows every cell done
    done = re.findall(r"(\d+)/(\d+) cells", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", bar))
    assert done and done[-1][0] == done[-1][1] != "0"
    # no bootstrap, no bar
    err.truncate(0)
    err.seek(0)
    res = runner.invoke(app, [*args[:3], "--n-boot", "0", *args[5:]])
    assert res.exit_code == 0, res.output
    assert "bootstrap intervals" not in err.getvalue()
