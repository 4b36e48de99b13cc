"""Rolling-origin backtests of the forecast models against the no-change baseline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from ..config import ARENAS
from ..errors import ConfigError, DataError
from ._forecast import _check_common, check_levels
from ._models import Fill, check_models, run_models
from ._panel import Panel, future_periods, level_names, panel, parse_dyads, period_floor

__all__ = ["SCORE_COLUMNS", "BacktestResults", "backtest"]

#: Columns of :attr:`BacktestResults.scores` (for the default levels 0.8 and 0.95).
SCORE_COLUMNS: tuple[str, ...] = (
    "model",
    "source",
    "target",
    "arena",
    "horizon",
    "n",
    "mae",
    "rmse",
    "crps",
    "coverage80",
    "coverage95",
    "skill_mae",
    "skill_crps",
    "n_empty",
)
_KEYS = ["origin", "source", "target", "arena", "horizon"]


def _coverage_name(level: float) -> str:
    return "coverage" + level_names(level)[0][2:]


@dataclass(frozen=True, slots=True)
class BacktestResults:
    """Scores of a rolling-origin backtest.

    From each origin, every model is fitted on the periods up to the origin only and
    forecasts ``max(horizons)`` periods ahead; the forecasts are scored against the
    index's observed values. A target period without events has no value: it is not
    scored, and ``n_empty`` counts such cases (they are kept in :attr:`forecasts` with a
    null ``actual``).

    Scores per model, dyad, arena and horizon: ``n`` scored forecasts, ``mae``,
    ``rmse``, ``crps`` (continuous ranked probability score of the normal predictive
    distribution, Gneiting & Raftery 2007, computed by ``properscoring``), the share of
    observed values inside the central intervals (``coverage80``, ``coverage95``), and
    the skill against no-change, ``1 − score / score_no_change``, on the cases both
    models forecast (``skill_mae``, ``skill_crps``; positive: better than no-change).

    Attributes
    ----------
    scores : polars.DataFrame
        One row per model × dyad × arena × horizon, :data:`SCORE_COLUMNS`.
    forecasts : polars.DataFrame
        Every forecast: ``origin`` (last day of the last fitted period), ``source``,
        ``target``, ``arena``, ``horizon``, ``period_start``, ``model``, ``mean``,
        ``sd``, the interval bounds, ``actual`` and ``n_events`` of the target period.
    origins : tuple of date
        The origins: the last day of the last period fitted.
    horizons : tuple of int
    models : tuple of str
    notes : tuple of str
        Models that could not forecast some series from some origins, and why.
    provenance : dict
    """

    scores: pl.DataFrame
    forecasts: pl.DataFrame
    origins: tuple[date, ...]
    horizons: tuple[int, ...]
    models: tuple[str, ...]
    statistic: str
    period: str
    notes: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pl.DataFrame:
        """The score table (a polars DataFrame)."""
        return self.scores

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``trilateral backtest --json``."""
        cols = [c for c in SCORE_COLUMNS if c not in ("skill_crps", "n_empty")]
        return {"scores": self.scores.select(cols).to_dicts()}

    def beats_no_change(self) -> pl.DataFrame:
        """Per dyad, arena and horizon: the models with a positive MAE skill."""
        return self.scores.filter(
            (pl.col("model") != "no_change") & (pl.col("skill_mae") > 0)
        ).sort(
            "source",
            "target",
            "arena",
            "horizon",
            pl.col("skill_mae"),
            descending=[False, False, False, False, True],
        )

    def summary(self) -> str:
        """The score table and, in plain words, where models beat no-change.

        Examples
        --------
        >>> print(bt.summary())  # doctest: +SKIP
        """
        s = self.scores
        o = self.origins
        lines = [
            f"Rolling-origin backtest of {self.statistic} ({self.period}ly): {len(o)} origins "
            f"{o[0]} … {o[-1]}, horizons {', '.join(map(str, self.horizons))}",
            "Scores (lower is better; skill = 1 − MAE/MAE of no-change, > 0 beats it; "
            "coverage: share of outcomes inside the 80 % / 95 % intervals)",
            f"{'dyad':<9} {'arena':<11} {'h':>2} {'model':<12} {'n':>4} {'MAE':>6} "
            f"{'RMSE':>6} {'CRPS':>6} {'cov80':>6} {'cov95':>6} {'skill':>6}",
        ]

        def fmt(v: Any, spec: str) -> str:
            return "" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)

        c80, c95 = _coverage_name(0.8), _coverage_name(0.95)
        for r in s.sort("source", "target", "arena", "horizon").iter_rows(named=True):
            lines.append(
                f"{r['source'] + '→' + r['target']:<9} {r['arena']:<11} {r['horizon']:>2} "
                f"{r['model']:<12} {r['n']:>4} {fmt(r['mae'], '6.3f'):>6} "
                f"{fmt(r['rmse'], '6.3f'):>6} {fmt(r['crps'], '6.3f'):>6} "
                f"{fmt(r.get(c80), '6.2f'):>6} {fmt(r.get(c95), '6.2f'):>6} "
                f"{fmt(r['skill_mae'], '+6.2f'):>6}"
            )
        lines += ["", *self.verdict()]
        empty = s.filter(pl.col("model") == "no_change")["n_empty"].sum()
        if empty:
            lines.append(
                f"{empty} target period(s) had no events (no value to score) and were "
                "left out of the scores; see n_empty."
            )
        if self.notes:
            lines += ["", "Notes:", *[f"  {n}" for n in self.notes]]
        return "\n".join(lines)

    def verdict(self) -> list[str]:
        """Plain sentences: which models beat no-change where, and where none does."""
        s = self.scores.filter(pl.col("n") > 0)
        out = ["Against no-change (MAE skill):"]
        none: list[str] = []
        for (src, tgt, arena), grp in s.group_by(
            ["source", "target", "arena"], maintain_order=True
        ):
            for h in sorted(grp["horizon"].unique().to_list()):
                g = grp.filter((pl.col("horizon") == h) & (pl.col("model") != "no_change"))
                win = g.filter(pl.col("skill_mae") > 0).sort("skill_mae", descending=True)
                where = f"{src}→{tgt} ({arena}) at h={h}"
                if win.height:
                    who = ", ".join(
                        f"{r['model']} ({r['skill_mae']:+.2f})" for r in win.iter_rows(named=True)
                    )
                    out.append(f"  {where}: {who} beat no-change")
                else:
                    none.append(where)
        if none:
            out.append("No model beats no-change at: " + "; ".join(none) + ".")
        else:
            out.append("Some model beats no-change at every dyad and horizon.")
        return out


