"""Relationship regimes per symmetric dyad and period (docs/diagnose.md).

The four labels come from the reference paper's own vocabulary (Feng 2019, "Limited
Opponents: 'New Normal' of US—Russia Relations"): *partnership*, *limited partnership*
(Stent 2014's "limits of partnership"), *limited opponents* (rivalry "limited in terms of
intensity, breadth and impact ... more regional than global, more specific than holistic")
and *confrontation* (the "new Cold War": all-round competition, all-round military
confrontation). The rules, their thresholds and the confidence method are documented in
``docs/diagnose.md``; every threshold lives in :class:`RegimeConfig`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from .._rng import RNGLike, seed_sequence
from ..config import ARENAS
from ..errors import DataError
from ..measure import conflict_scope, z_of_level
from ._frames import (
    _REGIME_STREAM,
    _STATS,
    _align_scope,
    _as_frame,
    _cell_rng,
    _pool,
    _pool_scope,
    _reperiod,
    _window_scope,
    index_level,
    symmetric_frame,
)
from ._reading import reading
from ._settings import Settings

__all__ = [
    "CONFRONTATION",
    "INSUFFICIENT",
    "LIMITED_OPPONENTS",
    "LIMITED_PARTNERSHIP",
    "PARTNERSHIP",
    "REGIME_LABELS",
    "Regime",
    "RegimeConfig",
    "RegimeResults",
    "classify_regimes",
    "conflict_scope",
    "regime_labels",
    "symmetric_frame",
]

PARTNERSHIP = "partnership"
LIMITED_PARTNERSHIP = "limited partnership"
LIMITED_OPPONENTS = "limited opponents"
CONFRONTATION = "confrontation"
INSUFFICIENT = "insufficient data"
#: The labels in order from friendliest to most hostile (then "insufficient data").
REGIME_LABELS: tuple[str, ...] = (
    PARTNERSHIP,
    LIMITED_PARTNERSHIP,
    LIMITED_OPPONENTS,
    CONFRONTATION,
    INSUFFICIENT,
)
_CODE = {label: i for i, label in enumerate(REGIME_LABELS)}


class RegimeConfig(Settings):
    """Thresholds of the regime rules (defaults justified in ``docs/diagnose.md``).

    Parameters
    ----------
    min_events : int
        Fewer events than this in a dyad-period → "insufficient data".
    min_arena_events : int
        An arena counts towards breadth only with at least this many events.
    hostile_goldstein : float
        Overall mean Goldstein strictly below this → the opponents side.
    partnership_goldstein : float
        Overall mean Goldstein at or above this (with no hostile arena and no force)
        → "partnership"; otherwise a friendly dyad is a "limited partnership".
    force_min_events : int
        This many force events (CAMEO 18–20) between the two → force is used directly.
    material_conflict_share : float
        Material-conflict share (quad 4) at or above this → intensity not limited.
    severity_goldstein : float
        Mean Goldstein of the conflict events at or below this → intensity not limited
        (only when a scope table supplies it).
    confrontation_min_hostile_arenas : int
        Breadth is "all-round" when at least this many arenas are net-hostile ...
    cooperation_survives_share : float
        ... and no observed arena keeps a cooperation share at or above this.
    global_scope_share : float
        Share of located conflict events outside both countries and outside their
        region (:func:`trilateral.measure.conflict_scope`) at or above this → scope
        "global"; below → "regional".
    scope_min_located : int
        Fewer located conflict events → scope "unknown" (does not decide).
    n_draws : int
        Monte Carlo draws for the confidence of each label.
    """

    min_events: Annotated[int, Field(ge=0)] = 5
    min_arena_events: Annotated[int, Field(ge=0)] = 3
    hostile_goldstein: Annotated[float, Field(ge=-10.0, le=10.0)] = 0.0
    partnership_goldstein: Annotated[float, Field(ge=-10.0, le=10.0)] = 1.0
    force_min_events: Annotated[int, Field(ge=0)] = 1
    material_conflict_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    severity_goldstein: Annotated[float, Field(ge=-10.0, le=10.0)] = -8.0
    confrontation_min_hostile_arenas: Annotated[int, Field(ge=1, le=len(ARENAS))] = 4
    cooperation_survives_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.25
    global_scope_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    scope_min_located: Annotated[int, Field(ge=0)] = 5
    n_draws: Annotated[int, Field(ge=1)] = 1000

    @model_validator(mode="after")
    def _ordered(self) -> RegimeConfig:
        if self.partnership_goldstein < self.hostile_goldstein:
            raise ValueError("partnership_goldstein must be ≥ hostile_goldstein")
        return self


@dataclass(frozen=True, slots=True)
class Regime:
    """The regime of one symmetric dyad in one period, with the evidence for it.

    ``rule`` names the rule that fired (see ``docs/diagnose.md``), ``limited_by`` the
    dimensions (intensity, breadth, scope) that kept a hostile dyad short of
    confrontation, ``evidence`` the figures the rules read, and ``confidence`` the share
    of Monte Carlo draws from the indices' uncertainty that give the same label.
    """

    source: str
    target: str
    period_start: date
    label: str
    rule: str
    limited_by: tuple[str, ...]
    confidence: float | None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    #: The share of the Monte Carlo draws giving each label (empty without draws).
    draw_shares: Mapping[str, float] = field(default_factory=dict)

    @property
    def reading(self) -> str:
        """The label if it holds in ≥ 80 % of the draws, else ``"indeterminate (A 55 %,
        B 40 %)"`` (:func:`~trilateral.diagnose._reading.reading`)."""
        return reading(self.draw_shares, fallback=self.label)

    @property
    def dyad(self) -> str:
        """``"RUS-USA"``: the two ISO3 codes in alphabetical order."""
        return f"{self.source}-{self.target}"


