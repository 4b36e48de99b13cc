"""The report: every section present with the stages' data, nothing fetched from outside."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.diagnose import (
    CIRCULAR,
    CONTRADICTED,
    DISPUTED,
    INCONCLUSIVE,
    NOT_ENOUGH_DATA,
    SUPPORTED,
    WITHIN_TOLERANCE,
)
from trilateral.measure import index_of_base, load_events
from trilateral.report import ReportResults, StageSection, collect_results, render_report

SECTIONS = (
    "index",
    "triangle",
    "regimes",
    "power",
    "reciprocity",
    "titfortat",
    "claims",
    "simulate",
    "forecast",
)
FIGURE_SECTIONS = tuple(s for s in SECTIONS if s != "claims")


class _Page(HTMLParser):
    """Collects sections, external references, scripts and claim rows."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, Any]] = {}
        self.current: str | None = None
        self.external: list[str] = []
        self.tags: list[str] = []
        self.script_srcs: list[str] = []
        self.claim_rows: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "section" and a.get("data-section"):
            self.current = a["data-section"]
            self.sections[self.current] = {"plots": 0}
        if tag == "div" and (a.get("id") or "").startswith("fig-") and self.current:
            self.sections[self.current]["plots"] += 1
        if tag == "tr" and "data-verdict" in a:
            self.claim_rows.append({k: v or "" for k, v in a.items()})
        if tag == "script" and a.get("src"):
            self.script_srcs.append(a["src"] or "")
        for key in ("src", "href", "data", "poster", "srcset"):
            v = a.get(key)
            if v and not v.startswith("#"):
                self.external.append(f"<{tag} {key}={v}>")


def _figures(text: str) -> dict[str, list[dict[str, Any]]]:
    """The traces each ``Plotly.newPlot("id", [...])`` call draws, keyed by div id."""
    out = {}
    dec = json.JSONDecoder()
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', text):
        traces, _ = dec.raw_decode(text, m.end())
        out[m.group(1)] = traces
    return out


@pytest.fixture(scope="module")
def report_text(demo_run) -> str:
    return (demo_run.out / "report.html").read_text("utf-8")


def test_demo_writes_report_under_10_mb(demo_run) -> None:
    path = demo_run.out / "report.html"
    assert path in demo_run.files
    assert 0 < path.stat().st_size < 10_000_000


def test_every_section_present_with_data(report_text: str) -> None:
    page = _Page()
    page.feed(report_text)
    assert list(page.sections) == list(SECTIONS)
    figs = _figures(report_text)
    for key in FIGURE_SECTIONS:
        assert page.sections[key]["plots"] >= 1, key
        ids = [i for i in figs if i.startswith(f"fig-{key}")]
        assert ids, key
        for i in ids:
            drawn = [t for t in figs[i] if len(t.get("y") or t.get("x") or []) > 0]
            assert drawn, f"{i} draws nothing"
    assert page.claim_rows


def test_nothing_external_and_plotly_inlined_once(report_text: str) -> None:
    page = _Page()
    page.feed(report_text)
    assert page.external == []
    assert page.script_srcs == []
    assert "link" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    assert "@import" not in report_text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", report_text)
    assert report_text.count("plotly.js v") == 1


def test_index_figure_draws_the_measured_index_and_named_events(demo_run, report_text) -> None:
    """The report draws the measure stage's numbers (not numbers of its own)."""
    prov = demo_run.provenance
    traces = _figures(report_text)["fig-index-RUS-USA"]
    # one line per evidence base (acts, the base's covered years only), never a mixed line
    assert not [t for t in traces if t.get("name") == "all"]
    for base in ("chronicle", "icews"):
        idx = index_of_base(
            demo_run.store,
            base,
            period="year",
            n_boot=0,
            start=prov["window"]["start"],
            end=prov["window"]["end"],
        ).symmetric()
        expected = idx.frame.filter(
            (pl.col("dyad") == "RUS-USA") & (pl.col("arena") == "all")
        ).sort("period_start")
        line = next(t for t in traces if t.get("name") == f"all ({base})")
        assert line["y"] == pytest.approx(expected["mean_goldstein"].to_list())
    named = next(t for t in traces if t.get("name") == "named events")
    ev = load_events(demo_run.store, ("USA", "RUS"), prov["window"]["start"], prov["window"]["end"])
    ev = ev.filter(pl.col("description").is_not_null())
    assert len(named["x"]) == ev.height > 0
    first = ev.row(0, named=True)
    assert any(first["description"] in t for t in named["text"])
    band = [t for t in traces if t.get("fill") == "toself"]
    assert band, "the bootstrap band is drawn"


