"""The one YAML loader (issue 21, item 2): one test per defect of the issue, each through
``load_scenario`` (the library) and ``trilateral simulate`` (the CLI: exit 2, no
traceback), plus the claims file and the loader's own caps."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trilateral import _yaml
from trilateral._yaml import YamlError, load_yaml, load_yaml_text
from trilateral.cli import app
from trilateral.diagnose import load_claims
from trilateral.simulate import load_scenario

runner = CliRunner()


def _cli_fails(path: Path, *needles: str) -> None:
    """``trilateral simulate PATH`` exits 2 with every needle in the message, no traceback."""
    res = runner.invoke(app, ["simulate", str(path), "--runs", "2", "--periods", "6"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    text = res.output.replace("\n", " ")
    for needle in needles:
        assert needle in text, (needle, res.output)


def test_latin1_file_names_file_line_and_byte(tmp_path: Path) -> None:
    p = tmp_path / "latin.yaml"
    p.write_bytes("name: test\ndescription: Fran\u00e7ois\n".encode("latin-1"))
    with pytest.raises(YamlError, match=r"latin.yaml, line 2, column 18: byte 0xe7 is not UTF-8"):
        load_scenario(p)
    _cli_fails(p, "latin.yaml", "line 2", "not UTF-8", "save the file as UTF-8")


def test_impossible_date_names_the_key(tmp_path: Path) -> None:
    p = tmp_path / "date.yaml"
    p.write_text("name: test\nstart: 2020-13-45\n", encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert "date.yaml, line 2, key 'start'" in msg and "'2020-13-45' is not a date" in msg
    assert "YYYY-MM-DD" in msg
    _cli_fails(p, "key 'start'", "2020-13-45")
    # nested, and in a sequence: the key path is named
    with pytest.raises(YamlError, match=r"line 3, key 'a.b\[1\]'"):
        load_yaml_text("a:\n  b: [2020-01-01,\n   2021-02-30]\n")


BOMB = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
players: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_alias_bomb_fails_fast_with_memory_bounded(tmp_path: Path) -> None:
    p = tmp_path / "bomb.yaml"
    p.write_text(BOMB, encoding="utf-8")  # 9**9 = 387 million strings once expanded
    tracemalloc.start()
    try:
        with pytest.raises(YamlError, match="values once its aliases are expanded"):
            load_scenario(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6, f"peak {peak / 1e6:.0f} MB"
    _cli_fails(p, "bomb.yaml", "alias bomb")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError, match="recursive alias"):
        load_yaml_text("a: &a [1, *a]\n")


def test_bool_for_int_and_int_for_str_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "strict.yaml"
    p.write_text("name: test\nruns: true\n", encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert "strict.yaml, line 2, key 'runs': value True" in msg and "integer" in msg
    _cli_fails(p, "key 'runs'", "True")
    p.write_text("name: 5\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"line 1, key 'name': value 5 — allowed: a valid string"):
        load_scenario(p)
    # a float is no int either, and a mapping given in Python is checked the same way
    with pytest.raises(YamlError, match=r"key 'periods': value 12.5"):
        load_scenario({"periods": 12.5})


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "dup.yaml"
    p.write_text("name: test\nruns: 10\nplayers: {}\nruns: 20\n", encoding="utf-8")
    with pytest.raises(
        YamlError, match=r"dup.yaml, line 4, key 'runs': given twice \(first on line 2\)"
    ):
        load_scenario(p)
    _cli_fails(p, "given twice")
    # nested mappings too; a merge key (<<) is no duplicate
    with pytest.raises(YamlError, match=r"key 'players.USA.noise': given twice"):
        load_yaml_text("players:\n  USA:\n    noise: 1\n    noise: 2\n")
    assert load_yaml_text("b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n")["c"] == {"x": 2}


def test_horizon_over_the_periods_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "horizon.yaml"
    p.write_text("name: test\nperiods: 24\nhorizon: 60\n", encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert "horizon.yaml, line 3, key 'horizon': value 60" in msg
    assert "at most periods (24)" in msg
    res = runner.invoke(app, ["simulate", str(p), "--runs", "2"])
    assert res.exit_code == 2 and "at most periods (24)" in res.output.replace("\n", " ")
    with pytest.raises(YamlError, match=r"key 'horizon': value 5000"):
        load_scenario({"horizon": 5000})  # over MAX_PERIODS: refused with the cap


def test_extends_cycle_names_the_chain(tmp_path: Path) -> None:
    me = tmp_path / "me.yaml"
    me.write_text("extends: me.yaml\nname: me\n", encoding="utf-8")
    with pytest.raises(
        YamlError, match=r"'extends' chain goes round in a circle: .*me.yaml → .*me.yaml"
    ):
        load_scenario(me)
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\n", encoding="utf-8")
    b.write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_scenario(a)
    assert f"{a} → {b} → {a}" in str(err.value)
    _cli_fails(a, "goes round in a circle", "a.yaml → ")


def test_extends_merges_deeply(tmp_path: Path) -> None:
    p = tmp_path / "usa_grim.yaml"
    p.write_text(
        "extends: paper\nname: usa_grim\nplayers:\n  USA:\n    strategy: grim_trigger\n",
        encoding="utf-8",
    )
    sc = load_scenario(p)
    # paper.yaml gives each player noise 0.15 and hawkishness sensitivity 0.1
    assert sc.players["USA"].strategy.strategy == "grim_trigger"  # type: ignore[union-attr]
    assert sc.players["USA"].noise == 0.15
    assert sc.players["USA"].hawkishness.sensitivity == 0.1
    assert sorted(sc.players) == ["CHN", "RUS", "USA"]
    assert sc.players["RUS"].noise == 0.15
    assert sc.runs == 1000 and sc.horizon == 60  # the rest of paper.yaml
    # policies are the set a variation compares: given whole, not merged
    assert list(load_scenario("proactive_trilateral").policies) == ["proactive_trilateral"]


def test_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "big.yaml"
    p.write_text("name: test\n" + "# padding\n" * 200, encoding="utf-8")
    monkeypatch.setattr(_yaml, "MAX_BYTES", 1000)
    with pytest.raises(YamlError, match=r"big.yaml: 2,011 bytes, more than the 1,000 allowed"):
        load_scenario(p)


def test_claims_file_goes_through_the_loader(tmp_path: Path) -> None:
    p = tmp_path / "claims.yaml"
    p.write_text("claims: []\nclaims: []\n", encoding="utf-8")
    with pytest.raises(YamlError, match="key 'claims': given twice"):
        load_claims(p)
    p.write_bytes("claims:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlError, match="not UTF-8"):
        load_claims(p)


def test_load_yaml_missing_file(tmp_path: Path) -> None:
    with pytest.raises(YamlError, match=r"missing.yaml: cannot read it"):
        load_yaml(tmp_path / "missing.yaml")


def test_an_inherited_bad_value_names_the_file_that_gives_it(tmp_path: Path) -> None:
    """A bad value a scenario takes from the file it extends is reported in that file, at
    its line, not in the child (which does not hold it)."""
    (tmp_path / "base.yaml").write_text("name: base\nruns: true\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nname: child\n", encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_scenario(child)
    assert f"{tmp_path / 'base.yaml'}, line 2, key 'runs': value True" in str(err.value)
    assert "child.yaml, key 'runs'" not in str(err.value)
    (tmp_path / "base.yaml").write_text("name: base\nperiods: 24\n", encoding="utf-8")
    child.write_text("extends: base.yaml\nname: child\nhorizon: 60\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"child.yaml, line 3, key 'horizon': value 60"):
        load_scenario(child)


def test_extends_replaces_a_strategy_of_another_kind_whole(tmp_path: Path) -> None:
    """A variation that gives a player another strategy does not inherit the coefficients
    of the strategy it replaces (paper.yaml's proactive policy: generous_tit_for_tat with
    initiative 0.3; grim is grim_trigger's own coefficient)."""
    (tmp_path / "base.yaml").write_text(
        "name: base\nplayers:\n  USA:\n    noise: 0.2\n"
        "    strategy: {strategy: grim_trigger, grim: 1.5}\n",
        encoding="utf-8",
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: base.yaml\nplayers:\n  USA:\n    strategy: {strategy: tit_for_tat, opening: 0.1}\n",
        encoding="utf-8",
    )
    usa = load_scenario(child).players["USA"]
    assert usa.strategy.strategy == "tit_for_tat"  # type: ignore[union-attr]
    assert usa.strategy.overrides() == {"opening": 0.1}  # type: ignore[union-attr]
    assert usa.noise == 0.2  # the rest of the player is still merged
    # the same strategy, one coefficient changed: merged key by key
    child.write_text(
        "extends: base.yaml\nplayers:\n  USA:\n    strategy: {strategy: grim_trigger, opening: 0.1}\n",
        encoding="utf-8",
    )
    spec = load_scenario(child).players["USA"].strategy
    assert spec.overrides() == {"opening": 0.1, "grim": 1.5}  # type: ignore[union-attr]
    # one strategy per partner: the partner whose strategy changes loses the old one's
    # coefficients, the other partner keeps its own
    (tmp_path / "base.yaml").write_text(
        "name: base\nplayers:\n  USA:\n    strategy:\n"
        "      RUS: {strategy: grim_trigger, grim: 1.5}\n      CHN: {strategy: fitted}\n",
        encoding="utf-8",
    )
    child.write_text(
        "extends: base.yaml\nplayers:\n  USA:\n    strategy:\n      RUS: {strategy: tit_for_tat}\n",
        encoding="utf-8",
    )
    per = load_scenario(child).players["USA"].strategy
    assert per["RUS"].strategy == "tit_for_tat" and per["RUS"].overrides() == {}  # type: ignore[index]
    assert per["CHN"].strategy == "fitted"  # type: ignore[index]


def test_a_deeply_nested_file_is_refused_without_a_traceback(tmp_path: Path) -> None:
    """10 kB of nested brackets (under the size cap) blew PyYAML's recursion: a
    RecursionError traceback, exit 1."""
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"deep.yaml: nested too deeply"):
        load_scenario(p)
    _cli_fails(p, "deep.yaml", "nested too deeply")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_read_only_up_to_the_cap() -> None:
    """A device states size 0 and never ends: it is read up to the cap, not to memory's
    end."""
    with pytest.raises(YamlError, match=r"/dev/zero: more than the 1,000,000 bytes allowed"):
        load_yaml("/dev/zero")  # load_claims(path) reads through it, with no is_file check
