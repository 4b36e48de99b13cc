"""Power ratios between countries from the capability panel (docs/measure.md).

Feng (2019) argues that the US–Russia power gap widened: Russia's GDP fell to 6.6 % of
the US's, its GDP per capita to 15 %, its defence budget to 7.2 %. :func:`power_ratios`
turns a capability panel into every such ratio, for every ordered pair of countries,
every indicator and every year; :meth:`PowerRatios.trend` asks whether a gap widens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

import trilateral

from ..config import DEFAULT_COUNTRIES
from ..errors import ConfigError, DataError

__all__ = ["PowerRatios", "RatioTrend", "power_ratios"]

_PANEL_COLUMNS = ("iso3", "year", "indicator", "value")


@dataclass(frozen=True, slots=True)
class RatioTrend:
    """The linear trend of one ratio over a window of years (OLS of ratio on year).

    Attributes
    ----------
    numerator, denominator, indicator : str
        The ratio ``numerator / denominator`` of ``indicator``.
    start, end : int
        First and last year used; ``n`` years had both values.
    n_expected : int
        Years in the window asked for (``start``…``end`` arguments of
        :meth:`PowerRatios.trend`; an open bound is the pair's first or last year with a
        ratio). Equal to ``n`` unless gaps were allowed.
    missing_years : tuple of int
        Years of the window without a ratio (a value missing or a zero denominator); empty
        unless gaps were allowed.
    slope : float
        OLS slope of the ratio per year; ``conf_int`` its ``level`` interval and
        ``pvalue`` the two-sided test of slope = 0, both from Newey–West (HAC) standard
        errors (the ratios are serially correlated) with the t distribution; NaN when the
        window has fewer than :data:`MIN_TREND_YEARS` years.
    weaker : str
        The country with the smaller mean value over the window (ratio < 1).
    gap_slope, gap_conf_int, gap_pvalue
        The same fit for the ratio weaker / stronger (equal to the fit above when the
        numerator is the weaker country).
    widening : bool or None
        True when the gap grows — the weaker/stronger ratio *falls*: the upper bound of
        ``gap_conf_int`` is below 0. False when it rises (lower bound above 0: the gap
        narrows). None when the interval includes 0 (no trend shown at this level) or
        the window is too short to test.
    """

    numerator: str
    denominator: str
    indicator: str
    start: int
    end: int
    n: int
    n_expected: int
    missing_years: tuple[int, ...]
    slope: float
    conf_int: tuple[float, float]
    pvalue: float
    level: float
    weaker: str
    gap_slope: float
    gap_conf_int: tuple[float, float]
    gap_pvalue: float
    widening: bool | None

    @property
    def verdict(self) -> str:
        """``widening``, ``narrowing`` or ``inconclusive`` (interval includes 0, or fewer
        than :data:`MIN_TREND_YEARS` years)."""
        return {True: "widening", False: "narrowing", None: "inconclusive"}[self.widening]

    @property
    def tested(self) -> bool:
        """Whether the window was long enough for an interval and a p-value."""
        return self.n >= MIN_TREND_YEARS

    def summary(self) -> str:
        """The trend in words, with its interval.

        Examples
        --------
        >>> from trilateral.measure import power_ratios
        >>> print(power_ratios().trend("RUS", "USA", "gdp_current_usd", 2008, 2017).summary())
        RUS/USA gdp_current_usd 2008–2017 (10 years): slope -0.003528/yr, 95 % HAC interval [-0.009856, +0.002799], p = 0.23 → the gap is inconclusive (weaker: RUS)
        """
        n = f"{self.n} years"
        if self.missing_years:
            gaps = ", ".join(map(str, self.missing_years))
            n += f" of {self.n_expected}; missing {gaps}"
        head = (
            f"{self.numerator}/{self.denominator} {self.indicator} {self.start}–{self.end} "
            f"({n}): slope {self.slope:+.4g}/yr"
        )
        if not self.tested:
            return (
                f"{head}; fewer than {MIN_TREND_YEARS} years, no interval or p-value → the "
                f"gap is inconclusive (weaker: {self.weaker})"
            )
        lo, hi = self.conf_int
        return (
            f"{head}, {100 * self.level:g} % HAC interval [{lo:+.4g}, {hi:+.4g}], "
            f"p = {self.pvalue:.2g} → the gap is {self.verdict} (weaker: {self.weaker})"
        )

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<RatioTrend {self.summary()}>"


#: The fewest years a trend is tested on; below it the trend is "inconclusive" (no p-value).
MIN_TREND_YEARS = 5


def hac_maxlags(n: int) -> int:
    """Newey–West's (1994) rule for the HAC lag window: ``floor(4 (n / 100)^(2/9))``.

    Examples
    --------
    >>> hac_maxlags(10), hac_maxlags(4), hac_maxlags(100)
    (2, 1, 4)
    """
    return int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def _ols(
    years: np.ndarray, y: np.ndarray, level: float
) -> tuple[float, tuple[float, float], float]:
    """OLS slope of ``y`` on year with Newey–West (HAC) standard errors: yearly ratios are
    serially correlated, so the plain OLS interval is too narrow. Bartlett kernel,
    :func:`hac_maxlags` lags, small-sample correction, t distribution (n − 2 df). Fewer
    than :data:`MIN_TREND_YEARS` years: the slope alone, interval and p-value NaN."""
    import statsmodels.api as sm

    x = sm.add_constant(years.astype(float) - years.mean())
    if len(years) < MIN_TREND_YEARS:
        fit = sm.OLS(y, x).fit()
        return float(fit.params[1]), (math.nan, math.nan), math.nan
    fit = sm.OLS(y, x).fit(
        cov_type="HAC",
        cov_kwds={"maxlags": hac_maxlags(len(years)), "use_correction": True},
        use_t=True,
    )
    ci = np.asarray(fit.conf_int(alpha=1.0 - level))[1]
    return float(fit.params[1]), (float(ci[0]), float(ci[1])), float(fit.pvalues[1])


@dataclass(frozen=True, slots=True)
class PowerRatios:
    """Ratios of capability indicators for every ordered pair of countries and year.

    ``ratio = value(numerator) / value(denominator)`` for the same indicator and year,
    where both are present and the denominator is not zero. The frame is tidy: columns
    year, numerator, denominator, indicator, ratio, numerator_value, denominator_value,
    unit.

    Attributes
    ----------
    frame : polars.DataFrame
    countries : tuple of str
    indicators : tuple of str
    provenance : dict
    """

    frame: pl.DataFrame
    countries: tuple[str, ...]
    indicators: tuple[str, ...]
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pl.DataFrame:
        """The tidy ratio table."""
        return self.frame

    def _pair(self, numerator: str, denominator: str, indicator: str) -> pl.DataFrame:
        if indicator not in self.indicators:
            raise ConfigError(
                f"indicator {indicator!r} is not in the panel",
                hint=f"choose one of {', '.join(self.indicators)}",
            )
        for c in (numerator, denominator):
            if c not in self.countries:
                raise ConfigError(
                    f"country {c!r} is not among {', '.join(self.countries)}",
                    hint="pass it in countries= to power_ratios",
                )
        return self.frame.filter(
            (pl.col("numerator") == numerator)
            & (pl.col("denominator") == denominator)
            & (pl.col("indicator") == indicator)
        ).sort("year")

    def figure(self, year: int, numerator: str, denominator: str, indicator: str) -> float:
        """The ratio in one year.

        Examples
        --------
        >>> round(power_ratios().figure(2017, "RUS", "USA", "gdp_current_usd"), 4)
        0.0803
        """
        rows = self._pair(numerator.upper(), denominator.upper(), indicator).filter(
            pl.col("year") == year
        )
        value = rows["ratio"][0] if rows.height else None
        if value is None or not np.isfinite(value):
            raise DataError(
                f"no {indicator} ratio {numerator}/{denominator} for {year}",
                hint="the panel lacks one of the two values that year",
            )
        return float(value)

    def trend(
        self,
        numerator: str,
        denominator: str,
        indicator: str,
        start: int | None = None,
        end: int | None = None,
        level: float = 0.95,
        *,
        allow_gaps: bool = False,
    ) -> RatioTrend:
        """OLS trend of the ratio per year over ``start``…``end`` (inclusive).

        The gap between two countries *widens* when the weaker/stronger ratio falls:
        ``widening`` is True when the upper bound of the slope's interval for
        weaker/stronger is below 0, False when its lower bound is above 0, and None when
        the interval includes 0. The weaker country is the one with the smaller mean
        value over the window. The slope, interval and p-value reported first are those
        of ``numerator / denominator`` as asked.

        Every year of the window must have a ratio: a fit over fewer years than asked
        would answer a different question (a gap at one end shortens the window, one in
        the middle changes the weight of the ends), so a gap raises :class:`DataError`
        naming the missing years unless ``allow_gaps=True``, which fits the years present
        and reports the others in ``missing_years``. An open bound (None) is the pair's
        first or last year with a ratio.

        Parameters
        ----------
        numerator, denominator : str
            ISO3 codes.
        indicator : str
            A panel indicator.
        start, end : int, optional
            First and last year of the window (inclusive).
        level : float
            Confidence level of the intervals.
        allow_gaps : bool
            Fit the years present when some of the window's years lack a ratio.

        Returns
        -------
        RatioTrend

        Raises
        ------
        ConfigError
            Unknown indicator or country, or ``level`` outside (0, 1).
        DataError
            A year of the window lacks a ratio (unless ``allow_gaps``), or fewer than three
            years have one.

        Examples
        --------
        >>> t = power_ratios().trend("RUS", "USA", "gdp_current_usd", 2008, 2017)
        >>> t.n, t.weaker, t.widening
        (10, 'RUS', None)
        >>> t  # doctest: +ELLIPSIS
        <RatioTrend RUS/USA gdp_current_usd 2008–2017 (10 years): slope -0.003528/yr, ... → the gap is inconclusive (weaker: RUS)>
        """
        if not 0.0 < level < 1.0:
            raise ConfigError(f"level must lie in (0, 1), got {level!r}")
        num, den = numerator.upper(), denominator.upper()
        rows = self._pair(num, den, indicator)
        if start is not None:
            rows = rows.filter(pl.col("year") >= start)
        if end is not None:
            rows = rows.filter(pl.col("year") <= end)
        window, missing = _window(rows, start, end, f"{num}/{den} {indicator}", allow_gaps)
        if rows.height < 2:
            raise DataError(
                f"{rows.height} years of {indicator} for {num}/{den} in "
                f"{start or 'first'}–{end or 'last'}; a slope needs at least 2",
                hint="widen the window",
            )
        years = rows["year"].to_numpy()
        ratio = rows["ratio"].to_numpy()
        slope, ci, p = _ols(years, ratio, level)
        num_weaker = float(rows["numerator_value"].mean() or 0.0) <= float(  # type: ignore[arg-type]
            rows["denominator_value"].mean() or 0.0  # type: ignore[arg-type]
        )
        if num_weaker:
            weaker, gap = num, (slope, ci, p)
        else:
            weaker = den
            gap = _ols(years, 1.0 / ratio, level)
        return RatioTrend(
            numerator=num,
            denominator=den,
            indicator=indicator,
            start=int(years.min()),
            end=int(years.max()),
            n=len(years),
            n_expected=len(window),
            missing_years=missing,
            slope=slope,
            conf_int=ci,
            pvalue=p,
            level=level,
            weaker=weaker,
            gap_slope=gap[0],
            gap_conf_int=gap[1],
            gap_pvalue=gap[2],
            widening=_widening(gap[1]),
        )

    def summary(self) -> str:
        """The latest ratio of every pair (numerator < denominator) and indicator."""
        f = self.frame
        if f.height == 0:
            return "PowerRatios: no ratios"
        latest = (
            f.filter(pl.col("numerator") < pl.col("denominator"))
            .sort("year")
            .group_by(["numerator", "denominator", "indicator"], maintain_order=True)
            .last()
            .sort("numerator", "denominator", "indicator")
        )
        lines = [f"PowerRatios: {', '.join(self.countries)} (latest year with both values)"]
        for r in latest.iter_rows(named=True):
            lines.append(
                f"  {r['numerator']}/{r['denominator']} {r['indicator']:<28} "
                f"{r['year']}: {r['ratio']:.4g}"
            )
        return "\n".join(lines)


def _window(
    rows: pl.DataFrame, start: int | None, end: int | None, what: str, allow_gaps: bool
) -> tuple[range, tuple[int, ...]]:
    """The years ``start``…``end`` asked for (an open bound: the first or last year of
    ``rows``) and those of them without a ratio; DataError on a gap unless ``allow_gaps``."""
    present = set(rows["year"].to_list())
    first = start if start is not None else min(present, default=None)
    last = end if end is not None else max(present, default=None)
    window = range(first, last + 1) if first is not None and last is not None else range(0)
    missing = tuple(y for y in window if y not in present)
    if missing and not allow_gaps:
        raise DataError(
            f"{what} covers {len(present)} of the {len(window)} years "
            f"{first}–{last}; missing {', '.join(map(str, missing))}",
            hint="narrow the window, fill the panel, or pass allow_gaps=True",
        )
    return window, missing


def _widening(gap_ci: tuple[float, float]) -> bool | None:
    """True when the weaker/stronger slope's interval lies below 0, False above, else None."""
    g_lo, g_hi = gap_ci
    if math.isnan(g_lo) or math.isnan(g_hi):
        return None
    return True if g_hi < 0 else (False if g_lo > 0 else None)


