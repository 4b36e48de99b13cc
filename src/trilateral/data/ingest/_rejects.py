"""Rejected rows (``on_error="skip"``): streamed to a temp file beside the store and
published as ``<store stem>.<file name>.rejects.csv`` once the file's transaction commits.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ..readers._base import Reject

__all__ = ["RejectSpool", "rejects_path_for"]

_REJECT_COLUMNS = ("line", "field", "value", "reason")


def rejects_path_for(store_path: str | Path, file: str | Path) -> Path:
    """Where the rejects of ``file`` go: ``<store stem>.<file name>.rejects.csv`` beside
    the store.

    Examples
    --------
    >>> rejects_path_for("/data/ev.duckdb", "/dl/x.export.CSV").as_posix()
    '/data/ev.x.export.CSV.rejects.csv'
    """
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}.{Path(file).name}.rejects.csv")


class RejectSpool:
    """Rejects streamed to a temp file beside the store; published by :meth:`publish`."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self._tmp: Path | None = None
        self._fh: IO[str] | None = None
        self._writer: Any = None
        self.count = 0

    def write(self, rejects: Sequence[Reject]) -> None:
        if not rejects:
            return
        if self._fh is None:
            fd, name = tempfile.mkstemp(
                prefix=f".{self.final.name}.", suffix=".tmp", dir=self.final.parent
            )
            self._tmp = Path(name)
            self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(_REJECT_COLUMNS)
        self._writer.writerows((r.line, r.field, r.value, r.reason) for r in rejects)
        self.count += len(rejects)

    def publish(self) -> Path | None:
        if self._fh is None or self._tmp is None:
            return None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self._tmp, self.final)
        self._fh = self._tmp = None
        return self.final

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
        self._fh = self._tmp = None
