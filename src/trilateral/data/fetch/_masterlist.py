"""GDELT's published file lists, and the slots a window expects.

GDELT 2.0 publishes ``masterfilelist.txt`` (every file since 2015-02-18 23:00 UTC) and
``lastupdate.txt`` (the newest slot's files), one line per file: ``size md5 url``. One
slot every 15 minutes holds an ``export`` (events), a ``mentions`` and a ``gkg`` file.

GDELT 1.0 publishes, under ``events/``, ``md5sums`` (``md5  filename``) and
``filesizes`` (``size filename``): yearly files ``YYYY.zip`` for 1979–2005, monthly
``YYYYMM.zip`` for 2006-01 to 2013-03, and daily ``YYYYMMDD.export.CSV.zip`` from
2013-04-01.

A *slot* is the key of one expected file: ``"20180326044500"`` (GDELT 2.0),
``"20130401"``, ``"201203"`` or ``"1999"`` (GDELT 1.0). Every slot of a window is
expected; the fetch accounts for each one as fetched, failed or absent from the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from ...errors import ConfigError, DataError

__all__ = [
    "GDELT1_DAILY_FROM",
    "GDELT2_FIRST_SLOT",
    "PUBLISHED_HOST",
    "ListedFile",
    "Slot",
    "check_mirror",
    "expected_slots",
    "gdelt1_list",
    "parse_masterlist",
    "rehost",
    "slot_of_name",
]

#: The host in GDELT's lists; ``--mirror`` replaces it.
PUBLISHED_HOST = "http://data.gdeltproject.org"
#: The first GDELT 2.0 slot in the master list.
GDELT2_FIRST_SLOT = datetime(2015, 2, 18, 23, 0)
#: GDELT 1.0's first daily file; before it monthly files (2006-01 on), before those yearly.
GDELT1_DAILY_FROM = date(2013, 4, 1)
GDELT1_MONTHLY_FROM = date(2006, 1, 1)
GDELT1_FIRST_YEAR = 1979
_STEP = timedelta(minutes=15)

_G2_NAME = re.compile(r"^(\d{14})\.(export|mentions|gkg)\.csv\.zip$", re.IGNORECASE)
_G1_NAME = re.compile(r"^(\d{8})\.export\.csv\.zip$|^(\d{6}|\d{4})\.zip$", re.IGNORECASE)
_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")


@dataclass(frozen=True, slots=True)
class Slot:
    """One expected file: its key and the days it covers (inclusive)."""

    key: str
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class ListedFile:
    """One line of a published list: where the file is and what it must be."""

    source: str  # "gdelt2" or "gdelt1"
    slot: str
    kind: str  # "export", "mentions", "gkg"
    url: str
    size: int | None
    md5: str

    @property
    def name(self) -> str:
        """The file name (the last part of the URL)."""
        return self.url.rsplit("/", 1)[-1]


def slot_of_name(source: str, name: str) -> tuple[str, str] | None:
    """``(slot, kind)`` of a published file name, or None for a name of another kind.

    Examples
    --------
    >>> slot_of_name("gdelt2", "20180326044500.export.CSV.zip")
    ('20180326044500', 'export')
    >>> slot_of_name("gdelt1", "201203.zip"), slot_of_name("gdelt1", "20130401.export.CSV.zip")
    (('201203', 'export'), ('20130401', 'export'))
    """
    if source == "gdelt2":
        m = _G2_NAME.match(name)
        return (m.group(1), m.group(2).lower()) if m else None
    m = _G1_NAME.match(name)
    if not m:
        return None
    return (m.group(1) or m.group(2), "export")


def check_mirror(mirror: str | None) -> str | None:
    """``mirror`` if it is an http(s) base URL; :class:`~trilateral.errors.ConfigError`
    otherwise.

    Examples
    --------
    >>> check_mirror("http://127.0.0.1:8000")
    'http://127.0.0.1:8000'
    """
    if mirror is None:
        return None
    parts = urlsplit(mirror)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"--mirror {mirror!r} is not an http(s) base URL",
            hint="e.g. --mirror http://my-mirror:8080 (it replaces http://data.gdeltproject.org)",
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ConfigError(f"--mirror {mirror!r} has a bad port", hint="e.g. :8080") from None
    return mirror


def rehost(url: str, mirror: str | None) -> str:
    """``url`` with GDELT's host replaced by ``mirror`` (a base URL), if given.

    Examples
    --------
    >>> rehost("http://data.gdeltproject.org/gdeltv2/x.zip", "http://127.0.0.1:8000/")
    'http://127.0.0.1:8000/gdeltv2/x.zip'
    """
    if not mirror:
        return url
    for host in (PUBLISHED_HOST, PUBLISHED_HOST.replace("http:", "https:")):
        if url.startswith(host + "/"):
            return mirror.rstrip("/") + url[len(host) :]
    return url


def parse_masterlist(
    text: str, *, what: str = "masterfilelist.txt", mirror: str | None = None
) -> tuple[ListedFile, ...]:
    """The GDELT 2.0 files of a master list (or ``lastupdate.txt``): ``size md5 url``.

    Lines of files that are not 15-minute slot files are ignored; a malformed line
    raises :class:`~trilateral.errors.DataError` naming its line number.

    Examples
    --------
    >>> line = "150383 297a16b493de7cf6ca809a7cc31d0b93 "
    >>> line += "http://data.gdeltproject.org/gdeltv2/20150218230000.export.CSV.zip"
    >>> f = parse_masterlist(line)[0]
    >>> f.slot, f.kind, f.size
    ('20150218230000', 'export', 150383)
    """
    out: list[ListedFile] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or not _MD5.match(parts[1]):
            raise DataError(
                f"{what}, line {no}: expected 'size md5 url', got {line[:120]!r}",
                hint="the list is damaged or not GDELT's; fetch it again or check --mirror",
            )
        url = rehost(parts[2], mirror)
        found = slot_of_name("gdelt2", url.rsplit("/", 1)[-1])
        if found is None:
            continue
        out.append(ListedFile("gdelt2", found[0], found[1], url, int(parts[0]), parts[1].lower()))
    return tuple(out)


def gdelt1_list(
    md5sums: str, filesizes: str | None, base_url: str, *, mirror: str | None = None
) -> tuple[ListedFile, ...]:
    """The GDELT 1.0 event files of ``md5sums`` (``md5  filename``), with their sizes
    from ``filesizes`` (``size filename``) where it lists them.

    Examples
    --------
    >>> files = gdelt1_list(
    ...     "0123456789abcdef0123456789abcdef  20130401.export.CSV.zip",
    ...     "151 20130401.export.CSV.zip",
    ...     "http://data.gdeltproject.org/events/",
    ... )
    >>> files[0].slot, files[0].size, files[0].url
    ('20130401', 151, 'http://data.gdeltproject.org/events/20130401.export.CSV.zip')
    """
    sizes: dict[str, int] = {}
    for no, raw in enumerate((filesizes or "").splitlines(), 1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[0].isdigit():
            raise DataError(f"filesizes, line {no}: expected 'size filename', got {raw[:120]!r}")
        sizes[parts[1]] = int(parts[0])
    out: list[ListedFile] = []
    for no, raw in enumerate(md5sums.splitlines(), 1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 2 or not _MD5.match(parts[0]):
            raise DataError(
                f"md5sums, line {no}: expected 'md5  filename', got {raw[:120]!r}",
                hint="the list is damaged or not GDELT's; fetch it again or check --mirror",
            )
        name = parts[1].lstrip("*")
        found = slot_of_name("gdelt1", name)
        if found is None:
            continue
        url = rehost(base_url.rstrip("/") + "/" + name, mirror)
        out.append(ListedFile("gdelt1", found[0], "export", url, sizes.get(name), parts[0].lower()))
    return tuple(out)


def _gdelt2_slots(start: date, end: date, last: datetime | None) -> Iterator[Slot]:
    t = max(datetime.combine(start, datetime.min.time()), GDELT2_FIRST_SLOT)
    stop = datetime.combine(end, datetime.min.time()) + timedelta(days=1) - _STEP
    if last is not None:
        stop = min(stop, last)
    while t <= stop:
        yield Slot(t.strftime("%Y%m%d%H%M%S"), t, t + _STEP - timedelta(seconds=1))
        t += _STEP


def _gdelt1_slots(start: date, end: date, last: date | None) -> Iterator[Slot]:
    stop = min(end, last) if last is not None else end
    for year in range(max(start.year, GDELT1_FIRST_YEAR), min(stop.year, 2005) + 1):
        yield Slot(f"{year}", datetime(year, 1, 1), datetime(year, 12, 31))
    m = max(date(start.year, start.month, 1), GDELT1_MONTHLY_FROM)
    while m < GDELT1_DAILY_FROM and m <= stop:
        nxt = date(m.year + m.month // 12, m.month % 12 + 1, 1)
        yield Slot(
            m.strftime("%Y%m"),
            datetime.combine(m, datetime.min.time()),
            datetime.combine(nxt - timedelta(days=1), datetime.min.time()),
        )
        m = nxt
    d = max(start, GDELT1_DAILY_FROM)
    while d <= stop:
        t = datetime.combine(d, datetime.min.time())
        yield Slot(d.strftime("%Y%m%d"), t, t)
        d += timedelta(days=1)


def expected_slots(source: str, start: date, end: date, listed: Iterable[ListedFile]) -> list[Slot]:
    """Every slot of ``[start, end]`` (whole days) that ``source`` should have published.

    The window stops at the newest slot in the list: later slots are not published yet,
    so they are not missing.

    Examples
    --------
    >>> [s.key for s in expected_slots("gdelt1", date(2013, 2, 20), date(2013, 4, 2), [])]
    ['201302', '201303', '20130401', '20130402']
    >>> len(expected_slots("gdelt2", date(2018, 3, 26), date(2018, 3, 26), []))
    96
    """
    keys = [f.slot for f in listed]
    newest = max(keys) if keys else None
    if source == "gdelt2":
        last = datetime.strptime(newest, "%Y%m%d%H%M%S") if newest else None
        return list(_gdelt2_slots(start, end, last))
    last_day = _gdelt1_last_day(newest) if newest else None
    return list(_gdelt1_slots(start, end, last_day))


def _gdelt1_last_day(key: str) -> date:
    if len(key) == 8:
        return datetime.strptime(key, "%Y%m%d").date()
    if len(key) == 6:
        return date(int(key[:4]), int(key[4:]), 1)
    return date(int(key), 1, 1)
