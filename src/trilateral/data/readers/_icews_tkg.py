"""The ICEWS18 temporal-knowledge-graph text layout (``subject, relation, object, date``
per line, tab-separated): relations through the shipped relation texts; actors handed
on as names for the resolve-actors step (people resolve on the row's date).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from typing import IO, Any, ClassVar, Literal

from .._hashing import file_sha256
from ._icews import _ActorReader, _lists
from ._text import _DATE_RE, Chunk, _cached, parse_date

__all__ = ["ICEWSTKGReader", "load_event_texts"]

_FILES = resources.files("trilateral.data") / "_files"


# ---------------------------------------------------------------------------------------
# ICEWS18 knowledge-graph text layout
# ---------------------------------------------------------------------------------------
def _text_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.replace("_", " ").casefold()))


_event_texts_cache: dict[str, str] | None = None


def load_event_texts() -> dict[str, str]:
    """Normalised ICEWS event text → CAMEO code, from the shipped ``icews_event_texts.csv``.

    Examples
    --------
    >>> load_event_texts()["express intent to cooperate"]
    '030'
    """
    global _event_texts_cache
    if _event_texts_cache is None:
        text = (_FILES / "icews_event_texts.csv").read_text("utf-8")
        out: dict[str, str] = {}
        for rec in csv.DictReader(text.splitlines()):
            out[_text_key(rec["event_text"])] = rec["cameo"].strip()
        _event_texts_cache = out
    return dict(_event_texts_cache)


class ICEWSTKGReader(_ActorReader):
    """The ICEWS18 temporal-knowledge-graph layout: ``subject, relation, object, date``.

    Parameters
    ----------
    path : str or Path
    codebook : Codebook, optional
        Defaults to ``Codebook.load("icews")`` (Goldstein, quad class, arena per code).
    on_error : {"fail", "skip"}
        Only malformed rows (not four fields, bad date) are rejects.
    batch_rows : int

    Attributes
    ----------
    unmapped_relations : collections.Counter
        Relation texts with no CAMEO code → rows skipped.
    rows_skipped : int
        Rows skipped for an unmapped relation.

    Notes
    -----
    ``event_id`` = ``"icews_tkg:<first 12 hex digits of the file's SHA-256>:<line>"``, so
    two files never share an id (the hash is of the decompressed content, as the store
    computes it); actors are written with spaces for underscores (``Vladimir Putin``);
    ``source``/``target`` null, the subject and object as the file writes them in
    :attr:`ReadBatch.names`, for the resolve-actors step, which resolves them on the
    row's date (a person only within a term of ``leaders.csv``) and counts the names it
    cannot resolve in ``unresolved_actors``;
    ``weight`` 1; ``location`` null; ``url_or_citation`` =
    ``"ICEWS knowledge-graph file <name> (sha256 <12 hex digits>)"``, the file ingested.

    Examples
    --------
    >>> r = ICEWSTKGReader("valid.txt")
    >>> table, rejects = r.read_all()
    >>> table.num_rows, len(rejects)
    (45995, 0)
    >>> from trilateral.data.ingest import ResolveActors
    >>> step = ResolveActors()
    >>> table, rejects = step.read_all(ICEWSTKGReader("valid.txt"))
    >>> step.unresolved.most_common(2)
    [('Bharatiya_Janata', 735), ('Unspecified_Actor', 691)]
    """

    format: ClassVar[str] = "icews_tkg"
    dataset: ClassVar[str] = "icews_tkg"
    actor_names: ClassVar[tuple[str, ...]] = ("source", "target")
    names_are: ClassVar[Literal["countries", "actors"]] = "actors"
    unresolved_key: ClassVar[str] = "unresolved_actors"

    def _setup(self) -> None:
        self.relations = load_event_texts()
        self.unmapped_relations: Counter[str] = Counter()
        self.rows_skipped = 0
        self._rel_cache: dict[str, str | None] = {}
        #: SHA-256 of the decompressed file; computed when reading starts unless the
        #: store (which has hashed the file already) sets it first.
        self.sha256: str | None = None

    @property
    def citation(self) -> str:
        """``url_or_citation`` of every row: the file's name and content hash."""
        return f"ICEWS knowledge-graph file {self.path.name} (sha256 {self._digest()[:12]})"

    def _digest(self) -> str:
        if self.sha256 is None:
            self.sha256 = file_sha256(self.path)
        return self.sha256

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        lines = head.split(b"\n")
        if len(lines) > 1:
            lines = lines[:-1]  # the last piece may be cut off by the head's size
        checked = 0
        for raw in lines[:20]:
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8").rstrip("\r").lstrip("\ufeff")
            except UnicodeDecodeError:
                return False
            fields = text.split("\t")
            if len(fields) != 4 or not all(f.strip() for f in fields[:3]):
                return False
            if not _DATE_RE.match(fields[3].strip()):
                return False
            checked += 1
        return checked > 0

    def _reset(self) -> None:
        super()._reset()
        self.unmapped_relations = Counter()
        self.rows_skipped = 0

    def _relation(self, text: str) -> str | None:
        return _cached(self._rel_cache, text, lambda t: self.relations.get(_text_key(t)))

    def _records(self, stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
        seen_data = False
        for n, text in self._lines(stream):
            if not text.strip():
                continue
            fields = text.split("\t")
            if len(fields) != 4:
                if not seen_data:
                    raise self._wrong_layout(
                        n,
                        "the ICEWS18 text layout: expected 4 tab-separated fields "
                        f"(subject, relation, object, date), found {len(fields)}",
                    )
                yield (
                    n,
                    self._field_count_reject(
                        n, len(fields), 4, "tab-separated fields (subject, relation, object, date)"
                    ),
                )
                continue
            seen_data = True
            rel = fields[1].strip()
            if rel and self._relation(rel) is None:
                self.unmapped_relations[rel] += 1
                self.rows_skipped += 1
                continue
            yield n, fields

    def _convert(self, records: list[Any], lines: list[int]) -> Chunk:
        # the columns filled row by row (event_id, the date as text and parsed, …)
        event_id, date_raw, date, source, target, s_actor, t_actor, cameo = _lists(8)
        prefix = f"icews_tkg:{self._digest()[:12]}:"
        for line, (subj, rel, obj, d) in zip(lines, records, strict=True):
            subj, rel, obj, d = subj.strip(), rel.strip(), obj.strip(), d.strip()
            event_id.append(f"{prefix}{line}")
            date_raw.append(d)
            date.append(parse_date(d, self._date_cache))
            source.append(subj or None)  # names: the resolve step codes them
            target.append(obj or None)
            s_actor.append(subj.replace("_", " ") or None)
            t_actor.append(obj.replace("_", " ") or None)
            cameo.append(self._relation(rel) if rel else None)
        gold, quad, arena = self._lookup(cameo)
        values = (event_id, date, source, target, s_actor, t_actor, cameo, quad, gold, arena)
        raw = {"date": date_raw, "cameo": [r[1].strip() for r in records]}
        return self._actor_chunk(lines, values, location=None, citation=self.citation, raw=raw)
