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
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from .._yaml import load_yaml
from ..config import as_date
from ..errors import ConfigError

__all__ = [
    "CIRCULAR",
    "CONTRADICTED",
    "DISPUTED",
    "INCONCLUSIVE",
    "NOT_COMPARABLE",
    "NOT_ENOUGH_DATA",
    "PAPER_SELECTED",
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
#: The verdict changes when the paper-only rows (the paper or its footnote the only
#: source, :data:`trilateral.measure.PAPER_ONLY`) are left out: it rests on the paper's
#: own word and never counts as support.
CIRCULAR = "circular"
#: Not circular, but the verdict changes when every row for an event the paper names
#: (its day and country pair, :func:`trilateral.measure.paper_events`) is left out: the
#: evidence is real, but the paper chose which events to look at. Never counts as
#: support on its own.
PAPER_SELECTED = "paper-selected"
#: The claim's figure and the data's measure different quantities (a budget request
#: against SIPRI's outlays): both figures are printed, never "contradicted".
NOT_COMPARABLE = "not comparable"
#: The evidence bases that decide disagree (one supports, another contradicts).
DISPUTED = "disputed"
#: The data are all there but do not decide: a trend whose interval includes 0, or a
#: window too short to test (fewer than 5 years).
INCONCLUSIVE = "inconclusive"
VERDICTS = (
    SUPPORTED,
    WITHIN_TOLERANCE,
    CONTRADICTED,
    DISPUTED,
    CIRCULAR,
    PAPER_SELECTED,
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_ENOUGH_DATA,
)
_EXPECT_KEYS = {"value", "less_than", "greater_than", "between", "equals", "in", "direction"}


# --------------------------------------------------------------------------- parameters


def _iso(x: Any, name: str = "date") -> date:
    """A claim's date through the shared parser (:func:`trilateral.config.as_date`)."""
    d = as_date(x, name)
    if d is None:
        raise ConfigError(f"{name} is missing", hint="give an ISO date such as 2018-03-26")
    return d


def _p_num(lo: float, hi: float = math.inf, lo_open: bool = False) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int | float) and not isinstance(v, bool)
        ok = ok and (v > lo if lo_open else v >= lo) and v <= hi
        span = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
        return None if ok else f"must be a number in {span}"

    return check


def _distinct(v: tuple[str, str]) -> tuple[str, str]:
    if v[0].upper() == v[1].upper():
        raise ValueError("must be two different ISO3 codes, e.g. [USA, RUS]")
    return v


def _ordered(v: tuple[date, date]) -> tuple[date, date]:
    if v[0] > v[1]:
        raise ValueError("must be [first, last] with first ≤ last")
    return v


def _arena(v: str) -> str:
    from ..config import ARENAS

    if v not in (*ARENAS, "all"):
        raise ValueError(f"must be one of {', '.join((*ARENAS, 'all'))}")
    return v


Iso3 = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
Name = Annotated[StrictStr, StringConstraints(min_length=1, pattern=r"\S")]
Year = Annotated[StrictInt, Field(ge=1)]
Arena = Annotated[StrictStr, AfterValidator(_arena)]
Prefix = Annotated[StrictStr, StringConstraints(pattern=r"^\d+$")]
Dyad = Annotated[tuple[Iso3, Iso3], AfterValidator(_distinct)]
Dates = Annotated[tuple[date, date], AfterValidator(_ordered)]
Positive = Annotated[float, Strict(), Field(gt=0.0)]


class _Params(BaseModel):
    """The parameters of one indicator (validation only: the claim keeps its dict)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Panel(_Params):
    iso3: Iso3
    indicator: Name


class _Pair(_Params):
    a: Iso3
    b: Iso3
    indicator: Name


class _OneDyad(_Params):
    dyad: Dyad


class PanelValueParams(_Panel):
    year: Year
    scale: Positive = 1.0


class PanelRatioParams(_Pair):
    year: Year


class PowerGapTrendParams(_Pair):
    level: Annotated[float, Strict(), Field(gt=0.0, lt=1.0)] = 0.95


class MeanGoldsteinParams(_OneDyad):
    arena: Arena = "all"


class GoldsteinChangeParams(_OneDyad):
    before: Dates
    arena: Arena = "all"


class HostileArenasParams(_OneDyad):
    min_arena_events: Annotated[StrictInt, Field(ge=1)] = 3


class YearChangeParams(_Params):
    source: Iso3
    target: Iso3
    years: tuple[Year, Year]
    cameo_prefixes: tuple[Prefix, ...] = ()
    measure: Literal["count", "magnitude"] = "count"


class TitForTatParams(_Params):
    actor: Iso3
    responder: Iso3
    arena: Arena | None = None
    cameo_prefixes: tuple[Prefix, ...] = ()
    max_lag_days: Annotated[StrictInt, Field(ge=1)] = 30
    magnitude_tolerance: Annotated[float, Strict(), Field(ge=0.0)] | None = None


class UngaParams(_Params):
    a: Iso3
    b: Iso3
    field: Literal["agreement", "s_score"]


#: Per indicator, the pydantic model of its parameters.
PARAMS: dict[str, type[_Params]] = {
    "panel_value": PanelValueParams,
    "panel_ratio": PanelRatioParams,
    "panel_cagr": _Panel,
    "panel_argmax_year": _Panel,
    "panel_growth": _Panel,
    "power_gap_trend": PowerGapTrendParams,
    "mean_goldstein": MeanGoldsteinParams,
    "goldstein_change": GoldsteinChangeParams,
    "yearly_goldstein_max": _OneDyad,
    "lowest_year": _OneDyad,
    "hostile_arenas": HostileArenasParams,
    "year_change": YearChangeParams,
    "tit_for_tat": TitForTatParams,
    "regime": _OneDyad,
    "unga": UngaParams,
}


def _param_problems(indicator: str, params: Mapping[str, Any]) -> list[str]:
    """The indicator's parameter model's errors, one phrase per field."""
    model = PARAMS[indicator]
    try:
        model.model_validate(dict(params))
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return []
    fields = model.model_fields
    required = [k for k, f in fields.items() if f.is_required()]
    problems: dict[str, str] = {}
    for e in errors:
        k = str(e["loc"][0]) if e.get("loc") else ""
        if k in problems:
            continue
        if e["type"] == "missing":
            problems[k] = f"params.{k}: missing ({indicator} needs {', '.join(required)})"
        elif e["type"] == "extra_forbidden":
            extra = ""
            if k == "min_events":
                extra = "; the minimum is one setting for every claim: run_claims(min_events=)"
            problems[k] = f"params.{k}: unknown for {indicator} (known: {', '.join(fields)}){extra}"
        else:
            msg = str(e.get("msg", "")).removeprefix("Value error, ")
            problems[k] = f"params.{k} = {params.get(k)!r}: {msg}"
    return list(problems.values())


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
    #: False when the data measure a different quantity from the paper's figure (a
    #: budget request against SIPRI's outlays): the verdict is "not comparable", both
    #: figures printed, never "contradicted".
    comparable: bool = True

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
    doc = load_yaml(src)  # the one YAML loader: size and alias caps, UTF-8, no duplicate key
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