def _panel_frame(panel: Any) -> pl.DataFrame:
    if panel is None:
        from ..data.capabilities import load_panel

        panel = load_panel()
    if isinstance(panel, pa.Table):
        df = pl.from_arrow(panel)
    elif isinstance(panel, pl.DataFrame):
        df = panel
    else:
        try:
            df = pl.from_pandas(panel)
        except (TypeError, ValueError):
            raise ConfigError(
                f"cannot read a capability panel from a {type(panel).__name__}",
                hint="pass a pyarrow Table or polars DataFrame (iso3, year, indicator, value)",
            ) from None
    assert isinstance(df, pl.DataFrame)
    missing = [c for c in _PANEL_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            f"the capability panel lacks the columns {', '.join(missing)}",
            hint="use trilateral.data.capabilities.load_panel()",
        )
    if "unit" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("unit"))
    return df.select(
        pl.col("iso3").cast(pl.String).str.to_uppercase(),
        pl.col("year").cast(pl.Int32),
        pl.col("indicator").cast(pl.String),
        pl.col("value").cast(pl.Float64),
        pl.col("unit").cast(pl.String),
    )


def power_ratios(
    panel: Any = None,
    countries: Sequence[str] = DEFAULT_COUNTRIES,
    indicators: Sequence[str] | None = None,
) -> PowerRatios:
    """Capability ratios for every ordered pair of ``countries``, indicator and year.

    Parameters
    ----------
    panel : pyarrow.Table or polars.DataFrame, optional
        Long capability panel (iso3, year, indicator, value[, unit, source]); default
        :func:`trilateral.data.capabilities.load_panel`.
    countries : sequence of str
        ISO3 codes (at least two).
    indicators : sequence of str, optional
        Default: every indicator in the panel.

    Returns
    -------
    PowerRatios

    Examples
    --------
    >>> r = power_ratios(countries=("USA", "RUS"))
    >>> round(r.figure(2017, "RUS", "USA", "gdp_per_capita_current_usd"), 3)
    0.18
    """
    codes = tuple(dict.fromkeys(c.strip().upper() for c in countries))
    if len(codes) < 2:
        raise ConfigError("need at least two countries", hint="e.g. countries=('USA', 'RUS')")
    from ..data.capabilities import describe_panel, load_panel

    panel = load_panel() if panel is None else panel
    df = _panel_frame(panel).filter(pl.col("iso3").is_in(list(codes)))
    chosen = _chosen_indicators(df, indicators)
    df = df.filter(pl.col("indicator").is_in(list(chosen)))
    _check_unique(df)
    # A null (or NaN, or infinite) value is a missing value: no row, so that the year
    # shows as missing to figure() and trend(). Dropped after the duplicate check and the
    # choice of indicators, which see the panel as given.
    frame = _ratio_frame(df.filter(pl.col("value").is_not_null() & pl.col("value").is_finite()))
    return PowerRatios(
        frame=frame,
        countries=codes,
        indicators=chosen,
        provenance={
            "function": "trilateral.measure.power_ratios",
            "panel": describe_panel(panel),  # which panel: shipped, or merged with the user's
            "countries": list(codes),
            "indicators": list(chosen),
            "version": trilateral.__version__,
        },
    )


