"""Fan charts of a forecast: plotly for the report and dashboard, matplotlib for PNGs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from ..data import atomic_write
from ..errors import ConfigError
from ._panel import level_names


class ForecastResults(Protocol):
    """What a fan chart reads from a forecast (:class:`~trilateral.forecast.ForecastResults`
    has it). A protocol, so that this module does not import the results module: results
    hand themselves to the figures, never the other way round (issue 22)."""

    @property
    def frame(self) -> pl.DataFrame: ...  # pragma: no cover - protocol

    @property
    def history(self) -> pl.DataFrame: ...  # pragma: no cover - protocol

    @property
    def origin(self) -> date: ...  # pragma: no cover - protocol

    @property
    def origin_period(self) -> date: ...  # pragma: no cover - protocol

    @property
    def period(self) -> str: ...  # pragma: no cover - protocol

    @property
    def statistic(self) -> str: ...  # pragma: no cover - protocol

    @property
    def arena(self) -> str: ...  # pragma: no cover - protocol

    @property
    def horizon(self) -> int: ...  # pragma: no cover - protocol

    @property
    def levels(self) -> tuple[float, ...]: ...  # pragma: no cover - protocol

    @property
    def models(self) -> tuple[str, ...]: ...  # pragma: no cover - protocol

    def dyads(self) -> list[tuple[str, str]]: ...  # pragma: no cover - protocol


__all__ = ["fan_chart", "fan_chart_html", "fan_chart_png"]

# How much history a fan chart shows before the origin, in multiples of the horizon.
_HISTORY_SPAN = 4
_BAND_ALPHA = {0: 0.35, 1: 0.18}


def _parts(
    res: ForecastResults, source: str, target: str, model: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    if model not in res.models:
        raise ConfigError(
            f"model {model!r} was not run", hint=f"models run: {', '.join(res.models)}"
        )
    s, t = source.upper(), target.upper()
    hist = res.history.filter((pl.col("source") == s) & (pl.col("target") == t))
    if hist.height == 0:
        have = ", ".join(f"{a}-{b}" for a, b in res.dyads())
        raise ConfigError(f"dyad {s}-{t} was not forecast", hint=f"dyads: {have}")
    keep = max(3 * res.horizon, _HISTORY_SPAN * res.horizon, 12)
    before = hist.filter(pl.col("period_start") <= res.origin_period).tail(keep)
    after = hist.filter(pl.col("period_start") > res.origin_period).head(res.horizon)
    fc = res.frame.filter((pl.col("source") == s) & (pl.col("target") == t))
    return before, after, fc.filter(pl.col("model") == model).sort("horizon"), fc


def _dyads(res: ForecastResults, source: str | None, target: str | None) -> list[tuple[str, str]]:
    if source is None and target is None:
        return res.dyads()
    if source is None or target is None:
        raise ConfigError("give both source and target, or neither (every dyad)")
    return [(source.upper(), target.upper())]


def fan_chart(
    res: ForecastResults, source: str | None = None, target: str | None = None, model: str = "var"
) -> Any:
    """A plotly fan chart of ``model``'s forecast for one dyad (or one panel per dyad).

    Shows the observed series before the origin (gaps where a period had no events),
    the observed values after it when the index has them, ``model``'s mean with its
    intervals as bands, and the two baselines' means as dashed lines.

    Examples
    --------
    >>> from trilateral.forecast import forecast
    >>> from trilateral.measure import indices
    >>> idx = indices("trilateral.duckdb", period="week", n_boot=0,
    ...               start="2018-01-01", end="2018-09-30")
    >>> res = forecast(idx, horizon=4, origin="2018-09-23", dyads="USA-RUS")
    >>> fig = res.figure("USA", "RUS", model="ar")
    >>> [t.name for t in fig.data if t.name]
    ['ar 95% interval', 'ar 80% interval', 'observed', 'observed after origin', 'ar mean', 'no-change', 'climatology']
    """
    from plotly.subplots import make_subplots

    pairs = _dyads(res, source, target)
    fig = make_subplots(
        rows=len(pairs),
        cols=1,
        subplot_titles=[f"{s}→{t}" for s, t in pairs],
        shared_xaxes=False,
    )
    for row, (s, t) in enumerate(pairs, start=1):
        before, after, fc, every = _parts(res, s, t, model)
        show = row == 1  # one legend entry per trace kind, from the first panel
        traces = [
            *_band_traces(fc, res.levels, model, show),
            *_observed_traces(before, after, show),
            _mean_trace(fc, model, show),
            *_baseline_traces(every, model, show),
        ]
        for trace in traces:
            fig.add_trace(trace, row=row, col=1)
    fig.update_layout(
        title=f"{res.statistic} ({res.period}ly, arena {res.arena}): forecast from "
        f"{res.origin}, model {model}",
        height=280 * len(pairs) + 80,
        template="plotly_white",
    )
    return fig


def _band_traces(fc: pl.DataFrame, levels: tuple[float, ...], model: str, show: bool) -> list[Any]:
    """One filled band per interval level, the widest first."""
    import plotly.graph_objects as go

    traces = []
    for i, lvl in enumerate(sorted(levels, reverse=True)):
        lo, hi = level_names(lvl)
        x = fc["period_start"].to_list()
        traces.append(
            go.Scatter(
                x=x + x[::-1],
                y=fc[hi].to_list() + fc[lo].to_list()[::-1],
                fill="toself",
                fillcolor=f"rgba(31, 119, 180, {_BAND_ALPHA.get(i, 0.1)})",
                line={"width": 0},
                name=f"{model} {lvl * 100:g}% interval",
                legendgroup=f"band{i}",
                showlegend=show,
                hoverinfo="skip",
            )
        )
    return traces


def _observed_traces(before: pl.DataFrame, after: pl.DataFrame, show: bool) -> list[Any]:
    """The observed series up to the origin, and after it when the index has it."""
    import plotly.graph_objects as go

    traces = [
        go.Scatter(
            x=before["period_start"].to_list(),
            y=before["value"].to_list(),
            mode="lines+markers",
            name="observed",
            line={"color": "black"},
            legendgroup="obs",
            showlegend=show,
        )
    ]
    if after.height:
        traces.append(
            go.Scatter(
                x=after["period_start"].to_list(),
                y=after["value"].to_list(),
                mode="markers",
                name="observed after origin",
                marker={"color": "black", "symbol": "x"},
                legendgroup="after",
                showlegend=show,
            )
        )
    return traces


def _mean_trace(fc: pl.DataFrame, model: str, show: bool) -> Any:
    """The model's mean forecast."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=fc["period_start"].to_list(),
        y=fc["mean"].to_list(),
        mode="lines+markers",
        name=f"{model} mean",
        line={"color": "rgb(31, 119, 180)"},
        legendgroup="mean",
        showlegend=show,
    )


