"""Stage imports go one way: data → measure → diagnose → simulate / forecast → report →
serve.

A stage imports only earlier stages and the shared small modules; the command line and
the pipeline import any stage, through its public names. This test reads every module's
imports (statically, with ast) so the picture in docs/ARCHITECTURE.md stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "trilateral"

# docs/ARCHITECTURE.md: data → measure → diagnose → simulate / forecast / watch → report →
# serve. watch recomputes indices, regimes and the triangle, so it comes after diagnose.
# simulate classifies its runs with the diagnose stage's regime rules, so it comes after
# diagnose; serve shows the report's figures, so it comes after report.
RANK = {
    "data": 0,
    "measure": 1,
    "diagnose": 2,
    "simulate": 3,
    "forecast": 3,
    "watch": 3,
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


FRONT_ENDS = {"cli", "_cli", "pipeline"}


def _private_part(module: str) -> str | None:
    """The first private component (``_x``) below a stage in ``module``, if any."""
    parts = module.split(".")
    return next((p for p in parts[2:] if p.startswith("_") and p != "__version__"), None)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_stage_imports_go_one_way(path: Path) -> None:
    """Every module is checked: a stage imports earlier stages only; the shared modules
    import no stage; cli.py, _cli/ and pipeline.py import any stage, by its public names."""
    here = path.relative_to(SRC).parts[0].removesuffix(".py")
    imports = [m for m in _imports(path) if _stage_of(m) not in (None, *SHARED)]
    if here in SHARED:
        assert imports == [], f"{path.relative_to(SRC)} is shared and imports a stage"
        return
    assert here in RANK or here in FRONT_ENDS, (
        f"{path.relative_to(SRC)}: neither stage nor front end"
    )
    for mod in imports:
        stage = _stage_of(mod)
        if here in FRONT_ENDS:
            if stage in FRONT_ENDS:
                continue  # the front ends use each other (pipeline, _cli._common)
            assert stage in RANK, f"{path.name} imports {mod}, which is neither a stage nor shared"
            assert _private_part(mod) is None, (
                f"{path.relative_to(SRC)} imports the private {mod}: use the stage's public "
                "names (its __init__)"
            )
            continue
        if stage == here:
            continue
        assert stage in RANK, f"{path.name} imports {mod}, which is neither a stage nor shared"
        assert RANK[stage] < RANK[here], (
            f"{path.relative_to(SRC)} (stage {here}) imports {mod} (stage {stage}): "
            "stages may only import earlier stages"
        )


def test_every_module_is_placed() -> None:
    """The parametrized check above covers each kind of module (no silent return)."""
    kinds = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in MODULES}
    assert kinds <= set(RANK) | FRONT_ENDS | SHARED
    assert {"cli", "_cli", "pipeline", "_rng", "config", "errors"} <= kinds


def test_private_part() -> None:
    assert _private_part("trilateral.measure._indices.indices") == "_indices"
    assert _private_part("trilateral.measure.indices") is None
    assert _private_part("trilateral.data.readers.read") is None


def test_shared_modules_import_no_stage() -> None:
    for name in ("_rng.py", "config.py", "errors.py"):
        for mod in _imports(SRC / name):
            assert _stage_of(mod) in (None, *SHARED), f"{name} imports {mod}"
