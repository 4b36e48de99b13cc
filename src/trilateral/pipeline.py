"""The whole chain on the shipped data: what ``trilateral demo`` and ``make demo`` run.

data (ingest the shipped chronicle and the shipped ICEWS triad corpus into a fresh
store) → measure (indices, power ratios, reciprocity, tit-for-tat) → diagnose (regimes,
triangle, claims) → simulate (China's four policies in the paper scenario) → report
(every result as figures in ``report.html``). Every table lands in
``out`` as Parquet and CSV, every summary in ``summary.txt``, and the provenance of the
run (configuration, seed, version, data hashes) in ``provenance.json``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from . import __version__
from ._rng import RNGLike, seed_sequence
from .config import DEFAULT_COUNTRIES
from .data import atomic_write
from .diagnose import Diagnosis, dense_span, diagnose_store

if TYPE_CHECKING:
    from .forecast import BacktestResults, ForecastResults

__all__ = [
    "DemoResult",
    "Diagnosis",
    "csv_text",
    "dense_span",
    "diagnose_store",
    "run_demo",
    "write_backtest",
    "write_forecast",
    "write_table",
]

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What :func:`run_demo` produced: the store, the files written, and the summaries."""

    out: Path
    store: Path
    files: tuple[Path, ...]
    summaries: dict[str, str] = field(repr=False)
    provenance: dict[str, Any] = field(repr=False)


def write_table(frame: pl.DataFrame, out: str | Path, name: str) -> list[Path]:
    """Write ``frame`` as ``out/name.parquet`` and ``out/name.csv``, each atomically.

    Each file is written to a temporary file in ``out`` and renamed into place, so a
    reader (or a crash) never sees half a table. CSV cannot hold nested columns (lists,
    structs): they are written as JSON text.

    Examples
    --------
    >>> import tempfile, polars as pl
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_table(pl.DataFrame({"a": [[1, 2]]}), d, "t")]
    ['t.parquet', 't.csv']
    """
    out = Path(out)
    paths = [out / f"{name}.parquet", out / f"{name}.csv"]
    buf = io.BytesIO()
    frame.write_parquet(buf)
    text = csv_text(frame).encode("utf-8")  # both built before either file is replaced
    atomic_write(paths[0], buf.getvalue())
    atomic_write(paths[1], text)
    return paths


def csv_text(frame: pl.DataFrame) -> str:
    """``frame`` as CSV text; nested columns (lists, structs) as JSON text.

    Examples
    --------
    >>> print(csv_text(pl.DataFrame({"a": [1], "b": [[1, 2]]})), end="")
    a,b
    1,"[1, 2]"
    """
    nested = [c for c, t in frame.schema.items() if isinstance(t, pl.List | pl.Struct | pl.Object)]
    flat = frame.with_columns(
        pl.Series(
            c,
            [None if v is None else json.dumps(v, default=str) for v in frame[c].to_list()],
            dtype=pl.String,
        )
        for c in nested
    )
    return flat.write_csv()


def _figure_model(res: ForecastResults, wanted: str | None) -> str:
    if wanted is not None:
        return wanted
    for m in ("var", "ar", "ets"):
        if m in res.models and res.frame.filter(pl.col("model") == m)["mean"].null_count() == 0:
            return m
    return "no_change"


def write_forecast(res: ForecastResults, out: Path, model: str | None = None) -> list[Path]:
    """Write a forecast's tables, fan charts (PNG and HTML fragment per dyad) and
    provenance into ``out``; return the paths written (what ``trilateral forecast`` and
    the demo write).

    ``model`` is the model the fan charts show (default: the VAR, else the AR, else ETS
    when it forecast every series, else no-change).

    Examples
    --------
    >>> from trilateral.forecast import forecast
    >>> from trilateral.measure import base_store, indices
    >>> with base_store("trilateral.duckdb", "icews") as con:
    ...     idx = indices(con, period="month", n_boot=0, start="2010-01-01", end="2015-12-31")
    >>> res = forecast(idx, horizon=3, dyads="USA-CHN", models=["ar"], evidence_base="icews")
    >>> sorted(p.name for p in write_forecast(res, Path("forecast-output")))
    ['fan_USA_CHN.html', 'fan_USA_CHN.png', 'forecasts.csv', 'forecasts.parquet', 'provenance.json']
    """
    from .forecast import fan_chart_html, fan_chart_png

    files = write_table(res.to_frame(), out, "forecasts")
    fig_model = _figure_model(res, model)
    for s, t in res.dyads():
        stem = f"fan_{s}_{t}"
        files.append(fan_chart_png(res, s, t, out / f"{stem}.png", model=fig_model))
        html = out / f"{stem}.html"
        atomic_write(html, fan_chart_html(res, s, t, model=fig_model).encode())
        files.append(html)
    prov = out / "provenance.json"
    atomic_write(prov, (json.dumps(res.provenance, indent=2, default=str) + "\n").encode())
    files.append(prov)
    return files


