"""The words of a backtest: the score table, calibration, significance and what was left out.

Only what a Diebold–Mariano test (HLN-corrected, Holm-adjusted within its family) supports
at ``ALPHA`` is stated as skill; a positive MAE skill without a significant test is called
"not significant".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ._panel import level_names

__all__ = ["ALPHA", "EMPTY_WARN", "SMALL_CELL", "summary_text", "verdict_lines"]

#: Significance level of the statements.
ALPHA = 0.05
#: A score cell over fewer forecasts than this is marked (``*``): too few to read.
SMALL_CELL = 20
#: Above this share of empty targets (no events in the target period) the summary warns.
EMPTY_WARN = 0.2


def _fmt(v: Any, spec: str) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def _score_lines(res: Any) -> list[str]:
    covs = [("coverage" + level_names(lv)[0][2:], lv) for lv in res.levels]
    head = "".join(f" {'cov' + format(lv * 100, 'g'):>6}" for _, lv in covs)
    lines = [
        f"{'dyad':<9} {'arena':<11} {'h':>2} {'model':<12} {'n':>5} {'MAE':>6} "
        f"{'RMSE':>6} {'CRPS':>6}{head} {'skill':>6}",
    ]
    for r in res.scores.sort("source", "target", "arena", "horizon").iter_rows(named=True):
        small = "*" if r["n"] < SMALL_CELL else " "
        cov = "".join(f" {_fmt(r.get(c), '6.2f'):>6}" for c, _ in covs)
        lines.append(
            f"{r['source'] + '→' + r['target']:<9} {r['arena']:<11} {r['horizon']:>2} "
            f"{r['model']:<12} {r['n']:>4}{small} {_fmt(r['mae'], '6.3f'):>6} "
            f"{_fmt(r['rmse'], '6.3f'):>6} {_fmt(r['crps'], '6.3f'):>6}{cov} "
            f"{_fmt(r['skill_mae'], '+6.2f'):>6}"
        )
    if (res.scores["n"] < SMALL_CELL).any():
        lines.append(f"* fewer than {SMALL_CELL} scored forecasts: too few to read the cell.")
    return lines


def _coverage_lines(res: Any) -> list[str]:
    cov = res.coverage_table()
    how = (
        "split-conformal from earlier backtest errors"
        if res.intervals == "conformal"
        else "the models' own normal intervals"
    )
    lines = [f"Interval coverage, empirical beside nominal ({how}), pooled over the dyads:"]
    for r in cov.iter_rows(named=True):
        parts = [
            f"{format(lv * 100, 'g')} %: {_fmt(r['coverage' + level_names(lv)[0][2:]], '.1%')}"
            for lv in res.levels
        ]
        h = "all" if r["horizon"] is None else str(r["horizon"])
        lines.append(
            f"  {r['model']:<12} {r['arena']:<11} h={h:<3} n={r['n_intervals']:<5} "
            + "   ".join(parts)
        )
    return lines


def verdict_lines(res: Any) -> list[str]:
    """Which models beat which baseline, where the Diebold–Mariano test says so."""
    dm = res.dm
    out = [
        f"Skill (Diebold–Mariano, HLN-corrected, absolute error, {ALPHA:.0%} level after "
        f"Holm's correction over the {dm.filter(pl.col('source') == 'all').height} pooled "
        "tests; pooled over the dyads):"
    ]
    if dm.height == 0:
        return [*out, "  no paired forecasts to test."]
    pooled = dm.filter(pl.col("source") == "all").sort("baseline", "arena", "horizon", "model")
    for r in pooled.iter_rows(named=True):
        where = f"{r['model']} vs {r['baseline']} ({r['arena']}, h={r['horizon']}, n={r['n']})"
        if r["pvalue"] is None:
            out.append(f"  {where}: too few paired forecasts to test")
            continue
        ps = f"p = {r['pvalue']:.3g}, Holm {r['pvalue_holm']:.3g}"
        if r["pvalue_holm"] < ALPHA:
            word = "better" if r["mean_diff"] < 0 else "worse"
            out.append(
                f"  {where}: significantly {word} (MAE difference {r['mean_diff']:+.3f}, {ps})"
            )
        else:
            out.append(f"  {where}: not significant (MAE difference {r['mean_diff']:+.3f}, {ps})")
    per = dm.filter(pl.col("source") != "all")
    cells = per.filter((pl.col("pvalue_holm") < ALPHA) & (pl.col("mean_diff") < 0))
    if cells.height:
        out.append(f"Per dyad, significantly better than a baseline (Holm over {per.height}):")
        for r in cells.sort("source", "target", "horizon").iter_rows(named=True):
            out.append(
                f"  {r['source']}→{r['target']} h={r['horizon']}: {r['model']} vs "
                f"{r['baseline']} (Holm p = {r['pvalue_holm']:.3g}, n = {r['n']})"
            )
    else:
        out.append(
            f"No model is significantly better than a baseline for any single dyad (Holm "
            f"over {per.height} tests)."
        )
    return out


def summary_text(res: Any) -> str:
    """The whole summary of a :class:`~trilateral.forecast.BacktestResults`."""
    o = res.origins
    lines = [
        f"Rolling-origin backtest of {res.statistic} ({res.period}ly), evidence base "
        f"{res.evidence_base}: {len(o)} origins {o[0]} … {o[-1]}, horizons "
        f"{', '.join(map(str, res.horizons))}",
        "Scores (lower is better; skill = 1 − MAE/MAE of no-change, > 0 beats it on "
        "average; see the tests below for whether it is significant)",
        *_score_lines(res),
        "",
        *_coverage_lines(res),
        "",
        *verdict_lines(res),
    ]
    n_empty, total = res.empty_targets()
    if n_empty:
        share = n_empty / total
        lines += [
            "",
            f"Empty targets: {n_empty} of {total} target periods ({share:.0%}) had no events "
            "(no value to score) and were left out of the scores; see n_empty.",
        ]
        if share > EMPTY_WARN:
            lines.append(
                f"WARNING: more than {EMPTY_WARN:.0%} of the targets are empty: the scores "
                "describe the periods with events only."
            )
    if res.skipped.height:
        sk = res.skipped.group_by("source", "target", "arena", maintain_order=True).agg(
            pl.len().alias("origins"), pl.col("coverage").max().alias("best")
        )
        lines += ["", "Series skipped at some origins (too few periods with events before it):"]
        lines += [
            f"  {r['source']}→{r['target']} ({r['arena']}): {r['origins']} origin(s); best "
            f"share {r['best']:.0%}"
            for r in sk.iter_rows(named=True)
        ]
    if res.notes:
        lines += ["", "Notes:", *[f"  {n}" for n in res.notes]]
    return "\n".join(lines)
