"""Scale: ingest and monthly indices over tens of millions of GDELT rows, DuckDB and Spark.

Input: the real GDELT 1.0 Georgia extract (``shared/data/gdelt/gdelt1_georgia_2011_2012``,
88,191 events) replicated until there are ``--rows`` rows (default 20,000,000): replica
``r`` gets fresh GLOBALEVENTIDs and every date shifted by ``r`` weeks (SQLDATE, MonthYear,
Year, FractionDate, DATEADDED consistent), so the archive spans mid-2011 to 2016 with a
realistic mix of actors, CAMEO codes, mentions and dates. It is written as GDELT 1.0
export files (tab-separated, no header, 58 columns) of about 500,000 rows each.

Steps, each in its own fresh process (peak RSS measured by the parent):

* ingest — ``trilateral``: ``ingest_files(store, files, workers=1)`` and ``workers=2``
  (validation, CAMEO lookups, one transaction per file, the write to a DuckDB file; the
  later steps read the 2-worker store); ``duckdb read_csv``:
  every file into one table with DuckDB's parser, no validation (the floor); ``spark
  read_csv → parquet``: Spark local[2] parses every file (all columns text) and writes
  Parquet — what a Spark user would do with the raw files;
* export — ``trilateral export --format parquet`` of the store (our own figure);
* monthly indices of the directed dyads among USA, RUS, GEO, CHN, TUR, UKR (every arena
  and "all", no bootstrap) — ``indices(store)`` on DuckDB, ``indices(lake)`` on DuckDB
  and ``indices(lake, engine=spark)`` in Spark local[2]; the three must agree (counts
  exact, means and shares to 1e-9).

Usage: ``python benchmarks/bench_scale.py [--rows N] [--keep DIR]`` (minutes; not part of
``make test``; needs ~8 GB of free disk for 20 million rows).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _util import Measurement, emit, fmt_bytes, load_average, print_table, run_contender

HERE = Path(__file__).resolve()
GEORGIA = HERE.parents[2] / "shared" / "data" / "gdelt" / "gdelt1_georgia_2011_2012"
DEFAULT_ROWS = 20_000_000
ROWS_PER_FILE = 500_000
N_COLUMNS = 58
COUNTRIES = ("USA", "RUS", "GEO", "CHN", "TUR", "UKR")
KEYS = ["source", "target", "arena", "period_start"]
STATS = [
    "n_events",
    "weight",
    "mean_goldstein",
    "conflict_share",
    "material_conflict_share",
    "cooperation_share",
    "force_events",
]
SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "2g",
}


def _georgia():  # type: ignore[no-untyped-def]
    """The Georgia events as 58 text columns in the GDELT 1.0 export order."""
    import polars as pl

    frames = []
    for path in sorted(GEORGIA.glob("*.csv")):
        f = pl.read_csv(path, infer_schema=False, null_values=["NA"])
        frames.append(f.select(f.columns[:N_COLUMNS]))
    names = frames[0].columns
    return pl.concat([f.rename(dict(zip(f.columns, names, strict=True))) for f in frames])


def build_archive(out: Path, rows: int) -> list[Path]:
    """Write ``rows`` replicated Georgia rows as export files in ``out``; return them."""
    import polars as pl

    base = _georgia()
    names = base.columns
    day = pl.col("SQLDATE").str.to_date("%Y%m%d")
    added = pl.col(names[57]).str.slice(0, 8).str.to_date("%Y%m%d", strict=False)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    done = 0
    replica = 0
    pending = []
    while done < rows:
        n = min(base.height, rows - done)
        shift = pl.duration(weeks=replica)
        d = day + shift
        rep = base.head(n).with_columns(
            pl.Series("GLOBALEVENTID", range(10**9 + done, 10**9 + done + n)).cast(pl.String),
            d.dt.strftime("%Y%m%d").alias("SQLDATE"),
            d.dt.strftime("%Y%m").alias("MonthYear"),
            d.dt.strftime("%Y").alias("Year"),
            (d.dt.year() + (d.dt.ordinal_day() - 1) / 365.0)
            .round(4)
            .cast(pl.String)
            .alias("FractionDate"),
            (added + shift).dt.strftime("%Y%m%d").fill_null("").alias(names[57]),
        )
        pending.append(rep)
        done += n
        replica += 1
        if sum(p.height for p in pending) >= ROWS_PER_FILE or done >= rows:
            path = out / f"{len(files):04d}.export.CSV"
            pl.concat(pending).write_csv(
                path, separator="\t", include_header=False, quote_style="never", null_value=""
            )
            files.append(path)
            pending = []
    return files


# ------------------------------------------------------------------ contenders (children)


def _ingest_ours(work: Path, archive: Path, workers: int) -> None:
    """``ingest_files`` with ``workers``; the 2-worker store is the one the later steps read."""
    from trilateral.data.ingest import IngestProgress, ingest_files
    from trilateral.data.store import EventStore

    peaks: dict[int, int] = {}

    def seen(p: IngestProgress) -> None:  # each parsing process's peak RSS
        peaks.update(p.worker_peak_rss)

    db = work / ("store.duckdb" if workers == 2 else f"store-{workers}.duckdb")
    t0 = time.perf_counter()
    with EventStore.open(db, memory_limit="2GB") as store:
        res = ingest_files(
            store, [archive], workers=workers, format="gdelt1", on_error="skip", progress=seen
        )
    seconds = time.perf_counter() - t0
    if workers != 2:
        db.unlink()
    emit(
        seconds,
        sum(r.rows_read for r in res),
        ingested=sum(r.rows_ingested for r in res),
        worker_rss=sorted(peaks.values(), reverse=True),
    )


def _ingest_duckdb(work: Path, archive: Path) -> None:
    import duckdb

    con = duckdb.connect(str(work / "floor.duckdb"))
    t0 = time.perf_counter()
    con.execute(
        "CREATE TABLE raw AS SELECT * FROM read_csv(?, delim='\\t', header=false, "
        "quote='', escape='', all_varchar=true)",
        [str(archive / "*.export.CSV")],
    )
    ((n,),) = con.execute("SELECT count(*) FROM raw").fetchall()
    seconds = time.perf_counter() - t0
    con.close()
    (work / "floor.duckdb").unlink()
    emit(seconds, int(n))


def _ingest_spark(work: Path, archive: Path) -> None:
    from trilateral.measure import EngineConfig

    session = EngineConfig(name="spark", master="local[2]", conf=SPARK_CONF).spark_session()
    session.sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    frame = session.read.option("sep", "\t").option("quote", "").csv(str(archive))
    frame.write.parquet(str(work / "spark.parquet"))
    seconds = time.perf_counter() - t0
    n = session.read.parquet(str(work / "spark.parquet")).count()
    session.stop()
    shutil.rmtree(work / "spark.parquet", ignore_errors=True)
    emit(seconds, int(n))


def _export(work: Path, archive: Path) -> None:
    from trilateral.data import export_parquet

    res = export_parquet(work / "store.duckdb", work / "lake")
    emit(res.seconds, res.rows, bytes=res.bytes, files=res.files)


def _indices(work: Path, source: str, engine: str) -> None:
    from trilateral.measure import EngineConfig, indices

    target = work / ("store.duckdb" if source == "store" else "lake")
    eng = (
        EngineConfig(name="spark", master="local[2]", conf=SPARK_CONF)
        if engine == "spark"
        else None
    )
    if eng is not None:
        eng.spark_session().sparkContext.setLogLevel("ERROR")
    times = []
    idx = None
    for _ in range(2):  # the second run is warm (Spark's JIT, DuckDB's caches)
        t0 = time.perf_counter()
        idx = indices(target, countries=COUNTRIES, period="month", n_boot=0, engine=eng)
        times.append(time.perf_counter() - t0)
    assert idx is not None
    idx.frame.filter(idx.frame["n_events"] > 0).select(KEYS + STATS).write_parquet(
        work / f"indices-{source}-{engine}.parquet"
    )
    if eng is not None:
        eng.spark_session().stop()
    emit(min(times), int(idx.frame["n_events"].sum()), first=times[0], cells=idx.frame.height)


CONTENDERS = {
    "ingest: trilateral, 1 worker": lambda w, a: _ingest_ours(w, a, 1),
    "ingest: trilateral, 2 workers": lambda w, a: _ingest_ours(w, a, 2),
    "ingest: duckdb read_csv (floor)": _ingest_duckdb,
    "ingest: spark read_csv -> parquet": _ingest_spark,
    "export: trilateral -> parquet": _export,
    "indices: duckdb, store": lambda w, a: _indices(w, "store", "duckdb"),
    "indices: duckdb, parquet lake": lambda w, a: _indices(w, "lake", "duckdb"),
    "indices: spark local[2], parquet lake": lambda w, a: _indices(w, "lake", "spark"),
}


def _agree(work: Path) -> list[str]:
    import polars as pl

    frames = {p.stem: pl.read_parquet(p).sort(KEYS) for p in sorted(work.glob("indices-*.parquet"))}
    if "indices-store-duckdb" not in frames:  # the index steps were skipped
        return []
    ref = frames.pop("indices-store-duckdb")
    problems = []
    for name, f in frames.items():
        if f.select(KEYS).to_dicts() != ref.select(KEYS).to_dicts():
            problems.append(f"{name}: different cells")
            continue
        for col in STATS:
            diff = (f[col].cast(pl.Float64) - ref[col].cast(pl.Float64)).abs().max()
            if diff is not None and float(diff) > 1e-9:  # type: ignore[arg-type]
                problems.append(f"{name}: {col} differs by up to {diff}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the archive here")
    parser.add_argument(
        "--skip", action="append", default=[], help="leave out the steps starting with this"
    )
    parser.add_argument("--contender", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender:
        CONTENDERS[args.contender](args.work, args.archive)
        return

    with tempfile.TemporaryDirectory(prefix="trilateral-scale-") as tmp:
        base = args.keep or Path(tmp)
        archive = base / f"archive_{args.rows}"
        if not archive.is_dir():
            print(f"building {args.rows:,} GDELT 1.0 rows from the Georgia extract …", flush=True)
            t0 = time.perf_counter()
            partial = base / f"archive_{args.rows}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            build_archive(partial, args.rows)
            partial.rename(archive)
            print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
        size = sum(f.stat().st_size for f in archive.iterdir())
        work = Path(tempfile.mkdtemp(prefix="work-", dir=tmp))
        results: list[Measurement] = []
        for name in CONTENDERS:
            if any(name.startswith(x) for x in args.skip):
                continue
            print(f"running {name} …", flush=True)
            child = [str(HERE), "--contender", name, "--work", str(work), "--archive", str(archive)]
            m = run_contender(name, child, timeout=7200)
            m.extra["load"] = load_average()  # as the step ended
            results.append(m)
            print(
                f"  {m.seconds:.1f} s, {m.rows:,} rows, peak RSS {fmt_bytes(m.peak_rss)}, {m.extra}",
                flush=True,
            )
        problems = _agree(work)
        n_files = len(list(archive.iterdir()))
        print(
            f"input: {args.rows:,} GDELT 1.0 rows in {n_files} export files, {fmt_bytes(size)} "
            f"(the Georgia extract replicated, dates shifted by a week per replica)"
        )
        rows = []
        for m in results:
            note = ""
            if "cells" in m.extra:
                note = f"{m.extra['cells']:,} cells, first run {m.extra['first']:.1f} s"
            if "bytes" in m.extra:
                note = f"{m.extra['files']} files, {fmt_bytes(m.extra['bytes'])}"
            if "ingested" in m.extra:
                workers = ", ".join(fmt_bytes(r) for r in m.extra["worker_rss"])
                note = f"{m.extra['ingested']:,} ingested"
                if m.extra["worker_rss"] and "2 workers" in m.name:
                    note += f"; writer above, workers {workers}"
            per_s = "" if m.name.startswith("indices") else f"{m.rows_per_s:,.0f}"
            rows.append(
                [m.name, f"{m.rows:,}", f"{m.seconds:.1f}", per_s, fmt_bytes(m.peak_rss),
                 m.extra["load"], note]
            )  # fmt: skip
        print(f"machine: {os.cpu_count()} cores; load average 1/5/15 min at the end of each step")
        print_table(["step", "rows", "seconds", "rows/s", "peak RSS", "load", ""], rows)
        print("indices rows: events counted in the index (the dyads' events, not the rows scanned)")
        ran = sum(m.name.startswith("indices") for m in results)
        print(
            "agreement of the index runs: "
            + (
                "not checked (fewer than two ran)"
                if ran < 2
                else "yes (counts exact, means and shares within 1e-9)"
                if not problems
                else "NO"
            )
        )
        for p in problems:
            print(f"  {p}")
        print(json.dumps({m.name: round(m.seconds, 2) for m in results}))


if __name__ == "__main__":
    sys.exit(main())
