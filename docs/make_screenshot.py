"""Render the README screenshot: real `trilateral` output captured as SVG.

Run from the repository root: ``.venv/bin/python docs/make_screenshot.py``.
It runs the demo into a temporary folder, records ``trilateral diagnose`` on the
resulting store with rich's console recorder (``docs/img/diagnose.svg``), then has headless
Chromium (Debian's ``chromium`` package) render it to ``docs/img/diagnose.png``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from rich.console import Console

import trilateral._cli._common as common
from trilateral.cli import app
from trilateral.pipeline import run_demo


def main() -> None:
    out = Path(__file__).resolve().parent / "img" / "diagnose.svg"
    with tempfile.TemporaryDirectory() as tmp:
        res = run_demo(tmp, n_boot=100)
        rec = Console(record=True, width=130, force_terminal=True)
        common.console = rec
        import trilateral._cli.diagnose as diag

        diag.console = rec
        try:
            app(
                [
                    "diagnose",
                    "--db",
                    str(res.store),
                    "--period",
                    "year",
                    "--start",
                    "2014-01-01",
                    "--end",
                    "2019-12-31",
                ],
                standalone_mode=False,
            )
        finally:
            common.console = Console()
        rec.save_svg(
            str(out), title="trilateral diagnose --period year --start 2014-01-01 --end 2019-12-31"
        )
    print(f"wrote {out}")
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium not found: PNG not rendered (apt-get install -y chromium)")
        return
    png = out.with_suffix(".png")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                "--window-size=1400,1300",
                out.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
