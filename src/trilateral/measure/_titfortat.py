"""Tit-for-tat matching on events: who answered whom in kind, how fast, with how much.

Feng (2019) describes US–Russia relations since 2017 as tit-for-tat conflicts on four
fronts — sanctions, diplomatic expulsions, a media war, the Middle East — e.g. 60 Russian
diplomats expelled from the US on 26 March 2018 answered by 60 US diplomats expelled from
Russia on 29 March. This module finds such pairs in event data: for every hostile act
i→j in an arena, the first hostile j→i act in the same arena (optionally also of the same
CAMEO root or full code) within a window, the lag in days and the ratio of magnitudes
(people expelled, entities sanctioned) when the events carry them (the chronicle's
``magnitude`` column, kept in the store's ``event_extras``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from ..config import ARENAS, DEFAULT_COUNTRIES, as_date
from ..data.schema import EVENT_COLUMNS, EVENT_SCHEMA
from ..errors import ConfigError, DataError
from ._acts import ACT_KEY, chance_baseline, collapse_acts, family_expr
from ._engine import EngineConfig, compile_sql, event_source, resolve_engine

if TYPE_CHECKING:
    from ..data.store import EventStore

__all__ = [
    "Hostile",
    "MatchOn",
    "TitForTatResults",
    "Unit",
    "load_events",
    "match_tit_for_tat",
]

#: ``"quad"``: CAMEO quad classes 3–4 (verbal and material conflict); ``"material"``:
#: quad class 4 only; a number: events with Goldstein score ≤ that number.
Hostile = Literal["quad", "material"] | float

#: What an answer must share with the act besides the reversed direction: ``"arena"``
#: (nothing more), ``"root"`` (the CAMEO root code, its first two digits) or ``"code"``
#: (the full CAMEO code). The arena itself is required by ``same_arena``.
MatchOn = Literal["arena", "root", "code", "family"]
_MATCH_ON: tuple[str, ...] = ("arena", "root", "code", "family")
#: What is matched: acts (rows collapsed by day, source, target, CAMEO code) or reports.
Unit = Literal["acts", "reports"]

_BASELINE_COLS = ("chance_rate", "chance_low", "chance_high", "p_value")

_MATCH_SCHEMA: dict[str, Any] = {
    "source": pl.String,
    "target": pl.String,
    "arena": pl.String,
    "act_id": pl.String,
    "act_date": pl.Date,
    "act_cameo": pl.String,
    "act_magnitude": pl.Float64,
    "act_n_reports": pl.Int64,
    "answered": pl.Boolean,
    "answer_id": pl.String,
    "answer_date": pl.Date,
    "answer_arena": pl.String,
    "answer_cameo": pl.String,
    "answer_magnitude": pl.Float64,
    "lag_days": pl.Int64,
    "magnitude_ratio": pl.Float64,
}


#: The store's ``event_extras`` columns, with their Ibis types.
_EXTRAS_SCHEMA = {
    "event_id": "string",
    "magnitude": "float64",
    "description": "string",
    "ingest_id": "int64",
}


class _EventsQuery(NamedTuple):
    """The parameters of one :func:`load_events` query (hashable: its SQL is memoised)."""

    codes: tuple[str, ...]
    start: date | None
    end: date | None
    hostile: tuple[str, float] | None


def _hostile_rule(hostile: Hostile) -> tuple[str, float]:
    """``("quad_class", low)``: quad class ≥ low; ``("goldstein", x)``: Goldstein ≤ x."""
    if isinstance(hostile, str):
        if hostile not in ("quad", "material"):
            raise ConfigError(
                f"unknown hostile rule {hostile!r}",
                hint="use 'quad' (quad classes 3–4), 'material' (4) or a Goldstein threshold",
            )
        return ("quad_class", 3.0 if hostile == "quad" else 4.0)
    if isinstance(hostile, bool) or not isinstance(hostile, int | float):
        raise ConfigError(f"hostile must be 'quad', 'material' or a number, got {hostile!r}")
    return ("goldstein", float(hostile))


def _events_expr(q: _EventsQuery) -> Any:
    """The events among ``codes`` (and in the window, hostile if asked) left-joined with
    one row of extras per event: an Ibis expression over the unbound tables ``events``
    and ``event_extras``, ordered by date and id."""
    import ibis

    e = ibis.table(ibis.Schema.from_pyarrow(EVENT_SCHEMA), name="events")
    e = e.filter(e.source.isin(q.codes), e.target.isin(q.codes), e.source != e.target)
    if q.start is not None:
        e = e.filter(e.date >= q.start)
    if q.end is not None:
        e = e.filter(e.date <= q.end)
    if q.hostile is not None:
        column, bound = q.hostile
        e = e.filter(e.quad_class >= int(bound) if column == "quad_class" else e.goldstein <= bound)
    # One extras row per event_id: the store keeps an event's extras once per ingest
    # (max: the same value whichever engine and scan order).
    x = ibis.table(_EXTRAS_SCHEMA, name="event_extras")
    x = x.group_by("event_id").aggregate(
        magnitude=x.magnitude.max(), description=x.description.max()
    )
    joined = e.left_join(x, "event_id").select(*EVENT_COLUMNS, "magnitude", "description")
    return joined.order_by(["date", "event_id"])


@functools.lru_cache(maxsize=256)
def _events_sql(dialect: str, q: _EventsQuery) -> str:
    """The :func:`load_events` query in ``dialect`` (memoised per parameter set)."""
    return compile_sql(_events_expr(q), dialect)


def load_events(
    store: EventStore | str | Path | duckdb.DuckDBPyConnection,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    start: date | str | None = None,
    end: date | str | None = None,
    *,
    hostile: Hostile | None = None,
    engine: str | EngineConfig | None = None,
) -> pl.DataFrame:
    """Events among ``countries`` with their ``magnitude`` and ``description``.

    The store's ``events`` left-joined with ``event_extras`` on ``event_id`` (events
    without extras get nulls), for events whose source and target are both in
    ``countries`` (and differ), dated ``start ≤ date ≤ end``, ordered by date and id.
    The query is an Ibis expression run by the chosen ``engine``; only the matching of
    :func:`match_tit_for_tat` (sequential, per act) runs in Python on its result.

    Parameters
    ----------
    store : EventStore, str, Path or DuckDB connection
        An open store (its connection is borrowed), a store file (opened read-only), a
        Parquet directory / URL written by ``trilateral export``, or a connection (e.g.
        one evidence base's copy, :func:`~trilateral.measure.base_store`).
    countries : sequence of str
        ISO3 codes.
    start, end : date or ISO string, optional
        Inclusive date bounds.
    hostile : {"quad", "material"} or float, optional
        Only the hostile events, by the rule of :func:`match_tit_for_tat` (filtered by the
        engine: on an archive, far fewer rows reach Python). Default None: every event.
    engine : {"duckdb", "spark"} or EngineConfig, optional
        Where the query runs (default DuckDB); see docs/scale.md. Both engines return
        the same rows.

    Returns
    -------
    polars.DataFrame
        The canonical event columns plus ``magnitude`` (Float64) and ``description``.

    Raises
    ------
    StoreError
        No store at the path, or it cannot be opened.
    DataError
        The store holds no events.

    Examples
    --------
    >>> from trilateral.measure import base_store
    >>> with base_store("trilateral.duckdb", "icews") as con:  # one evidence base
    ...     ev = load_events(con, ("USA", "RUS"), "2018-03-26", "2018-04-30")
    >>> res = match_tit_for_tat(ev, window_days=14, arenas=["diplomatic"], match_on="family")
    >>> res.matches.height, int(res.matches["act_n_reports"].sum())
    (111, 189)
    """
    q = _EventsQuery(
        codes=tuple(c.upper() for c in countries),
        start=as_date(start, "start"),
        end=as_date(end, "end"),
        hostile=None if hostile is None else _hostile_rule(hostile),
    )
    cfg = resolve_engine(engine)
    with event_source(store, cfg, columns=EVENT_COLUMNS, extras=True) as source:
        frame = source.frame(_events_sql(source.dialect, q))
    return frame.with_columns(pl.col("magnitude").cast(pl.Float64))


def _hostile_filter(hostile: Hostile, columns: Sequence[str]) -> pl.Expr:
    column, bound = _hostile_rule(hostile)
    if column not in columns:
        raise DataError(f"events lack the {column} column", hint="pass canonical events")
    if column == "quad_class":
        return pl.col("quad_class").cast(pl.Int64) >= int(bound)
    return pl.col("goldstein") <= bound


def _greedy(
    acts: list[tuple[int, str]],
    answers: list[tuple[int, str]],
    window: int,
    min_lag: int = 1,
) -> list[int]:
    """For acts and candidate answers sorted by (day, id): index of each act's answer or −1.

    Each act, in time order, takes the earliest answer not yet taken with
    ``act day + min_lag ≤ answer day ≤ act day + window``. Answers dated before an act's
    day + ``min_lag`` can never serve a later act, and the answers taken always form a
    prefix of those not too early for the current act, so one forward pointer suffices.
    """
    out: list[int] = []
    nxt = 0
    for day, _ in acts:
        while nxt < len(answers) and answers[nxt][0] < day + min_lag:
            nxt += 1
        if nxt < len(answers) and answers[nxt][0] <= day + window:
            out.append(nxt)
            nxt += 1
        else:
            out.append(-1)
    return out


def match_tit_for_tat(
    events: pl.DataFrame | pa.Table,
    window_days: int = 30,
    arenas: Sequence[str] | None = None,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    hostile: Hostile = "quad",
    same_arena: bool = True,
    match_on: MatchOn = "arena",
    min_lag_days: int = 1,
    unit: Unit = "acts",
) -> TitForTatResults:
    """Match each hostile act i→j with j's first answer in kind.

    Acts, not reports. By default (``unit="acts"``) the rows are first collapsed into acts
    (:func:`~trilateral.measure.collapse_acts`: rows of one day, source, target and CAMEO
    code are one act, ``n_reports`` kept), so that fifty reports of one expulsion are one
    act, and one answer. ``unit="reports"`` matches the rows as they are.

    Matching rule. Hostile acts (``hostile``) among ``countries`` in ``arenas`` are
    split by direction, by arena when ``same_arena``, and by CAMEO root code (first two
    digits), full CAMEO code or CAMEO family (:func:`~trilateral.measure.cameo_family`,
    the documented table in ``measure/_files/cameo_families.csv``: an expulsion, 174, and
    a reduction of diplomatic relations, 161, are one family) when ``match_on`` is
    ``"root"``, ``"code"`` or ``"family"``. An act i→j
    dated d is *answered* by a hostile j→i event of the same split dated d' with
    ``d + min_lag_days ≤ d' ≤ d + window_days``: both window edges are inclusive, and by
    default (``min_lag_days=1``) an event on the act's own day is not an answer, because
    the order of two events on one day is unknown. Each event answers at most one act:
    acts are taken in time order (ties by ``event_id``) and each takes the earliest answer
    not already taken (greedy; for equal windows this also maximises the number of
    answered acts). An event can be both an answer and an act answered in turn, as in a
    spiral of retaliation.

    ``match_on`` and ``same_arena`` combine: ``match_on`` sets how alike the answer must
    be in CAMEO terms, ``same_arena`` whether it must also be in the act's arena.

    ===========  ====================  ========================================
    match_on     same_arena=True       same_arena=False
    ===========  ====================  ========================================
    ``"arena"``  same arena            any hostile answer (any arena, any code)
    ``"root"``   same arena and root   same CAMEO root, any arena
    ``"code"``   same arena and code   same full CAMEO code, any arena
    ``"family"`` same arena and family same CAMEO family, any arena
    ===========  ====================  ========================================

    With ``match_on`` "root", "code" or "family", an event without a CAMEO code is listed as an
    act but can neither be answered nor answer.

    Same-day answers (``min_lag_days=0``). Retaliation announced in advance can fall on
    the act's own day (China's tariffs of 6 July 2018 took effect the day the US's did).
    With ``min_lag_days=0`` such events count as answers, with ``lag_days`` 0, but the
    data cannot tell which of two same-day events came first: two hostile events i→j and
    j→i on one day are *each* recorded as the other's answer (when neither is taken
    already), so a lag-0 pair is a simultaneous exchange, not evidence of who answered
    whom. Keep the default 1 to count only answers that follow the act.

    Parameters
    ----------
    events : polars.DataFrame or pyarrow.Table
        Canonical events (``event_id, date, source, target, arena`` and ``quad_class``
        or ``goldstein``; ``cameo`` if present, required by ``match_on`` "root", "code"
        and "family" and by ``unit="acts"``), plus an optional ``magnitude`` column (see :func:`load_events`).
    window_days : int
        Longest answer lag, in days (inclusive), at least 1 and ≥ ``min_lag_days``.
    arenas : sequence of str, optional
        Arenas to consider (default: every arena present in ``events``).
    countries : sequence of str
        ISO3 codes; only events between two of them count.
    hostile : {"quad", "material"} or float
        Which events are hostile: quad classes 3–4, quad class 4, or Goldstein ≤ value.
    same_arena : bool
        Whether an answer must be in the act's arena (True) or may be in any arena.
    match_on : {"arena", "root", "code", "family"}
        What else the answer must share with the act: nothing (``"arena"``), the CAMEO
        root code (``"root"``), the full CAMEO code (``"code"``) or the CAMEO family
        (``"family"``); see the table above.
    min_lag_days : int
        Shortest answer lag, in days (inclusive): 1 (default) excludes the act's own day,
        0 admits same-day answers.
    unit : {"acts", "reports"}
        Match acts (default; rows collapsed by day, source, target and CAMEO code —
        by arena instead of code when there is no ``cameo`` column) or the rows as
        given. Input that already has
        ``n_reports`` (the output of :func:`~trilateral.measure.collapse_acts`) is taken
        as acts.

    Returns
    -------
    TitForTatResults

    Raises
    ------
    ConfigError
        A bad window, lag, ``match_on``, arena, hostile rule or too few countries.
    DataError
        ``events`` lack a column the rule needs.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> ev = pl.DataFrame({
    ...     "event_id": ["a", "b"], "date": [date(2018, 3, 26), date(2018, 3, 29)],
    ...     "source": ["USA", "RUS"], "target": ["RUS", "USA"], "cameo": "1246",
    ...     "arena": "diplomatic", "quad_class": 4, "magnitude": [60.0, 60.0]})
    >>> m = match_tit_for_tat(ev, match_on="root").matches
    >>> m.filter(pl.col("act_id") == "a").select("answer_id", "lag_days", "magnitude_ratio").row(0)
    ('b', 3, 1.0)
    """
    _check_settings(window_days, min_lag_days, match_on, unit)
    codes = tuple(c.upper() for c in countries)
    if len(set(codes)) < 2:
        raise ConfigError("need at least two different countries", hint="e.g. ('USA', 'RUS')")
    frame = _as_frame(events, match_on, unit)
    if arenas is None:
        chosen = tuple(sorted(frame["arena"].drop_nulls().unique().to_list()))
    else:
        chosen = (arenas,) if isinstance(arenas, str) else tuple(arenas)
        unknown = [a for a in chosen if a not in ARENAS]
        if unknown:
            raise ConfigError(f"unknown arena(s) {unknown}", hint=f"use some of {ARENAS}")
    acts = _hostile_acts(frame, hostile, codes, chosen, match_on)
    rows = acts.to_dicts()
    answer_of = _match_rows(rows, same_arena, window_days, min_lag_days)
    return TitForTatResults(
        matches=_matches_frame(rows, answer_of),
        window_days=window_days,
        arenas=chosen,
        countries=codes,
        hostile=hostile,
        same_arena=same_arena,
        match_on=match_on,
        min_lag_days=min_lag_days,
        unit=unit,
        acts=acts.select("source", "target", "arena", "_day", "_kind"),
    )


def _check_settings(window_days: int, min_lag_days: int, match_on: str, unit: str) -> None:
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ConfigError(f"window_days must be a positive integer, got {window_days!r}")
    if (
        isinstance(min_lag_days, bool)
        or not isinstance(min_lag_days, int)
        or not 0 <= min_lag_days <= window_days
    ):
        raise ConfigError(
            f"min_lag_days must be an integer in 0..window_days ({window_days}), "
            f"got {min_lag_days!r}",
            hint="1 (default) excludes same-day answers, 0 admits them",
        )
    if match_on not in _MATCH_ON:
        raise ConfigError(f"unknown match_on {match_on!r}", hint=f"use one of {_MATCH_ON}")
    if unit not in ("acts", "reports"):
        raise ConfigError(f"unknown unit {unit!r}", hint="use 'acts' or 'reports'")


def _as_frame(events: pl.DataFrame | pa.Table, match_on: str, unit: str) -> pl.DataFrame:
    """The events as a polars frame with the columns the rule needs (acts when asked)."""
    frame = pl.from_arrow(events) if isinstance(events, pa.Table) else events
    if not isinstance(frame, pl.DataFrame):
        raise ConfigError(
            f"events must be a polars DataFrame or an Arrow table, got {type(events).__name__}"
        )
    if "n_reports" in frame.columns and "act_id" in frame.columns:
        frame = frame.with_columns(pl.col("act_id").alias("event_id"))
    needed = ["event_id", "date", "source", "target", "arena"]
    if match_on != "arena":
        needed.append("cameo")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"events lack column(s) {missing}", hint="pass canonical events")
    if "n_reports" in frame.columns:
        return frame
    if unit == "acts":  # without CAMEO codes, the arena stands in for the code
        key = ACT_KEY if "cameo" in frame.columns else ("date", "source", "target", "arena")
        return collapse_acts(frame, key=key).with_columns(pl.col("act_id").alias("event_id"))
    return frame.with_columns(pl.lit(1, pl.Int64).alias("n_reports"))


def _hostile_acts(
    frame: pl.DataFrame,
    hostile: Hostile,
    codes: tuple[str, ...],
    chosen: tuple[str, ...],
    match_on: str,
) -> pl.DataFrame:
    """The hostile acts among ``codes`` in the ``chosen`` arenas, with ``_day`` and
    ``_kind`` (what an answer must share), sorted by date and id."""
    is_hostile = _hostile_filter(hostile, frame.columns)
    opt = [
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in (("cameo", pl.String), ("magnitude", pl.Float64))
    ]
    kind = {
        "arena": pl.lit(""),
        "root": pl.col("cameo").str.slice(0, 2),
        "code": pl.col("cameo"),
        "family": family_expr("cameo"),
    }[match_on]
    return (
        frame.filter(
            is_hostile
            & pl.col("source").is_in(codes)
            & pl.col("target").is_in(codes)
            & (pl.col("source") != pl.col("target"))
            & pl.col("arena").is_in(chosen)
        )
        .select(
            pl.col("event_id").cast(pl.String),
            pl.col("date").cast(pl.Date),
            "source",
            "target",
            "arena",
            pl.col("n_reports").cast(pl.Int64),
            *opt,
        )
        .with_columns(pl.col("date").cast(pl.Int32).alias("_day"), kind.alias("_kind"))
        .sort("date", "event_id")
    )


def _match_rows(
    rows: list[dict[str, Any]], same_arena: bool, window_days: int, min_lag_days: int
) -> list[int]:
    """The index of each row's answer among ``rows`` (−1: unanswered)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for n, r in enumerate(rows):
        if r["_kind"] is None:  # no CAMEO code (or family): in no root/code family
            continue
        group = (r["source"], r["target"], r["_kind"], *([r["arena"]] if same_arena else []))
        groups.setdefault(group, []).append(n)
    answer_of = [-1] * len(rows)
    for key, members in groups.items():
        back = (key[1], key[0], *key[2:])
        pool = groups.get(back, [])
        picks = _greedy(
            [(rows[n]["_day"], rows[n]["event_id"]) for n in members],
            [(rows[n]["_day"], rows[n]["event_id"]) for n in pool],
            window_days,
            min_lag_days,
        )
        for n, p in zip(members, picks, strict=True):
            answer_of[n] = pool[p] if p >= 0 else -1
    return answer_of


