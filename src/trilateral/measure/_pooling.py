"""Pooling index rows: the one home of the arithmetic that merges cells of an index.

Cells are pooled when both directions of a dyad become one undirected cell
(:meth:`~trilateral.measure.DyadIndex.symmetric`), when a window's periods become one
(:meth:`~trilateral.measure.DyadIndex.pooled`), and when the diagnose stage re-aggregates
periods or a window. In every case counts and weights add, and the mean Goldstein score
and the shares are weighted means over the pooled events — recomputed from the pooled
weighted sums, not averaged over cells.

Examples
--------
>>> import polars as pl
>>> f = pl.DataFrame({"k": ["a", "a"], "n_events": [2, 6], "weight": [2.0, 6.0],
...     "mean_goldstein": [-4.0, 0.0], "force_events": [0, 1]})
>>> pool_index(f, ["k"])["mean_goldstein"].to_list()
[-1.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from scipy.stats import norm

from ..errors import ConfigError

__all__ = ["SHARES", "pool_index", "stats_from_sums", "weighted_sums", "z_of_level"]

#: The shares an index row carries besides the mean (net cooperation derives from two).
SHARES = ("conflict_share", "material_conflict_share", "cooperation_share")
#: The weighted sum behind each statistic: ``Σ weight · statistic`` over the events.
_SUM_OF = {
    "mean_goldstein": "swg",
    "conflict_share": "w_conflict",
    "material_conflict_share": "w_material",
    "cooperation_share": "w_coop",
}


def z_of_level(level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95).

    Examples
    --------
    >>> round(z_of_level(0.95), 4), round(z_of_level(0.5), 4)
    (1.96, 0.6745)
    """
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level must lie in (0, 1), got {level!r}")
    return float(norm.ppf(0.5 + level / 2.0))


def weighted_sums(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``swg``, ``w_conflict``, ``w_material``, ``w_coop``: each statistic × weight
    (0 where the statistic is null or absent)."""
    exprs = [
        (pl.col(stat) * pl.col("weight")).fill_null(0.0).alias(col)
        if stat in frame.columns
        else pl.lit(0.0).alias(col)
        for stat, col in _SUM_OF.items()
    ]
    return frame.with_columns(exprs)


def stats_from_sums(frame: pl.DataFrame) -> pl.DataFrame:
    """Mean and shares from the weighted sums; null where a cell has no events."""
    has = (pl.col("n_events") > 0) & (pl.col("weight") > 0)
    return frame.with_columns(
        [
            pl.when(has).then(pl.col(col) / pl.col("weight")).otherwise(None).alias(stat)
            for stat, col in _SUM_OF.items()
        ]
    ).with_columns(
        (pl.col("cooperation_share") - pl.col("conflict_share")).alias("net_cooperation")
    )


def pool_index(
    frame: pl.DataFrame,
    keys: Sequence[str],
    *,
    level: float | None = None,
    extra: Sequence[pl.Expr] = (),
) -> pl.DataFrame:
    """Pool index rows over ``keys`` (groups in order of first appearance).

    ``n_events``, ``weight`` and ``force_events`` add; ``mean_goldstein``, the shares
    and ``net_cooperation`` are weighted means over the pooled events. With ``level``
    and the rows' ``ci_low``/``ci_high`` (intervals at that level), the pooled mean gets
    the interval of a weighted mean of independent normal estimates: each row's sd is
    ``(ci_high − ci_low) / (2 z)``, ``z`` = :func:`z_of_level`, and the pooled half-width
    is ``z · sqrt(Σ w² sd²) / Σ w``; null when a row with events has no interval.
    ``extra`` adds aggregations (e.g. ``pl.len().alias("periods")``).

    Returns
    -------
    polars.DataFrame
        ``keys``, the extras, n_events, weight, force_events, the weighted sums, the
        statistics and (with ``level``) ``ci_low``, ``ci_high``.
    """
    f = weighted_sums(frame)
    if "force_events" not in f.columns:
        f = f.with_columns(pl.lit(0, pl.Int64).alias("force_events"))
    aggs = [
        *extra,
        pl.col("n_events").sum().cast(pl.Int64),
        pl.col("weight").sum(),
        pl.col("force_events").fill_null(0).sum().cast(pl.Int64),
        *[pl.col(c).sum() for c in _SUM_OF.values()],
    ]
    with_ci = level is not None and {"ci_low", "ci_high"} <= set(frame.columns)
    if with_ci:
        assert level is not None
        z = z_of_level(level)
        sd = (pl.col("ci_high") - pl.col("ci_low")) / (2 * z)
        w = pl.when(pl.col("n_events") > 0).then(pl.col("weight").cast(pl.Float64)).otherwise(0.0)
        f = f.with_columns(_w=w, _sd=sd, _has=pl.col("n_events") > 0)
        aggs += [
            ((pl.col("_w") ** 2 * pl.col("_sd").fill_null(0.0) ** 2).sum()).alias("_var"),
            (pl.col("_sd").is_null() & pl.col("_has")).any().alias("_sd_null"),
        ]
    out = stats_from_sums(f.group_by(list(keys), maintain_order=True).agg(aggs))
    if with_ci:
        ok = (pl.col("weight") > 0) & (pl.col("n_events") > 0) & ~pl.col("_sd_null")
        half = z * pl.col("_var").sqrt() / pl.col("weight")
        out = out.with_columns(
            pl.when(ok).then(pl.col("mean_goldstein") - half).alias("ci_low"),
            pl.when(ok).then(pl.col("mean_goldstein") + half).alias("ci_high"),
        ).drop("_var", "_sd_null")
    return out
