"""The forecast and simulate stages' resources."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...forecast import MAX_HORIZON
from .._params import BaseQ, Countries, End, Start, ViewsDep, cached_json, records

__all__ = ["forecasts", "simulations"]

forecasts = APIRouter(tags=["forecast"])
simulations = APIRouter(tags=["simulate"])


@forecasts.get(
    "/api/forecasts",
    summary="Forecasts of the monthly index with predictive intervals (forecast stage)",
)
def api_forecasts(
    views: ViewsDep,
    countries: Countries = None,
    start: Start = None,
    end: End = None,
    horizon: Annotated[int, Query(ge=1, le=MAX_HORIZON, description="Months ahead.")] = 6,
    base: BaseQ = None,
) -> Response:
    """Forecasts of the monthly index of the window, ``horizon`` months ahead, from one
    evidence base (``base``; default: the base covering the most months), named in each
    row's ``base``."""
    v = views.version()
    codes = views.countries(v, countries)
    d0, d1 = views.window(v, start, end, "month")

    def make() -> str:
        fc = views.forecast(v, codes, "month", d0, d1, horizon, base)
        return records(fc.to_frame().with_columns(pl.lit(fc.evidence_base).alias("base")))

    return cached_json(views, ("forecasts", codes, d0, d1, horizon, base), v, make)


@simulations.get(
    "/api/simulations",
    summary="China's policy options compared by the simulate stage (a shipped scenario)",
)
def api_simulations(
    views: ViewsDep,
    scenario: Annotated[str, Query(max_length=60, description="A shipped scenario.")] = "paper",
    runs: Annotated[int, Query(ge=1, le=100_000, description="Runs per policy.")] = 100,
    periods: Annotated[int, Query(ge=1, le=10_000, description="Periods per run.")] = 36,
) -> Response:
    """China's policies compared on a shipped game scenario."""
    v = views.version()
    return cached_json(
        views,
        ("simulations", scenario, runs, periods),
        v,
        lambda: records(views.simulation(scenario, runs, periods).to_frame()),
    )
