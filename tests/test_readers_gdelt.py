"""GDELT 1.0 / 2.0 readers on the real shared files (counts verified by hand, see comments)."""

from __future__ import annotations

import datetime as dt
import gzip
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from trilateral.data.readers import detect_format, read
from trilateral.data.readers._gdelt import (
    GDELT1_COLUMNS,
    GDELT2_COLUMNS,
    GDELT1Reader,
    GDELT2Reader,
    fips_to_iso3,
)
from trilateral.data.schema import EVENT_SCHEMA
from trilateral.errors import ReaderError

# paths below the shared data folder (the `shared_data` fixture)
GD = Path("gdelt")
SAMPLE16 = GD / "gdelt1_sample_2016" / "events_20160728_sample.tsv"
GEORGIA = GD / "gdelt1_georgia_2011_2012"
RAW2 = GD / "gdelt2_raw_exports"
EXPORT_2018 = RAW2 / "20180326044500.export.CSV"
EXPORT_2019 = RAW2 / "20191024143000.export.CSV"
SAMPLE17 = GD / "gdelt2_sample_2017" / "events2samps.csv"

TRIAD = {"USA", "RUS", "CHN"}


def _dyads(table: pa.Table) -> Counter[tuple[str, str]]:
    src, tgt = table.column("source").to_pylist(), table.column("target").to_pylist()
    return Counter((s, t) for s, t in zip(src, tgt, strict=True) if s in TRIAD and t in TRIAD)


def _read(path: Path, fmt: str = "auto", **kw: object) -> tuple[pa.Table, list]:
    table, rejects = read(path, fmt, **kw).read_all()  # type: ignore[arg-type]
    assert table.schema.equals(EVENT_SCHEMA)
    return table, rejects


# -- layouts -----------------------------------------------------------------------------


def test_column_layouts(shared_data: Path) -> None:
    # events_column_names.csv (GDELT 1.0, tab-separated names) has 58 names
    names = (
        (shared_data / SAMPLE16)
        .with_name("events_column_names.csv")
        .read_text()
        .strip()
        .split("\t")
    )
    assert [n.lower() for n in GDELT1_COLUMNS] == ["sqldate" if n == "day" else n for n in names]
    # the 2.0 sample's header minus its extra CAMEOCodeDescription column
    with (shared_data / SAMPLE17).open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    header.remove("CAMEOCodeDescription")
    assert list(GDELT2_COLUMNS) == header
    assert len(GDELT1_COLUMNS) == 58 and len(GDELT2_COLUMNS) == 61


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (SAMPLE16, "gdelt1"),
        (GEORGIA / "june2011.csv", "gdelt1"),
        (GEORGIA / "nov2012.csv", "gdelt1"),
        (EXPORT_2018, "gdelt2"),
        (EXPORT_2019, "gdelt2"),
        (SAMPLE17, "gdelt2"),
    ],
)
def test_detect_format_real_files(path: Path, fmt: str, shared_data: Path) -> None:
    path = shared_data / path
    assert detect_format(path) == fmt


@pytest.mark.parametrize(
    "path",
    [
        Path("icews") / "icews_raw_sample_2018" / "events.2018.sample.tab",
        Path("icews") / "icews18_tkg_valid" / "valid.txt",
        Path("icews") / "icews_raw_sample_2018" / "icews_sample_20180601_03.csv",
    ],
)
def test_sniff_leaves_other_layouts_alone(path: Path, shared_data: Path) -> None:
    head = (shared_data / path).read_bytes()[:65_536]
    assert not GDELT1Reader.sniff(head)
    assert not GDELT2Reader.sniff(head)


def test_sniff_chronicle_header() -> None:
    head = b"event_id,date,source,target,source_actor\nchr:1,2014-03-01,USA,RUS,x\n"
    assert not GDELT1Reader.sniff(head) and not GDELT2Reader.sniff(head)


# -- GDELT 1.0 ---------------------------------------------------------------------------


