"""``fetch gdelt2|gdelt1`` against a local mirror with injected faults (no network).

The served files are real GDELT rows (tests/gdelt_mirror.py): the two untouched GDELT
2.0 exports of the shared data (SOURCES.md: 1,540 and 2,111 rows), split into chunks
of whole lines, one chunk a 15-minute slot of 2018-03-26, and the GDELT 1.0 sample
rows split over three days. Expected row counts come from DuckDB's own ``read_csv`` of
the good chunks in the test, never from the code under test.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gdelt_mirror import Mirror, Server, chunks, zipped
from trilateral.cli import app
from trilateral.data import EventStore, RetryPolicy, fetch_gdelt1, fetch_gdelt2
from trilateral.data.fetch import USER_AGENT, FetchCoverage, FileOutcome
from trilateral.data.fetch._client import _retry_after
from trilateral.data.fetch._masterlist import expected_slots, parse_masterlist
from trilateral.errors import DataError

TRIAD = ("USA", "RUS", "CHN")
EXPORTS = Path("gdelt") / "gdelt2_raw_exports"
FILE_A = EXPORTS / "20180326044500.export.CSV"  # 1,540 rows (SOURCES.md)
FILE_B = EXPORTS / "20191024143000.export.CSV"  # 2,111 rows (SOURCES.md)
SAMPLE_G1 = Path("gdelt") / "gdelt1_sample_2016" / "events_20160728_sample.tsv"
DAY = "2018-03-26"
# slot (HHMM on DAY), which real file, which chunk, the fault injected
PLAN = [
    ("0445", "A", 0, None),
    ("0500", "A", 1, None),
    ("0515", "A", 2, "404"),
    ("0530", "A", 3, "503x2"),
    ("0545", "B", 0, "drop"),
    ("0600", "B", 1, "md5"),
    ("0615", "B", 2, "truncated"),
    ("0630", "B", 3, "slow"),
    ("2345", "B", 4, None),
]
FAST = RetryPolicy(attempts=3, backoff=0.01, connect_timeout=2.0, read_timeout=0.5)


def _path(hhmm: str, kind: str = "export") -> str:
    return f"/gdeltv2/20180326{hhmm}00.{kind}.CSV.zip"


def _chunks(shared: Path) -> dict[tuple[str, int], bytes]:
    out = {}
    for key, f, n in (("A", FILE_A, 4), ("B", FILE_B, 5)):
        for i, c in enumerate(chunks(shared / f, n)):
            out[(key, i)] = c
    return out


def _publish(m: Mirror, plan: list, raw: dict, *, faults: bool) -> None:
    """Serve the plan's files and write the master list (and lastupdate.txt)."""
    lines = []
    m.faults.clear()
    for hhmm, key, i, fault in plan:
        path = _path(hhmm)
        data = zipped(f"20180326{hhmm}00.export.CSV", raw[(key, i)])
        if faults and fault == "truncated":  # published broken: the list agrees with it
            data = data[: len(data) // 2]
        m.put(path, data)
        md5 = "0" * 32 if faults and fault == "md5" else None
        lines.append(m.list_line(path, md5=md5))
        if faults and fault in ("404", "503x2", "drop", "slow"):
            m.faults[path] = fault
    # a mentions and a gkg file, listed and served: ignored unless asked for
    m.put(_path("0445", "mentions"), zipped("x.mentions.CSV", b"1\t2\n"))
    lines.append(m.list_line(_path("0445", "mentions")))
    lines.append(f"123 {'a' * 32} http://data.gdeltproject.org/gdeltv2/20180326044500.gkg.csv.zip")
    m.put("/gdeltv2/masterfilelist.txt", ("\n".join(lines) + "\n").encode())
    m.put("/gdeltv2/lastupdate.txt", (lines[len(plan) - 1] + "\n").encode())


def _triad_rows(files: list[bytes], tmp: Path, ncols: int = 61) -> int:
    """Rows whose Actor1CountryCode (column 8) and Actor2CountryCode (column 18) are
    both in the triad, counted by DuckDB over the plain files (independent of the
    package's readers)."""
    paths = []
    for i, data in enumerate(files):
        p = tmp / f"expected_{i}.tsv"
        p.write_bytes(data)
        paths.append(str(p))
    cols = {f"c{i:02d}": "VARCHAR" for i in range(ncols)}
    con = duckdb.connect()
    try:
        ((n,),) = con.execute(
            "SELECT count(*) FROM read_csv(?, delim='\t', header=false, quote='', "
            "escape='', columns=?, null_padding=true, auto_detect=false) WHERE c07 IN ? AND c17 IN ?",
            [paths, cols, list(TRIAD), list(TRIAD)],
        ).fetchall()
    finally:
        con.close()
    return int(n)


def _store_rows(db: Path) -> int:
    with EventStore.open(db, read_only=True) as store:
        ((n,),) = store.con.execute("SELECT count(*) FROM events").fetchall()
    return int(n)


@pytest.fixture
def raw(shared_data: Path) -> dict[tuple[str, int], bytes]:
    return _chunks(shared_data)


def test_faults_are_reported_exactly_and_a_rerun_fetches_only_what_failed(
    raw: dict, tmp_path: Path
) -> None:
    db = tmp_path / "t.duckdb"
    with Server(Mirror()) as m:
        _publish(m, PLAN, raw, faults=True)
        report = fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url, jobs=4,
                              policy=FAST)  # fmt: skip
        cov = report.coverage
        # 96 slots in the day; the 9 listed and the 87 absent ones, nothing else
        assert (cov.expected, cov.fetched) == (96, 5)
        failed = {f.slot[8:12]: f.reason for f in cov.failed}
        assert set(failed) == {"0515", "0600", "0615", "0630"}
        assert failed["0515"] == "HTTP 404"
        assert failed["0600"].startswith("MD5 mismatch")
        assert failed["0615"].startswith("truncated or damaged archive")
        assert failed["0630"] == "timeout after 3 tries"
        absent = [(a.first[8:12], a.last[8:12], a.n_slots) for a in cov.absent]
        assert absent == [("0000", "0430", 19), ("0645", "2330", 68)]
        assert not report.ok
        good = [raw[(k, i)] for h, k, i, f in PLAN if f in (None, "503x2", "drop")]
        assert report.rows == _store_rows(db) == _triad_rows(good, tmp_path) > 0
        # the drop was resumed with a Range request, not fetched again from byte 0
        drop = [e for e in m.gets() if e.path == _path("0545")]
        assert [(e.range is None, e.status) for e in drop] == [(True, 200), (False, 206)]
        assert sum(e.sent for e in drop) == len(m.files[_path("0545")])
        assert [e.status for e in m.gets() if e.path == _path("0530")] == [503, 503, 200]
        assert {e.agent for e in m.log} == {USER_AGENT}
        # verified ingests leave no raw file behind
        assert not list((tmp_path / "t.duckdb.fetch" / "gdelt2").glob("*.zip"))

        before = len(m.log)
        _publish(m, PLAN, raw, faults=False)
        again = fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url, policy=FAST)
        assert again.ok and again.coverage.fetched == 9 and not again.coverage.failed
        refetched = {e.path for e in m.log[before:] if e.path.endswith(".zip")}
        assert refetched == {_path(h) for h in ("0515", "0600", "0615", "0630")}
        every = [raw[(k, i)] for _, k, i, _ in PLAN]
        assert _store_rows(db) == _triad_rows(every, tmp_path)

        third = len(m.log)
        assert fetch_gdelt2(DAY, DAY, countries=TRIAD, db=db, mirror=m.url).files == 0
        assert not [e for e in m.log[third:] if e.path.endswith(".zip")]


