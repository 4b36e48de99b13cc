"""The event store: counts, idempotence, atomicity, rejects, locking, info()."""

from __future__ import annotations

import csv
import gzip
import io
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar

import duckdb
import pyarrow as pa
import pytest

from trilateral.data.codebook import Codebook
from trilateral.data.readers import EventReader
from trilateral.data.store import EventStore, file_sha256, rejects_path_for
from trilateral.errors import ReaderError, StoreError, StoreLockedError

HERE = Path(__file__).resolve().parent
# below the shared data folder (the `shared_data` fixture)
GDELT2_A = Path("gdelt") / "gdelt2_raw_exports" / "20180326044500.export.CSV"
GDELT2_B = Path("gdelt") / "gdelt2_raw_exports" / "20191024143000.export.CSV"

TINY_HEADER = "event_id,date,source,target,cameo,goldstein,weight"


class TinyReader(EventReader):
    """A minimal layout for store tests: CSV with the header ``TINY_HEADER``.

    Quad class and arena come from the codebook; everything else from the row.
    """

    format: ClassVar[str] = "tiny"
    dataset: ClassVar[str] = "tiny"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head.startswith(TINY_HEADER.encode())

    def _batches(
        self, stream: IO[bytes]
    ) -> Iterator[tuple[dict[str, pa.Array], pa.Array, dict[str, pa.Array]]]:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        rows = csv.reader(text)
        next(rows)
        chunk: list[tuple[int, list[str]]] = []
        for i, row in enumerate(rows, start=2):
            chunk.append((i, row))
            if len(chunk) >= self.batch_rows:
                yield self._columns(chunk)
                chunk = []
        if chunk:
            yield self._columns(chunk)

    def _columns(
        self, chunk: list[tuple[int, list[str]]]
    ) -> tuple[dict[str, pa.Array], pa.Array, dict[str, pa.Array]]:
        cb = self.codebook

        def _date(s: str) -> date | None:
            try:
                return date.fromisoformat(s)
            except ValueError:
                return None

        def _num(s: str, kind: type) -> float | int | None:
            try:
                return kind(s)
            except ValueError:
                return None

        recs = [r for _, r in chunk]
        codes = [r[4] for r in recs]
        cols = {
            "event_id": pa.array([r[0] for r in recs], pa.string()),
            "date": pa.array([_date(r[1]) for r in recs], pa.date32()),
            "source": pa.array([r[2] or None for r in recs], pa.string()),
            "target": pa.array([r[3] or None for r in recs], pa.string()),
            "source_actor": pa.array([r[2] or None for r in recs], pa.string()),
            "target_actor": pa.array([r[3] or None for r in recs], pa.string()),
            "cameo": pa.array(codes, pa.string()),
            "quad_class": pa.array(
                [cb.quad_class(c) if c in cb else None for c in codes], pa.int8()
            ),
            "goldstein": pa.array([_num(r[5], float) for r in recs], pa.float64()),
            "arena": pa.array([cb.arena(c) if c in cb else None for c in codes], pa.string()),
            "weight": pa.array([_num(r[6], int) for r in recs], pa.int64()),
            "dataset": pa.array(["tiny"] * len(recs), pa.string()),
            "location": pa.array([None] * len(recs), pa.string()),
            "url_or_citation": pa.array([None] * len(recs), pa.string()),
        }
        lines = pa.array([i for i, _ in chunk], pa.int64())
        raw = {"goldstein": pa.array([r[5] for r in recs]), "date": pa.array([r[1] for r in recs])}
        return cols, lines, raw


DYADS = [
    ("USA", "RUS"),
    ("RUS", "USA"),
    ("CHN", "USA"),
    ("USA", "CHN"),
    ("RUS", "CHN"),
    ("FRA", "USA"),
]


