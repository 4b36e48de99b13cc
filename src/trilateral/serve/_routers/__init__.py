"""The dashboard's routers, one per resource (FastAPI ``APIRouter``).

:func:`trilateral.serve.create_app` includes every router of :data:`ROUTERS`, in order.
A new resource is a new ``APIRouter`` in a module here (or in the module of its stage),
appended to :data:`ROUTERS`; it reads the app's :class:`~trilateral.serve._views.Views`
through :data:`~trilateral.serve._params.ViewsDep`.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import diagnose, figures, measure, meta, outlook, pages, watch

__all__ = ["ROUTERS"]

#: Every router of the app: pages first, then the JSON API by stage, then figures.
ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    meta.router,
    measure.indices,
    diagnose.regimes,
    diagnose.triangle,
    measure.power,
    measure.reciprocity,
    measure.titfortat,
    diagnose.claims,
    outlook.forecasts,
    outlook.simulations,
    watch.router,
    figures.router,
)
