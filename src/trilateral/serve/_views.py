"""What the dashboard computes: the limits of a request, the store's version, and the
results of the measure, diagnose, forecast and simulate stages, cached per store version.

The routers (:mod:`trilateral.serve._routers`) validate a request with :class:`Views`
and ask it for results; every result is computed by an earlier stage and cached under a
key that holds the store version, so an ingest that changes the store changes the key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from ..config import DEFAULT_COUNTRIES, DEFAULT_WINDOW, as_date
from ..errors import ConfigError, DataError, StoreError
from ._cache import ResultCache

__all__ = [
    "MAX_BOOT",
    "MAX_PERIODS",
    "MAX_SIM_CELLS",
    "MAX_SIM_PERIODS",
    "MAX_SIM_RUNS",
    "MAX_WINDOW_DAYS",
    "Period",
    "StoreVersion",
    "Verdict",
    "Views",
]

#: At most this many periods in a requested window (per series).
MAX_PERIODS = 600
#: At most this many bootstrap replicates per request.
MAX_BOOT = 500
#: At most this many days for the tit-for-tat answer window.
MAX_WINDOW_DAYS = 365
#: At most this many runs, periods, and runs × periods of a simulation per request.
MAX_SIM_RUNS = 1_000
MAX_SIM_PERIODS = 240
MAX_SIM_CELLS = 10_000

_PERIOD_DAYS = {"month": 28, "quarter": 90, "year": 365}
Period = Literal["month", "quarter", "year"]
#: The claim verdicts of the diagnose stage (pinned to its constants by a test).
Verdict = Literal[
    "supported",
    "within tolerance",
    "contradicted",
    "disputed",
    "circular",
    "paper-selected",
    "inconclusive",
    "not comparable",
    "not enough data",
]
StoreVersion = tuple[int, int, int, int]


def _version(path: Path) -> StoreVersion:
    """The store's version: size and mtime of the file and of its write-ahead log."""
    st = path.stat()
    wal = Path(f"{path}.wal")
    try:
        ws = wal.stat()
        w = (ws.st_size, ws.st_mtime_ns)
    except FileNotFoundError:
        w = (0, 0)
    return (st.st_size, st.st_mtime_ns, *w)


