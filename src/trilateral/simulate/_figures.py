"""Figures of the simulate stage: plotly for the report, matplotlib for PNGs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..data._provenance import atomic_write

# Figures depend on results, never the reverse at load time: they take any object with
# the PolicyComparison interface (``results``, ``scenario``), so this module imports no
# results module, not even for type checking (issue 22: no import circles).
PolicyComparison = Any

__all__ = ["comparison_figure", "comparison_png"]


def _series(cmp: PolicyComparison) -> dict[str, dict[str, Any]]:
    out = {}
    for name, res in cmp.results.items():
        d = res.dyads.index(("USA", "RUS")) if ("USA", "RUS") in res.dyads else 0
        lv = res.raw.levels[:, :, d].astype(np.float64)
        pay = res.payoff()
        china = "CHN" if "CHN" in pay else res.countries[-1]
        out[name] = {
            "t": np.arange(lv.shape[0]),
            "mean": lv.mean(axis=1),
            "lo": np.quantile(lv, 0.05, axis=1),
            "hi": np.quantile(lv, 0.95, axis=1),
            "dyad": "->".join(res.dyads[d]),
            "china": china,
            "pay": pay[china],
        }
    return out


def _add_policy(fig: Any, name: str, s: dict[str, Any], col: str) -> None:
    """Add one policy's level band and mean (left) and its payoff bar (right) to ``fig``."""
    import plotly.graph_objects as go

    # plain lists, not numpy arrays: plotly would embed those as base64 typed arrays,
    # which older plotly.js builds and simple readers of fig.data do not decode
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([s["t"], s["t"][::-1]]).tolist(),
            y=np.concatenate([s["hi"], s["lo"][::-1]]).tolist(),
            fill="toself",
            line={"width": 0},
            fillcolor=col,
            opacity=0.15,
            showlegend=False,
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=s["t"].tolist(), y=s["mean"].tolist(), name=name, line={"color": col}),
        row=1,
        col=1,
    )
    p = s["pay"]
    fig.add_trace(
        go.Bar(
            x=[name],
            y=[p["mean"]],
            marker_color=col,
            showlegend=False,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [p["ci_high"] - p["mean"]],
                "arrayminus": [p["mean"] - p["ci_low"]],
            },
        ),
        row=1,
        col=2,
    )


def comparison_figure(cmp: PolicyComparison) -> Any:
    """Plotly figure: USA→RUS level per policy over time (band 5–95 % of runs), and
    China's cumulative payoff per policy (95 % CI of the mean)."""
    from plotly.subplots import make_subplots

    data = _series(cmp)
    first = next(iter(data.values()))
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        subplot_titles=(
            f"{first['dyad']} level by policy (mean, 5–95 % of runs)",
            f"{first['china']} cumulative payoff (mean, 95 % total interval)",
        ),
    )
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    for k, (name, s) in enumerate(data.items()):
        _add_policy(fig, name, s, colours[k % len(colours)])
    fig.update_xaxes(title_text="month", row=1, col=1)
    fig.update_yaxes(title_text="level (−1 hostile … +1 cooperative)", range=[-1, 1], row=1, col=1)
    fig.update_layout(
        title=f"Scenario {cmp.scenario.name}: China's policies compared", template="plotly_white"
    )
    return fig


def comparison_png(cmp: PolicyComparison, path: Path) -> Path:
    """The same figure drawn with matplotlib (Agg backend), written atomically."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    data = _series(cmp)
    first = next(iter(data.values()))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), width_ratios=[1.6, 1])
    for name, s in data.items():
        (line,) = ax1.plot(s["t"], s["mean"], label=name)
        ax1.fill_between(s["t"], s["lo"], s["hi"], color=line.get_color(), alpha=0.15)
        p = s["pay"]
        ax2.bar(
            name,
            p["mean"],
            color=line.get_color(),
            yerr=[[p["mean"] - p["ci_low"]], [p["ci_high"] - p["mean"]]],
        )
    ax1.set_ylim(-1, 1)
    ax1.set_xlabel("month")
    ax1.set_ylabel("level (−1 hostile … +1 cooperative)")
    ax1.set_title(f"{first['dyad']} level by policy (mean, 5–95 % of runs)")
    ax1.legend(fontsize=8)
    ax2.set_title(f"{first['china']} cumulative payoff (mean, 95 % total interval)")
    ax2.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write(path, buf.getvalue())
    return path
