"""The tit-for-tat figure draws each evidence base's answer rates per dyad apart, with the
chance baseline beside each (issue 18 item 1: "The report shows the answer rate against
the baseline, per dyad, never pooled over dyads"; item 2: never pool bases)."""

from __future__ import annotations

from datetime import date

import polars as pl

from trilateral.report import titfortat_figure

KEY = ["base", "arena", "source", "target"]
# two bases, two dyads, one arena; the "all" rows must not be drawn
SUMMARY = pl.DataFrame(
    {
        "base": ["chronicle", "chronicle", "icews", "icews", "icews"],
        "arena": ["diplomatic", "diplomatic", "diplomatic", "diplomatic", "all"],
        "source": ["USA", "RUS", "USA", "RUS", "USA"],
        "target": ["RUS", "USA", "RUS", "USA", "RUS"],
        "n_acts": [4, 3, 64, 47, 70],
        "n_answered": [3, 1, 37, 34, 40],
        "answer_rate": [0.75, 1 / 3, 37 / 64, 34 / 47, 40 / 70],
    }
)
BASELINE = (
    SUMMARY.filter(pl.col("arena") != "all")
    .select(KEY)
    .with_columns(
        chance_rate=pl.Series([0.1, 0.2, 0.5, 0.6]),
        chance_low=pl.Series([0.0, 0.05, 0.4, 0.5]),
        chance_high=pl.Series([0.3, 0.4, 0.6, 0.7]),
    )
)
MATCHES = pl.DataFrame(
    {
        "answered": [True],
        "arena": ["diplomatic"],
        "lag_days": [3],
        "magnitude_ratio": [1.5],
        "source": ["USA"],
        "target": ["RUS"],
        "act_date": [date(2018, 3, 26)],
    }
)


def _bars(fig) -> dict[str, dict[str, float]]:
    return {t.name: dict(zip(t.x, t.y, strict=True)) for t in fig.data if t.type == "bar"}


def test_one_bar_set_per_base_per_dyad_with_the_chance_rate_beside_it() -> None:
    fig = titfortat_figure(SUMMARY, MATCHES, BASELINE)
    bars = _bars(fig)
    assert set(bars) == {
        "chronicle: answer rate",
        "chronicle: chance rate",
        "icews: answer rate",
        "icews: chance rate",
    }
    assert bars["chronicle: answer rate"] == {
        "diplomatic: RUS→USA": 1 / 3,
        "diplomatic: USA→RUS": 0.75,
    }
    assert bars["icews: answer rate"] == {
        "diplomatic: RUS→USA": 34 / 47,
        "diplomatic: USA→RUS": 37 / 64,
    }
    assert bars["icews: chance rate"] == {"diplomatic: RUS→USA": 0.6, "diplomatic: USA→RUS": 0.5}
    chance = next(t for t in fig.data if t.name == "chronicle: chance rate")
    # the 95 % band: RUS→USA 0.05–0.4 around 0.2, USA→RUS 0–0.3 around 0.1 (x sorted)
    assert list(chance.error_y.arrayminus) == [0.2 - 0.05, 0.1 - 0.0]
    assert list(chance.error_y.array) == [0.4 - 0.2, 0.3 - 0.1]
    # no bar holds a count or a rate pooled over bases or dyads
    pooled = {64 + 4, 37 + 3, (37 + 3 + 34 + 1) / (64 + 4 + 47 + 3), 40 / 70}
    assert not pooled & {y for b in bars.values() for y in b.values()}


def test_results_without_a_base_column_are_named_all_and_without_baseline_have_no_chance():
    one = SUMMARY.filter(pl.col("base") == "icews").drop("base")
    bars = _bars(titfortat_figure(one, MATCHES))
    assert bars == {
        "all: answer rate": {"diplomatic: RUS→USA": 34 / 47, "diplomatic: USA→RUS": 37 / 64}
    }
