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
    scope = conflict_scope(_store(tmp_path), ("USA", "RUS"), "year")
    assert scope.height == 1
    r = scope.row(0, named=True)
    assert (r["source"], r["target"]) == ("RUS", "USA")
    # e1 at home, e2 in Syria (region), e3 in the UK (elsewhere), e4 unlocated
    assert (r["n_conflict"], r["n_located"], r["n_home"], r["n_region"], r["n_elsewhere"]) == (
        4,
        3,
        1,
        1,
        1,
    )
    assert r["conflict_goldstein"] == pytest.approx((-8 - 10 - 2 - 2) / 4)


def test_conflict_scope_missing_store(tmp_path):
    with pytest.raises(StoreError):
        conflict_scope(tmp_path / "nope.duckdb")


def test_usa_rus_2017_2018_on_the_shipped_chronicle(tmp_path):
    """The rules' label for USA–RUS 2017–2018 with its evidence (not forced to the paper's)."""
    from importlib import resources

    from trilateral.data.store import EventStore
    from trilateral.measure._indices import indices

    chron = resources.files("trilateral.data") / "_files" / "chronicle.csv"
    if not chron.is_file():
        pytest.skip("chronicle not shipped yet")
    path = tmp_path / "c.duckdb"
    with EventStore.open(path) as s:
        s.ingest(Path(str(chron)))
    window = (date(2017, 1, 1), date(2018, 12, 31))
    idx = indices(path, ("USA", "RUS"), "year", start=window[0], end=window[1], n_boot=100, rng=0)
    res = classify_regimes(idx, scope=conflict_scope(path, ("USA", "RUS")), window=window)
    r = res.get("USA-RUS", window[0])
    ev = r.evidence
    for key in (
        "n_events",
        "mean_goldstein",
        "material_conflict_share",
        "force_events",
        "n_hostile_arenas",
        "cooperation_survives",
        "scope",
        "global_share",
    ):
        assert key in ev
    # the label follows from the evidence by the documented rules
    cfg = res.config
    assert ev["n_events"] >= cfg.min_events
    if ev["mean_goldstein"] < 0:
        limited = (
            (ev["force_events"] < 1 and ev["material_conflict_share"] < 0.5)
            or ev["n_hostile_arenas"] < 4
            or ev["cooperation_survives"]
            or ev["scope"] == "regional"
        )
        assert r.label == (LIMITED_OPPONENTS if limited else CONFRONTATION)
        assert set(r.limited_by) <= {"intensity", "breadth", "scope"}
    else:
        assert r.label in (PARTNERSHIP, LIMITED_PARTNERSHIP)
    assert 0.0 <= r.confidence <= 1.0
