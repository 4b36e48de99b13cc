"""The capability panel: readers, reference numbers, errors, refresh, shipped CSV, CLI.

Reference numbers were read by hand from the raw files (grep/awk/openpyxl), as the comment
next to each says, not through trilateral's code.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from trilateral._cli.capabilities import app
from trilateral.data import capabilities as cap
from trilateral.data._capreaders import (
    COW_CCODE_TO_ISO3,
    SIPRI_NAME_TO_ISO3,
    UnmappedCountryWarning,
    _parse_number,
)
from trilateral.errors import DataError, ReaderError

# below the shared data folder (the `shared_data` fixture)
CAPS = Path("capabilities")
FIX = Path(__file__).parent / "fixtures" / "capabilities"


SIPRI = CAPS / "SIPRI-Milex-data-1949-2023.xlsx"
COW = CAPS / "NMC-60-abridged.csv"
WB_GDP = CAPS / "gdp_current_usd_datahub.csv"
WB_POP = CAPS / "population_datahub.csv"
WB_PCAP = CAPS / "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv"
ALL = [SIPRI, COW, WB_GDP, WB_POP, WB_PCAP]


def value(table: pa.Table, iso3: str, year: int, indicator: str) -> float | None:
    rows = table.filter(
        (pc.field("iso3") == iso3)
        & (pc.field("year") == year)
        & (pc.field("indicator") == indicator)
    ).to_pylist()
    assert len(rows) <= 1
    return rows[0]["value"] if rows else None


@pytest.fixture(scope="module")
def sipri(shared_data: Path) -> pa.Table:
    return cap.read_sipri(shared_data / SIPRI)


@pytest.fixture(scope="module")
def cow(shared_data: Path) -> pa.Table:
    return cap.read_cow_nmc(shared_data / COW)


@pytest.fixture(scope="module")
def rebuilt(shared_data: Path) -> pa.Table:
    return cap.build_panel([shared_data / p for p in ALL], countries=cap.PANEL_COUNTRIES)


# ----------------------------------------------------------------- reference numbers
def test_worldbank_gdp_2017_reference(shared_data: Path) -> None:
    t = cap.read_worldbank(shared_data / WB_GDP)
    # gdp_current_usd_datahub.csv line 13399: "United States,USA,2017,19612102000000.0"
    assert value(t, "USA", 2017, "gdp_current_usd") == 19612102000000.0
    # line 10688: "Russian Federation,RUS,2017,1574199360089.0022"
    assert value(t, "RUS", 2017, "gdp_current_usd") == pytest.approx(1574199360089.0022, rel=1e-15)
    assert set(t["unit"].to_pylist()) == {"current US$"}


def test_worldbank_population_2017_reference(shared_data: Path) -> None:
    t = cap.read_capabilities(shared_data / WB_POP)
    # population_datahub.csv line 13094: "Russian Federation,RUS,2017,145293260"
    assert value(t, "RUS", 2017, "population") == 145293260
    # line 2659: "China,CHN,2017,1396215000"
    assert value(t, "CHN", 2017, "population") == 1396215000


def test_worldbank_bulk_layout_reference(shared_data: Path) -> None:
    t = cap.read_worldbank(shared_data / WB_PCAP)
    # API_NY.GDP.PCAP.CD_…csv: header on line 5, column "2017"; USA on line 255,
    # RUS on line 206: "59531.661964344" and "10743.0965915463".
    assert value(t, "USA", 2017, "gdp_per_capita_current_usd") == 59531.661964344
    assert value(t, "RUS", 2017, "gdp_per_capita_current_usd") == 10743.0965915463
    # RUS 1960–1988 are empty strings in the bulk file: missing, not zero.
    assert value(t, "RUS", 1960, "gdp_per_capita_current_usd") is None
    assert t.schema.metadata[b"trilateral.layout"] == b"worldbank_bulk"


def test_sipri_2018_current_usd_reference(sipri: pa.Table) -> None:
    # SIPRI workbook, sheet "Current US$", column 2018 (BT), US$ m:
    # row 79 "United States of America" 682491.4; row 158 "Russia" 61609.20475641708;
    # row 106 "China" 232530.59598526615.
    assert value(sipri, "USA", 2018, "milex_current_usd") == pytest.approx(682491.4e6)
    assert value(sipri, "RUS", 2018, "milex_current_usd") == pytest.approx(61609.20475641708e6)
    assert value(sipri, "CHN", 2018, "milex_current_usd") == pytest.approx(232530.59598526615e6)


def test_sipri_russia_2015_is_the_papers_66_4_bn(sipri: pa.Table) -> None:
    # Sheet "Current US$", row 158 (Russia), column 2015 (BQ): 66421.82217992056 US$ m —
    # Feng (2019) quotes "$66.4 billion at the peak in 2015".
    v = value(sipri, "RUS", 2015, "milex_current_usd")
    assert v == pytest.approx(66421.82217992056e6)
    assert round(v / 1e9, 1) == 66.4


def test_sipri_share_and_constant_sheets(sipri: pa.Table) -> None:
    # "Share of GDP", row 158 (Russia), 2023: 0.05864188872292315 (a fraction).
    assert value(sipri, "RUS", 2023, "milex_share_gdp") == pytest.approx(0.05864188872292315)
    # "Constant (2022) US$", row 106 (China), 2023: 309484.3167671751 US$ m.
    assert value(sipri, "CHN", 2023, "milex_constant_2022_usd") == pytest.approx(
        309484.3167671751e6
    )
    shares = sipri.filter(
        (pc.field("indicator") == "milex_share_gdp") & pc.field("iso3").isin(["USA", "RUS", "CHN"])
    )["value"]
    assert pc.max(shares).as_py() < 0.2  # fractions, not percent (Kuwait 1991 exceeds 1)


def test_sipri_missing_markers_are_missing_not_zero(sipri: pa.Table) -> None:
    # "Current US$" cell AS158 (Russia, 1991) holds "...": no row.
    assert value(sipri, "RUS", 1991, "milex_current_usd") is None
    # AT158 (Russia, 1992) holds 0.0 while "Constant (2022) US$" gives 54793.47: a
    # placeholder zero, dropped, not a real zero.
    assert value(sipri, "RUS", 1992, "milex_current_usd") is None
    assert value(sipri, "RUS", 1992, "milex_constant_2022_usd") == pytest.approx(
        54793.469783881905e6
    )
    # Costa Rica really has no armed forces: 0 in both sheets is kept.
    assert value(sipri, "CRI", 2018, "milex_current_usd") == 0.0
    # USSR (row 160, 1988: 246010.99 US$ m) becomes RUS.
    assert value(sipri, "RUS", 1988, "milex_current_usd") == pytest.approx(246010.9931159614e6)
    notes = json.loads(sipri.schema.metadata[b"trilateral.notes"])
    assert notes["zero_placeholders_dropped"]["Current US$:Russia"] == 5
    assert notes["excluded"] == {"European Union": 6, "Yemen, North": 20}


def test_sipri_every_name_is_mapped(sipri: pa.Table) -> None:
    assert json.loads(sipri.schema.metadata[b"trilateral.unmapped"]) == {}
    assert len(set(sipri["iso3"].to_pylist())) >= 165


def test_cow_cinc_2016_reference(cow: pa.Table) -> None:
    # NMC-60-abridged.csv lines 202, 8145, 13775 (column cinc):
    # USA,2,2016,…,0.13305758 / RUS,365,2016,…,0.036472768 / CHN,710,2016,…,0.23061772
    assert value(cow, "USA", 2016, "cinc") == 0.13305758
    assert value(cow, "RUS", 2016, "cinc") == 0.036472768
    assert value(cow, "CHN", 2016, "cinc") == 0.23061772
    # line 202, milex (thousands of current US$): 604452000
    assert value(cow, "USA", 2016, "cow_milex") == 604452000


def test_cow_minus_nine_is_missing(cow: pa.Table) -> None:
    # line 8047: "RUS,365,1918,258741,-9,…": milper −9 → no row, milex present.
    assert value(cow, "RUS", 1918, "cow_milper") is None
    assert value(cow, "RUS", 1918, "cow_milex") == 258741
    assert pc.min(cow["value"]).as_py() >= 0
    # 1990: ccode 255 (Germany) and 260 (GFR) both listed; one DEU row, ccode 255's.
    assert value(cow, "DEU", 1990, "cinc") is not None
    assert json.loads(cow.schema.metadata[b"trilateral.unmapped"]) == {}


# ----------------------------------------------------------------- panel
def test_panel_schema_and_indicators(rebuilt: pa.Table) -> None:
    assert rebuilt.schema == cap.PANEL_SCHEMA
    assert set(rebuilt["indicator"].to_pylist()) == set(cap.INDICATORS)
    assert set(rebuilt["iso3"].to_pylist()) == set(cap.PANEL_COUNTRIES)
    keys = rebuilt.group_by(["iso3", "year", "indicator"]).aggregate([([], "count_all")])
    assert pc.max(keys["count_all"]).as_py() == 1
    units = {r["indicator"]: r["unit"] for r in rebuilt.to_pylist()}
    assert units == cap.INDICATORS


def test_per_capita_derived_after_2017(rebuilt: pa.Table) -> None:
    rows = rebuilt.filter(
        (pc.field("iso3") == "USA") & (pc.field("indicator") == "gdp_per_capita_current_usd")
    ).to_pylist()
    by_year = {r["year"]: r for r in rows}
    assert by_year[2017]["source"] == "worldbank:NY.GDP.PCAP.CD"
    assert by_year[2018]["source"] == "derived:NY.GDP.MKTP.CD/SP.POP.TOTL"
    gdp = value(rebuilt, "USA", 2018, "gdp_current_usd")
    pop = value(rebuilt, "USA", 2018, "population")
    assert gdp is not None and pop is not None
    assert by_year[2018]["value"] == pytest.approx(gdp / pop)


def test_shipped_panel_equals_rebuild(rebuilt: pa.Table, tmp_path: Path, shared_data: Path) -> None:
    shipped = cap.load_panel()
    assert shipped.equals(rebuilt)
    out = tmp_path / "panel.csv"
    cap.refresh_panel([shared_data / p for p in ALL], out=out)
    assert (
        out.read_bytes() == (Path(cap.__file__).parent / "_files" / "capabilities.csv").read_bytes()
    )


def test_build_panel_rejects_a_source_given_twice(shared_data: Path) -> None:
    with pytest.raises(DataError, match="more than one value"):
        cap.build_panel([shared_data / COW, shared_data / COW], countries=["USA"])


def test_load_panel_countries() -> None:
    t = cap.load_panel(["usa", "RUS"])
    assert set(t["iso3"].to_pylist()) == {"USA", "RUS"}
    with pytest.raises(DataError, match="ZZZ"):
        cap.load_panel(["USA", "ZZZ"])


def test_panel_provenance() -> None:
    prov = cap.panel_provenance()
    assert prov["dataset"] == "capabilities.csv"
    assert len(prov["sha256"]) == 64
    fams = {s["family"] for s in prov["sources"]}
    assert fams == {"sipri", "cow", "worldbank"}
    for s in prov["sources"]:
        assert s["licence"] and s["source"] and len(s["sha256"]) == 64 and s["taken"]
    files = {s["file"]: s for s in prov["sources"]}
    assert files["API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv"]["vintage"].endswith("2018-10-18")


def test_provenance_hashes_match_the_shared_files(shared_data: Path) -> None:
    import hashlib

    for s in cap.panel_provenance()["sources"]:
        assert (
            hashlib.sha256((shared_data / CAPS / s["file"]).read_bytes()).hexdigest() == s["sha256"]
        )


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("name", "line", "field"),
    [
        ("empty.csv", 1, None),
        ("wrong_layout.csv", 1, None),
        ("cow_truncated.csv", 3, "pec"),
        ("cow_bad_number.csv", 3, "milex"),
        ("API_truncated.csv", 7, None),
        ("gdp_bad_value.csv", 3, "Value"),
    ],
)
def test_bad_files_raise_reader_error(name: str, line: int, field: str | None) -> None:
    with pytest.raises(ReaderError) as info:
        cap.read_capabilities(FIX / name)
    err = info.value
    assert err.path == str(FIX / name)
    assert err.line == line
    assert err.field == field
    assert name in str(err)


def test_long_worldbank_file_needs_an_indicator(tmp_path: Path) -> None:
    p = tmp_path / "wdi.csv"
    shutil.copy(FIX / "gdp_bad_value.csv", p)
    with pytest.raises(ReaderError, match="cannot tell") as info:
        cap.read_worldbank(p)
    assert info.value.line == 1


def test_missing_file() -> None:
    with pytest.raises(ReaderError, match=r"cannot read|not found"):
        cap.read_capabilities(FIX / "no-such-file.csv")


def test_truncated_xlsx(tmp_path: Path, shared_data: Path) -> None:
    p = tmp_path / "sipri.xlsx"
    p.write_bytes((shared_data / SIPRI).read_bytes()[:50_000])
    with pytest.raises(ReaderError, match="truncated") as info:
        cap.read_capabilities(p)
    assert info.value.path == str(p)


def _tiny_sipri(path: Path, cell: object = 1234.5, name: str = "Russia") -> None:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Front page"
    for title in ("Constant (2022) US$", "Current US$", "Share of GDP"):
        ws = wb.create_sheet(title)
        ws.append([f"Military expenditure, {title}, 1949-2023 © SIPRI 2023"])
        ws.append([])
        ws.append(["Country", "Notes", 2017, 2018])
        ws.append(["Europe", None, None, None])
        ws.append([name, "83", "...", cell if title == "Current US$" else 0.04])
    wb.save(path)


def test_sipri_bad_cell_names_sheet_row_and_cell(tmp_path: Path) -> None:
    p = tmp_path / "s.xlsx"
    _tiny_sipri(p, cell="12 (est.)")
    with pytest.raises(ReaderError) as info:
        cap.read_sipri(p)
    assert info.value.line == 5
    assert info.value.field == "Current US$!D5"


def test_sipri_tiny_workbook_and_unknown_name(tmp_path: Path) -> None:
    p = tmp_path / "s.xlsx"
    _tiny_sipri(p)
    t = cap.read_capabilities(p)
    assert value(t, "RUS", 2018, "milex_current_usd") == 1234.5e6
    assert value(t, "RUS", 2017, "milex_current_usd") is None
    _tiny_sipri(p, name="Ruritania")
    with pytest.warns(UnmappedCountryWarning, match="Ruritania"):
        t = cap.read_sipri(p)
    assert t.num_rows == 0
    assert json.loads(t.schema.metadata[b"trilateral.unmapped"]) == {"Ruritania": 3}


def test_sipri_missing_sheet(tmp_path: Path) -> None:
    p = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    wb.save(p)
    with pytest.raises(ReaderError, match="sheet missing"):
        cap.read_sipri(p)


# ----------------------------------------------------------------- refresh is atomic
def test_refresh_failure_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "panel.csv"
    out.write_text("old contents\n")
    with pytest.raises(ReaderError):
        cap.refresh_panel([FIX / "cow_bad_number.csv"], out=out)
    assert out.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["panel.csv"]


def test_refresh_write_failure_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "panel.csv"
    out.write_text("old contents\n")
    p = tmp_path / "nmc.csv"
    shutil.copy(FIX / "cow_bad_number.csv", p)
    p.write_text(p.read_text().replace("lots", "51605000"))

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        cap.refresh_panel([p], out=out, countries=["USA", "RUS"])
    assert out.read_text() == "old contents\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["nmc.csv", "panel.csv"]


def test_refresh_writes_panel_and_provenance(tmp_path: Path) -> None:
    p = tmp_path / "nmc.csv"
    p.write_text((FIX / "cow_bad_number.csv").read_text().replace("lots", "51605000"))
    out = tmp_path / "sub" / "panel.csv"
    result = cap.refresh_panel([p], out=out, countries=["USA", "RUS"])
    assert result["rows"] == 14
    assert out.exists() and out.with_suffix(".provenance.yaml").exists()
    assert oct(out.stat().st_mode & 0o777) == "0o644"


# ----------------------------------------------------------------- properties
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_parse_number_roundtrip(x: float) -> None:
    assert _parse_number(repr(x)) == x


@given(st.sampled_from(["", "...", ". .", "xxx", " ... ", "NaN", "nan"]))
def test_missing_markers_never_become_numbers(marker: str) -> None:
    assert _parse_number(marker) is None


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(COW_CCODE_TO_ISO3)[:20]),
            st.integers(1816, 2016),
            st.one_of(st.just(-9), st.integers(0, 10**9)),
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda t: (COW_CCODE_TO_ISO3[t[0]], t[1]),
    )
)
def test_cow_reader_property(rows: list[tuple[int, int, int]]) -> None:
    """Every non-missing value comes back once; −9 never does."""
    import tempfile

    text = "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\n"
    for code, year, v in rows:
        text += f"X,{code},{year},{v},{v},{v},{v},{v},{v},{0.5 if v != -9 else -9},2021\n"
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "nmc.csv"
        p.write_text(text)
        t = cap.read_cow_nmc(p)
    expected = sum(7 for _, _, v in rows if v != -9)
    assert t.num_rows == expected
    assert -9 not in t["value"].to_pylist()


def test_name_tables_are_iso3() -> None:
    for table in (SIPRI_NAME_TO_ISO3, COW_CCODE_TO_ISO3):
        for code in table.values():
            assert len(code) == 3 and code.isupper()


# ----------------------------------------------------------------- paper ratios (reported)
def test_paper_ratios_from_the_shipped_panel() -> None:
    """Feng (2019): Russia's GDP 6.6 % of the US (2017), per capita 15 %, defence 7.2 %.

    The panel gives 8.0 %, 18.0 % and 9.0 % (SIPRI 2018); the measure stage checks these
    claims, so here only their order of magnitude is pinned.
    """
    p = cap.load_panel(["USA", "RUS"])
    gdp = value(p, "RUS", 2017, "gdp_current_usd") / value(p, "USA", 2017, "gdp_current_usd")  # type: ignore[operator]
    pcap = value(p, "RUS", 2017, "gdp_per_capita_current_usd") / value(  # type: ignore[operator]
        p, "USA", 2017, "gdp_per_capita_current_usd"
    )
    milex = value(p, "RUS", 2018, "milex_current_usd") / value(p, "USA", 2018, "milex_current_usd")  # type: ignore[operator]
    assert gdp == pytest.approx(0.0803, abs=5e-4)
    assert pcap == pytest.approx(0.1805, abs=5e-4)
    assert milex == pytest.approx(0.0903, abs=5e-4)
    assert math.isclose(value(p, "RUS", 2015, "milex_current_usd") / 1e9, 66.42, abs_tol=0.01)  # type: ignore[operator]


# ----------------------------------------------------------------- CLI
runner = CliRunner()


def test_cli_show_json() -> None:
    res = runner.invoke(app, ["show", "--countries", "USA,RUS", "--indicator", "cinc", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    got = {(r["iso3"], r["year"]): r["value"] for r in rows}
    assert got[("RUS", 2016)] == 0.036472768
    assert {r["iso3"] for r in rows} == {"USA", "RUS"}


def test_cli_show_table_and_latest() -> None:
    res = runner.invoke(app, ["show", "--indicator", "milex_current_usd"])
    assert res.exit_code == 0, res.output
    assert "2018" in res.stdout and "682,491,400,000" in res.stdout
    res = runner.invoke(app, ["show", "--json"])
    rows = json.loads(res.stdout)
    latest = {(r["iso3"], r["indicator"]): r["year"] for r in rows}
    assert latest[("USA", "cinc")] == 2016


def test_cli_show_unknown_indicator_and_country() -> None:
    res = runner.invoke(app, ["show", "--indicator", "gdp"])
    assert res.exit_code == 1
    assert "unknown indicator" in res.stderr
    res = runner.invoke(app, ["show", "--countries", "USA,ZZZ"])
    assert res.exit_code == 1
    assert "ZZZ" in res.stderr


def test_cli_provenance() -> None:
    res = runner.invoke(app, ["provenance", "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["dataset"] == "capabilities.csv"
    res = runner.invoke(app, ["provenance"])
    assert res.exit_code == 0 and "SIPRI" in res.stdout


def test_cli_refresh_error_and_success(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    res = runner.invoke(app, ["refresh", str(FIX / "cow_truncated.csv"), "--out", str(out)])
    assert res.exit_code == 1
    assert "cow_truncated.csv, line 3" in res.stderr
    assert not out.exists()
    good = tmp_path / "nmc.csv"
    good.write_text((FIX / "cow_bad_number.csv").read_text().replace("lots", "1"))
    res = runner.invoke(app, ["refresh", str(good), "--out", str(out), "--countries", "USA,RUS"])
    assert res.exit_code == 0, res.output
    assert out.exists() and "14" in res.stdout


def test_cli_help_has_examples() -> None:
    for cmd in ("refresh", "show", "provenance"):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0
        assert "Example" in res.stdout


def test_no_stray_warnings_when_reading_the_workbook(shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cap.read_sipri(shared_data / SIPRI)
