"""Judging one claim on one evidence base: the measurement, its interval, two robustness
checks against the reference paper, and the verdict.

An event claim is measured on a base's copy of the store (:func:`~trilateral.measure.
base_store`), then twice more:

1. without the **paper-only** rows (:data:`~trilateral.measure.PAPER_ONLY`: the paper
   or its footnote is the row's only source). A verdict that changes is ``circular``
   and never counts as support;
2. without **every row for an event the paper names** (:func:`~trilateral.measure.
   paper_events`: each day and country pair of a chronicle row citing the paper, rows
   of any base on that day between those two countries). A verdict that changes only
   here is ``paper-selected``: the evidence is real, but the paper chose the events.

Each check's figures name the rows it drops (the chronicle's event ids; the events the
paper names, as day and pair).
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..errors import DataError, TrilateralError
from ..measure import PAPER_ONLY, base_store, evidence_bases, paper_events
from ._claim_model import (
    CIRCULAR,
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_ENOUGH_DATA,
    PAPER_SELECTED,
    Claim,
    grade,
)
from ._event_indicators import ACT_INDICATORS, INDICATORS
from ._indicators import Measurement, _Context, needed_window
from ._uncertainty import verdict_from_draws

__all__ = ["ACT_BASED", "BaseVerdict", "Bases", "measure_claim", "plain"]

#: The indicators measured on acts with a bootstrap interval.
ACT_BASED = frozenset({*ACT_INDICATORS, "tit_for_tat"})
#: Row ids a check lists at most (the count is always given).
_MAX_IDS = 40


@dataclass(frozen=True, slots=True)
class BaseVerdict:
    """The verdict on one claim from one evidence base, with what it measured."""

    base: str
    verdict: str
    measured: Any
    figures: dict[str, Any]
    note: str
    #: ``ci_low``/``ci_high`` (95 % bootstrap interval) or ``draw_shares`` (label →
    #: share of draws) and ``share_contradicted``; empty without draws.
    interval: dict[str, Any] = field(default_factory=dict)
    n_acts: int | None = None
    n_reports: int | None = None
    coverage: str = ""
    #: A fetched base's slots over the claim's window (``SlotGaps.to_dict()``: failed,
    #: absent and untried ranges, the share fetched); None for a base with no fetch ledger.
    gaps: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``--json``): verdict, measured, the interval (``ci_low``,
        ``ci_high`` or ``draw_shares``), ``n_acts``, ``n_reports``, ``coverage``,
        figures, note."""
        return {
            "verdict": self.verdict,
            "measured": plain(self.measured),
            "ci_low": plain(self.interval.get("ci_low")),
            "ci_high": plain(self.interval.get("ci_high")),
            **(
                {"draw_shares": self.interval["draw_shares"]}
                if "draw_shares" in self.interval
                else {}
            ),
            "n_acts": self.n_acts,
            "n_reports": self.n_reports,
            "coverage": self.coverage,
            "gaps": self.gaps,
            "figures": {k: plain(v) for k, v in self.figures.items()},
            "note": self.note,
        }


def plain(v: Any) -> Any:
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 6)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return v


def measure_claim(ctx: _Context, claim: Claim) -> tuple[str, Measurement, dict[str, Any]]:
    """The verdict, the measurement and its interval fields (empty without draws); an
    event verdict whose interval straddles the threshold becomes inconclusive, with the
    draw shares added to the measurement's note."""
    try:
        m = INDICATORS[claim.indicator](ctx, claim)
    except DataError as exc:
        m = Measurement(None, note=exc.message)
    except TrilateralError:
        raise
    if m.inconclusive:
        return INCONCLUSIVE, m, {}
    if m.value is None:
        return NOT_ENOUGH_DATA, m, {}
    verdict = grade(m.value, claim.expected)
    if not claim.comparable:
        why = f"measured {m.value:.4g} {claim.unit}, the paper {claim.expected_text()}"
        return NOT_COMPARABLE, replace(m, note="; ".join(x for x in (why, m.note) if x)), {}
    if claim.indicator not in ACT_BASED:
        return verdict, m, {}
    verdict, interval, why = verdict_from_draws(verdict, m.draws, claim.expected, claim.indicator)
    if why:
        m = replace(m, note="; ".join(x for x in (why, m.note) if x))
    return verdict, m, interval


