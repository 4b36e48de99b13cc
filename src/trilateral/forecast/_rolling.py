"""Forecasts from many origins, each fitted on the rows up to that origin only.

Which series are forecast from an origin is decided from the rows before it: a series
whose share of periods with events over the trailing ``window`` periods is below
``min_coverage`` is skipped at that origin, and the skip is recorded with its share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from ._models import Fill, ModelOutput, fit_to_origin
from ._panel import Panel, future_periods, level_names

__all__ = ["OriginRun", "coverage_at", "run_origins"]


def coverage_at(pan: Panel, pos: int, cols: Sequence[int], window: int) -> np.ndarray:
    """Share of the trailing ``window`` periods up to row ``pos`` in which each of
    ``cols`` had events (the rule of every origin's series choice)."""
    lo = max(0, pos + 1 - window)
    return (pan.counts[lo : pos + 1][:, list(cols)] > 0).mean(axis=0)


@dataclass
class OriginRun:
    """What :func:`run_origins` produced: forecast frames, notes and the skipped series."""

    frames: list[pl.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: OriginRun) -> None:
        self.frames += other.frames
        self.notes += other.notes
        self.skipped += other.skipped


def run_origins(
    pan: Panel,
    cols: list[int],
    positions: Sequence[int],
    names: tuple[str, ...],
    horizons: tuple[int, ...],
    levels: tuple[float, ...],
    fill: Fill,
    window: int,
    max_lag: int,
    min_coverage: float = 0.0,
    *,
    tick: Callable[[int], None] | None = None,
) -> OriginRun:
    """Forecast every ``cols`` series from each origin row in ``positions``."""
    hmax = max(horizons)
    hs = np.asarray(horizons, dtype=np.int64)
    parts: dict[str, list[Any]] = {
        c: []
        for c in ("origin", "series", "horizon", "period_start", "model", "mean", "sd", "actual")
    }
    parts["n_events"] = []
    run = OriginRun()
    for pos in positions:
        use = _kept_series(pan, pos, cols, window, min_coverage, run)
        outputs = fit_to_origin(
            pan, pos, names, hmax, fill=fill, window=window, max_lag=max_lag, only=use
        )
        run.notes += [
            f"{m} from {pan.periods[pos]} ({pan.arena}): {o.note}"
            for m, o in outputs.items()
            if o.note
        ]
        _append_forecasts(parts, pan, pos, hs, hmax, use, outputs)
        if tick is not None:
            tick(1)
    if parts["mean"]:
        run.frames.append(_frame(pan, parts, levels))
    return run


def _kept_series(
    pan: Panel, pos: int, cols: list[int], window: int, min_coverage: float, run: OriginRun
) -> list[int]:
    """The ``cols`` series with events in at least ``min_coverage`` of the trailing
    ``window`` periods at origin row ``pos``; the others are added to ``run.skipped``."""
    origin = pan.period_end(pos)
    share = coverage_at(pan, pos, cols, window)
    use = [c for c, s in zip(cols, share, strict=True) if s >= min_coverage]
    for c, s in zip(cols, share, strict=True):
        if s < min_coverage:
            run.skipped.append(
                {"origin": origin, "source": pan.series[c][0], "target": pan.series[c][1],
                 "arena": pan.arena, "coverage": float(s)}
            )  # fmt: skip
    return use


def _append_forecasts(
    parts: dict[str, list[Any]],
    pan: Panel,
    pos: int,
    hs: np.ndarray,
    hmax: int,
    use: list[int],
    outputs: dict[str, ModelOutput],
) -> None:
    """Add to ``parts`` each model's forecasts from origin row ``pos`` of the ``use``
    series, at the horizons whose target lies inside the data, with what happened."""
    h_in = hs[hs <= len(pan.periods) - 1 - pos]  # the horizons whose target is in the data
    if not (h_in.size and use):
        return
    origin = pan.period_end(pos)
    targets = future_periods(pan.periods[pos], pan.period, hmax)
    rows_h = h_in - 1
    n = h_in.size * len(use)
    actual = pan.values[pos + h_in][:, use].T.ravel()
    count = pan.counts[pos + h_in][:, use].T.ravel()
    for name, out in outputs.items():
        parts["origin"].append([origin] * n)
        parts["series"].append(np.repeat(np.asarray(use), h_in.size))
        parts["horizon"].append(np.tile(h_in, len(use)))
        parts["period_start"].append([targets[i] for i in rows_h] * len(use))
        parts["model"].append([name] * n)
        parts["mean"].append(out.mean[rows_h][:, use].T.ravel())
        parts["sd"].append(out.sd[rows_h][:, use].T.ravel())
        parts["actual"].append(actual)
        parts["n_events"].append(count)


def _frame(pan: Panel, parts: dict[str, list[Any]], levels: tuple[float, ...]) -> pl.DataFrame:
    series_idx = np.concatenate(parts["series"])
    mean = np.concatenate(parts["mean"])
    sd = np.concatenate(parts["sd"])
    data: dict[str, Any] = {
        "origin": [d for chunk in parts["origin"] for d in chunk],
        "source": np.asarray([s for s, _ in pan.series])[series_idx],
        "target": np.asarray([t for _, t in pan.series])[series_idx],
        "arena": pan.arena,
        "horizon": np.concatenate(parts["horizon"]),
        "period_start": [d for chunk in parts["period_start"] for d in chunk],
        "model": [m for chunk in parts["model"] for m in chunk],
        "mean": mean,
        "sd": sd,
    }
    bounds = []
    for lvl in levels:
        z = float(stats.norm.ppf(0.5 + lvl / 2))
        lo, hi = level_names(lvl)
        data[lo] = mean - z * sd
        data[hi] = mean + z * sd
        bounds += [lo, hi]
    data["actual"] = np.concatenate(parts["actual"])
    data["n_events"] = np.concatenate(parts["n_events"]).astype(np.int64)
    return pl.DataFrame(data).with_columns(
        pl.col("origin").cast(pl.Date),
        pl.col("period_start").cast(pl.Date),
        *[pl.col(c).fill_nan(None) for c in ("mean", "sd", "actual", *bounds)],
    )
