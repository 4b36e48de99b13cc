"""What the routers share: the :class:`~._views.Views` of the app as a dependency, the
query parameters several endpoints take, and the cached JSON response."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any

import polars as pl
from fastapi import Depends, Query, Request
from fastapi.responses import Response

from ._views import MAX_BOOT, Period, StoreVersion, Views

__all__ = [
    "Countries",
    "End",
    "NBoot",
    "PeriodQ",
    "Start",
    "ViewsDep",
    "cached_json",
    "json_response",
    "records",
]


def _views(request: Request) -> Views:
    """The app's :class:`Views` (set by :func:`trilateral.serve.create_app`)."""
    views: Views = request.app.state.views
    return views


ViewsDep = Annotated[Views, Depends(_views)]
Countries = Annotated[
    str | None,
    Query(
        description="ISO3 codes separated by commas (default USA,RUS,CHN); "
        "each must occur in the store.",
        max_length=200,
    ),
]
Start = Annotated[
    str | None,
    Query(description="First day, ISO date (default: the store's first).", max_length=40),
]
End = Annotated[
    str | None,
    Query(description="Last day, ISO date (default: the store's last).", max_length=40),
]
PeriodQ = Annotated[Period, Query(description="Period of the index cells.")]
NBoot = Annotated[
    int, Query(ge=0, le=MAX_BOOT, description="Bootstrap replicates of the index bands.")
]


def json_response(text: str | bytes, v: Hashable, *, stale: bool = False) -> Response:
    """JSON ``text`` with the store version it was computed from (``X-Store-Version``)
    and, when the store has changed since, ``X-Stale: true``."""
    body = text.encode() if isinstance(text, str) else text
    headers = {"X-Store-Version": "-".join(map(str, v))}  # type: ignore[call-overload]
    if stale:
        headers["X-Stale"] = "true"
    return Response(body, media_type="application/json", headers=headers)


def cached_json(
    views: Views, key: tuple[Any, ...], v: StoreVersion, make: Callable[[], str]
) -> Response:
    """The JSON that ``make`` encodes at the store version ``v``, cached under ``key``.

    Concurrent requests for one key compute it once. When the store has changed since
    the last answer, that answer is sent at once, marked stale (``X-Stale: true``, with
    its own ``X-Store-Version``), while the answer at ``v`` is computed in the
    background (:meth:`~trilateral.serve._cache.ResultCache.latest`)."""
    text, at = views.cache.latest(("json", *key), v, make)
    return json_response(text, at, stale=at != v)


def records(frame: pl.DataFrame) -> str:
    """A frame as a JSON list of row objects."""
    return frame.write_json()
