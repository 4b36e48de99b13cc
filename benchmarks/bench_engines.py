"""The measure stage's scope and tit-for-tat queries on DuckDB and on Spark local mode.

Input: the real files of the Spark equality test (six GDELT 1.0 Georgia months of 2011,
the two GDELT 2.0 raw exports, the ICEWS18 validation split, the raw ICEWS 2018 sample)
and the shipped chronicle, ingested into one store (about 84,000 events), then
replicated ``--copies`` times (default 20) with new event ids (same dates, so every
dyad-period cell holds ``copies`` times its events), and exported as a Parquet lake.

Contenders, side by side in one process (one SparkSession, local[2], started once; its
start-up is reported on its own line), each timed best of ``REPEAT``:

* ``conflict_scope(…, USA/RUS/CHN/UKR, period="year")`` — the regime-scope query;
* ``load_events(…, hostile="quad")`` + ``match_tit_for_tat(…, match_on="root")`` — the
  tit-for-tat input query on the engine, the matching in Python;

each on DuckDB (the store), Spark on the store (copied to Parquet on every call, as the
library does for a DuckDB store) and Spark on the exported lake. The script checks that
the engines' results are equal before it prints the table.

Usage: ``python benchmarks/bench_engines.py [--copies N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
SHARED = HERE.parents[2] / "shared" / "data"
REPEAT = 3
CODES = ("USA", "RUS", "CHN", "UKR")


def _files() -> list[Path]:
    gdelt, icews = SHARED / "gdelt", SHARED / "icews"
    return [
        *sorted((gdelt / "gdelt1_georgia_2011_2012").glob("*2011.csv"))[:6],
        *sorted((gdelt / "gdelt2_raw_exports").glob("*.export.CSV")),
        icews / "icews18_tkg_valid" / "valid.txt",
        icews / "icews_raw_sample_2018" / "events.2018.sample.tab",
    ]


def build(folder: Path, copies: int) -> tuple[Path, Path, int]:
    """The replicated store and its lake; the number of events."""
    import duckdb

    from trilateral.data import export_parquet, shipped_chronicle_path
    from trilateral.data.store import EventStore

    db = folder / "real.duckdb"
    with EventStore.open(db) as store:
        for f in _files():
            store.ingest(f, on_error="skip")
        store.ingest(shipped_chronicle_path(), format="chronicle")
    con = duckdb.connect(str(db))
    for table in ("events", "event_extras"):
        con.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
        for i in range(1, copies):
            con.execute(
                f"INSERT INTO {table} SELECT * REPLACE (event_id || '#{i}' AS event_id) "
                f"FROM base_{table}"
            )
    rows = int(con.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
    con.close()
    lake = folder / "lake"
    export_parquet(db, lake)
    return db, lake, rows


def best(work: Callable[[], Any]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--keep", type=Path, default=None, help="build the store here and keep it")
    args = ap.parse_args(argv)

    from trilateral.measure import conflict_scope, load_events, match_tit_for_tat
    from trilateral.measure._engine import EngineConfig

    quiet = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
    spark = EngineConfig(
        name="spark",
        master="local[2]",
        driver_memory="2g",
        conf={**quiet, "spark.sql.shuffle.partitions": "4"},
    )
    tmp = tempfile.TemporaryDirectory(prefix="bench-engines-")
    folder = args.keep or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    db, lake, rows = build(folder, args.copies)
    print(
        f"store: {rows:,} events ({args.copies} copies), built in {time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    spark.spark_session().sparkContext.setLogLevel("ERROR")
    print(f"Spark local[2] session start-up: {time.perf_counter() - t0:.1f} s")
    print(f"machine load (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def scope(src: Path, engine: Any) -> Any:
        return conflict_scope(src, CODES, "year", engine=engine)

    def tft(src: Path, engine: Any) -> Any:
        ev = load_events(src, CODES, hostile="quad", engine=engine)
        return match_tit_for_tat(ev, countries=CODES, match_on="root").matches

    contenders = (
        ("duckdb, store", db, None),
        ("spark, store", db, spark),
        ("spark, lake", lake, spark),
    )
    print(f"\n{'query':<14} {'engine':<15} {'best s':>8} {'vs duckdb':>10}")
    for name, work in (("scope", scope), ("tit-for-tat", tft)):
        base_s, base_out = None, None
        for label, src, eng in contenders:
            secs, out = best(lambda w=work, s=src, e=eng: w(s, e))
            if base_out is None:
                base_s, base_out = secs, out
            elif not out.equals(base_out):
                raise SystemExit(f"{name}: {label} differs from DuckDB")
            assert base_s is not None
            print(f"{name:<14} {label:<15} {secs:>8.2f} {secs / base_s:>9.1f}x")
    tmp.cleanup()


if __name__ == "__main__":
    main()
