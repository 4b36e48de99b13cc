"""Readers for ICEWS event files and the ICEWS18 temporal-knowledge-graph text layout.

:class:`ICEWSReader` (``--format icews``) reads the published ICEWS event files
(Boschee et al., Harvard Dataverse doi:10.7910/DVN/28075): tab-separated with the header
``Event ID, Event Date, Source Name, Source Sectors, Source Country, Event Text, CAMEO Code,
Intensity, Target Name, …, Country, Latitude, Longitude``, and the same columns in
snake_case as a quoted comma-separated file (``event_id,event_date,source_name,…``), the
"cleaned" variant many repackagings distribute. Country fields hold names
(``"Russian Federation"``).

:class:`ICEWSTKGReader` (``--format icews_tkg``) reads ``subject<TAB>relation<TAB>object
<TAB>YYYY-MM-DD`` lines (the ICEWS14/18 benchmarks). Relations are ICEWS event texts
(``Express_intent_to_cooperate``) mapped to CAMEO codes through the shipped
``icews_event_texts.csv``; actors are names (a country, a ``Sector_(Country)``, a person).

Neither reader turns a name into a country: they leave ``source``, ``target`` (and, for
ICEWS, ``location``) null and hand the names on in :attr:`ReadBatch.names`. The ingest
pipeline's resolve-actors step (:class:`trilateral.data.ingest.ResolveActors`) resolves
them through the :class:`~trilateral.data.actors.ActorResolver` tables and counts the
names it cannot resolve (``unresolved`` for ICEWS, ``unresolved_actors`` for ICEWS18).

Both use the ICEWS tools' Goldstein table by default (``default_goldstein = "icews"``):
it is the one ICEWS's own Intensity column follows, and the only one with code 1213.

What happens to rows the data do not cover (documented behaviour):

* ICEWS: an unknown country name → null country, counted in ``unresolved`` by the
  resolve step; the row is kept.
* ICEWS18: a relation text with no CAMEO code → the row is *skipped*, counted in
  ``unmapped_relations`` and ``rows_skipped``; not a reject, so ``on_error="fail"`` stops
  only on malformed rows. Unresolved actors → null country, counted in
  ``unresolved_actors`` by the resolve step; the row is kept.

Examples
--------
>>> from trilateral.data.readers import read
>>> r = read("events.2018.sample.tab", format="icews")
>>> table, rejects = r.read_all()
>>> table.num_rows, len(rejects), table["source"].null_count == table.num_rows
(3705, 0, True)
>>> from trilateral.data.ingest import ResolveActors
>>> step = ResolveActors()
>>> table, rejects = step.read_all(read("events.2018.sample.tab", format="icews"))
>>> table["source"].null_count, step.unresolved.most_common(3)  # 147 rows: Source Country NA
(147, [])
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, Unpack

import pyarrow as pa

from ._base import ReaderOptions, split_csv_header
from ._text import (
    Chunk,
    _clean,
    _columns,
    _first_line,
    _TextEventReader,
    parse_date,
    parse_float,
)

__all__ = ["ICEWSReader"]

# ---------------------------------------------------------------------------------------
# ICEWS event files
# ---------------------------------------------------------------------------------------
#: canonical role → (published header name, snake_case name)
_ICEWS_FIELDS: dict[str, tuple[str, str]] = {
    "event_id": ("Event ID", "event_id"),
    "date": ("Event Date", "event_date"),
    "source_name": ("Source Name", "source_name"),
    "source_country": ("Source Country", "source_country"),
    "event_text": ("Event Text", "event_text"),
    "cameo": ("CAMEO Code", "cameo_code"),
    "intensity": ("Intensity", "intensity"),
    "target_name": ("Target Name", "target_name"),
    "target_country": ("Target Country", "target_country"),
    "story_id": ("Story ID", "story_id"),
    "publisher": ("Publisher", "publisher"),
    "country": ("Country", "country"),
}
_ICEWS_TAB_HEAD = ("Event ID", "Event Date", "Source Name")
_ICEWS_CSV_HEAD = ("event_id", "event_date", "source_name")


class _ActorReader(_TextEventReader):
    """A text layout whose actors are names (the ICEWS layouts): the ICEWS Goldstein
    table by default; ``source``, ``target`` and ``location`` left null, their names
    handed on in :attr:`ReadBatch.names` for the resolve-actors step."""

    default_goldstein: ClassVar[Literal["gdelt", "icews"]] = "icews"
    actor_names: ClassVar[tuple[str, ...]] = ("source", "target", "location")

    def __init__(self, path: str | Path, **options: Unpack[ReaderOptions]) -> None:
        super().__init__(path, **options)
        self._setup()

    def _setup(self) -> None:
        """The layout's own state (counters, caches), set once at construction."""

    def _actor_chunk(
        self,
        lines: list[int],
        values: tuple[list[Any], ...],
        *,
        location: list[str | None] | None,
        citation: list[str | None] | str,
        raw: dict[str, Any],
    ) -> Chunk:
        """A batch's chunk from the lists the layout filled, in :data:`_ACTOR_COLUMNS`
        order (weight 1, the reader's dataset; the names of ``source``, ``target`` and
        ``location`` as ``<column>_name``, the columns themselves null); ``raw`` holds
        the texts a reject shows."""
        named: dict[str, Any] = dict(zip(_ACTOR_COLUMNS, values, strict=True))
        n = len(lines)
        names = {
            "source_name": named.pop("source"),
            "target_name": named.pop("target"),
            "location_name": [None] * n if location is None else location,
        }
        columns = _columns(
            n,
            **named,
            source=[None] * n,
            target=[None] * n,
            weight=1,
            dataset=self.dataset,
            location=None,
            url_or_citation=citation,
        )
        columns.update({k: pa.array(v, pa.string()) for k, v in names.items()})
        texts = {k: pa.array(v, pa.string()) for k, v in raw.items()}
        return columns, pa.array(lines, pa.int64()), texts