def _baseline_traces(every: pl.DataFrame, model: str, show: bool) -> list[Any]:
    """The no-change and climatology means as dashed lines (unless one is ``model``)."""
    import plotly.graph_objects as go

    traces = []
    for base, color in (("no_change", "gray"), ("climatology", "darkorange")):
        if base == model:
            continue
        b = every.filter(pl.col("model") == base).sort("horizon")
        traces.append(
            go.Scatter(
                x=b["period_start"].to_list(),
                y=b["mean"].to_list(),
                mode="lines",
                name=base.replace("_", "-"),
                line={"color": color, "dash": "dash"},
                legendgroup=base,
                showlegend=show,
            )
        )
    return traces


def fan_chart_html(res: ForecastResults, source: str, target: str, model: str = "var") -> str:
    """An HTML fragment (a ``<div>`` and its script) of :func:`fan_chart` for one dyad.

    It does not carry plotly.js: the page that embeds it (the report) loads it once.
    """
    fig = fan_chart(res, source, target, model=model)
    div = f"fan-{source.upper()}-{target.upper()}"
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div))


def fan_chart_png(
    res: ForecastResults, source: str, target: str, path: str | Path, model: str = "var"
) -> Path:
    """Draw the fan chart of one dyad with matplotlib (no browser) and write a PNG."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before, after, fc, every = _parts(res, source, target, model)
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    try:
        x = fc["period_start"].to_list()
        for i, lvl in enumerate(sorted(res.levels, reverse=True)):
            lo, hi = level_names(lvl)
            ax.fill_between(
                x,
                fc[lo].to_numpy(),
                fc[hi].to_numpy(),
                color="tab:blue",
                alpha=_BAND_ALPHA.get(i, 0.1),
                linewidth=0,
                label=f"{model} {lvl * 100:g}% interval",
            )
        ax.plot(
            before["period_start"].to_list(), before["value"].to_numpy(), "k.-", label="observed"
        )
        if after.height:
            ax.plot(
                after["period_start"].to_list(),
                after["value"].to_numpy(),
                "kx",
                label="observed after origin",
            )
        ax.plot(x, fc["mean"].to_numpy(), "o-", color="tab:blue", label=f"{model} mean")
        for base, color in (("no_change", "gray"), ("climatology", "tab:orange")):
            if base != model:
                b = every.filter(pl.col("model") == base).sort("horizon")
                ax.plot(x, b["mean"].to_numpy(), "--", color=color, label=base.replace("_", "-"))
        ax.axvline(res.origin_period, color="gray", linewidth=0.8)  # type: ignore[arg-type]
        ax.set_title(
            f"{source.upper()}→{target.upper()}: {res.statistic} ({res.period}ly, "
            f"arena {res.arena}), origin {res.origin}",
            fontsize=10,
        )
        ax.legend(fontsize=7, loc="best")
        fig.autofmt_xdate()
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    out = Path(path)
    atomic_write(out, buf.getvalue())
    return out
