"""The dashboard's JSON API over a live server: each endpoint, bad inputs, caching,
read-only access while an ingest runs, and a schemathesis run with no 5xx."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import polars as pl
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from trilateral.data import EventStore
from trilateral.diagnose import run_claims
from trilateral.measure import ReciprocityModel, indices
from trilateral.serve import MAX_PERIODS, create_app


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        yield c


WINDOW = {"start": "2014-01-01", "end": "2019-12-31"}


def test_indices_are_the_measure_stage_numbers(client, demo_store) -> None:
    r = client.get(
        "/api/indices",
        params={**WINDOW, "dyad": "USA-RUS", "arena": "all", "n_boot": 0, "base": "combined"},
    )
    assert r.status_code == 200
    got = pl.DataFrame(r.json())
    want = (
        indices(
            demo_store,
            period="year",
            n_boot=0,
            collapse_duplicates=True,
            dedup="cross-dataset",
            **WINDOW,
        )
        .symmetric()
        .frame.filter((pl.col("dyad") == "RUS-USA") & (pl.col("arena") == "all"))
    )
    assert got["period_start"].to_list() == [str(d) for d in want["period_start"]]
    assert got["mean_goldstein"].to_list() == pytest.approx(want["mean_goldstein"].to_list())
    assert set(got["dyad"]) == {"RUS-USA"}


@pytest.mark.parametrize(
    ("path", "params", "column"),
    [
        ("/api/regimes", WINDOW, "rule"),
        ("/api/triangle", WINDOW, "pivot"),
        ("/api/power", {"indicator": "cinc", "start_year": 2000, "end_year": 2010}, "ratio"),
        ("/api/titfortat", {**WINDOW, "window_days": 30}, "answer_rate"),
    ],
)
def test_each_endpoint_answers_with_rows(client, path, params, column) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    rows = r.json()
    assert rows and column in rows[0]


def test_power_rows_are_within_the_years_asked(client) -> None:
    rows = client.get(
        "/api/power", params={"indicator": "cinc", "start_year": 2000, "end_year": 2010}
    ).json()
    assert {r["year"] for r in rows} == set(range(2000, 2011))
    assert {r["indicator"] for r in rows} == {"cinc"}


def test_reciprocity_endpoint(client) -> None:
    body = client.get("/api/reciprocity", params=WINDOW).json()
    assert set(body["endogenous_share"]) == {"USA", "RUS", "CHN"}
    assert body["irf"] and body["k_ar"] >= 1


def test_reciprocity_with_no_dynamics_shows_no_responses(client, demo_store) -> None:
    # on the demo's monthly triad 2014-2019 every criterion chooses 0 lags (measure's own
    # ReciprocityModel.fit example): the dashboard must say so, as the report does, and
    # never draw the forced VAR(1)'s responses as findings
    monthly = indices(demo_store, period="month", n_boot=0, **WINDOW)
    assert ReciprocityModel(monthly).fit().no_dynamics
    body = client.get("/api/reciprocity", params=WINDOW).json()
    assert body["no_dynamics"] is True and body["selected_orders"][body["ic"]] == 0
    fig = client.get("/api/figures/reciprocity", params=WINDOW).json()
    assert [t["type"] for t in fig["data"]] == ["bar"]
    assert "not a finding" in fig["data"][0]["name"]
    notes = " ".join(a.get("text", "") for a in fig["layout"]["annotations"])
    assert "No detectable dynamics" in notes and "chose 0 lags (orders chosen: AIC 0" in notes


def test_titfortat_figure_shows_chance_beside_each_answer_rate(client) -> None:
    # issue 18: an answer rate is shown against its chance baseline, per base and dyad;
    # the dashboard's figure draws the same pairs of bars as the report's
    fig = client.get("/api/figures/titfortat", params={**WINDOW, "window_days": 30}).json()
    names = [t.get("name", "") for t in fig["data"] if t["type"] == "bar"]
    rates = [n for n in names if n.endswith(": answer rate")]
    chance = [n for n in names if n.endswith(": chance rate")]
    assert rates and len(chance) == len(rates)
    assert {n.split(":")[0] for n in chance} == {n.split(":")[0] for n in rates}


def test_serve_horizon_cap_is_the_forecast_stage_cap(client) -> None:
    # one cap (issue 21 item 3): the library's, not a copy in serve
    from trilateral.forecast import MAX_HORIZON
    from trilateral.serve import _views

    assert not hasattr(_views, "MAX_HORIZON")
    for path in ("/api/figures/forecast", "/api/forecasts"):
        r = client.get(path, params={"horizon": MAX_HORIZON + 1})
        assert r.status_code == 422, (path, r.text)


def test_claims_filtered_by_verdict(client, demo_store) -> None:
    report = run_claims(store=demo_store, rng=0)
    want = [r.id for r in report.results if r.verdict == "contradicted"]
    rows = client.get("/api/claims", params={"verdict": "contradicted"}).json()
    assert [r["id"] for r in rows] == want
    assert all(r["quote"] and isinstance(r["figures"], dict) for r in rows)


def test_meta_and_openapi(client) -> None:
    meta = client.get("/api/meta").json()
    assert set(meta["countries"]) >= {"USA", "RUS", "CHN"} and meta["events"] > 0
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/indices",
        "/api/regimes",
        "/api/triangle",
        "/api/power",
        "/api/claims",
        "/api/titfortat",
        "/api/reciprocity",
    ):
        assert p in paths


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/api/indices", {"countries": "USA,XYZ"}, "unknown country codes: XYZ"),
        ("/api/indices", {"countries": "USA,RUS,usa"}, "two different"),
        ("/api/indices", {"start": "2019-02-30"}, "not a date"),
        ("/api/indices", {"start": "2019-01-01", "end": "2015-01-01"}, "after end"),
        (
            "/api/indices",
            {"period": "month", "start": "1950-01-01", "end": "2019-12-31"},
            f"more than {MAX_PERIODS}",
        ),
        ("/api/indices", {"arena": "space", **WINDOW}, "unknown arena"),
        ("/api/indices", {"dyad": "USA-FRA"}, "not two of the countries"),
        ("/api/triangle", {"countries": "USA,RUS"}, "exactly 3"),
        ("/api/power", {"start_year": 2010, "end_year": 2000}, "after end_year"),
        ("/api/power", {"indicator": "bananas"}, "unknown indicator"),
        ("/api/figures/index", {"dyad": "RUS-RUS"}, "not two of the countries"),
        # a year of months is too short for the VAR's lags (was: a 500 from statsmodels)
        (
            "/api/figures/reciprocity",
            {"start": "2018-01-01", "end": "2018-12-31"},
            "cannot be estimated",
        ),
    ],
)
def test_bad_inputs_are_422_with_a_message(client, path, params, message) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert message in r.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/indices", {"n_boot": 100000}),
        ("/api/indices", {"period": "decade"}),
        ("/api/titfortat", {"window_days": 10000}),
        ("/api/claims", {"verdict": "maybe"}),
        ("/api/figures/nothing", {}),
    ],
)
def test_out_of_range_parameters_are_4xx(client, path, params) -> None:
    r = client.get(path, params=params)
    assert 400 <= r.status_code < 500


def test_second_request_is_served_from_the_cache(live_server, client) -> None:
    views = live_server.server.config.app.state.views
    params = {**WINDOW, "dyad": "CHN-USA", "n_boot": 20, "period": "quarter"}
    first = client.get("/api/figures/index", params=params)
    misses = views.cache.misses
    second = client.get("/api/figures/index", params=params)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert views.cache.misses == misses  # nothing recomputed
    assert second.headers["x-store-version"] == first.headers["x-store-version"]


def test_missing_store_is_an_error_not_a_server(tmp_path: Path) -> None:
    from trilateral.errors import StoreError

    with pytest.raises(StoreError, match="no event store"):
        create_app(tmp_path / "none.duckdb")


@pytest.mark.slow
def test_an_ingest_runs_while_the_dashboard_reads(
    demo_store, shared_data, tmp_path, server_for
) -> None:
    """The dashboard opens the store read-only per request: a concurrent ingest finishes,
    the store is intact, and the dashboard answers 200 (or 503 while locked), never 5xx
    otherwise; after the ingest it serves the new version."""
    store = tmp_path / "live.duckdb"
    shutil.copy(demo_store, store)
    before = EventStore.open(store, read_only=True)
    n_before = before.con.execute("SELECT count(*) FROM events").fetchone()[0]
    before.close()
    extra = shared_data / "icews" / "icews18_tkg_valid" / "valid.txt"
    with (
        server_for(create_app(store)) as server,
        httpx.Client(base_url=server.url, timeout=60) as c,
    ):
        v0 = c.get("/api/meta").json()["version"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "trilateral.cli", "ingest", str(extra), "--db", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        statuses = []
        deadline = time.monotonic() + 90
        i = 0
        while proc.poll() is None and time.monotonic() < deadline and i < 400:
            r = c.get(
                "/api/indices", params={**WINDOW, "n_boot": 0, "dyad": "USA-RUS", "arena": "all"}
            )
            statuses.append(r.status_code)
            i += 1
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
        assert statuses and set(statuses) <= {200, 503}
        meta = c.get("/api/meta").json()
        assert meta["version"] != v0
        after = EventStore.open(store, read_only=True)
        n_after = after.con.execute("SELECT count(*) FROM events").fetchone()[0]
        after.close()
        assert n_after == meta["events"] > n_before


def test_openapi_fuzz_finds_no_5xx(live_server) -> None:
    """schemathesis draws requests from the OpenAPI schema (valid and invalid ones, a
    bounded number per operation): none may get a 5xx."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for op in operations:

        @settings(
            max_examples=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def check(case) -> None:
            response = case.call(timeout=120)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.query}: {response.text}"
            )

        check()