def write_backtest(res: BacktestResults, out: Path, stem: str = "backtest") -> list[Path]:
    """Write a backtest's scores, forecasts, summary and provenance into ``out`` (what
    ``trilateral backtest`` and the demo write); return the paths written.

    Examples
    --------
    >>> from trilateral.forecast import backtest
    >>> from trilateral.measure import base_store, indices
    >>> with base_store("trilateral.duckdb", "icews") as con:
    ...     idx = indices(con, period="month", n_boot=0, start="2010-01-01", end="2015-12-31")
    >>> bt = backtest(idx, horizons=[1], models=[], dyads="USA-CHN", evidence_base="icews")
    >>> out = Path("backtest-output"); out.mkdir()
    >>> [p.name for p in write_backtest(bt, out)][-2:]
    ['backtest_summary.txt', 'backtest_provenance.json']
    """
    files = write_table(res.scores, out, f"{stem}_scores")
    files += write_table(res.forecasts, out, f"{stem}_forecasts")
    summary = out / f"{stem}_summary.txt"
    atomic_write(summary, (res.summary() + "\n").encode())
    prov = out / f"{stem}_provenance.json"
    atomic_write(prov, (json.dumps(res.provenance, indent=2, default=str) + "\n").encode())
    return [*files, summary, prov]


#: The forecast step's backtests (docs/forecast.md): ICEWS18 weekly, origins every week
#: from 2018-04-01, horizons 1–4; ICEWS05-15 monthly, origins every month from 2007-12-31
#: (three years of training), horizons 1–6. The forecasts' intervals are calibrated on
#: them, so they cover the forecasts' horizons. At each origin only the directed dyads
#: with events in at least ``FORECAST_MIN_COVERAGE`` of the trailing 12 periods before
#: it are forecast (issue 19, item 9: the choice sees nothing after the origin).
@dataclass(frozen=True, slots=True)
class _Corpus:
    files: tuple[str, ...]
    period: str
    start: str
    horizons: tuple[int, ...]
    origin: str
    horizon: int


FORECAST_ICEWS18 = _Corpus(
    ("icews18_train_triad.txt.gz", "icews18_valid_triad.txt.gz"),
    "week",
    "2018-04-01",
    (1, 2, 3, 4),
    "2018-09-23",
    4,
)
FORECAST_ICEWS0515 = _Corpus(
    ("icews05-15_triad.txt.gz",), "month", "2007-12-31", (1, 2, 3, 4, 5, 6), "2015-12-31", 6
)
FORECAST_MIN_COVERAGE = 0.9