def _lists(n: int) -> tuple[list[Any], ...]:
    """``n`` empty lists (the columns a layout fills row by row)."""
    return tuple([] for _ in range(n))


#: The columns an actor layout fills row by row, in the order ``_actor_chunk`` takes
#: (``source`` and ``target`` hold names: they become ``source_name``/``target_name``).
_ACTOR_COLUMNS = (
    "event_id", "date", "source", "target", "source_actor", "target_actor", "cameo",
    "quad_class", "goldstein", "arena",
)  # fmt: skip


class ICEWSReader(_ActorReader):
    """ICEWS event files: the published tab-separated layout or its snake_case CSV.

    Parameters
    ----------
    path : str or Path
        The file (plain, .zip with one member, or .gz).
    codebook : Codebook, optional
        Defaults to ``Codebook.load("icews")``. Quad class and arena come from it; the
        Goldstein score is the file's own ``Intensity`` (ICEWS's Goldstein scale), and
        the codebook's score only fills a missing one.
    on_error : {"fail", "skip"}
    batch_rows : int

    Attributes
    ----------
    variant : {"tab", "csv"} or None
        Which header the file had (set once reading starts).

    Notes
    -----
    Mapping: ``event_id`` = ``"icews:" + Event ID``; ``source``/``target`` null, the
    Source/Target Country names in :attr:`ReadBatch.names` (the resolve-actors step
    gives their ISO3 codes); ``source_actor``/``target_actor`` = Source/Target Name;
    ``cameo`` = CAMEO Code as text (leading zeros kept); ``goldstein`` = Intensity;
    ``weight`` = 1; ``location`` null, the Country name in :attr:`ReadBatch.names`;
    ``url_or_citation`` =
    ``"ICEWS story <Story ID> (<Publisher>)"``. ``NA`` and empty fields are missing.

    Examples
    --------
    >>> r = ICEWSReader("events.2018.sample.tab")
    >>> table, rejects = r.read_all()
    >>> table.num_rows, len(rejects)
    (3705, 0)
    """

    format: ClassVar[str] = "icews"
    dataset: ClassVar[str] = "icews"

    def _setup(self) -> None:
        self.variant: Literal["tab", "csv"] | None = None
        self._idx: dict[str, int] = {}

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        line = _first_line(head)
        if line is None:
            return False
        if "\t" in line:
            fields = [f.strip() for f in line.split("\t")]
            return tuple(fields[:3]) == _ICEWS_TAB_HEAD and "CAMEO Code" in fields
        fields = [f.strip().strip('"') for f in line.split(",")]
        return tuple(fields[:3]) == _ICEWS_CSV_HEAD and "cameo_code" in fields

    def _records(self, stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
        lines = self._lines(stream)
        header_text = self._header_line(lines)
        if "\t" in header_text:
            header = [h.strip() for h in header_text.split("\t")]
            self.variant, k = "tab", 0
        else:
            header = split_csv_header(self.path, header_text)
            self.variant, k = "csv", 1
        missing = [pair[k] for pair in _ICEWS_FIELDS.values() if pair[k] not in header]
        if missing:
            raise self._wrong_layout(
                1,
                "an ICEWS event file: the header lacks " + ", ".join(repr(m) for m in missing[:5]),
            )
        self._idx = {role: header.index(pair[k]) for role, pair in _ICEWS_FIELDS.items()}
        width = len(header)
        if self.variant == "tab":
            for n, text in lines:
                if not text.strip():
                    continue
                fields = text.split("\t")
                if len(fields) != width:
                    yield n, self._field_count_reject(n, len(fields), width, "tab-separated fields")
                else:
                    yield n, fields
            return
        yield from self._csv_records(lines, width)

    def _convert(self, records: list[Any], lines: list[int]) -> Chunk:
        ix = self._idx
        i_id, i_date, i_sn, i_sc = (
            ix["event_id"],
            ix["date"],
            ix["source_name"],
            ix["source_country"],
        )
        i_cam, i_int, i_tn, i_tc = (
            ix["cameo"],
            ix["intensity"],
            ix["target_name"],
            ix["target_country"],
        )
        i_story, i_pub, i_loc = ix["story_id"], ix["publisher"], ix["country"]
        # the columns filled row by row (event_id, the date as text and parsed, …)
        event_id, date_raw, date, source, target, s_actor, t_actor, cameo = _lists(8)
        gold_raw: list[str | None] = []
        gold: list[float | None] = []
        location: list[str | None] = []
        cite: list[str | None] = []
        for f in records:
            eid = _clean(f[i_id])
            event_id.append(None if eid is None else f"icews:{parse_id(eid)}")
            d = f[i_date].strip()
            date_raw.append(d)
            date.append(parse_date(d, self._date_cache))
            source.append(_clean(f[i_sc]))  # names: the resolve step codes them
            target.append(_clean(f[i_tc]))
            s_actor.append(_clean(f[i_sn]))
            t_actor.append(_clean(f[i_tn]))
            cameo.append(_clean(f[i_cam]))
            g = _clean(f[i_int])
            gold_raw.append(g)
            gold.append(None if g is None else parse_float(g))
            location.append(_clean(f[i_loc]))
            story, pub = _clean(f[i_story]), _clean(f[i_pub])
            if story is None:
                cite.append(None if pub is None else f"ICEWS ({pub})")
            else:
                story = parse_id(story)
                cite.append(f"ICEWS story {story}" + ("" if pub is None else f" ({pub})"))
        cb_gold, quad, arena = self._lookup(cameo)
        # a missing Intensity takes the codebook's score; a bad one stays null → reject
        gold = [
            cb if raw is None else g for g, raw, cb in zip(gold, gold_raw, cb_gold, strict=True)
        ]
        values = (event_id, date, source, target, s_actor, t_actor, cameo, quad, gold, arena)
        raw = {"date": date_raw, "goldstein": gold_raw}
        return self._actor_chunk(lines, values, location=location, citation=cite, raw=raw)


def parse_id(text: str) -> str:
    """An identifier as text; ``"47400351.0"`` (a spreadsheet's float) → ``"47400351"``."""
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text
