"""The resolve-actors step of the ingest pipeline (issue 22): readers hand names on, the
step turns them into ISO3 codes.

Reference values: the names come from the files themselves (parsed here with ``csv``);
each row's expected country is the :class:`ActorResolver`'s own answer for that one name
on that one date (its tables are checked against their sources in ``test_actors.py``),
so these tests check that the step's column-wise resolution — each distinct name looked
up once, people picked by date, rows rejected on the way dropped — gives the row-by-row
answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from trilateral.data.actors import ActorResolver
from trilateral.data.ingest import ResolveActors
from trilateral.data.readers import read
from trilateral.data.store import EventStore


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.load()


@pytest.fixture(scope="module")
def raw_tab(shared_data: Path) -> Path:
    return shared_data / "icews" / "icews_raw_sample_2018" / "events.2018.sample.tab"


@pytest.fixture(scope="module")
def tkg(shared_data: Path) -> Path:
    return shared_data / "icews" / "icews18_tkg_valid" / "valid.txt"


def _tab_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _na(text: str) -> str | None:
    return None if text.strip() in ("", "NA") else text.strip()


def test_readers_leave_countries_to_the_step(raw_tab: Path, tkg: Path) -> None:
    """A raw ICEWS read: no country filled in, the file's names handed on row by row."""
    reader = read(raw_tab, "icews", batch_rows=1000)
    batches = list(reader)
    assert len(batches) == 4  # 3,705 rows in batches of 1,000
    names = pa.Table.from_batches([b.names for b in batches if b.names is not None])
    events = pa.Table.from_batches([b.events for b in batches])
    assert names.column_names == ["source", "target", "location"]
    assert events["source"].null_count == events["target"].null_count == events.num_rows
    assert events["location"].null_count == events.num_rows
    rows = _tab_rows(raw_tab)
    assert names["source"].to_pylist() == [_na(r["Source Country"]) for r in rows]
    assert names["target"].to_pylist() == [_na(r["Target Country"]) for r in rows]
    assert names["location"].to_pylist() == [_na(r["Country"]) for r in rows]
    # the knowledge-graph layout: subject and object as the file writes them
    kg = list(read(tkg, "icews_tkg"))
    subjects = [n for b in kg if b.names is not None for n in b.names["source"].to_pylist()]
    lines = tkg.read_text("utf-8").splitlines()
    assert subjects == [line.split("\t")[0] for line in lines]


def test_gdelt_batches_pass_through(shared_data: Path) -> None:
    """A layout that codes its countries has no names: the step returns its batch as is."""
    path = shared_data / "gdelt" / "gdelt2_raw_exports" / "20180326044500.export.CSV"
    step = ResolveActors(ActorResolver({}, {}))  # empty tables: nothing could resolve
    for batch in read(path):
        assert batch.names is None
        assert step.resolve(batch, "countries") is batch
    assert step.rows_resolved == 0 and step.unresolved == Counter()


def test_icews_countries_row_by_row(raw_tab: Path, resolver: ActorResolver) -> None:
    """Every row of the raw sample: the step's codes are the resolver's answer for that
    row's country names (countries only: ``Country`` names no person or sector)."""
    step = ResolveActors(resolver)
    table, rejects = step.read_all(read(raw_tab, "icews", batch_rows=500))
    assert rejects == []
    rows = _tab_rows(raw_tab)
    for column, field in (("source", "Source Country"), ("target", "Target Country")):
        expected = [resolver.country(_na(r[field])) for r in rows]
        assert table[column].to_pylist() == expected, column
    assert table["location"].to_pylist() == [resolver.country(_na(r["Country"])) for r in rows]
    assert step.rows_resolved == 3705


