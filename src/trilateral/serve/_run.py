"""Run the dashboard with uvicorn."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = ["LOCAL_HOSTS", "serve"]

#: Hosts that only this machine can reach; binding anywhere else warns.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def serve(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Serve the dashboard for ``db`` on ``host:port`` until interrupted.

    Binding to a host other than the loopback interface makes the dashboard reachable
    from the network (it has no authentication): ``warn`` is called with a warning
    (default: :func:`warnings.warn`).

    Examples
    --------
    >>> serve("demo-output/trilateral.duckdb", port=8000)  # doctest: +SKIP
    """
    import uvicorn

    from ._app import create_app

    app = create_app(db)
    if host not in LOCAL_HOSTS:
        msg = (
            f"binding to {host}: the dashboard has no authentication and anyone who can reach "
            f"{host}:{port} can read the store's results; use 127.0.0.1 unless you mean it"
        )
        (warn or (lambda m: warnings.warn(m, stacklevel=2)))(msg)
    uvicorn.run(app, host=host, port=port, log_level="warning")
