"""Plotly figures from the result objects of the measure and diagnose stages.

Every function here draws; none measures. Each takes a result object (or its frame) as
the earlier stage returned it and gives a :class:`plotly.graph_objects.Figure`. The report
embeds them; the dashboard (``trilateral.serve``) serves the same figures as JSON.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

__all__ = [
    "FAN_FILLS",
    "INDICATOR_NAMES",
    "POWER_INDICATORS",
    "claims_rows",
    "index_figure",
    "power_figure",
    "reciprocity_figure",
    "regimes_figure",
    "tidy_figure",
    "titfortat_figure",
    "triangle_figure",
]

#: The capability indicators the power figure shows (when the panel has them).
POWER_INDICATORS: tuple[str, ...] = ("gdp_current_usd", "milex_constant_2022_usd", "cinc")

#: Lines and bars: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
#: told apart with every common colour-vision deficiency; yellow left out (unreadable on
#: white).
_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: The regimes, from cooperation (blue) to confrontation (red): ColorBrewer's RdBu
#: (Brewer 2003, colour-blind safe), light shades for the "limited" regimes. Under a
#: simulated deuteranopia, protanopia or tritanopia (Machado et al. 2009) every two of
#: them stay at least 20 CIEDE2000 apart (tests/views/test_figures_read.py).
_REGIME_COLOURS = {
    "partnership": "#2166ac",
    "limited partnership": "#92c5de",
    "limited opponents": "#f4a582",
    "confrontation": "#b2182b",
}


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """The house style: title top left, white template, legend below. A figure with
    subplot titles gets a taller top margin so that its title and theirs never meet."""
    subtitled = bool(fig.layout.annotations)
    fig.update_layout(
        title={"text": title, "x": 0.01, "y": 0.985, "yref": "container", "yanchor": "top"},
        height=height + (40 if subtitled else 0),
        margin={"l": 60, "r": 20, "t": 95 if subtitled else 50, "b": 40},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


#: Fan charts: the fill of each predictive-interval level (ColorBrewer Blues, a
#: sequential scale read in order with every common colour-vision deficiency; the
#: narrower band is drawn over the wider one, both opaque enough to tell apart).
FAN_FILLS = {95: "rgba(198,219,239,0.9)", 80: "rgba(107,174,214,0.9)", 50: "rgba(33,113,181,0.9)"}
_LEVEL = re.compile(r"(\d+(?:\.\d+)?)\s*% interval")


def tidy_figure(fig: go.Figure) -> go.Figure:
    """Plot hygiene for any stage's figure (the report and the dashboard apply it to
    every figure they show): an interval's edge or band (a trace that fills, or whose
    name says interval) is drawn as a line without markers, and a band named for its
    level (``"var 80% interval"``) gets that level's fill of :data:`FAN_FILLS`.

    Examples
    --------
    >>> fig = go.Figure([go.Scatter(x=[1, 2], y=[0, 1], mode="lines+markers", fill="tonexty",
    ...                             name="var 95% interval")])
    >>> tidy_figure(fig).data[0].mode
    'lines'
    """
    for t in fig.data:
        if t.type != "scatter":
            continue
        name = (t.name or "").lower()
        edge = t.fill not in (None, "none") or "interval" in name
        # no mode: plotly adds markers to a trace of fewer than 20 points
        if edge and (t.mode is None or "markers" in t.mode):
            t.update(mode="lines")
        level = _LEVEL.search(name)
        if level and t.fill not in (None, "none") and float(level[1]) in FAN_FILLS:
            t.update(fillcolor=FAN_FILLS[int(float(level[1]))])
    return fig


def _period_of(dates: Sequence[Any]) -> str | None:
    """Plotly's ``xperiod`` of period starts (``"M12"`` years, ``"M3"`` quarters, ``"M1"``
    months), or None when they are not the starts of whole periods."""
    ds = sorted(set(dates))
    if not ds or any(getattr(d, "day", 0) != 1 for d in ds):
        return None
    months = {d.month for d in ds}
    if months == {1}:
        return "M12"
    if months <= {1, 4, 7, 10}:
        return "M3"
    return "M1"


def _mid_period(fig: go.Figure, dates: Sequence[Any], *, skip: Sequence[str] = ()) -> None:
    """Draw each period's value in the middle of its period (a yearly point at mid-year,
    not on 1 January): plotly's ``xperiod`` and ``xperiodalignment="middle"`` on every
    trace except those named in ``skip`` (dated events)."""
    period = _period_of(dates)
    if period is None:
        return
    for t in fig.data:
        if t.name not in skip:
            t.update(xperiod=period, xperiod0="2000-01-01", xperiodalignment="middle")


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
    _mid_period(fig, sub["period_start"].to_list(), skip=("named events",))
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
    _mid_period(fig, x)
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
    _mid_period(fig, frame["period_start"].to_list())
    fig.update_yaxes(type="category", categoryorder="category descending", title="dyad")
    return _layout(fig, "Relationship regime per dyad and period", height=300)


#: Readable names of the capability indicators (panel titles); others show their code.
INDICATOR_NAMES = {
    "gdp_current_usd": "GDP",
    "gdp_per_capita_current_usd": "GDP per capita",
    "milex_constant_2022_usd": "military expenditure",
    "milex_current_usd": "military expenditure",
    "cinc": "CINC",
    "population": "population",
}


def _weaker_first(f: pl.DataFrame, indicator: str) -> list[tuple[str, str]]:
    """The ratios of ``indicator`` drawn: one per pair of countries, weaker / stronger
    (the ratio whose mean over the years is below 1: RUS/USA, as the paper writes it);
    never its reciprocal."""
    s = f.filter(pl.col("indicator") == indicator).drop_nulls("ratio")
    means = s.group_by("numerator", "denominator").agg(pl.col("ratio").log().mean())
    return sorted(
        (num, den)
        for num, den, m in means.select("numerator", "denominator", "ratio").iter_rows()
        if m < 0 or (m == 0 and num < den)
    )


def _trend_trace(power: Any, num: str, den: str, ind: str, s: pl.DataFrame) -> Any:
    """The OLS trend of ``num/den`` over the years of ``s``, or None where the trend
    test does not support one (its interval includes 0, or too few years to test)."""
    if s.height < 3:
        return None
    years = s["year"].to_list()
    tr = power.trend(num, den, ind, min(years), max(years), allow_gaps=True)
    lo, hi = tr.conf_int
    if lo is None or hi is None or not (lo > 0 or hi < 0):  # NaN compares False: no line
        return None
    xs = s["year"].to_numpy()
    ys = s["ratio"].to_numpy()
    x0, y0 = float(xs.mean()), float(ys.mean())
    # every year, so that the straight line bends as it should on the log axis; where the
    # line falls below half the pair's smallest ratio (or below 0) it is not drawn
    floor = float(ys.min()) / 2
    fit = [(x, y0 + tr.slope * (x - x0)) for x in range(tr.start, tr.end + 1)]
    fit = [(x, y) for x, y in fit if y > floor]
    return go.Scatter(
        x=[x for x, _ in fit],
        y=[y for _, y in fit],
        mode="lines",
        line={"dash": "dot"},
        name=f"{num}/{den} trend",
        showlegend=False,
        hovertemplate=(
            f"{num}/{den} trend {tr.slope:+.4f} a year, {int(tr.level * 100)} % interval "
            f"[{lo:+.4f}, {hi:+.4f}], p = {tr.pvalue:.2g}<extra></extra>"
        ),
    )


def power_figure(
    power: Any, start: int, end: int, indicators: Sequence[str] = POWER_INDICATORS
) -> go.Figure:
    """Power ratios per pair and indicator over ``start``…``end``: one panel per indicator,
    the weaker country over the stronger on a log scale, with OLS trends where supported.

    ``power`` is a :class:`~trilateral.measure.PowerRatios`. Each pair is drawn once, as
    weaker / stronger (the paper's RUS/USA, about 0.08 for GDP in 2017), never also as
    its reciprocal; on the log axis a ratio of 0.08 and one of 0.6 are both readable. The
    dotted trend of a pair is the one :meth:`~trilateral.measure.PowerRatios.trend` fits,
    drawn only where its interval excludes 0 (slope, interval and p-value on hover).

    Examples
    --------
    >>> from trilateral.measure import power_ratios
    >>> fig = power_figure(power_ratios(), 2000, 2019)
    >>> sorted({t.name for t in fig.data if "trend" not in t.name})
    ['CHN/USA', 'RUS/CHN', 'RUS/USA', 'USA/CHN']
    >>> fig.layout.yaxis.type, fig.layout.annotations[0].text
    ('log', 'GDP (current US$): weaker / stronger')
    """
    present = [i for i in indicators if i in power.indicators]
    f = power.frame.filter(pl.col("year").is_between(start, end))
    titles = []
    for ind in present:
        unit = f.filter(pl.col("indicator") == ind)["unit"].drop_nulls()
        name = INDICATOR_NAMES.get(ind, ind)
        titles.append(f"{name}{f' ({unit[0]})' if unit.len() and unit[0] != name else ''}")
    rows = max(len(present), 1)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=[f"{t}: weaker / stronger" for t in titles] or ["(no indicator)"],
    )
    colours: dict[frozenset[str], str] = {}
    for row, ind in enumerate(present, start=1):
        for num, den in _weaker_first(f, ind):
            s = (
                f.filter(
                    (pl.col("indicator") == ind)
                    & (pl.col("numerator") == num)
                    & (pl.col("denominator") == den)
                )
                .drop_nulls("ratio")
                .sort("year")
            )
            pair = frozenset((num, den))
            colour = colours.setdefault(pair, _PALETTE[len(colours) % len(_PALETTE)])
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
                    showlegend=name not in {t.name for t in fig.data},
                    hovertemplate=f"{name} {titles[row - 1]} %{{x}}: %{{y:.3g}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
            trend = _trend_trace(power, num, den, ind, s)
            if trend is not None:
                trend.update(line_color=colour, legendgroup=name)
                fig.add_trace(trend, row=row, col=1)
        fig.update_yaxes(type="log", title="ratio (log scale)", row=row, col=1)
    fig.update_xaxes(title="year", row=rows, col=1)
    _layout(
        fig,
        "Power ratios, weaker / stronger (dotted: OLS trend where significant)",
        260 * rows + 120,
    )
    fig.update_annotations(font_size=12)  # the panel titles
    return fig


def reciprocity_figure(
    irf: pl.DataFrame,
    endogenous_share: dict[str, float],
    *,
    no_dynamics: bool = False,
    order_note: str = "",
) -> go.Figure:
    """Impulse responses of each dyad's series to the reverse dyad, and the endogenous share.

    ``irf`` is ``ReciprocityResults.irf_bands()`` (``horizon, response, impulse, girf,
    lower, upper``: the responses with their bootstrap bands, drawn as a shaded band) or
    ``ReciprocityResults.irf_frame()`` (no bands); ``endogenous_share`` is
    ``ReciprocityResults.endogenous_share``. With ``no_dynamics`` (the information
    criterion chose 0 lags: ``ReciprocityResults.no_dynamics``) no response is drawn and
    the panel says why, with ``order_note``; the shares are drawn grey and hollow, marked
    as the forced VAR(1)'s, not findings.

    Examples
    --------
    >>> import polars as pl
    >>> irf = pl.DataFrame({"horizon": [0, 1, 0, 1], "response": ["A->B"] * 2 + ["B->A"] * 2,
    ...                     "impulse": ["B->A"] * 2 + ["A->B"] * 2, "girf": [0.5, 0.2, 0.4, 0.1],
    ...                     "lower": [0.3, -0.1, 0.2, -0.2], "upper": [0.7, 0.5, 0.6, 0.4]})
    >>> fig = reciprocity_figure(irf, {"A": 0.7, "B": 0.6})
    >>> [t.name for t in fig.data if t.showlegend is not False]
    ['A->B ← B->A', 'B->A ← A->B', 'endogenous share']
    >>> fig = reciprocity_figure(irf, {"A": 0.7, "B": 0.6}, no_dynamics=True)
    >>> [t.type for t in fig.data]
    ['bar']
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.68, 0.32],
        subplot_titles=[
            "response to the partner's<br>shock (generalised IRF)",
            "endogenous<br>share",
        ],
    )
    if no_dynamics:
        fig.add_annotation(
            text="No detectable dynamics: the lag-order criterion chose 0 lags.<br>"
            "No response is shown; the shares are the forced VAR(1)'s, not findings."
            + (f"<br>{order_note}" if order_note else ""),
            xref="x domain",
            yref="y domain",
            x=0.5,
            y=0.5,
            showarrow=False,
            row=1,
            col=1,
        )
    else:
        _irf_traces(fig, irf)
    countries = list(endogenous_share)
    fig.add_trace(
        go.Bar(
            x=countries,
            y=[endogenous_share[c] for c in countries],
            marker={
                "color": "rgba(0,0,0,0)" if no_dynamics else "#7f7f7f",
                "line": {"color": "#7f7f7f", "width": 1.5},
            },
            name="endogenous share" + (" (forced VAR(1), not a finding)" if no_dynamics else ""),
            hovertemplate="%{x}: %{y:.2f} of its own forecast-error variance<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title="months after the shock", row=1, col=1)
    fig.update_yaxes(title="response (index points)", row=1, col=1)
    fig.update_yaxes(range=[0, 1], title="share", row=1, col=2)
    return _layout(fig, "Reciprocity (VAR): impulse responses and endogenous share", height=380)


def _irf_traces(fig: go.Figure, irf: pl.DataFrame) -> None:
    """Each series' response to the reverse series, with its band when ``irf`` has one."""
    banded = "lower" in irf.columns and "upper" in irf.columns
    pairs = []
    impulses = set(irf["impulse"].to_list())
    for resp in dict.fromkeys(irf["response"].to_list()):
        a, b = resp.split("->")
        rev = f"{b}->{a}"
        if rev in impulses:
            pairs.append((resp, rev))
    for i, (resp, imp) in enumerate(pairs):
        s = irf.filter((pl.col("response") == resp) & (pl.col("impulse") == imp)).sort("horizon")
        colour = _PALETTE[i % len(_PALETTE)]
        x = s["horizon"].to_list()
        if banded:
            fig.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=s["upper"].to_list() + s["lower"].to_list()[::-1],
                    fill="toself",
                    fillcolor=_rgba(colour, 0.15),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{resp} ← {imp} band",
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=s["girf"].to_list(),
                mode="lines+markers",
                line={"color": colour},
                name=f"{resp} ← {imp}",
                hovertemplate=f"{resp} after a shock to {imp}, h=%{{x}}: %{{y:.3f}}<extra></extra>",
            ),
            row=1,
            col=1,
        )


