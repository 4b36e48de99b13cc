"""Tit-for-tat matching: hand-built cases, invariants, the store helper, the chronicle."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from trilateral.data import read, shipped_chronicle_path
from trilateral.data._store_ddl import DDL, STORE_VERSION
from trilateral.errors import ConfigError, DataError, StoreError
from trilateral.measure._titfortat import load_events, match_tit_for_tat

CHRONICLE = shipped_chronicle_path()
D0 = date(2018, 3, 26)


def ev(
    rows: list[tuple[str, int, str, str, str]],
    *,
    quad: int = 4,
    magnitude: list[float | None] | None = None,
    cameo: list[str | None] | None = None,
) -> pl.DataFrame:
    """Events from (id, day offset from D0, source, target, arena)."""
    n = len(rows)
    return pl.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "date": [D0 + timedelta(days=r[1]) for r in rows],
            "source": [r[2] for r in rows],
            "target": [r[3] for r in rows],
            "arena": [r[4] for r in rows],
            "cameo": cameo if cameo is not None else ["1246"] * n,
            "quad_class": [quad] * n,
            "goldstein": [-7.0] * n,
            "magnitude": magnitude if magnitude is not None else [None] * n,
        },
        schema_overrides={"magnitude": pl.Float64, "quad_class": pl.Int8, "cameo": pl.String},
    )


def answer(res, act_id: str) -> dict:
    return res.matches.filter(pl.col("act_id") == act_id).row(0, named=True)


# --------------------------------------------------------------------------- hand-built


def test_sixty_for_sixty() -> None:
    events = ev(
        [("us", 0, "USA", "RUS", "diplomatic"), ("ru", 3, "RUS", "USA", "diplomatic")],
        magnitude=[60.0, 60.0],
    )
    res = match_tit_for_tat(events)
    a = answer(res, "us")
    assert a["answered"] and a["answer_id"] == "ru"
    assert a["lag_days"] == 3 and a["magnitude_ratio"] == 1.0
    assert a["answer_date"] == date(2018, 3, 29)
    assert not answer(res, "ru")["answered"]  # nobody answered Russia's answer
    assert res.matches.height == 2


def test_magnitude_ratio_needs_both_magnitudes() -> None:
    events = ev(
        [
            ("a", 0, "USA", "RUS", "diplomatic"),
            ("b", 2, "RUS", "USA", "diplomatic"),
            ("c", 10, "USA", "RUS", "economic"),
            ("d", 12, "RUS", "USA", "economic"),
            ("e", 20, "USA", "RUS", "information"),
            ("f", 22, "RUS", "USA", "information"),
        ],
        magnitude=[35.0, 755.0, None, 4.0, 0.0, 3.0],
    )
    res = match_tit_for_tat(events)
    assert answer(res, "a")["magnitude_ratio"] == pytest.approx(755 / 35)
    assert answer(res, "c")["magnitude_ratio"] is None
    assert answer(res, "e")["magnitude_ratio"] is None  # act magnitude 0: no ratio
    assert answer(res, "e")["answered"]


def test_window_edges() -> None:
    """Answer window is (act day, act day + window_days]: inclusive at the far edge,
    and an event on the act's own day is not an answer (order within a day unknown)."""
    rows = [
        ("act", 0, "USA", "RUS", "diplomatic"),
        ("same_day", 0, "RUS", "USA", "diplomatic"),
        ("edge", 30, "RUS", "USA", "diplomatic"),
    ]
    res = match_tit_for_tat(ev(rows), window_days=30)
    assert answer(res, "act")["answer_id"] == "edge"
    assert answer(res, "act")["lag_days"] == 30
    res = match_tit_for_tat(ev(rows), window_days=29)
    assert not answer(res, "act")["answered"]
    assert answer(res, "act")["lag_days"] is None


