"""The results of a reciprocity VAR: coefficients, Granger tests, generalised impulse
responses (with bootstrap bands) and variance decompositions, the endogenous share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from .._rng import RNGLike
from ..errors import ConfigError
from ._irf import generalised_irf, girf_bands
from ._var_terms import OBS_PER_COEF, Dyad, dyad_name, holm_adjust, term_kind

__all__ = ["ReciprocityResults"]


@dataclass(frozen=True)
class ReciprocityResults:
    """A fitted reciprocity VAR (from :meth:`ReciprocityModel.fit`).

    Not ``slots=True``: the derived statistics are ``functools.cached_property``, which
    needs an instance ``__dict__``.

    Coefficient arrays (``params``, ``bse``, ``tvalues``, ``pvalues``) have shape
    ``(1 + k·k_ar, k)``: rows are :attr:`term_names` (``const``, then ``L1.USA->RUS`` …),
    columns the equations, one per series in :attr:`names` (statsmodels' layout). Standard
    errors are OLS (statsmodels); p-values and intervals use Student's t with the
    residual degrees of freedom ``nobs − k·k_ar − 1`` (statsmodels' VAR uses the normal).

    Roles of a lagged series *cause* in the equation of series *effect* = i→j:

    * ``inertia``: cause is i→j itself;
    * ``direct reciprocity``: cause is j→i (j's behaviour to i answered by i);
    * ``triangular``: cause is k→i for the third country k (how i's behaviour to j
      answers k's behaviour to i);
    * ``other``: the rest (i→k, j→k, k→j).

    Attributes
    ----------
    series : tuple of (source, target)
        The modelled directed dyads, in column order.
    periods : tuple of date
        Period starts of the sample (including the ``k_ar`` presample periods).
    k_ar : int
        Fitted lag order.
    nobs : int
        Observations used in estimation (periods − k_ar).
    ic : str or None
        Information criterion used to choose ``k_ar`` (None when ``lags`` was given).
    selected_orders : dict or None
        Order chosen by each criterion (``aic``, ``bic``, ``hqic``) — may be 0.
    irf_horizon : int
        Horizon of :attr:`irf` and :attr:`fevd`.
    alpha : float
        Default significance level.
    provenance : dict
        ``config`` (the arguments), ``data_hash`` (the index's, when it has one),
        ``series_sha256`` (of the modelled series) and ``version``.
    var : statsmodels VARResults
        The underlying statsmodels fit (for anything not wrapped here).
    """

    series: tuple[Dyad, ...]
    periods: tuple[date, ...]
    k_ar: int
    nobs: int
    ic: str | None
    selected_orders: dict[str, int] | None
    irf_horizon: int
    alpha: float
    provenance: dict[str, Any]
    var: Any = field(repr=False, compare=False)

    # ------------------------------------------------------------------ coefficients
    @property
    def names(self) -> tuple[str, ...]:
        """Series names, ``"SRC->TGT"``."""
        return tuple(dyad_name(d) for d in self.series)

    @property
    def countries(self) -> tuple[str, ...]:
        """The modelled countries."""
        return tuple(self.provenance["config"]["countries"])

    @property
    def term_names(self) -> tuple[str, ...]:
        """Row names of the coefficient arrays."""
        lagged = [f"L{lag}.{n}" for lag in range(1, self.k_ar + 1) for n in self.names]
        return ("const", *lagged)

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom per equation, ``nobs − k·k_ar − 1``."""
        return int(self.var.df_resid)

    @cached_property
    def params(self) -> np.ndarray:
        """Coefficients, shape ``(1 + k·k_ar, k)``."""
        return np.asarray(self.var.params, dtype=float)

    @cached_property
    def bse(self) -> np.ndarray:
        """Standard errors of :attr:`params`."""
        return np.asarray(self.var.stderr, dtype=float)

    @cached_property
    def tvalues(self) -> np.ndarray:
        """``params / bse``."""
        return self.params / self.bse

    @cached_property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values of ``params`` (Student's t, ``df_resid``)."""
        return 2.0 * stats.t.sf(np.abs(self.tvalues), self.df_resid)

    def conf_int(self, alpha: float | None = None) -> np.ndarray:
        """Confidence intervals, shape ``(1 + k·k_ar, k, 2)`` (lower, upper).

        Examples
        --------
        >>> import numpy as np
        >>> from datetime import date, timedelta
        >>> from trilateral.measure import ReciprocityModel
        >>> rng = np.random.default_rng(3)
        >>> y = np.zeros((200, 2))
        >>> for t in range(1, 200):  # USA→RUS answers RUS→USA with coefficient 0.5
        ...     y[t] = [0.5 * y[t - 1, 1], 0.3 * y[t - 1, 1]] + rng.normal(size=2)
        >>> days = [date(2000, 1, 3) + timedelta(weeks=t) for t in range(200)]
        >>> res = ReciprocityModel.from_array(y, days, ("USA", "RUS")).fit(lags=1)
        >>> ci = res.conf_int(0.05)
        >>> ci.shape  # (const + 2 lagged terms) × 2 equations × (lower, upper)
        (3, 2, 2)
        >>> bool(ci[2, 0, 0] < 0.5 < ci[2, 0, 1])  # RUS→USA at lag 1 in USA→RUS's equation
        True
        """
        a = self.alpha if alpha is None else alpha
        q = stats.t.ppf(1 - a / 2, self.df_resid)
        return np.stack([self.params - q * self.bse, self.params + q * self.bse], axis=-1)

    def coef(self, cause: Dyad, effect: Dyad, lag: int = 1) -> float:
        """Coefficient of ``cause`` at ``lag`` in the equation of ``effect``.

        Examples
        --------
        >>> import numpy as np
        >>> from datetime import date, timedelta
        >>> from trilateral.measure import ReciprocityModel
        >>> rng = np.random.default_rng(3)
        >>> y = np.zeros((200, 2))
        >>> for t in range(1, 200):  # USA→RUS answers RUS→USA with coefficient 0.5
        ...     y[t] = [0.5 * y[t - 1, 1], 0.3 * y[t - 1, 1]] + rng.normal(size=2)
        >>> days = [date(2000, 1, 3) + timedelta(weeks=t) for t in range(200)]
        >>> res = ReciprocityModel.from_array(y, days, ("USA", "RUS")).fit(lags=1)
        >>> round(res.coef(cause=("RUS", "USA"), effect=("USA", "RUS")), 2)  # true 0.5
        0.42
        """
        row, col = self._position(cause, effect, lag)
        return float(self.params[row, col])

    def _position(self, cause: Dyad, effect: Dyad, lag: int) -> tuple[int, int]:
        if not 1 <= lag <= self.k_ar:
            raise ConfigError(f"lag must be in 1..{self.k_ar}, got {lag}")
        try:
            i, j = self.series.index(cause), self.series.index(effect)
        except ValueError:
            raise ConfigError(
                f"unknown series {cause} or {effect}", hint=f"series: {self.series}"
            ) from None
        return 1 + (lag - 1) * len(self.series) + i, j

    def to_frame(self, alpha: float | None = None) -> pl.DataFrame:
        """Coefficient table, one row per equation × term.

        Columns ``effect, term, cause, lag, kind, coef, bse, t, pvalue, ci_low,
        ci_high`` (``cause``/``lag`` null and ``kind`` ``"constant"`` for the constant).

        Examples
        --------
        >>> import numpy as np
        >>> from datetime import date, timedelta
        >>> from trilateral.measure import ReciprocityModel
        >>> rng = np.random.default_rng(3)
        >>> y = np.zeros((200, 2))
        >>> for t in range(1, 200):  # USA→RUS answers RUS→USA with coefficient 0.5
        ...     y[t] = [0.5 * y[t - 1, 1], 0.3 * y[t - 1, 1]] + rng.normal(size=2)
        >>> days = [date(2000, 1, 3) + timedelta(weeks=t) for t in range(200)]
        >>> res = ReciprocityModel.from_array(y, days, ("USA", "RUS")).fit(lags=1)
        >>> import polars as pl
        >>> res.to_frame().filter(pl.col("kind") == "direct reciprocity")["effect"].to_list()
        ['USA->RUS', 'RUS->USA']
        """
        ci = self.conf_int(alpha)
        k = len(self.series)
        rows: dict[str, list[Any]] = {
            c: []
            for c in (
                "effect",
                "term",
                "cause",
                "lag",
                "kind",
                "coef",
                "bse",
                "t",
                "pvalue",
                "ci_low",
                "ci_high",
            )
        }
        for col, effect in enumerate(self.series):
            for row, term in enumerate(self.term_names):
                if row == 0:
                    cause, lag, kind = None, None, "constant"
                else:
                    lag = 1 + (row - 1) // k
                    c = self.series[(row - 1) % k]
                    cause, kind = dyad_name(c), term_kind(c, effect)
                rows["effect"].append(dyad_name(effect))
                rows["term"].append(term)
                rows["cause"].append(cause)
                rows["lag"].append(lag)
                rows["kind"].append(kind)
                rows["coef"].append(float(self.params[row, col]))
                rows["bse"].append(float(self.bse[row, col]))
                rows["t"].append(float(self.tvalues[row, col]))
                rows["pvalue"].append(float(self.pvalues[row, col]))
                rows["ci_low"].append(float(ci[row, col, 0]))
                rows["ci_high"].append(float(ci[row, col, 1]))
        return pl.DataFrame(rows, schema_overrides={"lag": pl.Int64})

    # ------------------------------------------------------------------ Granger
    @cached_property
    def granger(self) -> pl.DataFrame:
        """Granger-causality F tests for every ordered pair of series.

        One row per (cause, effect), cause ≠ effect: does the past of ``cause`` help
        predict ``effect`` given the past of every series (statsmodels'
        ``test_causality(kind="f")``, restrictions = ``k_ar``)? ``pvalue_holm`` is
        Holm-corrected over all ``k(k−1)`` tests (:func:`holm_adjust`, equal to
        statsmodels' ``multipletests(method="holm")``);
        ``reject`` is ``pvalue_holm < alpha``. ``kind`` is ``"direct reciprocity"``
        (cause j→i, effect i→j), ``"triangular"`` (cause k→i, effect i→j) or ``"other"``.
        """
        out: dict[str, list[Any]] = {
            c: [] for c in ("cause", "effect", "kind", "f_stat", "df_num", "df_denom", "pvalue")
        }
        for e, effect in enumerate(self.series):
            for c, cause in enumerate(self.series):
                if c == e:
                    continue
                test = self.var.test_causality(caused=e, causing=[c], kind="f")
                out["cause"].append(dyad_name(cause))
                out["effect"].append(dyad_name(effect))
                out["kind"].append(term_kind(cause, effect))
                out["f_stat"].append(float(test.test_statistic))
                out["df_num"].append(int(test.df[0]))
                out["df_denom"].append(int(test.df[1]))
                out["pvalue"].append(float(test.pvalue))
        holm = holm_adjust(out["pvalue"])
        return pl.DataFrame(out).with_columns(
            pl.Series("pvalue_holm", np.asarray(holm, dtype=float)),
            pl.Series("reject", np.asarray(holm, dtype=float) < self.alpha),
        )

    # ------------------------------------------------------------------ dynamics
    @property
    def sigma_u(self) -> np.ndarray:
        """Residual covariance (degrees-of-freedom adjusted), shape ``(k, k)``."""
        return np.asarray(self.var.sigma_u, dtype=float)

    @cached_property
    def irf(self) -> np.ndarray:
        """Generalised impulse responses (Pesaran & Shin, 1998).

        ``irf[h, i, j]`` is the response of series i, h periods after a one-standard-
        deviation shock to series j, the other shocks taking their expected values given
        that one: ``GIRF_j(h) = Ψ_h Σ e_j / sqrt(σ_jj)`` with ``Ψ_h`` the moving-average
        coefficients of the VAR and ``Σ`` the residual covariance. Unlike Cholesky
        (orthogonalised) responses, these do not depend on the order of the series.
        Shape ``(irf_horizon + 1, k, k)``.
        """
        psi = np.asarray(self.var.ma_rep(self.irf_horizon), dtype=float)
        return generalised_irf(psi, self.sigma_u)

    def irf_frame(self) -> pl.DataFrame:
        """:attr:`irf` as a long table: ``horizon, response, impulse, girf``."""
        h, k, _ = self.irf.shape
        hh, ii, jj = np.meshgrid(np.arange(h), np.arange(k), np.arange(k), indexing="ij")
        names = np.array(self.names)
        return pl.DataFrame(
            {
                "horizon": hh.ravel(),
                "response": names[ii.ravel()],
                "impulse": names[jj.ravel()],
                "girf": self.irf.ravel(),
            }
        )

    @property
    def no_dynamics(self) -> bool:
        """True when the information criterion chose 0 lags: no detectable dynamics.

        A VAR needs one lag, so one is fitted anyway; its responses, Granger tests and
        variance shares are then not findings, and the summary and the report's figure
        say so instead of showing them (issue 19, item 8). False when the order was given
        (``lags=``).
        """
        return bool(
            self.ic is not None and self.selected_orders and self.selected_orders[self.ic] == 0
        )

    def irf_bands(
        self, n_boot: int = 500, alpha: float | None = None, rng: RNGLike = 0
    ) -> pl.DataFrame:
        """:meth:`irf_frame` with bootstrap confidence bands, ``lower`` and ``upper``.

        The bands are central ``1 − alpha`` percentile intervals (default: the results'
        ``alpha``) over ``n_boot`` residual-bootstrap refits of the VAR, each with the
        fitted lag order (Runkle 1987; Lütkepohl 2005, §3.7.1; see
        :func:`trilateral.measure._irf.girf_bands`). A response whose band contains 0 is
        not distinguishable from no response. Columns ``horizon, response, impulse, girf,
        lower, upper, n_boot`` (``n_boot``: the draws that could be refitted).

        Examples
        --------
        >>> import numpy as np
        >>> from datetime import date, timedelta
        >>> from trilateral.measure import ReciprocityModel
        >>> y = np.random.default_rng(0).normal(size=(80, 2))
        >>> days = [date(2000, 1, 1) + timedelta(weeks=t) for t in range(80)]
        >>> res = ReciprocityModel.from_array(y, days, ("USA", "RUS")).fit(irf_horizon=4)
        >>> res.no_dynamics
        True
        >>> bands = res.irf_bands(n_boot=50, rng=1)
        >>> bands.columns
        ['horizon', 'response', 'impulse', 'girf', 'lower', 'upper', 'n_boot']
        >>> bands.height, bool((bands["lower"] <= bands["upper"]).all())
        (20, True)
        """
        a = self.alpha if alpha is None else alpha
        if not 0 < a < 1:
            raise ConfigError(f"alpha must be in (0, 1), got {a}")
        if n_boot < 2:
            raise ConfigError(f"n_boot must be ≥ 2, got {n_boot}", hint="e.g. n_boot=500")
        lower, upper, n_ok = girf_bands(self.var, self.irf_horizon, n_boot, a, rng)
        return self.irf_frame().with_columns(
            pl.Series("lower", lower.ravel()),
            pl.Series("upper", upper.ravel()),
            pl.lit(n_ok, pl.Int64).alias("n_boot"),
        )

    @cached_property
    def fevd(self) -> np.ndarray:
        """Generalised forecast-error variance decomposition at ``irf_horizon`` steps.

        Pesaran & Shin (1998), normalised as in Diebold & Yilmaz (2012):
        ``θ_ij(H) = σ_jj⁻¹ Σ_{h<H} (e_i' Ψ_h Σ e_j)² / Σ_{h<H} e_i' Ψ_h Σ Ψ_h' e_i``, then
        each row divided by its sum. ``fevd[i, j]`` is the share of the H-step forecast-
        error variance of series i attributable to shocks in series j; rows sum to 1.
        Correlated shocks are credited to each series they move (hence the
        normalisation), so same-period co-movement counts for both sides.
        """
        g = self.irf[: self.irf_horizon]  # h = 0 … H−1
        num = (g**2).sum(axis=0)
        psi = np.asarray(self.var.ma_rep(self.irf_horizon), dtype=float)[: self.irf_horizon]
        den = np.einsum("hik,kl,hil->i", psi, self.sigma_u, psi)
        theta = num / den[:, None]
        return theta / theta.sum(axis=1, keepdims=True)

    @cached_property
    def variance_sources(self) -> pl.DataFrame:
        """Where each country's outgoing behaviour comes from, one row per country.

        For country i, the rows of :attr:`fevd` of its outgoing series (i→j, i→k) are
        averaged (equal weights) and the shares summed by who sent the shocking series:

        * ``own``: i's own outgoing series (its inertia and its own shocks);
        * ``reactive``: the partners' series *towards i* (j→i, k→i) — i answering what
          was done to it;
        * ``third_party``: the partners' series between themselves (j→k, k→j; none in
          a dyad).

        The three columns sum to 1.
        """
        theta = self.fevd
        rows: dict[str, list[Any]] = {"country": [], "own": [], "reactive": [], "third_party": []}
        for country in self.countries:
            out_rows = [n for n, s in enumerate(self.series) if s[0] == country]
            share = theta[out_rows].mean(axis=0)
            own = sum(share[n] for n, s in enumerate(self.series) if s[0] == country)
            reactive = sum(share[n] for n, s in enumerate(self.series) if s[1] == country)
            third = sum(share[n] for n, s in enumerate(self.series) if country not in s)
            rows["country"].append(country)
            rows["own"].append(float(own))
            rows["reactive"].append(float(reactive))
            rows["third_party"].append(float(third))
        return pl.DataFrame(rows)

    @cached_property
    def endogenous_share(self) -> dict[str, float]:
        """Per country, the share of its outgoing behaviour that answers nobody.

        Definition: for country i, the share of the ``irf_horizon``-step forecast-error
        variance of its outgoing series (i→j for every partner j, averaged with equal
        weights) that the generalised FEVD attributes to i's *own* series — its inertia
        and its own shocks — i.e. 1 minus the share attributable to the partners'
        behaviour (towards i, and, in a triad, between themselves); see
        :attr:`variance_sources`. In [0, 1].

        Reading (Feng, 2019): conflict is *exogenous* when a country's hostility mostly
        answers what the other side did (low endogenous share: tit-for-tat), and
        *endogenous* when it is self-sustaining — driven by its own past and by domestic
        shocks that answer nothing the partner did (high share: the "negative cycle").
        With no cross-effects and uncorrelated shocks the share is 1.
        """
        vs = self.variance_sources
        return dict(zip(vs["country"].to_list(), vs["own"].to_list(), strict=True))

    # ------------------------------------------------------------------ text
    def _order_lines(self, cfg: dict[str, Any]) -> list[str]:
        """How the lag order was chosen, and whether the VAR found any dynamics."""
        lines: list[str] = []
        if self.ic is None:
            lines.append(f"  lag order {self.k_ar} (given)")
        else:
            assert self.selected_orders is not None
            chosen = ", ".join(f"{c} {p}" for c, p in self.selected_orders.items())
            how = "the default criterion" if cfg.get("ic_default") else "as requested"
            cap = (
                f"default maximum: ≥ {OBS_PER_COEF} observations per coefficient"
                if cfg.get("maxlags_default")
                else "maximum as requested"
            )
            sel = self.selected_orders[self.ic]
            if sel == self.k_ar:
                head = f"  lag order {self.k_ar}, chosen by {self.ic.upper()} ({how}); "
            else:  # the criterion chose 0 lags: a VAR needs one, so one is fitted
                head = (
                    f"  lag order {self.k_ar} fitted: {self.ic.upper()} ({how}) chose {sel} "
                    "lags (no dynamics), and a VAR needs at least one; "
                )
            lines += [
                f"{head}orders 0–{cfg['maxlags']} tried ({cap})",
                f"  orders chosen by each criterion: {chosen}",
            ]
            if self.no_dynamics:
                lines.append(
                    f"  NO DETECTABLE DYNAMICS: {self.ic.upper()} chose 0 lags, so at this "
                    "resolution no series helps predict another. The tests, coefficients, "
                    "responses and shares below belong to the VAR(1) fitted anyway and are "
                    "not findings."
                )
        return lines

    def summary(self) -> str:
        """A readable report: lag order, Granger table, key coefficients, shares.

        Examples
        --------
        >>> import numpy as np
        >>> from datetime import date, timedelta
        >>> from trilateral.measure import ReciprocityModel
        >>> rng = np.random.default_rng(3)
        >>> y = np.zeros((200, 2))
        >>> for t in range(1, 200):  # USA→RUS answers RUS→USA with coefficient 0.5
        ...     y[t] = [0.5 * y[t - 1, 1], 0.3 * y[t - 1, 1]] + rng.normal(size=2)
        >>> days = [date(2000, 1, 3) + timedelta(weeks=t) for t in range(200)]
        >>> res = ReciprocityModel.from_array(y, days, ("USA", "RUS")).fit(lags=1)
        >>> print(res.summary())  # doctest: +ELLIPSIS
        Reciprocity VAR (Goldstein & Freeman 1990)
          countries USA, RUS; arena all; value value; period None; fill zero
          sample 2000-01-03 … 2003-10-27 (200 periods, 199 used)
          lag order 1 (given)
        ...
        """
        cfg = self.provenance["config"]
        lines = [
            "Reciprocity VAR (Goldstein & Freeman 1990)",
            f"  countries {', '.join(self.countries)}; arena {cfg['arena']}; value "
            f"{cfg['value']}; period {cfg['period']}; fill {cfg['fill']}",
            f"  sample {self.periods[0]} … {self.periods[-1]} "
            f"({len(self.periods)} periods, {self.nobs} used)",
        ]
        lines += self._order_lines(cfg)
        g = self.granger
        lines += ["", f"Granger causality (F tests; Holm over {g.height} tests)"]
        width = max(len(n) for n in self.names)
        lines.append(f"  {'cause':<{width}}  {'effect':<{width}}  {'kind':<18}  p      p_holm")
        for r in g.sort("pvalue").iter_rows(named=True):
            star = " *" if r["reject"] else ""
            lines.append(
                f"  {r['cause']:<{width}}  {r['effect']:<{width}}  {r['kind']:<18}  "
                f"{r['pvalue']:.3f}  {r['pvalue_holm']:.3f}{star}"
            )
        level = round(100 * (1 - self.alpha))
        lines += ["", f"Key coefficients ({level}% intervals)"]
        key = self.to_frame().filter(
            pl.col("kind").is_in(["inertia", "direct reciprocity", "triangular"])
        )
        for r in key.sort("kind", "effect", "lag").iter_rows(named=True):
            lines.append(
                f"  {r['kind']:<18}  {r['cause']:<{width}} → {r['effect']:<{width}}  "
                f"L{r['lag']}  {r['coef']:+.3f}  [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
            )
        lines += [
            "",
            f"Endogenous share (generalised FEVD, horizon {self.irf_horizon}): share of a "
            "country's outgoing behaviour explained by its own past and shocks",
        ]
        for r in self.variance_sources.iter_rows(named=True):
            lines.append(
                f"  {r['country']}  endogenous {r['own']:.2f}   reactive {r['reactive']:.2f}"
                f"   third-party {r['third_party']:.2f}"
            )
        lines.append(f"\ntrilateral {self.provenance['version']}")
        return "\n".join(lines)
