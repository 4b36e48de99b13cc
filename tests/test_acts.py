"""The act layer: reports collapsed into acts, the CAMEO family table, the chance baseline.

Expected numbers come from hand counts of constructed files and from DuckDB queries
written here, never from the code under test.
"""

from __future__ import annotations

import gzip
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from trilateral.errors import ConfigError
from trilateral.measure import (
    base_store,
    cameo_family,
    chance_baseline,
    collapse_acts,
    load_events,
    match_tit_for_tat,
)

# A constructed ICEWS knowledge-graph file (actor, relation, actor, day): five reports
# of the US expelling Russians on 26 March (two actors, one act: same day, countries,
# code), one more the next day, a US "reduce relations" on 26 March, and Russia's
# answer (two reports) on 29 March. Hand count: 4 acts, 10 reports.
_TKG_A = [
    ("United_States", "Expel_or_deport_individuals", "Secret_Agent_(Russia)", "2018-03-26"),
    ("Donald_Trump", "Expel_or_deport_individuals", "Intelligence_Officer_(Russia)", "2018-03-26"),
    ("United_States", "Expel_or_deport_individuals", "Secret_Agent_(Russia)", "2018-03-26"),
    ("Donald_Trump", "Expel_or_deport_individuals", "Secret_Agent_(Russia)", "2018-03-26"),
    ("United_States", "Expel_or_deport_individuals", "Russia", "2018-03-26"),
    ("United_States", "Expel_or_deport_individuals", "Russia", "2018-03-27"),
    ("United_States", "Reduce_or_break_diplomatic_relations", "Russia", "2018-03-26"),
    ("Russia", "Reduce_or_break_diplomatic_relations", "United_States", "2018-03-29"),
    ("Vladimir_Putin", "Reduce_or_break_diplomatic_relations", "United_States", "2018-03-29"),
]