def titfortat_figure(
    summary: pl.DataFrame, matches: pl.DataFrame, baseline: pl.DataFrame | None = None
) -> go.Figure:
    """Tit-for-tat per arena and directed dyad: answer rates against chance, answer lags
    and magnitude ratios.

    ``summary`` is ``TitForTatResults.summary_frame()``, ``matches`` its ``matches`` and
    ``baseline`` its ``baseline_frame()`` (optional). The top panel draws one bar set per
    evidence base (named; "all" when the results carry no ``base``): each directed dyad's
    answer rate per arena, with the chance rate (and its 95 % band) beside it; rates are
    never pooled over dyads or bases.
    """
    fig = make_subplots(
        rows=3,
        cols=1,
        vertical_spacing=0.14,
        subplot_titles=[
            "answer rate per arena and dyad, against chance",
            "lag of the answer (days)",
            "magnitude ratio (answer / act)",
        ],
    )
    _titfortat_rate_traces(fig, summary, baseline)
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
                marker_color="#0072B2" if col == 2 else "#CC79A7",
                text=[
                    f"{s}→{t} {d}"
                    for s, t, d in vals.select("source", "target", "act_date").iter_rows()
                ],
            ),
            row=col,
            col=1,
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="share of acts answered", row=1, col=1)
    fig.update_yaxes(title="days", row=2, col=1)
    fig.update_yaxes(type="log", title="ratio (log scale)", row=3, col=1)
    return _layout(fig, "Tit-for-tat: hostile acts answered in kind", height=720)


