"""Acts, not reports: collapse the rows of one evidence base into the acts they report.

Machine-coded sources (ICEWS, GDELT) hold one row per news *report*: the 60 Russian
diplomats the United States expelled on 26 March 2018 are one act, reported many times.
:func:`collapse_acts` makes the rows that share a key — by default :data:`ACT_KEY`: the
day, source country, target country and full CAMEO code — one act that keeps
``n_reports``, the number of rows behind it. With ``window_days`` > 0, rows of one key
whose days lie at most ``window_days`` apart (chained: each within ``window_days`` of the
previous one) are one act dated on its first day; the default 0 means the same day.

The same act in two releases of one dataset (ICEWS14 and ICEWS05-15 overlap) is one act
whatever its reports, because the key holds no release; when the rows carry
``ingest_id`` (the file they came from), ``n_reports`` is the most reports any one file
gives, so a report two releases both hold counts once. The store's own cross-release
duplicate list is applied earlier, by :func:`~trilateral.measure.base_store`.

Counting indicators (tit-for-tat, counts, conflict shares) count acts; an intensity
index may weight an act by its reports only when asked for (``weight="reports"``).

Tit-for-tat "in kind" is decided by a documented family table, :func:`cameo_family`
(``measure/_files/cameo_families.csv``): the longest listed prefix of a CAMEO code gives
its family, so that an expulsion (174) and a reduction of diplomatic relations (160,
161, 166) are one family, ``diplomatic_reduction``, and sanctions (162, 163) another.

Examples
--------
>>> import polars as pl
>>> from datetime import date
>>> rows = pl.DataFrame({"event_id": ["r1", "r2", "r3", "r4"],
...     "date": [date(2018, 3, 26)] * 3 + [date(2018, 3, 29)],
...     "source": ["USA", "USA", "USA", "RUS"], "target": ["RUS", "RUS", "RUS", "USA"],
...     "cameo": ["174", "174", "161", "161"], "goldstein": [-5.0, -5.0, -4.0, -4.0]})
>>> acts = collapse_acts(rows)
>>> acts.select("date", "source", "cameo", "n_reports").rows()
[(datetime.date(2018, 3, 26), 'USA', '174', 2), (datetime.date(2018, 3, 26), 'USA', '161', 1), (datetime.date(2018, 3, 29), 'RUS', '161', 1)]
>>> cameo_family("174") == cameo_family("161") == "diplomatic_reduction"
True
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

from .._rng import resolve_rng
from ..errors import ConfigError, DataError

__all__ = [
    "ACT_KEY",
    "ActBaseline",
    "cameo_families",
    "cameo_family",
    "chance_baseline",
    "collapse_acts",
]

#: The columns whose equal values make rows one act (besides the day window).
ACT_KEY: tuple[str, ...] = ("date", "source", "target", "cameo")


@functools.cache
def cameo_families() -> dict[str, str]:
    """The family table: CAMEO code prefix → family (``measure/_files/cameo_families.csv``).

    Examples
    --------
    >>> cameo_families()["163"], cameo_families()["17"]
    ('sanctions', 'coercion')
    """
    text = resources.files("trilateral.measure").joinpath("_files/cameo_families.csv")
    with text.open(encoding="utf-8") as fh:
        return {row["prefix"]: row["family"] for row in csv.DictReader(fh)}


def cameo_family(code: str | None) -> str | None:
    """The family of a CAMEO code: the family of its longest listed prefix (None if none).

    Examples
    --------
    >>> cameo_family("1623"), cameo_family("174"), cameo_family("172"), cameo_family("042")
    ('sanctions', 'diplomatic_reduction', 'coercion', None)
    """
    if not code:
        return None
    table = cameo_families()
    for n in range(len(code), 0, -1):
        family = table.get(code[:n])
        if family is not None:
            return family
    return None


def family_expr(column: str = "cameo") -> pl.Expr:
    """A polars expression giving the family of each code in ``column``."""
    return pl.col(column).map_elements(cameo_family, return_dtype=pl.String)


def collapse_acts(
    events: pl.DataFrame,
    *,
    key: Sequence[str] = ACT_KEY,
    window_days: int = 0,
) -> pl.DataFrame:
    """Collapse report rows into acts: rows sharing ``key`` (within ``window_days``) are one.

    Parameters
    ----------
    events : polars.DataFrame
        Event rows with ``event_id``, ``date`` and the ``key`` columns; optional
        ``goldstein``, ``quad_class``, ``arena``, ``magnitude``, ``weight``, ``dataset``,
        ``url_or_citation``, ``ingest_id`` are carried.
    key : sequence of str
        The columns whose equal values make rows one act; must include ``date``.
        Default :data:`ACT_KEY` (day, source, target, CAMEO code).
    window_days : int
        Rows of one key (the key's other columns) at most this many days after the
        previous row of the chain are the same act; 0 (default): the same day only.

    Returns
    -------
    polars.DataFrame
        One row per act, sorted by date and ``act_id``: the key columns (``date`` is the
        act's first day), ``act_id`` (the smallest ``event_id`` of its rows),
        ``last_date``, ``n_reports`` (rows; the most from one file when ``ingest_id``
        is present), ``event_ids`` (its rows), and of the carried columns the mean
        ``goldstein``, the first ``quad_class``/``arena``/``dataset``, the largest
        ``magnitude``, the summed ``weight`` and the distinct citations joined by " | ".

    Raises
    ------
    ConfigError
        ``key`` lacks ``date`` or ``window_days`` is negative.
    DataError
        ``events`` lack a key column or ``event_id``.
    """
    key = list(key)
    if "date" not in key:
        raise ConfigError(f"the act key {key} must include 'date'")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 0:
        raise ConfigError(f"window_days must be an integer ≥ 0, got {window_days!r}")
    missing = [c for c in ("event_id", *key) if c not in events.columns]
    if missing:
        raise DataError(f"events lack column(s) {missing}", hint="pass canonical events")
    rest = [c for c in key if c != "date"]
    f = events.with_columns(pl.col("date").cast(pl.Date)).sort([*rest, "date", "event_id"])
    if window_days == 0:
        f = f.with_columns(pl.col("date").alias("_act_day"))
    else:
        gap = pl.col("date").diff().over(rest).dt.total_days()
        new = (gap.is_null() | (gap > window_days)).cast(pl.Int64)
        f = f.with_columns(_chain=new.cum_sum().over(rest))
        f = f.with_columns(_act_day=pl.col("date").min().over([*rest, "_chain"]))
    group = [*rest, "_act_day"] + (["_chain"] if window_days else [])
    cols = set(f.columns)
    out = f.group_by(group).agg(_act_aggs(cols, key))
    if "ingest_id" in cols:
        per_file = (
            f.group_by([*group, "ingest_id"])
            .agg(pl.len().alias("_n"))
            .group_by(group)
            .agg(pl.col("_n").max().alias("n_reports"))
        )
        out = out.join(per_file, on=group, how="left", nulls_equal=True)
    else:
        out = out.with_columns(pl.col("_rows").alias("n_reports"))
    out = out.rename({"_act_day": "date"}).drop("_rows", "_chain", strict=False)
    out = out.with_columns(pl.col("n_reports").cast(pl.Int64))
    return out.select(
        *key,
        "act_id",
        "last_date",
        "n_reports",
        pl.exclude(*key, "act_id", "last_date", "n_reports"),
    ).sort("date", "act_id")


def _act_aggs(cols: set[str], key: list[str]) -> list[pl.Expr]:
    """The aggregations of :func:`collapse_acts`: the act's id, last day, rows and row
    ids, and each carried column that ``cols`` holds."""
    aggs: list[pl.Expr] = [
        pl.col("event_id").cast(pl.String).min().alias("act_id"),
        pl.col("date").max().alias("last_date"),
        pl.col("event_id").cast(pl.String).sort().alias("event_ids"),
        pl.len().alias("_rows"),
    ]
    if "goldstein" in cols:
        aggs.append(pl.col("goldstein").cast(pl.Float64).mean())
    aggs += [
        pl.col(c).first() for c in ("quad_class", "arena", "dataset") if c in cols and c not in key
    ]
    if "magnitude" in cols:
        aggs.append(pl.col("magnitude").cast(pl.Float64).max())
    if "weight" in cols:
        aggs.append(pl.col("weight").sum())
    if "url_or_citation" in cols:
        aggs.append(pl.col("url_or_citation").drop_nulls().unique().sort().str.join(" | "))
    return aggs


# --------------------------------------------------------------------------- baseline


class ActBaseline(dict[str, Any]):
    """A chance baseline (a dict, for JSON): ``rate`` (the mean answer rate under the
    null), ``ci_low``/``ci_high`` (its 2.5 and 97.5 % points), ``p_value`` (the share of
    null draws at least as high as ``observed``), ``observed``, ``n_draws``, ``method``."""


def greedy_matches(acts: np.ndarray, answers: np.ndarray, window: int, min_lag: int = 1) -> int:
    """How many of ``acts`` (sorted day numbers) the ``answers`` (sorted) answer, each
    answer used once, each act taking the earliest answer ``min_lag``…``window`` days
    later (the rule of :func:`~trilateral.measure.match_tit_for_tat`)."""
    k = nxt = 0
    n = len(answers)
    for day in acts:
        while nxt < n and answers[nxt] < day + min_lag:
            nxt += 1
        if nxt < n and answers[nxt] <= day + window:
            k += 1
            nxt += 1
    return k


def chance_baseline(
    act_days: Sequence[int] | np.ndarray,
    answer_days: Sequence[int] | np.ndarray,
    span: tuple[int, int],
    window_days: int,
    *,
    min_lag_days: int = 1,
    n_draws: int = 999,
    rng: Any = None,
    keep_draws: bool = False,
) -> ActBaseline:
    """The answer rate expected by chance: the responder's acts placed at random in time.

    The null keeps the actor's act days and the *number* of the responder's candidate
    answers, and draws the answers' days uniformly (a permutation of their dates over
    the days of ``span``, without regard to the acts), ``n_draws`` times; each draw is
    matched by the greedy rule of :func:`~trilateral.measure.match_tit_for_tat`. One
    dyad, one direction, one family at a time: never pool dyads.

    Parameters
    ----------
    act_days, answer_days : sequence of int
        Day numbers (e.g. days since 1970) of the acts and of the candidate answers.
    span : (int, int)
        The first and last day the answers could fall on (inclusive).
    window_days, min_lag_days : int
        The matching window.
    n_draws : int
        Permutations (default 999).
    rng : int, SeedSequence, Generator or None
    keep_draws : bool
        Also return each draw's answer rate (``draws``, a numpy array).

    Returns
    -------
    ActBaseline

    Examples
    --------
    >>> b = chance_baseline([0, 10, 20], [3, 13, 23], (0, 60), 5, n_draws=999, rng=1)
    >>> b["observed"], round(b["rate"], 2), b["p_value"] < 0.05
    (1.0, 0.23, True)
    """
    acts = np.sort(np.asarray(act_days, dtype=np.int64))
    answers = np.asarray(answer_days, dtype=np.int64)
    lo, hi = int(span[0]), int(span[1])
    if hi < lo:
        raise ConfigError(f"span {span} ends before it starts")
    if n_draws < 1:
        raise ConfigError(f"n_draws must be ≥ 1, got {n_draws!r}")
    gen = resolve_rng(rng)
    n_acts = len(acts)
    observed = (
        greedy_matches(acts, np.sort(answers), window_days, min_lag_days) / n_acts
        if n_acts
        else float("nan")
    )
    draws = gen.integers(lo, hi + 1, size=(n_draws, len(answers)))
    draws.sort(axis=1)
    rates = np.array(
        [greedy_matches(acts, d, window_days, min_lag_days) for d in draws], dtype=float
    ) / max(n_acts, 1)
    out = ActBaseline(
        rate=float(rates.mean()) if n_acts else float("nan"),
        ci_low=float(np.quantile(rates, 0.025)) if n_acts else float("nan"),
        ci_high=float(np.quantile(rates, 0.975)) if n_acts else float("nan"),
        p_value=float((1 + (rates >= observed - 1e-12).sum()) / (n_draws + 1))
        if n_acts
        else float("nan"),
        observed=float(observed),
        n_draws=int(n_draws),
        method="permutation of the responder's act days over the span",
    )
    if keep_draws:
        out["draws"] = rates
    return out
