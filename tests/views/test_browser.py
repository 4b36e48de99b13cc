"""The dashboard and the report in real headless Chromium (Debian's ``chromium``).

``make test`` installs the package when it is missing and it runs as root; otherwise
these tests skip and say which command installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FIGURES = ("index", "triangle", "regimes", "power", "reciprocity", "titfortat", "forecast")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed: run `sudo apt-get install -y chromium` "
            "(make test does it when run as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


def _watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _plotted(page: Any, div_id: str) -> dict[str, Any]:
    """What plotly drew in a div: its traces' data and the count of drawn trace groups."""
    return page.evaluate(
        """(id) => {
            const d = document.getElementById(id);
            // _fullData holds the decoded arrays (plotly.py may send numpy arrays as base64)
            const traces = (d && (d._fullData || d.data)) || [];
            const drawn = d ? d.querySelectorAll(
                '.scatterlayer .trace, .barlayer .trace, .boxlayer .trace').length : 0;
            return {n: traces.length, drawn: drawn,
                    points: traces.map(t => Number((t.y || t.x || []).length) || 0)
                                  .reduce((a, b) => a + b, 0),
                    y: JSON.stringify(traces.map(t => Array.from(t.y || [])))};
        }""",
        div_id,
    )


def _dashboard(browser: Any, live_server: Any, ready: str = "data-ready") -> tuple[Any, list[str]]:
    """The dashboard in a new page, once it says it is drawn; and its console errors."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    errors = _watch(page)
    page.goto(live_server.url + "/")
    page.wait_for_selector(f"body[{ready}]", timeout=120_000)
    return page, errors


def test_dashboard_renders_and_follows_the_dyad_selector(browser, live_server, artefacts) -> None:
    page, errors = _dashboard(browser, live_server)
    for name in FIGURES:
        got = _plotted(page, f"fig-{name}")
        assert got["n"] > 0 and got["drawn"] > 0 and got["points"] > 0, name
    before = _plotted(page, "fig-index")
    options = page.eval_on_selector_all("#dyad option", "os => os.map(o => o.value)")
    current = page.eval_on_selector("#dyad", "s => s.value")
    other = next(o for o in options if o != current)
    page.select_option("#dyad", other)
    page.wait_for_function(
        "(d) => (document.body.getAttribute('data-ready') || '').includes('dyad=' + d)",
        arg=other,
        timeout=120_000,
    )
    after = _plotted(page, "fig-index")
    assert after["points"] > 0
    assert after["y"] != before["y"], "changing the dyad changed nothing plotted"
    title = page.evaluate("() => document.getElementById('fig-index').layout.title.text")
    assert other in title
    page.screenshot(path=str(artefacts / "dashboard.png"), full_page=True)
    assert errors == []


def _overlapping_labels(page: Any, div_id: str) -> list[tuple[str, str]]:
    """Pairs of text labels plotly wrote in a figure whose boxes overlap on screen."""
    return page.evaluate(
        """(id) => {
            const els = Array.from(document.querySelectorAll('#' + id + ' g.textpoint text'));
            const boxes = els.map(e => [e.textContent, e.getBoundingClientRect()]);
            const out = [];
            for (let i = 0; i < boxes.length; i++) {
                for (let j = i + 1; j < boxes.length; j++) {
                    const [a, p] = boxes[i], [b, q] = boxes[j];
                    if (p.width && q.width && p.left < q.right && q.left < p.right
                        && p.top < q.bottom && q.top < p.bottom) { out.push([a, b]); }
                }
            }
            return out;
        }""",
        div_id,
    )


def test_triangle_labels_never_overlap(browser, live_server, artefacts) -> None:
    """The triangle's type labels stay readable at every period the dashboard offers."""
    page, errors = _dashboard(browser, live_server)
    for period in ("year", "quarter", "month"):
        page.select_option("#period", period)
        page.wait_for_function(
            "(p) => (document.body.getAttribute('data-ready') || '').includes('period=' + p)",
            arg=period,
            timeout=120_000,
        )
        assert _plotted(page, "fig-triangle")["points"] > 0, period
        assert _overlapping_labels(page, "fig-triangle") == [], period
    page.locator("#fig-triangle").screenshot(path=str(artefacts / "triangle_month.png"))
    assert errors == []


def test_dashboard_claims_table_by_evidence_base(browser, live_server) -> None:
    """The dashboard shows the claims as the report does: a verdict per evidence base and
    where each number comes from, filterable by verdict."""
    import httpx

    claims = httpx.get(live_server.url + "/api/claims", timeout=120).json()
    page, errors = _dashboard(browser, live_server, ready="data-claims")
    rows = page.eval_on_selector_all(
        "#claims-table tbody tr", "rs => rs.map(r => [r.dataset.id, r.innerText])"
    )
    assert [r[0] for r in rows] == [c["id"] for c in claims]
    text = dict(rows)["expulsions-60-for-60"]
    assert "chronicle: paper-selected" in text and "icews: contradicted" in text
    assert "the icews evidence base" in text
    page.select_option("#verdict-filter", "circular")
    shown = page.eval_on_selector_all(
        "#claims-table tbody tr",
        "rs => rs.filter(r => r.style.display !== 'none').map(r => r.dataset.verdict)",
    )
    assert shown and set(shown) == {"circular"}
    assert errors == []


