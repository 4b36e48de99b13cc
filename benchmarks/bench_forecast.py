"""Rolling-origin backtest: ``trilateral.forecast.backtest`` vs a plain statsmodels loop.

The workload of issue 11: the three dyads of a triad (six directed series) × 5 arenas ×
60 monthly origins × horizons 1–12, models no-change, climatology, AR(p) per series and
the reciprocity VAR, every forecast scored (MAE, RMSE, CRPS, 80 % / 95 % coverage). The
index is simulated (fixed seed) from a stable VAR(1) per arena, 132 months (2005–2015,
ICEWS05-15's span), a few empty months per series, so that every model fits at every
origin and the two contenders can be checked against each other number for number.

Contenders, each in its own fresh process (peak RSS measured by the parent):

* ``trilateral, 1 process`` — ``backtest(index, origins, horizons=range(1, 13),
  models=("ar", "var"), arenas=<5 arenas>)``, everything included (panel building,
  polars tables, scores, summary);
* ``trilateral, 2 processes`` — the same with ``workers=2``;
* ``statsmodels loop`` — the floor a user would write: for each arena and origin, the
  same fill, statsmodels' ``VAR`` (BIC order within the same cap, the same forecast
  covariance) and ``ar_select_order``/``AutoReg`` per series, the baselines in numpy,
  CRPS from ``properscoring``; scores by numpy at the end.

The parent checks that the two agree (largest difference in any MAE). Targets: trilateral
not slower than the loop, and under 60 s, on 2 cores.

Usage: ``python benchmarks/bench_forecast.py [--origins N]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from _util import emit, fmt_bytes, print_table, run_contender, timed

HERE = Path(__file__).resolve()
SEED = 20151231
COUNTRIES = ("USA", "RUS", "CHN")
SERIES = [(a, b) for a in COUNTRIES for b in COUNTRIES if a != b]
ARENAS = ("diplomatic", "economic", "information", "military", "political")
T = 132
HORIZONS = tuple(range(1, 13))
WINDOW = 12
MAX_LAG = 4


def simulate(t: int = T, seed: int = SEED) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per arena: (values, counts), periods × series, NaN where a month has no events."""
    rng = np.random.default_rng(seed)
    out = {}
    k = len(SERIES)
    for arena in ARENAS:
        a = 0.4 * np.eye(k) + 0.1 * rng.uniform(-1, 1, size=(k, k))
        y = np.zeros((t + 50, k))
        for i in range(1, t + 50):
            y[i] = 0.3 + a @ y[i - 1] + rng.normal(0, 1, k)
        y = y[50:]
        counts = rng.poisson(6, size=(t, k))
        y[counts == 0] = np.nan
        out[arena] = (y, counts)
    return out


