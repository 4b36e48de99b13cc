"""Shared fixtures: where the real data live, and a guard on global randomness."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
import rich.style  # noqa: F401  (draws Python's random.getrandbits once at import; ibis imports it)
from hypothesis import settings

# CI runs the same examples every time (a red run must be reproducible, not a new draw);
# development runs explore new ones, and `make fuzz` explores many more.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

#: Set by .ci/run: there, missing real data fail the run instead of skipping tests.
REQUIRE_DATA = "TRILATERAL_REQUIRE_DATA"


def missing_data(what: str) -> None:
    """Skip the calling test because real data are absent — or fail it when
    ``$TRILATERAL_REQUIRE_DATA`` is set (CI), so a run without the data is never green."""
    if os.environ.get(REQUIRE_DATA, "") not in ("", "0"):
        pytest.fail(f"{what}; {REQUIRE_DATA} is set, so missing data fail the run")
    pytest.skip(f"{what}; put the published files there to run this test")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real published data files: the ``shared/data`` folder next to the repository.

    Absent, the tests that use it skip with a message — or fail under
    ``TRILATERAL_REQUIRE_DATA=1`` (set by .ci/run).
    """
    if not SHARED_DATA.is_dir():
        missing_data(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _no_global_rng():
    """Fail any test that draws from numpy's or Python's global random state.

    Every random draw goes through an ``rng`` argument (docs/ARCHITECTURE.md,
    "Reproducibility").
    """
    np_state = np.random.get_state()  # noqa: NPY002 (the guard itself)
    py_state = random.getstate()
    yield
    np_after = np.random.get_state()  # noqa: NPY002 (the guard itself)
    same_np = (
        np_state[0] == np_after[0]
        and np.array_equal(np_state[1], np_after[1])
        and np_state[2:] == np_after[2:]
    )
    same_py = py_state == random.getstate()
    np.random.set_state(np_state)  # noqa: NPY002
    random.setstate(py_state)
    assert same_np, "the test used numpy's global random state; pass an rng instead"
    assert same_py, "the test used Python's global random module; pass an rng instead"
