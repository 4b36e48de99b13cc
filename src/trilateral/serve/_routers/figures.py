"""``/api/figures/{name}``: the report's plotly figures of one view, as JSON.

Each figure is drawn by :mod:`trilateral.report`'s figure function from the results that
:class:`~trilateral.serve._views.Views` computes; :data:`DRAW` maps a figure's name to the
function that draws it for one :class:`FigureRequest`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...errors import ConfigError, DataError
from ...forecast import MAX_HORIZON
from .._params import (
    BaseQ,
    Countries,
    End,
    NBoot,
    PeriodQ,
    Start,
    ViewsDep,
    cached_json,
    per_frames,
)
from .._views import MAX_WINDOW_DAYS, StoreVersion, Views

__all__ = ["DRAW", "FigureName", "FigureRequest", "router"]

router = APIRouter(tags=["figures"])

FigureName = Literal[
    "index",
    "triangle",
    "regimes",
    "power",
    "reciprocity",
    "titfortat",
    "forecast",
    "simulate",
]
#: The figures computed per evidence base (the ``base`` parameter); their title names it.
BASED = frozenset({"index", "triangle", "regimes", "reciprocity", "titfortat", "forecast"})
#: The figures of one model fitted on one base (default: the base with the most months).
ONE_BASE = frozenset({"reciprocity", "forecast"})
#: The figures drawn from the monthly index whatever the period asked for.
MONTHLY = frozenset({"reciprocity", "titfortat", "forecast"})


@dataclass(frozen=True)
class FigureRequest:
    """One validated figure request: the store version and the view's parameters."""

    views: Views
    v: StoreVersion
    codes: tuple[str, ...]
    dyad: str
    arena: str | None
    period: str
    d0: date
    d1: date
    n_boot: int
    window_days: int
    horizon: int
    bases: tuple[str, ...] = ()


def _index(q: FigureRequest) -> Any:
    import polars as pl

    from ...report import index_figure

    parts = [q.views.index(q.v, q.codes, q.period, q.d0, q.d1, q.n_boot, b) for b in q.bases]
    idx = parts[0]
    if q.arena is not None and q.arena not in idx.arenas:
        raise ConfigError(
            f"unknown arena {q.arena!r}", hint=f"choose one of {', '.join(idx.arenas)}"
        )
    frames = [
        p.symmetric().frame.with_columns(pl.lit(b).alias("base"))
        if "base" not in p.frame.columns
        else p.symmetric().frame
        for b, p in zip(q.bases, parts, strict=True)
    ]
    return index_figure(
        pl.concat(frames, how="diagonal_relaxed"),
        q.dyad,
        arenas=None if q.arena is None else [q.arena],
        events=q.views.events(q.v, q.codes, q.d0, q.d1),
    )


def _triangle(q: FigureRequest) -> Any:
    from ...report import triangle_figure

    return triangle_figure(_diagnosis_part(q, "triangle"))


def _diagnosis_part(q: FigureRequest, part: Literal["regimes", "triangle"]) -> Any:
    """The frames of one part of the diagnosis of ``q.bases``, stacked with their
    ``base``; DataError when no base has one."""
    f = per_frames(
        q.bases,
        lambda b: q.views.diagnosis_frame(q.v, q.codes, q.period, q.d0, q.d1, q.n_boot, b, part),
    )
    if f is None:
        raise DataError(
            f"no evidence base of {', '.join(q.bases)} holds every country of the view",
            hint="choose another base or other countries",
        )
    return f


def _regimes(q: FigureRequest) -> Any:
    from ...report import regimes_figure

    return regimes_figure(_diagnosis_part(q, "regimes"))


def _power(q: FigureRequest) -> Any:
    from ...report import power_figure

    return power_figure(q.views.power(q.codes), max(1992, q.d0.year - 20), q.d1.year)


def _reciprocity(q: FigureRequest) -> Any:
    from ...report import reciprocity_figure
    from ...report._render import reciprocity_order_note as order_note

    r = q.views.reciprocity(q.v, q.codes, q.d0, q.d1, q.bases[0])
    return reciprocity_figure(
        r.irf_frame(), r.endogenous_share, no_dynamics=r.no_dynamics, order_note=order_note(r)
    )


def _titfortat(q: FigureRequest) -> Any:
    from ...report import titfortat_figure

    t = q.views.titfortat(q.v, q.codes, q.d0, q.d1, q.window_days, q.bases)
    # the chance rates as the report draws them (same seed): never an answer rate alone
    return titfortat_figure(t.summary_frame(), t.matches, t.baseline_frame(rng=0))


