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

Usage: ``python benchmarks/bench_serve.py [--db STORE] [--requests N] [--seconds S]``
(without --db the demo store is built in a temporary folder).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SERVER = r"""
import sys
from pathlib import Path

import uvicorn

mode, db, body, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode == "trilateral":
    from trilateral.serve import create_app

    app = create_app(db)
else:
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()
    payload = Path(body).read_bytes()

    @app.get("/api/indices")
    def indices() -> Response:
        return Response(payload, media_type="application/json")

uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""

PARAMS = {"start": "2014-01-01", "end": "2019-12-31", "period": "month", "n_boot": 0}


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--cold", type=int, default=12)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from trilateral.pipeline import run_demo

            print("building the demo store …", flush=True)
            db = run_demo(Path(tmp) / "demo", n_boot=0).store
        body = Path(tmp) / "body.json"
        with _Server("trilateral", db, body) as srv, httpx.Client(base_url=srv.url) as c:
            # cold: a different window each time (nothing cached for it)
            cold_params = [
                {**PARAMS, "start": f"{2014 + i // 12}-{i % 12 + 1:02d}-01"}
                for i in range(args.cold)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
