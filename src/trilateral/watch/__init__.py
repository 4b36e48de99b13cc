"""The watch stage: keep a store current and say when the triangle moves.

:func:`watch_once` polls GDELT 2.0's ``lastupdate.txt``, fetches the new export file
(through :mod:`trilateral.data.fetch`, with all its guarantees), and compares, in each
evidence base the new rows belong to, the latest month's regimes, triangle type and dyad
indices without and with them. Each change — a regime change, a triangle type change, an
index leaving its trailing 12-month range — is printed by ``trilateral watch`` and
appended to a JSON-lines log with the events behind it; :func:`watch_status` reads the
log back for the dashboard. The stage sits above measure and diagnose (it uses both).

Examples
--------
>>> from trilateral.watch import watch_status
>>> status = watch_status("trilateral.duckdb")  # no watch has run here: no log yet
>>> status.last_poll is None, status.changes
(True, ())
"""

from __future__ import annotations

from ._changes import BaseState, Change
from ._watch import (
    WatchResult,
    WatchStatus,
    default_log_path,
    watch,
    watch_once,
    watch_status,
)

__all__ = [
    "BaseState",
    "Change",
    "WatchResult",
    "WatchStatus",
    "default_log_path",
    "watch",
    "watch_once",
    "watch_status",
]
