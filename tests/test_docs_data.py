"""docs/data.md stays true: its Python examples run as written, in order, on real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trilateral.data.capabilities import panel_provenance
from trilateral.data.unga import alignment_provenance

DOC = Path(__file__).resolve().parents[1] / "docs" / "data.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)


def test_examples_run_in_order(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    shared_data: Path,
) -> None:
    blocks = _python_blocks()
    assert len(blocks) >= 8, "docs/data.md lost its examples"
    shipped = (panel_provenance()["sha256"], alignment_provenance()["sha256"])
    monkeypatch.chdir(tmp_path)  # the examples write their stores and files here
    monkeypatch.delenv("TRILATERAL_DB", raising=False)
    namespace: dict[str, object] = {"__name__": "docs_data", "SHARED": shared_data}
    for i, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{DOC}:python block {i}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"python block {i} of docs/data.md failed: {exc!r}\n\n{code}")
    out = capsys.readouterr().out
    assert "435 ingested" in out  # the shipped chronicle
    assert "gdelt2" in out and "icews_tkg" in out
    assert (tmp_path / "events.cut.export.CSV.rejects.csv").is_file()
    assert (tmp_path / "panel.provenance.yaml").is_file()
    # the refresh examples write their own files, never the shipped ones
    assert (panel_provenance()["sha256"], alignment_provenance()["sha256"]) == shipped
