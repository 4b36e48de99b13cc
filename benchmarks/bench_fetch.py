"""Fetch throughput: ``fetch_gdelt2`` vs the floor (plain download + unzip + DuckDB read).

A local mirror (``tests/gdelt_mirror.py``, 127.0.0.1) serves ``--files`` GDELT 2.0
export files, one per 15-minute slot from 2018-03-26 00:00, each a zipped copy of one
of the two untouched real exports of ``shared/data/gdelt/gdelt2_raw_exports``
(1,540 and 2,111 rows, alternating) with its GLOBALEVENTIDs offset by the copy number —
so no two files have the same content and the store does not skip any as a duplicate —
and a master list with each file's size and MD5.

Contenders (same files, same server, a fresh store or folder each):

* ``trilateral fetch``: ``fetch_gdelt2(…, countries=None, jobs=4)`` — list, download 4
  at once, size + MD5 + zip check, ``EventStore.ingest`` of every row (one transaction a
  file), the fetch ledger, raw files deleted;
* ``floor``: httpx downloads of the same URLs (4 threads, one client), unzip to plain
  files, then one ``CREATE TABLE AS SELECT * FROM read_csv([...])`` into a DuckDB file —
  no verification, no validation, no ledger.

Rows/s is rows of the files over wall time. The target: trilateral >= 0.7x the floor.

Usage: ``python benchmarks/bench_fetch.py [--files N] [--repeat K]`` (with ``--repeat`` the
contenders alternate, and each one's best round is shown with all its rounds).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from gdelt_mirror import Mirror, Server, zipped  # noqa: E402
from trilateral.data import fetch_gdelt2  # noqa: E402

EXPORTS = ROOT.parent / "shared" / "data" / "gdelt" / "gdelt2_raw_exports"
START = datetime(2018, 3, 26)


def _copies(n: int) -> tuple[list[tuple[str, bytes]], int]:
    """``n`` (slot, zipped export) pairs with distinct event ids, and their total rows."""
    seeds = [p.read_bytes().splitlines() for p in sorted(EXPORTS.glob("*.export.CSV"))]
    files, rows = [], 0
    for i in range(n):
        lines = seeds[i % len(seeds)]
        out = []
        for line in lines:
            eid, rest = line.split(b"\t", 1)
            out.append(str(int(eid) + (i + 1) * 10_000_000_000).encode() + b"\t" + rest)
        slot = (START + timedelta(minutes=15 * i)).strftime("%Y%m%d%H%M%S")
        files.append((slot, zipped(f"{slot}.export.CSV", b"\n".join(out) + b"\n")))
        rows += len(out)
    return files, rows


def _publish(m: Mirror, files: list[tuple[str, bytes]]) -> list[str]:
    lines, urls = [], []
    for slot, data in files:
        path = f"/gdeltv2/{slot}.export.CSV.zip"
        m.put(path, data)
        lines.append(f"{len(data)} {hashlib.md5(data).hexdigest()} "
                     f"http://data.gdeltproject.org{path}")  # fmt: skip
        urls.append(m.url + path)
    m.put("/gdeltv2/masterfilelist.txt", ("\n".join(lines) + "\n").encode())
    m.put("/gdeltv2/lastupdate.txt", (lines[-1] + "\n").encode())
    return urls


def _floor(urls: list[str], work: Path) -> float:
    t0 = time.perf_counter()
    with httpx.Client(limits=httpx.Limits(max_connections=4)) as client:

        def get(url: str) -> Path:
            p = work / url.rsplit("/", 1)[-1]
            p.write_bytes(client.get(url).content)
            with zipfile.ZipFile(p) as z:
                z.extractall(work)
            return work / p.name.removesuffix(".zip")

        with ThreadPoolExecutor(4) as pool:
            plain = [str(p) for p in pool.map(get, urls)]
    con = duckdb.connect(str(work / "floor.duckdb"))
    con.execute(
        "CREATE TABLE events AS SELECT * FROM read_csv(?, delim='\t', header=false, "
        "quote='', escape='', all_varchar=true)",
        [plain],
    )
    con.close()
    return time.perf_counter() - t0


def _fetch(url: str, work: Path, start: datetime, end: object, rows: int) -> float:
    t0 = time.perf_counter()
    report = fetch_gdelt2(start.date(), end, countries=None, db=work / "t.duckdb", mirror=url,
                          jobs=4)  # fmt: skip
    seconds = time.perf_counter() - t0
    assert report.ok and report.rows == rows, (report.summary(), rows)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=192, help="export files (default 192: 2 days)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds, alternating; best shown")
    args = ap.parse_args()
    files, rows = _copies(args.files)
    end = (START + timedelta(days=(args.files - 1) // 96)).date()
    t_fetch, t_floor = [], []
    with Server(Mirror()) as m:
        urls = _publish(m, files)
        for _ in range(args.repeat):  # alternating, so a load change hits both
            with tempfile.TemporaryDirectory() as tmp:
                t_fetch.append(_fetch(m.url, Path(tmp), START, end, rows))
            with tempfile.TemporaryDirectory() as tmp:
                t_floor.append(_floor(urls, Path(tmp)))
    mb = sum(len(d) for _, d in files) / 1e6
    print(f"{args.files} files, {mb:.1f} MB zipped, {rows:,} rows (local mirror, 4 downloads "
          f"at once), best of {args.repeat}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'contender':<34}{'seconds':>9}{'rows/s':>12}   all rounds (s)")
    for name, ts in (("trilateral fetch (verify+ingest)", t_fetch),
                     ("floor (download+unzip+read_csv)", t_floor)):  # fmt: skip
        best = min(ts)
        print(f"{name:<34}{best:>9.2f}{rows / best:>12,.0f}   {', '.join(f'{t:.1f}' for t in ts)}")
    ratio = min(t_floor) / min(t_fetch)
    print(
        f"ratio trilateral/floor: {ratio:.2f}x (target >= 0.7x: {'met' if ratio >= 0.7 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