def _write(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write("\t".join(r) + "\n")
    return path


@pytest.fixture(scope="module")
def constructed_store(tmp_path_factory) -> Path:
    from trilateral.data import EventStore

    root = tmp_path_factory.mktemp("acts")
    a = _write(root / "release_a_triad.txt.gz", _TKG_A)
    # a second release repeating three of the reports (the 27 March one, the US 161 and
    # one of Russia's) and adding one new act: a Russian expulsion on 30 March
    b = _write(
        root / "release_b_triad.txt.gz",
        [
            _TKG_A[5],
            _TKG_A[6],
            _TKG_A[7],
            ("Russia", "Expel_or_deport_individuals", "United_States", "2018-03-30"),
        ],
    )
    path = root / "acts.duckdb"
    with EventStore.open(path) as store:
        store.ingest(a, format="icews_tkg")
        store.ingest(b, format="icews_tkg")
    return path


def test_constructed_file_reports_collapse_into_acts(constructed_store):
    with base_store(constructed_store, "icews", keep_duplicates=True) as con:
        rows = load_events(con, ("USA", "RUS"))
    with base_store(constructed_store, "icews") as con:
        deduped = load_events(con, ("USA", "RUS"))
    assert rows.height == 13  # 9 + 4 rows, as ingested
    assert deduped.height == 10  # the 3 repeated reports of release b dropped
    acts = collapse_acts(deduped)
    got = {(r["date"].day, r["source"], r["cameo"]): r["n_reports"] for r in acts.to_dicts()}
    assert got == {
        (26, "USA", "174"): 5,
        (27, "USA", "174"): 1,
        (26, "USA", "161"): 1,
        (29, "RUS", "161"): 2,
        (30, "RUS", "174"): 1,
    }
    # the same act in two releases is one act, with or without the store's dedup
    assert collapse_acts(rows).height == acts.height == 5
    assert int(acts["n_reports"].sum()) == 10
    # with each row's file known, a report two releases hold counts once
    with duckdb.connect(str(constructed_store), read_only=True) as raw:
        ids = raw.sql("SELECT event_id, ingest_id FROM events").pl()
    by_file = collapse_acts(rows.join(ids, on="event_id"))
    assert {
        (r["date"].day, r["source"], r["cameo"]): r["n_reports"] for r in by_file.to_dicts()
    } == got


def test_act_window_chains_days():
    d = [date(2018, 3, 26) + timedelta(days=k) for k in (0, 1, 2, 10, 11)]
    f = pl.DataFrame(
        {
            "event_id": list("abcde"),
            "date": d,
            "source": "USA",
            "target": "RUS",
            "cameo": "174",
        }
    )
    assert collapse_acts(f).height == 5
    two = collapse_acts(f, window_days=1)
    assert two.select("date", "last_date", "n_reports").rows() == [
        (date(2018, 3, 26), date(2018, 3, 28), 3),
        (date(2018, 4, 5), date(2018, 4, 6), 2),
    ]
    assert collapse_acts(f, window_days=8).height == 1
    with pytest.raises(ConfigError):
        collapse_acts(f, key=("source", "target"))
    with pytest.raises(ConfigError):
        collapse_acts(f, window_days=-1)


def test_shipped_icews_expulsion_acts_2018_03_26_to_31(tmp_path):
    """The US and Russian expulsion acts of 26–31 March 2018 in the shipped ICEWS corpus:
    the count of distinct (day, source, target, code 174) by a DuckDB query here."""
    from trilateral.data import EventStore, shipped_icews_paths

    path = tmp_path / "icews.duckdb"
    with EventStore.open(path) as store:
        for p in shipped_icews_paths():
            store.ingest(p, format="icews_tkg")
    with duckdb.connect(str(path), read_only=True) as con:
        ((want_acts, want_reports),) = con.execute(
            "SELECT count(DISTINCT (date, source, target, cameo)), count(*) FROM events "
            "WHERE starts_with(dataset, 'icews') AND cameo = '174' "
            "AND source IN ('USA', 'RUS') AND target IN ('USA', 'RUS') AND source <> target "
            "AND date BETWEEN DATE '2018-03-26' AND DATE '2018-03-31'"
        ).fetchall()
    with base_store(path, "icews") as con:
        ev = load_events(con, ("USA", "RUS"), "2018-03-26", "2018-03-31")
    acts = collapse_acts(ev).filter(pl.col("cameo") == "174")
    assert acts.height == want_acts
    assert int(acts["n_reports"].sum()) == want_reports
    assert want_reports > want_acts  # reports of one act, collapsed
    # tit-for-tat counts the acts, not the reports
    res = match_tit_for_tat(ev, window_days=7, arenas=["diplomatic"], match_on="family")
    assert res.matches.height == res.matches["act_id"].n_unique()
    assert int(res.matches["act_n_reports"].sum()) >= res.matches.height


def test_family_table_makes_expulsion_and_reduction_one_kind():
    assert cameo_family("174") == cameo_family("161") == cameo_family("160")
    assert cameo_family("163") == cameo_family("1623") != cameo_family("161")
    assert cameo_family("172") != cameo_family("174")
    ev = pl.DataFrame(
        {
            "event_id": ["u", "r"],
            "date": [date(2018, 3, 26), date(2018, 3, 29)],
            "source": ["USA", "RUS"],
            "target": ["RUS", "USA"],
            "cameo": ["174", "161"],
            "arena": "diplomatic",
            "quad_class": 4,
        }
    )
    by_family = match_tit_for_tat(ev, match_on="family")
    fam = by_family.matches.filter(pl.col("act_id") == "u")
    root = match_tit_for_tat(ev, match_on="root").matches.filter(pl.col("act_id") == "u")
    assert fam["answer_id"].to_list() == ["r"] and not root["answered"][0]
    assert "same CAMEO family; acts" in by_family.summary()


def test_chance_baseline_matches_the_exact_probability():
    # one act on day 50, N answers uniform over days 0..99, window 1..10 days: the act is
    # answered unless all N fall outside its 10 days, p = 1 − (1 − 10/100)^N
    for n in (1, 3):
        b = chance_baseline([50], list(range(n)), (0, 99), 10, n_draws=20000, rng=7)
        exact = 1 - (1 - 10 / 100) ** n
        assert abs(b["rate"] - exact) < 0.012, (n, b["rate"], exact)
    # seeded: the same draws twice
    one = chance_baseline([5, 9], [7, 30], (0, 40), 5, n_draws=99, rng=3)
    assert one == chance_baseline([5, 9], [7, 30], (0, 40), 5, n_draws=99, rng=3)


def test_baseline_frame_is_per_dyad_and_arena():
    d0 = date(2018, 1, 1)
    rows = []
    for k in range(6):  # USA→RUS answered within 2 days every 20 days; CHN never answers
        rows += [
            (f"u{k}", d0 + timedelta(days=20 * k), "USA", "RUS"),
            (f"r{k}", d0 + timedelta(days=20 * k + 2), "RUS", "USA"),
            (f"c{k}", d0 + timedelta(days=20 * k + 1), "USA", "CHN"),
        ]
    ev = pl.DataFrame(
        rows, schema=["event_id", "date", "source", "target"], orient="row"
    ).with_columns(cameo=pl.lit("174"), arena=pl.lit("diplomatic"), quad_class=pl.lit(4))
    res = match_tit_for_tat(ev, window_days=3, countries=("USA", "RUS", "CHN"))
    b = res.baseline_frame(n_draws=499, rng=0)
    assert "all" not in b["arena"].to_list()
    got = {(r["source"], r["target"]): r for r in b.iter_rows(named=True)}
    usa = got[("USA", "RUS")]
    assert usa["answer_rate"] == 1.0 and usa["chance_rate"] < 0.5 and usa["p_value"] < 0.01
    assert got[("USA", "CHN")]["answer_rate"] == 0.0 == got[("USA", "CHN")]["chance_rate"]
    assert np.isfinite(usa["chance_low"]) and usa["chance_low"] <= usa["chance_high"]
