"""``/api/meta``: what the store holds and the limits of a request."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from .._params import ViewsDep
from .._views import MAX_BOOT, MAX_PERIODS, MAX_WINDOW_DAYS

__all__ = ["router"]

router = APIRouter(tags=["store"])


@router.get("/api/meta", summary="The store: countries, date span, event count, version")
def meta(views: ViewsDep) -> Response:
    """The store's countries, first and last day, event count, version, default window."""
    v = views.version()
    f = views.facts(v)
    return JSONResponse(
        {
            "store": views.path.name,
            "version": "-".join(map(str, v)),
            "countries": f["countries"],
            "first": str(f["first"]),
            "last": str(f["last"]),
            "events": f["events"],
            "default_window": {
                k: (str(x) if isinstance(x, date) else x)
                for k, x in views.default_window(v).items()
            },
            "limits": {
                "max_periods": MAX_PERIODS,
                "max_boot": MAX_BOOT,
                "max_window_days": MAX_WINDOW_DAYS,
            },
        }
    )
