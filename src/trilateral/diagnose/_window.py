"""Where a store's data are dense: the default window of ``diagnose`` and the dashboard."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

__all__ = ["dense_span"]


def dense_span(idx: Any, min_events: int) -> tuple[date, date | None] | None:
    """The longest run of consecutive periods in which every dyad has ``min_events``
    events or more (both directions, all arenas): ``(first day, last day)``, the last day
    None when the run reaches the end of the data. None when no period qualifies.

    A store with a few early rows (the chronicle's 2007–2013 context) then starts where
    the data are dense instead of at its first row. ``trilateral diagnose`` and the
    dashboard (``trilateral serve``) use it as their default window, with ``min_events``
    the regime rules' own (:class:`RegimeConfig`).

    Parameters
    ----------
    idx : DyadIndex
        A (yearly) index of the store.
    min_events : int
        Events every dyad needs in a period (both directions pooled).

    Returns
    -------
    (date, date or None) or None

    Examples
    --------
    >>> from trilateral.data import EventStore, shipped_chronicle_path
    >>> from trilateral.measure import indices
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.duckdb"
    >>> with EventStore.open(path) as s:
    ...     _ = s.ingest(shipped_chronicle_path())
    >>> dense_span(indices(path, period="year", n_boot=0), 5)
    (datetime.date(2014, 1, 1), None)
    """
    sym = idx.symmetric().frame
    if "all" in sym["arena"].unique().to_list():
        sym = sym.filter(pl.col("arena") == "all")
    else:
        sym = sym.group_by("source", "target", "period_start").agg(pl.col("n_events").sum())
    per = (
        sym.group_by("period_start")
        .agg(pl.col("n_events").min().alias("least"), pl.len().alias("dyads"))
        .sort("period_start")
    )
    n_dyads = sym.select("source", "target").unique().height
    starts = per["period_start"].to_list()
    ok = [
        (n >= min_events and d == n_dyads) for n, d in zip(per["least"], per["dyads"], strict=True)
    ]
    best: tuple[int, int] | None = None
    i = 0
    while i < len(ok):
        if ok[i]:
            j = i
            while j + 1 < len(ok) and ok[j + 1]:
                j += 1
            if best is None or j - i > best[1] - best[0]:
                best = (i, j)
            i = j + 1
        else:
            i += 1
    if best is None:
        return None
    first, last = best
    end = None if last + 1 >= len(starts) else starts[last + 1] - timedelta(days=1)
    return starts[first], end