def test_each_answer_answers_one_act() -> None:
    rows = [
        ("u1", 0, "USA", "RUS", "economic"),
        ("u2", 1, "USA", "RUS", "economic"),
        ("r1", 5, "RUS", "USA", "economic"),
    ]
    res = match_tit_for_tat(ev(rows))
    assert answer(res, "u1")["answer_id"] == "r1"  # greedy in time order: earliest act first
    assert not answer(res, "u2")["answered"]
    res = match_tit_for_tat(ev([*rows, ("r2", 6, "RUS", "USA", "economic")]))
    assert answer(res, "u2")["answer_id"] == "r2"


def test_act_takes_first_unanswered_later_act() -> None:
    rows = [
        ("u1", 0, "USA", "RUS", "diplomatic"),
        ("u2", 10, "USA", "RUS", "diplomatic"),
        ("r1", 12, "RUS", "USA", "diplomatic"),
        ("r2", 15, "RUS", "USA", "diplomatic"),
    ]
    res = match_tit_for_tat(ev(rows))
    assert answer(res, "u1")["answer_id"] == "r1"
    assert answer(res, "u2")["answer_id"] == "r2"
    assert answer(res, "u2")["lag_days"] == 5


def test_spiral_answer_is_also_an_act() -> None:
    rows = [
        ("u1", 0, "USA", "RUS", "diplomatic"),
        ("r1", 3, "RUS", "USA", "diplomatic"),
        ("u2", 5, "USA", "RUS", "diplomatic"),
    ]
    res = match_tit_for_tat(ev(rows))
    assert answer(res, "u1")["answer_id"] == "r1"
    assert answer(res, "r1")["answer_id"] == "u2"
    assert not answer(res, "u2")["answered"]


def test_cross_arena_answers() -> None:
    rows = [("sanction", 0, "USA", "RUS", "economic"), ("expel", 4, "RUS", "USA", "diplomatic")]
    strict = match_tit_for_tat(ev(rows), same_arena=True)
    assert not answer(strict, "sanction")["answered"]
    loose = match_tit_for_tat(ev(rows), same_arena=False)
    a = answer(loose, "sanction")
    assert a["answer_id"] == "expel" and a["answer_arena"] == "diplomatic"


def test_match_on_root_and_code() -> None:
    """match_on narrows "in kind": same arena (default), same CAMEO root (two digits) in
    that arena, or the same full code."""
    rows = [
        ("expel", 0, "USA", "RUS", "diplomatic"),  # 174: expel
        ("sanction", 1, "RUS", "USA", "diplomatic"),  # 163: another root, same arena
        ("reduce", 2, "RUS", "USA", "diplomatic"),  # 172: root 17, another code
        ("expel_back", 3, "RUS", "USA", "diplomatic"),  # 174: the same code
    ]
    events = ev(rows, cameo=["174", "163", "172", "174"])
    assert answer(match_tit_for_tat(events), "expel")["answer_id"] == "sanction"
    root = match_tit_for_tat(events, match_on="root")
    assert answer(root, "expel")["answer_id"] == "reduce"
    assert answer(root, "expel")["answer_cameo"] == "172"
    code = match_tit_for_tat(events, match_on="code")
    assert answer(code, "expel")["answer_id"] == "expel_back"
    assert code.match_on == "code" and "same CAMEO code" in code.summary()
    # every act stays listed whatever the rule; only the answers change
    assert code.matches.height == root.matches.height == 4


def test_match_on_combines_with_same_arena() -> None:
    rows = [
        ("u", 0, "USA", "RUS", "economic"),
        ("r_dip", 2, "RUS", "USA", "diplomatic"),  # same root, another arena
        ("r_eco", 4, "RUS", "USA", "economic"),  # same arena, another root
    ]
    events = ev(rows, cameo=["163", "163", "172"])
    assert not answer(match_tit_for_tat(events, match_on="root"), "u")["answered"]
    loose = match_tit_for_tat(events, match_on="root", same_arena=False)
    assert answer(loose, "u")["answer_id"] == "r_dip"  # same root in any arena
    assert answer(match_tit_for_tat(events, same_arena=False), "u")["answer_id"] == "r_dip"
    assert answer(match_tit_for_tat(events), "u")["answer_id"] == "r_eco"
    assert "any arena, same CAMEO root" in loose.summary()