@dataclass(frozen=True, slots=True)
class RegimeResults:
    """Regimes of every symmetric dyad and period of an index."""

    regimes: tuple[Regime, ...]
    config: RegimeConfig
    period: str
    scope_known: bool

    def __len__(self) -> int:
        return len(self.regimes)

    def get(self, dyad: str | Sequence[str], period_start: date | str | int) -> Regime:
        """The regime of ``dyad`` ("RUS-USA", or two codes in any order) in a period.

        ``period_start`` may be a date, an ISO date string or a year.
        """
        a, b = sorted(dyad.split("-") if isinstance(dyad, str) else dyad)
        for r in self.regimes:
            if (r.source, r.target) != (a, b):
                continue
            ps = r.period_start
            if (
                (isinstance(period_start, int) and ps.year == period_start)
                or (isinstance(period_start, str) and ps.isoformat() == period_start)
                or ps == period_start
            ):
                return r
        raise DataError(
            f"no regime for {a}-{b} in period {period_start}",
            hint="check the countries and the period of the index",
        )

    def _frame(self) -> pl.DataFrame:
        evidence_keys = sorted({k for r in self.regimes for k in r.evidence})
        rows = []
        for r in self.regimes:
            row: dict[str, Any] = {
                "source": r.source,
                "target": r.target,
                "dyad": r.dyad,
                "period": self.period,
                "period_start": r.period_start,
                "label": r.label,
                "reading": r.reading,
                "rule": r.rule,
                "limited_by": ",".join(r.limited_by),
                "confidence": r.confidence,
            }
            for k in evidence_keys:
                v = r.evidence.get(k)
                row[k] = None if v is None else (str(v) if isinstance(v, str) else float(v))
            rows.append(row)
        if not rows:
            return pl.DataFrame(
                schema={
                    "source": pl.Utf8,
                    "target": pl.Utf8,
                    "dyad": pl.Utf8,
                    "period": pl.Utf8,
                    "period_start": pl.Date,
                    "label": pl.Utf8,
                    "reading": pl.Utf8,
                    "rule": pl.Utf8,
                    "limited_by": pl.Utf8,
                    "confidence": pl.Float64,
                }
            )
        return pl.DataFrame(rows, infer_schema_length=None)

    def to_frame(self) -> pl.DataFrame:
        """One row per dyad and period: label, rule, confidence and every evidence figure."""
        return self._frame()

    def summary(self) -> str:
        """A readable table: per dyad and period, the label (its reading: "indeterminate
        (A 55 %, B 40 %)" when under 80 % of the draws), its confidence and rule."""
        lines = [
            f"Regimes ({self.period}; scope {'from event locations' if self.scope_known else 'unknown'})",
            f"{'dyad':<8} {'period':<10} {'label':<20} {'conf.':>5}  rule",
        ]
        for r in self.regimes:
            conf = "" if r.confidence is None else f"{r.confidence:.2f}"
            lines.append(
                f"{r.dyad:<8} {r.period_start.isoformat():<10} {r.reading:<20} {conf:>5}  {r.rule}"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- rules


def _decide(f: Mapping[str, np.ndarray], cfg: RegimeConfig) -> dict[str, np.ndarray]:
    """The rules, vectorised over Monte Carlo draws. Returns label codes and flags."""
    n = f["n_events"]
    hostile = f["mean_goldstein"] < cfg.hostile_goldstein
    force = f["force_events"] >= cfg.force_min_events
    partnership = (
        (f["n_hostile_arenas"] == 0) & (f["mean_goldstein"] >= cfg.partnership_goldstein) & ~force
    )
    sev = f["conflict_goldstein"]
    severe = np.where(np.isnan(sev), False, sev <= cfg.severity_goldstein)
    intensity_limited = ~force & (f["material_conflict_share"] < cfg.material_conflict_share)
    intensity_limited &= ~severe
    breadth_limited = (f["n_hostile_arenas"] < cfg.confrontation_min_hostile_arenas) | f[
        "cooperation_survives"
    ]
    gshare = f["global_share"]
    scope_known = ~np.isnan(gshare)
    scope_limited = scope_known & (np.nan_to_num(gshare) < cfg.global_scope_share)
    limited = intensity_limited | breadth_limited | scope_limited
    code = np.where(
        hostile,
        np.where(limited, _CODE[LIMITED_OPPONENTS], _CODE[CONFRONTATION]),
        np.where(partnership, _CODE[PARTNERSHIP], _CODE[LIMITED_PARTNERSHIP]),
    )
    code = np.where(n < cfg.min_events, _CODE[INSUFFICIENT], code)
    return {
        "code": code,
        "hostile": hostile,
        "force": force,
        "severe": severe,
        "intensity_limited": intensity_limited,
        "breadth_limited": breadth_limited,
        "scope_limited": scope_limited,
        "scope_known": scope_known,
    }


def _figures(
    rows: pl.DataFrame, scope_row: Mapping[str, Any] | None, cfg: RegimeConfig, level: float
) -> dict[str, Any]:
    """The point figures of one dyad-period from its arena rows (and "all" if present)."""
    by_arena = {r["arena"]: r for r in rows.iter_rows(named=True)}
    arena_rows = [by_arena[a] for a in ARENAS if a in by_arena]
    overall = by_arena.get("all")
    if overall is None:
        pooled = _pool(
            rows.filter(pl.col("arena") != "all").with_columns(arena=pl.lit("all")),
            ["source", "target", "arena", "period", "period_start"],
            level,
        )
        overall = pooled.row(0, named=True) if pooled.height else None
    fig: dict[str, Any] = {"arenas": {}}
    o = overall or {}
    fig["n_events"] = int(o.get("n_events") or 0)
    fig["mean_goldstein"] = o.get("mean_goldstein")
    fig["ci_low"] = o.get("ci_low")
    fig["ci_high"] = o.get("ci_high")
    for s in _STATS:
        fig[s] = o.get(s)
    fig["force_events"] = int(o.get("force_events") or 0)
    if overall is not None and "all" in by_arena and arena_rows:
        # a frame with both: force events may only be reported on arena rows
        fig["force_events"] = max(
            fig["force_events"], sum(int(r.get("force_events") or 0) for r in arena_rows)
        )
    for r in arena_rows:
        fig["arenas"][r["arena"]] = {
            "n_events": int(r.get("n_events") or 0),
            "conflict_share": r.get("conflict_share"),
            "material_conflict_share": r.get("material_conflict_share"),
            "cooperation_share": r.get("cooperation_share"),
            "net_cooperation": r.get("net_cooperation"),
            "mean_goldstein": r.get("mean_goldstein"),
        }
    sc = scope_row or {}
    fig["n_conflict"] = sc.get("n_conflict")
    fig["n_located"] = sc.get("n_located")
    fig["n_home"] = sc.get("n_home")
    fig["n_region"] = sc.get("n_region")
    fig["n_elsewhere"] = sc.get("n_elsewhere")
    fig["conflict_goldstein"] = sc.get("conflict_goldstein")
    return fig


def _nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _shares_draw(
    gen: np.random.Generator,
    n: int,
    coop: float | None,
    conflict: float | None,
    material: float | None,
    size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draws of (cooperation, conflict, material-conflict) shares from a Dirichlet.

    The weighted shares are treated as proportions of ``n`` events with a Jeffreys-like
    prior of 1/2 per category: quad 1–2, quad 3 and quad 4.
    """
    if n <= 0 or coop is None or conflict is None:
        nan = np.full(size, np.nan)
        return nan, nan, nan
    mat = float(material or 0.0)
    verbal = max(float(conflict) - mat, 0.0)
    alpha = np.array([float(coop), verbal, mat]) * n + 0.5
    d = gen.dirichlet(alpha, size=size)
    return d[:, 0], d[:, 1] + d[:, 2], d[:, 2]


def _shares_of(
    gen: np.random.Generator, f: Mapping[str, Any], size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_shares_draw` on the events and shares of one figure (a cell or an arena)."""
    n, coop, conflict = f["n_events"], f["cooperation_share"], f["conflict_share"]
    return _shares_draw(gen, n, coop, conflict, f["material_conflict_share"], size)


def _arrays(
    fig: Mapping[str, Any],
    cfg: RegimeConfig,
    draws: int,
    gen: np.random.Generator | None,
    z: float = 1.959963984540054,
):
    """Figures as arrays: length 1 (the point) or ``draws`` Monte Carlo draws."""
    size = 1 if gen is None else draws
    out: dict[str, np.ndarray] = {
        "n_events": np.full(size, fig["n_events"]),
        "force_events": np.full(size, fig["force_events"]),
        "mean_goldstein": _goldstein_draws(fig, size, gen, z),
    }
    if gen is not None:
        _, _, mat = _shares_of(gen, fig, size)
        out["material_conflict_share"] = mat
    else:
        out["material_conflict_share"] = np.full(size, _nan(fig["material_conflict_share"]))
    out["n_hostile_arenas"], out["cooperation_survives"] = _arena_hostility(fig, cfg, size, gen)
    out["conflict_goldstein"] = np.full(size, _nan(fig["conflict_goldstein"]))
    out["global_share"] = _global_share(fig, cfg, size, gen)
    return out


def _goldstein_draws(
    fig: Mapping[str, Any], size: int, gen: np.random.Generator | None, z: float
) -> np.ndarray:
    """The mean Goldstein score: the point, or normal draws whose standard deviation is
    the bootstrap interval's width over ``2 z``."""
    mg = _nan(fig["mean_goldstein"])
    if gen is not None and fig["ci_low"] is not None and fig["ci_high"] is not None:
        sd = max((fig["ci_high"] - fig["ci_low"]) / (2 * z), 0.0)
        return gen.normal(mg, sd, size) if sd > 0 else np.full(size, mg)
    return np.full(size, mg)


def _arena_hostility(
    fig: Mapping[str, Any], cfg: RegimeConfig, size: int, gen: np.random.Generator | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the number of net-hostile arenas and whether cooperation survives in
    one of them, over the arenas with enough events."""
    hostile = np.zeros(size, dtype=np.int64)
    survives = np.zeros(size, dtype=bool)
    for a in fig["arenas"].values():
        if a["n_events"] < cfg.min_arena_events or a["net_cooperation"] is None:
            continue
        if gen is not None:
            coop, conflict, _ = _shares_of(gen, a, size)
            net = coop - conflict
        else:
            coop = np.full(size, _nan(a["cooperation_share"]))
            net = np.full(size, float(a["net_cooperation"]))
        hostile += net < 0
        survives |= np.nan_to_num(coop) >= cfg.cooperation_survives_share
    return hostile, survives


def _global_share(
    fig: Mapping[str, Any], cfg: RegimeConfig, size: int, gen: np.random.Generator | None
) -> np.ndarray:
    """The share of located conflict events outside the home countries and their region
    (the point, or Beta draws); NaN when too few events are located."""
    located = fig["n_located"] or 0
    if located >= cfg.scope_min_located and located > 0:
        k = fig["n_elsewhere"] or 0
        if gen is not None:
            return gen.beta(k + 0.5, located - k + 0.5, size)
        return np.full(size, k / located)
    return np.full(size, np.nan)


def _rule_text(label: str, flags: Mapping[str, bool], fig: Mapping[str, Any], cfg: RegimeConfig):
    limited_by: list[str] = []
    if label == INSUFFICIENT:
        return f"R0: {fig['n_events']} events < min_events={cfg.min_events}", ()
    if label == PARTNERSHIP:
        return (
            f"R1: mean Goldstein ≥ {cfg.partnership_goldstein:g}, no net-hostile arena, "
            "no direct force",
            (),
        )
    if label == LIMITED_PARTNERSHIP:
        why = []
        if fig["mean_goldstein"] is not None and fig["mean_goldstein"] < cfg.partnership_goldstein:
            why.append(f"mean Goldstein < {cfg.partnership_goldstein:g}")
        if fig["n_hostile_arenas"]:
            why.append(f"{fig['n_hostile_arenas']} net-hostile arena(s)")
        if flags["force"]:
            why.append("direct force used")
        return (
            f"R2: friendly overall (mean Goldstein ≥ {cfg.hostile_goldstein:g}) but "
            + ", ".join(why or ["—"]),
            (),
        )
    if flags["intensity_limited"]:
        limited_by.append("intensity")
    if flags["breadth_limited"]:
        limited_by.append("breadth")
    if flags["scope_limited"]:
        limited_by.append("scope")
    if label == LIMITED_OPPONENTS:
        return (
            f"R3: hostile overall (mean Goldstein < {cfg.hostile_goldstein:g}), limited in "
            + ", ".join(limited_by),
            tuple(limited_by),
        )
    return (
        "R4: hostile overall and unlimited in intensity, breadth"
        + (" and scope" if flags["scope_known"] else " (scope unknown)"),
        (),
    )


def _label_shares(draws: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The share of the draws giving each label (labels no draw gives left out)."""
    codes = draws["code"]
    return {
        lab: float(np.mean(codes == code)) for lab, code in _CODE.items() if np.any(codes == code)
    }


def classify_regimes(
    index: Any,
    config: RegimeConfig | None = None,
    *,
    scope: pl.DataFrame | None = None,
    period: str | None = None,
    window: tuple[date, date] | None = None,
    countries: Sequence[str] | None = None,
    rng: RNGLike = 0,
    level: float | None = None,
) -> RegimeResults:
    """Label each symmetric dyad and period with a relationship regime.

    Parameters
    ----------
    index : DyadIndex or polars.DataFrame
        Indices in the Index-frame layout (directed rows are pooled into symmetric ones;
        an undirected index passes through with its bootstrap intervals).
    config : RegimeConfig, optional
        Thresholds; defaults documented in ``docs/diagnose.md``.
    scope : polars.DataFrame, optional
        From :func:`conflict_scope`: where the conflict events happened and how severe
        they were. Without it scope is "unknown" and does not decide. Its rows are first
        matched to the index's own periods (a finer scope period is pooled into them; a
        coarser or straddling one, or a ``start``/``end`` that cuts a period differently
        from the index's, raises :class:`ConfigError`), then re-aggregated with the index.
        The severity is weighted like the index (``DyadIndex.weighting``; a plain frame
        counts events).
    period : str, optional
        Re-aggregate to a coarser period (e.g. ``"year"``) before classifying.
    window : (date, date), optional
        Pool every period starting in the window into one and classify that.
    countries : sequence of str, optional
        Keep only dyads among these countries.
    rng : int, SeedSequence, Generator or None
        Seed of the Monte Carlo draws behind ``confidence`` (default 0: reproducible).
        Each dyad and period draws from its own stream keyed by the cell, so its
        confidence does not depend on the other dyads or periods of the run.
    level : float, optional
        The confidence level of the index's ``ci_low``/``ci_high``; default the
        ``DyadIndex``'s own ``level`` (0.95 for a plain frame). Each interval becomes a
        standard deviation ``(ci_high − ci_low) / (2 z)``, ``z = norm.ppf(0.5 + level / 2)``.

    Returns
    -------
    RegimeResults

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"source": ["RUS"], "target": ["USA"], "arena": ["all"],
    ...     "period": ["year"], "period_start": [date(2018, 1, 1)], "n_events": [40],
    ...     "weight": [40.0], "mean_goldstein": [-3.0], "ci_low": [-3.5], "ci_high": [-2.5],
    ...     "conflict_share": [0.7], "material_conflict_share": [0.3],
    ...     "cooperation_share": [0.3], "net_cooperation": [-0.4], "force_events": [0]})
    >>> classify_regimes(f).regimes[0].label
    'limited opponents'
    """
    cfg = config or RegimeConfig()
    lvl = index_level(index, level)
    z = z_of_level(lvl)
    frame = _as_frame(index, lvl)
    weighting = str(getattr(index, "weighting", "events"))
    if countries is not None:
        codes = [c.upper() for c in countries]
        frame = frame.filter(pl.col("source").is_in(codes) & pl.col("target").is_in(codes))
    aligned = None if scope is None else _align_scope(scope, frame, index)
    frame, period_label = _reperiod(frame, period, window, lvl)
    scope_rows = {} if aligned is None else _scope_rows(aligned, window, period, weighting)
    root = seed_sequence(rng)
    regimes = [
        _classify_cell(
            key, rows, scope_rows.get(key), cfg, lvl, z, root=root, period_label=period_label
        )
        for key, rows in frame.group_by(["source", "target", "period_start"], maintain_order=True)
    ]
    regimes.sort(key=lambda r: (r.source, r.target, r.period_start))
    return RegimeResults(
        regimes=tuple(regimes), config=cfg, period=period_label, scope_known=scope is not None
    )


def _scope_rows(
    aligned: pl.DataFrame, window: tuple[date, date] | None, period: str | None, weighting: str
) -> dict[tuple[str, str, date], dict[str, Any]]:
    """The conflict-scope row of each (source, target, period start), pooled like the
    index."""
    pooled = _pool_scope(_window_scope(aligned, window, period), weighting)
    return {(r["source"], r["target"], r["period_start"]): r for r in pooled.iter_rows(named=True)}


def _classify_cell(
    key: tuple[Any, ...],
    rows: pl.DataFrame,
    scope_row: Mapping[str, Any] | None,
    cfg: RegimeConfig,
    lvl: float,
    z: float,
    *,
    root: np.random.SeedSequence,
    period_label: str,
) -> Regime:
    """The regime of one dyad-period: the rules on its point figures, and the confidence
    from Monte Carlo draws on the cell's own stream."""
    src, tgt, ps = key
    fig = _figures(rows, scope_row, cfg, lvl)
    point = _arrays(fig, cfg, 1, None)
    flags = _decide(point, cfg)
    label = REGIME_LABELS[int(flags["code"][0])]
    fig["n_hostile_arenas"] = int(point["n_hostile_arenas"][0])
    fig["cooperation_survives"] = bool(point["cooperation_survives"][0])
    gs = float(point["global_share"][0])
    fig["global_share"] = None if np.isnan(gs) else gs
    scope_label = (
        "unknown"
        if fig["global_share"] is None
        else ("global" if gs >= cfg.global_scope_share else "regional")
    )
    flag1 = {k: bool(v[0]) for k, v in flags.items() if k != "code"}
    rule, limited_by = _rule_text(label, flag1, fig, cfg)
    shares: dict[str, float] = {}
    if label != INSUFFICIENT:
        gen = _cell_rng(root, _REGIME_STREAM, f"{src}-{tgt}", period_label, ps)
        shares = _label_shares(_decide(_arrays(fig, cfg, cfg.n_draws, gen, z), cfg))
    confidence = shares.get(label, 0.0) if label != INSUFFICIENT else None
    return Regime(
        source=src,
        target=tgt,
        period_start=ps,
        label=label,
        rule=rule,
        limited_by=limited_by,
        confidence=confidence,
        evidence=_evidence(fig, cfg, scope_label),
        draw_shares=shares,
    )


def _evidence(fig: Mapping[str, Any], cfg: RegimeConfig, scope_label: str) -> dict[str, Any]:
    """The figures a regime's label rests on, as :attr:`Regime.evidence`."""
    observed = {
        name: a for name, a in fig["arenas"].items() if a["n_events"] >= cfg.min_arena_events
    }
    return {
        "n_events": fig["n_events"],
        "mean_goldstein": fig["mean_goldstein"],
        "ci_low": fig["ci_low"],
        "ci_high": fig["ci_high"],
        "conflict_share": fig["conflict_share"],
        "material_conflict_share": fig["material_conflict_share"],
        "net_cooperation": fig["net_cooperation"],
        "force_events": fig["force_events"],
        "conflict_goldstein": fig["conflict_goldstein"],
        "n_arenas_observed": len(observed),
        "n_hostile_arenas": fig["n_hostile_arenas"],
        "hostile_arenas": ",".join(
            name
            for name, a in observed.items()
            if a["net_cooperation"] is not None and a["net_cooperation"] < 0
        ),
        "cooperation_survives": int(fig["cooperation_survives"]),
        "scope": scope_label,
        "global_share": fig["global_share"],
        "n_located": fig["n_located"],
        "n_home": fig["n_home"],
        "n_region": fig["n_region"],
        "n_elsewhere": fig["n_elsewhere"],
    }


# --------------------------------------------------------------------------- point labels


def _point_arrays(sym: pl.DataFrame, cfg: RegimeConfig, level: float):
    """The point figures of every cell of a symmetric frame at once, as :func:`_figures`
    and :func:`_arrays` (without a generator) make them one cell at a time.

    Returns the cells (``source, target, period_start``) and the arrays :func:`_decide`
    reads. Without a scope table, severity and global share are unknown (NaN).
    """
    keys = ["source", "target", "period_start"]
    ov_cols = ["n_events", "mean_goldstein", "material_conflict_share", "force_events"]
    cells = sym.select(keys).unique(maintain_order=True)
    own = sym.filter(pl.col("arena") == "all").select([*keys, *ov_cols])
    others = sym.filter(pl.col("arena") != "all")
    pooled = (
        _pool(
            others.with_columns(arena=pl.lit("all")),
            ["source", "target", "arena", "period", "period_start"],
            level,
        ).select([*keys, *ov_cols])
        if others.height
        else own.clear()
    )
    overall = pl.concat(
        [
            own.with_columns(has_all=pl.lit(True)),
            pooled.join(own.select(keys), on=keys, how="anti").with_columns(has_all=pl.lit(False)),
        ],
        how="vertical_relaxed",
    )
    eligible = (pl.col("n_events").fill_null(0) >= cfg.min_arena_events) & pl.col(
        "net_cooperation"
    ).is_not_null()
    coop = pl.col("cooperation_share").cast(pl.Float64).fill_nan(0.0).fill_null(0.0)
    per_arena = (
        sym.filter(pl.col("arena").is_in(list(ARENAS)))
        .group_by(keys)
        .agg(
            n_hostile_arenas=(eligible & (pl.col("net_cooperation") < 0)).sum(),
            cooperation_survives=(eligible & (coop >= cfg.cooperation_survives_share)).any(),
            arena_force=pl.col("force_events").fill_null(0).sum(),
            n_arena_rows=pl.len(),
        )
    )
    f = cells.join(overall, on=keys, how="left").join(per_arena, on=keys, how="left")
    force = pl.col("force_events").fill_null(0)
    f = f.with_columns(
        force_events=pl.when(pl.col("has_all") & (pl.col("n_arena_rows").fill_null(0) > 0))
        .then(pl.max_horizontal(force, pl.col("arena_force").fill_null(0)))
        .otherwise(force)
    )
    n = f.height

    def num(col: str) -> np.ndarray:
        return f[col].cast(pl.Float64).fill_null(float("nan")).to_numpy()

    arrays = {
        "n_events": f["n_events"].fill_null(0).to_numpy(),
        "force_events": f["force_events"].to_numpy(),
        "mean_goldstein": num("mean_goldstein"),
        "material_conflict_share": num("material_conflict_share"),
        "n_hostile_arenas": f["n_hostile_arenas"].fill_null(0).to_numpy(),
        "cooperation_survives": f["cooperation_survives"].fill_null(False).to_numpy(),
        "conflict_goldstein": np.full(n, np.nan),
        "global_share": np.full(n, np.nan),
    }
    return f.select(keys), arrays


def regime_labels(
    index: Any,
    config: RegimeConfig | None = None,
    *,
    period: str | None = None,
    countries: Sequence[str] | None = None,
    level: float | None = None,
) -> pl.DataFrame:
    """The label :func:`classify_regimes` gives each symmetric dyad and period, for many
    cells at once.

    The same rules (the vectorised decision :func:`classify_regimes` uses) on the same
    point figures, computed for every cell in one pass of polars instead of one Python
    iteration per cell, and without what makes :func:`classify_regimes` slow: the
    evidence, the rule text, and the Monte Carlo confidence. Scope is unknown (as in
    :func:`classify_regimes` without ``scope``). This is how the simulate stage labels
    thousands of simulated runs (``tests/test_regimes.py`` checks the labels equal
    :func:`classify_regimes`'s on real and simulated indices).

    Parameters
    ----------
    index : DyadIndex or polars.DataFrame
        As for :func:`classify_regimes`.
    config : RegimeConfig, optional
        Thresholds.
    period : str, optional
        Re-aggregate to a coarser period first.
    countries : sequence of str, optional
        Keep only dyads among these countries.
    level : float, optional
        The index's confidence level (only used when rows are pooled).

    Returns
    -------
    polars.DataFrame
        ``source, target, period_start, label``, one row per symmetric dyad and period.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"source": ["RUS"], "target": ["USA"], "arena": ["all"],
    ...     "period": ["year"], "period_start": [date(2018, 1, 1)], "n_events": [40],
    ...     "weight": [40.0], "mean_goldstein": [-3.0],
    ...     "conflict_share": [0.7], "material_conflict_share": [0.3],
    ...     "cooperation_share": [0.3], "net_cooperation": [-0.4], "force_events": [0]})
    >>> regime_labels(f)["label"].to_list()
    ['limited opponents']
    """
    cfg = config or RegimeConfig()
    lvl = index_level(index, level)
    frame = _as_frame(index, lvl)
    if countries is not None:
        codes = [c.upper() for c in countries]
        frame = frame.filter(pl.col("source").is_in(codes) & pl.col("target").is_in(codes))
    frame, _ = _reperiod(frame, period, None, lvl)
    cells, arrays = _point_arrays(frame, cfg, lvl)
    code = _decide(arrays, cfg)["code"]
    labels = np.asarray(REGIME_LABELS, dtype=object)[np.asarray(code, dtype=np.int64)]
    return cells.with_columns(label=pl.Series(labels.tolist(), dtype=pl.Utf8)).sort(
        ["source", "target", "period_start"]
    )
