"""Fetch GDELT's published files into the store, with no silent gap.

:func:`fetch_gdelt2` and :func:`fetch_gdelt1` read GDELT's file lists, download every
file of a window (bounded concurrency, retries with backoff, resume with HTTP Range),
verify each against the list's size and MD5, ingest it through
:meth:`~trilateral.data.EventStore.ingest` with the countries filter, and record it in
the store's fetch ledger. The :class:`FetchReport` accounts for every expected slot:
fetched, failed with a reason, or absent from the list. docs/fetch.md has the recipe.

Examples
--------
A mirror is any web server with GDELT's layout. Here: the two GDELT 2.0 export files of
the workspace, listed in a master file list and served from this folder.

>>> import functools, hashlib, http.server, shutil, threading
>>> from pathlib import Path
>>> Path("gdeltv2").mkdir()
>>> lines = []
>>> for name in ("20180326044500.export.CSV.zip", "20191024143000.export.CSV.zip"):
...     raw = Path(shutil.copy(name, "gdeltv2")).read_bytes()
...     md5 = hashlib.md5(raw).hexdigest()
...     lines.append(f"{len(raw)} {md5} http://data.gdeltproject.org/gdeltv2/{name}")
>>> for name in ("masterfilelist.txt", "lastupdate.txt"):
...     _ = Path("gdeltv2", name).write_text("\\n".join(lines) + "\\n")
>>> quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
>>> handler = functools.partial(quiet, directory=".")
>>> server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
>>> _ = threading.Thread(target=server.serve_forever, daemon=True).start()
>>> mirror = f"http://127.0.0.1:{server.server_port}"
>>> report = fetch_gdelt2("2018-03-26", "2018-03-26", db="fetched.duckdb", mirror=mirror)
>>> # 43: the rows of that file with both actors in USA, RUS, CHN (DuckDB count by hand)
>>> report.coverage.expected, report.coverage.fetched, report.files, report.rows, report.ok
(96, 1, 1, 43, True)
>>> print(report.coverage.summary())  # doctest: +NORMALIZE_WHITESPACE
gdelt2 coverage 20180326000000–20180326234500: 96 files expected, 1 fetched, 0 failed,
95 absent from the list
  absent 2018-03-26 00:00 – 2018-03-26 04:30 (19 slots)
  absent 2018-03-26 05:00 – 2018-03-26 23:45 (76 slots)
>>> server.shutdown(); server.server_close()
"""

from __future__ import annotations

from ._client import USER_AGENT, RetryPolicy
from ._coverage import AbsentRange, FailedFile, FetchCoverage, FetchReport, FileOutcome
from ._fetch import FetchProgress, fetch_coverage, fetch_gdelt1, fetch_gdelt2, fetch_new_slots

__all__ = [
    "USER_AGENT",
    "AbsentRange",
    "FailedFile",
    "FetchCoverage",
    "FetchProgress",
    "FetchReport",
    "FileOutcome",
    "RetryPolicy",
    "fetch_coverage",
    "fetch_gdelt1",
    "fetch_gdelt2",
    "fetch_new_slots",
]
