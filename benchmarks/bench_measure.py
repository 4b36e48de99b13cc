"""Index computation: ``indices()`` vs a hand-written DuckDB query vs pandas, side by side.

The store is synthetic but shaped like GDELT: ``--rows`` events (default 10,000,000) over
2015–2019 among 12 countries (a few dominate, as in the news), CAMEO codes drawn from the
real codebook with a skewed frequency (so Goldstein scores, quad classes and arenas are
the codebook's), mentions from a geometric law. Everything is drawn with numpy from a
fixed seed and written straight into a DuckDB file in the store's layout.

Contenders, each in its own fresh process (peak RSS measured by the parent), each
computing the monthly index of every directed dyad among 10 of the countries, per arena
and for "all" arenas pooled (n_events, weight, weighted mean Goldstein, conflict,
material-conflict and cooperation shares, force events):

* ``trilateral``: ``indices(path, countries, period="month", n_boot=0)`` — the calendar
  of empty periods, the store API (read-only open, checks, data hash) included;
* ``duckdb SQL``: the same numbers from one hand-written query (GROUPING SETS) — the floor;
  both open the file afresh on every call (DuckDB's buffer cache starts cold; the OS
  page cache is warm);
* ``trilateral, open store`` / ``duckdb SQL, open conn.``: the same two with the store
  (connection) opened once and reused across calls (DuckDB's buffer cache warm);
* ``pandas``: the events loaded from the store into pandas (categoricals), then groupby;
  timed end to end (load + groupby) and groupby alone.

Each contender runs its work 3 times; the best time counts. The parent checks that the
three agree on every non-empty cell. Targets: trilateral within 1.3x the floor and at
least 10x faster than pandas (end to end).

One more line, our own figure without a contender or a floor: the bootstrap, i.e.
``indices(path, countries=("USA", "RUS", "CHN"), period="month", n_boot=200, rng=0)``
(every arena and "all", directed and undirected intervals), also in a fresh process.

Usage: ``python benchmarks/bench_measure.py [--rows N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _util import Measurement, emit, fmt_bytes, print_table, run_contender

HERE = Path(__file__).resolve()
DEFAULT_ROWS = 10_000_000
SEED = 20190901
ALL_COUNTRIES = ("USA", "RUS", "CHN", "GBR", "FRA", "DEU", "JPN", "IND", "IRN", "UKR", "TUR", "BRA")
SHARE = (0.22, 0.14, 0.12, 0.08, 0.07, 0.07, 0.06, 0.06, 0.05, 0.05, 0.04, 0.04)
COUNTRIES = ALL_COUNTRIES[:10]
TRIAD = ("USA", "RUS", "CHN")
BOOT = 200
REPEAT = 3
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


def build_store(path: Path, rows: int, seed: int = SEED) -> float:
    """Write ``rows`` synthetic events into a new store at ``path``; return seconds taken."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    from trilateral.data._store_ddl import DDL, STORE_VERSION
    from trilateral.data.codebook import Codebook

    t0 = time.perf_counter()
    book = Codebook.load("gdelt").to_arrow()
    codes = [c for c in book.column("cameo").to_pylist() if len(c) >= 3]
    gen = np.random.default_rng(seed)
    # Zipf-like code frequencies over a seeded shuffle of the codebook
    freq = np.exp(-np.arange(len(codes)) / 25.0)
    freq /= freq.sum()
    order = gen.permutation(len(codes))
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.execute("INSERT INTO store_meta VALUES ('version', ?)", [str(STORE_VERSION)])
    con.register("book", book)
    con.register("ctry", pa.table({"k": np.arange(len(ALL_COUNTRIES)), "iso3": ALL_COUNTRIES}))
    con.register(
        "codes", pa.table({"k": np.arange(len(codes)), "cameo": [codes[i] for i in order]})
    )
    share = np.array(SHARE) / sum(SHARE)
    start = np.datetime64("2015-01-01")
    days = int((np.datetime64("2020-01-01") - start).astype(int))
    chunk = 2_000_000
    for lo in range(0, rows, chunk):
        n = min(chunk, rows - lo)
        src = gen.choice(len(ALL_COUNTRIES), size=n, p=share)
        tgt = gen.choice(len(ALL_COUNTRIES), size=n, p=share)
        same = src == tgt
        tgt[same] = (src[same] + gen.integers(1, len(ALL_COUNTRIES), size=int(same.sum()))) % len(
            ALL_COUNTRIES
        )
        # news volume grows over the window: day offsets from a rising triangular law
        day = np.minimum(gen.triangular(0, days, days, size=n).astype(np.int64), days - 1)
        gen_table = pa.table(
            {
                "i": np.arange(lo, lo + n, dtype=np.int64),
                "date": pa.array((start + day).astype("datetime64[D]")),
                "s": src,
                "t": tgt,
                "c": gen.choice(len(codes), size=n, p=freq),
                "w": gen.geometric(0.35, size=n).astype(np.int64),
            }
        )
        con.register("gen", gen_table)
        con.execute(
            "INSERT INTO events SELECT 'syn' || CAST(g.i AS VARCHAR), g.date, cs.iso3, ct.iso3, "
            "NULL, NULL, k.cameo, b.quad_class, b.goldstein, b.arena, g.w, 'synthetic', NULL, "
            "NULL, 1 FROM gen AS g JOIN ctry AS cs ON g.s = cs.k JOIN ctry AS ct ON g.t = ct.k "
            "JOIN codes AS k ON g.c = k.k JOIN book AS b ON k.cameo = b.cameo"
        )
        con.unregister("gen")
    con.close()
    return time.perf_counter() - t0


