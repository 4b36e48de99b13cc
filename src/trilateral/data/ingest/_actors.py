"""Resolve actors: the names a reader hands on (:attr:`ReadBatch.names`) → ISO3 codes.

The third step of the pipeline, between reading and keying. A layout that names its
actors (ICEWS: ``"Russian Federation"``; ICEWS18: ``Foreign_Affairs_(Russia)``,
``Vladimir_Putin``) leaves ``source``, ``target`` (and ``location``) null and gives the
names in ``ReadBatch.names``; this step fills those columns from an
:class:`~trilateral.data.actors.ActorResolver` and counts the names it cannot resolve.
Layouts that code countries themselves (GDELT, the chronicle) pass through untouched.

What a name resolves to depends on what the reader says its names are
(:attr:`EventReader.names_are`):

* ``"countries"`` (ICEWS): a country name, on any date (:meth:`ActorResolver.country`);
* ``"actors"`` (ICEWS18): a country, a ``Sector (Country)``, or a person, who stands for a
  country only on the dates of one of their terms — resolved on the row's date
  (:meth:`ActorResolver.match`, then :meth:`Term.pick`).

The step works on whole columns: each distinct name of a batch is looked up once (and
remembered across batches); only a person's rows are picked one by one, by date.

Examples
--------
>>> from trilateral.data.readers import read
>>> step = ResolveActors()
>>> table, rejects = step.read_all(read("valid.txt", format="icews_tkg"))
>>> table["source"].null_count < table.num_rows, step.unresolved.most_common(1)
(True, [('Bharatiya_Janata', 735)])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..actors import ActorResolver, Term
from ..readers import EventReader, ReadBatch, Reject
from ..readers._base import collect
from ..schema import EVENT_SCHEMA

__all__ = ["ResolveActors"]

_Match = str | tuple[Term, ...] | None
#: Names a step remembers at most (memory stays bounded on a corpus of many names).
_SEEN_MAX = 100_000


class ResolveActors:
    """The resolve-actors step of the ingest pipeline.

    Parameters
    ----------
    actors : ActorResolver, optional
        The tables; ``ActorResolver.load()`` (the shipped ones) by default. Pass
        ``ActorResolver.load(extra=...)`` to add your own people or names.

    Attributes
    ----------
    unresolved : collections.Counter
        Names (as the file writes them) that resolved to no country → rows, over every
        batch this step has resolved.
    rows_resolved : int
        Rows whose names this step has resolved (whether or not to a country).

    Examples
    --------
    >>> from trilateral.data.readers import read
    >>> step = ResolveActors()
    >>> table, _ = step.read_all(read("events.2018.sample.tab"))
    >>> table.num_rows, table["source"].null_count, step.rows_resolved  # 147: Source Country NA
    (3705, 147, 3705)
    """

    def __init__(self, actors: ActorResolver | None = None) -> None:
        self._actors = actors
        self.unresolved: Counter[str] = Counter()
        self.rows_resolved = 0
        self._seen: dict[tuple[str, str], _Match] = {}

    @property
    def actors(self) -> ActorResolver:
        """The tables (the shipped ones loaded on first use when none were given)."""
        if self._actors is None:
            self._actors = ActorResolver.load()
        return self._actors

    def resolve(self, batch: ReadBatch, names_are: Literal["countries", "actors"]) -> ReadBatch:
        """``batch`` with the columns its names stand for filled in (``names`` dropped);
        a batch without names is returned as it is. ``names_are`` is what the reader that
        made the batch says its names are (:attr:`EventReader.names_are`); there is no
        default, as ICEWS18 actors read as country names would silently lose every
        person and ``Sector (Country)``."""
        if names_are not in ("countries", "actors"):
            raise ValueError(f"names_are must be 'countries' or 'actors', not {names_are!r}")
        if batch.names is None:
            return batch
        events = batch.events
        dates = events.column("date") if names_are == "actors" else None
        for column in batch.names.schema.names:
            codes = self._codes(batch.names.column(column), names_are, dates)
            i = EVENT_SCHEMA.get_field_index(column)
            events = events.set_column(i, EVENT_SCHEMA.field(i), codes)
        self.rows_resolved += events.num_rows
        return ReadBatch(events, batch.extras, batch.rejects)

    def batches(self, reader: EventReader) -> Iterator[ReadBatch]:
        """The reader's batches, resolved (as its :attr:`~EventReader.names_are` says)."""
        for batch in reader:
            yield self.resolve(batch, reader.names_are)

    def read_all(self, reader: EventReader) -> tuple[pa.Table, list[Reject]]:
        """The whole file, resolved, as one table (small files only) and the rejects."""
        return collect(self.batches(reader))

    def counts(self, reader: EventReader) -> dict[str, int]:
        """The ingest counter of the names left unresolved, under the reader's key
        (``unresolved``, ``unresolved_actors``); empty for a layout that codes countries.
        The total is over every batch this step has resolved: the pipeline uses one step
        per file."""
        if not reader.actor_names:
            return {}
        return {reader.unresolved_key: int(sum(self.unresolved.values()))}

    # -- one column ------------------------------------------------------------------
    def _codes(
        self,
        names: pa.Array,
        names_are: Literal["countries", "actors"],
        dates: pa.Array | None,
    ) -> pa.Array:
        """ISO3 codes (or null) for a column of names, each distinct name looked up once."""
        encoded = pc.dictionary_encode(names)
        dictionary = encoded.dictionary.to_pylist()
        matches = [self._match(name, names_are) for name in dictionary]
        fixed = [m if m is None or isinstance(m, str) else None for m in matches]
        codes = pc.take(pa.array(fixed, pa.string()), encoded.indices)
        people = [i for i, m in enumerate(matches) if isinstance(m, tuple)]
        if people:
            codes = self._pick_on_dates(codes, encoded.indices, matches, people, dates)
        self._count_unresolved(codes, names, encoded.indices, dictionary)
        return codes

    def _match(self, name: str, names_are: Literal["countries", "actors"]) -> _Match:
        """What ``name`` can resolve to, remembered (up to ``_SEEN_MAX`` names)."""
        key = (names_are, name)
        try:
            return self._seen[key]
        except KeyError:
            m = self.actors.country(name) if names_are == "countries" else self.actors.match(name)
            if len(self._seen) < _SEEN_MAX:
                self._seen[key] = m
            return m

    @staticmethod
    def _pick_on_dates(
        codes: pa.Array,
        indices: pa.Array,
        matches: list[_Match],
        people: list[int],
        dates: pa.Array | None,
    ) -> pa.Array:
        """``codes`` with the rows naming a person set to the country of the term that
        covers the row's date (null outside every term)."""
        idx = indices.fill_null(-1).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(np.isin(idx, people))
        out = codes.to_pylist()
        days = None if dates is None else dates.take(pa.array(rows)).to_pylist()
        for k, row in enumerate(rows):
            out[row] = Term.pick(matches[idx[row]], None if days is None else days[k])
        return pa.array(out, pa.string())

    def _count_unresolved(
        self, codes: pa.Array, names: pa.Array, indices: pa.Array, dictionary: list[str]
    ) -> None:
        """Add the rows whose name (present) resolved to no country, per name."""
        missing = pc.and_(pc.is_null(codes), pc.is_valid(names))
        if not pc.any(missing).as_py():
            return
        which = pc.filter(indices, missing).to_numpy(zero_copy_only=False)
        for i, n in enumerate(np.bincount(which, minlength=len(dictionary))):
            if n:
                self.unresolved[dictionary[i]] += int(n)