def make_index():  # type: ignore[no-untyped-def]
    from datetime import date

    import polars as pl

    from trilateral.measure import DyadIndex

    months = [date(2005 + m // 12, m % 12 + 1, 1) for m in range(T)]
    frames = []
    for arena, (y, counts) in simulate().items():
        for j, (s, d) in enumerate(SERIES):
            frames.append(
                pl.DataFrame(
                    {
                        "source": s,
                        "target": d,
                        "arena": arena,
                        "period": "month",
                        "period_start": months,
                        "n_events": counts[:, j].astype(np.int64),
                        "mean_goldstein": [None if np.isnan(v) else float(v) for v in y[:, j]],
                    }
                )
            )
    return DyadIndex(pl.concat(frames), COUNTRIES, "month", "events", ARENAS), months


def origin_positions(n_origins: int) -> list[int]:
    last = T - 2  # the last origin still has one month to score
    return list(range(last - n_origins + 1, last + 1))


def trilateral_child(work: Path, n_origins: int, workers: int) -> None:
    from datetime import timedelta

    # imported before the clock, as in the loop
    import statsmodels.tsa.api
    import statsmodels.tsa.ar_model  # noqa: F401

    from trilateral.forecast import backtest

    idx, months = make_index()
    origins = [months[p + 1] - timedelta(days=1) for p in origin_positions(n_origins)]

    def run() -> int:
        bt = backtest(
            idx,
            origins=origins,
            horizons=HORIZONS,
            models=("ar", "var"),
            arenas=ARENAS,
            window=WINDOW,
            max_lag=MAX_LAG,
            workers=workers,
        )
        bt.summary()
        s = bt.scores
        maes = {
            f"{r['model']}|{r['arena']}|{r['source']}-{r['target']}|{r['horizon']}": r["mae"]
            for r in s.iter_rows(named=True)
        }
        (work / "mae.json").write_text(json.dumps(maes))
        return int(bt.forecasts["actual"].is_not_null().sum())

    seconds, rows = timed(run)
    emit(seconds, rows)


def loop_child(work: Path, n_origins: int) -> None:
    """The plain loop a user would write with statsmodels, numpy and properscoring."""
    import properscoring
    from scipy import stats
    from statsmodels.tsa.api import VAR
    from statsmodels.tsa.ar_model import ar_select_order

    data = simulate()
    z80, z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)
    k = len(SERIES)
    hmax = max(HORIZONS)

    def ffill(x: np.ndarray) -> np.ndarray:
        out = x.copy()
        for j in range(out.shape[1]):
            col = out[:, j]
            obs = np.flatnonzero(~np.isnan(col))
            idx = np.maximum.accumulate(np.where(~np.isnan(col), np.arange(len(col)), 0))
            col = col[idx]
            col[: obs[0]] = col[obs[0]]
            out[:, j] = col
        return out

    def run() -> int:
        rows = []  # (model, arena, series, horizon, err, crps, in80, in95)
        for arena, (y, _counts) in data.items():
            for pos in origin_positions(n_origins):
                obs = y[: pos + 1]
                x = ffill(obs)
                t = x.shape[0]
                preds = {}
                # no-change and climatology
                nc_sd = np.full((hmax, k), np.nan)
                for h in range(1, hmax + 1):
                    e = obs[h:] - x[:-h]
                    n = np.sum(~np.isnan(e), axis=0)
                    nc_sd[h - 1] = np.sqrt(np.nansum(e**2, axis=0) / n)
                preds["no_change"] = (np.repeat(x[-1:], hmax, axis=0), nc_sd)
                win = obs[-WINDOW:]
                n = np.sum(~np.isnan(win), axis=0)
                cm = np.nanmean(win, axis=0)
                cs = np.nanstd(win, axis=0, ddof=1) * np.sqrt(1 + 1 / n)
                preds["climatology"] = (np.repeat(cm[None], hmax, 0), np.repeat(cs[None], hmax, 0))
                # AR(p) per series
                am, asd = np.empty((hmax, k)), np.empty((hmax, k))
                for j in range(k):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        sel = ar_select_order(
                            x[:, j], maxlag=min(MAX_LAG, (t - 2) // 5), ic="bic", trend="c"
                        )
                        p = sel.model.fit().get_prediction(start=t, end=t + hmax - 1)
                    am[:, j], asd[:, j] = p.predicted_mean, p.se_mean
                preds["ar"] = (am, asd)
                # VAR, order by BIC within ≥ 10 observations per coefficient
                model = VAR(x)
                maxlags = max(1, min(round(12 * (t / 100) ** 0.25), (t - 10) // (10 * k + 1)))
                order = max(1, model.select_order(maxlags, trend="c").selected_orders["bic"])
                res = model.fit(order, trend="c")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    vm = res.forecast(x[-order:], hmax)
                    vsd = np.sqrt(np.diagonal(res.forecast_cov(hmax, method="auto"), 0, 1, 2))
                preds["var"] = (vm, vsd)
                for name, (m, s) in preds.items():
                    for h in HORIZONS:
                        if pos + h >= T:
                            continue
                        truth = y[pos + h]
                        ok = ~np.isnan(truth)
                        mu, sd = m[h - 1], s[h - 1]
                        crps = properscoring.crps_gaussian(truth[ok], mu[ok], sd[ok])
                        err = (mu - truth)[ok]
                        for j, e, c, mj, sj in zip(
                            np.flatnonzero(ok), err, crps, mu[ok], sd[ok], strict=True
                        ):
                            tj = truth[j]
                            rows.append(
                                (
                                    name,
                                    arena,
                                    j,
                                    h,
                                    e,
                                    c,
                                    abs(tj - mj) <= z80 * sj,
                                    abs(tj - mj) <= z95 * sj,
                                )
                            )
        maes: dict[str, list[float]] = {}
        for name, arena, j, h, e, _c, _a, _b in rows:
            s, d = SERIES[j]
            maes.setdefault(f"{name}|{arena}|{s}-{d}|{h}", []).append(abs(e))
        (work / "mae.json").write_text(json.dumps({k: float(np.mean(v)) for k, v in maes.items()}))
        return len(rows)

    seconds, n = timed(run)
    emit(seconds, n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--origins", type=int, default=60)
    parser.add_argument("--contender", choices=["tri1", "tri2", "loop"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender == "loop":
        loop_child(args.work, args.origins)
        return
    if args.contender:
        trilateral_child(args.work, args.origins, 1 if args.contender == "tri1" else 2)
        return

    names = {
        "statsmodels loop": "loop",
        "trilateral, 1 process": "tri1",
        "trilateral, 2 processes": "tri2",
    }
    print(
        f"3 dyads (6 directed series) × {len(ARENAS)} arenas × {args.origins} monthly origins "
        f"× horizons 1–{max(HORIZONS)}; models no-change, climatology, AR, VAR",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="trilateral-bench-") as tmp:
        results, maes = [], {}
        for label, key in names.items():
            work = Path(tmp) / key
            work.mkdir()
            print(f"running {label} …", flush=True)
            child = [
                str(HERE),
                "--contender",
                key,
                "--work",
                str(work),
                "--origins",
                str(args.origins),
            ]
            results.append(run_contender(label, child))
            maes[label] = json.loads((work / "mae.json").read_text())
    floor = results[0]
    rows = [
        [
            m.name,
            f"{m.seconds:.1f}",
            f"{m.seconds / floor.seconds:.2f}x",
            fmt_bytes(m.peak_rss),
            f"{m.rows:,}",
        ]
        for m in results
    ]
    print_table(["contender", "seconds", "vs loop", "peak RSS", "scored rows"], rows)
    ref = maes["statsmodels loop"]
    for label in list(names)[1:]:
        got = maes[label]
        common = [k for k in ref if k in got]
        diff = max(abs(ref[k] - got[k]) for k in common)
        print(
            f"{label}: {len(common)} of {len(ref)} MAE cells compared, largest difference {diff:.2e}"
        )
    best = min(results[1:], key=lambda m: m.seconds)
    verdict = "met" if best.seconds <= floor.seconds and best.seconds < 60 else "NOT met"
    print(
        f"target (not slower than the loop, under 60 s): {verdict} — best trilateral "
        f"{best.seconds:.1f} s ({best.name}) vs loop {floor.seconds:.1f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