def test_match_on_without_a_code() -> None:
    """An event without a CAMEO code is listed as an act but in no root/code family."""
    rows = [("u", 0, "USA", "RUS", "diplomatic"), ("r", 2, "RUS", "USA", "diplomatic")]
    events = ev(rows, cameo=[None, "174"])
    res = match_tit_for_tat(events, match_on="root")
    assert res.matches["act_id"].to_list() == ["u", "r"]
    assert not answer(res, "u")["answered"]
    assert answer(match_tit_for_tat(events), "u")["answer_id"] == "r"  # arena rule: no code needed
    with pytest.raises(DataError, match="cameo"):
        match_tit_for_tat(events.drop("cameo"), match_on="code")
    assert answer(match_tit_for_tat(events.drop("cameo")), "u")["answered"]


def test_same_day_answers_with_min_lag_zero() -> None:
    """6 July 2018: the US's 25 % tariffs on $34 bn of Chinese goods (USTR notice, 83 FR
    28710, 20 June 2018) and China's on $34 bn of US goods (State Council Tariff
    Commission, announced 16 June 2018) took effect the same day. min_lag_days=0 counts
    the same-day answer; the order within the day is unknown, so each side is recorded as
    answering the other."""
    rows = [("us", 0, "USA", "CHN", "economic"), ("cn", 0, "CHN", "USA", "economic")]
    events = ev(rows, magnitude=[34.0, 34.0], cameo=["163", "163"])
    strict = match_tit_for_tat(events)
    assert not strict.matches["answered"].any()
    same_day = match_tit_for_tat(events, min_lag_days=0, match_on="code")
    a = answer(same_day, "us")
    assert a["answer_id"] == "cn" and a["lag_days"] == 0 and a["magnitude_ratio"] == 1.0
    assert answer(same_day, "cn")["answer_id"] == "us"  # the ordering ambiguity
    assert same_day.min_lag_days == 0 and "lag 0–30 days" in same_day.summary()
    # a longer minimum lag skips early answers for later ones
    rows2 = [*rows, ("cn2", 5, "CHN", "USA", "economic")]
    later = match_tit_for_tat(ev(rows2), min_lag_days=3)
    assert answer(later, "us")["answer_id"] == "cn2"
    assert answer(later, "us")["lag_days"] == 5


def test_only_the_target_answers_and_only_hostile_acts() -> None:
    rows = [
        ("u", 0, "USA", "RUS", "diplomatic"),
        ("c", 2, "CHN", "USA", "diplomatic"),  # a third party: not an answer
        ("r_coop", 3, "RUS", "USA", "diplomatic"),
    ]
    hostile = ev(rows[:2])
    cooperative = ev(rows[2:], quad=1).with_columns(pl.lit(3.0).alias("goldstein"))
    res = match_tit_for_tat(pl.concat([hostile, cooperative]))
    assert not answer(res, "u")["answered"]
    assert "r_coop" not in res.matches["act_id"].to_list()
    # the third country is dropped altogether when not among the countries
    res2 = match_tit_for_tat(pl.concat([hostile, cooperative]), countries=("USA", "RUS"))
    assert res2.matches["act_id"].to_list() == ["u"]


def test_hostile_rules() -> None:
    events = ev(
        [("u", 0, "USA", "RUS", "information"), ("r", 1, "RUS", "USA", "information")], quad=3
    ).with_columns(pl.Series("goldstein", [-2.0, -4.0]))
    assert match_tit_for_tat(events).matches.height == 2  # quad 3–4
    assert match_tit_for_tat(events, hostile="material").matches.height == 0  # quad 4 only
    by_score = match_tit_for_tat(events, hostile=-3.0).matches
    assert by_score["act_id"].to_list() == ["r"]