def test_serve_binds_loopback_by_default_and_warns_elsewhere(demo_store, monkeypatch) -> None:
    import uvicorn

    from trilateral.serve import serve

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: calls.append((host, port)))
    warnings: list[str] = []
    serve(demo_store, warn=warnings.append)
    assert calls == [("127.0.0.1", 8000)] and warnings == []
    serve(demo_store, host="0.0.0.0", port=8123, warn=warnings.append)
    assert calls[-1] == ("0.0.0.0", 8123)
    assert len(warnings) == 1 and "no authentication" in warnings[0]


def test_cli_serve_help_and_missing_store(tmp_path) -> None:
    from typer.testing import CliRunner

    from trilateral.cli import app

    runner = CliRunner()
    assert "127.0.0.1" in runner.invoke(app, ["serve", "--help"]).output
    res = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.duckdb"), "--port", "1"])
    assert res.exit_code == 1 and "no event store" in res.output


def test_forecasts_are_the_forecast_stage_numbers(client, demo_store) -> None:
    from trilateral.forecast import forecast

    # one evidence base at a time (issue 19 item 12): here the ICEWS base, asked by name
    from trilateral.measure import index_of_base

    r = client.get("/api/forecasts", params={**WINDOW, "horizon": 3, "base": "icews"})
    assert r.status_code == 200, r.text
    got = pl.DataFrame(r.json())
    assert set(got["base"]) == {"icews"}
    monthly = index_of_base(demo_store, "icews", period="month", n_boot=0, **WINDOW)
    want = forecast(monthly, horizon=3, evidence_base="icews").to_frame()
    assert got.height == want.height > 0
    assert got["mean"].to_list() == pytest.approx(want["mean"].to_list(), nan_ok=True)
    fig = client.get("/api/figures/forecast", params={**WINDOW, "dyad": "USA-RUS", "horizon": 3})
    assert fig.status_code == 200 and fig.json()["data"]
    assert client.get("/api/forecasts", params={"horizon": 1000}).status_code == 422


