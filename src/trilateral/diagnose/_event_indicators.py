"""The event indicators a claim names, measured on acts with a bootstrap interval.

Every indicator here reads one evidence base (the claims runner hands it a base's copy of
the store), collapses its rows into acts (:func:`~trilateral.measure.collapse_acts`: one
act per day, source, target and CAMEO code, ``n_reports`` kept) and counts acts, never
reports: a mean Goldstein score is the mean over acts (each act's score is the mean of
its reports), a conflict share the share of acts. Each returns, besides its value, the
values of ``n_boot`` bootstrap draws (``Measurement.draws``), from which the runner takes
the interval and decides whether the verdict is ``inconclusive``:

- acts are resampled with replacement *within each period* the indicator compares (the
  window; each year of a yearly comparison; the ``before`` and ``after`` windows), so a
  period's number of acts is kept; vectorised with numpy, one generator per claim;
- act counts (``year_change`` with ``measure: count``) are drawn from a Poisson law
  with the observed count as mean, because resampling within a year keeps the count;
- a tit-for-tat answer rate resamples the actor's acts (answered or not), and carries a
  chance baseline: the rate expected if the responder's hostile acts of the same arena
  and CAMEO family fell at random over the window
  (:func:`~trilateral.measure.chance_baseline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from .._rng import cell_rng, seed_sequence
from ._claim_model import Claim, _iso
from ._indicators import (
    BASE_INDICATORS,
    Measurement,
    _Context,
    _dyad,
    _has_prefix,
    _thin,
    _years,
)

__all__ = ["INDICATORS"]

_NO_STORE = Measurement(None, note="no event store given (pass --db / store=)")


def _acts(ctx: _Context, countries: Sequence[str], start: date, end: date) -> pl.DataFrame:
    """The acts among ``countries`` dated ``start``–``end`` (cached per context)."""
    from ..measure import collapse_acts, load_events

    key = ("acts", tuple(countries), start, end)
    if key not in ctx.cache:
        ev = load_events(ctx.store, countries, start, end, engine=ctx.engine)
        ctx.cache[key] = collapse_acts(ev)
    return ctx.cache[key]


def _gen(ctx: _Context, c: Claim) -> np.random.Generator:
    """One generator per claim (and base), from the run's seed and the claim's id."""
    return cell_rng(seed_sequence(ctx.rng), *c.id.encode())


def _boot_means(values: np.ndarray, n_boot: int, gen: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples (with replacement) of ``values``."""
    if n_boot <= 0 or len(values) == 0:
        return np.empty(0)
    idx = gen.integers(0, len(values), size=(n_boot, len(values)))
    return values[idx].mean(axis=1)


def _dyad_acts(
    ctx: _Context, dyad: tuple[str, str], window: tuple[date, date], arena: str = "all"
) -> pl.DataFrame:
    acts = _acts(ctx, dyad, window[0], window[1])
    acts = acts.filter(pl.col("date").is_between(window[0], window[1]))
    return acts if arena == "all" else acts.filter(pl.col("arena") == arena)


def _counts(acts: pl.DataFrame) -> dict[str, Any]:
    return {"n_acts": acts.height, "n_reports": int(acts["n_reports"].sum() or 0)}


def _ind_mean_goldstein(ctx: _Context, c: Claim) -> Measurement:
    if ctx.store is None:
        return _NO_STORE
    acts = _dyad_acts(ctx, _dyad(c.params), c.window, c.params.get("arena", "all"))
    g = acts["goldstein"].to_numpy().astype(float)
    figs = {"n_acts": acts.height, "mean": float(g.mean()) if len(g) else None}
    thin = _thin({"window": acts.height}, ctx.min_events)
    if thin is not None:
        return Measurement(None, figs, note=thin.note, **_counts(acts))
    draws = _boot_means(g, ctx.n_boot, _gen(ctx, c))
    return Measurement(float(g.mean()), figs, draws=draws, n_boot_sample=len(g), **_counts(acts))


