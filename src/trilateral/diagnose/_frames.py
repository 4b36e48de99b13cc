"""The index frames the regime and triangle rules read (split from ``_regimes.py``).

The symmetric view of an index frame, its re-aggregation to a coarser period or a window
(with the measure stage's :func:`~trilateral.measure.pool_index`, at the index's own
confidence level), the scope table aligned to the index's periods, and the random
streams keyed by cell.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from ..config import PERIODS, as_date
from ..errors import ConfigError, DataError
from ..measure import pool_index, z_of_level

__all__ = ["index_level", "symmetric_frame"]

_STATS = (
    "conflict_share",
    "material_conflict_share",
    "cooperation_share",
    "net_cooperation",
)


# --------------------------------------------------------------------------- frames


def index_level(index: Any, level: float | None) -> float:
    """The confidence level of an index's intervals: ``level`` if given, else the
    ``DyadIndex``'s own, else 0.95 (a plain frame)."""
    lvl = level if level is not None else getattr(index, "level", 0.95)
    z_of_level(float(lvl))  # raises ConfigError outside (0, 1)
    return float(lvl)


def _as_frame(index: Any, level: float = 0.95) -> pl.DataFrame:
    """The symmetric index frame of a ``DyadIndex`` or of an index frame.

    An undirected ``DyadIndex`` (or the undirected view :meth:`DyadIndex.symmetric` makes
    of a directed one) passes through unchanged, so its bootstrap intervals stay the
    measure stage's percentile intervals. Only a directed *frame* is pooled here.
    """
    if isinstance(index, pl.DataFrame):
        frame = index
    elif hasattr(index, "symmetric") and hasattr(index, "frame"):
        frame = index.symmetric().frame
    elif hasattr(index, "to_frame"):
        frame = index.to_frame()
    else:
        raise DataError(
            f"not an index: {type(index).__name__}",
            hint="pass a DyadIndex from trilateral.measure or a polars index frame",
        )
    need = {"source", "target", "arena", "period_start", "n_events", "mean_goldstein"}
    missing = need - set(frame.columns)
    if missing:
        raise DataError(
            f"index frame lacks columns: {', '.join(sorted(missing))}",
            hint="see the Index-frame contract in docs/ARCHITECTURE.md",
        )
    return symmetric_frame(frame, level)


def _is_symmetric(frame: pl.DataFrame) -> bool:
    """One row per unordered pair, arena and period, ``source < target``."""
    if frame.height == 0:
        return True
    if not bool((frame["source"] < frame["target"]).all()):
        return False
    keys = ["source", "target", "arena", "period_start"]
    return frame.select(keys).is_unique().all()


