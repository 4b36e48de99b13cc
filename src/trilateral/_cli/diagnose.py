"""``trilateral diagnose`` and ``trilateral claims``: thin over the diagnose stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich import progress as rich_progress
from rich.markup import escape
from rich.table import Table

from ..config import default_db_path, describe_window, parse_countries
from ..errors import StoreError
from ..measure import engine_from_options, is_parquet_source
from . import _common as ui

__all__ = ["register"]


class PeriodChoice(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


PeriodOpt = Annotated[PeriodChoice, typer.Option("--period", help="Aggregation period.")]
BaseOpt = Annotated[
    str,
    typer.Option(
        "--base",
        help="Evidence base: 'each' (default: every base of the store apart, acts not "
        "reports, periods outside a base's coverage missing), one base's name "
        "('chronicle', 'icews', ...), or 'combined' (every base, cross-dataset dedup).",
    ),
]


def _diagnoses(path: Any, base: str, **kwargs: Any) -> tuple[Any, ...]:
    """The diagnoses ``--base`` asks for: one per evidence base, one base, or combined."""
    from ..diagnose import diagnose_bases, diagnose_store

    if base == "each":
        return diagnose_bases(path, **kwargs)
    return (diagnose_store(path, base=base, **kwargs),)


def _window_text(d: Any) -> str:
    text = f"{d.base or 'all rows'}: window {describe_window(*d.window)}"
    if d.dense:
        text += (
            " (chosen: the longest run of years in which every dyad has enough events "
            "to classify; pass --start/--end to change it)"
        )
    return text


def _diagnosis_data(ds: tuple[Any, ...]) -> dict[str, Any]:
    """``--json``: the windows per base, and the regimes and triangle rows, each with its
    ``base``."""
    tri = [d.triangle_frame() for d in ds]
    return {
        "window": {"start": ds[0].window[0], "end": ds[0].window[1], "dense_default": ds[0].dense},
        "windows": {
            d.base: {"start": d.window[0], "end": d.window[1], "dense_default": d.dense} for d in ds
        },
        "regimes": [r for d in ds for r in d.regimes_frame().to_dicts()],
        "triangle": None
        if all(t is None for t in tri)
        else [r for t in tri if t is not None for r in t.to_dicts()],
    }


def _sensitivity(path: Any, ds: tuple[Any, ...], kw: dict[str, Any]) -> list[dict[str, Any]]:
    """``--json``: each base's labels with the window's start moved a year either way."""
    from ..diagnose import window_sensitivity

    return [r for d in ds for r in window_sensitivity(path, d, **kw).to_dicts()]


def _diagnosis_frames(ds: tuple[Any, ...]) -> list[Any]:
    import polars as pl

    frames = [pl.concat([d.regimes_frame() for d in ds], how="diagonal_relaxed")]
    tri = [t for d in ds if (t := d.triangle_frame()) is not None]
    return frames + ([pl.concat(tri, how="diagonal_relaxed")] if tri else [])


DIAGNOSE_HELP = """Relationship regimes per dyad and the strategic-triangle type per period.

Regimes: partnership, limited partnership, limited opponents, confrontation — from the intensity, breadth and scope of each dyad's events, with the rule that fired and a confidence from the indices' bootstrap. Triangle: Dittmer's type (ménage à trois, romantic triangle, stable marriage, unit veto) from the signs of the three dyads. The rules and thresholds are in docs/diagnose.md.

Example:

  trilateral diagnose --db trilateral.duckdb --countries USA,RUS,CHN --period year --start 2014-01-01
"""

CLAIMS_HELP = """Check the reference paper's claims (Feng 2019) against the data.

Each claim gets a verdict — supported, within tolerance, contradicted or not enough data — with the figures measured (capability panel, UNGA votes, and the event store when there is one). Event claims are judged on each evidence base of the store side by side: the curated chronicle and the machine-coded ICEWS rows. A chronicle verdict that changes when the rows citing the paper itself are left out is "circular" and never counts as support.

Example:

  trilateral claims --db trilateral.duckdb --json
