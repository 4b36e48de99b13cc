"""Claims of Feng (2019): the YAML, the runner, and every verdict recomputed independently.

The independent recomputations read the shipped capability CSV with the csv module (the
power-gap trends with a plain numpy OLS and scipy's t quantile), the shipped UNGA table
with the csv module, and the event store with raw DuckDB SQL — never through the claims
runner or the measure stage (no power_ratios, match_tit_for_tat or indices here).
"""

from __future__ import annotations

import csv
import math
import re
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import stats

from trilateral.diagnose import (
    CONTRADICTED,
    INCONCLUSIVE,
    NOT_ENOUGH_DATA,
    SUPPORTED,
    WITHIN_TOLERANCE,
    Claim,
    load_claims,
    run_claims,
)
from trilateral.diagnose._claim_model import judge
from trilateral.errors import ConfigError

PAPER = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "feng-2019-us-russia-relations-and-china.txt"
)
FILES = resources.files("trilateral.data") / "_files"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\\$", "$")).strip()


def test_at_least_fifteen_claims_with_the_required_ones():
    claims = load_claims()
    assert len(claims) >= 15
    ids = {c.id for c in claims}
    for required in (
        "rus-us-gdp-ratio-2017",
        "rus-gdp-per-capita-2017",
        "rus-us-gdp-per-capita-ratio-2017",
        "us-defence-fy2018",
        "rus-defence-2018",
        "rus-us-defence-ratio-2018",
        "rus-defence-2015",
        "us-real-growth-2010-2017",
        "rus-gdp-level",
        "expulsions-60-for-60",
        "usa-rus-sanctions-widening",
        "usa-rus-limited-opponents",
        "power-gap-gdp",
        "usa-rus-low-until-2020",
        "chn-rus-positive",
        "usa-chn-trade-war",
    ):
        assert required in ids


@pytest.mark.skipif(not PAPER.is_file(), reason="reference paper not present")
def test_every_quote_is_copied_from_the_paper():
    paper = _norm(PAPER.read_text(encoding="utf-8"))
    for c in load_claims():
        assert _norm(c.quote) in paper, c.id


def test_judge():
    assert judge(8.03, {"value": 6.6, "tolerance": 0.182}) is False
    assert judge(6.7, {"value": 6.6, "tolerance": 0.182}) is True
    assert judge(59532, {"greater_than": 60000, "tolerance": 1200}) is True
    assert judge(10743, {"less_than": 9000, "tolerance": 180}) is False
    assert judge([1.6, 2.9], {"between": [1.5, 3.0]}) is True
    assert judge([1.6, 3.1], {"between": [1.5, 3.0]}) is False
    assert judge(-0.1, {"direction": "decrease"}) and not judge(0.0, {"direction": "decrease"})
    assert judge(2017, {"in": [2017, 2018]}) and not judge(2014, {"in": [2017, 2018]})
    assert judge("limited opponents", {"equals": "limited opponents"})


def test_bad_claims_file(tmp_path):
    bad = tmp_path / "c.yaml"
    doc = {
        "claims": [
            {
                "id": "x",
                "quote": "q",
                "indicator": "nope",
                "window": ["2017-01-01", "2017-12-31"],
                "expected": {"value": 1},
                "source": "s",
            }
        ]
    }
    bad.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match="unknown indicator"):
        load_claims(bad)
    doc["claims"][0]["indicator"] = "panel_value"
    doc["claims"][0]["expected"] = {"value": 1, "less_than": 2}
    bad.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match="exactly one"):
        load_claims(bad)
    with pytest.raises(ConfigError):
        run_claims(ids=["no-such-claim"])


# --------------------------------------------------------------------------- panel


def _panel() -> dict[tuple[str, str, int], float]:
    with (FILES / "capabilities.csv").open(encoding="utf-8") as fh:
        return {
            (r["iso3"], r["indicator"], int(r["year"])): float(r["value"])
            for r in csv.DictReader(fh)
            if r["value"]
        }


def _v(ok: bool) -> str:
    return SUPPORTED if ok else CONTRADICTED


def _bound(value: float, strict: bool, with_tolerance: bool) -> str:
    """A strict bound met outright is supported; met only through the tolerance, within
    tolerance (never plain supported); missed even with it, contradicted."""
    if strict:
        return SUPPORTED
    return WITHIN_TOLERANCE if with_tolerance else CONTRADICTED


def _gap_trend(
    p: dict[tuple[str, str, int], float], weak: str, strong: str, ind: str, y0: int, y1: int
) -> tuple[float, float, float, float]:
    """OLS of value(weak)/value(strong) on year with Newey–West standard errors, by hand:
    Bartlett weights 1 − l/(L + 1), L = floor(4 (n/100)^(2/9)), small-sample factor
    n/(n − 2), t with n − 2 df. Slope, 95 % interval, p; NaN interval under 5 years."""
    years = np.arange(y0, y1 + 1, dtype=float)
    assert np.mean([p[(weak, ind, int(y))] for y in years]) < np.mean(
        [p[(strong, ind, int(y))] for y in years]
    )  # the numerator is the weaker country, so the ratio itself is the gap
    r = np.array([p[(weak, ind, int(y))] / p[(strong, ind, int(y))] for y in years])
    n = len(r)
    x = np.column_stack([np.ones(n), years - years.mean()])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ r
    if n < 5:
        return float(beta[1]), math.nan, math.nan, math.nan
    u = x * (r - x @ beta)[:, None]
    lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
    s = u.T @ u
    for lag in range(1, lags + 1):
        g = u[lag:].T @ u[:-lag]
        s = s + (1 - lag / (lags + 1)) * (g + g.T)
    se = float(np.sqrt((xtx_inv @ (s * n / (n - 2)) @ xtx_inv)[1, 1]))
    half = float(stats.t.ppf(0.975, n - 2)) * se
    pvalue = float(2 * stats.t.sf(abs(beta[1] / se), n - 2))
    return float(beta[1]), float(beta[1] - half), float(beta[1] + half), pvalue


def _trend_verdict(lo: float, hi: float) -> str:
    """Widening (interval below 0) supported; narrowing contradicted; an interval across 0,
    or none (fewer than 5 years), inconclusive."""
    if math.isnan(lo):
        return INCONCLUSIVE
    return SUPPORTED if hi < 0 else CONTRADICTED if lo > 0 else INCONCLUSIVE


