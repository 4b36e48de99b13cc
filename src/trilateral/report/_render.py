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
    """One section of the report: heading, figures (as HTML fragments), caption, table."""

    key: str
    title: str
    caption: str
    figures: tuple[str, ...] = ()
    table: tuple[dict[str, Any], ...] = ()
    grid: str = ""


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
    """A figure as an HTML ``<figure>``: the plot (tidied: :func:`figs.tidy_figure`) and a
    ``<figcaption>`` with its title, which is also the figure's accessible name."""
    plot = pio.to_html(
        figs.tidy_figure(fig),
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    title = html.escape(str(fig.layout.title.text or div_id.removeprefix("fig-")))
    return (
        f'<figure class="plot" id="figure-{div_id}">{plot}<figcaption>{title}</figcaption></figure>'
    )


def _data_line(res: ReportResults) -> str:
    where = f"the event store {res.store}" if res.store else "the events given"
    return f"{where}, {', '.join(res.countries)}, {res.start} … {res.end}"


def reciprocity_order_note(r: Any) -> str:
    """What the lag-order criterion chose, when it chose 0 lags (else ``""``): the note the
    report and the dashboard put on the reciprocity figure of a VAR with no dynamics."""
    if not r.no_dynamics:
        return ""
    sel = r.selected_orders or {}
    return (
        f"{str(r.ic).upper()} chose 0 lags (orders chosen: "
        + ", ".join(f"{k.upper()} {v}" for k, v in sel.items())
        + ")."
    )


def _titfortat_section(t: Any, data: str, cmd: str) -> Section:
    """Answer rates per base and dyad against chance (seeded), lags and magnitude ratios."""
    return Section(
        "titfortat",
        "Tit-for-tat: answered acts, lags and magnitude ratios",
        f"Data: {data}; hostile acts answered within {t.window_days} days "
        f"({'same arena' if t.same_arena else 'any arena'}); each base and directed dyad "
        "apart, the chance rate (target's act dates permuted, 95 % band) beside each answer "
        f"rate. Made by <code>trilateral.measure.match_tit_for_tat</code>. {cmd}",
        (
            _fig_html(
                figs.titfortat_figure(t.summary_frame(), t.matches, t.baseline_frame(rng=0)),
                "fig-titfortat",
            ),
        ),
    )


def _reciprocity_section(res: ReportResults, data: str, cmd: str) -> Section:
    """The VAR's responses with their bands, or, when the lag-order criterion chose 0
    lags, a statement that it found no dynamics and no responses."""
    r = res.reciprocity
    if r.no_dynamics:
        order_note = reciprocity_order_note(r)
        what = (
            f"<strong>No detectable dynamics</strong>: {order_note} At this resolution no "
            "series helps predict another, so no impulse response is shown; the right panel "
            f"shows the shares of the VAR({r.k_ar}) fitted anyway, which are not findings."
        )
        irf = r.irf_frame()
    else:
        bands = res.reciprocity_bands
        irf = bands if bands is not None else r.irf_frame()
        band_text = (
            f"shaded: {100 * (1 - r.alpha):g} % percentile bands from "
            f"{int(bands['n_boot'][0])} residual-bootstrap refits; a band that contains 0 is "
            "no detectable response"
            if bands is not None
            else "no bands computed"
        )
        what = (
            "Left: generalised impulse response of each directed series to a shock in the "
            f"reverse direction ({band_text}); right: per country, the share of its outgoing "
            "forecast-error variance due to its own series."
        )
        order_note = ""
    return Section(
        "reciprocity",
        "Reciprocity: impulse responses and the endogenous share",
        f"Data: {data}; monthly dyad series of the {res.reciprocity_base or 'unnamed'} "
        f"evidence base alone (acts; the base covering the most months of the window unless "
        f"--base names one), VAR({r.k_ar}) on {r.nobs} months. {what} Made by "
        f"<code>trilateral.measure.ReciprocityModel(...).fit()</code>. {cmd}",
        (
            _fig_html(
                figs.reciprocity_figure(
                    irf, r.endogenous_share, no_dynamics=r.no_dynamics, order_note=order_note
                ),
                "fig-reciprocity",
            ),
        ),
    )


def build_sections(res: ReportResults) -> list[Section]:
    """The report's sections, in order; one per result that is present.

    Examples
    --------
    >>> from datetime import date
    >>> build_sections(ReportResults(None, ("USA",), date(2015, 1, 1), date(2015, 12, 31), "x"))
    []
    """
    out: list[Section] = []
    data = _data_line(res)
    cmd = f"Command: <code>{html.escape(res.command)}</code>."
    if res.index is not None:
        sym = res.index.symmetric()
        frame = sym.frame
        dyads = sorted(set(frame["dyad"].to_list()))
        n_boot = res.index.provenance.get("n_boot", "?")
        out.append(
            Section(
                "index",
                "Cooperation–conflict index per dyad and arena",
                f"Data: {html.escape(data)}; mean Goldstein score per {res.index.period} and arena, "
                f"both directions pooled, with {int(res.index.level * 100)} % bootstrap bands "
                f"({n_boot} replicates); diamonds are the chronicle's named events "
                "(hover for the description). Made by <code>trilateral.measure.indices</code> "
                f"→ <code>DyadIndex.symmetric()</code> and <code>measure.load_events</code>. {cmd}",
                tuple(
                    _fig_html(figs.index_figure(frame, d, events=res.events), f"fig-index-{d}")
                    for d in dyads
                ),
            )
        )
    if res.triangle is not None:
        out.append(
            Section(
                "triangle",
                "The strategic triangle over time",
                f"Data: {html.escape(data)}; yearly indices. Dittmer's type per period with its "
                "pivot, and the probability of each type over the bootstrap draws. Made by "
                f"<code>trilateral.diagnose.triangle_types</code>. {cmd}",
                (_fig_html(figs.triangle_figure(res.triangle.to_frame()), "fig-triangle"),),
            )
        )
    if res.regimes is not None:
        out.append(
            Section(
                "regimes",
                "Regimes per dyad and period",
                f"Data: {html.escape(data)}; yearly indices and conflict scope. The label per "
                "dyad and period; hover for the rule that fired and the confidence. Made by "
                f"<code>trilateral.diagnose.classify_regimes</code>. {cmd}",
                (_fig_html(figs.regimes_figure(res.regimes.to_frame()), "fig-regimes"),),
            )
        )
    if res.power is not None:
        y0 = max(1992, res.start.year - 20)
        y1 = res.end.year
        out.append(
            Section(
                "power",
                "Power ratios and their trends",
                "Data: the capability panel (World Bank, SIPRI, COW NMC): "
                f"{html.escape(str(res.power.provenance.get('panel', 'shipped')))}; "
                f"{', '.join(res.countries)}, {y0}–{y1}. Ratios per pair; dotted: the OLS trend "
                "(slope and interval on hover). Made by <code>trilateral.measure.power_ratios</code> "
                f"and <code>PowerRatios.trend</code>. {cmd}",
                (_fig_html(figs.power_figure(res.power, y0, y1), "fig-power"),),
            )
        )
    if res.reciprocity is not None:
        out.append(_reciprocity_section(res, html.escape(data), cmd))
    if res.titfortat is not None:
        out.append(_titfortat_section(res.titfortat, html.escape(data), cmd))
    if res.claims is not None:
        rows = figs.claims_rows(res.claims)
        for row in rows:
            row["figures_json"] = json.dumps(row["figures"], ensure_ascii=False, default=str)
        out.append(
            Section(
                "claims",
                "The reference paper's claims against the data",
                f"Data: the capability panel ({html.escape(getattr(res.claims, 'panel', ''))}), "
                f"the UNGA votes and the event store {html.escape(str(res.store))}. Each row: the claim's quote, the overall verdict, "
                "the verdict on each evidence base of the store (the curated chronicle, "
                "machine-coded ICEWS; a verdict resting on chronicle rows that cite the paper "
                "itself is <em>circular</em> and never counts as support), what was measured "
                "and from which source, and the figures behind it. Click a heading to sort; "
                "choose a "
                "verdict to filter. Made by <code>trilateral.diagnose.run_claims</code> "
                f"(<code>trilateral claims</code>). {cmd}",
                table=tuple(rows),
            )
        )
    out += [_stage_section(s) for s in res.sections]
    return out


def _stage_section(s: Any) -> Section:
    """A later stage's section (simulate, forecast): its figure, caption and table."""
    return Section(
        s.key,
        s.title,
        html.escape(s.caption),
        (_fig_html(s.result.figure(), f"fig-{s.key}"),),
        grid="" if s.table is None else _grid(s.table),
    )


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
    >>> from datetime import date
    >>> empty = ReportResults(None, ("USA",), date(2015, 1, 1), date(2015, 12, 31), "x")
    >>> write_report(empty, "report.html")
    PosixPath('report.html')
    >>> "<html" in Path("report.html").read_text("utf-8")
    True
    """
    path = Path(out)
    atomic_write(path, render_report(res).encode("utf-8"))
    return path
