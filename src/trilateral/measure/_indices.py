"""Dyad × arena × period indices of cooperation and conflict (docs/measure.md).

One portable SQL aggregate over the store's ``events`` table gives, per directed dyad,
arena and period, the counts and weighted sums; the calendar of periods is laid under
it afterwards so that periods without events are present (``n_events`` 0, statistics
null) rather than silently dropped or read as zero. A percentile bootstrap of the
weighted mean Goldstein score, resampling events within each cell (drawn as multinomial
counts over the cell's distinct (weight, score) pairs), gives ``ci_low`` / ``ci_high``.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import polars as pl

import trilateral

from .._rng import RNGLike, cell_rng, seed_sequence
from ..config import ARENAS, DEFAULT_COUNTRIES, PERIODS, as_date, check_countries
from ..errors import ConfigError, DataError, StoreError
from ._engine import EngineConfig, compile_sql, event_source, resolve_engine
from ._pooling import pool_index, stats_from_sums

__all__ = ["INDEX_COLUMNS", "DyadIndex", "indices"]

#: The Index frame's columns (docs/ARCHITECTURE.md, "Contracts between stages"), in order.
INDEX_COLUMNS: tuple[str, ...] = (
    "source",
    "target",
    "arena",
    "period",
    "period_start",
    "n_events",
    "weight",
    "mean_goldstein",
    "ci_low",
    "ci_high",
    "conflict_share",
    "material_conflict_share",
    "cooperation_share",
    "net_cooperation",
    "force_events",
)

ALL = "all"
Weighting = Literal["events", "mentions"]

# Weighted sums from which every statistic of a cell (and of a pooled cell) follows.
_SUMS = ("swg", "w_conflict", "w_material", "w_coop")


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class DyadIndex:
    """Cooperation–conflict indices per dyad × arena × period (the Index frame).

    Each cell summarises the events one country directed at another (``directed``) or
    that passed between two countries in either direction (``directed=False``, from
    :meth:`symmetric`) in one arena and one calendar period. The score is the weighted
    mean Goldstein (1992) score on −10 (most conflictual) … +10 (most cooperative);
    the shares use the CAMEO quad classes (1–2 cooperation, 3–4 conflict, 4 material
    conflict). Weighting by ``"events"`` counts each event once; by ``"mentions"``
    counts it once per report (GDELT's NumMentions), which favours salient events.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per dyad × arena × period, columns :data:`INDEX_COLUMNS` (plus
        ``volume`` and ``volume_share`` when normalised, ``dyad`` when undirected).
    countries : tuple of str
        The countries whose dyads are measured.
    period : str
        One of ``day``, ``week``, ``month``, ``quarter``, ``year``.
    weighting : str
        ``"events"`` or ``"mentions"``.
    arenas : tuple of str
        The arenas present in ``frame`` (``"all"`` pools every arena in the store).
    directed : bool
        False for the undirected view returned by :meth:`symmetric`.
    level : float
        Confidence level of the bootstrap interval.
    provenance : dict
        Query parameters, store path, data hash, package version, rng seed entropy.
    undirected_ci : polars.DataFrame or None
        Bootstrap intervals of the undirected cells (used by :meth:`symmetric`).
    """

    frame: pl.DataFrame
    countries: tuple[str, ...]
    period: str
    weighting: str
    arenas: tuple[str, ...]
    directed: bool = True
    level: float = 0.95
    provenance: dict[str, Any] = field(default_factory=dict)
    undirected_ci: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pl.DataFrame:
        """The Index frame (a polars DataFrame)."""
        return self.frame

    def symmetric(self) -> DyadIndex:
        """Undirected view: both directions of each dyad pooled into one cell.

        Rows carry ``dyad`` (``"RUS-USA"``) and ``source < target`` alphabetically. Counts
        and weights add; the mean and the shares are recomputed from the pooled weighted
        sums (so they are weighted means over the events of both directions, not means of
        the two directed means). The bootstrap interval is that of the pooled events,
        computed by :func:`indices` (null when it ran with ``n_boot=0``).

        Examples
        --------
        >>> idx.symmetric().frame.select("dyad").unique().height  # doctest: +SKIP
        3
        """
        if not self.directed:
            return self
        f = self.frame
        keyed = f.with_columns(
            pl.min_horizontal("source", "target").alias("_lo"),
            pl.max_horizontal("source", "target").alias("_hi"),
        )
        normalised = "volume" in f.columns
        extra = [pl.col("volume").first()] if normalised else []
        # an index of evidence bases (measure.indices_by_base): each base pooled apart
        by_base = ["base"] if "base" in f.columns else []
        if "coverage_share" in f.columns:
            extra.append(pl.col("coverage_share").first())
        pooled = pool_index(
            keyed, [*by_base, "_lo", "_hi", "arena", "period", "period_start"], extra=extra
        ).rename({"_lo": "source", "_hi": "target"})
        if self.undirected_ci is not None:
            ci_keys = ["source", "target", "arena", "period_start"]
            pooled = pooled.join(
                self.undirected_ci,
                on=[*by_base, *ci_keys] if "base" in self.undirected_ci.columns else ci_keys,
                how="left",
                maintain_order="left",
            )
        else:
            pooled = pooled.with_columns(
                pl.lit(None, pl.Float64).alias("ci_low"), pl.lit(None, pl.Float64).alias("ci_high")
            )
        cols = [*by_base, "dyad", *INDEX_COLUMNS]
        if "coverage_share" in f.columns:
            cols.append("coverage_share")
        pooled = pooled.with_columns(
            pl.concat_str([pl.col("source"), pl.col("target")], separator="-").alias("dyad")
        )
        if normalised:
            pooled = _add_volume_share(pooled)
            cols += ["volume", "volume_share"]
        return replace(self, frame=pooled.select(cols), directed=False, undirected_ci=None)

    def series(self, source: str, target: str, arena: str = ALL) -> pl.DataFrame:
        """The time series of one dyad in one arena, ordered by period.

        For an undirected index the order of ``source`` and ``target`` does not matter.

        Examples
        --------
        >>> idx.series("USA", "RUS", "economic")  # doctest: +SKIP
        """
        s, t = source.upper(), target.upper()
        if not self.directed:
            s, t = min(s, t), max(s, t)
        if arena not in self.arenas:
            raise ConfigError(
                f"arena {arena!r} is not in this index",
                hint=f"choose one of {', '.join(self.arenas)}",
            )
        out = self.frame.filter(
            (pl.col("source") == s) & (pl.col("target") == t) & (pl.col("arena") == arena)
        ).sort("period_start")
        if out.height == 0:
            raise ConfigError(
                f"no dyad {s}→{t} in this index",
                hint=f"the index covers {', '.join(self.countries)}",
            )
        return out

    def pooled(self) -> pl.DataFrame:
        """Per dyad and arena, the statistics pooled over every period of the window.

        Columns: source, target, arena, periods, periods_with_events, n_events, weight,
        mean_goldstein, conflict_share, material_conflict_share, cooperation_share,
        net_cooperation, force_events (weighted over events, not averaged over periods).
        """
        out = pool_index(
            self.frame,
            ["source", "target", "arena"],
            extra=[
                pl.len().alias("periods"),
                (pl.col("n_events") > 0).sum().alias("periods_with_events"),
            ],
        )
        return out.select(
            "source",
            "target",
            "arena",
            "periods",
            "periods_with_events",
            "n_events",
            "weight",
            "mean_goldstein",
            "conflict_share",
            "material_conflict_share",
            "cooperation_share",
            "net_cooperation",
            "force_events",
        )

    def summary(self) -> str:
        """A short text table: per dyad and arena, the whole window pooled."""
        p = self.pooled()
        first = str(self.frame["period_start"].min()) if self.frame.height else ""
        last = str(self.frame["period_start"].max()) if self.frame.height else ""
        kind = "directed" if self.directed else "undirected"
        lines = [
            f"DyadIndex ({kind}, {self.period}, weighting={self.weighting}) "
            f"{first} … {last}: {', '.join(self.countries)}",
            f"{'dyad':<9} {'arena':<12} {'events':>8} {'periods':>9} {'goldstein':>10} "
            f"{'conflict':>9} {'net coop':>9}",
        ]
        sep = "→" if self.directed else "-"
        for r in p.iter_rows(named=True):
            mean = "" if r["mean_goldstein"] is None else f"{r['mean_goldstein']:+.2f}"
            conf = "" if r["conflict_share"] is None else f"{r['conflict_share']:.2f}"
            net = "" if r["net_cooperation"] is None else f"{r['net_cooperation']:+.2f}"
            lines.append(
                f"{r['source'] + sep + r['target']:<9} {r['arena']:<12} {r['n_events']:>8} "
                f"{r['periods_with_events']:>4}/{r['periods']:<4} {mean:>10} {conf:>9} {net:>9}"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def _add_volume_share(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.col("volume") > 0)
        .then(pl.col("weight") / pl.col("volume"))
        .otherwise(None)
        .alias("volume_share")
    )


#: polars' interval of each period (weeks start on Monday, as every engine's date_trunc).
PERIOD_EVERY = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


def floor_period(expr: pl.Expr, period: str) -> pl.Expr:
    """The first day of the period holding each date: the one place periods are floored
    outside the engine (the index query floors with the engine's ``date_trunc``, which
    agrees: weeks start on Monday, quarters in January, April, July and October).

    Examples
    --------
    >>> from datetime import date
    >>> pl.select(floor_period(pl.lit(date(2019, 5, 17)), "quarter")).item()
    datetime.date(2019, 4, 1)
    """
    return expr.dt.truncate(PERIOD_EVERY[period])


def calendar(start: date, end: date, period: str) -> list[date]:
    """Every period start from the period holding ``start`` to the one holding ``end``."""
    first, last = pl.select(
        floor_period(pl.lit(start, pl.Date), period).alias("a"),
        floor_period(pl.lit(end, pl.Date), period).alias("b"),
    ).row(0)
    days = pl.date_range(first, last, interval=PERIOD_EVERY[period], eager=True)
    return days.to_list()


def _resolve_arenas(arena: str | Sequence[str] | None) -> tuple[str, ...]:
    if arena is None:
        return (*ARENAS, ALL)
    items = [arena] if isinstance(arena, str) else list(arena)
    out: list[str] = []
    for a in items:
        a = str(a).strip().lower()
        if not a:
            raise ConfigError("empty arena name", hint=f"choose from {', '.join(ARENAS)}, all")
        if a not in out:
            out.append(a)
    if not out:
        raise ConfigError("no arena given", hint=f"choose from {', '.join(ARENAS)}, all")
    return tuple(out)


# Ibis's truncation units for the periods (weeks start on Monday on every backend).
_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
# Goldstein scores as exact decimals: sums of DECIMAL do not depend on the order in which
# an engine's threads add their partial aggregates (doubles would).
_DEC = "decimal(18, 6)"


def _window(ev: Any, start: date | None, end: date | None, dedup: bool = False) -> Any:
    if dedup:  # one copy of an event several files hold (the store marked the others)
        import ibis

        dups = ibis.table(_DUPLICATES_SCHEMA, name="event_duplicates")
        ev = ev.anti_join(dups, ["event_id", "ingest_id"])
    if start is not None:
        ev = ev.filter(ev.date >= start)
    if end is not None:
        ev = ev.filter(ev.date <= end)
    return ev


def _period_start(date_col: Any, period: str) -> Any:
    # truncate a timestamp and cast back: Spark's date_trunc returns a timestamp even for
    # a date, and ibis would elide a date → date cast
    if period == "day":
        return date_col
    return date_col.cast("timestamp").truncate(_UNIT[period]).cast("date")


@dataclass(frozen=True, slots=True)
class _IndexQuery:
    """What selects, weights and groups the events of one index query (hashable: the
    compiled SQL is memoised on it)."""

    codes: tuple[str, ...]
    weighting: str
    collapse: bool
    start: date | None
    end: date | None
    period: str
    dedup: bool = False


def _events_expr(events: Any, q: _IndexQuery) -> Any:
    """One row per (collapsed) event of the selected dyads: source, target, arena,
    period_start, ``w`` (BIGINT), ``g`` (DECIMAL), ``q`` (quad class), ``f`` (force 0/1).

    An Ibis expression: it compiles to the SQL of whichever backend holds ``events``.
    """
    import ibis

    ev = events.filter(
        events.source.isin(q.codes), events.target.isin(q.codes), events.source != events.target
    )
    ev = _window(ev, q.start, q.end, q.dedup)
    if q.collapse:
        # GDELT counts reports, not events: one row per day × dyad × CAMEO code; its
        # weight is the summed mentions (arena and quad class follow from the code).
        wsum = ev.weight.cast("int64").sum()
        ev = ev.group_by(["date", "source", "target", "cameo"]).aggregate(
            arena=ev.arena.min(),
            quad_class=ev.quad_class.min(),
            wg=(ev.weight.cast("int64") * ev.goldstein.cast(_DEC)).sum(),
            weight=wsum,
        )
        goldstein = ev.wg.cast("float64") / ev.weight.cast("float64")
    else:
        goldstein = ev.goldstein
    w = ev.weight.cast("int64") if q.weighting == "mentions" else ibis.literal(1, "int64")
    return ev.select(
        source=ev.source,
        target=ev.target,
        arena=ev.arena,
        period_start=_period_start(ev.date, q.period),
        w=w,
        g=goldstein.cast(_DEC),
        q=ev.quad_class.cast("int64"),
        f=ev.cameo.substr(0, 2).isin(("18", "19", "20")).ifelse(1, 0).cast("int64"),
    )


def _cells_expr(ev: Any) -> Any:
    """Per directed dyad × arena × period the exact sums; "all" pools every arena.

    Sums stay exact (integers, DECIMAL) through the pooling; only the results become
    DOUBLE, so a pooled cell does not depend on the order of its parts.
    """
    import ibis

    keys = ["source", "target", "arena", "period_start"]
    zero = ibis.literal(0, "int64")
    cells = ev.group_by(keys).aggregate(
        n_events=ev.count(),
        weight=ev.w.sum(),
        swg=(ev.w * ev.g).sum(),
        w_conflict=(ev.q >= 3).ifelse(ev.w, zero).sum(),
        w_material=(ev.q == 4).ifelse(ev.w, zero).sum(),
        w_coop=(ev.q <= 2).ifelse(ev.w, zero).sum(),
        force_events=ev.f.sum(),
    )
    sums = ("n_events", "weight", "swg", "w_conflict", "w_material", "w_coop", "force_events")
    pooled = cells.group_by(["source", "target", "period_start"]).aggregate(
        **{c: cells[c].sum() for c in sums}
    )
    pooled = pooled.mutate(arena=ibis.literal(ALL, "string"))

    def final(t: Any) -> Any:
        return t.select(
            source=t.source.cast("string"),
            target=t.target.cast("string"),
            arena=t.arena.cast("string"),
            period_start=t.period_start.cast("date"),
            n_events=t.n_events.cast("int64"),
            weight=t.weight.cast("float64"),
            swg=t.swg.cast("float64"),
            w_conflict=t.w_conflict.cast("float64"),
            w_material=t.w_material.cast("float64"),
            w_coop=t.w_coop.cast("float64"),
            force_events=t.force_events.cast("int64"),
        )

    return final(cells).union(final(pooled))


def _pairs_expr(ev: Any, specific: tuple[str, ...] | None) -> Any:
    """Per cell its distinct (g, w) pairs and how many events carry each (exact COUNT)."""
    if specific is not None:
        ev = ev.filter(ev.arena.isin(specific))
    return (
        ev.group_by(["source", "target", "arena", "period_start", "g", "w"])
        .aggregate(m=ev.count())
        .mutate(g=lambda t: t.g.cast("float64"))
    )


def _volume_expr(events: Any, q: _IndexQuery) -> Any:
    """The period's total events (or mentions) in the whole source, every dyad."""
    import ibis

    ev = _window(events, q.start, q.end, q.dedup)
    if q.collapse:
        ev = ev.group_by(["date", "source", "target", "cameo"]).aggregate(
            weight=ev.weight.cast("int64").sum()
        )
    w = ev.weight.cast("int64") if q.weighting == "mentions" else ibis.literal(1, "int64")
    ev = ev.select(period_start=_period_start(ev.date, q.period), w=w)
    return ev.group_by("period_start").aggregate(volume=ev.w.sum().cast("float64"))


