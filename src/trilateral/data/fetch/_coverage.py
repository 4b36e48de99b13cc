"""What a fetch accounted for: every expected slot file fetched, failed or absent.

:class:`FetchCoverage` is built from the ordered statuses of a window's expected files (a
fetch's own, or the store's fetch ledger for ``trilateral info``); absent slots are
merged into ranges of consecutive slots. :class:`FetchReport` is what
:func:`~trilateral.data.fetch_gdelt2` and :func:`~trilateral.data.fetch_gdelt1` return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

__all__ = [
    "AbsentRange",
    "FailedFile",
    "FetchCoverage",
    "FetchReport",
    "FileOutcome",
    "show_slot",
    "slot_time",
]


def slot_time(key: str) -> datetime:
    """The start of a slot: ``"20180326044500"``, ``"20130401"``, ``"201203"``, ``"1999"``."""
    fmt = {14: "%Y%m%d%H%M%S", 8: "%Y%m%d", 6: "%Y%m", 4: "%Y"}[len(key)]
    return datetime.strptime(key, fmt)


def show_slot(key: str) -> str:
    """A slot for people: ``"2018-03-26 04:45"`` for a 15-minute slot, else the key as is.

    Examples
    --------
    >>> show_slot("20180326044500"), show_slot("20130401")
    ('2018-03-26 04:45', '20130401')
    """
    t = slot_time(key)  # checks the key's form whatever its length
    return t.strftime("%Y-%m-%d %H:%M") if len(key) == 14 else key


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One expected file of a window and what became of it."""

    slot: str
    kind: str
    status: str  # fetched | failed | absent | untried (an interrupted run's rest)
    url: str | None = None
    reason: str | None = None
    rows: int | None = None
    bytes: int | None = None
    downloaded: bool = False
    rejected: int = 0  # rows the reader rejected (written to the store's rejects CSV)
    rejects_path: str | None = None


@dataclass(frozen=True, slots=True)
class FailedFile:
    """A listed file that could not be fetched, and why."""

    slot: str
    kind: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class AbsentRange:
    """Consecutive slots absent from the published list."""

    first: str
    last: str
    n_slots: int
    kind: str = "export"

    def text(self) -> str:
        """``"2018-03-26 05:00 – 2018-03-26 05:15 (2 slots)"``."""

        if self.first == self.last:
            return f"{show_slot(self.first)} (1 slot)"
        return f"{show_slot(self.first)} – {show_slot(self.last)} ({self.n_slots} slots)"