def _matches_frame(rows: list[dict[str, Any]], answer_of: list[int]) -> pl.DataFrame:
    out: dict[str, list[Any]] = {c: [] for c in _MATCH_SCHEMA}
    for n, r in enumerate(rows):
        a = rows[answer_of[n]] if answer_of[n] >= 0 else None
        out["source"].append(r["source"])
        out["target"].append(r["target"])
        out["arena"].append(r["arena"])
        out["act_id"].append(r["event_id"])
        out["act_date"].append(r["date"])
        out["act_cameo"].append(r["cameo"])
        out["act_magnitude"].append(r["magnitude"])
        out["act_n_reports"].append(r["n_reports"])
        out["answered"].append(a is not None)
        out["answer_id"].append(None if a is None else a["event_id"])
        out["answer_date"].append(None if a is None else a["date"])
        out["answer_arena"].append(None if a is None else a["arena"])
        out["answer_cameo"].append(None if a is None else a["cameo"])
        out["answer_magnitude"].append(None if a is None else a["magnitude"])
        out["lag_days"].append(None if a is None else a["_day"] - r["_day"])
        ratio = None
        if a is not None and a["magnitude"] is not None and r["magnitude"]:
            ratio = a["magnitude"] / r["magnitude"]
        out["magnitude_ratio"].append(ratio)
    return pl.DataFrame(out, schema=_MATCH_SCHEMA)