def _independent_panel_verdicts() -> dict[str, str]:
    p = _panel()
    gdp = lambda c, y: p[(c, "gdp_current_usd", y)]  # noqa: E731
    pc = lambda c, y: p[(c, "gdp_per_capita_current_usd", y)]  # noqa: E731
    mil = lambda c, y: p[(c, "milex_current_usd", y)]  # noqa: E731
    rus_peak = max(range(2010, 2019), key=lambda y: mil("RUS", y))
    cagr = (gdp("RUS", 2017) / gdp("RUS", 2008)) ** (1 / 9) - 1
    return {
        # paper: $19.7 trillion [7]; WB 2017: 19.61
        "us-gdp-2017": _v(abs(gdp("USA", 2017) / 1e12 - 19.7) <= 0.444),
        "rus-gdp-level": _v(abs(gdp("RUS", 2017) / 1e12 - 1.3) <= 0.076),
        "rus-gdp-stagnant": _v(-0.02 <= cagr <= 0.02),
        # paper: 6.6 %; WB 2017: 8.0 %
        "rus-us-gdp-ratio-2017": _v(abs(100 * gdp("RUS", 2017) / gdp("USA", 2017) - 6.6) <= 0.182),
        # WB 2017: $10,743 against "less than $9,000"
        "rus-gdp-per-capita-2017": _bound(
            pc("RUS", 2017), pc("RUS", 2017) < 9000, pc("RUS", 2017) < 9000 + 180
        ),
        "rus-us-gdp-per-capita-ratio-2017": _v(
            abs(100 * pc("RUS", 2017) / pc("USA", 2017) - 15) <= 0.8
        ),
        # WB 2017: $59,532 against "more than $60,000": below it, within the 2 % tolerance
        "us-gdp-per-capita-2017": _bound(
            pc("USA", 2017), pc("USA", 2017) > 60000, pc("USA", 2017) > 60000 - 1200
        ),
        # paper: $639.1bn, the DoD's FY2018 budget request [9]; SIPRI 2018: 682.5, calendar
        # outlays — another quantity, so never "contradicted": not comparable. The same
        # for Russia's budget chapter ($46bn [10]) and the ratio of the two budgets.
        "us-defence-fy2018": "not comparable",
        "rus-defence-2018": "not comparable",
        "rus-us-defence-ratio-2018": "not comparable",
        # paper: $66.4bn in 2015 [10]; SIPRI 2015: 66.42
        "rus-defence-2015": _v(abs(mil("RUS", 2015) / 1e9 - 66.4) <= 1.38),
        "rus-defence-peak-year": _v(rus_peak == 2015),
        # no real GDP in the panel
        "us-real-growth-2010-2017": (
            NOT_ENOUGH_DATA if ("USA", "gdp_constant_usd", 2017) not in p else "recompute"
        ),
        # the paper: "from 2008 to 2017" (economy) and "at the peak in 2015 to $46 billion"
        # (2018 budget): OLS trend of the RUS/USA ratio over those windows
        "power-gap-gdp": _trend_verdict(
            *_gap_trend(p, "RUS", "USA", "gdp_current_usd", 2008, 2017)[1:3]
        ),
        "power-gap-military": _trend_verdict(
            *_gap_trend(p, "RUS", "USA", "milex_current_usd", 2015, 2018)[1:3]
        ),
    }


def _independent_unga_verdicts() -> dict[str, str]:
    with (FILES / "unga_alignment.csv").open(encoding="utf-8") as fh:
        vals = [
            float(r["agreement"])
            for r in csv.DictReader(fh)
            if {r["country_a"], r["country_b"]} == {"USA", "RUS"} and r["year"] in ("2017", "2018")
        ]
    mean = sum(vals) / len(vals)  # Voeten et al. UNGA votes: 0.27 (2017), 0.20 (2018)
    return {
        "usa-rus-unga-differences": _v(mean < 0.5),
        "rus-accepted-western-values": _v(mean > 0.5),
    }


@pytest.fixture(scope="module")
def report_without_store():
    return run_claims()


def test_panel_and_unga_verdicts_match_independent_recomputation(report_without_store):
    expected = _independent_panel_verdicts() | _independent_unga_verdicts()
    for cid, verdict in expected.items():
        assert report_without_store[cid].verdict == verdict, cid
    # the headline numbers the report shows, as the sources give them
    r = report_without_store
    assert r["rus-us-gdp-ratio-2017"].measured == pytest.approx(8.027, abs=0.001)
    assert r["rus-defence-2015"].measured == pytest.approx(66.42, abs=0.01)
    assert r["us-defence-fy2018"].measured == pytest.approx(682.49, abs=0.01)
    assert r["rus-defence-peak-year"].measured == 2013
    assert "nominal_growth" in r["us-real-growth-2010-2017"].figures
    # World Bank GDP, RUS/USA 2008–2017, OLS with Newey–West errors by hand: slope
    # −0.0035/yr, 95 % interval (−0.0099, 0.0028), p = 0.23 — inconclusive, with the interval
    slope, lo, hi, pvalue = _gap_trend(_panel(), "RUS", "USA", "gdp_current_usd", 2008, 2017)
    g = r["power-gap-gdp"]
    assert g.figures["slope"] == pytest.approx(slope, rel=1e-9)
    assert g.figures["conf_int"] == pytest.approx([lo, hi], rel=1e-9)
    assert g.figures["pvalue"] == pytest.approx(pvalue, rel=1e-6)
    assert slope == pytest.approx(-0.00353, abs=1e-5) and pvalue == pytest.approx(0.23, abs=0.01)
    assert g.verdict == INCONCLUSIVE
    # the expectation reads as the indicator measures: one average, each year's growth
    assert r["rus-gdp-stagnant"].claim.expected_text() == "in [-2, 2]"
    assert r["us-real-growth-2010-2017"].claim.expected_text() == "each in [1.5, 3]"
    # World Bank NY.GDP.PCAP.CD 2017 for the US: $59,532, below the paper's "more than
    # $60,000" but within its 2 % tolerance — shown as such, never plain supported
    pc = r["us-gdp-per-capita-2017"]
    assert round(pc.measured) == 59532 and pc.verdict == WITHIN_TOLERANCE
    assert "not distinguishable from zero at the 95 % level" in g.note
    assert f"HAC interval ({lo:+.4f}, {hi:+.4f})" in g.note
    # SIPRI 2015–2018 is four years: too short to test, inconclusive without a p-value
    m = r["power-gap-military"]
    assert m.verdict == INCONCLUSIVE and "fewer than 5" in m.note and m.figures["n"] == 4


