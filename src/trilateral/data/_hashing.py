"""The identity of an event file: the SHA-256 of its decompressed content.

A low module: the store, the ingest pipeline and the readers (which hash as they parse)
all use it, and it imports none of them.
"""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..errors import ReaderError

__all__ = ["HASH_CHUNK", "Progress", "file_sha256"]

#: ``progress(bytes_done, bytes_total)``, called as a file is read (and hashed first, when
#: its name is in the store already).
Progress = Callable[[int, int], None]

#: Bytes read per step while hashing.
HASH_CHUNK = 1 << 20


def file_sha256(path: str | Path, progress: Progress | None = None) -> str:
    """SHA-256 of the file's decompressed content (zip/gzip detected by content).

    A plain export and its zipped copy get the same hash, so the store sees one file.

    Examples
    --------
    >>> file_sha256("20180326044500.export.CSV.zip")
    '7f1e5571a5975478b4eeb9d4c1f80553cedd8b9526eacd9bdf98278b7b67723d'
    >>> file_sha256("20180326044500.export.CSV") == file_sha256("20180326044500.export.CSV.zip")
    True
    """
    path = Path(path)
    if not path.exists():
        raise ReaderError(path, None, None, "file not found")
    if path.is_dir():
        raise ReaderError(path, None, None, "is a directory, not a file")
    total = path.stat().st_size
    h = hashlib.sha256()
    with path.open("rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        try:
            stream: IO[bytes]
            if magic.startswith(b"PK\x03\x04"):
                zf = zipfile.ZipFile(raw)
                members = [m for m in zf.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise ReaderError(
                        path,
                        None,
                        None,
                        f"zip archive holds {len(members)} files; expected exactly one export",
                    )
                stream = zf.open(members[0])
            elif magic.startswith(b"\x1f\x8b"):
                stream = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
            else:
                stream = raw
            with stream:
                while chunk := stream.read(HASH_CHUNK):
                    h.update(chunk)
                    if progress is not None:
                        progress(raw.tell(), total)
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ReaderError(
                path,
                None,
                None,
                f"cannot read the file: {exc}",
                hint="the file may be damaged or truncated; download it again",
            ) from None
    return h.hexdigest()
