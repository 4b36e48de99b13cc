"""The dashboard under load: concurrent first requests to a fresh server, concurrent
misses of one key computed once, stale answers while the store changes, and the limits
of a request (long URLs, long inputs echoed). Issue 21, item 6."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from trilateral.serve import create_app
from trilateral.serve._cache import ResultCache

FIGURES = ("index", "triangle", "regimes", "power", "reciprocity", "titfortat", "forecast")
# what the page sends on load (dashboard.js: params())
PAGE = {"countries": "USA,RUS,CHN", "n_boot": "100", "dyad": "CHN-RUS", "period": "year"}


@pytest.mark.slow
def test_twenty_concurrent_first_requests_to_a_fresh_server_all_succeed(
    demo_store, fresh_server
) -> None:
    """The dashboard's first figure requests arrive together; plotly's lookup of a
    half-imported pandas answered 500 to 2-3 of 8. A fresh process (``trilateral serve``)
    must answer all 20 (the store figures and the claims, several twice) with 200; and it
    answers a Host given with ``--allowed-host``."""
    urls = [f"/api/figures/{FIGURES[i % len(FIGURES)]}" for i in range(18)]
    urls += ["/api/claims", "/api/meta"]
    start = threading.Barrier(len(urls))

    def get(url: str) -> tuple[str, int, str]:
        with httpx.Client(base_url=server.url, timeout=300) as c:
            start.wait()
            r = c.get(url, params=PAGE)
            return url, r.status_code, r.text[:300]

    with (
        fresh_server(demo_store, "--allowed-host", "dash.example") as server,
        ThreadPoolExecutor(len(urls)) as pool,
    ):
        got = list(pool.map(get, urls))
        other = httpx.get(server.url + "/api/meta", headers={"Host": "dash.example:80"})
        evil = httpx.get(server.url + "/api/meta", headers={"Host": "evil.example"})
    assert [g for g in got if g[1] != 200] == []
    assert other.status_code == 200 and evil.status_code == 400


def test_the_app_imports_at_start_up_what_plotly_looks_up_without_importing(
    demo_store,
) -> None:
    """The cause of the 500s: plotly takes pandas from ``sys.modules`` without importing
    it, so a pandas half-imported by another request thread broke its encoder. After
    ``create_app`` in a fresh interpreter, pandas is fully imported."""
    code = (
        "import sys\n"
        "from trilateral.serve import create_app\n"
        f"create_app({str(demo_store)!r})\n"
        "pd = sys.modules.get('pandas')\n"
        "print(pd is not None and hasattr(pd, 'Series') and hasattr(pd, 'DataFrame'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "True", out.stderr


# ---------------------------------------------------------------------- single flight
def _concurrently(n: int, fn) -> list:
    start = threading.Barrier(n)

    def call(_: int):
        start.wait()
        try:
            return fn()
        except Exception as exc:  # returned, so that every thread's outcome is compared
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_concurrent_misses_of_one_key_compute_once() -> None:
    cache = ResultCache(8)
    calls = []

    def make() -> list[int]:
        calls.append(1)
        time.sleep(0.3)  # long enough that every thread misses while it runs
        return [42]

    got = _concurrently(20, lambda: cache.get(("k", 1), make))
    assert len(calls) == 1
    assert all(g is got[0] for g in got) and got[0] == [42]
    assert cache.misses == 1


def test_a_failed_computation_fails_every_waiter_and_is_not_cached() -> None:
    cache = ResultCache(8)
    calls = []

    def fail() -> None:
        calls.append(1)
        time.sleep(0.3)
        raise ValueError("no data")

    got = _concurrently(10, lambda: cache.get("k", fail))
    assert len(calls) == 1
    assert all(isinstance(g, ValueError) and str(g) == "no data" for g in got)
    assert cache.get("k", lambda: "now") == "now"  # the error was not kept


def test_concurrent_identical_cold_requests_compute_the_index_once(
    demo_store, server_for, monkeypatch
) -> None:
    """Twenty identical cold requests to the live server: the index of each evidence base
    is computed once (was: once per request, 27 times the CPU)."""
    import trilateral.measure as measure

    n_bases = len(measure.evidence_bases(demo_store, cited=None))
    real = measure.index_of_base
    calls: list[tuple] = []

    def counted(*args, **kwargs):
        calls.append((args, tuple(sorted(kwargs))))
        return real(*args, **kwargs)

    monkeypatch.setattr(measure, "index_of_base", counted)
    params = {"start": "2010-01-01", "end": "2012-12-31", "n_boot": "0", "period": "quarter"}
    with server_for(create_app(demo_store)) as server:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            c.get("/api/meta").raise_for_status()  # validation facts, not the index
            before = len(calls)

            def get() -> int:
                with httpx.Client(base_url=server.url, timeout=120) as cc:
                    return cc.get("/api/indices", params=params).status_code

            statuses = _concurrently(20, get)
    assert statuses == [200] * 20
    assert n_bases >= 2 and len(calls) - before == n_bases


# ---------------------------------------------------------------------- stale answers
def test_latest_serves_the_old_answer_marked_with_its_version_until_the_new_is_ready() -> None:
    cache = ResultCache(8)
    assert cache.latest("k", "v1", lambda: "old") == ("old", "v1")
    release = threading.Event()

    def slow_new() -> str:
        release.wait(10)
        return "new"

    t0 = time.monotonic()
    assert cache.latest("k", "v2", slow_new) == ("old", "v1")  # at once, not after make
    assert cache.latest("k", "v2", slow_new) == ("old", "v1")
    assert time.monotonic() - t0 < 1
    release.set()
    deadline = time.monotonic() + 10
    while cache.latest("k", "v2", slow_new) != ("new", "v2"):
        assert time.monotonic() < deadline, "the new answer never replaced the old"
        time.sleep(0.02)


def test_a_failed_refresh_keeps_serving_the_old_answer() -> None:
    cache = ResultCache(8)
    cache.latest("k", "v1", lambda: "old")

    def locked() -> str:
        raise RuntimeError("store locked")

    for _ in range(5):
        assert cache.latest("k", "v2", locked) == ("old", "v1")
        time.sleep(0.05)


def test_a_changed_store_is_answered_at_once_from_the_old_answer_marked_stale(
    demo_store, tmp_path, server_for
) -> None:
    """An ingest changes the store's version with every write. The dashboard answers
    from the old result, marked ``X-Stale: true`` with the version it belongs to, and
    computes the new one in the background (was: every request recomputed)."""
    store = tmp_path / "live.duckdb"
    shutil.copy(demo_store, store)
    params = {"start": "2012-01-01", "end": "2013-12-31", "n_boot": "0", "arena": "all"}
    with (
        server_for(create_app(store)) as server,
        httpx.Client(base_url=server.url, timeout=120) as c,
    ):
        first = c.get("/api/indices", params=params)
        assert first.status_code == 200 and "x-stale" not in first.headers
        st = store.stat()
        os.utime(store, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # a new version
        version = c.get("/api/meta").json()["version"]
        assert version != first.headers["x-store-version"]
        again = c.get("/api/indices", params=params)
        assert again.status_code == 200
        assert again.headers["x-stale"] == "true"
        assert again.headers["x-store-version"] == first.headers["x-store-version"]
        assert again.content == first.content
        deadline = time.monotonic() + 60
        while "x-stale" in (r := c.get("/api/indices", params=params)).headers:
            assert time.monotonic() < deadline, "never refreshed"
            time.sleep(0.1)
        assert r.headers["x-store-version"] == version and r.content == first.content


# ---------------------------------------------------------------------- request limits
def test_a_url_of_100_kb_gets_414_not_a_reset(live_server) -> None:
    import http.client
    import json

    # http.client, since httpx refuses to send a URL this long
    con = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=30)
    try:
        con.request("GET", "/api/indices?countries=" + "USA," * 25_000)
        r = con.getresponse()
        status, body = r.status, r.read()
        csp, nosniff = r.getheader("content-security-policy"), r.getheader("x-content-type-options")
    finally:
        con.close()
    assert status == 414
    assert "frame-ancestors 'none'" in csp and nosniff == "nosniff"
    assert "at most" in json.loads(body)["hint"]


def test_a_422_does_not_echo_a_long_input_back(client) -> None:
    long = "USAX" * 1_500  # 6,000 characters: under the URL limit, over max_length 200
    r = client.get("/api/indices", params={"countries": long})
    assert r.status_code == 422
    assert len(r.content) < 1_000
    assert "(6000 characters)" in r.text


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        yield c
