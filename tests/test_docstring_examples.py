"""Docstring examples run (issue 22): ``make test`` runs them all (``--doctest-modules``,
in the workspace ``conftest.py`` prepares), with at most five ``+SKIP`` markers, each
after a sentence saying why its example is not run and which test runs it instead.
(No ``collect_ignore`` leaves a module out, and ``--doctest-modules`` is on by default.)
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "trilateral"
SKIP = re.compile(r"#\s*doctest:.*\+SKIP")
#: the reason a skipped example gives, before it: "… not run here; ``tests/x.py`` runs it"
REASON = re.compile(r"not run here; ``(tests/[\w/]+\.py)`` runs it")


def _skips() -> list[tuple[Path, int, list[str]]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        lines = path.read_text("utf-8").splitlines()
        for i, line in enumerate(lines):
            if SKIP.search(line):
                out.append((path, i + 1, lines[max(0, i - 8) : i]))
    return out


def test_at_most_five_skip_markers() -> None:
    skips = _skips()
    where = [f"{p.relative_to(ROOT)}:{n}" for p, n, _ in skips]
    assert len(skips) <= 5, f"{len(skips)} +SKIP markers in docstring examples: {where}"


def test_each_skip_says_why_and_where_it_runs() -> None:
    for path, line, before in _skips():
        text = " ".join(s.strip() for s in before)
        m = REASON.search(text)
        assert m is not None, (
            f"{path.relative_to(ROOT)}:{line}: a skipped example needs a reason before it "
            "('… not run here; ``tests/<file>.py`` runs it')"
        )
        assert (ROOT / m.group(1)).is_file(), f"{path.relative_to(ROOT)}:{line}: {m.group(1)}"


def test_the_skip_check_finds_skips() -> None:
    """The patterns match what they look for (and the tree has examples at all)."""
    assert SKIP.search(">>> run()  # doctest: +SKIP")
    assert SKIP.search(">>> run()  # doctest: +ELLIPSIS, +SKIP")
    assert not SKIP.search(">>> run()  # doctest: +ELLIPSIS")
    assert REASON.search("so the example is not run here; ``tests/test_pipeline.py`` runs it.")
    examples = sum(p.read_text("utf-8").count(">>> ") for p in SRC.rglob("*.py"))
    assert examples > 300


def test_no_module_is_left_out() -> None:
    """Skipping another way would hide examples from the count above."""
    for conf in (ROOT / "conftest.py", ROOT / "tests" / "conftest.py"):
        assert "collect_ignore" not in conf.read_text("utf-8"), conf
    addopts = (ROOT / "pyproject.toml").read_text("utf-8")
    assert "--doctest-modules" in addopts
