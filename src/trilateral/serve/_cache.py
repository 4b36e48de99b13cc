"""The dashboard's result cache: least recently used, single flight, stale while revalidating.

Two ways to ask it:

* :meth:`ResultCache.get` — the value for an exact key (the store version is part of the
  key). Concurrent misses of one key compute once: the first caller computes, the others
  wait for its value (or its error) instead of computing their own copy.
* :meth:`ResultCache.latest` — the value for a key *at the current store version* ``v``,
  where an answer computed at an older version may stand in: it is returned at once,
  with the version it belongs to, while one background thread computes the answer at
  ``v``. So an ingest (which changes the version with every write) never empties the
  cache under the readers' feet; they are served the old answer, marked stale, until
  the new one is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["ResultCache"]

log = logging.getLogger(__name__)

#: After a background refresh fails (e.g. the store is locked by a writer), the stale
#: answer is served and no new refresh of that key starts for this many seconds.
RETRY_AFTER = 1.0
#: A key is refreshed at most this often: during an ingest the store's version changes
#: with every write, and recomputing every view each time would take the CPU the
#: readers need; they are served the last answer (marked stale) meanwhile.
REFRESH_EVERY = 2.0


class _Flight:
    """One computation in progress: the callers that missed the same key wait on it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class ResultCache:
    """A bounded cache of computed results, safe to share between request threads.

    Parameters
    ----------
    size : int
        Entries kept; the least recently used is dropped first.
    workers : int
        Threads that recompute stale answers in the background (one: a refresh must not
        take the CPU the readers need).

    Examples
    --------
    >>> cache = ResultCache(8)
    >>> cache.get(("answer", 1), lambda: 42)
    42
    >>> cache.get(("answer", 1), lambda: 0), cache.hits, cache.misses
    (42, 1, 1)
    >>> cache.latest("facts", "v1", lambda: "computed at v1")
    ('computed at v1', 'v1')
    """

    def __init__(self, size: int, *, workers: int = 1) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._flights: dict[Hashable, _Flight] = {}
        self._refreshing: set[Hashable] = set()
        self._not_before: dict[Hashable, float] = {}  # key → no refresh before this time
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="trilateral-refresh")

    # ------------------------------------------------------------------ exact keys
    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value of ``key``, computed by ``make`` once however many callers miss it."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = make()  # outside the lock: cached reads never wait for it
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self.lock:
                del self._flights[key]
                if flight.error is None:
                    self.misses += 1
                    self._put(key, flight.value)
            flight.done.set()
        return flight.value

    def _put(self, key: Hashable, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    # ------------------------------------------------------------------ latest answers
    def latest(self, key: Hashable, v: Hashable, make: Callable[[], Any]) -> tuple[Any, Hashable]:
        """The value of ``key`` at version ``v`` and the version it was computed at.

        Without any answer for ``key``, ``make`` computes it now (single flight). With
        an answer of another version, that answer is returned at once (the caller marks
        it stale) and ``make`` runs in the background; its value replaces the old one.
        """
        slot = ("latest", key)
        with self.lock:
            entry = self.items.get(slot)
            if entry is not None:
                self.items.move_to_end(slot)
                self.hits += 1
        if entry is None:
            value = self.get(("at", key, v), make)
            with self.lock:
                self._put(slot, (v, value))
            return value, v
        old_v, old_value = entry
        if old_v != v:
            self._refresh(key, v, make)
        return old_value, old_v

    def _refresh(self, key: Hashable, v: Hashable, make: Callable[[], Any]) -> None:
        with self.lock:
            if key in self._refreshing or time.monotonic() < self._not_before.get(key, 0.0):
                return
            self._refreshing.add(key)
        try:
            self._pool.submit(self._recompute, key, v, make)
        except RuntimeError:  # the pool is shut down: the process is ending
            with self.lock:
                self._refreshing.discard(key)

    def _recompute(self, key: Hashable, v: Hashable, make: Callable[[], Any]) -> None:
        try:
            value = self.get(("at", key, v), make)
        except Exception as exc:  # served stale meanwhile; retried after RETRY_AFTER
            log.info("refreshing %r at version %r failed: %s", key, v, exc)
            with self.lock:
                self._not_before[key] = time.monotonic() + RETRY_AFTER
        else:
            with self.lock:
                self._put(("latest", key), (v, value))
                self._not_before[key] = time.monotonic() + REFRESH_EVERY
        finally:
            with self.lock:
                self._refreshing.discard(key)

    def close(self) -> None:
        """Stop the background refreshes (waits for the running ones)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