@dataclass(frozen=True, slots=True)
class FetchCoverage:
    """Expected, fetched, failed and absent files of one source over a window.

    Attributes
    ----------
    source : str
        ``gdelt2`` or ``gdelt1``.
    expected : int
        Files the window should hold (slots × kinds).
    fetched : int
        Files in the store.
    failed : tuple of FailedFile
        Listed files still failing, with the reason.
    absent : tuple of AbsentRange
        Slots not in the published list, as ranges.
    first_slot, last_slot : str or None
        The window's first and last expected slot.
    untried : int
        Listed files an interrupted run did not try (neither fetched nor failed).
    """

    source: str
    expected: int
    fetched: int
    failed: tuple[FailedFile, ...]
    absent: tuple[AbsentRange, ...]
    first_slot: str | None = None
    last_slot: str | None = None
    untried: int = 0

    @classmethod
    def of(cls, source: str, outcomes: Sequence[FileOutcome]) -> FetchCoverage:
        """From the outcomes in slot order (absent runs are merged per kind).

        Examples
        --------
        >>> o = [FileOutcome("20180326044500", "export", "fetched"),
        ...      FileOutcome("20180326050000", "export", "absent"),
        ...      FileOutcome("20180326051500", "export", "absent"),
        ...      FileOutcome("20180326053000", "export", "failed", "u", "HTTP 404")]
        >>> c = FetchCoverage.of("gdelt2", o)
        >>> c.expected, c.fetched, [a.text() for a in c.absent], c.failed[0].reason
        (4, 1, ['2018-03-26 05:00 – 2018-03-26 05:15 (2 slots)'], 'HTTP 404')
        """
        failed = tuple(
            FailedFile(o.slot, o.kind, o.url or "", o.reason or "")
            for o in outcomes
            if o.status == "failed"
        )
        absent: list[AbsentRange] = []
        for kind in dict.fromkeys(o.kind for o in outcomes):
            run: list[str] = []
            for o in (o for o in outcomes if o.kind == kind):
                if o.status == "absent":
                    run.append(o.slot)
                    continue
                if run:
                    absent.append(AbsentRange(run[0], run[-1], len(run), kind))
                    run = []
            if run:
                absent.append(AbsentRange(run[0], run[-1], len(run), kind))
        slots = [o.slot for o in outcomes]
        absent.sort(key=lambda a: (a.first, a.kind))
        return cls(
            source,
            len(outcomes),
            sum(o.status == "fetched" for o in outcomes),
            failed,
            tuple(absent),
            min(slots) if slots else None,
            max(slots) if slots else None,
            sum(o.status == "untried" for o in outcomes),
        )

    @property
    def n_absent(self) -> int:
        """Slots absent from the list."""
        return sum(a.n_slots for a in self.absent)

    @property
    def complete(self) -> bool:
        """Every expected file fetched."""
        return self.fetched == self.expected

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (absent ranges with their slot keys and text)."""
        return {
            "source": self.source,
            "first_slot": self.first_slot,
            "last_slot": self.last_slot,
            "expected": self.expected,
            "fetched": self.fetched,
            "failed": [
                {"slot": f.slot, "kind": f.kind, "url": f.url, "reason": f.reason}
                for f in self.failed
            ],
            "absent": [
                {
                    "first": a.first,
                    "last": a.last,
                    "n_slots": a.n_slots,
                    "kind": a.kind,
                    "text": a.text(),
                }
                for a in self.absent
            ],
            "n_failed": len(self.failed),
            "n_absent": self.n_absent,
            "n_untried": self.untried,
        }

    def summary(self) -> str:
        """Lines for people: the counts, then each failure and each absent range."""
        span = f"{self.first_slot}–{self.last_slot}" if self.first_slot else "no slots"
        lines = [
            f"{self.source} coverage {span}: {self.expected:,} files expected, "
            f"{self.fetched:,} fetched, {len(self.failed):,} failed, "
            f"{self.n_absent:,} absent from the list"
            + (f", {self.untried:,} not tried (interrupted)" if self.untried else "")
        ]
        lines += [f"  failed {f.slot} {f.kind}: {f.reason}" for f in self.failed]
        lines += [
            f"  absent {'' if a.kind == 'export' else a.kind + ' '}{a.text()}" for a in self.absent
        ]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What a fetch did: files downloaded, bytes, rows ingested, and the coverage.

    ``ok`` is False while a listed file still fails (the CLI then exits non-zero).
    """

    source: str
    start: date
    end: date
    countries: tuple[str, ...] | None
    outcomes: tuple[FileOutcome, ...]
    coverage: FetchCoverage
    seconds: float
    interrupted: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def files(self) -> int:
        """Files downloaded by this run (files found in the store or cache not counted)."""
        return sum(o.downloaded for o in self.outcomes)

    @property
    def bytes(self) -> int:
        """Bytes of the files downloaded by this run."""
        return sum(o.bytes or 0 for o in self.outcomes if o.downloaded)

    @property
    def rows(self) -> int:
        """Rows this run ingested."""
        return sum(o.rows or 0 for o in self.outcomes if o.downloaded)

    @property
    def rejected(self) -> int:
        """Rows of this run's files that the reader rejected (not stored)."""
        return sum(o.rejected for o in self.outcomes if o.downloaded)

    @property
    def failures(self) -> tuple[FailedFile, ...]:
        """Listed files that failed."""
        return self.coverage.failed

    @property
    def ok(self) -> bool:
        """No listed file failed, and the run was not interrupted."""
        return not self.failures and not self.interrupted

    def to_frame(self) -> pl.DataFrame:
        """One row per expected file: slot, kind, status, reason, url, rows, bytes,
        downloaded (by this run)."""
        return pl.DataFrame(
            {
                "slot": [o.slot for o in self.outcomes],
                "kind": [o.kind for o in self.outcomes],
                "status": [o.status for o in self.outcomes],
                "reason": [o.reason for o in self.outcomes],
                "url": [o.url for o in self.outcomes],
                "rows": [o.rows for o in self.outcomes],
                "bytes": [o.bytes for o in self.outcomes],
                "downloaded": [o.downloaded for o in self.outcomes],
            },
            schema={
                "slot": pl.String,
                "kind": pl.String,
                "status": pl.String,
                "reason": pl.String,
                "url": pl.String,
                "rows": pl.Int64,
                "bytes": pl.Int64,
                "downloaded": pl.Boolean,
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the totals and the coverage."""
        return {
            "source": self.source,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "countries": list(self.countries) if self.countries is not None else "all",
            "files_downloaded": self.files,
            "bytes_downloaded": self.bytes,
            "rows_ingested": self.rows,
            "rows_rejected": self.rejected,
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
            "interrupted": self.interrupted,
            "notes": list(self.notes),
            "coverage": self.coverage.to_dict(),
        }

    def summary(self) -> str:
        """The totals and the coverage, for people."""
        who = ",".join(self.countries) if self.countries is not None else "all countries"
        head = (
            f"fetch {self.source} {self.start}–{self.end} ({who}): {self.files:,} files "
            f"downloaded ({self.bytes / 1e6:,.1f} MB), {self.rows:,} rows ingested "
            f"in {self.seconds:.1f} s"
        )
        if self.interrupted:
            head += " — interrupted; run the same command again to resume"
        return "\n".join([head, *self.notes, self.coverage.summary()])
