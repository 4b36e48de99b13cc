"""Render :class:`ReportResults` into one self-contained HTML file (Jinja2 + plotly)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from .. import __version__
from ..data._provenance import atomic_write
from ..diagnose import VERDICTS
from . import _figures as figs
from ._results import ReportResults

__all__ = ["Section", "build_sections", "render_report", "write_report"]


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the report: heading, figures (as HTML fragments) and their titles,
    caption, table."""

    key: str
    title: str
    caption: str
    figures: tuple[str, ...] = ()
    table: tuple[dict[str, Any], ...] = ()
    grid: str = ""
    #: Each figure's title: its caption and accessible name (in the order of ``figures``).
    figure_titles: tuple[str, ...] = ()


def _grid(frame: Any) -> str:
    """A polars frame as an HTML table (numbers to 3 significant digits)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.iter_rows():
        cells = []
        for v in row:
            text = "" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _fig_html(fig: Any, div_id: str) -> str:
    return str(
        pio.to_html(
            figs.tidy_figure(fig),
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


def _data_line(res: ReportResults) -> str:
    where = f"the event store {res.store}" if res.store else "the events given"
    return f"{where}, {', '.join(res.countries)}, {res.start} … {res.end}"


def _title(fig: Any) -> str:
    """A figure's own title (its accessible name and caption)."""
    return str(fig.layout.title.text or "")


def _index(res: ReportResults, data: str, cmd: str) -> Section | None:
    if res.index is None:
        return None
    frame = res.index.symmetric().frame
    n_boot = res.index.provenance.get("n_boot", "?")
    figures = [
        (figs.index_figure(frame, d, events=res.events), f"fig-index-{d}")
        for d in sorted(set(frame["dyad"].to_list()))
    ]
    return Section(
        "index",
        "Cooperation–conflict index per dyad and arena",
        f"Data: {html.escape(data)}; mean Goldstein score per {res.index.period} and arena, "
        f"both directions pooled, with {int(res.index.level * 100)} % bootstrap bands "
        f"({n_boot} replicates), each period's value drawn in the middle of its period; "
        "diamonds are the chronicle's named events (hover for the description). Made by "
        "<code>trilateral.measure.indices</code> → <code>DyadIndex.symmetric()</code> and "
        f"<code>measure.load_events</code>. {cmd}",
        tuple(_fig_html(f, i) for f, i in figures),
        figure_titles=tuple(_title(f) for f, _ in figures),
    )


def _one(key: str, title: str, caption: str, fig: Any) -> Section:
    """A section of one figure."""
    return Section(
        key, title, caption, (_fig_html(fig, f"fig-{key}"),), figure_titles=(_title(fig),)
    )


def _triangle(res: ReportResults, data: str, cmd: str) -> Section | None:
    if res.triangle is None:
        return None
    return _one(
        "triangle",
        "The strategic triangle over time",
        f"Data: {html.escape(data)}; yearly indices. Dittmer's type per period with its "
        "pivot, and the probability of each type over the bootstrap draws. Made by "
        f"<code>trilateral.diagnose.triangle_types</code>. {cmd}",
        figs.triangle_figure(res.triangle.to_frame()),
    )


def _regimes(res: ReportResults, data: str, cmd: str) -> Section | None:
    if res.regimes is None:
        return None
    return _one(
        "regimes",
        "Regimes per dyad and period",
        f"Data: {html.escape(data)}; yearly indices and conflict scope. The label per "
        "dyad and period; hover for the rule that fired and the confidence. Made by "
        f"<code>trilateral.diagnose.classify_regimes</code>. {cmd}",
        figs.regimes_figure(res.regimes.to_frame()),
    )


def _power(res: ReportResults, data: str, cmd: str) -> Section | None:
    if res.power is None:
        return None
    y0, y1 = max(1992, res.start.year - 20), res.end.year
    return _one(
        "power",
        "Power ratios and their trends",
        f"Data: the capability panel (World Bank, SIPRI, COW NMC), "
        f"{', '.join(res.countries)}, {y0}–{y1}. One panel per indicator; each pair drawn "
        "once, as the weaker country's value over the stronger's (the paper's RUS/USA), on "
        "a log scale. Dotted: the OLS trend of the ratio, drawn only where its 95 % HAC "
        "interval excludes zero (slope, interval and p-value on hover). Made by "
        "<code>trilateral.measure.power_ratios</code> and <code>PowerRatios.trend</code>. "
        f"{cmd}",
        figs.power_figure(res.power, y0, y1),
    )


