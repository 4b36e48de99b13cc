"""Archive-sized ingest (trilateral.data.ingest): parallel parse, one writer, resumable.

Real files: GDELT 1.0 Georgia monthly files and the GDELT 2.0 raw exports from
../shared/data/gdelt/. The expected store is the one a plain sequential
``EventStore.ingest`` of the same files builds — file for file: path, content hash,
rows read / ingested / rejected, and the events' content.
"""

from __future__ import annotations

import csv
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from trilateral.data.ingest import expand_paths, ingest_files
from trilateral.data.readers import read
from trilateral.data.store import EventStore
from trilateral.errors import ReaderError

TRILATERAL = Path(sys.executable).parent / "trilateral"

PER_FILE = (
    "SELECT i.path, i.sha256, i.reader, i.dataset, i.codebook, i.rows_read, i.rows_ingested, "
    "i.rows_rejected, count(e.event_id), "
    "sum(hash(e.event_id, e.date, e.source, e.target, e.source_actor, e.target_actor, "
    "e.cameo, e.quad_class, e.goldstein, e.arena, e.weight, e.dataset, e.location, "
    "e.url_or_citation)) "
    "FROM ingests i LEFT JOIN events e USING (ingest_id) GROUP BY ALL ORDER BY i.path"
)


def per_file(db: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(PER_FILE).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def archive(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of daily-style files: 8 GDELT 1.0 monthly files and 2 GDELT 2.0 exports."""
    src = shared_data / "gdelt"
    d = tmp_path_factory.mktemp("archive") / "exports"
    d.mkdir()
    for name in (
        "june2011",
        "july2011",
        "aug2011",
        "sept2011",
        "oct2011",
        "nov2011",
        "dec2011",
        "jan2012",
    ):
        shutil.copy(src / "gdelt1_georgia_2011_2012" / f"{name}.csv", d / f"{name}.csv")
    for f in sorted((src / "gdelt2_raw_exports").iterdir()):
        shutil.copy(f, d / f.name)
    return d


@pytest.fixture(scope="module")
def clean(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: every file ingested one after the other with EventStore.ingest."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    with EventStore.open(db) as store:
        for f in sorted(archive.iterdir()):
            store.ingest(f, on_error="skip")
    return db


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_build_the_same_store_as_a_sequential_ingest(
    workers: int, archive: Path, clean: Path, tmp_path: Path
) -> None:
    db = tmp_path / "par.duckdb"
    seen = []
    with EventStore.open(db) as store:
        results = ingest_files(
            store, [archive], workers=workers, on_error="skip", progress=seen.append
        )
        again = ingest_files(store, [str(archive / "*.csv")], workers=workers, on_error="skip")
    assert [Path(r.path).name for r in results] == sorted(p.name for p in archive.iterdir())
    assert sum(r.rows_ingested for r in results) > 40_000
    assert all(r.skipped_duplicate for r in again) and len(again) == 8
    assert per_file(db) == per_file(clean)
    done = [p for p in seen if p.event == "done"]
    assert [p.files_done for p in done] == list(range(1, 11))
    assert done[-1].bytes_done == done[-1].bytes_total and done[-1].eta_s == 0
    assert done[-1].rows_per_s > 0
    assert not Path(f"{db}.spool").exists()
    pids = {p.worker_pid for p in done}
    if workers == 1:  # one worker is a thread of this process
        assert pids == {os.getpid()}
    else:  # processes: neither this one nor more than asked for
        assert os.getpid() not in pids and 1 <= len(pids) <= workers and 0 not in pids


@pytest.mark.parametrize("workers", [1, 2])
def test_a_renamed_copy_is_found_once_read_and_stored_once(
    workers: int, georgia_year: Path, tmp_path: Path
) -> None:
    """A new path is hashed as it is parsed (no pass before): a copy of a file under
    another name, in the same run or a later one, is parsed, found at the end, rolled
    back and reported as a duplicate of the first."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(georgia_year, d / "a.csv")
    shutil.copy(georgia_year, d / "b.csv")
    db = tmp_path / "s.duckdb"
    with EventStore.open(db) as store:
        first = ingest_files(store, [d], workers=workers, on_error="skip")
        later = tmp_path / "c.csv"
        shutil.copy(georgia_year, later)
        again = ingest_files(store, [later], workers=workers, on_error="skip")
        ((n,),) = store.con.execute("SELECT count(*) FROM events").fetchall()
    assert [r.skipped_duplicate for r in first] == [False, True]
    assert again[0].skipped_duplicate and again[0].ingest_id == first[0].ingest_id
    assert first[1].sha256 == first[0].sha256 == again[0].sha256
    assert n == first[0].rows_ingested > 1000
    assert [r[0] for r in per_file(db)] == [str(d / "a.csv")]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_new_file_gets_no_hash_pass_of_its_own(
    workers: int, georgia_year: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New paths are hashed by the reader as they are parsed: neither the writer nor a
    worker reads the file once more to hash it (a known path is hashed first, above)."""
    from trilateral.data.ingest import _parallel, _pipeline
    from trilateral.data.store import file_sha256

    expected = file_sha256(georgia_year)

    def no_pass(*args: object, **kwargs: object) -> str:
        raise AssertionError("a separate hash pass over a new file")

    monkeypatch.setattr(_pipeline, "file_sha256", no_pass)  # the writer (this process)
    monkeypatch.setattr(_parallel, "file_sha256", no_pass)  # _parse, when run here
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(georgia_year, d / "a.csv")
    with EventStore.open(tmp_path / "s.duckdb") as store:
        (res,) = ingest_files(store, [d], workers=workers, on_error="skip")
    assert res.sha256 == expected and res.rows_ingested > 1000
    spool = tmp_path / "spool"
    spool.mkdir()
    parsed = _parallel._parse(  # what a worker process runs, run here
        0, d / "a.csv", "auto", None, "skip", spool, frozenset(), False
    )
    assert parsed.sha256 == expected and parsed.error is None and parsed.segments >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_stored_content_under_a_new_name_is_a_duplicate_even_if_it_does_not_read(
    workers: int, shared_data: Path, tmp_path: Path
) -> None:
    """A gzip copy of a stored file that has a bad row, ingested with on_error="fail":
    reported as a duplicate (its content is stored), not as the bad row; a re-run that
    names the stored file by another path is skipped too."""
    lines = (
        shared_data / "gdelt" / "gdelt2_raw_exports" / "20180326044500.export.CSV"
    ).read_bytes()
    rows = lines.splitlines(keepends=True)
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.export.CSV").write_bytes(b"".join(rows[:100]) + b"not a row\n" + b"".join(rows[100:]))
    db = tmp_path / "s.duckdb"
    with EventStore.open(db) as store:
        (first,) = ingest_files(store, [d], workers=workers, on_error="skip")
        assert first.rows_rejected == 1
        copies = tmp_path / "copies"
        copies.mkdir()
        (copies / "b.export.CSV.gz").write_bytes(gzip.compress((d / "a.export.CSV").read_bytes()))
        (gz,) = ingest_files(store, [copies], workers=workers)
        (again,) = ingest_files(store, [(d / "a.export.CSV").resolve()], workers=workers)
        # stored content read as another layout fails at its first line: still the duplicate
        other = tmp_path / "other"
        other.mkdir()
        shutil.copy(d / "a.export.CSV", other / "c.export.CSV")
        with pytest.raises(ReaderError, match="expected 57 or 58"):
            read(other / "c.export.CSV", "gdelt1").read_all()
        (wrong,) = ingest_files(store, [other], workers=workers, format="gdelt1")
    assert wrong.skipped_duplicate and wrong.ingest_id == first.ingest_id
    assert gz.skipped_duplicate and gz.ingest_id == first.ingest_id
    assert again.skipped_duplicate and again.ingest_id == first.ingest_id
    assert [r[0] for r in per_file(db)] == [str(d / "a.export.CSV")]


def test_a_worker_skips_a_stored_layout_that_is_hashed_first(
    shared_data: Path, tmp_path: Path
) -> None:
    """ICEWS-TKG rows cite their file's hash, so a worker hashes such a file before it
    parses it — and then skips it, unparsed, when that content is stored already."""
    from trilateral.data.ingest import _parallel
    from trilateral.data.store import file_sha256

    src = shared_data / "icews" / "icews18_tkg_valid" / "valid.txt"
    copy = tmp_path / "renamed.txt"
    shutil.copy(src, copy)
    spool = tmp_path / "spool"
    spool.mkdir()
    digest = file_sha256(src)
    args = (0, copy, "auto", None, "skip", spool)
    parsed = _parallel._parse(*args, frozenset({digest}), False)
    assert parsed.duplicate and parsed.sha256 == digest and parsed.segments == 0
    assert not list(spool.iterdir())  # nothing parsed
    gdelt = tmp_path / "20180326044500.export.CSV"  # a layout hashed as it is read
    shutil.copy(shared_data / "gdelt" / "gdelt2_raw_exports" / gdelt.name, gdelt)
    g_args = (1, gdelt, "auto", None, "skip", spool, frozenset({file_sha256(gdelt)}))
    rerun = _parallel._parse(*g_args, True)  # a name the store holds: hashed first, skipped
    assert rerun.duplicate and rerun.segments == 0 and not list(spool.iterdir())
    new_name = _parallel._parse(*g_args, False)  # parsed; the writer finds it at the end
    assert not new_name.duplicate and new_name.segments >= 1
    fresh = _parallel._parse(*args, frozenset(), False)
    assert not fresh.duplicate and fresh.sha256 == digest
    assert fresh.rows_read == 45_995  # SOURCES.md: the ICEWS18 validation split


def test_a_bad_file_stops_the_run_with_file_line_and_field(archive: Path, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    good = sorted(archive.glob("*.export.CSV"))[0]
    shutil.copy(good, d / "a.export.CSV")
    lines = good.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[2].split("\t")
    fields[1] = "2018XX26"  # SQLDATE of line 3
    lines[2] = "\t".join(fields)
    (d / "b.export.CSV").write_text("".join(lines), encoding="utf-8")
    shutil.copy(good.with_name(sorted(archive.glob("*.export.CSV"))[1].name), d / "c.export.CSV")
    db = tmp_path / "bad.duckdb"
    with EventStore.open(db) as store:
        with pytest.raises(ReaderError) as info:
            ingest_files(store, [d], workers=2)
        assert info.value.path.endswith("b.export.CSV")
        assert info.value.line == 3
        assert info.value.field is not None
        # the file before it is in, it and the one after it are not
        assert [Path(r.path).name for r in store.ingests()] == ["a.export.CSV"]


@pytest.fixture(scope="module")
def georgia_year(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 18 Georgia monthly files as one file (one header, 88,191 data rows): big
    enough for the reader's batches and the workers' spool segments to have boundaries."""
    src = sorted((shared_data / "gdelt" / "gdelt1_georgia_2011_2012").glob("*.csv"))
    out = tmp_path_factory.mktemp("year") / "georgia.csv"
    with out.open("wb") as fh:
        for k, f in enumerate(src):
            lines = f.read_bytes().splitlines(keepends=True)
            fh.writelines(lines if k == 0 else lines[1:])
    return out


def _break_row(src: Path, dst: Path, line: int) -> str:
    """Copy ``src`` with the SQLDATE of ``line`` (1-based) made invalid; the value."""
    lines = src.read_bytes().splitlines(keepends=True)
    fields = lines[line - 1].split(b",")
    fields[1] = b'"2011XX01"'
    lines[line - 1] = b",".join(fields)
    dst.write_bytes(b"".join(lines))
    return "2011XX01"


def test_streamed_segments_equal_a_plain_ingest(georgia_year: Path, tmp_path: Path) -> None:
    """Segments of 10,000 rows (about 8 per file here) and a bad row in the middle of
    one: no row lost or doubled at a boundary, the reject keeps its true line."""
    d = tmp_path / "in"
    d.mkdir()
    bad_line = 45_678  # inside the file, past several reader batches and segments
    _break_row(georgia_year, d / "a_bad.csv", bad_line)
    shutil.copy(georgia_year, d / "b.csv")
    plain, streamed = tmp_path / "plain.duckdb", tmp_path / "streamed.duckdb"
    with EventStore.open(plain) as store:
        for f in sorted(d.iterdir()):
            store.ingest(f, on_error="skip")
    with EventStore.open(streamed) as store:
        results = ingest_files(store, [d], workers=2, on_error="skip", segment_rows=10_000)
    assert [r.rows_read for r in results] == [88_191, 88_191]  # wc -l minus the header
    # the real rows' own rejects (codes that are not ISO3 …) in both, plus the broken one
    assert results[0].rows_rejected == results[1].rows_rejected + 1
    assert per_file(streamed) == per_file(plain)
    # the events in the same order as well (row for row, not just the same set)
    order = "SELECT event_id FROM events ORDER BY rowid"
    with (
        EventStore.open(plain, read_only=True) as a,
        EventStore.open(streamed, read_only=True) as b,
    ):
        assert a.con.execute(order).fetchall() == b.con.execute(order).fetchall()
    assert results[0].rejects_path is not None
    with Path(results[0].rejects_path).open(encoding="utf-8", newline="") as fh:
        rejects = [r for r in csv.DictReader(fh) if r["line"] == str(bad_line)]
    assert [(r["field"], r["value"]) for r in rejects] == [("date", "2011XX01")]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_after_streamed_segments_rolls_the_file_back(
    workers: int, georgia_year: Path, tmp_path: Path
) -> None:
    """After some of the file's rows were inserted (spool segments with 2 workers, the
    first INSERT groups with 1), the file's transaction is rolled back whole."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(georgia_year, d / "a.csv")
    lines = georgia_year.read_bytes().splitlines(keepends=True)
    bad_line = 80_001  # after the writer has inserted several segments of the file
    lines[bad_line - 1] = lines[bad_line - 1].replace(b"Georgia", b"Georgia\xff", 1)
    assert b"\xff" in lines[bad_line - 1]
    (d / "b.csv").write_bytes(b"".join(lines))
    db = tmp_path / "s.duckdb"
    with EventStore.open(db) as store:
        with pytest.raises(ReaderError, match="UTF-8") as info:
            ingest_files(store, [d], workers=workers, on_error="skip", segment_rows=10_000)
        assert info.value.path.endswith("b.csv")
        assert info.value.line == bad_line
        assert [Path(r.path).name for r in store.ingests()] == ["a.csv"]
        ((n,),) = store.con.execute("SELECT count(*) FROM events").fetchall()
    assert n == per_file(db)[0][6]  # a.csv's rows (rows_ingested), none of b.csv
    assert not Path(f"{db}.spool").exists()


def test_expand_paths_rejects_what_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="file not found"):
        expand_paths([tmp_path / "nope.csv"])
    with pytest.raises(ReaderError, match="no files to ingest"):
        expand_paths([str(tmp_path / "*.zip")])


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_store(archive: Path, clean: Path, tmp_path: Path) -> None:
    db = tmp_path / "resumed.duckdb"
    cmd = [str(TRILATERAL), "ingest", str(archive), "--workers", "2", "--db", str(db)]
    cmd += ["--on-error", "skip"]
    with subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        assert proc.stderr is not None
        deadline = time.monotonic() + 240
        first = ""
        while time.monotonic() < deadline:
            first = proc.stderr.readline()
            if first.startswith("ingested ") or not first:
                break
        assert first.startswith("ingested "), first
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, mid-run
        proc.wait(timeout=60)
    partial = per_file(db)
    assert 0 < len(partial) < 10, "the run must be interrupted part-way"
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert per_file(db) == per_file(clean)
    assert not Path(f"{db}.spool").exists()


def test_a_worker_reports_its_own_peak_memory_not_its_parents(
    shared_data: Path, tmp_path: Path
) -> None:
    """``getrusage``'s peak survives ``exec``: a spawned worker would report the memory
    its parent held when it forked. Here the parent holds 512 MB; the workers parse two
    small GDELT 2.0 exports and must report far less."""
    d = tmp_path / "in"
    d.mkdir()
    for f in sorted((shared_data / "gdelt" / "gdelt2_raw_exports").iterdir()):
        shutil.copy(f, d / f.name)
    ballast = bytearray(512 << 20)
    ballast[:: 1 << 12] = b"\x01" * len(range(0, len(ballast), 1 << 12))  # touch every page
    peaks: dict[int, int] = {}
    with EventStore.open(tmp_path / "s.duckdb") as store:
        ingest_files(store, [d], workers=2, progress=lambda p: peaks.update(p.worker_peak_rss))
    assert len(peaks) == 2 and os.getpid() not in peaks
    assert all(0 < rss < len(ballast) for rss in peaks.values()), peaks
    del ballast
