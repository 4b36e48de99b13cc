"""The figures and the claims table as a researcher reads them (issue 21, items 9 and
10): power ratios on a log scale without reciprocals, trends only where the test
supports them, labelled axes, colours told apart with a colour-vision deficiency, yearly
values in the middle of their year, and numbers with their units."""

from __future__ import annotations

import itertools
import re
import warnings
from datetime import date

import numpy as np
import polars as pl
import pytest

from trilateral.measure import power_ratios
from trilateral.report import (
    claims_rows,
    index_figure,
    power_figure,
    reciprocity_figure,
    regimes_figure,
    titfortat_figure,
    triangle_figure,
)
from trilateral.report._figures import _REGIME_COLOURS, FAN_FILLS, tidy_figure


# ---------------------------------------------------------------------- power ratios
@pytest.fixture(scope="module")
def power():
    return power_ratios()


def _panels(fig) -> dict[str, list]:
    """Traces per y-axis ("y", "y2", …)."""
    out: dict[str, list] = {}
    for t in fig.data:
        out.setdefault(t.yaxis or "y", []).append(t)
    return out


def test_power_ratios_are_drawn_once_per_pair_on_log_axes(power) -> None:
    fig = power_figure(power, 2000, 2019)
    panels = _panels(fig)
    assert len(panels) == 3
    for axis, traces in panels.items():
        layout_axis = fig.layout["yaxis" + axis[1:]]
        assert layout_axis.type == "log", axis
        pairs = [tuple(t.name.split("/")) for t in traces if "trend" not in t.name]
        assert len(pairs) == 3, (axis, pairs)  # three countries: three pairs, no reciprocal
        assert not any((b, a) in pairs for a, b in pairs), pairs


def test_the_papers_ratio_is_russia_over_the_us(power) -> None:
    """Feng (2019): Russia's GDP was 6.6 % of the US's; the World Bank's 2017 values
    (1.574 and 19.612 US$ trillion, WDI NY.GDP.MKTP.CD) give 8.0 %. The GDP panel draws
    RUS/USA (about 0.08), not USA/RUS (about 12.5)."""
    fig = power_figure(power, 2000, 2019)
    gdp = next(t for t in fig.data if t.name == "RUS/USA" and (t.yaxis or "y") == "y")
    y2017 = dict(zip(gdp.x, gdp.y, strict=True))[2017]
    assert y2017 == pytest.approx(1.574199 / 19.612102, rel=1e-3)
    assert "USA/RUS" not in {t.name for t in fig.data}


def test_a_trend_is_drawn_only_where_its_interval_excludes_zero(power) -> None:
    """2008-2017, GDP: the RUS/USA slope is -0.0035 a year with a 95 % HAC interval of
    [-0.0099, +0.0028] (the power-gap-gdp claim, docs/claims.md): no trend line. Over
    2000-2019 the CHN/USA GDP ratio rises clearly (0.12 to 0.67): its line is drawn."""
    short = power_figure(power, 2008, 2017)
    gdp_trends = {t.name for t in short.data if (t.yaxis or "y") == "y" and "trend" in t.name}
    assert "RUS/USA trend" not in gdp_trends
    long = power_figure(power, 2000, 2019)
    gdp_trends = {t.name for t in long.data if (t.yaxis or "y") == "y" and "trend" in t.name}
    assert "CHN/USA trend" in gdp_trends


def test_power_panel_titles_are_words_with_units(power) -> None:
    fig = power_figure(power, 2000, 2019)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("GDP (current US$)")
    assert titles[1].startswith("military expenditure (constant 2022 US$)")
    assert not any("_" in t for t in titles), titles  # no indicator codes


