"""Where each dyad's conflict events take place: the scope table of the regime rules.

The regime rules ask whether a rivalry is "regional" or "global" (docs/diagnose.md,
"Regimes"). :func:`conflict_scope` measures it from the store: per symmetric dyad and
period, its conflict events (quad 3–4) at home, in its main foreign theatres (the region,
derived from the data unless the user gives one) and elsewhere, with their severity.

Examples
--------
>>> scope = conflict_scope("trilateral.duckdb", ("USA", "RUS"), "year")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import duckdb
import polars as pl

from ..config import DEFAULT_COUNTRIES, PERIODS, as_date
from ..errors import ConfigError, StoreError
from ._store_access import open_store

__all__ = ["conflict_scope"]


def conflict_scope(
    store: Any,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    period: str = "year",
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    region: Iterable[str] | None = None,
    theatres: int = 3,
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
    >>> scope = conflict_scope("trilateral.duckdb", period="year",
    ...                        start="2014-01-01", end="2019-12-31")  # doctest: +SKIP
    """
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}", hint=f"use one of: {', '.join(PERIODS)}")
    d0, d1 = as_date(start, "start"), as_date(end, "end")
    if d0 is not None and d1 is not None and d1 < d0:
        raise ConfigError(f"start {d0} is after end {d1}")
    if not (isinstance(theatres, int) and not isinstance(theatres, bool) and theatres >= 0):
        raise ConfigError(f"theatres must be a non-negative integer, got {theatres!r}")
    codes = sorted({c.upper() for c in countries})
    fixed = region is not None
    region_codes = sorted({c.upper() for c in region}) if region is not None else []
    params: dict[str, Any] = {"codes": codes}
    if fixed:
        params["region"] = region_codes
    else:
        params["k"] = theatres
    dated = ""
    if d0 is not None:
        dated += " AND date >= $start"
        params["start"] = d0
    if d1 is not None:
        dated += " AND date <= $end"
        params["end"] = d1
    with open_store(store) as handle:
        con = handle.con
        # Exact sums (HUGEINT, DECIMAL) so the severity does not depend on the order of
        # DuckDB's parallel partial aggregates; only the totals become DOUBLE.
        in_region = "list_contains($region, location)" if fixed else "theatre_rank <= $k"
        sql = f"""
            WITH ev AS (
                SELECT least(source, target) AS source, greatest(source, target) AS target,
                       CAST(date_trunc('{period}', date) AS DATE) AS period_start,
                       nullif(location, '') AS location, goldstein, weight,
                       (location IS NOT NULL AND location <> ''
                        AND location NOT IN (source, target)) AS abroad
                FROM events
                WHERE quad_class IN (3, 4) AND source <> target
                  AND list_contains($codes, source) AND list_contains($codes, target){dated}
            ), theatres AS (
                SELECT source, target, period_start, location,
                       row_number() OVER (PARTITION BY source, target, period_start
                                          ORDER BY count(*) DESC, location) AS theatre_rank
                FROM ev WHERE abroad GROUP BY source, target, period_start, location
            ), tagged AS (
                SELECT ev.*, coalesce(abroad AND {in_region}, FALSE) AS regional
                FROM ev LEFT JOIN theatres USING (source, target, period_start, location)
            )
            SELECT source, target, period_start,
                   count(*) AS n_conflict,
                   count(location) AS n_located,
                   count(*) FILTER (WHERE location IS NOT NULL AND NOT abroad) AS n_home,
                   count(*) FILTER (WHERE regional) AS n_region,
                   count(*) FILTER (WHERE abroad AND NOT regional) AS n_elsewhere,
                   string_agg(DISTINCT location, ',' ORDER BY location)
                       FILTER (WHERE regional) AS region,
                   CAST(sum(CAST(goldstein AS DECIMAL(18, 6))) AS DOUBLE) AS sum_goldstein,
                   CAST(sum(CAST(weight AS BIGINT)) AS DOUBLE) AS mentions,
                   CAST(sum(CAST(weight AS BIGINT) * CAST(goldstein AS DECIMAL(18, 6)))
                        AS DOUBLE) AS sum_goldstein_mentions
            FROM tagged GROUP BY ALL ORDER BY ALL
        """
        try:
            table = con.sql(sql, params=params).pl()
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot query the events table: {exc}",
                hint="is this a trilateral store? create one with `trilateral ingest`",
            ) from None
    out = table.with_columns(
        *[pl.col(c).cast(pl.Int64) for c in table.columns if c.startswith("n_")],
        pl.col("period_start").cast(pl.Date),
        pl.col("region").cast(pl.String).fill_null(""),
    )
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
