"""Dyad × arena × period indices of cooperation and conflict (docs/measure.md).

One portable SQL aggregate over the store's ``events`` table gives, per directed dyad,
arena and period, the counts and weighted sums; the calendar of periods is laid under
it afterwards so that periods without events are present (``n_events`` 0, statistics
null) rather than silently dropped or read as zero. A percentile bootstrap of the
weighted mean Goldstein score, resampling events within each cell (drawn as multinomial
counts over the cell's distinct (weight, score) pairs; ``_index_bootstrap.py``), gives
``ci_low`` / ``ci_high``. The result, :class:`DyadIndex`, is in ``_dyad_index.py``; for
one evidence base at a time (acts, coverage), see ``_per_base.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import polars as pl

import trilateral

from .._rng import RNGLike, seed_sequence
from ..config import ARENAS, DEFAULT_COUNTRIES, PERIODS, as_date, check_countries
from ..errors import ConfigError, DataError, StoreError
from ._dyad_index import _SUMS, ALL, INDEX_COLUMNS, DyadIndex, Weighting, _add_volume_share
from ._engine import EngineConfig, compile_sql, event_source, resolve_engine
from ._index_bootstrap import Progress, _bootstrap
from ._pooling import stats_from_sums

__all__ = ["INDEX_COLUMNS", "DyadIndex", "indices"]

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
    >>> idx = indices("trilateral.duckdb", period="quarter", n_boot=200, rng=1)
    >>> idx.series("USA", "RUS", "economic").height
    60
    """
    codes, arenas, d0, d1 = _checked(
        countries, period, weighting, n_boot, level, dedup, arena, start, end
    )
    cfg = resolve_engine(engine)
    q = _IndexQuery(codes, weighting, collapse_duplicates, d0, d1, period, dedup is not None)
    got = _fetch(store, cfg, q, arenas, normalize, n_boot, dedup is not None)
    first, last = _calendar_bounds(got.every, codes, d0, d1)
    cells = got.every.filter(pl.col("arena").is_in(list(arenas)))
    frame = _on_calendar(cells, codes, arenas, calendar(first, last, period), period)
    root = seed_sequence(rng) if (n_boot > 0 or rng is not None) else None
    frame, undirected_ci = _with_intervals(
        frame, got.ev_pairs, arenas, root, period, n_boot, level, progress
    )
    frame = _with_volume(frame, got.volume) if normalize else frame.select(INDEX_COLUMNS)
    provenance: dict[str, Any] = {
        "function": "trilateral.measure.indices",
        "countries": list(codes),
        "period": period,
        "arenas": list(arenas),
        "weighting": weighting,
        "collapse_duplicates": collapse_duplicates,
        "dedup": dedup,
        "normalize": normalize,
    } | _run_provenance(first, last, d0, d1, n_boot, level, got, cfg.name, root)
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


def _calendar_bounds(
    every: pl.DataFrame, codes: tuple[str, ...], d0: date | None, d1: date | None
) -> tuple[date, date]:
    """The calendar's first and last day: the requested ones, else those of the data.

    The data's bounds come from every arena of the selected dyads (so they do not depend
    on the arenas asked for)."""
    data_first = every["period_start"].min() if every.height else None
    data_last = every["period_start"].max() if every.height else None
    if data_first is None and (d0 is None or d1 is None):
        raise DataError(
            f"no events between {', '.join(codes)} in the store",
            hint="check the country codes, or pass start and end to get an empty calendar",
        )
    first = d0 if d0 is not None else data_first
    last = d1 if d1 is not None else data_last
    assert isinstance(first, date) and isinstance(last, date)
    return first, last


def _with_intervals(
    frame: pl.DataFrame,
    ev_pairs: pl.DataFrame | None,
    arenas: tuple[str, ...],
    root: np.random.SeedSequence | None,
    period: str,
    n_boot: int,
    level: float,
    progress: Progress | None,
) -> tuple[pl.DataFrame, Any]:
    """``frame`` with the bootstrap's ``ci_low``/``ci_high`` (null when there is no
    bootstrap or no event), and the undirected intervals (or None)."""
    if ev_pairs is None or not ev_pairs.height or root is None:
        return frame.with_columns(
            pl.lit(None, pl.Float64).alias("ci_low"), pl.lit(None, pl.Float64).alias("ci_high")
        ), None
    ev_pairs = ev_pairs.with_columns(pl.col("period_start").cast(pl.Date))
    dci, undirected_ci = _bootstrap(ev_pairs, arenas, root, period, n_boot, level, progress)
    frame = frame.join(
        dci, on=["source", "target", "arena", "period_start"], how="left", maintain_order="left"
    )
    return frame, undirected_ci


def _run_provenance(
    first: date,
    last: date,
    d0: date | None,
    d1: date | None,
    n_boot: int,
    level: float,
    got: _Fetched,
    engine: str,
    root: np.random.SeedSequence | None,
) -> dict[str, Any]:
    """The provenance of one :func:`indices` run: its window, bootstrap, data and seed."""
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "start_requested": None if d0 is None else d0.isoformat(),
        "end_requested": None if d1 is None else d1.isoformat(),
        "n_boot": int(n_boot),
        "level": level,
        "store_path": got.store_path,
        "data_hash": got.data_hash,
        "engine": engine,
        "version": trilateral.__version__,
        "rng_entropy": None if root is None else str(root.entropy),
        "rng_spawn_key": None if root is None else list(root.spawn_key),
    }


def _checked(
    countries: Sequence[str],
    period: str,
    weighting: str,
    n_boot: int,
    level: float,
    dedup: str | None,
    arena: str | Sequence[str] | None,
    start: date | str | None,
    end: date | str | None,
) -> tuple[tuple[str, ...], tuple[str, ...], date | None, date | None]:
    """The arguments of :func:`indices` checked: codes, arenas, start and end."""
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
    return codes, arenas, d0, d1


@dataclass(frozen=True, slots=True)
class _Fetched:
    """What the engine returned for one :func:`indices` call."""

    every: pl.DataFrame
    volume: pl.DataFrame | None
    ev_pairs: pl.DataFrame | None
    data_hash: Any
    store_path: Any


def _fetch(
    store: Any,
    cfg: EngineConfig,
    q: _IndexQuery,
    arenas: tuple[str, ...],
    normalize: bool,
    n_boot: int,
    dedup: bool,
) -> _Fetched:
    """Run the index queries: the cells, the period volumes (when normalising) and the
    bootstrap's (weight, score) pairs (when bootstrapping)."""
    specific = tuple(a for a in arenas if a != ALL)
    with (
        _older_store_error(store, dedup),
        event_source(store, cfg, duplicates=dedup) as source,
    ):

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
        return _Fetched(every, period_volume, ev_pairs, source.data_hash, source.path)


def _on_calendar(
    cells: pl.DataFrame,
    codes: tuple[str, ...],
    arenas: tuple[str, ...],
    periods: list[date],
    period: str,
) -> pl.DataFrame:
    """The cells laid on the calendar: every period of the window for every dyad and
    arena (empty cells with ``n_events`` 0), with the statistics from the sums."""
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
    return stats_from_sums(frame)


def _with_volume(frame: pl.DataFrame, period_volume: pl.DataFrame | None) -> pl.DataFrame:
    """``volume`` (the period's events in the whole store) and ``volume_share``."""
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
    return frame.select([*INDEX_COLUMNS, "volume", "volume_share"])
