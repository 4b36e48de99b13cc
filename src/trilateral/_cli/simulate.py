"""``trilateral simulate SCENARIO.yaml``: thin over :func:`trilateral.simulate.run_scenario`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn

from ..simulate import MAX_PERIODS, MAX_RUNS, run_scenario, write_outputs
from . import _common as ui

__all__ = ["register"]

HELP = f"""Run a scenario: the trilateral game comparing China's policies, or the arms race.

SCENARIO is a YAML file or the name of a shipped scenario (paper, align_with_russia, align_with_us, equidistant_hedging, proactive_trilateral, arms_race). Runs are capped at {MAX_RUNS}, periods at {MAX_PERIODS}. The keys of a scenario file: docs/simulate.md.

Example:

  trilateral simulate paper --runs 2000 --seed 0 --out results/
"""


ScenarioArg = Annotated[str, typer.Argument(help="Scenario YAML file or shipped name.")]
RunsOpt = Annotated[int | None, typer.Option("--runs", help=f"Monte Carlo runs (≤ {MAX_RUNS}).")]
PeriodsOpt = Annotated[
    int | None,
    typer.Option("--periods", help=f"Months simulated (≤ {MAX_PERIODS}); years for an arms race."),
]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Processes.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write table, JSON and figures here.")]
SobolOpt = Annotated[
    int | None,
    typer.Option(
        "--sobol",
        help="Instead: Sobol sensitivity with N base samples (a power of two), "
        "the fitted coefficients among the factors.",
    ),
]
SobolMaxOpt = Annotated[
    int | None,
    typer.Option(
        "--sobol-max",
        help="Grow N (doubling) up to this until every total index's 95 % CI is "
        "narrower than 0.1 (default: no growth).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""

    @ui.command(app, "simulate", HELP)
    def simulate_cmd(
        scenario: ScenarioArg,
        runs: RunsOpt = None,
        periods: PeriodsOpt = None,
        seed: ui.SeedOpt = 0,
        workers: WorkersOpt = 1,
        json_out: ui.JsonOpt = False,
        out: OutOpt = None,
        sobol: SobolOpt = None,
        sobol_max: SobolMaxOpt = None,
        fmt: ui.FormatOpt = ui.OutputFormat.table,
    ) -> None:
        quiet = json_out or fmt is not ui.OutputFormat.table  # stdout is for a program
        if sobol is not None:
            _sobol(scenario, sobol, sobol_max, periods, seed, fmt, json_out, quiet)
        else:
            _simulate(scenario, runs, periods, seed, workers, out, fmt, json_out, quiet)


def _sobol(
    scenario: str,
    sobol: int,
    sobol_max: int | None,
    periods: int | None,
    seed: int,
    fmt: ui.OutputFormat,
    json_out: bool,
    quiet: bool,
) -> None:
    """``--sobol``: the scenario's Sobol sensitivity analysis, printed."""
    from ..errors import ConfigError
    from ..simulate import GameScenario, load_scenario, sobol_sensitivity

    sc = load_scenario(scenario)
    if not isinstance(sc, GameScenario):
        raise ConfigError("--sobol needs a game scenario (e.g. paper), not an arms race")
    with _spinner(quiet) as bar:
        bar.add_task(f"Sobol design, N={sobol}…{sobol_max or sobol}", total=None)
        sens = sobol_sensitivity(
            sc,
            base_samples=sobol,
            max_samples=sobol_max,
            periods=periods or 60,
            rng=seed,
        )
    ui.print_result(
        fmt,
        as_json=json_out,
        data=lambda: {
            "scenario": sc.name,
            "seed": str(seed),
            "indices": sens.to_frame().to_dicts(),
            "outcome_means": sens.outcome_means,
            "N": sens.base_samples,
            "converged": sens.converged,
            "convergence": sens.convergence.to_dicts(),
            "provenance": sens.provenance,
        },
        frames=lambda: [sens.to_frame()],
        table=lambda: ui.print_text(sens.summary()),
    )


def _simulate(
    scenario: str,
    runs: int | None,
    periods: int | None,
    seed: int,
    workers: int,
    out: Path | None,
    fmt: ui.OutputFormat,
    json_out: bool,
    quiet: bool,
) -> None:
    """Run the scenario, write its files to ``out`` if given, and print its summary."""
    with _spinner(quiet) as bar:
        task = bar.add_task(f"simulating {escape(scenario)}", total=None)
        res = run_scenario(
            scenario,
            runs=runs,
            periods=periods,
            rng=seed,
            workers=workers,
            progress=lambda name: bar.update(task, description=f"done: {escape(name)}"),
        )
        files = write_outputs(res, out) if out is not None else []
    for f in files:  # where the files went, on stderr: stdout stays the result
        ui.err_console.print(f"wrote {ui.esc(f)}", highlight=False, soft_wrap=True)
    ui.print_summary_result(res, fmt, json_out)


def _spinner(quiet: bool) -> Progress:
    """A spinner on stderr while the runs go (none when the output is for a program)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=ui.err_console,
        transient=True,
        disable=quiet,
    )
