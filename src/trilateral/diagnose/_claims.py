"""The reference paper's checkable claims, checked against data, one evidence base at a time.

Each claim of ``claims.yaml`` names an *indicator* (``_indicators.py``), its parameters,
a window and the expected result. :func:`run_claims` measures every indicator on the
capability panel, the UNGA alignment table and the event store, and gives a verdict —
with the figures measured. A claim the data contradict is reported as contradicted; the
tolerances are set in the YAML by one stated policy (docs/diagnose.md, "Claims"), never
per claim to make it pass.

Event claims are judged separately on each evidence base of the store
(:func:`trilateral.measure.evidence_bases`): the curated ``chronicle`` and the
machine-coded, independent ``icews``. A base that does not cover every day the claim
reads gives ``not enough data``. Event indicators count acts, not reports, and carry a
95 % bootstrap interval; a verdict whose interval straddles the claim's threshold is
``inconclusive`` (``_event_indicators.py``, ``_uncertainty.py``). Each base's verdict
is checked twice against the paper (``_judging.py``): without the paper-only rows
(changed → ``circular``) and without every row of the events the paper names (changed →
``paper-selected``); neither counts as support. A claim whose figure is of another
quantity than the data's (``comparable: false``) is ``not comparable``. The overall
verdict follows :data:`OVERALL_RULE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import ConfigError
from ..measure import CHRONICLE, ICEWS, PAPER_CITATION, EvidenceBase
from ._claim_model import (
    CIRCULAR,
    CONTRADICTED,
    DISPUTED,
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_ENOUGH_DATA,
    PAPER_SELECTED,
    SUPPORTED,
    VERDICTS,
    WITHIN_TOLERANCE,
    Claim,
    load_claims,
)
from ._indicators import EVENT_INDICATORS, _Context
from ._judging import Bases, BaseVerdict, measure_claim, plain

__all__ = [
    "CIRCULAR",
    "CONTRADICTED",
    "DISPUTED",
    "INCONCLUSIVE",
    "NOT_COMPARABLE",
    "NOT_ENOUGH_DATA",
    "OVERALL_RULE",
    "PAPER_SELECTED",
    "SUPPORTED",
    "WITHIN_TOLERANCE",
    "BaseVerdict",
    "ClaimResult",
    "ClaimsReport",
    "run_claims",
]

#: How the overall verdict of an event claim follows from its per-base verdicts.
OVERALL_RULE = (
    "overall = the verdict of the evidence bases that decide (supported, within tolerance "
    "or contradicted; circular, paper-selected, inconclusive and not enough data never "
    "decide); 'disputed' when those disagree; when none decides, 'circular' if the "
    "chronicle's verdict is circular, else 'paper-selected' if a base's is, else "
    "'inconclusive' if a base's is, else 'not enough data'"
)
_DECISIVE = (SUPPORTED, WITHIN_TOLERANCE, CONTRADICTED)
#: The bases every report shows, present in the store or not (TEAM contract).
_SHOWN_BASES = (CHRONICLE, ICEWS)


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The verdict on one claim with the figures measured.

    For an event claim, ``by_base`` holds the verdict of each evidence base and
    ``verdict`` the overall one (:data:`OVERALL_RULE`); ``measured`` and ``figures`` are
    those of the first base (chronicle first) whose verdict is the overall one (the first
    base when the bases disagree), and ``measured_base`` names it. Other claims
    (capability panel, UNGA votes) have one verdict and an empty ``by_base``; their
    numbers come from ``claim.source``.
    """

    claim: Claim
    verdict: str
    measured: Any
    figures: dict[str, Any]
    note: str
    by_base: tuple[BaseVerdict, ...] = ()
    measured_base: str | None = None
    measured_from: str = ""

    @property
    def number_source(self) -> str:
        """Where ``measured`` comes from: the evidence base and its datasets for an event
        claim, the claim's data source otherwise."""
        return self.measured_from or self.claim.source

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def verdicts(self) -> dict[str, str]:
        """The verdict per evidence base (empty for claims not on the event store)."""
        return {b.base: b.verdict for b in self.by_base}

    def base(self, name: str) -> BaseVerdict:
        """The verdict of one evidence base; KeyError if the claim has none for it."""
        for b in self.by_base:
            if b.base == name:
                return b
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``--json``)."""
        c = self.claim
        return {
            "id": c.id,
            "verdict": self.verdict,
            "verdicts": self.verdicts,
            "measured": plain(self.measured),
            "expected": c.expected_text(),
            "unit": c.unit,
            "indicator": c.indicator,
            "window": [c.window[0].isoformat(), c.window[1].isoformat()],
            "quote": c.quote,
            "source": c.source,
            "measured_base": self.measured_base,
            "measured_from": self.number_source,
            "paper_source": c.paper_source,
            "figures": {k: plain(v) for k, v in self.figures.items()},
            "note": self.note,
            "by_base": {b.base: b.to_dict() for b in self.by_base},
        }


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


@dataclass(frozen=True, slots=True)
class ClaimsReport:
    """Verdicts on every claim, in the order of the claims file.

    ``bases`` lists the evidence bases of the store (empty without a store).
    """

    results: tuple[ClaimResult, ...]
    bases: tuple[EvidenceBase, ...] = ()
    #: The capability panel the capability claims used (``describe_panel``).
    panel: str = ""

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, claim_id: str) -> ClaimResult:
        for r in self.results:
            if r.id == claim_id:
                return r
        raise KeyError(claim_id)

    @property
    def base_names(self) -> tuple[str, ...]:
        """The bases shown per event claim: chronicle, icews, then any other in the store."""
        extra = sorted({b.name for b in self.bases} - set(_SHOWN_BASES))
        return (*_SHOWN_BASES, *extra)

    @property
    def counts(self) -> dict[str, int]:
        """Number of claims per (overall) verdict."""
        return {v: sum(r.verdict == v for r in self.results) for v in VERDICTS}

    def counts_by_base(self) -> dict[str, dict[str, int]]:
        """Per evidence base, the number of event claims per verdict."""
        return {
            name: {
                v: sum(r.verdicts.get(name) == v for r in self.results if r.by_base)
                for v in VERDICTS
            }
            for name in self.base_names
        }

    def supported_by(self, base: str) -> tuple[str, ...]:
        """Ids of the event claims ``base`` alone supports (e.g. ``"icews"``)."""
        return tuple(r.id for r in self.results if r.verdicts.get(base) == SUPPORTED)

    def independent(self) -> dict[str, Any]:
        """What data the reference paper did not write support.

        ``event_claims``: event claims a base other than the chronicle supports;
        ``other_claims``: capability and UNGA claims supported (World Bank, SIPRI,
        Voeten et al.); ``circular``: claims whose chronicle verdict rests on the paper;
        ``paper_selected``: claims a base's verdict on which depends on the events the
        paper chose.
        """
        ev = [
            r.id
            for r in self.results
            if any(b.verdict == SUPPORTED and b.base != CHRONICLE for b in r.by_base)
        ]
        other = [r.id for r in self.results if not r.by_base and r.verdict == SUPPORTED]
        circ = [r.id for r in self.results if r.verdicts.get(CHRONICLE) == CIRCULAR]
        chosen = [r.id for r in self.results if PAPER_SELECTED in r.verdicts.values()]
        return {
            "event_claims": ev,
            "n_event_claims": len(ev),
            "other_claims": other,
            "n_other_claims": len(other),
            "circular": circ,
            "paper_selected": chosen,
        }

    def to_frame(self) -> pl.DataFrame:
        """One row per claim: id, verdict, one column per base, measured, expected, unit,
        window, source, note."""
        names = self.base_names
        rows = [
            {
                "id": r.id,
                "verdict": r.verdict,
                **{name: r.verdicts.get(name, "") for name in names},
                "measured": _fmt(r.measured),
                "measured_from": r.number_source,
                "expected": r.claim.expected_text(),
                "unit": r.claim.unit,
                "window": f"{r.claim.window[0]}/{r.claim.window[1]}",
                "source": r.claim.source,
                "note": r.note,
            }
            for r in self.results
        ]
        cols = (
            "id",
            "verdict",
            *names,
            "measured",
            "measured_from",
            "expected",
            "unit",
            "window",
            "source",
        )
        return pl.DataFrame(rows, schema={k: pl.Utf8 for k in (*cols, "note")})

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``--json``): the counts, the rule, the bases and every result."""
        return {
            "counts": self.counts,
            "counts_by_base": self.counts_by_base(),
            "supported_by_independent_data": self.independent(),
            "overall_rule": OVERALL_RULE,
            "bases": {
                b.name: {
                    "datasets": list(b.datasets),
                    "events": b.n_events,
                    "covers": [[a.isoformat(), z.isoformat()] for a, z in b.spans],
                    "rows_citing_the_paper": b.n_cited,
                    **({"fetch_slots": g.to_dict()} if (g := b.gaps()) is not None else {}),
                }
                for b in self.bases
            },
            "claims": [r.to_dict() for r in self.results],
            "panel": self.panel,
        }

    def summary(self) -> str:
        """A readable list of verdicts, the bases side by side, with measured and expected."""
        c = self.counts
        lines = [
            "Claims of Feng (2019): "
            + ", ".join(f"{n} {v}" for v, n in c.items() if n or v in (SUPPORTED, CONTRADICTED))
        ]
        names = self.base_names
        if any(r.by_base for r in self.results):
            lines.append(f"{'':34} {'overall':<16} " + " ".join(f"{n:<16}" for n in names))
        for r in self.results:
            per = " ".join(f"{r.verdicts.get(n, ''):<16}" for n in names) if r.by_base else ""
            on = f" on {r.measured_base}" if r.measured_base else ""
            lines.append(
                f"{r.id:<34} {r.verdict:<16} {per}measured{on} {_fmt(r.measured)} "
                f"vs {r.claim.expected_text()} {r.claim.unit}".rstrip()
            )
        ind = self.independent()
        if self.bases:
            lines.append(
                f"Supported by independent event data ({', '.join(n for n in names if n != CHRONICLE)}): "
                f"{ind['n_event_claims']}; circular on the chronicle: "
                f"{', '.join(ind['circular']) or 'none'}"
            )
        if self.panel:
            lines.append(f"Capability panel: {self.panel}")
        return "\n".join(lines)


