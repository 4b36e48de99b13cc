"""``trilateral capabilities …``: the capability panel (refresh, show, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import polars as pl
import pyarrow.compute as pc
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from ..config import check_countries
from ..data import capabilities as cap
from ..errors import ConfigError
from . import _common as ui

__all__ = ["app"]

app = typer.Typer(
    help="The capability panel: GDP, population, military expenditure, COW CINC.\n\n"
    "Example: trilateral capabilities show --countries USA,RUS --indicator milex_current_usd",
    no_args_is_help=True,
)


@app.command()
@ui.handle_errors
def refresh(
    files: Annotated[
        list[Path],
        typer.Argument(help="Source files: SIPRI .xlsx, World Bank CSVs, COW NMC CSV."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to write the panel CSV. Default: the user panel in the user data "
            "folder ($TRILATERAL_DATA_DIR or e.g. ~/.local/share/trilateral), which "
            "claims, measure and the report merge with the shipped panel. Never inside "
            "the installed package.",
            show_default=False,
        ),
    ] = None,
    countries: Annotated[
        str,
        typer.Option("--countries", help="ISO3 codes to keep, separated by commas."),
    ] = ",".join(cap.PANEL_COUNTRIES),
) -> None:
    """Build a user panel from newer downloads (written atomically; the shipped panel is
    never changed). Its series replace the shipped ones; a source not given stays as
    shipped.

    Example: trilateral capabilities refresh SIPRI-Milex-data-1949-2024.xlsx

    Example: trilateral capabilities refresh NMC-60-abridged.csv gdp_current_usd_datahub.csv
    --out panel.csv
    """
    codes = _countries(countries, minimum=1)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=ui.err_console, transient=True
    ) as progress:
        progress.add_task(f"reading {len(files)} files", total=None)
        result = cap.refresh_panel(files, out=out, countries=codes)
    ui.console.print(
        f"wrote [bold]{result['rows']}[/] rows for {', '.join(result['countries'])} "
        f"to {ui.esc(result['out'])}",
        highlight=False,
        soft_wrap=True,
    )
    if out is None:
        ui.console.print(
            f"capability panel now: {ui.esc(cap.panel_label())}", highlight=False, soft_wrap=True
        )
    table = Table("file", "layout", "indicators")
    for src in result["provenance"]["sources"]:
        table.add_row(ui.esc(src["file"]), src["layout"], ", ".join(src["indicators"]))
    ui.print_table(table)


def _countries(value: str | None, minimum: int = 1) -> tuple[str, ...] | None:
    if value is None or not value.strip():
        return None
    return check_countries(value, minimum=minimum)


def _fmt(v: float) -> str:
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.4g}"


@app.command()
@ui.handle_errors
def show(
    countries: Annotated[
        str, typer.Option("--countries", help="ISO3 codes separated by commas.")
    ] = "USA,RUS,CHN",
    indicator: Annotated[
        str | None,
        typer.Option("--indicator", help="One indicator: its yearly series, one column a country."),
    ] = None,
    as_json: ui.JsonOpt = False,
    fmt: ui.FormatOpt = ui.OutputFormat.table,
) -> None:
    """Show the panel (the shipped one, merged with the user panel when there is one): the
    latest value of each indicator, or one indicator's series.

    Example: trilateral capabilities show --countries USA,RUS,CHN --indicator gdp_current_usd

    Example: trilateral capabilities show --format csv > latest.csv
    """
    codes = _countries(countries)
    panel = cap.load_panel(codes)
    label = f"panel: {cap.describe_panel(panel)}"
    if indicator is not None:
        known = sorted(set(panel["indicator"].to_pylist()))
        if indicator not in known:
            raise ConfigError(
                f"unknown indicator {indicator!r}", hint=f"one of: {', '.join(known)}"
            )
        rows = panel.filter(pc.equal(panel["indicator"], indicator)).to_pylist()
        title = f"{indicator} ({rows[0]['unit'] if rows else ''})"
        order = list(codes or sorted({r["iso3"] for r in rows}))
        wide = _wide(rows, order)
        ui.print_result(
            fmt,
            as_json=as_json,
            data=lambda: rows,
            frames=lambda: [wide],
            table=lambda: ui.print_table(_table(wide, title, fmt=_fmt, caption=label)),
        )
        return
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in panel.to_pylist():
        key = (r["iso3"], r["indicator"])
        if key not in latest or r["year"] > latest[key]["year"]:
            latest[key] = r
    rows = [latest[k] for k in sorted(latest)]
    frame = pl.DataFrame(rows).select("iso3", "indicator", "year", "value", "unit", "source")
    ui.print_result(
        fmt,
        as_json=as_json,
        data=lambda: rows,
        frames=lambda: [frame],
        table=lambda: ui.print_table(_table(frame, "latest values", fmt=_fmt, caption=label)),
    )


def _wide(rows: list[dict[str, Any]], order: list[str]) -> pl.DataFrame:
    """One indicator's rows as a table: a row a year, a column a country (null: no value)."""
    by_year: dict[int, dict[str, float]] = {}
    for r in rows:
        by_year.setdefault(r["year"], {})[r["iso3"]] = r["value"]
    return pl.DataFrame(
        [{"year": y, **{c: by_year[y].get(c) for c in order}} for y in sorted(by_year)],
        schema={"year": pl.Int64, **dict.fromkeys(order, pl.Float64)},
    )


def _table(frame: pl.DataFrame, title: str, fmt: Any = str, caption: str | None = None) -> Table:
    """``frame`` as a rich table: numbers through ``fmt``, a missing value as –, text
    escaped."""
    table = Table(*frame.columns, title=title, caption=None if caption is None else ui.esc(caption))
    for row in frame.iter_rows():
        table.add_row(
            *("–" if v is None else fmt(v) if isinstance(v, float) else ui.esc(v) for v in row)
        )
    return table


@app.command()
@ui.handle_errors
def provenance(as_json: ui.JsonOpt = False, fmt: ui.FormatOpt = ui.OutputFormat.table) -> None:
    """Where the shipped panel comes from: source, licence, date and SHA-256 of each file.

    Example: trilateral capabilities provenance --json
    """
    prov = cap.panel_provenance()
    cols = ("file", "source", "licence", "taken", "vintage", "sha256")
    sources = pl.DataFrame(
        [
            {c: None if s.get(c) is None else str(s[c]) for c in cols}
            for s in prov.get("sources", [])
        ],
        schema=dict.fromkeys(cols, pl.String),
    )

    def show() -> None:
        ui.console.print(
            f"[bold]{ui.esc(prov['dataset'])}[/]  sha256 {prov['sha256']}  rows {prov.get('rows')}  "
            f"built {prov.get('built')}",
            highlight=False,
            soft_wrap=True,
        )
        short = sources.with_columns(
            pl.col("vintage").fill_null(""), pl.col("sha256").str.slice(0, 16) + "…"
        )
        ui.print_table(_table(short, ""))
        user = prov.get("user_panel")
        if user:
            ui.console.print(
                f"merged with the user panel {ui.esc(user['path'])} (sha256 "
                f"{user['sha256'][:16]}…, built {user.get('built', '?')}): its series replace "
                "the shipped ones",
                highlight=False,
                soft_wrap=True,
            )

    ui.print_result(fmt, as_json=as_json, data=lambda: prov, frames=lambda: [sources], table=show)
