"""The indicators a claim names: each measures one figure on the capability panel, the
UNGA alignment table or the event store (through the measure stage) and returns a
:class:`Measurement` (``value`` None: not enough data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl

from ..errors import DataError
from ._claim_model import Claim, _iso
from ._regimes import RegimeConfig, classify_regimes, conflict_scope

__all__ = ["BASE_INDICATORS", "EVENT_INDICATORS", "Measurement", "needed_window"]


@dataclass(frozen=True, slots=True)
class Measurement:
    """What an indicator measured: ``value`` (None: not enough data) and its figures."""

    value: Any
    figures: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    inconclusive: bool = False
    #: The values of the bootstrap draws (numbers, or labels for a categorical value);
    #: None where the indicator has no sampling uncertainty (capability panel, UNGA).
    draws: Any = None
    #: The acts and the reports behind an event indicator (None for other indicators).
    n_acts: int | None = None
    n_reports: int | None = None
    #: The acts behind the resampled statistic (the smallest group of a difference),
    #: for the expanded percentile interval; None: the plain percentiles.
    n_boot_sample: int | None = None


# --------------------------------------------------------------------------- context


@dataclass(slots=True)
class _Context:
    store: Any
    panel: pl.DataFrame | None
    alignment: pl.DataFrame | None
    n_boot: int
    rng: Any
    min_events: int = 5
    engine: Any = None  # where the measure stage's queries run (None: DuckDB)
    cache: dict[Any, Any] = field(default_factory=dict)

    def need_panel(self) -> pl.DataFrame | None:
        return self.panel

    def need_store(self) -> Any:
        return self.store


def _panel_value(panel: pl.DataFrame, iso3: str, indicator: str, year: int) -> float | None:
    rows = panel.filter(
        (pl.col("iso3") == iso3) & (pl.col("indicator") == indicator) & (pl.col("year") == year)
    )
    if rows.height == 0 or rows["value"][0] is None:
        return None
    return float(rows["value"][0])


def _panel_source(panel: pl.DataFrame, iso3: str, indicator: str, year: int) -> str | None:
    rows = panel.filter(
        (pl.col("iso3") == iso3) & (pl.col("indicator") == indicator) & (pl.col("year") == year)
    )
    if rows.height == 0 or "source" not in rows.columns:
        return None
    return str(rows["source"][0])


def _years(c: Claim) -> range:
    return range(c.window[0].year, c.window[1].year + 1)


_NO_PANEL = Measurement(None, note="no capability panel")
_NO_STORE = Measurement(None, note="no event store given (pass --db / store=)")


def _ind_panel_value(ctx: _Context, c: Claim) -> Measurement:
    if ctx.panel is None:
        return _NO_PANEL
    p = c.params
    v = _panel_value(ctx.panel, p["iso3"], p["indicator"], int(p["year"]))
    if v is None:
        return Measurement(None, note=f"no {p['indicator']} for {p['iso3']} in {p['year']}")
    scaled = v / float(p.get("scale", 1.0))
    return Measurement(
        scaled,
        {"raw": v, "data_source": _panel_source(ctx.panel, p["iso3"], p["indicator"], p["year"])},
    )


def _ratios(ctx: _Context, a: str, b: str, indicator: str) -> Any:
    """The measure stage's :class:`~trilateral.measure.PowerRatios` for ``a``, ``b`` (cached).

    None when the panel has no ``indicator`` at all (the claim then has not enough data).
    """
    from ..measure import power_ratios

    key = ("ratios", a, b, indicator)
    if key not in ctx.cache:
        assert ctx.panel is not None
        if indicator not in set(ctx.panel["indicator"].unique().to_list()):
            ctx.cache[key] = None
        else:
            ctx.cache[key] = power_ratios(ctx.panel, countries=(a, b), indicators=[indicator])
    return ctx.cache[key]


def _ind_panel_ratio(ctx: _Context, c: Claim) -> Measurement:
    if ctx.panel is None:
        return _NO_PANEL
    p = c.params
    a, b, ind, year = str(p["a"]), str(p["b"]), str(p["indicator"]), int(p["year"])
    pr = _ratios(ctx, a, b, ind)
    if pr is None:
        return Measurement(None, note=f"the panel has no {ind}")
    rows = pr.frame.filter(
        (pl.col("year") == year) & (pl.col("numerator") == a) & (pl.col("denominator") == b)
    )
    if rows.height == 0:
        return Measurement(None, note=f"{ind} missing for {a} or {b} in {year}")
    ratio = pr.figure(year, a, b, ind)
    r = rows.row(0, named=True)
    return Measurement(100.0 * ratio, {a: r["numerator_value"], b: r["denominator_value"]})


def _series(ctx: _Context, iso3: str, indicator: str, years: Iterable[int]) -> dict[int, float]:
    assert ctx.panel is not None
    out = {}
    for y in years:
        v = _panel_value(ctx.panel, iso3, indicator, y)
        if v is not None:
            out[y] = v
    return out


def _ind_panel_cagr(ctx: _Context, c: Claim) -> Measurement:
    if ctx.panel is None:
        return _NO_PANEL
    p = c.params
    y0, y1 = c.window[0].year, c.window[1].year
    s = _series(ctx, p["iso3"], p["indicator"], _years(c))
    if y0 not in s or y1 not in s or y1 == y0:
        return Measurement(None, note=f"{p['indicator']} lacks {y0} or {y1}")
    cagr = 100.0 * ((s[y1] / s[y0]) ** (1.0 / (y1 - y0)) - 1.0)
    return Measurement(
        cagr, {"first": s[y0], "last": s[y1], "min": min(s.values()), "max": max(s.values())}
    )


def _ind_panel_argmax_year(ctx: _Context, c: Claim) -> Measurement:
    if ctx.panel is None:
        return _NO_PANEL
    p = c.params
    s = _series(ctx, p["iso3"], p["indicator"], _years(c))
    if len(s) < len(_years(c)):
        return Measurement(None, note=f"{p['indicator']} has gaps in the window")
    best = max(s, key=lambda y: s[y])
    return Measurement(best, {"peak_value": s[best], **{str(y): v for y, v in s.items()}})


def _ind_panel_growth(ctx: _Context, c: Claim) -> Measurement:
    if ctx.panel is None:
        return _NO_PANEL
    p = c.params
    years = list(_years(c))
    s = _series(ctx, p["iso3"], p["indicator"], [years[0] - 1, *years])
    figures: dict[str, Any] = {}
    if len(s) < len(years) + 1:
        nominal = _series(ctx, p["iso3"], "gdp_current_usd", [years[0] - 1, *years])
        if len(nominal) == len(years) + 1:
            figures["nominal_growth"] = [
                round(100.0 * (nominal[y] / nominal[y - 1] - 1.0), 2) for y in years
            ]
        return Measurement(
            None, figures, note=f"the panel has no {p['indicator']} for {years[0] - 1}–{years[-1]}"
        )
    growth = [100.0 * (s[y] / s[y - 1] - 1.0) for y in years]
    return Measurement(growth, {"years": years})


def _ind_power_gap_trend(ctx: _Context, c: Claim) -> Measurement:
    """Whether the gap between ``a`` and ``b`` widens: :meth:`PowerRatios.trend` over the window.

    ``"widening"`` when the slope's interval for weaker/stronger lies below 0,
    ``"narrowing"`` when it lies above 0; an interval that includes 0 is not enough data
    (the trend is not distinguishable from zero at the stated level), and so is a window
    the panel does not cover year by year (:meth:`PowerRatios.trend` raises
    :class:`DataError` naming the missing years).
    """
    if ctx.panel is None:
        return _NO_PANEL
    p = c.params
    a, b, ind = str(p["a"]), str(p["b"]), str(p["indicator"])
    level = float(p.get("level", 0.95))
    y0, y1 = c.window[0].year, c.window[1].year
    pr = _ratios(ctx, a, b, ind)
    if pr is None:
        return Measurement(None, note=f"the panel has no {ind}")
    try:
        t = pr.trend(a, b, ind, y0, y1, level)
    except DataError as exc:
        return Measurement(None, note=exc.message)
    pct = f"{100 * level:g} %"
    figs: dict[str, Any] = {
        "years": f"{t.start}–{t.end}",
        "n": t.n,
        "slope": t.slope,
        "conf_int": list(t.conf_int),
        "pvalue": t.pvalue,
        "level": t.level,
        "weaker": t.weaker,
        "gap_slope": t.gap_slope,
        "gap_conf_int": list(t.gap_conf_int),
        "widening": t.widening,
    }
    ratio = pr.frame.filter(
        (pl.col("numerator") == a) & (pl.col("denominator") == b) & pl.col("year").is_in([y0, y1])
    )
    figs |= {f"ratio_{r['year']}": r["ratio"] for r in ratio.iter_rows(named=True)}
    if not t.tested:
        return Measurement(
            None,
            figs,
            note=f"inconclusive: {t.n} years ({t.start}–{t.end}), fewer than 5, so no "
            f"interval or p-value; slope {t.slope:+.4f}/yr",
            inconclusive=True,
        )
    lo, hi = t.conf_int
    stats = (
        f"slope {t.slope:+.4f}/yr, {pct} HAC interval ({lo:+.4f}, {hi:+.4f}), p = {t.pvalue:.2g}"
    )
    if t.widening is None:
        return Measurement(
            None,
            figs,
            note=(
                f"inconclusive: the {a}/{b} trend is not distinguishable from zero at the "
                f"{pct} level ({stats}): all {t.n} years are there, and they establish "
                "neither a widening nor a narrowing"
            ),
            inconclusive=True,
        )
    return Measurement("widening" if t.widening else "narrowing", figs, note=stats)


# ---- events


def _dyad(p: Mapping[str, Any]) -> tuple[str, str]:
    a, b = sorted(str(x).upper() for x in p["dyad"])
    return a, b


def _thin(counts: Mapping[str, int], min_events: int) -> Measurement | None:
    """Not enough data when a window holds fewer than ``min_events`` events."""
    low = {k: n for k, n in counts.items() if n < min_events}
    if not low:
        return None
    which = ", ".join(f"{k}: {n}" for k, n in low.items())
    return Measurement(None, note=f"too few events ({which}; min_events = {min_events})")


def _has_prefix(col: str, prefixes: Sequence[str] | None) -> pl.Expr:
    if not prefixes:
        return pl.lit(True)
    return pl.any_horizontal([pl.col(col).str.starts_with(str(x)) for x in prefixes])


def _ind_regime(ctx: _Context, c: Claim) -> Measurement:
    if ctx.store is None:
        return _NO_STORE
    from ..measure import indices

    dyad = _dyad(c.params)
    idx = indices(
        ctx.store,
        countries=list(dyad),
        period="year",
        start=c.window[0],
        end=c.window[1],
        n_boot=ctx.n_boot,
        rng=ctx.rng,
        engine=ctx.engine,
    )
    scope = conflict_scope(
        ctx.store, dyad, "year", start=c.window[0], end=c.window[1], engine=ctx.engine
    )
    cfg = RegimeConfig(min_events=ctx.min_events)
    res = classify_regimes(idx, cfg, scope=scope, window=c.window, rng=ctx.rng)
    r = res.get(dyad, c.window[0])
    figs = {"rule": r.rule, "confidence": r.confidence, **dict(r.evidence)}
    if r.label == "insufficient data":
        return Measurement(None, figs, note=r.rule)
    return Measurement(r.label, figs)


def _ind_unga(ctx: _Context, c: Claim) -> Measurement:
    if ctx.alignment is None:
        return Measurement(None, note="no UNGA alignment table")
    p = c.params
    pair = {p["a"], p["b"]}
    f = ctx.alignment.filter(
        pl.col("year").is_between(c.window[0].year, c.window[1].year)
        & (
            ((pl.col("country_a") == p["a"]) & (pl.col("country_b") == p["b"]))
            | ((pl.col("country_a") == p["b"]) & (pl.col("country_b") == p["a"]))
        )
    )
    vals = [v for v in f[p["field"]].to_list() if v is not None]
    if not vals:
        return Measurement(None, note=f"no UNGA {p['field']} for {'–'.join(sorted(pair))}")
    figs: dict[str, Any] = {str(y): v for y, v in zip(f["year"], f[p["field"]], strict=True)}
    others = (
        ctx.alignment.filter(pl.col("year").is_between(c.window[0].year, c.window[1].year))
        .group_by(["country_a", "country_b"])
        .agg(pl.col(p["field"]).mean())
        .sort("country_a", "country_b")  # group_by order is not stable: keep --json stable
    )
    for r in others.iter_rows(named=True):
        figs[f"{r['country_a']}-{r['country_b']}"] = r[p["field"]]
    return Measurement(sum(vals) / len(vals), figs)


#: The indicators of the capability panel, the UNGA table and the regime claim; the
#: act-based event indicators are added in ``_event_indicators.py`` (``INDICATORS``).
BASE_INDICATORS: dict[str, Callable[[_Context, Claim], Measurement]] = {
    "panel_value": _ind_panel_value,
    "panel_ratio": _ind_panel_ratio,
    "panel_cagr": _ind_panel_cagr,
    "panel_argmax_year": _ind_panel_argmax_year,
    "panel_growth": _ind_panel_growth,
    "power_gap_trend": _ind_power_gap_trend,
    "regime": _ind_regime,
    "unga": _ind_unga,
}

#: The indicators measured on the event store: judged once per evidence base.
EVENT_INDICATORS = frozenset(
    {
        "mean_goldstein",
        "goldstein_change",
        "yearly_goldstein_max",
        "lowest_year",
        "hostile_arenas",
        "year_change",
        "tit_for_tat",
        "regime",
    }
)


def needed_window(c: Claim) -> tuple[date, date]:
    """Every day an event claim reads: its window, a ``before`` window, the whole years of
    ``year_change``, and the answers' days after the window for ``tit_for_tat``.

    An evidence base that does not cover all of it gives "not enough data".
    """
    start, end = c.window
    p = c.params
    if "before" in p:
        b0, b1 = (_iso(x, "params.before") for x in p["before"])
        start, end = min(start, b0), max(end, b1)
    if c.indicator == "year_change":
        y0, y1 = (int(y) for y in p["years"])
        start, end = min(start, date(y0, 1, 1)), max(end, date(y1, 12, 31))
    if c.indicator == "tit_for_tat":
        end = end + timedelta(days=int(p.get("max_lag_days", 30)))
    return start, end
