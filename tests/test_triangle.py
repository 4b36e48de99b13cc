"""Strategic-triangle types (Dittmer 1981) on hand-built symmetric indices."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from trilateral.diagnose._triangle import (
    INDETERMINATE,
    MENAGE_A_TROIS,
    NO_DATA,
    ROMANTIC_TRIANGLE,
    STABLE_MARRIAGE,
    UNIT_VETO,
    TriangleConfig,
    sign,
    triangle_types,
)
from trilateral.errors import ConfigError, DataError

DYADS = (("CHN", "RUS"), ("CHN", "USA"), ("RUS", "USA"))


def tri(*periods: tuple[float | None, float | None, float | None], half: float = 0.0, n=30):
    """One row per dyad and year; periods give (CHN-RUS, CHN-USA, RUS-USA) means."""
    rows = []
    for i, means in enumerate(periods):
        for (a, b), m in zip(DYADS, means, strict=True):
            rows.append(
                {
                    "source": a,
                    "target": b,
                    "arena": "all",
                    "period": "year",
                    "period_start": date(2014 + i, 1, 1),
                    "n_events": 0 if m is None else n,
                    "weight": 0.0 if m is None else float(n),
                    "mean_goldstein": m,
                    "ci_low": None if m is None else m - half,
                    "ci_high": None if m is None else m + half,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def one(means, **kw):
    return triangle_types(tri(means, **kw)).periods[0]


def test_menage_a_trois():
    t = one((3.0, 2.0, 1.0))
    assert t.type == MENAGE_A_TROIS and t.balanced is True and t.pivot is None


def test_romantic_triangle_pivot_and_wings():
    # China friendly with both, Russia and the US at odds: China is the pivot
    t = one((3.0, 2.0, -3.0))
    assert t.type == ROMANTIC_TRIANGLE
    assert t.pivot == "CHN" and t.wings == ("RUS", "USA") and t.balanced is False


def test_stable_marriage_pariah():
    t = one((3.0, -2.0, -3.0))
    assert t.type == STABLE_MARRIAGE and t.pariah == "USA"
    assert t.wings == ("CHN", "RUS") and t.balanced is True


def test_unit_veto():
    t = one((-3.0, -2.0, -1.0))
    assert t.type == UNIT_VETO and t.balanced is False


def test_neutral_band_edges():
    band = TriangleConfig().band  # 0.5
    assert sign(band, band) == 0 and sign(-band, band) == 0  # |m| == band → neutral
    assert sign(band + 1e-9, band) == 1 and sign(-band - 1e-9, band) == -1
    assert sign(None, band) is None
    t = one((3.0, 0.5, -3.0))
    assert t.type == INDETERMINATE and t.balanced is None
    assert one((3.0, 0.5000001, -3.0)).type == ROMANTIC_TRIANGLE


def test_missing_dyad_is_no_data():
    t = one((3.0, None, -3.0))
    assert t.type == NO_DATA and t.probabilities == {}


def test_probabilities_from_intervals():
    # certain signs: probability one; CHN-USA centred on the band edge: split
    sure = one((3.0, 2.0, -3.0), half=0.2)
    assert sure.probabilities[ROMANTIC_TRIANGLE] == 1.0
    split = one((3.0, 0.5, -3.0), half=1.0)
    p = split.probabilities
    assert sum(p.values()) == pytest.approx(1.0)
    assert 0.35 < p[ROMANTIC_TRIANGLE] < 0.65 and 0.2 < p[INDETERMINATE] < 0.5
    # reproducible with the same rng, different with another
    a = triangle_types(tri((3.0, 0.5, -3.0), half=1.0), rng=1).periods[0].probabilities
    b = triangle_types(tri((3.0, 0.5, -3.0), half=1.0), rng=1).periods[0].probabilities
    c = triangle_types(tri((3.0, 0.5, -3.0), half=1.0), rng=2).periods[0].probabilities
    assert a == b and a != c


def stable(*periods, half=0.3, **cfg):
    res = triangle_types(tri(*periods, half=half), config=TriangleConfig(**cfg))
    return [t.type for t in res.periods], [t.stable_type for t in res.periods]


def test_hysteresis_needs_k_consecutive_periods():
    # start romantic; CHN-USA drifts to −1.0 (within band + margin = 1.5: not decisive)
    types, st = stable((3.0, 2.0, -3.0), (3.0, -1.0, -3.0), (3.0, -1.0, -3.0))
    assert types == [ROMANTIC_TRIANGLE, STABLE_MARRIAGE, STABLE_MARRIAGE]
    assert st == [ROMANTIC_TRIANGLE, ROMANTIC_TRIANGLE, STABLE_MARRIAGE]


def test_hysteresis_single_blip_is_ignored():
    _, st = stable((3.0, 2.0, -3.0), (3.0, -1.0, -3.0), (3.0, 2.0, -3.0))
    assert st == [ROMANTIC_TRIANGLE] * 3


def test_hysteresis_decisive_move_switches_at_once():
    # every |m| > band + margin (1.5) → switch immediately; exactly 1.5 is not decisive
    _, st = stable((3.0, 2.0, -3.0), (3.0, -1.6, -3.0))
    assert st == [ROMANTIC_TRIANGLE, STABLE_MARRIAGE]
    _, st = stable((3.0, 2.0, -3.0), (3.0, -1.5, -3.0), half=0.0)
    assert st == [ROMANTIC_TRIANGLE, ROMANTIC_TRIANGLE]


def test_hysteresis_low_probability_does_not_count():
    # a wide interval keeps P(stable marriage) under switch_prob: no switch after 2 periods
    _, st = stable((3.0, 2.0, -3.0), (3.0, -0.6, -3.0), (3.0, -0.6, -3.0), half=2.0)
    assert st == [ROMANTIC_TRIANGLE] * 3


def test_hysteresis_k1():
    _, st = stable((3.0, 2.0, -3.0), (3.0, -1.0, -3.0), switch_periods=1)
    assert st == [ROMANTIC_TRIANGLE, STABLE_MARRIAGE]


def test_frame_summary_timeline():
    res = triangle_types(tri((3.0, 2.0, -3.0), (3.0, -2.0, -3.0), (3.0, -2.0, -3.0)))
    df = res.to_frame()
    assert df.height == 3
    for col in (
        "type",
        "stable_type",
        "pivot",
        "pariah",
        "balanced",
        "sign_RUS-USA",
        "mean_CHN-RUS",
        "p_romantic_triangle",
        "p_stable_marriage",
    ):
        assert col in df.columns
    assert df["pivot"][0] == "CHN" and df["pariah"][1] == "USA"
    assert res.timeline() == [
        (date(2014, 1, 1), date(2014, 1, 1), ROMANTIC_TRIANGLE),
        (date(2015, 1, 1), date(2016, 1, 1), STABLE_MARRIAGE),
    ]
    assert "pivot CHN" in res.summary() and "pariah USA" in res.summary()


def test_directed_input_is_pooled():
    f = tri((3.0, 2.0, -3.0))
    rev = f.with_columns(
        source=pl.col("target"),
        target=pl.col("source"),
        mean_goldstein=-1.0,
        ci_low=-1.0,
        ci_high=-1.0,
    )
    # CHN-USA: (2·30 + −1·30) / 60 = 0.5 → neutral
    t = triangle_types(pl.concat([f, rev])).periods[0]
    assert t.means["CHN-USA"] == pytest.approx(0.5) and t.type == INDETERMINATE


def test_bad_inputs():
    with pytest.raises(ConfigError):
        triangle_types(tri((1.0, 1.0, 1.0)), countries=("USA", "RUS"))
    with pytest.raises(ConfigError):
        TriangleConfig(switch_prob=0.0)
    # a country without index rows: its dyads have no data
    t = triangle_types(tri((1.0, 1.0, 1.0)), countries=("USA", "RUS", "IND")).periods[0]
    assert t.type == NO_DATA
    with pytest.raises(DataError):
        triangle_types(tri((1.0, 1.0, 1.0)), countries=("IND", "PAK", "BRA"))


def test_probabilities_do_not_depend_on_other_periods():
    # each period draws from its own stream keyed by the triangle and the period: dropping
    # or adding other periods leaves a period's probabilities as they were
    f = tri((1.0, 0.8, -0.6), (0.7, -0.4, 0.9), (0.2, 0.6, -1.0), half=1.5)
    full = {t.period_start: t.probabilities for t in triangle_types(f).periods}
    part = triangle_types(f.filter(pl.col("period_start") >= date(2015, 1, 1))).periods
    assert {t.period_start: t.probabilities for t in part} == {
        d: p for d, p in full.items() if d >= date(2015, 1, 1)
    }
    assert 0.0 < full[date(2015, 1, 1)][ROMANTIC_TRIANGLE] < 1.0  # the draws do vary
