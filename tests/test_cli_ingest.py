"""``trilateral ingest`` and ``trilateral info`` through the real entry point."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data.store import EventStore

# below the shared data folder (the `shared_data` fixture)
GDELT2 = Path("gdelt") / "gdelt2_raw_exports"
FILE_A = GDELT2 / "20180326044500.export.CSV"  # 1,540 rows (SOURCES.md)
FILE_B = GDELT2 / "20191024143000.export.CSV"  # 2,111 rows (SOURCES.md)

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("command", ["ingest", "info"])
def test_help_shows_an_example(command: str) -> None:
    code, out, _ = _invoke(command, "--help")
    assert code == 0
    assert f"Example: trilateral {command}" in _one_line(out)
    assert "--db" in out and "--json" in out


def test_ingest_then_info(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "events.duckdb"
    code, out, err = _invoke(
        "ingest", str(shared_data / FILE_A), str(shared_data / FILE_B), "--db", str(db)
    )
    assert code == 0, err
    assert (
        (shared_data / FILE_A).name in out
        and (shared_data / FILE_B).name in out
        and "gdelt2" in out
    )
    assert "1,540" in out and "2,111" in out  # rows read per file (SOURCES.md)

    code, out, err = _invoke("info", "--db", str(db), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert [i["path"] for i in info["ingests"]] == [
        str(shared_data / FILE_A),
        str(shared_data / FILE_B),
    ]
    assert info["n_events"] == sum(i["rows_ingested"] for i in info["ingests"]) > 3000
    (ds,) = info["datasets"]
    assert ds["dataset"] == "gdelt2" and ds["first_date"] <= ds["last_date"]
    assert {(d["source"], d["target"]) for d in info["dyads"]} == {
        ("USA", "RUS"), ("USA", "CHN"), ("RUS", "USA"), ("RUS", "CHN"), ("CHN", "USA"),
        ("CHN", "RUS"),
    }  # fmt: skip
    with EventStore.open(db, read_only=True) as store:
        n_usa_rus = store.con.execute(
            "SELECT count(*) FROM events WHERE source = 'USA' AND target = 'RUS'"
        ).fetchall()[0][0]
    assert {(d["source"], d["target"]): d["n_events"] for d in info["dyads"]}[
        ("USA", "RUS")
    ] == n_usa_rus

    code, out, _ = _invoke("info", "--db", str(db), "--countries", "USA,RUS")
    assert code == 0 and "gdelt2" in out and "USA" in out and "CHN" not in out

    # the same file again changes nothing
    code, out, err = _invoke("ingest", str(shared_data / FILE_A), "--db", str(db), "--json")
    assert code == 0, err
    (res,) = json.loads(out)["files"]
    assert res["skipped_duplicate"] is True and res["rows_ingested"] == 0
    code, out, _ = _invoke("info", "--db", str(db), "--json")
    assert json.loads(out)["n_events"] == info["n_events"]


def test_missing_file_and_missing_store(tmp_path: Path) -> None:
    db = tmp_path / "events.duckdb"
    code, _, err = _invoke("ingest", str(tmp_path / "nope.CSV"), "--db", str(db))
    assert code == 1
    assert "nope.CSV: file not found" in _one_line(err) and "Traceback" not in err
    assert not db.exists()  # a typo does not create an empty store

    code, _, err = _invoke("info", "--db", str(db))
    assert code == 1
    assert f"no store at {db}; run `trilateral ingest FILE` first" in _one_line(err)


def test_bad_layout_stops_at_that_file(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "events.duckdb"
    junk = tmp_path / "notes.txt"
    junk.write_text("these are my notes\nnot an event file\n", encoding="utf-8")
    code, out, err = _invoke(
        "ingest", str(shared_data / FILE_A), str(junk), str(shared_data / FILE_B), "--db", str(db)
    )
    assert code == 1
    assert "unrecognised layout" in err and str(junk) in _one_line(err)
    assert (shared_data / FILE_A).name in out  # the summary of what did land
    with EventStore.open(db, read_only=True) as store:
        assert [r.path for r in store.ingests()] == [str(shared_data / FILE_A)]

    code, _, err = _invoke(
        "ingest", str(shared_data / FILE_B), "--db", str(db), "--format", "nonsense"
    )
    assert code == 2 and "nonsense" in err  # typer's own usage error


def test_bad_row_fail_then_skip(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "events.duckdb"
    broken = tmp_path / "broken.export.CSV"
    lines = (shared_data / FILE_A).read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[9].split("\t")
    fields[26] = "999"  # EventCode: not a CAMEO code
    lines[9] = "\t".join(fields)
    broken.write_text("".join(lines), encoding="utf-8")

    code, _, err = _invoke("ingest", str(broken), "--db", str(db))
    assert code == 1
    assert f"{broken}, line 10" in _one_line(err) and "--on-error skip" in _one_line(err)
    with EventStore.open(db, read_only=True) as store:
        assert store.ingests() == ()
        assert store.events().count("*").fetchall() == [(0,)]

    code, out, err = _invoke("ingest", str(broken), "--db", str(db), "--on-error", "skip")
    assert code == 0, err
    rejects = tmp_path / "events.broken.export.CSV.rejects.csv"
    assert str(rejects) in _one_line(out)
    with rejects.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["line"] for r in rows] == ["10"] and rows[0]["value"] == "999"


def test_same_file_with_another_arena_map_exits_1(tmp_path: Path, shared_data: Path) -> None:
    """Re-ingesting a file with another arena map is not "skipped as a duplicate" (its
    events would keep the old arenas): the message says what to do, exit 1."""
    db = tmp_path / "events.duckdb"
    amap = tmp_path / "military.csv"
    amap.write_text(
        "cameo_prefix,arena\n" + "".join(f"{i:02d},military\n" for i in range(1, 21)),
        encoding="utf-8",
    )
    code, _, err = _invoke("ingest", str(shared_data / FILE_A), "--db", str(db))
    assert code == 0, err
    with EventStore.open(db, read_only=True) as store:
        before = store.con.execute("SELECT arena, count(*) FROM events GROUP BY ALL").fetchall()
    code, _, err = _invoke(
        "ingest", str(shared_data / FILE_A), "--db", str(db), "--arena-map", str(amap)
    )
    assert code == 1 and "Traceback" not in err
    msg = _one_line(err)
    assert "already in the store" in msg and str(amap) in msg
    assert "ingest it into a new store" in msg
    assert "Goldstein" not in msg  # the table did not change; the map did
    with EventStore.open(db, read_only=True) as store:
        after = store.con.execute("SELECT arena, count(*) FROM events GROUP BY ALL").fetchall()
    assert sorted(after) == sorted(before)
    code, _, err = _invoke(
        "ingest", str(shared_data / FILE_A), "--db", str(db), "--goldstein", "icews"
    )
    assert code == 1 and "Goldstein table 'icews'" in _one_line(err)
    # the same codebook as before: still a duplicate, exit 0
    code, _, err = _invoke(
        "ingest", str(shared_data / FILE_A), "--db", str(db), "--goldstein", "gdelt"
    )
    assert code == 0, err
    # a new store takes the file with the new map
    new = tmp_path / "recoded.duckdb"
    code, _, err = _invoke(
        "ingest", str(shared_data / FILE_A), "--db", str(new), "--arena-map", str(amap)
    )
    assert code == 0, err
    with EventStore.open(new, read_only=True) as store:
        assert store.con.execute("SELECT DISTINCT arena FROM events").fetchall() == [("military",)]


def test_locked_store(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "events.duckdb"
    holder = subprocess.Popen(  # another process writing the store until stdin closes
        [
            sys.executable,
            "-c",
            "import sys\nfrom trilateral.data.store import EventStore\n"
            f"s = EventStore.open({str(db)!r})\nprint('held', flush=True)\nsys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, _, err = _invoke(
            "ingest", str(shared_data / FILE_A), "--db", str(db), "--wait", "0.2"
        )
        assert code == 1
        assert f"the store {db} is being written by another process" in _one_line(err)
        assert "wait for it to finish or use another --db" in _one_line(err)
        code, _, err = _invoke("info", "--db", str(db), "--wait", "0.2")
        assert code == 1 and "being written by another process" in err
    finally:
        holder.communicate("", timeout=60)
    code, out, err = _invoke("info", "--db", str(db), "--json")
    assert code == 0, err
    assert json.loads(out)["n_events"] == 0


def test_subprocess_entry_point(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "events.duckdb"
    env = {**os.environ, "TRILATERAL_DB": str(db)}
    exe = Path(sys.executable).with_name("trilateral")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "trilateral.cli"]
    done = subprocess.run(
        [*cmd, "ingest", str(shared_data / FILE_B), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (res,) = json.loads(done.stdout)["files"]
    assert res["rows_read"] == 2111 and res["format"] == "gdelt2"  # SOURCES.md
    done = subprocess.run(
        [*cmd, "info", "--json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n_events"] == res["rows_ingested"]
    done = subprocess.run(
        [*cmd, "info", "--db", str(tmp_path / "none.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "no store at" in done.stderr
    assert "Traceback" not in done.stderr
