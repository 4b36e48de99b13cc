"""The chronicle CSV reader: header, codebook agreement, extras, errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from trilateral.data.codebook import Codebook
from trilateral.data.readers._chronicle import (
    CHRONICLE_COLUMNS,
    ChronicleReader,
    shipped_chronicle_path,
)
from trilateral.data.schema import EVENT_SCHEMA, EXTRAS_SCHEMA
from trilateral.errors import ReaderError

HEADER = ",".join(CHRONICLE_COLUMNS)

# Codebook values used below (src/trilateral/data/_files):
#   163 economic, quad 4, GDELT -8.0; 042 diplomatic, quad 1, 1.9;
#   164 diplomatic, quad 4, GDELT -7.0 / ICEWS -6.5
GOOD = [
    "c1,2018-03-26,USA,RUS,United States,Russia,166,4,-7.0,diplomatic,1,chronicle,USA,"
    '"NYT, 26 March 2018",60,"US expels 60 Russian diplomats, closes Seattle consulate"',
    "c2,2018-03-29,RUS,USA,Russia,United States,166,4,-7.0,diplomatic,1,chronicle,RUS,"
    "Reuters 2018-03-29,60,Russia expels 60 US diplomats",
    "c3,2018-07-06,USA,CHN,United States,China,163,,,,,,,USTR,818,"
    '"Section 301 tariffs: 25% on $34bn\nof Chinese goods"',
    "c4,2019-06-05,CHN,RUS,China,Russia,042,1,1.9,diplomatic,2,chronicle,RUS,Xinhua,,",
]


def write(tmp_path: Path, rows: list[str], name: str = "chron.csv", header: str = HEADER) -> Path:
    p = tmp_path / name
    p.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_reads_good_rows_with_extras(tmp_path: Path) -> None:
    r = ChronicleReader(write(tmp_path, GOOD))
    batches = list(r)
    assert len(batches) == 1
    b = batches[0]
    assert b.events.schema == EVENT_SCHEMA and b.rejects == ()
    assert b.extras is not None and b.extras.schema == EXTRAS_SCHEMA
    rows = b.events.to_pylist()
    assert [x["event_id"] for x in rows] == ["c1", "c2", "c3", "c4"]
    assert rows[0]["url_or_citation"] == "NYT, 26 March 2018"  # quoted comma kept
    # c3 left quad/goldstein/arena/weight/dataset/location empty: filled from the codebook
    assert (rows[2]["quad_class"], rows[2]["goldstein"], rows[2]["arena"]) == (4, -8.0, "economic")
    assert rows[2]["weight"] == 1 and rows[2]["dataset"] == "chronicle"
    assert rows[2]["location"] is None
    assert rows[3]["cameo"] == "042" and rows[3]["weight"] == 2
    extras = b.extras.to_pylist()
    assert extras[0] == {
        "event_id": "c1",
        "magnitude": 60.0,
        "description": "US expels 60 Russian diplomats, closes Seattle consulate",
    }
    assert extras[2]["description"] == "Section 301 tariffs: 25% on $34bn\nof Chinese goods"
    assert extras[3]["magnitude"] is None and extras[3]["description"] is None
    assert r.rows_read == 4


BAD = [
    # (row, line, field, reason fragment)
    ("b1,2018-02-30,USA,RUS,,,166,4,-7.0,diplomatic,1,chronicle,,,,", "date", "not a valid date"),
    ("b2,26/03/2018,USA,RUS,,,166,4,-7.0,diplomatic,1,chronicle,,,,", "date", "not a valid date"),
    ("b3,2018-03-26,usa,RUS,,,166,4,-7.0,diplomatic,1,chronicle,,,,", "source", "ISO3"),
    ("b4,2018-03-26,USA,RUS,,,66,4,-7.0,diplomatic,1,chronicle,,,,", "cameo", "unknown CAMEO"),
    (
        "b5,2018-03-26,USA,RUS,,,166,3,-7.0,diplomatic,1,chronicle,,,,",
        "quad_class",
        "disagrees with the codebook's 4",
    ),
    (
        "b6,2018-03-26,USA,RUS,,,166,4,-2.0,diplomatic,1,chronicle,,,,",
        "goldstein",
        "disagrees with the codebook's -7",
    ),
    (
        "b7,2018-03-26,USA,CHN,,,163,4,-8.0,military,1,chronicle,,,,",
        "arena",
        "arena 'military' disagrees with the codebook's 'economic'",
    ),
    ("b8,2018-03-26,USA,RUS,,,166,4,-7.0,diplomatic,0,chronicle,,,,", "weight", ">= 1"),
    ("b9,2018-03-26,USA,RUS,,,166,4,-7.0,diplomatic,1,gdelt2,,,,", "dataset", "chronicle"),
    ("b10,2018-03-26,USA,RUS,,,166,4,-7.0,diplomatic,1,chronicle,,,-5,", "magnitude", ">= 0"),
    ("b11,2018-03-26,USA,RUS,,,166,4,-7.0,diplomatic,1,chronicle,,,sixty,", "magnitude", "number"),
    (",2018-03-26,USA,RUS,,,166,4,-7.0,diplomatic,1,chronicle,,,,", "event_id", "missing"),
    ("b13,2018-03-26,USA,RUS,,,166,4,-7.0,diplomatic,1,chronicle", None, "expected 16"),
]


@pytest.mark.parametrize(("row", "field", "reason"), BAD)
def test_bad_row_fail_and_skip(tmp_path: Path, row: str, field: str | None, reason: str) -> None:
    p = write(tmp_path, [GOOD[0], row, GOOD[1]])
    with pytest.raises(ReaderError) as ei:
        ChronicleReader(p).read_all()
    assert (ei.value.line, ei.value.field) == (3, field)
    assert reason in ei.value.reason
    r = ChronicleReader(p, on_error="skip")
    batches = list(r)
    events = pa.Table.from_batches([b.events for b in batches])
    extras = pa.Table.from_batches([b.extras for b in batches if b.extras is not None])
    rejects = [x for b in batches for x in b.rejects]
    assert events["event_id"].to_pylist() == ["c1", "c2"]
    assert extras["event_id"].to_pylist() == ["c1", "c2"]  # extras follow the kept rows
    assert [(x.line, x.field) for x in rejects] == [(3, field)]
    assert r.rows_read == 3 and r.rows_rejected == 1


def test_line_numbers_after_multiline_field(tmp_path: Path) -> None:
    # GOOD[2] spans lines 4-5, so the bad row is on line 6
    bad = "b,2018-03-26,USA,RUS,,,166,4,-7.0,military,1,chronicle,,,,"
    p = write(tmp_path, [GOOD[0], GOOD[1], GOOD[2], bad])
    with pytest.raises(ReaderError) as ei:
        ChronicleReader(p).read_all()
    assert (ei.value.line, ei.value.field) == (6, "arena")


def test_goldstein_either_table(tmp_path: Path) -> None:
    """The four codes the tables disagree on: either table's score is accepted; the
    codebook's table decides what is stored."""
    rows = [
        "g1,2018-01-01,USA,RUS,,,164,4,-7.0,,1,chronicle,,,,",  # GDELT's 164
        "g2,2018-01-01,USA,RUS,,,164,4,-6.5,,1,chronicle,,,,",  # ICEWS's 164
        "g3,2018-01-01,USA,RUS,,,016,1,-2.0,,1,chronicle,,,,",  # GDELT's 016
        "g4,2018-01-01,USA,RUS,,,022,1,3.4,,1,chronicle,,,,",  # ICEWS's 022
    ]
    p = write(tmp_path, rows)
    gd, rej = ChronicleReader(p).read_all()
    assert rej == [] and gd["goldstein"].to_pylist() == [-7.0, -7.0, -2.0, 3.2]
    ic, rej = ChronicleReader(p, codebook=Codebook.load("icews")).read_all()
    assert rej == [] and ic["goldstein"].to_pylist() == [-6.5, -6.5, -5.0, 3.4]
    # 1213 exists only in the ICEWS table
    p2 = write(tmp_path, ["j,2018-01-01,USA,RUS,,,1213,3,-4.0,,1,chronicle,,,,"], "j.csv")
    assert ChronicleReader(p2, codebook=Codebook.load("icews")).read_all()[0].num_rows == 1
    with pytest.raises(ReaderError, match="unknown CAMEO"):
        ChronicleReader(p2).read_all()