def _titfortat_rate_traces(
    fig: go.Figure, summary: pl.DataFrame, baseline: pl.DataFrame | None
) -> None:
    """Per base: a bar of each (arena, source→target)'s answer rate and, with a
    baseline, a bar of its chance rate with the 95 % band."""
    per = summary.filter(pl.col("arena") != "all")
    if "base" not in per.columns:
        per = per.with_columns(pl.lit("all").alias("base"))
    key = ["base", "arena", "source", "target"]
    if baseline is not None:
        b = (
            baseline
            if "base" in baseline.columns
            else baseline.with_columns(pl.lit("all").alias("base"))
        )
        per = per.join(
            b.select(*key, "chance_rate", "chance_low", "chance_high"), on=key, how="left"
        )
    per = per.sort(key)
    for base in per["base"].unique(maintain_order=True).to_list():
        mine = per.filter(pl.col("base") == base)
        x = [f"{a}: {s}→{t}" for a, s, t in mine.select("arena", "source", "target").iter_rows()]
        fig.add_trace(
            go.Bar(
                x=x,
                y=mine["answer_rate"].to_list(),
                name=f"{base}: answer rate",
                text=[f"{n}/{k} acts" for n, k in mine.select("n_answered", "n_acts").iter_rows()],
            ),
            row=1,
            col=1,
        )
        if "chance_rate" in mine.columns:
            rate = mine["chance_rate"]
            fig.add_trace(
                go.Bar(
                    x=x,
                    y=rate.to_list(),
                    name=f"{base}: chance rate",
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": (mine["chance_high"] - rate).to_list(),
                        "arrayminus": (rate - mine["chance_low"]).to_list(),
                    },
                ),
                row=1,
                col=1,
            )


def claims_rows(claims: Any) -> list[dict[str, Any]]:
    """One plain dict per claim of a :class:`~trilateral.diagnose.ClaimsReport` (for tables).

    Each row is the claim's ``to_dict()`` plus the texts a table shows
    (:func:`~trilateral.report._format.claim_display`): ``measured_text``,
    ``expected_text``, ``figures_text``, ``bases_text`` and ``window_text``, every number
    with its unit.

    Examples
    --------
    >>> from trilateral.diagnose import run_claims
    >>> rows = claims_rows(run_claims(ids=["us-gdp-2017", "rus-us-gdp-ratio-2017"]))
    >>> [(r["id"], r["verdict"], r["measured_text"], r["expected_text"]) for r in rows]
    [('us-gdp-2017', 'supported', 'US$ 19.6 trillion', 'US$ 19.7 ± 0.444 trillion'), ('rus-us-gdp-ratio-2017', 'contradicted', '8.03 %', '6.6 ± 0.182 %')]
    """
    from ._format import claim_display

    rows = []
    for r in claims.results:
        row = r.to_dict()
        rows.append({**row, **claim_display(row)})
    return rows