# ---------------------------------------------------------------------- axes and titles
def _demo_figures(power):
    d = [date(2015, 1, 1), date(2016, 1, 1)]
    idx = pl.DataFrame(
        {
            "dyad": ["CHN-RUS"] * 2,
            "arena": ["all"] * 2,
            "period_start": d,
            "mean_goldstein": [2.0, 1.0],
            "ci_low": [1.0, 0.0],
            "ci_high": [3.0, 2.0],
            "n_events": [4, 5],
        }
    )
    tri = pl.DataFrame(
        {"period_start": d, "type": ["unit veto"] * 2, "pivot": [None, None]},
        schema_overrides={"pivot": pl.String},
    ).with_columns(p_unit_veto=pl.lit(0.9), p_indeterminate=pl.lit(0.1))
    reg = pl.DataFrame(
        {
            "dyad": ["CHN-RUS"] * 2,
            "period_start": d,
            "label": ["partnership"] * 2,
            "rule": ["R1"] * 2,
            "confidence": [0.9, 0.8],
        }
    )
    irf = pl.DataFrame(
        {
            "horizon": [0, 1, 0, 1],
            "response": ["USA->RUS"] * 2 + ["RUS->USA"] * 2,
            "impulse": ["RUS->USA"] * 2 + ["USA->RUS"] * 2,
            "girf": [0.5, 0.1, 0.4, 0.2],
        }
    )
    summary = pl.DataFrame(
        {
            "arena": ["military"],
            "source": ["USA"],
            "target": ["RUS"],
            "n_acts": [4],
            "n_answered": [2],
            "answer_rate": [0.5],
        }
    )
    matches = pl.DataFrame(
        {
            "answered": [True],
            "arena": ["military"],
            "lag_days": [3],
            "magnitude_ratio": [1.5],
            "source": ["USA"],
            "target": ["RUS"],
            "act_date": [date(2016, 3, 1)],
        }
    )
    return {
        "index": index_figure(idx, "CHN-RUS"),
        "triangle": triangle_figure(tri),
        "regimes": regimes_figure(reg),
        "power": power_figure(power, 2000, 2019),
        "reciprocity": reciprocity_figure(irf, {"USA": 0.7, "RUS": 0.6}),
        "titfortat": titfortat_figure(summary, matches),
    }


def test_every_y_axis_is_labelled(power) -> None:
    for name, fig in _demo_figures(power).items():
        axes = [k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]
        for k in axes:
            assert fig.layout[k].title.text, f"{name}: {k} has no title"


def test_figure_titles_leave_room_for_subplot_titles(power) -> None:
    """A figure with subplot titles keeps its own title in a taller top margin: the
    title is anchored to the container's top, the subplot titles sit above the plot
    area, which starts below the margin."""
    for name, fig in _demo_figures(power).items():
        if not fig.layout.annotations:
            continue
        assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top"
        assert fig.layout.margin.t >= 90, name


def test_yearly_values_are_drawn_mid_year(power) -> None:
    """A yearly value belongs to the whole year: plotly draws it in the middle of its
    period (xperiod 12 months, aligned to the middle), not on 1 January."""
    figs = _demo_figures(power)
    for name in ("index", "triangle", "regimes"):
        for t in figs[name].data:
            assert t.xperiod == "M12" and t.xperiodalignment == "middle", (name, t.name)


def test_interval_edges_carry_no_markers() -> None:
    import plotly.graph_objects as go

    fig = go.Figure(
        [
            go.Scatter(x=[1, 2], y=[0, 1], mode="lines+markers", name="var 95% interval"),
            go.Scatter(x=[1, 2], y=[0, 1], mode="lines+markers", fill="tonexty", name="band"),
            go.Scatter(x=[1, 2], y=[0, 1], mode="lines+markers", name="var mean"),
            go.Scatter(x=[1, 2], y=[0, 1], name="var 80% interval"),  # plotly's default
        ]
    )
    modes = [t.mode for t in tidy_figure(fig).data]
    assert modes == ["lines", "lines", "lines+markers", "lines"]


