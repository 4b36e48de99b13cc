"""Run the dashboard with uvicorn."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["LOCAL_HOSTS", "UVICORN_OPTIONS", "serve"]

#: Hosts that only this machine can reach; binding anywhere else warns.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: How uvicorn runs the dashboard. A request head of up to 1 MiB is read (uvicorn's
#: default of 16 kiB resets the connection), so that a long URL gets the app's 414.
UVICORN_OPTIONS: dict[str, Any] = {
    "log_level": "warning",
    "h11_max_incomplete_event_size": 1 << 20,
}

_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def serve(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    warn: Callable[[str], None] | None = None,
    allowed_hosts: Iterable[str] = (),
) -> None:
    """Serve the dashboard for ``db`` on ``host:port`` until interrupted.

    Binding to a host other than the loopback interface makes the dashboard reachable
    from the network (it has no authentication): ``warn`` is called with a warning
    (default: :func:`warnings.warn`). Requests are answered only when their ``Host``
    header names this machine, the interface bound (unless a wildcard) or one of
    ``allowed_hosts``.

    Examples
    --------
    A stand-in for uvicorn shows what would run (``serve`` blocks until Ctrl-C):

    >>> import uvicorn
    >>> real, uvicorn.run = uvicorn.run, lambda app, host, port, **kw: print(host, port)
    >>> try:
    ...     serve("trilateral.duckdb", port=8123, allowed_hosts=["dash.example"])
    ... finally:
    ...     uvicorn.run = real
    127.0.0.1 8123
    """
    import uvicorn

    from ._app import create_app

    hosts = [*allowed_hosts, *([host] if host not in _WILDCARDS else [])]
    app = create_app(db, allowed_hosts=hosts)
    if host not in LOCAL_HOSTS:
        msg = (
            f"binding to {host}: the dashboard has no authentication and anyone who can reach "
            f"{host}:{port} can read the store's results; use 127.0.0.1 unless you mean it"
        )
        (warn or (lambda m: warnings.warn(m, stacklevel=2)))(msg)
    uvicorn.run(app, host=host, port=port, **UVICORN_OPTIONS)