#: The columns of ``events`` the index query reads, with their Ibis types: the query is
#: built once against this unbound table and compiled to each engine's SQL dialect.
_EVENTS_SCHEMA = {
    "date": "date",
    "source": "string",
    "target": "string",
    "cameo": "string",
    "quad_class": "int8",
    "goldstein": "float64",
    "arena": "string",
    "weight": "int64",
    "event_id": "string",
    "ingest_id": "int64",
}
#: The store's list of rows that repeat an event another file holds (``dedup=``).
_DUPLICATES_SCHEMA = {"event_id": "string", "ingest_id": "int64"}


@functools.lru_cache(maxsize=512)
def _sql(kind: str, dialect: str, q: _IndexQuery, specific: tuple[str, ...] | None = None) -> str:
    """The SQL of one of the query's Ibis expressions in ``dialect`` (memoised: compiling
    costs more than running the query on a small store)."""
    import ibis

    events = ibis.table(_EVENTS_SCHEMA, name="events")
    if kind == "arenas":
        expr = events.select("arena").distinct()
    elif kind == "volume":
        expr = _volume_expr(events, q)
    else:
        ev = _events_expr(events, q)
        expr = _cells_expr(ev) if kind == "cells" else _pairs_expr(ev, specific)
    return compile_sql(expr, dialect)


