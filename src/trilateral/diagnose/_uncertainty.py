"""From bootstrap draws to an interval and a verdict a referee would accept.

An event indicator returns, besides its value, the values of its bootstrap draws
(``Measurement.draws``). :func:`interval_of` gives the 95 % percentile interval of
numeric draws, or the share of draws behind each label of a categorical value (the
lowest year, a regime). :func:`verdict_from_draws` grades every draw against the claim's
expectation: when more than :data:`SIDE_SHARE` (2.5 %) of the draws fall on each side of
the claim's threshold (supported or within tolerance on one side, contradicted on the
other) — the 95 % interval straddles the threshold — the verdict is ``inconclusive`` and
the note prints the shares ("2014 lowest in 46 % of draws, 2018 in 51 %").

Examples
--------
>>> import numpy as np
>>> interval_of(np.array([1.0, 2.0, 3.0, 4.0]))
{'ci_low': 1.075, 'ci_high': 3.925}
>>> interval_of([2014, 2018, 2018, 2018])
{'draw_shares': {'2018': 0.75, '2014': 0.25}}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._claim_model import CONTRADICTED, INCONCLUSIVE, grade

__all__ = ["LEVEL", "SIDE_SHARE", "interval_of", "verdict_from_draws"]

#: The interval's confidence level.
LEVEL = 0.95
#: The share of draws on the minority side above which a verdict is inconclusive.
SIDE_SHARE = (1 - LEVEL) / 2


def _categorical(draws: Any) -> bool:
    if isinstance(draws, np.ndarray):
        return draws.dtype.kind not in "fc"
    return bool(len(draws)) and all(isinstance(d, int | str) for d in draws)


def interval_of(draws: Any) -> dict[str, Any]:
    """``ci_low``/``ci_high`` (2.5 and 97.5 % points) of numeric draws, or
    ``draw_shares`` (label → share, largest first) of categorical ones; ``{}`` without
    draws."""
    if draws is None or len(draws) == 0:
        return {}
    if _categorical(draws):
        counts = Counter(str(d) for d in draws)
        n = sum(counts.values())
        return {"draw_shares": {k: round(v / n, 4) for k, v in counts.most_common()}}
    arr = np.asarray(draws, dtype=float)
    lo, hi = np.quantile(arr, [SIDE_SHARE, 1 - SIDE_SHARE])
    return {"ci_low": float(lo), "ci_high": float(hi)}


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _shares_text(draws: Any, indicator: str) -> str:
    shares = interval_of(draws).get("draw_shares", {})
    what = " lowest" if indicator == "lowest_year" else ""
    shown = [(k, v) for k, v in shares.items() if v >= 0.005][:4]
    parts = [f"{k}{what} in {_pct(v)} of draws" for k, v in shown]
    if len(parts) > 1:  # "2014 lowest in 46 % of draws, 2018 in 51 %"
        parts = [parts[0]] + [p.replace(" of draws", "").replace(what, "") for p in parts[1:]]
    return ", ".join(parts)


def verdict_from_draws(
    verdict: str, draws: Any, expected: Mapping[str, Any], indicator: str = ""
) -> tuple[str, dict[str, Any], str]:
    """The verdict given the draws: ``(verdict, interval fields, note)``.

    ``verdict`` is the point estimate's grade. Each draw is graded the same way; if both
    sides of the threshold (contradicted vs supported/within tolerance) hold more than
    :data:`SIDE_SHARE` of the draws, the verdict is ``inconclusive`` and the note gives
    the shares. Without draws the verdict stands and the note says there is no interval.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([-0.5] * 60 + [0.5] * 40)
    >>> v, ci, note = verdict_from_draws("supported", d, {"less_than": 0})
    >>> v, note
    ('inconclusive', 'supported in 60 % of draws, contradicted in 40 %')
    >>> verdict_from_draws("supported", [2017] * 99 + [2014], {"in": [2017, 2018]})[0]
    'supported'
    """
    if draws is None or len(draws) == 0:
        return verdict, {}, "no interval (n_boot = 0)"
    fields = interval_of(draws)
    grades = [grade(d, expected) for d in draws]
    against = sum(g == CONTRADICTED for g in grades) / len(grades)
    if min(against, 1 - against) <= SIDE_SHARE:
        return verdict, fields | {"share_contradicted": round(against, 4)}, ""
    if _categorical(draws):
        note = _shares_text(draws, indicator)
    else:
        note = f"supported in {_pct(1 - against)} of draws, contradicted in {_pct(against)}"
    return INCONCLUSIVE, fields | {"share_contradicted": round(against, 4)}, note
