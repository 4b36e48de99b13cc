"""The dashboard: a FastAPI app over a live store, read-only, with a JSON API.

Every number comes from the measure and diagnose stages; every figure from
:mod:`trilateral.report`'s figure functions. Results are cached per store version (the
store file's size and modification time), so a second request for the same view is a
dictionary lookup, and an ingest that changes the store changes the version.

The app is assembled here: the :class:`~._views.Views` it computes with, the error
handlers, and one router per resource (:data:`._routers.ROUTERS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .. import __version__
from ..errors import StoreError, StoreLockedError, TrilateralError
from ..forecast import MAX_HORIZON
from ._guard import SECURITY_HEADERS, Guard
from ._views import (
    MAX_BOOT,
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
    "warm_up",
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


async def _defect(_: Request, exc: Exception) -> JSONResponse:
    """Anything else: 500 as JSON (the page reads every answer as JSON), with the security
    headers set here, since Starlette answers it outside :class:`~._guard.Guard`."""
    return JSONResponse(
        {
            "detail": f"internal error: {type(exc).__name__}",
            "hint": "this is a defect of trilateral: please report it with the request",
        },
        status_code=500,
        headers=SECURITY_HEADERS,
    )


#: The longest input a 422 answer echoes back, in characters.
MAX_ECHO = 200


def _short(value: Any) -> Any:
    """``value`` for an error body: strings cut to :data:`MAX_ECHO` characters."""
    if isinstance(value, str) and len(value) > MAX_ECHO:
        return f"{value[:MAX_ECHO]}… ({len(value)} characters)"
    if isinstance(value, dict):
        return {k: _short(x) for k, x in list(value.items())[:20]}
    if isinstance(value, list | tuple):
        return [_short(x) for x in value[:20]]
    return value


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    """A request that fails validation: 422 with FastAPI's error list, the inputs cut."""
    from fastapi.encoders import jsonable_encoder

    assert isinstance(exc, RequestValidationError)
    errors = [{**e, "input": _short(e.get("input"))} for e in exc.errors()[:20]]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def warm_up() -> None:
    """Import, before the first request, what plotly looks up without importing.

    plotly checks ``sys.modules`` for pandas (and PIL) on every figure it encodes; when
    one request thread is importing pandas (through statsmodels) while another encodes
    a figure, the second finds a half-initialised module and fails (issue 21, item 6).
    Importing them here, and encoding one figure, closes that window.
    """
    import importlib
    import importlib.util

    import pandas  # noqa: F401
    import plotly.graph_objects as go

    if importlib.util.find_spec("PIL") is not None:  # optional: plotly encodes images
        importlib.import_module("PIL.Image")  # with it when it is there; never required
    go.Figure(go.Scatter(x=[0, 1], y=[0.0, 1.0])).to_json()
    from .. import report  # noqa: F401  (the figure functions and their imports)


def create_app(
    db: str | Path, *, cache_size: int = 256, allowed_hosts: Iterable[str] = ()
) -> FastAPI:
    """The dashboard and its JSON API over the store ``db`` (opened read-only per request).

    Parameters
    ----------
    db : path
        The event store. It is never written; each computation opens it read-only and
        closes it, so an ingest running at the same time proceeds.
    cache_size : int
        Results kept (per store version; least recently used dropped first).
    allowed_hosts : iterable of str
        Host names served besides the local ones (``localhost``, loopback addresses);
        a request with any other ``Host`` header gets 400 (:class:`~._guard.Guard`).

    Raises
    ------
    StoreError
        No store at ``db``.

    Examples
    --------
    >>> import asyncio, httpx
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> app = create_app("trilateral.duckdb")
    >>> def get(path, **kw):  # one request to the app, in memory (ASGI), on its own loop
    ...     async def ask():
    ...         async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
    ...                                      base_url="http://localhost") as client:
    ...             return await client.get(path, **kw)
    ...     with ThreadPoolExecutor(1) as pool:
    ...         return pool.submit(lambda: asyncio.run(ask())).result()
    >>> window = {"start": "2014-01-01", "end": "2014-12-31", "n_boot": 0}
    >>> rows = get("/api/indices", params={"dyad": "RUS-USA", "arena": "all", **window}).json()
    >>> {k: rows[0][k] for k in ("base", "dyad", "arena", "period_start", "n_events")}
    {'base': 'chronicle', 'dyad': 'RUS-USA', 'arena': 'all', 'period_start': '2014-01-01', 'n_events': 26}
    >>> get("/api/meta", headers={"Host": "attacker.example"}).status_code
    400
    """
    from ._routers import ROUTERS

    path = Path(db)
    if not path.is_file():
        raise StoreError(
            f"no event store at {path}",
            hint="run `trilateral demo` or `trilateral ingest FILE --db PATH` first, or pass --db",
        )
    warm_up()
    app = FastAPI(
        title="trilateral",
        docs_url=None,  # /docs is the offline page of the pages router
        redoc_url=None,
        version=__version__,
        description=(
            "The measure and diagnose results of a trilateral event store as JSON and plotly "
            "figures. Every index, regime, triangle type, tit-for-tat rate and VAR is computed "
            "per evidence base (the `base` parameter: each base apart by default, one base, or "
            "`combined` with the cross-dataset dedup) and names its base; bases are never "
            "pooled silently. Read-only; results cached per store version."
        ),
    )
    app.state.views = Views(path, cache_size)
    app.add_exception_handler(TrilateralError, _trilateral_error)
    app.add_exception_handler(np.linalg.LinAlgError, _degenerate)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _defect)
    app.add_middleware(Guard, allowed_hosts=tuple(allowed_hosts))
    for router in ROUTERS:
        app.include_router(router)
    return app