def _run_origins(
    pan: Panel,
    cols: list[int],
    positions: Sequence[int],
    names: tuple[str, ...],
    horizons: tuple[int, ...],
    levels: tuple[float, ...],
    fill: Fill,
    window: int,
    max_lag: int,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[pl.DataFrame], list[str]]:
    hmax = max(horizons)
    t_all = len(pan.periods)
    hs = np.asarray(horizons, dtype=np.int64)
    k = len(cols)
    parts: dict[str, list[Any]] = {
        c: [] for c in ("origin", "series", "horizon", "period_start", "model", "mean", "sd")
    }
    truth_parts: dict[str, list[np.ndarray]] = {"actual": [], "n_events": []}
    notes: list[str] = []
    for pos in positions:
        # Only the rows up to the origin reach the models: nothing after it can leak.
        outputs = run_models(
            names,
            pan.values[: pos + 1],
            pan.periods[: pos + 1],
            pan.series,
            pan.countries,
            pan.period,
            hmax,
            fill=fill,
            window=window,
            max_lag=max_lag,
            var_ok=pan.var_ok,
        )
        notes += [
            f"{m} from {pan.periods[pos]} ({pan.arena}): {o.note}"
            for m, o in outputs.items()
            if o.note
        ]
        # the horizons whose target period is inside the data
        h_in = hs[hs <= t_all - 1 - pos]
        if h_in.size:
            targets = future_periods(pan.periods[pos], pan.period, hmax)
            rows_h = h_in - 1
            n = h_in.size * k
            series = np.repeat(np.asarray(cols), h_in.size)
            horizon = np.tile(h_in, k)
            starts = [targets[i] for i in rows_h] * k
            actual = pan.values[pos + h_in][:, cols].T.ravel()
            count = pan.counts[pos + h_in][:, cols].T.ravel()
            origin = _period_end(pan, pos)
            for name, out in outputs.items():
                parts["origin"].append([origin] * n)
                parts["series"].append(series)
                parts["horizon"].append(horizon)
                parts["period_start"].append(starts)
                parts["model"].append([name] * n)
                parts["mean"].append(out.mean[rows_h][:, cols].T.ravel())
                parts["sd"].append(out.sd[rows_h][:, cols].T.ravel())
                truth_parts["actual"].append(actual)
                truth_parts["n_events"].append(count)
        if tick is not None:
            tick(1)
    if not parts["mean"]:
        return [], notes
    series_idx = np.concatenate(parts["series"])
    src = np.asarray([s for s, _ in pan.series])[series_idx]
    tgt = np.asarray([t for _, t in pan.series])[series_idx]
    mean = np.concatenate(parts["mean"])
    sd = np.concatenate(parts["sd"])
    data: dict[str, Any] = {
        "origin": [d for chunk in parts["origin"] for d in chunk],
        "source": src,
        "target": tgt,
        "arena": pan.arena,
        "horizon": np.concatenate(parts["horizon"]),
        "period_start": [d for chunk in parts["period_start"] for d in chunk],
        "model": [m for chunk in parts["model"] for m in chunk],
        "mean": mean,
        "sd": sd,
    }
    for lvl in levels:
        z = float(stats.norm.ppf(0.5 + lvl / 2))
        lo, hi = level_names(lvl)
        data[lo] = mean - z * sd
        data[hi] = mean + z * sd
    data["actual"] = np.concatenate(truth_parts["actual"])
    data["n_events"] = np.concatenate(truth_parts["n_events"]).astype(np.int64)
    frame = pl.DataFrame(data).with_columns(
        pl.col("origin").cast(pl.Date),
        pl.col("period_start").cast(pl.Date),
        *[pl.col(c).fill_nan(None) for c in ("mean", "sd", "actual", *_bounds(levels))],
    )
    return [frame], notes


