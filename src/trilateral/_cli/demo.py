"""``trilateral demo``: every stage end to end on the shipped data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import parse_countries
from ._common import CountriesOpt, console, esc, handle_errors, print_text, stage_progress

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

    @app.command("demo", help=DEMO_HELP)
    @handle_errors
    def demo_cmd(
        out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-output"),
        countries: CountriesOpt = "USA,RUS,CHN",
        seed: Annotated[int, typer.Option("--seed", help="Seed of every random draw.")] = 0,
        n_boot: Annotated[
            int, typer.Option("--n-boot", min=0, help="Bootstrap replicates of the indices.")
        ] = 200,
    ) -> None:
        from ..pipeline import run_demo

        codes = parse_countries(countries)
        with stage_progress("running the demo…") as say:
            res = run_demo(out, countries=codes, rng=seed, n_boot=n_boot, say=say)
        for name in ("store", "claims", "regimes", "triangle", "tit_for_tat"):
            if name in res.summaries:
                console.rule(name)
                print_text(res.summaries[name])
        console.rule()
        console.print(
            f"{len(res.files)} files written to {esc(res.out)}/ (store: {esc(res.store)})",
            soft_wrap=True,
        )
        console.print(f"report: {esc(res.out / 'report.html')}", soft_wrap=True)
        console.print(
            f"next: trilateral diagnose --db {esc(res.store)}  (or claims, measure, report, "
            "serve with the same --db)",
            highlight=False,
            soft_wrap=True,
        )
