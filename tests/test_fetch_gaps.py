"""A fetched base's coverage says when its window has gaps (issue 20, item 2: "Indices and
claims over a window with gaps say so, as part of each base's coverage").

The store is built by ``fetch_gdelt2`` against the local mirror (tests/gdelt_mirror.py):
four slots of 2018-03-26 listed (04:45, 05:00, 05:15, 05:30; real GDELT rows), the 05:15
file answering 404. The ledger then spans 00:00–05:30 (the window stops at the newest
listed slot): 23 slots, 19 absent from the list (00:00–04:30), 1 failed, 3 fetched. The
expected figures are that arithmetic, checked against a DuckDB query of the ledger.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gdelt_mirror import Mirror, Server, chunks, zipped
from trilateral.cli import app
from trilateral.data import RetryPolicy, fetch_gdelt2
from trilateral.measure import EvidenceBase, evidence_bases, index_of_base

FILE_A = Path("gdelt") / "gdelt2_raw_exports" / "20180326044500.export.CSV"
SLOTS = ("0445", "0500", "0515", "0530")
FAST = RetryPolicy(attempts=2, backoff=0.01, connect_timeout=2.0, read_timeout=2.0)
DAY = "2018-03-26"


@pytest.fixture(scope="module")
def gap_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("gaps") / "t.duckdb"
    parts = chunks(shared_data / FILE_A, len(SLOTS))
    with Server(Mirror()) as m:
        lines = []
        for hhmm, data in zip(SLOTS, parts, strict=True):
            path = f"/gdeltv2/20180326{hhmm}00.export.CSV.zip"
            m.put(path, zipped(f"20180326{hhmm}00.export.CSV", data))
            lines.append(m.list_line(path))
        m.faults["/gdeltv2/20180326051500.export.CSV.zip"] = "404"
        m.put("/gdeltv2/masterfilelist.txt", ("\n".join(lines) + "\n").encode())
        m.put("/gdeltv2/lastupdate.txt", (lines[-1] + "\n").encode())
        report = fetch_gdelt2(DAY, DAY, countries=("USA", "RUS", "CHN"), db=db, mirror=m.url,
                              jobs=2, policy=FAST)  # fmt: skip
    assert [f.reason for f in report.coverage.failed] == ["HTTP 404"]
    return db


def _ledger_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT status, count(*) FROM fetch_ledger WHERE source = 'gdelt2' "
            "AND kind = 'export' GROUP BY status"
        ).fetchall()
    finally:
        con.close()
    return {s: int(n) for s, n in rows}


EXPECTED_GAPS = [
    ("absent", "20180326000000", "20180326043000", 19, None),
    ("failed", "20180326051500", "20180326051500", 1, "HTTP 404"),
]


def test_a_fetched_base_carries_its_failed_and_absent_slots(gap_store: Path) -> None:
    counts = _ledger_counts(gap_store)
    assert counts == {"absent": 19, "failed": 1, "fetched": 3}  # the construction, by SQL
    (base,) = [b for b in evidence_bases(gap_store) if b.name == "gdelt2"]
    g = base.gaps(date(2018, 3, 26), date(2018, 3, 26))
    assert g is not None
    assert (g.expected, g.fetched) == (sum(counts.values()), counts["fetched"])
    assert g.share_fetched == round(3 / 23, 3)
    assert [(x.status, x.first, x.last, x.n_slots, x.reason) for x in g.gaps] == EXPECTED_GAPS
    assert "with gaps: gdelt2 slots 2018-03-26 00:00–2018-03-26 05:30: 3 of 23 fetched" in (
        base.coverage_text()
    )
    assert "failed 2018-03-26 05:15 (1 slot: HTTP 404)" in base.coverage_text()


def test_a_slot_missing_from_the_ledger_inside_its_span_is_untried(gap_store: Path) -> None:
    (base,) = [b for b in evidence_bases(gap_store) if b.name == "gdelt2"]
    ledger = tuple(s for s in base.ledger if not s[0].startswith("2018032605000"))
    assert len(ledger) == len(base.ledger) - 1
    g = EvidenceBase(base.name, base.datasets, base.n_events, base.spans, 0, ledger).gaps()
    assert g is not None and g.expected == 23 and g.fetched == 2
    assert ("untried", "20180326050000", "20180326050000", 1, None) in [
        (x.status, x.first, x.last, x.n_slots, x.reason) for x in g.gaps
    ]


def test_a_base_without_a_fetch_ledger_is_unchanged() -> None:
    b = EvidenceBase("icews", ("icews_tkg",), 10, ((date(2018, 1, 1), date(2018, 8, 28)),))
    assert b.gaps() is None
    assert b.coverage_text() == "2018-01-01–2018-08-28"
    assert b.coverage_text(date(2018, 1, 1), date(2018, 12, 31)) == "2018-01-01–2018-08-28"


def test_index_provenance_and_measure_json_say_the_window_has_gaps(
    gap_store: Path, tmp_path: Path
) -> None:
    idx = index_of_base(gap_store, "gdelt2", countries=("USA", "RUS"), period="day", n_boot=0)
    gaps = idx.provenance["gaps"]
    assert gaps["has_gaps"] and gaps["expected"] == 23 and gaps["fetched"] == 3
    assert "with gaps" in idx.provenance["coverage"]
    res = CliRunner().invoke(
        app,
        [
            "measure",
            "--db",
            str(gap_store),
            "--countries",
            "USA,RUS",
            "--period",
            "day",
            "--base",
            "gdelt2",
            "--out",
            str(tmp_path / "m"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["provenance"]["gaps"]["gdelt2"]["gaps"][1]["reason"] == "HTTP 404"
    assert len(out["gaps"]) == 1 and out["gaps"][0].startswith("gdelt2: the window has gaps:")


def test_claims_json_and_notes_say_the_window_has_gaps(gap_store: Path) -> None:
    res = CliRunner().invoke(
        app,
        ["claims", "--db", str(gap_store), "--id", "expulsions-60-for-60", "--json"],
    )
    assert res.exit_code == 0, res.output
    (claim,) = json.loads(res.stdout)["claims"]
    per = claim["by_base"]["gdelt2"]
    assert per["gaps"]["has_gaps"] and per["gaps"]["share_fetched"] == round(3 / 23, 3)
    assert [(g["status"], g["n_slots"]) for g in per["gaps"]["gaps"]] == [
        ("absent", 19),
        ("failed", 1),
    ]
    assert "with gaps" in per["coverage"]
    assert "gdelt2: " in claim["note"] and "the window has gaps" in claim["note"]
