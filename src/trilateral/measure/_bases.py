"""Evidence bases: the store's rows grouped by where they come from.

A store row belongs to the base ``"chronicle"`` when its ``dataset`` is ``chronicle`` (the
curated, cited chronicle shipped with the package) and to the base ``"icews"`` when its
``dataset`` starts with ``icews`` (machine-coded ICEWS files, independent of any paper);
any other dataset (``gdelt2`` …) is a base of its own name. :func:`evidence_bases` lists
the bases of a store with the days each covers, and :func:`base_store` gives a read-only
in-memory copy of one base — optionally without the rows whose citation matches a
pattern — that every measure function (:func:`~trilateral.measure.indices`,
:func:`~trilateral.measure.load_events`, …) reads like a store.

Examples
--------
>>> from trilateral.measure import base_of
>>> base_of("icews_tkg"), base_of("chronicle"), base_of("gdelt2")
('icews', 'chronicle', 'gdelt2')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from ..errors import ConfigError, DataError
from ._gaps import SlotGaps, ledger_slots, slot_gaps
from ._store_access import open_store, require_events

__all__ = [
    "CHRONICLE",
    "COVERAGE_SLACK_DAYS",
    "ICEWS",
    "PAPER_CITATION",
    "PAPER_ONLY",
    "EvidenceBase",
    "base_of",
    "base_store",
    "evidence_bases",
    "paper_events",
]

CHRONICLE = "chronicle"
ICEWS = "icews"
#: Citations of the reference paper itself in the chronicle's ``url_or_citation``: a row
#: the paper documents starts ``Feng 2019 ref [n]: …`` or ``Feng 2019 (<passage>) …``
#: (data/_files/CHRONICLE.md, "Provenance"). A regular expression (Python ``re`` syntax,
#: which DuckDB's ``regexp_matches`` accepts for this pattern).
PAPER_CITATION = r"^Feng 2019\b"
#: The chronicle rows whose only source is the paper or its footnote: a paper citation
#: (:data:`PAPER_CITATION`) with no second source after it (the chronicle separates a
#: further source with ";": ``Feng 2019 ref [19]: BBC, 30 Jan 2018`` is paper-only,
#: ``Feng 2019 (…); White House statement, 26 Mar 2018`` is not). 9 of the 40 rows.
PAPER_ONLY = r"^Feng 2019\b[^;]*$"
#: Days a base's span may fall short of a window at either end and still cover it.
COVERAGE_SLACK_DAYS = 7

_BASE_SQL = (
    "CASE WHEN dataset = 'chronicle' THEN 'chronicle' "
    "WHEN starts_with(dataset, 'icews') THEN 'icews' ELSE dataset END"
)


def base_of(dataset: str) -> str:
    """The evidence base of a ``dataset`` value: ``chronicle``, ``icews`` or the dataset."""
    if dataset == CHRONICLE:
        return CHRONICLE
    if dataset.startswith(ICEWS):
        return ICEWS
    return dataset


@dataclass(frozen=True, slots=True)
class EvidenceBase:
    """One evidence base of a store.

    Attributes
    ----------
    name : str
        ``chronicle``, ``icews`` or another dataset's name.
    datasets : tuple of str
        The ``dataset`` values it holds.
    n_events : int
        Its rows.
    spans : tuple of (date, date)
        The days it covers: each ingested file's first to last event date, overlapping
        or adjacent spans merged.
    n_cited : int
        Rows whose ``url_or_citation`` matches the pattern asked for (0 without one).
    """

    name: str
    datasets: tuple[str, ...]
    n_events: int
    spans: tuple[tuple[date, date], ...]
    n_cited: int = 0
    #: ``(slot, status, reason)`` of the base's fetch ledger (a fetched base: ``gdelt2``,
    #: ``gdelt1``); () for a base with no fetch ledger.
    ledger: tuple[tuple[str, str, str | None], ...] = field(default=(), repr=False)

    def gaps(self, start: date | None = None, end: date | None = None) -> SlotGaps | None:
        """The fetched base's expected slots from ``start`` to ``end`` (default: what
        its ledger spans): failed, absent and untried ranges and the share fetched;
        None for a base with no fetch ledger (see :func:`~trilateral.measure.slot_gaps`)."""
        return slot_gaps(self.name, self.ledger, start, end)

    def covers(self, start: date, end: date, slack_days: int = COVERAGE_SLACK_DAYS) -> bool:
        """Whether one span holds every day from ``start`` to ``end``, give or take
        ``slack_days`` at either end (a source's first and last events rarely fall on the
        first and last days it covers: the chronicle's last is 29 December 2019).

        Examples
        --------
        >>> b = EvidenceBase("icews", ("icews_tkg",), 10, ((date(2018, 1, 1), date(2018, 8, 28)),))
        >>> b.covers(date(2018, 3, 26), date(2018, 4, 9)), b.covers(date(2018, 1, 1), date(2018, 12, 31))
        (True, False)
        """
        slack = timedelta(days=slack_days)
        return any(a - slack <= start and end <= b + slack for a, b in self.spans)

    def coverage_text(self, start: date | None = None, end: date | None = None) -> str:
        """The spans in words, e.g. ``"2018-01-01–2018-08-28"``; for a fetched base whose
        window (``start`` to ``end``, default its ledger's span) has gaps, followed by
        ``"; with gaps: "`` and :meth:`SlotGaps.text`."""
        text = ", ".join(f"{a}–{b}" for a, b in self.spans) or "no dated rows"
        g = self.gaps(start, end)
        return f"{text}; with gaps: {g.text()}" if g is not None and g.has_gaps else text


def _merge(spans: Sequence[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    out: list[tuple[date, date]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


def _check_pattern(pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"citation pattern {pattern!r} is not a regular expression: {exc}"
        ) from None


def evidence_bases(store: Any, cited: str | None = PAPER_CITATION) -> tuple[EvidenceBase, ...]:
    """The evidence bases of ``store``, sorted by name, with the days each covers.

    Parameters
    ----------
    store : EventStore, str, Path or DuckDB connection
    cited : str or None
        A regular expression; each base counts its rows whose ``url_or_citation``
        matches it (default :data:`PAPER_CITATION`, the reference paper).

    Returns
    -------
    tuple of EvidenceBase

    Examples
    --------
    >>> [b.name for b in evidence_bases("trilateral.duckdb")]
    ['chronicle', 'icews']
    """
    _check_pattern(cited)
    with open_store(store) as handle:
        require_events(handle)
        rows = handle.con.execute(
            f"SELECT {_BASE_SQL} AS base, dataset, ingest_id, count(*), min(date), max(date), "
            "count(*) FILTER (WHERE ? IS NOT NULL AND "
            "regexp_matches(coalesce(url_or_citation, ''), ?)) "
            "FROM events GROUP BY ALL ORDER BY base, dataset, ingest_id",
            [cited, cited or ""],
        ).fetchall()
        ledgers = {n: ledger_slots(handle.con, n) for n in {r[0] for r in rows}}
    out = []
    for name in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == name]
        out.append(
            EvidenceBase(
                name=name,
                datasets=tuple(sorted({r[1] for r in mine})),
                n_events=sum(int(r[3]) for r in mine),
                spans=_merge([(r[4], r[5]) for r in mine]),
                n_cited=sum(int(r[6]) for r in mine),
                ledger=ledgers[name],
            )
        )
    return tuple(out)


def paper_events(store: Any, cited: str = PAPER_CITATION) -> tuple[tuple[date, str, str], ...]:
    """The events the paper names: the day and country pair (sorted) of every chronicle
    row whose citation matches ``cited`` (default :data:`PAPER_CITATION`), sorted.

    Examples
    --------
    >>> ev = paper_events("trilateral.duckdb")
    >>> len(ev), ev[0]
    (32, (datetime.date(2007, 2, 10), 'RUS', 'USA'))
    """
    _check_pattern(cited)
    with open_store(store) as handle:
        require_events(handle)
        rows = handle.con.execute(
            "SELECT DISTINCT date, least(source, target), greatest(source, target) "
            "FROM events WHERE dataset = 'chronicle' AND source IS NOT NULL "
            "AND target IS NOT NULL AND regexp_matches(coalesce(url_or_citation, ''), ?) "
            "ORDER BY ALL",
            [cited],
        ).fetchall()
    return tuple((r[0], r[1], r[2]) for r in rows)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    ((n,),) = con.execute(
        "SELECT count(*) FROM (SELECT table_name FROM duckdb_tables() WHERE table_name = ? "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name = ?)",
        [name, name],
    ).fetchall()
    return bool(n)


@contextmanager
def base_store(
    store: Any,
    base: str,
    *,
    exclude_cited: str | None = None,
    keep_duplicates: bool = False,
    exclude_events: Sequence[tuple[date, str, str]] = (),
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory copy of one evidence base of ``store``, for the ``with`` block.

    The copy has the store's ``events`` (only the base's rows, and without the rows whose
    ``url_or_citation`` matches ``exclude_cited`` when given), their ``event_extras`` and
    the ``ingests`` they came from; every measure function reads it as a store. A row the
    store lists in ``event_duplicates`` (the same report already held from another file,
    e.g. ICEWS05-15 and ICEWS14 overlapping) is left out unless ``keep_duplicates``, so
    the same report in two releases of one dataset counts once.

    Parameters
    ----------
    store : EventStore, str, Path or DuckDB connection
    base : str
        ``chronicle``, ``icews`` or another dataset's name (see :func:`base_of`).
    exclude_cited : str, optional
        A regular expression (e.g. :data:`PAPER_CITATION`): rows whose citation matches
        it are left out.
    keep_duplicates : bool
        Keep the rows the store lists as duplicates of another file's (default False).
    exclude_events : sequence of (date, str, str)
        Days and country pairs (either direction; e.g. :func:`paper_events`): every row
        of that day between those two countries is left out.

    Raises
    ------
    DataError
        The base has no rows (left) in the store.

    Examples
    --------
    >>> from trilateral.measure import indices
    >>> with base_store("trilateral.duckdb", "icews") as con:
    ...     idx = indices(con, period="month", n_boot=0)
    >>> idx.frame.height, idx.period
    (5940, 'month')
    """
    _check_pattern(exclude_cited)
    where = f"{_BASE_SQL} = ?"
    params: list[Any] = [base]
    if exclude_cited is not None:
        where += " AND NOT regexp_matches(coalesce(url_or_citation, ''), ?)"
        params.append(exclude_cited)
    if exclude_events:
        values = ", ".join("(?::DATE, ?, ?)" for _ in exclude_events)
        where += (
            f" AND NOT EXISTS (SELECT 1 FROM (VALUES {values}) AS x(d, a, b) WHERE "
            "x.d = events.date AND x.a = least(events.source, events.target) "
            "AND x.b = greatest(events.source, events.target))"
        )
        for d, a, b in exclude_events:
            params += [d, min(a, b), max(a, b)]
    with open_store(store) as handle:
        require_events(handle)
        con = handle.con
        if not keep_duplicates and _has_table(con, "event_duplicates"):
            where += (
                " AND NOT EXISTS (SELECT 1 FROM event_duplicates AS dup WHERE "
                "dup.event_id = events.event_id AND dup.ingest_id = events.ingest_id)"
            )
        events = con.sql(f"SELECT * FROM events WHERE {where}", params=params).to_arrow_table()
        extras = con.sql(
            f"SELECT * FROM event_extras WHERE event_id IN "
            f"(SELECT event_id FROM events WHERE {where})",
            params=params,
        ).to_arrow_table()
        ingests = con.sql(
            f"SELECT * FROM ingests WHERE ingest_id IN "
            f"(SELECT ingest_id FROM events WHERE {where})",
            params=params,
        ).to_arrow_table()
    mem = duckdb.connect()
    try:
        for name, table in (("events", events), ("event_extras", extras), ("ingests", ingests)):
            mem.register("_copy", table)
            mem.execute(f"CREATE TABLE {name} AS SELECT * FROM _copy")
            mem.unregister("_copy")
        if len(events) == 0:
            left = " (after leaving out the cited rows)" if exclude_cited else ""
            raise DataError(f"the store holds no {base} rows{left}")
        yield mem
    finally:
        mem.close()