def _trend_claim(window: tuple[str, str]) -> Claim:
    return Claim.model_validate(
        {
            "id": "gap",
            "quote": "q",
            "indicator": "power_gap_trend",
            "params": {"a": "RUS", "b": "USA", "indicator": "gdp_current_usd"},
            "window": list(window),
            "expected": {"equals": "widening"},
            "source": "synthetic",
        }
    )


@pytest.mark.parametrize(
    ("rus", "verdict", "measured"),
    [
        ([10.0, 9.0, 8.1, 7.0, 6.0], SUPPORTED, "widening"),  # RUS/USA falls
        ([6.0, 7.1, 8.0, 9.0, 10.0], CONTRADICTED, "narrowing"),  # rises
        ([8.0, 9.0, 7.0, 9.0, 8.0], INCONCLUSIVE, None),  # no trend
    ],
)
def test_power_gap_three_way_rule(rus, verdict, measured):
    panel = pl.DataFrame(
        {
            "iso3": ["USA"] * 5 + ["RUS"] * 5,
            "year": list(range(2010, 2015)) * 2,
            "indicator": "gdp_current_usd",
            "value": [100.0] * 5 + rus,
        }
    )
    claim = _trend_claim(("2010-01-01", "2014-12-31"))
    r = run_claims(panel=panel, claims=[claim])["gap"]
    assert (r.verdict, r.measured) == (verdict, measured)
    # a window the panel does not cover year by year: PowerRatios.trend raises DataError
    # naming the missing years, and the claim has not enough data
    short = run_claims(panel=panel, claims=[_trend_claim(("2010-01-01", "2016-12-31"))])["gap"]
    assert short.verdict == NOT_ENOUGH_DATA
    assert "covers 5 of the 7 years 2010–2016; missing 2015, 2016" in short.note
    holed = run_claims(panel=panel.filter(pl.col("year") != 2012), claims=[claim])["gap"]
    assert holed.verdict == NOT_ENOUGH_DATA and "missing 2012" in holed.note


def test_event_claims_need_a_store(report_without_store):
    r = report_without_store["usa-rus-limited-opponents"]
    assert r.verdict == NOT_ENOUGH_DATA and "no event store" in r.note


def test_report_views(report_without_store):
    df = report_without_store.to_frame()
    assert df.height == len(load_claims())
    assert set(df["verdict"].unique()) <= {
        SUPPORTED,
        INCONCLUSIVE,
        WITHIN_TOLERANCE,
        CONTRADICTED,
        NOT_ENOUGH_DATA,
        "not comparable",
    }
    d = report_without_store.to_dict()
    assert sum(d["counts"].values()) == df.height
    assert "contradicted" in report_without_store.summary()


# --------------------------------------------------------------------------- events


@pytest.fixture(scope="module")
def chronicle_store(tmp_path_factory):
    from trilateral.data.store import EventStore

    chron = FILES / "chronicle.csv"
    if not chron.is_file():
        pytest.skip("chronicle not shipped yet")
    path = tmp_path_factory.mktemp("claims") / "chronicle.duckdb"
    with EventStore.open(path) as store:
        store.ingest(Path(str(chron)))
    return path


@pytest.fixture(scope="module")
def report_with_store(chronicle_store):
    # n_boot=0: the point verdicts, which the raw SQL below recomputes; the intervals and
    # the inconclusive rule have tests of their own (tests/test_claims_uncertainty.py)
    return run_claims(store=chronicle_store, n_boot=0)


MIN = 5  # run_claims' min_events: the fewest acts a window (or a year) may hold

#: One act per day, source, target and CAMEO code (the act layer, docs/measure.md): its
#: Goldstein score the mean of its rows', its arena and quad class those of its first
#: row by event id, its magnitude the largest of its rows'.
ACTS_SQL = """
    SELECT min(e.event_id) AS event_id, e.date, e.source, e.target, e.cameo,
           avg(e.goldstein) AS goldstein, arg_min(e.arena, e.event_id) AS arena,
           arg_min(e.quad_class, e.event_id) AS quad_class, max(x.magnitude) AS magnitude
    FROM events e
    LEFT JOIN (SELECT event_id, max(magnitude) AS magnitude FROM event_extras GROUP BY 1) x
      USING (event_id)
    GROUP BY e.date, e.source, e.target, e.cameo
"""


def _families() -> dict[str, str]:
    """measure/_files/cameo_families.csv read with the csv module (the documented table)."""
    path = resources.files("trilateral.measure") / "_files" / "cameo_families.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["prefix"]: r["family"] for r in csv.DictReader(fh)}


def _family_of(code: str) -> str | None:
    table = _families()
    for n in range(len(code), 0, -1):
        if code[:n] in table:
            return table[code[:n]]
    return None


