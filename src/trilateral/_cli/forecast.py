"""``trilateral forecast`` and ``trilateral backtest``: thin over
:func:`trilateral.forecast.forecast` and :func:`trilateral.forecast.backtest`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import progress as rich_progress

from ..config import default_db_path, parse_countries
from ..errors import ConfigError
from ..forecast import (
    MAX_HORIZON,
    BacktestResults,
    ForecastResults,
    backtest,
    check_horizon,
    forecast,
    origins_between,
)
from ..measure import DyadIndex, indices
from ..pipeline import write_backtest, write_forecast
from . import _common as ui

__all__ = ["register"]


class PeriodChoice(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"


class IntervalChoice(StrEnum):
    conformal = "conformal"
    model = "model"


PeriodOpt = Annotated[PeriodChoice, typer.Option("--period", help="Index period.")]


FORECAST_HELP = f"""Forecast the dyad indices some periods ahead, with 80 % and 95 % intervals.

Models: no-change and climatology (always), an AR(p) per series, and the reciprocity VAR over the six directed series (--models adds ets). Nothing dated after --origin is used: the last period fitted is the last one that ends on or before it. At most {MAX_HORIZON} periods ahead. Writes into --out: forecasts (Parquet, CSV), a fan chart per dyad (PNG and an HTML fragment), provenance.json.

Example (October 2018 from the ICEWS18 splits):

  trilateral forecast --db trilateral.duckdb --period week --origin 2018-09-27 --horizon 5
"""

BACKTEST_HELP = """Rolling-origin backtest: forecast from every origin between --start and --end, score against what happened.

Scores per model, dyad and horizon: MAE, RMSE, CRPS, coverage of the 80 % and 95 % intervals (split-conformal from earlier errors by default, empirical beside nominal), the skill against no-change, and Diebold–Mariano tests (HLN-corrected) of each model against no-change and climatology: only a significant difference is called skill. Cells with fewer than 20 forecasts are marked; empty targets are counted. Writes scores and forecasts (Parquet, CSV), summary.txt and provenance.json into --out.

Example:

  trilateral backtest --db trilateral.duckdb --period week --horizons 1,2,3,4 --start 2018-04-01
"""

CoverageOpt = Annotated[
    float,
    typer.Option(
        "--min-coverage",
        help="Forecast only series with events in at least this share of the last --window "
        "periods before the origin (0-1).",
    ),
]


def _list(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _horizons(value: str) -> list[int]:
    out = []
    for item in value.split(","):
        if not item.strip():
            continue
        try:
            out.append(int(item))
        except ValueError:
            raise ConfigError(
                f"--horizons {value!r}: {item.strip()!r} is not a whole number",
                hint="e.g. --horizons 1,3,6",
            ) from None
    if not out:
        raise ConfigError("--horizons is empty", hint="e.g. --horizons 1,3,6")
    return out


def _index(db: Path | None, countries: str, period: PeriodChoice, arena: str) -> DyadIndex:
    """The index both commands model: no bootstrap (the models need the means only)."""
    codes = parse_countries(countries)
    return indices(default_db_path(db), countries=codes, period=period.value, arena=arena, n_boot=0)


def _model_options(
    models: str | None, statistic: str, dyads: str | None, window: int
) -> dict[str, Any]:
    """The options forecast and backtest pass on alike: the models, the statistic, the
    dyads and the climatology's window."""
    return {"models": _list(models), "statistic": statistic, "dyads": dyads, "window": window}


