"""Arbitrary text in any option of any command: a message and exit code 1 or 2, never a
traceback (issue 9, item 1).

Every command and every option taking a value is found from the app itself, so a new
command is fuzzed as soon as it is registered. Each run has a context that makes the
command fail *after* it has read the fuzzed option (a store that does not exist, an input
file that does not exist, an output folder below a regular file): the only way to exit 0
would be to ignore the option, and the only way to exit otherwise is a bug. The examples
run in an empty working directory, so no text names an existing file by chance.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from trilateral.cli import app

# What each command needs besides the fuzzed option so that it fails after reading it.
# "{tmp}" is a fresh folder holding a regular file "blocker"; nothing else exists in it.
CONTEXT: dict[tuple[str, ...], dict[str, list[str]]] = {
    ("ingest",): {"paths": ["{tmp}/missing.csv"], "--db": ["{tmp}/store.duckdb"]},
    ("info",): {"--db": ["{tmp}/missing.duckdb"]},
    # a mirror that refuses connections (no network), no retries: the listing fails
    ("fetch",): {
        "source": ["gdelt2"],
        "--start": ["2018-03-26"],
        "--end": ["2018-03-26"],
        "--db": ["{tmp}/store.duckdb"],
        "--mirror": ["http://127.0.0.1:1"],
        "--retries": ["0"],
        "--backoff": ["0"],
    },
    ("watch",): {
        "--db": ["{tmp}/store.duckdb"],
        "--mirror": ["http://127.0.0.1:1"],
        "--retries": ["0"],
        "--backoff": ["0"],
    },
    ("export",): {"--db": ["{tmp}/missing.duckdb"], "--out": ["{tmp}/blocker/lake"]},
    ("measure",): {"--db": ["{tmp}/missing.duckdb"], "--out": ["{tmp}/blocker/out"]},
    ("diagnose",): {"--db": ["{tmp}/missing.duckdb"]},
    ("claims",): {"--db": ["{tmp}/missing.duckdb"]},
    ("report",): {"--db": ["{tmp}/missing.duckdb"], "--out": ["{tmp}/blocker/r.html"]},
    ("serve",): {"--db": ["{tmp}/missing.duckdb"]},
    ("demo",): {"--out": ["{tmp}/blocker/out"], "--n-boot": ["0"]},
    ("forecast",): {"--db": ["{tmp}/missing.duckdb"], "--out": ["{tmp}/blocker/out"]},
    ("backtest",): {"--db": ["{tmp}/missing.duckdb"], "--out": ["{tmp}/blocker/out"]},
    ("simulate",): {"scenario": ["{tmp}/missing.yaml"], "--out": ["{tmp}/blocker/out"]},
    ("capabilities", "refresh"): {"files": ["{tmp}/missing.xlsx"], "--out": ["{tmp}/p.csv"]},
    ("capabilities", "show"): {"--indicator": ["no_such_indicator"]},
    # reads only the shipped panel: nothing to fail at after its one option (see VALID)
    ("capabilities", "provenance"): {},
}

# Options whose fuzzed value is a path: the text is placed below the blocker file (or the
# missing input), where nothing can be created, so it cannot succeed by chance.
UNDER_BLOCKER = {
    (("measure",), "--out"),
    (("export",), "--out"),
    (("report",), "--out"),
    (("demo",), "--out"),
    (("forecast",), "--out"),
    (("backtest",), "--out"),
    (("simulate",), "--out"),
    (("capabilities", "refresh"), "--out"),
}


def _shipped_scenarios() -> tuple[str, ...]:
    from trilateral.simulate import shipped_scenarios

    return shipped_scenarios()


def _indicators() -> set[str]:
    from trilateral.data import load_panel

    return set(load_panel()["indicator"].to_pylist())


# Values that are valid and have no later step to fail at: the run may succeed on them.
VALID = {
    (("capabilities", "show"), "--indicator"): _indicators(),
    (("simulate",), "scenario"): set(_shipped_scenarios()),
    (("capabilities", "provenance"), "--format"): {"table", "csv", "json"},
}


def _options() -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        commands = getattr(cmd, "commands", None)
        if commands is not None:
            for name, sub in commands.items():
                walk(sub, (*path, name))
            return
        for p in cmd.params:  # type: ignore[attr-defined]
            if getattr(p, "is_flag", False) or p.name == "version":
                continue
            name = p.opts[0] if p.param_type_name == "option" else p.name
            out.append((path, name))

    walk(typer.main.get_command(app), ())
    return out


OPTIONS = _options()

MARKUP = ["[/x]", "[bold]2019", "[", "]", "[/]", "\\", "[red]USA,RUS[/red]", "[link=x]a"]
TEXT = st.one_of(
    st.sampled_from(MARKUP),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=24),
)


def _argv(path: tuple[str, ...], option: str, value: str, tmp: Path) -> list[str]:
    context = {k: [v.format(tmp=tmp) for v in vs] for k, vs in CONTEXT.get(path, {}).items()}
    if (path, option) in UNDER_BLOCKER:
        value = f"{tmp}/blocker/{value}"
    context[option] = [value]
    argv = list(path)
    for key, values in context.items():
        if key.startswith("--"):
            argv += [f"{key}={v}" for v in values]
    for key, values in context.items():
        if not key.startswith("--"):
            argv += ["--", *values] if any(v.startswith("-") for v in values) else values
    return argv


def test_every_command_is_fuzzed() -> None:
    """A new command without a failing context would exit 0 on valid text: name it here."""
    commands = {path for path, _ in OPTIONS}
    assert commands <= set(CONTEXT), f"add a context for {sorted(commands - set(CONTEXT))}"
    assert len(OPTIONS) >= 25


@pytest.mark.parametrize("path,option", OPTIONS, ids=lambda x: "-".join(x) if isinstance(x, tuple) else x)  # fmt: skip
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(value=TEXT)
def test_arbitrary_option_text_is_a_clean_error(
    path: tuple[str, ...], option: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "w"
    work.mkdir(exist_ok=True)
    (work / "blocker").write_text("a file, not a folder\n")
    cwd = tmp_path / "empty"
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("TRILATERAL_DB", raising=False)
    assume(value not in VALID.get((path, option), ()))
    argv = _argv(path, option, value, work)
    res = CliRunner().invoke(app, argv)
    shown = f"{argv!r}\nexit {res.exit_code}\n{res.output}"
    assert res.exception is None or isinstance(res.exception, SystemExit), (
        f"{shown}\n{res.exception!r}"
    )
    assert res.exit_code in (1, 2), shown
    assert "Traceback" not in res.output, shown
    assert sorted(os.listdir(cwd)) == [], f"{shown}\nwrote into the working directory"


def _script() -> str:
    return str(Path(sys.executable).parent / "trilateral")


def test_markup_in_a_date_is_printed_as_given(tmp_path: Path) -> None:
    """The issue's two cases: ``[/x]`` through the installed ``trilateral`` script (it
    ended in a MarkupError traceback), ``[bold]2019`` in-process (it was shown as
    ``'2019'``)."""
    res = subprocess.run(
        [_script(), "measure", "--db", str(tmp_path / "none.duckdb"), "--start", "[/x]"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert "--start='[/x]' is not a date" in " ".join(res.stderr.split()), res.stderr
    bold = CliRunner().invoke(
        app, ["measure", "--db", str(tmp_path / "n"), "--start", "[bold]2019"]
    )
    assert bold.exit_code == 1
    assert "--start='[bold]2019' is not a date" in " ".join(bold.output.split()), bold.output