_CHILD_ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}


def _events(db: Path) -> list[tuple]:
    with EventStore.open(db, read_only=True) as store:
        cols = [c for c in store.events().columns if c != "ingest_id"]
        return store.con.execute(
            f"SELECT {', '.join(cols)} FROM events ORDER BY event_id"
        ).fetchall()


def _ledger(db: Path) -> list[tuple]:
    with EventStore.open(db, read_only=True) as store:
        return store.con.execute(
            "SELECT slot, kind, status, url, md5, rows FROM fetch_ledger ORDER BY slot"
        ).fetchall()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_fetch_killed_mid_run_then_rerun_equals_an_uninterrupted_one(
    raw: dict, tmp_path: Path
) -> None:
    plan = [(h, k, i, None) for h, k, i, _ in PLAN]
    killed, whole = tmp_path / "killed.duckdb", tmp_path / "whole.duckdb"
    with Server(Mirror(delay=0.3)) as m:
        _publish(m, plan, raw, faults=False)
        child = subprocess.Popen(
            [sys.executable, "-m", "trilateral.cli", "fetch", "gdelt2", "--start", DAY,
             "--end", DAY, "--db", str(killed), "--mirror", m.url, "--jobs", "1", "--json"],
            env=_CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while len([e for e in m.gets() if e.status == 200]) < 5:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the child fetched nothing"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stderr:
            child.stderr.close()
        with EventStore.open(killed, read_only=True) as store:
            partial = len(store.ingests())
        assert 0 < partial < len(plan)  # really killed mid-run
        assert fetch_gdelt2(DAY, DAY, db=killed, mirror=m.url).ok
        m.delay = 0.0
        assert fetch_gdelt2(DAY, DAY, db=whole, mirror=m.url).ok
    assert _events(killed) == _events(whole)
    assert len(_events(whole)) == _triad_rows([raw[(k, i)] for _, k, i, _ in plan], tmp_path)
    assert _ledger(killed) == _ledger(whole)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_stops_a_fetch_between_files_with_exit_1_and_a_consistent_store(
    raw: dict, tmp_path: Path
) -> None:
    """A real SIGINT to ``trilateral fetch``: it stops after the current file, says it
    was interrupted (exit 1), every stored file has its ledger row, and a re-run
    fetches only the files not stored."""
    plan = [(h, k, i, None) for h, k, i, _ in PLAN]
    db = tmp_path / "int.duckdb"
    with Server(Mirror(delay=0.3)) as m:
        _publish(m, plan, raw, faults=False)
        child = subprocess.Popen(
            [sys.executable, "-m", "trilateral.cli", "fetch", "gdelt2", "--start", DAY,
             "--end", DAY, "--db", str(db), "--mirror", m.url, "--jobs", "1", "--json"],
            env=_CHILD_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while len([e for e in m.gets() if e.status == 200]) < 3:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the child fetched nothing"
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        assert child.returncode == 1, err
        report = json.loads(out)
        assert report["interrupted"] is True and report["ok"] is False
        # every slot of the day is still accounted for: the files not tried are counted
        cov = report["coverage"]
        assert cov["expected"] == 96 and cov["n_untried"] > 0
        assert cov["fetched"] + cov["n_untried"] + cov["n_failed"] + cov["n_absent"] == 96
        assert "Traceback" not in err.decode()
        with EventStore.open(db, read_only=True) as store:
            names = sorted(Path(r.path).name for r in store.ingests())
        stored = [row for row in _ledger(db) if row[2] == "fetched"]
        assert 0 < len(names) < len(plan) and len(stored) == len(names)
        served = {e.path for e in m.gets()}
        m.delay = 0.0
        before = len(m.log)
        assert fetch_gdelt2(DAY, DAY, db=db, mirror=m.url).ok
        again = {e.path for e in m.log[before:] if e.path.endswith(".zip")}
        assert names and not again & {f"/gdeltv2/{n}" for n in names}  # stored: not fetched
        assert again | served >= {_path(h) for h, *_ in plan}
    assert _store_rows(db) == _triad_rows([raw[(k, i)] for _, k, i, _ in plan], tmp_path)


def test_cli_json_and_exit_status(raw: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    plan = [p for p in PLAN if p[3] in (None, "404")]
    with Server(Mirror()) as m:
        _publish(m, plan, raw, faults=True)
        args = ["fetch", "gdelt2", "--start", DAY, "--end", DAY, "--db", str(tmp_path / "c.duckdb"),
                "--mirror", m.url, "--retries", "1", "--backoff", "0", "--json"]  # fmt: skip
        res = runner.invoke(app, args)
        assert res.exit_code == 1, res.output
        out = json.loads(res.stdout)
        assert [f["reason"] for f in out["coverage"]["failed"]] == ["HTTP 404"]
        assert out["coverage"]["fetched"] == 3 and out["ok"] is False
        assert (
            out["coverage"]["absent"][0]["text"] == "2018-03-26 00:00 – 2018-03-26 04:30 (19 slots)"
        )
        # `trilateral info` shows the store's fetch coverage, from the ledger
        info = runner.invoke(app, ["info", "--db", str(tmp_path / "c.duckdb"), "--json"])
        assert info.exit_code == 0, info.output
        (g2,) = json.loads(info.stdout)["fetch"]
        assert (g2["source"], g2["expected"], g2["fetched"], g2["n_absent"]) == (
            "gdelt2",
            96,
            3,
            92,
        )
        assert [f["reason"] for f in g2["failed"]] == ["HTTP 404"]
        m.faults.clear()
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["coverage"]["fetched"] == 4
        info = runner.invoke(app, ["info", "--db", str(tmp_path / "c.duckdb")])
        assert (
            "gdelt2 coverage 20180326000000–20180326234500: 96 files expected, 4 fetched, 0 failed"
            in info.stdout
        )
        bad = runner.invoke(app, [*args[:-1], "--all", "--countries", "USA,RUS"])
        assert bad.exit_code == 1 and "not both" in bad.output


def test_cli_text_output_and_mentions_kept_not_ingested(raw: dict, tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    with Server(Mirror()) as m:
        _publish(m, [PLAN[0]], raw, faults=False)
        res = CliRunner().invoke(app, ["fetch", "gdelt2", "--start", DAY, "--end", DAY,
                                       "--db", str(db), "--mirror", m.url, "--mentions"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "fetch gdelt2 2018-03-26–2018-03-26 (USA,RUS,CHN): 2 files downloaded" in res.stdout
    assert "mentions files are verified into the cache, not ingested" in res.stdout
    # the 20 slots up to the newest listed (04:45) x (export, mentions)
    assert "40 files expected, 2 fetched, 0 failed, 38 absent" in res.stdout
    assert "  absent mentions 2018-03-26 00:00 – 2018-03-26 04:30 (19 slots)" in res.stdout
    cache = tmp_path / "m.duckdb.fetch" / "gdelt2"
    assert sorted(p.name for p in cache.iterdir()) == ["20180326044500.mentions.CSV.zip"]
    with EventStore.open(db, read_only=True) as store:
        assert [r.format for r in store.ingests()] == ["gdelt2"]  # the export only


def test_all_keeps_every_row_of_the_file(raw: dict, tmp_path: Path) -> None:
    plan = [PLAN[0]]
    with Server(Mirror()) as m:
        _publish(m, plan, raw, faults=False)
        report = fetch_gdelt2(DAY, DAY, countries=None, db=tmp_path / "a.duckdb", mirror=m.url)
    # every line of chunk A0 is a row (none rejected in this real file)
    assert report.rows == _store_rows(tmp_path / "a.duckdb") == raw[("A", 0)].count(b"\n")
    # the file is in the store (whole): a fetch with a filter does not fetch it again,
    # and says that the store holds it under another filter
    with Server(Mirror()) as m:
        _publish(m, plan, raw, faults=False)
        again = fetch_gdelt2(DAY, DAY, countries=TRIAD, db=tmp_path / "a.duckdb", mirror=m.url)
        assert not m.gets()
    assert again.ok and again.files == 0 and again.coverage.fetched == 1
    assert any("1 files are in the store with another countries filter" in n for n in again.notes)


def test_rows_the_reader_rejects_are_counted_in_the_report(raw: dict, tmp_path: Path) -> None:
    """A listed file with one malformed line (appended by the test to real rows): the
    file is fetched, and the report counts the rejected row and names the rejects file,
    so no row leaves silently."""
    with Server(Mirror()) as m:
        _publish(m, [PLAN[0]], raw, faults=False)
        bad = zipped("20180326044500.export.CSV", raw[("A", 0)] + b"garbage\tline\n")
        m.put(_path("0445"), bad)
        m.put("/gdeltv2/masterfilelist.txt", (m.list_line(_path("0445")) + "\n").encode())
        m.put("/gdeltv2/lastupdate.txt", (m.list_line(_path("0445")) + "\n").encode())
        report = fetch_gdelt2(DAY, DAY, countries=None, db=tmp_path / "r.duckdb", mirror=m.url)
    assert report.ok and report.coverage.fetched == 1
    assert report.rows == raw[("A", 0)].count(b"\n") == _store_rows(tmp_path / "r.duckdb")
    assert report.rejected == 1 and report.to_dict()["rows_rejected"] == 1
    (note,) = [n for n in report.notes if "rejected" in n]
    assert "1 row rejected by the reader in 1 file" in note and "rejects.csv" in note
    assert "rejects.csv" in report.summary()


def test_a_file_republished_with_another_md5_is_not_stored_twice(raw: dict, tmp_path: Path) -> None:
    """The list later gives a stored slot another MD5 (GDELT republished it): the store
    has no way to replace a file, so it keeps the stored version (its events are not
    added a second time) and the report says so."""
    db = tmp_path / "rep.duckdb"
    with Server(Mirror()) as m:
        _publish(m, [PLAN[0]], raw, faults=False)
        assert fetch_gdelt2(DAY, DAY, countries=None, db=db, mirror=m.url).ok
        n = _store_rows(db)
        assert n == raw[("A", 0)].count(b"\n")
        first = m.files[_path("0445")]
        other = zipped("20180326044500.export.CSV", raw[("A", 1)])
        m.put(_path("0445"), other)
        line = m.list_line(_path("0445")) + "\n"
        m.put("/gdeltv2/masterfilelist.txt", line.encode())
        m.put("/gdeltv2/lastupdate.txt", line.encode())
        before = len(m.log)
        again = fetch_gdelt2(DAY, DAY, countries=None, db=db, mirror=m.url)
        assert not [e for e in m.log[before:] if e.path.endswith(".zip")]
    assert again.ok and again.coverage.fetched == 1 and _store_rows(db) == n
    # the ledger still names the MD5 of the version in the store
    assert [r[4] for r in _ledger(db) if r[2] == "fetched"] == [hashlib.md5(first).hexdigest()]
    assert any("1 file was republished with another MD5" in x for x in again.notes), again.notes


def test_a_slot_without_a_triad_row_is_fetched_not_failed(raw: dict, tmp_path: Path) -> None:
    """Chunk A0 (385 real rows) has no row with both actors in the triad: the countries
    filter drops them all, and that is a fetched file with 0 rows, not a failure."""
    assert _triad_rows([raw[("A", 0)]], tmp_path) == 0
    with Server(Mirror()) as m:
        _publish(m, [PLAN[0]], raw, faults=False)
        report = fetch_gdelt2(DAY, DAY, countries=TRIAD, db=tmp_path / "z.duckdb", mirror=m.url)
    assert report.ok and report.coverage.fetched == 1 and report.rows == 0


def test_gdelt1_daily_files_against_md5sums(shared_data: Path, tmp_path: Path) -> None:
    parts = chunks(shared_data / SAMPLE_G1, 3)
    days = ("20160727", "20160728", "20160729")
    with Server(Mirror()) as m:
        md5s, sizes = [], []
        for day, data in zip(days, parts, strict=True):
            z = zipped(f"{day}.export.CSV", data)
            m.put(f"/events/{day}.export.CSV.zip", z)
            md5s.append(f"{hashlib.md5(z).hexdigest()}  {day}.export.CSV.zip")
            sizes.append(f"{len(z)} {day}.export.CSV.zip")
        m.put("/events/md5sums", ("\n".join(md5s) + "\n").encode())
        m.put("/events/filesizes", ("\n".join(sizes) + "\n").encode())
        report = fetch_gdelt1("2016-07-26", "2016-07-31", db=tmp_path / "g1.duckdb",
                              mirror=m.url, policy=FAST)  # fmt: skip
    cov = report.coverage
    # the list ends on 07-29: 07-30 and 07-31 are not published yet, so not expected
    assert (cov.expected, cov.fetched, len(cov.failed)) == (4, 3, 0)
    assert [(a.first, a.n_slots) for a in cov.absent] == [("20160726", 1)]
    assert report.rows == _store_rows(tmp_path / "g1.duckdb") == _triad_rows(parts, tmp_path, 58)
    # ... but the cut is said, not silent: 2 days of the window are not counted
    assert any(
        "newest listed slot 20160729" in n and "not counted, 2 slots" in n for n in report.notes
    )
    assert "newest listed slot 20160729" in report.summary()


def test_a_window_before_gdelt2_began_says_so(raw: dict, tmp_path: Path) -> None:
    """2015-02-17 and most of 2015-02-18 precede GDELT 2.0's first slot (23:00 UTC): the
    window expects 4 slots, and the report says why not 192, instead of a silent cut."""
    with Server(Mirror()) as m:
        _publish(m, [PLAN[0]], raw, faults=False)
        report = fetch_gdelt2("2015-02-17", "2015-02-18", db=tmp_path / "e.duckdb",
                              mirror=m.url, policy=FAST)  # fmt: skip
    assert (report.coverage.expected, report.coverage.n_absent) == (4, 4)
    assert any("2015-02-18 23:00" in n and "188 slots" in n for n in report.notes), report.notes
    assert not any("newest listed slot" in n for n in report.notes)


def test_gdelt1_yearly_and_monthly_files(shared_data: Path, tmp_path: Path) -> None:
    """The historical layout (57 columns, before 2013-04-01) in GDELT's yearly and
    monthly archives: the sample's 57-column rows split over ``2005.zip`` and
    ``200601.zip`` (members ``2005.csv``, ``200601.csv``, as GDELT names them)."""
    old = [ln + b"\n" for ln in (shared_data / SAMPLE_G1).read_bytes().splitlines()
           if ln.count(b"\t") == 56]  # fmt: skip
    assert len(old) > 10
    parts = [b"".join(old[: len(old) // 2]), b"".join(old[len(old) // 2 :])]
    with Server(Mirror()) as m:
        md5s = []
        for key, data in zip(("2005", "200601"), parts, strict=True):
            z = zipped(f"{key}.csv", data)
            m.put(f"/events/{key}.zip", z)
            md5s.append(f"{hashlib.md5(z).hexdigest()}  {key}.zip")
        m.put("/events/md5sums", ("\n".join(md5s) + "\n").encode())
        report = fetch_gdelt1("2005-12-01", "2006-02-28", db=tmp_path / "h.duckdb",
                              mirror=m.url, policy=FAST)  # fmt: skip
    cov = report.coverage
    # no filesizes list: checked by MD5 only, and the report says so; 200602 is past the
    # newest listed slot (200601), so not expected
    assert any("no filesizes list" in n for n in report.notes)
    assert (cov.expected, cov.fetched, len(cov.failed), cov.n_absent) == (2, 2, 0, 0)
    assert any(
        "newest listed slot 200601" in n and "not counted, 1 slot of" in n for n in report.notes
    )
    assert report.rows == _store_rows(tmp_path / "h.duckdb") == _triad_rows(parts, tmp_path, 57)


def test_gdelt1_slots_are_yearly_monthly_then_daily() -> None:
    from datetime import date

    keys = [s.key for s in expected_slots("gdelt1", date(2005, 11, 3), date(2006, 2, 1), [])]
    assert keys == ["2005", "200601", "200602"]
    keys = [s.key for s in expected_slots("gdelt1", date(2013, 3, 30), date(2013, 4, 2), [])]
    assert keys == ["201303", "20130401", "20130402"]
    # GDELT 2.0 starts at 2015-02-18 23:00: four slots that day
    assert len(expected_slots("gdelt2", date(2015, 2, 1), date(2015, 2, 18), [])) == 4


def test_a_damaged_master_list_names_its_line() -> None:
    text = "150383 297a16b493de7cf6ca809a7cc31d0b93 http://x/20150218230000.export.CSV.zip\n"
    with pytest.raises(DataError, match=r"masterfilelist.txt, line 2: expected 'size md5 url'"):
        parse_masterlist(text + "oops\n")


def test_a_download_waits_as_long_as_retry_after_says(raw: dict, tmp_path: Path) -> None:
    """A 503 with ``Retry-After: 7`` twice: the client waits 7 s before each retry (its
    own backoff is 0 here), capped by ``max_retry_after``; the waits are recorded, not
    slept (through the downloader's own wait, never the process-wide ``time.sleep``,
    which other threads of the test session call too)."""
    from trilateral.data.fetch import _client

    waits: list[float] = []
    with Server(Mirror(retry_after="7")) as m:
        _publish(m, [(PLAN[3][0], "A", 3, "503x2")], raw, faults=True)
        line = m.files["/gdeltv2/masterfilelist.txt"].decode().splitlines()[0]
        (f,) = parse_masterlist(line, mirror=m.url)
        policy = RetryPolicy(attempts=3, backoff=0.0, read_timeout=2.0)
        with _client.Downloader(tmp_path / "c1", policy=policy, seed=0) as dl:
            dl._sleep = waits.append
            assert dl.fetch(f).read_bytes() == m.files[_path("0530")]
        assert waits == [7.0, 7.0]
        waits.clear()
        m.faults[_path("0530")] = "503x2"
        m._counts.clear()
        capped = RetryPolicy(attempts=3, backoff=0.0, read_timeout=2.0, max_retry_after=3.0)
        with _client.Downloader(tmp_path / "c2", policy=capped, seed=0) as dl:
            dl._sleep = waits.append
            dl.fetch(f)
        assert waits == [3.0, 3.0]


def test_retry_after_seconds_and_http_date() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert _retry_after(None) is None and _retry_after("soon") is None


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    import random

    policy = RetryPolicy(backoff=1.0, max_backoff=8.0)
    jitter = random.Random(0)
    for attempt, bound in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 8.0)):
        waits = [policy.delay(attempt, None, jitter) for _ in range(200)]
        assert 0 <= min(waits) and max(waits) <= bound and max(waits) > bound / 2
    assert policy.delay(1, 30.0, jitter) == 30.0


def test_coverage_merges_absent_runs_per_kind() -> None:
    o = [
        FileOutcome("20180326000000", "export", "absent"),
        FileOutcome("20180326000000", "mentions", "absent"),
        FileOutcome("20180326001500", "export", "fetched"),
        FileOutcome("20180326001500", "mentions", "absent"),
    ]
    cov = FetchCoverage.of("gdelt2", o)
    assert [(a.kind, a.first, a.last, a.n_slots) for a in cov.absent] == [
        ("export", "20180326000000", "20180326000000", 1),
        ("mentions", "20180326000000", "20180326001500", 2),
    ]
    assert cov.n_absent == 3 and cov.fetched == 1 and not cov.complete