def _q(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()


def _mean(con, a, b, d0, d1, arena=None):
    """Mean Goldstein score over the acts of a dyad (both directions) and their count."""
    arena_sql = "AND arena = ?" if arena else ""
    rows = _q(
        con,
        f"SELECT avg(goldstein), count(*) FROM ({ACTS_SQL}) WHERE ((source = ? AND target = ?) "
        f"OR (source = ? AND target = ?)) AND date BETWEEN ? AND ? {arena_sql}",
        [a, b, b, a, d0, d1, *([arena] if arena else [])],
    )
    return rows[0]


def _answered(con, actor, responder, d0, d1, lag, arena, prefixes, same_magnitude):
    """Share of the actor's hostile acts answered in kind: raw SQL rows, a plain greedy pass.

    Acts (``ACTS_SQL``) in time order (ties by id) each take the responder's earliest
    hostile act not yet taken, in the same arena and CAMEO family (the documented family
    table, read here with the csv module), 1 to ``lag`` days later. With
    ``same_magnitude`` the pair counts only if both magnitudes are equal where both are
    known (and the act's is not 0).
    """
    pre = " OR ".join("starts_with(e.cameo, ?)" for _ in prefixes) or "TRUE"
    sql = f"""
        SELECT e.event_id, e.date, e.cameo, e.magnitude FROM ({ACTS_SQL}) e
        WHERE e.source = ? AND e.target = ? AND e.arena = ? AND e.quad_class >= 3
          AND e.date BETWEEN ? AND ? AND ({{pre}})
        ORDER BY e.date, e.event_id
    """
    acts = [
        (i, d, _family_of(c), m)
        for i, d, c, m in _q(con, sql.format(pre=pre), [actor, responder, arena, d0, d1, *prefixes])
    ]
    replies = [
        (i, d, _family_of(c), m)
        for i, d, c, m in _q(
            con, sql.format(pre="TRUE"), [responder, actor, arena, d0, d1 + timedelta(days=lag)]
        )
    ]
    used: set[str] = set()
    k = 0
    for _, day, family, mag in acts:
        for rid, rday, rfamily, rmag in replies:
            if rid in used or rfamily != family or not 0 < (rday - day).days <= lag:
                continue
            used.add(rid)
            k += not same_magnitude or mag is None or mag == 0 or rmag is None or rmag == mag
            break
    return k / len(acts) if acts else None


def _view(path, where: str = "TRUE") -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``events`` are the store's rows matching ``where``."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS src (READ_ONLY)")
    con.execute(f"CREATE VIEW events AS SELECT * FROM src.events WHERE {where}")
    con.execute("CREATE VIEW event_extras AS SELECT * FROM src.event_extras")
    return con


#: The chronicle rows the paper itself documents: their citation starts "Feng 2019"
#: (data/_files/CHRONICLE.md, "Provenance"); 40 of the 435 rows.
NOT_THE_PAPER = "NOT coalesce(url_or_citation, '') LIKE 'Feng 2019%'"
#: The paper-only rows: a paper citation with no second source (the chronicle separates
#: a further source with ";"), 9 of the 40.
NOT_PAPER_ONLY = (
    "NOT (coalesce(url_or_citation, '') LIKE 'Feng 2019%' "
    "AND coalesce(url_or_citation, '') NOT LIKE '%;%')"
)
#: Without every row of an event the paper names: its day and country pair (either
#: direction) as a chronicle row citing the paper gives them.
NOT_PAPER_EVENTS = (
    "NOT EXISTS (SELECT 1 FROM src.events AS p WHERE p.dataset = 'chronicle' "
    "AND p.url_or_citation LIKE 'Feng 2019%' AND p.date = events.date "
    "AND least(p.source, p.target) = least(events.source, events.target) "
    "AND greatest(p.source, p.target) = greatest(events.source, events.target))"
)


def _circular_rule(full: str, without_only: str, without_events: str) -> str:
    """A base's verdict: circular when leaving out the paper-only rows changes it, else
    paper-selected when leaving out the rows of the paper's events changes it."""
    if full != without_only:
        return "circular"
    return full if full == without_events else "paper-selected"


def _independent_event_verdicts(con) -> dict[str, str]:
    try:
        out: dict[str, str] = {}
        arenas = ("diplomatic", "economic", "information", "military", "political")
        hostile = 0
        ((n_window,),) = _q(
            con,
            f"SELECT count(*) FROM ({ACTS_SQL}) WHERE least(source, target) = 'RUS' AND "
            "greatest(source, target) = 'USA' AND date BETWEEN ? AND ?",
            [date(2017, 1, 1), date(2018, 12, 31)],
        )
        for ar in arenas:
            ((net, n),) = _q(
                con,
                "SELECT avg(CASE WHEN quad_class <= 2 THEN 1.0 ELSE -1.0 END), count(*) "
                "FROM ({acts}) WHERE {pair} AND arena = ? AND date BETWEEN ? AND ?".format(
                    acts=ACTS_SQL,
                    pair="least(source, target) = 'RUS' AND greatest(source, target) = 'USA'",
                ),
                [ar, date(2017, 1, 1), date(2018, 12, 31)],
            )
            hostile += n >= 3 and net < 0
        out["usa-rus-many-fields"] = NOT_ENOUGH_DATA if n_window < MIN else _v(hostile >= 3)
        before, nb = _mean(con, "USA", "RUS", date(2016, 1, 1), date(2016, 12, 31))
        after, na = _mean(con, "USA", "RUS", date(2017, 1, 1), date(2018, 12, 31))
        out["usa-rus-deteriorated"] = NOT_ENOUGH_DATA if min(nb, na) < MIN else _v(after < before)
        yearly = {
            y: _mean(con, "USA", "RUS", date(y, 1, 1), date(y, 12, 31)) for y in range(2014, 2020)
        }
        if any(n < MIN for _, n in yearly.values()):  # every year needs MIN events
            out["usa-rus-lowest-point"] = NOT_ENOUGH_DATA
        else:
            lowest = min(yearly, key=lambda y: yearly[y][0])
            out["usa-rus-lowest-point"] = _v(lowest in (2017, 2018))
        mags = dict(
            _q(
                con,
                f"SELECT year(date), sum(coalesce(magnitude, 1)) FROM ({ACTS_SQL}) "
                "WHERE source = 'USA' AND target = 'RUS' "
                "AND cameo LIKE '163%' AND year(date) IN (2017, 2018) GROUP BY 1",
            )
        )
        if not mags:  # no sanctions act in either year
            out["usa-rus-sanctions-widening"] = NOT_ENOUGH_DATA
        else:
            out["usa-rus-sanctions-widening"] = _v(mags.get(2018, 0) > mags.get(2017, 0))
        prefixes = ["16", "17", "12"]
        tft = {
            "expulsions-60-for-60": (
                (date(2018, 3, 26), date(2018, 3, 31), 14, "diplomatic", prefixes, True),
                lambda share: share == 1.0,
            ),
            "expulsions-delayed-revenge": (
                (date(2016, 12, 1), date(2016, 12, 31), 240, "diplomatic", prefixes, False),
                lambda share: share == 1.0,
            ),
            "media-war": (
                (date(2017, 11, 1), date(2017, 11, 30), 30, "information", [], False),
                lambda share: share > 0.5,
            ),
        }
        for cid, (args, meets) in tft.items():
            share = _answered(con, "USA", "RUS", *args)
            out[cid] = NOT_ENOUGH_DATA if share is None else _v(meets(share))
        thin = any(yearly[y][1] < MIN for y in (2018, 2019))
        out["usa-rus-low-until-2020"] = (
            NOT_ENOUGH_DATA if thin else _v(max(yearly[y][0] for y in (2018, 2019)) < 0)
        )
        m, n = _mean(con, "CHN", "RUS", date(2017, 1, 1), date(2019, 12, 31))
        out["chn-rus-positive"] = NOT_ENOUGH_DATA if n < MIN else _v(m > 0)
        b, nb = _mean(con, "USA", "CHN", date(2017, 1, 1), date(2017, 12, 31), "economic")
        a, na = _mean(con, "USA", "CHN", date(2018, 1, 1), date(2019, 12, 31), "economic")
        out["usa-chn-trade-war"] = NOT_ENOUGH_DATA if min(nb, na) < MIN else _v(a < b)
        return out
    finally:
        con.close()


def _three_views(path, where: str = "TRUE") -> tuple[dict, dict, dict]:
    """Independent verdicts on all rows, without the paper-only rows, without the rows of
    the events the paper names."""
    return (
        _independent_event_verdicts(_view(path, where)),
        _independent_event_verdicts(_view(path, f"{where} AND {NOT_PAPER_ONLY}")),
        _independent_event_verdicts(_view(path, f"{where} AND {NOT_PAPER_EVENTS}")),
    )


def test_event_verdicts_match_raw_sql(chronicle_store, report_with_store):
    full, bare, unnamed = _three_views(chronicle_store)
    for cid, verdict in full.items():
        r = report_with_store[cid]
        assert r.verdicts["chronicle"] == _circular_rule(verdict, bare[cid], unnamed[cid]), cid
        # no ICEWS rows in this store: the chronicle alone decides (or nothing does)
        assert r.verdicts["icews"] == NOT_ENOUGH_DATA
    # Feng 2019's expulsion rows (chron-0244, chron-0246, cited "Feng 2019 (…); White
    # House statement" / "Russian MFA") carry the 60-for-60 claim. They name a primary
    # source, so leaving out the 9 paper-only rows keeps the verdict; leaving out the rows
    # of the events the paper names leaves no US act: paper-selected, not circular.
    assert (full["expulsions-60-for-60"], bare["expulsions-60-for-60"]) == (SUPPORTED,) * 2
    assert unnamed["expulsions-60-for-60"] == NOT_ENOUGH_DATA
    assert report_with_store["expulsions-60-for-60"].verdicts["chronicle"] == "paper-selected"
    # figures the chronicle gives (Feng 2019: "ousted 60 US diplomats")
    pairs = report_with_store["expulsions-60-for-60"].base("chronicle").figures["pairs"]
    assert any("(60.0) →" in p and p.endswith("(60.0)") for p in pairs)
    # in kind by the family table: the 29 Dec 2016 expulsion (174) is answered by
    # Russia's first act of the same family, the 160 "reduce relations" of 7 April 2017;
    # the facilities shut (172, coercion) by the 28 July 2017 staff cut (172)
    revenge = report_with_store["expulsions-delayed-revenge"].base("chronicle").figures["pairs"]
    assert revenge == [
        "2016-12-29 174 (35.0) → 2017-04-07 160 (None)",
        "2016-12-29 172 (2.0) → 2017-07-28 172 (455.0)",
    ]


def _regime_sql(path) -> dict[str, float]:
    """USA–RUS 2017–2018 figures from raw SQL (both directions, each event once)."""
    con = duckdb.connect(str(path), read_only=True)
    pair = "least(source, target) = 'RUS' AND greatest(source, target) = 'USA'"
    win = "date BETWEEN DATE '2017-01-01' AND DATE '2018-12-31'"
    try:
        ((n, mean, material, force, coop),) = _q(
            con,
            f"SELECT count(*), avg(goldstein), avg(CASE WHEN quad_class = 4 THEN 1.0 ELSE 0 END), "
            f"count(*) FILTER (WHERE left(cameo, 2) IN ('18', '19', '20')), "
            f"avg(CASE WHEN quad_class <= 2 THEN 1.0 ELSE 0 END) FROM events "
            f"WHERE {pair} AND {win}",
        )
        ((severity, located),) = _q(
            con,
            f"SELECT avg(goldstein), count(*) FILTER (WHERE coalesce(location, '') <> '') "
            f"FROM events WHERE {pair} AND {win} AND quad_class >= 3",
        )
        # the scope's region, derived from the data: per year, the 3 foreign locations
        # with the most conflict events (ties: the smaller code); the rest is elsewhere
        abroad = _q(
            con,
            f"SELECT year(date), location FROM events WHERE {pair} AND {win} "
            "AND quad_class >= 3 AND coalesce(location, '') NOT IN ('', 'USA', 'RUS')",
        )
        elsewhere = 0
        for year in {y for y, _ in abroad}:
            places = [loc for y, loc in abroad if y == year]
            ranked = sorted(set(places), key=lambda loc: (-places.count(loc), loc))
            elsewhere += sum(loc not in ranked[:3] for loc in places)
        arenas = _q(
            con,
            "SELECT arena, count(*), avg(CASE WHEN quad_class <= 2 THEN 1.0 ELSE -1.0 END), "
            "avg(CASE WHEN quad_class <= 2 THEN 1.0 ELSE 0 END) "
            f"FROM events WHERE {pair} AND {win} GROUP BY arena ORDER BY arena",
        )
    finally:
        con.close()
    observed = [a for a in arenas if a[1] >= 3]
    return {
        "n_events": n,
        "mean_goldstein": float(mean),
        "material_conflict_share": float(material),
        "force_events": force,
        "cooperation_share": float(coop),
        "conflict_goldstein": float(severity),
        "n_located": located,
        "n_elsewhere": elsewhere,
        "n_arenas_observed": len(observed),
        "n_hostile_arenas": sum(a[2] < 0 for a in observed),
        "cooperation_survives": int(any(a[3] >= 0.25 for a in observed)),
    }


def test_regime_claim_label_and_evidence_from_raw_sql(chronicle_store, report_with_store):
    r = report_with_store["usa-rus-limited-opponents"]
    # the shipped chronicle, 2017–2018 pooled: hostile (mean −2.73 over 98 events), force
    # used twice, material share 0.35, 4 of 5 arenas net-hostile but cooperation survives
    # (diplomatic), no located conflict event outside each year's main foreign theatres
    # (2017 POL, SYR; 2018 BEL, CHE, SYR) → limited in
    # breadth and scope, not in intensity (force): "limited opponents"
    assert (r.verdict, r.measured) == (SUPPORTED, "limited opponents")
    assert (
        r.figures["rule"] == "R3: hostile overall (mean Goldstein < 0), limited in breadth, scope"
    )
    sql = _regime_sql(chronicle_store)
    f = r.figures
    assert (sql["n_events"], sql["force_events"]) == (98, 2)
    for key in ("n_events", "force_events", "n_located", "n_elsewhere", "n_arenas_observed"):
        assert f[key] == sql[key], key
    for key in ("n_hostile_arenas", "cooperation_survives"):
        assert f[key] == sql[key], key
    for key in ("mean_goldstein", "material_conflict_share", "conflict_goldstein"):
        assert f[key] == pytest.approx(sql[key], abs=1e-9), key
    assert f["global_share"] == pytest.approx(sql["n_elsewhere"] / sql["n_located"])
    assert f["scope"] == "regional" and f["n_hostile_arenas"] == 4


def test_min_events_is_one_setting_for_every_event_indicator(chronicle_store):
    # usa-chn-trade-war: 3 economic USA–CHN events in 2017 (raw SQL below), under the
    # default minimum of 5 → not enough data, the counts in the figures
    con = duckdb.connect(str(chronicle_store), read_only=True)
    try:
        _, n2017 = _mean(con, "USA", "CHN", date(2017, 1, 1), date(2017, 12, 31), "economic")
        _, n_chn_rus = _mean(con, "CHN", "RUS", date(2017, 1, 1), date(2019, 12, 31))
    finally:
        con.close()
    assert n2017 == 3
    r = run_claims(store=chronicle_store, ids=["usa-chn-trade-war"])["usa-chn-trade-war"]
    assert r.verdict == NOT_ENOUGH_DATA and r.figures["n_before"] == 3
    assert "before: 3; min_events = 5" in r.note
    # min_events=3 lets the point estimate decide (n_boot=0: no interval; with one, the
    # three acts leave the change inconclusive)
    assert (
        run_claims(store=chronicle_store, ids=["usa-chn-trade-war"], min_events=3, n_boot=0)[
            "usa-chn-trade-war"
        ].verdict
        == SUPPORTED
    )
    # the same setting governs every other event indicator
    ids = [
        "chn-rus-positive",
        "usa-rus-deteriorated",
        "usa-rus-lowest-point",
        "usa-rus-many-fields",
        "usa-rus-low-until-2020",
        "usa-rus-limited-opponents",
    ]
    thin = run_claims(store=chronicle_store, ids=ids, min_events=1000)
    for cid in ids:
        assert thin[cid].verdict == NOT_ENOUGH_DATA, cid
    assert thin["chn-rus-positive"].figures["n_acts"] == n_chn_rus
    assert "min_events = 1000" in thin["usa-rus-lowest-point"].note
    with pytest.raises(ConfigError):
        run_claims(ids=["rus-defence-2015"], min_events=0)


def _claim(**changes):
    doc = {
        "id": "c1",
        "quote": "q",
        "indicator": "panel_value",
        "params": {"iso3": "USA", "indicator": "gdp_current_usd", "year": 2017},
        "window": ["2017-01-01", "2017-12-31"],
        "expected": {"value": 1.0, "tolerance": 0.1},
        "source": "s",
    }
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expected": {"value": 1.0, "tolerance": -0.1}}, "expected.tolerance = -0.1"),
        ({"expected": {"direction": "decrease", "tolerance": 0.1}}, "no meaning with 'direction'"),
        ({"expected": {"in": [2017], "tolerance": 1}}, "no meaning with 'in'"),
        ({"expected": {"equals": "x", "tolerance": 1}}, "no meaning with 'equals'"),
        ({"params": {"iso3": "USA", "indicator": "gdp_current_usd"}}, "params.year: missing"),
        (
            {
                "indicator": "unga",
                "params": {"a": "USA", "b": "RUS", "field": "agreemnt"},
                "expected": {"less_than": 0.5},
            },
            "params.field = 'agreemnt'",
        ),
        (
            {"indicator": "lowest_year", "params": {"dyad": ["USA", "RUS"], "min_events": 5}},
            "params.min_events: unknown",
        ),
        ({"indicator": "mean_goldstein", "params": {"dyad": ["USA"]}}, "params.dyad"),
    ],
)
def test_claims_file_validation_names_claim_and_field(tmp_path, changes, message):
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"claims": [_claim(**changes)]}))
    with pytest.raises(ConfigError, match="claim c1: ") as err:
        load_claims(path)
    assert message in str(err.value)
    with pytest.raises(ConfigError):  # never a KeyError or a polars error from run_claims
        run_claims(claims=path)


