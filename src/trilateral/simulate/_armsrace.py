"""A three-country Richardson arms race fitted to SIPRI military expenditure.

Richardson (1960, *Arms and Insecurity*): each country's spending grows with its rivals'
spending (*reaction* k_ij), shrinks with its own burden (*fatigue* a_i), and has a constant
drift (*grievance* g_i). In annual discrete time, in constant 2022 US$ billions:

``M_i,t+1 − M_i,t = g_i + Σ_{j≠i} k_ij · M_j,t − a_i · M_i,t + e_i,t``

i.e. ``M_t+1 = A · M_t + g + e_t`` with ``A = I + K − diag(a)``. The race is stable when
every eigenvalue of A lies inside the unit circle; then spending tends to
``M* = (I − A)⁻¹ g``. Each equation is estimated by OLS (statsmodels).

The same system is fitted on the levels, on their logs or on log growth, chosen by
unit-root and cointegration tests (:mod:`._armstests`); projections carry the parameter
uncertainty of a residual bootstrap (run r uses bootstrap refit r mod B) and the shocks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from .. import __version__
from .._rng import RNGLike, seed_sequence
from ..errors import DataError
from ._armstests import (
    back_transform,
    bootstrap_params,
    choose_form,
    stability_share,
    transform,
    unit_root_tests,
)
from ._config import ArmsRaceScenario

__all__ = ["ArmsRaceResults", "RichardsonFit", "fit_richardson", "milex_constant", "run_arms_race"]

_UNIT = 1e9  # US$ billions


def milex_constant(
    countries: Sequence[str], start_year: int, end_year: int
) -> tuple[np.ndarray, tuple[int, ...], str]:
    """Military expenditure in constant US$ billions from the shipped capability panel
    (SIPRI's constant-price sheet): array (years, countries), the years, the indicator.

    Examples
    --------
    >>> m, years, ind = milex_constant(["USA", "RUS", "CHN"], 2000, 2010)
    >>> m.shape, ind
    ((11, 3), 'milex_constant_2022_usd')
    """
    import pyarrow.compute as pc

    from ..data import load_panel

    panel = load_panel(countries)
    names = sorted(
        {i for i in panel.column("indicator").to_pylist() if i.startswith("milex_constant_")}
    )
    if not names:
        raise DataError(
            "the capability panel has no constant-price military expenditure",
            hint="rebuild it with `trilateral capabilities refresh` from the SIPRI workbook",
        )
    ind = names[-1]
    rows = panel.filter(pc.field("indicator") == ind).to_pylist()
    years = tuple(range(start_year, end_year + 1))
    out = np.full((len(years), len(countries)), np.nan)
    for r in rows:
        if start_year <= r["year"] <= end_year and r["value"] is not None:
            out[r["year"] - start_year, list(countries).index(r["iso3"])] = r["value"] / _UNIT
    missing = {
        c: [years[t] for t in range(len(years)) if np.isnan(out[t, i])]
        for i, c in enumerate(countries)
    }
    missing = {c: y for c, y in missing.items() if y}
    if missing:
        raise DataError(
            f"no constant-price military expenditure for {missing} ({ind})",
            hint="choose start_year/end_year inside the years SIPRI reports for every country",
        )
    return out, years, ind


@dataclass(frozen=True)
class RichardsonFit:
    """A fitted Richardson system (statsmodels names: ``params``, ``bse``, ``pvalues``).

    ``params`` and ``bse`` have shape ``(n, n + 1)``: row i is country i's equation,
    columns ``const`` (grievance g_i), then the lagged spending of each country — the own
    column is ``−a_i`` (fatigue), the others ``k_ij`` (reaction).
    """

    countries: tuple[str, ...]
    years: tuple[int, ...]
    params: np.ndarray
    bse: np.ndarray
    df_resid: int
    resid: np.ndarray  # (years − 1, n)
    levels: np.ndarray = field(repr=False)  # (years, n): the series fitted (see ``form``)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)
    form: str = "levels"  # levels, logs or growth (log differences)

    @property
    def grievance(self) -> np.ndarray:
        return self.params[:, 0]

    @property
    def fatigue(self) -> np.ndarray:
        return -np.diag(self.params[:, 1:])

    @property
    def reaction(self) -> np.ndarray:
        """K with zero diagonal: ``reaction[i, j] = k_ij``."""
        k = self.params[:, 1:].copy()
        np.fill_diagonal(k, 0.0)
        return k

    def transition(self, reaction_scale: float = 1.0) -> np.ndarray:
        """``A = I + s·K − diag(a)``."""
        n = len(self.countries)
        return np.eye(n) + reaction_scale * self.reaction - np.diag(self.fatigue)

    def eigenvalues(self, reaction_scale: float = 1.0) -> np.ndarray:
        """Eigenvalues of A (stable when all moduli < 1)."""
        return np.linalg.eigvals(self.transition(reaction_scale))

    def stable(self, reaction_scale: float = 1.0) -> bool:
        return bool(np.max(np.abs(self.eigenvalues(reaction_scale))) < 1.0)

    def equilibrium(self, reaction_scale: float = 1.0) -> np.ndarray | None:
        """``(I − A)⁻¹ g`` when the system is stable, else None."""
        if not self.stable(reaction_scale):
            return None
        n = len(self.countries)
        return np.linalg.solve(np.eye(n) - self.transition(reaction_scale), self.grievance)

    @cached_property
    def tvalues(self) -> np.ndarray:
        return self.params / self.bse

    @cached_property
    def pvalues(self) -> np.ndarray:
        return 2.0 * stats.t.sf(np.abs(self.tvalues), self.df_resid)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Intervals, shape ``(n, n + 1, 2)``."""
        q = stats.t.ppf(1 - alpha / 2, self.df_resid)
        return np.stack([self.params - q * self.bse, self.params + q * self.bse], axis=-1)

    def to_frame(self) -> pl.DataFrame:
        """One row per equation and term: ``country, term, kind, coef, bse, pvalue, ci``."""
        ci = self.conf_int()
        rows: dict[str, list[Any]] = {
            k: [] for k in ("country", "term", "kind", "coef", "bse", "pvalue", "ci_low", "ci_high")
        }
        terms = ("const", *(f"L1.{c}" for c in self.countries))
        for i, c in enumerate(self.countries):
            for t, term in enumerate(terms):
                kind = "grievance" if t == 0 else ("fatigue" if t - 1 == i else "reaction")
                rows["country"].append(c)
                rows["term"].append(term)
                rows["kind"].append(kind)
                rows["coef"].append(float(self.params[i, t]))
                rows["bse"].append(float(self.bse[i, t]))
                rows["pvalue"].append(float(self.pvalues[i, t]))
                rows["ci_low"].append(float(ci[i, t, 0]))
                rows["ci_high"].append(float(ci[i, t, 1]))
        return pl.DataFrame(rows)

    def residuals_frame(self) -> pl.DataFrame:
        """Residuals per year (the year the change leads to) and country, US$ bn."""
        return pl.DataFrame(
            {
                "year": list(self.years[1:]) * len(self.countries),
                "country": [c for c in self.countries for _ in self.years[1:]],
                "resid": self.resid.T.ravel().tolist(),
            }
        )

    def summary(self) -> str:
        unit = {"levels": "constant US$ bn", "logs": "log constant US$", "growth": "log growth"}
        lines = [
            f"Richardson arms race, {self.years[0]}–{self.years[-1]}, "
            f"{unit.get(self.form, self.form)} (OLS per equation, df={self.df_resid})"
        ]
        for i, c in enumerate(self.countries):
            parts = [f"g={self.params[i, 0]:+.2f} ({self.bse[i, 0]:.2f})"]
            for j, d in enumerate(self.countries):
                name = (
                    f"a={-self.params[i, j + 1]:.3f}"
                    if i == j
                    else f"k[{d}]={self.params[i, j + 1]:+.3f}"
                )
                parts.append(f"{name} ({self.bse[i, j + 1]:.3f})")
            lines.append(f"  {c}: " + ", ".join(parts))
        ev = self.eigenvalues()
        lines.append(
            "  eigenvalues of A: "
            + ", ".join(f"{v.real:.3f}{v.imag:+.3f}i" for v in ev)
            + f" → {'stable' if self.stable() else 'unstable'} (max |λ| = {np.max(np.abs(ev)):.3f})"
        )
        return "\n".join(lines)


def fit_richardson(
    levels: np.ndarray, countries: Sequence[str], years: Sequence[int]
) -> RichardsonFit:
    """Fit the discrete Richardson system by OLS, equation by equation.

    Parameters
    ----------
    levels : ndarray, (years, n)
        Spending per year and country (any unit; the fit is in that unit).

    Examples
    --------
    >>> m, years, _ = milex_constant(["USA", "RUS", "CHN"], 1993, 2023)
    >>> fit = fit_richardson(m, ["USA", "RUS", "CHN"], years)
    >>> fit.params.shape
    (3, 4)
    """
    import statsmodels.api as sm

    y = np.diff(levels, axis=0)
    x = sm.add_constant(levels[:-1], has_constant="add")
    n = levels.shape[1]
    params = np.empty((n, n + 1))
    bse = np.empty((n, n + 1))
    resid = np.empty_like(y)
    df = 0
    for i in range(n):
        res = sm.OLS(y[:, i], x).fit()
        params[i], bse[i], resid[:, i] = res.params, res.bse, res.resid
        df = int(res.df_resid)
    return RichardsonFit(
        countries=tuple(countries),
        years=tuple(years),
        params=params,
        bse=bse,
        df_resid=df,
        resid=resid,
        levels=levels,
    )


def _transition(params: np.ndarray, scale: float) -> np.ndarray:
    """``I + s·K − diag(a)`` from an ``(n, n + 1)`` parameter array."""
    b = params[:, 1:]
    own = np.diag(np.diag(b))
    return np.eye(b.shape[0]) + scale * (b - own) + own


def simulate_richardson(
    fit: RichardsonFit,
    horizon: int,
    runs: int,
    rng: RNGLike = None,
    reaction_scale: float = 1.0,
    boot: np.ndarray | None = None,
) -> np.ndarray:
    """Project ``horizon`` years from the last observed year: (runs, horizon, n), in the
    fitted form (levels, logs or growth).

    Shocks are the fitted residual vectors resampled with replacement (keeps their
    cross-country correlation); run r draws from the r-th spawned child stream. With
    ``boot`` (bootstrap parameter sets, :func:`bootstrap_params`) run r uses set
    ``r mod B``: the fan carries parameter uncertainty too. Levels are floored at 0.
    """
    seq = seed_sequence(rng)
    out = np.empty((runs, horizon, len(fit.countries)))
    nres = fit.resid.shape[0]
    sets = [fit.params] if boot is None else list(boot)
    mats = [(_transition(p, reaction_scale), p[:, 0]) for p in sets]
    floor = 0.0 if fit.form == "levels" else -np.inf
    for r in range(runs):
        gen = np.random.default_rng(
            np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, r))
        )
        pick = gen.integers(0, nres, horizon)
        a, g = mats[r % len(mats)]
        m = fit.levels[-1]
        for t in range(horizon):
            m = np.maximum(a @ m + g + fit.resid[pick[t]], floor)
            out[r, t] = m
    return out