def _forecast_step(
    out: Path, countries: tuple[str, ...], models: tuple[str, ...]
) -> tuple[list[Path], str, dict[str, Any]]:
    """Backtest and forecast the shipped ICEWS corpus; one store per corpus in
    ``out/forecast`` so that no chronicle row enters the series (one evidence base)."""
    from .data import shipped_icews_paths
    from .data.store import EventStore
    from .forecast import backtest, forecast, origins_between
    from .measure import indices

    shipped = {p.name: p for p in shipped_icews_paths()}
    folder = out / "forecast"
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    texts: list[str] = []
    prov: dict[str, Any] = {}
    for name, cfg in (
        ("icews18_weekly", FORECAST_ICEWS18),
        ("icews05-15_monthly", FORECAST_ICEWS0515),
    ):
        db = folder / f"{name}.duckdb"
        for stale in (db, Path(f"{db}.wal")):
            stale.unlink(missing_ok=True)
        with EventStore.open(db) as store:
            for f in cfg.files:
                store.ingest(shipped[f], format="icews_tkg")
        idx = indices(db, countries=countries, period=cfg.period, arena="all", n_boot=0)
        origins = origins_between(idx, cfg.start, None)
        cover = FORECAST_MIN_COVERAGE
        bt = backtest(
            idx, origins=origins, horizons=cfg.horizons, models=models, min_coverage=cover
        )
        files += write_backtest(bt, folder, stem=name)
        fc = forecast(
            idx,
            horizon=cfg.horizon,
            origin=cfg.origin,
            models=models,
            min_coverage=cover,
            calibration=bt,
        )
        sub = folder / f"{name}_forecast"
        sub.mkdir(exist_ok=True)
        files += write_forecast(fc, sub)
        head = (
            f"{name} (evidence base {bt.evidence_base}): at each origin, the directed dyads "
            f"with events in ≥ {FORECAST_MIN_COVERAGE:.0%} of the 12 {cfg.period}s before it"
        )
        texts += [head, bt.summary(), fc.summary()]
        prov[name] = {"backtest": bt.provenance, "forecast": fc.provenance}
    return files, "\n\n".join(texts), prov


