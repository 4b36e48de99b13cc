"""``trilateral capabilities …``: the capability panel (refresh, show, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pyarrow.compute as pc
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from ..config import check_countries
from ..data import capabilities as cap
from ..errors import ConfigError
from ._common import JsonOpt, console, esc, handle_errors, print_json, print_table

__all__ = ["app"]

app = typer.Typer(
    help="The capability panel: GDP, population, military expenditure, COW CINC.\n\n"
    "Example: trilateral capabilities show --countries USA,RUS --indicator milex_current_usd",
    no_args_is_help=True,
)


@app.command()
@handle_errors
def refresh(
    files: Annotated[
        list[Path],
        typer.Argument(help="Source files: SIPRI .xlsx, World Bank CSVs, COW NMC CSV."),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the panel CSV (default: the shipped file)."),
    ] = None,
    countries: Annotated[
        str,
        typer.Option("--countries", help="ISO3 codes to keep, separated by commas."),
    ] = ",".join(cap.PANEL_COUNTRIES),
) -> None:
    """Rebuild the panel from newer downloads (written atomically).

    Example: trilateral capabilities refresh SIPRI-Milex-data-1949-2024.xlsx
    NMC-60-abridged.csv gdp_current_usd_datahub.csv population_datahub.csv --out panel.csv
    """
    codes = _countries(countries, minimum=1)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as progress:
        progress.add_task(f"reading {len(files)} files", total=None)
        result = cap.refresh_panel(files, out=out, countries=codes)
    console.print(
        f"wrote [bold]{result['rows']}[/] rows for {', '.join(result['countries'])} "
        f"to {esc(result['out'])}",
        highlight=False,
    )
    table = Table("file", "layout", "indicators")
    for src in result["provenance"]["sources"]:
        table.add_row(esc(src["file"]), src["layout"], ", ".join(src["indicators"]))
    console.print(table)


def _countries(value: str | None, minimum: int = 1) -> tuple[str, ...] | None:
    if value is None or not value.strip():
        return None
    return check_countries(value, minimum=minimum)


def _fmt(v: float) -> str:
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.4g}"


@app.command()
@handle_errors
def show(
    countries: Annotated[
        str, typer.Option("--countries", help="ISO3 codes separated by commas.")
    ] = "USA,RUS,CHN",
    indicator: Annotated[
        str | None,
        typer.Option("--indicator", help="One indicator: its yearly series, one column a country."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the shipped panel: the latest value of each indicator, or one indicator's series.

    Example: trilateral capabilities show --countries USA,RUS,CHN --indicator gdp_current_usd
    """
    codes = _countries(countries)
    panel = cap.load_panel(codes)
    if indicator is not None:
        known = sorted(set(panel["indicator"].to_pylist()))
        if indicator not in known:
            raise ConfigError(
                f"unknown indicator {indicator!r}", hint=f"one of: {', '.join(known)}"
            )
        panel = panel.filter(pc.equal(panel["indicator"], indicator))
        rows = panel.to_pylist()
        if as_json:
            print_json(rows)
            return
        order = list(codes or sorted({r["iso3"] for r in rows}))
        by_year: dict[int, dict[str, float]] = {}
        for r in rows:
            by_year.setdefault(r["year"], {})[r["iso3"]] = r["value"]
        unit = rows[0]["unit"] if rows else ""
        table = Table("year", *order, title=f"{indicator} ({unit})")
        for year in sorted(by_year):
            table.add_row(
                str(year), *(_fmt(by_year[year][c]) if c in by_year[year] else "–" for c in order)
            )
        print_table(table)
        return
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in panel.to_pylist():
        key = (r["iso3"], r["indicator"])
        if key not in latest or r["year"] > latest[key]["year"]:
            latest[key] = r
    rows = [latest[k] for k in sorted(latest)]
    if as_json:
        print_json(rows)
        return
    table = Table("iso3", "indicator", "year", "value", "unit", "source", title="latest values")
    for r in rows:
        table.add_row(
            r["iso3"], r["indicator"], str(r["year"]), _fmt(r["value"]), r["unit"], r["source"]
        )
    console.print(table)


@app.command()
@handle_errors
def provenance(as_json: JsonOpt = False) -> None:
    """Where the shipped panel comes from: source, licence, date and SHA-256 of each file.

    Example: trilateral capabilities provenance --json
    """
    prov = cap.panel_provenance()
    if as_json:
        print_json(prov)
        return
    console.print(
        f"[bold]{prov['dataset']}[/]  sha256 {prov['sha256']}  rows {prov.get('rows')}  "
        f"built {prov.get('built')}",
        highlight=False,
    )
    table = Table("file", "source", "licence", "taken", "vintage", "sha256")
    for s in prov.get("sources", []):
        table.add_row(
            s["file"], s["source"], s["licence"], str(s["taken"]), str(s.get("vintage") or ""),
            s["sha256"][:16] + "…",
        )  # fmt: skip
    console.print(table)
