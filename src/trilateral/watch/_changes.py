"""What moved when new files arrived: regimes, the triangle type, indices out of band.

The state of one evidence base is read twice from the same in-memory copy of the base
(:func:`~trilateral.measure.base_store`): without and with the files the poll ingested.
Both states cover the same window — the base's latest month (after the poll) and the
12 months before it — so a difference is the new files' doing, never a shifted window.

- **regime change**: a symmetric dyad's regime label in the latest month differs;
- **triangle change**: the triangle's type in the latest month differs;
- **index out of band**: a directed dyad's mean Goldstein (all arenas) in the latest
  month was inside the range of its trailing 12 months (at least 3 months with events)
  and is now outside it.

Each change carries the events behind it: the poll's new events of that dyad in the
latest month, the most extreme Goldstein first (at most :data:`EVENTS_SHOWN`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl

from ..diagnose import classify_regimes, triangle_types
from ..measure import indices

__all__ = ["EVENTS_SHOWN", "BaseState", "Change", "base_state", "diff_states", "new_events"]

EVENTS_SHOWN = 10
_TRAILING = 12


@dataclass(frozen=True, slots=True)
class BaseState:
    """One evidence base in its latest month: regimes, triangle type, dyad indices."""

    base: str
    period_start: date
    regimes: dict[str, str]  # "RUS-USA" → label
    triangle: str | None
    index: dict[str, float | None]  # "USA>RUS" → mean Goldstein (all arenas)
    bands: dict[str, tuple[float, float] | None]  # the trailing 12 months' min, max
    n_events: int


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that moved, and the events behind it."""

    kind: str  # "regime" | "triangle" | "index_out_of_band"
    base: str
    period_start: date
    subject: str  # a dyad ("RUS-USA", "USA>RUS") or the triangle ("CHN-RUS-USA")
    before: Any
    after: Any
    detail: str
    events: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["period_start"] = self.period_start.isoformat()
        d["events"] = [dict(e) for e in self.events]
        return d

    def text(self) -> str:
        """One line for people."""
        n = f" ({len(self.events)} new events behind it)" if self.events else ""
        return f"[{self.base} {self.period_start:%Y-%m}] {self.detail}{n}"


def _month_back(d: date, months: int) -> date:
    m = d.year * 12 + d.month - 1 - months
    return date(m // 12, m % 12 + 1, 1)


def base_state(
    con: duckdb.DuckDBPyConnection,
    base: str,
    countries: Sequence[str],
    latest: date,
    *,
    n_boot: int = 200,
    rng: int = 0,
) -> BaseState:
    """The state of the base in ``con`` for the month starting ``latest``."""
    first = _month_back(latest, _TRAILING)
    last = _month_back(latest, -1) - timedelta(days=1)
    idx = indices(con, countries, period="month", start=first, end=last, n_boot=n_boot, rng=rng)
    frame = idx.frame
    regimes = classify_regimes(idx, rng=rng)
    labels = {r.dyad: r.label for r in regimes.regimes if r.period_start == latest}
    triangle = None
    if len(countries) == 3:
        tri = triangle_types(idx, countries, rng=rng)
        now = [t for t in tri.periods if t.period_start == latest]
        triangle = now[0].type if now else None
    allarena = frame.filter(pl.col("arena") == "all")
    index: dict[str, float | None] = {}
    bands: dict[str, tuple[float, float] | None] = {}
    for (s, t), rows in allarena.group_by(["source", "target"], maintain_order=True):
        key = f"{s}>{t}"
        cur = rows.filter(pl.col("period_start") == latest)["mean_goldstein"]
        index[key] = cur[0] if len(cur) else None
        past = rows.filter((pl.col("period_start") < latest) & (pl.col("n_events") > 0))[
            "mean_goldstein"
        ].drop_nulls()
        bands[key] = (float(past.min()), float(past.max())) if len(past) >= 3 else None  # type: ignore[arg-type]
    n_events = int(allarena.filter(pl.col("period_start") == latest)["n_events"].sum())
    return BaseState(base, latest, labels, triangle, index, bands, n_events)


def new_events(
    con: duckdb.DuckDBPyConnection, ingest_ids: Sequence[int], a: str, b: str, latest: date,
    *, directed: bool, table: str = "events",
) -> tuple[dict[str, Any], ...]:  # fmt: skip
    """The poll's events between ``a`` and ``b`` (or from ``a`` to ``b``) in the month,
    read from ``table`` (the events table, or the table the new rows were set aside in)."""
    if not ingest_ids:
        return ()
    pair = "(source = ? AND target = ?)" + ("" if directed else " OR (source = ? AND target = ?)")
    params: list[Any] = [a, b] if directed else [a, b, b, a]
    rows = con.execute(
        "SELECT event_id, date, source, target, cameo, goldstein, url_or_citation "
        f"FROM {table} "
        f"WHERE ingest_id IN ({', '.join('?' for _ in ingest_ids)}) AND ({pair}) "
        "AND date >= ? AND date < ? ORDER BY abs(goldstein) DESC NULLS LAST, event_id LIMIT ?",
        [*ingest_ids, *params, latest, _month_back(latest, -1), EVENTS_SHOWN],
    ).fetchall()
    keys = ("event_id", "date", "source", "target", "cameo", "goldstein", "url")
    return tuple(
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in zip(keys, r, strict=True)}
        for r in rows
    )


def diff_states(
    before: BaseState,
    after: BaseState,
    con: duckdb.DuckDBPyConnection,
    ingest_ids: Sequence[int],
    table: str = "events",
) -> list[Change]:
    """The changes from ``before`` to ``after`` (same base, same month); the events
    behind them are the rows of ``ingest_ids`` in ``con``'s ``table``."""
    base, month = after.base, after.period_start
    out: list[Change] = []
    for dyad, label in sorted(after.regimes.items()):
        old = before.regimes.get(dyad)
        if old != label:
            a, b = dyad.split("-")
            out.append(Change("regime", base, month, dyad, old, label,
                              f"{dyad} regime: {old or 'none'} → {label}",
                              new_events(con, ingest_ids, a, b, month, directed=False, table=table)))  # fmt: skip
    if after.triangle != before.triangle and after.triangle is not None:
        out.append(Change("triangle", base, month, "triangle", before.triangle, after.triangle,
                          f"triangle: {before.triangle or 'none'} → {after.triangle}"))  # fmt: skip
    for key, value in sorted(after.index.items()):
        band = after.bands.get(key)
        if value is None or band is None:
            continue
        lo, hi = band
        prev = before.index.get(key)
        was_inside = prev is None or lo <= prev <= hi
        if was_inside and not lo <= value <= hi:
            a, b = key.split(">")
            out.append(Change(
                "index_out_of_band", base, month, key, prev, value,
                f"{a}→{b} mean Goldstein {value:+.2f} left its trailing 12-month range "
                f"[{lo:+.2f}, {hi:+.2f}] (was {'none' if prev is None else f'{prev:+.2f}'})",
                new_events(con, ingest_ids, a, b, month, directed=True, table=table),
            ))  # fmt: skip
    return out
