"""Readers for ICEWS event files and the ICEWS18 temporal-knowledge-graph text layout.

:class:`ICEWSReader` (``--format icews``) reads the published ICEWS event files
(Boschee et al., Harvard Dataverse doi:10.7910/DVN/28075): tab-separated with the header
``Event ID, Event Date, Source Name, Source Sectors, Source Country, Event Text, CAMEO Code,
Intensity, Target Name, …, Country, Latitude, Longitude``, and the same columns in
snake_case as a quoted comma-separated file (``event_id,event_date,source_name,…``), the
"cleaned" variant many repackagings distribute. Country fields hold names; they become
ISO3 codes through :class:`~trilateral.data.actors.ActorResolver`. An unknown name leaves
the country null and is counted in :attr:`ICEWSReader.unresolved`.

:class:`ICEWSTKGReader` (``--format icews_tkg``) reads ``subject<TAB>relation<TAB>object
<TAB>YYYY-MM-DD`` lines (the ICEWS14/18 benchmarks). Relations are ICEWS event texts
(``Express_intent_to_cooperate``) mapped to CAMEO codes through the shipped
``icews_event_texts.csv``; actors are resolved to countries where they are a country, a
``Sector_(Country)`` or a person in ``leaders.csv``.

Both use the ICEWS tools' Goldstein table by default (``default_goldstein = "icews"``):
it is the one ICEWS's own Intensity column follows, and the only one with code 1213.

What happens to rows the data do not cover (documented behaviour):

* ICEWS: an unknown country name → null country, counted in ``unresolved``; the row is kept.
* ICEWS18: a relation text with no CAMEO code → the row is *skipped*, counted in
  ``unmapped_relations`` and ``rows_skipped``; not a reject, so ``on_error="fail"`` stops
  only on malformed rows. Unresolved actors → null country, counted in
  ``unresolved_actors``; the row is kept.

Examples
--------
>>> from trilateral.data.readers import read
>>> r = read("events.2018.sample.tab", format="icews")
>>> table, rejects = r.read_all()
>>> table.num_rows, len(rejects), r.unresolved.most_common(3)
(3705, 0, [])
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zlib
from abc import abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, TypeVar, Unpack

import pyarrow as pa

from ...errors import ReaderError
from .._hashing import file_sha256
from ..actors import ActorResolver, Term
from ._base import (
    Columns,
    EventReader,
    ReadBatch,
    ReaderOptions,
    Reject,
    split_csv_header,
    suggest_layout,
)

__all__ = ["ICEWSReader", "ICEWSTKGReader", "load_event_texts"]

_FILES = resources.files("trilateral.data") / "_files"
_MAX_LINE = 1 << 20
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "None", "NULL", "null"})
_CACHE_MAX = 100_000

#: What :meth:`_TextEventReader._convert` returns: ``(columns, lines, raw)``.
Chunk = tuple[Columns, pa.Array, Columns]
_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------
# shared helpers (also used by the chronicle reader)
# ---------------------------------------------------------------------------------------
def _cached(cache: dict[str, _T], key: str, compute: Callable[[str], _T]) -> _T:
    """``compute(key)``, memoised in ``cache`` (which stops growing at 100,000 keys)."""
    try:
        return cache[key]
    except KeyError:
        value = compute(key)
        if len(cache) < _CACHE_MAX:
            cache[key] = value
        return value


def _strict_date(text: str) -> dt.date | None:
    if _DATE_RE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def parse_date(text: str, cache: dict[str, dt.date | None]) -> dt.date | None:
    """A strict ``YYYY-MM-DD`` date, or None (memoised in ``cache``)."""
    return _cached(cache, text, _strict_date)


def parse_float(text: str) -> float | None:
    """A finite decimal number, or None."""
    if not _NUM_RE.match(text):
        return None
    return float(text)


def parse_int(text: str) -> int | None:
    """An integer (``"3"``, also ``"3.0"`` as spreadsheets write it), or None."""
    if _INT_RE.match(text):
        return int(text)
    f = parse_float(text)
    if f is not None and f.is_integer() and abs(f) < 2**62:
        return int(f)
    return None


def _clean(text: str) -> str | None:
    text = text.strip()
    return None if text in _MISSING else text


class _TextEventReader(EventReader):
    """Line-oriented reading shared by the ICEWS and chronicle readers.

    Subclasses implement :meth:`_records` (yield ``(line, fields)`` per record, or
    ``(line, Reject)`` for a malformed one) and :meth:`_convert` (a chunk of records →
    canonical columns). This class adds exact line numbers, strict UTF-8 decoding with
    the line at fault, bounded line length, and rejects for rows that do not parse at
    all (wrong number of fields), merged into each :class:`ReadBatch`.
    """

    def __init__(self, path: str | Path, **options: Unpack[ReaderOptions]) -> None:
        super().__init__(path, **options)
        if self.batch_rows < 1:
            raise ValueError("batch_rows must be >= 1")
        self._pending: list[Reject] = []
        self._last_line_complete = True
        self._n_lines = 0
        self._date_cache: dict[str, dt.date | None] = {}
        cb = self.codebook
        codes = sorted(cb.rows)
        self._cb_index = {c: i for i, c in enumerate(codes)}
        self._cb_gold = [cb.rows[c].goldstein for c in codes]
        self._cb_quad = [cb.rows[c].quad_class for c in codes]
        self._cb_arena = [cb.rows[c].arena for c in codes]

    # -- line iteration ----------------------------------------------------------------
    def _lines(self, stream: IO[bytes]) -> Iterator[tuple[int, str]]:
        """``(line number, text without the line break)`` for each physical line."""
        n = 0
        while True:
            try:
                raw = stream.readline(_MAX_LINE + 1)
            except zlib.error as exc:
                raise self._decompress_error(exc, n + 1 if n else None) from None
            if not raw:
                self._n_lines = n
                return
            n += 1
            complete = raw.endswith(b"\n")
            if len(raw) > _MAX_LINE and not complete:
                raise ReaderError(
                    self.path,
                    n,
                    None,
                    "line longer than 1 MiB: not a text event file",
                    hint="give the export file itself (plain, .zip or .gz)",
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReaderError(
                    self.path,
                    n,
                    None,
                    f"not valid UTF-8 text ({exc.reason} at byte {exc.start} of the line)",
                    hint="re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                ) from None
            if "\x00" in text:
                raise ReaderError(
                    self.path,
                    n,
                    None,
                    "binary content (NUL byte): not a text export",
                    hint="give the export file itself (plain, .zip or .gz)",
                )
            if n == 1 and text.startswith("\ufeff"):
                text = text[1:]
            self._last_line_complete = complete
            yield n, text.rstrip("\r\n")

    def _decompress_error(self, exc: zlib.error, line: int | None) -> ReaderError:
        return ReaderError(
            self.path,
            line,
            None,
            f"cannot decompress: {exc}",
            hint="the archive is damaged; download it again",
        )

    def _header_line(self, lines: Iterator[tuple[int, str]]) -> str:
        """The text of the first line (the header), or a ReaderError for an empty file."""
        first = next(lines, None)
        if first is None:
            raise ReaderError(self.path, None, None, "file is empty", hint="check the download")
        return first[1]

    def _csv_records(
        self, lines: Iterator[tuple[int, str]], width: int
    ) -> Iterator[tuple[int, list[str] | Reject]]:
        """``(line, fields)`` for each CSV record after the header, with the line it starts
        on (quoted fields may span lines); ``(line, Reject)`` when it does not have
        ``width`` fields. Blank records are skipped."""
        line_no = [1]

        def texts() -> Iterator[str]:
            for n, text in lines:
                line_no[0] = n
                yield text + "\n"

        reader = csv.reader(texts(), strict=True)
        start = 2
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ReaderError(
                    self.path,
                    start,
                    None,
                    f"malformed CSV: {exc}",
                    hint="a quoted field is probably not closed; check the line",
                ) from None
            if rec and any(f.strip() for f in rec):
                if len(rec) != width:
                    yield (
                        start,
                        self._field_count_reject(start, len(rec), width, "comma-separated fields"),
                    )
                else:
                    yield start, rec
            start = line_no[0] + 1

    def _field_count_reject(self, line: int, found: int, expected: int, what: str) -> Reject:
        reason = f"expected {expected} {what}, found {found}"
        if not self._last_line_complete:
            reason += " (the last line is incomplete: the file looks truncated)"
        return Reject(line, None, None, reason)

    def _wrong_layout(self, line: int, what: str) -> ReaderError:
        return ReaderError(
            self.path,
            line,
            None,
            f"not {what}",
            hint=suggest_layout(self.path, self.format),
        )

    # -- chunking ----------------------------------------------------------------------
    @abstractmethod
    def _records(self, stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
        """Yield ``(line, record)`` or ``(line, Reject)``."""

    @abstractmethod
    def _convert(self, records: list[Any], lines: list[int]) -> Chunk:
        """Canonical columns, line numbers and raw texts for a chunk of records."""

    def _reset(self) -> None:
        """Reset per-read counters (called when iteration starts)."""
        self._pending = []

    def _batches(
        self, stream: IO[bytes]
    ) -> Iterator[tuple[Columns, pa.Array, Columns, list[Reject]]]:
        """Chunks of converted records, each with the rejects :meth:`_records` yielded
        since the previous chunk (``on_error="skip"``; ``"fail"`` raises at the first)."""
        self._reset()
        records: list[Any] = []
        lines: list[int] = []
        for line, rec in self._records(stream):
            if isinstance(rec, Reject):
                if self.on_error == "fail":
                    if records:  # earlier rows first, so the first bad line is reported
                        yield self._chunk(records, lines)
                    raise self._reject_error(rec)
                self._pending.append(rec)
                continue
            records.append(rec)
            lines.append(line)
            if len(records) >= self.batch_rows:
                yield self._chunk(records, lines)
                records, lines = [], []
        if records or self._pending:
            yield self._chunk(records, lines)

    def _chunk(
        self, records: list[Any], lines: list[int]
    ) -> tuple[Columns, pa.Array, Columns, list[Reject]]:
        pending, self._pending = self._pending, []
        return (*self._convert(records, lines), pending)

    def __iter__(self) -> Iterator[ReadBatch]:
        try:
            yield from super().__iter__()
        except zlib.error as exc:
            raise self._decompress_error(exc, None) from None

    # -- codebook lookups --------------------------------------------------------------
    def _lookup(
        self, codes: list[str | None]
    ) -> tuple[list[float | None], list[int | None], list[str | None]]:
        gold: list[float | None] = []
        quad: list[int | None] = []
        arena: list[str | None] = []
        idx = self._cb_index
        for c in codes:
            i = idx.get(c) if c is not None else None
            if i is None:
                gold.append(None)
                quad.append(None)
                arena.append(None)
            else:
                gold.append(self._cb_gold[i])
                quad.append(self._cb_quad[i])
                arena.append(self._cb_arena[i])
        return gold, quad, arena


def _columns(
    n: int,
    *,
    event_id: list[str | None],
    date: list[dt.date | None],
    source: list[str | None],
    target: list[str | None],
    source_actor: list[str | None],
    target_actor: list[str | None],
    cameo: list[str | None],
    quad_class: list[int | None],
    goldstein: list[float | None],
    arena: list[str | None],
    weight: list[int | None] | int,
    dataset: str,
    location: list[str | None] | None,
    url_or_citation: list[str | None] | str | None,
) -> Columns:
    def s(v: list[str | None]) -> pa.Array:
        return pa.array(v, pa.string())

    return {
        "event_id": s(event_id),
        "date": pa.array(date, pa.date32()),
        "source": s(source),
        "target": s(target),
        "source_actor": s(source_actor),
        "target_actor": s(target_actor),
        "cameo": s(cameo),
        "quad_class": pa.array(quad_class, pa.int8()),
        "goldstein": pa.array(goldstein, pa.float64()),
        "arena": s(arena),
        "weight": pa.array([weight] * n if isinstance(weight, int) else weight, pa.int64()),
        "dataset": s([dataset] * n),
        "location": s([None] * n if location is None else location),
        "url_or_citation": s(
            url_or_citation if isinstance(url_or_citation, list) else [url_or_citation] * n
        ),
    }


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


def _first_line(head: bytes) -> str | None:
    text = head.split(b"\n", 1)[0].rstrip(b"\r")
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _ActorReader(_TextEventReader):
    """A text layout whose actors are names resolved to countries (the ICEWS layouts):
    the ICEWS Goldstein table by default, and an ``ActorResolver`` (``actors=``, the
    shipped tables when None)."""

    default_goldstein: ClassVar[Literal["gdelt", "icews"]] = "icews"
    #: takes ``actors=`` (an ActorResolver); :func:`~trilateral.data.readers.read` passes it
    resolves_actors: ClassVar[bool] = True

    def __init__(
        self,
        path: str | Path,
        *,
        actors: ActorResolver | None = None,
        **options: Unpack[ReaderOptions],
    ) -> None:
        super().__init__(path, **options)
        self.actors = actors or ActorResolver.load()
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
        order (weight 1, the reader's dataset); ``raw`` holds the texts a reject shows."""
        named: dict[str, Any] = dict(zip(_ACTOR_COLUMNS, values, strict=True))
        columns = _columns(
            len(lines),
            **named,
            weight=1,
            dataset=self.dataset,
            location=location,
            url_or_citation=citation,
        )
        texts = {k: pa.array(v, pa.string()) for k, v in raw.items()}
        return columns, pa.array(lines, pa.int64()), texts