def _as_polars(table: Any) -> pl.DataFrame | None:
    if table is None:
        return None
    if isinstance(table, pl.DataFrame):
        return table
    out = pl.from_arrow(table)
    assert isinstance(out, pl.DataFrame)
    return out


def overall_verdict(by_base: Sequence[BaseVerdict]) -> str:
    """The overall verdict of an event claim from its per-base verdicts (:data:`OVERALL_RULE`).

    Examples
    --------
    >>> b = lambda name, v: BaseVerdict(name, v, None, {}, "")
    >>> overall_verdict([b("chronicle", "circular"), b("icews", "supported")])
    'supported'
    >>> overall_verdict([b("chronicle", "supported"), b("icews", "contradicted")])
    'disputed'
    >>> overall_verdict([b("chronicle", "circular"), b("icews", "not enough data")])
    'circular'
    """
    decisive = {b.verdict for b in by_base if b.verdict in _DECISIVE}
    if len(decisive) == 1:
        return decisive.pop()
    if decisive:
        return DISPUTED
    if any(b.base == CHRONICLE and b.verdict == CIRCULAR for b in by_base):
        return CIRCULAR
    for v in (PAPER_SELECTED, INCONCLUSIVE):
        if any(b.verdict == v for b in by_base):
            return v
    return NOT_ENOUGH_DATA


