"""Readers for capability data in their published layouts (private; see ``capabilities``).

One module a concept: :mod:`._capcommon` (panel schema, row buffer, parsing, layout
detection), :mod:`._capcountries` (name and code tables → ISO3), and one module a source:
:mod:`._capworldbank`, :mod:`._capcow`, :mod:`._capsipri`. This module gathers their names
for ``capabilities`` and ``unga``.
"""

from __future__ import annotations

from ._capcommon import (
    _MISSING_TEXT,
    INDICATORS,
    PANEL_SCHEMA,
    UnmappedCountryWarning,
    _parse_number,
    detect_layout,
    table_schema,
)
from ._capcountries import (
    _COW_PRECEDENCE,
    COW_CCODE_TO_ISO3,
    COW_EXCLUDED,
    ISO2_TO_ISO3,
    SIPRI_EXCLUDED,
    SIPRI_NAME_TO_ISO3,
)
from ._capcow import read_cow_nmc
from ._capsipri import read_sipri
from ._capworldbank import read_worldbank

__all__ = [
    "COW_CCODE_TO_ISO3",
    "COW_EXCLUDED",
    "INDICATORS",
    "ISO2_TO_ISO3",
    "PANEL_SCHEMA",
    "SIPRI_EXCLUDED",
    "SIPRI_NAME_TO_ISO3",
    "_COW_PRECEDENCE",
    "_MISSING_TEXT",
    "UnmappedCountryWarning",
    "_parse_number",
    "detect_layout",
    "read_cow_nmc",
    "read_sipri",
    "read_worldbank",
    "table_schema",
]
