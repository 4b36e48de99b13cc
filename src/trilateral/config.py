"""Defaults shared by the stages, in one place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

__all__ = [
    "ARENAS",
    "DEFAULT_COUNTRIES",
    "DEFAULT_DB",
    "PERIODS",
    "as_date",
    "default_db_path",
    "parse_countries",
]

#: The default triangle: China, the United States, Russia (ISO 3166-1 alpha-3).
DEFAULT_COUNTRIES: tuple[str, ...] = ("USA", "RUS", "CHN")

#: The five arenas of DESIGN.md ("Data"); the CAMEO → arena map is data, not code.
ARENAS: tuple[str, ...] = ("diplomatic", "economic", "information", "military", "political")

#: Aggregation periods understood by the measure stage.
PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")

DEFAULT_DB = "trilateral.duckdb"


def default_db_path(db: str | Path | None = None) -> Path:
    """The store path: ``db`` if given, else ``$TRILATERAL_DB``, else ./trilateral.duckdb."""
    if db is not None:
        return Path(db)
    return Path(os.environ.get("TRILATERAL_DB", DEFAULT_DB))


def parse_countries(value: str | None) -> tuple[str, ...]:
    """Parse ``"USA,RUS,CHN"`` into a tuple of upper-case ISO3 codes."""
    from .errors import ConfigError

    if value is None or not value.strip():
        return DEFAULT_COUNTRIES
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    bad = [c for c in codes if len(c) != 3 or not c.isalpha()]
    if bad:
        raise ConfigError(
            f"not ISO 3166-1 alpha-3 country codes: {', '.join(bad)}",
            hint="give three-letter codes separated by commas, e.g. --countries USA,RUS,CHN",
        )
    if len(set(codes)) < 2:
        raise ConfigError("need at least two different countries", hint="e.g. --countries USA,RUS")
    return codes


def as_date(value: date | str | None, name: str) -> date | None:
    """A window bound as a date: a date (or datetime) as it is, else its ISO text.

    Anything that is not a date raises :class:`~trilateral.errors.ConfigError` naming
    the argument.

    Examples
    --------
    >>> as_date("2014-01-01", "start")
    datetime.date(2014, 1, 1)
    """
    from .errors import ConfigError

    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{name}={value!r} is not a date", hint="give an ISO date such as 2014-01-01"
        ) from None
