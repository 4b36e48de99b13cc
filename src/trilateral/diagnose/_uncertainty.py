"""From bootstrap draws to an interval and a verdict a referee would accept.

An event indicator returns, besides its value, the values of its bootstrap draws
(``Measurement.draws``). :func:`interval_of` gives the 95 % interval of numeric draws,
or the share of draws behind each label of a categorical value (the lowest year, a
regime). The interval is the *expanded* percentile interval (Hesterberg 2015, "What
teachers should know about the bootstrap", The American Statistician 69(4), §3.6): with
``n`` acts behind the statistic, the percentiles are taken at the tail share
:func:`tail_share` ``= Φ(−√(n/(n−1)) · t₀.₉₇₅,ₙ₋₁)`` instead of 2.5 %, which undoes the
plain percentile interval's narrowness in small samples (it covers ≈ 92–94 % with 60
acts; the calibration test asks 93–97 %). :func:`verdict_from_draws` grades every draw
against the claim's expectation: when more than that tail share of the draws fall on
each side of the claim's threshold (supported or within tolerance on one side,
contradicted on the other) — the interval straddles the threshold — the verdict is
``inconclusive`` and the note prints the shares ("2014 lowest in 46 % of draws, 2018 in
51 %").

Examples
--------
>>> import numpy as np
>>> {k: round(v, 3) for k, v in interval_of(np.array([1.0, 2.0, 3.0, 4.0])).items()}
{'ci_low': 1.075, 'ci_high': 3.925}
>>> interval_of([2014, 2018, 2018, 2018])
{'draw_shares': {'2018': 0.75, '2014': 0.25}}
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from ._claim_model import CONTRADICTED, INCONCLUSIVE, grade

__all__ = ["LEVEL", "SIDE_SHARE", "interval_of", "tail_share", "verdict_from_draws"]

#: The interval's confidence level.
LEVEL = 0.95
#: The share of draws in each tail without a sample size (categorical values).
SIDE_SHARE = (1 - LEVEL) / 2


def tail_share(n: int | None) -> float:
    """The share of draws left in each tail of the expanded percentile interval for a
    statistic of ``n`` acts (:data:`SIDE_SHARE` without ``n`` or with ``n`` < 2).

    Examples
    --------
    >>> round(tail_share(60), 4), round(tail_share(10), 4), round(tail_share(None), 4)
    (0.0218, 0.0086, 0.025)
    """
    if n is None or n < 2:
        return SIDE_SHARE
    z = math.sqrt(n / (n - 1)) * float(student_t.ppf(1 - SIDE_SHARE, n - 1))
    return float(norm.cdf(-z))


def _categorical(draws: Any) -> bool:
    if isinstance(draws, np.ndarray):
        return draws.dtype.kind not in "fc"
    return bool(len(draws)) and all(isinstance(d, int | str) for d in draws)


def interval_of(draws: Any, n: int | None = None) -> dict[str, Any]:
    """``ci_low``/``ci_high`` of numeric draws (the expanded percentile interval for a
    statistic of ``n`` acts; the 2.5 and 97.5 % points without ``n``), or
    ``draw_shares`` (label → share, largest first) of categorical ones; ``{}`` without
    draws."""
    if draws is None or len(draws) == 0:
        return {}
    if _categorical(draws):
        counts = Counter(str(d) for d in draws)
        n = sum(counts.values())
        return {"draw_shares": {k: round(v / n, 4) for k, v in counts.most_common()}}
    arr = np.asarray(draws, dtype=float)
    tail = tail_share(n)
    lo, hi = np.quantile(arr, [tail, 1 - tail])
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
    verdict: str,
    draws: Any,
    expected: Mapping[str, Any],
    indicator: str = "",
    n: int | None = None,
) -> tuple[str, dict[str, Any], str]:
    """The verdict given the draws: ``(verdict, interval fields, note)``.

    ``verdict`` is the point estimate's grade. Each draw is graded the same way; if both
    sides of the threshold (contradicted vs supported/within tolerance) hold more than
    :func:`tail_share` ``(n)`` of the draws, the verdict is ``inconclusive`` and the
    note gives the shares. Without draws the verdict stands and the note says there is no interval.

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
    categorical = _categorical(draws)
    fields = interval_of(draws, None if categorical else n)
    grades = [grade(d, expected) for d in draws]
    against = sum(g == CONTRADICTED for g in grades) / len(grades)
    if min(against, 1 - against) <= (SIDE_SHARE if categorical else tail_share(n)):
        return verdict, fields | {"share_contradicted": round(against, 4)}, ""
    if categorical:
        note = _shares_text(draws, indicator)
    else:
        note = f"supported in {_pct(1 - against)} of draws, contradicted in {_pct(against)}"
    return INCONCLUSIVE, fields | {"share_contradicted": round(against, 4)}, note
