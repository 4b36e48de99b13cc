"""One demo run shared by the report, dashboard and browser tests (session scope)."""

from __future__ import annotations

from pathlib import Path

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