def _fill_optional(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    defaults: dict[str, pl.Expr] = {
        "weight": pl.col("n_events").cast(pl.Float64),
        "ci_low": pl.lit(None, dtype=pl.Float64),
        "ci_high": pl.lit(None, dtype=pl.Float64),
        "force_events": pl.lit(0, dtype=pl.Int64),
        "period": pl.lit("period"),
    }
    for s in _STATS:
        defaults.setdefault(s, pl.lit(None, dtype=pl.Float64))
    for name, expr in defaults.items():
        if name not in frame.columns:
            exprs.append(expr.alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _pool(frame: pl.DataFrame, keys: list[str], level: float) -> pl.DataFrame:
    """Pool index rows over ``keys`` with the measure stage's :func:`pool_index`: sums of
    counts, weight-weighted means and shares, and the pooled mean's interval rebuilt at
    ``level`` (the index's own confidence level) from the rows' normal approximations."""
    out = pool_index(frame, keys, level=level)
    return out.drop([c for c in ("swg", "w_conflict", "w_material", "w_coop") if c in out.columns])


def symmetric_frame(frame: pl.DataFrame, level: float = 0.95) -> pl.DataFrame:
    """The undirected view of an index frame: ``source < target``, both directions pooled.

    A frame that is already symmetric (one row per unordered pair, ``source < target``)
    comes back unchanged (its intervals untouched); a directed frame's rows are pooled,
    and the pooled interval is the normal approximation of :func:`_pool`.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"source": ["USA", "RUS"], "target": ["RUS", "USA"],
    ...     "arena": ["all", "all"], "period_start": [date(2018, 1, 1)] * 2,
    ...     "n_events": [2, 2], "weight": [2.0, 2.0], "mean_goldstein": [-4.0, -2.0]})
    >>> symmetric_frame(f)["mean_goldstein"].to_list()
    [-3.0]
    """
    frame = _fill_optional(frame)
    if _is_symmetric(frame):
        return frame.sort(["source", "target", "arena", "period_start"], maintain_order=True)
    lo = pl.min_horizontal("source", "target")
    hi = pl.max_horizontal("source", "target")
    frame = frame.with_columns(lo.alias("source"), hi.alias("target"))
    keys = ["source", "target", "arena", "period", "period_start"]
    return _pool(frame, keys, level).sort(["source", "target", "arena", "period_start"])


_EVERY = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


def _nests(fine: str, coarse: str) -> bool:
    """Whether every ``fine`` period lies inside one ``coarse`` period (weeks straddle months)."""
    if fine == coarse or fine == "day":
        return True
    if fine == "week":
        return False
    return coarse in PERIODS and PERIODS.index(fine) < PERIODS.index(coarse) and coarse != "week"


def _frame_period(frame: pl.DataFrame) -> str | None:
    """The index frame's own period, when it has one known period."""
    if "period" not in frame.columns or frame.height == 0:
        return None
    periods = frame["period"].unique().to_list()
    return periods[0] if len(periods) == 1 and periods[0] in PERIODS else None


def _reperiod(
    frame: pl.DataFrame, period: str | None, window: tuple[date, date] | None, level: float
):
    if window is not None:
        start, end = window
        if end < start:
            raise ConfigError(f"window ends before it starts: {start} … {end}")
        frame = frame.filter(pl.col("period_start").is_between(start, end))
        label = f"{start.isoformat()}/{end.isoformat()}"
        frame = frame.with_columns(period=pl.lit(label), period_start=pl.lit(start))
        return _pool(frame, ["source", "target", "arena", "period", "period_start"], level), label
    if period is None:
        periods = frame["period"].unique().to_list() if frame.height else ["period"]
        return frame, str(periods[0]) if len(periods) == 1 else "mixed"
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}", hint=f"use one of: {', '.join(PERIODS)}")
    own = _frame_period(frame)
    if own == period:  # nothing to re-aggregate: keep the measure stage's intervals
        return frame, period
    if own is not None and not _nests(own, period):
        raise ConfigError(
            f"cannot re-aggregate {own} periods to {period} periods",
            hint="measure the index with a period that fits inside the one asked for",
        )
    frame = frame.with_columns(
        period=pl.lit(period), period_start=pl.col("period_start").dt.truncate(_EVERY[period])
    )
    return _pool(frame, ["source", "target", "arena", "period", "period_start"], level), period


# --------------------------------------------------------------------------- scope


def _cut(bound: date | None, period: str, first: bool) -> date | None:
    """A window bound that cuts a period (None: open, or on the period's edge)."""
    if bound is None:
        return None
    lo = pl.Series([bound]).dt.truncate(_EVERY[period])[0]
    if first:
        return None if lo == bound else bound
    nxt = pl.Series([lo]).dt.offset_by(_EVERY[period])[0]
    return None if (nxt - bound).days == 1 else bound


def _check_scope_window(scope: pl.DataFrame, index: Any, period: str) -> None:
    """Raise when a window bound cuts a period differently in the scope and the index.

    A bound on a period's edge (or an open one) only decides which periods exist; one
    inside a period decides which of that period's events count, so it must be the same.
    """
    prov = getattr(index, "provenance", None)
    if not isinstance(prov, Mapping) or "window_start" not in scope.columns or scope.height == 0:
        return
    for first, key, col in (
        (True, "start_requested", "window_start"),
        (False, "end_requested", "window_end"),
    ):
        ib = as_date(prov.get(key), key)
        sb = scope[col][0]
        if _cut(ib, period, first) != _cut(sb, period, first):
            which = "start" if first else "end"
            raise ConfigError(
                f"the scope table's {which} ({sb or 'open'}) does not match the index's "
                f"{which} ({ib or 'open'}): the {period} holding it would count different "
                "events in the two",
                hint=f"pass the index's {which} to conflict_scope({which}=...)",
            )


def _align_scope(scope: pl.DataFrame, frame: pl.DataFrame, index: Any) -> pl.DataFrame:
    """The scope table keyed by the index's own periods, restricted to the index's cells.

    Scope rows of a finer period are pooled into the index's periods; a coarser (or
    straddling) scope period cannot be matched and raises :class:`ConfigError`.
    """
    own = _frame_period(frame)
    sp = _frame_period(scope) if "period" in scope.columns else None
    if "period" in scope.columns and sp is None and scope.height:
        raise ConfigError("the scope table mixes periods", hint="build it with conflict_scope")
    if own is not None and sp is not None:
        if not _nests(sp, own):
            raise ConfigError(
                f"the scope table is per {sp} but the index is per {own}: they cannot be matched",
                hint=f"build it with conflict_scope(..., period={own!r})",
            )
        _check_scope_window(scope, index, own)
        if sp != own:
            scope = scope.with_columns(pl.col("period_start").dt.truncate(_EVERY[own]))
    cells = frame.select("source", "target", "period_start").unique()
    return scope.join(cells, on=["source", "target", "period_start"], how="semi")


def _pool_scope(scope: pl.DataFrame, weighting: str) -> pl.DataFrame:
    """Sum the scope rows of each dyad and period_start; severity from exact sums."""
    counts = [c for c in scope.columns if c.startswith("n_")]
    aggs = [pl.col(c).sum() for c in counts]
    if "sum_goldstein" in scope.columns:
        num, den = (
            ("sum_goldstein_mentions", "mentions")
            if weighting == "mentions"
            else ("sum_goldstein", "n_conflict")
        )
        aggs.append((pl.col(num).sum() / pl.col(den).sum()).alias("conflict_goldstein"))
    elif "conflict_goldstein" in scope.columns:  # a hand-made table: pool by conflict counts
        has = pl.col("conflict_goldstein").is_not_null()
        aggs.append(
            (
                (pl.col("conflict_goldstein") * pl.col("n_conflict")).filter(has).sum()
                / pl.col("n_conflict").filter(has).sum()
            ).alias("conflict_goldstein")
        )
    return scope.group_by(["source", "target", "period_start"], maintain_order=True).agg(aggs)


def _window_scope(scope: pl.DataFrame, window: tuple[date, date] | None, period: str | None):
    """The aligned scope re-keyed like :func:`_reperiod` re-keys the index."""
    if window is not None:
        return scope.filter(pl.col("period_start").is_between(*window)).with_columns(
            period_start=pl.lit(window[0])
        )
    if period is not None:
        return scope.with_columns(pl.col("period_start").dt.truncate(_EVERY[period]))
    return scope


# --------------------------------------------------------------------------- randomness

_REGIME_STREAM = 1
_TRIANGLE_STREAM = 2


def _cell_rng(
    root: np.random.SeedSequence, stream: int, who: str, period: str, period_start: date
) -> np.random.Generator:
    """A generator of its own for one cell (dyad or triangle × period).

    ``SeedSequence(root.entropy, spawn_key=root.spawn_key + (stream, who, period, start))``
    — the spawn mechanism keyed by the cell itself, as the measure stage's bootstrap does —
    so a cell's draws do not depend on which other dyads or periods are in the run.
    """
    key = (
        stream,
        zlib.crc32(who.encode("utf-8")),
        zlib.crc32(period.encode("utf-8")),
        period_start.toordinal(),
    )
    return np.random.default_rng(
        np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))
    )
