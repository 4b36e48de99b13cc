"""Cross-source validity: the chronicle's dyad indices against ICEWS's (docs/validity.md).

Builds a store from the shipped chronicle and the shipped ICEWS triad corpus
(``trilateral.data.shipped_icews_paths()``: the triad rows of ICEWS05-15, the ICEWS18
training split and the ICEWS18 validation split), measures the symmetric ``all``-arena
indices of USA–RUS, USA–CHN and CHN–RUS on each evidence base separately
(``trilateral.measure.base_store`` + ``indices``), and compares them:

* Pearson correlation of the mean Goldstein scores over the periods where both bases have
  events, with its 95 % confidence interval (Fisher z, ``scipy.stats.pearsonr``);
* sign agreement: periods where both means have the same sign (of those where both have
  events and neither mean is 0);
* the named events of March–April 2018 (and of the 2014 Crimea crisis): whether each base
  holds an event of that direction and CAMEO family within two days, and that week's
  mean Goldstein in each base.

Run from the repository root::

    .venv/bin/python docs/validity.py            # print the figures (markdown)
    .venv/bin/python docs/validity.py --write    # and put them into docs/validity.md

``tests/test_validity.py`` runs it and checks that docs/validity.md holds its output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from scipy import stats

from trilateral.data import shipped_chronicle_path, shipped_icews_paths
from trilateral.data.store import EventStore
from trilateral.measure import base_store, indices, load_events

DOC = Path(__file__).with_name("validity.md")
BEGIN = "<!-- BEGIN validity.py output -->"
END = "<!-- END validity.py output -->"
COUNTRIES = ("USA", "RUS", "CHN")
DYADS = (("RUS", "USA"), ("CHN", "USA"), ("CHN", "RUS"))  # symmetric: source < target
WINDOWS = {
    "2018-01 to 2018-09": (date(2018, 1, 1), date(2018, 9, 30)),
    "2014 (Crimea)": (date(2014, 1, 1), date(2014, 12, 31)),
}
PERIODS = ("week", "month")
BASES = ("chronicle", "icews")
LEVEL = 0.95


@dataclass(frozen=True)
class Named:
    """An event the paper or the record names, to look for in each base."""

    day: date
    source: str
    target: str
    roots: tuple[str, ...]  # CAMEO root codes (two digits) that count as this act
    what: str


#: Named events, with the chronicle's dates (data/_files/chronicle.csv, the rows cited).
NAMED = (
    Named(date(2014, 3, 17), "USA", "RUS", ("16",), "first Crimea sanctions (EO 13661)"),
    Named(date(2014, 3, 20), "RUS", "USA", ("16", "17"), "Russia bars nine US officials"),
    Named(date(2014, 3, 24), "USA", "RUS", ("16",), "G8 participation suspended"),
    Named(date(2018, 3, 8), "USA", "CHN", ("16",), "Section 232 steel/aluminium tariffs"),
    Named(date(2018, 3, 15), "USA", "RUS", ("16",), "Treasury sanctions (election meddling)"),
    Named(date(2018, 3, 22), "USA", "CHN", ("13", "16"), "Section 301 memorandum"),
    Named(date(2018, 3, 23), "CHN", "USA", ("13", "16"), "China's retaliation list"),
    Named(date(2018, 3, 26), "USA", "RUS", ("16", "17"), "US expels 60 diplomats"),
    Named(date(2018, 3, 29), "RUS", "USA", ("16", "17"), "Russia expels 60 US diplomats"),
    Named(date(2018, 4, 2), "CHN", "USA", ("16",), "China's tariffs on 128 US products"),
    Named(date(2018, 4, 6), "USA", "RUS", ("16",), "Treasury sanctions on oligarchs"),
    Named(date(2018, 4, 14), "USA", "RUS", ("18", "19", "20"), "strikes on Syria"),
)


def build_store(path: Path) -> Path:
    """The shipped chronicle and the shipped ICEWS triad files in one store at ``path``."""
    with EventStore.open(path) as store:
        store.ingest(shipped_chronicle_path())
        for p in shipped_icews_paths():
            store.ingest(p)
    return path


def series(store: Path, base: str, period: str, start: date, end: date) -> pl.DataFrame:
    """The symmetric all-arena index of each triad dyad on one base, one row per period."""
    with base_store(store, base) as con:
        idx = indices(con, COUNTRIES, period, arena="all", start=start, end=end, n_boot=0)
    return idx.symmetric().frame.select(
        "source", "target", "period_start", "n_events", "mean_goldstein"
    )


def compare(a: pl.DataFrame, b: pl.DataFrame, dyad: tuple[str, str]) -> dict[str, object]:
    """Correlation, its interval and sign agreement of two bases' series of one dyad."""
    sel = (pl.col("source") == dyad[0]) & (pl.col("target") == dyad[1])
    both = (
        a.filter(sel)
        .join(b.filter(sel), on=["source", "target", "period_start"], suffix="_b")
        .filter((pl.col("n_events") > 0) & (pl.col("n_events_b") > 0))
    )
    x, y = both["mean_goldstein"].to_numpy(), both["mean_goldstein_b"].to_numpy()
    out: dict[str, object] = {
        "periods": a.filter(sel).height,
        "n": both.height,
        "events_a": int(a.filter(sel)["n_events"].sum()),
        "events_b": int(b.filter(sel)["n_events"].sum()),
        "r": None,
        "ci": None,
        "p": None,
    }
    if both.height >= 4 and x.std() > 0 and y.std() > 0:
        res = stats.pearsonr(x, y)
        ci = res.confidence_interval(LEVEL)
        out |= {
            "r": float(res.statistic),
            "ci": (float(ci.low), float(ci.high)),
            "p": float(res.pvalue),
        }
    signed = both.filter((pl.col("mean_goldstein") != 0) & (pl.col("mean_goldstein_b") != 0))
    agree = signed.filter((pl.col("mean_goldstein") > 0) == (pl.col("mean_goldstein_b") > 0)).height
    out["sign"] = (agree, signed.height)
    return out


