"""``fetch_gdelt2`` / ``fetch_gdelt1``: published files → verified downloads → the store.

The plan of a run: read the published list, expect every slot of the window, and for
each expected file decide from the store's fetch ledger (and its ``ingests``, for a run
killed after a commit) whether it is in the store already, absent from the list, or to
be downloaded. Downloads run in a thread pool (``jobs`` at once, a bounded look-ahead);
this thread, the store's only writer, ingests the verified files in slot order, one
transaction each, and then records each in the ledger. So a run killed at any point
leaves whole files in the store, and the same command resumes it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ...config import DEFAULT_COUNTRIES, as_date, check_countries, default_db_path
from ...errors import ConfigError, StoreError, TrilateralError
from ..codebook import Codebook
from ..store import EventStore, IngestResult
from . import _ledger as ledger
from ._client import Downloader, FetchFailed, RetryPolicy, check_archive
from ._coverage import FetchCoverage, FetchReport, FileOutcome, slot_time
from ._masterlist import (
    GDELT1_FIRST_YEAR,
    GDELT2_FIRST_SLOT,
    PUBLISHED_HOST,
    ListedFile,
    check_mirror,
    expected_slots,
    gdelt1_list,
    parse_masterlist,
    rehost,
)

__all__ = [
    "FetchProgress",
    "fetch_coverage",
    "fetch_gdelt1",
    "fetch_gdelt2",
    "fetch_listed",
    "fetch_new_slots",
    "list_gdelt2",
]

Countries = Sequence[str] | str | None
#: Ledger rows of ingested files are written this many at a time (one transaction): a
#: run killed before a flush leaves committed files without their rows, which the next
#: run finds in ``ingests`` by name (:func:`_plan`), so nothing is fetched twice.
_LEDGER_BATCH = 64


@dataclass(slots=True)
class FetchProgress:
    """Running totals passed to a ``progress`` callback (one object, updated in place)."""

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    rows: int = 0
    current: str = ""


def _countries(countries: Countries) -> tuple[str, ...] | None:
    if countries is None:
        return None
    return check_countries(countries, minimum=1)


def _store_path(db: str | Path | None) -> Path:
    """The store's path, checked before anything is downloaded (a folder is no store)."""
    path = default_db_path(db)
    if not path.name or path.is_dir():
        raise StoreError(f"the store path {str(db)!r} is a directory", hint="give a file name")
    return path


def _cache_dir(db: Path, cache: str | Path | None, source: str) -> Path:
    return Path(cache) if cache is not None else db.with_name(db.name + ".fetch") / source


def list_gdelt2(
    dl: Downloader, mirror: str | None, *, lastupdate_only: bool = False
) -> tuple[ListedFile, ...]:
    """The files GDELT 2.0 lists now: the master list with ``lastupdate.txt`` added (or
    ``lastupdate.txt`` alone)."""
    base = rehost(f"{PUBLISHED_HOST}/gdeltv2/", mirror)
    files: dict[str, ListedFile] = {}
    names = ("lastupdate.txt",) if lastupdate_only else ("masterfilelist.txt", "lastupdate.txt")
    for name in names:
        try:
            text = dl.get_text(base + name)
        except FetchFailed as exc:
            raise TrilateralError(
                f"cannot read GDELT's {name}: {exc.reason}",
                hint="check the network or --mirror; nothing was changed in the store",
            ) from None
        for f in parse_masterlist(text, what=name, mirror=mirror):
            files[f.url] = f
    return tuple(files.values())


def _list_gdelt1(dl: Downloader, mirror: str | None) -> tuple[tuple[ListedFile, ...], list[str]]:
    base = f"{PUBLISHED_HOST}/events/"
    notes: list[str] = []
    try:
        md5sums = dl.get_text(rehost(base + "md5sums", mirror))
    except FetchFailed as exc:
        raise TrilateralError(
            f"cannot read GDELT 1.0's md5sums: {exc.reason}",
            hint="check the network or --mirror; nothing was changed in the store",
        ) from None
    try:
        sizes: str | None = dl.get_text(rehost(base + "filesizes", mirror))
    except FetchFailed as exc:
        sizes = None
        notes.append(f"no filesizes list ({exc.reason}): files checked by MD5 only")
    return gdelt1_list(md5sums, sizes, base, mirror=mirror), notes


