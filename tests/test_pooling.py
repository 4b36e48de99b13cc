"""The one pooling helper of the measure stage, against sums worked out by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from trilateral.errors import ConfigError
from trilateral.measure import pool_index, z_of_level


def test_pool_by_hand():
    # two cells of one key: 2 events (mean −4, conflict share 1.0) and 6 events (mean 0,
    # conflict 0.5, cooperation 0.5), 95 % intervals ±1.96 (sd 1) and ±0.98 (sd 0.5)
    f = pl.DataFrame(
        {
            "k": ["a", "a", "b"],
            "n_events": [2, 6, 0],
            "weight": [2.0, 6.0, 0.0],
            "mean_goldstein": [-4.0, 0.0, None],
            "ci_low": [-4.0 - 1.96, -0.98, None],
            "ci_high": [-4.0 + 1.96, 0.98, None],
            "conflict_share": [1.0, 0.5, None],
            "material_conflict_share": [0.5, 0.0, None],
            "cooperation_share": [0.0, 0.5, None],
            "force_events": [1, 0, 0],
        }
    )
    out = pool_index(f, ["k"], level=0.95)
    a = out.row(0, named=True)
    assert (a["n_events"], a["weight"], a["force_events"]) == (8, 8.0, 1)
    assert a["mean_goldstein"] == pytest.approx((2 * -4.0 + 6 * 0.0) / 8)  # −1.0
    assert a["conflict_share"] == pytest.approx((2 * 1.0 + 6 * 0.5) / 8)  # 0.625
    assert a["cooperation_share"] == pytest.approx(3 / 8)
    assert a["net_cooperation"] == pytest.approx(3 / 8 - 5 / 8)
    # sd of the weighted mean: sqrt(2²·1² + 6²·0.5²) / 8 = sqrt(13) / 8
    half = 1.959963984540054 * math.sqrt(13) / 8
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((-1.0 - half, -1.0 + half), rel=1e-3)
    b = out.row(1, named=True)
    assert b["n_events"] == 0 and b["mean_goldstein"] is None and b["ci_low"] is None
    # the same intervals read as 50 % ones are 1.96 / 0.6745 = 2.9 times wider in sd, and
    # the pooled half-width at 50 % is 0.6745 · that sd: the same interval in the end
    at50 = pool_index(f, ["k"], level=0.5).row(0, named=True)
    assert at50["ci_high"] - at50["ci_low"] == pytest.approx(2 * half, rel=1e-3)


def test_z_of_level():
    assert z_of_level(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_of_level(0.5) == pytest.approx(0.674490, abs=1e-6)
    with pytest.raises(ConfigError):
        z_of_level(1.0)