def write_tiny(path: Path, n: int, *, start: int = 0, bad: dict[int, str] | None = None) -> Path:
    """``n`` rows cycling through DYADS; ``bad`` maps a row index to a broken Goldstein."""
    bad = bad or {}
    lines = [TINY_HEADER]
    for i in range(start, start + n):
        s, t = DYADS[i % len(DYADS)]
        g = bad.get(i - start, "-4.0")
        lines.append(f"ev{i},2018-03-{1 + i % 28:02d},{s},{t},111,{g},{1 + i % 3}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(store: EventStore) -> tuple[object, ...]:
    return (
        store.con.execute("SELECT count(*), sum(weight) FROM events").fetchall(),
        store.con.execute("SELECT * FROM ingests ORDER BY ingest_id").fetchall(),
        store.con.execute("SELECT count(*) FROM event_extras").fetchall(),
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "events.duckdb"


def test_ingest_counts(db: Path, tmp_path: Path) -> None:
    f = write_tiny(tmp_path / "a.csv", 100)
    seen: list[tuple[int, int]] = []
    with EventStore.open(db) as store:
        res = store.ingest_reader(
            TinyReader(f, batch_rows=30), progress=lambda d, t: seen.append((d, t))
        )
        assert (res.rows_read, res.rows_ingested, res.rows_rejected) == (100, 100, 0)
        assert res.format == res.dataset == "tiny" and not res.skipped_duplicate
        assert res.sha256 == file_sha256(f) and res.rejects_path is None
        assert store.events().count("*").fetchall() == [(100,)]
        assert store.events("tiny").count("*").fetchall() == [(100,)]
        assert store.events("gdelt2").count("*").fetchall() == [(0,)]
        # every row carries its ingest id; the ingests row records the file
        assert store.con.execute("SELECT DISTINCT ingest_id FROM events").fetchall() == [(1,)]
        (rec,) = store.ingests()
        assert (rec.path, rec.format, rec.rows_read, rec.rows_ingested) == (
            str(f),
            "tiny",
            100,
            100,
        )
        assert rec.started_at <= rec.finished_at
    assert seen and seen[-1][0] == seen[-1][1] == f.stat().st_size
    assert db.is_file() and Path(str(db) + ".lock").exists()


def test_same_file_twice_changes_nothing(db: Path, tmp_path: Path) -> None:
    f = write_tiny(tmp_path / "a.csv", 50)
    with EventStore.open(db) as store:
        first = store.ingest_reader(TinyReader(f))
        before = snapshot(store)
        again = store.ingest_reader(TinyReader(f))
        assert again.skipped_duplicate and again.rows_ingested == 0
        assert again.ingest_id == first.ingest_id and again.sha256 == first.sha256
        assert snapshot(store) == before
    with EventStore.open(db) as store:  # and across sessions
        assert store.ingest_reader(TinyReader(f)).skipped_duplicate
        assert snapshot(store) == before


def test_zip_and_gzip_copies_are_the_same_file(db: Path, tmp_path: Path) -> None:
    # Decision: identity = SHA-256 of the decompressed content, so a .zip/.gz of a file
    # already in the store is a duplicate (GDELT serves .zip; users also unzip).
    f = write_tiny(tmp_path / "a.csv", 40)
    z = tmp_path / "a.csv.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(f, "a.csv")
    g = tmp_path / "a.csv.gz"
    g.write_bytes(gzip.compress(f.read_bytes()))
    assert file_sha256(f) == file_sha256(z) == file_sha256(g)
    assert file_sha256(f) != file_sha256(write_tiny(tmp_path / "b.csv", 40, start=1))
    with EventStore.open(db) as store:
        assert not store.ingest_reader(TinyReader(g)).skipped_duplicate
        assert store.ingest_reader(TinyReader(f)).skipped_duplicate
        assert store.ingest_reader(TinyReader(z)).skipped_duplicate
        assert store.events().count("*").fetchall() == [(40,)]


def test_one_prefetch_helper_for_store_and_gdelt_reader() -> None:
    """The background read-ahead is one class (readers._base.Prefetch), used by the store
    and the GDELT reader: order kept, errors re-raised in the consumer, close() stops a
    producer that is ahead."""
    import threading

    from trilateral.data.ingest import _pipeline
    from trilateral.data.readers import _base, _gdelt

    assert _pipeline.Prefetch is _base.Prefetch is _gdelt.Prefetch
    assert not hasattr(_pipeline, "_Prefetch") and not hasattr(_gdelt, "_Prefetch")

    pf = _base.Prefetch(iter(range(100)), depth=3)
    assert list(pf) == list(range(100)) and next(pf, None) is None
    pf.close()

    def failing() -> Iterator[int]:
        yield 1
        raise ReaderError("f.csv", 7, "date", "bad date")

    pf = _base.Prefetch(failing())
    assert next(pf) == 1
    with pytest.raises(ReaderError, match="line 7"):
        next(pf)
    assert next(pf, None) is None
    pf.close()

    produced: list[int] = []

    def endless() -> Iterator[int]:
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    pf = _base.Prefetch(endless(), depth=2, name="test-prefetch")
    assert next(pf) == 0
    pf.close()
    assert not any(t.name == "test-prefetch" for t in threading.enumerate())
    assert len(produced) <= 5  # the producer stopped a few items ahead
    assert next(pf, None) is None


def _military_map(path: Path, note: str = "") -> Path:
    """An arena map that puts every CAMEO root code in the military arena."""
    rows = "".join(f"{i:02d},military,{note}\n" for i in range(1, 21))
    path.write_text("cameo_prefix,arena,note\n" + rows, encoding="utf-8")
    return path


def test_same_content_with_another_codebook_is_refused(db: Path, tmp_path: Path) -> None:
    """A file is stored once, coded with one codebook: asking for it again with another
    arena map or Goldstein table raises StoreError (it used to be skipped silently, the
    events keeping the old arenas); the same codebook — wherever its map lives — skips."""
    f = write_tiny(tmp_path / "a.csv", 30)
    amap = _military_map(tmp_path / "military.csv")
    with EventStore.open(db) as store:
        first = store.ingest_reader(TinyReader(f))
        (rec,) = store.ingests()
        assert rec.codebook.startswith("goldstein=gdelt; arena_map=arena_map.csv (shipped); ")
        assert len(rec.codebook.rpartition("; arena_sha256=")[2]) == 64
        before = snapshot(store)
        mine = Codebook.load(arena_map=amap)
        with pytest.raises(StoreError) as info:
            store.ingest_reader(TinyReader(f, codebook=mine))
        msg = str(info.value)
        assert f"{f}: this content is already in the store (ingest {first.ingest_id}" in msg
        assert "arena map arena_map.csv (shipped)" in msg and f"arena map {amap}" in msg
        assert "ingest it into a new store" in msg
        with pytest.raises(StoreError, match=r"Goldstein table 'gdelt'.*asks for .*'icews'"):
            store.ingest_reader(TinyReader(f, codebook=Codebook.load("icews")))
        assert snapshot(store) == before
        # the same codebook, another copy of the shipped map: a duplicate, as before
        shipped = tmp_path / "copy_of_shipped.csv"
        shipped.write_text(
            (resources.files("trilateral.data") / "_files" / "arena_map.csv").read_text("utf-8"),
            encoding="utf-8",
        )
        assert store.ingest_reader(TinyReader(f, codebook=Codebook.load())).skipped_duplicate
        assert store.ingest_reader(
            TinyReader(f, codebook=Codebook.load(arena_map=shipped))
        ).skipped_duplicate
        # a file coded with the custom map: its own map (or one with the same rules and
        # other notes) skips; the shipped one is refused
        g = write_tiny(tmp_path / "b.csv", 12, start=500)
        store.ingest_reader(TinyReader(g, codebook=mine))
        assert store.con.execute(
            "SELECT DISTINCT arena FROM events WHERE ingest_id = 2"
        ).fetchall() == [("military",)]
        same_rules = Codebook.load(arena_map=_military_map(tmp_path / "m2.csv", "other note"))
        assert store.ingest_reader(TinyReader(g, codebook=same_rules)).skipped_duplicate
        with pytest.raises(StoreError, match=r"ingest it with arena map .*military\.csv"):
            store.ingest_reader(TinyReader(g))
        # a store written before the rules' hash was recorded: known by the map's path
        store.con.execute(
            "UPDATE ingests SET codebook = 'goldstein=gdelt; arena_map=arena_map.csv (shipped)'"
            " WHERE ingest_id = 1"
        )
        assert store.ingest_reader(TinyReader(f)).skipped_duplicate
        with pytest.raises(StoreError, match="ingest it into a new store"):
            store.ingest_reader(TinyReader(f, codebook=mine))


def test_real_file_with_another_arena_map_is_refused(
    db: Path, tmp_path: Path, shared_data: Path
) -> None:
    """Through ingest(): the layout's default codebook counts as a codebook too."""
    amap = _military_map(tmp_path / "military.csv")
    with EventStore.open(db) as store:
        first = store.ingest(shared_data / GDELT2_A)
        before = snapshot(store)
        with pytest.raises(StoreError, match=r"asks for arena map .*military\.csv"):
            store.ingest(shared_data / GDELT2_A, codebook=Codebook.load(arena_map=amap))
        with pytest.raises(StoreError, match="Goldstein table 'gdelt'"):
            store.ingest(shared_data / GDELT2_A, "gdelt2", codebook=Codebook.load("icews"))
        assert snapshot(store) == before
        again = store.ingest(shared_data / GDELT2_A, codebook=Codebook.load())
        assert again.skipped_duplicate and again.ingest_id == first.ingest_id
        recoded = EventStore.open(tmp_path / "new.duckdb")  # the way to re-code it
        with recoded:
            res = recoded.ingest(shared_data / GDELT2_A, codebook=Codebook.load(arena_map=amap))
            assert res.rows_ingested == first.rows_ingested
            assert recoded.con.execute("SELECT DISTINCT arena FROM events").fetchall() == [
                ("military",)
            ]


def test_bad_row_fail_leaves_store_unchanged(db: Path, tmp_path: Path) -> None:
    a = write_tiny(tmp_path / "a.csv", 30)
    # the bad row sits in the 3rd batch, after two batches were already inserted
    b = write_tiny(tmp_path / "b.csv", 100, start=1000, bad={57: "minus four"})
    with EventStore.open(db) as store:
        store.ingest_reader(TinyReader(a))
        before = snapshot(store)
        with pytest.raises(ReaderError) as info:
            store.ingest_reader(TinyReader(b, batch_rows=25))
        err = info.value
        assert err.path == str(b) and err.line == 59 and err.field == "goldstein"  # header + 58
        assert "minus four" in str(err) and "b.csv, line 59, field 'goldstein'" in str(err)
        assert snapshot(store) == before
        assert not rejects_path_for(db, b).exists()
        assert not list(db.parent.glob("*.tmp"))
        # the store is still usable and the file can be ingested once fixed
        write_tiny(b, 100, start=1000)
        assert store.ingest_reader(TinyReader(b)).rows_ingested == 100
        assert store.con.execute("SELECT max(ingest_id) FROM events").fetchall() == [(2,)]


def test_error_mid_stream_rolls_back(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trilateral.data.ingest import _groups

    # INSERTs of 20 rows: the interrupt comes after two of the file's five
    monkeypatch.setattr(_groups, "FIRST_INSERT_ROWS", 20)
    monkeypatch.setattr(_groups, "INSERT_ROWS", 20)
    f = write_tiny(tmp_path / "a.csv", 100)
    calls = 0

    def boom(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with EventStore.open(db) as store:
        before = snapshot(store)
        with pytest.raises(KeyboardInterrupt):
            store.ingest_reader(TinyReader(f, batch_rows=10), progress=boom)
        assert snapshot(store) == before
        assert store.ingest_reader(TinyReader(f)).rows_ingested == 100


def test_skip_writes_rejects_next_to_store(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "downloads"
    src.mkdir()
    f = write_tiny(src / "b.csv", 60, bad={3: "x", 40: "99"})
    with EventStore.open(db) as store:
        res = store.ingest_reader(TinyReader(f, on_error="skip", batch_rows=16))
        assert (res.rows_read, res.rows_ingested, res.rows_rejected) == (60, 58, 2)
        expected = db.parent / "events.b.csv.rejects.csv"
        assert res.rejects_path == str(expected) == str(rejects_path_for(db, f))
        with expected.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [r["line"] for r in rows] == ["5", "42"]  # header is line 1, row i is line i+2
        assert {r["field"] for r in rows} == {"goldstein"}
        assert [r["value"] for r in rows] == ["x", "99"]
        assert all(r["reason"] for r in rows)
        assert store.events().count("*").fetchall() == [(58,)]
        (rec,) = store.ingests()
        assert rec.rows_rejected == 2
    assert not list(db.parent.glob("*.tmp"))


def test_read_only_and_missing_store(db: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no store at .*run `trilateral ingest FILE` first"):
        EventStore.open(db, read_only=True)
    assert not db.exists()
    with EventStore.open(db) as store:
        store.ingest_reader(TinyReader(write_tiny(tmp_path / "a.csv", 5)))
    with EventStore.open(db, read_only=True) as r1, EventStore.open(db, read_only=True) as r2:
        assert r1.events().count("*").fetchall() == r2.events().count("*").fetchall() == [(5,)]
        with pytest.raises(StoreError, match="read-only"):
            r1.ingest_reader(TinyReader(write_tiny(tmp_path / "b.csv", 5, start=9)))


def test_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 200)
    with pytest.raises(StoreError, match="cannot open the store"):
        EventStore.open(junk)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(StoreError, match="not a trilateral store"):
        EventStore.open(other, read_only=True)
    with EventStore.open(other) as store:  # a writable open makes it one
        store.con.execute("UPDATE store_meta SET value = '99' WHERE key = 'version'")
    with pytest.raises(StoreError, match="layout version 99"):
        EventStore.open(other)


def test_second_writer_in_process_times_out(db: Path) -> None:
    with EventStore.open(db):
        with pytest.raises(StoreLockedError, match="being written by another process") as info:
            EventStore.open(db, timeout=0.2)
        assert "another --db" in str(info.value)
    with EventStore.open(db, timeout=0.2):  # released on close
        pass


def test_info_numbers(db: Path, tmp_path: Path) -> None:
    # 120 rows cycling through 6 dyads -> 20 each; FRA->USA is outside the triangle
    with EventStore.open(db) as store:
        store.ingest_reader(TinyReader(write_tiny(tmp_path / "a.csv", 120)))
        info = store.info()
    assert info.n_events == 120
    (ds,) = info.datasets
    assert (ds.dataset, ds.n_events) == ("tiny", 120)
    assert (ds.first_date, ds.last_date) == (date(2018, 3, 1), date(2018, 3, 28))
    counts = {(d.source, d.target): d.n_events for d in info.dyads}
    assert counts == {
        ("USA", "RUS"): 20,
        ("USA", "CHN"): 20,
        ("RUS", "USA"): 20,
        ("RUS", "CHN"): 20,
        ("CHN", "USA"): 20,
        ("CHN", "RUS"): 0,
    }
    d = info.to_dict()
    assert d["datasets"][0]["first_date"] == "2018-03-01" and len(d["ingests"]) == 1
    assert info.to_frame().shape == (6, 3)
    assert "120 events" in info.summary()
    pair = EventStore.open(db, read_only=True)
    try:
        two = pair.info(("USA", "FRA"))
    finally:
        pair.close()
    assert {(x.source, x.target): x.n_events for x in two.dyads} == {
        ("USA", "FRA"): 0,
        ("FRA", "USA"): 20,
    }


_CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {here!r})
    from test_store import TinyReader
    from trilateral.data.store import EventStore
    from trilateral.errors import StoreLockedError
    db, f, timeout, hold = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    try:
        with EventStore.open(db, timeout=timeout) as store:
            print("OPEN", flush=True)
            res = store.ingest_reader(TinyReader(f, batch_rows=500))
            time.sleep(hold)
            print("DONE", res.rows_ingested, flush=True)
    except StoreLockedError as exc:
        print("LOCKED", exc, flush=True)
        sys.exit(3)
    """
)


def _child(db: Path, f: Path, timeout: float, hold: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHILD.format(here=str(HERE)),
            str(db),
            str(f),
            str(timeout),
            str(hold),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_ingest_from_two_processes(db: Path, tmp_path: Path) -> None:
    a = write_tiny(tmp_path / "a.csv", 3000)
    b = write_tiny(tmp_path / "b.csv", 2000, start=10_000)
    c = write_tiny(tmp_path / "c.csv", 1000, start=20_000)
    # 1. a writer holds the store for 15 s (long enough for a loaded CI machine to start
    #    the other processes meanwhile); an impatient second writer fails cleanly
    first = _child(db, a, 30, 15.0)
    assert first.stdout is not None and first.stdout.readline().strip() == "OPEN"
    second = _child(db, b, 0.3, 0)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 3, err
    assert out.startswith(f"LOCKED the store {db} is being written by another process")
    # a reader also waits for the writer, and gives up after its timeout
    with pytest.raises(StoreLockedError):
        EventStore.open(db, read_only=True, timeout=0.2)
    # 2. a patient writer waits for the first one and then lands its file
    third = _child(db, c, 60, 0)
    assert first.communicate(timeout=60)[0].strip() == "DONE 3000"
    out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err
    assert out.split() == ["OPEN", "DONE", "1000"]
    with EventStore.open(db, read_only=True) as store:
        assert store.con.execute(
            "SELECT i.path, i.rows_ingested, count(e.event_id) FROM ingests i "
            "JOIN events e USING (ingest_id) GROUP BY ALL ORDER BY 1"
        ).fetchall() == [(str(a), 3000, 3000), (str(c), 1000, 1000)]
        assert store.events().count("*").fetchall() == [(4000,)]


ICEWS_RAW = Path("icews") / "icews_raw_sample_2018" / "events.2018.sample.tab"


def test_real_files_through_ingest(db: Path, shared_data: Path) -> None:
    with EventStore.open(db) as store:
        a = store.ingest(shared_data / GDELT2_A)
        b = store.ingest(shared_data / GDELT2_B, "gdelt2")
        c = store.ingest(shared_data / ICEWS_RAW)
        assert (a.format, a.rows_read) == ("gdelt2", 1540)  # SOURCES.md: 1,540 rows
        assert (b.format, b.rows_read) == ("gdelt2", 2111)  # SOURCES.md: 2,111 rows
        assert (c.format, c.rows_read) == ("icews", 3705)  # SOURCES.md: 3,705 rows
        assert "unresolved" in c.counts  # the ICEWS reader's country-name misses
        assert store.ingest(shared_data / GDELT2_A).skipped_duplicate
        info = store.info()
        by = {d.dataset: d for d in info.datasets}
        assert by["gdelt2"].n_events == a.rows_ingested + b.rows_ingested
        assert by["icews"].n_events == c.rows_ingested
        # ICEWS sample spans 2018-06-01 to 06-02 (SOURCES.md)
        assert (by["icews"].first_date, by["icews"].last_date) == (
            date(2018, 6, 1),
            date(2018, 6, 2),
        )
        # dyad counts agree with a direct count over the table
        direct = dict(
            ((s, t), n)
            for s, t, n in store.con.execute(
                "SELECT source, target, count(*) FROM events GROUP BY ALL"
            ).fetchall()
        )
        assert all(d.n_events == direct.get((d.source, d.target), 0) for d in info.dyads)
        assert sum(d.n_events for d in info.dyads) > 0


def test_real_zip_then_plain_is_one_file(db: Path, tmp_path: Path, shared_data: Path) -> None:
    z = tmp_path / ((shared_data / GDELT2_A).name + ".zip")  # how GDELT serves its exports
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(shared_data / GDELT2_A, (shared_data / GDELT2_A).name)
    with EventStore.open(db) as store:
        first = store.ingest(z)
        assert (first.format, first.rows_read) == ("gdelt2", 1540)  # SOURCES.md
        again = store.ingest(shared_data / GDELT2_A)
        assert again.skipped_duplicate and again.ingest_id == first.ingest_id
        assert store.events().count("*").fetchall() == [(first.rows_ingested,)]


def test_a_new_file_is_hashed_as_its_rows_are_read(
    db: Path, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose name is not in the store is read once: the reader hashes its bytes
    on the way (no separate pass); a name the store holds (a re-run, by any path) is
    hashed first, before any parsing, and skipped; a renamed copy is found at the end
    and rolled back."""
    from trilateral.data.ingest import _pipeline

    src = shared_data / GDELT2_A
    expected = file_sha256(src)  # the separate pass, computed before the spy
    passes: list[str] = []
    real = _pipeline.file_sha256

    def spy(path: str | Path, *args: object, **kwargs: object) -> str:
        passes.append(Path(path).name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_pipeline, "file_sha256", spy)
    copy = tmp_path / "renamed.export.CSV"
    copy.write_bytes(src.read_bytes())
    with EventStore.open(db) as store:
        first = store.ingest(src)
        assert passes == [] and first.sha256 == expected
        assert store.ingest(src).skipped_duplicate  # same path: hashed first
        assert passes == [src.name]
        link = tmp_path / "link"
        link.symlink_to(src.parent, target_is_directory=True)
        assert store.ingest(link / src.name).skipped_duplicate  # same name, another path
        assert passes == [src.name, src.name]
        before = snapshot(store)
        again = store.ingest(copy)  # same content, new name: found once it is read
        assert passes == [src.name, src.name]
        assert again.skipped_duplicate and again.ingest_id == first.ingest_id
        assert snapshot(store) == before
        amap = _military_map(tmp_path / "military.csv")
        with pytest.raises(StoreError, match=r"asks for arena map .*military\.csv"):
            store.ingest(copy, codebook=Codebook.load(arena_map=amap))
        assert snapshot(store) == before


def test_a_layout_that_stops_early_leaves_no_content_hash(tmp_path: Path) -> None:
    """A reader that closes its stream before the end has not seen every byte: it must
    not claim a content hash (the store then hashes the file itself)."""

    class FirstRowsOnly(TinyReader):
        def _batches(self, stream: IO[bytes]) -> Iterator[Any]:
            batches = super()._batches(stream)
            yield next(batches)
            stream.close()

    f = write_tiny(tmp_path / "a.csv", 200)
    whole = TinyReader(f, batch_rows=10)
    whole.hash_content = True
    assert sum(b.events.num_rows for b in whole) == 200
    assert whole.content_sha256 == file_sha256(f)
    cut = FirstRowsOnly(f, batch_rows=10)
    cut.hash_content = True
    assert sum(b.events.num_rows for b in cut) == 10
    assert cut.content_sha256 is None


def test_stored_content_that_does_not_read_is_still_a_duplicate(
    db: Path, tmp_path: Path, shared_data: Path
) -> None:
    """A new name is parsed before it is hashed; if its content is stored but does not
    read (a bad row and on_error="fail", here), it is reported as the duplicate it is
    — as it was when every file was hashed first."""
    lines = (shared_data / GDELT2_A).read_bytes().splitlines(keepends=True)
    bad = tmp_path / "bad.export.CSV"
    bad.write_bytes(b"".join(lines[:100]) + b"not a row\n" + b"".join(lines[100:]))
    copy = tmp_path / "copy.export.CSV.gz"
    copy.write_bytes(gzip.compress(bad.read_bytes()))
    with EventStore.open(db) as store:
        first = store.ingest(bad, "gdelt2", on_error="skip")
        assert first.rows_rejected == 1
        before = snapshot(store)
        again = store.ingest(copy, "gdelt2")  # on_error="fail": the bad row would raise
        assert again.skipped_duplicate and again.ingest_id == first.ingest_id
        assert snapshot(store) == before
        with pytest.raises(ReaderError, match="expected 61"):  # new content still fails
            store.ingest(write_bad_copy(bad, tmp_path / "other.export.CSV"), "gdelt2")
        assert snapshot(store) == before


def write_bad_copy(src: Path, dest: Path) -> Path:
    """``src`` with one more bad line at the end: new content, still unreadable."""
    dest.write_bytes(src.read_bytes() + b"another bad row\n")
    return dest


def test_many_rejects_reach_the_spool_as_they_come(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rejects count toward an INSERT group: a file of bad rows is handed over group by
    group (memory bounded), not held until the end of the file."""
    from trilateral.data.ingest import _groups

    monkeypatch.setattr(_groups, "FIRST_INSERT_ROWS", 50)
    monkeypatch.setattr(_groups, "INSERT_ROWS", 50)
    # 400 bad rows and a good last one (a file of bad rows only is an error: issue 21)
    f = write_tiny(tmp_path / "bad.csv", 401, bad={i: "x" for i in range(400)})
    calls: list[int] = []
    with EventStore.open(db) as store:
        res = store.ingest_reader(
            TinyReader(f, on_error="skip", batch_rows=10), progress=lambda d, t: calls.append(d)
        )
    assert (res.rows_ingested, res.rows_rejected) == (1, 400)
    assert len(calls) >= 400 // 50  # one per group of 50 rejects (+ the final call)


def test_ingest_appends_with_its_own_duckdb_settings_and_restores_them(
    db: Path, tmp_path: Path, shared_data: Path
) -> None:
    """While a file is appended: one DuckDB thread and one buffered row group (see
    store._INSERT_THREADS and _INSERT_ROW_GROUPS_BUFFERED); afterwards, success or
    failure, the connection's own settings are back."""

    def settings(store: EventStore) -> tuple[str, str]:
        ((t, b),) = store.con.execute(
            "SELECT current_setting('threads'), current_setting('write_buffer_row_group_count')"
        ).fetchall()
        return str(t), str(b)

    bad = tmp_path / "bad.export.CSV"
    lines = (shared_data / GDELT2_A).read_bytes().splitlines(keepends=True)
    bad.write_bytes(b"".join(lines[:100]) + b"not a row\n")
    with EventStore.open(db) as store:
        store.con.execute("SET threads = 2")
        store.con.execute("SET write_buffer_row_group_count = 7")
        during: list[tuple[str, str]] = []
        store.ingest(shared_data / GDELT2_A, progress=lambda d, t: during.append(settings(store)))
        assert during[:-1] and set(during[:-1]) == {("1", "1")}
        assert settings(store) == ("2", "7")
        with pytest.raises(ReaderError):
            store.ingest(bad, "gdelt2")
        assert settings(store) == ("2", "7")


def test_readers_hash_the_decompressed_content(tmp_path: Path, shared_data: Path) -> None:
    """With ``hash_content`` on, ``content_sha256`` after a full read equals the separate
    pass (file_sha256) for the plain, zipped and gzipped file; a read stopped early, or
    with ``hash_content`` off (the default), leaves it unset."""
    from trilateral.data.readers import read

    src = shared_data / GDELT2_A
    z = tmp_path / (src.name + ".zip")
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(src, src.name)
    g = tmp_path / (src.name + ".gz")
    g.write_bytes(gzip.compress(src.read_bytes()))
    expected = file_sha256(src)
    for f in (src, z, g):
        reader = read(f, "gdelt2", on_error="skip")
        reader.hash_content = True
        assert reader.content_sha256 is None
        assert sum(b.events.num_rows for b in reader) > 1000
        assert reader.content_sha256 == expected, f.name
    partial = read(src, "gdelt2", on_error="skip", batch_rows=100)
    partial.hash_content = True
    for _ in partial:
        break
    assert partial.content_sha256 is None
    unhashed = read(src, "gdelt2", on_error="skip")  # off by default: reading costs no hash
    assert sum(b.events.num_rows for b in unhashed) > 1000
    assert unhashed.content_sha256 is None


def test_same_gdelt_ids_in_two_files(db: Path, tmp_path: Path, shared_data: Path) -> None:
    """A re-issued export (the real 2018 file without its first 40 rows, plus the 2019
    file's rows) shares event ids with the first: those rows are listed as duplicates of
    ingest 1 and stored as ``<id>@2``; the 2019 rows are neither."""
    a = shared_data / GDELT2_A
    rows_a = a.read_bytes().splitlines(keepends=True)
    rows_b = (shared_data / GDELT2_B).read_bytes().splitlines(keepends=True)
    reissue = tmp_path / "reissue.export.CSV"
    reissue.write_bytes(b"".join(rows_a[40:] + rows_b))

    def ids(rows: list[bytes]) -> set[str]:
        return {r.split(b"\t", 1)[0].decode() for r in rows}

    shared = ids(rows_a[40:])
    assert len(shared) == len(rows_a) - 40 and not shared & ids(rows_b)
    with EventStore.open(db) as store:
        first = store.ingest(a, on_error="skip")
        second = store.ingest(reissue, on_error="skip")
        dups = store.con.execute(
            "SELECT event_id, duplicate_of FROM event_duplicates WHERE ingest_id = 2"
        ).fetchall()
        ((n, distinct, suffixed),) = store.con.execute(
            "SELECT count(*), count(DISTINCT event_id), "
            "count(*) FILTER (WHERE event_id LIKE '%@2') FROM events"
        ).fetchall()
    assert first.rows_rejected == second.rows_rejected == 0
    assert second.rows_ingested == len(rows_a) - 40 + len(rows_b)
    assert sorted(dups) == sorted((f"gdelt2:{i}@2", 1) for i in shared)
    assert n == distinct == first.rows_ingested + second.rows_ingested
    assert suffixed == len(shared)
