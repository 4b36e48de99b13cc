"""``trilateral report``: thin over :mod:`trilateral.report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import DEFAULT_WINDOW, default_db_path, parse_countries
from . import _common as ui

__all__ = ["register"]

REPORT_HELP = """Write every result as interactive figures in one self-contained HTML file.

Checks first that --out can be written, then runs the measure and diagnose stages on the store (read-only), each step shown on stderr, and draws: the index per dyad and arena with bootstrap bands and the chronicle's named events, the strategic triangle, regimes, power ratios, reciprocity, tit-for-tat and the claims table. The file opens offline (plotly's JavaScript is inlined; nothing is fetched).

Example:

  trilateral report --db demo-output/trilateral.duckdb --out report.html --start 2014-01-01 --end 2019-12-31
"""


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""

    @ui.command(app, "report", REPORT_HELP)
    def report_cmd(
        db: ui.DbOpt = None,
        out: Annotated[Path, typer.Option("--out", help="The HTML file written.")] = Path(
            "report.html"
        ),
        start: Annotated[str, typer.Option("--start", help="First day (ISO date).")] = str(
            DEFAULT_WINDOW[0]
        ),
        end: Annotated[str, typer.Option("--end", help="Last day (ISO date).")] = str(
            DEFAULT_WINDOW[1]
        ),
        countries: ui.CountriesOpt = "USA,RUS,CHN",
        seed: ui.SeedOpt = 0,
        n_boot: ui.NBootOpt = 200,
    ) -> None:
        from ..report import collect_results, write_report

        codes = parse_countries(countries)
        ui.check_writable(out)  # a read-only target fails now, not after the computing
        store = default_db_path(db)
        command = (
            f"trilateral report --db {store} --out {out} --start {start} --end {end} "
            f"--countries {','.join(codes)} --seed {seed} --n-boot {n_boot}"
        )
        with ui.stage_progress("building the report…") as say:
            res = collect_results(
                store,
                countries=codes,
                start=start,
                end=end,
                n_boot=n_boot,
                rng=seed,
                command=command,
                say=say,
            )
            say(f"writing {out}")
            with ui.writing(out):
                path = write_report(res, out)
        size = path.stat().st_size / 1e6
        ui.console.print(f"report written to {ui.esc(path)} ({size:.1f} MB)", soft_wrap=True)
