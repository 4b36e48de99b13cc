"""docs/validity.md holds what docs/validity.py prints, and its figures hold up against
raw SQL on the same shipped files (not through the measure stage)."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import stats

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def validity():
    spec = importlib.util.spec_from_file_location("validity", DOCS / "validity.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["validity"] = mod  # dataclasses look their module up while defining
    try:
        spec.loader.exec_module(mod)
        yield mod
    finally:
        sys.modules.pop("validity", None)


@pytest.fixture(scope="module")
def store(validity, tmp_path_factory):
    return validity.build_store(tmp_path_factory.mktemp("validity") / "v.duckdb")


@pytest.fixture(scope="module")
def text(validity, store):
    return validity.report(store)


def test_the_page_holds_the_scripts_output(validity, text):
    assert validity.generated() == text, "run: .venv/bin/python docs/validity.py --write"


def _row(text: str, section: str, period: str, dyad: str) -> list[str]:
    part = text.split(f"### {section}")[1].split("###")[0]
    line = next(x for x in part.splitlines() if x.startswith(f"| {period} | {dyad} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_monthly_usa_rus_2018_against_raw_sql(store, text):
    """Monthly mean Goldstein of USA–RUS (both directions) per base by raw SQL; numpy/scipy
    correlation over the months where both bases have events."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute(
            "SELECT CASE WHEN dataset = 'chronicle' THEN 'chronicle' ELSE 'icews' END, "
            "month(date), avg(goldstein), count(*) FROM events "
            "WHERE least(source, target) = 'RUS' AND greatest(source, target) = 'USA' "
            "AND date BETWEEN ? AND ? GROUP BY ALL",
            [date(2018, 1, 1), date(2018, 9, 30)],
        ).fetchall()
    finally:
        con.close()
    means = {(b, m): g for b, m, g, _ in rows}
    counts = {b: sum(n for bb, _, _, n in rows if bb == b) for b in ("chronicle", "icews")}
    months = sorted(m for b, m in means if b == "chronicle" and ("icews", m) in means)
    x = np.array([means[("chronicle", m)] for m in months])
    y = np.array([means[("icews", m)] for m in months])
    r = stats.pearsonr(x, y)
    lo, hi = r.confidence_interval(0.95)
    cells = _row(text, "2018-01 to 2018-09", "month", "RUS–USA")
    assert cells[3] == str(len(months))
    assert cells[4] == f"{counts['chronicle']} / {counts['icews']}"
    assert cells[5] == f"{r.statistic:+.2f} ({lo:+.2f}, {hi:+.2f})"
    same = sum((a > 0) == (b > 0) for a, b in zip(x, y, strict=True) if a != 0 and b != 0)
    assert cells[7] == f"{same}/{sum(1 for a, b in zip(x, y, strict=True) if a and b)}"


def test_named_expulsions_visible_in_both_bases(text):
    line = next(x for x in text.splitlines() if x.startswith("| 2018-03-29 |"))
    assert re.search(r"\| yes \(\d+\), [-+][\d.]+ vs [-+][\d.]+ \| yes \(\d+\)", line)
