"""``trilateral export``: thin over :func:`trilateral.data.export_parquet`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..config import default_db_path
from ..data import export_parquet
from . import _common as ui

__all__ = ["register"]


class ExportFormat(StrEnum):
    parquet = "parquet"


def export(
    out: Annotated[
        Path,
        typer.Option("--out", help="The directory to create (year=/month= partitions)."),
    ],
    db: ui.DbOpt = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="The file format of the lake.")
    ] = ExportFormat.parquet,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out if it exists.")
    ] = False,
    json: ui.JsonOnlyOpt = False,
) -> None:
    """Write the store's events as Parquet, partitioned by year and month (hive layout).

    measure, diagnose and claims read the directory with --db DIR, as does Spark
    (--engine spark); a manifest _trilateral.json carries the store's data hash.

    Example: trilateral export --format parquet --out lake --db trilateral.duckdb
    """
    result = export_parquet(default_db_path(db), out, overwrite=overwrite)
    if json:
        ui.print_json(result.to_dict())
    else:
        ui.console.print(result.summary(), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("export")(ui.handle_errors(export))