def test_sample_2016_mixed_57_58(shared_data: Path) -> None:
    table, rejects = _read(shared_data / SAMPLE16)
    assert rejects == []
    # awk -F'\t' '{print NF}' events_20160728_sample.tsv | sort | uniq -c  ->  201 57, 509 58
    assert table.num_rows == 710
    urls = table.column("url_or_citation")
    assert urls.null_count == 201  # the 57-column rows have no SOURCEURL
    assert set(table.column("dataset").to_pylist()) == {"gdelt1"}
    rows = {r["event_id"]: r for r in table.to_pylist()}
    # awk -F'\t' 'NR==1{print $1,$2,$7,$8,$17,$18,$27,$30,$31,$32,$52,$58}'
    r = rows["gdelt1:564111644"]
    assert r["date"] == dt.date(2006, 7, 31)
    assert (r["source"], r["source_actor"], r["target"], r["target_actor"]) == (
        "USA", "UNITED STATES", None, None,
    )  # fmt: skip
    assert (r["cameo"], r["quad_class"], r["goldstein"], r["weight"]) == ("010", 1, 0.0, 2)
    assert r["location"] == "USA"  # FIPS US
    assert r["url_or_citation"] == (
        "http://wtop.com/lifestyle/2016/07/deepest-darkest-secrets-now-display-national-postal-museum/"
    )
    # awk -F'\t' 'NR==510{print NF,$1,$2,$7,$8,$17,$18,$27,$30,$31,$32,$52}'
    #   -> 57 1552829 19820102 BUSINESS (empty) BUSINESS (empty) 030 1 4 5 GH
    r = rows["gdelt1:1552829"]
    assert r["date"] == dt.date(1982, 1, 2)
    assert (r["source"], r["source_actor"], r["target_actor"]) == (None, "BUSINESS", "BUSINESS")
    assert (r["cameo"], r["goldstein"], r["weight"], r["location"]) == ("030", 4.0, 5, "GHA")
    assert r["url_or_citation"] is None
    # awk -F'\t' '{print $8"-"$18}' | sort | uniq -c: USA-RUS 3, USA-CHN 2, CHN-USA 1, RUS-CHN 1
    d = _dyads(table)
    assert (d["USA", "RUS"], d["USA", "CHN"], d["CHN", "USA"], d["RUS", "CHN"]) == (3, 2, 1, 1)


# python csv.reader over each file, len(rows) - 1 (the header); wc -l gives the same + 1
GEORGIA_ROWS = {
    "apr2012.csv": 5865, "aug2011.csv": 5894, "aug2012.csv": 1255, "dec2011.csv": 3029,
    "feb2012.csv": 8484, "jan2012.csv": 4324, "july2011.csv": 6303, "july2012.csv": 1509,
    "june2011.csv": 5274, "june2012.csv": 6237, "mar2012.csv": 8441, "may2012.csv": 6601,
    "nov2011.csv": 5316, "nov2012.csv": 5230, "oct2011.csv": 4050, "oct2012.csv": 2300,
    "sept2011.csv": 5856, "sept2012.csv": 2223,
}  # fmt: skip


def test_georgia_monthly_files(shared_data: Path) -> None:
    dyads: Counter[tuple[str, str]] = Counter()
    total = 0
    for name, n in GEORGIA_ROWS.items():
        table, rejects = _read(shared_data / GEORGIA / name)
        assert rejects == [], name
        assert table.num_rows == n, name
        total += table.num_rows
        # every event of these extracts is located in Georgia (FIPS GG)
        assert pc.unique(table.column("location")).to_pylist() == ["GEO"], name
        assert table.column("url_or_citation").null_count == n  # SOURCEURL is "" throughout
        dyads += _dyads(table)
    # SOURCES.md's 799 USA–RUS, 84 USA–CHN, 50 CHN–RUS count both directions:
    # csv.DictReader, Counter((Actor1CountryCode, Actor2CountryCode)):
    # USA→RUS 413, RUS→USA 386, USA→CHN 43, CHN→USA 41, CHN→RUS 28, RUS→CHN 22
    assert (dyads["USA", "RUS"], dyads["RUS", "USA"]) == (413, 386)
    assert (dyads["USA", "CHN"], dyads["CHN", "USA"]) == (43, 41)
    assert (dyads["CHN", "RUS"], dyads["RUS", "CHN"]) == (28, 22)
    assert dyads["USA", "RUS"] + dyads["RUS", "USA"] == 799
    assert total == 88_191  # SOURCES.md: rows of the 17 monthly files read


def test_georgia_values_and_extra_column(shared_data: Path) -> None:
    # june2011.csv has a 59th column "month" (= "06"); line 2:
    # 125489286,20110601,...,NA x10,"BUS","BUSINESS",...,1,"042","042","04",1,1.9,9,1,9,...
    table, _ = _read(shared_data / GEORGIA / "june2011.csv")
    r = table.slice(0, 1).to_pylist()[0]
    assert r["event_id"] == "gdelt1:125489286"
    assert r["date"] == dt.date(2011, 6, 1)
    assert (r["source"], r["source_actor"], r["target"], r["target_actor"]) == (
        None, None, None, "BUSINESS",
    )  # fmt: skip
    assert (r["cameo"], r["quad_class"], r["goldstein"], r["weight"]) == ("042", 1, 1.9, 9)
    assert (r["arena"], r["location"]) == ("diplomatic", "GEO")


