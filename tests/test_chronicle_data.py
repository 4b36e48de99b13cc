"""The shipped chronicle of China–US–Russia interactions (``_files/chronicle.csv``).

These tests read the CSV with nothing but the standard ``csv`` module, so they check the
data itself, independently of the chronicle reader. Sources for every expected value are
the reference paper (Feng Yujun 2019, ``reference/feng-2019-us-russia-relations-and-china.txt``)
and the citations recorded in the CSV row; see ``_files/CHRONICLE.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from functools import cache
from importlib import resources

import pytest

from trilateral.data.codebook import Codebook

FILES = resources.files("trilateral.data") / "_files"

COLUMNS = [
    "event_id",
    "date",
    "source",
    "target",
    "source_actor",
    "target_actor",
    "cameo",
    "quad_class",
    "goldstein",
    "arena",
    "weight",
    "dataset",
    "location",
    "url_or_citation",
    "magnitude",
    "description",
]
TRIAD = {"USA", "RUS", "CHN"}
ARENAS = {"diplomatic", "economic", "information", "military", "political"}


@cache
def _raw() -> bytes:
    return (FILES / "chronicle.csv").read_bytes()


@cache
def _rows() -> tuple[dict[str, str], ...]:
    reader = csv.DictReader(io.StringIO(_raw().decode("utf-8"), newline=""))
    assert reader.fieldnames == COLUMNS
    return tuple(reader)


@cache
def _codebook() -> Codebook:
    return Codebook.load()


def _find(date: str, source: str, target: str, cameo: str) -> list[dict[str, str]]:
    return [
        r
        for r in _rows()
        if r["date"] == date
        and r["source"] == source
        and r["target"] == target
        and r["cameo"].startswith(cameo)
    ]


# -- file format -----------------------------------------------------------------------


def test_header_is_the_canonical_column_order() -> None:
    first_line = _raw().split(b"\n", 1)[0].decode("utf-8")
    assert first_line.split(",") == COLUMNS


def test_file_is_utf8_lf_and_minimally_quoted() -> None:
    raw = _raw()
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    text = raw.decode("utf-8")
    # Re-serialising with the csv module's defaults reproduces the file byte for byte,
    # so quoting is QUOTE_MINIMAL and no field carries stray whitespace or newlines.
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(csv.reader(io.StringIO(text, newline="")))
    assert buf.getvalue() == text


def test_every_row_has_all_columns() -> None:
    for r in _rows():
        assert None not in r, f"{r.get('event_id')}: extra fields"
        assert all(v is not None for v in r.values()), f"{r['event_id']}: missing fields"


# -- coverage --------------------------------------------------------------------------


def test_at_least_200_events() -> None:
    assert len(_rows()) >= 200


def test_dates_cover_2014_to_2019() -> None:
    dates = [dt.date.fromisoformat(r["date"]) for r in _rows()]
    assert min(dates) <= dt.date(2014, 3, 31)
    assert max(dates) >= dt.date(2019, 12, 1)
    years = Counter(d.year for d in dates)
    for year in range(2014, 2020):
        assert years[year] >= 10, f"only {years[year]} events in {year}"


@pytest.mark.parametrize("year", range(2014, 2020))
def test_every_dyad_appears_every_year(year: int) -> None:
    dyads = {frozenset((r["source"], r["target"])) for r in _rows() if r["date"][:4] == str(year)}
    assert dyads == {
        frozenset(("USA", "RUS")),
        frozenset(("USA", "CHN")),
        frozenset(("RUS", "CHN")),
    }


def test_cooperation_and_conflict_are_both_present_in_each_dyad() -> None:
    for pair in (("USA", "RUS"), ("USA", "CHN")):
        quads = {int(r["quad_class"]) for r in _rows() if {r["source"], r["target"]} == set(pair)}
        assert quads == {1, 2, 3, 4}, pair


# -- field validity --------------------------------------------------------------------


def test_event_ids_are_unique_sequential_and_in_date_order() -> None:
    ids = [r["event_id"] for r in _rows()]
    assert len(set(ids)) == len(ids)
    assert ids == [f"chron-{i:04d}" for i in range(1, len(ids) + 1)]
    dates = [r["date"] for r in _rows()]
    assert dates == sorted(dates)


def test_dates_are_iso_calendar_dates() -> None:
    for r in _rows():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]), r["event_id"]
        dt.date.fromisoformat(r["date"])  # raises on 2018-02-30 and the like


def test_source_and_target_are_distinct_triad_members() -> None:
    for r in _rows():
        assert r["source"] in TRIAD, r["event_id"]
        assert r["target"] in TRIAD, r["event_id"]
        assert r["source"] != r["target"], r["event_id"]


def test_actors_citation_and_description_are_filled() -> None:
    for r in _rows():
        for col in ("source_actor", "target_actor", "url_or_citation", "description"):
            assert r[col].strip(), f"{r['event_id']}: empty {col}"
            assert r[col] == r[col].strip(), f"{r['event_id']}: padded {col}"


def test_weight_dataset_and_location() -> None:
    for r in _rows():
        assert r["weight"] == "1", r["event_id"]
        assert r["dataset"] == "chronicle", r["event_id"]
        assert r["location"] == "" or re.fullmatch(r"[A-Z]{3}", r["location"]), r["event_id"]


def test_magnitudes_are_numbers_at_least_zero_when_present() -> None:
    present = 0
    for r in _rows():
        if r["magnitude"] == "":
            continue
        present += 1
        value = float(r["magnitude"])
        assert math.isfinite(value), r["event_id"]
        assert value >= 0, r["event_id"]
    assert present >= 50


# -- consistency with the codebook -----------------------------------------------------


def test_cameo_codes_are_text_codes_in_the_codebook() -> None:
    cb = _codebook()
    for r in _rows():
        code = r["cameo"]
        assert re.fullmatch(r"\d{3,4}", code), f"{r['event_id']}: {code!r}"
        assert code in cb, f"{r['event_id']}: unknown CAMEO code {code}"


def test_quad_class_goldstein_and_arena_follow_the_codebook() -> None:
    cb = _codebook()
    for r in _rows():
        code = r["cameo"]
        assert int(r["quad_class"]) == cb.quad_class(code), r["event_id"]
        assert float(r["goldstein"]) == cb.goldstein(code), r["event_id"]
        assert r["arena"] == cb.arena(code), r["event_id"]
        assert r["arena"] in ARENAS


def test_leading_zeros_are_kept() -> None:
    codes = {r["cameo"] for r in _rows()}
    assert {"036", "042", "057", "062"} <= codes


# -- every event the reference paper names ---------------------------------------------

# (date, source, target, CAMEO code or prefix, arena, magnitude or None)
PAPER_EVENTS = [
    # "At the 2007 Munich Security Conference, Putin strongly accused the US of its
    # unilateralist policy" [13]
    ("2007-02-10", "RUS", "USA", "111", "information", None),
    # "the Jackson-Vanik amendment ... was not abolished until 2012"
    ("2012-12-14", "USA", "RUS", "085", "economic", None),
    # "Since the Ukraine crisis in 2014, the US has launched multiple rounds of sanctions"
    ("2014-03-17", "USA", "RUS", "163", "economic", 7),
    ("2014-03-20", "USA", "RUS", "163", "economic", 21),
    ("2014-04-28", "USA", "RUS", "163", "economic", 24),
    # "Since its military action in Syria on September 30, 2015"
    ("2015-09-30", "USA", "RUS", "111", "information", None),
    # "reinforcement of local currency swap between China and Russia"
    ("2014-10-13", "CHN", "RUS", "057", "diplomatic", None),
    # "US military operations in the South China Sea"
    ("2015-10-27", "USA", "CHN", "150", "military", None),
    # "deployment of the THAAD system in South Korea"
    ("2016-07-08", "CHN", "USA", "111", "information", None),
    # "At the end of 2016 ... Obama expelled 35 Russian 'intelligence officers' and shut
    # down two Russian diplomatic facilities"
    ("2016-12-29", "USA", "RUS", "174", "diplomatic", 35),
    ("2016-12-29", "USA", "RUS", "172", "diplomatic", 2),
    # "Russia's malicious cyber-attacks against the US and intervention in the election"
    ("2016-12-29", "USA", "RUS", "163", "economic", 9),
    # "Putin temporarily put aside the issue and did not immediately respond"
    ("2016-12-30", "RUS", "USA", "056", "diplomatic", None),
    # "the US continuing to strengthen military presence in Eastern Europe"
    ("2017-01-12", "USA", "RUS", "154", "military", None),
    # Russian Ambassador Denisov on Russia–China–US interaction [20]
    ("2017-02-08", "RUS", "CHN", "030", "diplomatic", None),
    # "In July 2017, Pompeo, then Director of the CIA ... China ... presents the greatest
    # rivalry" [18]
    ("2017-07-20", "USA", "CHN", "111", "information", None),
    # "a sanctions bill ... passed by both chambers of the Congress by an overwhelming
    # majority the previous month" [1]
    ("2017-07-25", "USA", "RUS", "1312", "economic", None),
    ("2017-07-27", "USA", "RUS", "1312", "economic", None),
    # "the Russian government required the US diplomatic missions in Russia to cut its
    # staff to 455"
    ("2017-07-28", "RUS", "USA", "172", "diplomatic", 455),
    # "it also denied the US embassy's right to use two of its properties in Moscow from
    # August 1"
    ("2017-07-28", "RUS", "USA", "172", "diplomatic", 2),
    # "In August 2017, Trump reluctantly signed into law a sanctions bill on Russia" [1]
    ("2017-08-02", "USA", "RUS", "163", "economic", None),
    # "greatly reduced, even once temporarily suspended, the issuance of visas"
    ("2017-08-21", "USA", "RUS", "172", "diplomatic", None),
    # "the US required Russia to close its San Francisco consulate and two diplomatic
    # agencies in Washington and New York"
    ("2017-08-31", "USA", "RUS", "172", "diplomatic", 3),
    # "Russia's diplomatic agencies in San Francisco and Washington were also searched"
    ("2017-09-02", "USA", "RUS", "1711", "economic", None),
    # "On November 13, 2017, according to the Foreign Agents Registration Act, the US
    # identified the RT TV network ... as a foreign agent and revoked its qualification to
    # interview in the US Congress"
    ("2017-11-13", "USA", "RUS", "1721", "information", None),
    ("2017-11-29", "USA", "RUS", "1721", "information", None),
    # "Putin signed an amendment about the media's foreign agent status on November 25"
    ("2017-11-25", "RUS", "USA", "1721", "information", None),
    # "Dmitry Peskov ... accused the US authority of being arbitrary" [4]
    ("2017-11-30", "RUS", "USA", "111", "information", None),
    # "On December 5, the Russian Ministry of Justice identified nine US and European
    # media outlets, including the Voice of America, as foreign agents"
    ("2017-12-05", "RUS", "USA", "1721", "information", 9),
    # "The latest US National Security Strategy, released in December 2017" [11]
    ("2017-12-18", "USA", "RUS", "112", "information", None),
    ("2017-12-18", "USA", "CHN", "112", "information", None),
    # "the National Security Strategy, the Nuclear Posture Review and the National
    # Defense Strategy, released successively from the end of 2017"
    ("2018-01-19", "USA", "RUS", "112", "information", None),
    ("2018-02-02", "USA", "RUS", "112", "information", None),
    # "At the end of January 2018 ... 114 Russian politicians ... and 96 wealthy
    # businessmen" [2]
    ("2018-01-29", "USA", "RUS", "1312", "economic", 210),
    # "In an interview with BBC on January 30, 2018, Pompeo" [19]
    ("2018-01-30", "USA", "CHN", "112", "information", None),
    # "At the beginning of 2018, it was reported that the US military killed more than 200
    # Russian mercenaries in Syria" (the number is disputed: no magnitude)
    ("2018-02-07", "USA", "RUS", "195", "military", None),
    # "investigation team headed by Special Counsel Robert Mueller"
    ("2018-02-16", "USA", "RUS", "173", "political", 16),
    ("2018-07-13", "USA", "RUS", "173", "political", 12),
    # "The strange intoxication of ... Sergei Skripal ... in March 2018 again provoked
    # bilateral tensions"
    ("2018-03-15", "USA", "RUS", "112", "information", None),
    # "the United States ordered 60 Russian diplomats ... to leave ... and closed the
    # Russian consulate in Seattle" (announced 26 March; the paper dates it 29 March)
    ("2018-03-26", "USA", "RUS", "174", "diplomatic", 60),
    ("2018-03-26", "USA", "RUS", "172", "diplomatic", 1),
    # "Russia, not to be outdone, immediately ousted 60 US diplomats and closed the US
    # consulate in St. Petersburg"
    ("2018-03-29", "RUS", "USA", "174", "diplomatic", 60),
    ("2018-03-29", "RUS", "USA", "172", "diplomatic", 1),
    # "On April 1, 2018, RT officially stopped broadcasting in the US"
    ("2018-04-01", "USA", "RUS", "1721", "information", None),
    # "On April 6 ... 24 individuals and 14 companies were added to the list" [3]
    ("2018-04-06", "USA", "RUS", "163", "economic", 38),
    # "the poison gas attack in Douma ... the US State Department immediately claimed that
    # Russia 'shall take full responsibility'" [5]
    ("2018-04-08", "USA", "RUS", "112", "information", None),
    # "The US, the UK and France then raided on three target facilities in Syria"
    ("2018-04-14", "USA", "RUS", "195", "military", 105),
    # "During US National Security Advisor John Bolton's visit to Russia in late June 2018,
    # the two sides agreed that Trump and Putin would meet in Helsinki, Finland on July 16"
    ("2018-06-27", "USA", "RUS", "042", "diplomatic", None),
    ("2018-06-27", "RUS", "USA", "043", "diplomatic", None),
    ("2018-06-28", "USA", "RUS", "036", "diplomatic", None),
    ("2018-07-16", "USA", "RUS", "044", "diplomatic", None),
    ("2018-07-16", "RUS", "USA", "044", "diplomatic", None),
    # "the extension of the 2010 New Strategic Arms Reduction Treaty (New START)"
    ("2018-02-05", "USA", "RUS", "064", "military", None),
    # "Trump's recent insistence on launching a trade war against China"
    ("2018-07-06", "USA", "CHN", "163", "economic", 34),
    # "the Chinese and Russian governments have officially stated that they will not form
    # an alliance" (joint statements; the 2019 upgrade of the partnership)
    ("2019-06-05", "CHN", "RUS", "057", "diplomatic", None),
]


@pytest.mark.parametrize(
    ("date", "source", "target", "cameo", "arena", "magnitude"),
    PAPER_EVENTS,
    ids=[f"{d}-{s}-{t}-{c}" for d, s, t, c, _, _ in PAPER_EVENTS],
)
def test_paper_named_event_is_in_the_chronicle(
    date: str, source: str, target: str, cameo: str, arena: str, magnitude: float | None
) -> None:
    found = _find(date, source, target, cameo)
    assert found, f"no {source}->{target} {cameo}* event on {date}"
    assert {r["arena"] for r in found} == {arena}
    if magnitude is not None:
        assert magnitude in {float(r["magnitude"]) for r in found if r["magnitude"]}


@pytest.mark.parametrize(
    "ref", ["[1]", "[2]", "[3]", "[4]", "[5]", "[11]", "[13]", "[18]", "[19]", "[20]"]
)
def test_paper_references_about_events_are_cited(ref: str) -> None:
    # The paper's references that document an event (not statistics or essays).
    assert any(f"Feng 2019 ref {ref}" in r["url_or_citation"] for r in _rows())


# -- events the issue names beyond the paper (trade war, China–Russia, cooperation) ------

ISSUE_EVENTS = [
    # US-Russia cooperation
    ("2014-04-17", "USA", "RUS", "057", "diplomatic", None),  # Geneva statement on Ukraine
    ("2015-10-20", "USA", "RUS", "057", "diplomatic", None),  # air-safety MoU over Syria
    ("2016-02-22", "USA", "RUS", "057", "diplomatic", None),  # Syria cessation of hostilities
    ("2016-09-09", "RUS", "USA", "057", "diplomatic", None),  # Kerry-Lavrov Geneva deal
    ("2017-01-28", "USA", "RUS", "041", "diplomatic", None),  # first Trump-Putin call
    # 2014 Crimea rounds and Russia's answers
    ("2014-03-20", "RUS", "USA", "172", "diplomatic", 9),  # entry bans on 9 US officials
    ("2014-07-16", "USA", "RUS", "163", "economic", None),  # sectoral sanctions
    ("2014-07-29", "USA", "RUS", "163", "economic", 4),
    ("2014-08-06", "RUS", "USA", "163", "economic", None),  # food embargo
    # 2016 election interference
    ("2016-10-07", "USA", "RUS", "112", "information", None),
    ("2017-01-06", "USA", "RUS", "112", "information", None),
    ("2018-03-15", "USA", "RUS", "163", "economic", 24),
    # Skripal CBW Act sanctions and the INF Treaty
    ("2018-08-08", "USA", "RUS", "116", "political", None),
    ("2018-08-27", "USA", "RUS", "163", "economic", None),
    ("2019-08-02", "USA", "RUS", "163", "economic", None),
    ("2018-10-20", "USA", "RUS", "1313", "diplomatic", None),
    ("2019-02-01", "USA", "RUS", "160", "diplomatic", None),
    ("2019-02-02", "RUS", "USA", "160", "diplomatic", None),
    # China-US trade war and technology measures
    ("2018-03-08", "USA", "CHN", "163", "economic", None),  # Section 232
    ("2018-04-02", "CHN", "USA", "163", "economic", 3),
    ("2018-04-16", "USA", "CHN", "163", "economic", None),  # ZTE denial order
    ("2018-07-06", "CHN", "USA", "163", "economic", 34),
    ("2018-08-23", "USA", "CHN", "163", "economic", 16),
    ("2018-08-23", "CHN", "USA", "163", "economic", 16),
    ("2018-09-24", "USA", "CHN", "163", "economic", 200),
    ("2018-09-24", "CHN", "USA", "163", "economic", 60),
    ("2018-09-20", "USA", "CHN", "163", "economic", 2),  # CAATSA s.231 on the EDD
    ("2018-12-01", "USA", "CHN", "044", "diplomatic", None),  # Buenos Aires truce
    ("2018-12-01", "USA", "CHN", "0354", "economic", 200),
    ("2019-05-10", "USA", "CHN", "163", "economic", 200),
    ("2019-06-01", "CHN", "USA", "163", "economic", 60),
    ("2019-05-15", "USA", "CHN", "163", "economic", 69),  # Huawei Entity List
    ("2019-06-29", "USA", "CHN", "044", "diplomatic", None),  # Osaka
    ("2019-09-01", "USA", "CHN", "163", "economic", 112),  # list 4A
    ("2019-09-01", "CHN", "USA", "163", "economic", None),
    ("2019-12-13", "USA", "CHN", "0311", "economic", None),  # phase one announced
    # China-Russia
    ("2014-05-21", "RUS", "CHN", "057", "diplomatic", 400),  # Power of Siberia contract
    ("2014-05-20", "RUS", "CHN", "062", "military", None),  # Joint Sea-2014
    ("2015-05-11", "CHN", "RUS", "062", "military", None),  # Joint Sea-2015 (I)
    ("2016-09-12", "RUS", "CHN", "062", "military", None),  # Joint Sea-2016
    ("2017-07-21", "RUS", "CHN", "062", "military", None),  # Joint Sea-2017 (I)
    ("2018-09-11", "CHN", "RUS", "062", "military", 3200),  # Vostok-2018
    ("2019-04-29", "CHN", "RUS", "062", "military", None),  # Joint Sea-2019
    ("2019-07-23", "RUS", "CHN", "062", "military", None),  # joint bomber patrol
    ("2019-12-02", "RUS", "CHN", "061", "economic", None),  # Power of Siberia opens
]


@pytest.mark.parametrize(
    ("date", "source", "target", "cameo", "arena", "magnitude"),
    ISSUE_EVENTS,
    ids=[f"{d}-{s}-{t}-{c}" for d, s, t, c, _, _ in ISSUE_EVENTS],
)
def test_issue_named_event_is_in_the_chronicle(
    date: str, source: str, target: str, cameo: str, arena: str, magnitude: float | None
) -> None:
    found = _find(date, source, target, cameo)
    assert found, f"no {source}->{target} {cameo}* event on {date}"
    assert {r["arena"] for r in found} == {arena}
    if magnitude is not None:
        assert magnitude in {float(r["magnitude"]) for r in found if r["magnitude"]}


# -- what the measure stage relies on ----------------------------------------------------


def test_march_2018_expulsions_are_a_matched_tit_for_tat_pair() -> None:
    # Feng 2019: 60 expelled for 60 expelled; the answer came three days later.
    (act,) = _find("2018-03-26", "USA", "RUS", "174")
    (answer,) = _find("2018-03-29", "RUS", "USA", "174")
    assert act["arena"] == answer["arena"] == "diplomatic"
    gap = dt.date.fromisoformat(answer["date"]) - dt.date.fromisoformat(act["date"])
    assert gap <= dt.timedelta(days=7)
    assert float(answer["magnitude"]) / float(act["magnitude"]) == 1.0


def test_tariff_retaliation_is_same_day_and_same_value() -> None:
    for date, value in (("2018-07-06", 34.0), ("2018-08-23", 16.0)):
        (us,) = _find(date, "USA", "CHN", "163")
        (cn,) = _find(date, "CHN", "USA", "163")
        assert float(us["magnitude"]) == float(cn["magnitude"]) == value


def test_us_russia_sanctions_are_net_conflictual_2014_2019() -> None:
    # The record, not a tuning target: economic relations between the US and Russia in
    # 2014–2019 were dominated by sanctions and counter-sanctions.
    scores = [
        float(r["goldstein"])
        for r in _rows()
        if {r["source"], r["target"]} == {"USA", "RUS"}
        and r["arena"] == "economic"
        and "2014" <= r["date"][:4] <= "2019"
    ]
    assert len(scores) >= 20
    assert sum(scores) / len(scores) < -3


def test_provenance_note_ships_with_the_data() -> None:
    note = (FILES / "CHRONICLE.md").read_text("utf-8")
    assert "CC BY 4.0" in note
    assert "Feng" in note
