"""The README stays true: its library example runs as written, its commands exist."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trilateral.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_library_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = _blocks("python")
    cwd = os.getcwd()
    os.chdir(tmp_path)  # the example writes triangle.duckdb in the working directory
    try:
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "limited opponents" in out  # the regime table
    assert "Granger causality" in out  # the reciprocity summary
    assert "Claims of Feng (2019)" in out


def test_every_cli_command_in_the_readme_exists() -> None:
    commands = {
        line.split()[1]
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith("trilateral ")
    }
    assert commands >= {"ingest", "info", "measure", "diagnose", "claims", "capabilities", "demo"}
    for cmd in commands:
        res = CliRunner().invoke(app, [cmd, "--help"])
        assert res.exit_code == 0, (cmd, res.output)


def test_readme_names_the_two_commands() -> None:
    text = README.read_text("utf-8")
    assert "make demo" in text and "make test" in text
    assert (README.parent / "docs" / "img" / "diagnose.png").is_file()