def test_lost_leading_zero_is_restored(tmp_path: Path, shared_data: Path) -> None:
    # a spreadsheet round trip turns "036" into 36 and "0211" into 211
    text = (shared_data / GEORGIA / "july2011.csv").read_text(encoding="utf-8").splitlines()
    rows = [text[0]]
    for line in text[1:50]:
        rows.append(line.replace(',"036",', ",36,").replace(',"0211",', ",211,"))
    p = tmp_path / "excel.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table, rejects = _read(p)
    original, _ = _read(shared_data / GEORGIA / "july2011.csv")
    assert rejects == []
    assert table.column("cameo").to_pylist() == original.column("cameo").to_pylist()[:49]
    assert "036" in table.column("cameo").to_pylist()


# -- GDELT 2.0 ---------------------------------------------------------------------------


def test_raw_export_2018(shared_data: Path) -> None:
    table, rejects = _read(shared_data / EXPORT_2018)
    assert rejects == []
    assert table.num_rows == 1540  # wc -l; awk -F'\t' '{print NF}' -> all 61
    # awk -F'\t' '{print $8"-"$18}' | sort | uniq -c
    d = _dyads(table)
    assert (d["USA", "RUS"], d["RUS", "USA"], d["USA", "CHN"], d["CHN", "USA"]) == (10, 2, 1, 4)
    assert d["CHN", "RUS"] + d["RUS", "CHN"] == 0
    # awk -F'\t' '$54=="RS"' | wc -l -> 50 events located in Russia
    assert pc.sum(pc.equal(table.column("location"), "RUS")).as_py() == 50
    # line 1: 741917022 20170326 ... COMPANY / MNCUSA MICROSOFT USA ... 071 2 7.4 5 ... IN
    r = table.slice(0, 1).to_pylist()[0]
    assert r["event_id"] == "gdelt2:741917022" and r["date"] == dt.date(2017, 3, 26)
    assert (r["source_actor"], r["target"], r["target_actor"]) == ("COMPANY", "USA", "MICROSOFT")
    assert (r["cameo"], r["quad_class"], r["goldstein"], r["weight"]) == ("071", 2, 7.4, 5)
    assert r["location"] == "IND"
    assert r["url_or_citation"] == "https://yourstory.com/2018/03/flipkart-fy2018-fiscal-fitness/"


def test_raw_export_2019(shared_data: Path) -> None:
    reader = read(shared_data / EXPORT_2019)
    table, rejects = reader.read_all()
    assert rejects == []
    assert table.num_rows == 2111  # wc -l
    d = _dyads(table)
    # awk -F'\t' '{print $8"-"$18}' | sort | uniq -c
    assert (d["USA", "RUS"], d["RUS", "USA"], d["USA", "CHN"], d["CHN", "USA"]) == (1, 1, 6, 2)
    assert (d["CHN", "RUS"], d["RUS", "CHN"]) == (2, 0)
    # awk -F'\t' '{print $54}' | sort | uniq -c: one row with OS (oceans), not a country
    assert reader.unknown_locations == {"OS": 1}  # type: ignore[attr-defined]


def test_sample_2017_with_header(shared_data: Path) -> None:
    table, rejects = _read(shared_data / SAMPLE17)
    assert rejects == []
    assert table.num_rows == 6090  # csv.reader: 6,091 records incl. the header
    r = table.slice(1, 1).to_pylist()[0]
    # line 3: 669666351,20070704,...,CVL,NEIGHBORHOOD,...,1,046, Engage in negotiation,046,04,
    #         1,7.0,5,1,5,...
    assert r["event_id"] == "gdelt2:669666351" and r["date"] == dt.date(2007, 7, 4)
    assert (r["source_actor"], r["target_actor"]) == (None, "NEIGHBORHOOD")
    assert (r["cameo"], r["goldstein"], r["weight"], r["arena"]) == ("046", 7.0, 5, "diplomatic")