def test_report_renders_offline_from_disk(browser, demo_run, artefacts) -> None:
    report = demo_run.out / "report.html"
    context = browser.new_context(offline=True, viewport={"width": 1300, "height": 1000})
    fetched: list[str] = []

    def block(route: Any) -> None:
        if not route.request.url.startswith("file://"):
            fetched.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", block)
    page = context.new_page()
    errors = _watch(page)
    page.goto(report.as_uri())
    page.wait_for_function(
        "() => window.Plotly && document.querySelectorAll('.js-plotly-plot').length > 0"
    )
    ids = page.eval_on_selector_all("div.js-plotly-plot", "ds => ds.map(d => d.id)")
    for name in FIGURES:
        assert any(i.startswith(f"fig-{name}") for i in ids), name
    for i in ids:
        got = _plotted(page, i)
        assert got["n"] > 0 and got["drawn"] > 0 and got["points"] > 0, i
    # the claims table filters by verdict
    page.select_option("#verdict-filter", "supported")
    shown = page.eval_on_selector_all(
        "#claims-table tbody tr",
        "rs => rs.filter(r => r.style.display !== 'none').map(r => r.dataset.verdict)",
    )
    assert shown and set(shown) == {"supported"}
    page.screenshot(path=str(artefacts / "report.png"), full_page=False)
    assert fetched == [] and errors == []
    context.close()


# ---------------------------------------------------------------------- issue 21, item 9
def _figure_requests(page: Any) -> list[str]:
    got: list[str] = []
    page.on(
        "request",
        lambda r: (
            got.append(r.url.split("/api/figures/")[1].split("?")[0])
            if "/api/figures/" in r.url
            else None
        ),
    )
    return got


def _wait_ready(page: Any, key: str, value: str) -> None:
    page.wait_for_function(
        "([k, v]) => (document.body.getAttribute('data-ready') || '').includes(k + '=' + v)",
        arg=[key, value],
        timeout=120_000,
    )


def test_a_control_change_re_requests_only_the_figures_it_affects(browser, live_server) -> None:
    page, errors = _dashboard(browser, live_server)
    asked = _figure_requests(page)
    page.fill("#window_days", "45")
    page.dispatch_event("#window_days", "change")
    _wait_ready(page, "window_days", "45")
    assert asked == ["titfortat"]
    asked.clear()
    options = page.eval_on_selector_all("#dyad option", "os => os.map(o => o.value)")
    other = next(o for o in options if o != page.eval_on_selector("#dyad", "s => s.value"))
    page.select_option("#dyad", other)
    _wait_ready(page, "dyad", other)
    assert sorted(asked) == ["forecast", "index"]
    asked.clear()
    # issue 18: the evidence base changes the per-base figures only, never power,
    # simulation or forecast
    page.select_option("#base", "chronicle")
    _wait_ready(page, "base", "chronicle")
    assert sorted(asked) == ["index", "reciprocity", "regimes", "titfortat", "triangle"]
    assert "chronicle" in page.eval_on_selector("#fig-regimes", "d => d.layout.title.text")
    assert errors == []