def _bounds(levels: tuple[float, ...]) -> list[str]:
    return [name for lvl in levels for name in level_names(lvl)]


def _period_end(pan: Panel, pos: int) -> date:
    """The last day of period ``pos``: the origin of a forecast fitted up to it."""
    from datetime import timedelta

    return future_periods(pan.periods[pos], pan.period, 1)[0] - timedelta(days=1)


def _scores(fc: pl.DataFrame, levels: tuple[float, ...]) -> pl.DataFrame:
    import properscoring

    ok = fc.filter(
        pl.col("actual").is_not_null() & pl.col("mean").is_not_null() & pl.col("sd").is_not_null()
    )
    crps = properscoring.crps_gaussian(
        ok["actual"].to_numpy(), ok["mean"].to_numpy(), ok["sd"].to_numpy()
    )
    ok = ok.with_columns(
        (pl.col("mean") - pl.col("actual")).alias("err"),
        pl.Series("crps", np.asarray(crps, dtype=float)),
        *[
            (
                (pl.col("actual") >= pl.col(level_names(lv)[0]))
                & (pl.col("actual") <= pl.col(level_names(lv)[1]))
            )
            .cast(pl.Float64)
            .alias(_coverage_name(lv))
            for lv in levels
        ],
    )
    groups = ["model", "source", "target", "arena", "horizon"]
    agg = ok.group_by(groups).agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("err").abs().mean().alias("mae"),
        (pl.col("err") ** 2).mean().sqrt().alias("rmse"),
        pl.col("crps").mean().alias("crps"),
        *[pl.col(_coverage_name(lv)).mean() for lv in levels],
    )
    # Skill on the cases both the model and no-change forecast.
    nc = ok.filter(pl.col("model") == "no_change").select(
        *_KEYS, pl.col("err").abs().alias("nc_abs"), pl.col("crps").alias("nc_crps")
    )
    skill = (
        ok.join(nc, on=_KEYS, how="inner")
        .group_by(groups)
        .agg(
            (1 - pl.col("err").abs().sum() / pl.col("nc_abs").sum()).alias("skill_mae"),
            (1 - pl.col("crps").sum() / pl.col("nc_crps").sum()).alias("skill_crps"),
        )
    )
    empty = (
        fc.filter(pl.col("actual").is_null())
        .group_by(groups)
        .agg(pl.len().cast(pl.Int64).alias("n_empty"))
    )
    every = fc.select(groups).unique()
    out = (
        every.join(agg, on=groups, how="left")
        .join(skill, on=groups, how="left")
        .join(empty, on=groups, how="left")
        .with_columns(pl.col("n").fill_null(0), pl.col("n_empty").fill_null(0))
        .with_columns(pl.col(c).fill_nan(None) for c in ("skill_mae", "skill_crps"))
    )
    cols = [c for c in SCORE_COLUMNS if not c.startswith("coverage")]
    cov = [_coverage_name(lv) for lv in levels]
    at = cols.index("crps") + 1
    order = [*cols[:at], *cov, *cols[at:]]
    model_rank = {m: i for i, m in enumerate(("no_change", "climatology", "ar", "ets", "var"))}
    return (
        out.select(order)
        .with_columns(pl.col("model").replace_strict(model_rank, default=99).alias("_r"))
        .sort("source", "target", "arena", "horizon", "_r")
        .drop("_r")
    )