# -- compressed copies -------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLE16, EXPORT_2018, GEORGIA / "june2011.csv"])
def test_zip_and_gzip_give_the_same_table(path: Path, tmp_path: Path, shared_data: Path) -> None:
    path = shared_data / path
    plain, _ = _read(path)
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, path.name)
    g = tmp_path / "export.gz"
    g.write_bytes(gzip.compress(path.read_bytes()))
    for copy in (z, g):
        table, rejects = _read(copy)
        assert rejects == []
        assert table.equals(plain)


# -- bad rows ----------------------------------------------------------------------------


def _corrupt(tmp_path: Path, shared_data: Path) -> Path:
    lines = (shared_data / SAMPLE16).read_text(encoding="utf-8").split("\n")[:-1]

    def setf(line: int, field: int, value: str) -> None:
        f = lines[line - 1].split("\t")
        f[field] = value
        lines[line - 1] = "\t".join(f)

    setf(3, 30, "99")  # GoldsteinScale out of range
    lines[299] = lines[299][:100]  # line 300 cut short
    setf(400, 1, "20161340")  # SQLDATE month 13
    setf(515, 26, "999")  # EventCode of a 57-column row
    lines[699] = lines[699].replace("\t", "", 1)  # line 700: 56 fields
    lines.insert(450, "")  # a blank line 451, skipped (shifts the lines after it)
    p = tmp_path / "corrupt.tsv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("batch_rows", [50, 65_536])
def test_skip_reports_rejects_with_lines(
    tmp_path: Path, batch_rows: int, shared_data: Path
) -> None:
    p = _corrupt(tmp_path, shared_data)
    reader = GDELT1Reader(p, on_error="skip", batch_rows=batch_rows)
    table, rejects = reader.read_all()
    assert table.num_rows == 705
    assert reader.rows_read == 710 and reader.rows_rejected == 5
    got = [(r.line, r.field) for r in rejects]
    # lines after 451 moved down by one: 515 -> 516, 700 -> 701
    assert got == [(3, "goldstein"), (300, None), (400, "date"), (516, "cameo"), (701, None)]
    assert "found 29" in rejects[1].reason and "found 56" in rejects[4].reason


def test_fail_raises_first_bad_line(tmp_path: Path, shared_data: Path) -> None:
    with pytest.raises(ReaderError) as ei:
        GDELT1Reader(_corrupt(tmp_path, shared_data)).read_all()
    assert (ei.value.line, ei.value.field) == (3, "goldstein")


def _lines(path: Path, n: int | None = None) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:n]


def test_truncated_last_line(tmp_path: Path, shared_data: Path) -> None:
    data = b"\n".join(_lines(shared_data / EXPORT_2018, 20)) + b"\n"
    p = tmp_path / "t.CSV"
    p.write_bytes(data[:-200])  # line 20 loses its end
    with pytest.raises(ReaderError) as ei:
        read(p).read_all()
    assert ei.value.line == 20 and "expected 61" in ei.value.reason


def test_truncated_inside_dateadded(tmp_path: Path, shared_data: Path) -> None:
    # a 58-column row cut inside DATEADDED has 57 fields: caught by the DATEADDED check
    rows = _lines(shared_data / SAMPLE16, 5)
    cut = rows[4].rsplit(b"\t", 1)[0][:-3]
    p = tmp_path / "t.tsv"
    p.write_bytes(b"\n".join([*rows[:4], cut]))
    with pytest.raises(ReaderError) as ei:
        read(p, "gdelt1").read_all()
    assert (ei.value.line, ei.value.field) == (5, "DATEADDED")


@pytest.mark.parametrize(
    ("path", "fmt", "line", "text"),
    [
        (
            Path("icews") / "icews_raw_sample_2018" / "events.2018.sample.tab", "gdelt1", 1,
            "expected 57 or 58 tab-separated fields, found 20 at line 1",
        ),
        (EXPORT_2018, "gdelt1", 1, "expected 57 or 58 tab-separated fields, found 61 at line 1"),
        (SAMPLE16, "gdelt2", 1, "expected 61 tab-separated fields, found 58 at line 1"),
        (SAMPLE17, "gdelt1", 1, "header is that of a GDELT 2.0 export"),
    ],
)  # fmt: skip
def test_wrong_layout(path: Path, fmt: str, line: int, text: str, shared_data: Path) -> None:
    path = shared_data / path
    with pytest.raises(ReaderError) as ei:
        read(path, fmt).read_all()
    assert ei.value.line == line and text in ei.value.reason


