"""Fetch gaps of an evidence base: the slots of a window its fetch did not bring in.

A base fetched from GDELT (``gdelt2``, ``gdelt1``) has a fetch ledger in the store
(:func:`trilateral.data.fetch_coverage`, table ``fetch_ledger``): every expected slot
file of the windows fetched so far, ``fetched``, ``failed`` (with the reason) or
``absent`` from the published list. :func:`slot_gaps` reads it for one window, clipped
to the slots the ledger spans (the slots a fetch was asked for): each expected slot of
that span is fetched, failed, absent or ``untried`` (in the span, but no ledger row: an
interrupted run's rest). The failed, absent and untried slots come as ranges of
consecutive slots, with the share of expected slots fetched, so an index or a claim over
a window with gaps says so. A base without a ledger has no slot gaps (None).

Examples
--------
>>> g = SlotGaps.of("gdelt2", [("20180326044500", "fetched", None),
...     ("20180326050000", "failed", "HTTP 404"), ("20180326051500", "absent", None)])
>>> g.expected, g.fetched, g.share_fetched, g.has_gaps
(3, 1, 0.333, True)
>>> g.text()
'gdelt2 slots 2018-03-26 04:45–2018-03-26 05:15: 1 of 3 fetched (33.3 %); failed 2018-03-26 05:00 (1 slot: HTTP 404); absent 2018-03-26 05:15 (1 slot)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["FETCHED_BASES", "SlotGap", "SlotGaps", "ledger_slots", "slot_gaps"]

#: The evidence bases a fetch brings in, with a ledger of expected slots.
FETCHED_BASES = ("gdelt1", "gdelt2")


def _show(key: str) -> str:
    from ..data.fetch._coverage import show_slot

    return show_slot(key)


@dataclass(frozen=True, slots=True)
class SlotGap:
    """Consecutive slots with one status other than fetched (and one reason)."""

    status: str  # failed | absent | untried
    first: str
    last: str
    n_slots: int
    reason: str | None = None

    def text(self) -> str:
        """``"failed 2018-03-26 05:15 (1 slot: HTTP 404)"``."""
        span = (
            _show(self.first)
            if self.first == self.last
            else f"{_show(self.first)}–{_show(self.last)}"
        )
        n = f"{self.n_slots} slot{'s' if self.n_slots != 1 else ''}"
        return f"{self.status} {span} ({n}{': ' + self.reason if self.reason else ''})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "first": self.first,
            "last": self.last,
            "n_slots": self.n_slots,
            "reason": self.reason,
            "text": self.text(),
        }


@dataclass(frozen=True, slots=True)
class SlotGaps:
    """The expected slots of a fetched base over a window, and its gaps."""

    source: str
    first_slot: str | None
    last_slot: str | None
    expected: int
    fetched: int
    gaps: tuple[SlotGap, ...]

    @classmethod
    def of(cls, source: str, slots: Sequence[tuple[str, str, str | None]]) -> SlotGaps:
        """From ``(slot, status, reason)`` in slot order; runs of one status and reason
        become one :class:`SlotGap`."""
        gaps: list[SlotGap] = []
        run: list[tuple[str, str, str | None]] = []
        for s in [*slots, ("", "fetched", None)]:
            if run and (s[1], s[2]) != (run[0][1], run[0][2]):
                gaps.append(SlotGap(run[0][1], run[0][0], run[-1][0], len(run), run[0][2]))
                run = []
            if s[1] != "fetched":
                run.append(s)
        keys = [s[0] for s in slots]
        return cls(
            source,
            keys[0] if keys else None,
            keys[-1] if keys else None,
            len(slots),
            sum(s[1] == "fetched" for s in slots),
            tuple(gaps),
        )

    @property
    def share_fetched(self) -> float:
        """Fetched slots over expected ones (rounded to 3 places; 0 without slots)."""
        return round(self.fetched / self.expected, 3) if self.expected else 0.0

    @property
    def has_gaps(self) -> bool:
        return bool(self.gaps)

    def text(self) -> str:
        """The counts, then each gap."""
        a, z = self.first_slot, self.last_slot
        span = f"{_show(a)}–{_show(z)}" if a is not None and z is not None else "none"
        head = (
            f"{self.source} slots {span}: {self.fetched:,} of {self.expected:,} fetched "
            f"({100 * self.share_fetched:.1f} %)"
        )
        return "; ".join([head, *(g.text() for g in self.gaps)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the span, counts, share fetched and the gap ranges."""
        return {
            "source": self.source,
            "first_slot": self.first_slot,
            "last_slot": self.last_slot,
            "expected": self.expected,
            "fetched": self.fetched,
            "share_fetched": self.share_fetched,
            "has_gaps": self.has_gaps,
            "gaps": [g.to_dict() for g in self.gaps],
            "text": self.text(),
        }


def ledger_slots(con: Any, source: str) -> tuple[tuple[str, str, str | None], ...]:
    """``(slot, status, reason)`` of the fetch ledger's rows of ``source`` (mentions
    files aside), in slot order; () for a base that was not fetched."""
    from ..data.fetch._ledger import ledger_rows

    if source not in FETCHED_BASES:
        return ()
    rows = [r for r in ledger_rows(con, source) if r.kind != "mentions"]
    return tuple((r.slot, r.status, r.reason if r.status == "failed" else None) for r in rows)


def slot_gaps(
    source: str,
    ledger: Sequence[tuple[str, str, str | None]],
    start: date | None = None,
    end: date | None = None,
) -> SlotGaps | None:
    """The expected slots of ``source`` from ``start`` to ``end`` (whole days; default
    the ledger's first and last day) that the ``ledger`` (:func:`ledger_slots`) spans,
    each fetched, failed, absent or untried; None without ledger rows there."""
    from ..data.fetch._coverage import slot_time
    from ..data.fetch._masterlist import expected_slots

    if not ledger:
        return None
    lo, hi = min(s[0] for s in ledger), max(s[0] for s in ledger)
    start = start or slot_time(lo).date()
    end = end or slot_time(hi).date()
    status = {s[0]: (s[1], s[2]) for s in ledger}
    keys = [s.key for s in expected_slots(source, start, end, [])]
    keys = [k for k in keys if k in status or (len(k) == len(lo) and lo <= k <= hi)]
    if not keys:
        return None
    return SlotGaps.of(source, [(k, *status.get(k, ("untried", None))) for k in keys])