def test_claim_verdicts_of_the_api_are_the_diagnose_stage_verdicts(client) -> None:
    from typing import get_args

    from trilateral.diagnose import VERDICTS
    from trilateral.serve._app import Verdict

    stage = set(VERDICTS)  # the diagnose stage's own list, "inconclusive" included
    assert set(get_args(Verdict)) == stage
    for v in stage:
        rows = client.get("/api/claims", params={"verdict": v}).json()
        assert all(r["verdict"] == v for r in rows)
    # every verdict the demo store's claims actually have can be asked for (the power-gap
    # claims are "inconclusive" there)
    every = client.get("/api/claims").json()
    for v in {r["verdict"] for r in every}:
        got = client.get("/api/claims", params={"verdict": v})
        assert got.status_code == 200 and got.json(), v


def test_simulations_endpoint_and_its_limits(client) -> None:
    ok = client.get("/api/simulations", params={"runs": 20, "periods": 12})
    assert ok.status_code == 200, ok.text
    assert ok.json()
    big = client.get("/api/simulations", params={"runs": 200, "periods": 240})
    assert big.status_code == 422 and "too large" in big.json()["detail"]
    bad = client.get("/api/simulations", params={"scenario": "../../etc/passwd"})
    assert bad.status_code == 422 and "no shipped scenario" in bad.json()["detail"]


def test_default_window_is_the_reports(client, demo_store) -> None:
    # one default window for the report and the dashboard (issue 21, item 9): the
    # dashboard started at 2007 (the dense span) while `trilateral report` used 2014-2019
    import inspect

    from typer.testing import CliRunner

    from trilateral.cli import app
    from trilateral.report import collect_results

    want = {"start": "2014-01-01", "end": "2019-12-31"}  # the report's --start/--end
    sig = inspect.signature(collect_results).parameters
    assert (str(sig["start"].default), str(sig["end"].default)) == (want["start"], want["end"])
    help_text = CliRunner().invoke(app, ["report", "--help"], terminal_width=200).output
    assert want["start"] in help_text and want["end"] in help_text
    # clipped to the store's span, read by SQL (the demo's last event is 2019-12-29)
    con = duckdb.connect(str(demo_store), read_only=True)
    lo, hi = con.execute("SELECT min(date), max(date) FROM events").fetchone()
    con.close()
    assert str(lo) < want["start"] < str(hi)
    shown = {"start": want["start"], "end": min(str(hi), want["end"])}
    meta = client.get("/api/meta").json()
    assert meta["default_window"] == {**shown, "report_default": True}
    rows = client.get("/api/indices", params={"arena": "all", "n_boot": 0}).json()
    assert min(r["period_start"] for r in rows) == want["start"]
    assert max(r["period_start"] for r in rows) == "2019-01-01"
    page = client.get("/").text
    assert f'id="start" name="start" type="date" value="{want["start"]}"' in page
    assert f'id="end" name="end" type="date" value="{shown["end"]}"' in page
    assert "the report's default window" in page