def test_whole_file_problems(tmp_path: Path, shared_data: Path) -> None:
    empty = tmp_path / "empty.CSV"
    empty.write_bytes(b"")
    binary = tmp_path / "bin.CSV"
    binary.write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(shared_data / EXPORT_2018, (shared_data / EXPORT_2018).name)
    cut_zip = tmp_path / "cut.zip"
    cut_zip.write_bytes(z.read_bytes()[:30_000])
    cut_gz = tmp_path / "cut.gz"
    cut_gz.write_bytes(gzip.compress((shared_data / EXPORT_2018).read_bytes())[:100_000])
    for p, words in [
        (empty, "empty"),
        (binary, "binary"),
        (cut_zip, "zip"),
        (cut_gz, "truncated"),
    ]:
        with pytest.raises(ReaderError) as ei:
            GDELT2Reader(p).read_all()
        assert words in str(ei.value), p


def test_invalid_utf8_line(tmp_path: Path, shared_data: Path) -> None:
    rows = _lines(shared_data / EXPORT_2018)
    rows[9] = rows[9].replace(b"COMPANY", b"COMP\xffANY")
    rows[9] = rows[9] + b"\xc3"  # broken sequence at the end of the URL as well
    p = tmp_path / "bad.CSV"
    p.write_bytes(b"\n".join(rows))
    with pytest.raises(ReaderError) as ei:
        GDELT2Reader(p).read_all()
    assert ei.value.line == 10 and "UTF-8" in ei.value.reason


def test_validation_errors_name_the_field(tmp_path: Path, shared_data: Path) -> None:
    rows = [r.split(b"\t") for r in _lines(shared_data / EXPORT_2018, 3)]
    rows[0][26] = b"999"  # unknown CAMEO code
    rows[1][1] = b"20180230"  # no 30 February
    rows[2][30] = b"-12.5"  # Goldstein out of range
    p = tmp_path / "v.CSV"
    p.write_bytes(b"\n".join(b"\t".join(r) for r in rows) + b"\n")
    _, rejects = read(p, on_error="skip").read_all()
    assert [(r.line, r.field, r.value) for r in rejects] == [
        (1, "cameo", "999"), (2, "date", "20180230"), (3, "goldstein", "-12.5"),
    ]  # fmt: skip


def test_header_only_file_has_no_events(shared_data: Path) -> None:
    # events_column_names.csv is a GDELT 1.0 header line and nothing else
    path = (shared_data / SAMPLE16).with_name("events_column_names.csv")
    assert detect_format(path) == "gdelt1"
    table, rejects = _read(path)
    assert table.num_rows == 0 and rejects == []


def test_fips_table() -> None:
    assert fips_to_iso3("RS") == "RUS" and fips_to_iso3("CH") == "CHN"
    assert fips_to_iso3("US") == "USA" and fips_to_iso3("UP") == "UKR"
    assert fips_to_iso3("GZ") == "PSE" and fips_to_iso3("OS") is None


def test_null_codes_survive_a_bad_code_in_the_same_batch(tmp_path: Path, shared_data: Path) -> None:
    # regression: a bad Actor2CountryCode on line 1 once made validate() drop line 2,
    # whose Actor2CountryCode is empty (null), without a reject
    rows = [r.split(b"\t") for r in _lines(shared_data / EXPORT_2018, 3)]
    assert rows[1][17] == b""  # line 2: CAN -> (no target)
    rows[0][17] = b"usa"
    p = tmp_path / "n.CSV"
    p.write_bytes(b"\n".join(b"\t".join(r) for r in rows) + b"\n")
    table, rejects = read(p, on_error="skip").read_all()
    assert [(r.line, r.field) for r in rejects] == [(1, "target")]
    assert table.num_rows == 2


def test_many_bad_rows_across_batches_all_reported(tmp_path: Path, shared_data: Path) -> None:
    """Rows of the wrong shape are reported by pyarrow's parsing thread while earlier
    batches are converted; every one must come out once, with its line. (Before the
    handler's lists were locked, about one read in ten under load lost one.)"""
    lines = (shared_data / EXPORT_2019).read_bytes().splitlines(keepends=True) * 40
    cut = set(range(3, len(lines), 5))
    for i in cut:
        lines[i] = b"\t".join(lines[i].split(b"\t")[:30]) + b"\n"
    path = tmp_path / "cut.export.CSV"
    path.write_bytes(b"".join(lines))
    for _ in range(3):
        reader = read(path, "gdelt2", on_error="skip")
        shape = []
        for batch in reader:
            shape += [r.line for r in batch.rejects if r.reason.startswith("expected 61")]
        assert shape == sorted(i + 1 for i in cut)
        assert reader.rows_read == len(lines)