@contextmanager
def _older_store_error(store: Any, dedup: bool) -> Iterator[None]:
    """Turn DuckDB's "table event_duplicates does not exist" (a store written before the
    store listed cross-dataset duplicates, opened read-only so it was not migrated) into a
    :class:`StoreError` naming the store and what to do."""
    import duckdb

    try:
        yield
    except duckdb.CatalogException as exc:
        if not (dedup and "event_duplicates" in str(exc)):
            raise
        where = getattr(store, "path", store)
        raise StoreError(
            f"the store {where} predates the list of cross-dataset duplicates "
            "(it has no event_duplicates table), so dedup='cross-dataset' cannot be applied",
            hint="open it once writable to add the table (e.g. `trilateral ingest` of the "
            "next file into it; files ingested before are not marked), or re-ingest the "
            "files into a new store to mark every duplicate; or pass dedup=None",
        ) from None


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


def indices(
    store: Any,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    period: str = "month",
    arena: str | Sequence[str] | None = None,
    weighting: Weighting = "events",
    collapse_duplicates: bool = False,
    normalize: bool = False,
    start: date | str | None = None,
    end: date | str | None = None,
    n_boot: int = 500,
    rng: RNGLike = None,
    level: float = 0.95,
    progress: Progress | None = None,
    dedup: Literal["cross-dataset"] | None = None,
    engine: str | EngineConfig | None = None,
) -> DyadIndex:
    """Cooperation–conflict indices per directed dyad × arena × period.

    Parameters
    ----------
    store : EventStore, str or Path
        An open :class:`~trilateral.data.store.EventStore` (its connection is borrowed)
        or the path of a store file (opened read-only).
    countries : sequence of str
        ISO3 codes; every ordered pair of distinct countries is a directed dyad.
    period : {"day", "week", "month", "quarter", "year"}
        Calendar periods (weeks start on Monday).
    arena : None, str or sequence of str
        None: each of the five arenas plus ``"all"``. A name (``"economic"``) or a list
        of names selects those rows; ``"all"`` pools every event of the dyad, whatever
        its arena (also arenas outside :data:`~trilateral.config.ARENAS`).
    weighting : {"events", "mentions"}
        Each event counts once, or once per mention (the store's ``weight`` column).
    collapse_duplicates : bool
        Merge rows with the same day, dyad and CAMEO code into one event whose weight is
        the summed mentions (GDELT counts reports, not events).
    normalize : bool
        Add ``volume`` (the period's total events — or mentions — in the whole store,
        every dyad, same weighting and collapsing) and ``volume_share = weight / volume``,
        which corrects for the growth of news coverage over time.
    start, end : date or ISO string, optional
        Window (inclusive). Default: the first and last event among ``countries``.
        A window edge inside a period leaves that period partial.
    n_boot : int
        Bootstrap replicates for ``ci_low``/``ci_high``; 0 skips the bootstrap (the
        interval columns are then null).
    rng : int, SeedSequence, Generator or None
        Seeds the bootstrap; each cell gets its own stream keyed by the cell.
    level : float
        Confidence level of the percentile interval.
    progress : callable, optional
        ``progress(done, total)`` with the number of bootstrap cells done and to do:
        first ``(0, total)``, then about every 1 % of the cells, last ``(total,
        total)``. Called only when the bootstrap runs (``n_boot > 0`` and some cell has
        events); a command line shows it as a progress bar.
    dedup : {None, "cross-dataset"}
        ``"cross-dataset"``: an event that several ingested files hold (the ICEWS raw
        sample and the ICEWS18 training split, ICEWS05-15 and ICEWS14) counts once — the
        rows the store listed in ``event_duplicates`` at ingest are left out
        (:mod:`trilateral.data.store`, "Cross-dataset duplicates"). None counts every row.
    engine : {"duckdb", "spark"} or EngineConfig, optional
        Where the query runs (default DuckDB); see :class:`EngineConfig` and
        docs/scale.md. Both engines give the same counts and, to 1e-9, the same means
        and shares.

    Returns
    -------
    DyadIndex

    Notes
    -----
    Empty periods are present with ``n_events`` = 0, ``weight`` = 0, ``force_events``
    = 0 and null statistics. A cell with a single event (or with events that all share
    one score) has a degenerate interval ``ci_low = ci_high = mean_goldstein``: the
    bootstrap cannot show uncertainty it has no data for, so read such intervals with
    ``n_events``. Each replicate resamples the cell's ``n`` events with replacement;
    since events with the same (weight, score) pair are exchangeable, it is drawn as
    ``multinomial(n, multiplicity / n)`` counts over the cell's distinct pairs, and its
    weighted mean is ``Σ count·w·g / Σ count·w`` — the same distribution as resampling
    the events one by one, at the cost of the distinct pairs (docs/measure.md). Shares are weighted like the mean; ``force_events`` counts events
    (CAMEO roots 18–20) unweighted.

    The aggregation is written once as Ibis expressions (filter, ``truncate``,
    GROUP BY, exact DECIMAL sums) and compiled to the SQL of the chosen engine; the
    calendar of empty periods and the bootstrap are laid over its results in polars.
    ``store`` may also be a Parquet directory or URL (``trilateral export``).

    Examples
    --------
    >>> from trilateral.measure import indices
    >>> idx = indices("trilateral.duckdb", period="quarter", n_boot=200, rng=1)  # doctest: +SKIP
    >>> idx.series("USA", "RUS", "economic")  # doctest: +SKIP
    """
    codes = check_countries(countries, what="countries=")
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}", hint=f"choose one of {', '.join(PERIODS)}")
    if weighting not in ("events", "mentions"):
        raise ConfigError(f"unknown weighting {weighting!r}", hint="choose 'events' or 'mentions'")
    if not (isinstance(n_boot, int | np.integer) and n_boot >= 0):
        raise ConfigError(f"n_boot must be a non-negative integer, got {n_boot!r}")
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level must lie in (0, 1), got {level!r}")
    if dedup not in (None, "cross-dataset"):
        raise ConfigError(f"unknown dedup {dedup!r}", hint="use None or 'cross-dataset'")
    arenas = _resolve_arenas(arena)
    d0, d1 = as_date(start, "start"), as_date(end, "end")
    if d0 is not None and d1 is not None and d0 > d1:
        raise ConfigError(f"start {d0} is after end {d1}")

    specific = tuple(a for a in arenas if a != ALL)
    cfg = resolve_engine(engine)
    with (
        _older_store_error(store, dedup is not None),
        event_source(store, cfg, duplicates=dedup is not None) as source,
    ):
        q = _IndexQuery(codes, weighting, collapse_duplicates, d0, d1, period, dedup is not None)

        def run(kind: str, **extra: Any) -> pl.DataFrame:
            return pl.from_arrow(source.run(_sql(kind, source.dialect, q, **extra)))  # type: ignore[return-value]

        unusual = [a for a in specific if a not in ARENAS]
        if unusual:  # a user's own arena map may add arenas; a typo must not pass silently
            known = set(run("arenas")["arena"].to_list())
            unknown = [a for a in unusual if a not in known]
            if unknown:
                raise ConfigError(
                    f"unknown arena {', '.join(map(repr, unknown))}",
                    hint=f"choose from {', '.join((*ARENAS, ALL))}",
                )
        every = run("cells")
        # The normalising volume of every period of the calendar (also empty cells).
        period_volume = run("volume") if normalize else None
        ev_pairs = None
        if n_boot > 0 and every.height:
            # the bootstrap needs, per cell, only its distinct (g, w) pairs and how many
            # events carry each (COUNT: exact, whatever the thread scheduling)
            ev_pairs = run("pairs", specific=None if ALL in arenas else specific)
        dhash = source.data_hash
        store_path = source.path

    # The window's default bounds come from every arena of the selected dyads (so they
    # do not depend on the arenas asked for).
    data_first = every["period_start"].min() if every.height else None
    data_last = every["period_start"].max() if every.height else None
    cells = every.filter(pl.col("arena").is_in(list(arenas)))
    if ev_pairs is not None and not ev_pairs.height:
        ev_pairs = None

    # ---- calendar: every period of the window, for every dyad and arena
    if data_first is None and (d0 is None or d1 is None):
        raise DataError(
            f"no events between {', '.join(codes)} in the store",
            hint="check the country codes, or pass start and end to get an empty calendar",
        )
    first = d0 if d0 is not None else data_first
    last = d1 if d1 is not None else data_last
    assert isinstance(first, date) and isinstance(last, date)
    periods = calendar(first, last, period)
    dyads = [(s, t) for s in codes for t in codes if s != t]
    grid = (
        pl.DataFrame(
            {"source": [s for s, _ in dyads], "target": [t for _, t in dyads]},
            schema={"source": pl.String, "target": pl.String},
        )
        .join(pl.DataFrame({"arena": list(arenas)}, schema={"arena": pl.String}), how="cross")
        .join(
            pl.DataFrame({"period_start": periods}, schema={"period_start": pl.Date}), how="cross"
        )
    )
    cells = cells.with_columns(
        pl.col("n_events").cast(pl.Int64),
        pl.col("weight").cast(pl.Float64),
        pl.col("force_events").cast(pl.Int64),
        pl.col("period_start").cast(pl.Date),
        *[pl.col(c).cast(pl.Float64) for c in _SUMS],
    )
    frame = grid.join(
        cells, on=["source", "target", "arena", "period_start"], how="left", maintain_order="left"
    ).with_columns(
        pl.lit(period).alias("period"),
        pl.col("n_events").fill_null(0),
        pl.col("weight").fill_null(0.0).round(0).cast(pl.Int64),
        pl.col("force_events").fill_null(0),
    )
    frame = stats_from_sums(frame)

    # ---- bootstrap
    root = seed_sequence(rng) if (n_boot > 0 or rng is not None) else None
    undirected_ci = None
    if ev_pairs is not None and root is not None:
        ev_pairs = ev_pairs.with_columns(pl.col("period_start").cast(pl.Date))
        dci, undirected_ci = _bootstrap(ev_pairs, arenas, root, period, n_boot, level, progress)
        frame = frame.join(
            dci, on=["source", "target", "arena", "period_start"], how="left", maintain_order="left"
        )
    else:
        frame = frame.with_columns(
            pl.lit(None, pl.Float64).alias("ci_low"), pl.lit(None, pl.Float64).alias("ci_high")
        )
    cols = list(INDEX_COLUMNS)
    if normalize:
        assert period_volume is not None
        frame = frame.join(
            period_volume.with_columns(
                pl.col("period_start").cast(pl.Date), pl.col("volume").cast(pl.Float64)
            ),
            on="period_start",
            how="left",
            maintain_order="left",
        ).with_columns(pl.col("volume").fill_null(0.0).round(0).cast(pl.Int64))
        frame = _add_volume_share(frame)
        cols += ["volume", "volume_share"]
    frame = frame.select(cols)

    provenance: dict[str, Any] = {
        "function": "trilateral.measure.indices",
        "countries": list(codes),
        "period": period,
        "arenas": list(arenas),
        "weighting": weighting,
        "collapse_duplicates": collapse_duplicates,
        "dedup": dedup,
        "normalize": normalize,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "start_requested": None if d0 is None else d0.isoformat(),
        "end_requested": None if d1 is None else d1.isoformat(),
        "n_boot": int(n_boot),
        "level": level,
        "store_path": store_path,
        "data_hash": dhash,
        "engine": cfg.name,
        "version": trilateral.__version__,
        "rng_entropy": None if root is None else str(root.entropy),
        "rng_spawn_key": None if root is None else list(root.spawn_key),
    }
    return DyadIndex(
        frame=frame,
        countries=codes,
        period=period,
        weighting=weighting,
        arenas=arenas,
        directed=True,
        level=level,
        provenance=provenance,
        undirected_ci=undirected_ci,
    )