@dataclass(frozen=True)
class ArmsRaceResults:
    """The fit, and projections with and without an arms-control agreement."""

    scenario: ArmsRaceScenario
    fit: RichardsonFit
    baseline: np.ndarray = field(repr=False)  # (runs, horizon, n), spending levels
    arms_control: np.ndarray = field(repr=False)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)
    tests: dict[str, Any] = field(default_factory=dict, repr=False)
    form_reason: str = ""
    #: share of bootstrap refits with every |λ| < 1: ``baseline`` and ``arms_control``
    stability: dict[str, float] = field(default_factory=dict)
    observed: np.ndarray | None = field(default=None, repr=False)  # (years, n) levels
    warnings: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, ...]:
        last = self.fit.years[-1]
        return tuple(range(last + 1, last + 1 + self.baseline.shape[1]))

    def to_frame(self) -> pl.DataFrame:
        """Projection per scenario, year and country: mean and 5/95 % over runs (US$ bn)."""
        rows: dict[str, list[Any]] = {
            k: [] for k in ("scenario", "year", "country", "mean", "q05", "q95")
        }
        for name, arr in (("baseline", self.baseline), ("arms_control", self.arms_control)):
            q = np.quantile(arr, [0.05, 0.95], axis=0)
            mean = arr.mean(axis=0)
            for t, y in enumerate(self.years):
                for i, c in enumerate(self.fit.countries):
                    rows["scenario"].append(name)
                    rows["year"].append(y)
                    rows["country"].append(c)
                    rows["mean"].append(float(mean[t, i]))
                    rows["q05"].append(float(q[0, t, i]))
                    rows["q95"].append(float(q[1, t, i]))
        return pl.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        f = self.fit
        s = self.scenario.arms_control.reaction_scale

        def ev(scale: float) -> list[dict[str, float]]:
            return [{"real": float(v.real), "imag": float(v.imag)} for v in f.eigenvalues(scale)]

        eq = f.equilibrium()
        eq_ac = f.equilibrium(s)
        return {
            "scenario": self.scenario.name,
            "seed": self.provenance.get("seed"),
            "version": __version__,
            "config": self.scenario.model_dump(mode="json"),
            "data_hash": self.provenance.get("data_hash"),
            "unit": "constant 2022 US$ billions",
            "form": f.form,
            "form_reason": self.form_reason,
            "tests": self.tests,
            "stability_share": self.stability,
            "bootstrap": self.scenario.bootstrap,
            "warnings": list(self.warnings),
            "fit": {
                "years": [f.years[0], f.years[-1]],
                "params": f.to_frame().to_dicts(),
                "resid_sd": dict(
                    zip(f.countries, f.resid.std(axis=0, ddof=1).tolist(), strict=True)
                ),
                "eigenvalues": ev(1.0),
                "stable": f.stable(),
                "equilibrium": None
                if eq is None
                else dict(zip(f.countries, eq.tolist(), strict=True)),
            },
            "arms_control": {
                "reaction_scale": s,
                "eigenvalues": ev(s),
                "stable": f.stable(s),
                "equilibrium": None
                if eq_ac is None
                else dict(zip(f.countries, eq_ac.tolist(), strict=True)),
            },
            "projection_final_year": {
                name: {
                    c: {
                        "mean": float(arr[:, -1, i].mean()),
                        "median": float(np.median(arr[:, -1, i])),
                        "q05": float(np.quantile(arr[:, -1, i], 0.05)),
                        "q95": float(np.quantile(arr[:, -1, i], 0.95)),
                    }
                    for i, c in enumerate(f.countries)
                }
                for name, arr in (("baseline", self.baseline), ("arms_control", self.arms_control))
            },
        }

    def summary(self) -> str:
        doc = self.to_dict()
        lines = [self.fit.summary()]
        lines.append(f"  form: {self.fit.form} — {self.form_reason}")
        if self.tests:
            adf = ", ".join(
                f"{c} log p={v['log_level_p']:.2f} growth p={v['growth_p']:.2f}"
                for c, v in self.tests["adf"].items()
            )
            jo = self.tests["johansen"]
            lines.append(f"  ADF: {adf}; Johansen trace rank {jo['rank']} (5 %)")
        if self.stability:
            lines.append(
                "  stable in "
                + ", ".join(f"{v:.0%} of bootstrap refits ({k})" for k, v in self.stability.items())
            )
        s = doc["arms_control"]
        lines.append(
            f"  arms control (reaction × {s['reaction_scale']:g}): "
            f"{'stable' if s['stable'] else 'unstable'}, max |λ| = "
            f"{max(abs(complex(v['real'], v['imag'])) for v in s['eigenvalues']):.3f}"
        )
        last = self.years[-1]
        for name, per in doc["projection_final_year"].items():
            lines.append(
                f"  {name} {last} (median [5 %, 95 %]): "
                + ", ".join(
                    f"{c} {v['median']:.0f} [{v['q05']:.0f}, {v['q95']:.0f}]"
                    for c, v in per.items()
                )
            )
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    @property
    def observed_levels(self) -> np.ndarray:
        """Observed spending (US$ bn) over the fit's years."""
        return self.fit.levels if self.observed is None else self.observed[-len(self.fit.years) :]

    def figure(self) -> Any:
        """Plotly: observed spending, and both projections (mean, 5–95 % band)."""
        import plotly.graph_objects as go

        fig = go.Figure()
        colours = ["#1f77b4", "#d62728", "#2ca02c"]
        yrs = np.array(self.years)
        for i, c in enumerate(self.fit.countries):
            col = colours[i % 3]
            fig.add_trace(
                go.Scatter(
                    x=list(self.fit.years),
                    y=self.observed_levels[:, i].tolist(),
                    name=f"{c} observed",
                    line={"color": col},
                )
            )
            for name, arr, dash in (
                ("baseline", self.baseline, "dot"),
                ("arms control", self.arms_control, "dash"),
            ):
                fig.add_trace(
                    go.Scatter(
                        x=yrs.tolist(),
                        y=arr[:, :, i].mean(axis=0).tolist(),
                        name=f"{c} {name}",
                        line={"color": col, "dash": dash},
                    )
                )
        fig.update_layout(
            title="Richardson arms race: SIPRI spending and projections",
            yaxis_title="constant 2022 US$ bn",
            template="plotly_white",
        )
        return fig

    def to_html(self) -> str:
        return str(self.figure().to_html(full_html=False, include_plotlyjs="cdn"))

    def save_png(self, path: str | Path) -> Path:
        import io

        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from ..data._provenance import atomic_write

        fig, ax = plt.subplots(figsize=(9, 4.5))
        yrs = np.array(self.years)
        for i, c in enumerate(self.fit.countries):
            (line,) = ax.plot(self.fit.years, self.observed_levels[:, i], label=f"{c} observed")
            for name, arr, style in (
                ("baseline", self.baseline, ":"),
                ("arms control", self.arms_control, "--"),
            ):
                ax.plot(
                    yrs,
                    arr[:, :, i].mean(axis=0),
                    style,
                    color=line.get_color(),
                    label=f"{c} {name}",
                )
            ax.fill_between(
                yrs,
                np.quantile(self.baseline[:, :, i], 0.05, axis=0),
                np.quantile(self.baseline[:, :, i], 0.95, axis=0),
                color=line.get_color(),
                alpha=0.1,
            )
        ax.set_ylabel("constant 2022 US$ bn")
        ax.set_title("Richardson arms race: SIPRI spending, baseline and arms-control projections")
        ax.legend(fontsize=7, ncol=3)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        path = Path(path)
        atomic_write(path, buf.getvalue())
        return path


