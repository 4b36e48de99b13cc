"""``trilateral measure``: thin over :func:`trilateral.measure.indices` and
:func:`trilateral.measure.power_ratios`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich import progress as rich_progress
from rich.table import Table

from ..config import as_date, default_db_path, parse_countries
from ..data import atomic_write
from ..measure import (
    DyadIndex,
    PowerRatios,
    engine_from_options,
    indices,
    is_parquet_source,
    power_ratios,
)
from ..pipeline import write_table
from . import _common as ui

__all__ = ["bootstrap_progress", "register"]


class PeriodChoice(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


PeriodOpt = Annotated[PeriodChoice, typer.Option("--period", help="Aggregation period.")]


class WeightingChoice(StrEnum):
    events = "events"
    mentions = "mentions"


ArenaOpt = Annotated[
    str | None,
    typer.Option(
        "--arena",
        help=(
            "Arenas separated by commas (diplomatic, economic, information, "
            "military, political) and/or 'all' (every event of the dyad pooled). "
            "Default: each arena plus 'all'."
        ),
        show_default=False,
    ),
]
WeightingOpt = Annotated[
    WeightingChoice,
    typer.Option("--weighting", help="Count each event once, or once per mention."),
]
CollapseOpt = Annotated[
    bool,
    typer.Option(
        "--collapse-duplicates",
        help="Merge rows with the same day, dyad and CAMEO code into one act (the "
        "default per evidence base; with --base all, off unless given).",
    ),
]
ReportsOpt = Annotated[bool, typer.Option("--reports", help="Count every row (report), not acts.")]
MeasureBaseOpt = Annotated[
    str,
    typer.Option(
        "--base",
        help="Evidence base: 'each' (default: every base of the store apart, a base "
        "column, periods outside a base's coverage missing), one base's name, "
        "'combined' (every base, cross-dataset dedup) or 'all' (the store's rows "
        "as they are, bases pooled).",
    ),
]
NormalizeOpt = Annotated[
    bool,
    typer.Option(
        "--normalize", help="Add volume_share: the cell's share of all events that period."
    ),
]
StartOpt = Annotated[
    str | None, typer.Option("--start", help="First day (YYYY-MM-DD).", show_default=False)
]
EndOpt = Annotated[
    str | None, typer.Option("--end", help="Last day (YYYY-MM-DD).", show_default=False)
]


HELP = """Cooperation–conflict indices per dyad × arena × period, and power ratios.

Writes into --out, as Parquet and CSV: indices (directed dyads), indices_symmetric (both directions pooled), power_ratios (capability panel), and provenance.json. Prints, per dyad and arena, the mean Goldstein score over the whole window and the conflict share (--format csv: those rows with every statistic, for scripts).

Example:

  trilateral measure --db trilateral.duckdb --countries USA,RUS,CHN --period quarter --arena economic,diplomatic,all --out measure-output
