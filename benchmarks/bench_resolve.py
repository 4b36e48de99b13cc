"""The resolve-actors step on the ICEWS05-15 corpus: column-wise vs row by row, side by side.

The input is the ICEWS05-15 knowledge-graph file (``shared/data/icews/icews05-15/
all.txt.gz``, 461,329 rows), read once with the ICEWS-TKG reader (its batches hand the
actor names on, unresolved) and held in memory. Two contenders resolve the same batches
with the same shipped :class:`ActorResolver`, interleaved round by round:

* ``ResolveActors`` (the pipeline's step, ``data/ingest/_actors.py``): each distinct name
  of a batch looked up once, codes taken as whole columns, only a person's rows picked
  by date;
* ``row by row`` (the baseline): what the ICEWS-TKG reader did per row before the step
  existed — a dict of ``resolver.match(name)`` per name, then ``Term.pick(match, date)``
  and a counter update for each side of each row, into Python lists.

Both must give the same codes and the same unresolved counts (checked, or the benchmark
stops). Printed: seconds (best of ``--repeat``), rows per second, and the ratio of the
baseline's time to the step's.

Usage: ``python benchmarks/bench_resolve.py [--repeat K] [--file PATH]``.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa

from _util import load_average, print_table
from trilateral.data.actors import ActorResolver, Term
from trilateral.data.ingest import ResolveActors
from trilateral.data.readers import ReadBatch, read

HERE = Path(__file__).resolve()
DEFAULT = HERE.parents[2] / "shared" / "data" / "icews" / "icews05-15" / "all.txt.gz"


def _row_by_row(batches: list[ReadBatch], resolver: ActorResolver) -> tuple[list, Counter]:
    """The baseline: per row and side, a cached match and a pick by date."""
    cache: dict[str, str | tuple[Term, ...] | None] = {}
    unresolved: Counter[str] = Counter()
    out = []
    for b in batches:
        assert b.names is not None
        dates = b.events.column("date").to_pylist()
        cols = []
        for side in ("source", "target"):
            codes = []
            for name, on in zip(b.names.column(side).to_pylist(), dates, strict=True):
                if name is None:
                    codes.append(None)
                    continue
                m = cache.get(name, ...)
                if m is ...:
                    m = cache[name] = resolver.match(name)
                iso = Term.pick(m, on)  # type: ignore[arg-type]
                if iso is None:
                    unresolved[name] += 1
                codes.append(iso)
            cols.append(pa.array(codes, pa.string()))
        out.append(cols)
    return out, unresolved


def _step(batches: list[ReadBatch], resolver: ActorResolver) -> tuple[list, Counter]:
    step = ResolveActors(resolver)
    out = []
    for b in batches:
        r = step.resolve(b, "actors")
        out.append([r.events.column("source"), r.events.column("target")])
    return out, step.unresolved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; best kept")
    parser.add_argument("--file", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    if not args.file.is_file():
        raise FileNotFoundError(f"{args.file}: not found (give the ICEWS05-15 file with --file)")
    print(f"reading {args.file.name} …", flush=True)
    batches = list(read(args.file, "icews_tkg"))
    rows = sum(b.events.num_rows for b in batches)
    resolver = ActorResolver.load()
    contenders = {"row by row (baseline)": _row_by_row, "ResolveActors (the step)": _step}
    best: dict[str, float] = {}
    results = {}
    for round_ in range(max(1, args.repeat)):
        for name, run in contenders.items():
            print(f"round {round_ + 1}: {name} …", flush=True)
            t0 = time.perf_counter()
            results[name] = run(batches, resolver)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
    (base_cols, base_un), (step_cols, step_un) = results.values()
    same = base_un == step_un and all(
        a.equals(b)
        for x, y in zip(base_cols, step_cols, strict=True)
        for a, b in zip(x, y, strict=True)
    )
    if not same:
        raise RuntimeError("the two contenders disagree: the step is wrong")
    base_s = best["row by row (baseline)"]
    table = [
        [name, f"{rows:,}", f"{s:.3f}", f"{rows / s:,.0f}", f"{base_s / s:.2f}x"]
        for name, s in best.items()
    ]
    print(f"\n{args.file.name}: {rows:,} rows, {len(batches)} batches; both give the same codes "
          f"and unresolved counts ({sum(step_un.values()):,} row sides unresolved)")  # fmt: skip
    print_table(["contender", "rows", "seconds", "rows/s", "baseline s / s"], table)
    print(f"load average: {load_average()}")


if __name__ == "__main__":
    main()
