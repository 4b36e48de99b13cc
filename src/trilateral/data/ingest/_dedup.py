"""Key and dedup: inside a file's transaction, make its event ids unique in the store and
list its rows that other files hold already (``event_duplicates``).

The rules are in :mod:`trilateral.data.store`'s module notes ("Event ids are unique",
"Cross-dataset duplicates are marked at ingest").
"""

from __future__ import annotations

import duckdb

from .._records import FileDuplicates
from .._store_write import run_sql as _run

__all__ = ["NOT_A_DUPLICATE", "duplicates_of", "mark_duplicates"]

#: SQL condition on the ``events`` table (alias-free) keeping one copy of each event that
#: several files hold (see the module notes); ``indices(..., dedup="cross-dataset")``.
NOT_A_DUPLICATE = (
    "NOT EXISTS (SELECT 1 FROM event_duplicates AS dup "
    "WHERE dup.event_id = events.event_id AND dup.ingest_id = events.ingest_id)"
)

# The duplicate key of a row of ``events`` (see the module notes). For the ICEWS layouts
# a hash of day, actors and code; for the others the event id itself (the rows of the
# two kinds never match each other).
_ICEWS = "dataset IN ('icews', 'icews_tkg')"
_NAME = "lower(replace(replace(coalesce({col}, ''), '_', ' '), chr(160), ' '))"
_ICEWS_KEY = (
    "md5_number(concat_ws('|', 'icews', CAST(date AS VARCHAR), "
    + _NAME.format(col="source_actor")
    + ", cameo, "
    + _NAME.format(col="target_actor")
    + "))"
)


def mark_duplicates(con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
    """Inside the ingest transaction: make the new file's event ids unique in the store and
    list its rows that other files hold already (``event_duplicates``).

    Event ids are compared by a semi-join of the new file's ids against the other files'
    (no index to maintain on the hot insert): the rows of other files holding one of the
    new ids — usually none — are gathered once and serve both the id duplicates and the
    renaming. The ICEWS key (a hash) is computed only when the new file has ICEWS rows.
    """
    i = int(ingest_id)
    span = con.execute(f"SELECT min(date), max(date) FROM events WHERE ingest_id = {i}").fetchone()
    if span is None or span[0] is None:
        return
    others = con.execute(f"SELECT count(*) FROM events WHERE ingest_id <> {i}").fetchone()
    if not others or not others[0]:  # the first file of a store: nothing to compare with
        return
    _run(
        con,
        "CREATE OR REPLACE TEMP TABLE _trilateral_same_ids AS "
        f"SELECT ingest_id, event_id, date, {_ICEWS} AS icews FROM events "
        f"WHERE ingest_id <> {i} AND event_id IN (SELECT event_id FROM events "
        f"WHERE ingest_id = {i})",
    )
    ((shared,),) = con.execute("SELECT count(*) FROM _trilateral_same_ids").fetchall()
    if shared:  # the same id in another file and in this one's date span: a duplicate
        _run(
            con,
            "INSERT INTO event_duplicates "
            "SELECT n.event_id, ?, min(o.ingest_id) FROM ("
            "  SELECT event_id, row_number() OVER (PARTITION BY event_id) AS occ "
            f"  FROM events WHERE ingest_id = {i} AND NOT {_ICEWS} "
            "  AND event_id IN (SELECT event_id FROM _trilateral_same_ids)"
            ") AS n JOIN ("
            "  SELECT ingest_id, event_id, "
            "  row_number() OVER (PARTITION BY ingest_id, event_id) AS occ "
            "  FROM _trilateral_same_ids WHERE NOT icews AND date BETWEEN ? AND ?"
            ") AS o ON o.event_id = n.event_id AND o.occ = n.occ GROUP BY n.event_id",
            [i, span[0], span[1]],
        )
    has_icews = con.execute(
        f"SELECT 1 FROM events WHERE ingest_id = {i} AND {_ICEWS} LIMIT 1"
    ).fetchall()
    if has_icews:
        _run(
            con,
            "INSERT INTO event_duplicates "
            "SELECT n.event_id, ?, min(o.ingest_id) FROM ("
            f"  SELECT event_id, {_ICEWS_KEY} AS k, "
            f"  row_number() OVER (PARTITION BY {_ICEWS_KEY} ORDER BY event_id) AS occ "
            f"  FROM events WHERE ingest_id = {i} AND {_ICEWS}"
            ") AS n JOIN ("
            f"  SELECT ingest_id, {_ICEWS_KEY} AS k, row_number() OVER "
            f"  (PARTITION BY ingest_id, {_ICEWS_KEY} ORDER BY event_id) AS occ "
            f"  FROM events WHERE ingest_id <> {i} AND {_ICEWS} AND date BETWEEN ? AND ?"
            ") AS o ON o.k = n.k AND o.occ = n.occ GROUP BY n.event_id",
            [i, span[0], span[1]],
        )
    if shared:
        for table in ("events", "event_extras", "event_duplicates"):
            _run(
                con,
                f"UPDATE {table} SET event_id = event_id || '@{i}' WHERE ingest_id = {i} "
                "AND event_id IN (SELECT event_id FROM _trilateral_same_ids)",
            )
    _run(con, "DROP TABLE _trilateral_same_ids")


def duplicates_of(
    con: duckdb.DuckDBPyConnection, ingest_id: int, path: str
) -> tuple[FileDuplicates, ...]:
    """After :func:`mark_duplicates`: the new file's rows that earlier files hold, by file."""
    rows = con.execute(
        "SELECT d.duplicate_of, i.path, count(*) FROM event_duplicates AS d "
        "JOIN ingests AS i ON i.ingest_id = d.duplicate_of WHERE d.ingest_id = ? "
        "GROUP BY ALL ORDER BY d.duplicate_of",
        [int(ingest_id)],
    ).fetchall()
    return tuple(FileDuplicates(int(ingest_id), path, int(o), p, int(n)) for o, p, n in rows)
