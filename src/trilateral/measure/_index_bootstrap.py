"""The percentile bootstrap of the index cells' weighted mean Goldstein score.

Split from ``_indices.py`` (issue 22). Events are resampled within each cell, drawn as
multinomial counts over the cell's distinct (weight, score) pairs; each cell has its
own random stream keyed by the cell.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from .._rng import cell_rng
from ..config import PERIODS
from ._dyad_index import ALL

__all__ = ["Progress"]

# --------------------------------------------------------------------------- bootstrap

Progress = Callable[[int, int], None]

# Cells whose replicate means are held at once before their quantiles are taken.
_QUANTILE_BATCH = 1024


def _code(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class _Cells:
    """One family of bootstrap cells: their distinct (g, w) pairs, grouped by cell.

    ``g``, ``w``, ``m`` hold, cell after cell and sorted by (g, w) inside each cell, the
    distinct (Goldstein, weight) pairs and how many events carry each; cell ``i`` owns
    rows ``starts[i]:ends[i]``. ``marker`` is 0 for directed, 1 for undirected cells.
    """

    heads: pl.DataFrame
    starts: np.ndarray
    ends: np.ndarray
    g: np.ndarray
    w: np.ndarray
    m: np.ndarray
    keys: list[str]
    marker: int

    @property
    def n_cells(self) -> int:
        return len(self.starts)


def _cells(pairs: pl.DataFrame, keys: list[str], marker: int) -> _Cells:
    """Pool ``pairs`` (cell keys, g, w, m) into the cells keyed by ``keys`` + period."""
    cols = [*keys, "period_start"]
    pooled = pairs.group_by([*cols, "g", "w"]).agg(pl.col("m").sum()).sort([*cols, "g", "w"])
    ids = pooled.select(pl.struct(cols).rle_id().alias("_id"))["_id"].to_numpy()
    bounds = np.flatnonzero(np.diff(ids)) + 1
    starts = np.concatenate(([0], bounds)).astype(np.int64)
    ends = np.concatenate((bounds, [len(ids)])).astype(np.int64)
    if not len(ids):
        starts = ends = np.empty(0, dtype=np.int64)
    return _Cells(
        heads=pooled.select(pl.col(cols).gather(starts)),
        starts=starts,
        ends=ends,
        g=pooled["g"].cast(pl.Float64).to_numpy(),
        w=pooled["w"].cast(pl.Int64).to_numpy(),
        m=pooled["m"].cast(pl.Int64).to_numpy(),
        keys=keys,
        marker=marker,
    )


def _bootstrap_cells(
    cells: _Cells,
    root: np.random.SeedSequence,
    period_kind: int,
    n_boot: int,
    level: float,
    tick: Callable[[int], None],
) -> pl.DataFrame:
    """Percentile bootstrap of the weighted mean per cell; one seeded stream per cell.

    Resampling a cell's ``n`` events with replacement only matters through how many
    times each event is drawn, and events with the same (weight, Goldstein) pair are
    exchangeable: so each replicate draws the counts of the cell's distinct pairs,
    ``multinomial(n, m / n)`` (``m`` the pairs' multiplicities) — the same distribution
    as the counts of ``n`` events drawn with replacement, pooled by pair — and its
    weighted mean is ``Σ c·w·g / Σ c·w``. The cost is that of the distinct pairs, not
    of the events.

    Each cell's generator is ``SeedSequence(root.entropy, spawn_key=root.spawn_key +
    (marker, period, source, target, arena, period_start))`` — the spawn mechanism of
    :meth:`numpy.random.SeedSequence.spawn` keyed by the cell itself — and its pairs are
    in (g, w) order, so a cell's interval does not depend on which other cells exist, on
    row order, or on how many cells are computed. A cell whose events share one score
    (one event, in particular) has the degenerate interval [g, g] and draws nothing.
    ``tick(k)`` reports ``k`` more cells done.
    """
    keys, heads = cells.keys, cells.heads
    n_cells = cells.n_cells
    alpha = (1.0 - level) / 2.0
    lows = np.empty(n_cells)
    highs = np.empty(n_cells)
    g, w, m = cells.g, cells.w, cells.m
    wg = w * g
    rows = heads.rows()
    buf = np.empty((min(_QUANTILE_BATCH, max(n_cells, 1)), n_boot))
    pending: list[int] = []

    def flush() -> None:
        if pending:
            q = np.quantile(buf[: len(pending)], [alpha, 1.0 - alpha], axis=1)
            lows[pending], highs[pending] = q[0], q[1]
            tick(len(pending))
            pending.clear()

    for i, row in enumerate(rows):
        a, b = int(cells.starts[i]), int(cells.ends[i])
        cg = g[a:b]
        if cg[0] == cg[-1]:  # one score (sorted by g): the interval is degenerate
            lows[i] = highs[i] = cg[0]
            tick(1)
            continue
        arena = row[2] if len(keys) == 3 else ALL
        key = (
            cells.marker,
            period_kind,
            _code(row[0]),
            _code(row[1]),
            _code(arena),
            row[-1].toordinal(),
        )
        rng = cell_rng(root, *key)
        cm = m[a:b]
        n = int(cm.sum())
        counts = rng.multinomial(n, cm / n, size=n_boot)  # (n_boot, pairs)
        # integer weights: Σ c·w is exact; Σ c·w·g is a pairwise sum per replicate
        buf[len(pending)] = (counts * wg[a:b]).sum(axis=1) / (counts @ w[a:b])
        pending.append(i)
        if len(pending) == len(buf):
            flush()
    flush()
    out = heads.with_columns(pl.Series("ci_low", lows), pl.Series("ci_high", highs))
    if len(keys) == 2:
        out = out.with_columns(pl.lit(ALL).alias("arena"))
    return out.select("source", "target", "arena", "period_start", "ci_low", "ci_high")


def _bootstrap(
    pairs: pl.DataFrame,
    arenas: tuple[str, ...],
    root: np.random.SeedSequence,
    period: str,
    n_boot: int,
    level: float,
    progress: Progress | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Directed and undirected intervals of every cell with events.

    ``pairs`` has one row per cell (source, target, arena, period_start) and distinct
    (g, w) pair, with ``m`` the number of events carrying it. ``progress(done, total)``
    (cells) is called as cells finish — about every 1 % — and last with ``(total,
    total)``.
    """
    kind = PERIODS.index(period)
    per_arena = [a for a in arenas if a != ALL]
    und = pairs.with_columns(
        pl.min_horizontal("source", "target").alias("source"),
        pl.max_horizontal("source", "target").alias("target"),
    )
    families: list[_Cells] = []
    if per_arena:
        sub = pairs.filter(pl.col("arena").is_in(per_arena))
        if sub.height:
            keys = ["source", "target", "arena"]
            usub = und.filter(pl.col("arena").is_in(per_arena))
            families += [_cells(sub, keys, 0), _cells(usub, keys, 1)]
    if ALL in arenas and pairs.height:
        # "all" pools the cell's events of every arena (also arenas outside ARENAS)
        keys = ["source", "target"]
        families += [_cells(pairs, keys, 0), _cells(und, keys, 1)]

    total = sum(f.n_cells for f in families)
    step = max(1, total // 100)
    done = 0
    reported = 0

    def tick(k: int) -> None:
        nonlocal done, reported
        done += k
        if progress is not None and (done - reported >= step or done == total):
            reported = done
            progress(done, total)

    if progress is not None:
        progress(0, total)
    directed: list[pl.DataFrame] = []
    undirected: list[pl.DataFrame] = []
    for fam in families:
        out = _bootstrap_cells(fam, root, kind, n_boot, level, tick)
        (undirected if fam.marker else directed).append(out)
    if progress is not None and reported != total:
        progress(total, total)
    schema = {
        "source": pl.String,
        "target": pl.String,
        "arena": pl.String,
        "period_start": pl.Date,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
    }
    empty = pl.DataFrame(schema=schema)
    d = pl.concat(directed) if directed else empty
    u = pl.concat(undirected) if undirected else empty
    return d, u


# --------------------------------------------------------------------------- indices
