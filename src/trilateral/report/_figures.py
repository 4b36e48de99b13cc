"""Plotly figures from the result objects of the measure and diagnose stages.

Every function here draws; none measures. Each takes a result object (or its frame) as
the earlier stage returned it and gives a :class:`plotly.graph_objects.Figure`. The report
embeds them; the dashboard (``trilateral.serve``) serves the same figures as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

__all__ = [
    "POWER_INDICATORS",
    "claims_rows",
    "index_figure",
    "power_figure",
    "reciprocity_figure",
    "regimes_figure",
    "titfortat_figure",
    "triangle_figure",
]

#: The capability indicators the power figure shows (when the panel has them).
POWER_INDICATORS: tuple[str, ...] = ("gdp_current_usd", "milex_constant_2022_usd", "cinc")

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
_REGIME_COLOURS = {
    "partnership": "#2ca02c",
    "limited partnership": "#98df8a",
    "limited opponents": "#ff9896",
    "confrontation": "#d62728",
}


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _index_traces(
    fig: go.Figure, s: pl.DataFrame, arena: str, base: str | None, colour: str
) -> None:
    """One arena's (and base's) line with its interval band."""
    name = arena if base is None else f"{arena} ({base})"
    x = s["period_start"].to_list()
    if s["ci_low"].drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=s["ci_high"].to_list() + s["ci_low"].to_list()[::-1],
                mode="lines",
                fill="toself",
                fillcolor=_rgba(colour, 0.15),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
                name=f"{name} interval",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=s["mean_goldstein"].to_list(),
            mode="lines+markers",
            line={
                "color": colour,
                "width": 3 if arena == "all" else 1.5,
                "dash": "solid" if base in (None, "chronicle") else "dash",
            },
            name=name,
            legendgroup=name,
            customdata=s["n_events"].to_list(),
            hovertemplate=f"{name} %{{x|%Y-%m-%d}}: %{{y:+.2f}} (%{{customdata}} events)"
            "<extra></extra>",
        )
    )


def index_figure(
    frame: pl.DataFrame,
    dyad: str,
    arenas: Sequence[str] | None = None,
    events: pl.DataFrame | None = None,
) -> go.Figure:
    """The cooperation–conflict index of one undirected dyad over time, one line per arena
    (and per evidence base, when the frame has a ``base`` column: never a mixed line).

    Parameters
    ----------
    frame : polars.DataFrame
        The frame of ``DyadIndex.symmetric()`` (columns ``dyad, arena, period_start,
        mean_goldstein, ci_low, ci_high, n_events``).
    dyad : str
        ``"RUS-USA"`` (the codes in alphabetical order, as ``symmetric()`` writes them).
    arenas : sequence of str, optional
        The arenas drawn (default: every arena in the frame).
    events : polars.DataFrame, optional
        Named events (``load_events`` rows with ``date, source, target, goldstein,
        description``); those between the dyad's two countries are marked, their
        description shown on hover.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"dyad": ["CHN-RUS"], "arena": ["all"], "period_start": [date(2015, 1, 1)],
    ...     "mean_goldstein": [2.0], "ci_low": [1.0], "ci_high": [3.0], "n_events": [4]})
    >>> len(index_figure(f, "CHN-RUS").data)
    2
    >>> two = pl.concat([f.with_columns(base=pl.lit("chronicle")),
    ...     f.with_columns(base=pl.lit("icews"))])
    >>> [t.name for t in index_figure(two, "CHN-RUS").data if t.showlegend is not False]
    ['all (chronicle)', 'all (icews)']
    """
    sub = frame.filter(pl.col("dyad") == dyad).sort("period_start")
    chosen = list(arenas) if arenas is not None else list(dict.fromkeys(sub["arena"].to_list()))
    # an index of several evidence bases (measure.merge_bases): one line per base and
    # arena, never a line mixing bases
    bases = list(dict.fromkeys(sub["base"].to_list())) if "base" in sub.columns else [None]
    fig = go.Figure()
    for j, base in enumerate(bases):
        of_base = sub if base is None else sub.filter(pl.col("base") == base)
        for i, arena in enumerate(chosen):
            s = of_base.filter(pl.col("arena") == arena)
            if s.height:
                _index_traces(fig, s, arena, base, _PALETTE[(i + 3 * j) % len(_PALETTE)])
    if events is not None and events.height:
        a, b = dyad.split("-")
        ev = events.filter(
            ((pl.col("source") == a) & (pl.col("target") == b))
            | ((pl.col("source") == b) & (pl.col("target") == a))
        ).filter(pl.col("description").is_not_null())
        if ev.height:
            fig.add_trace(
                go.Scatter(
                    x=ev["date"].to_list(),
                    y=ev["goldstein"].to_list(),
                    mode="markers",
                    marker={"symbol": "diamond", "size": 7, "color": "rgba(60,60,60,0.55)"},
                    name="named events",
                    text=[
                        f"{d} {s}→{t}: {desc}"
                        for d, s, t, desc in ev.select(
                            "date", "source", "target", "description"
                        ).iter_rows()
                    ],
                    hovertemplate="%{text}<br>Goldstein %{y:+.1f}<extra></extra>",
                )
            )
    fig.update_yaxes(title="mean Goldstein (−10 conflict … +10 cooperation)", range=[-10.5, 10.5])
    named = [b for b in bases if b is not None]
    on = f" — {', '.join(named)} apart" if len(named) > 1 else (f" — {named[0]}" if named else "")
    return _layout(fig, f"Cooperation–conflict index, {dyad}{on}")


#: Up to this many periods the triangle figure writes each period's type above its bar;
#: beyond, the labels would overlap and a coloured square (type on hover) stands in.
TRIANGLE_TEXT_LABELS = 8


def triangle_figure(frame: pl.DataFrame) -> go.Figure:
    """The strategic-triangle type per period: probabilities stacked, the type and the pivot.

    ``frame`` is ``TriangleResults.to_frame()`` (columns ``period_start, type, pivot`` and
    ``p_<type>``); with a ``base`` column, a bar per period and base.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"period_start": [date(2015, 1, 1)], "type": ["unit veto"],
    ...     "pivot": [None], "p_unit_veto": [0.9], "p_indeterminate": [0.1]})
    >>> len(triangle_figure(f).data)
    3
    """
    import unicodedata

    from ..diagnose import TRIANGLE_TYPES

    def slug(t: str) -> str:
        plain = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
        return "p_" + plain.replace(" ", "_")

    display = {slug(t): t for t in TRIANGLE_TYPES}
    f = frame.sort("period_start")
    x: list[Any] = f["period_start"].to_list()
    if "base" in f.columns:  # several evidence bases: a bar per period and base
        f = f.sort("base", "period_start")
        x = [f"{p.year} {b}" for p, b in zip(f["period_start"], f["base"], strict=True)]
    fig = go.Figure()
    colour: dict[str, str] = {}
    for i, col in enumerate(c for c in f.columns if c.startswith("p_")):
        name = display.get(col, col[2:].replace("_", " "))
        colour[name] = _PALETTE[i % len(_PALETTE)]
        fig.add_trace(
            go.Bar(
                x=x,
                y=f[col].to_list(),
                name=name,
                marker_color=colour[name],
                hovertemplate=f"{name}: %{{y:.2f}}<extra></extra>",
            )
        )
    types = f["type"].to_list()
    labels = [
        t if p is None else f"{t} (pivot {p})"
        for t, p in zip(types, f["pivot"].to_list(), strict=True)
    ]
    if len(x) <= TRIANGLE_TEXT_LABELS:
        # few periods: the type written above each bar
        mark = go.Scatter(x=x, y=[1.04] * len(x), mode="text", text=labels)
        mark.update(textposition="top center")
    else:
        # many periods: written labels would overlap; a square in the type's colour above
        # each bar, the type and pivot on hover
        mark = go.Scatter(
            x=x,
            y=[1.08] * len(x),
            mode="markers",
            text=labels,
            marker={
                "symbol": "square",
                "size": 9,
                "color": [colour.get(t, "#7f7f7f") for t in types],
            },
        )
    mark.update(name="type (pivot)", showlegend=False, hovertemplate="%{text}<extra></extra>")
    fig.add_trace(mark)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="probability of the type", range=[0, 1.25])
    return _layout(fig, "Strategic triangle (Dittmer): type, pivot and probabilities")


def regimes_figure(frame: pl.DataFrame) -> go.Figure:
    """Regime per dyad and period, coloured by label, with the rule that fired on hover.

    ``frame`` is ``RegimeResults.to_frame()`` (``dyad, period_start, label, rule,
    confidence``), or a per-base frame with a ``base`` column (one row per dyad and base).

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"dyad": ["CHN-RUS"], "period_start": [date(2015, 1, 1)],
    ...     "label": ["partnership"], "rule": ["R1"], "confidence": [0.9]})
    >>> regimes_figure(f).data[0].name
    'partnership'
    """
    fig = go.Figure()
    if "base" in frame.columns:  # several evidence bases: a row per dyad and base
        frame = frame.with_columns(
            pl.concat_str([pl.col("dyad"), pl.lit(" ("), pl.col("base"), pl.lit(")")]).alias("dyad")
        )
    labels = list(dict.fromkeys(frame["label"].to_list()))
    order = [lab for lab in _REGIME_COLOURS if lab in labels] + [
        lab for lab in labels if lab not in _REGIME_COLOURS
    ]
    for lab in order:
        s = frame.filter(pl.col("label") == lab)
        conf = ["–" if c is None else f"{c:.2f}" for c in s["confidence"].to_list()]
        fig.add_trace(
            go.Scatter(
                x=s["period_start"].to_list(),
                y=s["dyad"].to_list(),
                mode="markers",
                marker={"symbol": "square", "size": 26, "color": _REGIME_COLOURS.get(lab, "#999")},
                name=lab,
                text=[
                    f"{d} {p}: {lab} (confidence {c})<br>{r}"
                    for d, p, c, r in zip(
                        s["dyad"].to_list(),
                        s["period_start"].to_list(),
                        conf,
                        s["rule"].to_list(),
                        strict=True,
                    )
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.update_yaxes(type="category", categoryorder="category descending")
    return _layout(fig, "Relationship regime per dyad and period", height=300)


def power_figure(
    power: Any, start: int, end: int, indicators: Sequence[str] = POWER_INDICATORS
) -> go.Figure:
    """Power ratios per pair and indicator over ``start``…``end``, with their OLS trends.

    ``power`` is a :class:`~trilateral.measure.PowerRatios`. The trend of each pair is the
    one :meth:`~trilateral.measure.PowerRatios.trend` fitted (its slope and interval in
    the legend); its line is drawn through the mean year and ratio, where an OLS line
    passes.
    """
    present = [i for i in indicators if i in power.indicators]
    fig = make_subplots(rows=1, cols=max(len(present), 1), subplot_titles=present or ["(none)"])
    f = power.frame.filter(pl.col("year").is_between(start, end))
    pairs = list(
        dict.fromkeys(zip(f["numerator"].to_list(), f["denominator"].to_list(), strict=True))
    )
    for col, ind in enumerate(present, start=1):
        for i, (num, den) in enumerate(pairs):
            s = (
                f.filter(
                    (pl.col("indicator") == ind)
                    & (pl.col("numerator") == num)
                    & (pl.col("denominator") == den)
                )
                .drop_nulls("ratio")
                .sort("year")
            )
            if s.height == 0:
                continue
            colour = _PALETTE[i % len(_PALETTE)]
            name = f"{num}/{den}"
            fig.add_trace(
                go.Scatter(
                    x=s["year"].to_list(),
                    y=s["ratio"].to_list(),
                    mode="lines+markers",
                    line={"color": colour},
                    marker={"size": 4},
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    hovertemplate=f"{name} {ind} %{{x}}: %{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
            if s.height < 3:
                continue
            tr = power.trend(
                num, den, ind, int(s["year"].min()), int(s["year"].max()), allow_gaps=True
            )
            xs = s["year"].to_numpy()
            ys = s["ratio"].to_numpy()
            x0, y0 = float(xs.mean()), float(ys.mean())
            fig.add_trace(
                go.Scatter(
                    x=[tr.start, tr.end],
                    y=[y0 + tr.slope * (tr.start - x0), y0 + tr.slope * (tr.end - x0)],
                    mode="lines",
                    line={"color": colour, "dash": "dot"},
                    name=f"{name} trend",
                    legendgroup=name,
                    showlegend=False,
                    hovertemplate=(
                        f"{name} {ind} trend {tr.slope:+.4f}/year "
                        f"[{tr.conf_int[0]:+.4f}, {tr.conf_int[1]:+.4f}], p={tr.pvalue:.3g}"
                        "<extra></extra>"
                    ),
                ),
                row=1,
                col=col,
            )
    return _layout(fig, "Power ratios (numerator / denominator) with OLS trends", height=360)


def reciprocity_figure(irf: pl.DataFrame, endogenous_share: dict[str, float]) -> go.Figure:
    """Impulse responses of each dyad's series to the reverse dyad, and the endogenous share.

    ``irf`` is ``ReciprocityResults.irf_frame()`` (``horizon, response, impulse, girf``);
    ``endogenous_share`` is ``ReciprocityResults.endogenous_share``.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.68, 0.32],
        subplot_titles=["response to the partner's shock (generalised IRF)", "endogenous share"],
    )
    pairs = []
    for resp in dict.fromkeys(irf["response"].to_list()):
        a, b = resp.split("->")
        rev = f"{b}->{a}"
        if rev in set(irf["impulse"].to_list()):
            pairs.append((resp, rev))
    for i, (resp, imp) in enumerate(pairs):
        s = irf.filter((pl.col("response") == resp) & (pl.col("impulse") == imp)).sort("horizon")
        fig.add_trace(
            go.Scatter(
                x=s["horizon"].to_list(),
                y=s["girf"].to_list(),
                mode="lines+markers",
                line={"color": _PALETTE[i % len(_PALETTE)]},
                name=f"{resp} ← {imp}",
                hovertemplate=f"{resp} after a shock to {imp}, h=%{{x}}: %{{y:.3f}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    countries = list(endogenous_share)
    fig.add_trace(
        go.Bar(
            x=countries,
            y=[endogenous_share[c] for c in countries],
            marker_color="#7f7f7f",
            name="endogenous share",
            hovertemplate="%{x}: %{y:.2f} of its own forecast-error variance<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title="months after the shock", row=1, col=1)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    return _layout(fig, "Reciprocity (VAR): impulse responses and endogenous share", height=380)


def titfortat_figure(summary: pl.DataFrame, matches: pl.DataFrame) -> go.Figure:
    """Tit-for-tat per arena: answered acts, answer lags and magnitude ratios.

    ``summary`` is ``TitForTatResults.summary_frame()``, ``matches`` its ``matches``.
    """
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=[
            "acts and answers per arena",
            "lag of the answer (days)",
            "magnitude ratio (answer / act)",
        ],
    )
    per_arena = summary.filter(pl.col("arena") != "all")
    arenas = sorted(set(per_arena["arena"].to_list()))
    acts = [int(per_arena.filter(pl.col("arena") == a)["n_acts"].sum()) for a in arenas]
    answered = [int(per_arena.filter(pl.col("arena") == a)["n_answered"].sum()) for a in arenas]
    fig.add_trace(
        go.Bar(x=arenas, y=acts, name="hostile acts", marker_color="#c7c7c7"), row=1, col=1
    )
    fig.add_trace(
        go.Bar(x=arenas, y=answered, name="answered", marker_color="#d62728"), row=1, col=1
    )
    ans = matches.filter(pl.col("answered"))
    for col, field in ((2, "lag_days"), (3, "magnitude_ratio")):
        vals = ans.drop_nulls(field)
        fig.add_trace(
            go.Box(
                x=vals["arena"].to_list(),
                y=vals[field].to_list(),
                boxpoints="all",
                jitter=0.4,
                name=field.replace("_", " "),
                marker_color="#1f77b4" if col == 2 else "#9467bd",
                text=[
                    f"{s}→{t} {d}"
                    for s, t, d in vals.select("source", "target", "act_date").iter_rows()
                ],
            ),
            row=1,
            col=col,
        )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(type="log", row=1, col=3)
    return _layout(fig, "Tit-for-tat: hostile acts answered in kind", height=380)


def claims_rows(claims: Any) -> list[dict[str, Any]]:
    """One plain dict per claim of a :class:`~trilateral.diagnose.ClaimsReport` (for tables).

    Examples
    --------
    >>> claims_rows(type("R", (), {"results": ()})())
    []
    """
    return [r.to_dict() for r in claims.results]