def _check_horizons(horizons: Sequence[int] | int) -> tuple[int, ...]:
    items = [horizons] if isinstance(horizons, int) else list(horizons)
    out = tuple(sorted({int(h) for h in items}))
    if not out or out[0] < 1:
        raise ConfigError(
            f"horizons must be whole numbers ≥ 1, got {items}", hint="e.g. horizons=(1, 2, 3, 4)"
        )
    return out


def backtest(
    index: Any,
    origins: Sequence[date | str] | None = None,
    horizons: Sequence[int] | int = (1,),
    models: Sequence[str] | str | None = None,
    *,
    statistic: str = "mean_goldstein",
    arenas: Sequence[str] | str = ("all",),
    dyads: Sequence[str | tuple[str, str]] | str | None = None,
    level: Sequence[float] | float = (0.8, 0.95),
    window: int = 12,
    fill: Fill = "ffill",
    min_train: int = 10,
    max_lag: int = 4,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResults:
    """Rolling-origin backtest: forecast from each origin, score against what happened.

    For each origin the models see only the index rows up to the origin's period: the
    empty-period fill, the lag orders (BIC), the VAR and AR coefficients, the no-change
    error spread and the climatology window are all computed from those rows. The index
    itself is per period (each cell is computed from that period's events only), so no
    value before the origin depends on a later period.

    Parameters
    ----------
    index : DyadIndex
        From :func:`trilateral.measure.indices`.
    origins : sequence of dates, optional
        Each origin's last fitted period is the one holding the date. Default: every
        period from the ``min_train``-th to the last but one.
    horizons : int or sequence of int
        Periods ahead to score (≥ 1).
    models : sequence of str, optional
        As in :func:`~trilateral.forecast.forecast` (baselines always run).
    statistic, dyads, level, window, fill, min_train, max_lag
        As in :func:`~trilateral.forecast.forecast`.
    arenas : str or sequence of str
        Index arenas to backtest, each separately (default ``"all"``).
    workers : int
        Processes over which the origins are shared (1: in this process). The scores do
        not depend on it.
    progress : callable, optional
        ``progress(done, total)`` with the number of (arena, origin) fits done and to do.

    Returns
    -------
    BacktestResults

    Examples
    --------
    >>> from datetime import date, timedelta
    >>> import numpy as np, polars as pl
    >>> from trilateral.measure import DyadIndex
    >>> rng = np.random.default_rng(1)
    >>> weeks = [date(2018, 1, 1) + timedelta(weeks=t) for t in range(40)]
    >>> walk = {d: np.cumsum(rng.normal(size=40)) for d in ("USA-RUS", "RUS-USA")}
    >>> rows = [
    ...     {"source": d[:3], "target": d[4:], "arena": "all", "period": "week",
    ...      "period_start": w, "n_events": 5, "mean_goldstein": float(walk[d][i])}
    ...     for d in walk for i, w in enumerate(weeks)]
    >>> idx = DyadIndex(pl.DataFrame(rows), ("USA", "RUS"), "week", "events", ("all",))
    >>> bt = backtest(idx, horizons=[1, 2], models=["ar"])
    >>> bt.scores.select("model").unique().height
    3
    """
    _check_common(1, window, fill, min_train)
    hs = _check_horizons(horizons)
    levels = check_levels(level)
    names = check_models(models)
    arena_list = [arenas] if isinstance(arenas, str) else list(arenas)
    if not arena_list:
        raise ConfigError("no arena given", hint=f"choose from {', '.join(ARENAS)}, all")
    if workers < 1:
        raise ConfigError(f"workers must be ≥ 1, got {workers}")
    chosen = parse_dyads(dyads)
    frames: list[pl.DataFrame] = []
    notes: list[str] = []
    origin_set: set[date] = set()
    plan = []
    for arena in arena_list:
        pan = panel(index, arena, statistic)
        plan.append((pan, pan.select(chosen), _positions(pan, origins, min_train)))
    total = sum(len(p[2]) for p in plan)
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    for pan, _cols, positions in plan:
        origin_set.update(_period_end(pan, p) for p in positions)
    args = (names, hs, levels, fill, window, max_lag)
    if workers == 1 or total < 2 * workers:
        for pan, cols, positions in plan:
            got, said = _run_origins(pan, cols, positions, *args, tick)
            frames += got
            notes += said
    else:
        got, said = _parallel(plan, args, workers, tick)
        frames += got
        notes += said
    if not frames:
        raise DataError(
            "no origin has a period after it to score",
            hint="choose earlier origins or shorter horizons",
        )
    fc = pl.concat(frames, how="vertical").select(
        "origin",
        *[c for c in frames[0].columns if c not in ("origin", "actual", "n_events")],
        "actual",
        "n_events",
    )
    if fc.filter(pl.col("actual").is_not_null()).height == 0:
        raise DataError(
            "no forecast has an observed outcome to score against",
            hint="choose earlier origins or shorter horizons",
        )
    scores = _scores(fc, levels)
    ordered = tuple(sorted(origin_set))
    provenance = {
        "config": {
            "origins": [str(d) for d in ordered],
            "horizons": list(hs),
            "models": list(names),
            "levels": list(levels),
            "statistic": statistic,
            "arenas": arena_list,
            "window": window,
            "fill": fill,
            "min_train": min_train,
            "max_lag": max_lag,
        },
        **panel(index, arena_list[0], statistic).provenance,
    }
    return BacktestResults(
        scores=scores,
        forecasts=fc.sort("arena", "source", "target", "origin", "horizon", "model"),
        origins=ordered,
        horizons=hs,
        models=names,
        statistic=statistic,
        period=str(getattr(index, "period", "")),
        notes=tuple(_compress_notes(notes)),
        provenance=provenance,
    )


def _compress_notes(notes: list[str]) -> list[str]:
    """Identical reasons from many origins in one line with the count."""
    counts: dict[str, int] = {}
    for n in notes:
        head, _, why = n.partition(": ")
        model = head.split(" from ")[0]
        arena = head.rsplit("(", 1)[-1].rstrip(")")
        key = f"{model} ({arena}): {why}"
        counts[key] = counts.get(key, 0) + 1
    return [f"{k} [{v} origin(s)]" for k, v in counts.items()]


def _positions(pan: Panel, origins: Sequence[date | str] | None, min_train: int) -> list[int]:
    if origins is None:
        first = min_train - 1
        if first > len(pan.periods) - 2:
            raise DataError(
                f"the index has {len(pan.periods)} periods: too few for a backtest with "
                f"min_train={min_train}",
                hint="use a longer window or a shorter period",
            )
        return list(range(first, len(pan.periods) - 1))
    if isinstance(origins, str | date):
        origins = [origins]
    out = sorted({pan.position(o, min_train) for o in origins})
    if not out:
        raise ConfigError("no origin given", hint="e.g. origins=['2018-04-01', '2018-04-08']")
    return out


def _parallel(
    plan: list[tuple[Panel, list[int], list[int]]],
    args: tuple[Any, ...],
    workers: int,
    tick: Callable[[int], None],
) -> tuple[list[pl.DataFrame], list[str]]:
    """Share the (arena, origin) fits among ``workers`` fresh processes ("spawn": a
    forked child of a process whose polars or BLAS threads are running can deadlock).
    Each origin's forecasts depend only on its own training rows, so the result does not
    depend on how the origins are shared; the frames are sorted by the caller."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    tasks: list[tuple[Panel, list[int], list[int]]] = []
    for pan, cols, positions in plan:
        # chunks of a few origins: enough to amortise the transfer, small enough to balance
        step = max(1, len(positions) // (4 * workers))
        tasks += [(pan, cols, positions[i : i + step]) for i in range(0, len(positions), step)]
    frames: list[pl.DataFrame] = []
    notes: list[str] = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(_run_origins, pan, cols, pos, *args) for pan, cols, pos in tasks]
        for f, (_pan, _cols, pos) in zip(futures, tasks, strict=True):
            got, said = f.result()
            frames += got
            notes += said
            tick(len(pos))
    return frames, notes


def origins_between(
    index: Any,
    start: date | str | None,
    end: date | str | None,
    arena: str = "all",
    min_train: int = 10,
) -> list[date]:
    """Every period start of ``index`` from the period holding ``start`` (default: the
    ``min_train``-th period) to that holding ``end`` (default: the last but one), for
    :func:`backtest`'s ``origins``."""
    from ..config import as_date, describe_window

    periods = panel(index, arena, "n_events").periods
    period = str(getattr(index, "period", ""))
    a = as_date(start, "start")
    b = as_date(end, "end")
    lo = period_floor(a, period) if a else periods[min(min_train, len(periods)) - 1]
    hi = period_floor(b, period) if b else periods[-2]
    out = [p for p in periods if lo <= p <= hi]
    if not out:
        raise ConfigError(
            f"no period of the index in the window asked for ({describe_window(a, b)}); "
            f"the index runs {describe_window(periods[0], periods[-1])}",
            hint="choose --start and --end inside the data",
        )
    return out
