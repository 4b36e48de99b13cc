"""How a label with draw shares reads: the label when it holds in at least
:data:`HOLD_SHARE` (80 %) of the bootstrap draws, else "indeterminate" with the shares.

Examples
--------
>>> reading({"limited opponents": 0.55, "partnership": 0.40, "confrontation": 0.05})
'indeterminate (limited opponents 55 %, partnership 40 %)'
>>> reading({"ménage à trois": 0.91, "unit veto": 0.09})
'ménage à trois'
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["HOLD_SHARE", "reading"]

#: The share of draws a label must hold to be stated.
HOLD_SHARE = 0.8


def reading(shares: Mapping[str, float], hold: float = HOLD_SHARE, fallback: str = "") -> str:
    """The label held in ≥ ``hold`` of the draws, else ``"indeterminate (A 55 %, B 40
    %)"`` listing the labels held in ≥ 10 % of them (at least the first); ``fallback``
    without shares."""
    ranked = sorted(((v, k) for k, v in shares.items() if v > 0), reverse=True)
    if not ranked:
        return fallback
    if ranked[0][0] >= hold:
        return ranked[0][1]
    shown = [(v, k) for v, k in ranked if v >= 0.1] or ranked[:1]
    return "indeterminate (" + ", ".join(f"{k} {100 * v:.0f} %" for v, k in shown) + ")"
