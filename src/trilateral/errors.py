"""Exceptions shared by every stage.

Every error a user can cause says what was wrong, where (file, line, field) and what to
do about it; the CLI prints these messages and exits non-zero, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "DataError",
    "ReaderError",
    "StoreError",
    "StoreLockedError",
    "TrilateralError",
]


class TrilateralError(Exception):
    """Base class of every error `trilateral` raises on purpose."""

    hint: str | None = None
    #: The CLI's exit status for this error (2: a bad input file, see ``_yaml``).
    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  what to do: {self.hint}"
        return self.message


class ConfigError(TrilateralError):
    """A configuration value or argument is invalid."""


class DataError(TrilateralError):
    """Data are missing or inconsistent (e.g. an empty store, an unknown country)."""


class ReaderError(TrilateralError):
    """A file could not be read: names the file, the line (1-based) and the field.

    Parameters
    ----------
    path : str or Path
        The file being read.
    line : int or None
        1-based physical line number in the (decompressed) file, when known.
    field : str or None
        The field (column) at fault, when one is.
    message : str
        What was wrong.
    hint : str, optional
        What the user can do about it.
    """

    def __init__(
        self,
        path: str | Path,
        line: int | None,
        field: str | None,
        message: str,
        *,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.reason = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}", hint=hint)


class StoreError(TrilateralError):
    """The event store could not be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""
