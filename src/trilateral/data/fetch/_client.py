"""Downloads that a researcher can trust, and that a server can live with.

One :class:`Downloader` per fetch: an :class:`httpx.Client` with connect and read
timeouts, a User-Agent naming trilateral and its version, and a bounded connection
pool (the fetch runs at most ``jobs`` downloads at once). Each download

- writes to ``<name>.part`` in the cache folder and resumes it with an HTTP ``Range``
  request after a dropped connection, a timeout or a 5xx (a server that ignores the
  range sends the whole file again, and the part is restarted);
- retries those with exponential backoff and full jitter, honouring ``Retry-After``;
- is verified against the list's size and MD5 before it is renamed to its final name,
  so a file without ``.part`` in the cache is always a verified one.

A 4xx other than 408/429 is final: retrying does not make a missing file appear.
"""

from __future__ import annotations

import email.utils
import hashlib
import random
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ... import __version__
from ._masterlist import ListedFile

__all__ = ["USER_AGENT", "Downloader", "FetchFailed", "RetryPolicy", "check_archive"]

USER_AGENT = (
    f"trilateral/{__version__} (+https://github.com/trilateral; research data fetch) "
    f"httpx/{httpx.__version__}"
)
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class FetchFailed(Exception):
    """A listed file that could not be fetched; ``reason`` is what the report prints."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try.

    Attributes
    ----------
    attempts : int
        Requests per file at most (the first one included).
    backoff : float
        Seconds before the first retry; doubled each time (full jitter: a uniform draw
        between 0 and that bound), at most ``max_backoff``.
    connect_timeout, read_timeout : float
        Seconds to connect, and between two bytes of a response.
    max_retry_after : float
        A server's ``Retry-After`` is honoured up to this many seconds.
    """

    attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retry_after: float = 300.0

    def delay(self, attempt: int, retry_after: float | None, jitter: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        bound = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        wait = jitter.uniform(0, bound)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def check_archive(path: Path) -> None:
    """Raise :class:`FetchFailed` when ``path`` (a .zip) is truncated: its central
    directory is read (a member's CRC is checked by the reader as it reads it)."""
    if path.suffix.lower() != ".zip":
        return
    try:
        with zipfile.ZipFile(path) as zf:
            zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FetchFailed(f"truncated or damaged archive ({exc})") from None


class Downloader:
    """Fetches listed files into ``cache`` (see the module docstring).

    Parameters
    ----------
    cache : Path
        The folder for downloads (created).
    jobs : int
        Connections at most (the caller runs at most ``jobs`` downloads at once).
    policy : RetryPolicy
    seed : int, optional
        Seeds the jitter of the backoff (its own generator; never the global one).
    """

    def __init__(
        self,
        cache: Path,
        *,
        jobs: int = 4,
        policy: RetryPolicy | None = None,
        seed: int | None = None,
    ) -> None:
        self.cache = cache
        self.policy = policy or RetryPolicy()  # the cache folder is made at the first file
        p = self.policy
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            limits=httpx.Limits(
                max_connections=max(1, jobs), max_keepalive_connections=max(1, jobs)
            ),
            follow_redirects=True,
        )
        self._jitter = random.Random(seed)
        #: How the client waits between tries (a test records the waits here instead of
        #: patching ``time.sleep``, which every other thread of the process also calls).
        self._sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ text

    def get_text(self, url: str) -> str:
        """A small text file (a list), with the same retries; :class:`FetchFailed` when
        it cannot be had."""
        last = ""
        for attempt in range(1, self.policy.attempts + 1):
            retry_after = None
            try:
                r = self.client.get(url)
                if r.status_code == 200:
                    return r.text
                last = f"HTTP {r.status_code}"
                if r.status_code not in _RETRY_STATUS:
                    break
                retry_after = _retry_after(r.headers.get("Retry-After"))
            except httpx.TimeoutException:
                last = "timeout"
            except httpx.TransportError as exc:
                last = f"connection error ({type(exc).__name__})"
            except httpx.InvalidURL as exc:
                raise FetchFailed(f"{url}: not a valid URL ({exc})") from None
            if attempt < self.policy.attempts:
                self._sleep(self.policy.delay(attempt, retry_after, self._jitter))
        raise FetchFailed(
            f"{url}: {last} after {attempt} tries" if attempt > 1 else f"{url}: {last}"
        )

    # ------------------------------------------------------------------ files

    def fetch(self, f: ListedFile, on_bytes: Callable[[int], None] | None = None) -> Path:
        """Download ``f`` (or find it verified in the cache) and return its path.

        Raises :class:`FetchFailed` with the reason (HTTP status, size or MD5 mismatch,
        timeout or dropped connection after the retries).
        """
        self.cache.mkdir(parents=True, exist_ok=True)
        final = self.cache / f.name
        if final.is_file() and self._verified(f, final):
            return final
        part = final.with_name(final.name + ".part")
        fresh_retry = part.is_file() and part.stat().st_size > 0  # a resumed part may be bad
        while True:
            self._download(f, part, on_bytes)
            try:
                self._verify(f, part)
            except FetchFailed:
                part.unlink(missing_ok=True)
                if fresh_retry:  # the part came from an earlier run: once more from byte 0
                    fresh_retry = False
                    continue
                raise
            part.replace(final)
            return final

    def _verified(self, f: ListedFile, path: Path) -> bool:
        try:
            self._verify(f, path)
        except FetchFailed:
            path.unlink(missing_ok=True)
            return False
        return True

    @staticmethod
    def _verify(f: ListedFile, path: Path) -> None:
        size = path.stat().st_size
        if f.size is not None and size != f.size:
            raise FetchFailed(f"size mismatch: {size} bytes, the list says {f.size}")
        digest = _md5(path)
        if digest != f.md5:
            raise FetchFailed(f"MD5 mismatch: got {digest}, the list says {f.md5}")

    def _download(self, f: ListedFile, part: Path, on_bytes: Callable[[int], None] | None) -> None:
        last = ""
        for attempt in range(1, self.policy.attempts + 1):
            retry_after = None
            have = part.stat().st_size if part.is_file() else 0
            if f.size is not None and have >= f.size:
                if have > f.size:
                    part.unlink()
                    continue
                return
            try:
                status, retry_after = self._get(f.url, part, have, on_bytes)
                if status is None:
                    return
                last = f"HTTP {status}"
                if status not in _RETRY_STATUS:
                    raise FetchFailed(last)
            except httpx.TimeoutException:
                last = "timeout"
            except httpx.TransportError as exc:
                last = f"connection dropped ({type(exc).__name__})"
            if attempt < self.policy.attempts:
                self._sleep(self.policy.delay(attempt, retry_after, self._jitter))
        raise FetchFailed(f"{last} after {self.policy.attempts} tries")

    def _get(
        self, url: str, part: Path, have: int, on_bytes: Callable[[int], None] | None
    ) -> tuple[int | None, float | None]:
        """One request; ``(None, None)`` when the body arrived whole, else the status
        and its ``Retry-After``. Bytes received before a drop stay in ``part``."""
        # identity: the bytes on disk are the file's, so a Range resumes them exactly
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = f"bytes={have}-"
        with self.client.stream("GET", url, headers=headers) as r:
            if r.status_code == 416 and have:  # the part is complete already (or too long)
                return None, None
            if r.status_code not in (200, 206):
                return r.status_code, _retry_after(r.headers.get("Retry-After"))
            mode = "ab" if r.status_code == 206 and have else "wb"
            with part.open(mode) as out:
                for chunk in r.iter_raw():  # as received: a drop keeps what arrived
                    out.write(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
        return None, None