# ---------------------------------------------------------------------- security (item 8)
@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:80",
        "127.0.0.1.nip.io",
        "localhost.evil.example",
        "10.0.0.1",
        # an IPv6 literal followed by anything but a port is not that literal
        "[::1].evil.example",
        "[::1]evil.example:80",
        "[::1]:80.evil.example",
        "EVIL.EXAMPLE.",
    ],
)
def test_a_foreign_host_header_is_refused(client, host) -> None:
    """Against DNS rebinding: a page of another site that resolves its own name to
    127.0.0.1 sends its own name as Host, and is refused."""
    r = client.get("/api/meta", headers={"Host": host})
    assert r.status_code == 400
    assert "not served here" in r.json()["detail"] and "--allowed-host" in r.json()["hint"]
    assert client.get("/", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:8000", "127.0.0.1", "[::1]:8000", "[::1]", "localhost.:8000"]
)
def test_local_host_headers_are_served(client, host) -> None:
    assert client.get("/api/meta", headers={"Host": host}).status_code == 200


def test_allowed_hosts_are_served(demo_store, server_for) -> None:
    with (
        server_for(create_app(demo_store, allowed_hosts=["Dash.Example"])) as server,
        httpx.Client(base_url=server.url, timeout=60) as c,
    ):
        assert c.get("/api/meta", headers={"Host": "dash.example:8000"}).status_code == 200
        assert c.get("/api/meta", headers={"Host": "other.example"}).status_code == 400


def test_the_store_is_shown_by_its_file_name_only(client, demo_store) -> None:
    assert client.get("/api/meta").json()["store"] == demo_store.name
    page = client.get("/").text
    assert str(demo_store.parent) not in page
    assert f"<code>{demo_store.name}</code>" in page


@pytest.mark.parametrize(
    "path", ["/", "/api/meta", "/assets/plotly.js", "/docs", "/api/indices?period=decade"]
)
def test_security_headers_on_every_answer(client, path) -> None:
    _has_security_headers(client.get(path))


def test_security_headers_on_refusals_and_errors(client) -> None:
    """404 and a refused Host (400) carry them too (the 414: test_serve_load.py)."""
    for r, status in (
        (client.get("/no-such-page"), 404),
        (client.get("/api/meta", headers={"Host": "evil.example"}), 400),
    ):
        assert r.status_code == status
        _has_security_headers(r)


def _has_security_headers(r: httpx.Response) -> None:
    csp = {d.split()[0]: d.split()[1:] for d in r.headers["content-security-policy"].split("; ")}
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no CDN
    assert csp["default-src"] == ["'self'"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_load_nothing_from_another_site(client) -> None:
    """The page and /docs work offline: every script and stylesheet is this server's."""
    import re

    for path in ("/", "/docs"):
        r = client.get(path)
        assert r.status_code == 200
        sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', r.text)
        assert all(s.startswith("/") or s.startswith("data:") for s in sources), sources
        assert "<script>" not in r.text  # inline scripts would need 'unsafe-inline'
    docs = client.get("/docs").text
    assert "/api/indices" in docs and "n_boot" in docs
    assert (
        client.get("/assets/dashboard.js")
        .headers["content-type"]
        .startswith("application/javascript")
    )


def test_an_unexpected_error_is_json_with_the_security_headers(demo_store, monkeypatch) -> None:
    """A defect inside a view (here: the store facts raising) answers 500 as JSON, with the
    CSP and nosniff like every other answer (Starlette sends it outside the middleware)."""
    import asyncio

    from trilateral.serve._views import Views

    def broken(self, version):
        raise RuntimeError("a defect")

    monkeypatch.setattr(Views, "facts", broken)
    app = create_app(demo_store)

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            return await c.get("/api/meta")

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # its own loop: the session may be running one
        r = pool.submit(lambda: asyncio.run(ask())).result()
    assert r.status_code == 500
    assert r.json()["detail"].startswith("internal error")
    _has_security_headers(r)
