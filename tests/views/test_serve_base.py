"""The dashboard's ``base`` parameter (issue 18, item 2): every index, regime, triangle
and tit-for-tat answer is computed per evidence base and names its base; a pool of
bases is never served silently."""

from __future__ import annotations

import httpx
import polars as pl
import pytest

from trilateral.measure import (
    base_store,
    evidence_bases,
    index_of_base,
    load_events,
    match_tit_for_tat,
)

WINDOW = {"start": "2014-01-01", "end": "2019-12-31"}
CODES = ("USA", "RUS", "CHN")


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def bases(demo_store) -> list[str]:
    return [b.name for b in evidence_bases(demo_store, cited=None)]


def _rows(frame: pl.DataFrame) -> list[tuple[str, float]]:
    return sorted(
        (str(d), round(float(g), 9))
        for d, g in zip(frame["period_start"], frame["mean_goldstein"], strict=True)
        if g is not None
    )


def test_indices_by_default_are_one_set_per_base_each_named(client, demo_store, bases) -> None:
    assert len(bases) >= 2  # the demo ships the chronicle and ICEWS
    params = {**WINDOW, "dyad": "USA-RUS", "arena": "all", "n_boot": 0}
    got = pl.DataFrame(client.get("/api/indices", params=params).json())
    assert set(got["base"]) == set(bases)
    for b in bases:
        want = (
            index_of_base(demo_store, b, period="year", n_boot=0, **WINDOW)
            .symmetric()
            .frame.filter((pl.col("dyad") == "RUS-USA") & (pl.col("arena") == "all"))
        )
        assert _rows(got.filter(pl.col("base") == b)) == _rows(want), b


def test_indices_of_one_base(client, demo_store) -> None:
    params = {**WINDOW, "dyad": "USA-RUS", "arena": "all", "n_boot": 0, "base": "icews"}
    got = pl.DataFrame(client.get("/api/indices", params=params).json())
    assert set(got["base"]) == {"icews"}
    want = (
        index_of_base(demo_store, "icews", period="year", n_boot=0, **WINDOW)
        .symmetric()
        .frame.filter((pl.col("dyad") == "RUS-USA") & (pl.col("arena") == "all"))
    )
    assert _rows(got) == _rows(want)


def test_combined_is_explicit_and_named(client) -> None:
    params = {**WINDOW, "dyad": "USA-RUS", "arena": "all", "n_boot": 0, "base": "combined"}
    r = client.get("/api/indices", params=params)
    assert r.status_code == 200, r.text
    assert set(pl.DataFrame(r.json())["base"]) == {"combined"}


@pytest.mark.parametrize(
    "path",
    ["/api/indices", "/api/regimes", "/api/triangle", "/api/titfortat", "/api/reciprocity"],
)
def test_an_unknown_base_is_refused_naming_the_stores_bases(client, bases, path) -> None:
    r = client.get(path, params={**WINDOW, "base": "nosuchbase"})
    assert r.status_code == 422, r.text
    for b in bases:
        assert b in r.text


@pytest.mark.parametrize("path", ["/api/regimes", "/api/triangle"])
def test_regimes_and_triangle_rows_carry_their_base(client, bases, path) -> None:
    rows = client.get(path, params={**WINDOW, "n_boot": 0}).json()
    assert rows and all(r["base"] in bases for r in rows)
    assert {r["base"] for r in rows} <= set(bases)
    one = client.get(path, params={**WINDOW, "n_boot": 0, "base": "chronicle"}).json()
    assert one and {r["base"] for r in one} == {"chronicle"}


def test_titfortat_per_base_counts_that_bases_acts(client, demo_store, bases) -> None:
    rows = client.get("/api/titfortat", params={**WINDOW, "window_days": 30}).json()
    assert {r["base"] for r in rows} == set(bases)
    for b in bases:
        with base_store(demo_store, b) as con:
            ev = load_events(con, CODES, WINDOW["start"], WINDOW["end"])
        want = match_tit_for_tat(ev, window_days=30, countries=CODES).summary_frame()
        got = pl.DataFrame([r for r in rows if r["base"] == b])
        assert sorted(got["n_acts"].to_list()) == sorted(want["n_acts"].to_list()), b


def test_reciprocity_names_the_base_with_most_months(client, demo_store) -> None:
    # the demo's chronicle covers 2014-2019 monthly, ICEWS ends in 2015 (evidence_bases)
    spans = {b.name: b for b in evidence_bases(demo_store, cited=None)}
    assert "chronicle" in spans
    body = client.get("/api/reciprocity", params=WINDOW).json()
    assert body["base"] == "chronicle"
    body = client.get("/api/reciprocity", params={**WINDOW, "base": "icews"}).json()
    assert body["base"] == "icews"


@pytest.mark.parametrize("name", ["index", "regimes", "triangle", "titfortat", "reciprocity"])
def test_every_figure_names_its_base(client, name) -> None:
    fig = client.get(f"/api/figures/{name}", params={**WINDOW, "base": "chronicle"}).json()
    text = str(fig["layout"].get("title", {}).get("text", "")) + " ".join(
        str(t.get("name", "")) for t in fig["data"]
    )
    assert "chronicle" in text


def test_the_page_has_a_base_selector_that_only_base_figures_use(client, bases) -> None:
    import re

    html = client.get("/").text
    select = re.search(r'<select id="base" name="base">(.*?)</select>', html, re.S)
    assert select is not None
    values = re.findall(r'<option value="([^"]*)"', select.group(1))
    assert values == ["each", *bases, "combined"]
    uses = dict(re.findall(r'data-figure="(\w+)" data-uses="([^"]*)"', html))
    based = {k for k, u in uses.items() if "base" in u.split(",")}
    assert based == {"index", "triangle", "regimes", "reciprocity", "titfortat"}
    js = client.get("/assets/dashboard.js").text
    assert re.search(r'var controls = \[[^\]]*"base"', js)


def test_forecasts_come_from_one_named_base(client, demo_store) -> None:
    """Issue 19 item 12 on the dashboard: a forecast names its evidence base and is made
    from that base's index alone; the default is the base covering the most months of
    the window (counted here with DuckDB, not by the code under test)."""
    import duckdb

    from trilateral.forecast import forecast

    with duckdb.connect(str(demo_store), read_only=True) as con:
        months = dict(
            con.execute(
                "SELECT CASE WHEN dataset LIKE 'icews%' THEN 'icews' ELSE dataset END AS b, "
                "count(DISTINCT date_trunc('month', date)) FROM events "
                "WHERE date BETWEEN DATE '2014-01-01' AND DATE '2019-12-31' GROUP BY b"
            ).fetchall()
        )
    most = max(months, key=lambda k: months[k])
    rows = pl.DataFrame(client.get("/api/forecasts", params={**WINDOW, "horizon": 3}).json())
    assert set(rows["base"]) == {most}
    want = forecast(
        index_of_base(demo_store, most, countries=CODES, period="month", n_boot=0, **WINDOW),
        horizon=3,
        evidence_base=most,
    ).frame
    key = ["source", "target", "arena", "period_start", "model"]
    got = rows.select(*key, "mean").sort(key)
    exp = want.select(*key, "mean").with_columns(pl.col("period_start").cast(pl.String)).sort(key)
    assert got["mean"].to_list() == pytest.approx(exp["mean"].to_list(), nan_ok=True)
    fig = client.get("/api/figures/forecast", params={**WINDOW, "dyad": "USA-RUS"}).json()
    assert fig["layout"]["title"]["text"].endswith(f"base: {most}")