def _forecast(q: FigureRequest) -> Any:
    a, b = q.dyad.split("-")
    fc = q.views.forecast(q.v, q.codes, "month", q.d0, q.d1, q.horizon, q.bases[0])
    return fc.figure(a, b)


def _simulate(q: FigureRequest) -> Any:
    return fit_narrow(q.views.simulation("paper", 100, 36).figure())


def fit_narrow(fig: Any, chars_per_width: int = 40) -> Any:
    """Layout only, for a phone's 390 px: each subplot title wrapped to the width of its
    subplot (about ``chars_per_width`` characters for the full width), and the house
    layout (title top left, a top margin that holds wrapped titles, legend below)."""
    import textwrap

    from ...report._figures import _layout

    domains = [tuple(ax.domain) for ax in fig.select_xaxes() if ax.domain]
    for a in fig.layout.annotations:
        x = a.x if a.x is not None else 0.5
        lo, hi = next(((d0, d1) for d0, d1 in domains if d0 <= x <= d1), (0.0, 1.0))
        width = max(12, int((hi - lo) * chars_per_width))
        a.text = "<br>".join(textwrap.wrap(str(a.text).replace("<br>", " "), width))
        a.font.size = 12  # about 6.5 px a character: 40 fill the 310 px of a phone's plot
    title = fig.layout.title.text or ""
    fig = _layout(fig, title, height=440)
    # below the axis titles: the x-axis title sits about 40 px under the plot
    fig.update_layout(legend={"orientation": "h", "y": -0.35, "yanchor": "top"})
    fig.update_layout(margin={"t": 130, "b": 110})
    return fig


#: The function that draws each figure.
DRAW: dict[str, Callable[[FigureRequest], Any]] = {
    "index": _index,
    "triangle": _triangle,
    "regimes": _regimes,
    "power": _power,
    "reciprocity": _reciprocity,
    "titfortat": _titfortat,
    "forecast": _forecast,
    "simulate": _simulate,
}


@router.get(
    "/api/figures/{name}",
    summary="A plotly figure (JSON) of one view; per-base figures name their base",
)
def api_figure(
    views: ViewsDep,
    name: FigureName,
    countries: Countries = None,
    dyad: Annotated[
        str | None, Query(description="The dyad of the index figure.", max_length=20)
    ] = None,
    arena: Annotated[
        str | None, Query(description="Only this arena (index figure).", max_length=40)
    ] = None,
    period: PeriodQ = "year",
    start: Start = None,
    end: End = None,
    n_boot: NBoot = 100,
    window_days: Annotated[int, Query(ge=1, le=MAX_WINDOW_DAYS)] = 30,
    horizon: Annotated[int, Query(ge=1, le=MAX_HORIZON, description="Months ahead.")] = 6,
    base: BaseQ = None,
) -> Response:
    """The figure ``name`` of the view the parameters describe, as plotly JSON; the
    figures computed per evidence base name their base(s) in the title."""
    v = views.version()
    codes = views.countries(v, countries, exactly=3 if name == "triangle" else None)
    d0, d1 = views.window(v, start, end, "month" if name in MONTHLY else period)
    bases: tuple[str, ...] = ()
    if name in ONE_BASE:
        bases = (views.reciprocity_base(v, base, d0, d1),)
    elif name in BASED:
        bases = views.base(v, base)
    q = FigureRequest(
        views=views,
        v=v,
        codes=codes,
        dyad=views.dyad(dyad, codes),
        arena=arena,
        period=period,
        d0=d0,
        d1=d1,
        n_boot=n_boot,
        window_days=window_days,
        horizon=horizon,
        bases=bases,
    )
    key = (
        "figure",
        name,
        codes,
        q.dyad,
        arena,
        period,
        d0,
        d1,
        n_boot,
        window_days,
        horizon,
        bases,
    )

    def make() -> str:
        from ...report._figures import tidy_figure

        fig = tidy_figure(DRAW[name](q))
        if bases:
            label = "base" if len(bases) == 1 else "bases"
            title = fig.layout.title.text or ""
            fig.update_layout(title_text=f"{title} — {label}: {', '.join(bases)}".lstrip(" —"))
        return str(fig.to_json())

    return cached_json(views, key, v, make)