class Bases:
    """The store's evidence bases, each opened (as an in-memory copy) on first use, in
    three variants: all rows, without the paper-only rows, without the paper's events."""

    def __init__(self, store: Any, stack: ExitStack, make: Any, paper: str | None) -> None:
        self.store = store
        self.stack = stack
        self.make = make
        self.paper = paper
        self.info = {b.name: b for b in evidence_bases(store, cited=paper)}
        self.only = {b.name: b.n_cited for b in evidence_bases(store, cited=PAPER_ONLY)}
        self.events = (
            paper_events(store, paper) if paper is not None and "chronicle" in self.info else ()
        )
        self._ctx: dict[tuple[str, str], _Context | None] = {}
        self._dropped: dict[tuple[str, str], list[str]] = {}

    def context(self, name: str, variant: str) -> _Context | None:
        """``variant``: "all", "no paper-only" or "no paper events"; None if nothing is left."""
        key = (name, variant)
        if key not in self._ctx:
            opts: dict[str, Any] = {}
            if variant == "no paper-only":
                opts["exclude_cited"] = PAPER_ONLY
            elif variant == "no paper events":
                opts["exclude_events"] = self.events
            try:
                con = self.stack.enter_context(base_store(self.store, name, **opts))
            except DataError:  # nothing left once the rows are out
                self._ctx[key] = None
            else:
                self._ctx[key] = self.make(con)
        return self._ctx[key]

    def _check(self, claim: Claim, name: str, variant: str) -> tuple[str, Measurement]:
        ctx = self.context(name, variant)
        if ctx is None:
            return NOT_ENOUGH_DATA, Measurement(None, note="no rows left")
        v, m, _ = measure_claim(ctx, claim)
        return v, m

    def _dropped_rows(self, name: str) -> list[str]:
        """The ids of the base's paper-only rows."""
        if (name, "ids") not in self._dropped:
            with base_store(self.store, name) as con:
                rows = con.execute(
                    "SELECT event_id FROM events WHERE regexp_matches("
                    "coalesce(url_or_citation, ''), ?) ORDER BY event_id",
                    [PAPER_ONLY],
                ).fetchall()
            self._dropped[(name, "ids")] = [r[0] for r in rows]
        return self._dropped[(name, "ids")]

    def judge(self, claim: Claim, name: str) -> BaseVerdict:
        info = self.info.get(name)
        if info is None:
            return BaseVerdict(name, NOT_ENOUGH_DATA, None, {}, f"no {name} rows in the store")
        d0, d1 = needed_window(claim)
        cover = info.coverage_text(d0, d1)
        slots = info.gaps(d0, d1)
        gaps = None if slots is None else slots.to_dict()
        gap_note = f"the window has gaps: {slots.text()}" if slots and slots.has_gaps else ""
        if not info.covers(d0, d1):
            why = f"{name} covers {info.coverage_text()}, not all of {d0}–{d1}"
            return BaseVerdict(
                name,
                NOT_ENOUGH_DATA,
                None,
                {},
                "; ".join(x for x in (why, gap_note) if x),
                coverage=cover,
                gaps=gaps,
            )
        ctx = self.context(name, "all")
        assert ctx is not None
        verdict, m, interval = measure_claim(ctx, claim)
        figures = dict(m.figures)
        notes = [m.note]
        if self.paper is not None and self.only.get(name):
            ids = self._dropped_rows(name)
            v1, m1 = self._check(claim, name, "no paper-only")
            figures["without_paper_only_rows"] = {
                "verdict": v1,
                "measured": m1.value,
                "rows_left_out": len(ids),
                "rows": ids[:_MAX_IDS],
            }
            if v1 != verdict:
                notes.insert(
                    0, f"circular: {verdict} with the {len(ids)} paper-only rows, {v1} without them"
                )
                verdict = CIRCULAR
        if self.paper is not None and self.events and verdict != CIRCULAR:
            d0, d1 = needed_window(claim)
            named = [e for e in self.events if d0 <= e[0] <= d1]
            if named:
                v2, m2 = self._check(claim, name, "no paper events")
                figures["without_paper_events"] = {
                    "verdict": v2,
                    "measured": m2.value,
                    "events_left_out": len(named),
                    "events": [f"{d.isoformat()} {a}–{b}" for d, a, b in named[:_MAX_IDS]],
                }
                if v2 != verdict:
                    notes.insert(
                        0,
                        f"paper-selected: {verdict} with the rows of the "
                        f"{len(named)} events the paper names, {v2} without them",
                    )
                    verdict = PAPER_SELECTED
        note = "; ".join(x for x in (*notes, gap_note) if x)
        return BaseVerdict(
            name, verdict, m.value, figures, note, interval, m.n_acts, m.n_reports, cover, gaps
        )
