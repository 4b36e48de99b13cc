"""Render the README screenshot of the report: real `trilateral` output in headless Chromium.

Run from the repository root: ``.venv/bin/python docs/make_report_screenshot.py``.
It runs the demo into a temporary folder and has Debian's ``chromium`` (driven by
playwright, network off) open ``report.html`` from disk and capture its top as
``docs/img/report.png``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from trilateral.pipeline import run_demo


def main() -> None:
    out = Path(__file__).resolve().parent / "img" / "report.png"
    with tempfile.TemporaryDirectory() as tmp:
        res = run_demo(tmp, n_boot=200, rng=0)
        report = res.out / "report.html"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 1500})
            page = context.new_page()
            page.goto(report.as_uri())
            page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 3")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out), full_page=False)
            browser.close()
    print(out)


if __name__ == "__main__":
    main()