@dataclass(slots=True)
class _Plan:
    outcomes: dict[tuple[str, str], FileOutcome]
    order: list[tuple[str, str]]
    todo: list[ListedFile]
    ledger_rows: list[dict[str, Any]]
    other_filter: int = 0  # files in the store with another countries filter
    republished: int = 0  # stored files the list now gives another MD5


def _plan(
    store: EventStore,
    source: str,
    slots: Sequence[str],
    kinds: Sequence[str],
    listed: dict[tuple[str, str], ListedFile],
    who: str,
) -> _Plan:
    """Sort each expected file into: in the store, absent, or to download."""
    known = {(r.slot, r.kind): r for r in ledger.ledger_rows(store.con, source)}
    stored = ledger.stored_names(store)
    plan = _Plan({}, [], [], [])
    for slot in slots:
        for kind in kinds:
            key = (slot, kind)
            plan.order.append(key)
            f = listed.get(key)
            rec = known.get(key)
            if rec is not None and rec.status == "fetched":
                # stored: never fetched again; a file republished with another MD5 keeps
                # its stored version and ledger row (the store cannot replace a file)
                plan.outcomes[key] = FileOutcome(slot, kind, "fetched", rec.url, None, rec.rows)
                plan.other_filter += kind == "export" and _codes(rec.countries) != _codes(who)
                plan.republished += f is not None and rec.md5 != f.md5
                continue
            if f is None:
                plan.outcomes[key] = FileOutcome(slot, kind, "absent")
                plan.ledger_rows.append(
                    {"source": source, "slot": slot, "kind": kind, "status": "absent"}
                )
                continue
            if kind == "export" and f.name in stored:  # committed, ledger row not written
                ingest_id, rows, stored_with = stored[f.name]
                plan.outcomes[key] = FileOutcome(slot, kind, "fetched", f.url, None, rows)
                plan.ledger_rows.append(_fetched_row(f, stored_with, ingest_id, rows))
                plan.other_filter += _codes(stored_with) != _codes(who)
                continue
            plan.todo.append(f)
    return plan


def _codes(who: str | None) -> frozenset[str]:
    return frozenset((who or "all").split(","))


def _fetched_row(
    f: ListedFile, who: str, ingest_id: int | None, rows: int | None
) -> dict[str, Any]:
    return {
        "source": f.source,
        "slot": f.slot,
        "kind": f.kind,
        "url": f.url,
        "md5": f.md5,
        "size": f.size,
        "status": "fetched",
        "countries": who,
        "ingest_id": ingest_id,
        "rows": rows,
    }


