"""Reciprocity in a triad: a VAR over the directed dyad series (Goldstein & Freeman, 1990).

Goldstein and Freeman (*Three-Way Street: Strategic Reciprocity in World Politics*, 1990)
model the superpower triangle as a vector autoregression over the six directed dyad
series (US→USSR, USSR→US, US→China, …): each country's behaviour towards another is
explained by its own past behaviour (*inertia*), by what the other did to it (*direct
reciprocity*) and by what the third country did to it (*triangular* reciprocity). This
module fits that VAR with statsmodels, tests every ordered pair of series for Granger
causality (Holm-corrected), and summarises the dynamics with order-free *generalised*
impulse responses and variance decompositions (Pesaran & Shin, 1998; Diebold & Yilmaz,
2012). The *endogenous share* turns Feng's (2019) reading — US–Russia conflict moving
"from exogenous to endogenous", a "negative cycle" no longer driven by what the other
side does — into a number per country.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy import stats

from .. import __version__
from ..config import DEFAULT_COUNTRIES
from ..errors import ConfigError, DataError

__all__ = ["Fill", "InfoCriterion", "ReciprocityModel", "ReciprocityResults"]

Fill = Literal["zero", "ffill", "drop"]
InfoCriterion = Literal["aic", "bic", "hqic"]

_FILLS: tuple[str, ...] = ("zero", "ffill", "drop")
_ICS: tuple[str, ...] = ("aic", "bic", "hqic")
# Keep at least this many observations per coefficient in every equation when choosing
# the default maximum lag. Near-saturated VARs make log det(Σ) collapse and the
# information criteria then pick the largest order on offer: with the former 3
# observations per coefficient, a sparse monthly triad (147 zero-filled periods, 6
# series) was searched up to 7 lags and AIC took the largest order offered (7 of 7, or 8
# of 8: 49 coefficients per equation on 139 periods). Ten per coefficient is the usual
# rule of thumb for a regression whose coefficients are to be read.
_OBS_PER_COEF = 10
# The default criterion: BIC is consistent for the true order of a finite-order VAR, AIC
# is not and tends to overfit in small samples (Lütkepohl 2005, §4.3).
_DEFAULT_IC: InfoCriterion = "bic"

Dyad = tuple[str, str]


def _name(dyad: Dyad) -> str:
    return f"{dyad[0]}->{dyad[1]}"


def _kind(cause: Dyad, effect: Dyad) -> str:
    """Role of series ``cause`` in the equation of series ``effect`` (see ReciprocityResults)."""
    if cause == effect:
        return "inertia"
    i, j = effect
    if cause == (j, i):
        return "direct reciprocity"
    if cause[1] == i and cause[0] not in (i, j):
        return "triangular"
    return "other"


def holm_adjust(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values, in the input order.

    Identical to ``statsmodels.stats.multitest.multipletests(p, method="holm")[1]``
    (a test pins that); reimplemented because that function runs ``gc.collect()`` on
    every call, which costs tens of milliseconds in a large process.

    Examples
    --------
    >>> holm_adjust([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _index_frame(index: Any) -> pl.DataFrame:
    frame = getattr(index, "frame", index)
    if not isinstance(frame, pl.DataFrame):
        raise ConfigError(
            f"expected a DyadIndex or a polars DataFrame, got {type(index).__name__}",
            hint="pass the result of trilateral.measure.indices(...) or its .frame",
        )
    return frame


class ReciprocityModel:
    """A VAR over the directed dyad series of two or three countries.

    Modelling assumptions
    ---------------------
    Each directed dyad series ``x_ij,t`` (the index value of i's behaviour towards j in
    period t) is a linear function of the past ``p`` periods of all the series plus a
    constant and a white-noise shock (Goldstein & Freeman, 1990):

    ``x_ij,t = a_ij + Σ_l [inertia · x_ij,t−l + reciprocity · x_ji,t−l
    + triangular · x_ki,t−l + other terms] + u_ij,t``.

    The coefficients are estimated by OLS equation by equation (statsmodels' ``VAR``);
    the shocks ``u_t`` may be correlated within a period (same-period reactions and
    common news), which the generalised impulse responses take into account.

    Parameters
    ----------
    index : DyadIndex or polars.DataFrame
        An index in the Index-frame layout (columns ``source``, ``target``, ``arena``,
        ``period``, ``period_start`` and ``value``), or an object with a ``.frame`` of
        that layout, e.g. the result of ``trilateral.measure.indices``.
    countries : sequence of str
        Two or three ISO3 codes. Series are ordered ``a→b, a→c, b→a, b→c, c→a, c→b``
        for countries ``(a, b, c)``; nothing in the headline results (generalised
        responses, variance shares, Granger tests) depends on that order.
    arena : str
        The arena to model (``"all"`` pools the arenas).
    value : str
        The index column to model, by default the weighted mean Goldstein score
        (−10 hostile … +10 cooperative).
    fill : {"zero", "ffill", "drop"}
        What an empty period (no events, ``value`` null) becomes.

        * ``"zero"`` (default): 0, the neutral point of the Goldstein scale — silence is
          read as neither cooperation nor conflict. Consequence: for sparse dyads the
          series is a mix of zeros and event means, so the VAR partly measures *when*
          countries act (activity answering activity) and not only *how*; quiet spells
          pull means towards neutral and shrink the estimated persistence.
        * ``"ffill"``: carry the last observed value forward (the relation is assumed
          unchanged until the next event); leading empty periods are dropped. Inflates
          inertia.
        * ``"drop"``: drop every period in which any series is empty. The remaining
          periods are treated as consecutive, which distorts lags if many are dropped.

    Raises
    ------
    ConfigError
        A bad argument (fewer than two or more than three countries, unknown ``fill``).
    DataError
        The index lacks a column, a dyad series, or has a constant series.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from datetime import date, timedelta
    >>> rng = np.random.default_rng(0)
    >>> starts = [date(2000, 1, 1) + timedelta(weeks=t) for t in range(120)]
    >>> frame = pl.DataFrame({
    ...     "source": ["USA"] * 120 + ["RUS"] * 120, "target": ["RUS"] * 120 + ["USA"] * 120,
    ...     "arena": "all", "period": "week", "period_start": starts * 2,
    ...     "mean_goldstein": rng.normal(size=240)})
    >>> res = ReciprocityModel(frame, countries=("USA", "RUS")).fit(lags=1)
    >>> res.k_ar, res.nobs
    (1, 119)
    """

    def __init__(
        self,
        index: Any,
        countries: Sequence[str] = DEFAULT_COUNTRIES,
        arena: str = "all",
        value: str = "mean_goldstein",
        fill: Fill = "zero",
    ) -> None:
        self._set_countries(countries)
        if fill not in _FILLS:
            raise ConfigError(f"unknown fill {fill!r}", hint=f"use one of {_FILLS}")
        frame = _index_frame(index)
        needed = ["source", "target", "arena", "period_start", value]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(
                f"index frame lacks column(s) {missing}",
                hint="pass an Index frame (see trilateral.measure.indices)",
            )
        self.arena = arena
        self.value = value
        self.fill: Fill = fill
        if getattr(index, "directed", True) is False:
            raise ConfigError(
                "the reciprocity VAR needs the directed index, got an undirected view",
                hint="pass the DyadIndex itself, not .symmetric()",
            )
        provenance = getattr(index, "provenance", None)
        self.data_hash: str | None = getattr(index, "data_hash", None) or (
            provenance.get("data_hash") if isinstance(provenance, dict) else None
        )

        sub = frame.filter(
            (pl.col("arena") == arena)
            & pl.col("source").is_in(self.countries)
            & pl.col("target").is_in(self.countries)
            & (pl.col("source") != pl.col("target"))
        )
        if sub.height == 0:
            arenas = sorted(frame["arena"].unique().to_list())
            raise DataError(
                f"no rows for arena {arena!r} among {self.countries}",
                hint=f"arenas in the index: {arenas}",
            )
        self.period: str | None = None
        if "period" in sub.columns:
            kinds = sub["period"].unique().to_list()
            if len(kinds) > 1:
                raise DataError(
                    f"index mixes periods {sorted(kinds)}",
                    hint="compute the index for one period, e.g. period='month'",
                )
            self.period = kinds[0]
        dup = sub.group_by("source", "target", "period_start").len().filter(pl.col("len") > 1)
        if dup.height:
            raise DataError(
                f"{dup.height} duplicated (source, target, period_start) rows in the index",
                hint="one row per directed dyad × arena × period is expected",
            )
        wide = (
            sub.with_columns(
                pl.concat_str("source", pl.lit("->"), "target").alias("_dyad"),
                pl.col(value).cast(pl.Float64),
            )
            .pivot(on="_dyad", index="period_start", values=value)
            .sort("period_start")
        )
        absent = [n for n in self.names if n not in wide.columns]
        if absent:
            raise DataError(
                f"no series for dyad(s) {absent} in arena {arena!r}",
                hint="the index must contain every directed dyad of the countries",
            )
        wide = wide.select("period_start", *self.names)
        if fill == "zero":
            wide = wide.fill_null(0.0)
        elif fill == "ffill":
            wide = wide.with_columns(pl.col(self.names).forward_fill()).drop_nulls()
        else:
            wide = wide.drop_nulls()
        self.periods: tuple[date, ...] = tuple(wide["period_start"].to_list())
        self.endog: np.ndarray = wide.select(self.names).to_numpy().astype(np.float64)
        self._check_endog()

    def _set_countries(self, countries: Sequence[str]) -> None:
        """Validate the countries; set them, the directed series and their names."""
        codes = tuple(c.upper() for c in countries)
        if len(set(codes)) != len(codes) or not 2 <= len(codes) <= 3:
            raise ConfigError(
                f"need two or three different countries, got {codes}",
                hint="e.g. countries=('USA', 'RUS', 'CHN')",
            )
        self.countries: tuple[str, ...] = codes
        self.series: tuple[Dyad, ...] = tuple((a, b) for a in codes for b in codes if a != b)
        self.names: tuple[str, ...] = tuple(_name(d) for d in self.series)

    def _check_endog(self) -> None:
        if self.endog.shape[0] < 3:
            raise DataError(
                f"only {self.endog.shape[0]} usable periods after fill={self.fill!r}",
                hint="use a shorter period, fill='zero', or a longer time span",
            )
        flat = [n for n, s in zip(self.names, self.endog.std(axis=0), strict=True) if s == 0]
        if flat:
            raise DataError(
                f"series {flat} is constant in arena {self.arena!r} (no variation to model)",
                hint="pool the arenas (arena='all'), use a longer span or fewer countries",
            )

    @classmethod
    def from_array(
        cls,
        endog: np.ndarray,
        periods: Sequence[date],
        countries: Sequence[str] = DEFAULT_COUNTRIES,
        *,
        series: Sequence[Dyad] | None = None,
        arena: str = "all",
        period: str | None = None,
    ) -> ReciprocityModel:
        """The model of series already laid out as a periods × series array, with no
        empty period (the forecast stage fits one per origin and arena, where building
        an Index frame and pivoting it back would cost more than the fit).

        ``series`` names the array's columns (directed dyads, default the model's own
        order ``a→b, a→c, b→a, …``); they are reordered to the model's order.

        Examples
        --------
        >>> import numpy as np
        >>> from datetime import date, timedelta
        >>> y = np.random.default_rng(0).normal(size=(60, 2))
        >>> days = [date(2000, 1, 1) + timedelta(weeks=t) for t in range(60)]
        >>> m = ReciprocityModel.from_array(y, days, ("USA", "RUS"))
        >>> m.series, m.fit(lags=1).nobs
        ((('USA', 'RUS'), ('RUS', 'USA')), 59)
        """
        self = cls.__new__(cls)
        self._set_countries(countries)
        self.arena = arena
        self.value = "value"
        self.fill = "zero"
        self.data_hash = None
        self.period = period
        given = tuple(series) if series is not None else self.series
        arr = np.asarray(endog, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != len(given) or sorted(given) != sorted(self.series):
            raise DataError(
                f"the array's columns {given} are not the directed dyads of {self.countries}",
                hint="one column per directed dyad, named by series=",
            )
        if arr.shape[0] != len(periods) or np.isnan(arr).any():
            raise DataError(
                f"{arr.shape[0]} rows for {len(periods)} periods, or an empty (NaN) period",
                hint="fill empty periods first (see the fill= argument of the constructor)",
            )
        self.periods = tuple(periods)
        self.endog = arr[:, [given.index(s) for s in self.series]]
        self._check_endog()
        return self

    @property
    def nobs_total(self) -> int:
        """Number of periods in the series (before losing the presample to lags)."""
        return int(self.endog.shape[0])

    def default_maxlags(self, obs_per_coef: int = _OBS_PER_COEF) -> int:
        """The largest lag order tried when ``maxlags`` is not given.

        statsmodels' rule ``round(12 · (T/100)^{1/4})``, capped so that every equation
        keeps at least ``obs_per_coef`` (10) observations per coefficient:
        ``T − p ≥ obs_per_coef · (k p + 1)`` for ``T`` periods and ``k`` series (``k p``
        lagged terms and a constant, estimated on ``T − p`` periods). Never below 1.

        The cap is deliberately strict: near the saturation point the residual
        covariance's log-determinant collapses and every information criterion then
        prefers the longest order on offer. For ``T = 147`` monthly periods of a triad
        (``k = 6``) it allows 2 lags (statsmodels' rule alone: 13; a cap of 3
        observations per coefficient: 7). Pass ``obs_per_coef`` to see a looser bound
        and give it to :meth:`fit` as ``maxlags`` to search further.

        Examples
        --------
        >>> model.default_maxlags(), model.default_maxlags(obs_per_coef=3)  # doctest: +SKIP
        (2, 7)
        """
        if obs_per_coef < 1:
            raise ConfigError(f"obs_per_coef must be ≥ 1, got {obs_per_coef}")
        t, k = self.endog.shape
        rule = round(12 * (t / 100.0) ** 0.25)
        cap = (t - obs_per_coef) // (obs_per_coef * k + 1)
        return max(1, min(rule, cap))

    def fit(
        self,
        maxlags: int | None = None,
        ic: InfoCriterion | None = None,
        lags: int | None = None,
        irf_horizon: int = 12,
        alpha: float = 0.05,
    ) -> ReciprocityResults:
        """Estimate the VAR.

        Parameters
        ----------
        maxlags : int, optional
            Largest order tried by the information criterion (default
            :meth:`default_maxlags`: at least 10 observations per coefficient).
        ic : {"aic", "bic", "hqic"}, optional
            Criterion choosing the lag order (statsmodels' ``select_order``; every order
            is fitted on the same sample). Default ``"bic"``: consistent for the order
            of a finite-order VAR, where AIC overfits with positive probability even in
            large samples (Lütkepohl 2005, §4.3). If the criterion picks 0, one lag is
            fitted anyway so that reciprocity can be estimated (its coefficients should
            then be insignificant); every criterion's choice is kept in
            ``selected_orders``.
        lags : int, optional
            Fit this order and skip the selection.
        irf_horizon : int
            Horizon (periods) of the impulse responses and of the variance decomposition.
        alpha : float
            Significance level of the intervals and of the Holm-corrected Granger tests.

        Returns
        -------
        ReciprocityResults

        Examples
        --------
        >>> res = model.fit(ic="bic")  # doctest: +SKIP
        >>> print(res.summary())  # doctest: +SKIP
        """
        from statsmodels.tsa.api import VAR

        ic_given = ic is not None
        if ic is None:
            ic = _DEFAULT_IC
        if ic not in _ICS:
            raise ConfigError(f"unknown information criterion {ic!r}", hint=f"use one of {_ICS}")
        if not 0 < alpha < 1:
            raise ConfigError(f"alpha must be in (0, 1), got {alpha}")
        if irf_horizon < 1:
            raise ConfigError(f"irf_horizon must be ≥ 1, got {irf_horizon}")
        t, k = self.endog.shape
        model = VAR(self.endog)
        selected: dict[str, int] | None = None
        maxlags_given = maxlags is not None
        if lags is None:
            if maxlags is None:
                maxlags = self.default_maxlags()
            if maxlags < 1 or t - maxlags <= k * maxlags + 1:
                raise DataError(
                    f"maxlags={maxlags} is too large for {t} periods and {k} series",
                    hint=f"use maxlags ≤ {self.default_maxlags()} or a longer span",
                )
            orders = model.select_order(maxlags=maxlags, trend="c")
            selected = {c: int(orders.selected_orders[c]) for c in _ICS}
            p = max(1, selected[ic])
        else:
            p = int(lags)
            if p < 1 or t - p <= k * p + 1:
                raise DataError(
                    f"cannot fit {p} lag(s) on {t} periods and {k} series",
                    hint="use fewer lags, fewer countries or a longer span",
                )
        var = model.fit(p, trend="c")
        config = {
            "countries": list(self.countries),
            "arena": self.arena,
            "value": self.value,
            "fill": self.fill,
            "period": self.period,
            "maxlags": maxlags,
            "maxlags_default": not maxlags_given,
            "ic": ic,
            "ic_default": not ic_given,
            "lags": lags,
            "irf_horizon": irf_horizon,
            "alpha": alpha,
        }
        digest = hashlib.sha256()
        digest.update(repr((self.names, [d.isoformat() for d in self.periods])).encode())
        digest.update(np.ascontiguousarray(self.endog).tobytes())
        provenance = {
            "config": config,
            "data_hash": self.data_hash,
            "series_sha256": digest.hexdigest(),
            "version": __version__,
        }
        return ReciprocityResults(
            series=self.series,
            periods=self.periods,
            k_ar=p,
            nobs=int(var.nobs),
            ic=None if lags is not None else ic,
            selected_orders=selected,
            irf_horizon=irf_horizon,
            alpha=alpha,
            provenance=provenance,
            var=var,
        )


@dataclass(frozen=True)
class ReciprocityResults:
    """A fitted reciprocity VAR (from :meth:`ReciprocityModel.fit`).

    Not ``slots=True``: the derived statistics are ``functools.cached_property``, which
    needs an instance ``__dict__``.

    Coefficient arrays (``params``, ``bse``, ``tvalues``, ``pvalues``) have shape
    ``(1 + k·k_ar, k)``: rows are :attr:`term_names` (``const``, then ``L1.USA->RUS`` …),
    columns the equations, one per series in :attr:`names` (statsmodels' layout). Standard
    errors are OLS (statsmodels); p-values and intervals use Student's t with the
    residual degrees of freedom ``nobs − k·k_ar − 1`` (statsmodels' VAR uses the normal).

    Roles of a lagged series *cause* in the equation of series *effect* = i→j:

    * ``inertia``: cause is i→j itself;
    * ``direct reciprocity``: cause is j→i (j's behaviour to i answered by i);
    * ``triangular``: cause is k→i for the third country k (how i's behaviour to j
      answers k's behaviour to i);
    * ``other``: the rest (i→k, j→k, k→j).

    Attributes
    ----------
    series : tuple of (source, target)
        The modelled directed dyads, in column order.
    periods : tuple of date
        Period starts of the sample (including the ``k_ar`` presample periods).
    k_ar : int
        Fitted lag order.
    nobs : int
        Observations used in estimation (periods − k_ar).
    ic : str or None
        Information criterion used to choose ``k_ar`` (None when ``lags`` was given).
    selected_orders : dict or None
        Order chosen by each criterion (``aic``, ``bic``, ``hqic``) — may be 0.
    irf_horizon : int
        Horizon of :attr:`irf` and :attr:`fevd`.
    alpha : float
        Default significance level.
    provenance : dict
        ``config`` (the arguments), ``data_hash`` (the index's, when it has one),
        ``series_sha256`` (of the modelled series) and ``version``.
    var : statsmodels VARResults
        The underlying statsmodels fit (for anything not wrapped here).
    """

    series: tuple[Dyad, ...]
    periods: tuple[date, ...]
    k_ar: int
    nobs: int
    ic: str | None
    selected_orders: dict[str, int] | None
    irf_horizon: int
    alpha: float
    provenance: dict[str, Any]
    var: Any = field(repr=False, compare=False)

    # ------------------------------------------------------------------ coefficients
    @property
    def names(self) -> tuple[str, ...]:
        """Series names, ``"SRC->TGT"``."""
        return tuple(_name(d) for d in self.series)

    @property
    def countries(self) -> tuple[str, ...]:
        """The modelled countries."""
        return tuple(self.provenance["config"]["countries"])

    @property
    def term_names(self) -> tuple[str, ...]:
        """Row names of the coefficient arrays."""
        lagged = [f"L{lag}.{n}" for lag in range(1, self.k_ar + 1) for n in self.names]
        return ("const", *lagged)

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom per equation, ``nobs − k·k_ar − 1``."""
        return int(self.var.df_resid)

    @cached_property
    def params(self) -> np.ndarray:
        """Coefficients, shape ``(1 + k·k_ar, k)``."""
        return np.asarray(self.var.params, dtype=float)

    @cached_property
    def bse(self) -> np.ndarray:
        """Standard errors of :attr:`params`."""
        return np.asarray(self.var.stderr, dtype=float)

    @cached_property
    def tvalues(self) -> np.ndarray:
        """``params / bse``."""
        return self.params / self.bse

    @cached_property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values of ``params`` (Student's t, ``df_resid``)."""
        return 2.0 * stats.t.sf(np.abs(self.tvalues), self.df_resid)

    def conf_int(self, alpha: float | None = None) -> np.ndarray:
        """Confidence intervals, shape ``(1 + k·k_ar, k, 2)`` (lower, upper).

        Examples
        --------
        >>> lo, hi = res.conf_int(0.05)[..., 0], res.conf_int(0.05)[..., 1]  # doctest: +SKIP
        """
        a = self.alpha if alpha is None else alpha
        q = stats.t.ppf(1 - a / 2, self.df_resid)
        return np.stack([self.params - q * self.bse, self.params + q * self.bse], axis=-1)

    def coef(self, cause: Dyad, effect: Dyad, lag: int = 1) -> float:
        """Coefficient of ``cause`` at ``lag`` in the equation of ``effect``.

        Examples
        --------
        >>> res.coef(cause=("RUS", "USA"), effect=("USA", "RUS"))  # doctest: +SKIP
        """
        row, col = self._position(cause, effect, lag)
        return float(self.params[row, col])

    def _position(self, cause: Dyad, effect: Dyad, lag: int) -> tuple[int, int]:
        if not 1 <= lag <= self.k_ar:
            raise ConfigError(f"lag must be in 1..{self.k_ar}, got {lag}")
        try:
            i, j = self.series.index(cause), self.series.index(effect)
        except ValueError:
            raise ConfigError(
                f"unknown series {cause} or {effect}", hint=f"series: {self.series}"
            ) from None
        return 1 + (lag - 1) * len(self.series) + i, j

    def to_frame(self, alpha: float | None = None) -> pl.DataFrame:
        """Coefficient table, one row per equation × term.

        Columns ``effect, term, cause, lag, kind, coef, bse, t, pvalue, ci_low,
        ci_high`` (``cause``/``lag`` null and ``kind`` ``"constant"`` for the constant).

        Examples
        --------
        >>> res.to_frame().filter(pl.col("kind") == "direct reciprocity")  # doctest: +SKIP
        """
        ci = self.conf_int(alpha)
        k = len(self.series)
        rows: dict[str, list[Any]] = {
            c: []
            for c in (
                "effect",
                "term",
                "cause",
                "lag",
                "kind",
                "coef",
                "bse",
                "t",
                "pvalue",
                "ci_low",
                "ci_high",
            )
        }
        for col, effect in enumerate(self.series):
            for row, term in enumerate(self.term_names):
                if row == 0:
                    cause, lag, kind = None, None, "constant"
                else:
                    lag = 1 + (row - 1) // k
                    c = self.series[(row - 1) % k]
                    cause, kind = _name(c), _kind(c, effect)
                rows["effect"].append(_name(effect))
                rows["term"].append(term)
                rows["cause"].append(cause)
                rows["lag"].append(lag)
                rows["kind"].append(kind)
                rows["coef"].append(float(self.params[row, col]))
                rows["bse"].append(float(self.bse[row, col]))
                rows["t"].append(float(self.tvalues[row, col]))
                rows["pvalue"].append(float(self.pvalues[row, col]))
                rows["ci_low"].append(float(ci[row, col, 0]))
                rows["ci_high"].append(float(ci[row, col, 1]))
        return pl.DataFrame(rows, schema_overrides={"lag": pl.Int64})

    # ------------------------------------------------------------------ Granger
    @cached_property
    def granger(self) -> pl.DataFrame:
        """Granger-causality F tests for every ordered pair of series.

        One row per (cause, effect), cause ≠ effect: does the past of ``cause`` help
        predict ``effect`` given the past of every series (statsmodels'
        ``test_causality(kind="f")``, restrictions = ``k_ar``)? ``pvalue_holm`` is
        Holm-corrected over all ``k(k−1)`` tests (:func:`holm_adjust`, equal to
        statsmodels' ``multipletests(method="holm")``);
        ``reject`` is ``pvalue_holm < alpha``. ``kind`` is ``"direct reciprocity"``
        (cause j→i, effect i→j), ``"triangular"`` (cause k→i, effect i→j) or ``"other"``.
        """
        out: dict[str, list[Any]] = {
            c: [] for c in ("cause", "effect", "kind", "f_stat", "df_num", "df_denom", "pvalue")
        }
        for e, effect in enumerate(self.series):
            for c, cause in enumerate(self.series):
                if c == e:
                    continue
                test = self.var.test_causality(caused=e, causing=[c], kind="f")
                out["cause"].append(_name(cause))
                out["effect"].append(_name(effect))
                out["kind"].append(_kind(cause, effect))
                out["f_stat"].append(float(test.test_statistic))
                out["df_num"].append(int(test.df[0]))
                out["df_denom"].append(int(test.df[1]))
                out["pvalue"].append(float(test.pvalue))
        holm = holm_adjust(out["pvalue"])
        return pl.DataFrame(out).with_columns(
            pl.Series("pvalue_holm", np.asarray(holm, dtype=float)),
            pl.Series("reject", np.asarray(holm, dtype=float) < self.alpha),
        )

    # ------------------------------------------------------------------ dynamics
    @property
    def sigma_u(self) -> np.ndarray:
        """Residual covariance (degrees-of-freedom adjusted), shape ``(k, k)``."""
        return np.asarray(self.var.sigma_u, dtype=float)

    @cached_property
    def irf(self) -> np.ndarray:
        """Generalised impulse responses (Pesaran & Shin, 1998).

        ``irf[h, i, j]`` is the response of series i, h periods after a one-standard-
        deviation shock to series j, the other shocks taking their expected values given
        that one: ``GIRF_j(h) = Ψ_h Σ e_j / sqrt(σ_jj)`` with ``Ψ_h`` the moving-average
        coefficients of the VAR and ``Σ`` the residual covariance. Unlike Cholesky
        (orthogonalised) responses, these do not depend on the order of the series.
        Shape ``(irf_horizon + 1, k, k)``.
        """
        psi = np.asarray(self.var.ma_rep(self.irf_horizon), dtype=float)
        sigma = self.sigma_u
        return (psi @ sigma) / np.sqrt(np.diag(sigma))[None, None, :]

    def irf_frame(self) -> pl.DataFrame:
        """:attr:`irf` as a long table: ``horizon, response, impulse, girf``."""
        h, k, _ = self.irf.shape
        hh, ii, jj = np.meshgrid(np.arange(h), np.arange(k), np.arange(k), indexing="ij")
        names = np.array(self.names)
        return pl.DataFrame(
            {
                "horizon": hh.ravel(),
                "response": names[ii.ravel()],
                "impulse": names[jj.ravel()],
                "girf": self.irf.ravel(),
            }
        )

    @cached_property
    def fevd(self) -> np.ndarray:
        """Generalised forecast-error variance decomposition at ``irf_horizon`` steps.

        Pesaran & Shin (1998), normalised as in Diebold & Yilmaz (2012):
        ``θ_ij(H) = σ_jj⁻¹ Σ_{h<H} (e_i' Ψ_h Σ e_j)² / Σ_{h<H} e_i' Ψ_h Σ Ψ_h' e_i``, then
        each row divided by its sum. ``fevd[i, j]`` is the share of the H-step forecast-
        error variance of series i attributable to shocks in series j; rows sum to 1.
        Correlated shocks are credited to each series they move (hence the
        normalisation), so same-period co-movement counts for both sides.
        """
        g = self.irf[: self.irf_horizon]  # h = 0 … H−1
        num = (g**2).sum(axis=0)
        psi = np.asarray(self.var.ma_rep(self.irf_horizon), dtype=float)[: self.irf_horizon]
        den = np.einsum("hik,kl,hil->i", psi, self.sigma_u, psi)
        theta = num / den[:, None]
        return theta / theta.sum(axis=1, keepdims=True)

    @cached_property
    def variance_sources(self) -> pl.DataFrame:
        """Where each country's outgoing behaviour comes from, one row per country.

        For country i, the rows of :attr:`fevd` of its outgoing series (i→j, i→k) are
        averaged (equal weights) and the shares summed by who sent the shocking series:

        * ``own``: i's own outgoing series (its inertia and its own shocks);
        * ``reactive``: the partners' series *towards i* (j→i, k→i) — i answering what
          was done to it;
        * ``third_party``: the partners' series between themselves (j→k, k→j; none in
          a dyad).

        The three columns sum to 1.
        """
        theta = self.fevd
        rows: dict[str, list[Any]] = {"country": [], "own": [], "reactive": [], "third_party": []}
        for country in self.countries:
            out_rows = [n for n, s in enumerate(self.series) if s[0] == country]
            share = theta[out_rows].mean(axis=0)
            own = sum(share[n] for n, s in enumerate(self.series) if s[0] == country)
            reactive = sum(share[n] for n, s in enumerate(self.series) if s[1] == country)
            third = sum(share[n] for n, s in enumerate(self.series) if country not in s)
            rows["country"].append(country)
            rows["own"].append(float(own))
            rows["reactive"].append(float(reactive))
            rows["third_party"].append(float(third))
        return pl.DataFrame(rows)

    @cached_property
    def endogenous_share(self) -> dict[str, float]:
        """Per country, the share of its outgoing behaviour that answers nobody.

        Definition: for country i, the share of the ``irf_horizon``-step forecast-error
        variance of its outgoing series (i→j for every partner j, averaged with equal
        weights) that the generalised FEVD attributes to i's *own* series — its inertia
        and its own shocks — i.e. 1 minus the share attributable to the partners'
        behaviour (towards i, and, in a triad, between themselves); see
        :attr:`variance_sources`. In [0, 1].

        Reading (Feng, 2019): conflict is *exogenous* when a country's hostility mostly
        answers what the other side did (low endogenous share: tit-for-tat), and
        *endogenous* when it is self-sustaining — driven by its own past and by domestic
        shocks that answer nothing the partner did (high share: the "negative cycle").
        With no cross-effects and uncorrelated shocks the share is 1.
        """
        vs = self.variance_sources
        return dict(zip(vs["country"].to_list(), vs["own"].to_list(), strict=True))

    # ------------------------------------------------------------------ text
    def summary(self) -> str:
        """A readable report: lag order, Granger table, key coefficients, shares.

        Examples
        --------
        >>> print(res.summary())  # doctest: +SKIP
        """
        cfg = self.provenance["config"]
        lines = [
            "Reciprocity VAR (Goldstein & Freeman 1990)",
            f"  countries {', '.join(self.countries)}; arena {cfg['arena']}; value "
            f"{cfg['value']}; period {cfg['period']}; fill {cfg['fill']}",
            f"  sample {self.periods[0]} … {self.periods[-1]} "
            f"({len(self.periods)} periods, {self.nobs} used)",
        ]
        if self.ic is None:
            lines.append(f"  lag order {self.k_ar} (given)")
        else:
            assert self.selected_orders is not None
            chosen = ", ".join(f"{c} {p}" for c, p in self.selected_orders.items())
            how = "the default criterion" if cfg.get("ic_default") else "as requested"
            cap = (
                f"default maximum: ≥ {_OBS_PER_COEF} observations per coefficient"
                if cfg.get("maxlags_default")
                else "maximum as requested"
            )
            sel = self.selected_orders[self.ic]
            if sel == self.k_ar:
                head = f"  lag order {self.k_ar}, chosen by {self.ic.upper()} ({how}); "
            else:  # the criterion chose 0 lags: a VAR needs one, so one is fitted
                head = (
                    f"  lag order {self.k_ar} fitted: {self.ic.upper()} ({how}) chose {sel} "
                    "lags (no dynamics), and a VAR needs at least one; "
                )
            lines += [
                f"{head}orders 0–{cfg['maxlags']} tried ({cap})",
                f"  orders chosen by each criterion: {chosen}",
            ]
        g = self.granger
        lines += ["", f"Granger causality (F tests; Holm over {g.height} tests)"]
        width = max(len(n) for n in self.names)
        lines.append(f"  {'cause':<{width}}  {'effect':<{width}}  {'kind':<18}  p      p_holm")
        for r in g.sort("pvalue").iter_rows(named=True):
            star = " *" if r["reject"] else ""
            lines.append(
                f"  {r['cause']:<{width}}  {r['effect']:<{width}}  {r['kind']:<18}  "
                f"{r['pvalue']:.3f}  {r['pvalue_holm']:.3f}{star}"
            )
        level = round(100 * (1 - self.alpha))
        lines += ["", f"Key coefficients ({level}% intervals)"]
        key = self.to_frame().filter(
            pl.col("kind").is_in(["inertia", "direct reciprocity", "triangular"])
        )
        for r in key.sort("kind", "effect", "lag").iter_rows(named=True):
            lines.append(
                f"  {r['kind']:<18}  {r['cause']:<{width}} → {r['effect']:<{width}}  "
                f"L{r['lag']}  {r['coef']:+.3f}  [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
            )
        lines += [
            "",
            f"Endogenous share (generalised FEVD, horizon {self.irf_horizon}): share of a "
            "country's outgoing behaviour explained by its own past and shocks",
        ]
        for r in self.variance_sources.iter_rows(named=True):
            lines.append(
                f"  {r['country']}  endogenous {r['own']:.2f}   reactive {r['reactive']:.2f}"
                f"   third-party {r['third_party']:.2f}"
            )
        lines.append(f"\ntrilateral {self.provenance['version']}")
        return "\n".join(lines)
