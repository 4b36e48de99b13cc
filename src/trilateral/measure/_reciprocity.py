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
from datetime import date
from typing import Any, Literal

import numpy as np
import polars as pl

from .. import __version__
from ..config import DEFAULT_COUNTRIES
from ..errors import ConfigError, DataError
from ._reciprocity_results import ReciprocityResults
from ._var_terms import OBS_PER_COEF, Dyad, dyad_name, holm_adjust

__all__ = ["Fill", "InfoCriterion", "ReciprocityModel", "ReciprocityResults", "holm_adjust"]

Fill = Literal["zero", "ffill", "drop"]
InfoCriterion = Literal["aic", "bic", "hqic"]

_FILLS: tuple[str, ...] = ("zero", "ffill", "drop")
_ICS: tuple[str, ...] = ("aic", "bic", "hqic")
# The default criterion: BIC is consistent for the true order of a finite-order VAR, AIC
# is not and tends to overfit in small samples (Lütkepohl 2005, §4.3).
_DEFAULT_IC: InfoCriterion = "bic"


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
        _check_columns(frame, value)
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
        sub = _arena_rows(frame, arena, self.countries)
        self.period: str | None = _single_period(sub)
        _check_unique(sub)
        wide = _filled_wide(sub, value, self.names, arena, fill)
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
        self.names: tuple[str, ...] = tuple(dyad_name(d) for d in self.series)

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

    def default_maxlags(self, obs_per_coef: int = OBS_PER_COEF) -> int:
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
        The demo store's monthly triad, 2014–2019 (72 periods, 6 series):

        >>> from trilateral.measure import indices
        >>> monthly = indices("trilateral.duckdb", period="month", n_boot=0,
        ...                   start="2014-01-01", end="2019-12-31")
        >>> model = ReciprocityModel(monthly)
        >>> model.default_maxlags(), model.default_maxlags(obs_per_coef=3)
        (1, 3)
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
        On the demo store's monthly triad BIC chooses 0 lags: no detectable dynamics.

        >>> from trilateral.measure import indices
        >>> monthly = indices("trilateral.duckdb", period="month", n_boot=0,
        ...                   start="2014-01-01", end="2019-12-31")
        >>> res = ReciprocityModel(monthly).fit(ic="bic")
        >>> res.selected_orders, res.k_ar, res.no_dynamics
        ({'aic': 0, 'bic': 0, 'hqic': 0}, 1, True)
        """
        from statsmodels.tsa.api import VAR

        ic_given = ic is not None
        ic = _checked_fit_options(ic, alpha, irf_horizon)
        model = VAR(self.endog)
        maxlags_given = maxlags is not None
        p, selected, maxlags = self._lag_order(model, maxlags, lags, ic)
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
        return ReciprocityResults(
            series=self.series,
            periods=self.periods,
            k_ar=p,
            nobs=int(var.nobs),
            ic=None if lags is not None else ic,
            selected_orders=selected,
            irf_horizon=irf_horizon,
            alpha=alpha,
            provenance=self._provenance(config),
            var=var,
        )

    def _lag_order(
        self, model: Any, maxlags: int | None, lags: int | None, ic: InfoCriterion
    ) -> tuple[int, dict[str, int] | None, int | None]:
        """The lag order to fit, every criterion's choice (None when ``lags`` is given),
        and the largest order tried."""
        t, k = self.endog.shape
        if lags is not None:
            p = int(lags)
            if p < 1 or t - p <= k * p + 1:
                raise DataError(
                    f"cannot fit {p} lag(s) on {t} periods and {k} series",
                    hint="use fewer lags, fewer countries or a longer span",
                )
            return p, None, maxlags
        if maxlags is None:
            maxlags = self.default_maxlags()
        if maxlags < 1 or t - maxlags <= k * maxlags + 1:
            raise DataError(
                f"maxlags={maxlags} is too large for {t} periods and {k} series",
                hint=f"use maxlags ≤ {self.default_maxlags()} or a longer span",
            )
        orders = model.select_order(maxlags=maxlags, trend="c")
        selected = {c: int(orders.selected_orders[c]) for c in _ICS}
        return max(1, selected[ic]), selected, maxlags

    def _provenance(self, config: dict[str, Any]) -> dict[str, Any]:
        """The fit's configuration, the index's data hash and a hash of the series."""
        digest = hashlib.sha256()
        digest.update(repr((self.names, [d.isoformat() for d in self.periods])).encode())
        digest.update(np.ascontiguousarray(self.endog).tobytes())
        return {
            "config": config,
            "data_hash": self.data_hash,
            "series_sha256": digest.hexdigest(),
            "version": __version__,
        }


def _checked_fit_options(ic: InfoCriterion | None, alpha: float, irf_horizon: int) -> InfoCriterion:
    """Check the fit's options; the information criterion (BIC unless given)."""
    if ic is None:
        ic = _DEFAULT_IC
    if ic not in _ICS:
        raise ConfigError(f"unknown information criterion {ic!r}", hint=f"use one of {_ICS}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be in (0, 1), got {alpha}")
    if irf_horizon < 1:
        raise ConfigError(f"irf_horizon must be ≥ 1, got {irf_horizon}")
    return ic


