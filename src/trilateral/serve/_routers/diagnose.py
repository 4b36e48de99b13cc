"""The diagnose stage's resources: regimes, the strategic triangle and the paper's claims."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

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
)
from .._views import Verdict, Views

__all__ = ["claims", "regimes", "triangle"]

regimes = APIRouter(tags=["diagnose"])
triangle = APIRouter(tags=["diagnose"])
claims = APIRouter(tags=["diagnose"])


def _per_period(
    views: Views,
    part: Literal["regimes", "triangle"],
    query: tuple[Any, ...],
    exactly: int | None,
) -> Response:
    """One part of the diagnosis (regimes, the triangle) per evidence base over one
    window, cached: ``query`` is ``(countries, period, start, end, n_boot, base)`` as
    requested."""
    countries, period, start, end, n_boot, base = query
    v = views.version()
    codes = views.countries(v, countries, exactly=exactly)
    d0, d1 = views.window(v, start, end, period)
    bases = views.base(v, base)
    return cached_json(
        views,
        (part, codes, period, d0, d1, n_boot, bases),
        v,
        lambda: per_base(
            bases, lambda b: views.diagnosis_frame(v, codes, period, d0, d1, n_boot, b, part)
        ),
    )


@regimes.get(
    "/api/regimes", summary="Regime per evidence base, dyad and period, with the rule that fired"
)
def api_regimes(
    views: ViewsDep,
    countries: Countries = None,
    period: PeriodQ = "year",
    start: Start = None,
    end: End = None,
    n_boot: NBoot = 100,
    base: BaseQ = None,
) -> Response:
    """The regime of each dyad and period, with the rule that fired,
    per evidence base (``base``)."""
    return _per_period(views, "regimes", (countries, period, start, end, n_boot, base), None)


@triangle.get(
    "/api/triangle", summary="The strategic-triangle type per evidence base and period (Dittmer)"
)
def api_triangle(
    views: ViewsDep,
    countries: Countries = None,
    period: PeriodQ = "year",
    start: Start = None,
    end: End = None,
    n_boot: NBoot = 100,
    base: BaseQ = None,
) -> Response:
    """The strategic-triangle type of each period (three countries),
    per evidence base (``base``)."""
    return _per_period(views, "triangle", (countries, period, start, end, n_boot, base), 3)


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
