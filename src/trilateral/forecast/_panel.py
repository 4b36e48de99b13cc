"""The index as a panel of series: periods × directed dyads, for one arena and statistic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .. import __version__
from ..config import as_date
from ..errors import ConfigError, DataError

__all__ = ["Panel", "future_periods", "level_names", "panel", "parse_dyads", "period_floor"]

_TRUNC = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}
_STEP_MONTHS = {"month": 1, "quarter": 3, "year": 12}
# Columns that are counts or sums: observed (0) in a period without events.
_COUNTS = ("n_events", "weight", "force_events", "volume")


def period_floor(d: date, period: str) -> date:
    """The start of the period holding ``d`` (weeks start on Monday, as in the index)."""
    out = pl.Series([d]).dt.truncate(_TRUNC[period])[0]
    assert isinstance(out, date)
    return out


def future_periods(last: date, period: str, horizon: int) -> list[date]:
    """The ``horizon`` period starts after ``last``."""
    if period in ("day", "week"):
        step = 1 if period == "day" else 7
        base = np.datetime64(last, "D")
        return [(base + np.timedelta64(step * h, "D")).item() for h in range(1, horizon + 1)]
    months = np.datetime64(last, "M")
    step = _STEP_MONTHS[period]
    return [
        (months + np.timedelta64(step * h, "M")).astype("datetime64[D]").item()
        for h in range(1, horizon + 1)
    ]


def level_names(level: float) -> tuple[str, str]:
    """Column names of an interval: 0.8 → ("lo80", "hi80")."""
    pct = round(level * 100, 1)
    tag = f"{pct:g}".replace(".", "_")
    return f"lo{tag}", f"hi{tag}"


def parse_dyads(
    dyads: Sequence[str | tuple[str, str]] | str | None,
) -> list[tuple[str, str]] | None:
    """``"USA-RUS,RUS-USA"`` or ``[("USA", "RUS")]`` → directed pairs (source, target)."""
    if dyads is None:
        return None
    items: list[Any] = dyads.split(",") if isinstance(dyads, str) else list(dyads)
    out: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, str):
            if not item.strip():
                continue
            parts = [p.strip().upper() for p in item.replace("→", "-").split("-")]
        else:
            parts = [str(p).strip().upper() for p in item]
        if len(parts) != 2 or parts[0] == parts[1] or not all(len(p) == 3 for p in parts):
            raise ConfigError(
                f"bad dyad {item!r}", hint="write a directed dyad as SOURCE-TARGET, e.g. USA-RUS"
            )
        pair = (parts[0], parts[1])
        if pair not in out:
            out.append(pair)
    if not out:
        raise ConfigError("no dyad given", hint="e.g. USA-RUS,RUS-USA")
    return out


@dataclass(frozen=True, slots=True)
class Panel:
    """One arena of an index as arrays: ``values[t, j]`` is the statistic of series j in
    period t (NaN when the period has no events), ``counts[t, j]`` its events."""

    periods: tuple[date, ...]
    series: tuple[tuple[str, str], ...]
    values: np.ndarray
    counts: np.ndarray
    countries: tuple[str, ...]
    period: str
    arena: str
    statistic: str
    directed: bool
    provenance: dict[str, Any]

    @property
    def var_ok(self) -> bool:
        """Whether the reciprocity VAR applies: directed series of 2 or 3 countries."""
        n = len(self.countries)
        return self.directed and 2 <= n <= 3 and len(self.series) == n * (n - 1)

    def select(self, dyads: list[tuple[str, str]] | None) -> list[int]:
        """Column positions of ``dyads`` (all series when None)."""
        if dyads is None:
            return list(range(len(self.series)))
        out = []
        for s, t in dyads:
            key = (s, t) if self.directed else (min(s, t), max(s, t))
            if key not in self.series:
                have = ", ".join(f"{a}-{b}" for a, b in self.series)
                raise ConfigError(f"dyad {s}-{t} is not in this index", hint=f"dyads: {have}")
            out.append(self.series.index(key))
        return out

    def period_end(self, pos: int) -> date:
        """The last day of period ``pos``."""
        return future_periods(self.periods[pos], self.period, 1)[0] - timedelta(days=1)

    def position(self, origin: date | str | None, min_train: int) -> int:
        """Row of the last period that ends on or before ``origin`` (default: the last
        period).

        Nothing dated after the origin may reach a model, so a period the origin falls
        inside (a weekly origin on a Thursday) is not fitted: its later days lie after
        the origin. An origin on a period's last day fits that period.
        """
        if origin is None:
            pos = len(self.periods) - 1
        else:
            d = as_date(origin, "origin")
            assert d is not None
            start = period_floor(d, self.period)
            if future_periods(start, self.period, 1)[0] - timedelta(days=1) > d:
                start = period_floor(start - timedelta(days=1), self.period)
            first, last = self.periods[0], self.periods[-1]
            if start < first or period_floor(d, self.period) > last:
                raise ConfigError(
                    f"origin {d} is outside the data ({first} … {self.period_end(-1)}, "
                    f"{self.period}ly periods; the origin's period must be complete by it)",
                    hint="choose an origin inside the index's window",
                )
            pos = self.periods.index(min(start, last))
        if pos + 1 < min_train:
            earliest = self.period_end(min(min_train, len(self.periods)) - 1)
            raise ConfigError(
                f"origin {self.period_end(pos)} leaves {pos + 1} training period(s); "
                f"at least {min_train} are needed",
                hint=f"choose an origin on or after {earliest} or lower min_train",
            )
        return pos


def _checked_frame(index: Any, arena: str, statistic: str) -> pl.DataFrame:
    """The index's frame, after checking it holds ``statistic`` and ``arena``."""
    frame = getattr(index, "frame", None)
    if not isinstance(frame, pl.DataFrame):
        raise ConfigError(
            f"expected a DyadIndex, got {type(index).__name__}",
            hint="pass the result of trilateral.measure.indices(...)",
        )
    if statistic not in frame.columns:
        raise ConfigError(
            f"the index has no column {statistic!r}",
            hint=f"choose one of {', '.join(c for c in frame.columns if frame[c].dtype.is_numeric())}",
        )
    arenas = tuple(getattr(index, "arenas", ()))
    if arena not in arenas:
        raise ConfigError(
            f"arena {arena!r} is not in this index", hint=f"arenas: {', '.join(arenas)}"
        )
    return frame