def test_custom_arena_map_decides(tmp_path: Path) -> None:
    amap = tmp_path / "arenas.csv"
    amap.write_text(
        "cameo_prefix,arena\n" + "".join(f"{i:02d},military\n" for i in range(1, 21)),
        encoding="utf-8",
    )
    cb = Codebook.load(arena_map=amap)
    p = write(tmp_path, GOOD)
    table, rejects = ChronicleReader(p, codebook=cb).read_all()
    assert rejects == [] and set(table["arena"].to_pylist()) == {"military"}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (b"", None, "empty"),
        (b"event_id,date\n", 1, "header must be exactly"),
        ((",".join(reversed(CHRONICLE_COLUMNS)) + "\n").encode(), 1, "another order"),
        ((HEADER + "\n" + GOOD[3] + "\n" + 'x,"2018-01-01\n').encode(), 3, "malformed CSV"),
        (
            (HEADER + "\n" + GOOD[3] + "\nd,2018-01-01,USA,RUS,Ren\xe9").encode("latin-1"),
            3,
            "UTF-8",
        ),
    ],
)
def test_whole_file_problems(tmp_path: Path, text: bytes, line: int | None, fragment: str) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(text)
    with pytest.raises(ReaderError) as ei:
        ChronicleReader(p, on_error="skip").read_all()
    assert ei.value.line == line and fragment in ei.value.reason


def test_truncated_last_line(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(HEADER + "\n" + GOOD[3] + "\n" + GOOD[0][:40], encoding="utf-8")
    with pytest.raises(ReaderError, match="truncated") as ei:
        ChronicleReader(p).read_all()
    assert ei.value.line == 3


def test_sniff() -> None:
    assert ChronicleReader.sniff((HEADER + "\r\n" + GOOD[0]).encode())
    assert ChronicleReader.sniff(b"\xef\xbb\xbf" + HEADER.encode())
    assert not ChronicleReader.sniff(b"event_id,date,source\n")
    assert not ChronicleReader.sniff(b"")


def test_shipped_chronicle() -> None:
    path = shipped_chronicle_path()
    assert path.name == "chronicle.csv"
    r = ChronicleReader(path)
    table, rejects = r.read_all()
    assert table.num_rows > 0
    assert rejects == []
    assert set(table["dataset"].to_pylist()) == {"chronicle"}
    assert len(set(table["event_id"].to_pylist())) == table.num_rows
