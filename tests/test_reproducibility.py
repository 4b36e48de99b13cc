"""Same seed, same numbers: serially or in parallel (docs/ARCHITECTURE.md, "Reproducibility").

DuckDB aggregates in parallel and combines partial sums in whatever order its threads
finish; with floating-point sums that order shows in the last digits. The index query
therefore sums exact types (integers, DECIMAL) and converts at the end. These tests
fail if that is undone: on a store large enough to be split across threads, one thread
and four must give identical frames, and two runs must give identical frames.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from trilateral.data import EventStore, shipped_chronicle_path
from trilateral.measure import indices

CODES = ("USA", "RUS", "CHN", "GBR", "FRA")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory):
    """~1.2 M events (enough row groups for DuckDB to use several threads)."""
    path = tmp_path_factory.mktemp("repro") / "big.duckdb"
    rng = np.random.default_rng(2024)
    n = 1_200_000
    src = rng.integers(0, len(CODES), n)
    tgt = (src + rng.integers(1, len(CODES), n)) % len(CODES)
    days = rng.integers(0, 6 * 365, n)
    goldstein = np.round(rng.uniform(-10, 10, n), 1)
    quad = rng.integers(1, 5, n)
    weight = rng.integers(1, 40, n)
    arenas = np.array(["diplomatic", "economic", "information", "military", "political"])
    start = np.datetime64("2014-01-01")
    tbl = pl.DataFrame(
        {
            "event_id": [f"x:{i}" for i in range(n)],
            "date": (start + days.astype("timedelta64[D]")),
            "source": np.array(CODES)[src],
            "target": np.array(CODES)[tgt],
            "source_actor": None,
            "target_actor": None,
            "cameo": np.where(quad == 4, "190", "042"),
            "quad_class": quad.astype(np.int8),
            "goldstein": goldstein,
            "arena": arenas[rng.integers(0, 5, n)],
            "weight": weight,
            "dataset": "synthetic",
            "location": None,
            "url_or_citation": None,
            "ingest_id": 1,
        }
    ).with_columns(pl.col("date").cast(pl.Date))
    with EventStore.open(path) as store:  # creates the tables and the layout version
        store.con.register("tbl", tbl.to_arrow())
        store.con.execute("INSERT INTO events SELECT * FROM tbl").fetchall()
    return path


def _index(path, threads: int) -> pl.DataFrame:
    with EventStore.open(path, read_only=True, threads=threads) as store:
        return indices(store, countries=CODES, period="month", weighting="mentions", n_boot=0).frame


@pytest.mark.slow
def test_one_thread_and_four_threads_agree_exactly(big_store) -> None:
    serial = _index(big_store, 1)
    parallel = _index(big_store, 4)
    assert serial.height == 5 * 4 * 6 * 72  # dyads × arenas+all × months
    assert serial.equals(parallel)


@pytest.mark.slow
def test_two_parallel_runs_agree_exactly(big_store) -> None:
    assert _index(big_store, 4).equals(_index(big_store, 4))


def test_bootstrap_same_seed_same_intervals(tmp_path) -> None:
    path = tmp_path / "c.duckdb"
    with EventStore.open(path) as s:
        s.ingest(shipped_chronicle_path())
    a = indices(path, period="year", n_boot=100, rng=11).frame
    b = indices(path, period="year", n_boot=100, rng=11).frame
    c = indices(path, period="year", n_boot=100, rng=12).frame
    assert a.equals(b)
    assert not a.select("ci_low", "ci_high").equals(c.select("ci_low", "ci_high"))