def test_a_failed_figure_shows_its_error_in_its_panel_after_one_retry(browser, live_server) -> None:
    """A plain-text 500 (as the unguarded server sent) is neither parsed as JSON nor
    reported in the status line as "Unexpected token": the panel says what failed."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    calls: list[str] = []

    def fail(route: Any) -> None:
        calls.append(route.request.url)
        route.fulfill(status=500, body="Internal Server Error", content_type="text/plain")

    page.route("**/api/figures/power*", fail)
    page.goto(live_server.url + "/")
    page.wait_for_selector("body[data-ready]", timeout=120_000)
    assert len(calls) == 2  # the request and one retry
    panel = page.inner_text("#fig-power")
    assert "could not be drawn" in panel and "500" in panel
    status = page.inner_text("#status")
    assert "Unexpected token" not in status and "1 of 8 figures failed" in status
    for name in FIGURES:
        if name != "power":
            assert _plotted(page, f"fig-{name}")["drawn"] > 0, name


def test_figures_have_names_and_captions_and_toolbars_are_out_of_the_tab_order(
    browser, live_server
) -> None:
    import re

    page, errors = _dashboard(browser, live_server)
    figures = page.get_by_role("figure")
    assert figures.count() == 8
    for i in range(figures.count()):
        f = figures.nth(i)
        assert f.locator("figcaption").inner_text().strip()
    assert page.get_by_role("figure", name=re.compile(r"\w{4}")).count() == 8
    tabbable = page.evaluate(
        """() => Array.from(document.querySelectorAll('.plot *'))
                 .filter(e => e.tabIndex >= 0).length"""
    )
    assert tabbable == 0
    # from the top of the page, Tab reaches the verdict filter through the controls only
    # (was: about 80 stops in the plots' toolbars first)
    page.focus("body")
    stops = []
    while len(stops) < 60:
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => [document.activeElement.id, !!document.activeElement.closest('.plot')]"
        )
        stops.append(here)
        if here[0] == "verdict-filter":
            break
    assert stops[-1][0] == "verdict-filter"
    assert not any(in_plot for _, in_plot in stops)
    assert len(stops) <= 20, stops
    assert errors == []


def test_claims_table_keeps_notes_sorts_by_keyboard_and_follows_the_window(
    browser, live_server
) -> None:
    page, errors = _dashboard(browser, live_server, ready="data-claims")
    text = page.inner_text("#claims-table")
    assert "None" not in text and "{'" not in text
    assert "The paper's 6.6 % equals 1.3 / 19.7" in page.text_content("#claims-table")
    page.focus('#claims-table th[data-key="id"]')
    page.keyboard.press("Enter")
    ids = page.eval_on_selector_all("#claims-table tbody tr", "rs => rs.map(r => r.dataset.id)")
    assert ids == sorted(ids)

    def shown() -> list[str]:
        return page.eval_on_selector_all(
            "#claims-table tbody tr",
            "rs => rs.filter(r => r.style.display !== 'none').map(r => r.dataset.id)",
        )

    everything = shown()
    page.fill("#start", "2018-01-01")
    page.dispatch_event("#start", "change")
    page.fill("#end", "2018-12-31")
    page.dispatch_event("#end", "change")
    in_2018 = shown()
    assert "rus-defence-2018" in in_2018 and "us-gdp-2017" not in in_2018
    assert len(in_2018) < len(everything)
    assert errors == []


def _wider_than_viewport(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def _overlapping_titles(page: Any, div_id: str, extra: str = "") -> list[tuple[str, str]]:
    """Pairs of a figure's title and subplot titles (and the elements ``extra`` selects
    inside it, e.g. the legend) whose boxes overlap on screen."""
    return page.evaluate(
        """([id, extra]) => {
            const sel = ['.gtitle', 'g.annotation'].concat(extra ? [extra] : []);
            const els = Array.from(document.querySelectorAll(
                sel.map(s => '#' + id + ' ' + s).join(', ')));
            const boxes = els.map(e => [e.textContent, e.getBoundingClientRect()]);
            const out = [];
            for (let i = 0; i < boxes.length; i++) {
                for (let j = i + 1; j < boxes.length; j++) {
                    const [a, p] = boxes[i], [b, q] = boxes[j];
                    if (p.width && q.width && p.left < q.right && q.left < p.right
                        && p.top < q.bottom && q.top < p.bottom) { out.push([a, b]); }
                }
            }
            return out;
        }""",
        [div_id, extra],
    )


def test_dashboard_and_report_fit_a_phone(browser, live_server, demo_run, artefacts) -> None:
    """At 390 px: the page is no wider than the screen, the claims table scrolls in its
    own box, and no subplot title overlaps another or the figure's title."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors = _watch(page)
    page.goto(live_server.url + "/")
    page.wait_for_selector("body[data-ready][data-claims]", timeout=120_000)
    assert _wider_than_viewport(page) <= 390
    wrap = page.evaluate(
        """() => { const w = document.querySelector('.table-wrap');
                   return [w.scrollWidth, w.clientWidth]; }"""
    )
    assert wrap[0] > wrap[1]  # the table scrolls inside its box
    for name in ("power", "reciprocity", "titfortat"):
        assert _overlapping_titles(page, f"fig-{name}") == [], name
    # the policy comparison: its two long subplot titles ran into each other and into the
    # legend at 390 px; the legend and the axis titles are checked too
    assert _overlapping_titles(page, "fig-simulate", "g.legend, .g-xtitle, .g-x2title") == []
    page.screenshot(path=str(artefacts / "dashboard_390.png"), full_page=True)
    report = browser.new_page(viewport={"width": 390, "height": 844})
    report.goto((demo_run.out / "report.html").as_uri())
    report.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0")
    assert _wider_than_viewport(report) <= 390
    assert errors == []


def test_claim_ids_do_not_wrap(browser, live_server) -> None:
    page, _ = _dashboard(browser, live_server, ready="data-claims")
    lines = page.evaluate(
        """() => Array.from(document.querySelectorAll('#claims-table td.claim-id'))
                 .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                              return new Set(Array.from(r.getClientRects())
                                             .map(x => Math.round(x.top))).size; })"""
    )
    assert lines and max(lines) == 1