def test_tkg_actors_on_their_dates(tkg: Path, resolver: ActorResolver) -> None:
    """Every row of the ICEWS18 validation split: the step's code is
    ``resolver.resolve(name, on=the row's date)``; the unresolved count is every row side
    that got none, per name as the file writes it."""
    step = ResolveActors(resolver)
    table, _ = step.read_all(read(tkg, "icews_tkg", batch_rows=7000))
    fields = [line.split("\t") for line in tkg.read_text("utf-8").splitlines()]
    expected_src, expected_tgt, missing = [], [], Counter()
    for subj, _rel, obj, day in fields:
        on = dt.date.fromisoformat(day.strip())
        s, t = resolver.resolve(subj, on), resolver.resolve(obj, on)
        expected_src.append(s)
        expected_tgt.append(t)
        missing.update(n for n, code in ((subj, s), (obj, t)) if code is None)
    assert table["source"].to_pylist() == expected_src
    assert table["target"].to_pylist() == expected_tgt
    assert step.unresolved == missing
    # people are among the rows: resolved by date, not by name alone
    people = {subj for subj, *_ in fields if resolver.terms(subj)}
    assert {"Xi_Jinping", "Vladimir_Putin", "Donald_Trump"} <= people


def test_a_person_outside_a_term_in_the_same_batch(tmp_path: Path) -> None:
    """One name, two dates, one batch: in office on one (USA), not yet on the other."""
    p = tmp_path / "kg.txt"
    p.write_text(
        "Barack_Obama\tMake_statement\tChina\t2004-05-01\n"
        "Barack_Obama\tMake_statement\tChina\t2010-05-01\n"
        "Unspecified_Actor\tMake_statement\tBarack_Obama\t2010-05-02\n",
        encoding="utf-8",
    )
    step = ResolveActors()
    table, _ = step.read_all(read(p, "icews_tkg"))
    assert table["source"].to_pylist() == [None, "USA", None]
    assert table["target"].to_pylist() == ["CHN", "CHN", "USA"]
    assert step.unresolved == Counter({"Barack_Obama": 1, "Unspecified_Actor": 1})


def test_rejected_rows_do_not_shift_the_names(raw_tab: Path, tmp_path: Path) -> None:
    """A row rejected in the middle of a batch (``on_error="skip"``): the names of the rows
    after it stay with their own rows."""
    lines = raw_tab.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    bad = lines[3].split("\t")
    bad[header.index("CAMEO Code")] = "999"  # an unknown code: rejected
    p = tmp_path / "x.tab"
    p.write_text("\n".join([*lines[:3], "\t".join(bad), *lines[4:8]]) + "\n", encoding="utf-8")
    step = ResolveActors()
    table, rejects = step.read_all(read(p, "icews", on_error="skip"))
    assert [r.line for r in rejects] == [4]
    kept = [lines[i].split("\t") for i in (1, 2, 4, 5, 6, 7)]
    resolver = ActorResolver.load()
    for column, field in (
        ("source", "Source Country"),
        ("target", "Target Country"),
        ("location", "Country"),
    ):
        i = header.index(field)
        assert table[column].to_pylist() == [resolver.country(_na(f[i])) for f in kept], column
    assert table["event_id"].to_pylist() == [f"icews:{f[0]}" for f in kept]


def test_the_store_reports_the_step_counts(tkg: Path, tmp_path: Path) -> None:
    """An ingest runs the step with the tables it is given and reports its counter under
    the layout's key; the stored rows carry the codes."""
    extra = tmp_path / "people.csv"
    extra.write_text("name,iso3\nKim Jong-Un,PRK\n", encoding="utf-8")
    with EventStore.open(tmp_path / "s.duckdb") as store:
        plain = store.ingest(tkg)
    with EventStore.open(tmp_path / "t.duckdb") as store:
        more = store.ingest(tkg, actors=ActorResolver.load(extra=extra))
        (n,) = store.con.execute(
            "SELECT count(*) FROM events WHERE source = 'PRK' "
            "AND source_actor IN ('Kim Jong-Un', 'Kim Jong Un')"
        ).fetchone()
    # (cut -f1 valid.txt; cut -f3 valid.txt) | grep -c -x -E 'Kim_Jong(-|_)Un' → 622
    assert plain.counts["unresolved_actors"] - more.counts["unresolved_actors"] == 622
    # cut -f1 valid.txt | grep -c -x -E 'Kim_Jong(-|_)Un' → his rows as the subject
    subjects = sum(
        line.split("\t")[0] in ("Kim_Jong-Un", "Kim_Jong_Un")
        for line in tkg.read_text("utf-8").splitlines()
    )
    assert n == subjects > 0


