"""The Index frame: :class:`DyadIndex`, its columns and views (symmetric, pooled, series).

Split from ``_indices.py`` (issue 22): the query and :func:`~trilateral.measure.indices`
stay there, the bootstrap is in ``_index_bootstrap.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import polars as pl

from ..errors import ConfigError
from ._pooling import pool_index

__all__ = ["ALL", "INDEX_COLUMNS", "DyadIndex", "Weighting"]

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
        >>> from trilateral.measure import indices
        >>> idx = indices("trilateral.duckdb", period="year", n_boot=0)
        >>> idx.symmetric().frame.select("dyad").unique().height
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
        >>> from trilateral.measure import indices
        >>> idx = indices("trilateral.duckdb", ("USA", "RUS"), period="year", n_boot=0,
        ...     start="2014-01-01", end="2019-12-31")
        >>> idx.series("USA", "RUS", "economic").select("period_start", "n_events").rows()[:2]
        [(datetime.date(2014, 1, 1), 10), (datetime.date(2015, 1, 1), 2)]
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

        Columns (``base`` first for an index of several evidence bases, which are never
        pooled together): source, target, arena, periods, periods_with_events, n_events, weight,
        mean_goldstein, conflict_share, material_conflict_share, cooperation_share,
        net_cooperation, force_events (weighted over events, not averaged over periods).
        """
        by_base = ["base"] if "base" in self.frame.columns else []  # never across bases
        out = pool_index(
            self.frame,
            [*by_base, "source", "target", "arena"],
            extra=[
                pl.len().alias("periods"),
                (pl.col("n_events") > 0).sum().alias("periods_with_events"),
            ],
        )
        return out.select(
            *by_base,
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
