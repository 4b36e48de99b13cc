"""The ``countries`` filter at ingest: only the rows between the given countries are stored,
the dropped rows are counted, and the ledger records the filter.

Expected counts come from DuckDB queries over the raw files written here (GDELT 2.0:
``Actor1CountryCode`` is column 8 and ``Actor2CountryCode`` column 18 of the 61
tab-separated columns, per the GDELT 2.0 event codebook), not from the reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import ingest_files
from trilateral.data.store import EventStore, filter_codes
from trilateral.errors import ConfigError, StoreError

GDELT2_A = Path("gdelt") / "gdelt2_raw_exports" / "20180326044500.export.CSV"
GDELT2_B = Path("gdelt") / "gdelt2_raw_exports" / "20191024143000.export.CSV"
CHRONICLE = Path(__file__).parents[1] / "src" / "trilateral" / "data" / "_files" / "chronicle.csv"
TRIAD = ("USA", "RUS", "CHN")


def _raw_gdelt2(path: Path, countries: tuple[str, ...]) -> tuple[int, dict[tuple[str, str], int]]:
    """Rows of a raw GDELT 2.0 export, and the rows per (Actor1, Actor2) country among
    ``countries``, straight from the file."""
    rel = f"read_csv('{path}', delim='\t', header=false, all_varchar=true, quote='', escape='')"
    con = duckdb.connect()
    ((total,),) = con.execute(f"SELECT count(*) FROM {rel}").fetchall()
    marks = ", ".join("?" for _ in countries)
    rows = con.execute(
        f"SELECT column07, column17, count(*) FROM {rel} "
        f"WHERE column07 IN ({marks}) AND column17 IN ({marks}) GROUP BY ALL",
        [*countries, *countries],
    ).fetchall()
    return int(total), {(s, t): int(n) for s, t, n in rows}


def _stored_dyads(store: EventStore, ingest_id: int) -> dict[tuple[str, str], int]:
    rows = store.con.execute(
        "SELECT source, target, count(*) FROM events WHERE ingest_id = ? GROUP BY ALL",
        [ingest_id],
    ).fetchall()
    return {(s, t): int(n) for s, t, n in rows}


def test_filter_keeps_the_triad_rows_of_a_real_export(tmp_path: Path, shared_data: Path) -> None:
    path = shared_data / GDELT2_B
    total, expected = _raw_gdelt2(path, TRIAD)
    assert total == 2111  # SOURCES.md
    kept = sum(expected.values())
    assert 0 < kept < total  # the filter has something to keep and something to drop
    with EventStore.open(tmp_path / "ev.duckdb") as store:
        res = store.ingest(path, countries=["usa", "RUS", "CHN"])
        assert (res.rows_read, res.rows_rejected) == (total, 0)
        assert res.rows_ingested == kept
        assert res.rows_filtered == total - kept
        assert res.countries == ("CHN", "RUS", "USA")
        assert _stored_dyads(store, res.ingest_id) == expected
        (rec,) = store.ingests()
        assert rec.countries == ("CHN", "RUS", "USA") and rec.rows_ingested == kept
        assert "outside CHN,RUS,USA dropped" in res.summary()
        assert res.to_dict()["countries"] == ["CHN", "RUS", "USA"]


def test_a_rerun_with_the_same_filter_is_a_duplicate_and_another_filter_is_refused(
    tmp_path: Path, shared_data: Path
) -> None:
    path = shared_data / GDELT2_A
    with EventStore.open(tmp_path / "ev.duckdb") as store:
        first = store.ingest(path, countries=TRIAD)
        n = store.events().count("*").fetchall()
        again = store.ingest(path, countries=("RUS", "CHN", "USA", "usa"))
        assert again.skipped_duplicate and again.ingest_id == first.ingest_id
        assert again.countries == ("CHN", "RUS", "USA")
        with pytest.raises(StoreError, match="all its rows") as whole:
            store.ingest(path)
        assert "--countries CHN,RUS,USA" in (whole.value.hint or "")
        with pytest.raises(StoreError, match="the rows among RUS,USA"):
            store.ingest(path, countries=("USA", "RUS"))
        assert store.events().count("*").fetchall() == n
        assert len(store.ingests()) == 1
    with EventStore.open(tmp_path / "whole.duckdb") as store:
        store.ingest(path)
        with pytest.raises(StoreError, match="the rows among CHN,RUS,USA"):
            store.ingest(path, countries=TRIAD)
        (rec,) = store.ingests()
        assert rec.countries is None


def test_bad_codes_are_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="US"):
        filter_codes(["US", "RUS"])
    with EventStore.open(tmp_path / "ev.duckdb") as store:
        with pytest.raises(ConfigError, match="need a country"):
            store.ingest(tmp_path / "missing.csv", countries=[])
        assert store.ingests() == ()


def test_filtered_out_rows_leave_no_extras(tmp_path: Path) -> None:
    con = duckdb.connect()
    ((expected,),) = con.execute(
        f"SELECT count(*) FROM read_csv('{CHRONICLE}') "
        "WHERE source IN ('USA', 'RUS') AND target IN ('USA', 'RUS')"
    ).fetchall()
    with EventStore.open(tmp_path / "ev.duckdb") as store:
        res = store.ingest(CHRONICLE, "chronicle", countries=("USA", "RUS"))
        assert res.rows_ingested == expected and res.rows_filtered == res.rows_read - expected
        ((extras,), (orphans,)) = store.con.execute(
            "SELECT count(*) FROM event_extras UNION ALL "
            "SELECT count(*) FROM event_extras AS x WHERE NOT EXISTS (SELECT 1 FROM events "
            "AS e WHERE e.event_id = x.event_id AND e.ingest_id = x.ingest_id)"
        ).fetchall()
        assert orphans == 0 and extras == expected


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_files_filters_every_file(tmp_path: Path, shared_data: Path, workers: int) -> None:
    paths = [shared_data / GDELT2_A, shared_data / GDELT2_B]
    with EventStore.open(tmp_path / "ev.duckdb") as store:
        results = ingest_files(store, paths, workers=workers, countries=TRIAD)
        for path, res in zip(paths, results, strict=True):
            total, expected = _raw_gdelt2(path, TRIAD)
            assert res.rows_ingested == sum(expected.values())
            assert res.rows_filtered == total - res.rows_ingested
            assert _stored_dyads(store, res.ingest_id) == expected
        assert [r.countries for r in store.ingests()] == [("CHN", "RUS", "USA")] * 2


def test_cli_countries_option(tmp_path: Path, shared_data: Path) -> None:
    path = shared_data / GDELT2_B
    total, expected = _raw_gdelt2(path, TRIAD)
    db = str(tmp_path / "ev.duckdb")
    res = CliRunner().invoke(
        app, ["ingest", str(path), "--db", db, "--countries", "USA,RUS,CHN", "--json"]
    )
    assert res.exit_code == 0, res.stderr
    (f,) = json.loads(res.stdout)["files"]
    assert f["countries"] == ["CHN", "RUS", "USA"]
    assert (f["rows_ingested"], f["rows_filtered"]) == (
        sum(expected.values()),
        total - sum(expected.values()),
    )
    again = CliRunner().invoke(app, ["ingest", str(path), "--db", db])
    assert again.exit_code == 1
    assert "Traceback" not in again.stderr and "all its rows" in " ".join(again.stderr.split())
    bad = CliRunner().invoke(app, ["ingest", str(path), "--db", db, "--countries", "USA,XX"])
    assert bad.exit_code != 0 and "XX" in bad.stderr


def test_a_store_written_before_the_filter_ledger_still_reads(
    tmp_path: Path, shared_data: Path
) -> None:
    db = tmp_path / "old.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shared_data / GDELT2_A)
        store.con.execute("DROP TABLE ingest_filters")  # as a store of before the filter
    with EventStore.open(db, read_only=True) as store:
        (rec,) = store.ingests()
        assert rec.countries is None and rec.rows_ingested == 1540  # SOURCES.md
    with EventStore.open(db) as store:  # opened for writing: the table is added
        assert store.ingest(shared_data / GDELT2_A).skipped_duplicate
        res = store.ingest(shared_data / GDELT2_B, countries=TRIAD)
        assert store.ingests()[-1].countries == ("CHN", "RUS", "USA") == res.countries
