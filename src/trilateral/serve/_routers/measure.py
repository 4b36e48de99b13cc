"""The measure stage's resources: indices, power ratios, reciprocity and tit-for-tat."""

from __future__ import annotations

import json
from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...errors import ConfigError
from .._params import (
    BaseQ,
    Countries,
    End,
    NBoot,
    PeriodQ,
    Start,
    ViewsDep,
    cached_json,
    per_base,
    records,
)
from .._views import MAX_WINDOW_DAYS

__all__ = ["indices", "power", "reciprocity", "titfortat"]

indices = APIRouter(tags=["measure"])
power = APIRouter(tags=["measure"])
reciprocity = APIRouter(tags=["measure"])
titfortat = APIRouter(tags=["measure"])


def _dyad_rows(frame: pl.DataFrame, dyad: str) -> pl.DataFrame:
    """The rows of ``frame`` between the two countries of ``dyad`` (either direction)."""
    a, b = dyad.split("-")
    return frame.filter(
        ((pl.col("source") == a) & (pl.col("target") == b))
        | ((pl.col("source") == b) & (pl.col("target") == a))
    )


@indices.get(
    "/api/indices", summary="Cooperation–conflict index per evidence base, dyad, arena and period"
)
def api_indices(
    views: ViewsDep,
    countries: Countries = None,
    dyad: Annotated[
        str | None, Query(description="Only this dyad, e.g. RUS-USA.", max_length=20)
    ] = None,
    arena: Annotated[str | None, Query(description="Only this arena.", max_length=40)] = None,
    period: PeriodQ = "year",
    start: Start = None,
    end: End = None,
    n_boot: NBoot = 100,
    directed: Annotated[
        bool, Query(description="Directed cells (default: both directions pooled).")
    ] = False,
    base: BaseQ = None,
) -> Response:
    """The index cells of the window per evidence base (``base``), optionally one dyad
    and one arena."""
    v = views.version()
    codes = views.countries(v, countries)
    d0, d1 = views.window(v, start, end, period)
    dy = views.dyad(dyad, codes) if dyad else None
    bases = views.base(v, base)

    def frame(b: str) -> pl.DataFrame:
        idx = views.index(v, codes, period, d0, d1, n_boot, b)
        if arena is not None and arena not in idx.arenas:
            raise ConfigError(
                f"unknown arena {arena!r}", hint=f"choose one of {', '.join(idx.arenas)}"
            )
        f = idx.frame if directed else idx.symmetric().frame
        if dy is not None:
            f = _dyad_rows(f, dy)
        if arena is not None:
            f = f.filter(pl.col("arena") == arena)
        return f

    def make() -> str:
        return per_base(bases, frame)

    key = ("indices", codes, dy, arena, period, d0, d1, n_boot, directed, bases)
    return cached_json(views, key, v, make)


@power.get("/api/power", summary="Power ratios per pair, indicator and year")
def api_power(
    views: ViewsDep,
    countries: Countries = None,
    indicator: Annotated[
        str | None, Query(description="Only this indicator.", max_length=60)
    ] = None,
    start_year: Annotated[int, Query(ge=1800, le=2100)] = 1992,
    end_year: Annotated[int, Query(ge=1800, le=2100)] = 2100,
) -> Response:
    """The power ratios of the capability panel, per pair, indicator and year."""
    v = views.version()
    codes = views.countries(v, countries)
    if start_year > end_year:
        raise ConfigError(f"start_year {start_year} is after end_year {end_year}", hint="swap them")

    def make() -> str:
        pr = views.power(codes)
        if indicator is not None and indicator not in pr.indicators:
            raise ConfigError(
                f"unknown indicator {indicator!r}",
                hint=f"choose one of {', '.join(pr.indicators)}",
            )
        f = pr.frame.filter(pl.col("year").is_between(start_year, end_year))
        if indicator is not None:
            f = f.filter(pl.col("indicator") == indicator)
        return records(f)

    return cached_json(views, ("power", codes, indicator, start_year, end_year), v, make)


@reciprocity.get(
    "/api/reciprocity",
    summary="Impulse responses and the endogenous share (VAR) of one evidence base",
)
def api_reciprocity(
    views: ViewsDep,
    countries: Countries = None,
    start: Start = None,
    end: End = None,
    base: BaseQ = None,
) -> Response:
    """The VAR of one evidence base's monthly index (``base``; by default the base
    covering the most months of the window): impulse responses, endogenous share, lag
    order, and the ``base`` it was fitted on."""
    v = views.version()
    codes = views.countries(v, countries)
    d0, d1 = views.window(v, start, end, "month")
    b = views.reciprocity_base(v, base, d0, d1)

    def make() -> str:
        r = views.reciprocity(v, codes, d0, d1, b)
        return json.dumps(
            {
                "base": b,
                "irf": r.irf_frame().to_dicts(),
                "endogenous_share": r.endogenous_share,
                "k_ar": r.k_ar,
                "nobs": r.nobs,
                "ic": r.ic,
                "selected_orders": r.selected_orders,
                "no_dynamics": r.no_dynamics,
            }
        )

    return cached_json(views, ("reciprocity", codes, d0, d1, b), v, make)


@titfortat.get(
    "/api/titfortat", summary="Hostile acts and their answers, per evidence base, arena and dyad"
)
def api_titfortat(
    views: ViewsDep,
    countries: Countries = None,
    start: Start = None,
    end: End = None,
    window_days: Annotated[
        int, Query(ge=1, le=MAX_WINDOW_DAYS, description="Answer within this many days.")
    ] = 30,
    base: BaseQ = None,
) -> Response:
    """The tit-for-tat summary per evidence base (``base``): hostile acts answered
    within ``window_days``."""
    v = views.version()
    codes = views.countries(v, countries)
    d0, d1 = views.window(v, start, end, "month")
    bases = views.base(v, base)
    return cached_json(
        views,
        ("titfortat", codes, d0, d1, window_days, bases),
        v,
        lambda: records(views.titfortat(v, codes, d0, d1, window_days, bases).summary_frame()),
    )
