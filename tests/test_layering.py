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
SHARED = {"_rng", "_yaml", "config", "errors", "__init__", "__version__"}


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
    for name in ("_rng.py", "_yaml.py", "config.py", "errors.py"):
        for mod in _imports(SRC / name):
            assert _stage_of(mod) in (None, *SHARED), f"{name} imports {mod}"


# ------------------------------------------------------------------ no import circles


def _module_names(src: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package under ``src``."""
    out = {}
    for f in sorted(src.rglob("*.py")):
        parts = list(f.relative_to(src.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _import_graph(src: Path) -> tuple[dict[str, set[str]], dict[str, Path]]:
    """Module → the package's modules it imports: every import statement counts, at the
    top, inside a function or under ``if TYPE_CHECKING:``. ``from pkg import name``
    points at ``pkg.name`` when that is a module, else at ``pkg``."""
    mods = _module_names(src)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, f in mods.items():
        package = mod if f.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(f.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    stem = ".".join([*base, node.module] if node.module else base)
                else:
                    stem = node.module or ""
                subs = [f"{stem}.{a.name}" for a in node.names if f"{stem}.{a.name}" in mods]
                targets = subs or [stem]
            else:
                continue
            graph[mod].update(t for t in targets if t in mods and t != mod)
    return graph, mods


def _circles(graph: dict[str, set[str]], mods: dict[str, Path]) -> list[set[str]]:
    """The import circles: strongly connected groups of two or more modules, a package's
    ``__init__`` left out (re-exporting its own modules is not a circle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            modules = {m for m in group if mods[m].name != "__init__.py"}
            if len(modules) > 1:
                found.append(modules)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle_between_modules() -> None:
    """No two modules import each other, directly or around a circle, counting imports
    made inside functions and for type checking (issue 22)."""
    graph, mods = _import_graph(SRC)
    found = [sorted(c) for c in _circles(graph, mods)]
    assert found == [], f"import circles between modules: {found}"


def test_the_circle_check_finds_circles(tmp_path: Path) -> None:
    """The check above can fail: a circle through a function-level import, one through a
    TYPE_CHECKING import, and a package's __init__ re-exporting its modules (no circle)."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import f\n",
        "a.py": "def f():\n    from .b import g\n    return g\n",
        "b.py": "from . import a\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .sub.d import D\n",
        "sub/__init__.py": "from .d import D\n",
        "sub/d.py": "from ..c import x\n",
        "e.py": "import pkg.sub\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    graph, mods = _import_graph(pkg)
    circles = sorted(sorted(c) for c in _circles(graph, mods))
    assert circles == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.sub.d"]]


# ------------------------------------------------------------------ the ingest pipeline


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for w in graph[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def test_readers_know_nothing_of_the_later_steps() -> None:
    """The ingest is one way (issue 22): a reader yields batches and rejects; it does not
    reach the actor tables (the resolve step's), the ingest steps or the store, even
    through another module."""
    graph, mods = _import_graph(SRC)
    readers = [m for m in mods if m.startswith("trilateral.data.readers")]
    later = ("trilateral.data.actors", "trilateral.data.ingest", "trilateral.data.store")
    assert len(readers) >= 8
    for mod in readers:
        reached = sorted(m for m in _reach(graph, mod) if m.startswith(later))
        assert reached == [], f"{mod} reaches {reached}"