def run_arms_race(scenario: ArmsRaceScenario, rng: RNGLike = None) -> ArmsRaceResults:
    """Fit the Richardson system to SIPRI spending and project it with and without the
    scenario's arms-control agreement (reaction terms × ``reaction_scale``).

    The form (levels, logs, growth) follows the scenario's ``form`` (``auto``: the unit-root
    and cointegration tests of :mod:`._armstests`, reported in ``tests``). Stability is
    the share of ``bootstrap`` residual-bootstrap refits with every |λ| < 1, with a warning
    when it lies between 5 % and 95 %; a warning also names every projection whose mean
    leaves 3× the last observed value, and every negative reaction term (halving a
    negative reaction removes a damping term: spending rises under "arms control").

    Examples
    --------
    >>> from trilateral.simulate import load_scenario
    >>> res = run_arms_race(load_scenario("arms_race", runs=50, bootstrap=20), rng=0)
    >>> res.baseline.shape, res.fit.form
    ((50, 15, 3), 'logs')
    """
    import hashlib

    seq = seed_sequence(rng)
    # the bootstrap's own stream: a spawn key no run uses (runs < MAX_RUNS)
    boot_seq = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, 1_000_000))
    levels, years, ind = milex_constant(scenario.countries, scenario.start_year, scenario.end_year)
    tests = unit_root_tests(levels, scenario.countries)
    form, reason = (
        choose_form(tests) if scenario.form == "auto" else (scenario.form, "set in the scenario")
    )
    z = transform(levels, form)
    fit = fit_richardson(z, scenario.countries, years[len(years) - z.shape[0] :])
    fit = dataclasses.replace(fit, form=form)
    boot = bootstrap_params(
        z, fit.params, fit.resid, scenario.bootstrap, np.random.default_rng(boot_seq)
    )
    s = scenario.arms_control.reaction_scale
    base_z = simulate_richardson(fit, scenario.horizon, scenario.runs, seq, boot=boot)
    # the agreement applies from its year (default: the first projected year); same shocks
    start = scenario.arms_control.from_year or years[-1] + 1
    ac_z = simulate_richardson(fit, scenario.horizon, scenario.runs, seq, s, boot=boot)
    if start > years[-1] + 1:
        k = min(start - years[-1] - 1, scenario.horizon)
        ac_z = np.concatenate(
            [
                base_z[:, :k],
                _continue(fit, base_z[:, k - 1], scenario.horizon - k, seq, s, k, boot),
            ],
            axis=1,
        )
    base = back_transform(base_z, form, levels)
    ac = back_transform(ac_z, form, levels)
    stability = {"baseline": stability_share(boot), "arms_control": stability_share(boot, s)}
    digest = hashlib.sha256(levels.tobytes()).hexdigest()
    prov = {
        "config": scenario.model_dump(mode="json"),
        "seed": str(seq.entropy),
        "version": __version__,
        "data_hash": digest,
        "indicator": ind,
    }
    fit = dataclasses.replace(fit, provenance=prov)
    return ArmsRaceResults(
        scenario=scenario,
        fit=fit,
        baseline=base,
        arms_control=ac,
        provenance=prov,
        tests=tests,
        form_reason=reason,
        stability=stability,
        observed=levels,
        warnings=_warnings(fit, levels, {"baseline": base, "arms_control": ac}, stability, s),
    )


