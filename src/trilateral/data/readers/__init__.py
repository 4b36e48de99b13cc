"""Readers for the event-file layouts people download, and format detection.

Examples
--------
>>> from trilateral.data.readers import read
>>> reader = read("20180326044500.export.CSV.zip")
>>> table, rejects = reader.read_all()
>>> reader.format, table.num_rows, len(rejects)
('gdelt2', 1540, 0)
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ConfigError, ReaderError
from ..codebook import Codebook
from ._base import DEFAULT_BATCH_ROWS, EventReader, OnError, ReadBatch, Reject, read_head
from ._chronicle import ChronicleReader  # (importing the layouts registers them)
from ._gdelt import GDELT1Reader, GDELT2Reader
from ._icews import ICEWSReader
from ._icews_tkg import ICEWSTKGReader

__all__ = [
    "EventReader",
    "OnError",
    "ReadBatch",
    "Reject",
    "detect_format",
    "read",
    "reader_classes",
]


def reader_classes() -> dict[str, type[EventReader]]:
    """Layout name → reader class, in the order ``--format auto`` tries them."""
    classes: list[type[EventReader]] = [
        ChronicleReader,
        ICEWSReader,
        ICEWSTKGReader,
        GDELT2Reader,
        GDELT1Reader,
    ]
    return {c.format: c for c in classes}


def detect_format(path: str | Path) -> str:
    """Name of the layout of ``path``, judged from its content (never its name)."""
    path = Path(path)
    head = read_head(path)
    if not head:
        raise ReaderError(path, None, None, "file is empty", hint="check the download")
    for name, cls in reader_classes().items():
        if cls.sniff(head):
            return name
    raise ReaderError(
        path,
        1,
        None,
        f"unrecognised layout: tried {', '.join(reader_classes())} and none matched "
        "its first lines",
        hint="name the layout with --format (a GDELT 1.0/2.0 export, an ICEWS event file, "
        "the ICEWS temporal-knowledge-graph text layout or a trilateral chronicle CSV); "
        "a file in none of them (e.g. a knowledge-graph file with integer time steps "
        "instead of dates) has to be converted first",
    )


def read(
    path: str | Path,
    format: str = "auto",
    *,
    codebook: Codebook | None = None,
    on_error: OnError = "fail",
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> EventReader:
    """A streaming reader for ``path`` in ``format`` (``"auto"`` detects it).

    Iterate over the result for :class:`ReadBatch` objects, or call ``read_all()``.
    The layouts that name actors (ICEWS, ICEWS-TKG) leave their countries to the
    resolve-actors step (:class:`trilateral.data.ingest.ResolveActors`); the others
    code countries themselves.
    """
    classes = reader_classes()
    name = detect_format(path) if format == "auto" else format
    if name not in classes:
        raise ConfigError(
            f"unknown format {format!r}",
            hint=f"use one of: auto, {', '.join(classes)}",
        )
    return classes[name](path, codebook=codebook, on_error=on_error, batch_rows=batch_rows)