def test_arrow_input_arena_filter_and_summary() -> None:
    rows = [
        ("u1", 0, "USA", "RUS", "diplomatic"),
        ("r1", 3, "RUS", "USA", "diplomatic"),
        ("u2", 40, "USA", "RUS", "diplomatic"),
        ("u3", 50, "USA", "RUS", "economic"),
    ]
    events = ev(rows, magnitude=[60.0, 60.0, 10.0, None])
    res = match_tit_for_tat(events.to_arrow())
    s = res.summary_frame()
    d = s.filter((pl.col("arena") == "diplomatic") & (pl.col("source") == "USA")).row(0, named=True)
    assert (d["n_acts"], d["n_answered"], d["answer_rate"]) == (2, 1, 0.5)
    assert d["median_lag_days"] == 3.0 and d["ratio_median"] == 1.0 and d["n_ratios"] == 1
    pooled = s.filter((pl.col("arena") == "all") & (pl.col("source") == "USA")).row(0, named=True)
    assert (pooled["n_acts"], pooled["n_answered"]) == (3, 1)
    text = res.summary()
    assert "diplomatic" in text and "USA→RUS" in text and "within 30 days" in text
    only = match_tit_for_tat(events, arenas=["economic"])
    assert only.matches["act_id"].to_list() == ["u3"]


def test_bad_arguments() -> None:
    events = ev([("u", 0, "USA", "RUS", "diplomatic")])
    with pytest.raises(ConfigError):
        match_tit_for_tat(events, window_days=0)
    with pytest.raises(ConfigError, match="min_lag_days"):
        match_tit_for_tat(events, min_lag_days=-1)
    with pytest.raises(ConfigError, match="min_lag_days"):
        match_tit_for_tat(events, window_days=5, min_lag_days=6)
    with pytest.raises(ConfigError, match="min_lag_days"):
        match_tit_for_tat(events, min_lag_days=True)
    with pytest.raises(ConfigError, match="match_on"):
        match_tit_for_tat(events, match_on="genus")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        match_tit_for_tat(events, hostile="angry")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        match_tit_for_tat(events, arenas=["naval"])
    with pytest.raises(ConfigError):
        match_tit_for_tat(events.to_pandas())
    with pytest.raises(DataError, match="lack"):
        match_tit_for_tat(events.drop("arena"))
    with pytest.raises(DataError, match="quad_class"):
        match_tit_for_tat(events.drop("quad_class"))


# --------------------------------------------------------------------------- invariants

_event = st.tuples(
    st.integers(0, 120),
    st.sampled_from([("USA", "RUS"), ("RUS", "USA"), ("USA", "CHN"), ("CHN", "USA")]),
    st.sampled_from(["diplomatic", "economic"]),
    st.sampled_from(["163", "172", "174"]),
)


#: The three codes' families, read off measure/_files/cameo_families.csv by hand.
_FAMILIES = {"163": "sanctions", "172": "coercion", "174": "diplomatic_reduction"}


