"""Parquet as the interchange: `trilateral export` and Parquet lakes as an event source.

Real files: three GDELT 1.0 Georgia monthly files (../shared/data/gdelt/
gdelt1_georgia_2011_2012) and the raw ICEWS 2018 sample (../shared/data/icews/). The
expected values are the store's own rows and the indices computed from the store; the
lake must give the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import fsspec
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import EventStore, export_parquet
from trilateral.errors import StoreError
from trilateral.measure import indices
from trilateral.measure._store_access import open_store

runner = CliRunner()


@pytest.fixture(scope="module")
def store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    georgia = shared_data / "gdelt" / "gdelt1_georgia_2011_2012"
    files = [
        georgia / "june2011.csv",
        georgia / "dec2011.csv",
        georgia / "nov2012.csv",
        shared_data / "icews" / "icews_raw_sample_2018" / "events.2018.sample.tab",
    ]
    db = tmp_path_factory.mktemp("lake") / "store.duckdb"
    with EventStore.open(db) as es:
        for f in files:
            es.ingest(f, on_error="skip")
    return db


@pytest.fixture(scope="module")
def lake(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "lake"
    export_parquet(store, out)
    return out


def _store_rows(db: Path) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT * FROM events ORDER BY event_id, ingest_id").pl()
    finally:
        con.close()


def test_export_writes_hive_partitions_with_every_row(store: Path, lake: Path) -> None:
    rows = _store_rows(store)
    parts = sorted(p.relative_to(lake).parent.as_posix() for p in lake.rglob("*.parquet"))
    # June 2011, December 2011 and November 2012 (GDELT) and June 2018 (ICEWS) at least
    for part in ("year=2011/month=6", "year=2011/month=12", "year=2012/month=11"):
        assert part in parts
    assert "year=2018/month=6" in parts
    back = pl.read_parquet(lake / "year=*" / "month=*" / "*.parquet", hive_partitioning=True)
    assert back.height == rows.height > 10_000
    assert set(back.columns) == {*rows.columns, "year", "month"}
    back = back.drop("year", "month").select(rows.columns).sort("event_id", "ingest_id")
    assert_frame_equal(back, rows, check_dtypes=False)
    manifest = json.loads((lake / "_trilateral.json").read_text())
    assert manifest["rows"] == rows.height
    with EventStore.open(store, read_only=True) as es, open_store(es) as h1:
        from trilateral.measure._store_access import data_hash

        assert manifest["data_hash"] == data_hash(h1)


def test_indices_from_the_lake_equal_indices_from_the_store(store: Path, lake: Path) -> None:
    kw = dict(countries=("USA", "RUS", "CHN", "GEO"), period="month", n_boot=30, rng=3)
    a = indices(store, **kw)
    b = indices(lake, **kw)
    assert int(a.frame["n_events"].sum()) > 100
    assert_frame_equal(a.frame, b.frame)
    assert a.provenance["data_hash"] == b.provenance["data_hash"]
    assert b.provenance["store_path"] == str(lake)


def test_lake_behind_an_fsspec_url(lake: Path) -> None:
    fs = fsspec.filesystem("memory")
    for f in lake.rglob("*"):
        if f.is_file():
            fs.pipe(f"/trilateral-test/{f.relative_to(lake).as_posix()}", f.read_bytes())
    try:
        a = indices(lake, countries=("USA", "RUS", "GEO"), period="quarter", n_boot=0)
        b = indices(
            "memory://trilateral-test", countries=("USA", "RUS", "GEO"), period="quarter", n_boot=0
        )
        assert_frame_equal(a.frame, b.frame)
    finally:
        fs.rm("/trilateral-test", recursive=True)


def test_export_refuses_to_overwrite_unless_asked(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(StoreError, match="exists already"):
        export_parquet(store, out)
    assert (out / "keep.txt").read_text() == "mine"  # untouched
    res = export_parquet(store, out, overwrite=True)
    assert not (out / "keep.txt").exists() and res.rows > 0
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]  # no partial directory left


def test_a_directory_without_parquet_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no Parquet files under"):
        indices(tmp_path, n_boot=0)


def test_cli_export_then_measure_and_claims_on_the_lake(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    res = runner.invoke(
        app, ["export", "--format", "parquet", "--out", str(out), "--db", str(store), "--json"]
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["rows"] > 10_000 and info["partitions"] >= 4
    again = runner.invoke(app, ["export", "--out", str(out), "--db", str(store)])
    assert again.exit_code == 1 and "overwrite" in again.output
    m = runner.invoke(
        app,
        [
            "measure",
            "--db",
            str(out),
            "--countries",
            "USA,RUS,GEO",
            "--n-boot",
            "0",
            "--out",
            str(tmp_path / "m"),
            "--json",
        ],
    )
    assert m.exit_code == 0, m.output
    prov = json.loads((tmp_path / "m" / "provenance.json").read_text())
    assert prov["indices"]["store_path"] == str(out)
    c = runner.invoke(app, ["claims", "--db", str(out), "--json"])
    assert c.exit_code == 0, c.output