def run_claims(
    store: Any = None,
    panel: Any = None,
    alignment: Any = None,
    *,
    claims: Sequence[Claim] | str | Path | None = None,
    ids: Iterable[str] | None = None,
    n_boot: int = 999,
    rng: Any = 0,
    min_events: int = 5,
    paper_citation: str | None = PAPER_CITATION,
    engine: Any = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ClaimsReport:
    """Check the paper's claims against the data, each event claim on each evidence base.

    Parameters
    ----------
    store : EventStore, str or Path, optional
        The event store for the event claims; without it they are "not enough data".
    panel : pyarrow.Table or polars.DataFrame, optional
        The capability panel; default :func:`trilateral.data.capabilities.load_panel`.
    alignment : pyarrow.Table or polars.DataFrame, optional
        The UNGA alignment table; default :func:`trilateral.data.unga.load_alignment`.
    claims : sequence of Claim or path, optional
        Default: the shipped ``claims.yaml``.
    ids : iterable of str, optional
        Check only these claims.
    n_boot, rng
        Bootstrap draws (default 999) and seed: every event claim's interval (acts
        resampled within each period; a verdict whose 95 % interval straddles the
        claim's threshold is "inconclusive", with the draw shares in the note) and the
        regime claim's confidence. ``n_boot=0``: no intervals, the verdict rests on the
        point estimate alone and says so.
    min_events : int
        The fewest events a window (or a year, for the yearly indicators) must hold for
        an event indicator that averages Goldstein scores or shares (``mean_goldstein``,
        ``goldstein_change``, ``yearly_goldstein_max``, ``lowest_year``,
        ``hostile_arenas``, ``regime``); fewer → "not enough data", with the counts in
        the figures. Default 5, the regime rules' ``min_events``.
    paper_citation : str or None
        A regular expression matching the citations of the reference paper itself
        (default :data:`trilateral.measure.PAPER_CITATION`): the events the paper names
        are the days and country pairs of those chronicle rows. A verdict that changes
        without the paper-only rows (:data:`trilateral.measure.PAPER_ONLY`) is
        ``circular``; one that changes only without every row of the events the paper
        names is ``paper-selected`` (``_judging.py``). None: no such checks.
    engine : {"duckdb", "spark"} or EngineConfig, optional
        Where the measure stage's queries (indices, scope, tit-for-tat events) run on each
        evidence base (default DuckDB; docs/scale.md). The bases themselves are split
        from the store by DuckDB.
    progress : callable, optional
        Called as ``progress(done, total, claim_id)`` after each claim (the CLI draws a
        bar with it on a terminal).

    Returns
    -------
    ClaimsReport

    Examples
    --------
    >>> report = run_claims()  # capability and UNGA claims only
    >>> report["rus-defence-2015"].verdict
    'supported'
    """
    if claims is None or isinstance(claims, str | Path):
        claims = load_claims(claims)
    if ids is not None:
        wanted = set(ids)
        unknown = wanted - {c.id for c in claims}
        if unknown:
            raise ConfigError(f"unknown claim ids: {', '.join(sorted(unknown))}")
        claims = [c for c in claims if c.id in wanted]
    if panel is None:
        from ..data.capabilities import load_panel

        panel = load_panel()
    if alignment is None:
        from ..data.unga import load_alignment

        alignment = load_alignment()
    if not (isinstance(min_events, int) and min_events >= 1):
        raise ConfigError(f"min_events must be a positive integer, got {min_events!r}")
    pan, ali = _as_polars(panel), _as_polars(alignment)

    def make(con: Any) -> _Context:
        return _Context(con, pan, ali, n_boot, rng, min_events, engine=engine)

    no_store = make(None)
    results = []
    with ExitStack() as stack:
        bases = None
        if store is not None and any(c.indicator in EVENT_INDICATORS for c in claims):
            bases = Bases(store, stack, make, paper_citation)
        names = ClaimsReport((), tuple(bases.info.values()) if bases else ()).base_names
        for done, claim in enumerate(claims, start=1):
            if progress is not None:
                progress(done - 1, len(claims), claim.id)
            if bases is None or claim.indicator not in EVENT_INDICATORS:
                verdict, m, _ = measure_claim(no_store, claim)
                note = "; ".join(x for x in (m.note, claim.note.strip()) if x)
                results.append(ClaimResult(claim, verdict, m.value, dict(m.figures), note))
                continue
            per = tuple(bases.judge(claim, name) for name in names)
            verdict = overall_verdict(per)
            lead = next((b for b in per if b.verdict == verdict), per[0])
            note = "; ".join(
                x
                for x in (*(f"{b.base}: {b.note}" for b in per if b.note), claim.note.strip())
                if x
            )
            info = bases.info.get(lead.base)
            results.append(
                ClaimResult(
                    claim,
                    verdict,
                    lead.measured,
                    dict(lead.figures),
                    note,
                    per,
                    measured_base=lead.base,
                    measured_from=f"the {lead.base} evidence base"
                    + (
                        f" ({', '.join(info.datasets)}: {info.n_events:,} events)"
                        if info is not None
                        else " (no rows in the store)"
                    ),
                )
            )
    if progress is not None:
        progress(len(claims), len(claims), "")
    from ..data.capabilities import describe_panel

    return ClaimsReport(
        tuple(results), tuple(bases.info.values()) if bases else (), describe_panel(panel)
    )
