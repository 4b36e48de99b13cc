"""The ``trilateral`` command line: parse, call the library, print. Nothing else."""

from __future__ import annotations

import typer

from . import __version__
from ._cli import (
    capabilities,
    demo,
    diagnose,
    export,
    fetch,
    forecast,
    ingest,
    measure,
    report,
    serve,
    simulate,
    watch,
)

app = typer.Typer(
    name="trilateral",
    help=(
        "Measure, explain, simulate and forecast relations in a great-power triangle "
        "(default China, the United States and Russia) from real event and capability data."
        "\n\nExample: trilateral ingest events.export.CSV && trilateral info"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trilateral {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """trilateral command line."""


ingest.register(app)
fetch.register(app)
export.register(app)
measure.register(app)
diagnose.register(app)
forecast.register(app)
demo.register(app)
simulate.register(app)
report.register(app)
serve.register(app)
watch.register(app)
app.add_typer(capabilities.app, name="capabilities")


def main() -> None:
    """Entry point of the ``trilateral`` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
