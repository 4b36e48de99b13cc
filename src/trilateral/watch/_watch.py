"""One poll of GDELT 2.0's ``lastupdate.txt``, and a loop of them.

A poll fetches the newest slot's export file with every guarantee of
:func:`~trilateral.data.fetch_gdelt2` (verified, one transaction, in the fetch ledger),
then, for each evidence base the new files belong to, compares the latest month's
regimes, triangle type and dyad indices without and with them
(:mod:`trilateral.watch._changes`). It returns a :class:`WatchResult` and appends JSON
lines to the watch log: one ``poll`` line a poll, one ``change`` line a change.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..config import DEFAULT_COUNTRIES, check_countries, default_db_path
from ..data import EventStore, FetchReport, RetryPolicy
from ..data.fetch import fetch_new_slots
from ..errors import TrilateralError
from ..measure import base_of, base_store
from ._changes import Change, base_state, diff_states

__all__ = ["WatchResult", "WatchStatus", "default_log_path", "watch", "watch_once", "watch_status"]


def default_log_path(db: str | Path | None = None) -> Path:
    """The watch log beside the store: ``<db>.watch.jsonl``."""
    p = default_db_path(db)
    return p.with_name(p.name + ".watch.jsonl")


@dataclass(frozen=True, slots=True)
class WatchResult:
    """What one poll did: the files it fetched and what they changed."""

    checked_at: datetime
    newest_slot: str | None
    fetch: FetchReport
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """No listed file failed."""
        return self.fetch.ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at.isoformat(),
            "newest_slot": self.newest_slot,
            "files_downloaded": self.fetch.files,
            "rows_ingested": self.fetch.rows,
            "notes": list(self.fetch.notes),
            "failed": [{"slot": f.slot, "reason": f.reason} for f in self.fetch.coverage.failed],
            "changes": [c.to_dict() for c in self.changes],
        }

    def summary(self) -> str:
        head = (
            f"{self.checked_at:%Y-%m-%d %H:%M:%S} UTC: newest slot {self.newest_slot or 'none'}, "
            f"{self.fetch.files} new files, {self.fetch.rows:,} rows"
        )
        lines = [head, *(f"  note: {n}" for n in self.fetch.notes)]
        lines += [f"  failed {f.slot}: {f.reason}" for f in self.fetch.coverage.failed]
        lines += [f"  {c.text()}" for c in self.changes] or ["  no change"]
        return "\n".join(lines)


def _changes(
    store: EventStore, new_ids: Sequence[int], countries: tuple[str, ...], n_boot: int, rng: int
) -> list[Change]:
    """The changes the files ``new_ids`` made, in each evidence base they belong to."""
    if not new_ids:
        return []
    marks = ", ".join("?" for _ in new_ids)
    datasets = store.con.execute(
        f"SELECT DISTINCT dataset FROM ingests WHERE ingest_id IN ({marks})", list(new_ids)
    ).fetchall()
    out: list[Change] = []
    for base in sorted({base_of(d) for (d,) in datasets}):
        with base_store(store, base) as con:
            ((latest,),) = con.execute(
                f"SELECT max(date) FROM events WHERE ingest_id IN ({marks})", list(new_ids)
            ).fetchall()
            if latest is None:
                continue
            month = date(latest.year, latest.month, 1)
            after = base_state(con, base, countries, month, n_boot=n_boot, rng=rng)
            # the new rows aside (the changes cite them), then the base as it was
            con.execute(f"CREATE TABLE watch_new AS SELECT * FROM events WHERE ingest_id IN ({marks})",
                        list(new_ids))  # fmt: skip
            con.execute(f"DELETE FROM events WHERE ingest_id IN ({marks})", list(new_ids))
            before = base_state(con, base, countries, month, n_boot=n_boot, rng=rng)
            out += diff_states(before, after, con, new_ids, table="watch_new")
    return out


def _append(log: Path, result: WatchResult) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    poll = {"event": "poll", **{k: v for k, v in result.to_dict().items() if k != "changes"}}
    lines = [poll] + [
        {"event": "change", "checked_at": result.checked_at.isoformat(), **c.to_dict()}
        for c in result.changes
    ]
    with log.open("a", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, default=str, ensure_ascii=False) + "\n")


def watch_once(
    db: str | Path | None = None,
    *,
    countries: Sequence[str] | str | None = DEFAULT_COUNTRIES,
    mirror: str | None = None,
    log: str | Path | None = None,
    policy: RetryPolicy | None = None,
    stop: threading.Event | None = None,
    n_boot: int = 200,
    rng: int = 0,
) -> WatchResult:
    """Poll ``lastupdate.txt`` once: fetch the new export file, report what it changed.

    Parameters
    ----------
    db : path, optional
        The store (default ``$TRILATERAL_DB`` or ``./trilateral.duckdb``).
    countries : sequence of str or None
        The ingest filter and the triangle (three codes); None ingests every event and
        watches the default triangle.
    mirror : str, optional
        Replaces ``http://data.gdeltproject.org`` (see :func:`~trilateral.data.fetch_gdelt2`).
    log : path, optional
        The JSON-lines log to append to; default :func:`default_log_path`.
    policy : RetryPolicy, optional
    stop : threading.Event, optional
        Set: stop between files.
    n_boot : int
        Bootstrap replicates of the indices the regimes and the triangle read.
    rng : int
        Seed of the bootstrap and the Monte Carlo draws (the same before and after).

    Returns
    -------
    WatchResult

    Examples
    --------
    See :mod:`trilateral.watch`.
    """
    keep = check_countries(countries, minimum=1) if countries is not None else None
    watched = keep if keep is not None and len(keep) >= 2 else DEFAULT_COUNTRIES
    path = default_db_path(db)
    checked = datetime.now(UTC).replace(microsecond=0)
    report, _, store_changes = fetch_new_slots(
        path, countries=keep, mirror=mirror, policy=policy, stop=stop,
        then=lambda store, ids: _changes(store, ids, watched, n_boot, rng),
    )  # fmt: skip
    newest = report.coverage.last_slot
    result = WatchResult(checked, newest, report, tuple(store_changes))
    _append(Path(log) if log is not None else default_log_path(path), result)
    return result


def watch(
    db: str | Path | None = None,
    *,
    interval: float = 900.0,
    stop: threading.Event | None = None,
    on_result: Callable[[WatchResult], None] | None = None,
    on_error: Callable[[TrilateralError], None] | None = None,
    **kwargs: Any,
) -> None:
    """Poll every ``interval`` seconds until ``stop`` is set (keyword arguments as
    :func:`watch_once`). The first poll's error is raised (a watch that cannot start is
    misconfigured); a later poll that fails (the network, a damaged list) is passed to
    ``on_error`` and the loop goes on."""
    stop = stop or threading.Event()
    first = True
    while not stop.is_set():
        try:
            result = watch_once(db, stop=stop, **kwargs)
        except TrilateralError as exc:
            if on_error is None or first:
                raise
            on_error(exc)
        else:
            if on_result is not None:
                on_result(result)
        first = False
        stop.wait(interval)


@dataclass(frozen=True, slots=True)
class WatchStatus:
    """For the dashboard: the last poll and the latest changes (newest first)."""

    last_poll: dict[str, Any] | None
    changes: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"last_poll": self.last_poll, "changes": list(self.changes)}


def watch_status(
    db: str | Path | None = None, *, log: str | Path | None = None, n: int = 20
) -> WatchStatus:
    """The last poll and the ``n`` latest changes from the watch log (empty without one).

    Examples
    --------
    >>> watch_status("trilateral.duckdb").to_dict()
    {'last_poll': None, 'changes': []}
    """
    p = Path(log) if log is not None else default_log_path(db)
    if not p.is_file():
        return WatchStatus(None, ())
    last_poll = None
    changes: list[dict[str, Any]] = []
    with p.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a kill: the others stand
            if row.get("event") == "poll":
                last_poll = row
            elif row.get("event") == "change":
                changes.append(row)
    return WatchStatus(last_poll, tuple(reversed(changes[-n:])))
