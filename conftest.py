"""The workspace every docstring example runs in (``pytest --doctest-modules``).

An example in ``src/`` reads as a user would type it: it opens ``trilateral.duckdb``,
ingests ``20180326044500.export.CSV`` or reads ``un_votes.csv`` by its published name.
So that such examples run in ``make test`` instead of being marked ``+SKIP``, each one
runs in a fresh folder of its own that holds

- ``trilateral.duckdb`` (also reachable as ``demo-output/trilateral.duckdb`` and through
  ``$TRILATERAL_DB``): the shipped chronicle and ICEWS triad corpus, as ``make demo``
  ingests them, a private copy per example, so an example may write to it;
- every real published file of ``../shared/data`` under its own file name (read-only
  links), and the two GDELT 2.0 exports also zipped (``….export.CSV.zip``).

The doctest namespace adds ``store_path`` (the store's path, a ``str``). Without the
shared data the examples are skipped, or fail under ``$TRILATERAL_REQUIRE_DATA`` (CI),
as the tests in ``tests/`` that need it are.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
SHARED_DATA = REPO.parent / "shared" / "data"


def _published_files() -> dict[str, Path]:
    """Each shared data file by its file name (the first of two files of one name)."""
    files: dict[str, Path] = {}
    if SHARED_DATA.is_dir():
        for p in sorted(SHARED_DATA.rglob("*")):
            if p.is_file() and p.name not in files:
                files[p.name] = p
    return files


@pytest.fixture(scope="session")
def _doctest_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store and zipped exports, built once a session."""
    from trilateral.data import EventStore, shipped_chronicle_path, shipped_icews_paths

    root = tmp_path_factory.mktemp("doctest-template")
    with EventStore.open(root / "trilateral.duckdb") as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
        for p in shipped_icews_paths():
            store.ingest(p, format="icews_tkg")
    for name, p in _published_files().items():
        if name.endswith(".export.CSV"):
            with zipfile.ZipFile(root / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as z:
                z.write(p, arcname=name)
    return root


def _package_data() -> dict[str, bytes]:
    """Every data file of the package (all but Python sources and caches), hashed."""
    import hashlib

    package = REPO / "src" / "trilateral"
    return {
        str(p.relative_to(package)): hashlib.sha256(p.read_bytes()).digest()
        for p in sorted(package.rglob("*"))
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="session", autouse=True)
def _package_data_unchanged() -> Iterator[None]:
    """No test or example writes inside the installed package (issue 21, item 1): its
    data files (``data/_files``, the scenarios, ``claims.yaml``, …) are byte-identical
    at the end of the session, else the session ends in an error naming them."""
    before = _package_data()
    yield
    after = _package_data()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        pytest.fail(f"the session wrote inside the package: {', '.join(changed)}")


@pytest.fixture(scope="session", autouse=True)
def _session_user_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """An empty user data folder (``$TRILATERAL_DATA_DIR``) from the start of the session,
    so that module- and session-scoped fixtures, which run before any function-scoped
    one, never see a user panel of this machine either."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRILATERAL_DATA_DIR", str(tmp_path_factory.mktemp("user") / "trilateral"))
        yield


@pytest.fixture(autouse=True)
def _user_data_dir(
    _session_user_data_dir: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every test and example gets an empty user data folder of its own
    (``$TRILATERAL_DATA_DIR``): a user panel on this machine never changes a result, one
    test's panel never reaches another, and nothing is written to the real one."""
    monkeypatch.setenv("TRILATERAL_DATA_DIR", str(tmp_path_factory.mktemp("user") / "trilateral"))


@pytest.fixture(autouse=True)
def _doctest_workspace(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Run each docstring example in a fresh workspace (nothing for ordinary tests)."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    if not SHARED_DATA.is_dir():
        if os.environ.get("TRILATERAL_REQUIRE_DATA", "") not in ("", "0"):
            pytest.fail(f"shared data not found at {SHARED_DATA}; docstring examples need it")
        pytest.skip(f"shared data not found at {SHARED_DATA}; docstring examples need it")
    template: Path = request.getfixturevalue("_doctest_template")
    store = tmp_path / "trilateral.duckdb"
    shutil.copyfile(template / "trilateral.duckdb", store)
    (tmp_path / "demo-output").mkdir()
    (tmp_path / "demo-output" / "trilateral.duckdb").symlink_to(store)
    for p in template.glob("*.zip"):
        (tmp_path / p.name).symlink_to(p)
    for name, p in _published_files().items():
        (tmp_path / name).symlink_to(p)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRILATERAL_DB", str(store))
    namespace = request.getfixturevalue("doctest_namespace")
    namespace["store_path"] = str(store)
