"""The dashboard: a FastAPI app over a live store, read-only, with a JSON API.

Every number comes from the measure and diagnose stages; every figure from
:mod:`trilateral.report`'s figure functions. Results are cached per store version (the
store file's size and modification time), so a second request for the same view is a
dictionary lookup, and an ingest that changes the store changes the version.

The app is assembled here: the :class:`~._views.Views` it computes with, the error
handlers, and one router per resource (:data:`._routers.ROUTERS`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .. import __version__
from ..errors import StoreError, StoreLockedError, TrilateralError
from ._views import (
    MAX_BOOT,
    MAX_HORIZON,
    MAX_PERIODS,
    MAX_SIM_CELLS,
    MAX_SIM_PERIODS,
    MAX_SIM_RUNS,
    MAX_WINDOW_DAYS,
    StoreVersion,
    Verdict,
    Views,
)

__all__ = [
    "MAX_BOOT",
    "MAX_HORIZON",
    "MAX_PERIODS",
    "MAX_SIM_CELLS",
    "MAX_SIM_PERIODS",
    "MAX_SIM_RUNS",
    "MAX_WINDOW_DAYS",
    "StoreVersion",
    "Verdict",
    "create_app",
]


async def _trilateral_error(_: Request, exc: Exception) -> JSONResponse:
    """A :class:`TrilateralError` as JSON: 503 for the store (locked: retry), else 422."""
    assert isinstance(exc, TrilateralError)
    if isinstance(exc, StoreLockedError):
        return JSONResponse(
            {"detail": f"{exc.message}; retry in a moment", "hint": exc.hint},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    status = 503 if isinstance(exc, StoreError) else 422
    return JSONResponse({"detail": exc.message, "hint": exc.hint}, status_code=status)


async def _degenerate(_: Request, exc: Exception) -> JSONResponse:
    """A model that cannot be estimated on the window asked for: 422."""
    return JSONResponse(
        {
            "detail": f"the model cannot be estimated on this window: {exc}",
            "hint": "widen the window",
        },
        status_code=422,
    )


def create_app(db: str | Path, *, cache_size: int = 256) -> FastAPI:
    """The dashboard and its JSON API over the store ``db`` (opened read-only per request).

    Parameters
    ----------
    db : path
        The event store. It is never written; each computation opens it read-only and
        closes it, so an ingest running at the same time proceeds.
    cache_size : int
        Results kept (per store version; least recently used dropped first).

    Raises
    ------
    StoreError
        No store at ``db``.

    Examples
    --------
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app("demo-output/trilateral.duckdb"))  # doctest: +SKIP
    >>> client.get("/api/indices", params={"dyad": "RUS-USA"}).json()[:1]  # doctest: +SKIP
    """
    from ._routers import ROUTERS

    path = Path(db)
    if not path.is_file():
        raise StoreError(
            f"no event store at {path}",
            hint="run `trilateral demo` or `trilateral ingest FILE --db PATH` first, or pass --db",
        )
    app = FastAPI(
        title="trilateral",
        version=__version__,
        description=(
            "The measure and diagnose results of a trilateral event store as JSON and plotly "
            "figures. Read-only; results cached per store version."
        ),
    )
    app.state.views = Views(path, cache_size)
    app.add_exception_handler(TrilateralError, _trilateral_error)
    app.add_exception_handler(np.linalg.LinAlgError, _degenerate)
    for router in ROUTERS:
        app.include_router(router)
    return app
