"""trilateral: measure, explain, simulate and forecast relations in a great-power triangle."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
