"""Words (issue 21, item 10): help that matches the behaviour, windows said in words, and
files of one name told apart."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import EventStore, shipped_chronicle_path, shipped_icews_paths

runner = CliRunner()


def _plain(text: str) -> str:
    """Help text without rich's box characters and line breaks."""
    return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", text))


@pytest.mark.parametrize("command", ["ingest", "export"])
def test_json_is_no_alias_of_a_format_json_that_is_rejected(command: str) -> None:
    """ingest's --format is the input layout, export's the lake format: neither takes json,
    so --json's help must not call itself an alias of --format json."""
    helptext = _plain(runner.invoke(app, [command, "--help"], terminal_width=200).output)
    assert "--json" in helptext and "Print machine-readable JSON" in helptext
    assert "--format json" not in helptext
    # and json is indeed no --format of these commands: refused for that reason (ingest
    # has no --out, so that call used to exit 2 on the unknown option instead)
    args = {"ingest": ["x.csv", "--db", "y.duckdb"], "export": ["--out", "y"]}[command]
    res = runner.invoke(app, [command, "--format", "json", *args])
    assert res.exit_code == 2
    assert "Invalid value for '--format'" in _plain(res.output) and "'json'" in res.output


def test_the_alias_stays_where_it_is_one() -> None:
    helptext = _plain(runner.invoke(app, ["claims", "--help"], terminal_width=200).output)
    assert "the same as --format json" in helptext


@pytest.fixture(scope="module")
def chronicle_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("words") / "c.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    return db


def test_backtest_window_with_an_open_end_reads_properly(chronicle_store: Path) -> None:
    res = runner.invoke(app, ["backtest", "--db", str(chronicle_store), "--start", "2030-01-01"])
    assert res.exit_code == 1
    text = res.output.replace("\n", " ")
    assert "None" not in text and "2030-01-01" in text  # the open end is not "None"


def test_diagnose_window_with_an_open_end_reads_properly(chronicle_store: Path) -> None:
    res = runner.invoke(
        app, ["diagnose", "--db", str(chronicle_store), "--start", "2016-01-01", "--n-boot", "0"]
    )
    assert res.exit_code == 0, res.output
    assert "window 2016-01-01 to the end of the data" in res.stderr
    assert "…" not in res.stderr.split("window", 1)[1].splitlines()[0]


def test_info_tells_files_of_one_name_apart(tmp_path: Path) -> None:
    lines = gzip.decompress(shipped_icews_paths()[2].read_bytes()).decode().splitlines()
    for sub, part in (("a", lines[:40]), ("b", lines[40:80])):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "test.txt").write_text("\n".join(part) + "\n", encoding="utf-8")
    db = str(tmp_path / "s.duckdb")
    files = [str(tmp_path / "a" / "test.txt"), str(tmp_path / "b" / "test.txt")]
    res = runner.invoke(app, ["ingest", *files, "--db", db, "--format", "icews_tkg"])
    assert res.exit_code == 0, res.output
    assert "a/test.txt" in res.stdout and "b/test.txt" in res.stdout
    res = runner.invoke(app, ["info", "--db", db])
    assert res.exit_code == 0, res.output
    resolution = res.stdout.split("actor resolution per file", 1)[1]
    assert "a/test.txt" in resolution and "b/test.txt" in resolution
