"""Regime rules on hand-built index frames (docs/diagnose.md, "Regimes")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from trilateral.config import ARENAS
from trilateral.data._store_ddl import DDL, STORE_VERSION
from trilateral.diagnose._regimes import (
    CONFRONTATION,
    INSUFFICIENT,
    LIMITED_OPPONENTS,
    LIMITED_PARTNERSHIP,
    PARTNERSHIP,
    RegimeConfig,
    classify_regimes,
    conflict_scope,
    symmetric_frame,
)
from trilateral.errors import ConfigError, DataError, StoreError

Y18 = date(2018, 1, 1)


def row(arena, n, mean, coop, material=0.0, force=0, src="RUS", tgt="USA", ps=Y18, half=0.5):
    conflict = 1.0 - coop
    return {
        "source": src,
        "target": tgt,
        "arena": arena,
        "period": "year",
        "period_start": ps,
        "n_events": n,
        "weight": float(n),
        "mean_goldstein": mean,
        "ci_low": None if mean is None else mean - half,
        "ci_high": None if mean is None else mean + half,
        "conflict_share": conflict,
        "material_conflict_share": material,
        "cooperation_share": coop,
        "net_cooperation": coop - conflict,
        "force_events": force,
    }


def frame(arenas: dict[str, tuple], overall: tuple | None = None, **kw) -> pl.DataFrame:
    """arenas: name → (n, mean, coop[, material, force]); overall likewise for "all"."""
    rows = [row(a, *v, **kw) for a, v in arenas.items()]
    if overall is not None:
        rows.append(row("all", *overall, **kw))
    return pl.DataFrame(rows, infer_schema_length=None)


HOSTILE_ALL = {a: (10, -4.0, 0.1, 0.3) for a in ARENAS}


def label(f, **kw):
    return classify_regimes(f, **kw).regimes[0]


def test_partnership():
    f = frame({a: (10, 3.0, 0.9) for a in ARENAS}, overall=(50, 3.0, 0.9))
    r = label(f)
    assert r.label == PARTNERSHIP and r.rule.startswith("R1")
    assert r.evidence["n_hostile_arenas"] == 0


def test_partnership_threshold_edge():
    # mean exactly at partnership_goldstein (1.0) is a partnership; just below is limited
    f = frame(
        {a: (10, 1.0, 0.9) for a in ARENAS},
        overall=(
            50,
            1.0,
            0.9,
            0.0,
            0,
        ),
        half=0.0,
    )
    assert label(f).label == PARTNERSHIP
    f2 = frame({a: (10, 0.99, 0.9) for a in ARENAS}, overall=(50, 0.99, 0.9), half=0.0)
    assert label(f2).label == LIMITED_PARTNERSHIP


def test_limited_partnership_when_an_arena_is_hostile():
    arenas = {a: (10, 3.0, 0.9) for a in ARENAS}
    arenas["military"] = (10, -2.0, 0.3)
    r = label(frame(arenas, overall=(50, 2.0, 0.78)))
    assert r.label == LIMITED_PARTNERSHIP
    assert "1 net-hostile arena" in r.rule
    assert r.evidence["hostile_arenas"] == "military"


def test_limited_partnership_when_force_used():
    r = label(frame({a: (10, 3.0, 0.9) for a in ARENAS}, overall=(50, 3.0, 0.9, 0.02, 1)))
    assert r.label == LIMITED_PARTNERSHIP and "force" in r.rule


def test_zero_mean_is_not_hostile():
    # hostile_goldstein is a strict bound: a mean of exactly 0 is on the friendly side
    f = frame({a: (10, 0.0, 0.5) for a in ARENAS}, overall=(50, 0.0, 0.5), half=0.0)
    assert label(f).label == LIMITED_PARTNERSHIP


def test_confrontation_all_round():
    f = frame(HOSTILE_ALL, overall=(50, -6.0, 0.1, 0.6, 3))
    r = label(f)
    assert r.label == CONFRONTATION
    assert r.rule.startswith("R4") and "scope unknown" in r.rule
    assert r.limited_by == ()


def test_limited_by_intensity_no_force_low_material_share():
    f = frame(HOSTILE_ALL, overall=(50, -3.0, 0.1, 0.2, 0))
    r = label(f)
    assert r.label == LIMITED_OPPONENTS and r.limited_by == ("intensity",)


def test_material_share_edge():
    # material_conflict_share at the threshold (0.5) is not limited
    at = frame(HOSTILE_ALL, overall=(50, -3.0, 0.1, 0.5, 0))
    assert label(at).label == CONFRONTATION
    below = frame(HOSTILE_ALL, overall=(50, -3.0, 0.1, 0.4999, 0))
    assert label(below).label == LIMITED_OPPONENTS


def test_limited_by_breadth_when_cooperation_survives():
    arenas = dict(HOSTILE_ALL)
    arenas["economic"] = (10, -1.0, 0.3, 0.3)  # net-hostile but 30 % cooperation survives
    r = label(frame(arenas, overall=(50, -4.0, 0.14, 0.6, 2)))
    assert r.label == LIMITED_OPPONENTS and r.limited_by == ("breadth",)
    assert r.evidence["cooperation_survives"] == 1


def test_limited_by_breadth_when_few_arenas_hostile():
    arenas = {a: (10, -4.0, 0.1, 0.3) for a in ARENAS[:3]}
    arenas.update({a: (10, 2.0, 0.2, 0.0) for a in ARENAS[3:]})  # friendly-ish shares? no:
    arenas.update({a: (10, 2.0, 0.6, 0.0) for a in ARENAS[3:]})
    r = label(frame(arenas, overall=(50, -1.0, 0.3, 0.6, 2)))
    assert r.evidence["n_hostile_arenas"] == 3
    assert r.label == LIMITED_OPPONENTS and "breadth" in r.limited_by


def test_confrontation_min_arenas_edge():
    arenas = {a: (10, -4.0, 0.1, 0.3) for a in ARENAS[:4]}
    arenas[ARENAS[4]] = (1, 2.0, 1.0)  # too few events to count towards breadth
    r = label(frame(arenas, overall=(41, -4.0, 0.12, 0.6, 2)))
    assert r.evidence["n_arenas_observed"] == 4 and r.evidence["n_hostile_arenas"] == 4
    assert r.label == CONFRONTATION
    cfg = RegimeConfig(confrontation_min_hostile_arenas=5)
    assert label(frame(arenas, overall=(41, -4.0, 0.12, 0.6, 2)), config=cfg).label == (
        LIMITED_OPPONENTS
    )


def scope_frame(n_located, n_elsewhere, goldstein=-5.0, ps=Y18):
    return pl.DataFrame(
        {
            "source": ["RUS"],
            "target": ["USA"],
            "period_start": [ps],
            "n_conflict": [n_located],
            "n_located": [n_located],
            "n_home": [0],
            "n_region": [n_located - n_elsewhere],
            "n_elsewhere": [n_elsewhere],
            "conflict_goldstein": [goldstein],
        }
    )


def test_scope_regional_limits_and_global_does_not():
    f = frame(HOSTILE_ALL, overall=(50, -6.0, 0.1, 0.6, 3))
    regional = label(f, scope=scope_frame(10, 2))
    assert regional.label == LIMITED_OPPONENTS and regional.limited_by == ("scope",)
    assert regional.evidence["scope"] == "regional"
    assert regional.evidence["global_share"] == pytest.approx(0.2)
    # global_share exactly at 0.5 is global
    glob = label(f, scope=scope_frame(10, 5))
    assert glob.label == CONFRONTATION and glob.evidence["scope"] == "global"


def test_scope_unknown_below_min_located():
    f = frame(HOSTILE_ALL, overall=(50, -6.0, 0.1, 0.6, 3))
    r = label(f, scope=scope_frame(4, 0))
    assert r.evidence["scope"] == "unknown" and r.label == CONFRONTATION


def test_severity_from_scope_table():
    f = frame(HOSTILE_ALL, overall=(50, -3.0, 0.1, 0.2, 0))
    mild = label(f, scope=scope_frame(10, 9, goldstein=-5.0))
    assert mild.label == LIMITED_OPPONENTS and mild.limited_by == ("intensity",)
    severe = label(f, scope=scope_frame(10, 9, goldstein=-8.0))  # at the threshold
    assert severe.label == CONFRONTATION


def test_insufficient_data():
    r = label(frame({"diplomatic": (4, -5.0, 0.0)}, overall=(4, -5.0, 0.0)))
    assert r.label == INSUFFICIENT and r.confidence is None


def test_overall_pooled_from_arenas_when_all_row_missing():
    arenas = {"diplomatic": (10, -4.0, 0.2), "economic": (30, 0.0, 0.6)}
    r = label(frame(arenas))
    assert r.evidence["n_events"] == 40
    assert r.evidence["mean_goldstein"] == pytest.approx(-1.0)


def test_confidence_high_when_clear_and_split_when_on_the_edge():
    clear = label(frame(HOSTILE_ALL, overall=(500, -3.0, 0.1, 0.1, 0), half=0.2))
    assert clear.confidence == pytest.approx(1.0)
    edge = label(frame(HOSTILE_ALL, overall=(500, 0.0, 0.5, 0.1, 0), half=1.0))
    assert 0.3 < edge.confidence < 0.7
    # seeded: same rng → same confidence
    again = label(frame(HOSTILE_ALL, overall=(500, 0.0, 0.5, 0.1, 0), half=1.0))
    assert again.confidence == edge.confidence


def test_directed_rows_are_pooled():
    f = pl.concat(
        [
            frame({}, overall=(10, -4.0, 0.2), src="USA", tgt="RUS"),
            frame({}, overall=(30, 0.0, 0.6), src="RUS", tgt="USA"),
        ]
    )
    s = symmetric_frame(f)
    assert s.height == 1 and s["source"][0] == "RUS" and s["target"][0] == "USA"
    assert s["mean_goldstein"][0] == pytest.approx(-1.0)
    assert s["cooperation_share"][0] == pytest.approx(0.5)


def test_window_pools_periods():
    f = pl.concat(
        [
            frame(HOSTILE_ALL, overall=(50, -2.0, 0.2), ps=date(2017, 1, 1)),
            frame(HOSTILE_ALL, overall=(50, -4.0, 0.2), ps=date(2018, 1, 1)),
            frame(HOSTILE_ALL, overall=(50, 4.0, 0.9), ps=date(2019, 1, 1)),
        ]
    )
    res = classify_regimes(f, window=(date(2017, 1, 1), date(2018, 12, 31)))
    assert len(res) == 1
    r = res.get("USA-RUS", 2017)
    assert r.evidence["n_events"] == 100 and r.evidence["mean_goldstein"] == pytest.approx(-3.0)
    assert res.period == "2017-01-01/2018-12-31"


def test_period_reaggregation():
    f = pl.concat(
        [
            frame({}, overall=(10, -2.0, 0.2), ps=date(2018, m, 1)).with_columns(
                period=pl.lit("month")
            )
            for m in (1, 2, 3)
        ]
    )
    res = classify_regimes(f, period="year")
    assert len(res) == 1 and res.regimes[0].evidence["n_events"] == 30


def test_results_frame_and_summary():
    res = classify_regimes(frame(HOSTILE_ALL, overall=(50, -3.0, 0.1, 0.2, 0)))
    df = res.to_frame()
    for col in (
        "dyad",
        "label",
        "rule",
        "confidence",
        "limited_by",
        "n_hostile_arenas",
        "force_events",
        "scope",
    ):
        assert col in df.columns
    assert df["label"][0] == LIMITED_OPPONENTS
    assert "RUS-USA" in res.summary() and "limited opponents" in res.summary()
    with pytest.raises(DataError):
        res.get("CHN-USA", 2018)


@pytest.mark.parametrize(
    "kw",
    [
        {"material_conflict_share": 1.5},
        {"n_draws": 0},
        {"confrontation_min_hostile_arenas": 6},
        {"partnership_goldstein": -1.0},
    ],
)
def test_config_validation(kw):
    with pytest.raises(ConfigError):
        RegimeConfig(**kw)


def test_not_an_index():
    with pytest.raises(DataError):
        classify_regimes(pl.DataFrame({"x": [1]}))


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.execute("INSERT INTO store_meta VALUES ('version', ?)", [str(STORE_VERSION)])
    rows = [
        ("e1", "2018-03-01", "USA", "RUS", "163", 4, -8.0, "economic", 1, "USA"),
        ("e2", "2018-04-01", "RUS", "USA", "190", 4, -10.0, "military", 1, "SYR"),
        ("e3", "2018-05-01", "USA", "RUS", "112", 3, -2.0, "information", 1, "GBR"),
        ("e4", "2018-06-01", "USA", "RUS", "112", 3, -2.0, "information", 1, None),
        ("e5", "2018-07-01", "USA", "RUS", "042", 1, 1.9, "diplomatic", 1, "FIN"),
        ("e6", "2018-07-01", "USA", "CHN", "163", 4, -8.0, "economic", 1, "CHN"),
    ]
    for r in rows:
        con.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 'chronicle', ?, "
            "NULL, 1)",
            list(r),
        )
    con.close()
    return path


def test_conflict_scope_from_store(tmp_path):
    path = _store(tmp_path)
    # an explicit region: e1 at home, e2 in Syria (region), e3 in the UK (elsewhere), e4
    # unlocated
    scope = conflict_scope(path, ("USA", "RUS"), "year", region=["syr"])
    assert scope.height == 1
    r = scope.row(0, named=True)
    assert (r["source"], r["target"]) == ("RUS", "USA")
    assert _counts(r) == (4, 3, 1, 1, 1) and r["region"] == "SYR"
    assert r["conflict_goldstein"] == pytest.approx((-8 - 10 - 2 - 2) / 4)
    # the default region comes from the data: the dyad's 3 main foreign theatres of the
    # year — here Syria and the UK, one conflict event each — so nothing is elsewhere
    r = conflict_scope(path, ("USA", "RUS"), "year").row(0, named=True)
    assert _counts(r) == (4, 3, 1, 2, 0) and r["region"] == "GBR,SYR"
    # one theatre: the tie (one event each) goes to the first code, GBR; SYR is elsewhere
    r = conflict_scope(path, ("USA", "RUS"), "year", theatres=1).row(0, named=True)
    assert _counts(r) == (4, 3, 1, 1, 1) and r["region"] == "GBR"
    # no theatre: every located conflict event abroad is elsewhere
    r = conflict_scope(path, ("USA", "RUS"), "year", theatres=0).row(0, named=True)
    assert _counts(r) == (4, 3, 1, 0, 2) and r["region"] == ""
    with pytest.raises(ConfigError, match="theatres"):
        conflict_scope(path, ("USA", "RUS"), "year", theatres=-1)


def test_conflict_scope_missing_store(tmp_path):
    with pytest.raises(StoreError):
        conflict_scope(tmp_path / "nope.duckdb")


@pytest.fixture(scope="module")
def chronicle(tmp_path_factory) -> Path:
    from importlib import resources

    from trilateral.data.store import EventStore

    chron = resources.files("trilateral.data") / "_files" / "chronicle.csv"
    if not chron.is_file():
        pytest.skip("chronicle not shipped yet")
    path = tmp_path_factory.mktemp("regimes") / "c.duckdb"
    with EventStore.open(path) as s:
        s.ingest(Path(str(chron)))
    return path


def test_usa_rus_2017_2018_on_the_shipped_chronicle(chronicle):
    """The rules' label for USA–RUS 2017–2018 with its evidence (not forced to the paper's)."""
    from trilateral.measure._indices import indices

    path = chronicle
    window = (date(2017, 1, 1), date(2018, 12, 31))
    idx = indices(path, ("USA", "RUS"), "year", start=window[0], end=window[1], n_boot=100, rng=0)
    scope = conflict_scope(path, ("USA", "RUS"), start=window[0], end=window[1])
    res = classify_regimes(idx, scope=scope, window=window)
    r = res.get("USA-RUS", window[0])
    ev = r.evidence
    # Worked out by hand from chronicle.csv (USA–RUS rows of 2017–2018, both directions):
    # 98 events, mean Goldstein −2.73 (hostile); 2 force events (the 2018 Syria strikes
    # and Deir ez-Zor: intensity not limited); cooperation survives in the diplomatic
    # arena (share 0.59 ≥ 0.25): breadth limited; conflict abroad only in POL, SYR (2017)
    # and SYR, BEL, CHE (2018), each year's main theatres: scope regional.
    # R3 → limited opponents, limited in breadth and scope.
    assert (ev["n_events"], ev["force_events"]) == (98, 2)
    assert ev["mean_goldstein"] == pytest.approx(-2.7306, abs=1e-3)
    assert ev["n_elsewhere"] == 0 and ev["scope"] == "regional"
    assert ev["cooperation_survives"] == 1
    assert r.label == LIMITED_OPPONENTS
    assert r.limited_by == ("breadth", "scope")
    assert 0.0 <= r.confidence <= 1.0


# ------------------------------------------------------------------ scope aligned to the index


def _counts(r):
    return (r["n_conflict"], r["n_located"], r["n_home"], r["n_region"], r["n_elsewhere"])


def test_scope_is_aligned_to_the_index_period(tmp_path):
    from trilateral.measure._indices import indices

    path = _store(tmp_path)
    monthly = indices(path, ("USA", "RUS"), "month", n_boot=0, start="2018-01-01", end="2018-12-31")
    # a yearly scope cannot be matched to months: before, January got the whole year's
    # scope and February–December none
    with pytest.raises(ConfigError, match="per year but the index is per month"):
        classify_regimes(monthly, scope=conflict_scope(path, ("USA", "RUS"), "year"))
    # a daily scope is pooled into the months: each month its own events
    res = classify_regimes(
        monthly,
        scope=conflict_scope(path, ("USA", "RUS"), "day"),
        config=RegimeConfig(min_events=1),
    )
    by_month = {r.period_start.month: r.evidence for r in res.regimes}
    assert by_month[3]["n_located"] == 1 and by_month[3]["n_home"] == 1  # e1
    assert by_month[4]["n_region"] == 1  # e2 in Syria
    assert by_month[1]["n_located"] is None and by_month[7]["n_located"] is None
    # and re-aggregated with the index to a year: the year's located events, 3
    yearly = classify_regimes(
        monthly, scope=conflict_scope(path, ("USA", "RUS"), "month"), period="year"
    )
    assert yearly.regimes[0].evidence["n_located"] == 3


def test_scope_window_must_cut_periods_like_the_index(tmp_path):
    from trilateral.measure._indices import indices

    path = _store(tmp_path)
    idx = indices(path, ("USA", "RUS"), "year", n_boot=0, start="2018-05-01", end="2018-12-31")
    with pytest.raises(ConfigError, match="start"):
        classify_regimes(idx, scope=conflict_scope(path, ("USA", "RUS"), "year"))
    scope = conflict_scope(
        path, ("USA", "RUS"), "year", start="2018-05-01", end="2018-12-31", region=["SYR"]
    )
    assert _counts(scope.row(0, named=True)) == (2, 1, 0, 0, 1)  # e3 (GBR), e4 (unlocated)
    ev = classify_regimes(idx, scope=scope, config=RegimeConfig(min_events=1)).regimes[0].evidence
    assert (ev["n_located"], ev["n_elsewhere"], ev["conflict_goldstein"]) == (1, 1, -2.0)
    # a bound on a period's edge only decides which periods exist: no error
    aligned = indices(path, ("USA", "RUS"), "year", n_boot=0, start="2018-01-01")
    classify_regimes(aligned, scope=conflict_scope(path, ("USA", "RUS"), "year"))


def _weighted_store(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.execute("INSERT INTO store_meta VALUES ('version', ?)", [str(STORE_VERSION)])
    rows = [  # conflict events with 9, 1 and 1 mentions; one cooperative event
        ("w1", "2018-03-01", "USA", "RUS", "163", 4, -8.0, "economic", 9, "USA"),
        ("w2", "2018-04-01", "RUS", "USA", "112", 3, -2.0, "information", 1, "RUS"),
        ("w3", "2018-05-01", "USA", "RUS", "111", 3, -2.0, "information", 1, "RUS"),
        ("w4", "2018-06-01", "USA", "RUS", "042", 1, 1.9, "diplomatic", 1, None),
        ("w5", "2018-06-02", "USA", "RUS", "112", 3, -2.0, "information", 1, None),
    ]
    for r in rows:
        con.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 'gdelt2', ?, "
            "NULL, 1)",
            list(r),
        )
    con.close()
    return path


def test_severity_is_weighted_like_the_index(tmp_path):
    from trilateral.measure._indices import indices

    path = _weighted_store(tmp_path)
    scope = conflict_scope(path, ("USA", "RUS"), "year")
    out = {}
    for weighting in ("events", "mentions"):
        idx = indices(path, ("USA", "RUS"), "year", n_boot=0, weighting=weighting)
        r = classify_regimes(idx, scope=scope, config=RegimeConfig(min_events=1)).regimes[0]
        out[weighting] = r.evidence["conflict_goldstein"]
    assert out["events"] == pytest.approx((-8 - 2 - 2 - 2) / 4)  # each event once: −3.5
    assert out["mentions"] == pytest.approx((-8 * 9 - 2 - 2 - 2) / 12)  # −6.5
    # exact sums: the same figure with DuckDB on one thread or many
    row = scope.row(0, named=True)
    assert row["sum_goldstein"] == -14.0 and row["sum_goldstein_mentions"] == -78.0


def test_undirected_index_intervals_pass_through(chronicle):
    from trilateral.measure._indices import indices

    idx = indices(
        chronicle, ("USA", "RUS"), "year", n_boot=200, rng=0, start="2014-01-01", end="2019-12-31"
    )
    sym = idx.symmetric().frame.filter(pl.col("arena") == "all")
    res = classify_regimes(idx)
    for r in sym.iter_rows(named=True):
        ev = res.get("RUS-USA", r["period_start"]).evidence
        assert (ev["ci_low"], ev["ci_high"]) == (r["ci_low"], r["ci_high"])
        assert ev["mean_goldstein"] == r["mean_goldstein"]


def test_confidence_does_not_depend_on_other_dyads_or_periods(chronicle):
    from trilateral.measure._indices import indices

    def conf(countries, start, end):
        idx = indices(chronicle, countries, "year", n_boot=200, rng=0, start=start, end=end)
        return classify_regimes(idx, rng=0).get("RUS-USA", 2015).confidence

    triad = conf(("USA", "RUS", "CHN"), "2014-01-01", "2019-12-31")
    assert conf(("USA", "RUS"), "2014-01-01", "2019-12-31") == triad
    assert conf(("USA", "RUS"), "2015-01-01", "2015-12-31") == triad
    assert conf(("USA", "RUS", "CHN"), "2015-01-01", "2017-12-31") == triad


def test_rule_text_uses_the_configured_hostile_goldstein():
    cfg = RegimeConfig(hostile_goldstein=-1.0)
    friendly = label(
        frame({a: (10, 0.5, 0.9) for a in ARENAS}, overall=(50, -0.5, 0.9)), config=cfg
    )
    assert friendly.label == LIMITED_PARTNERSHIP
    assert friendly.rule.startswith("R2: friendly overall (mean Goldstein ≥ -1) but ")
    hostile = label(frame(HOSTILE_ALL, overall=(50, -3.0, 0.1, 0.2, 0)), config=cfg)
    assert hostile.rule.startswith("R3: hostile overall (mean Goldstein < -1)")


# the two-sided normal quantiles, from a table (Abramowitz & Stegun 26.2): 50 % → 0.6745,
# 95 % → 1.9600
Z50, Z95 = 0.6744897501960817, 1.959963984540054


def test_level_of_the_intervals_is_read_not_assumed():
    """A 50 % interval of half-width 0.6745·sd is the same uncertainty as a 95 % interval
    of half-width 1.96·sd: with the level carried through, the confidence is identical."""
    sd = 1.0
    at95 = label(frame(HOSTILE_ALL, overall=(500, -0.5, 0.5, 0.1, 0), half=Z95 * sd))
    at50 = label(frame(HOSTILE_ALL, overall=(500, -0.5, 0.5, 0.1, 0), half=Z50 * sd), level=0.5)
    assert at50.confidence == at95.confidence
    # read as 95 % (the old fixed 1.96), the 50 % interval understates sd 2.9-fold
    # (1.96 / 0.6745): on the edge of the rule that changes the confidence
    wrong = label(frame(HOSTILE_ALL, overall=(500, -0.5, 0.5, 0.1, 0), half=Z50 * sd))
    assert wrong.confidence != at95.confidence
    with pytest.raises(ConfigError):
        label(frame(HOSTILE_ALL, overall=(500, 0.0, 0.5, 0.1, 0)), level=1.5)


def test_index_level_is_carried_through(chronicle):
    """indices(level=0.5): regimes and the triangle read the level off the DyadIndex."""
    from trilateral.diagnose import triangle_types
    from trilateral.measure import indices

    kw = {"period": "year", "n_boot": 200, "rng": 0, "start": "2017-01-01", "end": "2018-12-31"}
    idx = indices(chronicle, ("USA", "RUS", "CHN"), level=0.5, **kw)
    assert idx.level == 0.5
    frame50 = idx.symmetric().frame
    auto = classify_regimes(idx)
    told = classify_regimes(frame50, level=0.5)
    as95 = classify_regimes(frame50)  # a plain frame without a level is read as 95 %
    confs = [r.confidence for r in auto.regimes]
    assert confs == [r.confidence for r in told.regimes]
    assert confs != [r.confidence for r in as95.regimes]
    tri = triangle_types(idx)
    assert [t.probabilities for t in tri.periods] == [
        t.probabilities for t in triangle_types(frame50, level=0.5).periods
    ]
    assert [t.probabilities for t in tri.periods] != [
        t.probabilities for t in triangle_types(frame50).periods
    ]


# --------------------------------------------------------------------------- regime_labels


def _random_directed_frame(seed: int, cells: int = 400) -> pl.DataFrame:
    """Directed rows for many dyad-periods: random arenas (some below min_arena_events,
    some missing), with or without an "all" row, force, nulls and NaN shares."""
    import numpy as np

    gen = np.random.default_rng(seed)
    rows = []
    for c in range(cells):
        ps = date(1000 + c // 3, 1, 1)
        src, tgt = [("RUS", "USA"), ("CHN", "USA"), ("CHN", "RUS")][c % 3]
        hostile = gen.random() < 0.3  # all-round hostility, so confrontation occurs too
        for s, t in ((src, tgt), (tgt, src)):
            arenas = [a for a in ARENAS if hostile or gen.random() < 0.8]
            for a in arenas:
                coop = float(gen.random()) * (0.2 if hostile else 1.0)
                mat = float(gen.uniform(0.5 if hostile else 0.0, 1.0)) * (1 - coop)
                mean = float(gen.uniform(-10, -2 if hostile else 10))
                mean = None if gen.random() < 0.05 else mean
                n = int(gen.integers(2 if hostile else 0, 12))
                r = row(a, n, mean, coop, mat, int(gen.random() < 0.05), s, t, ps)
                if gen.random() < 0.03:
                    r["cooperation_share"] = float("nan")
                rows.append(r)
            if gen.random() < 0.5 and arenas:
                coop = float(gen.random())
                rows.append(
                    row(
                        "all",
                        int(gen.integers(0, 40)),
                        float(gen.uniform(-6, 6)),
                        coop,
                        float(gen.random()) * (1 - coop),
                        int(gen.random() < 0.1),
                        s,
                        t,
                        ps,
                    )
                )
    return pl.DataFrame(rows, infer_schema_length=None)


@pytest.mark.parametrize("seed", [0, 1])
def test_regime_labels_equal_classify_regimes_on_random_frames(seed):
    from trilateral.diagnose import regime_labels

    f = _random_directed_frame(seed)
    cfg = RegimeConfig(n_draws=1)
    slow = {(r.source, r.target, r.period_start): r.label for r in classify_regimes(f, cfg).regimes}
    fast = regime_labels(f, cfg)
    got = {
        (r["source"], r["target"], r["period_start"]): r["label"]
        for r in fast.iter_rows(named=True)
    }
    assert got == slow
    assert len(set(slow.values())) == 5  # every label, insufficient data included, is exercised


def test_regime_labels_equal_classify_regimes_on_the_shipped_store(tmp_path):
    from trilateral.data import EventStore, shipped_chronicle_path, shipped_icews_paths
    from trilateral.diagnose import regime_labels
    from trilateral.measure import indices

    path = tmp_path / "s.duckdb"
    with EventStore.open(path) as s:
        for p in (shipped_chronicle_path(), *shipped_icews_paths()):
            s.ingest(p)
    cfg = RegimeConfig(n_draws=1)
    for period in ("month", "quarter"):
        idx = indices(path, period=period, n_boot=0)
        slow = [
            (r.source, r.target, r.period_start, r.label)
            for r in classify_regimes(idx, cfg).regimes
        ]
        fast = regime_labels(idx, cfg)
        assert list(fast.iter_rows()) == slow
        assert {s[3] for s in slow} >= {LIMITED_OPPONENTS, LIMITED_PARTNERSHIP, INSUFFICIENT}