def _series_of(countries: tuple[str, ...], directed: bool) -> tuple[tuple[str, str], ...]:
    """The dyads of ``countries``: ordered pairs when ``directed``, else sorted pairs."""
    if directed:
        return tuple((a, b) for a in countries for b in countries if a != b)
    return tuple((a, b) for a in sorted(countries) for b in sorted(countries) if a < b)


def _wide(keyed: pl.DataFrame, periods: tuple[Any, ...], names: list[str], col: str) -> np.ndarray:
    """``col`` of ``keyed`` as a periods x series array; NaN where a dyad has no row."""
    calendar = pl.DataFrame({"period_start": list(periods)})
    w = keyed.pivot(on="_s", index="period_start", values=col, aggregate_function="first")
    w = calendar.join(w, on="period_start", how="left")
    for n in names:
        if n not in w.columns:
            w = w.with_columns(pl.lit(None, pl.Float64).alias(n))
    return w.select(names).to_numpy().astype(np.float64)


def panel(index: Any, arena: str, statistic: str) -> Panel:
    """Arrange one arena of a :class:`~trilateral.measure.DyadIndex` as a :class:`Panel`."""
    frame = _checked_frame(index, arena, statistic)
    sub = frame.filter(pl.col("arena") == arena)
    periods = tuple(sorted(sub["period_start"].unique().to_list()))
    if len(periods) < 2:
        raise DataError(f"the index holds {len(periods)} period(s); a forecast needs a series")
    directed = bool(getattr(index, "directed", True))
    countries = tuple(getattr(index, "countries", ()))
    series = _series_of(countries, directed)
    keyed = sub.with_columns(
        pl.concat_str("source", pl.lit("-"), "target").alias("_s"),
        pl.col(statistic).cast(pl.Float64).alias("_v"),
        pl.col("n_events").cast(pl.Float64).alias("_n"),
    )
    names = [f"{a}-{b}" for a, b in series]
    values = _wide(keyed, periods, names, "_v")
    counts = np.nan_to_num(_wide(keyed, periods, names, "_n"), nan=0.0)
    if statistic in _COUNTS:  # a count is 0 in an empty period, not missing
        values = np.nan_to_num(values, nan=0.0)
    else:  # a mean or a share over no events has no value: NaN, whatever the index holds
        values = np.where(counts > 0, values, np.nan)
    prov = dict(getattr(index, "provenance", {}) or {})
    provenance = {
        "index": {k: prov.get(k) for k in ("data_hash", "store", "start", "end") if k in prov},
        "version": __version__,
    }
    return Panel(
        periods=periods,
        series=series,
        values=values,
        counts=counts,
        countries=countries,
        period=str(getattr(index, "period", "")),
        arena=arena,
        statistic=statistic,
        directed=directed,
        provenance=provenance,
    )


def evidence_base_of(index: Any, given: str | None = None) -> str:
    """The evidence base of an index's rows: ``given`` when the caller knows it (an index
    of :func:`trilateral.measure.base_store`); else the index's own ``evidence_base``
    provenance; else the bases of its store (:func:`trilateral.measure.evidence_bases`)
    whose spans meet the index's window — one name, or ``pooled: a+b`` when the index
    mixes bases; ``unknown`` when none of these says.

    Examples
    --------
    >>> from trilateral.measure import indices
    >>> evidence_base_of(indices("trilateral.duckdb", period="month", n_boot=0,
    ...                          start="2016-01-01", end="2016-12-31"))
    'chronicle'
    """
    if given:
        return given
    prov = dict(getattr(index, "provenance", {}) or {})
    own = prov.get("evidence_base")
    if isinstance(own, str) and own:
        return own
    store = prov.get("store_path")
    if not isinstance(store, str) or not Path(store).is_file():
        return "unknown"
    from ..measure import evidence_bases

    lo, hi = as_date(prov.get("start"), "start"), as_date(prov.get("end"), "end")
    names = []
    try:
        bases = evidence_bases(store)
    except (DataError, OSError):
        return "unknown"
    for b in bases:
        if any((hi is None or s <= hi) and (lo is None or e >= lo) for s, e in b.spans):
            names.append(b.name)
    if not names:
        return "unknown"
    return names[0] if len(names) == 1 else "pooled: " + "+".join(sorted(names))