"""


def _store_path(db: Any, required: bool) -> Any:
    if is_parquet_source(db):
        return db  # a Parquet lake (trilateral export): read through measure's open_store
    path = default_db_path(db)
    if not path.is_file():
        if required:
            raise StoreError(f"no event store at {path}", hint=ui.store_hint())
        return None
    return path


def _f(v: Any, fmt: str = ".2f") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return format(v, fmt)
    return str(v)


def _print_diagnoses(ds: tuple[Any, ...], codes: tuple[str, ...], period: str) -> None:
    for d in ds:
        _print_diagnosis(d, codes, period)


def _print_diagnosis(d: Any, codes: tuple[str, ...], period: str) -> None:
    """The regimes and the triangle of :func:`~trilateral.diagnose.diagnose_store` as
    tables for reading."""
    regimes, triangle = d.regimes, d.triangle
    on = f" — {d.base}" if d.base else ""
    table = Table(title=f"Regimes per dyad ({period}){on}")
    for col in (
        "dyad",
        "period",
        "label (share of draws)",
        "conf.",
        "mean G",
        "hostile arenas",
        "force",
        "scope",
        "rule",
    ):
        table.add_column(col, overflow="fold")
    for r in regimes.regimes:
        ev = r.evidence
        table.add_row(
            r.dyad,
            r.period_start.isoformat(),
            r.reading,  # "indeterminate (A 55 %, B 40 %)" when under 80 % of the draws
            _f(r.confidence),
            _f(ev.get("mean_goldstein")),
            f"{ev.get('n_hostile_arenas')}/{ev.get('n_arenas_observed')}",
            str(ev.get("force_events")),
            str(ev.get("scope")),
            r.rule,
        )
    ui.print_table(table)
    if triangle is None:
        ui.console.print("(the triangle needs three countries)")
        return
    t2 = Table(title=f"Strategic triangle {'–'.join(codes)} ({period}){on}")
    for col in (
        "period",
        "signs",
        "type (share of draws)",
        "p",
        "stable type",
        "roles",
        "balanced",
    ):
        t2.add_column(col)
    glyph = {1: "+", 0: "0", -1: "−", None: "?"}
    for t in triangle.periods:
        roles = ""
        if t.pivot:
            roles = f"pivot {t.pivot}"
        elif t.pariah:
            roles = f"pariah {t.pariah}"
        t2.add_row(
            t.period_start.isoformat(),
            " ".join(f"{d}{glyph[s]}" for d, s in t.signs.items()),
            t.reading,
            _f(t.probabilities.get(t.type)),
            t.stable_type,
            roles,
            "—" if t.balanced is None else ("yes" if t.balanced else "no"),
        )
    ui.print_table(t2)


StartOpt = Annotated[str | None, typer.Option("--start", help="First day analysed (YYYY-MM-DD).")]
EndOpt = Annotated[str | None, typer.Option("--end", help="Last day analysed (YYYY-MM-DD).")]
ClaimIdOpt = Annotated[
    list[str] | None, typer.Option("--id", help="Check only this claim (repeatable).")
]


def register(app: typer.Typer) -> None:
    """Add the ``diagnose`` and ``claims`` commands to ``app``."""
    _register_diagnose(app)
    _register_claims(app)


def _register_diagnose(app: typer.Typer) -> None:
    @ui.command(app, "diagnose", DIAGNOSE_HELP)
    def diagnose_cmd(
        db: ui.DbOpt = None,
        countries: ui.CountriesOpt = "USA,RUS,CHN",
        period: PeriodOpt = PeriodChoice.year,
        n_boot: ui.NBootOpt = 200,
        seed: ui.SeedOpt = 0,
        start: StartOpt = None,
        end: EndOpt = None,
        base: BaseOpt = "each",
        json_out: ui.JsonOpt = False,
        fmt: ui.FormatOpt = ui.OutputFormat.table,
        engine: ui.EngineOpt = None,
        engine_config: ui.EngineConfigOpt = None,
    ) -> None:
        from .measure import bootstrap_progress

        codes = parse_countries(countries)
        eng = engine_from_options(engine, engine_config)
        path = _store_path(db, required=True)
        kw: dict[str, Any] = {
            "countries": codes,
            "period": period.value,
            "n_boot": n_boot,
            "rng": seed,
            "engine": eng,
        }
        with bootstrap_progress() as progress:
            ds = _diagnoses(path, base, start=start, end=end, progress=progress, **kw)
        if not (json_out or fmt is ui.OutputFormat.json):
            for d in ds:
                ui.err_console.print(ui.esc(_window_text(d)), highlight=False, soft_wrap=True)
        ui.print_result(
            fmt,
            as_json=json_out,
            data=lambda: _diagnosis_data(ds) | {"window_sensitivity": _sensitivity(path, ds, kw)},
            frames=lambda: _diagnosis_frames(ds),
            table=lambda: _print_diagnoses(ds, codes, period.value),
        )


def _register_claims(app: typer.Typer) -> None:
    @ui.command(app, "claims", CLAIMS_HELP)
    def claims_cmd(
        db: ui.DbOpt = None,
        claim_id: ClaimIdOpt = None,
        seed: ui.SeedOpt = 0,
        n_boot: ui.NBootOpt = 999,
        json_out: ui.JsonOpt = False,
        fmt: ui.FormatOpt = ui.OutputFormat.table,
        engine: ui.EngineOpt = None,
        engine_config: ui.EngineConfigOpt = None,
    ) -> None:
        from ..diagnose import run_claims

        eng = engine_from_options(engine, engine_config)
        path = _store_path(db, required=db is not None)
        with _claims_bar() as progress:
            report = run_claims(
                store=path,
                ids=claim_id or None,
                rng=seed,
                n_boot=n_boot,
                engine=eng,
                progress=progress,
            )
        ui.print_result(
            fmt,
            as_json=json_out,
            data=report.to_dict,
            frames=lambda: [report.to_frame()],
            table=lambda: _print_claims(report, path, db),
        )


@contextmanager
def _claims_bar() -> Iterator[Callable[[int, int, str], None] | None]:
    """A ``progress(done, total, claim_id)`` callback drawing a bar on stderr while the
    claims run (issue 21); None when stderr is not a terminal (``--json`` to a pipe)."""
    if not ui.err_console.is_terminal:
        yield None
        return
    bar = rich_progress.Progress(
        rich_progress.TextColumn("claims"),
        rich_progress.BarColumn(),
        rich_progress.MofNCompleteColumn(),
        rich_progress.TextColumn("{task.description}"),
        rich_progress.TimeElapsedColumn(),
        console=ui.err_console,
        transient=True,
    )
    task = bar.add_task("", total=None)
    with bar:

        def update(done: int, total: int, claim_id: str) -> None:
            bar.update(task, completed=done, total=total, description=ui.esc(claim_id))

        yield update


def _print_claims(report: Any, path: Any, db: Any) -> None:
    """The claims report as a table for reading, with the counts and the overall rule."""
    from ..diagnose import OVERALL_RULE

    if path is None:
        ui.console.print(
            f"[yellow]no event store at {ui.esc(default_db_path(db))}: event claims are "
            f"'not enough data'; {ui.esc(ui.store_hint())}[/]",
            soft_wrap=True,
        )
    style = {
        "supported": "green",
        "within tolerance": "cyan",
        "contradicted": "red",
        "disputed": "magenta",
        "circular": "magenta",
        "paper-selected": "magenta",
        "inconclusive": "yellow",
        "not comparable": "blue",
        "not enough data": "yellow",
    }
    names = report.base_names
    table = Table(title="Claims of Feng (2019), checked against the data")
    for col in ("id", "verdict", *names, "measured", "expected"):
        table.add_column(col, overflow="fold")
    frame = report.to_frame()
    for row in frame.iter_rows(named=True):
        table.add_row(
            row["id"],
            f"[{style[row['verdict']]}]{row['verdict']}[/]",
            *(f"[{style[row[n]]}]{row[n]}[/]" if row[n] else "" for n in names),
            escape(row["measured"]),
            escape(f"{row['expected']} {row['unit']}"),
        )
    ui.print_table(table)
    c = report.counts
    ui.console.print(", ".join(f"{n} {v}" for v, n in c.items()), soft_wrap=True)
    ind = report.independent()
    if report.bases:
        ui.console.print(
            f"supported by independent event data alone: {ind['n_event_claims']} "
            f"({', '.join(ind['event_claims']) or 'none'}); circular on the chronicle: "
            f"{', '.join(ind['circular']) or 'none'}; paper-selected: "
            f"{', '.join(ind['paper_selected']) or 'none'}",
            soft_wrap=True,
        )
    if report.panel:
        ui.console.print(f"capability panel: {ui.esc(report.panel)}", soft_wrap=True)
    ui.console.print(f"[dim]{OVERALL_RULE}[/]", soft_wrap=True)