def _chosen_indicators(df: pl.DataFrame, indicators: Sequence[str] | None) -> tuple[str, ...]:
    """``indicators`` (default: every one in the panel), each checked to be in it."""
    present = sorted(df["indicator"].unique().to_list())
    if indicators is None:
        return tuple(present)
    chosen = tuple(dict.fromkeys(indicators))
    unknown = [i for i in chosen if i not in present]
    if unknown:
        raise ConfigError(
            f"indicators not in the panel: {', '.join(unknown)}",
            hint=f"available: {', '.join(present)}",
        )
    return chosen


def _check_unique(df: pl.DataFrame) -> None:
    """DataError when the panel holds two values for one country, year and indicator."""
    dups = df.group_by(["iso3", "year", "indicator"]).len().filter(pl.col("len") > 1)
    if dups.height:
        r = dups.row(0, named=True)
        raise DataError(
            f"the panel has {r['len']} values of {r['indicator']} for {r['iso3']} in {r['year']}",
            hint="keep one value per country, year and indicator",
        )


def _ratio_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every ordered pair's ratio per indicator and year, from the long panel ``df``."""
    num = df.rename({"iso3": "numerator", "value": "numerator_value"})
    den = df.drop("unit").rename({"iso3": "denominator", "value": "denominator_value"})
    return (
        num.join(den, on=["year", "indicator"], how="inner")
        .filter((pl.col("numerator") != pl.col("denominator")) & (pl.col("denominator_value") != 0))
        .with_columns((pl.col("numerator_value") / pl.col("denominator_value")).alias("ratio"))
        .filter(pl.col("ratio").is_not_null() & pl.col("ratio").is_finite())
        .select(
            "year",
            "numerator",
            "denominator",
            "indicator",
            "ratio",
            "numerator_value",
            "denominator_value",
            "unit",
        )
        .sort("indicator", "numerator", "denominator", "year")
    )