"""


_ADJ = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "quarter": "quarterly",
    "year": "yearly",
}


def _parse_arena(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [a.strip().lower() for a in value.split(",") if a.strip()]


def _summary_table(idx: DyadIndex) -> Table:
    p = idx.pooled()
    first, last = idx.provenance.get("start"), idx.provenance.get("end")
    table = Table(
        title=f"{_ADJ[idx.period]} indices {first} … {last} (weighting: {idx.weighting})",
        title_justify="left",
    )
    by_base = "base" in p.columns
    if by_base:
        table.add_column("base", justify="left")
    for col, just in (
        ("dyad", "left"),
        ("arena", "left"),
        ("events", "right"),
        ("mean Goldstein", "right"),
        ("conflict share", "right"),
        ("net coop.", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in p.filter(pl.col("n_events") > 0).iter_rows(named=True):
        table.add_row(
            *([r["base"]] if by_base else []),
            f"{r['source']}→{r['target']}",
            r["arena"],
            f"{r['n_events']:,}",
            f"{r['mean_goldstein']:+.2f}",
            f"{r['conflict_share']:.2f}",
            f"{r['net_cooperation']:+.2f}",
        )
    return table


@contextmanager
def bootstrap_progress(
    description: str = "bootstrap intervals",
) -> Iterator[Callable[[int, int], None] | None]:
    """A ``progress(done, total)`` callback for :func:`indices` drawing a rich bar.

    The bar goes to stderr (``--json`` keeps stdout clean), appears at the first call —
    only when the bootstrap runs — and is removed when the block ends. When stderr is
    not a terminal (a pipe, a log file) there is no bar and the callback is None.
    """
    if not ui.err_console.is_terminal:
        yield None
        return
    bar: rich_progress.Progress | None = None
    task: rich_progress.TaskID | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            bar = rich_progress.Progress(
                rich_progress.TextColumn("{task.description}"),
                rich_progress.BarColumn(),
                rich_progress.MofNCompleteColumn(),
                rich_progress.TextColumn("cells"),
                rich_progress.TimeElapsedColumn(),
                rich_progress.TimeRemainingColumn(),
                console=ui.err_console,
                transient=True,
            )
            bar.start()
            task = bar.add_task(description, total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def _power(countries: tuple[str, ...]) -> tuple[PowerRatios | None, str | None]:
    try:
        return power_ratios(countries=countries), None
    except ImportError as exc:  # the capability panel is part of the data stage
        return None, f"power ratios skipped: capability panel unavailable ({exc})"


def register(app: typer.Typer) -> None:
    """Add the ``measure`` command to ``app``."""

    @ui.command(app, "measure", HELP)
    def measure_cmd(
        db: ui.DbOpt = None,
        countries: ui.CountriesOpt = "USA,RUS,CHN",
        period: PeriodOpt = PeriodChoice.month,
        arena: ArenaOpt = None,
        weighting: WeightingOpt = WeightingChoice.events,
        collapse_duplicates: CollapseOpt = False,
        reports: ReportsOpt = False,
        base: MeasureBaseOpt = "each",
        normalize: NormalizeOpt = False,
        start: StartOpt = None,
        end: EndOpt = None,
        n_boot: ui.NBootOpt = 500,
        seed: ui.SeedOpt = 0,
        out: ui.OutOpt = Path("measure-output"),
        as_json: ui.JsonOpt = False,
        fmt: ui.FormatOpt = ui.OutputFormat.table,
        engine: ui.EngineOpt = None,
        engine_config: ui.EngineConfigOpt = None,
    ) -> None:
        codes = parse_countries(countries)
        eng = engine_from_options(engine, engine_config)
        with bootstrap_progress() as progress:
            idx = _index_for(
                default_db_path(db),
                base,
                True if collapse_duplicates else (False if reports else None),
                countries=codes,
                period=period.value,
                arena=_parse_arena(arena),
                weighting=weighting.value,
                normalize=normalize,
                start=as_date(start, "--start"),
                end=as_date(end, "--end"),
                n_boot=n_boot,
                rng=seed,
                progress=progress,
                engine=eng,
            )
        _write_and_show(idx, codes, out, as_json, fmt)


def _index_for(path: Any, base: str, collapse: bool | None, **kw: Any) -> DyadIndex:
    """The index ``--base`` asks for: each evidence base apart (merged side by side), one
    base, every base combined with the cross-dataset dedup, or the store's rows as is."""
    from ..errors import StoreError
    from ..measure import evidence_bases, index_of_base, merge_bases

    if base == "all":
        return indices(path, collapse_duplicates=bool(collapse), **kw)
    if base == "combined":
        return indices(path, collapse_duplicates=collapse is not False, dedup="cross-dataset", **kw)
    if not Path(str(path)).exists() and not is_parquet_source(path):
        raise StoreError(f"no event store at {path}", hint=ui.store_hint())
    names = [b.name for b in evidence_bases(path, cited=None)] if base == "each" else [base]
    return merge_bases(
        [index_of_base(path, n, collapse_duplicates=collapse is not False, **kw) for n in names]
    )


def _gap_lines(prov: dict[str, Any]) -> list[str]:
    """``"gdelt2: the window has gaps: …"`` per fetched base whose slots have gaps."""
    gaps = prov.get("gaps")
    if isinstance(gaps, dict) and "has_gaps" in gaps:
        gaps = {prov.get("base"): gaps}
    return [
        f"{b}: the window has gaps: {g['text']}"
        for b, g in (gaps or {}).items()
        if g and g.get("has_gaps")
    ]


def _write_and_show(
    idx: DyadIndex, codes: tuple[str, ...], out: Path, as_json: bool, fmt: Any
) -> None:
    """Write the index tables and provenance to ``out``; print the summary (or JSON)."""
    ratios, note = _power(codes)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {
        "indices": [str(p) for p in write_table(idx.frame, out, "indices")],
        "indices_symmetric": [
            str(p) for p in write_table(idx.symmetric().frame, out, "indices_symmetric")
        ],
    }
    if ratios is not None:
        files["power_ratios"] = [str(p) for p in write_table(ratios.frame, out, "power_ratios")]
    prov: dict[str, Any] = {"indices": idx.provenance}
    if ratios is not None:
        prov["power_ratios"] = ratios.provenance
    prov_path = out / "provenance.json"
    atomic_write(prov_path, (json.dumps(prov, indent=2, default=str) + "\n").encode())
    files["provenance"] = [str(prov_path)]
    n_files = sum(len(v) for v in files.values())
    # where the files went, on stderr: stdout stays the table (or the JSON)
    ui.err_console.print(
        f"wrote {n_files} files to {ui.esc(out.resolve())}/", highlight=False, soft_wrap=True
    )

    def show() -> None:
        ui.print_table(_summary_table(idx))
        for line in _gap_lines(idx.provenance):
            ui.console.print(f"[yellow]{ui.esc(line)}[/]", soft_wrap=True)
        if note:
            ui.console.print(f"[yellow]{ui.esc(note)}[/]", soft_wrap=True)
        if ratios is not None:
            ui.err_console.print(
                f"power ratios: capability panel {ui.esc(ratios.provenance['panel'])}",
                highlight=False,
                soft_wrap=True,
            )

    ui.print_result(
        fmt,
        as_json=as_json,
        data=lambda: {
            "out": str(out.resolve()),
            "files": files,
            "summary": idx.pooled().to_dicts(),
            "provenance": idx.provenance,
            "gaps": _gap_lines(idx.provenance),
            "panel": None if ratios is None else ratios.provenance["panel"],
            "note": note,
        },
        frames=lambda: [idx.pooled()],
        table=show,
    )
