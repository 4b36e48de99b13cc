"""The dashboard's indices endpoint: requests per second and p95 latency, cold and cached,
side by side with a bare FastAPI endpoint returning the same JSON precomputed (the floor).

Both servers run in their own uvicorn process on 127.0.0.1 (a free port each); one client
sends requests one after another (keep-alive), so the figures are per-request latency,
not concurrency. Contenders:

* ``trilateral, cold``: ``/api/indices`` with a parameter set it has not seen (a new
  window each time: the cache misses and the index is computed from the store);
* ``trilateral, cached``: the same request again and again (served from the cache per
  store version: a stat of the store file, validation, a dictionary lookup);
* ``bare FastAPI (floor)``: one endpoint returning the bytes of the cached response.

Target: cached within 2x of the floor (requests per second). Loops are bounded in count
and in time.

Then the dashboard under a concurrent ingest (issue 21, item 6): ``--clients`` threads
request the page's views (indices and figures, warmed first) for ``--seconds``, once
with the store quiet and once while ``trilateral ingest`` adds shared data files to it
one after another (a copy of the store). Printed: requests per second and p95 of both,
and the share of answers served stale. Target: under ingest ≥ 50 % of the quiet
throughput and p95 < 1 s.

Usage: ``python benchmarks/bench_serve.py [--db STORE] [--requests N] [--seconds S]
[--clients C] [--data DIR]`` (without --db the demo store is built in a temporary
folder; --data defaults to ../shared/data).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

#: Files the ingest phase adds (under --data), in order; those missing are skipped.
INGEST = (
    "icews/icews18_tkg_valid/valid.txt",
    "icews/icews18_train/train.txt.gz",
    "icews/icews_raw_sample_2018/events.2018.sample.tab",
    "gdelt/gdelt2_sample_2017",
    "gdelt/gdelt1_sample_2016",
)
#: The views the load phase asks for, in turn (the page's requests on load).
VIEWS: list[tuple[str, dict[str, str | int]]] = [
    ("/api/indices", {"n_boot": 0, "period": "month", "start": "2014-01-01"}),
    ("/api/figures/index", {"n_boot": 0, "dyad": "RUS-USA"}),
    ("/api/figures/regimes", {"n_boot": 0}),
    ("/api/figures/triangle", {"n_boot": 0}),
    ("/api/figures/power", {}),
    ("/api/claims", {}),
]

SERVER = r"""
import sys
from pathlib import Path

import uvicorn

mode, db, body, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode == "trilateral":
    from trilateral.serve import create_app

    app = create_app(db)
    try:
        from trilateral.serve._run import UVICORN_OPTIONS
    except ImportError:  # a checkout before the options existed (for a comparison)
        UVICORN_OPTIONS = {"log_level": "warning"}
else:
    UVICORN_OPTIONS = {"log_level": "warning"}
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()
    payload = Path(body).read_bytes()

    @app.get("/api/indices")
    def indices() -> Response:
        return Response(payload, media_type="application/json")

uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN_OPTIONS)
"""

PARAMS: dict[str, str | int] = {
    "start": "2014-01-01",
    "end": "2019-12-31",
    "period": "month",
    "n_boot": 0,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    def __init__(self, mode: str, db: Path, body: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, mode, str(db), str(body), str(self.port)]
        )

    def __enter__(self) -> _Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                httpx.get(self.url + "/openapi.json", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError("server did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _load(client: httpx.Client, params_seq: list[dict], seconds: float) -> list[float]:
    """Latencies of the requests, in order; stops after ``len(params_seq)`` or ``seconds``."""
    out = []
    stop = time.monotonic() + seconds
    for params in params_seq:
        t0 = time.perf_counter()
        r = client.get("/api/indices", params=params)
        out.append(time.perf_counter() - t0)
        r.raise_for_status()
        if time.monotonic() > stop:
            break
    return out


def _row(name: str, lat: list[float], floor_rps: float | None) -> str:
    rps = len(lat) / sum(lat)
    p95 = statistics.quantiles(lat, n=20)[-1] if len(lat) >= 20 else max(lat)
    ratio = "" if floor_rps is None else f"{floor_rps / rps:>8.2f}x"
    return f"{name:<24} {len(lat):>6} {rps:>10.1f} {p95 * 1000:>10.2f} {ratio}"


def _clients(url: str, clients: int, seconds: float) -> tuple[list[float], int, int]:
    """``clients`` threads asking for :data:`VIEWS` in turn for ``seconds``: the
    latencies, the count of stale answers, and the count of non-200 answers."""
    import threading

    lat: list[float] = []
    counts = {"stale": 0, "bad": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(k: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as c:
            i = k
            while time.monotonic() < stop:
                path, params = VIEWS[i % len(VIEWS)]
                t0 = time.perf_counter()
                r = c.get(path, params=params)
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    counts["stale"] += "x-stale" in r.headers
                    counts["bad"] += r.status_code != 200
                i += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, counts["stale"], counts["bad"]


def _ingest_loop(store: Path, files: list[Path], stop: float) -> int:
    """``trilateral ingest`` of each file in turn into ``store`` until ``stop``; files."""
    done = 0
    for f in files:
        if time.monotonic() > stop:
            break
        cmd = [sys.executable, "-m", "trilateral.cli", "ingest", str(f), "--db", str(store)]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        done += 1
    return done


def under_ingest(db: Path, data: Path, tmp: Path, clients: int, seconds: float) -> None:
    """Throughput and p95 of the page's views, quiet and during an ingest (a copy)."""
    import threading

    store = tmp / "ingest-copy.duckdb"
    shutil.copy(db, store)
    files = [data / f for f in INGEST if (data / f).exists()]
    with _Server("trilateral", store, tmp / "none.json") as srv:
        for path, params in VIEWS:  # warm: every view computed once
            httpx.get(srv.url + path, params=params, timeout=300).raise_for_status()
        quiet, _, bad_q = _clients(srv.url, clients, seconds)
        stop = time.monotonic() + seconds
        box: list[int] = []
        ingest = threading.Thread(target=lambda: box.append(_ingest_loop(store, files, stop)))
        ingest.start()
        busy, stale, bad_b = _clients(srv.url, clients, seconds)
        ingest.join()
    rows = [("quiet", quiet, bad_q, 0), ("during ingest", busy, bad_b, stale)]
    print(
        f"\nthe page's views, {clients} clients, {seconds:.0f} s each; ingest of "
        f"{box[0] if box else 0} file(s) from {data}"
    )
    print(f"{'store':<16} {'n':>6} {'req/s':>9} {'p95 ms':>9} {'stale':>6} {'non-200':>8}")
    rps = {}
    for name, lat, bad, st in rows:
        rps[name] = len(lat) / seconds
        p95 = statistics.quantiles(lat, n=20)[-1] if len(lat) >= 20 else max(lat)
        print(f"{name:<16} {len(lat):>6} {rps[name]:>9.1f} {p95 * 1000:>9.1f} {st:>6} {bad:>8}")
    share = rps["during ingest"] / rps["quiet"]
    p95_busy = statistics.quantiles(busy, n=20)[-1] if len(busy) >= 20 else max(busy)
    met = share >= 0.5 and p95_busy < 1
    print(
        f"during ingest: {share:.0%} of the quiet throughput, p95 {p95_busy * 1000:.0f} ms "
        f"(target ≥ 50 %, < 1000 ms): {'met' if met else 'NOT met'}"
    )


def _versus_floor(db: Path, tmp: Path, args: argparse.Namespace) -> None:
    """Cold and cached ``/api/indices`` against a bare FastAPI endpoint (the floor)."""
    body = tmp / "body.json"
    with _Server("trilateral", db, body) as srv, httpx.Client(base_url=srv.url) as c:
        # cold: a different window each time (nothing cached for it)
        cold_params = [
            {**PARAMS, "start": f"{2014 + i // 12}-{i % 12 + 1:02d}-01"} for i in range(args.cold)
        ]
        cold = _load(c, cold_params, args.seconds)
        body.write_bytes(c.get("/api/indices", params=PARAMS).content)
        _load(c, [PARAMS] * 50, args.seconds)  # warm-up
        cached = _load(c, [PARAMS] * args.requests, args.seconds)
    body_size = body.stat().st_size
    with _Server("floor", db, body) as srv, httpx.Client(base_url=srv.url) as c:
        _load(c, [PARAMS] * 50, args.seconds)
        floor = _load(c, [PARAMS] * args.requests, args.seconds)
    floor_rps = len(floor) / sum(floor)
    print(f"indices endpoint, monthly, 2014–2019, response of {body_size} bytes")
    print(f"{'contender':<24} {'n':>6} {'req/s':>10} {'p95 ms':>10} {'floor/this':>9}")
    print(_row("trilateral, cold", cold, floor_rps))
    print(_row("trilateral, cached", cached, floor_rps))
    print(_row("bare FastAPI (floor)", floor, None))
    ratio = floor_rps / (len(cached) / sum(cached))
    print(
        f"cached vs floor: {ratio:.2f}x slower (target ≤ 2x): {'met' if ratio <= 2 else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--cold", type=int, default=12)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--data", type=Path, default=Path(__file__).parents[1] / "../shared/data")
    ap.add_argument("--skip-floor", action="store_true", help="only the ingest comparison")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from trilateral.pipeline import run_demo

            print("building the demo store …", flush=True)
            db = run_demo(Path(tmp) / "demo", n_boot=0).store
        if not args.skip_floor:
            _versus_floor(db, Path(tmp), args)
        under_ingest(db, args.data.resolve(), Path(tmp), args.clients, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
