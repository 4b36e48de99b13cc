"""Moved to :mod:`trilateral.data.ingest` (``ingest/_parallel.py``); these names stay here
for code that imported them from this module."""

from __future__ import annotations

from .ingest._parallel import IngestProgress, _peak_rss, expand_paths, ingest_files

__all__ = ["IngestProgress", "_peak_rss", "expand_paths", "ingest_files"]
