"""Scenario files: one validated pydantic model per kind, loadable from YAML.

A bad scenario file gets a :class:`~trilateral.errors.ConfigError` naming the file, the
line, the key, the value and the allowed range, e.g.
``paper.yaml, line 12, key 'players.USA.noise': value 3 — allowed range [0, 1]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from .._yaml import Layer, YamlError, deep_merge, load_extending, locate, validate
from ..config import ARENAS, DEFAULT_COUNTRIES
from ..errors import ConfigError
from ._strategies import STRATEGIES

__all__ = [
    "MAX_PERIODS",
    "MAX_RUNS",
    "PAYOFF_SCALINGS",
    "ArmsRaceScenario",
    "FittedUncertainty",
    "GameScenario",
    "Scenario",
    "load_scenario",
    "shipped_scenario",
    "shipped_scenarios",
]

#: Caps on a request (a larger one is refused with the cap in the message).
MAX_RUNS = 100_000
MAX_PERIODS = 1_200

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class StrategySpec(BaseModel):
    """A named strategy with optional coefficient overrides (see docs/simulate.md)."""

    model_config = _FROZEN
    strategy: str = Field(default="tit_for_tat", description="a name from STRATEGIES, or 'fitted'")
    opening: float | None = Field(default=None, ge=-1, le=1, description="first move")
    initiative: float | None = Field(default=None, ge=-1, le=1, description="constant term")
    inertia: float | None = Field(default=None, ge=-2, le=2, description="own last level")
    reciprocity: float | None = Field(default=None, ge=-2, le=2, description="partner's last level")
    forgiveness: float | None = Field(
        default=None, ge=0, le=1, description="share of hostility forgiven"
    )
    triangular_in: float | None = Field(default=None, ge=-2, le=2, description="third → me")
    triangular_across: float | None = Field(
        default=None, ge=-2, le=2, description="third → partner"
    )
    grim: float | None = Field(default=None, ge=0, le=2, description="grudge penalty")
    own_third: float | None = Field(default=None, ge=-2, le=2, description="my last → third")
    partner_third: float | None = Field(default=None, ge=-2, le=2, description="partner → third")

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"strategy": value} if isinstance(value, str) else value

    @field_validator("strategy")
    @classmethod
    def _known(cls, value: str) -> str:
        if value != "fitted" and value not in STRATEGIES:
            allowed = ", ".join([*sorted(STRATEGIES), "fitted"])
            raise ValueError(f"unknown strategy; allowed: {allowed}")
        return value

    def overrides(self) -> dict[str, float]:
        """The coefficients given explicitly."""
        return {
            k: float(v) for k, v in self.model_dump(exclude={"strategy"}).items() if v is not None
        }


class Hawkishness(BaseModel):
    """Domestic hawkishness: rises with hostility received, decays (eq. 2)."""

    model_config = _FROZEN
    sensitivity: float = Field(default=0.2, ge=0, le=1, description="rise per unit of hostility")
    decay: float = Field(default=0.9, ge=0, lt=1, description="share kept each period")
    weight: float = Field(default=0.5, ge=0, le=2, description="effect on every action")


class Player(BaseModel):
    """One country: its strategy (one, or one per partner), noise and hawkishness."""

    model_config = _FROZEN
    strategy: StrategySpec | dict[str, StrategySpec] = Field(
        default_factory=lambda: StrategySpec(strategy="fitted")
    )
    noise: float = Field(default=0.1, ge=0, le=1, description="misperception s.d. (levels)")
    hawkishness: Hawkishness = Field(default_factory=lambda: Hawkishness.model_validate({}))
    investment: float = Field(default=0.0, ge=0, le=1, description="public-good investment share")

    @field_validator("strategy", mode="before")
    @classmethod
    def _spec(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and "strategy" not in value:
            return dict(value)
        return value


class Policy(BaseModel):
    """A policy of one country: its strategy per partner and its public-good investment."""

    model_config = _FROZEN
    player: str = Field(default="CHN", min_length=3, max_length=3)
    description: str = ""
    towards: dict[str, StrategySpec]
    investment: float = Field(default=0.0, ge=0, le=1)


class Payoff(BaseModel):
    """Stage payoffs (R, S, T, P) of one dyad in one arena, a prisoner's dilemma."""

    model_config = _FROZEN
    R: float = Field(default=2.0, ge=-100, le=100, description="mutual cooperation")
    S: float = Field(default=-1.0, ge=-100, le=100, description="sucker")
    T: float = Field(default=3.0, ge=-100, le=100, description="temptation")
    P: float = Field(default=0.0, ge=-100, le=100, description="mutual hostility")

    @model_validator(mode="after")
    def _dilemma(self) -> Payoff:
        if not (self.T > self.R > self.P > self.S):
            raise ValueError(
                f"need T > R > P > S (a prisoner's dilemma), got "
                f"T={self.T:g}, R={self.R:g}, P={self.P:g}, S={self.S:g}"
            )
        return self


