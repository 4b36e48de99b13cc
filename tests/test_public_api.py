"""The public API is small and deliberate (docs/ARCHITECTURE.md): this test pins it.

Adding or removing a public name is a decision; make it here too.
"""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "trilateral": ["__version__"],
    "trilateral.data": [
        "EVENT_SCHEMA",
        "EXTRAS_SCHEMA",
        "ActorResolver",
        "Codebook",
        "EventReader",
        "EventStore",
        "IngestResult",
        "ReadBatch",
        "Reject",
        "ShippedDataset",
        "StoreInfo",
        "alignment",
        "alignment_provenance",
        "atomic_write",
        "build_panel",
        "chronicle_provenance",
        "detect_format",
        "load_alignment",
        "load_panel",
        "panel_provenance",
        "read",
        "read_capabilities",
        "read_cow_nmc",
        "read_idealpoints",
        "read_sipri",
        "read_unga_votes",
        "read_worldbank",
        "refresh_panel",
        "shipped_chronicle_path",
        "shipped_datasets",
        "shipped_icews_paths",
    ],
    "trilateral.measure": [
        "CHRONICLE",
        "ICEWS",
        "INDEX_COLUMNS",
        "PAPER_CITATION",
        "DyadIndex",
        "EvidenceBase",
        "PowerRatios",
        "RatioTrend",
        "ReciprocityModel",
        "ReciprocityResults",
        "TitForTatResults",
        "base_of",
        "base_store",
        "conflict_scope",
        "evidence_bases",
        "indices",
        "load_events",
        "match_tit_for_tat",
        "pool_index",
        "power_ratios",
        "z_of_level",
    ],
    "trilateral.serve": [
        "LOCAL_HOSTS",
        "MAX_BOOT",
        "MAX_PERIODS",
        "MAX_WINDOW_DAYS",
        "StoreVersion",
        "create_app",
        "serve",
    ],
    "trilateral.report": [
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
        "titfortat_figure",
        "triangle_figure",
        "write_report",
    ],
    "trilateral.diagnose": [
        "CIRCULAR",
        "CONFRONTATION",
        "CONTRADICTED",
        "DISPUTED",
        "INCONCLUSIVE",
        "LIMITED_OPPONENTS",
        "LIMITED_PARTNERSHIP",
        "MENAGE_A_TROIS",
        "NOT_ENOUGH_DATA",
        "OVERALL_RULE",
        "PARTNERSHIP",
        "REGIME_LABELS",
        "ROMANTIC_TRIANGLE",
        "STABLE_MARRIAGE",
        "SUPPORTED",
        "TRIANGLE_TYPES",
        "UNIT_VETO",
        "WITHIN_TOLERANCE",
        "BaseVerdict",
        "Claim",
        "ClaimResult",
        "ClaimsReport",
        "Regime",
        "RegimeConfig",
        "RegimeResults",
        "TriangleConfig",
        "TriangleResults",
        "TriangleType",
        "classify_regimes",
        "conflict_scope",
        "load_claims",
        "run_claims",
        "triangle_types",
    ],
    "trilateral.forecast": [
        "BASELINES",
        "DEFAULT_MODELS",
        "MODELS",
        "SCORE_COLUMNS",
        "BacktestResults",
        "ForecastResults",
        "backtest",
        "fan_chart",
        "fan_chart_html",
        "fan_chart_png",
        "fill_series",
        "forecast",
        "origins_between",
    ],
    "trilateral.pipeline": [
        "DemoResult",
        "Diagnosis",
        "csv_text",
        "dense_span",
        "diagnose_store",
        "run_demo",
        "write_table",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names_are_pinned(module: str) -> None:
    mod = importlib.import_module(module)
    assert list(mod.__all__) == PUBLIC[module]


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_all_is_sorted_and_importable(module: str) -> None:
    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n)) or names == sorted(names)
    for name in names:
        assert hasattr(mod, name), f"{module}.{name} is in __all__ but missing"
