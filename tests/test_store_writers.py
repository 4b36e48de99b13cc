"""Writers (issue 21 item 7): a writer waiting for the store says so and for whom; a full
disk says to free space and where; a failed ingest says whether the store file grew.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data import _store_write
from trilateral.data.store import EventStore
from trilateral.errors import StoreError, StoreLockedError

GDELT2_A = Path("gdelt") / "gdelt2_raw_exports" / "20180326044500.export.CSV"
GEORGIA = Path("gdelt") / "gdelt1_georgia_2011_2012"

# a writer that holds the store until told to stop (a file appears), named in its argv
_HOLDER = """
import sys, time
from pathlib import Path
from trilateral.data.store import EventStore
db, stop = Path(sys.argv[1]), Path(sys.argv[2])
with EventStore.open(db):
    print("holding", flush=True)
    while not stop.exists():
        time.sleep(0.02)
"""


@pytest.fixture
def holder(tmp_path: Path) -> object:
    db = tmp_path / "s.duckdb"
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db), str(stop), "--marker-for-the-test"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    yield db, stop, proc
    stop.touch()
    proc.communicate(timeout=30)  # (closes its pipe too)


def test_a_waiting_writer_says_for_whom_and_gets_the_store(holder: object) -> None:
    db, stop, proc = holder  # type: ignore[misc]
    said: list[str] = []

    def on_wait(message: str) -> None:
        said.append(message)
        stop.touch()  # the holder finishes once we have been told

    with EventStore.open(db, timeout=30, on_wait=on_wait) as store:
        assert not store.read_only
    (message,) = said
    assert f"waiting for the store {db}" in message
    assert f"process {proc.pid} (-c {db} {stop} --marker-for-the-test)" in message


def test_a_writer_that_gives_up_names_the_holder(holder: object) -> None:
    db, _, proc = holder  # type: ignore[misc]
    said: list[str] = []
    with pytest.raises(StoreLockedError, match=f"process {proc.pid}") as err:
        EventStore.open(db, timeout=0.6, on_wait=said.append)
    assert "being written by another process" in str(err.value)
    assert len(said) == 1 and f"process {proc.pid}" in said[0]


def test_cli_ingest_says_it_is_waiting(holder: object, shared_data: Path) -> None:
    db, _, proc = holder  # type: ignore[misc]
    res = CliRunner().invoke(
        app, ["ingest", str(shared_data / GDELT2_A), "--db", str(db), "--wait", "0.6"]
    )
    err = " ".join(res.stderr.split())
    assert res.exit_code != 0 and "Traceback" not in err
    assert f"waiting for the store {db}: process {proc.pid}" in err


def test_the_holder_note_goes_with_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with EventStore.open(db):
        assert (tmp_path / "s.duckdb.lock.holder").is_file()
    assert not (tmp_path / "s.duckdb.lock.holder").exists()


def test_a_full_disk_says_to_free_space_and_where(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.duckdb"
    f = shared_data / GEORGIA / "feb2012.csv"

    def append(self: _store_write.FileTransaction, *args: object) -> None:
        raise duckdb.IOException(f'Could not write file "{db}": No space left on device')

    monkeypatch.setattr(_store_write.FileTransaction, "append", append)
    with EventStore.open(db) as store:
        with pytest.raises(StoreError) as err:
            store.ingest(f, "gdelt1")
        assert store.ingests() == ()
    text = str(err.value)
    assert "the disk is full" in text and f"filesystem of {tmp_path.resolve()}" in text
    assert " MB free" in text and "report this" not in text + (err.value.hint or "")
    assert "free space on the filesystem" in (err.value.hint or "")


def test_a_failed_ingest_says_the_store_file_grew(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB writes whole row groups of a large file into the store file before the
    commit; after the rollback they are free space inside the file, and the error says
    by how much the file grew."""
    big = tmp_path / "big.csv"  # 264,627 rows: 18 monthly files, three times over
    months = b"".join(p.read_bytes() for p in sorted((shared_data / GEORGIA).glob("*.csv")))
    big.write_bytes(months * 3)
    db = tmp_path / "s.duckdb"
    real = _store_write.FileTransaction.append
    calls = 0

    def append(self: _store_write.FileTransaction, *args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:  # after 16,384 + 32,768 + 65,536 + 131,072 rows
            raise duckdb.IOException("Could not write file: No space left on device")
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_store_write.FileTransaction, "append", append)
    with EventStore.open(db) as store:
        before = _store_write.store_bytes(db)
        with pytest.raises(StoreError, match="MB larger than before") as err:
            store.ingest(big, "gdelt1", on_error="skip")
        grown = _store_write.store_bytes(db) - before
    assert grown > 0
    assert f"{grown / 1e6:,.1f} MB larger than before" in str(err.value)
