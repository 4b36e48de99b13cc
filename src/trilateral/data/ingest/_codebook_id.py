"""Codebook identity: how a stored file was coded (Goldstein table and arena map), and the
error when its content is asked for with another coding.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ...errors import StoreError
from .._records import IngestRecord
from ..codebook import Codebook

__all__ = ["CodebookId", "default_codebook", "recoding_error"]


@dataclass(frozen=True, slots=True)
class CodebookId:
    """What decides how a file's events were coded: the Goldstein table and the arena map.

    Stored in ``ingests.codebook`` as ``goldstein=T; arena_map=PATH; arena_sha256=H``,
    ``H`` the SHA-256 of the map's rules (``prefix,arena`` lines, sorted), so two maps
    with the same rules are the same map wherever they live and whatever their notes.
    Stores written before the hash was recorded lack ``; arena_sha256=H``; their map is
    then known by its path only.
    """

    goldstein: str
    arena_map: str
    arena_sha256: str | None

    @classmethod
    def of(cls, codebook: Codebook) -> CodebookId:
        rules = "".join(f"{prefix},{arena}\n" for prefix, arena in sorted(codebook.arena_rules))
        digest = hashlib.sha256(rules.encode("utf-8")).hexdigest()
        return cls(str(codebook.goldstein_table), codebook.arena_map_path, digest)

    @classmethod
    def parse(cls, text: str | None) -> CodebookId | None:
        """The identity recorded in ``ingests.codebook``; None when unreadable."""
        head, sep, rest = (text or "").partition("; arena_map=")
        if not sep or not head.startswith("goldstein="):
            return None
        path, sep, digest = rest.rpartition("; arena_sha256=")
        if not sep:
            return cls(head.removeprefix("goldstein="), rest, None)
        return cls(head.removeprefix("goldstein="), path, digest or None)

    def __str__(self) -> str:
        text = f"goldstein={self.goldstein}; arena_map={self.arena_map}"
        return text if self.arena_sha256 is None else f"{text}; arena_sha256={self.arena_sha256}"

    def codes_like(self, other: CodebookId) -> bool:
        """True when both code a file the same way (content, not path, of the arena map)."""
        if self.goldstein != other.goldstein:
            return False
        if self.arena_sha256 is not None and other.arena_sha256 is not None:
            return self.arena_sha256 == other.arena_sha256
        return self.arena_map == other.arena_map

    def describe_map(self, digest: bool = True) -> str:
        if not digest or self.arena_sha256 is None:
            return f"arena map {self.arena_map}"
        return f"arena map {self.arena_map} (rules sha256 {self.arena_sha256[:12]})"


def recoding_error(path: str | Path, prev: IngestRecord, wanted: CodebookId) -> StoreError | None:
    """The error for re-ingesting ``prev``'s content with another codebook, else None."""
    stored = CodebookId.parse(prev.codebook)
    if stored is None or stored.codes_like(wanted):
        return None
    if stored.goldstein != wanted.goldstein:
        was = use = f"Goldstein table {stored.goldstein!r}"
        now = f"Goldstein table {wanted.goldstein!r}"
    else:
        was, now = stored.describe_map(), wanted.describe_map()
        use = stored.describe_map(digest=False)
    where = "" if prev.path == str(path) else f", from {prev.path}"
    return StoreError(
        f"{path}: this content is already in the store (ingest {prev.ingest_id}{where}), "
        f"coded with {was}; this ingest asks for {now}. A file is stored once, so it was "
        "not re-coded",
        hint=f"ingest it with {use}, or, to re-code it, ingest it into a new store (--db)",
    )


def default_codebook(format: str, prev: IngestRecord) -> Codebook | None:
    """The codebook ``read(path, format)`` would use for ``prev``'s content, if known.

    ``"auto"`` detects the layout ``prev`` was stored as (same content, same detection); a
    layout that is not registered (a custom reader's) has no known default: None.
    """
    from ..readers import reader_classes

    classes = reader_classes()
    name = prev.format if format == "auto" else format
    if name not in classes:
        return None
    return Codebook.load(classes[name].default_goldstein)
