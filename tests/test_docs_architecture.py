"""docs/ARCHITECTURE.md and the sources say what the code does (issue 9, item 10)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import trilateral._rng
from test_layering import RANK

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_the_stage_order_is_the_layering_test_s() -> None:
    line = next(ln.strip() for ln in DOC.splitlines() if ln.strip().startswith("data → "))
    ranks = [step.split(" / ") for step in line.split(" → ")]
    assert {stage: i for i, step in enumerate(ranks) for stage in step} == RANK


def test_the_rng_helpers_named_exist_and_are_used() -> None:
    named = set(re.findall(r"`_rng\.(\w+)", DOC)) - {"py"}
    assert named >= {"seed_sequence", "cell_rng", "spawn"}
    assert named <= set(trilateral._rng.__all__)
    src = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (REPO / "src" / "trilateral").rglob("*.py")
        if p.name != "_rng.py"
    )
    for name in ("seed_sequence", "cell_rng"):
        assert re.search(rf"\b{name}\(", src), f"{name} is named in the docs but unused"


def test_the_duckdb_named_is_the_lower_bound_declared() -> None:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    bound = next(d for d in deps if d.startswith("duckdb"))
    assert bound == "duckdb>=2.0"
    assert "DuckDB ≥ 2.0 (the lower bound in `pyproject.toml`)" in DOC


def test_sources_refer_only_to_files_a_user_has() -> None:
    """No reference to DESIGN.md, STYLE.md or docs/CONTRACTS-dev.md: they are not in the
    repository."""
    missing = ("DESIGN.md", "STYLE.md", "CONTRACTS-dev.md")
    offenders = []
    for folder in ("src", "tests", "docs", "benchmarks"):
        for p in sorted((REPO / folder).rglob("*")):
            if p.suffix not in (".py", ".md", ".yaml", ".toml", ".txt") or p == Path(__file__):
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{p.relative_to(REPO)}: {m}" for m in missing if m in text]
    for name in ("README.md", "pyproject.toml", "Makefile"):
        text = (REPO / name).read_text(encoding="utf-8")
        offenders += [f"{name}: {m}" for m in missing if m in text]
    assert offenders == []


def test_unused_dependencies_are_not_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert not any(d.startswith("psutil") for d in declared)  # imported nowhere
