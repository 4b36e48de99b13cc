"""A local GDELT mirror for the fetch and watch tests (127.0.0.1, a random port).

It serves files under GDELT's layout (``/gdeltv2/…``, ``/events/…``) from memory,
honours ``Range`` (206 + ``Content-Range``), logs every request (path, range, status,
bytes sent), and injects faults per path:

- ``"404"``: not found;
- ``"503x2"``: 503 with ``Retry-After: 0`` twice, then the file;
- ``"drop"``: the first request without a range gets the full ``Content-Length`` but only
  half the body, then the connection is closed;
- ``"slow"``: sleeps ``slow_seconds`` before the headers (longer than the client's read
  timeout), every time.

The test files are real GDELT rows: the two untouched GDELT 2.0 exports of the shared
data, split into chunks of whole lines (one chunk a slot, so no two slots share a row)
and zipped here, and the GDELT 1.0 sample rows.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HOST = "http://data.gdeltproject.org"


def zipped(name: str, data: bytes) -> bytes:
    """``data`` as a one-member zip archive named ``name`` (GDELT's packaging)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def chunks(path: Path, n: int) -> list[bytes]:
    """The lines of ``path`` in ``n`` consecutive chunks of whole lines."""
    lines = path.read_bytes().splitlines(keepends=True)
    step = -(-len(lines) // n)
    return [b"".join(lines[i : i + step]) for i in range(0, len(lines), step)]


@dataclass
class Logged:
    path: str
    range: str | None
    status: int
    sent: int
    agent: str | None = None


@dataclass
class Mirror:
    """The server's state: files by URL path, faults by path, the request log."""

    files: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    slow_seconds: float = 1.5
    delay: float = 0.0  # before every file response (the kill test's pace)
    retry_after: str = "0"  # the Retry-After of a "503x2" fault
    url: str = ""
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def list_line(self, path: str, *, md5: str | None = None) -> str:
        """``size md5 url`` of a served file (with GDELT's host), MD5 overridable."""
        data = self.files[path]
        digest = md5 or hashlib.md5(data).hexdigest()
        return f"{len(data)} {digest} {HOST}{path}"

    def gets(self, suffix: str = ".zip") -> list[Logged]:
        """Logged requests of files whose path ends with ``suffix``."""
        with self._lock:
            return [e for e in self.log if e.path.endswith(suffix)]

    def _record(self, entry: Logged) -> None:
        with self._lock:
            self.log.append(entry)

    def _count(self, path: str) -> int:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]


class _Handler(http.server.BaseHTTPRequestHandler):
    mirror: Mirror
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        try:
            self._get()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            self.close_connection = True

    def _get(self) -> None:
        m = self.mirror
        path = self.path.split("?")[0]
        rng = self.headers.get("Range")
        fault = m.faults.get(path)
        n = m._count(path)
        if fault == "slow":
            time.sleep(m.slow_seconds)
        if path not in m.files or fault == "404":
            self._plain(404, b"not found", path, rng)
            return
        if fault == "503x2" and n <= 2:
            self._plain(503, b"busy", path, rng, retry_after=m.retry_after)
            return
        if m.delay and path.endswith(".zip"):
            time.sleep(m.delay)
        data = m.files[path]
        start = 0
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
        body = data[start:]
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if fault == "drop" and not rng:
            half = len(body) // 2
            self.wfile.write(body[:half])
            self.wfile.flush()
            self.close_connection = True
            m._record(Logged(path, rng, 200, half, self.headers.get("User-Agent")))
            return
        self.wfile.write(body)
        m._record(
            Logged(path, rng, 206 if start else 200, len(body), self.headers.get("User-Agent"))
        )

    def _plain(
        self, status: int, text: bytes, path: str, rng: str | None, retry_after: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        self.wfile.write(text)
        self.mirror._record(Logged(path, rng, status, 0, self.headers.get("User-Agent")))


class Server:
    """Runs a :class:`Mirror` in a thread; ``with Server(m) as url: …``."""

    def __init__(self, mirror: Mirror) -> None:
        handler = type("Handler", (_Handler,), {"mirror": mirror})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.mirror = mirror
        mirror.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self.mirror

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