# --------------------------------------------------------------------------- evidence bases

#: Every day each event claim reads (claims.yaml, worked out by hand): the window, the
#: ``before`` window, the whole years of year_change, and max_lag_days after a tit-for-tat
#: window for the answers.
NEEDED = {
    "usa-rus-many-fields": (date(2017, 1, 1), date(2018, 12, 31)),
    "usa-rus-deteriorated": (date(2016, 1, 1), date(2018, 12, 31)),
    "usa-rus-lowest-point": (date(2014, 1, 1), date(2019, 12, 31)),
    "usa-rus-sanctions-widening": (date(2017, 1, 1), date(2018, 12, 31)),
    "expulsions-60-for-60": (date(2018, 3, 26), date(2018, 4, 14)),  # + 14 days
    "expulsions-delayed-revenge": (date(2016, 12, 1), date(2017, 8, 28)),  # + 240 days
    "media-war": (date(2017, 11, 1), date(2017, 12, 30)),  # + 30 days
    "usa-rus-limited-opponents": (date(2017, 1, 1), date(2018, 12, 31)),
    "usa-rus-low-until-2020": (date(2018, 1, 1), date(2019, 12, 31)),
    "chn-rus-positive": (date(2017, 1, 1), date(2019, 12, 31)),
    "usa-chn-trade-war": (date(2017, 1, 1), date(2019, 12, 31)),
}
ICEWS_ROWS = "starts_with(dataset, 'icews')"


