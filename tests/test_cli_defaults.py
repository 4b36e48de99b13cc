"""Defaults a new user trips on, piped output, and one home for shared logic (issue 9,
items 5, 6 and 9): the diagnose window, the store after `make demo`, where measure wrote,
tables piped to a file, one country-code check, one atomic table writer."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.config import check_countries
from trilateral.data import EventStore, alignment, shipped_chronicle_path
from trilateral.errors import ConfigError
from trilateral.measure import indices
from trilateral.pipeline import dense_span, write_table

runner = CliRunner()


@pytest.fixture(scope="module")
def chronicle_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped chronicle alone: 2014–2019 in full, and four earlier rows (2007–2013)
    that the paper cites as context (src/trilateral/data/_files/CHRONICLE.md)."""
    path = tmp_path_factory.mktemp("defaults") / "demo-output" / "trilateral.duckdb"
    path.parent.mkdir()
    with EventStore.open(path) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    return path


def _diagnose(store: Path, *args: str) -> dict:
    res = runner.invoke(app, ["diagnose", "--db", str(store), "--n-boot", "0", "--json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_dense_span_skips_the_sparse_early_rows(chronicle_store: Path) -> None:
    yearly = indices(chronicle_store, period="year", n_boot=0)
    years = sorted({d.year for d in yearly.frame["period_start"].to_list()})
    assert years[0] == 2007  # the store itself starts with the context rows
    # every dyad has ≥ 5 events a year from 2014 on (CHRONICLE.md: 2014–2019 in full)
    first, last = dense_span(yearly, 5)  # type: ignore[misc]
    assert first == date(2014, 1, 1)
    assert last is None or last >= date(2019, 12, 31)


def test_diagnose_defaults_to_the_dense_span_and_says_so(chronicle_store: Path) -> None:
    out = _diagnose(chronicle_store)
    assert out["window"]["start"] == "2014-01-01" and out["window"]["dense_default"] is True
    starts = {r["period_start"] for r in out["regimes"]}
    assert min(starts) == "2014-01-01"
    res = runner.invoke(app, ["diagnose", "--db", str(chronicle_store), "--n-boot", "0"])
    assert "window 2014-01-01" in res.stderr and "--start/--end" in res.stderr
    # a window given is a window used
    given = _diagnose(chronicle_store, "--start", "2010-01-01", "--end", "2019-12-31")
    assert given["window"]["dense_default"] is False
    assert min(r["period_start"] for r in given["regimes"]) == "2010-01-01"


def test_after_the_demo_the_next_command_names_its_store(
    chronicle_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` builds demo-output/trilateral.duckdb; `trilateral diagnose` in the same
    folder (default ./trilateral.duckdb) says exactly which --db to pass."""
    work = tmp_path / "w"
    (work / "demo-output").mkdir(parents=True)
    shutil.copy(chronicle_store, work / "demo-output" / "trilateral.duckdb")
    monkeypatch.chdir(work)
    monkeypatch.delenv("TRILATERAL_DB", raising=False)
    res = runner.invoke(app, ["diagnose"])
    assert res.exit_code == 1
    flat = " ".join(res.stderr.split())
    assert "pass --db demo-output/trilateral.duckdb" in flat
    claims = runner.invoke(app, ["claims"])
    assert claims.exit_code == 0
    assert "pass --db demo-output/trilateral.duckdb" in " ".join(claims.stdout.split())


def test_measure_says_where_it_wrote(
    chronicle_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for extra in ([], ["--json"]):
        res = runner.invoke(
            app,
            ["measure", "--db", str(chronicle_store), "--n-boot", "0", "--period", "year", *extra],
        )
        assert res.exit_code == 0, res.output
        where = (tmp_path / "measure-output").resolve()
        assert f"wrote 7 files to {where}/" in " ".join(res.stderr.split())
    assert json.loads(res.stdout)["out"] == str(where)


def test_piped_tables_are_not_wrapped(chronicle_store: Path) -> None:
    """CliRunner's stdout is not a terminal: each regime is one line, however wide."""
    res = runner.invoke(
        app, ["diagnose", "--db", str(chronicle_store), "--n-boot", "0", "--start", "2014-01-01"]
    )
    assert res.exit_code == 0, res.output
    rows = [ln for ln in res.stdout.splitlines() if ln.startswith("│ RUS-USA")]
    assert len(rows) == 6  # one line per year 2014–2019
    assert all("2014" <= ln.split("│")[2].strip()[:4] <= "2019" for ln in rows)
    assert max(len(ln) for ln in res.stdout.splitlines()) > 80


def test_diagnose_format_csv(chronicle_store: Path) -> None:
    res = runner.invoke(
        app,
        ["diagnose", "--db", str(chronicle_store), "--n-boot", "0", "--format", "csv"],
    )
    assert res.exit_code == 0, res.output
    regimes_csv = res.stdout.split("\n\n")[0]
    rows = list(csv.DictReader(io.StringIO(regimes_csv)))
    js = _diagnose(chronicle_store)
    assert [(r["dyad"], r["label"]) for r in rows] == [
        (r["dyad"], r["label"]) for r in js["regimes"]
    ]


@pytest.mark.parametrize("bad", ["ÜSA,RUS", "US,RUS", "USA,R1S"])
def test_one_country_check_everywhere(bad: str, chronicle_store: Path) -> None:
    """config.check_countries is the one check: the library, UNGA alignment and every
    command say the same thing about the same bad code."""
    code = bad.split(",")[0] if bad != "USA,R1S" else "R1S"
    want = f"not ISO 3166-1 alpha-3 country codes: {code}"
    with pytest.raises(ConfigError, match=want):
        check_countries(bad)
    with pytest.raises(ConfigError, match=want):
        indices(chronicle_store, countries=bad.split(","), n_boot=0)
    with pytest.raises(ConfigError, match=want):
        alignment(pl.DataFrame().to_arrow(), countries=bad.split(","))
    for argv in (
        ["capabilities", "show", "--countries", bad],
        ["diagnose", "--db", str(chronicle_store), "--countries", bad],
    ):
        res = runner.invoke(app, argv)
        assert res.exit_code == 1 and want in " ".join(res.stderr.split()), argv


def test_write_table_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while a table is written leaves the previous files whole."""
    old = pl.DataFrame({"a": [1, 2]})
    write_table(old, tmp_path, "t")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken_csv(self: pl.DataFrame, file: object = None, **kw: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", broken_csv)
    with pytest.raises(OSError, match="No space"):
        write_table(pl.DataFrame({"a": [3, 4, 5]}), tmp_path, "t")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