class _Runner:
    """Downloads in a pool, ingests here, in slot order."""

    def __init__(
        self,
        store: EventStore,
        dl: Downloader,
        *,
        jobs: int,
        countries: tuple[str, ...] | None,
        keep_raw: bool,
        progress: Callable[[FetchProgress], None] | None,
        stop: threading.Event | None,
    ) -> None:
        self.store, self.dl, self.jobs = store, dl, max(1, jobs)
        self.countries, self.keep_raw = countries, keep_raw
        self.who = ",".join(countries) if countries is not None else "all"
        self.progress = progress
        self.stop = stop
        self.state = FetchProgress()
        self._lock = threading.Lock()
        self._halt = threading.Event()  # queued downloads return at once once set
        self.codebook = Codebook.load("gdelt")
        self._fetched: list[dict[str, Any]] = []  # ledger rows not written yet
        self.interrupted = False

    def _stopped(self) -> bool:
        return self._halt.is_set() or (self.stop is not None and self.stop.is_set())

    def _bytes(self, n: int) -> None:
        with self._lock:
            self.state.bytes_done += n
            if self.progress is not None:
                self.progress(self.state)

    def _download(self, f: ListedFile) -> tuple[Path | None, int, str | None]:
        if self._stopped():
            return None, 0, None
        try:
            path = self.dl.fetch(f, self._bytes)
        except FetchFailed as exc:
            return None, 0, exc.reason
        return path, path.stat().st_size, None

    def run(self, todo: Sequence[ListedFile]) -> dict[tuple[str, str], FileOutcome]:
        """Fetch and ingest ``todo``; the outcome of each file that was tried."""
        self.state.files_total = len(todo)
        self.state.bytes_total = sum(f.size or 0 for f in todo)
        out: dict[tuple[str, str], FileOutcome] = {}
        pending: deque[tuple[ListedFile, Future[tuple[Path | None, int, str | None]]]] = deque()
        queue = deque(todo)
        with ThreadPoolExecutor(self.jobs, thread_name_prefix="trilateral-fetch") as pool:
            try:
                while queue or pending:
                    while queue and len(pending) < 2 * self.jobs:
                        f = queue.popleft()
                        pending.append((f, pool.submit(self._download, f)))
                    f, fut = pending.popleft()
                    path, size, reason = fut.result()
                    if self._stopped():
                        self.interrupted = True
                        break
                    out[(f.slot, f.kind)] = self._finish(f, path, size, reason)
            finally:
                self._halt.set()
                for _, fut in pending:
                    fut.cancel()
                self.flush()
        return out

    def flush(self) -> None:
        """Write the ledger rows of the files ingested since the last flush."""
        ledger.record(self.store.con, self._fetched)
        self._fetched = []

    def _finish(
        self, f: ListedFile, path: Path | None, size: int, reason: str | None
    ) -> FileOutcome:
        """Ingest one downloaded file (or record its failure) and record it."""
        self.state.current = f.name
        rows: int | None = None
        ingest_id: int | None = None
        rejected, rejects = 0, None
        if path is not None and f.kind == "export":
            try:
                check_archive(path)
                res = self._ingest(path, f.source)
                rows, ingest_id = res.rows_ingested, res.ingest_id
                rejected, rejects = res.rows_rejected, res.rejects_path
            except FetchFailed as exc:
                reason = exc.reason
            except TrilateralError as exc:
                reason = f"ingest failed: {exc.message}"
            if reason is not None:
                path.unlink(missing_ok=True)
        if reason is not None:
            ledger.record(
                self.store.con,
                [{"source": f.source, "slot": f.slot, "kind": f.kind, "url": f.url,
                  "md5": f.md5, "size": f.size, "status": "failed", "reason": reason,
                  "countries": self.who}],
            )  # fmt: skip
            outcome = FileOutcome(f.slot, f.kind, "failed", f.url, reason, None, size, True)
        else:
            self._fetched.append(_fetched_row(f, self.who, ingest_id, rows))
            if len(self._fetched) >= _LEDGER_BATCH:
                self.flush()
            if path is not None and f.kind == "export" and not self.keep_raw:
                path.unlink(missing_ok=True)
            outcome = FileOutcome(f.slot, f.kind, "fetched", f.url, None, rows, size, True,
                                  rejected, rejects)  # fmt: skip
        with self._lock:
            self.state.files_done += 1
            self.state.rows += rows or 0
            if self.progress is not None:
                self.progress(self.state)
        return outcome

    def _ingest(self, path: Path, source: str) -> IngestResult:
        # GDELT's own Goldstein table, the reader's default, loaded once a run
        return self.store.ingest(path, source, on_error="skip", countries=self.countries,
                                 codebook=self.codebook)  # fmt: skip