def _ind_goldstein_change(ctx: _Context, c: Claim) -> Measurement:
    if ctx.store is None:
        return _NO_STORE
    dyad = _dyad(c.params)
    arena = c.params.get("arena", "all")
    b0, b1 = (_iso(x) for x in c.params["before"])
    before = _dyad_acts(ctx, dyad, (b0, b1), arena)
    after = _dyad_acts(ctx, dyad, c.window, arena)
    gb = before["goldstein"].to_numpy().astype(float)
    ga = after["goldstein"].to_numpy().astype(float)
    figs = {
        "before": float(gb.mean()) if len(gb) else None,
        "n_before": len(gb),
        "after": float(ga.mean()) if len(ga) else None,
        "n_after": len(ga),
    }
    both = pl.concat([before, after])
    thin = _thin({"before": len(gb), "after": len(ga)}, ctx.min_events)
    if thin is not None:
        return Measurement(None, figs, note=thin.note, **_counts(both))
    gen = _gen(ctx, c)
    draws = _boot_means(ga, ctx.n_boot, gen) - _boot_means(gb, ctx.n_boot, gen)
    n = min(len(ga), len(gb))
    return Measurement(
        float(ga.mean() - gb.mean()), figs, draws=draws, n_boot_sample=n, **_counts(both)
    )


def _yearly_draws(ctx: _Context, c: Claim) -> tuple[dict[int, np.ndarray], dict[str, Any], Any]:
    """Per year of the window: the acts' Goldstein scores; the figures; thin or None."""
    acts = _dyad_acts(ctx, _dyad(c.params), c.window)
    years = list(_years(c))
    per = {y: acts.filter(pl.col("date").dt.year() == y) for y in years}
    scores = {y: f["goldstein"].to_numpy().astype(float) for y, f in per.items()}
    figs: dict[str, Any] = {
        f"mean_{y}": (float(s.mean()) if len(s) else None) for y, s in scores.items()
    }
    figs |= {f"n_{y}": len(s) for y, s in scores.items()}
    thin = _thin({str(y): len(s) for y, s in scores.items()}, ctx.min_events)
    return scores, figs | {"_acts": acts}, thin


def _yearly(ctx: _Context, c: Claim, pick: Any) -> Measurement:
    if ctx.store is None:
        return _NO_STORE
    scores, figs, thin = _yearly_draws(ctx, c)
    acts = figs.pop("_acts")
    if thin is not None:
        return Measurement(None, figs, note=thin.note, **_counts(acts))
    years = list(scores)
    gen = _gen(ctx, c)
    means = np.array([s.mean() for s in scores.values()])
    boot = np.stack([_boot_means(scores[y], ctx.n_boot, gen) for y in years], axis=1)
    value, draws = pick(years, means, boot)
    n = min(len(s) for s in scores.values())
    return Measurement(value, figs, draws=draws, n_boot_sample=n, **_counts(acts))


def _ind_lowest_year(ctx: _Context, c: Claim) -> Measurement:
    def pick(years: list[int], means: np.ndarray, boot: np.ndarray) -> tuple[Any, Any]:
        yrs = np.array(years)
        return int(yrs[int(np.argmin(means))]), [int(y) for y in yrs[np.argmin(boot, axis=1)]]

    return _yearly(ctx, c, pick)


def _ind_yearly_goldstein_max(ctx: _Context, c: Claim) -> Measurement:
    def pick(years: list[int], means: np.ndarray, boot: np.ndarray) -> tuple[Any, Any]:
        return float(means.max()), boot.max(axis=1)

    return _yearly(ctx, c, pick)


