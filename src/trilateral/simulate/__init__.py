"""The simulate stage: the trilateral repeated game, China's policy options, the
Richardson arms race, calibration and sensitivity (see docs/simulate.md).

Examples
--------
>>> from trilateral.simulate import compare_policies, load_scenario
>>> cmp = compare_policies(load_scenario("paper"), runs=40, periods=24, rng=0)
>>> cmp.to_frame().height  # four policies and two reference rows
6
"""

from __future__ import annotations

from ._armsrace import ArmsRaceResults, RichardsonFit, fit_richardson, run_arms_race
from ._calibrate import CalibrationResults, calibrate_scenario
from ._compare import PolicyComparison, compare_policies
from ._config import (
    MAX_PERIODS,
    MAX_RUNS,
    PAYOFF_SCALINGS,
    ArmsRaceScenario,
    FittedUncertainty,
    GameScenario,
    load_scenario,
    shipped_scenario,
    shipped_scenarios,
)
from ._engine import GameSpec
from ._game import SimulationResults, TrilateralGame, economic_weights, scaling_weights
from ._run import run_scenario, write_outputs
from ._sensitivity import SENSITIVITY_PARAMETERS, SensitivityResults, sobol_sensitivity
from ._strategies import STRATEGIES, Strategy, fitted_strategy, get_strategy

__all__ = [
    "MAX_PERIODS",
    "MAX_RUNS",
    "PAYOFF_SCALINGS",
    "SENSITIVITY_PARAMETERS",
    "STRATEGIES",
    "ArmsRaceResults",
    "ArmsRaceScenario",
    "CalibrationResults",
    "FittedUncertainty",
    "GameScenario",
    "GameSpec",
    "PolicyComparison",
    "RichardsonFit",
    "SensitivityResults",
    "SimulationResults",
    "Strategy",
    "TrilateralGame",
    "calibrate_scenario",
    "compare_policies",
    "economic_weights",
    "fit_richardson",
    "fitted_strategy",
    "get_strategy",
    "load_scenario",
    "run_arms_race",
    "run_scenario",
    "scaling_weights",
    "shipped_scenario",
    "shipped_scenarios",
    "sobol_sensitivity",
    "write_outputs",
]
