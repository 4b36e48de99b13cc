"""The datasets shipped in the package and their provenance, in one list.

``make demo`` needs no download: the chronicle, the capability panel, the UN voting
alignment and the ICEWS triad corpus (:func:`shipped_icews_paths`) ship with the package. :func:`shipped_datasets` says, for each, what it is,
where it came from, under what terms, when it was taken, and the hash of the file as
installed, so a result can name exactly which data it used.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from ._icews_corpus import ICEWS_CORPUS, shipped_icews_paths
from .capabilities import panel_provenance
from .unga import alignment_provenance

__all__ = [
    "ShippedDataset",
    "chronicle_provenance",
    "icews_corpus_provenance",
    "shipped_datasets",
    "shipped_icews_paths",
]

ICEWS_ATTRIBUTION = (
    "ICEWS: Boschee et al., Harvard Dataverse doi:10.7910/DVN/28075, and the benchmark's "
    "paper; see ICEWS_CORPUS.md"
)
ICEWS_LICENCE = (
    "ICEWS data: cite Boschee et al. (Harvard Dataverse doi:10.7910/DVN/28075); the "
    "benchmark repackagings carry no licence file (ICEWS05-15 check files: BSD-3-Clause, "
    "mmkb; ICEWS18 valid: Apache-2.0, TLogic)"
)
ICEWS_TAKEN = "2026-11-29"

_FILES = resources.files("trilateral.data") / "_files"

#: When the chronicle was curated (CHRONICLE.md describes how).
CHRONICLE_CURATED = "2026-11-28"
CHRONICLE_LICENCE = (
    "CC BY 4.0 (trilateral project); each row cites its public source in url_or_citation"
)


@dataclass(frozen=True, slots=True)
class ShippedDataset:
    """One shipped dataset and where it came from."""

    name: str
    file: str
    description: str
    rows: int
    span: str
    sources: tuple[str, ...]
    licence: str
    taken: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sources"] = list(self.sources)
        return out


def _sha256(name: str) -> str:
    return hashlib.sha256((_FILES / name).read_bytes()).hexdigest()


def chronicle_provenance() -> dict[str, Any]:
    """Provenance of the shipped chronicle: file hash, rows, dates, licence, citations.

    Examples
    --------
    >>> prov = chronicle_provenance()
    >>> prov["rows"] >= 200 and prov["first_date"] <= "2014-01-31"
    True
    """
    text = (_FILES / "chronicle.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    dates = sorted(r["date"] for r in rows)
    cited_paper = sum(r["url_or_citation"].startswith("Feng 2019") for r in rows)
    return {
        "dataset": "chronicle.csv",
        "sha256": _sha256("chronicle.csv"),
        "rows": len(rows),
        "first_date": dates[0],
        "last_date": dates[-1],
        "rows_citing_the_reference_paper": cited_paper,
        "curated": CHRONICLE_CURATED,
        "licence": CHRONICLE_LICENCE,
        "reference": (
            "Feng Yujun (2019), 'The US-Russia relations since Trump took office and "
            "China's policy choices', Vestnik of Saint Petersburg University. "
            "International Relations 12(4): 422-434"
        ),
        "curation": "see trilateral/data/_files/CHRONICLE.md",
    }


def icews_corpus_provenance() -> list[dict[str, Any]]:
    """Provenance of each shipped ICEWS triad file: source, rows, dates, hash, attribution.

    Examples
    --------
    >>> [(p["name"], p["rows"]) for p in icews_corpus_provenance()][0][0]
    'icews05-15_triad'
    """
    out = []
    for entry, path in zip(ICEWS_CORPUS, shipped_icews_paths(), strict=True):
        raw = path.read_bytes()
        lines = gzip.decompress(raw).decode("utf-8").splitlines()
        dates = [line.rsplit("\t", 1)[-1] for line in lines]
        out.append(
            {
                "name": entry.name,
                "file": entry.file,
                "description": entry.description,
                "source": f"shared/data/{entry.source} (see ICEWS_CORPUS.md)",
                "rows": len(lines),
                "first_date": min(dates) if dates else None,
                "last_date": max(dates) if dates else None,
                "sha256": hashlib.sha256(raw).hexdigest(),
                "attribution": ICEWS_ATTRIBUTION,
                "licence": ICEWS_LICENCE,
                "taken": ICEWS_TAKEN,
            }
        )
    return out


def _from_provenance(
    name: str, prov: dict[str, Any], description: str, span: str
) -> ShippedDataset:
    """A table built from published files (its provenance lists the sources): their
    names, licences and the dates they were taken, each once, in order."""
    names: list[str] = []
    licences: list[str] = []
    taken = set()
    for s in prov.get("sources", []):
        if s.get("source") and s["source"] not in names:
            names.append(s["source"])
        if s.get("licence") and s["licence"] not in licences:
            licences.append(s["licence"])
        if s.get("taken"):
            taken.add(str(s["taken"]))
    return ShippedDataset(
        name=name,
        file=str(prov["dataset"]),
        description=description,
        rows=int(prov["rows"]),
        span=span,
        sources=tuple(names),
        licence="; ".join(licences),
        taken=", ".join(sorted(taken)),
        sha256=str(prov["sha256"]),
    )


def shipped_datasets() -> tuple[ShippedDataset, ...]:
    """Every dataset shipped in the package, with its provenance.

    Examples
    --------
    >>> [d.name for d in shipped_datasets()]  # doctest: +NORMALIZE_WHITESPACE
    ['chronicle', 'capabilities', 'unga_alignment', 'icews05-15_triad',
     'icews18_train_triad', 'icews18_valid_triad']
    """
    chron = chronicle_provenance()
    panel = panel_provenance()
    unga = alignment_provenance()
    return (
        ShippedDataset(
            name="chronicle",
            file="chronicle.csv",
            description="cited China-US-Russia events, directed, with CAMEO code, arena, magnitude",
            rows=chron["rows"],
            span=f"{chron['first_date']} to {chron['last_date']}",
            sources=(
                f"{chron['rows_citing_the_reference_paper']} rows cite {chron['reference']}; "
                "the others official releases, treaties and major outlets",
            ),
            licence=CHRONICLE_LICENCE,
            taken=CHRONICLE_CURATED,
            sha256=chron["sha256"],
        ),
        _from_provenance(
            "capabilities",
            panel,
            "capability panel: GDP, population, GDP per capita, military expenditure, COW "
            f"NMC components and CINC, for the {len(panel['countries'])} permanent members of "
            "the UN Security Council",
            "years each source gives",
        ),
        _from_provenance(
            "unga_alignment",
            unga,
            "UN General Assembly voting alignment per pair and year (agreement, S-score, "
            "ideal-point distance)",
            "1946 onwards (PRC from 1971)",
        ),
        *(
            ShippedDataset(
                name=p["name"],
                file=p["file"],
                description=p["description"]
                + ": both sides resolved to two different countries of the default "
                "triad (the United States, Russia, China) "
                "(knowledge-graph text layout, gzip; ingest with format icews_tkg)",
                rows=p["rows"],
                span=f"{p['first_date']} to {p['last_date']}",
                sources=(p["source"], p["attribution"]),
                licence=p["licence"],
                taken=p["taken"],
                sha256=p["sha256"],
            )
            for p in icews_corpus_provenance()
        ),
    )