def run_demo(
    out: str | Path = "demo-output",
    *,
    countries: tuple[str, ...] = DEFAULT_COUNTRIES,
    start: str = "2014-01-01",
    end: str = "2019-12-31",
    rng: RNGLike = 0,
    n_boot: int = 200,
    sim_runs: int = 200,
    say: Say | None = None,
    forecast_models: tuple[str, ...] = ("ar", "var"),
) -> DemoResult:
    """Run every stage on the shipped data and write the results to ``out``.

    Parameters
    ----------
    out : path
        Output folder (created). Its store ``trilateral.duckdb`` is rebuilt from scratch.
    countries : tuple of str
        ISO3 codes; the default triangle is USA, RUS, CHN.
    start, end : str
        The window analysed (ISO dates). The default, 2014–2019, is the span the shipped
        chronicle covers fully; its few earlier rows are context the paper cites.
    rng : int, SeedSequence, Generator or None
        Seed of every random draw (bootstraps); the same seed gives the same files.
    n_boot : int
        Bootstrap replicates for the index intervals.
    sim_runs : int
        Runs per policy of the simulated paper scenario (``simulate_paper.*``).
    say : callable, optional
        Called with a line of progress text at each step.
    forecast_models : tuple of str
        Models backtested beside the baselines (see :func:`trilateral.forecast.backtest`;
        add ``"ets"`` for exponential smoothing, about 40 times slower per fit).

    Examples
    --------
    The whole demo takes a while (every stage on the shipped data), so the example is not
    run here; ``tests/test_pipeline.py`` runs it and checks its files.

    >>> res = run_demo("demo-output", n_boot=50)  # doctest: +SKIP
    >>> print(res.summaries["claims"])  # doctest: +SKIP
    """
    from .report import collect_results, stage_sections, write_report

    say = say or (lambda _msg: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store_path = out / "trilateral.duckdb"
    for stale in (store_path, Path(f"{store_path}.wal")):  # rebuilt from scratch
        stale.unlink(missing_ok=True)
    seed = seed_sequence(rng)
    files: list[Path] = []
    summaries: dict[str, str] = {}
    demo_cmd = f"trilateral demo --out {out} --seed {rng} --n-boot {n_boot}"

    say("ingest: the shipped chronicle and ICEWS triad corpus into a fresh store")
    ingested, summaries["store"] = _ingest_shipped(store_path, countries)

    # measure and diagnose: the sequence `trilateral report` runs (one home, in the
    # report stage); the later stages' sections come after this run's own simulation
    window = {"start": start, "end": end}
    res = collect_results(
        store_path, countries=countries, **window, n_boot=n_boot, rng=seed, command=demo_cmd,
        say=say, sections=False,
    )  # fmt: skip
    files += _write_measures(res, out, summaries)

    say("forecast: rolling-origin backtests on the ICEWS corpus, fan charts")
    fc_files, summaries["forecast"], fc_prov = _forecast_step(out, countries, forecast_models)
    files += fc_files

    say(f"simulate: paper.yaml, China's four policies ({sim_runs} runs)")
    sim_files, summaries["simulate"] = _simulate_step(out, sim_runs, seed)
    files += sim_files

    say("report: every result as figures in report.html (with the forecast stage's fan charts)")
    sections = stage_sections(res.monthly, demo_cmd, rng=seed, store=store_path)
    files.append(write_report(replace(res, sections=sections), out / "report.html"))

    provenance: dict[str, Any] = {
        "trilateral_version": __version__,
        "countries": list(countries),
        "seed_entropy": str(seed.entropy),
        "n_boot": n_boot,
        "window": window,
        "store": str(store_path),
        **ingested,
        "indices": res.index.provenance,
        "forecast": fc_prov,
    }
    files += _write_summary(out, provenance, summaries)
    return DemoResult(out, store_path, tuple(files), summaries, provenance)


def _simulate_step(out: Path, sim_runs: int, seed: Any) -> tuple[list[Path], str]:
    """The paper scenario (China's policies) with ``sim_runs`` runs: files and summary."""
    from .simulate import load_scenario, run_scenario, write_outputs

    # a quick run count keeps the demo fast; `trilateral simulate paper` runs the full one
    comparison = run_scenario(load_scenario("paper", runs=sim_runs), rng=seed)
    return list(write_outputs(comparison, out)), comparison.summary()


def _ingest_shipped(store_path: Path, countries: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """Ingest the shipped chronicle and ICEWS corpus into a fresh store: the ingest results
    (``ingested``, ``ingested_icews``, for the provenance) and the store's summary."""
    from .data import EventStore, shipped_chronicle_path, shipped_icews_paths

    with EventStore.open(store_path) as store:
        ingest = store.ingest(shipped_chronicle_path(), format="chronicle")
        icews = [store.ingest(p, format="icews_tkg") for p in shipped_icews_paths()]
        info = store.info(countries)
    return {
        "ingested": ingest.to_dict(),
        "ingested_icews": [r.to_dict() for r in icews],
    }, info.summary()


def _write_measures(res: Any, out: Path, summaries: dict[str, str]) -> list[Path]:
    """Write the measure and diagnose tables of ``res`` to ``out``; add their summaries."""
    files = write_table(res.index.frame, out, "indices_year")
    files += write_table(res.monthly.frame, out, "indices_month")
    summaries["indices"] = res.index.summary()
    files += write_table(res.power.frame, out, "power_ratios")
    summaries["power"] = res.power.summary()
    if res.reciprocity is not None:
        summaries["reciprocity"] = res.reciprocity.summary()
        files += write_table(res.reciprocity.to_frame(), out, "reciprocity")
    else:  # degenerate series: the note says why
        summaries["reciprocity"] = res.notes["reciprocity"]
    files += write_table(res.titfortat.matches, out, "tit_for_tat")
    summaries["tit_for_tat"] = res.titfortat.summary()
    files += write_table(res.regimes.to_frame(), out, "regimes")
    summaries["regimes"] = res.regimes.summary()
    if res.triangle is not None:
        files += write_table(res.triangle.to_frame(), out, "triangle")
        summaries["triangle"] = res.triangle.summary()
    files += write_table(res.claims.to_frame(), out, "claims")
    summaries["claims"] = res.claims.summary()
    return files


def _write_summary(out: Path, provenance: dict[str, Any], summaries: dict[str, str]) -> list[Path]:
    """Write ``provenance.json`` and ``summary.txt`` (every step's summary) to ``out``."""
    prov_path = out / "provenance.json"
    atomic_write(prov_path, (json.dumps(provenance, indent=2, default=str) + "\n").encode())
    summary_path = out / "summary.txt"
    text = "\n\n".join(f"== {k} ==\n{v}" for k, v in summaries.items()) + "\n"
    atomic_write(summary_path, text.encode())
    return [prov_path, summary_path]
