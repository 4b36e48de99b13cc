"""Claims of the reference paper: the claim model, its parameters, loading and judging.

A claim (one entry of ``claims.yaml``) names an *indicator* (see ``_indicators.py``), its
parameters, a window and the expected result; :func:`judge` and :func:`grade` compare a
measured value with the expectation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..config import as_date
from ..errors import ConfigError

__all__ = [
    "CIRCULAR",
    "CONTRADICTED",
    "DISPUTED",
    "NOT_ENOUGH_DATA",
    "PARAMS",
    "SUPPORTED",
    "VERDICTS",
    "WITHIN_TOLERANCE",
    "Claim",
    "grade",
    "judge",
    "load_claims",
]

SUPPORTED = "supported"
#: Met only thanks to the tolerance: on the wrong side of a strict bound ("less than",
#: "more than", "between") by no more than the tolerance. Shown as such, never counted as
#: support.
WITHIN_TOLERANCE = "within tolerance"
CONTRADICTED = "contradicted"
NOT_ENOUGH_DATA = "not enough data"
#: The verdict changes when the chronicle rows citing the reference paper are left out:
#: it rests on the paper's own word and never counts as support.
CIRCULAR = "circular"
#: The evidence bases that decide disagree (one supports, another contradicts).
DISPUTED = "disputed"
VERDICTS = (SUPPORTED, WITHIN_TOLERANCE, CONTRADICTED, DISPUTED, CIRCULAR, NOT_ENOUGH_DATA)
_EXPECT_KEYS = {"value", "less_than", "greater_than", "between", "equals", "in", "direction"}


# --------------------------------------------------------------------------- parameters


def _iso(x: Any, name: str = "date") -> date:
    """A claim's date through the shared parser (:func:`trilateral.config.as_date`)."""
    d = as_date(x, name)
    if d is None:
        raise ConfigError(f"{name} is missing", hint="give an ISO date such as 2018-03-26")
    return d


def _p_str(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "must be a non-empty string"


def _p_iso3(v: Any) -> str | None:
    ok = isinstance(v, str) and len(v) == 3 and v.isalpha()
    return None if ok else "must be an ISO3 country code such as USA"


def _p_int(lo: int) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= lo
        return None if ok else f"must be an integer ≥ {lo}"

    return check


def _p_num(lo: float, hi: float = math.inf, lo_open: bool = False) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int | float) and not isinstance(v, bool)
        ok = ok and (v > lo if lo_open else v >= lo) and v <= hi
        span = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
        return None if ok else f"must be a number in {span}"

    return check


def _p_dyad(v: Any) -> str | None:
    ok = isinstance(v, list | tuple) and len(v) == 2 and all(_p_iso3(x) is None for x in v)
    ok = ok and len({str(x).upper() for x in v}) == 2
    return None if ok else "must be two different ISO3 codes, e.g. [USA, RUS]"


def _p_dates(v: Any) -> str | None:
    try:
        ok = isinstance(v, list | tuple) and len(v) == 2 and _iso(v[0]) <= _iso(v[1])
    except ConfigError:
        ok = False
    return None if ok else "must be two ISO dates [first, last], first ≤ last"


def _p_years(v: Any) -> str | None:
    ok = isinstance(v, list | tuple) and len(v) == 2 and all(_p_int(1)(y) is None for y in v)
    return None if ok else "must be two years [first, second]"


def _p_prefixes(v: Any) -> str | None:
    ok = isinstance(v, list | tuple) and all(isinstance(x, str) and x.isdigit() for x in v)
    return None if ok else "must be a list of CAMEO code prefixes as strings, e.g. ['163']"


def _p_one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if v in choices else f"must be one of {', '.join(choices)}"

    return check


def _p_arena(v: Any) -> str | None:
    from ..config import ARENAS

    return _p_one_of(*ARENAS, "all")(v)