# ------------------------------------------------------------------ contenders (children)


def _best(work, repeat: int = REPEAT) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - t0)
    return min(times), times[0], out


def _ours(db: Path, work: Path, reuse: bool) -> None:
    import polars as pl

    from trilateral.data.store import EventStore
    from trilateral.measure._indices import indices

    store = EventStore.open(db, read_only=True) if reuse else None

    def run():  # type: ignore[no-untyped-def]
        return indices(store or db, countries=COUNTRIES, period="month", n_boot=0)

    best, first, idx = _best(run)
    if store is not None:
        store.close()
    frame = idx.frame.filter(pl.col("n_events") > 0)  # type: ignore[attr-defined]
    frame.select(KEYS + STATS).write_parquet(work / "out.parquet")
    emit(best, idx.frame.height, first=first)  # type: ignore[attr-defined]


def _ours_boot(db: Path, work: Path) -> None:
    """The triad's monthly index with ``n_boot=BOOT`` (no contender: our own figure)."""
    from trilateral.measure._indices import indices

    calls: list[tuple[int, int]] = []

    def run():  # type: ignore[no-untyped-def]
        calls.clear()
        return indices(
            db,
            countries=TRIAD,
            period="month",
            n_boot=BOOT,
            rng=0,
            progress=lambda done, total: calls.append((done, total)),
        )

    best, first, idx = _best(run)
    emit(best, idx.frame.height, first=first, cells=calls[-1][1] if calls else 0)  # type: ignore[attr-defined]


FLOOR_SQL = """
SELECT source, target, COALESCE(arena, 'all') AS arena,
       CAST(date_trunc('month', date) AS DATE) AS period_start,
       COUNT(*) AS n_events,
       COUNT(*) AS weight,
       AVG(goldstein) AS mean_goldstein,
       AVG(CASE WHEN quad_class >= 3 THEN 1.0 ELSE 0.0 END) AS conflict_share,
       AVG(CASE WHEN quad_class = 4 THEN 1.0 ELSE 0.0 END) AS material_conflict_share,
       AVG(CASE WHEN quad_class <= 2 THEN 1.0 ELSE 0.0 END) AS cooperation_share,
       SUM(CASE WHEN substr(cameo, 1, 2) IN ('18', '19', '20') THEN 1 ELSE 0 END)
           AS force_events
FROM events
WHERE source IN ({ph}) AND target IN ({ph}) AND source <> target
GROUP BY GROUPING SETS ((source, target, arena, date_trunc('month', date)),
                        (source, target, date_trunc('month', date)))
"""


def _floor(db: Path, work: Path, reuse: bool) -> None:
    import duckdb

    ph = ", ".join("?" for _ in COUNTRIES)
    sql = FLOOR_SQL.format(ph=ph)
    params = [*COUNTRIES, *COUNTRIES]
    shared = duckdb.connect(str(db), read_only=True) if reuse else None

    def run():  # type: ignore[no-untyped-def]
        if shared is not None:
            return shared.sql(sql, params=params).pl()
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.sql(sql, params=params).pl()
        finally:
            con.close()

    best, first, frame = _best(run)
    if shared is not None:
        shared.close()
    frame.write_parquet(work / "out.parquet")  # type: ignore[attr-defined]
    emit(best, frame.height, first=first)  # type: ignore[attr-defined]


