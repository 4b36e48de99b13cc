"""The user capability panel (issue 21, item 1): no command writes inside the installed
package; ``capabilities refresh`` writes a user panel that is merged with the shipped one
(a source the user did not give stays); claims, power ratios and measure name the panel.

Expected values come from the raw files read here with the ``csv`` module (the fixture
``cow_bad_number.csv``, the shipped ``capabilities.csv``), not from trilateral's code.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import trilateral
from trilateral.cli import app
from trilateral.data import capabilities as cap
from trilateral.diagnose import run_claims
from trilateral.errors import ConfigError, DataError
from trilateral.measure import power_ratios

FILES = Path(trilateral.__file__).parent / "data" / "_files"
FIX = Path(__file__).parent / "fixtures" / "capabilities"
GDP_CLAIMS = ["us-gdp-2017", "rus-gdp-level", "rus-us-gdp-ratio-2017", "rus-gdp-per-capita-2017"]
runner = CliRunner()


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _shipped_rows() -> list[dict[str, str]]:
    with (FILES / "capabilities.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _cow_fixture(tmp_path: Path) -> Path:
    """COW NMC rows for USA and RUS, 2015 (RUS's milex given as 51605000)."""
    p = tmp_path / "NMC-small.csv"
    p.write_text((FIX / "cow_bad_number.csv").read_text().replace("lots", "51605000"))
    return p


def _user_dir() -> Path:
    return Path(os.environ["TRILATERAL_DATA_DIR"])


def test_refresh_with_only_sipri_leaves_the_package_untouched(shared_data: Path) -> None:
    before = _hashes(FILES)
    res = runner.invoke(
        app,
        [
            "capabilities",
            "refresh",
            str(shared_data / "capabilities/SIPRI-Milex-data-1949-2023.xlsx"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert _hashes(FILES) == before  # byte-identical: the shipped files were not written
    user = _user_dir() / "capabilities.csv"
    assert user.is_file() and user.with_suffix(".provenance.yaml").is_file()
    with user.open(newline="", encoding="utf-8") as fh:
        assert {r["indicator"][:5] for r in csv.DictReader(fh)} == {"milex"}
    # the GDP claims still have their data: the World Bank source was not given, so it stays
    report = run_claims(ids=GDP_CLAIMS)
    assert [r.verdict for r in report.results] != ["not enough data"] * len(GDP_CLAIMS)
    assert all(r.verdict != "not enough data" for r in report.results)
    assert str(user) in report.panel


def test_user_series_replace_the_shipped_ones_and_the_rest_stays(tmp_path: Path) -> None:
    cap.refresh_panel([_cow_fixture(tmp_path)], countries=["USA", "RUS"])
    merged = cap.load_panel()
    rows = {(r["iso3"], r["year"], r["indicator"]): r for r in merged.to_pylist()}
    # the user's COW series for USA and RUS: only 2015, with the fixture's values
    assert rows[("USA", 2015, "cinc")]["value"] == 0.13303833
    assert rows[("RUS", 2015, "cow_milex")]["value"] == 51605000.0
    assert ("USA", 2014, "cinc") not in rows  # the user series replaces the shipped one
    # every other series stays as shipped (CHN's COW series, USA's GDP)
    shipped = _shipped_rows()
    chn_cinc = {int(r["year"]) for r in shipped if r["iso3"] == "CHN" and r["indicator"] == "cinc"}
    assert {y for (c, y, i) in rows if c == "CHN" and i == "cinc"} == chn_cinc
    usa_gdp = {
        int(r["year"]): float(r["value"])
        for r in shipped
        if r["iso3"] == "USA" and r["indicator"] == "gdp_current_usd"
    }
    assert {y: rows[("USA", y, "gdp_current_usd")]["value"] for y in usa_gdp} == usa_gdp
    assert (
        len(merged)
        == len(shipped)
        - sum(
            1
            for r in shipped
            if r["iso3"] in ("USA", "RUS") and r["indicator"].startswith(("cinc", "cow_"))
        )
        + 14
    )
    # the shipped panel alone is still there for whoever asks for it
    assert len(cap.load_panel(user=False)) == len(shipped)


def test_outputs_name_the_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no store here: the capability claims only
    monkeypatch.delenv("TRILATERAL_DB", raising=False)
    assert cap.panel_label() == "shipped capabilities.csv"
    assert power_ratios(countries=("USA", "RUS")).provenance["panel"] == "shipped capabilities.csv"
    cap.refresh_panel([_cow_fixture(tmp_path)], countries=["USA", "RUS"])
    user = str(_user_dir() / "capabilities.csv")
    label = cap.panel_label()
    assert user in label and "NMC-small.csv" in label
    assert power_ratios(countries=("USA", "RUS")).provenance["panel"] == label
    report = run_claims(ids=["us-gdp-2017"])
    assert report.panel == label and report.to_dict()["panel"] == label
    assert f"Capability panel: {label}" in report.summary()
    res = runner.invoke(app, ["claims", "--id", "us-gdp-2017"])
    assert res.exit_code == 0, res.output
    assert f"capability panel: {label}" in res.stdout
    assert (
        json.loads(runner.invoke(app, ["claims", "--id", "us-gdp-2017", "--json"]).stdout)["panel"]
        == label
    )
    assert cap.panel_provenance()["user_panel"]["path"] == user


def test_nothing_is_written_inside_the_package(tmp_path: Path) -> None:
    before = _hashes(FILES)
    with pytest.raises(ConfigError, match="inside the installed package"):
        cap.refresh_panel([_cow_fixture(tmp_path)], out=FILES / "capabilities.csv")
    res = runner.invoke(
        app,
        ["capabilities", "refresh", str(_cow_fixture(tmp_path)), "--out", str(FILES / "x.csv")],
    )
    assert res.exit_code == 1 and "inside the installed package" in res.output
    assert "Traceback" not in res.output
    assert _hashes(FILES) == before


def test_a_broken_user_panel_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "panel.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"panel.csv: not a capability panel"):
        cap.load_panel(user=bad)
    with pytest.raises(DataError, match="no capability panel at"):
        cap.load_panel(user=tmp_path / "missing.csv")


def test_capabilities_show_and_provenance_name_the_user_panel(tmp_path: Path) -> None:
    res = runner.invoke(app, ["capabilities", "show", "--countries", "USA"])
    assert res.exit_code == 0 and "panel: shipped capabilities.csv" in res.stdout
    cap.refresh_panel([_cow_fixture(tmp_path)], countries=["USA", "RUS"])
    user = str(_user_dir() / "capabilities.csv")
    res = runner.invoke(app, ["capabilities", "show", "--countries", "USA"])
    assert res.exit_code == 0 and user in res.stdout.replace("\n", "")
    res = runner.invoke(app, ["capabilities", "provenance"])
    assert res.exit_code == 0 and f"merged with the user panel {user}" in res.stdout


def test_per_capita_is_derived_again_from_the_merged_series(tmp_path: Path) -> None:
    """A user population series for USA: GDP per capita where the World Bank gives none
    (after 2017 in the shipped vintage) becomes the shipped GDP / the user's population."""
    pop = tmp_path / "population_test.csv"
    pop.write_text(
        "Country Name,Country Code,Year,Value\n"
        "United States,USA,2018,100000000\nUnited States,USA,2019,200000000\n",
        encoding="utf-8",
    )
    cap.refresh_panel([pop], countries=["USA"])
    merged = {(r["iso3"], r["year"], r["indicator"]): r for r in cap.load_panel().to_pylist()}
    gdp = {
        int(r["year"]): float(r["value"])
        for r in _shipped_rows()
        if r["iso3"] == "USA" and r["indicator"] == "gdp_current_usd"
    }
    for year, persons in ((2018, 1e8), (2019, 2e8)):
        row = merged[("USA", year, "gdp_per_capita_current_usd")]
        assert row["value"] == pytest.approx(gdp[year] / persons, rel=1e-12)
        assert row["source"].startswith("derived:")
    # USA's population is now the user's two years only; other countries' stay as shipped
    assert sorted(y for (c, y, i) in merged if c == "USA" and i == "population") == [2018, 2019]
    shipped_rus = sum(
        1 for r in _shipped_rows() if r["iso3"] == "RUS" and r["indicator"] == "population"
    )
    assert sum(1 for (c, _y, i) in merged if c == "RUS" and i == "population") == shipped_rus


@pytest.fixture(scope="module")
def panel_seen_by_a_module_fixture() -> tuple[Path, str]:
    """What a module-scoped fixture (run_claims(), load_panel() in test_claims.py,
    test_power.py, test_pipeline.py) sees: it runs before any function-scoped fixture."""
    return cap.user_panel_path(), cap.panel_label()


def test_module_fixtures_see_an_empty_user_data_folder_too(
    panel_seen_by_a_module_fixture: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A user panel of this machine ($TRILATERAL_DATA_DIR set outside, or the platformdirs
    folder) never reaches a module- or session-scoped fixture: with one there, the claims
    of test_claims.py's module fixture turned 'not enough data'."""
    path, label = panel_seen_by_a_module_fixture
    assert path.is_relative_to(tmp_path_factory.getbasetemp())
    assert not path.exists() and label == "shipped capabilities.csv"


def test_measure_names_the_panel_of_its_power_ratios(tmp_path: Path) -> None:
    from trilateral.data import EventStore, shipped_chronicle_path

    db = tmp_path / "c.duckdb"
    with EventStore.open(db) as store:
        store.ingest(shipped_chronicle_path(), format="chronicle")
    cap.refresh_panel([_cow_fixture(tmp_path)], countries=["USA", "RUS"])
    label = cap.panel_label()
    assert str(_user_dir() / "capabilities.csv") in label
    res = runner.invoke(app, ["measure", "--db", str(db), "--out", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert f"power ratios: capability panel {label}" in res.stderr.replace("\n", "")
    prov = json.loads((tmp_path / "m" / "provenance.json").read_text(encoding="utf-8"))
    assert prov["power_ratios"]["panel"] == label


def test_a_broken_user_provenance_file_is_a_clear_error(tmp_path: Path) -> None:
    cap.refresh_panel([_cow_fixture(tmp_path)], countries=["USA", "RUS"])
    prov = _user_dir() / "capabilities.provenance.yaml"
    prov.write_text("- just a list\n", encoding="utf-8")
    for args in (["capabilities", "show", "--countries", "USA"], ["capabilities", "provenance"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 1, (args, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        text = res.output.replace("\n", "")
        assert f"{prov}: not the provenance of a capability panel" in text
    prov.write_text("built: 2026-01-01\nsources: 5\n", encoding="utf-8")  # no list: no files
    assert cap.panel_label().endswith(
        "(built 2026-01-01 from ?); its series replace the shipped ones"
    )