@pytest.fixture(scope="module")
def two_base_store(tmp_path_factory, shared_data):
    """The shipped chronicle and the ICEWS18 training split (373,018 events, 2018-01-01 to
    2018-08-28, ../shared/data/icews/SOURCES.md) in one store."""
    from trilateral.data.store import EventStore

    path = tmp_path_factory.mktemp("bases") / "two.duckdb"
    with EventStore.open(path) as store:
        store.ingest(Path(str(FILES / "chronicle.csv")))
        store.ingest(shared_data / "icews" / "icews18_train" / "train.txt.gz")
    return path


@pytest.fixture(scope="module")
def two_base_report(two_base_store):
    return run_claims(store=two_base_store, n_boot=0)  # point verdicts, as the raw SQL


def _covered(con, needed: tuple[date, date], slack: int = 7) -> bool:
    """Raw SQL: some ingested file's first-to-last event span holds the days (± a week)."""
    spans = _q(con, "SELECT min(date), max(date) FROM events GROUP BY ingest_id")
    lo, hi = needed
    return any(a - timedelta(slack) <= lo and hi <= b + timedelta(slack) for a, b in spans)


def test_each_event_claim_judged_on_each_base_matches_raw_sql(two_base_store, two_base_report):
    icews = _view(two_base_store, ICEWS_ROWS)
    chron = "dataset = 'chronicle'"
    full, bare, unnamed = _three_views(two_base_store, chron)
    on_icews = _independent_event_verdicts(_view(two_base_store, ICEWS_ROWS))
    icews_unnamed = _independent_event_verdicts(
        _view(two_base_store, f"{ICEWS_ROWS} AND {NOT_PAPER_EVENTS}")
    )
    checked = 0
    for cid, needed in NEEDED.items():
        r = two_base_report[cid]
        assert set(r.verdicts) == {"chronicle", "icews"}, cid
        if cid in full:  # the regime claim has its own test
            assert r.verdicts["chronicle"] == _circular_rule(full[cid], bare[cid], unnamed[cid]), (
                cid
            )
        want = NOT_ENOUGH_DATA
        if _covered(icews, needed):  # ICEWS has no paper-only rows: one check applies
            want = on_icews.get(cid) and _circular_rule(
                on_icews[cid], on_icews[cid], icews_unnamed[cid]
            )
        if want is not None:
            assert r.verdicts["icews"] == want, cid
            checked += 1
    # the ICEWS18 training split covers only 2018-01-01 to 2018-08-28: of the event
    # claims only the March 2018 expulsions fall inside it
    assert [c for c, w in NEEDED.items() if _covered(icews, w)] == ["expulsions-60-for-60"]
    assert checked == len(NEEDED)
    # ICEWS codes the US expulsions (26 March) as 174 "expel" and 161, Russia's answer
    # (29–30 March) as 161: one family, yet not every US act has an answer → contradicted.
    # The chronicle's rows are those of the events the paper names → paper-selected.
    assert two_base_report["expulsions-60-for-60"].verdicts == {
        "chronicle": "paper-selected",
        "icews": CONTRADICTED,
    }


