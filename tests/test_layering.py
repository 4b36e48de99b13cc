"""Stage imports go one way: data → measure → diagnose / simulate / forecast → report / serve.

STYLE.md ("Layout"): a stage imports only earlier stages and the shared small modules.
This test reads every module's imports (statically, with ast) so the picture in
docs/ARCHITECTURE.md stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "trilateral"

# STYLE.md, "Layout": data → measure → diagnose → simulate / forecast → report → serve.
# simulate classifies its runs with the diagnose stage's regime rules, so it comes after
# diagnose; serve shows the report's figures, so it comes after report.
RANK = {
    "data": 0,
    "measure": 1,
    "diagnose": 2,
    "simulate": 3,
    "forecast": 3,
    "report": 4,
    "serve": 5,
}
SHARED = {"_rng", "config", "errors", "__init__", "__version__"}


def _stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "trilateral" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    rel = path.relative_to(SRC.parent).with_suffix("")
    package = list(rel.parts[:-1])  # a module and an __init__ both live in their folder
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            out.append(mod)
            out.extend(f"{mod}.{a.name}" for a in node.names)
    return out


MODULES = sorted(p for p in SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_stage_imports_go_one_way(path: Path) -> None:
    here = path.relative_to(SRC).parts[0].removesuffix(".py")
    if here not in RANK:
        return  # cli.py, _cli/ and the shared modules may import any stage
    for mod in _imports(path):
        stage = _stage_of(mod)
        if stage is None or stage in SHARED or stage == here:
            continue
        assert stage in RANK, f"{path.name} imports {mod}, which is neither a stage nor shared"
        assert RANK[stage] < RANK[here], (
            f"{path.relative_to(SRC)} (stage {here}) imports {mod} (stage {stage}): "
            "stages may only import earlier stages"
        )


def test_shared_modules_import_no_stage() -> None:
    for name in ("_rng.py", "config.py", "errors.py"):
        for mod in _imports(SRC / name):
            assert _stage_of(mod) in (None, *SHARED), f"{name} imports {mod}"
