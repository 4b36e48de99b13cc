"""The serve stage: the dashboard and JSON API over a live store (FastAPI + uvicorn).

Serve is a view: it calls the measure and diagnose stages and draws with
:mod:`trilateral.report`'s figure functions. The store is opened read-only for each
computation; results are cached per store version.

Examples
--------
>>> from trilateral.serve import MAX_PERIODS
>>> MAX_PERIODS
600
"""

from __future__ import annotations

from ._app import MAX_BOOT, MAX_PERIODS, MAX_WINDOW_DAYS, StoreVersion, create_app
from ._run import LOCAL_HOSTS, serve

__all__ = [
    "LOCAL_HOSTS",
    "MAX_BOOT",
    "MAX_PERIODS",
    "MAX_WINDOW_DAYS",
    "StoreVersion",
    "create_app",
    "serve",
]
