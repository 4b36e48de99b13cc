"""Named reaction-function families with declared metadata (as Axelrod's strategies do).

Every strategy is one point in the same linear reaction family (docs/simulate.md, eq. 1):
country i's level towards j in period t is

``x_ij,t = clip(initiative + inertia·x_ij,t−1 + reciprocity·φ(p_ji) + triangular_in·p_ki
+ triangular_across·p_kj + own_third·x_ik,t−1 + partner_third·p_jk − grim·grudge_ij,t
− weight_i·h_i,t, −1, 1)``

with ``p`` the levels i *perceived* in t−1, ``φ(p) = p`` for p ≥ 0 and ``(1 − forgiveness)·p``
for p < 0, and ``grudge_ij`` 1 once i has perceived any hostility from j (the grim trigger's
memory). The first move is ``opening``. The named families fix these coefficients; the
``fitted`` family takes them from the measure stage's :class:`ReciprocityResults`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from ..errors import ConfigError

__all__ = ["STRATEGIES", "Strategy", "fitted_strategy", "get_strategy"]

#: The coefficients of the reaction family, in the engine's order.
COEFFICIENTS: tuple[str, ...] = (
    "opening",
    "initiative",
    "inertia",
    "reciprocity",
    "forgiveness",
    "triangular_in",
    "triangular_across",
    "grim",
    "own_third",
    "partner_third",
)


@dataclass(frozen=True, slots=True)
class Strategy:
    """A reaction function of the linear family, with Axelrod-style metadata.

    Parameters
    ----------
    name : str
        Its name in scenarios.
    opening : float
        The first move, in [−1, 1].
    initiative : float
        Constant term: what the country does unprompted (+ cooperative, − hostile).
    inertia : float
        Weight of its own last level towards the same partner.
    reciprocity : float
        Weight of what it perceived the partner did to it last period.
    forgiveness : float
        Share of perceived hostility it does not answer (0 = none forgiven), in [0, 1].
    triangular_in : float
        Weight of what the third country did to it (k→i).
    triangular_across : float
        Weight of what the third country did to the partner (k→j).
    grim : float
        Penalty once any hostility from the partner has been perceived (never forgotten).
    own_third : float
        Weight of its own last level towards the third country (i→k).
    partner_third : float
        Weight of what the partner did to the third country (j→k), as perceived.
    classifier : mapping
        ``memory_depth`` (periods remembered; ``inf`` for a grudge), ``stochastic``
        (whether the rule itself draws random numbers; misperception noise is a property
        of the country, not of the rule) and ``inputs`` (which perceived series it reads).
    description : str
        One line for people.

    Examples
    --------
    >>> get_strategy("tit_for_tat").classifier["memory_depth"]
    1
    """

    name: str
    opening: float = 0.0
    initiative: float = 0.0
    inertia: float = 0.0
    reciprocity: float = 0.0
    forgiveness: float = 0.0
    triangular_in: float = 0.0
    triangular_across: float = 0.0
    grim: float = 0.0
    own_third: float = 0.0
    partner_third: float = 0.0
    classifier: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def coefficients(self) -> dict[str, float]:
        """The coefficients as a dict (the engine's input)."""
        return {name: float(getattr(self, name)) for name in COEFFICIENTS}

    def with_overrides(self, **changes: float) -> Strategy:
        """A copy with some coefficients changed (its name gets a ``*``)."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(changes) - known)
        if bad:
            raise ConfigError(f"unknown strategy coefficient(s) {bad}", hint=f"use {COEFFICIENTS}")
        name = self.name if not changes else f"{self.name}*"
        new: dict[str, Any] = {"name": name, **changes}
        return replace(self, **new)


def _meta(memory: float, inputs: tuple[str, ...]) -> Mapping[str, Any]:
    return MappingProxyType(
        {"memory_depth": memory, "stochastic": False, "inputs": inputs, "makes_use_of": ()}
    )


#: The named strategies (Axelrod 1984's classics, in levels rather than binary moves).
STRATEGIES: Mapping[str, Strategy] = MappingProxyType(
    {
        s.name: s
        for s in (
            Strategy(
                "tit_for_tat",
                opening=1.0,
                reciprocity=1.0,
                classifier=_meta(1, ("partner",)),
                description="opens cooperatively, then answers the partner's last level",
            ),
            Strategy(
                "generous_tit_for_tat",
                opening=1.0,
                reciprocity=1.0,
                forgiveness=1 / 3,
                classifier=_meta(1, ("partner",)),
                description="tit-for-tat that leaves a third of any hostility unanswered "
                "(Nowak & Sigmund 1992's generosity, as a level)",
            ),
            Strategy(
                "grim_trigger",
                opening=1.0,
                initiative=1.0,
                grim=2.0,
                classifier=_meta(float("inf"), ("partner",)),
                description="cooperates until it perceives any hostility, then is hostile for ever",
            ),
            Strategy(
                "always_hostile",
                opening=-1.0,
                initiative=-1.0,
                classifier=_meta(0, ()),
                description="hostile whatever happens",
            ),
            Strategy(
                "always_cooperative",
                opening=1.0,
                initiative=1.0,
                classifier=_meta(0, ()),
                description="cooperative whatever happens",
            ),
            Strategy(
                "alternator",
                opening=1.0,
                inertia=-1.0,
                classifier=_meta(1, ("own",)),
                description="cooperates, then does the opposite of its own last move",
            ),
            Strategy(
                "linear",
                classifier=_meta(1, ("own", "partner", "third")),
                description="any coefficients of the linear family (give them as overrides)",
            ),
        )
    }
)


def get_strategy(name: str, **overrides: float) -> Strategy:
    """A named strategy, optionally with some coefficients overridden.

    Examples
    --------
    >>> get_strategy("tit_for_tat", initiative=-0.5).initiative
    -0.5
    """
    try:
        base = STRATEGIES[name]
    except KeyError:
        raise ConfigError(
            f"unknown strategy {name!r}",
            hint=f"use one of {', '.join([*sorted(STRATEGIES), 'fitted'])}",
        ) from None
    return base.with_overrides(**overrides) if overrides else base


def fitted_strategy(
    results: Any, source: str, target: str, scale: float = 10.0, *, start: str = "mean"
) -> Strategy:
    """The reaction function of ``source`` towards ``target``: the whole equation of
    ``source→target`` in a fitted lag-1 reciprocity VAR.

    The VAR (:class:`trilateral.measure.ReciprocityResults`, lag 1) is on the Goldstein
    scale (−10 … +10); the game's levels are Goldstein / ``scale``. Its constant becomes the
    initiative (divided by ``scale``), and every lag term has its place: the own lag the
    inertia, the partner's lag the reciprocity, the third country's lags towards ``source``
    and ``target`` ``triangular_in`` and ``triangular_across``, and ``source``'s own and
    ``target``'s lags towards the third country ``own_third`` and ``partner_third``. So with
    no noise, no hawkishness and no clipping the game reproduces the VAR's own forecast
    (tests/test_simulate.py checks it to 1e-9).

    Parameters
    ----------
    results : ReciprocityResults
        A lag-1 fit over two or three countries including ``source`` and ``target``.
    source, target : str
        ISO3 codes.
    scale : float
        Goldstein points per game unit.
    start : {"mean", "last"}
        The opening: the sample mean level of the series, or its last observed value
        (for a forecast from the end of the sample).

    Raises
    ------
    ConfigError
        The fit has another lag order than 1 (the reaction family remembers one period),
        or lacks the series.

    Examples
    --------
    >>> from trilateral.measure import ReciprocityModel, indices
    >>> monthly = indices("trilateral.duckdb", period="month", n_boot=0,
    ...                   start="2014-01-01", end="2019-12-31")
    >>> res = ReciprocityModel(monthly).fit(lags=1)
    >>> s = fitted_strategy(res, "USA", "RUS")
    >>> sorted(k for k, v in s.coefficients().items() if v != 0)  # doctest: +NORMALIZE_WHITESPACE
    ['inertia', 'initiative', 'opening', 'own_third', 'partner_third', 'reciprocity',
     'triangular_across', 'triangular_in']
    """
    src, tgt = source.upper(), target.upper()
    countries = tuple(results.countries)
    if src not in countries or tgt not in countries or src == tgt:
        raise ConfigError(
            f"no series {src}->{tgt} in the fitted model", hint=f"its countries: {countries}"
        )
    if int(results.k_ar) != 1:
        raise ConfigError(
            f"the fitted VAR has lag order {results.k_ar}; the game's reaction family "
            "remembers one period",
            hint="fit it with ReciprocityModel(...).fit(lags=1)",
        )
    third = [c for c in countries if c not in (src, tgt)]
    effect = (src, tgt)
    col = results.series.index(effect)
    const = float(results.params[0, col]) / scale
    values = {
        "initiative": const,
        "inertia": results.coef(effect, effect),
        "reciprocity": results.coef((tgt, src), effect),
    }
    if third:
        k = third[0]
        values["triangular_in"] = results.coef((k, src), effect)
        values["triangular_across"] = results.coef((k, tgt), effect)
        values["own_third"] = results.coef((src, k), effect)
        values["partner_third"] = results.coef((tgt, k), effect)
    series = results.var.endog[:, col]
    first = float(series[-1] if start == "last" else series.mean())
    values["opening"] = max(-1.0, min(1.0, first / scale))
    sel = results.selected_orders or {}
    caveat = (
        f"; {str(results.ic).upper()} chose lag order 0 (no detectable dynamics): the "
        "lag-1 coefficients are a forced fit, not a finding"
        if results.ic and sel.get(results.ic) == 0
        else ""
    )
    return Strategy(
        "fitted",
        classifier=_meta(1, ("own", "partner", "third")),
        description=f"from the reciprocity VAR ({results.nobs} periods, lag 1){caveat}",
        **{k: float(v) for k, v in values.items()},
    )
