"""What a store holds: datasets, dyad counts and actor resolution per file (the queries
behind :meth:`EventStore.info` and :meth:`EventStore.coverage`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from ._records import (
    DatasetInfo,
    DyadCount,
    FileDuplicates,
    IngestRecord,
    ResolutionCoverage,
    StoreInfo,
    UnresolvedName,
)
from .actors import is_multilateral

__all__ = ["datasets", "file_duplicates", "resolution_coverage", "store_info"]


def datasets(con: duckdb.DuckDBPyConnection) -> tuple[DatasetInfo, ...]:
    """Events per dataset with their first and last date."""
    rows = con.execute(
        "SELECT dataset, count(*), min(date), max(date) FROM events "
        "GROUP BY dataset ORDER BY dataset"
    ).fetchall()
    return tuple(DatasetInfo(*r) for r in rows)


def store_info(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    countries: Sequence[str],
    ingests: tuple[IngestRecord, ...],
    coverage: bool,
) -> StoreInfo:
    """See :meth:`EventStore.info`."""
    countries = tuple(countries)
    counts: dict[tuple[str, str], int] = {}
    if countries:
        marks = ", ".join("?" for _ in countries)
        rows = con.execute(
            f"SELECT source, target, count(*) FROM events "
            f"WHERE source IN ({marks}) AND target IN ({marks}) GROUP BY source, target",
            [*countries, *countries],
        ).fetchall()
        counts = {(s, t): n for s, t, n in rows}
    dyads = tuple(
        DyadCount(s, t, counts.get((s, t), 0)) for s in countries for t in countries if s != t
    )
    per_dataset = datasets(con)
    return StoreInfo(
        path=str(path),
        n_events=sum(d.n_events for d in per_dataset),
        datasets=per_dataset,
        ingests=ingests,
        countries=countries,
        dyads=dyads,
        coverage=resolution_coverage(con, ingests) if coverage else (),
        duplicates=file_duplicates(con),
    )


def file_duplicates(con: duckdb.DuckDBPyConnection) -> tuple[FileDuplicates, ...]:
    """Per file, its rows that an earlier file holds (``event_duplicates``), by that file."""
    rows = con.execute(
        "SELECT d.ingest_id, i.path, d.duplicate_of, o.path, count(*) "
        "FROM event_duplicates AS d JOIN ingests AS i ON i.ingest_id = d.ingest_id "
        "JOIN ingests AS o ON o.ingest_id = d.duplicate_of "
        "GROUP BY ALL ORDER BY d.ingest_id, d.duplicate_of"
    ).fetchall()
    return tuple(FileDuplicates(int(i), p, int(o), op, int(n)) for i, p, o, op, n in rows)


def resolution_coverage(
    con: duckdb.DuckDBPyConnection, ingests: tuple[IngestRecord, ...], top: int = 20
) -> tuple[ResolutionCoverage, ...]:
    """See :meth:`EventStore.coverage`."""
    counts = con.execute(
        "SELECT ingest_id, count(*), "
        "count(*) FILTER (WHERE source IS NOT NULL AND target IS NOT NULL) "
        "FROM events GROUP BY ingest_id"
    ).fetchall()
    by_id = {i: (n, both) for i, n, both in counts}
    names = con.execute(
        "WITH sides AS ("
        "  SELECT ingest_id, coalesce(source_actor, '(no actor)') AS name FROM events "
        "  WHERE source IS NULL "
        "  UNION ALL "
        "  SELECT ingest_id, coalesce(target_actor, '(no actor)') FROM events "
        "  WHERE target IS NULL) "
        "SELECT ingest_id, name, count(*) AS n FROM sides GROUP BY ingest_id, name "
        "QUALIFY row_number() OVER (PARTITION BY ingest_id ORDER BY n DESC, name) <= ? "
        "ORDER BY ingest_id, n DESC, name",
        [int(top)],
    ).fetchall()
    unresolved: dict[int, list[UnresolvedName]] = {}
    for i, name, n in names:
        unresolved.setdefault(i, []).append(UnresolvedName(name, int(n), is_multilateral(name)))
    return tuple(
        ResolutionCoverage(
            ingest_id=rec.ingest_id,
            path=rec.path,
            dataset=rec.dataset,
            rows=int(by_id.get(rec.ingest_id, (0, 0))[0]),
            both_resolved=int(by_id.get(rec.ingest_id, (0, 0))[1]),
            unresolved=tuple(unresolved.get(rec.ingest_id, ())),
        )
        for rec in ingests
    )
