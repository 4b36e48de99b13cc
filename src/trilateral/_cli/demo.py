"""``trilateral demo``: every stage end to end on the shipped data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import parse_countries
from . import _common as ui

__all__ = ["register"]

DEMO_HELP = """Run the whole chain on the shipped data, with no download.

Ingests the shipped chronicle into a fresh store in OUT, computes the indices, power
ratios, reciprocity and tit-for-tat matches, diagnoses regimes and the strategic triangle,
checks the reference paper's claims, and writes every table (Parquet and CSV), a text
summary, the run's provenance and report.html (every result as figures) to OUT.

Example:
  trilateral demo --out demo-output --seed 0
"""


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @ui.command(app, "demo", DEMO_HELP)
    def demo_cmd(
        out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-output"),
        countries: ui.CountriesOpt = "USA,RUS,CHN",
        seed: ui.SeedOpt = 0,
        n_boot: ui.NBootOpt = 200,
    ) -> None:
        from ..pipeline import run_demo

        codes = parse_countries(countries)
        ui.check_writable(out / "report.html")  # a read-only --out fails before the work
        with ui.stage_progress("running the demo…") as say, ui.writing(out):
            res = run_demo(out, countries=codes, rng=seed, n_boot=n_boot, say=say)
        for name in ("store", "claims", "regimes", "triangle", "tit_for_tat"):
            if name in res.summaries:
                ui.console.rule(name)
                ui.print_text(res.summaries[name])
        ui.console.rule()
        ui.console.print(
            f"{len(res.files)} files written to {ui.esc(res.out)}/ (store: {ui.esc(res.store)})",
            soft_wrap=True,
        )
        ui.console.print(f"report: {ui.esc(res.out / 'report.html')}", soft_wrap=True)
        ui.console.print(
            f"next: trilateral diagnose --db {ui.esc(res.store)}  (or claims, measure, report, "
            "serve with the same --db)",
            highlight=False,
            soft_wrap=True,
        )