def test_claims_table_rows_quote_and_figures(demo_run, report_text) -> None:
    page = _Page()
    page.feed(report_text)
    frame = pl.read_parquet(demo_run.out / "claims.parquet")
    assert len(page.claim_rows) == frame.height
    assert {r["data-verdict"] for r in page.claim_rows} <= {
        SUPPORTED,
        WITHIN_TOLERANCE,
        CONTRADICTED,
        DISPUTED,
        CIRCULAR,
        INCONCLUSIVE,
        NOT_ENOUGH_DATA,
        "paper-selected",
        "not comparable",
    }
    assert [r["data-id"] for r in page.claim_rows] == frame["id"].to_list()
    assert report_text.count('class="quote"') == frame.height
    assert 'id="verdict-filter"' in report_text
    # each event claim shows its verdict per evidence base and where its number comes from
    # (the verdict rule: the paper's own citations never count as support)
    row = re.search(r'<tr[^>]*data-id="expulsions-60-for-60".*?</tr>', report_text, re.S)
    assert row is not None
    cells = row.group(0)
    assert '<span class="base" data-base="chronicle">chronicle: paper-selected' in cells
    assert '<span class="base" data-base="icews">icews: contradicted' in cells
    assert "from the icews evidence base (icews_tkg" in cells
    gdp = re.search(r'<tr[^>]*data-id="us-gdp-2017".*?</tr>', report_text, re.S)
    assert gdp is not None and "from World Bank WDI" in gdp.group(0)


class _FakeForecast:
    """A later stage's result as the contract describes it: figure(), to_frame(), summary()."""

    def figure(self) -> go.Figure:
        return go.Figure(go.Scatter(x=[1, 2, 3], y=[0.5, 0.7, 0.2], name="fan"))

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame({"h": [1, 2, 3]})

    def summary(self) -> str:
        return "fake"


def test_a_section_is_absent_when_its_result_is(demo_run) -> None:
    """Sections come from results: none → no section; a stage section when given."""
    full = collect_results(demo_run.store, n_boot=0, start="2016-01-01", end="2018-12-31")
    text = render_report(
        replace(
            full,
            reciprocity=None,
            triangle=None,
            sections=(StageSection("forecast", "Forecast", "made by a test", _FakeForecast()),),
        )
    )
    page = _Page()
    page.feed(text)
    assert "reciprocity" not in page.sections and "triangle" not in page.sections
    assert page.sections["forecast"]["plots"] == 1
    assert {"index", "regimes", "power", "titfortat", "claims"} <= set(page.sections)