def _pandas(db: Path, work: Path, reuse: bool = False) -> None:
    import duckdb
    import numpy as np
    import pandas as pd

    def load() -> pd.DataFrame:
        con = duckdb.connect(str(db), read_only=True)
        table = con.sql(
            "SELECT date, source, target, arena, cameo, quad_class, goldstein FROM events"
        ).to_arrow_table()
        con.close()
        return table.to_pandas(strings_to_categorical=True)

    def groupby(ev: pd.DataFrame) -> pd.DataFrame:
        ev = ev[
            ev["source"].isin(COUNTRIES)
            & ev["target"].isin(COUNTRIES)
            & (ev["source"].astype(str) != ev["target"].astype(str))
        ]
        q = ev["quad_class"].to_numpy()
        root = ev["cameo"].str[:2]
        ev = ev.assign(
            period_start=ev["date"].to_numpy().astype("datetime64[M]"),
            conflict=(q >= 3).astype(float),
            material=(q == 4).astype(float),
            coop=(q <= 2).astype(float),
            force=root.isin(["18", "19", "20"]).to_numpy().astype(np.int64),
        )
        agg = {
            "n_events": ("goldstein", "size"),
            "mean_goldstein": ("goldstein", "mean"),
            "conflict_share": ("conflict", "mean"),
            "material_conflict_share": ("material", "mean"),
            "cooperation_share": ("coop", "mean"),
            "force_events": ("force", "sum"),
        }
        per = ev.groupby(["source", "target", "arena", "period_start"], observed=True).agg(**agg)
        pooled = ev.groupby(["source", "target", "period_start"], observed=True).agg(**agg)
        pooled = pooled.assign(arena="all").set_index("arena", append=True)
        pooled = pooled.reorder_levels(["source", "target", "arena", "period_start"])
        out = pd.concat([per, pooled]).reset_index()
        out["weight"] = out["n_events"]
        return out

    frames: list[pd.DataFrame] = []
    t_load = []
    t_group = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        ev = load()
        t1 = time.perf_counter()
        frames = [groupby(ev)]
        t2 = time.perf_counter()
        t_load.append(t1 - t0)
        t_group.append(t2 - t1)
        del ev
    total = [a + b for a, b in zip(t_load, t_group, strict=True)]
    out = frames[0]
    for col in ("source", "target", "arena"):
        out[col] = out[col].astype(str)
    out["period_start"] = out["period_start"].astype("datetime64[ms]")
    out.to_parquet(work / "out.parquet")
    emit(min(total), len(out), groupby=min(t_group), load=min(t_load), first=total[0])


CONTENDERS = {
    "trilateral": lambda db, w: _ours(db, w, reuse=False),
    "duckdb SQL": lambda db, w: _floor(db, w, reuse=False),
    "trilateral, open store": lambda db, w: _ours(db, w, reuse=True),
    "duckdb SQL, open conn.": lambda db, w: _floor(db, w, reuse=True),
    "pandas": lambda db, w: _pandas(db, w),
}
# run like the contenders, reported on their own line (not compared: other numbers)
EXTRA = {"trilateral, bootstrap": _ours_boot}


# ------------------------------------------------------------------ the parent


def _compare(work: dict[str, Path]) -> list[str]:
    """Differences between the contenders' non-empty cells (empty list: they agree)."""
    import polars as pl

    frames = {}
    for name, w in work.items():
        f = pl.read_parquet(w / "out.parquet").select(KEYS + STATS)
        f = f.with_columns(
            pl.col("period_start").cast(pl.Date),
            pl.col("n_events").cast(pl.Int64),
            pl.col("weight").cast(pl.Int64),
            pl.col("force_events").cast(pl.Int64),
        )
        frames[name] = f.sort(KEYS)
    ref = frames["trilateral"]
    problems = []
    for name, f in frames.items():
        if name == "trilateral":
            continue
        if f.height != ref.height:
            problems.append(f"{name}: {f.height} cells vs {ref.height}")
            continue
        if not f.select(KEYS).equals(ref.select(KEYS)):
            problems.append(f"{name}: different cells")
            continue
        for col in STATS:
            diff = (f[col].cast(pl.Float64) - ref[col].cast(pl.Float64)).abs().max()
            if diff is None or float(diff) > 1e-9:  # type: ignore[arg-type]
                problems.append(f"{name}: {col} differs by up to {diff}")
    return problems


