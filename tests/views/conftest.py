"""One demo run shared by the report, dashboard and browser tests (session scope)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trilateral.pipeline import DemoResult, run_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """``run_demo`` on the shipped chronicle (its store and its report.html)."""
    return run_demo(tmp_path_factory.mktemp("views-demo"), n_boot=50, rng=3)


@pytest.fixture(scope="session")
def demo_store(demo_run: DemoResult) -> Path:
    return demo_run.store


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where screenshots go: a gitignored folder (tests/views/artefacts/)."""
    path = Path(__file__).parent / "artefacts"
    path.mkdir(exist_ok=True)
    return path


class LiveServer:
    """A uvicorn server for one app in a thread, on a free port of 127.0.0.1 only."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        from trilateral.serve._run import UVICORN_OPTIONS

        config = uvicorn.Config(app, lifespan="off", **UVICORN_OPTIONS)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
def live_server(demo_store: Path) -> Iterator[LiveServer]:
    """The dashboard over the demo store, served on a free local port."""
    from trilateral.serve import create_app

    with LiveServer(create_app(demo_store)) as server:
        yield server


@pytest.fixture(scope="session")
def server_for() -> Any:
    """Make a :class:`LiveServer` for an app (a context manager)."""
    return LiveServer


class FreshServer:
    """``trilateral serve`` in its own Python process (nothing imported before it starts),
    on a free port of 127.0.0.1; extra CLI arguments pass through."""

    def __init__(self, db: Path, *args: str) -> None:
        import subprocess
        import sys

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "trilateral.cli", "serve", "--db", str(db)]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def __enter__(self) -> FreshServer:
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                httpx.get(self.url + "/api/health", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.proc.kill()
        out = self.proc.communicate()[0]
        raise RuntimeError(f"the dashboard did not start: {out}")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.log = self.proc.communicate(timeout=20)[0]


@pytest.fixture(scope="session")
def fresh_server() -> Any:
    """Make a :class:`FreshServer` for a store (a context manager)."""
    return FreshServer
