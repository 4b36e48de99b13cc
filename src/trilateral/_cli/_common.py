"""Options and error handling shared by every CLI command."""

from __future__ import annotations

import errno
import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from ..errors import TrilateralError

__all__ = [
    "CountriesOpt",
    "DbOpt",
    "EngineConfigOpt",
    "EngineOpt",
    "FormatOpt",
    "JsonOnlyOpt",
    "JsonOpt",
    "NBootOpt",
    "OutOpt",
    "OutputFormat",
    "SeedOpt",
    "check_writable",
    "command",
    "console",
    "err_console",
    "esc",
    "handle_errors",
    "print_csv",
    "print_json",
    "print_result",
    "print_summary_result",
    "print_table",
    "print_text",
    "short_paths",
    "stage_progress",
    "store_hint",
    "writing",
]

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def esc(value: object) -> str:
    """``value`` as text rich prints literally: user text (paths, argument values, file
    contents) never reaches rich as markup, so ``[/x]`` is printed, not parsed."""
    return escape(str(value))


DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="The event store (DuckDB file). Default: $TRILATERAL_DB or ./trilateral.duckdb.",
        show_default=False,
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON (the same as --format json).")
]
#: ``--json`` of a command whose ``--format`` is not the output's (ingest: the input
#: layout; export: the lake's file format), so it is no alias of ``--format json``.
JsonOnlyOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="table (for reading; not wrapped when piped), csv (one row a line, for "
        "scripts and spreadsheets; several tables are separated by a blank line) or json "
        "(as --json).",
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of every random draw.")]
NBootOpt = Annotated[
    int, typer.Option("--n-boot", min=0, help="Bootstrap replicates of the indices (0: none).")
]
OutOpt = Annotated[Path, typer.Option("--out", help="Output directory.")]
CountriesOpt = Annotated[
    str,
    typer.Option("--countries", help="ISO3 codes separated by commas.", show_default=True),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where the measure stage's queries run: duckdb (default) or spark "
        "(a local Spark unless --engine-config names a cluster).",
        show_default=False,
    ),
]
EngineConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--engine-config",
        help="A TOML file whose [engine] section sets the engine and its Spark "
        "settings (master, executor_memory, spark.* keys); see docs/scale.md.",
        show_default=False,
    ),
]


def handle_errors(func: F) -> F:
    """Turn :class:`TrilateralError` and file-system errors into a message on stderr and
    exit code 1 (the error's ``exit_code``: 2 for a bad YAML file), never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TrilateralError as exc:
            # soft_wrap: a long path is never broken across lines (the terminal wraps it, a
            # log or a caller reading stderr gets the message whole, whatever the width)
            err_console.print(
                f"[bold red]error:[/] {esc(exc)}", highlight=False, markup=True, soft_wrap=True
            )
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # the file system said no: a path, a permission, a full disk
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                _disk_full(exc)
                raise typer.Exit(1) from None
            where = f" {esc(exc.filename)}" if exc.filename else ""
            err_console.print(
                f"[bold red]error:[/]{where}: {esc(exc.strerror or exc)}",
                highlight=False,
                markup=True,
                soft_wrap=True,
            )
            err_console.print("  what to do: check the path, its permissions and free space")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("[bold red]interrupted[/]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _disk_full(exc: OSError) -> None:
    """The message of a full disk (or quota): says so, with the path and where to free
    space."""
    path = Path(exc.filename) if exc.filename else None
    what = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is exhausted"
    where = f": could not write {esc(path)}" if path else ""
    err_console.print(f"[bold red]error:[/] {what}{where}", highlight=False, soft_wrap=True)
    folder = esc(path.parent if path else Path.cwd())
    err_console.print(
        f"  what to do: free space on the disk holding {folder} (see `df -h {folder}`) or "
        "write elsewhere, then run the command again; nothing was half-written",
        highlight=False,
        soft_wrap=True,
    )


def check_writable(path: Path) -> None:
    """Raise :class:`OSError` (naming ``path``) unless a file can be written at ``path``:
    its nearest existing folder accepts a new file (tried, not guessed) and ``path`` is not
    a folder. Commands that compute for a while call it first, so a read-only target
    fails at once."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    try:
        fd, probe = tempfile.mkstemp(prefix=".trilateral-probe-", dir=folder)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write there ({exc.strerror})", str(path)) from None
    os.close(fd)
    os.unlink(probe)


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Name ``path`` in an :class:`OSError` raised while writing it (a failed ``write()``
    names no file), so that the message of a full disk says where."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise


@contextmanager
def stage_progress(what: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while a chain of stages runs; yields ``say(step)``, which
    shows the step beside the spinner and leaves a ``· step`` line on stderr (the
    ``say=`` of :func:`~trilateral.pipeline.run_demo` and
    :func:`~trilateral.report.collect_results`)."""
    with err_console.status(esc(what)) as status:

        def say(msg: str) -> None:
            status.update(esc(msg))
            err_console.print(f"· {esc(msg)}", highlight=False, soft_wrap=True)

        yield say


def command(app: typer.Typer, name: str, help: str) -> Callable[[F], F]:
    """Register the decorated function as command ``name`` of ``app`` with its ``--help``
    text, its errors going through :func:`handle_errors` (every command does both)."""

    def register(func: F) -> F:
        app.command(name, help=help)(handle_errors(func))
        return func

    return register


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (no rich markup, safe for pipes)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")


def print_table(table: Table) -> None:
    """Print a rich table on stdout: fitted to a terminal, at its full width otherwise.

    Piped to a file or a pager, a table is never wrapped at 80 columns: each row stays one
    line (``grep``, ``less -S`` and diffs work on it).
    """
    if console.is_terminal:
        console.print(table)
        return
    wide = console.options.update(max_width=100_000)
    width = Measurement.get(console, wide, table).maximum
    Console(file=sys.stdout, width=max(width, 20), color_system=None).print(table)


def print_text(text: str) -> None:
    """Print a result's ``summary()`` text as it is: no markup, no highlighting, and no
    wrapping at the terminal width (piped, a line stays one line)."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def print_result(
    fmt: OutputFormat,
    *,
    as_json: bool = False,
    data: Callable[[], Any],
    frames: Callable[[], Sequence[pl.DataFrame]],
    table: Callable[[], None],
) -> None:
    """Print a command's result in the format asked for: the one place every command
    with ``--format table|csv|json`` (and its alias ``--json``) goes through.

    Parameters
    ----------
    fmt : OutputFormat
        ``--format``; ``as_json`` (``--json``) means json whatever ``fmt`` says.
    data : callable
        Returns what ``json`` prints (anything :func:`print_json` takes).
    frames : callable
        Returns the tables ``csv`` prints, each with its header, separated by a blank line.
    table : callable
        Prints the tables for reading (through :func:`print_table`).
    """
    if as_json or fmt is OutputFormat.json:
        print_json(data())
    elif fmt is OutputFormat.csv:
        for i, frame in enumerate(frames()):
            if i:
                sys.stdout.write("\n")
            print_csv(frame)
    else:
        table()


def print_summary_result(res: Any, fmt: OutputFormat, as_json: bool = False) -> None:
    """:func:`print_result` of a result object: ``to_dict()`` as json, ``to_frame()`` as
    csv, ``summary()`` as the text for reading."""
    print_result(
        fmt,
        as_json=as_json,
        data=res.to_dict,
        frames=lambda: [res.to_frame()],
        table=lambda: print_text(res.summary()),
    )


def print_csv(frame: pl.DataFrame) -> None:
    """Write ``frame`` as CSV to stdout (nested columns as JSON text)."""
    from ..pipeline import csv_text

    sys.stdout.write(csv_text(frame))


def short_paths(paths: Sequence[str | Path]) -> list[str]:
    """Each path by as few of its last parts as tell it from the others: the file name
    where it is unique, else with as many parent folders as it takes (the whole path for
    two equal paths).

    Examples
    --------
    >>> short_paths(["/a/x/test.txt", "/a/y/test.txt", "/a/other.csv"])
    ['x/test.txt', 'y/test.txt', 'other.csv']
    >>> short_paths(["/d/1/v/e.txt", "/d/2/v/e.txt"])
    ['1/v/e.txt', '2/v/e.txt']
    """
    parts = [Path(p).parts for p in paths]
    depth = [1] * len(parts)
    while True:
        labels = [str(Path(*p[-n:])) if p else "" for p, n in zip(parts, depth, strict=True)]
        clash = [
            i for i, lab in enumerate(labels) if labels.count(lab) > 1 and depth[i] < len(parts[i])
        ]
        if not clash:
            return labels
        for i in clash:
            depth[i] += 1


def store_hint() -> str:
    """What to do when the default store is absent: the exact ``--db`` of a store found
    one folder down (``make demo`` builds demo-output/trilateral.duckdb), else how to
    build one."""
    found = sorted(Path().glob("*/trilateral.duckdb"))
    if found:
        return (
            f"pass --db {found[0]} (found here; `make demo` builds demo-output/trilateral.duckdb)"
        )
    return (
        "build one with `trilateral demo` (then --db demo-output/trilateral.duckdb) or "
        "`trilateral ingest FILE --db PATH`, or point --db / $TRILATERAL_DB at a store"
    )
