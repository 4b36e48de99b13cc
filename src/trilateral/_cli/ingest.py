"""``trilateral ingest`` and ``trilateral info``: thin over :mod:`trilateral.data.store`."""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from ..config import DEFAULT_COUNTRIES, default_db_path, parse_countries
from ..data import IngestProgress, expand_paths, fetch_coverage, ingest_files
from ..data.actors import ActorResolver
from ..data.codebook import Codebook
from ..data.shipped import shipped_datasets
from ..data.store import EventStore, IngestResult, StoreInfo, filter_codes
from ..errors import ReaderError, TrilateralError
from . import _common as ui

__all__ = ["register"]


WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait while another process writes the store, then give up.",
        min=0,
    ),
]


class Layout(StrEnum):
    auto = "auto"
    gdelt1 = "gdelt1"
    gdelt2 = "gdelt2"
    icews = "icews"
    icews_tkg = "icews_tkg"
    chronicle = "chronicle"


class OnErrorChoice(StrEnum):
    fail = "fail"
    skip = "skip"


class GoldsteinChoice(StrEnum):
    gdelt = "gdelt"
    icews = "icews"


def _codebook(
    path: Path,
    layout: str,
    goldstein: GoldsteinChoice | None,
    arena_map: Path | None,
    cache: dict[tuple[str, str | None], Codebook],
) -> Codebook | None:
    """None (the layout's own default) unless the user chose a table or an arena map."""
    if goldstein is None and arena_map is None:
        return None
    if goldstein is not None:
        table = goldstein.value
    else:
        from ..data.readers import detect_format, reader_classes

        name = detect_format(path) if layout == "auto" else layout
        table = reader_classes()[name].default_goldstein
    key = (table, None if arena_map is None else str(arena_map))
    if key not in cache:
        cache[key] = Codebook.load(table, arena_map)  # type: ignore[arg-type]
    return cache[key]


def _say_waiting(message: str) -> None:
    """Tell the user, on stderr, that the store is busy and whom we wait for."""
    ui.err_console.print(ui.esc(message), highlight=False, soft_wrap=True)


def _results_table(results: list[IngestResult]) -> Table:
    table = Table(title="ingested", title_justify="left")
    # numbers and layout names never wrap; a long file name folds instead
    labels = ui.short_paths([r.path for r in results])  # files of one name told apart
    name_width = min(28, max((len(x) for x in labels), default=4))
    table.add_column("file", min_width=name_width, overflow="fold")
    table.add_column("layout", no_wrap=True)
    filtered = any(r.countries is not None for r in results)
    cols = ("read", "ingested", "rejected", *(("filtered",) if filtered else ()), "dup.")
    for col in cols:
        table.add_column(col, justify="right", no_wrap=True)
    for r, label in zip(results, labels, strict=True):
        table.add_row(
            ui.esc(label),
            ui.esc(r.format),
            f"{r.rows_read:,}",
            f"{r.rows_ingested:,}",
            f"{r.rows_rejected:,}",
            *((f"{r.rows_filtered:,}",) if filtered else ()),
            "yes" if r.skipped_duplicate else "no",
        )
    if filtered:
        kept = sorted({",".join(r.countries) for r in results if r.countries is not None})
        table.caption = f"filtered: rows outside {'; '.join(kept)}, not stored"
    if any(r.skipped_duplicate for r in results):
        dup = "dup.: the same content was ingested before, so nothing changed"
        table.caption = dup if table.caption is None else f"{table.caption}\n{dup}"
    return table