class FittedUncertainty(BaseModel):
    """The sampling distribution of the fitted lag-1 VAR behind ``fitted:``.

    OLS on a VAR gives ``vec B ~ N(vec B̂, Σ_u ⊗ (X'X)⁻¹)`` with ``B`` the coefficient
    matrix (rows ``const, L1.series…``, one column per equation), ``Σ_u`` the
    (degrees-of-freedom adjusted) residual covariance and ``X`` the regressors — all in
    game units (Goldstein / 10). Each parameter draw of a run is one matrix-normal draw
    ``B̂ + chol((X'X)⁻¹) Z chol(Σ_u)'`` added to the fitted strategies' coefficients.
    """

    model_config = _FROZEN
    series: list[str] = Field(description="the VAR's series, 'SRC->TGT', in column order")
    sigma_u: list[list[float]] = Field(description="residual covariance (k × k)")
    xtx_inv: list[list[float]] = Field(description="(X'X)⁻¹ of [const, L1 series] (k+1)²")
    nobs: int = Field(ge=1, description="observations in the fit")
    selected_order: int | None = Field(
        default=None, ge=0, description="the order the information criterion chose"
    )
    criterion: str = "bic"

    @model_validator(mode="after")
    def _shapes(self) -> FittedUncertainty:
        import numpy as np

        k = len(self.series)
        sig, xx = np.array(self.sigma_u, dtype=float), np.array(self.xtx_inv, dtype=float)
        if sig.shape != (k, k) or xx.shape != (k + 1, k + 1):
            raise ValueError(f"need sigma_u {k}×{k} and xtx_inv {k + 1}×{k + 1}")
        for name, m in (("sigma_u", sig), ("xtx_inv", xx)):
            if not np.allclose(m, m.T) or np.linalg.eigvalsh(m).min() < -1e-12:
                raise ValueError(f"{name} must be symmetric positive semi-definite")
        return self


#: How a dyad's stage payoff is weighted (docs/simulate.md, "Payoff scaling").
PayoffScaling = Literal["receiver", "giver", "per_capita", "unscaled"]
PAYOFF_SCALINGS: tuple[str, ...] = ("receiver", "giver", "per_capita", "unscaled")


def _codes(values: list[str]) -> list[str]:
    out = [v.upper() for v in values]
    if len(set(out)) != len(out) or any(len(c) != 3 or not c.isalpha() for c in out):
        raise ValueError("need distinct ISO3 codes")
    return out