def _report(
    results: list[Measurement],
    rows: int,
    build_s: float,
    problems: list[str],
    boot: Measurement | None = None,
) -> None:
    by = {m.name: m for m in results}
    floor, ours, pandas = by["duckdb SQL"], by["trilateral"], by["pandas"]
    floor_open, ours_open = by["duckdb SQL, open conn."], by["trilateral, open store"]
    table = []
    for m in results:
        note = ""
        if m.name == "pandas":
            note = f"(load {m.extra['load']:.2f} s + groupby {m.extra['groupby']:.2f} s)"
        table.append(
            [
                m.name,
                f"{m.seconds:.3f}",
                f"{m.extra['first']:.3f}",
                f"{m.seconds / (floor_open if 'open' in m.name else floor).seconds:.2f}x",
                f"{m.rows:,}",
                fmt_bytes(m.peak_rss),
                note,
            ]
        )
    print(
        f"store: {rows:,} synthetic events (built in {build_s:.0f} s); monthly index of the "
        f"{len(COUNTRIES) * (len(COUNTRIES) - 1)} directed dyads among {len(COUNTRIES)} "
        "countries, 5 arenas + all, no bootstrap"
    )
    print_table(["contender", "best s", "first s", "vs floor", "rows out", "peak RSS", ""], table)
    print(
        "agreement on every non-empty cell: "
        + ("yes (counts exact, means and shares within 1e-9)" if not problems else "NO")
    )
    for p in problems:
        print(f"  {p}")
    checks = [
        (
            "trilateral within 1.3x of the DuckDB floor (a fresh connection per call)",
            ours.seconds / floor.seconds,
            ours.seconds <= 1.3 * floor.seconds,
        ),
        (
            "trilateral within 1.3x of the DuckDB floor (connection kept open)",
            ours_open.seconds / floor_open.seconds,
            ours_open.seconds <= 1.3 * floor_open.seconds,
        ),
        (
            "trilateral >= 10x faster than pandas (load + groupby)",
            pandas.seconds / ours.seconds,
            pandas.seconds >= 10 * ours.seconds,
        ),
        (
            "trilateral >= 10x faster than pandas groupby alone",
            pandas.extra["groupby"] / ours.seconds,
            pandas.extra["groupby"] >= 10 * ours.seconds,
        ),
    ]
    print("targets:")
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {label}: {value:.2f}x")
    if boot is not None:
        print(
            f"bootstrap: indices(countries={'/'.join(TRIAD)}, period='month', n_boot={BOOT}) "
            f"best {boot.seconds:.2f} s (first {boot.extra['first']:.2f} s), "
            f"{boot.extra['cells']:,} cells bootstrapped (directed + undirected), "
            f"{boot.rows:,} rows, peak RSS {fmt_bytes(boot.peak_rss)} (no floor: our own figure)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store in this directory")
    parser.add_argument(
        "--contender", choices=sorted({**CONTENDERS, **EXTRA}), help=argparse.SUPPRESS
    )
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.contender:  # we are a child
        {**CONTENDERS, **EXTRA}[args.contender](args.db, args.work)
        return

    with tempfile.TemporaryDirectory(prefix="trilateral-bench-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        db = base / f"synthetic_{args.rows}.duckdb"
        build_s = 0.0
        if not db.exists():
            print(f"building a store of {args.rows:,} synthetic events …", flush=True)
            build_s = build_store(db, args.rows)
        results, work = [], {}
        for name in CONTENDERS:
            w = Path(tempfile.mkdtemp(prefix="contender-", dir=tmp))
            work[name] = w
            print(f"running {name} …", flush=True)
            child = [str(HERE), "--contender", name, "--db", str(db), "--work", str(w)]
            results.append(run_contender(name, child))
        boot = None
        for name in EXTRA:
            w = Path(tempfile.mkdtemp(prefix="contender-", dir=tmp))
            print(f"running {name} …", flush=True)
            child = [str(HERE), "--contender", name, "--db", str(db), "--work", str(w)]
            boot = run_contender(name, child)
        _report(results, args.rows, build_s, _compare(work), boot)


if __name__ == "__main__":
    sys.exit(main())