def _family(cameo: str, match_on: str) -> str:
    return {"arena": "", "root": cameo[:2], "code": cameo, "family": _FAMILIES[cameo]}[match_on]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_event, max_size=40),
    st.integers(1, 30),
    st.booleans(),
    st.sampled_from(["arena", "root", "code", "family"]),
    st.integers(0, 3),
)
def test_matching_invariants(
    raw: list, window: int, same_arena: bool, match_on: str, min_lag: int
) -> None:
    min_lag = min(min_lag, window)
    rows = [(f"e{n:03d}", d, s, t, a) for n, (d, (s, t), a, _) in enumerate(raw)]
    cameo = {f"e{n:03d}": c for n, (*_, c) in enumerate(raw)}
    res = match_tit_for_tat(
        ev(rows, cameo=list(cameo.values())),
        window_days=window,
        same_arena=same_arena,
        match_on=match_on,  # type: ignore[arg-type]
        min_lag_days=min_lag,
        unit="reports",  # every row its own act: the matching rule alone
    )
    m = res.matches
    assert m.height == len(rows)
    hit = m.filter("answered")
    assert hit["answer_id"].n_unique() == hit.height  # each answer used once
    assert ((hit["lag_days"] >= min_lag) & (hit["lag_days"] <= window)).all()
    by_id = {r[0]: r for r in rows}
    for r in hit.iter_rows(named=True):
        ans = by_id[r["answer_id"]]
        assert (ans[2], ans[3]) == (r["target"], r["source"])
        if same_arena:
            assert ans[4] == r["arena"]
        assert _family(r["answer_cameo"], match_on) == _family(r["act_cameo"], match_on)

    def kin(x: tuple, y: tuple) -> bool:
        return (not same_arena or y[4] == x[4]) and _family(cameo[y[0]], match_on) == _family(
            cameo[x[0]], match_on
        )

    # greedy earliest-first gives a maximum matching: compare with scipy's
    days = {r[0]: r[1] for r in rows}
    acts = m["act_id"].to_list()
    eligible = np.zeros((len(rows), len(rows)), dtype=np.int8)
    for x in rows:
        for j, y in enumerate(rows):
            if (y[2], y[3]) == (x[3], x[2]) and kin(x, y):
                eligible[acts.index(x[0]), j] = min_lag <= days[y[0]] - x[1] <= window
    best = maximum_bipartite_matching(csr_matrix(eligible), perm_type="column")
    assert hit.height == int((best >= 0).sum())


@settings(max_examples=100, deadline=None)
@given(st.lists(_event, max_size=40), st.integers(1, 30))
def test_match_on_root_equals_matching_each_root_apart(raw: list, window: int) -> None:
    """match_on="root" is the same as running the arena rule on one CAMEO root's events at
    a time (what the claims runner did before match_on existed)."""
    rows = [(f"e{n:03d}", d, s, t, a) for n, (d, (s, t), a, _) in enumerate(raw)]
    events = ev(rows, cameo=[c for *_, c in raw])
    at_once = match_tit_for_tat(events, window_days=window, match_on="root").matches
    parts = [
        match_tit_for_tat(events.filter(pl.col("cameo").str.slice(0, 2) == r), window).matches
        for r in sorted(set(events["cameo"].str.slice(0, 2)))
    ]
    apart = pl.concat(parts) if parts else at_once.clear()
    key = ["act_date", "act_id"]
    assert at_once.sort(key).equals(apart.sort(key))


# --------------------------------------------------------------------------- store


