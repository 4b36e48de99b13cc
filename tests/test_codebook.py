"""The CAMEO codebook: shipped tables, Goldstein variants and the arena map per family.

Sources: GDELT's CAMEO.eventcodes.txt and CAMEO.goldsteinscale.txt, and the ICEWS tools'
goldstein_mappings (../shared/data/cameo/). The four codes where the two Goldstein tables
differ were read off those files by hand (`diff` of the two tables).
"""

from __future__ import annotations

import csv

import pytest

from trilateral.config import ARENAS
from trilateral.data.codebook import Codebook, quad_class_of
from trilateral.errors import ConfigError, ReaderError


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return Codebook.load()


def test_all_gdelt_codes_present(cb: Codebook, shared_data) -> None:
    with open(shared_data / "cameo" / "CAMEO.eventcodes.txt", encoding="utf-8") as fh:
        codes = [line.split("\t")[0] for line in fh.read().splitlines()[1:] if line.strip()]
    assert len(codes) == 311
    assert set(codes) == set(cb.rows)
    assert all(cb.arena(c) in ARENAS for c in codes)


@pytest.mark.parametrize(
    ("code", "gdelt", "icews"),
    [("016", -2.0, -5.0), ("022", 3.2, 3.4), ("164", -7.0, -6.5), ("165", -6.5, -7.0)],
)
def test_goldstein_tables_differ_where_published(code: str, gdelt: float, icews: float) -> None:
    assert Codebook.load("gdelt").goldstein(code) == gdelt
    assert Codebook.load("icews").goldstein(code) == icews


def test_icews_table_adds_1213() -> None:
    assert "1213" not in Codebook.load("gdelt")
    assert Codebook.load("icews").goldstein("1213") == -4.0
    assert Codebook.load("icews").arena("1213") == "diplomatic"


def test_tables_agree_elsewhere() -> None:
    g, i = Codebook.load("gdelt"), Codebook.load("icews")
    differ = {c for c in g.rows if g.goldstein(c) != i.goldstein(c)}
    assert differ == {"016", "022", "164", "165"}


def test_unknown_table_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown Goldstein table"):
        Codebook.load("acled")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "quad"),
    [
        ("010", 1),
        ("057", 1),
        ("061", 2),
        ("0871", 2),
        ("090", 3),
        ("1312", 3),
        ("141", 4),
        ("204", 4),
    ],
)
def test_quad_class_by_root(code: str, quad: int) -> None:
    assert quad_class_of(code) == quad


# The arena map, one case per row family (docs/data.md; issue: 163 sanctions →
# economic, 161/166 and expulsions → diplomatic, 111–112 accusations → information,
# 15/18–20 → military).
@pytest.mark.parametrize(
    ("code", "arena"),
    [
        ("163", "economic"),  # impose embargo, boycott or sanctions
        ("1312", "economic"),  # threaten sanctions
        ("085", "economic"),  # ease economic sanctions
        ("061", "economic"),  # cooperate economically
        ("071", "economic"),  # economic aid
        ("161", "diplomatic"),  # reduce or break diplomatic relations
        ("166", "diplomatic"),  # expel or withdraw
        ("1663", "diplomatic"),
        ("174", "diplomatic"),  # expel or deport individuals
        ("172", "diplomatic"),  # administrative sanctions (closures, staff caps)
        ("036", "diplomatic"),  # intent to meet
        ("042", "diplomatic"),  # make a visit
        ("057", "diplomatic"),  # sign formal agreement
        ("111", "information"),  # criticize or denounce
        ("112", "information"),  # accuse
        ("1125", "information"),
        ("1721", "information"),  # restrictions on press and speech (media war)
        ("012", "information"),  # pessimistic comment
        ("150", "military"),
        ("154", "military"),
        ("062", "military"),  # military cooperation (joint exercises)
        ("138", "military"),  # threaten force
        ("180", "military"),
        ("190", "military"),
        ("195", "military"),
        ("204", "military"),
        ("104", "political"),  # demand political reform
        ("140", "political"),  # political dissent
        ("173", "political"),  # arrest, detain
        ("113", "political"),  # rally opposition against
    ],
)
def test_arena_by_family(cb: Codebook, code: str, arena: str) -> None:
    assert cb.arena(code) == arena


def test_every_root_has_a_rule(cb: Codebook) -> None:
    roots = {prefix for prefix, _ in cb.arena_rules if len(prefix) == 2}
    assert roots == {f"{i:02d}" for i in range(1, 21)}


def test_user_arena_map_overrides(tmp_path) -> None:
    path = tmp_path / "arenas.csv"
    rows = [("cameo_prefix", "arena")] + [(f"{i:02d}", "political") for i in range(1, 21)]
    rows.append(("163", "economic"))
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    cb = Codebook.load(arena_map=path)
    assert cb.arena("163") == "economic"
    assert cb.arena("190") == "political"


def test_bad_arena_map_names_line_and_field(tmp_path) -> None:
    path = tmp_path / "arenas.csv"
    path.write_text("cameo_prefix,arena\n01,diplomatic\n02,cyber\n")
    with pytest.raises(ReaderError) as err:
        Codebook.load(arena_map=path)
    assert err.value.line == 3 and err.value.field == "arena"


def test_incomplete_arena_map_is_rejected(tmp_path) -> None:
    path = tmp_path / "arenas.csv"
    path.write_text("cameo_prefix,arena\n01,diplomatic\n")
    with pytest.raises(ConfigError, match="gives no arena"):
        Codebook.load(arena_map=path)


def test_relation_texts_map_to_codes(cb: Codebook) -> None:
    assert cb.code_for_text("Express_intent_to_cooperate") == "030"
    assert cb.code_for_text("Impose embargo, boycott, or sanctions") == "163"
    assert cb.code_for_text("Meet_at_a_third_location") == "044"
    assert cb.code_for_text("no such relation") is None


def test_to_arrow(cb: Codebook) -> None:
    t = cb.to_arrow()
    assert t.num_rows == 311
    assert t.column_names == ["cameo", "description", "goldstein", "quad_class", "arena"]


def test_a_prefix_given_twice_is_an_error(tmp_path) -> None:
    path = tmp_path / "arenas.csv"
    rows = ["cameo_prefix,arena"] + [f"{i:02d},political" for i in range(1, 21)]
    rows += ["163,economic", "163,diplomatic"]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ReaderError, match="given twice") as err:
        Codebook.load(arena_map=path)
    assert err.value.line == 23 and err.value.field == "cameo_prefix"