def fetch_listed(
    source: str,
    start: date,
    end: date,
    listed: Sequence[ListedFile],
    dl: Downloader,
    store: EventStore,
    *,
    kinds: Sequence[str] = ("export",),
    countries: tuple[str, ...] | None = DEFAULT_COUNTRIES,
    jobs: int = 4,
    keep_raw: bool = False,
    progress: Callable[[FetchProgress], None] | None = None,
    stop: threading.Event | None = None,
    notes: Sequence[str] = (),
    slots: Sequence[str] | None = None,
) -> FetchReport:
    """Account for every expected file of ``[start, end]`` against ``listed``: the core
    of :func:`fetch_gdelt2`, :func:`fetch_gdelt1` and the watch (which passes the
    ``slots`` of ``lastupdate.txt`` instead of a window's)."""
    t0 = time.perf_counter()
    ledger.ensure_ledger(store.con)
    by_key = {(f.slot, f.kind): f for f in listed if f.kind in kinds}
    notes = list(notes)
    if slots is None:
        slots = [s.key for s in expected_slots(source, start, end, listed)]
        notes += _window_notes(source, start, end, slots, listed)
    who = ",".join(countries) if countries is not None else "all"
    plan = _plan(store, source, slots, kinds, by_key, who)
    ledger.record(store.con, plan.ledger_rows)
    runner = _Runner(
        store, dl, jobs=jobs, countries=countries, keep_raw=keep_raw, progress=progress, stop=stop
    )
    plan.outcomes.update(runner.run(plan.todo))
    untried = sum(k not in plan.outcomes for k in plan.order)
    outcomes = tuple(
        plan.outcomes.get(k) or FileOutcome(k[0], k[1], "untried", by_key[k].url)
        for k in plan.order
    )
    if plan.other_filter:
        notes.append(
            f"{plan.other_filter:,} files are in the store with another countries filter "
            f"than {who}: a file is stored once, so they were not fetched again "
            "(fetch into a new --db for another filter)"
        )
    if plan.republished:
        n = plan.republished
        notes.append(
            f"{n:,} file{' was' if n == 1 else 's were'} republished with another MD5 since "
            "stored: the stored version is kept (its ledger row names its MD5); fetch into "
            "a new --db for the new version"
        )
    bad = [o for o in outcomes if o.downloaded and o.rejected]
    if bad:
        n = sum(o.rejected for o in bad)
        notes.append(
            f"{n:,} row{'s' * (n != 1)} rejected by the reader in {len(bad):,} "
            f"file{'s' * (len(bad) != 1)} (not stored; see {bad[0].rejects_path}"
            f"{' and the others beside it' if len(bad) > 1 else ''})"
        )
    if untried:
        notes.append(f"{untried:,} listed files not tried (interrupted)")
    return FetchReport(
        source,
        start,
        end,
        countries,
        outcomes,
        FetchCoverage.of(source, outcomes),
        time.perf_counter() - t0,
        runner.interrupted,
        tuple(notes),
    )


def _n_slots(n: int) -> str:
    return f"{n:,} slot" if n == 1 else f"{n:,} slots"


def _window_notes(
    source: str, start: date, end: date, slots: Sequence[str], listed: Sequence[ListedFile]
) -> list[str]:
    """Say where the window was cut, so that no slot leaves the count silently: before
    the source's first file, and after the newest slot the list holds."""
    notes = []
    day0 = datetime.combine(start, datetime.min.time())
    if source == "gdelt2" and day0 < GDELT2_FIRST_SLOT:
        n = int((GDELT2_FIRST_SLOT - day0).total_seconds()) // 900
        notes.append(
            f"GDELT 2.0 begins at 2015-02-18 23:00 UTC: the window's {_n_slots(n)} before it "
            "expect no file (GDELT 1.0 covers earlier days: fetch gdelt1)"
        )
    if source == "gdelt1" and start.year < GDELT1_FIRST_YEAR:
        notes.append(f"GDELT 1.0 begins in {GDELT1_FIRST_YEAR}: the window's days before it "
                     "expect no file")  # fmt: skip
    whole = [s.key for s in expected_slots(source, start, end, [])]
    newest = max((f.slot for f in listed), default=None)
    after = sum(key > slots[-1] for key in whole) if slots else len(whole)
    if newest is not None and after:
        notes.append(
            f"the newest listed slot {newest} is before the window's end {end}: not "
            f"counted, {_n_slots(after)} of the window after it (not published yet; "
            "fetch again later)"
        )
    return notes


def _window(start: date | str, end: date | str) -> tuple[date, date]:
    first, last = as_date(start, "start"), as_date(end, "end")
    assert first is not None and last is not None
    if last < first:
        raise ConfigError(f"end {last} is before start {first}", hint="swap --start and --end")
    return first, last


