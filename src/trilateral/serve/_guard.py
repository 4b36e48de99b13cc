"""What every request passes before it reaches a router, and what every answer carries.

* **Host check** (against DNS rebinding): a request is served only when its ``Host``
  header names this machine — ``localhost`` (or a name under ``.localhost``), a loopback
  address — or one of the hosts the user allowed (``trilateral serve --allowed-host``).
  Any other Host gets 400 with a JSON body saying what to do.
* **Long URLs**: a request target longer than :data:`MAX_URL` bytes gets 414.
* **Security headers** on every answer: a Content-Security-Policy that allows only this
  server's own scripts and data (the page works offline: plotly.js and the page's script
  are served from ``/assets``), ``frame-ancestors 'none'``, ``X-Content-Type-Options:
  nosniff``, ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "MAX_URL", "SECURITY_HEADERS", "Guard", "host_name", "is_local_host"]

#: The longest request target (path and query) served, in bytes; longer ones get 414.
MAX_URL = 8_192

#: The Content-Security-Policy of every answer. Styles may be inline (plotly sets them
#: on its elements); scripts only from this server; no frames, plugins or base changes.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: The headers every answer carries (names → values).
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
_HEADERS = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


def host_name(header: str) -> str:
    """The host of a ``Host`` header: port dropped, brackets of an IPv6 literal dropped,
    lower case, no trailing dot.

    Examples
    --------
    >>> host_name("LocalHost:8000"), host_name("[::1]:8000"), host_name("127.0.0.1")
    ('localhost', '::1', '127.0.0.1')
    >>> host_name("[::1].evil.example")  # not the literal: refused as a foreign name
    '[::1].evil.example'

    """
    h = header.strip().lower()
    if h.startswith("["):  # an IPv6 literal: nothing but a port may follow the bracket
        inside, bracket, rest = h[1:].partition("]")
        if bracket and (not rest or (rest[0] == ":" and rest[1:].isdigit())):
            return inside
        return h
    name, sep, port = h.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        h = name
    return h.rstrip(".")


def is_local_host(name: str) -> bool:
    """Whether ``name`` (as :func:`host_name` returns it) can only mean this machine.

    Examples
    --------
    >>> [is_local_host(h) for h in ("localhost", "app.localhost", "127.0.0.2", "::1")]
    [True, True, True, True]
    >>> [is_local_host(h) for h in ("example.com", "localhost.example.com", "10.0.0.1")]
    [False, False, False]
    """
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Guard:
    """ASGI middleware: the Host check, the URL limit and the security headers.

    Parameters
    ----------
    app : ASGI app
        The app it guards.
    allowed_hosts : iterable of str
        Host names (or addresses) served besides the local ones; ``"*"`` serves any.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(host_name(h) for h in allowed_hosts)

    def allows(self, name: str) -> bool:
        """Whether a request whose Host is ``name`` is served."""
        return is_local_host(name) or name in self.allowed or "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if target > MAX_URL:
            await _refuse(send, 414, f"the URL is {target} bytes long", f"at most {MAX_URL}")
        elif not host:
            await _refuse(send, 400, "the request has no Host header", "send one")
        elif not self.allows(host_name(host)):
            await _refuse(
                send,
                400,
                f"host {host_name(host)!r} is not served here",
                "open the dashboard as http://127.0.0.1:PORT/ or http://localhost:PORT/, "
                "or start it with --allowed-host NAME",
            )
        else:
            await self.app(scope, receive, _with_headers(send))


def _with_headers(send: Send) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
        await send(message)

    return send_with_headers


async def _refuse(send: Send, status: int, detail: str, hint: str) -> None:
    body = json.dumps({"detail": detail, "hint": hint}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *_HEADERS,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