PathsArg = Annotated[
    list[Path],
    typer.Argument(
        help="Event files (plain, .zip or .gz), directories of them, or glob patterns.",
        show_default=False,
    ),
]
LayoutOpt = Annotated[
    Layout, typer.Option("--format", help="The layout; auto detects it from the content.")
]
OnErrorOpt = Annotated[
    OnErrorChoice,
    typer.Option(
        "--on-error",
        help="fail: stop at the first bad row, storing nothing of that file; "
        "skip: store the good rows and write the bad ones to a rejects CSV next to "
        "the store.",
    ),
]
GoldsteinOpt = Annotated[
    GoldsteinChoice | None,
    typer.Option(
        "--goldstein",
        help="Goldstein table for CAMEO codes. Default: the layout's own "
        "(icews for ICEWS files, gdelt otherwise).",
        show_default=False,
    ),
]
ArenaMapOpt = Annotated[
    Path | None,
    typer.Option(
        "--arena-map",
        help="CSV cameo_prefix,arena replacing the shipped CAMEO → arena map.",
        show_default=False,
    ),
]
ActorsOpt = Annotated[
    Path | None,
    typer.Option(
        "--actors",
        help="CSV name,iso3[,role,start,end] extending the shipped actor tables "
        "(ICEWS layouts): a dated row resolves only within start..end.",
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Parse the files in N workers (1: a thread of this process; more: "
        "processes) while one writer commits each file in its own transaction "
        "(directories and glob patterns are expanded). "
        "Run the same command again after an interruption: it ingests the rest.",
        show_default=False,
    ),
]
IngestCountriesOpt = Annotated[
    str | None,
    typer.Option(
        "--countries",
        help="Keep only the rows whose source and target countries are both among "
        "these ISO3 codes (e.g. USA,RUS,CHN); the others are counted as dropped. The "
        "store records the filter: a file is stored once, with one filter.",
        show_default=False,
    ),
]


def ingest(
    paths: PathsArg,
    db: ui.DbOpt = None,
    format: LayoutOpt = Layout.auto,
    on_error: OnErrorOpt = OnErrorChoice.fail,
    goldstein: GoldsteinOpt = None,
    arena_map: ArenaMapOpt = None,
    actors: ActorsOpt = None,
    json: ui.JsonOnlyOpt = False,
    wait: WaitOpt = 30.0,
    workers: WorkersOpt = None,
    countries: IngestCountriesOpt = None,
) -> None:
    """Ingest event files into the store, each whole or not at all.

    A file already in the store (same decompressed content, even zipped) is skipped.
    Stops with exit code 1 at the first file that fails; the files before it stay
    ingested and the failing one leaves nothing behind.

    Example: trilateral ingest 20180326044500.export.CSV.zip --db events.duckdb

    Example: trilateral ingest exports/*.CSV --on-error skip --json

    Example: trilateral ingest gdelt-archive/ --workers 4

    Example: trilateral ingest train.txt.gz --actors my_people.csv

    Example: trilateral ingest 20191024143000.export.CSV --countries USA,RUS,CHN
    """
    codes = None if countries is None else filter_codes(countries)
    mode: Literal["fail", "skip"] = "skip" if on_error is OnErrorChoice.skip else "fail"
    cache: dict[tuple[str, str | None], Codebook] = {}

    def books(path: Path) -> Codebook | None:
        return _codebook(path, format.value, goldstein, arena_map, cache)

    resolver = None if actors is None else ActorResolver.load(extra=actors)
    how = _How(db, format.value, mode, books, resolver, json, wait, codes)
    if workers is not None or any(p.is_dir() or glob.has_magic(str(p)) for p in paths):
        _ingest_parallel(paths, how, workers or 1)
        return
    missing = [p for p in paths if not p.is_file()]
    if missing:  # before touching the store: a typo should not create an empty one
        raise ReaderError(
            missing[0],
            None,
            None,
            "file not found" if not missing[0].exists() else "not a file",
            hint="check the path; nothing was ingested",
        )
    _ingest_serial(paths, how)


@dataclass(frozen=True, slots=True)
class _How:
    """What ``trilateral ingest`` was asked for, beside the files and the workers."""

    db: Path | None
    layout: str
    on_error: Literal["fail", "skip"]
    codebook: Callable[[Path], Codebook | None]
    actors: ActorResolver | None
    json: bool
    wait: float
    countries: tuple[str, ...] | None


def _ingest_serial(paths: list[Path], how: _How) -> None:
    """The files one after the other, each with a progress bar."""
    results: list[IngestResult] = []
    with EventStore.open(how.db, timeout=how.wait, on_wait=_say_waiting) as store:
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=ui.err_console,
            transient=True,
            disable=how.json,
        )
        try:
            with progress:
                for path in paths:
                    task = progress.add_task(path.name, total=None)

                    def _update(done: int, total: int, task: TaskID = task) -> None:
                        progress.update(task, completed=done, total=total)

                    result = store.ingest(
                        path,
                        how.layout,
                        on_error=how.on_error,
                        codebook=how.codebook(path),
                        progress=_update,
                        actors=how.actors,
                        countries=how.countries,
                    )
                    results.append(result)
                    progress.remove_task(task)
        except TrilateralError:
            _report(results, how.json, store.path)
            raise
    _report(results, how.json, store.path)