def _lists(n: int) -> tuple[list[Any], ...]:
    """``n`` empty lists (the columns a layout fills row by row)."""
    return tuple([] for _ in range(n))


#: The canonical columns an actor layout fills itself, in the order ``_actor_chunk`` takes.
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
    actors : ActorResolver, optional
        Country-name table; ``ActorResolver.load()`` by default.

    Attributes
    ----------
    unresolved : collections.Counter
        Country names (source, target or location) not in the table → occurrences.
    variant : {"tab", "csv"} or None
        Which header the file had (set once reading starts).

    Notes
    -----
    Mapping: ``event_id`` = ``"icews:" + Event ID``; ``source``/``target`` = ISO3 of
    Source/Target Country; ``source_actor``/``target_actor`` = Source/Target Name;
    ``cameo`` = CAMEO Code as text (leading zeros kept); ``goldstein`` = Intensity;
    ``weight`` = 1; ``location`` = ISO3 of Country; ``url_or_citation`` =
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
        self.unresolved: Counter[str] = Counter()
        self.variant: Literal["tab", "csv"] | None = None
        self._country_cache: dict[str, str | None] = {}
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

    def _reset(self) -> None:
        super()._reset()
        self.unresolved = Counter()

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

    def _country(self, name: str | None) -> str | None:
        if name is None:
            return None
        iso = _cached(self._country_cache, name, self.actors.country)
        if iso is None:
            self.unresolved[name] += 1
        return iso

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
        src_raw: list[str | None] = []
        tgt_raw: list[str | None] = []
        for f in records:
            eid = _clean(f[i_id])
            event_id.append(None if eid is None else f"icews:{parse_id(eid)}")
            d = f[i_date].strip()
            date_raw.append(d)
            date.append(parse_date(d, self._date_cache))
            sc, tc = _clean(f[i_sc]), _clean(f[i_tc])
            src_raw.append(sc)
            tgt_raw.append(tc)
            source.append(self._country(sc))
            target.append(self._country(tc))
            s_actor.append(_clean(f[i_sn]))
            t_actor.append(_clean(f[i_tn]))
            cameo.append(_clean(f[i_cam]))
            g = _clean(f[i_int])
            gold_raw.append(g)
            gold.append(None if g is None else parse_float(g))
            location.append(self._country(_clean(f[i_loc])))
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
    actors : ActorResolver, optional
        ``ActorResolver.load()`` by default; pass ``ActorResolver.load(extra=...)`` to add
        your own people or names.

    Attributes
    ----------
    unmapped_relations : collections.Counter
        Relation texts with no CAMEO code → rows skipped.
    unresolved_actors : collections.Counter
        Actor names that are not a country, ``Sector_(Country)`` or known person →
        occurrences (their rows are kept with a null country).
    rows_skipped : int
        Rows skipped for an unmapped relation.

    Notes
    -----
    ``event_id`` = ``"icews_tkg:<first 12 hex digits of the file's SHA-256>:<line>"``, so
    two files never share an id (the hash is of the decompressed content, as the store
    computes it); actors are written with spaces for underscores (``Vladimir Putin``) and
    resolved on the row's date (a person only within a term of ``leaders.csv``);
    ``weight`` 1; ``location`` null; ``url_or_citation`` =
    ``"ICEWS knowledge-graph file <name> (sha256 <12 hex digits>)"``, the file ingested.

    Examples
    --------
    >>> r = ICEWSTKGReader("valid.txt")
    >>> table, rejects = r.read_all()
    >>> table.num_rows, len(rejects)
    (45995, 0)
    >>> r.unresolved_actors.most_common(2)
    [('Bharatiya_Janata', 735), ('Unspecified_Actor', 691)]
    """

    format: ClassVar[str] = "icews_tkg"
    dataset: ClassVar[str] = "icews_tkg"

    def _setup(self) -> None:
        self.relations = load_event_texts()
        self.unmapped_relations: Counter[str] = Counter()
        self.unresolved_actors: Counter[str] = Counter()
        self.rows_skipped = 0
        self._actor_cache: dict[str, str | tuple[Term, ...] | None] = {}
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
        self.unresolved_actors = Counter()
        self.rows_skipped = 0

    def _relation(self, text: str) -> str | None:
        return _cached(self._rel_cache, text, lambda t: self.relations.get(_text_key(t)))

    def _actor(self, name: str, on: dt.date | None) -> str | None:
        iso = Term.pick(_cached(self._actor_cache, name, self.actors.match), on)
        if iso is None:
            self.unresolved_actors[name] += 1
        return iso

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
            on = parse_date(d, self._date_cache)
            date.append(on)
            source.append(self._actor(subj, on) if subj else None)
            target.append(self._actor(obj, on) if obj else None)
            s_actor.append(subj.replace("_", " ") or None)
            t_actor.append(obj.replace("_", " ") or None)
            cameo.append(self._relation(rel) if rel else None)
        gold, quad, arena = self._lookup(cameo)
        values = (event_id, date, source, target, s_actor, t_actor, cameo, quad, gold, arena)
        raw = {"date": date_raw, "cameo": [r[1].strip() for r in records]}
        return self._actor_chunk(lines, values, location=None, citation=self.citation, raw=raw)