def _check_columns(frame: pl.DataFrame, value: str) -> None:
    """Fail when the index frame lacks a column the model reads."""
    needed = ["source", "target", "arena", "period_start", value]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"index frame lacks column(s) {missing}",
            hint="pass an Index frame (see trilateral.measure.indices)",
        )


def _arena_rows(frame: pl.DataFrame, arena: str, countries: tuple[str, ...]) -> pl.DataFrame:
    """The rows of ``arena`` between two different ``countries``; fail when none."""
    sub = frame.filter(
        (pl.col("arena") == arena)
        & pl.col("source").is_in(countries)
        & pl.col("target").is_in(countries)
        & (pl.col("source") != pl.col("target"))
    )
    if sub.height == 0:
        arenas = sorted(frame["arena"].unique().to_list())
        raise DataError(
            f"no rows for arena {arena!r} among {countries}",
            hint=f"arenas in the index: {arenas}",
        )
    return sub


def _single_period(sub: pl.DataFrame) -> str | None:
    """The rows' period kind (None when the frame does not say); fail when mixed."""
    if "period" not in sub.columns:
        return None
    kinds = sub["period"].unique().to_list()
    if len(kinds) > 1:
        raise DataError(
            f"index mixes periods {sorted(kinds)}",
            hint="compute the index for one period, e.g. period='month'",
        )
    return kinds[0]


def _check_unique(sub: pl.DataFrame) -> None:
    """Fail when a directed dyad has two rows for one period."""
    dup = sub.group_by("source", "target", "period_start").len().filter(pl.col("len") > 1)
    if dup.height:
        raise DataError(
            f"{dup.height} duplicated (source, target, period_start) rows in the index",
            hint="one row per directed dyad × arena × period is expected",
        )


def _filled_wide(
    sub: pl.DataFrame, value: str, names: tuple[str, ...], arena: str, fill: Fill
) -> pl.DataFrame:
    """``value`` per period (rows) and directed dyad (columns ``names``), the empty
    periods filled by ``fill``; fail when a dyad has no series."""
    wide = (
        sub.with_columns(
            pl.concat_str("source", pl.lit("->"), "target").alias("_dyad"),
            pl.col(value).cast(pl.Float64),
        )
        .pivot(on="_dyad", index="period_start", values=value)
        .sort("period_start")
    )
    absent = [n for n in names if n not in wide.columns]
    if absent:
        raise DataError(
            f"no series for dyad(s) {absent} in arena {arena!r}",
            hint="the index must contain every directed dyad of the countries",
        )
    wide = wide.select("period_start", *names)
    if fill == "zero":
        return wide.fill_null(0.0)
    if fill == "ffill":
        return wide.with_columns(pl.col(names).forward_fill()).drop_nulls()
    return wide.drop_nulls()