# ---------------------------------------------------------------------- colour vision
def _delta_e_under(kind: str | None, hexes: list[str]) -> float:
    """The smallest CIEDE2000 difference between any two colours, as seen with a full
    ``kind`` deficiency simulated by Machado, Oliveira & Fernandes (2009), in linear
    sRGB (colour-science's published matrices)."""
    import colour

    rgb = np.array([[int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)] for h in hexes])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin = colour.cctf_decoding(rgb, function="sRGB")
        if kind is not None:
            lin = np.clip(lin @ colour.blindness.matrix_cvd_Machado2009(kind, 1.0).T, 0, 1)
        lab = colour.XYZ_to_Lab(
            colour.RGB_to_XYZ(lin, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
        )
        return min(
            float(colour.delta_E(lab[i], lab[j], method="CIE 2000"))
            for i, j in itertools.combinations(range(len(hexes)), 2)
        )


@pytest.mark.parametrize("kind", [None, "Deuteranomaly", "Protanomaly", "Tritanomaly"])
def test_regime_colours_stay_apart_with_a_colour_vision_deficiency(kind) -> None:
    """Was: "limited partnership" (#98df8a) and "limited opponents" (#ff9896) 4.6
    CIEDE2000 apart for a deuteranope, below a just-noticeable 5 for such patches."""
    assert _delta_e_under(kind, list(_REGIME_COLOURS.values())) >= 20


def _over_white(rgba: str) -> str:
    r, g, b, a = (float(x) for x in rgba[5:-1].split(","))
    return "#" + "".join(f"{round(c * a + 255 * (1 - a)):02x}" for c in (r, g, b))


def _over(top: str, below_hex: str) -> str:
    r, g, b, a = (float(x) for x in top[5:-1].split(","))
    under = [int(below_hex[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(c * a + u * (1 - a)):02x}" for c, u in zip((r, g, b), under, strict=True)
    )


@pytest.mark.parametrize("kind", [None, "Deuteranomaly", "Protanomaly", "Tritanomaly"])
def test_fan_chart_bands_are_told_apart(kind) -> None:
    """The 95 % band over white, the 80 % band over it, and the white page: every two
    at least 10 CIEDE2000 apart (was: one blue at two opacities)."""
    wide = _over_white(FAN_FILLS[95])
    narrow = _over(FAN_FILLS[80], wide)
    assert _delta_e_under(kind, ["#ffffff", wide, narrow]) >= 10


def test_a_forecast_figure_gets_the_fan_fills() -> None:
    import plotly.graph_objects as go

    fig = go.Figure(
        [
            go.Scatter(x=[1, 2, 2, 1], y=[0, 1, 2, 3], fill="toself", name="var 95% interval"),
            go.Scatter(x=[1, 2, 2, 1], y=[1, 1, 2, 2], fill="toself", name="var 80% interval"),
        ]
    )
    fills = [t.fillcolor for t in tidy_figure(fig).data]
    assert fills == [FAN_FILLS[95], FAN_FILLS[80]]


# ---------------------------------------------------------------------- claims text
_RAW = re.compile(r"\d{7,}")  # an unformatted large number (19612102000000.0)


def test_claims_rows_format_every_number_with_its_unit() -> None:
    from trilateral.diagnose import run_claims

    rows = {r["id"]: r for r in claims_rows(run_claims())}
    assert rows["us-gdp-2017"]["measured_text"] == "US$ 19.6 trillion"
    assert rows["rus-us-gdp-ratio-2017"]["measured_text"] == "8.03 %"
    assert rows["rus-defence-peak-year"]["measured_text"] == "2013"
    for r in rows.values():
        texts = [r["measured_text"], r["expected_text"], r["window_text"]]
        texts += [t for _, t in r["figures_text"]] + [b[2] for b in r["bases_text"]]
        for t in texts:
            assert "None" not in t and "{" not in t and "[None" not in t, (r["id"], t)
            assert not _RAW.search(t), (r["id"], t)
