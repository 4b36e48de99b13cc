"""``/api/watch``: the last poll of ``trilateral watch`` and the latest changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from ...watch import watch_status
from .._params import ViewsDep

__all__ = ["router"]

router = APIRouter(tags=["watch"])


@router.get("/api/watch", summary="The watch: the last poll and the latest changes")
def watch(views: ViewsDep, n: Annotated[int, Query(ge=1, le=200)] = 20) -> Response:
    """The last poll of ``trilateral watch`` on this store (time, newest GDELT slot, files
    and rows fetched) and its ``n`` latest changes, newest first, each with the events
    behind it; ``last_poll`` is null when no watch has run (docs/fetch.md)."""
    return JSONResponse(watch_status(views.path, n=n).to_dict())
