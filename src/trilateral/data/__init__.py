"""The data stage: canonical schema, CAMEO codebook, readers, the event store, and the
shipped datasets (chronicle, capability panel, UN voting alignment, ICEWS triad corpus).

Examples
--------
>>> from trilateral.data import Codebook
>>> Codebook.load().arena("163")
'economic'
"""

from __future__ import annotations

from ._lake import ExportResult, export_parquet
from ._provenance import atomic_write
from .actors import ActorResolver
from .capabilities import (
    build_panel,
    describe_panel,
    load_panel,
    panel_label,
    panel_provenance,
    read_capabilities,
    read_cow_nmc,
    read_sipri,
    read_worldbank,
    refresh_panel,
    user_panel_path,
)
from .codebook import Codebook
from .fetch import (
    FetchCoverage,
    FetchProgress,
    FetchReport,
    RetryPolicy,
    fetch_coverage,
    fetch_gdelt1,
    fetch_gdelt2,
)
from .ingest import IngestProgress, ResolveActors, expand_paths, ingest_files
from .readers import EventReader, ReadBatch, Reject, detect_format, read
from .readers._chronicle import shipped_chronicle_path
from .schema import EVENT_SCHEMA, EXTRAS_SCHEMA
from .shipped import ShippedDataset, chronicle_provenance, shipped_datasets, shipped_icews_paths
from .store import EventStore, IngestResult, StoreInfo
from .unga import alignment, alignment_provenance, load_alignment, read_idealpoints, read_unga_votes

__all__ = [
    "EVENT_SCHEMA",
    "EXTRAS_SCHEMA",
    "ActorResolver",
    "Codebook",
    "EventReader",
    "EventStore",
    "ExportResult",
    "FetchCoverage",
    "FetchProgress",
    "FetchReport",
    "IngestProgress",
    "IngestResult",
    "ReadBatch",
    "Reject",
    "ResolveActors",
    "RetryPolicy",
    "ShippedDataset",
    "StoreInfo",
    "alignment",
    "alignment_provenance",
    "atomic_write",
    "build_panel",
    "chronicle_provenance",
    "describe_panel",
    "detect_format",
    "expand_paths",
    "export_parquet",
    "fetch_coverage",
    "fetch_gdelt1",
    "fetch_gdelt2",
    "ingest_files",
    "load_alignment",
    "load_panel",
    "panel_label",
    "panel_provenance",
    "read",
    "read_capabilities",
    "read_cow_nmc",
    "read_idealpoints",
    "read_sipri",
    "read_unga_votes",
    "read_worldbank",
    "refresh_panel",
    "shipped_chronicle_path",
    "shipped_datasets",
    "shipped_icews_paths",
    "user_panel_path",
]