def test_workers_resolve_with_the_given_tables(tkg: Path, tmp_path: Path) -> None:
    """``trilateral ingest DIR --actors CSV --workers 2``: each worker process runs the
    resolve step with the user's tables, and the store holds what one-by-one ingests
    with the same tables hold."""
    from typer.testing import CliRunner

    from trilateral.cli import app

    lines = tkg.read_text("utf-8").splitlines(keepends=True)
    folder = tmp_path / "kg"
    folder.mkdir()
    (folder / "a.txt").write_text("".join(lines[:20_000]), encoding="utf-8")
    (folder / "b.txt").write_text("".join(lines[20_000:]), encoding="utf-8")
    extra = tmp_path / "people.csv"
    extra.write_text("name,iso3\nKim Jong-Un,PRK\n", encoding="utf-8")
    par, ser = tmp_path / "par.duckdb", tmp_path / "ser.duckdb"
    args = ["--actors", str(extra), "--format", "icews_tkg", "--json"]
    res = CliRunner().invoke(
        app, ["ingest", str(folder), "--db", str(par), "--workers", "2", *args]
    )
    assert res.exit_code == 0, res.output
    with EventStore.open(ser) as store:
        serial = [
            store.ingest(folder / name, "icews_tkg", actors=ActorResolver.load(extra=extra))
            for name in ("a.txt", "b.txt")
        ]
    # the counts the workers took (the spooled path) are the serial ingest's: each name
    # left unresolved counted once, none lost
    files = json.loads(res.stdout)["files"]
    assert [f["counts"] for f in files] == [dict(r.counts) for r in serial]
    assert all(f["counts"]["unresolved_actors"] > 0 for f in files)
    query = "SELECT source, target, count(*) FROM events GROUP BY ALL ORDER BY ALL NULLS FIRST"
    with EventStore.open(par, read_only=True) as a, EventStore.open(ser, read_only=True) as b:
        got, want = a.con.execute(query).fetchall(), b.con.execute(query).fetchall()
        (kim,) = a.con.execute(
            "SELECT count(*) FROM events WHERE source = 'PRK' AND source_actor = 'Kim Jong-Un'"
        ).fetchone()
    assert got == want
    # cut -f1 valid.txt | grep -c -x Kim_Jong-Un → subjects the shipped tables leave null
    assert kim == sum(line.split("\t")[0] == "Kim_Jong-Un" for line in lines) > 0


def test_icews_country_fields_take_countries_only(raw_tab: Path, tmp_path: Path) -> None:
    """ICEWS's country fields name countries: a person or a ``Sector (Country)`` written
    there is not a country (left null and counted), unlike an ICEWS18 actor."""
    lines = raw_tab.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    row = lines[1].split("\t")
    row[header.index("Source Country")] = "Xi Jinping"
    row[header.index("Target Country")] = "Military (Russia)"
    p = tmp_path / "x.tab"
    p.write_text(lines[0] + "\n" + "\t".join(row) + "\n", encoding="utf-8")
    step = ResolveActors()
    table, _ = step.read_all(read(p, "icews"))
    assert (table["source"][0].as_py(), table["target"][0].as_py()) == (None, None)
    assert step.unresolved == Counter({"Xi Jinping": 1, "Military (Russia)": 1})
    # the same names as ICEWS18 actors (on a date in Xi's term) do resolve
    assert ActorResolver.load().resolve("Xi Jinping", dt.date(2018, 6, 1)) == "CHN"
    assert ActorResolver.load().resolve("Military (Russia)") == "RUS"
