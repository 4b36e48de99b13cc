"""The base of the diagnose stage's settings: frozen pydantic models whose validation
errors are :class:`~trilateral.errors.ConfigError` naming every bad field."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigError

__all__ = ["Settings", "validation_text"]


def validation_text(exc: ValidationError, prefix: str = "") -> str:
    """Pydantic's errors as ``field: what is wrong`` phrases, joined by ``;``."""
    parts = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e.get("loc", ()))
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{prefix}{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


class Settings(BaseModel):
    """Frozen settings, validated on construction (a bad value is a ConfigError)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigError(
                f"invalid {type(self).__name__}: {validation_text(exc)}",
                hint="see docs/diagnose.md for the meaning and defaults of each setting",
            ) from None

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (validated again)."""
        return type(self)(**(self.model_dump() | changes))
