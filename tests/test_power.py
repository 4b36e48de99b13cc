"""Power ratios (trilateral.measure._power): a hand-built panel, then the shipped panel
against the figures Feng (2019) quotes on the US–Russia power gap.

Run ``pytest tests/test_power.py -rP`` to see the comparison tables.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from scipy import stats

from trilateral.errors import ConfigError, DataError
from trilateral.measure._power import PowerRatios, power_ratios


def _panel(rows: list[tuple[str, int, str, float]]) -> pa.Table:
    iso3, year, indicator, value = zip(*rows, strict=True)
    return pa.table(
        {
            "iso3": list(iso3),
            "year": pa.array(year, pa.int32()),
            "indicator": list(indicator),
            "value": list(value),
            "unit": ["x"] * len(rows),
            "source": ["test"] * len(rows),
        }
    )


SMALL = _panel(
    [
        ("USA", 2000, "gdp", 100.0),
        ("RUS", 2000, "gdp", 10.0),
        ("CHN", 2000, "gdp", 40.0),
        ("USA", 2001, "gdp", 110.0),
        ("RUS", 2001, "gdp", 11.0),  # CHN missing in 2001
        ("USA", 2000, "milex", 5.0),
        ("RUS", 2000, "milex", 0.0),
        ("DEU", 2000, "gdp", 30.0),  # not among the countries
    ]
)


def test_every_ordered_pair_indicator_and_year() -> None:
    r = power_ratios(SMALL)
    f = r.frame
    assert f.columns[:5] == ["year", "numerator", "denominator", "indicator", "ratio"]
    gdp2000 = f.filter((pl.col("indicator") == "gdp") & (pl.col("year") == 2000))
    assert gdp2000.height == 6  # 3 × 2 ordered pairs
    assert r.figure(2000, "RUS", "USA", "gdp") == pytest.approx(0.1)
    assert r.figure(2000, "USA", "RUS", "gdp") == pytest.approx(10.0)
    assert r.figure(2000, "CHN", "RUS", "gdp") == pytest.approx(4.0)
    assert r.figure(2001, "rus", "usa", "gdp") == pytest.approx(0.1)
    # a missing value or a zero denominator gives no ratio, not a zero or an infinity
    assert f.filter((pl.col("year") == 2001) & (pl.col("numerator") == "CHN")).height == 0
    milex = f.filter(pl.col("indicator") == "milex")
    assert milex.select("numerator", "denominator", "ratio").rows() == [("RUS", "USA", 0.0)]
    assert "DEU" not in set(f["numerator"]) | set(f["denominator"])
    assert r.indicators == ("gdp", "milex")
    with pytest.raises(DataError, match="no gdp ratio CHN/USA for 2001"):
        r.figure(2001, "CHN", "USA", "gdp")
    assert "RUS/USA gdp" in r.summary() and isinstance(r, PowerRatios)


def test_inputs_and_errors() -> None:
    polars_panel = pl.from_arrow(SMALL)
    assert isinstance(polars_panel, pl.DataFrame)
    assert power_ratios(polars_panel).frame.equals(power_ratios(SMALL).frame)
    only = power_ratios(SMALL, countries=("USA", "RUS"), indicators=["gdp"])
    assert only.indicators == ("gdp",) and only.frame.height == 4
    with pytest.raises(ConfigError, match="not in the panel"):
        power_ratios(SMALL, indicators=["gnp"])
    with pytest.raises(ConfigError):
        power_ratios(SMALL, countries=("USA",))
    with pytest.raises(DataError, match="2 values of gdp for USA in 2000"):
        power_ratios(_panel([("USA", 2000, "gdp", 1.0), ("USA", 2000, "gdp", 2.0)]))
    with pytest.raises(DataError, match="lacks the columns"):
        power_ratios(pl.DataFrame({"iso3": ["USA"], "year": [2000]}))
    r = power_ratios(SMALL)
    with pytest.raises(ConfigError):
        r.figure(2000, "IND", "USA", "gdp")
    with pytest.raises(ConfigError):
        r.trend("RUS", "USA", "gnp")
    two = r.trend("RUS", "USA", "gdp")  # 2000 and 2001: a slope, no test
    assert two.n == 2 and not two.tested and two.verdict == "inconclusive"


def _trend_panel(slope: float, noise: float, seed: int) -> pa.Table:
    gen = np.random.default_rng(seed)
    rows = []
    for i, year in enumerate(range(2000, 2016)):
        ratio = 0.3 + slope * i + noise * gen.standard_normal()
        rows += [("USA", year, "gdp", 100.0), ("RUS", year, "gdp", 100.0 * ratio)]
    return _panel(rows)


def test_trend_slope_interval_and_widening() -> None:
    falling = power_ratios(_trend_panel(-0.01, 0.002, 1), countries=("USA", "RUS"))
    t = falling.trend("RUS", "USA", "gdp")
    assert (t.start, t.end, t.n) == (2000, 2015, 16)
    assert t.slope == pytest.approx(-0.01, abs=0.001)
    assert t.conf_int[0] < t.slope < t.conf_int[1] < 0 and t.pvalue < 1e-6
    assert t.weaker == "RUS" and t.widening is True
    assert (t.gap_slope, t.gap_conf_int) == (t.slope, t.conf_int)
    # the same gap seen from the stronger side: the ratio rises, the gap still widens
    inv = falling.trend("USA", "RUS", "gdp")
    assert inv.slope > 0 and inv.weaker == "RUS" and inv.widening is True
    assert inv.gap_slope == pytest.approx(t.slope)
    # a window: only those years
    w = falling.trend("RUS", "USA", "gdp", start=2005, end=2009)
    assert (w.start, w.end, w.n) == (2005, 2009, 5)
    rising = power_ratios(_trend_panel(0.01, 0.002, 2), countries=("USA", "RUS"))
    assert rising.trend("RUS", "USA", "gdp").widening is False
    flat = power_ratios(_trend_panel(0.0, 0.05, 3), countries=("USA", "RUS")).trend(
        "RUS", "USA", "gdp"
    )
    assert flat.conf_int[0] < 0 < flat.conf_int[1] and flat.widening is None
    assert "the gap is inconclusive" in flat.summary() and flat.verdict == "inconclusive"
    # a wider level gives a wider interval
    t99 = falling.trend("RUS", "USA", "gdp", level=0.99)
    assert t99.conf_int[0] < t.conf_int[0] and t99.conf_int[1] > t.conf_int[1]
    assert (t.n_expected, t.missing_years) == (16, ())


def test_trend_refuses_gaps_unless_allowed() -> None:
    """A window the panel does not cover year by year is not silently fitted on fewer
    years: DataError names the missing years; allow_gaps=True fits the rest and says so."""
    panel = pl.from_arrow(_trend_panel(-0.01, 0.002, 1))
    assert isinstance(panel, pl.DataFrame)
    # RUS lacks 2003; USA has 0 in 2007 (zero denominator: no ratio either)
    holed = panel.filter(~((pl.col("iso3") == "RUS") & (pl.col("year") == 2003))).with_columns(
        pl.when((pl.col("iso3") == "USA") & (pl.col("year") == 2007))
        .then(0.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    r = power_ratios(holed, countries=("USA", "RUS"))
    with pytest.raises(DataError, match="covers 8 of the 10 years 2000–2009; missing 2003, 2007"):
        r.trend("RUS", "USA", "gdp", 2000, 2009)
    with pytest.raises(DataError, match="missing 2016, 2017"):  # beyond the panel's last year
        r.trend("RUS", "USA", "gdp", 2010, 2017)
    t = r.trend("RUS", "USA", "gdp", 2000, 2009, allow_gaps=True)
    assert (t.start, t.end, t.n, t.n_expected, t.missing_years) == (2000, 2009, 8, 10, (2003, 2007))
    assert "8 years of 10; missing 2003, 2007" in t.summary()
    assert t.widening is True
    # an open window runs from the pair's first to its last year with a ratio
    with pytest.raises(DataError, match="2000–2015; missing 2003, 2007"):
        r.trend("RUS", "USA", "gdp")
    full = r.trend("RUS", "USA", "gdp", 2008, 2015)  # no gap there
    assert (full.n, full.n_expected, full.missing_years) == (8, 8, ())
    # fewer than five years: a slope, but no interval or p-value, and never a verdict
    short = r.trend("RUS", "USA", "gdp", 2002, 2004, allow_gaps=True)
    assert short.n == 2 and not short.tested and short.widening is None
    assert np.isnan(short.pvalue) and "fewer than 5 years" in str(short)
    four = r.trend("RUS", "USA", "gdp", 2008, 2011)
    assert four.n == 4 and four.verdict == "inconclusive" and np.isnan(four.conf_int[0])
    with pytest.raises(DataError, match="at least 2"):
        r.trend("RUS", "USA", "gdp", 2003, 2003, allow_gaps=True)


def test_null_values_are_missing_years() -> None:
    """A null (or NaN) panel value is a missing year, not a null ratio: trend() names the
    year, figure() raises DataError (not a TypeError from float(None))."""
    panel = pl.from_arrow(_trend_panel(-0.01, 0.002, 1))
    assert isinstance(panel, pl.DataFrame)
    holed = panel.with_columns(
        pl.when((pl.col("iso3") == "RUS") & (pl.col("year") == 2012))
        .then(None)
        .when((pl.col("iso3") == "USA") & (pl.col("year") == 2014))
        .then(float("nan"))
        .otherwise(pl.col("value"))
        .alias("value")
    )
    r = power_ratios(holed, countries=("USA", "RUS"))
    assert r.frame["ratio"].null_count() == 0 and r.frame["ratio"].is_finite().all()
    assert r.frame.filter(pl.col("year").is_in([2012, 2014])).height == 0
    with pytest.raises(DataError, match="covers 4 of the 6 years 2010–2015; missing 2012, 2014"):
        r.trend("RUS", "USA", "gdp", 2010, 2015)
    t = r.trend("RUS", "USA", "gdp", 2010, 2015, allow_gaps=True)
    assert (t.n, t.n_expected, t.missing_years) == (4, 6, (2012, 2014))
    # four years: fewer than five, so inconclusive whatever the slope
    assert np.isfinite(t.slope) and t.widening is None and not t.tested
    for year, num, den in ((2012, "RUS", "USA"), (2012, "USA", "RUS"), (2014, "RUS", "USA")):
        with pytest.raises(DataError, match=f"no gdp ratio {num}/{den} for {year}"):
            r.figure(year, num, den, "gdp")
    assert r.figure(2013, "RUS", "USA", "gdp") == pytest.approx(0.17, abs=0.01)
    # a null value is still a value of the panel for the duplicate check
    with pytest.raises(DataError, match="2 values of gdp for USA in 2000"):
        power_ratios(pl.concat([panel, panel.head(1).with_columns(pl.lit(None).alias("value"))]))


# --------------------------------------------------------------------------- the paper


@pytest.fixture(scope="module")
def shipped() -> PowerRatios:
    from trilateral.data.capabilities import load_panel

    return power_ratios(load_panel(), countries=("USA", "RUS"))


def _value(r: PowerRatios, iso3: str, year: int, indicator: str) -> float:
    rows = r.frame.filter(
        (pl.col("numerator") == iso3)
        & (pl.col("year") == year)
        & (pl.col("indicator") == indicator)
    )
    return float(rows["numerator_value"][0])


def test_paper_figures_against_the_shipped_panel(shipped: PowerRatios) -> None:
    """Each power-gap figure of Feng (2019), section "the power gap", against the panel.

    Paper figures (reference/feng-2019-us-russia-relations-and-china.txt, paragraph on the
    power gap, notes [6]–[10]); panel: World Bank WDI (GDP, GDP per capita, current US$)
    and SIPRI (military expenditure, current US$), as shipped in capabilities.csv.
    Each row: claim, paper value, panel value, agrees (within 3 %), why they differ.
    """
    r = shipped
    rus_gdp_17 = _value(r, "RUS", 2017, "gdp_current_usd")
    us_gdp_17 = _value(r, "USA", 2017, "gdp_current_usd")
    rus_pc_16 = _value(r, "RUS", 2016, "gdp_per_capita_current_usd")
    rus_milex = {y: _value(r, "RUS", y, "milex_current_usd") for y in range(2008, 2019)}
    us_gdp = {y: _value(r, "USA", y, "gdp_current_usd") for y in range(2009, 2018)}
    nominal_growth = [us_gdp[y] / us_gdp[y - 1] - 1 for y in range(2010, 2018)]
    rows = [
        # (claim, paper, panel, explanation when they differ)
        ("US GDP 2017, $trn", 19.7, us_gdp_17 / 1e12, ""),
        (
            "RUS GDP 2017 / US, %",
            6.6,
            100 * r.figure(2017, "RUS", "USA", "gdp_current_usd"),
            "the paper sets Russia at ~$1.3 trn (its 2015–16 level); WDI has $1.57 trn for "
            "2017 after the rouble's recovery. 2016 in the panel: "
            f"{100 * r.figure(2016, 'RUS', 'USA', 'gdp_current_usd'):.1f} %",
        ),
        (
            "RUS GDP per capita 2017 / US, %",
            15.0,
            100 * r.figure(2017, "RUS", "USA", "gdp_per_capita_current_usd"),
            "'less than $9,000' is Russia's 2016 value (panel 2016: "
            f"${rus_pc_16:,.0f}, ratio "
            f"{100 * r.figure(2016, 'RUS', 'USA', 'gdp_per_capita_current_usd'):.1f} %); "
            "the 2017 value is $10,743",
        ),
        (
            "RUS defence / US, %",
            7.2,
            100 * r.figure(2018, "RUS", "USA", "milex_current_usd"),
            "paper: Russia's 2018 budget line ($46 bn, TASS) over the US FY2018 request "
            "($639.1 bn, DoD); SIPRI counts actual outlays, calendar years and more items "
            "(RUS $61.6 bn, US $682.5 bn in 2018)",
        ),
        (
            "RUS milex 2015, $bn (the 'peak')",
            66.4,
            rus_milex[2015] / 1e9,
            "the value agrees, but 2015 is no peak in SIPRI current US$: "
            f"2013 ${rus_milex[2013] / 1e9:.1f} bn, 2016 ${rus_milex[2016] / 1e9:.1f} bn",
        ),
        (
            "RUS GDP, $trn ('stagnant at ~1.3')",
            1.3,
            rus_gdp_17 / 1e12,
            "~$1.3 trn holds for 2015 ($1.36 trn) and 2016 ($1.28 trn) only; 2008–2017 "
            f"ranges ${min(_value(r, 'RUS', y, 'gdp_current_usd') for y in range(2008, 2018)) / 1e12:.2f}"
            f"–{max(_value(r, 'RUS', y, 'gdp_current_usd') for y in range(2008, 2018)) / 1e12:.2f} trn",
        ),
        (
            "US GDP growth 2010–2017, max %",
            3.0,
            100 * max(nominal_growth),
            "the paper means real (constant-price) growth; the panel has current US$ only, "
            "so this is nominal growth (inflation included) and cannot test the claim",
        ),
    ]
    lines = [f"{'claim':<36} {'paper':>7} {'panel':>8}  agrees  notes"]
    verdicts = {}
    for claim, paper, panel, why in rows:
        agrees = abs(panel / paper - 1) <= 0.03
        verdicts[claim] = agrees
        lines.append(
            f"{claim:<36} {paper:>7.2f} {panel:>8.2f}  {'yes' if agrees else 'no':<6}  {why}"
        )
    print("\n" + "\n".join(lines))

    # What the panel says (World Bank WDI / SIPRI 2023 vintages in capabilities.csv):
    assert us_gdp_17 / 1e12 == pytest.approx(19.61, abs=0.01)  # WDI NY.GDP.MKTP.CD 2017
    assert r.figure(2017, "RUS", "USA", "gdp_current_usd") == pytest.approx(0.0803, abs=5e-4)
    assert r.figure(2016, "RUS", "USA", "gdp_current_usd") == pytest.approx(0.0679, abs=5e-4)
    assert r.figure(2017, "RUS", "USA", "gdp_per_capita_current_usd") == pytest.approx(
        0.1805, abs=5e-4
    )
    assert r.figure(2016, "RUS", "USA", "gdp_per_capita_current_usd") == pytest.approx(
        0.1519, abs=5e-4
    )
    assert rus_pc_16 < 9000  # the paper's "less than $9,000" is the 2016 value
    assert r.figure(2018, "RUS", "USA", "milex_current_usd") == pytest.approx(0.0903, abs=5e-4)
    # (the paper's 7.2 % is its own 46 / 639.1; the check is the panel's figure above)
    assert rus_milex[2015] / 1e9 == pytest.approx(66.4, abs=0.05)  # SIPRI current US$, 2015
    # …but 2015 is no peak in SIPRI's current-US$ series: 2013 and 2016 are higher
    assert max(rus_milex, key=rus_milex.__getitem__) == 2013
    assert rus_milex[2016] > rus_milex[2015]
    assert all(0.025 < g < 0.045 for g in nominal_growth)  # nominal, not the paper's real
    assert verdicts == {
        "US GDP 2017, $trn": True,
        "RUS GDP 2017 / US, %": False,
        "RUS GDP per capita 2017 / US, %": False,
        "RUS defence / US, %": False,
        "RUS milex 2015, $bn (the 'peak')": True,
        "RUS GDP, $trn ('stagnant at ~1.3')": False,
        "US GDP growth 2010–2017, max %": False,
    }


def test_paper_gap_trends_on_the_shipped_panel(shipped: PowerRatios) -> None:
    """Did the RUS/US gap widen over 2008–2017, the decade the paper describes?"""
    expected = {  # what the panel gives (OLS of the ratio on the year, 95 % HAC interval)
        "gdp_current_usd": None,  # falls after 2013, rose before: no linear trend
        "gdp_per_capita_current_usd": None,
        "milex_current_usd": None,
        "milex_constant_2022_usd": False,  # Russia's real spending grew faster: narrowing
    }
    lines = []
    for indicator, verdict in expected.items():
        t = shipped.trend("RUS", "USA", indicator, 2008, 2017)
        lines.append(t.summary())
        assert t.n == t.n_expected == 10 and t.weaker == "RUS"
        assert t.widening is verdict, t.summary()
    print("\n" + "\n".join(lines))


def _newey_west(
    years: np.ndarray, y: np.ndarray, level: float
) -> tuple[float, float, float, float]:
    """OLS slope of ``y`` on year with Newey–West (1987) standard errors, by hand: Bartlett
    weights 1 − l/(L + 1), L = floor(4 (n/100)^(2/9)) (Newey & West 1994), the small-sample
    factor n/(n − 2), t distribution with n − 2 df. Returns slope, interval, p."""
    n = len(y)
    x = np.column_stack([np.ones(n), years - years.mean()])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    u = x * (y - x @ beta)[:, None]
    lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
    s = u.T @ u
    for lag in range(1, lags + 1):
        g = u[lag:].T @ u[:-lag]
        s = s + (1 - lag / (lags + 1)) * (g + g.T)
    v = xtx_inv @ (s * n / (n - 2)) @ xtx_inv
    se = float(np.sqrt(v[1, 1]))
    half = float(stats.t.ppf(0.5 + level / 2, n - 2)) * se
    p = float(2 * stats.t.sf(abs(beta[1] / se), n - 2))
    return float(beta[1]), float(beta[1] - half), float(beta[1] + half), p


def test_trend_uses_newey_west_errors(shipped: PowerRatios) -> None:
    """The shipped panel's RUS/USA military spending 2008–2017 (SIPRI, current US$): the
    HAC interval and p-value equal a hand Newey–West computation, and differ from plain
    OLS (serially correlated yearly ratios)."""
    f = shipped.frame.filter(
        (pl.col("numerator") == "RUS")
        & (pl.col("denominator") == "USA")
        & (pl.col("indicator") == "milex_current_usd")
        & pl.col("year").is_between(2008, 2017)
    ).sort("year")
    years, ratio = f["year"].to_numpy().astype(float), f["ratio"].to_numpy()
    slope, lo, hi, p = _newey_west(years, ratio, 0.95)
    t = shipped.trend("RUS", "USA", "milex_current_usd", 2008, 2017)
    assert t.slope == pytest.approx(slope, rel=1e-9)
    assert t.conf_int == pytest.approx((lo, hi), rel=1e-9)
    assert t.pvalue == pytest.approx(p, rel=1e-9)
    plain = stats.linregress(years, ratio)
    assert t.pvalue != pytest.approx(plain.pvalue, rel=1e-3)
