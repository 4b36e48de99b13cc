"""``trilateral serve``: thin over :func:`trilateral.serve.serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from ..config import default_db_path
from . import _common as ui

__all__ = ["register"]

SERVE_HELP = """Serve the dashboard and its JSON API over a store (read-only).

Opens http://HOST:PORT/ with the index, triangle, regimes, power ratios, reciprocity and tit-for-tat figures and selectors for dyad, arena, period and window; the JSON API is documented at /docs (schema at /openapi.json). Binds to 127.0.0.1 by default; another host prints a warning. Requests are answered only when their Host header is localhost, a loopback address, the interface bound or a name given with --allowed-host (against DNS rebinding).

Example:

  trilateral serve --db demo-output/trilateral.duckdb --port 8000
"""


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""

    @ui.command(app, "serve", SERVE_HELP)
    def serve_cmd(
        db: ui.DbOpt = None,
        host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
        allowed_host: Annotated[
            list[str] | None,
            typer.Option(
                "--allowed-host",
                help="Also answer requests for this host name (repeatable), e.g. the "
                "machine's name when binding to 0.0.0.0.",
            ),
        ] = None,
    ) -> None:
        from ..serve import serve

        store = default_db_path(db)

        def warn(msg: str) -> None:
            ui.err_console.print(
                f"[bold yellow]warning:[/] {ui.esc(msg)}", highlight=False, soft_wrap=True
            )

        ui.console.print(
            f"dashboard for {ui.esc(store)} at http://{ui.esc(host)}:{port}/ (API docs at /docs); "
            "Ctrl-C stops it",
            soft_wrap=True,
        )
        serve(store, host, port, warn=warn, allowed_hosts=allowed_host or ())