def _reciprocity(res: ReportResults, data: str, cmd: str) -> Section | None:
    r = res.reciprocity
    if r is None:
        return None
    return _one(
        "reciprocity",
        "Reciprocity: impulse responses and the endogenous share",
        f"Data: {html.escape(data)}; monthly dyad series, VAR({r.k_ar}) on {r.nobs} "
        "months. Left: generalised impulse response of each directed series to a shock "
        "in the reverse direction; right: per country, the share of its outgoing "
        "forecast-error variance due to its own series. Made by "
        f"<code>trilateral.measure.ReciprocityModel(...).fit()</code>. {cmd}",
        figs.reciprocity_figure(r.irf_frame(), r.endogenous_share),
    )


def _titfortat(res: ReportResults, data: str, cmd: str) -> Section | None:
    t = res.titfortat
    if t is None:
        return None
    return _one(
        "titfortat",
        "Tit-for-tat: answered acts, lags and magnitude ratios",
        f"Data: {html.escape(data)}; hostile acts answered within {t.window_days} days "
        f"({'same arena' if t.same_arena else 'any arena'}). Made by "
        f"<code>trilateral.measure.match_tit_for_tat</code>. {cmd}",
        figs.titfortat_figure(t.summary_frame(), t.matches),
    )


def _claims(res: ReportResults, data: str, cmd: str) -> Section | None:
    if res.claims is None:
        return None
    rows = figs.claims_rows(res.claims)
    for row in rows:
        row["figures_json"] = json.dumps(row["figures"], ensure_ascii=False, default=str)
    return Section(
        "claims",
        "The reference paper's claims against the data",
        "Data: the capability panel, the UNGA votes and the event store "
        f"{html.escape(str(res.store))}. Each row: the claim's quote, the overall verdict, "
        "the verdict on each evidence base of the store (the curated chronicle, "
        "machine-coded ICEWS; a verdict resting on chronicle rows that cite the paper "
        "itself is <em>circular</em> and never counts as support), what was measured "
        "and from which source, and the figures behind it. Click a heading (or focus it "
        "and press Enter) to sort; choose a verdict to filter. Made by "
        f"<code>trilateral.diagnose.run_claims</code> (<code>trilateral claims</code>). {cmd}",
        table=tuple(rows),
    )


#: The builders of the report's sections, in the order they appear.
_BUILDERS = (_index, _triangle, _regimes, _power, _reciprocity, _titfortat, _claims)


def build_sections(res: ReportResults) -> list[Section]:
    """The report's sections, in order; one per result that is present.

    Examples
    --------
    >>> from datetime import date
    >>> build_sections(ReportResults(None, ("USA",), date(2015, 1, 1), date(2015, 12, 31), "x"))
    []
    """
    data = _data_line(res)
    cmd = f"Command: <code>{html.escape(res.command)}</code>."
    out = [sec for build in _BUILDERS if (sec := build(res, data, cmd)) is not None]
    for stage in res.sections:
        fig = stage.result.figure()
        out.append(
            Section(
                stage.key,
                stage.title,
                html.escape(stage.caption),
                (_fig_html(fig, f"fig-{stage.key}"),),
                grid="" if stage.table is None else _grid(stage.table),
                figure_titles=(_title(fig) or stage.title,),
            )
        )
    return out


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("trilateral.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )


def render_report(res: ReportResults) -> str:
    """The report as one HTML string: plotly's JavaScript inlined once, no external resource.

    Examples
    --------
    >>> from datetime import date
    >>> text = render_report(ReportResults(None, ("USA",), date(2015, 1, 1), date(2015, 12, 31), "x"))
    >>> "<script src=" in text
    False
    """
    sections = build_sections(res)
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            sections=sections,
            plotly_js=get_plotlyjs(),
            countries=", ".join(res.countries),
            start=res.start,
            end=res.end,
            store=res.store,
            command=res.command,
            notes=res.notes,
            version=__version__,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            provenance=json.dumps(res.provenance, indent=1, default=str),
            verdicts=VERDICTS,
        )
    )


def write_report(res: ReportResults, out: str | Path = "report.html") -> Path:
    """Render the report and write it to ``out`` atomically; return the path.

    Examples
    --------
    >>> write_report(collect_results("demo-output/trilateral.duckdb"), "report.html")  # doctest: +SKIP
    """
    path = Path(out)
    atomic_write(path, render_report(res).encode("utf-8"))
    return path
