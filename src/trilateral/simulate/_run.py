"""Run a scenario file end to end and write its outputs: what ``trilateral simulate`` calls."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._rng import RNGLike, seed_sequence
from ..data._provenance import atomic_write
from ..errors import ConfigError
from ._compare import compare_policies
from ._config import MAX_PERIODS, MAX_RUNS, ArmsRaceScenario, GameScenario, load_scenario

__all__ = ["run_scenario", "write_outputs"]


def run_scenario(
    source: str | Path | Mapping[str, Any] | GameScenario | ArmsRaceScenario,
    *,
    runs: int | None = None,
    periods: int | None = None,
    rng: RNGLike = None,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Load a scenario and run it: a game compares its policies, an arms race is fitted
    and projected.

    Parameters
    ----------
    source : path, shipped name, mapping or scenario
        The scenario (see :func:`load_scenario`).
    runs, periods : int, optional
        Override the scenario's (capped at ``MAX_RUNS`` / ``MAX_PERIODS``; for an arms
        race ``periods`` is the projection horizon in years).
    rng : int, SeedSequence, Generator or None
        Resolved once for the whole scenario.
    workers : int
        Processes for the game's batches.
    progress : callable, optional
        Called with the name of each finished part.

    Returns
    -------
    PolicyComparison or ArmsRaceResults

    Examples
    --------
    >>> res = run_scenario("paper", runs=40, periods=24, rng=0)
    >>> sorted(res.to_dict()["policies"])[0]
    'align_with_russia'
    """
    if runs is not None and not 1 <= runs <= MAX_RUNS:
        raise ConfigError(
            f"runs={runs} is outside 1..{MAX_RUNS} (the cap)", hint="ask for fewer runs"
        )
    if periods is not None and not 1 <= periods <= MAX_PERIODS:
        raise ConfigError(
            f"periods={periods} is outside 1..{MAX_PERIODS} (the cap)", hint="ask for fewer"
        )
    if isinstance(source, GameScenario | ArmsRaceScenario):
        scenario = source
        over = {"runs": runs}
        if isinstance(scenario, GameScenario):
            over["periods"] = periods
        scenario = load_scenario(
            scenario.model_dump(mode="json"), **{k: v for k, v in over.items() if v}
        )
    else:
        probe = load_scenario(source)
        over = {"runs": runs}
        over["periods" if isinstance(probe, GameScenario) else "horizon"] = periods
        scenario = load_scenario(source, **over) if any(over.values()) else probe
    seq = seed_sequence(rng)
    if isinstance(scenario, ArmsRaceScenario):
        from ._armsrace import run_arms_race

        return run_arms_race(scenario, rng=seq)
    calibration = None
    if scenario.calibrate:
        from ._calibrate import calibrate_scenario

        calibration = calibrate_scenario(scenario, rng=seq)
        scenario = calibration.scenario
        if progress is not None:
            progress("calibration")
    res = compare_policies(scenario, rng=seq, workers=workers, progress=progress)
    return dataclasses.replace(res, calibration=calibration) if calibration else res


def write_outputs(results: Any, out: str | Path) -> list[Path]:
    """Write the table (CSV), the JSON document, the figure (HTML fragment and PNG)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = results.scenario.name
    files = []
    table = out / f"simulate_{name}.csv"
    atomic_write(table, results.to_frame().write_csv().encode("utf-8"))
    files.append(table)
    doc = out / f"simulate_{name}.json"
    atomic_write(doc, json.dumps(results.to_dict(), indent=2, default=str).encode("utf-8"))
    files.append(doc)
    html = out / f"simulate_{name}.html"
    atomic_write(html, results.to_html().encode("utf-8"))
    files.append(html)
    files.append(results.save_png(out / f"simulate_{name}.png"))
    return files
