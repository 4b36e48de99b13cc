"""The shipped ICEWS triad corpus (issue 8, item 2): equal to a rebuild, independent counts.

Reference numbers come from ``shared/data/SOURCES.md`` (ICEWS18 train exact-name triad
counts) and from awk one-liners over the published files, quoted next to each assertion.
The awk helper ``c`` used below maps a name to its country when it is ``China``,
``Russia``, ``United_States`` or ends in ``_(China)``/``_(Russia)``/``_(United_States)``::

    AWK='function c(x){ if (x=="China"||x=="Russia"||x=="United_States") return x;
         if (match(x,/_\\((China|Russia|United_States)\\)$/))
           return substr(x,RSTART+2,RLENGTH-3); return ""}
         {a=c($1);b=c($3); if(a!=""&&b!=""&&a!=b) n++} END{print n+0}'
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from trilateral.data import EventStore, shipped_datasets, shipped_icews_paths
from trilateral.data._icews_corpus import ICEWS_CORPUS, icews_corpus_text

_TRIAD = ("China", "Russia", "United_States")
_SECTOR = re.compile(r"_\((China|Russia|United_States)\)$")


def _country_or_sector(name: str) -> str | None:
    if name in _TRIAD:
        return name
    m = _SECTOR.search(name)
    return m.group(1) if m else None


def _shipped_lines(name: str) -> list[str]:
    path = dict(zip((e.name for e in ICEWS_CORPUS), shipped_icews_paths(), strict=True))[name]
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def test_paths_are_the_three_files() -> None:
    paths = shipped_icews_paths()
    assert [p.name for p in paths] == [
        "icews05-15_triad.txt.gz",
        "icews18_train_triad.txt.gz",
        "icews18_valid_triad.txt.gz",
    ]
    assert all(p.is_file() for p in paths)


@pytest.mark.slow
@pytest.mark.parametrize("entry", ICEWS_CORPUS, ids=lambda e: e.name)
def test_shipped_corpus_equals_rebuild(entry, shared_data: Path) -> None:
    shipped = _shipped_lines(entry.name)
    rebuilt = icews_corpus_text(shared_data, entry).splitlines()
    assert shipped == rebuilt


def test_icews18_train_exact_names_match_sources_md() -> None:
    # shared/data/SOURCES.md, icews18_train: "Triad rows (subject → object, exact names):
    # United_States→Russia 519, Russia→United_States 492, United_States→China 419,
    # China→United_States 589, Russia→China 154, China→Russia 162 (2,335 in all)"
    pairs = Counter()
    for line in _shipped_lines("icews18_train_triad"):
        s, _r, o, _d = line.split("\t")
        if s in _TRIAD and o in _TRIAD:
            pairs[(s, o)] += 1
    assert pairs == {
        ("United_States", "Russia"): 519,
        ("Russia", "United_States"): 492,
        ("United_States", "China"): 419,
        ("China", "United_States"): 589,
        ("Russia", "China"): 154,
        ("China", "Russia"): 162,
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # zcat icews05-15/all.txt.gz | awk -F'\t' "$AWK" → 1306
        ("icews05-15_triad", 1306),
        # zcat icews18_train/train.txt.gz | awk -F'\t' "$AWK" → 4015
        ("icews18_train_triad", 4015),
        # awk -F'\t' "$AWK" icews18_tkg_valid/valid.txt → 495
        ("icews18_valid_triad", 495),
    ],
)
def test_every_country_and_sector_triad_row_is_shipped(name: str, expected: int) -> None:
    rows = 0
    for line in _shipped_lines(name):
        s, _r, o, _d = line.split("\t")
        a, b = _country_or_sector(s), _country_or_sector(o)
        rows += a is not None and b is not None and a != b
    assert rows == expected


def test_corpus_is_listed_with_provenance() -> None:
    by_name = {d.name: d for d in shipped_datasets()}
    for entry in ICEWS_CORPUS:
        d = by_name[entry.name]
        assert d.rows == len(_shipped_lines(entry.name))
        assert any("doi:10.7910/DVN/28075" in s for s in d.sources)
        assert entry.source in d.sources[0]


def test_corpus_ingests_with_triad_countries_only(tmp_path: Path) -> None:
    with EventStore.open(tmp_path / "s.duckdb") as store:
        results = [store.ingest(p) for p in shipped_icews_paths()]
        assert [r.format for r in results] == ["icews_tkg"] * 3
        for r, entry in zip(results, ICEWS_CORPUS, strict=True):
            # every shipped relation text has a CAMEO code: nothing skipped
            assert r.rows_ingested == len(_shipped_lines(entry.name))
        rows = store.con.execute(
            "SELECT count(*), count(DISTINCT event_id), "
            "count(*) FILTER (WHERE source = target OR source NOT IN ('USA','RUS','CHN') "
            "OR target NOT IN ('USA','RUS','CHN') OR source IS NULL OR target IS NULL) "
            "FROM events"
        ).fetchone()
    assert rows is not None
    assert rows[0] == rows[1] == sum(len(_shipped_lines(e.name)) for e in ICEWS_CORPUS)
    assert rows[2] == 0
