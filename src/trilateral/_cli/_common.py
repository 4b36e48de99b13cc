"""Options and error handling shared by every CLI command."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import TrilateralError

__all__ = [
    "CountriesOpt",
    "DbOpt",
    "JsonOpt",
    "console",
    "err_console",
    "esc",
    "handle_errors",
    "print_json",
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
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
CountriesOpt = Annotated[
    str,
    typer.Option("--countries", help="ISO3 codes separated by commas.", show_default=True),
]


def handle_errors(func: F) -> F:
    """Turn :class:`TrilateralError` and file-system errors into a message on stderr and
    exit code 1 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TrilateralError as exc:
            err_console.print(f"[bold red]error:[/] {esc(exc)}", highlight=False, markup=True)
            raise typer.Exit(1) from None
        except OSError as exc:  # the file system said no: a path, a permission, a full disk
            where = f" {esc(exc.filename)}" if exc.filename else ""
            err_console.print(
                f"[bold red]error:[/]{where}: {esc(exc.strerror or exc)}",
                highlight=False,
                markup=True,
            )
            err_console.print("  what to do: check the path, its permissions and free space")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("[bold red]interrupted[/]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (no rich markup, safe for pipes)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")