def _ind_hostile_arenas(ctx: _Context, c: Claim) -> Measurement:
    if ctx.store is None:
        return _NO_STORE
    from ..config import ARENAS

    acts = _dyad_acts(ctx, _dyad(c.params), c.window)
    min_n = int(c.params.get("min_arena_events", 3))
    arena = np.array([ARENAS.index(a) if a in ARENAS else -1 for a in acts["arena"]])
    sign = np.where(acts["quad_class"].to_numpy() <= 2, 1.0, -1.0)
    figs: dict[str, Any] = {"n_events": acts.height, "n_acts": acts.height}

    def hostile(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, s = arena[idx], sign[idx]
        out = np.zeros(idx.shape[0], dtype=int)
        seen = np.zeros(idx.shape[0], dtype=int)
        for k in range(len(ARENAS)):
            m = a == k
            n = m.sum(axis=1)
            net = np.where(n > 0, (s * m).sum(axis=1) / np.maximum(n, 1), 0.0)
            ok = n >= min_n
            seen += ok
            out += ok & (net < 0)
        return out, seen

    ident = np.arange(acts.height)[None, :]
    for k, name in enumerate(ARENAS):
        n = int((arena == k).sum())
        figs[f"n_{name}"] = n
        figs[name] = round(float(sign[arena == k].mean()), 4) if n >= min_n else None
    h, seen = hostile(ident)
    figs["arenas_observed"] = int(seen[0])
    thin = _thin({"window": acts.height}, ctx.min_events)
    if thin is not None:
        return Measurement(None, figs, note=thin.note, **_counts(acts))
    if seen[0] == 0:
        return Measurement(None, figs, note="no arena with enough acts", **_counts(acts))
    draws = np.empty(0)
    if ctx.n_boot > 0:
        idx = _gen(ctx, c).integers(0, acts.height, size=(ctx.n_boot, acts.height))
        draws = hostile(idx)[0]
    return Measurement(int(h[0]), figs, draws=draws, **_counts(acts))


def _ind_year_change(ctx: _Context, c: Claim) -> Measurement:
    if ctx.store is None:
        return _NO_STORE
    p = c.params
    y0, y1 = (int(y) for y in p["years"])
    ev = _acts(ctx, (p["source"], p["target"]), date(y0, 1, 1), date(y1, 12, 31))
    ev = ev.filter(
        (pl.col("source") == p["source"])
        & (pl.col("target") == p["target"])
        & _has_prefix("cameo", p.get("cameo_prefixes"))
    ).with_columns(year=pl.col("date").dt.year(), m=pl.col("magnitude").fill_null(1.0))
    figs: dict[str, Any] = {}
    mags: dict[int, np.ndarray] = {}
    for y in (y0, y1):
        sel = ev.filter(pl.col("year") == y)
        mags[y] = sel["m"].to_numpy().astype(float)
        figs[f"events_{y}"] = sel.height
        figs[f"magnitude_{y}"] = float(mags[y].sum()) if sel.height else 0.0
    if figs[f"events_{y0}"] + figs[f"events_{y1}"] == 0:
        return Measurement(None, figs, note="no matching acts in either year", **_counts(ev))
    by_magnitude = p.get("measure", "count") == "magnitude"
    key = "magnitude" if by_magnitude else "events"
    gen = _gen(ctx, c)

    def draw(y: int) -> np.ndarray:
        n = gen.poisson(len(mags[y]), size=ctx.n_boot)
        if not by_magnitude:
            return n.astype(float)
        if len(mags[y]) == 0:
            return np.zeros(ctx.n_boot)
        return np.array([gen.choice(mags[y], size=k).sum() for k in n])

    draws = draw(y1) - draw(y0) if ctx.n_boot > 0 else np.empty(0)
    value = figs[f"{key}_{y1}"] - figs[f"{key}_{y0}"]
    return Measurement(value, figs, draws=draws, **_counts(ev))


ACT_INDICATORS = {
    "mean_goldstein": _ind_mean_goldstein,
    "goldstein_change": _ind_goldstein_change,
    "yearly_goldstein_max": _ind_yearly_goldstein_max,
    "lowest_year": _ind_lowest_year,
    "hostile_arenas": _ind_hostile_arenas,
    "year_change": _ind_year_change,
}


def _tft_baseline(
    acts: pl.DataFrame, back: pl.DataFrame, span: tuple[date, date], lag: int, n: int, gen: Any
) -> dict[str, Any]:
    """The chance baseline of the claim's acts (per CAMEO family, weighted by acts)."""
    from ..measure import chance_baseline

    total = np.zeros(n)
    lo, hi = (int((d - date(1970, 1, 1)).days) for d in span)
    for (family,), group in acts.group_by("family"):
        days = [(d - date(1970, 1, 1)).days for d in group["act_date"]]
        cand = [
            (d - date(1970, 1, 1)).days for d in back.filter(pl.col("family") == family)["date"]
        ]
        b = chance_baseline(days, cand, (lo, hi), lag, n_draws=n, rng=gen, keep_draws=True)
        total += b["draws"] * group.height
    rates = total / max(acts.height, 1)
    return {
        "chance_rate": float(rates.mean()),
        "chance_low": float(np.quantile(rates, 0.025)),
        "chance_high": float(np.quantile(rates, 0.975)),
        "chance_draws": n,
    }


def ind_tit_for_tat(ctx: _Context, c: Claim) -> Measurement:
    """Share of the actor's hostile acts in the window the responder answered in kind.

    The matching is the measure stage's :func:`~trilateral.measure.match_tit_for_tat` on
    acts (one per day, source, target and CAMEO code) with ``match_on="family"`` (the
    answer in the same arena and CAMEO family of the documented table, e.g. an expulsion
    answered by a reduction of diplomatic relations, 1 to ``max_lag_days`` days later,
    each answer used once). Acts are then selected: actor → responder, dated in the
    window, CAMEO code starting with one of ``cameo_prefixes`` (if given). With
    ``magnitude_tolerance`` an answer whose magnitude ratio differs from 1 by more than
    the tolerance is not in kind. The figures carry the chance baseline.
    """
    if ctx.store is None:
        return _NO_STORE
    p = c.params
    actor, responder = str(p["actor"]), str(p["responder"])
    lag = int(p.get("max_lag_days", 30))
    arena = p.get("arena")
    end = c.window[1] + timedelta(days=lag)
    ev = _acts(ctx, (actor, responder), c.window[0], end)
    acts = _tft_acts(ev, c, lag)
    if acts.height == 0:
        return Measurement(None, {"acts": 0}, note="no acts by the actor in the window", n_acts=0)
    acts = _in_kind(acts, p.get("magnitude_tolerance"))
    kind = acts["in_kind"].to_numpy().astype(float)
    figs = _tft_figures(acts, kind)
    gen = _gen(ctx, c)
    draws = _boot_means(kind, ctx.n_boot, gen)
    if ctx.n_boot > 0:
        back = _answers_possible(ev, responder, actor, arena)
        figs |= _tft_baseline(acts, back, (c.window[0], end), lag, ctx.n_boot, gen)
    n_reports = int(acts["act_n_reports"].sum())
    return Measurement(
        float(kind.mean()),
        figs,
        draws=draws,
        n_acts=acts.height,
        n_reports=n_reports,
        n_boot_sample=acts.height,
    )


def _tft_acts(ev: pl.DataFrame, c: Claim, lag: int) -> pl.DataFrame:
    """The claim's acts with their answers: actor → responder, dated in the window, CAMEO
    code starting with one of ``cameo_prefixes`` (if given), sorted by day and id."""
    from ..measure import match_tit_for_tat

    p = c.params
    actor, responder = str(p["actor"]), str(p["responder"])
    arena = p.get("arena")
    res = match_tit_for_tat(
        ev,
        window_days=lag,
        arenas=[arena] if arena else None,
        countries=(actor, responder),
        hostile="quad",
        same_arena=True,
        match_on="family",
    )
    return res.matches.filter(
        (pl.col("source") == actor)
        & (pl.col("target") == responder)
        & pl.col("act_date").is_between(c.window[0], c.window[1])
        & _has_prefix("act_cameo", p.get("cameo_prefixes"))
    ).sort("act_date", "act_id")


def _in_kind(acts: pl.DataFrame, tol: Any) -> pl.DataFrame:
    """``acts`` with ``in_kind`` (answered, and with a magnitude ratio within ``tol`` of 1
    when ``tol`` is given) and the act's CAMEO ``family``."""
    from ..measure import cameo_family

    same_size = pl.lit(True)
    if tol is not None:
        same_size = pl.col("magnitude_ratio").is_null() | (
            (pl.col("magnitude_ratio") - 1.0).abs() <= float(tol) + 1e-12
        )
    return acts.with_columns(
        (pl.col("answered") & same_size).alias("in_kind"),
        pl.col("act_cameo").map_elements(cameo_family, return_dtype=pl.String).alias("family"),
    )


def _tft_figures(acts: pl.DataFrame, kind: np.ndarray) -> dict[str, Any]:
    """The counts, lags, magnitude ratios and answered pairs behind a tit-for-tat rate."""
    pairs = [
        f"{r['act_date']} {r['act_cameo']} ({r['act_magnitude']}) → "
        f"{r['answer_date']} {r['answer_cameo']} ({r['answer_magnitude']})"
        + ("" if r["in_kind"] else f" [magnitude ratio {r['magnitude_ratio']:.3g}]")
        for r in acts.filter(pl.col("answered")).iter_rows(named=True)
    ]
    return {
        "acts": acts.height,
        "answered": int(acts["answered"].sum()),
        "in_kind": int(kind.sum()),
        "lag_days": acts["lag_days"].drop_nulls().to_list(),
        "magnitude_ratios": acts["magnitude_ratio"].drop_nulls().to_list(),
        "pairs": pairs,
        "match_on": "family",
    }


def _answers_possible(ev: pl.DataFrame, responder: str, actor: str, arena: Any) -> pl.DataFrame:
    """The responder's hostile acts towards the actor (of ``arena``, if given), with their
    CAMEO ``family``: the candidates of the chance baseline."""
    from ..measure import cameo_family

    return ev.filter(
        (pl.col("source") == responder)
        & (pl.col("target") == actor)
        & (pl.col("quad_class") >= 3)
        & ((pl.col("arena") == arena) if arena else pl.lit(True))
    ).with_columns(
        pl.col("cameo").map_elements(cameo_family, return_dtype=pl.String).alias("family")
    )


#: Every indicator a claim may name.
INDICATORS = {**BASE_INDICATORS, **ACT_INDICATORS, "tit_for_tat": ind_tit_for_tat}