def _fetch(
    source: str,
    start: date | str,
    end: date | str,
    *,
    countries: Countries,
    db: str | Path | None,
    mirror: str | None,
    jobs: int,
    keep_raw: bool,
    mentions: bool,
    progress: Callable[[FetchProgress], None] | None,
    cache: str | Path | None,
    policy: RetryPolicy | None,
    stop: threading.Event | None,
) -> FetchReport:
    first, last = _window(start, end)
    who = _countries(countries)
    check_mirror(mirror)
    if jobs < 1:
        raise ConfigError(f"jobs={jobs}: need at least 1", hint="e.g. --jobs 4")
    path = _store_path(db)
    kinds = ("export", "mentions") if mentions and source == "gdelt2" else ("export",)
    with Downloader(_cache_dir(path, cache, source), jobs=jobs, policy=policy) as dl:
        notes: list[str] = []
        if source == "gdelt2":
            listed = list_gdelt2(dl, mirror)
        else:
            listed, notes = _list_gdelt1(dl, mirror)
        if "mentions" in kinds:
            notes.append("mentions files are verified into the cache, not ingested")
        with EventStore.open(path) as store:
            return fetch_listed(
                source, first, last, listed, dl, store, kinds=kinds, countries=who,
                jobs=jobs, keep_raw=keep_raw, progress=progress,
                stop=stop, notes=notes,
            )  # fmt: skip


def fetch_gdelt2(
    start: date | str,
    end: date | str,
    *,
    countries: Countries = DEFAULT_COUNTRIES,
    db: str | Path | None = None,
    mirror: str | None = None,
    jobs: int = 4,
    keep_raw: bool = False,
    mentions: bool = False,
    progress: Callable[[FetchProgress], None] | None = None,
    cache: str | Path | None = None,
    policy: RetryPolicy | None = None,
    stop: threading.Event | None = None,
) -> FetchReport:
    """Fetch GDELT 2.0's event export files of ``[start, end]`` into the store.

    Every 15-minute slot of the window (from 2015-02-18 23:00 UTC, up to the newest
    listed slot) is accounted for as fetched, failed (with the reason) or absent from
    ``masterfilelist.txt``. Each file is downloaded (resuming with HTTP ``Range``),
    verified against the list's size and MD5, ingested with the ``countries`` filter in
    one transaction, recorded in the store's fetch ledger, and deleted unless
    ``keep_raw``. A re-run skips what the store holds and retries what failed.

    Parameters
    ----------
    start, end : date or ISO text
        The window, whole days (UTC), inclusive.
    countries : sequence of str, "USA,RUS,CHN" or None
        Keep only events between these countries (ingest filter); None keeps all.
    db : path, optional
        The store (default ``$TRILATERAL_DB`` or ``./trilateral.duckdb``).
    mirror : str, optional
        A base URL that replaces ``http://data.gdeltproject.org`` (a mirror, or a test
        server).
    jobs : int
        Downloads at once.
    keep_raw : bool
        Keep the downloaded files in the cache folder after their ingest.
    mentions : bool
        Also fetch the slots' ``mentions`` files (verified into the cache, not ingested:
        the store holds events only).
    progress : callable, optional
        ``progress(FetchProgress)`` after each chunk and each file.
    cache : path, optional
        The download folder; default ``<db>.fetch/gdelt2`` beside the store.
    policy : RetryPolicy, optional
        Retries, backoff and timeouts.
    stop : threading.Event, optional
        Set it to stop between files (the watch's SIGINT).

    Returns
    -------
    FetchReport
        ``ok`` is False when a listed file still fails.

    Examples
    --------
    See :mod:`trilateral.data.fetch` for a run against a local server.
    """
    return _fetch(
        "gdelt2", start, end, countries=countries, db=db, mirror=mirror, jobs=jobs,
        keep_raw=keep_raw, mentions=mentions, progress=progress, cache=cache,
        policy=policy, stop=stop,
    )  # fmt: skip


def fetch_gdelt1(
    start: date | str,
    end: date | str,
    *,
    countries: Countries = DEFAULT_COUNTRIES,
    db: str | Path | None = None,
    mirror: str | None = None,
    jobs: int = 4,
    keep_raw: bool = False,
    progress: Callable[[FetchProgress], None] | None = None,
    cache: str | Path | None = None,
    policy: RetryPolicy | None = None,
    stop: threading.Event | None = None,
) -> FetchReport:
    """Fetch GDELT 1.0's event files of ``[start, end]`` into the store.

    The slots are the daily files from 2013-04-01, the monthly files of 2006-01 to
    2013-03 and the yearly files of 1979–2005, checked against GDELT's ``md5sums`` (and
    ``filesizes``); same guarantees and parameters as :func:`fetch_gdelt2` (the cache
    default is ``<db>.fetch/gdelt1``).

    Examples
    --------
    See :mod:`trilateral.data.fetch`.
    """
    return _fetch(
        "gdelt1", start, end, countries=countries, db=db, mirror=mirror, jobs=jobs,
        keep_raw=keep_raw, mentions=False, progress=progress, cache=cache,
        policy=policy, stop=stop,
    )  # fmt: skip


