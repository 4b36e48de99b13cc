"""A process killed (SIGKILL) in the middle of an ingest leaves the store as it was.

File A is ingested by one process; a second process starts ingesting a large file B
(>= 200k real GDELT 2.0 rows with distinct event ids) and is killed once it has begun
inserting. The store must then hold exactly A, open cleanly, and take B in full.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from trilateral.data.store import EventStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

# below the shared data folder (the `shared_data` fixture)
GDELT2 = Path("gdelt") / "gdelt2_raw_exports"
FILE_A = GDELT2 / "20191024143000.export.CSV"  # 2,111 rows (SOURCES.md)
FILE_B_SEED = GDELT2 / "20180326044500.export.CSV"  # 1,540 rows (SOURCES.md)
B_ROWS = 300_000

_CHILD = textwrap.dedent(
    """
    import sys
    from trilateral.data.store import EventStore
    db, f = sys.argv[1], sys.argv[2]
    def progress(done, total):
        # past the hashing half: batches are being inserted inside the transaction
        if done > total // 2:
            sys.stderr.write("INSERTING\\n")
            sys.stderr.flush()
    with EventStore.open(db) as store:
        res = store.ingest(f, "gdelt2", progress=progress)
    print("DONE", res.rows_ingested, flush=True)
    """
)


def _big_gdelt2(path: Path, rows: int, seed_file: Path) -> Path:
    """Real GDELT 2.0 rows repeated with fresh GLOBALEVENTIDs (the first field)."""
    seed = seed_file.read_bytes().splitlines()
    with path.open("wb") as out:
        for i in range(rows):
            line = seed[i % len(seed)]
            out.write(b"%d" % (900_000_000 + i) + line[line.index(b"\t") :] + b"\n")
    return path


def _run_child(db: Path, f: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db), str(f)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_ingest_leaves_store_intact(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "events.duckdb"
    big = _big_gdelt2(tmp_path / "big.export.CSV", B_ROWS, shared_data / FILE_B_SEED)

    first = _run_child(db, shared_data / FILE_A)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    n_a = int(out.split()[1])
    assert n_a > 0
    with EventStore.open(db, read_only=True) as store:
        snapshot_a = store.con.execute(
            "SELECT count(*), sum(weight), min(event_id), max(event_id) FROM events"
        ).fetchall()

    second = _run_child(db, big)
    assert second.stderr is not None
    t0 = time.monotonic()
    line = second.stderr.readline()  # blocks until the child reports inserting
    assert line.strip() == "INSERTING", line + second.stderr.read()
    time.sleep(0.2)  # let it write a few more batches
    assert second.poll() is None, "B finished before it could be killed; make it bigger"
    os.kill(second.pid, signal.SIGKILL)
    out_b, _ = second.communicate(timeout=30)  # also closes the pipes
    assert second.returncode == -signal.SIGKILL and "DONE" not in out_b
    assert time.monotonic() - t0 < 120

    # the store opens (no corruption), holds exactly A and one ingests row
    with EventStore.open(db, timeout=5) as store:
        assert (
            store.con.execute(
                "SELECT count(*), sum(weight), min(event_id), max(event_id) FROM events"
            ).fetchall()
            == snapshot_a
        )
        assert store.con.execute("SELECT count(*) FROM events").fetchall() == [(n_a,)]
        (rec,) = store.ingests()
        assert rec.path == str(shared_data / FILE_A) and rec.rows_ingested == n_a
        assert store.con.execute("SELECT DISTINCT ingest_id FROM events").fetchall() == [
            (rec.ingest_id,)
        ]
        # and B now lands whole
        res = store.ingest(big, "gdelt2")
        assert not res.skipped_duplicate and res.rows_read == B_ROWS
        assert res.rows_ingested + res.rows_rejected == B_ROWS
        assert store.con.execute("SELECT count(*) FROM events").fetchall() == [
            (n_a + res.rows_ingested,)
        ]
        assert len(store.ingests()) == 2
    with EventStore.open(db, read_only=True) as store:  # and survives a reopen
        assert store.con.execute("SELECT count(DISTINCT ingest_id) FROM events").fetchall() == [
            (2,)
        ]