class Views:
    """The computations behind the endpoints, each cached per store version."""

    def __init__(self, path: Path, cache_size: int) -> None:
        self.path = path
        self.cache = ResultCache(cache_size)

    # ---------------------------------------------------------------- store facts
    def version(self) -> StoreVersion:
        try:
            return _version(self.path)
        except FileNotFoundError:
            raise StoreError(f"the store {self.path} is gone", hint="restart with --db") from None

    def facts(self, v: StoreVersion, *, latest: bool = False) -> dict[str, Any]:
        """The store's countries, first and last day and event count at version ``v``;
        ``latest``: the last known facts may stand in while those at ``v`` are computed
        (what validation uses, so that a request during an ingest does not wait)."""

        def make() -> dict[str, Any]:
            from ..data.store import EventStore

            with EventStore.open(self.path, read_only=True, timeout=10) as store:
                codes = store.con.execute(
                    "SELECT DISTINCT c FROM (SELECT source AS c FROM events UNION "
                    "SELECT target FROM events) WHERE c IS NOT NULL ORDER BY c"
                ).fetchall()
                row = store.con.execute(
                    "SELECT min(date), max(date), count(*) FROM events"
                ).fetchone()
            lo, hi, n = row if row is not None else (None, None, 0)
            return {"countries": [c[0] for c in codes], "first": lo, "last": hi, "events": int(n)}

        if latest:
            return dict(self.cache.latest("facts", v, make)[0])
        return dict(self.cache.get(("facts", v), make))

    # ---------------------------------------------------------------- validation
    def countries(
        self, v: StoreVersion, value: str | None, *, exactly: int | None = None
    ) -> tuple[str, ...]:
        if value is None or not value.strip():
            codes = DEFAULT_COUNTRIES
        else:
            codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
        known = set(self.facts(v, latest=True)["countries"])
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ConfigError(
                f"unknown country codes: {', '.join(unknown)}",
                hint=f"the store has events for {', '.join(sorted(known)) or 'no country'}",
            )
        if len(set(codes)) != len(codes) or len(codes) < 2:
            raise ConfigError("need at least two different countries", hint="e.g. USA,RUS,CHN")
        if len(codes) > 8:
            raise ConfigError("at most 8 countries per request", hint="ask for fewer")
        if exactly is not None and len(codes) != exactly:
            raise ConfigError(
                f"this view needs exactly {exactly} countries", hint="e.g. USA,RUS,CHN"
            )
        return codes

    def default_window(self, v: StoreVersion) -> dict[str, Any]:
        """The window a request without ``start`` and ``end`` gets: the report's default
        (:data:`trilateral.config.DEFAULT_WINDOW`, one default for both) clipped to the
        store's span (``"report_default"`` true), else, when the store holds no event in
        it, the store's whole span. The last known window stands in while the one at
        ``v`` is computed."""

        def make() -> dict[str, Any]:
            facts = self.facts(v)
            first, last = facts["first"], facts["last"]
            d0, d1 = DEFAULT_WINDOW
            if first is None or last is None or last < d0 or first > d1:
                return {"start": first, "end": last, "report_default": False}
            return {"start": max(first, d0), "end": min(last, d1), "report_default": True}

        return dict(self.cache.latest("default_window", v, make)[0])

    def window(
        self, v: StoreVersion, start: str | None, end: str | None, period: str
    ) -> tuple[date, date]:
        facts = self.facts(v, latest=True)
        if not start and not end:
            dflt = self.default_window(v)
            facts = {**facts, "first": dflt["start"], "last": dflt["end"]}
        d0 = as_date(start, "start") if start else facts["first"]
        d1 = as_date(end, "end") if end else facts["last"]
        if d0 is None or d1 is None:
            raise DataError("the store holds no events", hint="ingest event files first")
        if d0 > d1:
            raise ConfigError(f"start {d0} is after end {d1}", hint="swap start and end")
        n = (d1 - d0).days // _PERIOD_DAYS[period] + 1
        if n > MAX_PERIODS:
            raise ConfigError(
                f"the window {d0} … {d1} has about {n} {period}s, more than {MAX_PERIODS}",
                hint="choose a shorter window or a longer period",
            )
        return d0, d1

    def bases(self, v: StoreVersion) -> tuple[str, ...]:
        """The names of the store's evidence bases at version ``v``, sorted; none for a
        store that holds no events yet (the page still shows, with an empty selector)."""
        from ..measure import evidence_bases

        def make() -> tuple[str, ...]:
            if not self.facts(v)["events"]:
                return ()
            return tuple(b.name for b in evidence_bases(self.path, cited=None))

        return tuple(self.cache.get(("bases", v), make))

    def base(self, v: StoreVersion, value: str | None, default: str = "each") -> tuple[str, ...]:
        """The bases a request is computed on, each apart: every base of the store for
        ``"each"``, one named base, or ``("combined",)`` (every base with the
        cross-dataset dedup, only when asked for)."""
        value = (value or default).strip().lower()
        names = self.bases(v)
        if value == "each":
            if not names:
                raise DataError("the store holds no evidence base", hint="ingest event files")
            return names
        if value == "combined" or value in names:
            return (value,)
        raise ConfigError(
            f"unknown evidence base {value!r}",
            hint=f"the store has the bases {', '.join(names) or 'none'}; "
            "or ask for 'each' or 'combined'",
        )

    def reciprocity_base(self, v: StoreVersion, value: str | None, d0: date, d1: date) -> str:
        """The one base the VAR is fitted on: ``value`` when it names one (or
        ``combined``), else the base covering the most months of the window, as the
        report chooses (:func:`trilateral.report.reciprocity_base`)."""
        if value is not None and value.strip() and value.strip().lower() != "each":
            return self.base(v, value)[0]
        from ..report._results import reciprocity_base

        return str(
            self.cache.get(
                ("reciprocity_base", v, d0, d1), lambda: reciprocity_base(str(self.path), d0, d1)
            )
        )

    @staticmethod
    def dyad(value: str | None, codes: tuple[str, ...]) -> str:
        if value is None:
            a, b = sorted(codes[:2])
            return f"{a}-{b}"
        parts = value.upper().replace("_", "-").split("-")
        if len(parts) != 2 or parts[0] == parts[1] or any(p not in codes for p in parts):
            raise ConfigError(
                f"dyad {value!r} is not two of the countries {', '.join(codes)}",
                hint="write it as USA-RUS",
            )
        a, b = sorted(parts)
        return f"{a}-{b}"

    # ---------------------------------------------------------------- results
    def index(
        self,
        v: StoreVersion,
        codes: tuple[str, ...],
        period: str,
        d0: date,
        d1: date,
        n_boot: int,
        base: str | None = None,
    ) -> Any:
        """The index of one evidence base (``base`` column), of every base combined with
        the cross-dataset dedup (``"combined"``), or, for ``None``, of the store's rows
        as they are (the forecast's input)."""
        from ..measure import index_of_base, indices

        kw: dict[str, Any] = {
            "countries": codes,
            "period": period,
            "n_boot": n_boot,
            "rng": 0,
            "start": d0,
            "end": d1,
        }

        def make() -> Any:
            if base is None:
                return indices(self.path, **kw)
            if base == "combined":
                return indices(self.path, collapse_duplicates=True, dedup="cross-dataset", **kw)
            return index_of_base(self.path, base, **kw)

        return self.cache.get(("index", v, codes, period, d0, d1, n_boot, base), make)

    def events(self, v: StoreVersion, codes: tuple[str, ...], d0: date, d1: date) -> pl.DataFrame:
        from ..measure import load_events

        return self.cache.get(
            ("events", v, codes, d0, d1), lambda: load_events(self.path, codes, d0, d1)
        )

    def diagnosis(
        self,
        v: StoreVersion,
        codes: tuple[str, ...],
        period: str,
        d0: date,
        d1: date,
        n_boot: int,
        base: str,
    ) -> Any:
        """The diagnose stage's regimes and triangle of one base (or ``"combined"``)."""
        from ..diagnose import diagnose_store

        return self.cache.get(
            ("diagnosis", v, codes, period, d0, d1, n_boot, base),
            lambda: diagnose_store(
                self.path,
                base=base,
                countries=codes,
                period=period,
                start=d0,
                end=d1,
                n_boot=n_boot,
                rng=0,
            ),
        )

    def diagnosis_frame(
        self,
        v: StoreVersion,
        codes: tuple[str, ...],
        period: str,
        d0: date,
        d1: date,
        n_boot: int,
        base: str,
        part: Literal["regimes", "triangle"],
    ) -> pl.DataFrame | None:
        """One part of a base's diagnosis as a frame: its regimes, or its triangle types
        (None when the base lacks one of the three countries)."""
        result = getattr(self.diagnosis(v, codes, period, d0, d1, n_boot, base), part)
        return None if result is None else result.to_frame()

    def power(self, codes: tuple[str, ...]) -> Any:
        from ..measure import power_ratios

        return self.cache.get(("power", codes), lambda: power_ratios(countries=codes))

    def reciprocity(
        self, v: StoreVersion, codes: tuple[str, ...], d0: date, d1: date, base: str
    ) -> Any:
        """The VAR on the monthly index of one base (never a pool of bases)."""
        from ..measure import ReciprocityModel

        def make() -> Any:
            monthly = self.index(v, codes, "month", d0, d1, 0, base)
            try:
                return ReciprocityModel(monthly, countries=codes).fit()
            except (ValueError, DataError) as exc:  # too few months for the lags
                raise DataError(
                    f"the VAR cannot be estimated on {base}, {d0} … {d1}: {exc}",
                    hint="widen the window (a few years of months) or choose another base",
                ) from None

        return self.cache.get(("reciprocity", v, codes, d0, d1, base), make)

    def titfortat(
        self,
        v: StoreVersion,
        codes: tuple[str, ...],
        d0: date,
        d1: date,
        window_days: int,
        bases: tuple[str, ...],
    ) -> Any:
        """Tit-for-tat on each base's acts apart, side by side (``base`` column)."""
        from ..measure import base_store, load_events, match_tit_for_tat, merge_titfortat

        def one(b: str) -> Any:
            if b == "combined":
                ev = load_events(self.path, codes, d0, d1)
            else:
                with base_store(self.path, b) as con:
                    ev = load_events(con, codes, d0, d1)
            return match_tit_for_tat(ev, window_days=window_days, countries=codes)

        return self.cache.get(
            ("titfortat", v, codes, d0, d1, window_days, bases),
            lambda: merge_titfortat([(b, one(b)) for b in bases]),
        )

    def forecast(
        self,
        v: StoreVersion,
        codes: tuple[str, ...],
        period: str,
        d0: date,
        d1: date,
        horizon: int,
        base: str | None = None,
    ) -> Any:
        """The forecasts of one evidence base's index (never a pool of bases): ``base``
        when it names one, else the base covering the most months of the window."""
        from ..forecast import forecast

        b = self.reciprocity_base(v, base, d0, d1)
        return self.cache.get(
            ("forecast", v, codes, period, d0, d1, horizon, b),
            lambda: forecast(
                self.index(v, codes, period, d0, d1, 0, b), horizon=horizon, evidence_base=b
            ),
        )

    def simulation(self, scenario: str, runs: int, periods: int) -> Any:
        from .. import simulate as stage

        shipped = tuple(stage.shipped_scenarios())
        if scenario not in shipped:
            raise ConfigError(
                f"no shipped scenario {scenario!r}", hint=f"one of {', '.join(shipped)}"
            )
        if runs > MAX_SIM_RUNS or periods > MAX_SIM_PERIODS or runs * periods > MAX_SIM_CELLS:
            raise ConfigError(
                f"a simulation of {runs} runs × {periods} periods is too large for the dashboard",
                hint=f"at most {MAX_SIM_RUNS} runs, {MAX_SIM_PERIODS} periods and "
                f"{MAX_SIM_CELLS} runs × periods; use `trilateral simulate` for more",
            )

        def make() -> Any:
            spec = stage.load_scenario(scenario)
            if not isinstance(spec, stage.GameScenario):  # an arms race has no game to compare
                raise ConfigError(
                    f"scenario {scenario!r} has no policies to compare",
                    hint="choose a game scenario",
                )
            return stage.compare_policies(spec, runs=runs, periods=periods, rng=0)

        return self.cache.get(("simulation", scenario, runs, periods), make)

    def claims(self, v: StoreVersion) -> Any:
        from ..diagnose import run_claims

        return self.cache.get(("claims", v), lambda: run_claims(store=self.path, rng=0))