def test_overall_verdict_rule(two_base_report):
    from trilateral.diagnose._claims import BaseVerdict, overall_verdict

    def o(chron, icews):
        return overall_verdict(
            [
                BaseVerdict("chronicle", chron, None, {}, ""),
                BaseVerdict("icews", icews, None, {}, ""),
            ]
        )

    # worked out by hand from the stated rule
    assert o(SUPPORTED, NOT_ENOUGH_DATA) == SUPPORTED
    assert o("circular", SUPPORTED) == SUPPORTED
    assert o("circular", NOT_ENOUGH_DATA) == "circular"
    assert o("circular", CONTRADICTED) == CONTRADICTED
    assert o(SUPPORTED, CONTRADICTED) == "disputed"
    assert o(NOT_ENOUGH_DATA, NOT_ENOUGH_DATA) == NOT_ENOUGH_DATA
    # paper-selected and inconclusive never decide either
    assert o("paper-selected", CONTRADICTED) == CONTRADICTED
    assert o("paper-selected", NOT_ENOUGH_DATA) == "paper-selected"
    assert o("circular", "paper-selected") == "circular"
    assert o(INCONCLUSIVE, SUPPORTED) == SUPPORTED
    assert o(INCONCLUSIVE, NOT_ENOUGH_DATA) == INCONCLUSIVE
    for r in two_base_report.results:
        if r.by_base:
            assert r.verdict == o(r.verdicts["chronicle"], r.verdicts["icews"]), r.id
    d = two_base_report.to_dict()
    assert {c["id"]: c["verdicts"] for c in d["claims"]}["media-war"] == {
        "chronicle": "paper-selected",
        "icews": NOT_ENOUGH_DATA,
    }
    ind = d["supported_by_independent_data"]
    assert ind["n_event_claims"] == len(two_base_report.supported_by("icews")) == 0
    assert "expulsions-60-for-60" in ind["paper_selected"]
    # the 6 April 2018 sanctions rest on the paper's footnote alone (ref [3])
    assert "usa-rus-sanctions-widening" in ind["circular"]
    assert d["bases"]["chronicle"]["rows_citing_the_paper"] == 40
    assert d["bases"]["icews"]["covers"] == [["2018-01-01", "2018-08-28"]]