def fetch_coverage(store: EventStore) -> tuple[FetchCoverage, ...]:
    """The coverage of every source in the store's fetch ledger (what ``trilateral
    info`` prints): the slots of all windows fetched so far."""
    out = []
    for source in ("gdelt2", "gdelt1"):
        rows = ledger.ledger_rows(store.con, source)
        if rows:
            outcomes = [
                FileOutcome(r.slot, r.kind, r.status, r.url, r.reason, r.rows) for r in rows
            ]
            out.append(FetchCoverage.of(source, outcomes))
    return tuple(out)


#: The watch fills a gap since its last fetched slot up to this many slots (a week);
#: a longer gap is left to ``trilateral fetch gdelt2`` and named in the report.
MAX_CATCH_UP = 7 * 96


def _gap(store: EventStore, newest: list[str], listed: Sequence[ListedFile]) -> list[str]:
    """Expected slots between the newest fetched export and the newest listed one."""
    done = [r.slot for r in ledger.ledger_rows(store.con, "gdelt2", ["export"])
            if r.status == "fetched"]  # fmt: skip
    if not done or not newest:
        return []
    last, first_new = max(done), newest[0]
    span = expected_slots("gdelt2", slot_time(last).date(), slot_time(first_new).date(), listed)
    return [s.key for s in span if last < s.key < first_new]


def fetch_new_slots(
    db: str | Path | None,
    *,
    countries: tuple[str, ...] | None,
    mirror: str | None,
    policy: RetryPolicy | None,
    stop: threading.Event | None,
    then: Callable[[EventStore, list[int]], Any],
    cache: str | Path | None = None,
) -> tuple[FetchReport, list[int], Any]:
    """The watch's fetch: the slot(s) of ``lastupdate.txt``, with the same guarantees.

    A gap between the newest slot fetched before and these (the watch was down) of up to
    :data:`MAX_CATCH_UP` slots is filled from the master list, and its slots are
    accounted for like any fetch's; a longer one is named in the report's notes with the
    ``trilateral fetch gdelt2`` command that fills it. ``then(store, ingest_ids)`` runs
    with the store still open, on the files this call ingested (rows stored).
    """
    path = _store_path(db)
    check_mirror(mirror)
    with Downloader(_cache_dir(path, cache, "gdelt2"), jobs=1, policy=policy) as dl:
        listed = list_gdelt2(dl, mirror, lastupdate_only=True)
        slots = sorted({f.slot for f in listed if f.kind == "export"})
        with EventStore.open(path) as store:
            ledger.ensure_ledger(store.con)
            gap = _gap(store, slots, listed)
            notes = []
            if len(gap) > MAX_CATCH_UP:
                notes.append(
                    f"{len(gap)} slots between {gap[0]} and {gap[-1]} were not fetched: run "
                    f"`trilateral fetch gdelt2 --start {slot_time(gap[0]).date()} "
                    f"--end {slot_time(gap[-1]).date()}`"
                )
            elif gap:
                listed = list_gdelt2(dl, mirror)  # the master list has the gap's files
                slots = gap + slots
            before = {r.ingest_id for r in store.ingests()}
            first = slot_time(slots[0]).date() if slots else datetime.now(UTC).date()
            last = slot_time(slots[-1]).date() if slots else first
            report = fetch_listed("gdelt2", first, last, listed, dl, store, countries=countries,
                                  jobs=1, stop=stop, notes=notes, slots=slots)  # fmt: skip
            new = [r.ingest_id for r in store.ingests()
                   if r.ingest_id not in before and r.rows_ingested > 0]  # fmt: skip
            return report, new, then(store, new)