def _ingest_parallel(paths: list[Path], how: _How, workers: int) -> None:
    """``--workers``: :func:`trilateral.data.ingest_files` with progress bars."""
    files = expand_paths(paths)  # before touching the store: a typo creates nothing
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=ui.err_console,
        transient=True,
        disable=how.json,
    )
    with EventStore.open(how.db, timeout=how.wait, on_wait=_say_waiting) as store:
        overall = progress.add_task(f"{len(files)} files", total=None, rate="")
        current = progress.add_task("", total=None, rate="", visible=False)

        def _update(p: IngestProgress) -> None:
            rate = f"{p.rows_per_s:,.0f} rows/s"
            progress.update(overall, completed=p.bytes_done + p.file_bytes_done,
                            total=p.bytes_total, rate=rate,
                            description=f"{p.files_done}/{p.files_total} files")  # fmt: skip
            if p.event == "file":
                progress.update(current, description=Path(p.file).name, visible=True,
                                completed=p.file_bytes_done, total=p.file_bytes_total)  # fmt: skip
            elif not how.json:
                ui.err_console.print(
                    f"ingested {Path(p.file).name}: {p.files_done}/{p.files_total} files, "
                    f"{p.rows_done:,} rows, {rate}", highlight=False, markup=False,
                )  # fmt: skip

        with progress:
            results = ingest_files(store, files, workers=workers, format=how.layout,
                                   on_error=how.on_error, codebook=how.codebook,
                                   progress=_update, countries=how.countries,
                                   actors=how.actors)  # fmt: skip
    _report(results, how.json, store.path)


def _report(results: list[IngestResult], json: bool, db: Path) -> None:
    if json:
        ui.print_json({"store": str(db), "files": [r.to_dict() for r in results]})
        return
    if not results:
        return
    ui.print_table(_results_table(results))
    for r in results:
        if r.rejects_path:
            ui.console.print(
                f"{r.rows_rejected:,} rejected rows of {ui.esc(Path(r.path).name)} written to "
                f"{ui.esc(r.rejects_path)}",
                highlight=False,
                soft_wrap=True,
            )
        for name, value in r.counts.items():
            if value:
                ui.console.print(f"{ui.esc(Path(r.path).name)}: {name.replace('_', ' ')} {value:,}")
        for dup in r.duplicates:
            ui.console.print(ui.esc(dup.summary()), highlight=False, soft_wrap=True)
    ui.console.print(f"store: {ui.esc(db)}", highlight=False, soft_wrap=True)


def info(
    db: ui.DbOpt = None,
    countries: ui.CountriesOpt = ",".join(DEFAULT_COUNTRIES),
    json: ui.JsonOpt = False,
    wait: WaitOpt = 30.0,
    fmt: ui.FormatOpt = ui.OutputFormat.table,
) -> None:
    """Show what the store and the shipped datasets hold.

    Events and date range per dataset, the ingested files, event counts for every
    directed dyad among the countries, actor resolution per file (rows, rows with both
    sides resolved to a country, the 20 most frequent names left unresolved, marked when
    multilateral or non-state), and the datasets shipped with the package (chronicle,
    capability panel, UN voting alignment, ICEWS triad corpus) with their provenance.

    Example: trilateral info --db events.duckdb --countries USA,RUS,CHN

    Example: trilateral info --json

    Example: trilateral info --format csv  (datasets, dyad counts and actor resolution as
    three CSV tables separated by a blank line)
    """
    codes = parse_countries(countries)
    path = default_db_path(db)
    with EventStore.open(path, read_only=True, timeout=wait, on_wait=_say_waiting) as store:
        result = store.info(codes)
        fetched = fetch_coverage(store)  # `trilateral fetch`: every slot accounted for
    shipped = shipped_datasets()

    def show() -> None:
        _print_info(result, codes, shipped)
        for c in fetched:
            ui.print_text(c.summary())

    ui.print_result(
        fmt,
        as_json=json,
        data=lambda: {
            **result.to_dict(),
            "shipped": [d.to_dict() for d in shipped],
            "fetch": [c.to_dict() for c in fetched],
        },
        frames=lambda: _info_frames(result),
        table=show,
    )


