"""What an ingest reports beyond its counts (issue 21 item 4, issue 18 item 1): a file none
of whose rows could be stored is an error that records nothing; a file that auto-detection
cannot place names the layouts it tried; and the rows of a file that an earlier file holds
are reported per file, with that file.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trilateral.cli import app
from trilateral.data.store import EventStore

GDELT2_A = Path("gdelt") / "gdelt2_raw_exports" / "20180326044500.export.CSV"
LAYOUTS = ("chronicle", "icews", "icews_tkg", "gdelt2", "gdelt1")


def _kg_with_time_steps(path: Path) -> Path:
    """A knowledge-graph file as some research code writes it: integer time steps where
    ICEWS-TKG has dates."""
    rows = [
        ("United States", "Make statement", "Russia", "0"),
        ("China", "Consult", "Russia", "24"),
        ("Russia", "Host a visit", "China", "48"),
    ]
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, " ".join(res.stderr.split())


def test_auto_detection_failure_lists_the_layouts_tried(tmp_path: Path) -> None:
    kg = _kg_with_time_steps(tmp_path / "kg.txt")
    code, _, err = _invoke("ingest", str(kg), "--db", str(tmp_path / "s.duckdb"))
    assert code == 1 and "Traceback" not in err
    assert f"tried {', '.join(LAYOUTS)}" in err
    assert "--format" in err and "integer time steps" in err


def test_a_file_with_every_row_rejected_is_an_error_and_not_recorded(tmp_path: Path) -> None:
    kg = _kg_with_time_steps(tmp_path / "kg.txt")
    db = tmp_path / "s.duckdb"
    code, _, err = _invoke(
        "ingest", str(kg), "--db", str(db), "--format", "icews_tkg", "--on-error", "skip"
    )
    assert code == 1 and "Traceback" not in err
    assert "none of its 3 rows could be stored (3 rejected)" in err
    # the first reasons, with their line numbers
    assert "line 1 (date)" in err and "line 2 (date)" in err and "line 3 (date)" in err
    with EventStore.open(db, read_only=True) as store:
        assert store.ingests() == ()
        assert store.events().count("*").fetchall() == [(0,)]
    assert not list(tmp_path.glob("*.rejects.csv"))  # nothing recorded anywhere


def test_rows_held_by_an_earlier_file_are_reported_with_that_file(
    tmp_path: Path, shared_data: Path
) -> None:
    full = shared_data / GDELT2_A
    # a later re-export holding 100 of the same events (same GLOBALEVENTID) and no others
    part = tmp_path / "reexport.CSV"
    part.write_bytes(b"".join(full.read_bytes().splitlines(keepends=True)[:100]))
    db = tmp_path / "s.duckdb"
    with EventStore.open(db) as store:
        first = store.ingest(full)
        assert (first.rows_duplicate, first.duplicates) == (0, ())
        again = store.ingest(part, "gdelt2")
    assert again.rows_ingested == 100 and again.rows_duplicate == 100
    (dup,) = again.duplicates
    assert (dup.duplicate_of, dup.duplicate_of_path, dup.rows) == (first.ingest_id, str(full), 100)
    assert "100 already in the store (20180326044500.export.CSV 100)" in again.summary()
    assert again.to_dict()["duplicates"][0]["rows"] == 100

    code, out, _ = _invoke("info", "--db", str(db), "--json")
    assert code == 0
    (row,) = json.loads(out)["duplicates"]
    assert (row["path"], row["duplicate_of_path"], row["rows"]) == (str(part), str(full), 100)
    code, out, _ = _invoke("info", "--db", str(db))
    assert code == 0 and "rows already in the store from an earlier file" in out


def test_cli_ingest_names_the_earlier_file(tmp_path: Path, shared_data: Path) -> None:
    full = shared_data / GDELT2_A
    part = tmp_path / "reexport.CSV"
    part.write_bytes(b"".join(full.read_bytes().splitlines(keepends=True)[:40]))
    db = str(tmp_path / "s.duckdb")
    assert _invoke("ingest", str(full), "--db", db)[0] == 0
    code, out, _ = _invoke("ingest", str(part), "--db", db, "--format", "gdelt2", "--json")
    assert code == 0
    (f,) = json.loads(out)["files"]
    assert f["rows_duplicate"] == 40 and f["duplicates"][0]["duplicate_of_path"] == str(full)
    code, out, _ = _invoke("ingest", str(part), str(full), "--db", str(tmp_path / "t.duckdb"))
    assert code == 0
    assert "20180326044500.export.CSV: 40 rows already in the store from reexport.CSV" in " ".join(
        out.split()
    )
