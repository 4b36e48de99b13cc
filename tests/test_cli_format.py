"""``--format table|csv|json`` on every command that prints a table, through one helper
(``_cli._common.print_result``), and tables piped to a file printed whole (issue 9,
item 6). ``--json`` stays an alias of ``--format json``.

The store is the shipped chronicle (src/trilateral/data/_files/chronicle.csv, 435 rows;
CHRONICLE.md); CliRunner's stdout is not a terminal, as when piped to a file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import EventStore, shipped_chronicle_path

runner = CliRunner()
CLAIMS_YAML = Path(__file__).resolve().parents[1] / "src/trilateral/diagnose/claims.yaml"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fmt") / "chronicle.duckdb"
    with EventStore.open(path) as s:
        s.ingest(shipped_chronicle_path(), format="chronicle")
    return path


def _run(*argv: str) -> str:
    res = runner.invoke(app, list(argv))
    assert res.exit_code == 0, res.output
    return res.stdout


def _csv_tables(text: str) -> list[list[dict[str, str]]]:
    """Several CSV tables separated by a blank line, each parsed with its header."""
    return [list(csv.DictReader(io.StringIO(part))) for part in text.strip("\n").split("\n\n")]


def _headers(text: str) -> list[list[str]]:
    return [part.splitlines()[0].split(",") for part in text.strip("\n").split("\n\n")]


def _not_wrapped(text: str) -> None:
    """A table wrapped at 80 columns has no line longer than 80."""
    assert max(len(ln) for ln in text.splitlines()) > 80, text[:2000]


def test_measure_csv_json_table(store: Path, tmp_path: Path) -> None:
    base = ("measure", "--db", str(store), "--n-boot", "0", "--period", "year")
    out = ("--out", str(tmp_path / "m"))
    text = _run(*base, *out, "--format", "csv")
    (rows,) = _csv_tables(text)
    # 6 directed dyads × (5 arenas + "all"), each pooled over the whole window
    assert len(rows) == 36
    assert {"source", "target", "arena", "n_events", "mean_goldstein"} <= set(rows[0])
    assert {(r["source"], r["target"]) for r in rows} == {
        (s, t) for s in ("USA", "RUS", "CHN") for t in ("USA", "RUS", "CHN") if s != t
    }
    # one evidence base here (the chronicle), counted in acts by default: its 435 rows are
    # all between two of the three (CHRONICLE.md), 431 distinct (day, source, target,
    # CAMEO code) acts by raw SQL; --reports counts the rows
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        ((n_rows, n_acts),) = con.execute(
            "SELECT count(*), count(DISTINCT (date, source, target, cameo)) FROM events"
        ).fetchall()
    assert (n_rows, n_acts) == (435, 431)
    assert {r["base"] for r in rows} == {"chronicle"}
    assert sum(int(r["n_events"]) for r in rows if r["arena"] == "all") == n_acts
    (by_row,) = _csv_tables(_run(*base, *out, "--format", "csv", "--reports"))
    assert sum(int(r["n_events"]) for r in by_row if r["arena"] == "all") == n_rows
    doc = json.loads(_run(*base, *out, "--format", "json"))
    assert len(doc["summary"]) == 36
    assert json.loads(_run(*base, *out, "--json"))["summary"] == doc["summary"]  # the alias
    table = _run(*base, *out)
    # one line per dyad and arena with events: no cell folded onto a second line
    lines = [ln for ln in table.splitlines() if ln.startswith("│")]
    assert len(lines) == sum(int(r["n_events"]) > 0 for r in rows)


def test_claims_csv_json_table(store: Path) -> None:
    n_claims = len(yaml.safe_load(CLAIMS_YAML.read_text("utf-8"))["claims"])
    text = _run("claims", "--db", str(store), "--format", "csv")
    (rows,) = _csv_tables(text)
    assert _headers(text)[0][:2] == ["id", "verdict"]
    assert len(rows) == n_claims
    assert rows[0]["id"] == "us-gdp-2017"  # the first claim of claims.yaml
    doc = json.loads(_run("claims", "--db", str(store), "--format", "json"))
    assert [c["id"] for c in doc["claims"]] == [r["id"] for r in rows]
    table = _run("claims", "--db", str(store))
    _not_wrapped(table)
    for r in rows:  # each claim is one row: its id on exactly one line
        assert sum(ln.startswith(f"│ {r['id']} ") for ln in table.splitlines()) == 1, r["id"]


def test_info_csv_json_table(store: Path) -> None:
    text = _run("info", "--db", str(store), "--format", "csv")
    datasets, dyads, coverage = _csv_tables(text)
    assert _headers(text) == [
        ["dataset", "n_events", "first_date", "last_date"],
        ["source", "target", "n_events"],
        ["path", "dataset", "rows", "both_resolved", "share"],
    ]
    assert [(d["dataset"], d["n_events"]) for d in datasets] == [("chronicle", "435")]
    assert len(dyads) == 6 and sum(int(d["n_events"]) for d in dyads) == 435
    assert len(coverage) <= 1
    doc = json.loads(_run("info", "--db", str(store), "--format", "json"))
    assert doc["n_events"] == 435 and doc["shipped"]
    lines = _run("info", "--db", str(store)).splitlines()
    for d in doc["shipped"]:  # each shipped dataset's lines whole, however long
        assert any(f"{d['name']} ({d['file']})" in ln and "sha256" in ln for ln in lines)
        assert f"    licence: {d['licence']}" in lines
    assert max(len(ln) for ln in lines) > 80


def test_capabilities_show_and_provenance_formats() -> None:
    text = _run("capabilities", "show", "--countries", "USA,RUS,CHN", "--format", "csv")
    (rows,) = _csv_tables(text)
    assert _headers(text)[0] == ["iso3", "indicator", "year", "value", "unit", "source"]
    doc = json.loads(_run("capabilities", "show", "--countries", "USA,RUS,CHN", "--json"))
    assert [(r["iso3"], r["indicator"]) for r in rows] == [(r["iso3"], r["indicator"]) for r in doc]
    assert {r["iso3"] for r in rows} == {"USA", "RUS", "CHN"}
    series = _run(
        "capabilities", "show", "--countries", "USA,RUS", "--indicator", "gdp_current_usd",
        "--format", "csv",
    )  # fmt: skip
    (years,) = _csv_tables(series)
    assert _headers(series)[0] == ["year", "USA", "RUS"]
    assert len({r["year"] for r in years}) == len(years) > 20  # a row a year
    prov = _run("capabilities", "provenance", "--format", "csv")
    (sources,) = _csv_tables(prov)
    assert _headers(prov)[0] == ["file", "source", "licence", "taken", "vintage", "sha256"]
    assert all(len(s["sha256"]) == 64 for s in sources)
    assert json.loads(_run("capabilities", "provenance", "--format", "json"))["sources"]
    for argv in (("show",), ("provenance",)):
        _not_wrapped(_run("capabilities", *argv))


def test_simulate_csv(tmp_path: Path) -> None:
    base = ("simulate", "paper", "--runs", "20", "--periods", "12", "--seed", "1")
    text = _run(*base, "--format", "csv", "--out", str(tmp_path))
    (rows,) = _csv_tables(text)
    written = (tmp_path / "simulate_paper.csv").read_text("utf-8")
    assert text == written  # the table the command writes, nothing else on stdout
    assert len(rows) == len(json.loads(_run(*base, "--json"))["policies"])
    assert "scenario paper: 4 policies" in _run(*base)
