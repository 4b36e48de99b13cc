"""The diagnose stage's resources: regimes, the strategic triangle and the paper's claims."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .._params import Countries, End, NBoot, PeriodQ, Start, ViewsDep, cached_json, records
from .._views import Period, Verdict, Views

__all__ = ["claims", "regimes", "triangle"]

regimes = APIRouter(tags=["diagnose"])
triangle = APIRouter(tags=["diagnose"])
claims = APIRouter(tags=["diagnose"])


def _per_period(
    views: Views,
    name: Literal["regimes", "triangle"],
    countries: str | None,
    period: Period,
    start: str | None,
    end: str | None,
    n_boot: int,
    *,
    exactly: int | None = None,
) -> Response:
    """One diagnosis table per period (``views.regimes`` or ``views.triangle``), cached
    under its name, the countries, the period, the window and ``n_boot``."""
    v = views.version()
    codes = views.countries(v, countries, exactly=exactly)
    d0, d1 = views.window(v, start, end, period)
    table = views.regimes if name == "regimes" else views.triangle
    return cached_json(
        views,
        (name, codes, period, d0, d1, n_boot),
        v,
        lambda: records(table(v, codes, period, d0, d1, n_boot).to_frame()),
    )


@regimes.get("/api/regimes", summary="Regime per dyad and period, with the rule that fired")
def api_regimes(
    views: ViewsDep,
    countries: Countries = None,
    period: PeriodQ = "year",
    start: Start = None,
    end: End = None,
    n_boot: NBoot = 100,
) -> Response:
    """The regime of each dyad and period, with the rule that fired."""
    return _per_period(views, "regimes", countries, period, start, end, n_boot)


@triangle.get("/api/triangle", summary="The strategic-triangle type per period (Dittmer)")
def api_triangle(
    views: ViewsDep,
    countries: Countries = None,
    period: PeriodQ = "year",
    start: Start = None,
    end: End = None,
    n_boot: NBoot = 100,
) -> Response:
    """The strategic-triangle type of each period (three countries)."""
    return _per_period(views, "triangle", countries, period, start, end, n_boot, exactly=3)


@claims.get("/api/claims", summary="The reference paper's claims with verdicts, quotes and figures")
def api_claims(
    views: ViewsDep,
    verdict: Annotated[
        Verdict | None,
        Query(description="Only claims with this verdict."),
    ] = None,
) -> Response:
    """The claims of the reference paper, judged on the store, optionally one verdict."""
    from ...report import claims_rows

    v = views.version()

    def make() -> str:
        rows = claims_rows(views.claims(v))
        if verdict is not None:
            rows = [r for r in rows if r["verdict"] == verdict]
        return json.dumps(rows, default=str, ensure_ascii=False)

    return cached_json(views, ("claims", verdict), v, make)
