"""Where each dyad's conflict events take place: the scope table of the regime rules.

The regime rules ask whether a rivalry is "regional" or "global" (docs/diagnose.md,
"Regimes"). :func:`conflict_scope` measures it from the store: per symmetric dyad and
period, its conflict events (quad 3–4) at home, in its main foreign theatres (the region,
derived from the data unless the user gives one) and elsewhere, with their severity.

Examples
--------
>>> scope = conflict_scope("trilateral.duckdb", ("USA", "RUS"), "year")
>>> scope.height, "n_located" in scope.columns
(14, True)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import duckdb
import polars as pl

from ..config import DEFAULT_COUNTRIES, PERIODS, as_date
from ..errors import ConfigError, StoreError
from ._engine import EngineConfig, compile_sql, event_source, resolve_engine
from ._indices import _DEC, _period_start

__all__ = ["conflict_scope"]


#: The columns of ``events`` the scope query reads, with their Ibis types.
_SCOPE_SCHEMA = {
    "date": "date",
    "source": "string",
    "target": "string",
    "quad_class": "int8",
    "goldstein": "float64",
    "weight": "int64",
    "location": "string",
}
_SCOPE_COLUMNS = tuple(_SCOPE_SCHEMA)


class _ScopeQuery(NamedTuple):
    """The parameters of one scope query (hashable: its SQL is memoised)."""

    codes: tuple[str, ...]
    period: str
    start: date | None
    end: date | None
    region: tuple[str, ...] | None
    theatres: int


def _scope_expr(q: _ScopeQuery) -> Any:
    """The scope query as an Ibis expression over an unbound table ``events``.

    Per symmetric dyad and period: the conflict events (quad 3–4) counted at home, in
    the region (the given codes, or the dyad's ``theatres`` main foreign locations of
    the period, ties by code) and elsewhere; the region's codes; exact sums (DECIMAL
    Goldstein scores, BIGINT mentions) cast to DOUBLE only at the end, so the result does
    not depend on the order of an engine's partial aggregates.
    """
    import ibis

    codes, period, start, end, region, theatres = q
    e = ibis.table(_SCOPE_SCHEMA, name="events")
    e = e.filter(
        e.quad_class.isin((3, 4)),
        e.source != e.target,
        e.source.isin(codes),
        e.target.isin(codes),
    )
    if start is not None:
        e = e.filter(e.date >= start)
    if end is not None:
        e = e.filter(e.date <= end)
    location = e.location.nullif("")
    ev = e.select(
        source=ibis.least(e.source, e.target),
        target=ibis.greatest(e.source, e.target),
        period_start=_period_start(e.date, period),
        location=location,
        goldstein=e.goldstein,
        weight=e.weight,
        abroad=(location.notnull() & (location != e.source) & (location != e.target)).fill_null(
            False
        ),
    )
    keys = ["source", "target", "period_start"]
    if region is not None:
        in_region = ev.location.isin(region) if region else ibis.literal(False)
        tagged = ev.mutate(regional=(ev.abroad & in_region).fill_null(False))
    else:
        # the dyad's foreign theatres of the period, ranked by events (ties by code)
        abroad = ev.filter(ev.abroad)
        th = abroad.group_by([*keys, "location"]).aggregate(n=abroad.count())
        rank = ibis.row_number().over(group_by=keys, order_by=[ibis.desc(th.n), th.location])
        th = th.mutate(rank=rank)  # 0-based
        th = th.filter(th.rank < theatres).select(*keys, "location", theatre=ibis.literal(True))
        joined = ev.left_join(th, [*keys, "location"]).select(*ev.columns, "theatre")
        tagged = joined.mutate(regional=(joined.abroad & joined.theatre).fill_null(False))
    t = tagged
    g = t.goldstein.cast(_DEC)
    w = t.weight.cast("int64")
    out = t.group_by(keys).aggregate(
        n_conflict=t.count(),
        n_located=t.location.count(),
        n_home=t.count(where=t.location.notnull() & ~t.abroad),
        n_region=t.count(where=t.regional),
        n_elsewhere=t.count(where=t.abroad & ~t.regional),
        region=t.location.collect(where=t.regional, distinct=True),
        sum_goldstein=g.sum().cast("float64"),
        mentions=w.sum().cast("float64"),
        sum_goldstein_mentions=(w * g).sum().cast("float64"),
    )
    return out.mutate(region=ibis.literal(",").join(out.region.sort()))


@functools.lru_cache(maxsize=256)
def _scope_sql(dialect: str, q: _ScopeQuery) -> str:
    """The scope query in ``dialect`` (memoised per parameter set)."""
    return compile_sql(_scope_expr(q), dialect)


def conflict_scope(
    store: Any,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    period: str = "year",
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    region: Iterable[str] | None = None,
    theatres: int = 3,
    engine: str | EngineConfig | None = None,
) -> pl.DataFrame:
    """Where each symmetric dyad's conflict events (quad 3–4) happened, per period.

    Each located conflict event is *home* (in one of the two countries), *region* or
    *elsewhere*. The region is, by default, derived from the data: for each dyad and
    period, the ``theatres`` foreign locations holding most of the dyad's conflict events
    (ties broken by the location code), i.e. where the two mainly clash abroad; what is
    located outside the two countries and outside those theatres is *elsewhere*, so a
    high ``n_elsewhere / n_located`` means the conflict is spread over many theatres
    ("global"). An explicit ``region`` (ISO3 codes) replaces the derived one for every
    dyad and period.

    Parameters
    ----------
    store : EventStore, duckdb connection, str or Path
        The event store.
    countries : sequence of str
        ISO3 codes; every pair among them is a dyad.
    period : str
        One of ``day, week, month, quarter, year``: use the period of the index it goes
        with (or a finer one that fits inside it).
    start, end : date or ISO string, optional
        Window (inclusive): give the index's own ``start`` and ``end``, so that a period
        cut by the window counts the same events in the index and in the scope.
    region : iterable of str, optional
        ISO3 codes counted as "regional" for every dyad; default None: derived from the
        data, per dyad and period (``theatres``).
    theatres : int
        How many foreign locations make up the derived region (default 3).
    engine : {"duckdb", "spark"} or EngineConfig, optional
        Where the query runs (default DuckDB); see docs/scale.md. Both engines give the
        same counts and sums.

    Returns
    -------
    polars.DataFrame
        ``source, target, period, period_start, n_conflict, n_located, n_home, n_region,
        n_elsewhere, region, conflict_goldstein, sum_goldstein, mentions, sum_goldstein_mentions,
        window_start, window_end``. Counts are events; ``conflict_goldstein`` is the mean
        Goldstein score of the conflict events (the *severity*, each event once);
        ``sum_goldstein``, ``mentions`` and ``sum_goldstein_mentions`` are the exact sums
        (DECIMAL in DuckDB) from which :func:`classify_regimes` takes the severity in the
        index's own weighting; ``region`` lists the region's codes (comma-separated, the
        derived theatres or the given list's codes found); ``window_*`` record ``start``
        and ``end``.

    Examples
    --------
    >>> scope = conflict_scope("trilateral.duckdb", ("USA", "RUS"), period="year",
    ...                        start="2014-01-01", end="2019-12-31")
    >>> scope.height
    6
    """
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}", hint=f"use one of: {', '.join(PERIODS)}")
    d0, d1 = as_date(start, "start"), as_date(end, "end")
    if d0 is not None and d1 is not None and d1 < d0:
        raise ConfigError(f"start {d0} is after end {d1}")
    if not (isinstance(theatres, int) and not isinstance(theatres, bool) and theatres >= 0):
        raise ConfigError(f"theatres must be a non-negative integer, got {theatres!r}")
    codes = tuple(sorted({c.upper() for c in countries}))
    region_codes = None if region is None else tuple(sorted({c.upper() for c in region}))
    cfg = resolve_engine(engine)
    with event_source(store, cfg, columns=_SCOPE_COLUMNS, require=False) as source:
        sql = _scope_sql(source.dialect, _ScopeQuery(codes, period, d0, d1, region_codes, theatres))
        try:
            table = source.frame(sql)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot query the events table: {exc}",
                hint="is this a trilateral store? create one with `trilateral ingest`",
            ) from None
    out = table.with_columns(
        *[pl.col(c).cast(pl.Int64) for c in table.columns if c.startswith("n_")],
        pl.col("period_start").cast(pl.Date),
        pl.col("region").cast(pl.String).fill_null(""),
    ).sort("source", "target", "period_start")
    return out.with_columns(
        pl.lit(period).alias("period"),
        (pl.col("sum_goldstein") / pl.col("n_conflict")).alias("conflict_goldstein"),
        pl.lit(d0, pl.Date).alias("window_start"),
        pl.lit(d1, pl.Date).alias("window_end"),
    ).select(
        "source",
        "target",
        "period",
        "period_start",
        "n_conflict",
        "n_located",
        "n_home",
        "n_region",
        "n_elsewhere",
        "region",
        "conflict_goldstein",
        "sum_goldstein",
        "mentions",
        "sum_goldstein_mentions",
        "window_start",
        "window_end",
    )