class GameScenario(BaseModel):
    """The repeated trilateral game and the policies to compare (docs/simulate.md)."""

    model_config = _FROZEN
    kind: Literal["game"] = "game"
    name: str = "scenario"
    description: str = ""
    countries: list[str] = Field(
        default_factory=lambda: list(DEFAULT_COUNTRIES), min_length=2, max_length=3
    )
    arenas: list[str] = Field(default_factory=lambda: list(ARENAS), min_length=1)
    runs: int = Field(default=1000, ge=1, le=MAX_RUNS, description="Monte Carlo runs")
    periods: int = Field(default=120, ge=1, le=MAX_PERIODS, description="months simulated")
    start: date = Field(default=date(2020, 1, 1), description="calendar month of period 0")
    horizon: int | None = Field(
        default=None, ge=1, le=MAX_PERIODS, description="N of P(confr. ≤ N)"
    )
    payoff: Payoff = Field(default_factory=lambda: Payoff.model_validate({}))
    economic_weight: Literal["panel", "equal"] | dict[str, float] = "panel"
    economic_year: int = Field(default=2019, ge=1960, le=2100)
    public_good: float = Field(
        default=1.0, ge=0, le=10, description="value of full trilateral coop."
    )
    security_cost: float = Field(default=1.0, ge=0, le=10, description="cost of a hostile pair")
    mediation: float = Field(default=0.2, ge=0, le=1, description="initiative added per investment")
    investment_cost: float = Field(default=0.5, ge=0, le=10, description="cost per unit invested")
    events_per_period: int = Field(default=20, ge=1, le=10_000, description="for the regime rules")
    regime_runs: int | None = Field(
        default=None, ge=1, le=MAX_RUNS, description="runs classified (default: every run)"
    )
    players: dict[str, Player] = Field(default_factory=dict)
    fitted: dict[str, dict[str, StrategySpec]] = Field(default_factory=dict)
    fitted_uncertainty: FittedUncertainty | None = None
    parameter_draws: int = Field(
        default=1, ge=1, le=MAX_RUNS, description="coefficient draws (runs split among them)"
    )
    payoff_scaling: PayoffScaling = "receiver"
    reference_policies: list[Literal["always_hostile", "always_cooperative"]] = Field(
        default_factory=list, description="reference rows: the policy player always so"
    )
    policies: dict[str, Policy] = Field(default_factory=dict)
    calibrate: bool = False
    store: Path | None = None
    calibration_start: date = date(2014, 1, 1)
    calibration_end: date = date(2019, 12, 31)

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return _codes(value)

    @field_validator("arenas")
    @classmethod
    def _arenas(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if a not in ARENAS]
        if bad or len(set(value)) != len(value):
            raise ValueError(f"arenas must be distinct names from {list(ARENAS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> GameScenario:
        known = set(self.countries)
        for where, names in (
            ("players", set(self.players)),
            ("fitted", set(self.fitted)),
            *((f"policies.{k}.towards", set(p.towards)) for k, p in self.policies.items()),
            *((f"policies.{k}.player", {p.player}) for k, p in self.policies.items()),
        ):
            extra = names - known
            if extra:
                raise ValueError(f"{where}: {sorted(extra)} not among countries {self.countries}")
        if isinstance(self.economic_weight, dict):
            missing = known - set(self.economic_weight)
            if missing or any(v <= 0 for v in self.economic_weight.values()):
                raise ValueError("economic_weight needs a positive weight for every country")
        if self.fitted_uncertainty is not None:
            names = {f"{a}->{b}" for a in self.countries for b in self.countries if a != b}
            if set(self.fitted_uncertainty.series) != names:
                raise ValueError(
                    "fitted_uncertainty.series must be the directed dyads of the countries"
                )
        if self.calibrate and self.store is None:
            raise ValueError("calibrate: true needs store: PATH (the event store to match)")
        return self


class ArmsControl(BaseModel):
    """An arms-control agreement: the reaction terms are scaled from a year on."""

    model_config = _FROZEN
    reaction_scale: float = Field(default=0.5, ge=0, le=1, description="multiplier of k_ij")
    from_year: int | None = Field(default=None, ge=1950, le=2200)


class ArmsRaceScenario(BaseModel):
    """A three-country Richardson arms race fitted to SIPRI constant-dollar spending."""

    model_config = _FROZEN
    kind: Literal["arms_race"]
    name: str = "arms_race"
    description: str = ""
    countries: list[str] = Field(
        default_factory=lambda: list(DEFAULT_COUNTRIES), min_length=2, max_length=3
    )
    start_year: int = Field(default=1993, ge=1949, le=2100)
    end_year: int = Field(default=2023, ge=1949, le=2100)
    horizon: int = Field(default=15, ge=1, le=200, description="years projected")
    runs: int = Field(default=1000, ge=1, le=MAX_RUNS)
    arms_control: ArmsControl = Field(default_factory=lambda: ArmsControl.model_validate({}))
    form: Literal["auto", "levels", "logs", "growth"] = Field(
        default="auto", description="series fitted (auto: chosen by unit-root tests)"
    )
    bootstrap: int = Field(default=200, ge=10, le=10_000, description="bootstrap refits")

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return _codes(value)

    @model_validator(mode="after")
    def _window(self) -> ArmsRaceScenario:
        if self.end_year - self.start_year < 10:
            raise ValueError("need at least 10 years between start_year and end_year")
        return self


Scenario = Annotated[GameScenario | ArmsRaceScenario, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[GameScenario | ArmsRaceScenario] = TypeAdapter(Scenario)


#: Top-level keys a scenario that ``extends`` another replaces whole: its ``policies``
#: are the set it compares. Every other mapping is merged key by key.
_REPLACED = ("policies",)
#: A strategy given as a mapping of another ``strategy`` than the base's replaces it
#: whole: its coefficients belong to its kind.
_TAGS = ("strategy",)


def load_scenario(
    source: str | Path | Mapping[str, Any], **overrides: Any
) -> GameScenario | ArmsRaceScenario:
    """Read and validate a scenario (a YAML file, a shipped scenario's name, or a dict).

    The file is read by :mod:`trilateral._yaml` (size and alias caps, UTF-8, no
    duplicate key, real dates) and validated strictly (no bool for a number, no number
    for a text). ``extends: NAME`` merges the named scenario under this one mapping by
    mapping (a file that changes ``players.USA.strategy`` keeps USA's noise and the other
    players), except ``policies``, which a file gives whole, and a strategy mapping of
    another ``strategy``, which replaces the base's whole; a chain that goes round in a
    circle is named, and a bad value is reported in the file of the chain that gives it.

    Parameters
    ----------
    source : path, str or mapping
        A YAML file, the name of a shipped scenario (``"paper"``), or the data itself.
    **overrides
        Top-level keys to replace (e.g. ``runs=100``), validated like the file.

    Raises
    ------
    ConfigError
        The file is missing or not YAML, or a key is unknown or out of range, or
        ``horizon`` exceeds the ``periods`` the scenario itself states (refused, not
        clamped; an override ``periods=`` shorter than the horizon runs, and the game
        measures the horizon within it) (the message names the file, line, key, value and
        what is allowed). Errors of the file itself are a
        :class:`~trilateral._yaml.YamlError` (the CLI exits with status 2).

    Examples
    --------
    >>> sc = load_scenario("paper", runs=50)
    >>> sc.runs, sorted(sc.policies)[:2]
    (50, ['align_with_russia', 'align_with_us'])
    >>> _ = Path("mine.yaml").write_text(
    ...     "extends: paper\\nplayers:\\n  USA:\\n    strategy: tit_for_tat\\n", encoding="utf-8")
    >>> sc = load_scenario("mine.yaml")
    >>> sc.players["USA"].strategy.strategy, sc.players["USA"].noise, sorted(sc.players)
    ('tit_for_tat', 0.15, ['CHN', 'RUS', 'USA'])
    """
    layers: list[Layer] = []
    label = "<scenario>"
    if isinstance(source, Mapping):
        data: dict[str, Any] = dict(source)
        base = data.pop("extends", None)
        layers.append(Layer(label, None, dict(data)))
        if base is not None:
            parent, chain = load_extending(
                _resolve(str(base), Path(label)), _resolve, replace=_REPLACED, tags=_TAGS
            )
            data = deep_merge(parent, data, _REPLACED, _TAGS)
            layers += chain
    else:
        path = Path(source)
        if not path.exists() and str(source) in shipped_scenarios():
            path = shipped_scenario(str(source))
        if not path.is_file():
            raise ConfigError(
                f"scenario file not found: {path}",
                hint=f"give a YAML file or a shipped scenario: {', '.join(shipped_scenarios())}",
            )
        label = str(path)
        data, layers = load_extending(path, _resolve, replace=_REPLACED, tags=_TAGS)
    data.setdefault("kind", "game")
    data.update({k: v for k, v in overrides.items() if v is not None})
    scenario = validate(
        _ADAPTER,
        data,
        label,
        None,
        what="invalid scenario",
        hint="see docs/simulate.md, 'Writing a scenario', for every key and its range",
        drop=("game", "arms_race"),
        layers=layers,
    )
    if overrides.get("periods") is None:  # a shorter run asked for measures within it
        _check_horizon(scenario, label, layers)
    return scenario


def _check_horizon(
    scenario: GameScenario | ArmsRaceScenario, label: str, layers: list[Layer]
) -> None:
    """A game's ``horizon`` (months) beyond its ``periods`` is refused, not clamped."""
    if isinstance(scenario, GameScenario) and scenario.horizon is not None:
        if scenario.horizon > scenario.periods:
            source, line = locate(("horizon",), label, None, layers)
            where = source + (f", line {line}" if line is not None else "")
            raise YamlError(
                f"invalid scenario:\n  {where}, key 'horizon': value {scenario.horizon} — "
                f"allowed: at most periods ({scenario.periods}), the months simulated",
                hint=f"lower horizon, or raise periods (at most {MAX_PERIODS}, the cap)",
            )


_SCENARIOS = "scenarios"


def _resolve(name: str, child: Path) -> Path:
    """The scenario named by ``extends:`` in ``child``: a path (as given, or next to
    ``child``), else a shipped scenario's name."""
    path = Path(name)
    if not path.is_file():
        path = child.parent / name
    if not path.is_file() and name in shipped_scenarios():
        path = shipped_scenario(name)
    if not path.is_file():
        raise YamlError(
            f"{child}, key 'extends': value {name!r} is neither a file nor a shipped scenario",
            hint=f"shipped: {', '.join(shipped_scenarios())}",
        )
    return path


def shipped_scenarios() -> tuple[str, ...]:
    """Names of the scenarios shipped in ``trilateral/simulate/scenarios``.

    Examples
    --------
    >>> "paper" in shipped_scenarios()
    True
    """
    folder = resources.files(__package__).joinpath(_SCENARIOS)
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def shipped_scenario(name: str) -> Path:
    """Path of a shipped scenario file.

    Examples
    --------
    >>> shipped_scenario("paper").name
    'paper.yaml'
    """
    path = Path(str(resources.files(__package__).joinpath(_SCENARIOS, f"{name}.yaml")))
    if not path.is_file():
        raise ConfigError(
            f"no shipped scenario {name!r}", hint=f"shipped: {', '.join(shipped_scenarios())}"
        )
    return path