def test_cli_report_writes_file_and_rejects_bad_input(demo_run, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.html"
    args = ["report", "--db", str(demo_run.store), "--out", str(out), "--n-boot", "0"]
    res = runner.invoke(app, [*args, "--start", "2017-01-01", "--end", "2018-12-31"])
    assert res.exit_code == 0, res.output
    assert out.is_file() and "report written to" in res.output
    bad = runner.invoke(app, [*args, "--start", "2019-01-01", "--end", "2015-01-01"])
    assert bad.exit_code == 1 and "after end" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(
        app, ["report", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.html")]
    )
    assert missing.exit_code == 1 and "no event store" in missing.output
    assert not (tmp_path / "x.html").exists()


def test_report_results_without_anything_renders_empty_page() -> None:
    from datetime import date

    text = render_report(
        ReportResults(None, ("USA", "RUS"), date(2015, 1, 1), date(2015, 12, 31), "cmd")
    )
    page = _Page()
    page.feed(text)
    assert page.sections == {}


def test_forecast_section_has_fan_charts_and_backtest_scores(demo_run, report_text) -> None:
    """The forecast stage's figure() is embedded and its backtest scores tabled."""
    start = report_text.index('data-section="forecast"')
    section = report_text[start : report_text.index("</section>", start)]
    assert 'id="fig-forecast"' in section
    assert '<table class="grid">' in section
    for col in ("model", "horizon", "mae", "crps", "skill_mae"):
        assert f"<th>{col}</th>" in section
    for model in ("no_change", "climatology", "var"):
        assert f"<td>{model}</td>" in section
    # one evidence base, named; thin cells marked; the DM verdict stated
    assert "evidence base icews" in section
    assert "<th>caveat</th>" in section and "n &lt; 20: too few to read" in section
    assert "Diebold–Mariano tests (HLN, Holm)" in section


def test_reciprocity_section_shows_no_response_when_the_var_found_no_dynamics(
    demo_run, report_text
) -> None:
    """Issue 19, item 8: on the demo store BIC chooses 0 lags; the report says so and
    draws no impulse response."""
    start = report_text.index('data-section="reciprocity"')
    section = report_text[start : report_text.index("</section>", start)]
    assert "No detectable dynamics" in section and "BIC chose 0 lags" in section
    traces = _figures(report_text)["fig-reciprocity"]
    assert [t["type"] for t in traces] == ["bar"]


def test_simulate_section_shows_the_policy_comparison(report_text) -> None:
    """The simulate stage's policy comparison: its figure and its table."""
    start = report_text.index('data-section="simulate"')
    section = report_text[start : report_text.index("</section>", start)]
    assert 'id="fig-simulate"' in section and '<table class="grid">' in section
    traces = _figures(report_text)["fig-simulate"]
    assert any(len(t.get("y") or []) > 0 for t in traces)


def _triangle_frame(n: int) -> pl.DataFrame:
    from datetime import date

    types = ["ménage à trois", "romantic triangle", "stable marriage", "indeterminate"]
    return pl.DataFrame(
        {
            "period_start": [date(2010 + i // 12, i % 12 + 1, 1) for i in range(n)],
            "type": [types[i % 4] for i in range(n)],
            "pivot": [("CHN" if i % 4 == 1 else None) for i in range(n)],
            "p_menage_a_trois": [0.4] * n,
            "p_romantic_triangle": [0.3] * n,
            "p_stable_marriage": [0.2] * n,
            "p_indeterminate": [0.1] * n,
        }
    )


def test_triangle_labels_are_written_only_where_they_fit() -> None:
    from trilateral.report import triangle_figure
    from trilateral.report._figures import TRIANGLE_TEXT_LABELS

    few = triangle_figure(_triangle_frame(6))
    text = [t for t in few.data if t.type == "scatter" and t.mode == "text"]
    assert len(text) == 1 and list(text[0].text)[1] == "romantic triangle (pivot CHN)"
    # the bars carry the type names as the diagnose stage spells them
    assert next(t.name for t in few.data if t.type == "bar") == "ménage à trois"
    # 72 monthly periods: written labels would overlap; squares in each type's colour
    many = triangle_figure(_triangle_frame(72))
    assert 72 > TRIANGLE_TEXT_LABELS
    assert not [t for t in many.data if t.type == "scatter" and "text" in (t.mode or "")]
    marks = next(t for t in many.data if t.type == "scatter")
    bar_colour = {t.name: t.marker.color for t in many.data if t.type == "bar"}
    assert list(marks.marker.color)[:4] == [
        bar_colour[n]
        for n in ("ménage à trois", "romantic triangle", "stable marriage", "indeterminate")
    ]
    assert list(marks.text)[1] == "romantic triangle (pivot CHN)"  # on hover


def test_reciprocity_var_is_fitted_on_one_named_base_never_a_pool(
    demo_run, report_text, monkeypatch
) -> None:
    """The VAR reads the monthly acts of one evidence base: the base covering the most
    months of the window. On the demo store that is the chronicle (one file spanning the
    whole window; ICEWS has no rows in 2016-2017), checked by a query here; every series
    entering the VAR carries that base, and its event counts are the chronicle's acts
    (rows of one day, dyad and CAMEO code merged), counted by DuckDB."""
    import duckdb

    import trilateral.measure as measure

    d0, d1 = date(2016, 1, 1), date(2018, 12, 31)
    con = duckdb.connect(str(demo_run.store), read_only=True)
    try:
        spans = dict(
            con.execute(
                "SELECT CASE WHEN dataset = 'chronicle' THEN 'chronicle' ELSE 'icews' END, "
                "count(DISTINCT date_trunc('month', date)) FILTER (WHERE date BETWEEN ? AND ?) "
                "FROM events GROUP BY 1",
                [d0, d1],
            ).fetchall()
        )
        ((chron_lo, chron_hi),) = con.execute(
            "SELECT min(date), max(date) FROM events WHERE dataset = 'chronicle'"
        ).fetchall()
        acts = dict(
            con.execute(
                "SELECT date_trunc('month', date)::DATE, count(*) FROM (SELECT DISTINCT date, "
                "source, target, cameo FROM events WHERE dataset = 'chronicle' AND "
                "source = 'USA' AND target = 'RUS' AND date BETWEEN ? AND ?) GROUP BY 1",
                [d0, d1],
            ).fetchall()
        )
    finally:
        con.close()
    assert chron_lo <= d0 and chron_hi >= date(2018, 12, 24)  # the chronicle covers it all
    assert spans["icews"] < 36  # ICEWS: 2018 only in this window
    seen: list[pl.DataFrame] = []
    real = measure.ReciprocityModel

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, index, *a, **kw) -> None:
            seen.append(index.frame)
            super().__init__(index, *a, **kw)

    monkeypatch.setattr(measure, "ReciprocityModel", Spy)
    res = collect_results(demo_run.store, n_boot=0, start=d0, end=d1, sections=False)
    assert res.reciprocity_base == "chronicle"
    (frame,) = seen
    assert frame["base"].unique().to_list() == ["chronicle"]
    cell = frame.filter(
        (pl.col("source") == "USA")
        & (pl.col("target") == "RUS")
        & (pl.col("arena") == "all")
        & (pl.col("n_events") > 0)
    )
    assert dict(zip(cell["period_start"], cell["n_events"], strict=True)) == acts
    start = report_text.index('data-section="reciprocity"')
    section = report_text[start : report_text.index("</section>", start)]
    assert "monthly dyad series of the chronicle evidence base alone" in section
