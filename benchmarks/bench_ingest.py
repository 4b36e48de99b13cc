"""Ingest throughput: ``EventStore.ingest`` vs DuckDB's CSV parser vs pandas, side by side.

The input is a GDELT 1.0 daily export in the layout users download (tab-separated, no
header, 58 columns, DATEADDED and SOURCEURL last), built in a temporary directory from
the real Georgia extract (``shared/data/gdelt/gdelt1_georgia_2011_2012``, 88,191 events):
each quoted-header CSV is converted to that layout ("NA" → empty field), and the rows are
repeated with fresh GLOBALEVENTIDs until there are ``--rows`` of them (default 2,000,000).

Contenders, each in its own fresh process (peak RSS measured by the parent):

* ``trilateral``: ``EventStore.open(new).ingest(file, "gdelt1")`` — hashing, parsing,
  validation, CAMEO lookups, the transaction and the write to a DuckDB file;
* ``trilateral, 1 worker``: ``trilateral ingest --workers 1`` (``ingest_files``): one
  worker, a thread of the writer's process, parses (and hashes the file's bytes as they
  pass) while the writer appends;
* ``trilateral, 2 workers``: the same rows split into two files (the first and second
  half, written by the parent before any contender runs), ``--workers 2``: two worker
  processes, each parsing one file into an Arrow spool; the writer commits both;
* ``polars read_csv, all text``: ``pl.read_csv(separator="\t", infer_schema=False)`` —
  every column as text, polars' parallel parser (stores nothing);
* ``duckdb read_csv``: ``CREATE TABLE AS SELECT * FROM read_csv(...)`` into a new DuckDB
  file — the floor: DuckDB's own parallel CSV parser with no validation;
* ``pandas read_csv``: ``pd.read_csv(sep="\\t", header=None)`` into a DataFrame — what
  users do today (and it stores nothing). With default dtypes pandas reads the CAMEO
  and actor code columns as integers, so "040" comes back as 40: not the same data;
* ``pandas, codes as text``: the same with the seven code columns as ``str`` — the
  least a correct pandas read needs, and the fair comparison.

Targets printed: trilateral within 1.5x the floor, >= 3x faster than pandas (against
both pandas rows), peak RSS under 1 GB; 1 worker within 1.5x of polars, 2 workers on two
files >= 1.7x the 1-worker throughput, peak RSS under 1 GB per process. For the
``--workers`` contenders the table shows each process's peak RSS — the writer's (its own
``VmHWM``) and each parsing worker's (measured in the worker, reported through
``IngestProgress.worker_peak_rss``) — and their sum (an upper bound of the run's total:
the peaks need not coincide). The "peak RSS" column is the contender process's, i.e. the
writer's.

"CPU s" is the CPU time (user + system, every thread and worker process) of the timed
work: on a shared machine it varies less than the wall time, and it bounds what more
workers can gain (the report prints that bound for this machine's cores).

Usage: ``python benchmarks/bench_ingest.py [--rows N] [--repeat K] [--keep DIR]``
(with ``--repeat`` each contender's best round is shown; peak RSS is from that round).

Before and after a change: ``--baseline OTHER/src`` runs the two trilateral contenders
(``trilateral`` and ``trilateral, 1 worker``) once with this checkout's package and once
with the package under ``OTHER/src`` (``PYTHONPATH``), and polars, interleaved round by
round (``--repeat`` rounds, best of each kept), and prints each one's ratio to polars —
the figure issue 22 asks to keep within 5 % of the baseline's.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _util import (
    Measurement,
    emit,
    fmt_bytes,
    load_average,
    peak_rss,
    print_table,
    run_contender,
    timed,
)

HERE = Path(__file__).resolve()
GEORGIA = HERE.parents[2] / "shared" / "data" / "gdelt" / "gdelt1_georgia_2011_2012"
N_COLUMNS = 58
DEFAULT_ROWS = 2_000_000
ID_BASE = 1_000_000_000


def _georgia_rows() -> list[bytes]:
    """The Georgia events as tab-separated 58-column export lines, without the id field."""
    tails: list[bytes] = []
    for path in sorted(GEORGIA.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows = csv.reader(fh)
            header = next(rows)
            if header[N_COLUMNS - 1] != "SOURCEURL":
                raise SystemExit(f"unexpected header in {path}")
            for row in rows:
                fields = [
                    "" if v == "NA" else v.replace("\t", " ").replace("\n", " ")
                    for v in row[1:N_COLUMNS]
                ]
                tails.append(("\t" + "\t".join(fields) + "\n").encode())
    if not tails:
        raise SystemExit(f"no Georgia files in {GEORGIA}")
    return tails


def build_input(path: Path, rows: int) -> Path:
    """Write ``rows`` GDELT 1.0 export lines with distinct GLOBALEVENTIDs to ``path``."""
    tails = _georgia_rows()
    with path.open("wb", buffering=1 << 20) as out:
        for i in range(rows):
            out.write(b"%d" % (ID_BASE + i) + tails[i % len(tails)])
    return path


def split_input(file: Path) -> Path:
    """The same rows as two files (first half, second half) in ``<file>.halves/``.

    Written once by the parent, streaming (a contender that read the whole file to split
    it would carry that memory, and its workers would be measured after it).
    """
    d = file.with_name(file.name + ".halves")
    if d.is_dir():
        return d
    tmp = file.with_name(file.name + ".halves.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    with file.open("rb") as fh:
        n = sum(1 for _ in fh)
    with file.open("rb") as fh:
        for name, count in (("a.export.CSV", n // 2), ("b.export.CSV", n - n // 2)):
            with (tmp / name).open("wb", buffering=1 << 20) as out:
                for _ in range(count):
                    out.write(fh.readline())
    tmp.rename(d)
    return d


def halves(file: Path) -> list[Path]:
    d = file.with_name(file.name + ".halves")
    if not d.is_dir():
        raise SystemExit(f"{d} is missing: the parent writes it before the contenders run")
    return sorted(d.iterdir())


# ------------------------------------------------------------------ contenders (children)


def _ours(file: Path, work: Path) -> None:
    from trilateral.data.store import EventStore

    db = work / "ours.duckdb"
    info: dict[str, int] = {}

    def run() -> int:
        with EventStore.open(db) as store:
            res = store.ingest(file, "gdelt1", on_error="skip")
        info["rejected"] = res.rows_rejected
        info["ingested"] = res.rows_ingested
        return res.rows_read

    seconds, rows = timed(run)
    emit(seconds, rows, **info)


def _workers(paths: list[Path], work: Path, n: int) -> None:
    from trilateral.data.ingest import IngestProgress, ingest_files
    from trilateral.data.store import EventStore

    db = work / "ours.duckdb"
    info: dict[str, object] = {}
    peaks: dict[int, int] = {}

    def seen(p: IngestProgress) -> None:  # each parsing process's peak RSS
        peaks.update(p.worker_peak_rss)

    def run() -> int:
        with EventStore.open(db) as store:
            res = ingest_files(
                store, paths, workers=n, format="gdelt1", on_error="skip", progress=seen
            )
        info["ingested"] = sum(r.rows_ingested for r in res)
        return sum(r.rows_read for r in res)

    seconds, rows = timed(run)
    info["worker_rss"] = sorted(peaks.values(), reverse=True)
    info["writer_rss"] = peak_rss()
    emit(seconds, rows, **info)


def _one_worker(file: Path, work: Path) -> None:
    _workers([file], work, 1)


def _two_workers(file: Path, work: Path) -> None:
    _workers(halves(file), work, 2)


def _polars_text(file: Path, work: Path) -> None:
    import polars as pl

    def run() -> int:
        frame = pl.read_csv(
            file, separator="\t", has_header=False, infer_schema=False, quote_char=None
        )
        return frame.height

    seconds, rows = timed(run)
    emit(seconds, rows)


def _duckdb_floor(file: Path, work: Path) -> None:
    import duckdb

    con = duckdb.connect(str(work / "floor.duckdb"))
    con.execute("SET enable_progress_bar = false").fetchall()

    def run() -> int:
        con.execute(
            "CREATE TABLE raw AS SELECT * FROM read_csv(?, delim='\\t', header=false, "
            "quote='', escape='')",
            [str(file)],
        ).fetchall()
        return int(con.execute("SELECT count(*) FROM raw").fetchall()[0][0])

    seconds, rows = timed(run)
    con.close()
    emit(seconds, rows)


def _pandas(file: Path, work: Path) -> None:
    import pandas as pd

    def run() -> int:
        frame = pd.read_csv(file, sep="\t", header=None, quoting=csv.QUOTE_NONE)
        return len(frame)

    seconds, rows = timed(run)
    emit(seconds, rows)


#: Actor1Code, Actor1CountryCode, Actor2Code, Actor2CountryCode, EventCode, EventBaseCode,
#: EventRootCode: the columns whose leading zeros (CAMEO) or letters must survive.
_CODE_COLUMNS = (5, 7, 15, 17, 26, 27, 28)


def _pandas_text_codes(file: Path, work: Path) -> None:
    import pandas as pd

    def run() -> int:
        frame = pd.read_csv(
            file,
            sep="\t",
            header=None,
            quoting=csv.QUOTE_NONE,
            dtype=dict.fromkeys(_CODE_COLUMNS, str),
        )
        return len(frame)

    seconds, rows = timed(run)
    emit(seconds, rows)


CONTENDERS = {
    "trilateral": _ours,
    "trilateral, 1 worker": _one_worker,
    "trilateral, 2 workers": _two_workers,
    "duckdb read_csv": _duckdb_floor,
    "polars read_csv, all text": _polars_text,
    "pandas read_csv": _pandas,
    "pandas, codes as text": _pandas_text_codes,
}


# ------------------------------------------------------------------ the parent

#: What ``--baseline`` compares: the package's contenders against polars.
COMPARED = ("trilateral", "trilateral, 1 worker")
POLARS = "polars read_csv, all text"


def _compare(file: Path, tmp: str, baseline: Path, repeat: int) -> None:
    """Both packages' contenders and polars, interleaved; best of ``repeat`` rounds.

    The order alternates round by round (this checkout first, then the baseline first),
    so that neither package always runs right after polars or right after the other."""
    ours = [(name, None) for name in COMPARED]
    theirs: list[tuple[str, Path | None]] = [(name, baseline) for name in COMPARED]
    best: dict[str, Measurement] = {}
    for round_ in range(max(1, repeat)):
        first, second = (ours, theirs) if round_ % 2 == 0 else (theirs, ours)
        for name, src in [*first, *second, (POLARS, None)]:
            label = name if src is None else f"{name} (baseline)"
            work = Path(tempfile.mkdtemp(prefix="contender-", dir=tmp))
            argv_child = [str(HERE), "--contender", name, "--file", str(file), "--work", str(work)]
            print(f"round {round_ + 1}: running {label} …", flush=True)
            saved = os.environ.get("PYTHONPATH")
            os.environ["PYTHONPATH"] = str(src if src is not None else HERE.parents[1] / "src")
            try:
                m = run_contender(label, argv_child)
            finally:
                if saved is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = saved
            shutil.rmtree(work, ignore_errors=True)
            if label not in best or m.seconds < best[label].seconds:
                best[label] = m
    polars = best[POLARS]
    rows = []
    for name in COMPARED:
        after, before = best[name], best[f"{name} (baseline)"]
        ra, rb = after.seconds / polars.seconds, before.seconds / polars.seconds
        rows.append(
            [name, f"{before.seconds:.2f}", f"{rb:.2f}x", f"{after.seconds:.2f}", f"{ra:.2f}x",
             f"{(ra / rb - 1) * 100:+.1f} %", f"{before.extra['cpu']:.2f}",
             f"{after.extra['cpu']:.2f}"]
        )  # fmt: skip
    print(f"\n{polars.rows:,} rows; polars read_csv (all text) {polars.seconds:.2f} s (best of "
          f"{max(1, repeat)}); baseline: {baseline}")  # fmt: skip
    print_table(
        ["contender", "before s", "before / polars", "after s", "after / polars", "change",
         "before CPU s", "after CPU s"],
        rows,
    )  # fmt: skip
    print(f"load average: {load_average()} (wall times on a busy machine vary; CPU s less)")


def _processes(m: Measurement) -> dict[str, int]:
    """Peak RSS of each process of a ``--workers`` run: the writer, then each worker."""
    out = {"writer": int(m.extra["writer_rss"])}
    for k, rss in enumerate(m.extra["worker_rss"], start=1):
        out[f"worker {k}"] = int(rss)
    return out


def _per_process(m: Measurement) -> str:
    """``writer X, worker 1 Y, … (sum Z)`` for a ``--workers`` run, else empty."""
    if "worker_rss" not in m.extra:
        return ""
    procs = _processes(m)
    each = ", ".join(f"{name} {fmt_bytes(rss)}" for name, rss in procs.items())
    return f"{each} (sum {fmt_bytes(sum(procs.values()))})"


def _report(results: list[Measurement], file: Path) -> None:
    by = {m.name: m for m in results}
    floor = by["duckdb read_csv"]
    ours = by["trilateral"]
    pandas = by["pandas read_csv"]
    pandas_text = by["pandas, codes as text"]
    one, two = by["trilateral, 1 worker"], by["trilateral, 2 workers"]
    polars = by["polars read_csv, all text"]
    rows = [
        [
            m.name,
            f"{m.rows:,}",
            f"{m.seconds:.2f}",
            f"{m.rows_per_s:,.0f}",
            f"{m.seconds / floor.seconds:.2f}x",
            f"{m.extra['cpu']:.2f}",
            fmt_bytes(m.peak_rss),
            _per_process(m),
        ]
        for m in results
    ]
    size = file.stat().st_size
    print(
        f"input: {file.name}, GDELT 1.0 export layout (58 columns, tab-separated), "
        f"{fmt_bytes(size)}"
    )
    print_table(
        ["contender", "rows", "seconds", "rows/s", "vs floor", "CPU s", "peak RSS", "per process"],
        rows,
    )
    if "rejected" in ours.extra:
        print(
            f"trilateral: {ours.extra['ingested']:,} ingested, {ours.extra['rejected']:,} "
            "rejected (with --on-error skip)"
        )
    checks = [
        (
            "within 1.5x of the DuckDB floor",
            ours.seconds / floor.seconds,
            ours.seconds <= 1.5 * floor.seconds,
            "{:.2f}x",
        ),
        (
            ">= 3x faster than pandas, codes as text (the same data)",
            pandas_text.seconds / ours.seconds,
            pandas_text.seconds >= 3 * ours.seconds,
            "{:.2f}x",
        ),
        (
            ">= 3x faster than pandas with default dtypes (CAMEO 040 read as 40)",
            pandas.seconds / ours.seconds,
            pandas.seconds >= 3 * ours.seconds,
            "{:.2f}x",
        ),
        ("peak RSS < 1 GB", ours.peak_rss / 2**30, ours.peak_rss < 2**30, "{:.2f} GB"),
        (
            "1 worker within 1.5x of polars read_csv (all text)",
            one.seconds / polars.seconds,
            one.seconds <= 1.5 * polars.seconds,
            "{:.2f}x",
        ),
        (
            "  (the same in CPU seconds: 1 worker's CPU / polars' CPU)",
            one.extra["cpu"] / polars.extra["cpu"],
            one.extra["cpu"] <= 1.5 * polars.extra["cpu"],
            "{:.2f}x",
        ),
        (
            "2 workers (two files) >= 1.7x the 1-worker throughput",
            two.rows_per_s / one.rows_per_s,
            two.rows_per_s >= 1.7 * one.rows_per_s,
            "{:.2f}x",
        ),
        (
            "peak RSS < 1 GB per process (2 workers: each worker and the writer)",
            max(_processes(two).values()) / 2**30,
            max(_processes(two).values()) < 2**30,
            "{:.2f} GB",
        ),
    ]
    print("targets:")
    for label, value, ok, fmt in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {label}: {fmt.format(value)}")
    cores = os.cpu_count() or 1
    floor_2 = two.extra["cpu"] / cores
    print(
        f"the 2-worker run used {two.extra['cpu']:.2f} CPU s ({one.extra['cpu']:.2f} with 1 "
        f"worker): on {cores} cores it cannot take less than {floor_2:.2f} s, i.e. at most "
        f"{one.seconds / floor_2:.2f}x the 1-worker throughput measured here"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds (contenders interleaved); best kept"
    )
    parser.add_argument("--keep", type=Path, help="build and keep the input in this directory")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout's src/: compare before and after"
    )
    parser.add_argument("--contender", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.contender:  # we are a child
        CONTENDERS[args.contender](args.file, args.work)
        return

    with tempfile.TemporaryDirectory(prefix="trilateral-bench-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        file = base / f"gdelt1_{args.rows}.export.CSV"
        if not file.exists():
            print(f"building {args.rows:,} rows from the Georgia extract …", flush=True)
            build_input(file, args.rows)
        split_input(file)  # the 2-worker contender's two files
        if args.baseline is not None:
            _compare(file, tmp, args.baseline.resolve(), args.repeat)
            return
        best: dict[str, Measurement] = {}
        load_before = load_average()
        for round_ in range(max(1, args.repeat)):
            for name in CONTENDERS:
                work = Path(tempfile.mkdtemp(prefix="contender-", dir=tmp))
                argv_child = [
                    str(HERE), "--contender", name, "--file", str(file), "--work", str(work)
                ]  # fmt: skip
                print(f"round {round_ + 1}: running {name} …", flush=True)
                m = run_contender(name, argv_child)
                shutil.rmtree(work, ignore_errors=True)
                if name not in best or m.seconds < best[name].seconds:
                    best[name] = m
        _report([best[name] for name in CONTENDERS], file)
        print(
            f"machine: {os.cpu_count()} cores; load average {load_before} before, {load_average()} after"
        )


if __name__ == "__main__":
    sys.exit(main())