def _folder(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


def _finish(
    res: ForecastResults | BacktestResults,
    files: list[Path],
    out: Path,
    fmt: ui.OutputFormat,
    as_json: bool,
) -> None:
    """Print the result in the format asked for; where the files went goes to stderr
    (stdout stays the result, so --format csv and --json pipe cleanly)."""
    ui.err_console.print(
        f"wrote {len(files)} files to {ui.esc(out)}/", highlight=False, soft_wrap=True
    )
    ui.print_summary_result(res, fmt, as_json)


@contextmanager
def _origin_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A rich bar on stderr counting origins (none when stderr is not a terminal)."""
    if not ui.err_console.is_terminal:
        yield None
        return
    bar = rich_progress.Progress(
        rich_progress.TextColumn("backtest"),
        rich_progress.BarColumn(),
        rich_progress.MofNCompleteColumn(),
        rich_progress.TextColumn("origins"),
        rich_progress.TimeElapsedColumn(),
        console=ui.err_console,
        transient=True,
    )
    task = bar.add_task("backtest", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


ModelsOpt = Annotated[
    str | None,
    typer.Option(
        "--models",
        help="Models besides the baselines: ar, ets, var (default ar,var).",
        show_default=False,
    ),
]
ArenaOpt = Annotated[
    str,
    typer.Option(
        "--arena", help="Index arena: all, diplomatic, economic, information, military, political."
    ),
]
StatOpt = Annotated[
    str, typer.Option("--statistic", help="Index column to forecast (e.g. conflict_share).")
]
DyadsOpt = Annotated[
    str | None,
    typer.Option(
        "--dyads",
        help="Directed dyads SOURCE-TARGET separated by commas (default: all six).",
        show_default=False,
    ),
]
WindowOpt = Annotated[
    int, typer.Option("--window", help="Trailing window of the climatology, in periods.")
]
HorizonOpt = Annotated[int, typer.Option("--horizon", help="Periods ahead.")]
OriginOpt = Annotated[
    str | None,
    typer.Option(
        "--origin",
        help="Last date used (YYYY-MM-DD); default: the end of the data.",
        show_default=False,
    ),
]
HorizonsOpt = Annotated[
    str, typer.Option("--horizons", help="Horizons to score, separated by commas.")
]
StartOpt = Annotated[
    str | None,
    typer.Option("--start", help="First origin (YYYY-MM-DD).", show_default=False),
]
EndOpt = Annotated[
    str | None,
    typer.Option("--end", help="Last origin (YYYY-MM-DD).", show_default=False),
]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Processes sharing the origins.")]
IntervalsOpt = Annotated[
    IntervalChoice,
    typer.Option(
        "--intervals",
        help="conformal: widths from earlier backtest errors; model: the models' own.",
    ),
]


def _origins(idx: DyadIndex, start: str | None, end: str | None, arena: str) -> list[Any] | None:
    """The backtest's origins between --start and --end (None: the default origins)."""
    if start is None and end is None:
        return None
    return list(origins_between(idx, start, end, arena=arena))


def register(app: typer.Typer) -> None:
    """Add the ``forecast`` and ``backtest`` commands to ``app``."""

    @ui.command(app, "forecast", FORECAST_HELP)
    def forecast_cmd(
        db: ui.DbOpt = None,
        countries: ui.CountriesOpt = "USA,RUS,CHN",
        period: PeriodOpt = PeriodChoice.month,
        horizon: HorizonOpt = 4,
        origin: OriginOpt = None,
        dyads: DyadsOpt = None,
        models: ModelsOpt = None,
        arena: ArenaOpt = "all",
        statistic: StatOpt = "mean_goldstein",
        window: WindowOpt = 12,
        min_coverage: CoverageOpt = 0.0,
        out: ui.OutOpt = Path("forecast-output"),
        as_json: ui.JsonOpt = False,
        fmt: ui.FormatOpt = ui.OutputFormat.table,
    ) -> None:
        check_horizon(horizon)  # refused at once, before the store is read
        idx = _index(db, countries, period, arena)
        opts = _model_options(models, statistic, dyads, window)
        res = forecast(
            idx, horizon=horizon, origin=origin, arena=arena, min_coverage=min_coverage, **opts
        )
        _finish(res, write_forecast(res, _folder(out)), out, fmt, as_json)

    @ui.command(app, "backtest", BACKTEST_HELP)
    def backtest_cmd(
        db: ui.DbOpt = None,
        countries: ui.CountriesOpt = "USA,RUS,CHN",
        period: PeriodOpt = PeriodChoice.month,
        horizons: HorizonsOpt = "1,2,3,4",
        start: StartOpt = None,
        end: EndOpt = None,
        dyads: DyadsOpt = None,
        models: ModelsOpt = None,
        arena: ArenaOpt = "all",
        statistic: StatOpt = "mean_goldstein",
        window: WindowOpt = 12,
        workers: WorkersOpt = 1,
        min_coverage: CoverageOpt = 0.0,
        intervals: IntervalsOpt = IntervalChoice.conformal,
        out: ui.OutOpt = Path("backtest-output"),
        as_json: ui.JsonOpt = False,
        fmt: ui.FormatOpt = ui.OutputFormat.table,
    ) -> None:
        hs = _horizons(horizons)
        check_horizon(max(hs))  # refused at once, before the store is read
        idx = _index(db, countries, period, arena)
        origins = _origins(idx, start, end, arena)
        with _origin_progress() as progress:
            opts = _model_options(models, statistic, dyads, window)
            res = backtest(
                idx, origins=origins, horizons=hs, arenas=arena, workers=workers,
                progress=progress, min_coverage=min_coverage, intervals=intervals.value, **opts,
            )  # fmt: skip
        _finish(res, write_backtest(res, _folder(out)), out, fmt, as_json)