def _info_frames(result: StoreInfo) -> list[pl.DataFrame]:
    """The datasets, the directed-dyad counts and the actor resolution per file."""
    d = result.to_dict()
    datasets = pl.DataFrame(
        d["datasets"],
        schema={"dataset": pl.String, "n_events": pl.Int64, "first_date": pl.String,
                "last_date": pl.String},
    )  # fmt: skip
    coverage = pl.DataFrame(
        [{k: c[k] for k in ("path", "dataset", "rows", "both_resolved", "share")}
         for c in d["coverage"]],
        schema={"path": pl.String, "dataset": pl.String, "rows": pl.Int64,
                "both_resolved": pl.Int64, "share": pl.Float64},
    )  # fmt: skip
    return [datasets, result.to_frame(), coverage]


def _print_info(result: StoreInfo, codes: tuple[str, ...], shipped: Any) -> None:
    ui.console.print(
        f"store {ui.esc(result.path)}: {result.n_events:,} events from {len(result.ingests)} files",
        highlight=False,
        soft_wrap=True,
    )
    ds = Table(title="datasets", title_justify="left")
    for col in ("dataset", "events", "first date", "last date"):
        ds.add_column(col, justify="right" if col == "events" else "left")
    for d in result.datasets:
        ds.add_row(ui.esc(d.dataset), f"{d.n_events:,}", str(d.first_date), str(d.last_date))
    ui.print_table(ds)
    dy = Table(title="events by directed dyad", title_justify="left")
    dy.add_column("source \\ target")
    for c in codes:
        dy.add_column(c, justify="right")
    counts = {(d.source, d.target): d.n_events for d in result.dyads}
    for s in codes:
        dy.add_row(s, *("—" if s == t else f"{counts[(s, t)]:,}" for t in codes))
    ui.print_table(dy)
    if result.coverage:
        cov = Table(title="actor resolution per file", title_justify="left")
        for col in ("file", "rows", "both sides resolved", "most frequent unresolved names"):
            cov.add_column(col, justify="right" if col in ("rows",) else "left")
        labels = ui.short_paths([fc.path for fc in result.coverage])  # same names told apart
        for fc, label in zip(result.coverage, labels, strict=True):
            names = ", ".join(
                f"{u.name} {u.rows:,}" + (" (multilateral/non-state)" if u.multilateral else "")
                for u in fc.unresolved
            )
            cov.add_row(
                ui.esc(label),
                f"{fc.rows:,}",
                f"{fc.both_resolved:,} ({fc.share:.1%})",
                ui.esc(names) or "—",
            )
        ui.print_table(cov)
    if result.duplicates:
        dup = Table(title="rows already in the store from an earlier file", title_justify="left")
        for col in ("file", "rows", "held by"):
            dup.add_column(col, justify="right" if col == "rows" else "left")
        for x in result.duplicates:
            dup.add_row(
                ui.esc(Path(x.path).name),
                f"{x.rows:,}",
                ui.esc(f"{Path(x.duplicate_of_path).name} (ingest {x.duplicate_of})"),
            )
        ui.print_table(dup)
    ui.console.print("[italic]datasets shipped with trilateral[/]")
    for item in shipped:
        ui.console.print(
            f"  [bold]{item.name}[/] ({item.file}): {item.rows:,} rows, {item.span}; "
            f"taken {item.taken}; sha256 {item.sha256[:16]}…",
            highlight=False,
            soft_wrap=True,
        )
        ui.console.print(f"    {item.description}", highlight=False, soft_wrap=True)
        for src in item.sources:
            ui.console.print(f"    source: {src}", highlight=False, soft_wrap=True)
        ui.console.print(f"    licence: {item.licence}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``ingest`` and ``info`` to the ``trilateral`` app."""
    app.command("ingest")(ui.handle_errors(ingest))
    app.command("info")(ui.handle_errors(info))
