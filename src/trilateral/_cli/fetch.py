"""``trilateral fetch gdelt2|gdelt1``: thin over :func:`trilateral.data.fetch_gdelt2`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ..config import DEFAULT_COUNTRIES, parse_countries
from ..data import FetchProgress, FetchReport, RetryPolicy, fetch_gdelt1, fetch_gdelt2
from ..errors import ConfigError
from . import _common as ui

__all__ = ["MirrorOpt", "progress_bar", "register", "stop_on_sigint"]


class Source(StrEnum):
    gdelt2 = "gdelt2"
    gdelt1 = "gdelt1"


MirrorOpt = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="A base URL that replaces http://data.gdeltproject.org (a mirror with "
        "GDELT's layout: /gdeltv2/masterfilelist.txt, /events/md5sums, …).",
        show_default=False,
    ),
]


@contextmanager
def stop_on_sigint() -> Iterator[threading.Event]:
    """An event that the first Ctrl-C sets (the run stops between files); a second
    Ctrl-C interrupts at once."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        ui.err_console.print("stopping after the current file (Ctrl-C again to abort)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Callable[[FetchProgress], None]]:
    """A rich bar on stderr: files, bytes, rows and the time left."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]}"),
        TimeRemainingColumn(),
        console=ui.err_console,
        transient=True,
        disable=quiet,
    )
    task = bar.add_task("listing", total=None, rows="")

    def update(p: FetchProgress) -> None:
        bar.update(
            task,
            completed=p.bytes_done,
            total=p.bytes_total or None,
            description=f"{p.files_done}/{p.files_total} files",
            rows=f"{p.rows:,} rows",
        )

    with bar:
        yield update


def _print(report: FetchReport, json: bool) -> None:
    if json:
        ui.print_json(report.to_dict())
    else:
        ui.print_text(report.summary())


SourceArg = Annotated[
    Source,
    typer.Argument(
        help="gdelt2 (15-minute files, 2015-02-18 on) or gdelt1 (daily files, 1979 on)."
    ),
]
StartOpt = Annotated[str, typer.Option("--start", help="First day (ISO date), UTC.")]
EndOpt = Annotated[str, typer.Option("--end", help="Last day (ISO date), UTC, inclusive.")]
AllOpt = Annotated[
    bool, typer.Option("--all", help="Keep every event, not only the countries' dyads.")
]
JobsOpt = Annotated[int, typer.Option("--jobs", min=1, help="Downloads at once.")]
KeepRawOpt = Annotated[
    bool, typer.Option("--keep-raw", help="Keep the downloaded files after their ingest.")
]
MentionsOpt = Annotated[
    bool,
    typer.Option(
        "--mentions",
        help="gdelt2: also fetch the mentions files (verified into the cache, not ingested).",
    ),
]
RetriesOpt = Annotated[
    int, typer.Option("--retries", min=0, help="Retries per file after the first try.")
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout", min=0.01, help="Seconds to connect, and between two bytes of a response."
    ),
]
BackoffOpt = Annotated[
    float,
    typer.Option(
        "--backoff",
        min=0,
        help="Seconds before the first retry, doubled each time (with jitter).",
    ),
]


def fetch(
    source: SourceArg,
    start: StartOpt,
    end: EndOpt,
    countries: ui.CountriesOpt = ",".join(DEFAULT_COUNTRIES),
    all_countries: AllOpt = False,
    db: ui.DbOpt = None,
    mirror: MirrorOpt = None,
    jobs: JobsOpt = 4,
    keep_raw: KeepRawOpt = False,
    mentions: MentionsOpt = False,
    retries: RetriesOpt = 4,
    timeout: TimeoutOpt = 60.0,
    backoff: BackoffOpt = 1.0,
    json: ui.JsonOpt = False,
) -> None:
    """Download GDELT's event files of a window into the store, with no silent gap.

    Every expected file (one every 15 minutes for gdelt2; daily, monthly or yearly for
    gdelt1) is accounted for: fetched, failed with the reason, or absent from GDELT's
    list. Each file is verified against the list's size and MD5, ingested whole or not
    at all, and recorded; run the same command again to resume or retry. Exit code 1
    when a listed file still fails.

    Example: trilateral fetch gdelt2 --start 2018-03-01 --end 2018-03-31

    Example: trilateral fetch gdelt1 --start 2017-01-01 --end 2019-12-31 --all --json
    """
    if all_countries and countries != ",".join(DEFAULT_COUNTRIES):
        raise ConfigError("give --countries or --all, not both", hint="drop one of them")
    who = None if all_countries else parse_countries(countries)
    for name, value in (("--start", start), ("--end", end)):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{name} {value!r} is not a date", hint="e.g. 2018-03-01") from None
    policy = RetryPolicy(attempts=retries + 1, backoff=backoff, connect_timeout=timeout,
                         read_timeout=timeout)  # fmt: skip
    run = fetch_gdelt2 if source is Source.gdelt2 else fetch_gdelt1
    kwargs: dict[str, Any] = {"mentions": mentions} if source is Source.gdelt2 else {}
    with stop_on_sigint() as stop, progress_bar(json) as update:
        report = run(start, end, countries=who, db=db, mirror=mirror, jobs=jobs,
                     keep_raw=keep_raw, progress=update, policy=policy, stop=stop, **kwargs)  # fmt: skip
    _print(report, json)
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``fetch`` to the ``trilateral`` app."""
    app.command("fetch")(ui.handle_errors(fetch))
