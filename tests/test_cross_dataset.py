"""Actor-resolution coverage per file and cross-dataset duplicates, on the real ICEWS files
(issue 8, items 1 and 2; issue 9, item 4).

One store per module holds the ICEWS raw sample of June 2018 (ingested first), the ICEWS18
training and validation splits and ICEWS05-15 (461,329 rows, parsed once). Reference
numbers are from ``shared/data/SOURCES.md`` or from the shell command quoted beside them.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import EventStore, shipped_icews_paths
from trilateral.measure import indices

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def icews(shared_data: Path) -> dict[str, Path]:
    d = shared_data / "icews"
    return {
        "raw": d / "icews_raw_sample_2018" / "events.2018.sample.tab",
        "raw_csv": d / "icews_raw_sample_2018" / "icews_sample_20180601_03.csv",
        "train": d / "icews18_train" / "train.txt.gz",
        "valid": d / "icews18_tkg_valid" / "valid.txt",
        "0515": d / "icews05-15" / "all.txt.gz",
    }


@pytest.fixture(scope="module")
def store(icews: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("cross") / "icews.duckdb"
    with EventStore.open(path) as s:
        for key in ("raw", "train", "valid", "0515"):
            s.ingest(icews[key])
    yield path


def _coverage(store: Path) -> dict[str, dict]:
    res = CliRunner().invoke(app, ["info", "--db", str(store), "--json"])
    assert res.exit_code == 0, res.output
    import json

    return {Path(c["path"]).name: c for c in json.loads(res.stdout)["coverage"]}


def test_coverage_per_file(store: Path) -> None:
    cov = _coverage(store)
    # rows: SOURCES.md (373,018; 461,329) and `wc -l valid.txt` (45,995), the raw
    # sample's 3,705 data rows (`tail -n +2 events.2018.sample.tab | wc -l`)
    rows = {k: v["rows"] for k, v in cov.items()}
    assert rows == {
        "events.2018.sample.tab": 3705,
        "train.txt.gz": 373018,
        "valid.txt": 45995,
        "all.txt.gz": 461329,
    }
    # both sides resolved: regression figures of the shipped actor tables (docs/data.md)
    assert {k: v["both_resolved"] for k, v in cov.items()} == {
        "events.2018.sample.tab": 3337,
        "train.txt.gz": 190610,
        "valid.txt": 23388,
        "all.txt.gz": 251046,
    }
    top = {
        k: {u["name"]: (u["rows"], u["multilateral"]) for u in v["unresolved"]}
        for k, v in cov.items()
    }
    assert all(len(v["unresolved"]) == 20 for v in cov.values())
    # (zcat all.txt.gz | cut -f1; zcat all.txt.gz | cut -f3) | grep -cx UN_Security_Council → 7892
    assert top["all.txt.gz"]["UN Security Council"] == (7892, True)
    assert cov["all.txt.gz"]["unresolved"][0]["name"] == "UN Security Council"
    # (zcat train.txt.gz | cut -f1; zcat train.txt.gz | cut -f3) | grep -cx Unspecified_Actor → 6020
    assert top["train.txt.gz"]["Unspecified Actor"] == (6020, True)
    assert top["train.txt.gz"]["European Union"][1] is True
    assert top["train.txt.gz"]["North Atlantic Treaty Organization"][1] is True
    # (cut -f1 valid.txt; cut -f3 valid.txt) | grep -cx Bharatiya_Janata → 735 (not a
    # multilateral body: a party the tables do not know)
    assert top["valid.txt"]["Bharatiya Janata"] == (735, False)
    # people of the five permanent members never appear among the unresolved
    for names in top.values():
        assert not {"Vladimir Putin", "Barack Obama", "Xi Jinping", "Sergey Lavrov"} & set(names)


def test_event_ids_unique_across_four_files(store: Path) -> None:
    with EventStore.open(store, read_only=True) as s:
        ((n, distinct),) = s.con.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM events"
        ).fetchall()
    assert n == distinct == 3705 + 373018 + 45995 + 461329


def test_raw_sample_and_training_split_duplicates_marked(store: Path) -> None:
    with EventStore.open(store, read_only=True) as s:
        rows = s.con.execute(
            "SELECT d.ingest_id, d.duplicate_of, count(*), min(e.date), max(e.date) "
            "FROM event_duplicates d JOIN events e USING (event_id, ingest_id) GROUP BY ALL"
        ).fetchall()
    # SOURCES.md: "of the 2,734 rows [of the training split] dated 2018-06-01/02, 2,732
    # occur in events.2018.sample.tab"; the sample was ingested first (ingest 1)
    assert [(r[0], r[1], r[2], str(r[3]), str(r[4])) for r in rows] == [
        (2, 1, 2732, "2018-06-01", "2018-06-02")
    ]


def _all_arena(idx) -> pl.DataFrame:
    return (
        idx.frame.filter(pl.col("arena") == "all")
        .select("source", "target", "period_start", "n_events")
        .sort("source", "target", "period_start")
    )


def test_shared_days_count_once(store: Path, icews: dict[str, Path], tmp_path: Path) -> None:
    window = {"start": "2018-06-01", "end": "2018-06-02", "period": "day", "n_boot": 0}
    alone = tmp_path / "raw.duckdb"
    with EventStore.open(alone) as s:
        s.ingest(icews["raw"])
    raw_only = _all_arena(indices(alone, **window))
    both = _all_arena(indices(store, **window))
    dedup = _all_arena(indices(store, dedup="cross-dataset", **window))
    # every training-split row of those two days but two Thai ones is in the sample
    # (SOURCES.md), so with duplicates collapsed the triad counts are the sample's own
    assert dedup.equals(raw_only)
    # without: each shared event twice. The training split's triad rows of those days:
    # zcat icews18_train_triad.txt.gz | awk -F'\t' '$4=="2018-06-01"||$4=="2018-06-02"' | wc -l → 71
    assert both["n_events"].sum() == raw_only["n_events"].sum() + 71
    assert indices(store, dedup="cross-dataset", **window).provenance["dedup"] == "cross-dataset"


def test_tab_and_csv_releases_ids_and_duplicates(icews: dict[str, Path], tmp_path: Path) -> None:
    """The two raw samples share 3,705 Event IDs; the second file's copies get unique ids
    and those with the same day, actors and CAMEO code are marked as duplicates."""

    def tab_rows(path: Path, delim: str, cols: tuple[str, ...]) -> list[tuple[str, ...]]:
        q = csv.QUOTE_NONE if delim == "\t" else csv.QUOTE_MINIMAL
        with path.open(encoding="utf-8") as fh:
            return [
                tuple(r[c] for c in cols) for r in csv.DictReader(fh, delimiter=delim, quoting=q)
            ]

    tab = tab_rows(
        icews["raw"], "\t", ("Event ID", "Event Date", "Source Name", "CAMEO Code", "Target Name")
    )
    cs = tab_rows(
        icews["raw_csv"],
        ",",
        ("event_id", "event_date", "source_name", "cameo_code", "target_name"),
    )
    shared_ids = {r[0] for r in tab} & {r[0].removesuffix(".0") for r in cs}

    def key(r: tuple[str, ...]) -> tuple[str, ...]:
        return (r[1], r[2].casefold(), r[3], r[4].casefold())

    expected_dups = sum((Counter(map(key, tab)) & Counter(map(key, cs))).values())
    with EventStore.open(tmp_path / "s.duckdb") as s:
        s.ingest(icews["raw"])
        s.ingest(icews["raw_csv"])
        ((n, distinct, suffixed),) = s.con.execute(
            "SELECT count(*), count(DISTINCT event_id), "
            "count(*) FILTER (WHERE event_id LIKE 'icews:%@2') FROM events"
        ).fetchall()
        ((dups,),) = s.con.execute(
            "SELECT count(*) FROM event_duplicates WHERE ingest_id = 2 AND duplicate_of = 1"
        ).fetchall()
    assert len(shared_ids) == 3705
    assert n == distinct == len(tab) + len(cs)
    assert suffixed == len(shared_ids)
    assert dups == expected_dups


def test_ingest_actors_option(icews: dict[str, Path], tmp_path: Path) -> None:
    """`trilateral ingest --actors FILE`: a dated row resolves a name within its term."""
    extra = tmp_path / "people.csv"
    extra.write_text(
        "name,iso3,role,start,end\nKim Jong-Un,PRK,leader,2011-12-17,\n"
        "Moon Jae-in,KOR,head_of_state,2017-05-10,2017-12-31\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.duckdb"
    res = CliRunner().invoke(
        app, ["ingest", str(icews["valid"]), "--db", str(db), "--actors", str(extra), "--json"]
    )
    assert res.exit_code == 0, res.output
    with EventStore.open(db, read_only=True) as s:
        got = dict(
            s.con.execute(
                "SELECT source_actor, count(*) FILTER (WHERE source IS NOT NULL) FROM events "
                "WHERE source_actor IN ('Kim Jong-Un', 'Moon Jae-in') GROUP BY ALL"
            ).fetchall()
        )
    # grep -c -P '^Kim_Jong-Un\t' valid.txt → 304; Moon's term ends before the file starts
    assert got == {"Kim Jong-Un": 304, "Moon Jae-in": 0}
    bad = tmp_path / "bad.csv"
    bad.write_text("name,iso3\nSomeone,Korea\n", encoding="utf-8")
    res = CliRunner().invoke(
        app,
        ["ingest", str(icews["valid"]), "--db", str(tmp_path / "t.duckdb"), "--actors", str(bad)],
    )
    text = " ".join(res.output.split())  # the message may wrap at the terminal width
    assert res.exit_code == 1 and "bad.csv" in text and "line 2, field 'iso3'" in text
    assert "Traceback" not in res.output


def test_shipped_corpus_is_duplicate_of_its_source(icews: dict[str, Path], tmp_path: Path) -> None:
    """Ingesting a shipped triad file beside its full source marks every row a duplicate."""
    valid_triad = shipped_icews_paths()[2]  # icews18_valid_triad.txt.gz
    n_lines = len(gzip.decompress(valid_triad.read_bytes()).splitlines())
    with EventStore.open(tmp_path / "v.duckdb") as s:
        s.ingest(icews["valid"])
        second = s.ingest(valid_triad)
        ((dups,),) = s.con.execute(
            "SELECT count(*) FROM event_duplicates WHERE ingest_id = ?", [second.ingest_id]
        ).fetchall()
    assert second.rows_ingested == n_lines and dups == n_lines
