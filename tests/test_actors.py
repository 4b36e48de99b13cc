"""ActorResolver: country names, Sector (Country) forms, people, the user's own table."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from trilateral.data.actors import ActorResolver, is_multilateral, normalise_name
from trilateral.errors import ConfigError, ReaderError

FILES = Path(__file__).resolve().parents[1] / "src" / "trilateral" / "data" / "_files"


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.load()


def test_normalise_name() -> None:
    assert normalise_name("Côte_d'Ivoire") == normalise_name("Cote d’Ivoire") == "cote d ivoire"
    assert normalise_name("The Gambia") == normalise_name("gambia")
    assert normalise_name("  United__States ") == "united states"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Russian Federation", "RUS"),
        ("Russia", "RUS"),
        ("United States", "USA"),
        ("United_States", "USA"),
        ("China", "CHN"),
        ("Occupied Palestinian Territory", "PSE"),
        ("the former Yugoslav Republic of Macedonia", "MKD"),
        ("Moldova, Republic of", "MDA"),
        ("Democratic Republic of Congo", "COD"),
        ("Congo", "COG"),
        ("Cote d'Ivoire", "CIV"),
        ("Holy See", "VAT"),
        ("Hong Kong", "HKG"),
        ("Taiwan", "TWN"),
        ("North Korea", "PRK"),
        ("South Korea", "KOR"),
        ("Swaziland", "SWZ"),
        ("Korea, Rep.", "KOR"),  # World Bank spelling
        ("Türkiye", "TUR"),
    ],
)
def test_country_names(resolver: ActorResolver, name: str, iso3: str) -> None:
    assert resolver.resolve(name) == iso3
    assert resolver.country(name) == iso3


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Foreign_Affairs_(Russia)", "RUS"),
        ("Citizen_(India)", "IND"),
        ("Cabinet_/_Council_of_Ministers_/_Advisors_(India)", "IND"),
        ("Police_(Hong_Kong)", "HKG"),
        ("Foreign Affairs (Bangladesh)", "BGD"),  # ICEWS raw Source Name spelling
        ("Citizen_(United_States)", "USA"),
        ("Holy_See_(Vatican_City_State)", "VAT"),
    ],
)
def test_sector_forms(resolver: ActorResolver, name: str, iso3: str) -> None:
    assert resolver.resolve(name) == iso3


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        # spellings as they appear in shared/data/icews/icews18_tkg_valid/valid.txt
        ("Vladimir_Putin", "RUS"),
        ("Sergey_Viktorovich_Lavrov", "RUS"),
        ("Sergey_Kuzhugetovich_Shoygu", "RUS"),
        ("Dmitry_Anatolyevich_Medvedev", "RUS"),
        ("Donald_Trump", "USA"),
        ("Mike_Pompeo", "USA"),
        ("James_Mattis", "USA"),
        ("John_R._Bolton", "USA"),
        ("Joseph_Robinette_Biden", "USA"),
        ("George_W._Bush", "USA"),
        ("Xi_Jinping", "CHN"),
        ("Wang_Yi", "CHN"),
        ("Li_Keqiang", "CHN"),
        ("Wei_Fenghe", "CHN"),
        # the brief's list, short spellings
        ("Mikhail Kasyanov", "RUS"),
        ("Igor Ivanov", "RUS"),
        ("Sergei Ivanov", "RUS"),
        ("Anatoly Serdyukov", "RUS"),
        ("Mikhail Mishustin", "RUS"),
        ("Dick Cheney", "USA"),
        ("Kamala Harris", "USA"),
        ("Lloyd Austin", "USA"),
        ("Jiang Zemin", "CHN"),
        ("Zhu Rongji", "CHN"),
        ("Chi Haotian", "CHN"),
        ("Dong Jun", "CHN"),
        ("Li Shangfu", "CHN"),
        # middle names dropped to the first-and-last-name row
        ("Vladimir Vladimirovich Putin", "RUS"),
        ("Mikhail Yefimovich Fradkov", "RUS"),
    ],
)
def test_people(resolver: ActorResolver, name: str, iso3: str) -> None:
    assert resolver.resolve(name) == iso3


@pytest.mark.parametrize(
    "name",
    [
        "United_Nations",
        "European_Union",
        "Unspecified_Actor",
        "Africa",
        "Kim_Jong-Un",
        "Chief_of_Staff_(Israeli_Defense_Forces)",
        "Gjorge_Ivanov",
        "",
        "()",
        "Soviet Union",
    ],
)
def test_unknown_is_none(resolver: ActorResolver, name: str) -> None:
    assert resolver.resolve(name) is None


def test_leaders_cover_the_brief(resolver: ActorResolver) -> None:
    wanted = {
        "RUS": [
            "Vladimir Putin",
            "Dmitry Medvedev",
            "Sergey Lavrov",
            "Sergei Ivanov",
            "Sergei Shoigu",
            "Anatoliy Serdyukov",
            "Mikhail Kasyanov",
            "Mikhail Fradkov",
            "Viktor Zubkov",
            "Mikhail Mishustin",
            "Igor Ivanov",
        ],
        "USA": [
            "George W. Bush",
            "Barack Obama",
            "Donald Trump",
            "Joe Biden",
            "Dick Cheney",
            "Mike Pence",
            "Kamala Harris",
            "Colin Powell",
            "Condoleezza Rice",
            "Hillary Clinton",
            "John Kerry",
            "Rex Tillerson",
            "Mike Pompeo",
            "Antony Blinken",
            "Donald Rumsfeld",
            "Robert Gates",
            "Leon Panetta",
            "Chuck Hagel",
            "Ash Carter",
            "James Mattis",
            "Mark Esper",
            "Lloyd Austin",
        ],
        "CHN": [
            "Jiang Zemin",
            "Hu Jintao",
            "Xi Jinping",
            "Zhu Rongji",
            "Wen Jiabao",
            "Li Keqiang",
            "Li Qiang",
            "Tang Jiaxuan",
            "Li Zhaoxing",
            "Yang Jiechi",
            "Wang Yi",
            "Qin Gang",
            "Chi Haotian",
            "Cao Gangchuan",
            "Liang Guanglie",
            "Chang Wanquan",
            "Wei Fenghe",
            "Li Shangfu",
            "Dong Jun",
        ],
    }
    for iso, names in wanted.items():
        for name in names:
            assert resolver.person(name) == iso, name


def test_shipped_tables_are_well_formed() -> None:
    with (FILES / "leaders.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["name", "iso3", "role", "start", "end"]
    for r in rows:
        assert r["iso3"] in {"USA", "RUS", "CHN", "GBR", "FRA"}
        assert len(r["start"]) == 10
        assert r["end"] == "" or r["end"] >= r["start"]
    with (FILES / "country_names.csv").open(encoding="utf-8") as fh:
        names = list(csv.DictReader(fh))
    # all 193 UN members + 2 observers + Taiwan, Kosovo, HK, Macao, W. Sahara, ... ≥ 195
    assert len({r["iso3"] for r in names}) >= 195


def test_every_icews_sample_country_resolves(resolver: ActorResolver, shared_data: Path) -> None:
    path = shared_data / "icews" / "icews_raw_sample_2018" / "events.2018.sample.tab"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    names = {r[c] for r in rows for c in ("Source Country", "Target Country", "Country")}
    names -= {"NA", ""}
    assert len(names) == 151  # 152 distinct values incl. "NA" (see the test's csv loop)
    assert [n for n in names if resolver.country(n) is None] == []


def test_extra_table_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "mine.csv"
    extra.write_text("name,iso3,role\nKim Jong-Un,PRK,leader\nAfrica,ZAF,\n", encoding="utf-8")
    r = ActorResolver.load(extra=extra)
    assert r.resolve("Kim_Jong-Un") == "PRK"
    assert r.resolve("Africa") == "ZAF"  # the user's table wins, even as a country name
    assert r.resolve("Russia") == "RUS"
    assert ActorResolver.load().resolve("Kim_Jong-Un") is None  # shipped one unchanged


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("who,where\nx,RUS\n", 1, None),
        ("name,iso3\nPutin,Russia\n", 2, "iso3"),
        ("name,iso3\nA,RUS\nA,USA\n", 3, "name"),
        ("name,iso3\n,RUS\n", 2, "name"),
        ("", None, None),
    ],
)
def test_extra_table_errors(tmp_path: Path, text: str, line: int | None, field: str | None) -> None:
    extra = tmp_path / "bad.csv"
    extra.write_text(text, encoding="utf-8")
    with pytest.raises(ReaderError) as ei:
        ActorResolver.load(extra=extra)
    assert ei.value.line == line
    assert ei.value.field == field


def test_extra_table_missing_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ActorResolver.load(extra=tmp_path / "nope.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("name,iso3\nCôte,CIV\n".encode("latin-1"))
    with pytest.raises(ReaderError, match="UTF-8"):
        ActorResolver.load(extra=bad)


P5_ROLES = {
    "USA": ("head_of_state", "foreign_minister", "defence_minister", "un_ambassador"),
    "RUS": ("head_of_state", "head_of_government", "foreign_minister", "defence_minister", "un_ambassador"),
    "CHN": ("head_of_state", "head_of_government", "foreign_minister", "defence_minister", "un_ambassador"),
    "GBR": ("head_of_state", "head_of_government", "foreign_minister", "defence_minister", "un_ambassador"),
    "FRA": ("head_of_state", "head_of_government", "foreign_minister", "defence_minister", "un_ambassador"),
}  # fmt: skip


def test_p5_offices_covered_2005_to_2019() -> None:
    """Every quarter of 2005–2019 has a holder of each office of the five permanent members
    (the US president is head of state and government)."""
    with (FILES / "leaders.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gaps = []
    for year in range(2005, 2020):
        for month in (1, 4, 7, 10):
            day = f"{year}-{month:02d}-01"
            for iso, roles in P5_ROLES.items():
                for role in roles:
                    if not any(
                        r["iso3"] == iso
                        and r["role"] == role
                        and r["start"] <= day
                        and (r["end"] == "" or day <= r["end"])
                        for r in rows
                    ):
                        gaps.append((day, iso, role))
    assert gaps == []


@pytest.mark.parametrize(
    ("name", "day", "iso"),
    [
        ("Barack_Obama", "2004-06-01", None),  # before his Senate term
        ("Barack_Obama", "2006-06-01", "USA"),  # senator
        ("Barack_Obama", "2018-06-01", "USA"),  # former head of state
        ("Dmitry_Anatolyevich_Medvedev", "2009-06-01", "RUS"),  # via the "Dmitry Medvedev" rows
        ("Dmitry_Anatolyevich_Medvedev", "2002-06-01", None),
        ("Tony_Blair", "2006-06-01", "GBR"),
        ("Tony_Blair", "2010-06-01", None),  # Quartet envoy, 2007-2015: not a UK actor
        ("Qin_Gang", "2009-06-01", "CHN"),  # foreign-ministry spokesman
        ("Sergey_Lavrov", "2003-06-01", None),
        ("Jean-Yves_Le_Drian", "2018-06-01", "FRA"),
        ("Rex_Tillerson", "2018-06-01", None),  # left office 2018-03-31
    ],
)
def test_people_resolve_only_within_their_terms(
    resolver: ActorResolver, name: str, day: str, iso: str | None
) -> None:
    assert resolver.resolve(name, on=dt.date.fromisoformat(day)) == iso
    assert resolver.resolve(name.replace("_", " "), on=dt.date.fromisoformat(day)) == iso


def test_multilateral_actors_stay_unresolved(resolver: ActorResolver) -> None:
    for name in (
        "European_Union",
        "North_Atlantic_Treaty_Organization",
        "United_Nations",
        "UN_Security_Council",
        "African_Union",
        "International_Monetary_Fund",
    ):
        assert resolver.resolve(name, on=dt.date(2018, 6, 1)) is None, name
        assert is_multilateral(name), name
    assert not is_multilateral("Narendra_Modi")


def test_dated_user_table(tmp_path: Path) -> None:
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "name,iso3,role,start,end\nKim Jong-Un,PRK,leader,2011-12-17,\n", encoding="utf-8"
    )
    r = ActorResolver.load(extra=extra)
    assert r.resolve("Kim_Jong-Un", on=dt.date(2018, 6, 12)) == "PRK"
    assert r.resolve("Kim_Jong-Un", on=dt.date(2010, 6, 12)) is None
    bad = tmp_path / "bad.csv"
    bad.write_text("name,iso3,role,start,end\nX Y,PRK,leader,2011-13-17,\n", encoding="utf-8")
    with pytest.raises(ReaderError) as err:
        ActorResolver.load(extra=bad)
    assert err.value.line == 2 and err.value.field == "start"


def _person(name: str) -> str:
    """First and last word of the normalised name: every spelling of one person."""
    words = normalise_name(name).split()
    return f"{words[0]} {words[-1]}"


def test_nobody_is_head_of_state_and_of_government_at_once() -> None:
    """No person holds two different top roles (head of state, head of government) on the
    same day, counting every spelling of the name (the resolver merges them). The ICEWS
    spelling `Vladimir Vladimirovich Putin` once had one open head-of-state term from 2000,
    through his years as prime minister."""
    with (FILES / "leaders.csv").open(encoding="utf-8") as fh:
        rows = [
            r for r in csv.DictReader(fh) if r["role"] in ("head_of_state", "head_of_government")
        ]
    clashes = []
    for a in rows:
        for b in rows:
            if _person(a["name"]) != _person(b["name"]) or a["role"] >= b["role"]:
                continue
            a_end, b_end = a["end"] or "9999-12-31", b["end"] or "9999-12-31"
            if a["start"] < b_end and b["start"] < a_end:  # more than a handover day
                clashes.append((a["name"], a["role"], a["start"], b["name"], b["role"], b["start"]))
    assert clashes == []


def test_spot_checked_rows_are_in_the_table() -> None:
    """The rows ACTORS.md says were checked (with their sources) are in leaders.csv as
    written, and there are at least 20 of them."""
    text = (FILES / "ACTORS.md").read_text(encoding="utf-8")
    section = text[text.index("### Spot check of office dates") :]
    table = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| name")
    ]
    with (FILES / "leaders.csv").open(encoding="utf-8") as fh:
        rows = {(r["name"], r["iso3"], r["role"], r["start"], r["end"]) for r in csv.DictReader(fh)}
    checked = [tuple(r[:5]) for r in table]
    assert len(checked) >= 20 and all(r[5] for r in table)
    assert [r for r in checked if r not in rows] == []


def test_putin_is_prime_minister_2008_to_2012_in_every_spelling(resolver: ActorResolver) -> None:
    for name in ("Vladimir_Putin", "Vladimir_Vladimirovich_Putin"):
        roles = {t.role for t in resolver.terms(name) if t.covers(dt.date(2010, 6, 1))}
        assert roles == {"head_of_government"}, name
    assert resolver.resolve("Vassily Nebenzia", on=dt.date(2018, 3, 30)) == "RUS"
