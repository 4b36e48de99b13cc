"""The store's tables (DuckDB DDL). The ``events`` columns are the canonical schema.

Kept apart from :mod:`trilateral.data.store` so every stage (and every test fixture)
creates exactly the same tables.

``ingest_filters`` holds a row for each file ingested with a ``countries`` filter (the
ISO3 codes, sorted, comma-separated); a file ingested whole has none. It was added after
version 1 without a version change: a store written before it gets the table when it is
next opened for writing, and a read-only open of such a store reads every file as
unfiltered.
"""

from __future__ import annotations

__all__ = ["DDL", "STORE_VERSION"]

STORE_VERSION = 1

DDL = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id     BIGINT PRIMARY KEY,
    path          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL UNIQUE,
    reader        VARCHAR NOT NULL,
    dataset       VARCHAR NOT NULL,
    codebook      VARCHAR NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_ingested BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP NOT NULL,
    version       VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    event_id        VARCHAR NOT NULL,
    date            DATE NOT NULL,
    source          VARCHAR,
    target          VARCHAR,
    source_actor    VARCHAR,
    target_actor    VARCHAR,
    cameo           VARCHAR NOT NULL,
    quad_class      TINYINT NOT NULL,
    goldstein       DOUBLE NOT NULL,
    arena           VARCHAR NOT NULL,
    weight          BIGINT NOT NULL,
    dataset         VARCHAR NOT NULL,
    location        VARCHAR,
    url_or_citation VARCHAR,
    ingest_id       BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_duplicates (
    event_id     VARCHAR NOT NULL,
    ingest_id    BIGINT NOT NULL,
    duplicate_of BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_filters (
    ingest_id BIGINT PRIMARY KEY,
    countries VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS event_extras (
    event_id    VARCHAR NOT NULL,
    magnitude   DOUBLE,
    description VARCHAR,
    ingest_id   BIGINT NOT NULL
);
"""