@dataclass(frozen=True, slots=True)
class TitForTatResults:
    """Acts and their answers (from :func:`match_tit_for_tat`).

    Attributes
    ----------
    matches : polars.DataFrame
        One row per hostile act, in time order: ``source, target, arena`` (of the act),
        ``act_id, act_date, act_cameo, act_magnitude``, ``answered``, and for answered
        acts ``answer_id, answer_date, answer_arena, answer_cameo, answer_magnitude``,
        ``lag_days`` (``min_lag_days`` … ``window_days``) and ``magnitude_ratio``
        (answer / act, when both magnitudes are known and the act's is non-zero; 1.0 is
        "60 expelled for 60"); ``act_n_reports``: the reports behind the act.
    window_days, arenas, countries, hostile, same_arena, match_on, min_lag_days, unit
        The matching settings.
    acts : polars.DataFrame or None
        The hostile acts matched (``source, target, arena, _day, _kind``), for
        :meth:`baseline_frame`.
    """

    matches: pl.DataFrame
    window_days: int
    arenas: tuple[str, ...]
    countries: tuple[str, ...]
    hostile: Hostile
    same_arena: bool
    match_on: MatchOn = "arena"
    min_lag_days: int = 1
    unit: Unit = "acts"
    acts: pl.DataFrame | None = None

    def to_frame(self) -> pl.DataFrame:
        """:attr:`matches`."""
        return self.matches

    def summary_frame(self) -> pl.DataFrame:
        """Per arena and directed dyad (acts by ``source`` against ``target``).

        Columns (``base`` first when the matches carry one, from
        :func:`~trilateral.measure.merge_titfortat`) ``arena, source, target, n_acts,
        n_reports, n_answered, answer_rate, median_lag_days``, and quartiles of the magnitude ratio over the answered acts
        that have one (``n_ratios, ratio_q25, ratio_median, ratio_q75``, linear
        interpolation). Rows with ``arena == "all"`` pool the arenas of each dyad.

        Examples
        --------
        >>> from trilateral.measure import base_store, load_events
        >>> with base_store("trilateral.duckdb", "icews") as con:
        ...     ev = load_events(con, ("USA", "RUS"), "2018-03-26", "2018-04-30")
        >>> res = match_tit_for_tat(ev, window_days=14, arenas=["diplomatic"], match_on="family")
        >>> s = res.summary_frame().filter(pl.col("arena") == "diplomatic")
        >>> s.select("source", "target", "n_acts", "n_reports", "n_answered").rows()
        [('RUS', 'USA', 47, 64, 34), ('USA', 'RUS', 64, 125, 37)]
        """
        m = self.matches
        stats = [
            pl.len().alias("n_acts"),
            pl.col("act_n_reports").sum().cast(pl.Int64).alias("n_reports"),
            pl.col("answered").sum().cast(pl.Int64).alias("n_answered"),
            pl.col("answered").mean().alias("answer_rate"),
            pl.col("lag_days").median().alias("median_lag_days"),
            pl.col("magnitude_ratio").count().alias("n_ratios"),
            pl.col("magnitude_ratio").quantile(0.25, "linear").alias("ratio_q25"),
            pl.col("magnitude_ratio").median().alias("ratio_median"),
            pl.col("magnitude_ratio").quantile(0.75, "linear").alias("ratio_q75"),
        ]
        b = ["base"] if "base" in m.columns else []  # evidence bases side by side
        by_arena = m.group_by(*b, "arena", "source", "target").agg(stats)
        pooled = (
            m.group_by(*b, "source", "target")
            .agg(stats)
            .with_columns(pl.lit("all").alias("arena"))
            .select(by_arena.columns)
        )
        return pl.concat([by_arena, pooled]).sort(*b, "arena", "source", "target")

    def baseline_frame(self, n_draws: int = 999, rng: Any = None) -> pl.DataFrame:
        """Each directed dyad's answer rate against chance, per arena (never pooled).

        For every ``(arena, source, target)`` of :meth:`summary_frame` (the per-arena
        rows), the answer rate expected if the target's hostile acts fell at random in
        time: :func:`~trilateral.measure.chance_baseline` per group of acts that may
        answer each other (arena and kind), the target's act days permuted over the
        days the matched acts span, ``n_draws`` times with one seeded generator per row
        (``SeedSequence.spawn``); the expected rate is the acts-weighted mean over the
        groups of the dyad, and ``p_value`` the share of draws (of the whole dyad) at
        least as high as the observed rate.

        Returns
        -------
        polars.DataFrame
            ``arena, source, target, n_acts, answer_rate, chance_rate, chance_low,
            chance_high, p_value, n_draws``.

        Examples
        --------
        >>> import polars as pl
        >>> from datetime import date, timedelta
        >>> d = [date(2018, 1, 1) + timedelta(days=k) for k in (0, 3, 40, 43, 80, 83)]
        >>> ev = pl.DataFrame({"event_id": list("abcdef"), "date": d,
        ...     "source": ["USA", "RUS"] * 3, "target": ["RUS", "USA"] * 3, "cameo": "174",
        ...     "arena": "diplomatic", "quad_class": 4})
        >>> b = match_tit_for_tat(ev, window_days=5).baseline_frame(n_draws=199, rng=0)
        >>> b.filter(pl.col("source") == "USA").select("answer_rate", "chance_rate").rows()
        [(1.0, 0.1...)]
        """
        from .._rng import spawn

        cols = ["arena", "source", "target", "n_acts", "answer_rate"]
        if "base" in self.matches.columns:
            cols.insert(0, "base")
        summary = self.summary_frame().filter(pl.col("arena") != "all").select(cols)
        acts = self.acts
        if acts is None or acts.height == 0:
            return summary.with_columns(
                [pl.lit(None, pl.Float64).alias(c) for c in _BASELINE_COLS]
            ).with_columns(pl.lit(n_draws).alias("n_draws"))
        days = acts["_day"].to_numpy()
        lo, hi = int(days.min()), int(days.max())
        rows = summary.rows(named=True)
        out = []
        for r, gen in zip(rows, spawn(rng, len(rows)), strict=True):
            out.append(r | self._dyad_baseline(acts, r, (lo, hi), n_draws, gen))
        return pl.DataFrame(out, schema_overrides={c: pl.Float64 for c in _BASELINE_COLS})

    def _dyad_baseline(
        self, acts: pl.DataFrame, r: dict[str, Any], span: tuple[int, int], n: int, gen: Any
    ) -> dict[str, Any]:
        if "base" in acts.columns:
            acts = acts.filter(pl.col("base") == r["base"])
        mine = acts.filter(
            (pl.col("source") == r["source"])
            & (pl.col("target") == r["target"])
            & (pl.col("arena") == r["arena"])
            & pl.col("_kind").is_not_null()
        )
        total = np.zeros(n)
        for (kind,), group in mine.group_by("_kind"):
            back = acts.filter(
                (pl.col("source") == r["target"])
                & (pl.col("target") == r["source"])
                & (pl.col("_kind") == kind)
                & ((pl.col("arena") == r["arena"]) if self.same_arena else pl.lit(True))
            )
            b = chance_baseline(
                group["_day"].to_numpy(),
                back["_day"].to_numpy(),
                span,
                self.window_days,
                min_lag_days=self.min_lag_days,
                n_draws=n,
                rng=gen,
                keep_draws=True,
            )
            total += b["draws"] * group.height
        rates = total / max(int(r["n_acts"]), 1)
        obs = float(r["answer_rate"])
        return {
            "chance_rate": float(rates.mean()),
            "chance_low": float(np.quantile(rates, 0.025)),
            "chance_high": float(np.quantile(rates, 0.975)),
            "p_value": float((1 + (rates >= obs - 1e-12).sum()) / (n + 1)),
            "n_draws": n,
        }

    def summary(self) -> str:
        """Answer rates, lags and magnitude ratios per arena and dyad, as text.

        Examples
        --------
        >>> from trilateral.measure import base_store, load_events
        >>> with base_store("trilateral.duckdb", "icews") as con:
        ...     ev = load_events(con, ("USA", "RUS"), "2018-03-26", "2018-04-30")
        >>> res = match_tit_for_tat(ev, window_days=14, arenas=["diplomatic"], match_on="family")
        >>> print(res.summary())  # doctest: +NORMALIZE_WHITESPACE
        Tit-for-tat matching: hostile = quad classes 3–4; answer within 14 days (lag 1–14 days;
        same arena, same CAMEO family; acts); each answer used once
          111 hostile acts, 71 answered
        <BLANKLINE>
          arena        dyad       acts  answered  rate   lag  ratio q25/median/q75
          all          RUS→USA     47        34  0.72     2  –
          all          USA→RUS     64        37  0.58     4  –
          diplomatic   RUS→USA     47        34  0.72     2  –
          diplomatic   USA→RUS     64        37  0.58     4  –
        """
        rule = {"quad": "quad classes 3–4", "material": "quad class 4"}.get(
            str(self.hostile), f"Goldstein ≤ {self.hostile}"
        )
        scope = "same arena" if self.same_arena else "any arena"
        scope += {
            "arena": "",
            "root": ", same CAMEO root",
            "code": ", same CAMEO code",
            "family": ", same CAMEO family",
        }[self.match_on]
        scope += "; acts" if self.unit == "acts" else "; reports"
        lines = [
            f"Tit-for-tat matching: hostile = {rule}; answer within {self.window_days} days "
            f"(lag {self.min_lag_days}–{self.window_days} days; {scope}); each answer used once",
            f"  {self.matches.height} hostile acts, {int(self.matches['answered'].sum())} answered",
            "",
            f"  {'arena':<12} {'dyad':<9} {'acts':>5} {'answered':>9} {'rate':>5} "
            f"{'lag':>5}  ratio q25/median/q75",
        ]

        def fmt(x: float | None, spec: str) -> str:
            return "–" if x is None else format(x, spec)

        for r in self.summary_frame().iter_rows(named=True):
            ratios = (
                "–"
                if not r["n_ratios"]
                else f"{r['ratio_q25']:.2f}/{r['ratio_median']:.2f}/{r['ratio_q75']:.2f}"
                f" (n={r['n_ratios']})"
            )
            on = f"[{r['base']}] " if "base" in r else ""
            lines.append(
                f"  {on}{r['arena']:<12} {r['source']}→{r['target']:<4} {r['n_acts']:>5} "
                f"{r['n_answered']:>9} {fmt(r['answer_rate'], '.2f'):>5} "
                f"{fmt(r['median_lag_days'], '.0f'):>5}  {ratios}"
            )
        return "\n".join(lines)
