"""UN General Assembly voting alignment: readers, hand-computed references, shipped CSV."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trilateral.data import unga
from trilateral.data._capreaders import UnmappedCountryWarning
from trilateral.errors import ConfigError, DataError, ReaderError

FIX = Path(__file__).parent / "fixtures" / "capabilities"


@pytest.fixture(scope="module")
def unga_dir(shared_data: Path) -> Path:
    """The published UN voting files (shared data)."""
    return shared_data / "unga"


@pytest.fixture(scope="module")
def votes(unga_dir: Path) -> pa.Table:
    return unga.read_unga_votes(unga_dir / "un_votes.csv", unga_dir / "un_roll_calls.csv")


@pytest.fixture(scope="module")
def idealpoints(unga_dir: Path) -> pa.Table:
    return unga.read_idealpoints(unga_dir / "IdealpointsJuly2025.csv")


def row(table: pa.Table, year: int, a: str, b: str) -> dict:
    rows = table.filter(
        (pc.field("year") == year) & (pc.field("country_a") == a) & (pc.field("country_b") == b)
    ).to_pylist()
    assert len(rows) == 1
    return rows[0]


def test_usa_rus_2017_by_hand(votes: pa.Table, idealpoints: pa.Table) -> None:
    # Computed with awk over un_roll_calls.csv (year of the `date` field) and
    # un_votes.csv (country_code US / RU), independent of trilateral:
    #   n=129 same=35 agreement=0.2713178295 s=0.3565891473
    t = unga.alignment(votes, idealpoints, ["USA", "RUS"])
    r = row(t, 2017, "USA", "RUS")
    assert r["n_votes"] == 129
    assert r["agreement"] == pytest.approx(35 / 129)
    assert r["s_score"] == pytest.approx(0.3565891473, abs=1e-10)
    # IdealpointsJuly2025.csv, column idealpointall, year 2017:
    # "2,USA,United States,2017,2.54526,2.697276" and "365,RUS,Russia,2017,0.09786612,0.05933598"
    assert r["idealpoint_distance"] == pytest.approx(2.697276 - 0.05933598)


def test_coverage_ussr_and_prc(votes: pa.Table) -> None:
    years = {
        c: pc.min(votes.filter(pc.field("iso3") == c)["year"]).as_py()
        for c in ("USA", "RUS", "CHN")
    }
    assert years == {"USA": 1946, "RUS": 1946, "CHN": 1971}  # RU covers the USSR
    assert set(votes["vote"].to_pylist()) == {"yes", "no", "abstain"}


def test_idealpoints_use_ccode(idealpoints: pa.Table) -> None:
    keys = idealpoints.group_by(["iso3", "year"]).aggregate([([], "count_all")])
    assert pc.max(keys["count_all"]).as_py() == 1
    ymd = idealpoints.filter((pc.field("iso3") == "YMD") & (pc.field("year") == 1970))
    # IdealpointsJuly2025.csv: "680,YAR,Yemen People's Republic,1970,…,-1.50057"
    assert ymd["idealpoint"].to_pylist() == [pytest.approx(-1.50057)]


def test_shipped_alignment_equals_rebuild(
    votes: pa.Table, idealpoints: pa.Table, tmp_path: Path, unga_dir: Path
) -> None:
    rebuilt = unga.alignment(votes, idealpoints)
    shipped = unga.load_alignment()
    assert shipped.equals(rebuilt)
    out = tmp_path / "a.csv"
    unga.refresh_alignment(
        unga_dir / "un_votes.csv",
        unga_dir / "un_roll_calls.csv",
        unga_dir / "IdealpointsJuly2025.csv",
        out=out,
    )
    shipped_file = Path(unga.__file__).parent / "_files" / "unga_alignment.csv"
    assert out.read_bytes() == shipped_file.read_bytes()


def test_shipped_alignment_shape() -> None:
    t = unga.load_alignment()
    pairs = set(zip(t["country_a"].to_pylist(), t["country_b"].to_pylist(), strict=True))
    assert pairs == {("USA", "RUS"), ("USA", "CHN"), ("RUS", "CHN")}
    assert pc.min(t["year"]).as_py() == 1946
    chn = t.filter(pc.field("country_b") == "CHN")
    assert pc.min(chn["year"]).as_py() == 1971
    ok = t.filter(pc.field("n_votes") > 0)
    for col in ("agreement", "s_score"):
        assert 0 <= pc.min(ok[col]).as_py() and pc.max(ok[col]).as_py() <= 1
    # s_score counts abstentions as half agreement, so it is never below agreement
    assert pc.all(pc.greater_equal(ok["s_score"], ok["agreement"])).as_py()
    none = t.filter(pc.field("n_votes") == 0)
    assert none.num_rows > 0 and none["agreement"].null_count == none.num_rows
    assert unga.load_alignment(["USA", "RUS"]).num_rows == row_count(t, "USA", "RUS")
    with pytest.raises(DataError):
        unga.load_alignment(["USA", "GBR"])


def row_count(t: pa.Table, a: str, b: str) -> int:
    return t.filter((pc.field("country_a") == a) & (pc.field("country_b") == b)).num_rows


def test_alignment_provenance() -> None:
    prov = unga.alignment_provenance()
    assert prov["dataset"] == "unga_alignment.csv" and len(prov["sha256"]) == 64
    assert {s["family"] for s in prov["sources"]} == {"unvotes", "idealpoints"}
    assert "abstain=0.5" in prov["definitions"]["s_score"]


# ----------------------------------------------------------------- small files
def test_bad_vote_names_line_and_field() -> None:
    with pytest.raises(ReaderError) as info:
        unga.read_unga_votes(FIX / "un_votes_bad.csv", FIX / "un_roll_calls_small.csv")
    assert info.value.line == 4
    assert info.value.field == "vote"
    assert "maybe" in str(info.value)


def test_empty_and_wrong_layout() -> None:
    with pytest.raises(ReaderError, match="empty") as info:
        unga.read_unga_votes(FIX / "empty.csv", FIX / "un_roll_calls_small.csv")
    assert info.value.line == 1
    with pytest.raises(ReaderError, match="column missing") as info:
        unga.read_unga_votes(FIX / "wrong_layout.csv", FIX / "un_roll_calls_small.csv")
    assert info.value.field == "rcid"
    with pytest.raises(ReaderError, match="column missing"):
        unga.read_idealpoints(FIX / "wrong_layout.csv")


def test_votes_on_unknown_roll_calls(tmp_path: Path) -> None:
    rc = tmp_path / "rc.csv"
    rc.write_text((FIX / "un_roll_calls_small.csv").read_text().splitlines()[0] + "\n"
                  + (FIX / "un_roll_calls_small.csv").read_text().splitlines()[1] + "\n")  # fmt: skip
    with pytest.raises(ReaderError, match="does not list") as info:
        unga.read_unga_votes(FIX / "un_votes_unknown.csv", rc)
    assert info.value.line == 4


def test_unknown_code_warns_and_small_alignment() -> None:
    with pytest.warns(UnmappedCountryWarning, match="Atlantis"):
        v = unga.read_unga_votes(FIX / "un_votes_unknown.csv", FIX / "un_roll_calls_small.csv")
    t = unga.alignment(v, None, ["USA", "RUS"])
    r = row(t, 2017, "USA", "RUS")
    # rc 1: yes/no → 0 agreement, s 0; rc 2: abstain/abstain → 1 and 1
    assert (r["n_votes"], r["agreement"], r["s_score"]) == (2, 0.5, 0.5)
    assert r["idealpoint_distance"] is None
    with pytest.raises(DataError, match="CHN"):
        unga.alignment(v, None, ["USA", "CHN"])
    with pytest.raises(ConfigError):
        unga.alignment(v, None, ["USA"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["yes", "no", "abstain"]),
                          st.sampled_from(["yes", "no", "abstain"])), min_size=1, max_size=30))  # fmt: skip
def test_alignment_properties(pairs: list[tuple[str, str]]) -> None:
    """Bounds, symmetry, and s_score ≥ agreement, against a direct computation."""
    val = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
    rcid, iso3, vote = [], [], []
    for i, (a, b) in enumerate(pairs):
        rcid += [i, i]
        iso3 += ["AAA", "BBB"]
        vote += [a, b]
    v = pa.table(
        {"rcid": rcid, "year": [2000] * len(rcid), "iso3": iso3, "vote": vote,
         "vote_value": [val[x] for x in vote]}
    )  # fmt: skip
    ab = unga.alignment(v, None, ["AAA", "BBB"]).to_pylist()[0]
    ba = unga.alignment(v, None, ["BBB", "AAA"]).to_pylist()[0]
    assert ab["n_votes"] == ba["n_votes"] == len(pairs)
    assert ab["agreement"] == pytest.approx(ba["agreement"])
    assert ab["s_score"] == pytest.approx(ba["s_score"])
    assert ab["agreement"] == pytest.approx(sum(a == b for a, b in pairs) / len(pairs))
    s = sum(1 - abs(val[a] - val[b]) for a, b in pairs) / len(pairs)
    assert ab["s_score"] == pytest.approx(s)
    assert 0 <= ab["agreement"] <= ab["s_score"] <= 1
