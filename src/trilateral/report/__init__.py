"""The report stage: results of the earlier stages as plotly figures in one HTML file.

The report is a view: :func:`collect_results` calls the measure and diagnose stages,
the functions of this package only draw what they returned. :func:`write_report` writes
one self-contained HTML file (plotly's JavaScript inlined once, no external resource).
The dashboard (``trilateral.serve``) reuses the same figure functions.

Examples
--------
>>> from datetime import date
>>> from trilateral.report import ReportResults, render_report
>>> html = render_report(ReportResults(None, ("USA", "RUS"), date(2015, 1, 1), date(2015, 12, 31), "x"))
>>> html.startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

from ._figures import (
    POWER_INDICATORS,
    claims_rows,
    index_figure,
    power_figure,
    reciprocity_figure,
    regimes_figure,
    titfortat_figure,
    triangle_figure,
)
from ._render import Section, build_sections, render_report, write_report
from ._results import (
    FigureResult,
    ReportResults,
    StageSection,
    collect_results,
    forecast_section,
    simulate_section,
    stage_sections,
)

__all__ = [
    "POWER_INDICATORS",
    "FigureResult",
    "ReportResults",
    "Section",
    "StageSection",
    "build_sections",
    "claims_rows",
    "collect_results",
    "forecast_section",
    "index_figure",
    "power_figure",
    "reciprocity_figure",
    "regimes_figure",
    "render_report",
    "simulate_section",
    "stage_sections",
    "titfortat_figure",
    "triangle_figure",
    "write_report",
]
