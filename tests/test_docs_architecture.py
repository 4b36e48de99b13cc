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


SRC = REPO / "src" / "trilateral"
#: A path or file name the doc gives: ``data/ingest/``, ``src/trilateral/x.py``,
#: ``tests/test_fetch.py``, ``_hashing.py``, ``cli.py`` (placeholders such as ``<name>`` aside).
_PATH = re.compile(r"(?<![\w./<>-])((?:[\w.-]+/)*(?:[\w-]+\.py|[\w.-]+/))(?![\w<>])")


def _named_paths() -> set[str]:
    """Every path or ``.py`` name in the doc's code spans and fenced blocks."""
    fenced = re.findall(r"```\n(.*?)```", DOC, flags=re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```\n.*?```", "", DOC, flags=re.S))
    return {m for text in fenced + inline for m in _PATH.findall(text)}


def _exists(name: str) -> bool:
    """A path from the repository's root, or the tail of a path in the package
    (``ingest/_dedup.py`` in the ingest drawing is ``data/ingest/_dedup.py``)."""
    if (REPO / name).exists():
        return True
    tail = name.removeprefix("src/trilateral/").rstrip("/")
    last = tail.rsplit("/", 1)[-1]
    return any(f"/{p.relative_to(SRC).as_posix()}".endswith(f"/{tail}") for p in SRC.rglob(last))


def test_every_path_the_doc_names_exists() -> None:
    named = _named_paths()
    # the check sees the names it must: a path, a bare module, a folder, a test file
    assert {
        "data/ingest/_pipeline.py",
        "_hashing.py",
        "_routers/",
        "tests/test_fetch.py",
    } <= named
    assert [n for n in sorted(named) if not _exists(n)] == []


def test_the_path_check_fails_on_a_missing_module() -> None:
    assert not _exists("data/ingest/_nowhere.py")
    assert not _exists("_nowhere.py")
    assert not _exists("src/trilateral/serve/_nowhere/")
    assert not _exists("serve/_dedup.py")  # a real name in the wrong folder
    assert _exists("src/trilateral/data/ingest/_dedup.py")