_Check = Callable[[Any], "str | None"]
_PANEL: dict[str, _Check] = {"iso3": _p_iso3, "indicator": _p_str}
_PAIR: dict[str, _Check] = {"a": _p_iso3, "b": _p_iso3, "indicator": _p_str}
#: Per indicator: (required parameters, optional parameters), each with its check.
PARAMS: dict[str, tuple[dict[str, _Check], dict[str, _Check]]] = {
    "panel_value": (_PANEL | {"year": _p_int(1)}, {"scale": _p_num(0.0, lo_open=True)}),
    "panel_ratio": (_PAIR | {"year": _p_int(1)}, {}),
    "panel_cagr": (_PANEL, {}),
    "panel_argmax_year": (_PANEL, {}),
    "panel_growth": (_PANEL, {}),
    "power_gap_trend": (_PAIR, {"level": _p_num(0.0, 1.0, lo_open=True)}),
    "mean_goldstein": ({"dyad": _p_dyad}, {"arena": _p_arena}),
    "goldstein_change": ({"dyad": _p_dyad, "before": _p_dates}, {"arena": _p_arena}),
    "yearly_goldstein_max": ({"dyad": _p_dyad}, {}),
    "lowest_year": ({"dyad": _p_dyad}, {}),
    "hostile_arenas": ({"dyad": _p_dyad}, {"min_arena_events": _p_int(1)}),
    "year_change": (
        {"source": _p_iso3, "target": _p_iso3, "years": _p_years},
        {"cameo_prefixes": _p_prefixes, "measure": _p_one_of("count", "magnitude")},
    ),
    "tit_for_tat": (
        {"actor": _p_iso3, "responder": _p_iso3},
        {
            "arena": _p_arena,
            "cameo_prefixes": _p_prefixes,
            "max_lag_days": _p_int(1),
            "magnitude_tolerance": _p_num(0.0),
        },
    ),
    "regime": ({"dyad": _p_dyad}, {}),
    "unga": (
        {"a": _p_iso3, "b": _p_iso3, "field": _p_one_of("agreement", "s_score")},
        {},
    ),
}


def _param_problems(indicator: str, params: Mapping[str, Any]) -> list[str]:
    required, optional = PARAMS[indicator]
    problems = [
        f"params.{k}: missing ({indicator} needs {', '.join(required)})"
        for k in required
        if k not in params
    ]
    for k, v in params.items():
        check = required.get(k) or optional.get(k)
        if check is None:
            known = ", ".join([*required, *optional])
            extra = ""
            if k == "min_events":
                extra = "; the minimum is one setting for every claim: run_claims(min_events=)"
            problems.append(f"params.{k}: unknown for {indicator} (known: {known}){extra}")
            continue
        why = check(v)
        if why is not None:
            problems.append(f"params.{k} = {v!r}: {why}")
    return problems


