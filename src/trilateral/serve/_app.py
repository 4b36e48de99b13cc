"""The dashboard: a FastAPI app over a live store, read-only, with a JSON API.

Every number comes from the measure and diagnose stages; every figure from
:mod:`trilateral.report`'s figure functions. Results are cached per store version (the
store file's size and modification time), so a second request for the same view is a
dictionary lookup, and an ingest that changes the store changes the version.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
import polars as pl
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from plotly.offline import get_plotlyjs

from .. import __version__
from ..config import DEFAULT_COUNTRIES, as_date
from ..errors import ConfigError, DataError, StoreError, StoreLockedError, TrilateralError

__all__ = [
    "MAX_BOOT",
    "MAX_HORIZON",
    "MAX_PERIODS",
    "MAX_SIM_CELLS",
    "MAX_SIM_PERIODS",
    "MAX_SIM_RUNS",
    "MAX_WINDOW_DAYS",
    "StoreVersion",
    "create_app",
]

#: At most this many periods in a requested window (per series).
MAX_PERIODS = 600
#: At most this many bootstrap replicates per request.
MAX_BOOT = 500
#: At most this many days for the tit-for-tat answer window.
MAX_WINDOW_DAYS = 365
#: At most this many periods ahead for a forecast.
MAX_HORIZON = 24
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

_COUNTRIES_Q = Query(
    description="ISO3 codes separated by commas (default USA,RUS,CHN); each must occur in the store.",
    max_length=200,
)
_START_Q = Query(description="First day, ISO date (default: the store's first).", max_length=40)
_END_Q = Query(description="Last day, ISO date (default: the store's last).", max_length=40)
_PERIOD_Q = Query(description="Period of the index cells.")
_BOOT_Q = Query(ge=0, le=MAX_BOOT, description="Bootstrap replicates of the index bands.")


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


class _Cache:
    """A small LRU of computed results (objects and encoded JSON), keyed with the version."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
        value = make()  # computed outside the lock: cached reads never wait for it
        with self.lock:
            self.misses += 1
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class _Views:
    """The computations behind the endpoints, each cached per store version."""

    def __init__(self, path: Path, cache_size: int) -> None:
        self.path = path
        self.cache = _Cache(cache_size)

    # ---------------------------------------------------------------- store facts
    def version(self) -> StoreVersion:
        try:
            return _version(self.path)
        except FileNotFoundError:
            raise StoreError(f"the store {self.path} is gone", hint="restart with --db") from None

    def facts(self, v: StoreVersion) -> dict[str, Any]:
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

        return dict(self.cache.get(("facts", v), make))

    # ---------------------------------------------------------------- validation
    def countries(
        self, v: StoreVersion, value: str | None, *, exactly: int | None = None
    ) -> tuple[str, ...]:
        if value is None or not value.strip():
            codes = DEFAULT_COUNTRIES
        else:
            codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
        known = set(self.facts(v)["countries"])
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
        """The window a request without ``start`` and ``end`` gets: where the data are
        dense, as ``trilateral diagnose`` chooses it (:func:`trilateral.diagnose.dense_span`
        of the yearly index of the default countries at the regime rules' ``min_events``),
        else the store's whole span."""

        def make() -> dict[str, Any]:
            from ..diagnose import RegimeConfig, dense_span
            from ..measure import indices

            facts = self.facts(v)
            codes = tuple(c for c in DEFAULT_COUNTRIES if c in facts["countries"])
            span = None
            if len(codes) >= 2:
                yearly = indices(self.path, countries=codes, period="year", n_boot=0)
                span = dense_span(yearly, RegimeConfig().min_events)
            if span is None:
                return {"start": facts["first"], "end": facts["last"], "dense": False}
            first, last = span
            return {"start": first, "end": last or facts["last"], "dense": True}

        return dict(self.cache.get(("default_window", v), make))

    def window(
        self, v: StoreVersion, start: str | None, end: str | None, period: str
    ) -> tuple[date, date]:
        facts = self.facts(v)
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
        self, v: StoreVersion, codes: tuple[str, ...], period: str, d0: date, d1: date, n_boot: int
    ) -> Any:
        from ..measure import indices

        return self.cache.get(
            ("index", v, codes, period, d0, d1, n_boot),
            lambda: indices(
                self.path, countries=codes, period=period, n_boot=n_boot, rng=0, start=d0, end=d1
            ),
        )

    def events(self, v: StoreVersion, codes: tuple[str, ...], d0: date, d1: date) -> pl.DataFrame:
        from ..measure import load_events

        return self.cache.get(
            ("events", v, codes, d0, d1), lambda: load_events(self.path, codes, d0, d1)
        )

    def regimes(
        self, v: StoreVersion, codes: tuple[str, ...], period: str, d0: date, d1: date, n_boot: int
    ) -> Any:
        from ..diagnose import classify_regimes, conflict_scope

        def make() -> Any:
            scope = conflict_scope(self.path, codes, period, start=d0, end=d1)
            return classify_regimes(
                self.index(v, codes, period, d0, d1, n_boot), scope=scope, rng=0
            )

        return self.cache.get(("regimes", v, codes, period, d0, d1, n_boot), make)

    def triangle(
        self, v: StoreVersion, codes: tuple[str, ...], period: str, d0: date, d1: date, n_boot: int
    ) -> Any:
        from ..diagnose import triangle_types

        return self.cache.get(
            ("triangle", v, codes, period, d0, d1, n_boot),
            lambda: triangle_types(self.index(v, codes, period, d0, d1, n_boot), codes, rng=0),
        )

    def power(self, codes: tuple[str, ...]) -> Any:
        from ..measure import power_ratios

        return self.cache.get(("power", codes), lambda: power_ratios(countries=codes))

    def reciprocity(self, v: StoreVersion, codes: tuple[str, ...], d0: date, d1: date) -> Any:
        from ..measure import ReciprocityModel

        def make() -> Any:
            monthly = self.index(v, codes, "month", d0, d1, 0)
            return ReciprocityModel(monthly, countries=codes).fit()

        return self.cache.get(("reciprocity", v, codes, d0, d1), make)

    def titfortat(
        self, v: StoreVersion, codes: tuple[str, ...], d0: date, d1: date, window_days: int
    ) -> Any:
        from ..measure import match_tit_for_tat

        return self.cache.get(
            ("titfortat", v, codes, d0, d1, window_days),
            lambda: match_tit_for_tat(
                self.events(v, codes, d0, d1), window_days=window_days, countries=codes
            ),
        )

    def forecast(
        self, v: StoreVersion, codes: tuple[str, ...], period: str, d0: date, d1: date, horizon: int
    ) -> Any:
        from ..forecast import forecast

        return self.cache.get(
            ("forecast", v, codes, period, d0, d1, horizon),
            lambda: forecast(self.index(v, codes, period, d0, d1, 0), horizon=horizon),
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


def _json(text: str | bytes, v: StoreVersion) -> Response:
    body = text.encode() if isinstance(text, str) else text
    return Response(
        body, media_type="application/json", headers={"X-Store-Version": "-".join(map(str, v))}
    )


def _records(frame: pl.DataFrame) -> str:
    return frame.write_json()


def create_app(db: str | Path, *, cache_size: int = 256) -> FastAPI:
    """The dashboard and its JSON API over the store ``db`` (opened read-only per request).

    Parameters
    ----------
    db : path
        The event store. It is never written; each computation opens it read-only and
        closes it, so an ingest running at the same time proceeds.
    cache_size : int
        Results kept (per store version; least recently used dropped first).

    Raises
    ------
    StoreError
        No store at ``db``.

    Examples
    --------
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app("demo-output/trilateral.duckdb"))  # doctest: +SKIP
    >>> client.get("/api/indices", params={"dyad": "RUS-USA"}).json()[:1]  # doctest: +SKIP
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    from ..report import (
        claims_rows,
        index_figure,
        power_figure,
        reciprocity_figure,
        regimes_figure,
        titfortat_figure,
        triangle_figure,
    )

    path = Path(db)
    if not path.is_file():
        raise StoreError(
            f"no event store at {path}",
            hint="run `trilateral demo` or `trilateral ingest FILE --db PATH` first, or pass --db",
        )
    views = _Views(path, cache_size)
    app = FastAPI(
        title="trilateral",
        version=__version__,
        description=(
            "The measure and diagnose results of a trilateral event store as JSON and plotly "
            "figures. Read-only; results cached per store version."
        ),
    )
    app.state.views = views
    env = Environment(
        loader=PackageLoader("trilateral.serve", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    plotly_js = get_plotlyjs().encode()

    @app.exception_handler(TrilateralError)
    async def _trilateral_error(_: Request, exc: TrilateralError) -> JSONResponse:
        if isinstance(exc, StoreLockedError):
            return JSONResponse(
                {"detail": f"{exc.message}; retry in a moment", "hint": exc.hint},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        status = 503 if isinstance(exc, StoreError) else 422
        return JSONResponse({"detail": exc.message, "hint": exc.hint}, status_code=status)

    @app.exception_handler(np.linalg.LinAlgError)
    async def _degenerate(_: Request, exc: np.linalg.LinAlgError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": f"the model cannot be estimated on this window: {exc}",
                "hint": "widen the window",
            },
            status_code=422,
        )

    def cached_json(key: tuple[Any, ...], v: StoreVersion, make: Callable[[], str]) -> Response:
        return _json(views.cache.get(("json", v, *key), make), v)

    # ------------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        v = views.version()
        facts = views.facts(v)
        known = facts["countries"]
        default = [c for c in DEFAULT_COUNTRIES if c in known]
        dyads = [f"{a}-{b}" for a, b in combinations(sorted(default), 2)]
        window = views.default_window(v)
        text = env.get_template("dashboard.html.j2").render(
            store=str(path),
            version=__version__,
            dyads=dyads,
            countries=",".join(default),
            arenas=["diplomatic", "economic", "information", "military", "political"],
            first=facts["first"],
            last=facts["last"],
            start=window["start"],
            end=window["end"],
            dense=window["dense"],
            verdicts=list(get_args(Verdict)),
        )
        return HTMLResponse(text)

    @app.get("/assets/plotly.js", include_in_schema=False)
    def plotly_asset() -> Response:
        return Response(
            plotly_js,
            media_type="application/javascript",
            headers={"Cache-Control": "max-age=86400"},
        )

    # ------------------------------------------------------------------ JSON API
    @app.get("/api/meta", summary="The store: countries, date span, event count, version")
    def meta() -> Response:
        v = views.version()
        f = views.facts(v)
        return JSONResponse(
            {
                "store": str(path),
                "version": "-".join(map(str, v)),
                "countries": f["countries"],
                "first": str(f["first"]),
                "last": str(f["last"]),
                "events": f["events"],
                "default_window": {
                    k: (str(x) if isinstance(x, date) else x)
                    for k, x in views.default_window(v).items()
                },
                "limits": {
                    "max_periods": MAX_PERIODS,
                    "max_boot": MAX_BOOT,
                    "max_window_days": MAX_WINDOW_DAYS,
                },
            }
        )

    @app.get("/api/indices", summary="Cooperation–conflict index per dyad, arena and period")
    def api_indices(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        dyad: Annotated[
            str | None, Query(description="Only this dyad, e.g. RUS-USA.", max_length=20)
        ] = None,
        arena: Annotated[str | None, Query(description="Only this arena.", max_length=40)] = None,
        period: Annotated[Period, _PERIOD_Q] = "year",
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
        n_boot: Annotated[int, _BOOT_Q] = 100,
        directed: Annotated[
            bool, Query(description="Directed cells (default: both directions pooled).")
        ] = False,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries)
        d0, d1 = views.window(v, start, end, period)
        dy = views.dyad(dyad, codes) if dyad else None
        key = ("indices", codes, dy, arena, period, d0, d1, n_boot, directed)

        def make() -> str:
            idx = views.index(v, codes, period, d0, d1, n_boot)
            if arena is not None and arena not in idx.arenas:
                raise ConfigError(
                    f"unknown arena {arena!r}", hint=f"choose one of {', '.join(idx.arenas)}"
                )
            f = idx.frame if directed else idx.symmetric().frame
            if dy is not None:
                a, b = dy.split("-")
                f = f.filter(
                    ((pl.col("source") == a) & (pl.col("target") == b))
                    | ((pl.col("source") == b) & (pl.col("target") == a))
                )
            if arena is not None:
                f = f.filter(pl.col("arena") == arena)
            return _records(f)

        return cached_json(key, v, make)

    @app.get("/api/regimes", summary="Regime per dyad and period, with the rule that fired")
    def api_regimes(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        period: Annotated[Period, _PERIOD_Q] = "year",
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
        n_boot: Annotated[int, _BOOT_Q] = 100,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries)
        d0, d1 = views.window(v, start, end, period)
        return cached_json(
            ("regimes", codes, period, d0, d1, n_boot),
            v,
            lambda: _records(views.regimes(v, codes, period, d0, d1, n_boot).to_frame()),
        )

    @app.get("/api/triangle", summary="The strategic-triangle type per period (Dittmer)")
    def api_triangle(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        period: Annotated[Period, _PERIOD_Q] = "year",
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
        n_boot: Annotated[int, _BOOT_Q] = 100,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries, exactly=3)
        d0, d1 = views.window(v, start, end, period)
        return cached_json(
            ("triangle", codes, period, d0, d1, n_boot),
            v,
            lambda: _records(views.triangle(v, codes, period, d0, d1, n_boot).to_frame()),
        )

    @app.get("/api/power", summary="Power ratios per pair, indicator and year")
    def api_power(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        indicator: Annotated[
            str | None, Query(description="Only this indicator.", max_length=60)
        ] = None,
        start_year: Annotated[int, Query(ge=1800, le=2100)] = 1992,
        end_year: Annotated[int, Query(ge=1800, le=2100)] = 2100,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries)
        if start_year > end_year:
            raise ConfigError(
                f"start_year {start_year} is after end_year {end_year}", hint="swap them"
            )

        def make() -> str:
            pr = views.power(codes)
            if indicator is not None and indicator not in pr.indicators:
                raise ConfigError(
                    f"unknown indicator {indicator!r}",
                    hint=f"choose one of {', '.join(pr.indicators)}",
                )
            f = pr.frame.filter(pl.col("year").is_between(start_year, end_year))
            if indicator is not None:
                f = f.filter(pl.col("indicator") == indicator)
            return _records(f)

        return cached_json(("power", codes, indicator, start_year, end_year), v, make)

    @app.get("/api/reciprocity", summary="Impulse responses and the endogenous share (VAR)")
    def api_reciprocity(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries)
        d0, d1 = views.window(v, start, end, "month")

        def make() -> str:
            import json

            r = views.reciprocity(v, codes, d0, d1)
            return json.dumps(
                {
                    "irf": r.irf_frame().to_dicts(),
                    "endogenous_share": r.endogenous_share,
                    "k_ar": r.k_ar,
                    "nobs": r.nobs,
                }
            )

        return cached_json(("reciprocity", codes, d0, d1), v, make)

    @app.get("/api/titfortat", summary="Hostile acts and their answers, per arena and dyad")
    def api_titfortat(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
        window_days: Annotated[
            int, Query(ge=1, le=MAX_WINDOW_DAYS, description="Answer within this many days.")
        ] = 30,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries)
        d0, d1 = views.window(v, start, end, "month")
        return cached_json(
            ("titfortat", codes, d0, d1, window_days),
            v,
            lambda: _records(views.titfortat(v, codes, d0, d1, window_days).summary_frame()),
        )

    @app.get(
        "/api/claims", summary="The reference paper's claims with verdicts, quotes and figures"
    )
    def api_claims(
        verdict: Annotated[
            Verdict | None,
            Query(description="Only claims with this verdict."),
        ] = None,
    ) -> Response:
        import json

        v = views.version()

        def make() -> str:
            rows = claims_rows(views.claims(v))
            if verdict is not None:
                rows = [r for r in rows if r["verdict"] == verdict]
            return json.dumps(rows, default=str, ensure_ascii=False)

        return cached_json(("claims", verdict), v, make)

    @app.get(
        "/api/forecasts",
        summary="Forecasts of the monthly index with predictive intervals (forecast stage)",
    )
    def api_forecasts(
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
        horizon: Annotated[int, Query(ge=1, le=MAX_HORIZON, description="Months ahead.")] = 6,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries)
        d0, d1 = views.window(v, start, end, "month")
        return cached_json(
            ("forecasts", codes, d0, d1, horizon),
            v,
            lambda: _records(views.forecast(v, codes, "month", d0, d1, horizon).to_frame()),
        )

    @app.get(
        "/api/simulations",
        summary="China's policy options compared by the simulate stage (a shipped scenario)",
    )
    def api_simulations(
        scenario: Annotated[str, Query(max_length=60, description="A shipped scenario.")] = "paper",
        runs: Annotated[int, Query(ge=1, le=100_000, description="Runs per policy.")] = 100,
        periods: Annotated[int, Query(ge=1, le=10_000, description="Periods per run.")] = 36,
    ) -> Response:
        v = views.version()
        return cached_json(
            ("simulations", scenario, runs, periods),
            v,
            lambda: _records(views.simulation(scenario, runs, periods).to_frame()),
        )

    @app.get("/api/figures/{name}", summary="A plotly figure (JSON) of one view")
    def api_figure(
        name: Literal[
            "index",
            "triangle",
            "regimes",
            "power",
            "reciprocity",
            "titfortat",
            "forecast",
            "simulate",
        ],
        countries: Annotated[str | None, _COUNTRIES_Q] = None,
        dyad: Annotated[
            str | None, Query(description="The dyad of the index figure.", max_length=20)
        ] = None,
        arena: Annotated[
            str | None, Query(description="Only this arena (index figure).", max_length=40)
        ] = None,
        period: Annotated[Period, _PERIOD_Q] = "year",
        start: Annotated[str | None, _START_Q] = None,
        end: Annotated[str | None, _END_Q] = None,
        n_boot: Annotated[int, _BOOT_Q] = 100,
        window_days: Annotated[int, Query(ge=1, le=MAX_WINDOW_DAYS)] = 30,
        horizon: Annotated[int, Query(ge=1, le=MAX_HORIZON, description="Months ahead.")] = 6,
    ) -> Response:
        v = views.version()
        codes = views.countries(v, countries, exactly=3 if name == "triangle" else None)
        monthly = name in ("reciprocity", "titfortat", "forecast")
        d0, d1 = views.window(v, start, end, "month" if monthly else period)
        dy = views.dyad(dyad, codes)
        key = ("figure", name, codes, dy, arena, period, d0, d1, n_boot, window_days, horizon)

        def make() -> str:
            if name == "index":
                idx = views.index(v, codes, period, d0, d1, n_boot)
                if arena is not None and arena not in idx.arenas:
                    raise ConfigError(
                        f"unknown arena {arena!r}", hint=f"choose one of {', '.join(idx.arenas)}"
                    )
                fig = index_figure(
                    idx.symmetric().frame,
                    dy,
                    arenas=None if arena is None else [arena],
                    events=views.events(v, codes, d0, d1),
                )
            elif name == "triangle":
                fig = triangle_figure(views.triangle(v, codes, period, d0, d1, n_boot).to_frame())
            elif name == "regimes":
                fig = regimes_figure(views.regimes(v, codes, period, d0, d1, n_boot).to_frame())
            elif name == "power":
                fig = power_figure(views.power(codes), max(1992, d0.year - 20), d1.year)
            elif name == "reciprocity":
                r = views.reciprocity(v, codes, d0, d1)
                fig = reciprocity_figure(r.irf_frame(), r.endogenous_share)
            elif name == "simulate":
                fig = views.simulation("paper", 100, 36).figure()
            elif name == "forecast":
                a, b = dy.split("-")
                fig = views.forecast(v, codes, "month", d0, d1, horizon).figure(a, b)
            else:
                t = views.titfortat(v, codes, d0, d1, window_days)
                fig = titfortat_figure(t.summary_frame(), t.matches)
            return str(fig.to_json())

        return cached_json(key, v, make)

    @app.get("/api/health", include_in_schema=False)
    def health() -> dict[str, Any]:
        return {"ok": True, "pid": os.getpid()}

    return app
