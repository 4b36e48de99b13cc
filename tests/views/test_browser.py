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