class Claim(BaseModel):
    """One checkable claim: the quote, how to measure it, and what the paper expects."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    quote: str
    indicator: str
    params: dict[str, Any] = {}
    window: tuple[date, date]
    expected: dict[str, Any]
    unit: str = ""
    source: str
    paper_source: str = ""
    note: str = ""

    @field_validator("indicator")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in PARAMS:
            raise ValueError(f"unknown indicator {v!r}; known: {', '.join(sorted(PARAMS))}")
        return v

    @model_validator(mode="after")
    def _check(self) -> Claim:
        kinds = set(self.expected) & _EXPECT_KEYS
        if len(kinds) != 1 or set(self.expected) - _EXPECT_KEYS - {"tolerance"}:
            raise ValueError(
                f"expected must hold exactly one of {sorted(_EXPECT_KEYS)} (plus tolerance)"
            )
        if self.window[1] < self.window[0]:
            raise ValueError("window ends before it starts")
        d = self.expected.get("direction")
        if d is not None and d not in ("increase", "decrease"):
            raise ValueError("direction must be 'increase' or 'decrease'")
        problems = []
        (kind,) = kinds
        if "tolerance" in self.expected:
            tol = self.expected["tolerance"]
            if kind in ("direction", "in", "equals"):
                problems.append(f"expected.tolerance: has no meaning with {kind!r}; remove it")
            elif _p_num(0.0)(tol) is not None:
                problems.append(f"expected.tolerance = {tol!r}: must be a number ≥ 0")
        target = self.expected[kind]
        if kind in ("value", "less_than", "greater_than") and _p_num(-math.inf)(target):
            problems.append(f"expected.{kind} = {target!r}: must be a number")
        if kind == "between" and not (
            isinstance(target, list | tuple)
            and len(target) == 2
            and all(_p_num(-math.inf)(x) is None for x in target)
            and target[0] <= target[1]
        ):
            problems.append(f"expected.between = {target!r}: must be [low, high], low ≤ high")
        if kind == "in" and not isinstance(target, list | tuple):
            problems.append(f"expected.in = {target!r}: must be a list")
        if self.indicator in PARAMS:
            problems += _param_problems(self.indicator, self.params)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def expected_text(self) -> str:
        """The expectation in words, e.g. ``"6.6 ± 0.18"``."""
        e = self.expected
        tol = e.get("tolerance")
        pm = f" ± {tol:g}" if tol else ""
        if "value" in e:
            return f"{e['value']:g}{pm}"
        if "less_than" in e:
            return f"< {e['less_than']:g}" + (f" (+{tol:g})" if tol else "")
        if "greater_than" in e:
            return f"> {e['greater_than']:g}" + (f" (−{tol:g})" if tol else "")
        if "between" in e:
            a, b = e["between"]
            each = "each " if self.indicator == "panel_growth" else ""
            return f"{each}in [{a:g}, {b:g}]{pm}"
        if "in" in e:
            return "one of " + ", ".join(str(x) for x in e["in"])
        if "direction" in e:
            return e["direction"]
        return str(e["equals"])


# --------------------------------------------------------------------------- loading


def _claims_path() -> Any:
    return resources.files("trilateral.diagnose").joinpath("claims.yaml")


def _error_text(e: Mapping[str, Any]) -> str:
    loc = ".".join(str(x) for x in e.get("loc", ()))
    msg = str(e.get("msg", "")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def load_claims(path: str | Path | None = None) -> tuple[Claim, ...]:
    """Read and validate a claims file (default: the shipped ``claims.yaml``).

    Examples
    --------
    >>> claims = load_claims()
    >>> claims[0].id
    'us-gdp-2017'
    """
    src = _claims_path() if path is None else Path(path)
    try:
        text = src.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the claims file {src}: {exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{src}: not valid YAML: {exc}") from None
    items = doc.get("claims") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ConfigError(f"{src}: expected a mapping with a 'claims' list")
    claims = []
    for i, item in enumerate(items):
        try:
            claims.append(Claim.model_validate(item))
        except ValidationError as exc:
            ident = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
            why = "; ".join(_error_text(e) for e in exc.errors())
            raise ConfigError(
                f"{src}: claim {ident}: {why}",
                hint="see the expected and params formats at the top of claims.yaml",
            ) from None
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigError(f"{src}: duplicate claim ids: {', '.join(dup)}")
    return tuple(claims)


def grade(value: Any, expected: Mapping[str, Any]) -> str:
    """The verdict on ``value`` against ``expected``: supported, within tolerance or contradicted.

    A value that meets a strict bound (``less_than``, ``greater_than``, ``between``) only
    through the tolerance is ``"within tolerance"``; ``value ± tolerance`` is the
    expectation itself (rounding and revisions of the stated figure), so a value inside it
    is ``"supported"``.

    Examples
    --------
    >>> grade(59532.0, {"greater_than": 60000, "tolerance": 1200})
    'within tolerance'
    >>> grade(62000.0, {"greater_than": 60000, "tolerance": 1200})
    'supported'
    >>> grade(8.03, {"value": 6.6, "tolerance": 0.18})
    'contradicted'
    """
    if not judge(value, expected):
        return CONTRADICTED
    strict = {k: v for k, v in expected.items() if k != "tolerance"}
    if "tolerance" in expected and "value" not in expected and not judge(value, strict):
        return WITHIN_TOLERANCE
    return SUPPORTED


def judge(value: Any, expected: Mapping[str, Any]) -> bool:
    """Whether ``value`` meets ``expected`` (the YAML's expectation, tolerance included).

    Examples
    --------
    >>> judge(8.03, {"value": 6.6, "tolerance": 0.18})
    False
    >>> judge(-0.4, {"direction": "decrease"})
    True
    """
    tol = float(expected.get("tolerance", 0.0))
    if "value" in expected:
        return abs(float(value) - float(expected["value"])) <= tol + 1e-12
    if "less_than" in expected:
        return float(value) < float(expected["less_than"]) + tol
    if "greater_than" in expected:
        return float(value) > float(expected["greater_than"]) - tol
    if "between" in expected:
        lo, hi = (float(x) for x in expected["between"])
        vals = value if isinstance(value, list | tuple) else [value]
        return all(lo - tol <= float(v) <= hi + tol for v in vals)
    if "in" in expected:
        return value in expected["in"]
    if "direction" in expected:
        return float(value) < 0 if expected["direction"] == "decrease" else float(value) > 0
    return bool(value == expected["equals"])
