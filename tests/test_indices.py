"""Dyad × arena × period indices (trilateral.measure._indices).

Hand-built stores with numbers worked out by hand, Hypothesis properties, and the
shipped chronicle.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from trilateral.config import ARENAS
from trilateral.data._store_ddl import DDL, STORE_VERSION
from trilateral.errors import ConfigError, DataError, StoreError
from trilateral.measure._indices import INDEX_COLUMNS, DyadIndex, calendar, indices

REPO = Path(__file__).resolve().parents[1]
CHRONICLE = REPO / "src" / "trilateral" / "data" / "_files" / "chronicle.csv"

# CAMEO root → quad class (CAMEO manual: 01–05 verbal cooperation, 06–08 material
# cooperation, 09–14 verbal conflict, 15–20 material conflict).
_QUAD = {**dict.fromkeys(range(1, 6), 1), **dict.fromkeys(range(6, 9), 2)}
_QUAD |= {**dict.fromkeys(range(9, 15), 3), **dict.fromkeys(range(15, 21), 4)}

Row = tuple[date, str | None, str | None, str, float, str, int]


def _insert(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    if not rows:
        return
    con.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 'test', NULL, NULL, 1)",
        [
            [f"e{i}", d, s, t, cameo, _QUAD[int(cameo[:2])], g, arena, w]
            for i, (d, s, t, cameo, g, arena, w) in enumerate(rows)
        ],
    )


def make_store(path: Path, rows: list[Row]) -> Path:
    """A store file as the store writes it (tables + layout version), with ``rows``."""
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.execute("INSERT INTO store_meta VALUES ('version', ?)", [str(STORE_VERSION)])
    _insert(con, rows)
    con.close()
    return path


def memory_store(rows: list[Row]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(DDL)
    _insert(con, rows)
    return con


D = date
# (date, source, target, cameo, goldstein, arena, weight = mentions)
ROWS: list[Row] = [
    (D(2018, 1, 5), "USA", "RUS", "163", -8.0, "economic", 3),  # embargo
    (D(2018, 1, 20), "USA", "RUS", "036", 4.0, "diplomatic", 1),  # intent to meet
    (D(2018, 1, 25), "USA", "RUS", "111", -2.0, "information", 2),  # criticise
    (D(2018, 1, 10), "RUS", "USA", "190", -10.0, "military", 1),  # use of force
    (D(2018, 3, 15), "USA", "RUS", "161", -4.0, "diplomatic", 5),  # reduce relations
    (D(2018, 3, 2), "CHN", "RUS", "057", 8.0, "diplomatic", 2),  # sign agreement
    (D(2018, 3, 2), "DEU", "FRA", "042", 1.9, "diplomatic", 4),  # outside the triangle
    (D(2018, 3, 3), "USA", "USA", "010", 0.0, "information", 1),  # self-dyad: excluded
    (D(2018, 3, 3), None, "RUS", "042", 1.9, "diplomatic", 1),  # no source country
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "s.duckdb", ROWS)


def cell(idx: DyadIndex, s: str, t: str, arena: str, start: date) -> dict:
    rows = idx.frame.filter(
        (pl.col("source") == s)
        & (pl.col("target") == t)
        & (pl.col("arena") == arena)
        & (pl.col("period_start") == start)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


# --------------------------------------------------------------------------- exact cells


def test_frame_layout_and_calendar(store: Path) -> None:
    idx = indices(store, n_boot=0)
    assert tuple(idx.frame.columns) == INDEX_COLUMNS
    # 6 directed dyads × (5 arenas + all) × 3 months (Jan–Mar 2018, February empty)
    assert idx.frame.height == 6 * 6 * 3
    assert idx.frame["period_start"].unique().sort().to_list() == [
        D(2018, 1, 1),
        D(2018, 2, 1),
        D(2018, 3, 1),
    ]
    assert idx.frame.schema["n_events"] == pl.Int64
    assert idx.frame.schema["period_start"] == pl.Date
    assert set(idx.frame["period"]) == {"month"}


def test_exact_cell_values_events_weighting(store: Path) -> None:
    idx = indices(store, n_boot=0)
    c = cell(idx, "USA", "RUS", "all", D(2018, 1, 1))
    # three events: −8 (quad 4), +4 (quad 1), −2 (quad 3)
    assert c["n_events"] == 3 and c["weight"] == 3
    assert c["mean_goldstein"] == pytest.approx((-8 + 4 - 2) / 3)
    assert c["conflict_share"] == pytest.approx(2 / 3)
    assert c["material_conflict_share"] == pytest.approx(1 / 3)
    assert c["cooperation_share"] == pytest.approx(1 / 3)
    assert c["net_cooperation"] == pytest.approx(-1 / 3)
    assert c["force_events"] == 0
    assert c["ci_low"] is None and c["ci_high"] is None  # n_boot=0
    e = cell(idx, "USA", "RUS", "economic", D(2018, 1, 1))
    assert (e["n_events"], e["mean_goldstein"], e["conflict_share"]) == (1, -8.0, 1.0)
    m = cell(idx, "RUS", "USA", "military", D(2018, 1, 1))
    assert (m["force_events"], m["material_conflict_share"]) == (1, 1.0)
    mar = cell(idx, "USA", "RUS", "all", D(2018, 3, 1))
    assert (mar["n_events"], mar["mean_goldstein"]) == (1, -4.0)
    # the self-dyad and the event without a source country are not in any cell
    assert cell(idx, "CHN", "RUS", "all", D(2018, 3, 1))["n_events"] == 1
    assert idx.frame.filter(pl.col("arena") == "all")["n_events"].sum() == 6


def test_empty_periods_are_present_and_null(store: Path) -> None:
    idx = indices(store, n_boot=50, rng=1)
    feb = idx.frame.filter(pl.col("period_start") == D(2018, 2, 1))
    assert feb.height == 36
    assert feb["n_events"].to_list() == [0] * 36
    assert feb["weight"].to_list() == [0] * 36
    assert feb["force_events"].to_list() == [0] * 36
    for col in (
        "mean_goldstein",
        "ci_low",
        "ci_high",
        "conflict_share",
        "material_conflict_share",
        "cooperation_share",
        "net_cooperation",
    ):
        assert feb[col].null_count() == 36, col
    # a dyad that never interacts is present too, empty in every period
    assert idx.series("USA", "CHN")["n_events"].to_list() == [0, 0, 0]


def test_mentions_weighting(store: Path) -> None:
    idx = indices(store, weighting="mentions", n_boot=0)
    c = cell(idx, "USA", "RUS", "all", D(2018, 1, 1))
    # weights 3, 1, 2 on scores −8, +4, −2
    assert c["n_events"] == 3 and c["weight"] == 6
    assert c["mean_goldstein"] == pytest.approx((3 * -8 + 4 + 2 * -2) / 6)
    assert c["conflict_share"] == pytest.approx(5 / 6)
    assert c["material_conflict_share"] == pytest.approx(3 / 6)
    assert c["cooperation_share"] == pytest.approx(1 / 6)
    assert c["force_events"] == 0
    assert idx.weighting == "mentions"


def test_arena_selection(store: Path) -> None:
    only = indices(store, arena="economic", n_boot=0)
    assert set(only.frame["arena"]) == {"economic"} and only.frame.height == 6 * 3
    pooled = indices(store, arena="all", n_boot=0)
    assert set(pooled.frame["arena"]) == {"all"}
    # "all" pools every arena even when only it is asked for
    assert cell(pooled, "USA", "RUS", "all", D(2018, 1, 1))["n_events"] == 3
    both = indices(store, arena=["economic", "all"], n_boot=0)
    assert both.arenas == ("economic", "all") and both.frame.height == 6 * 2 * 3
    assert cell(both, "USA", "RUS", "all", D(2018, 1, 1))["n_events"] == 3
    default = indices(store, n_boot=0)
    assert default.arenas == (*ARENAS, "all")
    with pytest.raises(ConfigError, match="unknown arena"):
        indices(store, arena="economy", n_boot=0)


def test_collapse_duplicates(tmp_path: Path) -> None:
    rows: list[Row] = [
        (D(2018, 1, 5), "USA", "RUS", "163", -8.0, "economic", 3),
        (D(2018, 1, 5), "USA", "RUS", "163", -8.0, "economic", 4),  # same report, again
        (D(2018, 1, 6), "USA", "RUS", "163", -8.0, "economic", 2),  # next day: distinct
        (D(2018, 1, 5), "USA", "RUS", "036", 4.0, "diplomatic", 1),  # other code: distinct
    ]
    path = make_store(tmp_path / "d.duckdb", rows)
    raw = cell(indices(path, n_boot=0), "USA", "RUS", "all", D(2018, 1, 1))
    assert raw["n_events"] == 4 and raw["mean_goldstein"] == pytest.approx((-24 + 4) / 4)
    col = cell(
        indices(path, collapse_duplicates=True, n_boot=0), "USA", "RUS", "all", D(2018, 1, 1)
    )
    assert col["n_events"] == 3 and col["weight"] == 3
    assert col["mean_goldstein"] == pytest.approx((-16 + 4) / 3)
    men = indices(path, collapse_duplicates=True, weighting="mentions", n_boot=0)
    c = cell(men, "USA", "RUS", "all", D(2018, 1, 1))
    assert c["n_events"] == 3 and c["weight"] == 3 + 4 + 2 + 1  # summed mentions
    assert c["mean_goldstein"] == pytest.approx((9 * -8 + 4) / 10)


def test_normalize_divides_by_store_volume(store: Path) -> None:
    idx = indices(store, normalize=True, n_boot=0)
    assert idx.frame.columns[-2:] == ["volume", "volume_share"]
    jan = cell(idx, "USA", "RUS", "all", D(2018, 1, 1))
    # January: 4 events in the store (3 USA→RUS, 1 RUS→USA)
    assert (jan["volume"], jan["volume_share"]) == (4, pytest.approx(3 / 4))
    # March: 5 events in the store, every dyad (also DEU→FRA, the self-dyad, no source)
    mar = cell(idx, "USA", "RUS", "all", D(2018, 3, 1))
    assert (mar["volume"], mar["volume_share"]) == (5, pytest.approx(1 / 5))
    feb = cell(idx, "USA", "RUS", "all", D(2018, 2, 1))
    assert feb["volume"] == 0 and feb["volume_share"] is None
    empty_dyad = cell(idx, "USA", "CHN", "all", D(2018, 3, 1))
    assert empty_dyad["volume_share"] == 0.0  # no events that month, of 5 in the store
    men = cell(
        indices(store, normalize=True, weighting="mentions", n_boot=0),
        "USA",
        "RUS",
        "all",
        D(2018, 1, 1),
    )
    assert (men["volume"], men["volume_share"]) == (7, pytest.approx(6 / 7))


def test_window_and_other_periods(store: Path) -> None:
    idx = indices(store, start="2017-12-15", end=date(2018, 4, 2), n_boot=0)
    months = idx.series("USA", "RUS")["period_start"].to_list()
    assert months == [D(2017, 12, 1), D(2018, 1, 1), D(2018, 2, 1), D(2018, 3, 1), D(2018, 4, 1)]
    assert idx.series("USA", "RUS")["n_events"].to_list() == [0, 3, 0, 1, 0]
    jan_only = indices(store, start="2018-01-08", end="2018-01-31", n_boot=0)
    assert cell(jan_only, "USA", "RUS", "all", D(2018, 1, 1))["n_events"] == 2  # not Jan 5
    q = indices(store, period="quarter", n_boot=0)
    assert q.series("USA", "RUS")["n_events"].to_list() == [4]
    w = indices(store, period="week", n_boot=0)
    weeks = w.series("USA", "RUS")
    assert weeks["period_start"][0] == D(2018, 1, 1)  # the Monday of Fri 5 Jan 2018
    assert weeks["period_start"][-1] == D(2018, 3, 12)  # the Monday of 15 Mar 2018
    assert weeks.height == 11 and weeks["n_events"].sum() == 4
    y = indices(store, period="year", start="2016-06-01", n_boot=0)
    assert y.series("USA", "RUS")["n_events"].to_list() == [0, 0, 4]


def test_calendar_alignment() -> None:
    assert calendar(D(2019, 11, 20), D(2020, 2, 3), "quarter") == [D(2019, 10, 1), D(2020, 1, 1)]
    assert calendar(D(2020, 1, 1), D(2020, 1, 3), "day") == [D(2020, 1, d) for d in (1, 2, 3)]
    assert calendar(D(2020, 1, 1), D(2020, 1, 13), "week") == [
        D(2019, 12, 30),
        D(2020, 1, 6),
        D(2020, 1, 13),
    ]


def test_errors(tmp_path: Path, store: Path) -> None:
    with pytest.raises(StoreError, match="no event store"):
        indices(tmp_path / "missing.duckdb")
    with pytest.raises(DataError, match="holds no events"):
        indices(make_store(tmp_path / "empty.duckdb", []))
    with pytest.raises(DataError, match="no events between"):
        indices(store, countries=("IND", "PAK"))
    empty = indices(store, countries=("IND", "PAK"), start="2018-01-01", end="2018-02-28")
    assert empty.frame.height == 2 * 6 * 2 and empty.frame["n_events"].sum() == 0
    for kwargs in ({"period": "fortnight"}, {"weighting": "reports"}, {"n_boot": -1}):
        with pytest.raises(ConfigError):
            indices(store, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a date"):
        indices(store, start="last year")
    with pytest.raises(ConfigError, match="end=2019 is not a date"):
        indices(store, end=2019)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        indices(store, countries=("USA",))


def test_symmetric_series_summary_provenance(store: Path) -> None:
    idx = indices(store, n_boot=100, rng=7)
    sym = idx.symmetric()
    assert not sym.directed and sym.symmetric() is sym
    assert sym.frame.columns[0] == "dyad" and set(sym.frame["dyad"]) == {
        "RUS-USA",
        "CHN-USA",
        "CHN-RUS",
    }
    assert sym.frame.height == 3 * 6 * 3
    c = sym.frame.filter(
        (pl.col("dyad") == "RUS-USA")
        & (pl.col("arena") == "all")
        & (pl.col("period_start") == D(2018, 1, 1))
    ).row(0, named=True)
    # both directions: −8, +4, −2 (USA→RUS) and −10 (RUS→USA)
    assert c["n_events"] == 4 and c["mean_goldstein"] == pytest.approx(-16 / 4)
    assert c["conflict_share"] == pytest.approx(3 / 4) and c["force_events"] == 1
    assert c["ci_low"] <= c["mean_goldstein"] <= c["ci_high"]
    assert sym.series("USA", "RUS")["n_events"].to_list() == [4, 0, 1]
    text = idx.summary()
    assert "USA→RUS" in text and "-2.00" in text and "directed" in text
    p = idx.provenance
    assert p["rng_entropy"] == "7" and p["n_boot"] == 100 and len(p["data_hash"]) == 64
    assert p["store_path"] == str(store) and p["start"] == "2018-01-01"
    with pytest.raises(ConfigError):
        idx.series("USA", "RUS", "cyber")


def test_store_api_and_connection_give_the_same(store: Path) -> None:
    from trilateral.data.store import EventStore

    by_path = indices(store, n_boot=0)
    with EventStore.open(store, read_only=True) as es:
        by_store = indices(es, n_boot=0)
    con = duckdb.connect(str(store), read_only=True)
    by_con = indices(con, n_boot=0)
    con.close()
    assert_frame_equal(by_path.frame, by_store.frame)
    assert_frame_equal(by_path.frame, by_con.frame)


# --------------------------------------------------------------------------- bootstrap


def _noisy_rows(seed: int, n: int = 40) -> list[Row]:
    gen = np.random.default_rng(seed)
    codes = [("036", 4.0, "diplomatic"), ("163", -8.0, "economic"), ("111", -2.0, "information")]
    out: list[Row] = []
    for _ in range(n):
        code, g, arena = codes[int(gen.integers(3))]
        s, t = ("USA", "RUS") if gen.random() < 0.7 else ("RUS", "USA")
        day = D(2018, 1 + int(gen.integers(2)), 1 + int(gen.integers(28)))
        out.append((day, s, t, code, g, arena, int(gen.integers(1, 9))))
    return out


def test_bootstrap_is_seeded_and_order_free(tmp_path: Path) -> None:
    rows = _noisy_rows(3)
    a = make_store(tmp_path / "a.duckdb", rows)
    b = make_store(tmp_path / "b.duckdb", rows[::-1])
    ia = indices(a, n_boot=200, rng=42)
    assert_frame_equal(ia.frame, indices(a, n_boot=200, rng=42).frame, check_exact=True)
    assert_frame_equal(
        ia.symmetric().frame, indices(a, n_boot=200, rng=42).symmetric().frame, check_exact=True
    )
    # the same events in another row order: the same intervals, to the bit
    ib = indices(b, n_boot=200, rng=42)
    assert_frame_equal(
        ia.frame.select("ci_low", "ci_high"), ib.frame.select("ci_low", "ci_high"), check_exact=True
    )
    assert_frame_equal(ia.frame, ib.frame, rel_tol=1e-12)
    # another seed moves the intervals of cells with several events
    other = indices(a, n_boot=200, rng=43).frame
    many = ia.frame["n_events"] > 3
    assert (ia.frame.filter(many)["ci_low"] != other.filter(many)["ci_low"]).any()
    # a cell's interval does not depend on the other cells in the store
    extra = make_store(
        tmp_path / "c.duckdb",
        [*rows, *[(D(2018, 1, 9), "CHN", "USA", "036", 4.0, "diplomatic", 1)] * 3],
    )
    ic = indices(extra, n_boot=200, rng=42).frame.filter(pl.col("source") != "CHN")
    keep = ia.frame.filter(pl.col("source") != "CHN")
    assert_frame_equal(
        keep.select("ci_low", "ci_high"), ic.select("ci_low", "ci_high"), check_exact=True
    )


def test_bootstrap_interval_properties(tmp_path: Path) -> None:
    rows = [*_noisy_rows(5), (D(2018, 3, 3), "CHN", "RUS", "057", 8.0, "diplomatic", 2)]
    idx = indices(make_store(tmp_path / "n.duckdb", rows), n_boot=300, rng=0)
    f = idx.frame.filter(pl.col("n_events") > 0)
    assert (f["ci_low"] <= f["mean_goldstein"] + 1e-9).all()
    assert (f["ci_high"] >= f["mean_goldstein"] - 1e-9).all()
    single = cell(idx, "CHN", "RUS", "all", D(2018, 3, 1))
    assert single["ci_low"] == single["ci_high"] == single["mean_goldstein"] == 8.0  # degenerate
    wide = f.filter(pl.col("n_events") >= 10)
    assert wide.height and (wide["ci_high"] > wide["ci_low"]).all()
    # higher level, wider interval (same streams)
    idx99 = indices(make_store(tmp_path / "m.duckdb", rows), n_boot=300, rng=0, level=0.99)
    w95 = (f["ci_high"] - f["ci_low"]).sum()
    f99 = idx99.frame.filter(pl.col("n_events") > 0)
    assert (f99["ci_high"] - f99["ci_low"]).sum() >= w95


def test_all_arena_interval_pools_arenas_and_ignores_their_labels(tmp_path: Path) -> None:
    # "all" resamples the events of every arena together: relabelling the arenas (same
    # events, same scores and weights) leaves the pooled interval unchanged, to the bit
    rows = _noisy_rows(11, n=60)
    relabelled = [
        (d, s, t, c, g, "military" if i % 2 else "political", w)
        for i, (d, s, t, c, g, _, w) in enumerate(rows)
    ]
    fa = indices(make_store(tmp_path / "a.duckdb", rows), weighting="mentions", n_boot=200, rng=4)
    fb = indices(
        make_store(tmp_path / "b.duckdb", relabelled), weighting="mentions", n_boot=200, rng=4
    )
    for f in (fa.frame, fb.frame):
        assert (
            f.filter((pl.col("arena") == "all") & (pl.col("n_events") > 1))["ci_low"]
            .is_not_null()
            .all()
        )
    alls = [f.frame.filter(pl.col("arena") == "all").select("ci_low", "ci_high") for f in (fa, fb)]
    assert_frame_equal(alls[0], alls[1], check_exact=True)
    sym = [f.symmetric().frame.filter(pl.col("arena") == "all") for f in (fa, fb)]
    assert_frame_equal(
        sym[0].select("ci_low", "ci_high"), sym[1].select("ci_low", "ci_high"), check_exact=True
    )
    # many copies of one (weight, score) pair: degenerate, whatever the count
    same = [(D(2018, 1, 1 + i % 28), "USA", "RUS", "036", 4.0, "diplomatic", 3) for i in range(500)]
    c = cell(
        indices(make_store(tmp_path / "c.duckdb", same), n_boot=50, rng=0),
        "USA",
        "RUS",
        "all",
        D(2018, 1, 1),
    )
    assert c["ci_low"] == c["ci_high"] == c["mean_goldstein"] == 4.0


# Skewed multiplicities of the (weight, score) pairs, so that a scheme that ignored them
# (resampling distinct pairs, or events unweighted) would give visibly other quantiles.
_PAIRS = [  # (cameo, goldstein, arena, mentions, how many events)
    ("036", 4.0, "diplomatic", 1, 30),
    ("036", 4.0, "diplomatic", 6, 4),
    ("163", -8.0, "economic", 2, 12),
    ("163", -8.0, "economic", 9, 2),
    ("111", -2.0, "information", 1, 20),
    ("057", 8.0, "diplomatic", 3, 3),
    ("190", -10.0, "military", 1, 1),
]


def test_bootstrap_agrees_with_naive_event_resampling(tmp_path: Path) -> None:
    """The multinomial draw over distinct pairs estimates what resampling events does.

    On one cell (72 events, 7 distinct (w, g) pairs, mentions weighting, several arenas
    pooled into "all") the interval from indices() with B = 20,000 is compared with a
    naive bootstrap computed here: B = 20,000 resamples of the 72 events with
    replacement, from an independent generator.

    Tolerance: the Monte-Carlo standard error of a p-quantile estimated from B draws is
    sqrt(p(1 − p) / B) / f(q_p), f the density of the bootstrap distribution at q_p.
    That distribution is close to normal with sd σ (estimated below from the naive
    replicates), so f(q_p) ≈ φ(z_p) / σ: for p = 0.025, SE ≈ 0.0189 σ; for p = 0.25,
    0.0096 σ. Two independent estimates differ with SE √2 times that, at most 0.027 σ.
    A tolerance of 0.15 σ is more than 5.5 such SEs (a false failure has probability
    below 1e-7 per quantile), yet the wrong schemes checked at the end miss by more.
    """
    rows: list[Row] = []
    for k, (code, g, arena, w, count) in enumerate(_PAIRS):
        rows += [
            (D(2018, 5, 1 + (k + i) % 28), "USA", "RUS", code, g, arena, w) for i in range(count)
        ]
    path = make_store(tmp_path / "one.duckdb", rows)
    big_b = 20_000
    w = np.array([r[6] for r in rows], dtype=float)
    g = np.array([r[4] for r in rows])
    n = len(rows)
    naive = np.random.default_rng(20240601).integers(0, n, size=(big_b, n))
    means = (w * g)[naive].sum(axis=1) / w[naive].sum(axis=1)
    sigma = float(means.std())
    assert sigma > 0.3  # a real spread, so the tolerance is not vacuous
    tol = 0.15 * sigma
    for level in (0.95, 0.5):
        idx = indices(path, arena="all", weighting="mentions", n_boot=big_b, rng=2, level=level)
        c = cell(idx, "USA", "RUS", "all", D(2018, 5, 1))
        assert c["n_events"] == n
        alpha = (1 - level) / 2
        lo, hi = np.quantile(means, [alpha, 1 - alpha])
        assert abs(c["ci_low"] - lo) < tol, (level, c["ci_low"], lo, tol)
        assert abs(c["ci_high"] - hi) < tol, (level, c["ci_high"], hi, tol)
    # the test has power: resampling the distinct pairs uniformly, or the events
    # unweighted, moves some quantile by more than the tolerance
    pairs_w = np.array([p[3] for p in _PAIRS], dtype=float)
    pairs_g = np.array([p[1] for p in _PAIRS])
    gen = np.random.default_rng(7)
    pick = gen.integers(0, len(_PAIRS), size=(big_b, n))
    uniform = (pairs_w * pairs_g)[pick].sum(axis=1) / pairs_w[pick].sum(axis=1)
    unweighted = g[naive].mean(axis=1)
    for wrong in (uniform, unweighted):
        q_wrong = np.quantile(wrong, [0.025, 0.25, 0.75, 0.975])
        q_right = np.quantile(means, [0.025, 0.25, 0.75, 0.975])
        assert np.abs(q_wrong - q_right).max() > 2 * tol


def test_progress_callback(tmp_path: Path) -> None:
    path = make_store(tmp_path / "p.duckdb", _noisy_rows(2, n=80))
    calls: list[tuple[int, int]] = []
    idx = indices(path, n_boot=20, rng=0, progress=lambda d, t: calls.append((d, t)))
    total = calls[-1][1]
    # every directed and undirected cell with events is one unit of work
    n_cells = (idx.frame["n_events"] > 0).sum() + (idx.symmetric().frame["n_events"] > 0).sum()
    assert total == n_cells > 0
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(t == total for _, t in calls)
    # at about every 1 %: never more calls than cells (+ the first)
    assert len(calls) <= total + 1
    # the callback does not change the numbers
    assert_frame_equal(idx.frame, indices(path, n_boot=20, rng=0).frame, check_exact=True)
    # no bootstrap, no calls
    quiet: list[tuple[int, int]] = []
    indices(path, n_boot=0, progress=lambda d, t: quiet.append((d, t)))
    assert quiet == []


# --------------------------------------------------------------------------- properties

CODES = [
    ("036", 4.0, "diplomatic"),
    ("061", 6.4, "economic"),
    ("111", -2.0, "information"),
    ("163", -8.0, "economic"),
    ("190", -10.0, "military"),
    ("1041", -5.0, "political"),
    ("042", 1.9, "diplomatic"),
    ("200", -10.0, "military"),
]
COUNTRIES = ("USA", "RUS", "CHN")

event = st.tuples(
    st.integers(0, 95),
    st.sampled_from(COUNTRIES),
    st.sampled_from(COUNTRIES),
    st.sampled_from(CODES),
    st.integers(1, 50),
)


def _rows(draw: list[tuple[int, str, str, tuple[str, float, str], int]]) -> list[Row]:
    base = np.datetime64("2019-01-01")
    return [
        ((base + np.timedelta64(d, "D")).item(), s, t, code[0], code[1], code[2], w)
        for d, s, t, code, w in draw
        if s != t
    ]


PROPS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPS
@given(
    draw=st.lists(event, min_size=1, max_size=40), weighting=st.sampled_from(["events", "mentions"])
)
def test_property_bounds_and_pooling(draw, weighting) -> None:
    rows = _rows(draw)
    if not rows:
        return
    con = memory_store(rows)
    idx = indices(con, weighting=weighting, n_boot=40, rng=1)
    f = idx.frame.filter(pl.col("n_events") > 0)
    assert f["mean_goldstein"].is_between(-10, 10).all()
    for col in ("conflict_share", "material_conflict_share", "cooperation_share"):
        assert f[col].is_between(0, 1).all()
    assert f["net_cooperation"].is_between(-1, 1).all()
    assert (f["material_conflict_share"] <= f["conflict_share"] + 1e-12).all()
    assert ((f["conflict_share"] + f["cooperation_share"] - 1).abs() < 1e-9).all()
    assert (f["ci_low"] <= f["mean_goldstein"] + 1e-9).all()
    assert (f["ci_high"] >= f["mean_goldstein"] - 1e-9).all()
    assert f["ci_low"].is_between(-10, 10).all() and f["ci_high"].is_between(-10, 10).all()
    # the arenas add up to "all"
    arenas = (
        idx.frame.filter(pl.col("arena") != "all")
        .group_by("source", "target", "period_start")
        .agg(pl.col("n_events").sum().alias("n_arenas"), pl.col("weight").sum().alias("w_arenas"))
    )
    alls = idx.frame.filter(pl.col("arena") == "all").join(
        arenas, on=["source", "target", "period_start"]
    )
    assert (alls["n_events"] == alls["n_arenas"]).all() and (
        alls["weight"] == alls["w_arenas"]
    ).all()
    assert idx.frame.filter(pl.col("arena") == "all")["n_events"].sum() == len(rows)
    # the undirected view pools both directions: compare with a direct computation
    sym = idx.symmetric().frame.filter(pl.col("arena") == "all")
    for r in sym.filter(pl.col("n_events") > 0).iter_rows(named=True):
        pair = {r["source"], r["target"]}
        mine = [
            x
            for x in rows
            if {x[1], x[2]} == pair and D(x[0].year, x[0].month, 1) == r["period_start"]
        ]
        w = np.array([x[6] if weighting == "mentions" else 1 for x in mine], dtype=float)
        g = np.array([x[4] for x in mine])
        assert r["n_events"] == len(mine) and r["weight"] == int(w.sum())
        assert r["mean_goldstein"] == pytest.approx(float((w * g).sum() / w.sum()), abs=1e-9)
        assert r["ci_low"] <= r["mean_goldstein"] + 1e-9 <= r["ci_high"] + 2e-9
    con.close()


@PROPS
@given(draw=st.lists(event, min_size=2, max_size=30), perm_seed=st.integers(0, 2**32 - 1))
def test_property_row_order_invariance(draw, perm_seed) -> None:
    rows = _rows(draw)
    if not rows:
        return
    order = np.random.default_rng(perm_seed).permutation(len(rows))
    a, b = memory_store(rows), memory_store([rows[i] for i in order])
    fa = indices(a, weighting="mentions", n_boot=30, rng=9).frame
    fb = indices(b, weighting="mentions", n_boot=30, rng=9).frame
    assert_frame_equal(
        fa.select("ci_low", "ci_high"), fb.select("ci_low", "ci_high"), check_exact=True
    )
    assert_frame_equal(fa, fb, rel_tol=1e-12, abs_tol=1e-12)
    a.close()
    b.close()


# --------------------------------------------------------------------------- chronicle


def _chronicle_store(tmp_path: Path) -> Path:
    """The shipped chronicle, ingested through the store (the chronicle reader)."""
    from trilateral.data.store import EventStore

    path = tmp_path / "chronicle.duckdb"
    with EventStore.open(path) as es:
        res = es.ingest(CHRONICLE, "chronicle")
    assert res.rows_rejected == 0
    return path


def test_chronicle_usa_rus_2014_2019_by_arena(tmp_path: Path) -> None:
    """USA–RUS on the shipped chronicle, 2014–2019, both directions pooled.

    The brief expected the economic and the diplomatic arenas to be net-conflictual
    (mean Goldstein < 0, conflict share > 0.5). The chronicle gives that for the economic
    arena (sanctions) and for all arenas pooled, but NOT for the diplomatic one: most of
    its diplomatic events are consultations, meetings and summits (CAMEO 04x, 057), which
    outnumber the expulsions and closures (16x, 17x). Asserted as the data give it.
    """
    path = _chronicle_store(tmp_path)
    idx = indices(
        path,
        countries=("USA", "RUS"),
        period="year",
        arena=["economic", "diplomatic", "all"],
        start="2014-01-01",
        end="2019-12-31",
        n_boot=0,
    )
    pooled = idx.symmetric().pooled().to_dicts()
    print("\nUSA–RUS, chronicle 2014–2019, both directions pooled:")
    for r in pooled:
        print(
            f"  {r['arena']:<11} events={r['n_events']:>4} "
            f"mean Goldstein={r['mean_goldstein']:+.2f} conflict share={r['conflict_share']:.2f} "
            f"material conflict={r['material_conflict_share']:.2f} "
            f"net cooperation={r['net_cooperation']:+.2f}"
        )
    by_arena = {r["arena"]: r for r in pooled}
    eco, dip, every = by_arena["economic"], by_arena["diplomatic"], by_arena["all"]
    assert eco["n_events"] >= 20 and dip["n_events"] >= 50
    assert eco["mean_goldstein"] < 0 and eco["conflict_share"] > 0.5  # net-conflictual
    assert every["mean_goldstein"] < 0 and every["conflict_share"] > 0.5  # net-conflictual
    assert dip["mean_goldstein"] > 0 and dip["conflict_share"] < 0.5  # NOT net-conflictual
    assert dip["material_conflict_share"] > 0.1  # …though expulsions and closures are there


def test_dedup_on_a_store_without_the_duplicates_table(tmp_path: Path) -> None:
    """A store written before ``event_duplicates`` existed, opened read-only (so not
    migrated): a clear StoreError naming the store and what to do, not DuckDB's
    CatalogException; opened once writable it gains the table and the query runs."""
    from trilateral.data.store import EventStore

    path = _chronicle_store(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE event_duplicates")  # the layout of an older store
    con.close()
    with pytest.raises(StoreError) as err:
        indices(path, countries=("USA", "RUS"), period="year", n_boot=0, dedup="cross-dataset")
    assert str(path) in str(err.value) and "event_duplicates" in str(err.value)
    assert "re-ingest" in str(err.value) and "writable" in str(err.value)
    # without dedup the older store still reads
    plain = indices(path, countries=("USA", "RUS"), period="year", n_boot=0)
    with EventStore.open(path):  # writable: the DDL adds the missing (empty) table
        pass
    deduped = indices(
        path, countries=("USA", "RUS"), period="year", n_boot=0, dedup="cross-dataset"
    )
    # nothing is listed as a duplicate, so every count is the same
    assert deduped.frame["n_events"].to_list() == plain.frame["n_events"].to_list()
    assert deduped.frame["n_events"].sum() > 0
