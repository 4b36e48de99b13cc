"""Indices per evidence base: each base apart, a ``base`` column, coverage honoured.

The yearly indices of a store that holds the chronicle and ICEWS must not pool them:
in 2018 the USA→RUS cell would mix 2,529 ICEWS rows with 30 chronicle rows, and the
series would "improve" because its source changes. :func:`indices_by_base` computes the
indices of each evidence base on its own copy of the store
(:func:`~trilateral.measure.base_store`), counting acts by default (rows of one day,
dyad and CAMEO code merged, ``collapse_duplicates=True``), and returns one frame with a
``base`` column: no row mixes bases. A period a base does not cover is missing (its rows
are dropped), never a zero; a period it covers in part carries ``coverage_share`` < 1.
A combined view is there only when asked for (``combined=True``), and then with the
store's cross-dataset dedup, under ``base = "combined"``.

Examples
--------
>>> f = indices_by_base("trilateral.duckdb", countries=("USA", "RUS"), period="year",
...     n_boot=0, start="2014-01-01", end="2019-12-31")
>>> sorted(f["base"].unique())
['chronicle', 'icews']
>>> f.filter((pl.col("base") == "icews") & (pl.col("arena") == "all")
...     & (pl.col("source") == "USA"))["period_start"].dt.year().to_list()
[2014, 2015, 2018]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import polars as pl

from ..errors import ConfigError
from ._bases import EvidenceBase, base_store, evidence_bases
from ._indices import DyadIndex, indices
from ._titfortat import TitForTatResults

__all__ = [
    "COMBINED",
    "covered_share",
    "index_of_base",
    "indices_by_base",
    "merge_bases",
    "merge_titfortat",
]

#: The ``base`` of a combined view (every base, cross-dataset dedup).
COMBINED = "combined"


def _period_end(start: date, period: str) -> date:
    if period == "day":
        return start
    if period == "week":
        return start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    y, m = divmod(start.month - 1 + months, 12)
    return date(start.year + y, m + 1, 1) - timedelta(days=1)


def covered_share(start: date, period: str, spans: Sequence[tuple[date, date]]) -> float:
    """The share of the days of the period starting ``start`` that ``spans`` cover.

    Examples
    --------
    >>> covered_share(date(2018, 1, 1), "year", [(date(2018, 1, 1), date(2018, 9, 27))])
    0.74
    """
    end = _period_end(start, period)
    days = (end - start).days + 1
    inside = sum(max(0, (min(end, b) - max(start, a)).days + 1) for a, b in spans)
    return round(min(inside, days) / days, 3)


def _restrict(index: DyadIndex, info: EvidenceBase) -> DyadIndex:
    """The index without the periods ``info`` does not cover, with ``base`` and
    ``coverage_share`` columns."""
    f = index.frame
    starts = f["period_start"].unique().to_list()
    share = {s: covered_share(s, index.period, info.spans) for s in starts}
    f = (
        f.with_columns(
            pl.lit(info.name).alias("base"),
            pl.col("period_start")
            .replace_strict(share, return_dtype=pl.Float64)
            .alias("coverage_share"),
        )
        .filter(pl.col("coverage_share") > 0)
        .select("base", pl.exclude("base"))
    )
    gaps = info.gaps()
    prov = {
        **index.provenance,
        "base": info.name,
        "coverage": info.coverage_text(),
        "gaps": None if gaps is None else gaps.to_dict(),
    }
    ci = index.undirected_ci
    if ci is not None:
        ci = ci.with_columns(pl.lit(info.name).alias("base"))
    return replace(index, frame=f, provenance=prov, undirected_ci=ci)


def merge_bases(parts: Sequence[DyadIndex]) -> DyadIndex:
    """One index holding several bases' indices side by side (each row keeps its
    ``base``; :meth:`~trilateral.measure.DyadIndex.symmetric` pools within a base only).

    Raises
    ------
    ConfigError
        No index, an index without a ``base`` column, or different periods.
    """
    if not parts:
        raise ConfigError("no evidence base to merge")
    if any("base" not in p.frame.columns for p in parts):
        raise ConfigError("merge_bases needs per-base indices (index_of_base)")
    if len({p.period for p in parts}) > 1:
        raise ConfigError("the bases' indices have different periods")
    cis = [p.undirected_ci for p in parts if p.undirected_ci is not None]
    ci = pl.concat(cis, how="diagonal_relaxed") if len(cis) == len(parts) else None
    prov = {
        **parts[0].provenance,
        "base": [p.provenance.get("base") for p in parts],
        "coverage": {p.provenance.get("base"): p.provenance.get("coverage") for p in parts},
        "gaps": {p.provenance.get("base"): p.provenance.get("gaps") for p in parts},
    }
    return replace(
        parts[0],
        frame=pl.concat([p.frame for p in parts], how="diagonal_relaxed"),
        countries=tuple(dict.fromkeys(c for p in parts for c in p.countries)),
        arenas=tuple(dict.fromkeys(a for p in parts for a in p.arenas)),
        provenance=prov,
        undirected_ci=ci,
    )


def index_of_base(store: Any, base: str, **kwargs: Any) -> DyadIndex:
    """The :func:`~trilateral.measure.indices` of one evidence base, acts by default,
    without the periods the base does not cover (``base`` and ``coverage_share``
    columns); the provenance says ``unit`` ("acts" or "reports"), ``base`` and
    ``coverage``. ``kwargs`` go to :func:`~trilateral.measure.indices`.

    Examples
    --------
    >>> idx = index_of_base("trilateral.duckdb", "icews", countries=("USA", "RUS"),
    ...     period="year", n_boot=0)
    >>> idx.provenance["unit"], idx.provenance["base"]
    ('acts', 'icews')
    """
    info = {b.name: b for b in evidence_bases(store, cited=None)}.get(base)
    if info is None:
        raise ConfigError(f"the store has no evidence base {base!r}")
    kwargs.setdefault("collapse_duplicates", True)
    with base_store(store, base) as con:
        idx = indices(con, **kwargs)
    unit = "acts" if kwargs["collapse_duplicates"] else "reports"
    path = str(getattr(store, "path", store)) if not hasattr(store, "execute") else None
    idx = replace(idx, provenance={**idx.provenance, "unit": unit, "store_path": path})
    return _restrict(idx, info)


def indices_by_base(
    store: Any,
    bases: Sequence[str] | None = None,
    *,
    combined: bool = False,
    **kwargs: Any,
) -> pl.DataFrame:
    """The indices of each evidence base (or of ``bases``), one frame with a ``base``
    column.

    Parameters
    ----------
    store : EventStore, str, Path or DuckDB connection
    bases : sequence of str, optional
        The bases (default: every base of the store).
    combined : bool
        Add the combined view, ``base = "combined"``: every row of the store with the
        cross-dataset dedup (``dedup="cross-dataset"``), only on this request.
    **kwargs
        Passed to :func:`~trilateral.measure.indices` (``countries``, ``period``,
        ``start``, ``end``, ``n_boot``, ``rng``, …); ``collapse_duplicates`` defaults
        to True (acts, not reports).

    Returns
    -------
    polars.DataFrame
        The Index frame of each base, ``base`` first, plus ``coverage_share``.
    """
    names = bases or [b.name for b in evidence_bases(store, cited=None)]
    frames = [index_of_base(store, name, **kwargs).frame for name in names]
    if combined:
        kw = {"collapse_duplicates": True, **kwargs, "dedup": "cross-dataset"}
        f = indices(store, **kw).frame
        frames.append(
            f.with_columns(
                pl.lit(COMBINED).alias("base"), pl.lit(1.0).alias("coverage_share")
            ).select("base", pl.exclude("base"))
        )
    return pl.concat(frames, how="diagonal_relaxed")


def merge_titfortat(parts: Sequence[tuple[str, TitForTatResults]]) -> TitForTatResults:
    """Several bases' tit-for-tat matches side by side: ``matches`` (and the acts behind
    :meth:`~trilateral.measure.TitForTatResults.baseline_frame`) get a ``base`` column,
    and the summaries are per base, never pooled over bases. The settings are the first
    part's (the parts must share them).
    """
    if not parts:
        raise ConfigError("no evidence base to merge")
    first = parts[0][1]
    matches = pl.concat(
        [
            r.matches.with_columns(pl.lit(b).alias("base")).select("base", pl.exclude("base"))
            for b, r in parts
        ],
        how="diagonal_relaxed",
    )
    acts = [r.acts.with_columns(pl.lit(b).alias("base")) for b, r in parts if r.acts is not None]
    return replace(
        first,
        matches=matches,
        acts=pl.concat(acts, how="diagonal_relaxed") if len(acts) == len(parts) else None,
    )