def test_load_events_joins_extras(tmp_path: Path) -> None:
    db = tmp_path / "events.duckdb"
    con = duckdb.connect(str(db))
    con.execute(DDL)
    con.execute("INSERT INTO store_meta VALUES ('version', ?)", [str(STORE_VERSION)])
    rows = [
        ("a", "2018-03-26", "USA", "RUS", "1246", 4, -9.0, "diplomatic"),
        ("b", "2018-03-29", "RUS", "USA", "1246", 4, -9.0, "diplomatic"),
        ("c", "2018-04-06", "USA", "RUS", "163", 4, -8.0, "economic"),
        ("d", "2018-04-07", "USA", "GBR", "111", 3, -2.0, "information"),
        ("e", "2017-01-01", "RUS", "USA", "111", 3, -2.0, "information"),
    ]
    for r in rows:
        con.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, 1, 'chronicle',"
            " NULL, NULL, 1)",
            list(r),
        )
    con.execute("INSERT INTO event_extras VALUES ('a', 60, 'US expels 60', 1)")
    con.execute("INSERT INTO event_extras VALUES ('b', 60, 'Russia expels 60', 1)")
    con.close()
    out = load_events(db, ("USA", "RUS"), start="2018-01-01")
    assert out["event_id"].to_list() == ["a", "b", "c"]
    assert out["magnitude"].to_list() == [60.0, 60.0, None]
    assert out["description"][0] == "US expels 60"
    res = match_tit_for_tat(out)
    assert answer(res, "a")["magnitude_ratio"] == 1.0
    assert load_events(str(db), end=date(2017, 12, 31))["event_id"].to_list() == ["e"]
    # hostile events only, filtered by the query: quad class 4 (a, b, c; e is 3), Goldstein
    # ≤ −8.5 (a, b)
    assert load_events(db, ("USA", "RUS"), hostile="material")["event_id"].to_list() == [
        "a",
        "b",
        "c",
    ]
    assert load_events(db, ("USA", "RUS"), hostile=-8.5)["event_id"].to_list() == ["a", "b"]
    hostile_only = load_events(db, ("USA", "RUS"), start="2018-01-01", hostile="quad")
    assert hostile_only.equals(out.filter(pl.col("quad_class") >= 3))
    with pytest.raises(ConfigError, match="hostile"):
        load_events(db, hostile="angry")  # type: ignore[arg-type]
    from trilateral.data.store import EventStore

    with EventStore.open(db, read_only=True) as store:  # an open store's connection is borrowed
        assert load_events(store, ("USA", "RUS", "GBR"))["event_id"].n_unique() == 5
    with pytest.raises(StoreError):
        load_events(tmp_path / "missing.duckdb")
    # a bound that is not a date is the caller's error, named, never a raw TypeError
    for kwargs in ({"start": 2018}, {"end": 2018.5}, {"start": "March 2018"}):
        (name, value), *_ = kwargs.items()
        with pytest.raises(ConfigError, match=f"{name}={value!r} is not a date"):
            load_events(db, **kwargs)  # type: ignore[arg-type]


def test_one_date_parser_for_the_measure_stage() -> None:
    from trilateral import config
    from trilateral.measure import _indices, _titfortat

    assert _titfortat.as_date is config.as_date and _indices.as_date is config.as_date


# --------------------------------------------------------------------------- chronicle


def _read_chronicle() -> pl.DataFrame:
    """The shipped chronicle through its reader (a broken reader fails the test)."""
    reader = read(CHRONICLE, "chronicle")
    events: list[pl.DataFrame] = []
    extras: list[pl.DataFrame] = []
    for batch in reader:
        events.append(pl.DataFrame(pl.from_arrow(batch.events)))
        if batch.extras is not None:
            extras.append(pl.DataFrame(pl.from_arrow(batch.extras)))
    frame = pl.concat(events)
    if extras:
        frame = frame.join(pl.concat(extras), on="event_id", how="left")
    return frame


def test_chronicle_march_2018_expulsions() -> None:
    """26 March 2018: the US expels 60 Russian diplomats (Skripal poisoning); 29 March 2018:
    Russia expels 60 US diplomats (Feng 2019: "Russia, not to be outdone, immediately ousted
    60 US diplomats"; dates from the US State Department and Russian MFA statements)."""
    events = _read_chronicle()
    res = match_tit_for_tat(events, countries=("USA", "RUS"))
    m = res.matches.filter(
        (pl.col("source") == "USA")
        & (pl.col("target") == "RUS")
        & (pl.col("arena") == "diplomatic")
        & (pl.col("act_date") == date(2018, 3, 26))
        & (pl.col("act_magnitude") == 60.0)
    )
    assert m.height >= 1
    row = m.row(0, named=True)
    assert row["answered"]
    assert row["answer_date"] == date(2018, 3, 29)
    assert row["lag_days"] == 3 <= 7
    assert row["magnitude_ratio"] == 1.0
