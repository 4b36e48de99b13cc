"""Opening a store: the writers' lock (and who holds it), DuckDB's connection, the tables.

A writer holds ``<store>.lock`` (:mod:`filelock`) and, while it does, names itself in
``<store>.lock.holder`` (a small JSON file: pid, command, since). Another process that has
to wait — a second writer for the lock, a reader for DuckDB's own file lock — reads that
file and says, through ``on_wait``, that it is waiting and for whom, at most
``_FIRST_WAIT_S`` after it started to wait.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from ..errors import StoreError, StoreLockedError
from ._store_ddl import DDL, STORE_VERSION
from ._store_write import run_sql

__all__ = ["LockHolder", "OnWait", "acquire_write_lock", "connect", "prepare", "release"]

#: ``on_wait(message)``: called once when opening the store has to wait for another
#: process (the message names it when it can).
OnWait = Callable[[str], None]

#: Seconds a writer tries for the lock before it says that it waits.
_FIRST_WAIT_S = 0.25


@dataclass(frozen=True, slots=True)
class LockHolder:
    """The process writing a store, as it named itself."""

    pid: int | None
    command: str | None
    since: str | None

    def describe(self) -> str:
        """``process 123 (trilateral ingest x.csv), writing since 2026-12-06T20:00:00``."""
        who = f"process {self.pid}" if self.pid is not None else "another process"
        if self.command:
            who += f" ({self.command})"
        return who + (f", writing since {self.since} UTC" if self.since else "")


def _holder_path(p: Path) -> Path:
    return p.with_name(p.name + ".lock.holder")


def read_holder(p: Path) -> LockHolder | None:
    """Who holds the store's write lock, if it said so (None: unknown)."""
    try:
        data = json.loads(_holder_path(p).read_text("utf-8"))
        return LockHolder(data.get("pid"), data.get("command"), data.get("since"))
    except (OSError, ValueError, AttributeError):
        return None


def _write_holder(p: Path) -> None:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else ""
    since = datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat()
    record = {"pid": os.getpid(), "command": command[:200], "since": since}
    tmp = _holder_path(p).with_name(f"{_holder_path(p).name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record), "utf-8")
        os.replace(tmp, _holder_path(p))
    except OSError:  # a courtesy to waiters only
        tmp.unlink(missing_ok=True)


def _waiting(p: Path, timeout: float) -> str:
    holder = read_holder(p)
    who = holder.describe() if holder is not None else "another process"
    return f"waiting for the store {p}: {who} is writing it (giving up after {timeout:g} s)"


def locked_error(p: Path) -> StoreLockedError:
    holder = read_holder(p)
    who = f" ({holder.describe()})" if holder is not None else ""
    return StoreLockedError(
        f"the store {p} is being written by another process{who}",
        hint="wait for it to finish or use another --db",
    )


def acquire_write_lock(p: Path, timeout: float, on_wait: OnWait | None) -> FileLock:
    """Take the writers' lock of the store ``p``, waiting up to ``timeout`` seconds (and
    saying so through ``on_wait``); then name this process as its holder."""
    lock = FileLock(str(p) + ".lock", timeout=max(timeout, 0.0), thread_local=False)
    try:
        try:
            lock.acquire(timeout=min(_FIRST_WAIT_S, max(timeout, 0.0)))
        except Timeout:
            if timeout <= _FIRST_WAIT_S:
                raise
            if on_wait is not None:
                on_wait(_waiting(p, timeout))
            lock.acquire(timeout=timeout - _FIRST_WAIT_S)
    except Timeout:
        raise locked_error(p) from None
    except OSError as exc:
        raise StoreError(f"cannot lock the store {p}: {exc}") from None
    _write_holder(p)
    return lock


def release(p: Path, lock: FileLock) -> None:
    """Drop the holder note, then the lock."""
    try:
        holder = read_holder(p)
        if holder is not None and holder.pid == os.getpid():
            _holder_path(p).unlink(missing_ok=True)
    finally:
        lock.release()


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def connect(
    p: Path,
    read_only: bool,
    config: dict[str, str | bool | int | float | list[str]],
    deadline: float,
    on_wait: OnWait | None = None,
) -> duckdb.DuckDBPyConnection:
    """DuckDB's connection, waiting (until ``deadline``) while a writer holds the file."""
    delay = 0.05
    told = False
    while True:
        try:
            return duckdb.connect(str(p), read_only=read_only, config=config)
        except duckdb.Error as exc:
            if _is_lock_error(exc):
                if time.monotonic() >= deadline:
                    raise locked_error(p) from None
                if not told and on_wait is not None:
                    told = True
                    left = max(deadline - time.monotonic(), 0.0)
                    on_wait(_waiting(p, round(left)))
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            if isinstance(exc, duckdb.ConnectionException):
                raise StoreError(
                    f"the store {p} is already open in this process with other settings",
                    hint="close the other EventStore first",
                ) from None
            raise StoreError(
                f"cannot open the store {p}: {exc}",
                hint="is it a DuckDB file written by trilateral? use another --db",
            ) from None


def prepare(p: Path, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
    """Create the tables (writable) and check the store's layout version."""
    try:
        if not read_only:
            run_sql(con, DDL)
            run_sql(
                con,
                "INSERT INTO store_meta VALUES ('version', ?) ON CONFLICT DO NOTHING",
                [str(STORE_VERSION)],
            )
        found = con.execute("SELECT value FROM store_meta WHERE key = 'version'").fetchall()
        row = found[0] if found else None
    except duckdb.CatalogException:
        raise StoreError(
            f"{p} is a DuckDB file but not a trilateral store",
            hint="run `trilateral ingest FILE --db NEW.duckdb` to make one",
        ) from None
    if row is None or row[0] != str(STORE_VERSION):
        raise StoreError(
            f"the store {p} has layout version {row[0] if row else 'none'}; "
            f"this trilateral reads version {STORE_VERSION}",
            hint="re-ingest the files into a new store",
        )
