"""The diagnose stage: relationship regimes with their evidence, the strategic triangle
(Dittmer 1981), and the claims check of the reference paper.

Examples
--------
>>> from trilateral.diagnose import load_claims
>>> len(load_claims()) >= 15
True
"""

from __future__ import annotations

from ._claim_model import VERDICTS, Claim, load_claims
from ._claims import (
    CIRCULAR,
    CONTRADICTED,
    DISPUTED,
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_ENOUGH_DATA,
    OVERALL_RULE,
    PAPER_SELECTED,
    SUPPORTED,
    WITHIN_TOLERANCE,
    BaseVerdict,
    ClaimResult,
    ClaimsReport,
    run_claims,
)
from ._diagnosis import (
    Diagnosis,
    PerBase,
    diagnose_bases,
    diagnose_store,
    window_sensitivity,
)
from ._regimes import (
    CONFRONTATION,
    LIMITED_OPPONENTS,
    LIMITED_PARTNERSHIP,
    PARTNERSHIP,
    REGIME_LABELS,
    Regime,
    RegimeConfig,
    RegimeResults,
    classify_regimes,
    conflict_scope,
    regime_labels,
)
from ._triangle import (
    MENAGE_A_TROIS,
    ROMANTIC_TRIANGLE,
    STABLE_MARRIAGE,
    TRIANGLE_TYPES,
    UNIT_VETO,
    TriangleConfig,
    TriangleResults,
    TriangleType,
    triangle_types,
)
from ._window import dense_span

__all__ = [
    "CIRCULAR",
    "CONFRONTATION",
    "CONTRADICTED",
    "DISPUTED",
    "INCONCLUSIVE",
    "LIMITED_OPPONENTS",
    "LIMITED_PARTNERSHIP",
    "MENAGE_A_TROIS",
    "NOT_COMPARABLE",
    "NOT_ENOUGH_DATA",
    "OVERALL_RULE",
    "PAPER_SELECTED",
    "PARTNERSHIP",
    "REGIME_LABELS",
    "ROMANTIC_TRIANGLE",
    "STABLE_MARRIAGE",
    "SUPPORTED",
    "TRIANGLE_TYPES",
    "UNIT_VETO",
    "VERDICTS",
    "WITHIN_TOLERANCE",
    "BaseVerdict",
    "Claim",
    "ClaimResult",
    "ClaimsReport",
    "Diagnosis",
    "PerBase",
    "Regime",
    "RegimeConfig",
    "RegimeResults",
    "TriangleConfig",
    "TriangleResults",
    "TriangleType",
    "classify_regimes",
    "conflict_scope",
    "dense_span",
    "diagnose_bases",
    "diagnose_store",
    "load_claims",
    "regime_labels",
    "run_claims",
    "triangle_types",
    "window_sensitivity",
]
