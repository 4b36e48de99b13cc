"""Defaults shared by the stages, in one place."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

__all__ = [
    "ARENAS",
    "DATA_DIR_ENV",
    "DEFAULT_COUNTRIES",
    "DEFAULT_DB",
    "DEFAULT_WINDOW",
    "PERIODS",
    "as_date",
    "check_countries",
    "default_db_path",
    "describe_window",
    "parse_countries",
    "user_data_dir",
]

#: The default triangle: China, the United States, Russia (ISO 3166-1 alpha-3).
DEFAULT_COUNTRIES: tuple[str, ...] = ("USA", "RUS", "CHN")

#: The window the report (``trilateral report``, ``collect_results``) and the dashboard
#: (``trilateral serve``, clipped to the store's span) use when none is given: one default
#: for both (issue 21, item 9). 2014-2019: from the Crimea crisis to the end of the paper's
#: period (Feng 2019), years in which the chronicle and the ICEWS corpus both hold events.
DEFAULT_WINDOW: tuple[date, date] = (date(2014, 1, 1), date(2019, 12, 31))

#: The five arenas (docs/measure.md); the CAMEO → arena map is data, not code.
ARENAS: tuple[str, ...] = ("diplomatic", "economic", "information", "military", "political")

#: Aggregation periods understood by the measure stage.
PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")

DEFAULT_DB = "trilateral.duckdb"

#: The environment variable that names the user data folder (see :func:`user_data_dir`).
DATA_DIR_ENV = "TRILATERAL_DATA_DIR"


def default_db_path(db: str | Path | None = None) -> Path:
    """The store path: ``db`` if given, else ``$TRILATERAL_DB``, else ./trilateral.duckdb."""
    if db is not None:
        return Path(db)
    return Path(os.environ.get("TRILATERAL_DB", DEFAULT_DB))


def user_data_dir() -> Path:
    """Where trilateral keeps what a user builds, e.g. a refreshed capability panel.

    ``$TRILATERAL_DATA_DIR`` if set, else the platform's user data folder (platformdirs:
    ``~/.local/share/trilateral`` on Linux). Nothing is ever written inside the installed
    package.

    Examples
    --------
    >>> user_data_dir().name
    'trilateral'
    """
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("trilateral", appauthor=False))


def check_countries(
    countries: str | Iterable[str], *, minimum: int = 2, what: str = "--countries"
) -> tuple[str, ...]:
    """The one check of country codes: upper-case ISO 3166-1 alpha-3, in order, unique.

    ``countries`` is ``"USA,RUS,CHN"`` or a sequence of codes. Raises
    :class:`~trilateral.errors.ConfigError` naming the bad codes, or when fewer than
    ``minimum`` different countries are given.

    Examples
    --------
    >>> check_countries("usa, rus,USA")
    ('USA', 'RUS')
    >>> check_countries(["CHN"], minimum=1)
    ('CHN',)
    """
    from .errors import ConfigError

    parts = countries.split(",") if isinstance(countries, str) else list(countries)
    codes = tuple(dict.fromkeys(str(c).strip().upper() for c in parts if str(c).strip()))
    bad = [c for c in codes if len(c) != 3 or not (c.isascii() and c.isalpha())]
    if bad:
        raise ConfigError(
            f"not ISO 3166-1 alpha-3 country codes: {', '.join(bad)}",
            hint=f"give three-letter codes separated by commas, e.g. {what} USA,RUS,CHN",
        )
    if len(codes) < minimum:
        need = "a country" if minimum == 1 else f"at least {minimum} different countries"
        raise ConfigError(f"need {need}, got {len(codes)}", hint=f"e.g. {what} USA,RUS")
    return codes


def parse_countries(value: str | None) -> tuple[str, ...]:
    """Parse ``"USA,RUS,CHN"`` into a tuple of upper-case ISO3 codes (the default triangle
    when empty); see :func:`check_countries`."""
    if value is None or not value.strip():
        return DEFAULT_COUNTRIES
    return check_countries(value)


def describe_window(start: date | str | None, end: date | str | None) -> str:
    """A window in words, an open end said as such (never "None" or a bare "…").

    Examples
    --------
    >>> describe_window(date(2014, 1, 1), date(2019, 12, 31))
    '2014-01-01 to 2019-12-31'
    >>> describe_window("2030-01-01", None)
    '2030-01-01 to the end of the data'
    >>> describe_window(None, "2019-12-31")
    'the start of the data to 2019-12-31'
    >>> describe_window(None, None)
    'the whole of the data'
    """

    def text(d: date | str) -> str:
        return d.isoformat() if isinstance(d, date) else str(d)

    if start is None and end is None:
        return "the whole of the data"
    if end is None:
        return f"{text(start)} to the end of the data"  # type: ignore[arg-type]
    if start is None:
        return f"the start of the data to {text(end)}"
    return f"{text(start)} to {text(end)}"


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
