"""Real data come through the `shared_data` fixture; in CI a missing file fails the run.

(issue 9, item 8: about 40 tests skipped silently when ../shared/data was absent.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REQUIRE_DATA, missing_data

TESTS = Path(__file__).resolve().parent


def test_a_user_without_the_data_gets_a_skip_with_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REQUIRE_DATA, raising=False)
    with pytest.raises(pytest.skip.Exception, match="shared data not found at /nowhere"):
        missing_data("shared data not found at /nowhere")


@pytest.mark.parametrize("value", ["1", "yes"])
def test_ci_turns_the_skip_into_a_failure(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_DATA, value)
    with pytest.raises(pytest.fail.Exception, match=REQUIRE_DATA):
        missing_data("shared data not found at /nowhere")


def test_the_ci_script_sets_the_switch() -> None:
    script = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^export {REQUIRE_DATA}=1$", script, flags=re.M)
    assert script.index(REQUIRE_DATA) < script.index("make test")


def test_no_test_hard_codes_the_shared_data_path() -> None:
    """Only conftest.py knows where ../shared/data is; every other test asks the fixture."""
    pattern = re.compile(r"""["']shared["']\s*/\s*["']data["']|shared/data["']""")
    offenders = [
        p.name
        for p in sorted(TESTS.glob("*.py"))
        if p.name != "conftest.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
