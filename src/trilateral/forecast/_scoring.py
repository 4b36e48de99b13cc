"""Scores of probabilistic forecasts and the test of whether one model beats another.

* :func:`crps_normal`: the continuous ranked probability score of a normal predictive
  distribution (Gneiting & Raftery 2007, eq. 21, via ``properscoring``); a forecast with
  zero spread is a point forecast, whose CRPS is its absolute error.
* :func:`diebold_mariano`: the Diebold–Mariano (1995) test of equal predictive accuracy
  with the small-sample correction of Harvey, Leybourne & Newbold (1997).

Examples
--------
>>> import numpy as np
>>> crps_normal(np.array([1.0, 2.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0])).round(4).tolist()
[1.0, 1.4528]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

__all__ = ["DM_COLUMNS", "DMTest", "crps_normal", "diebold_mariano", "dm_table"]


def crps_normal(actual: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """CRPS of N(mean, sd²) at ``actual``, elementwise; ``sd == 0`` gives ``|actual − mean|``
    (the CRPS of a point forecast), with no warning."""
    import properscoring

    actual = np.asarray(actual, dtype=float)
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    out = np.abs(actual - mean)
    spread = sd > 0
    if spread.any():
        out[spread] = properscoring.crps_gaussian(actual[spread], mean[spread], sd[spread])
    return out


@dataclass(frozen=True, slots=True)
class DMTest:
    """One Diebold–Mariano test: ``stat`` (HLN-corrected, Student's t with ``n − 1``
    degrees of freedom under equal accuracy), two-sided ``pvalue``, the mean loss
    differential ``mean_diff`` (model − reference; negative: the model's loss is lower)
    over ``n`` paired forecasts. ``stat`` and ``pvalue`` are NaN when ``n`` is too small
    for the correction (``n + 1 − 2h + h(h − 1)/n ≤ 0`` or ``n < 3``) or the
    differentials do not vary."""

    stat: float
    pvalue: float
    mean_diff: float
    n: int


def diebold_mariano(loss_model: np.ndarray, loss_ref: np.ndarray, h: int = 1) -> DMTest:
    """Diebold–Mariano test of equal accuracy of two ``h``-step forecasts, HLN-corrected.

    ``d_t = loss_model_t − loss_ref_t`` in time order. The variance of the mean
    differential is the rectangular-kernel long-run variance with ``h − 1``
    autocovariances (an ``h``-step forecast error is at most MA(h − 1)):
    ``V = (γ_0 + 2 Σ_{k=1}^{h−1} γ_k) / n`` with ``γ_k = n⁻¹ Σ_{t>k} (d_t − d̄)(d_{t−k} − d̄)``;
    when that sum is not positive, ``γ_0`` alone is used (Diebold & Mariano 1995, §1.3).
    ``DM = d̄ / sqrt(V)``; Harvey, Leybourne & Newbold (1997) multiply it by
    ``sqrt((n + 1 − 2h + h(h − 1)/n) / n)`` and compare it with Student's t on ``n − 1``
    degrees of freedom.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([0.5, 1.0, -0.2, 0.8, 0.3, 0.9, 0.1, 0.6])
    >>> t = diebold_mariano(d, np.zeros(8), h=1)
    >>> round(t.stat, 3), round(t.pvalue, 4), t.n
    (3.416, 0.0112, 8)
    """
    d = np.asarray(loss_model, dtype=float) - np.asarray(loss_ref, dtype=float)
    n = int(d.size)
    mean = float(d.mean()) if n else float("nan")
    nan = DMTest(float("nan"), float("nan"), mean, n)
    if n < 3:
        return nan
    factor = (n + 1 - 2 * h + h * (h - 1) / n) / n
    dev = d - mean
    gamma = [float(dev[k:] @ dev[: n - k]) / n for k in range(min(h, n))]
    lrv = gamma[0] + 2 * sum(gamma[1:])
    if lrv <= 0:
        lrv = gamma[0]
    if factor <= 0 or lrv <= 0:
        return nan
    stat = mean / np.sqrt(lrv / n) * np.sqrt(factor)
    return DMTest(float(stat), float(2 * stats.t.sf(abs(stat), n - 1)), mean, n)


#: The column order of :func:`dm_table`.
DM_COLUMNS: tuple[str, ...] = (
    "model",
    "baseline",
    "source",
    "target",
    "arena",
    "horizon",
    "n",
    "mean_diff",
    "dm_stat",
    "pvalue",
    "pvalue_holm",
)


def dm_table(fc: pl.DataFrame, baselines: Sequence[str]) -> pl.DataFrame:
    """Diebold–Mariano tests (HLN) of each model against each baseline, on absolute error.

    One row per model, baseline, arena and horizon pooled over the dyads (``source`` and
    ``target`` are ``"all"``: the loss differentials are averaged over the dyads at each
    origin, and that one series is tested), then one row per dyad. Only the forecasts
    that both the model and the baseline made, with an observed outcome, enter.
    ``mean_diff`` < 0: the model's absolute error is lower. ``pvalue_holm``: Holm's
    (1979) correction within each family of tests — the pooled rows, and the per-dyad
    rows — so that a statement of skill survives the number of tests made.
    """
    ok = fc.filter(pl.col("actual").is_not_null() & pl.col("mean").is_not_null()).with_columns(
        (pl.col("mean") - pl.col("actual")).abs().alias("_loss")
    )
    keys = ["origin", "source", "target", "arena", "horizon"]
    rows: dict[str, list[Any]] = {c: [] for c in DM_COLUMNS[:-1]}

    def add(model: str, base: str, src: str, tgt: str, arena: str, h: int, t: DMTest) -> None:
        for c, v in zip(
            DM_COLUMNS[:-1],
            (model, base, src, tgt, arena, h, t.n, t.mean_diff, t.stat, t.pvalue),
            strict=True,
        ):
            rows[c].append(v)

    models = [m for m in ok["model"].unique(maintain_order=True).to_list() if m not in baselines]
    for base in baselines:
        ref = ok.filter(pl.col("model") == base).select(*keys, pl.col("_loss").alias("_ref"))
        for model in [*models, *[b for b in baselines if b != base]]:
            pair = (
                ok.filter(pl.col("model") == model)
                .join(ref, on=keys, how="inner")
                .with_columns((pl.col("_loss") - pl.col("_ref")).alias("_d"))
            )
            for (arena, h), d in _series(pair, ["arena", "horizon"], ["origin"], pooled=True):
                add(model, base, "all", "all", arena, h, diebold_mariano(d, np.zeros_like(d), h))
            for (arena, h, src, tgt), d in _series(
                pair, ["arena", "horizon", "source", "target"], ["origin"]
            ):
                add(model, base, src, tgt, arena, h, diebold_mariano(d, np.zeros_like(d), h))
    schema = {
        "model": pl.String,
        "baseline": pl.String,
        "source": pl.String,
        "target": pl.String,
        "arena": pl.String,
        "horizon": pl.Int64,
        "n": pl.Int64,
        "mean_diff": pl.Float64,
        "dm_stat": pl.Float64,
        "pvalue": pl.Float64,
    }
    out = pl.DataFrame(rows, schema=schema).with_columns(
        pl.col("mean_diff", "dm_stat", "pvalue").fill_nan(None)
    )
    return out.with_columns(
        pl.col("pvalue")
        .map_batches(_holm, return_dtype=pl.Float64)
        .over(pl.col("source") == "all")
        .alias("pvalue_holm")
    )


def _series(
    pair: pl.DataFrame, keys: list[str], order: list[str], pooled: bool = False
) -> list[tuple[tuple[Any, ...], np.ndarray]]:
    """The loss differentials ``_d`` of each ``keys`` group in time order (with
    ``pooled``, first averaged over the dyads at each origin), in one sorted pass."""
    # sorted first and grouped in order: the same sums in the same order on every run
    pair = pair.sort([*keys, *order, "source", "target"])
    if pooled:
        pair = pair.group_by([*keys, *order], maintain_order=True).agg(pl.col("_d").mean())
    if pair.height == 0:
        return []
    ids = pair.select(pl.struct(keys).rle_id().alias("_g"))["_g"].to_numpy()
    cuts = np.flatnonzero(np.diff(ids)) + 1
    starts = np.concatenate([[0], cuts])
    d = pair["_d"].to_numpy()
    heads = pair.select(keys)[starts.tolist()].rows()
    return list(zip(heads, np.split(d, cuts), strict=True))


def _holm(p: pl.Series) -> pl.Series:
    """Holm-adjusted p-values of the non-null entries (statsmodels' ``multipletests``)."""
    from statsmodels.stats.multitest import multipletests

    arr = p.to_numpy().astype(float)
    ok = ~np.isnan(arr)
    out = np.full(arr.shape, np.nan)
    if ok.any():
        out[ok] = multipletests(arr[ok], method="holm")[1]
    return pl.Series(out).fill_nan(None)
