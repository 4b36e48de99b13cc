"""Timing and peak-memory helpers shared by the benchmarks.

Each contender runs in a fresh Python subprocess so that its peak resident memory is its
own: the child reports its high-water mark (``VmHWM`` of ``/proc/self/status`` on Linux),
else the parent's :func:`os.wait4` gives ``rusage.ru_maxrss`` (KiB on Linux, bytes on
macOS) — which survives ``exec``, so it includes what the parent held when it forked.
The child times only the work itself (not interpreter start-up or imports) and prints
one JSON line as its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Measurement",
    "cpu_seconds",
    "emit",
    "fmt_bytes",
    "load_average",
    "peak_rss",
    "print_table",
    "run_contender",
    "timed",
]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One contender's run: work time in the child, its peak RSS, and what it reported."""

    name: str
    seconds: float
    peak_rss: int  # bytes
    rows: int
    extra: dict[str, Any]

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("nan")


def _maxrss_bytes(ru_maxrss: int) -> int:
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def run_contender(name: str, argv: Sequence[str], *, timeout: float = 3600) -> Measurement:
    """Run ``python argv…`` in a fresh process; it must end its stdout with :func:`emit`."""
    proc = subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"{name} took longer than {timeout} s")
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"contender {name} failed ({proc.returncode}):\n{err[-4000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    own = int(report.pop("peak_rss", 0))
    return Measurement(
        name=name,
        seconds=float(report.pop("seconds")),
        peak_rss=own or _maxrss_bytes(rusage.ru_maxrss),
        rows=int(report.pop("rows")),
        extra=report,
    )


_CPU: dict[str, float] = {}


def peak_rss() -> int:
    """This process's own peak resident memory in bytes.

    ``VmHWM`` on Linux, which (unlike ``ru_maxrss``) starts afresh at ``exec``: a
    process started by a big parent does not inherit the parent's peak. The package's
    own measure, the one ``--workers`` reports for its worker processes.
    """
    from trilateral.data.ingest._parallel import _peak_rss

    return _peak_rss()


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have ended."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(work: Callable[[], int]) -> tuple[float, int]:
    """(seconds, rows) of ``work()``, which returns the number of rows it handled.

    The CPU seconds it took (all threads, and worker processes it started and reaped)
    go into the next :func:`emit` as ``cpu``: on a shared machine they vary less than
    the wall time.
    """
    t0, c0 = time.perf_counter(), cpu_seconds()
    rows = work()
    seconds = time.perf_counter() - t0
    _CPU["cpu"] = cpu_seconds() - c0
    return seconds, rows


def emit(seconds: float, rows: int, **extra: Any) -> None:
    """The child's report: one JSON line on stdout."""
    report = {"seconds": seconds, "rows": rows, **_CPU, "peak_rss": peak_rss(), **extra}
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()


def load_average() -> str:
    """The 1, 5 and 15-minute load averages (the machine may be shared): ``"a/b/c"``."""
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit in ("B", "KB") else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain fixed-width table (benchmarks print to logs; no colour)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w)
        for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for r in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