def test_2018_expulsions_on_icews_alone(two_base_store):
    """The US expulsions of 26 March 2018 and Russia's answer, from ICEWS rows only."""
    from trilateral.measure import base_store, load_events, match_tit_for_tat

    with base_store(two_base_store, "icews") as con:
        assert _q(con, "SELECT DISTINCT dataset FROM events") == [("icews_tkg",)]
        ev = load_events(con, ("USA", "RUS"), "2018-03-19", "2018-04-15")
    res = match_tit_for_tat(
        ev, window_days=7, arenas=["diplomatic"], countries=("USA", "RUS"), match_on="root"
    )
    m = res.matches.filter(
        (pl.col("source") == "USA")
        & pl.col("act_date").is_between(date(2018, 3, 26), date(2018, 3, 31))
        & pl.col("act_cameo").str.starts_with("16")
        & pl.col("answered")
    )
    assert m.height > 0
    first = m.sort("act_date", "lag_days").row(0, named=True)
    assert first["act_date"] == date(2018, 3, 26)
    assert first["answer_cameo"].startswith("16") and 1 <= first["lag_days"] <= 4
    # raw SQL on the store: Russia's 161 ("reduce or break diplomatic relations") towards
    # the US on 29 March 2018, ICEWS rows — and the US 174 expulsions of 26 March
    con = _view(two_base_store, ICEWS_ROWS)
    assert (
        _q(
            con,
            "SELECT count(*) FROM events WHERE source = 'RUS' AND target = 'USA' "
            "AND cameo = '161' AND date = DATE '2018-03-29'",
        )[0][0]
        > 0
    )
    assert (
        _q(
            con,
            "SELECT count(*) FROM events WHERE source = 'USA' AND target = 'RUS' "
            "AND cameo = '174' AND date = DATE '2018-03-26'",
        )[0][0]
        > 0
    )


def _mean_claim() -> Claim:
    return Claim.model_validate(
        {
            "id": "m",
            "quote": "q",
            "indicator": "mean_goldstein",
            "params": {"dyad": ["USA", "RUS"]},
            "window": ["2018-01-01", "2018-12-31"],
            "expected": {"greater_than": 0.0},
            "source": "synthetic",
        }
    )


@pytest.fixture(scope="module")
def chronicle_without_paper(chronicle_store):
    con = _view(chronicle_store, NOT_THE_PAPER)
    rows = con.execute("SELECT * FROM events").fetchall()
    cols = [d[0] for d in con.description]
    extras = con.execute("SELECT * FROM event_extras").fetchall()
    ingests = con.execute("SELECT * FROM src.ingests").fetchall()
    return cols, rows, extras, ingests


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    injected=st.lists(
        st.tuples(
            st.integers(0, 364),
            st.floats(-10, 10, allow_nan=False),
            st.sampled_from(["USA", "RUS"]),
        ),
        min_size=1,
        max_size=40,
    )
)
# 38 USA–RUS events of 2018 in the chronicle without the paper's rows sum to −122.1
# (raw SQL): 40 paper rows at +10 would lift the mean above 0 if they counted
@example(injected=[(d, 10.0, "USA") for d in range(0, 360, 9)])
def test_a_paper_citing_row_never_makes_a_verdict_supported(chronicle_without_paper, injected):
    """Rows citing Feng 2019 added to the chronicle (any day of 2018, any Goldstein score)
    can change the chronicle's verdict only to 'circular', never to 'supported'."""
    from trilateral.data._store_ddl import DDL

    cols, rows, extras, ingests = chronicle_without_paper
    con = duckdb.connect()
    con.execute(DDL)
    marks = ", ".join("?" for _ in cols)
    con.executemany(f"INSERT INTO events ({', '.join(cols)}) VALUES ({marks})", rows)
    con.executemany("INSERT INTO event_extras VALUES (?, ?, ?, ?)", extras)
    con.executemany(f"INSERT INTO ingests VALUES ({', '.join('?' for _ in ingests[0])})", ingests)
    claim = _mean_claim()
    before = run_claims(store=con, claims=[claim])["m"].verdicts["chronicle"]
    # the same claim on the rows without the paper, by raw SQL: mean Goldstein USA–RUS 2018
    m, n = _mean(con, "USA", "RUS", date(2018, 1, 1), date(2018, 12, 31))
    assert before == (NOT_ENOUGH_DATA if n < MIN else _v(m > 0))
    template = dict(zip(cols, rows[0], strict=True))
    for i, (day, g, src) in enumerate(injected):
        row = template | {
            "event_id": f"paper-{i}",
            "date": date(2018, 1, 1) + timedelta(days=day),
            "source": src,
            "target": "RUS" if src == "USA" else "USA",
            "goldstein": g,
            "quad_class": 1 if g > 0 else 3,
            "url_or_citation": "Feng 2019 (a passage): injected",
        }
        con.execute(f"INSERT INTO events ({', '.join(cols)}) VALUES ({marks})", list(row.values()))
    after = run_claims(store=con, claims=[claim])["m"]
    assert after.verdicts["chronicle"] in (before, "circular")
    if before != SUPPORTED:
        assert after.verdicts["chronicle"] != SUPPORTED and after.verdict != SUPPORTED


def test_each_number_names_the_base_it_comes_from(two_base_store, two_base_report):
    # the verdict rule: say which source each number comes from. The expulsions claim is
    # decided by ICEWS (the chronicle's verdict is circular), so its number is ICEWS's —
    # never presented as the chronicle's.
    r = two_base_report["expulsions-60-for-60"]
    assert r.measured_base == "icews"
    assert r.measured == r.base("icews").measured != r.base("chronicle").measured
    d = {c["id"]: c for c in two_base_report.to_dict()["claims"]}
    assert d["expulsions-60-for-60"]["measured_from"].startswith("the icews evidence base (icews")
    assert "chronicle" not in d["expulsions-60-for-60"]["source"]
    # a claim only the chronicle covers says so
    many = two_base_report["usa-rus-many-fields"]
    assert many.verdicts["icews"] == NOT_ENOUGH_DATA and many.measured_base == "chronicle"
    assert d["usa-rus-many-fields"]["measured_from"].startswith("the chronicle evidence base")
    # a capability claim's number comes from its own source, with no evidence base
    gdp = d["us-gdp-2017"]
    assert gdp["measured_base"] is None and gdp["measured_from"].startswith("World Bank WDI")
    line = next(x for x in two_base_report.summary().splitlines() if x.startswith("expulsions-60"))
    # acts, not reports: the answered share of the US acts by raw SQL (ACTS_SQL)
    share = _answered(
        _view(two_base_store, ICEWS_ROWS),
        "USA",
        "RUS",
        date(2018, 3, 26),
        date(2018, 3, 31),
        14,
        "diplomatic",
        ["16", "17", "12"],
        True,
    )
    assert share == 0.75
    assert f"measured on icews {share:.3g}" in line
    frame = two_base_report.to_frame()
    row = frame.filter(frame["id"] == "expulsions-60-for-60").row(0, named=True)
    assert row["measured_from"] == d["expulsions-60-for-60"]["measured_from"]
