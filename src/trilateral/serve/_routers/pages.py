"""The dashboard page, its scripts (plotly.js and the page's own, served locally so the
page works offline under a strict Content-Security-Policy), the API's documentation page
(rendered here from the OpenAPI schema: no script from a CDN) and a health check."""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from itertools import combinations
from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ... import __version__
from ...config import DEFAULT_COUNTRIES
from ...watch import watch_status
from .._params import ViewsDep
from .._views import Verdict

__all__ = ["router"]

router = APIRouter()

#: The arenas a user can pick (besides every arena and all pooled).
ARENAS = ("diplomatic", "economic", "information", "military", "political")


@cache
def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("trilateral.serve", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(views: ViewsDep) -> HTMLResponse:
    """The dashboard: controls, one panel per figure, and the claims table."""
    v = views.version()
    facts = views.facts(v)
    default = [c for c in DEFAULT_COUNTRIES if c in facts["countries"]]
    window = views.default_window(v)
    text = (
        _env()
        .get_template("dashboard.html.j2")
        .render(
            store=views.path.name,
            version=__version__,
            dyads=[f"{a}-{b}" for a, b in combinations(sorted(default), 2)],
            countries=",".join(default),
            bases=list(views.bases(v)),
            arenas=list(ARENAS),
            first=facts["first"],
            last=facts["last"],
            start=window["start"],
            end=window["end"],
            report_default=window["report_default"],
            verdicts=list(get_args(Verdict)),
            watch=watch_status(views.path, n=3),
        )
    )
    return HTMLResponse(text)


@router.get("/assets/plotly.js", include_in_schema=False)
def plotly_asset() -> Response:
    """plotly.js from the installed plotly package (the page works offline)."""
    return Response(
        _plotly_js(),
        media_type="application/javascript",
        headers={"Cache-Control": "max-age=86400"},
    )


@cache
def _page_js() -> bytes:
    return files("trilateral.serve").joinpath("templates/dashboard.js").read_bytes()


@router.get("/assets/dashboard.js", include_in_schema=False)
def dashboard_asset() -> Response:
    """The dashboard's script (a file, so that the CSP needs no inline script)."""
    return Response(_page_js(), media_type="application/javascript")


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The JSON API: each operation with its summary and parameters (from the schema)."""
    schema = request.app.openapi()
    ops = [
        {"path": path, "method": method.upper(), **op}
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]
    text = (
        _env()
        .get_template("api.html.j2")
        .render(title=schema["info"]["title"], version=schema["info"]["version"], operations=ops)
    )
    return HTMLResponse(text)


@router.get("/api/health", include_in_schema=False)
def health() -> dict[str, Any]:
    """Liveness: the server answers, and from which process."""
    return {"ok": True, "pid": os.getpid()}
