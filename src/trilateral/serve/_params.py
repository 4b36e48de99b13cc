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
    "BaseQ",
    "Countries",
    "End",
    "NBoot",
    "PeriodQ",
    "Start",
    "ViewsDep",
    "cached_json",
    "json_response",
    "per_base",
    "per_frames",
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
BaseQ = Annotated[
    str | None,
    Query(
        description="Evidence base: 'each' (default; one set of rows per base, every row "
        "with its `base`), one base of the store (e.g. chronicle, icews, gdelt2; an "
        "unknown name is refused with the store's bases), or 'combined' (every base with "
        "the cross-dataset dedup, only when asked for). Bases are never pooled silently. "
        "The reciprocity VAR takes one base: by default the one covering the most months "
        "of the window, named in the answer's `base`.",
        max_length=40,
    ),
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


def per_base(bases: tuple[str, ...], frame_of: Callable[[str], pl.DataFrame | None]) -> str:
    """The frames ``frame_of(base)`` of ``bases`` stacked as JSON rows, each row with its
    ``base`` first; a base without a result (None) adds no row."""
    f = per_frames(bases, frame_of)
    return "[]" if f is None else records(f)


def per_frames(
    bases: tuple[str, ...], frame_of: Callable[[str], pl.DataFrame | None]
) -> pl.DataFrame | None:
    """The frames ``frame_of(base)`` of ``bases`` stacked, each row with its ``base``
    first (None when no base has a result)."""
    parts = []
    for b in bases:
        f = frame_of(b)
        if f is None:
            continue
        f = f.with_columns(pl.lit(b).alias("base")) if "base" not in f.columns else f
        parts.append(f.select("base", pl.exclude("base")))
    if not parts:
        return None
    return pl.concat(parts, how="diagonal_relaxed")


def records(frame: pl.DataFrame) -> str:
    """A frame as a JSON list of row objects."""
    return frame.write_json()
