"""``trilateral watch``: thin over :func:`trilateral.watch.watch_once` / ``watch``."""

from __future__ import annotations

import re
import sys
from json import dumps
from pathlib import Path
from typing import Annotated

import typer

from ..config import DEFAULT_COUNTRIES, parse_countries
from ..data import RetryPolicy
from ..errors import ConfigError, TrilateralError
from ..watch import WatchResult, watch, watch_once
from . import _common as ui
from .fetch import MirrorOpt, stop_on_sigint

__all__ = ["parse_interval", "register"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "": 1}


def parse_interval(text: str) -> float:
    """``"15m"`` → 900.0; ``"30s"``, ``"1h"`` or plain seconds.

    Examples
    --------
    >>> parse_interval("15m"), parse_interval("90")
    (900.0, 90.0)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if m is None or float(m.group(1)) <= 0:
        raise ConfigError(f"--interval {text!r} is not a duration", hint="e.g. 15m, 30s or 1h")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _show(result: WatchResult, json: bool) -> None:
    if json:  # one line a poll: a stream of JSON lines
        sys.stdout.write(dumps(result.to_dict(), default=str, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        ui.print_text(result.summary())


def watch_cmd(
    interval: Annotated[
        str, typer.Option("--interval", help="Time between polls: 15m, 30s, 1h.")
    ] = "15m",
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit (for cron).")] = False,
    db: ui.DbOpt = None,
    countries: ui.CountriesOpt = ",".join(DEFAULT_COUNTRIES),
    mirror: MirrorOpt = None,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            help="The JSON-lines log of polls and changes. "
            "Default: <db>.watch.jsonl beside the store.",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.01, help="Seconds to connect, and between two bytes of a response."
        ),
    ] = 60.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries per file after the first try.")
    ] = 4,
    backoff: Annotated[
        float,
        typer.Option(
            "--backoff",
            min=0,
            help="Seconds before the first retry, doubled each time (with jitter).",
        ),
    ] = 1.0,
    json: ui.JsonOpt = False,
) -> None:
    """Keep the store current from GDELT 2.0 and report when the triangle moves.

    Each poll reads lastupdate.txt, fetches and ingests the new export file (verified,
    whole or not at all), then compares the latest month's regimes, triangle type and
    dyad indices without and with it, per evidence base. Changes are printed and
    appended to the log (JSON lines) with the events behind them. Ctrl-C stops between
    files. With --once, exit code 1 when the new file failed; without it, a first poll
    that fails ends the watch (exit code 1), later ones are reported and retried.

    Example: trilateral watch --once --db events.duckdb

    Example: trilateral watch --interval 15m --countries USA,RUS,CHN
    """
    every = parse_interval(interval)
    codes = parse_countries(countries)
    policy = RetryPolicy(attempts=retries + 1, backoff=backoff, connect_timeout=timeout,
                         read_timeout=timeout)  # fmt: skip
    with stop_on_sigint() as stop:
        if once:
            result = watch_once(db, countries=codes, mirror=mirror, log=log, policy=policy,
                                stop=stop)  # fmt: skip
            _show(result, json)
            if not result.ok:
                raise typer.Exit(1)
            return

        def failed(exc: TrilateralError) -> None:
            ui.err_console.print(f"[bold red]poll failed:[/] {ui.esc(exc)}", highlight=False)

        watch(db, interval=every, stop=stop, on_result=lambda r: _show(r, json),
              on_error=failed, countries=codes, mirror=mirror, log=log, policy=policy)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``watch`` to the ``trilateral`` app."""
    app.command("watch")(ui.handle_errors(watch_cmd))