def _warnings(
    fit: RichardsonFit,
    levels: np.ndarray,
    paths: dict[str, np.ndarray],
    stability: dict[str, float],
    scale: float,
) -> tuple[str, ...]:
    """What a reader must know before quoting a projection."""
    out = []
    for name, share in stability.items():
        if 0.05 < share < 0.95:
            out.append(
                f"{name}: stability is uncertain — {share:.0%} of bootstrap refits are "
                "stable (between 5 % and 95 %): neither 'stable' nor 'explosive' is supported"
            )
    for name, arr in paths.items():
        mean = arr.mean(axis=0)
        for i, c in enumerate(fit.countries):
            last = levels[-1, i]
            over = np.nonzero(mean[:, i] > 3 * last)[0]
            if over.size:
                out.append(
                    f"{name}: {c}'s mean projection leaves 3× its last observed value "
                    f"({last:.0f} bn) after {over[0] + 1} years — an extrapolation of the "
                    "fitted dynamics, not a forecast"
                )
    neg = [
        f"k[{fit.countries[i]}←{fit.countries[j]}] = {fit.reaction[i, j]:+.3g}"
        for i in range(len(fit.countries))
        for j in range(len(fit.countries))
        if i != j and fit.reaction[i, j] < 0 and fit.pvalues[i, j + 1] < 0.05
    ]
    if neg and scale < 1:
        out.append(
            "arms control scales every reaction term, and these are negative (significant "
            "at 5 %): " + ", ".join(neg) + "; a negative reaction damps spending, so "
            "scaling it down raises spending — read the arms-control projection with that"
        )
    return tuple(out)


def _continue(
    fit: RichardsonFit,
    start: np.ndarray,
    horizon: int,
    seq: np.random.SeedSequence,
    scale: float,
    offset: int,
    boot: np.ndarray | None = None,
) -> np.ndarray:
    """Continue each run from ``start`` (runs, n) with the same shock stream (and the
    same bootstrap parameter set) as the baseline."""
    sets = [fit.params] if boot is None else list(boot)
    mats = [(_transition(p, scale), p[:, 0]) for p in sets]
    floor = 0.0 if fit.form == "levels" else -np.inf
    runs = start.shape[0]
    out = np.empty((runs, horizon, start.shape[1]))
    nres = fit.resid.shape[0]
    for r in range(runs):
        gen = np.random.default_rng(
            np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, r))
        )
        pick = gen.integers(0, nres, offset + horizon)[offset:]
        a, g = mats[r % len(mats)]
        m = start[r]
        for t in range(horizon):
            m = np.maximum(a @ m + g + fit.resid[pick[t]], floor)
            out[r, t] = m
    return out
