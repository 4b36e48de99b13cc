"""The measure stage: dyad × arena × period indices, power ratios, reciprocity (VAR) and
tit-for-tat matching.

Examples
--------
>>> from trilateral.measure import power_ratios
>>> pr = power_ratios(countries=("USA", "RUS"))
>>> round(pr.figure(2017, "RUS", "USA", "gdp_current_usd"), 3)
0.08
"""

from __future__ import annotations

from ._acts import (
    ACT_KEY,
    ActBaseline,
    cameo_families,
    cameo_family,
    chance_baseline,
    collapse_acts,
)
from ._bases import (
    CHRONICLE,
    ICEWS,
    PAPER_CITATION,
    PAPER_ONLY,
    EvidenceBase,
    base_of,
    base_store,
    evidence_bases,
    paper_events,
)
from ._engine import EngineConfig, engine_from_options
from ._gaps import SlotGaps
from ._indices import INDEX_COLUMNS, PERIOD_EVERY, DyadIndex, floor_period, indices
from ._per_base import (
    COMBINED,
    covered_share,
    index_of_base,
    indices_by_base,
    merge_bases,
    merge_titfortat,
)
from ._pooling import pool_index, z_of_level
from ._power import PowerRatios, RatioTrend, power_ratios
from ._reciprocity import ReciprocityModel, ReciprocityResults
from ._scope import conflict_scope
from ._store_access import is_parquet_source
from ._titfortat import TitForTatResults, load_events, match_tit_for_tat

__all__ = [
    "ACT_KEY",
    "CHRONICLE",
    "COMBINED",
    "ICEWS",
    "INDEX_COLUMNS",
    "PAPER_CITATION",
    "PAPER_ONLY",
    "PERIOD_EVERY",
    "ActBaseline",
    "DyadIndex",
    "EngineConfig",
    "EvidenceBase",
    "PowerRatios",
    "RatioTrend",
    "ReciprocityModel",
    "ReciprocityResults",
    "SlotGaps",
    "TitForTatResults",
    "base_of",
    "base_store",
    "cameo_families",
    "cameo_family",
    "chance_baseline",
    "collapse_acts",
    "conflict_scope",
    "covered_share",
    "engine_from_options",
    "evidence_bases",
    "floor_period",
    "index_of_base",
    "indices",
    "indices_by_base",
    "is_parquet_source",
    "load_events",
    "match_tit_for_tat",
    "merge_bases",
    "merge_titfortat",
    "paper_events",
    "pool_index",
    "power_ratios",
    "z_of_level",
]
