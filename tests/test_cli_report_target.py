"""``trilateral report`` and its target (issue 21, item 3): a target that cannot be written
fails before anything is computed; a full disk says so, with the path; the steps show.

The computing is replaced by a stub that records being called: these tests are about
the order of the checks and the messages, not the figures (tests/test_pipeline.py runs
the real report).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import trilateral.report as report_stage
from trilateral._cli import _common
from trilateral.cli import app
from trilateral.data._provenance import atomic_write

runner = CliRunner()


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """collect_results replaced: records its call and the steps it reports."""
    calls: list[str] = []

    def fake_collect(store: Any, *, say: Any = None, **kwargs: Any) -> str:
        calls.append("collect")
        if say is not None:
            say("measure: a step")
        return "results"

    def fake_write(res: Any, out: Any) -> Path:
        atomic_write(out, b"<html></html>")  # the real all-or-nothing write
        return Path(out)

    monkeypatch.setattr(report_stage, "collect_results", fake_collect)
    monkeypatch.setattr(report_stage, "write_report", fake_write)
    return calls


def _run(out: Path) -> Any:
    return runner.invoke(app, ["report", "--out", str(out), "--n-boot", "0"])


def test_a_target_under_a_file_fails_before_computing(tmp_path: Path, computed: list[str]) -> None:
    (tmp_path / "afile").write_text("x")
    res = _run(tmp_path / "afile" / "report.html")
    assert res.exit_code == 1 and computed == []
    assert "not a folder" in res.output and "afile" in res.output
    assert "Traceback" not in res.output


def test_a_folder_as_target_fails_before_computing(tmp_path: Path, computed: list[str]) -> None:
    res = _run(tmp_path)
    assert res.exit_code == 1 and computed == []
    assert "is a folder" in res.output


def test_an_unwritable_folder_fails_before_computing(
    tmp_path: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # root may write anywhere, so the refusal of a read-only folder is injected where the
    # check tries to create a file there
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(_common.tempfile, "mkstemp", refuse)
    out = tmp_path / "ro" / "report.html"
    res = _run(out)
    assert res.exit_code == 1 and computed == []
    assert "cannot write there (Permission denied)" in res.output
    assert str(out) in res.output.replace("\n", "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_fails_before_computing(tmp_path: Path, computed: list[str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        res = _run(ro / "report.html")
    finally:
        ro.chmod(0o755)
    assert res.exit_code == 1 and computed == []
    assert "cannot write there" in res.output


def test_a_full_disk_says_so_with_the_path(
    tmp_path: Path, computed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # as write()/fsync() raise it

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "report.html"
    res = _run(out)
    assert computed == ["collect"] and res.exit_code == 1
    text = res.output.replace("\n", " ")
    assert f"the disk is full: could not write {out}" in text
    assert f"free space on the disk holding {tmp_path}" in text
    assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_the_steps_show_and_the_report_is_written(tmp_path: Path, computed: list[str]) -> None:
    out = tmp_path / "sub" / "report.html"
    res = runner.invoke(app, ["report", "--out", str(out), "--n-boot", "0"])
    assert res.exit_code == 0, res.output
    assert "· measure: a step" in res.stderr and f"· writing {out}" in res.stderr
    assert out.read_bytes() == b"<html></html>"
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no probe left behind


def test_demo_checks_its_folder_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trilateral.pipeline

    ran: list[str] = []
    monkeypatch.setattr(trilateral.pipeline, "run_demo", lambda *a, **k: ran.append("demo"))
    (tmp_path / "afile").write_text("x")
    res = runner.invoke(app, ["demo", "--out", str(tmp_path / "afile")])
    assert res.exit_code == 1 and ran == []
    assert "not a folder" in res.output and "Traceback" not in res.output