def visible(store: Path, base: str, ev: Named) -> tuple[int, float | None]:
    """Events of the named act's direction and CAMEO family within two days, and the mean
    Goldstein of the dyad's week (Monday to Sunday, both directions) on this base."""
    monday = ev.day - timedelta(days=ev.day.weekday())
    with base_store(store, base) as con:
        rows = load_events(
            con, (ev.source, ev.target), monday - timedelta(days=2), monday + timedelta(days=8)
        )
    near = rows.filter(
        (pl.col("source") == ev.source)
        & (pl.col("target") == ev.target)
        & pl.col("date").is_between(ev.day - timedelta(days=2), ev.day + timedelta(days=2))
        & pl.col("cameo").str.slice(0, 2).is_in(list(ev.roots))
    )
    week = rows.filter(pl.col("date").is_between(monday, monday + timedelta(days=6)))
    mean = float(week["goldstein"].mean()) if week.height else None  # type: ignore[arg-type]
    return near.height, mean


def _f(v: float | None, fmt: str = "+.2f") -> str:
    return "—" if v is None else format(v, fmt)


def report(store: Path) -> str:
    """The figures of docs/validity.md as markdown."""
    lines = []
    for label, (start, end) in WINDOWS.items():
        lines += [
            f"### {label}: {start} to {end}",
            "",
            "| period | dyad | periods | both with events | events chronicle / ICEWS "
            "| r (95 % CI) | p | same sign |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for period in PERIODS:
            s = {b: series(store, b, period, start, end) for b in BASES}
            for dyad in DYADS:
                c = compare(s["chronicle"], s["icews"], dyad)
                ci = c["ci"]
                r = "—" if c["r"] is None else f"{c['r']:+.2f} ({ci[0]:+.2f}, {ci[1]:+.2f})"  # type: ignore[index]
                k, n = c["sign"]  # type: ignore[misc]
                lines.append(
                    f"| {period} | {'–'.join(dyad)} | {c['periods']} | {c['n']} | "
                    f"{c['events_a']} / {c['events_b']} | {r} | {_f(c['p'], '.2g')} | "  # type: ignore[arg-type]
                    f"{k}/{n} |"
                )
        lines.append("")
    lines += [
        "### Named events",
        "",
        "| date | event | direction (CAMEO roots) | chronicle: acts ±2 days, week mean vs "
        "median week | ICEWS: acts ±2 days, week mean vs median week |",
        "|---|---|---|---|---|",
    ]
    for ev in NAMED:
        cells = []
        window = next(w for w in WINDOWS.values() if w[0] <= ev.day <= w[1])
        for b in BASES:
            k, m = visible(store, b, ev)
            weekly = series(store, b, "week", *window).filter(
                (pl.col("source") == min(ev.source, ev.target))
                & (pl.col("target") == max(ev.source, ev.target))
                & (pl.col("n_events") > 0)
            )
            med = weekly["mean_goldstein"].median()
            assert med is None or isinstance(med, float)
            cells.append(f"{'yes' if k else 'no'} ({k}), {_f(m)} vs {_f(med)}")
        lines.append(
            f"| {ev.day} | {ev.what} | {ev.source}→{ev.target} ({', '.join(ev.roots)}) | "
            f"{cells[0]} | {cells[1]} |"
        )
    return "\n".join(lines) + "\n"


def write(text: str, doc: Path = DOC) -> None:
    """Replace the generated part of ``doc`` (between the markers) with ``text``."""
    body = doc.read_text(encoding="utf-8")
    head, _, rest = body.partition(BEGIN)
    _, _, tail = rest.partition(END)
    tmp = doc.with_suffix(".md.tmp")
    tmp.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")
    tmp.replace(doc)


def generated(doc: Path = DOC) -> str:
    """The generated part of ``doc`` as it stands."""
    body = doc.read_text(encoding="utf-8")
    return body.partition(BEGIN)[2].partition(END)[0].removeprefix("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="update docs/validity.md")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        text = report(build_store(Path(tmp) / "validity.duckdb"))
    sys.stdout.write(text)
    if args.write:
        write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
